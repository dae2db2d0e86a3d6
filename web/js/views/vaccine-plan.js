// The commune and district health staff's vaccination planning (docs/api-vaccine.md, "Planning"):
// the sites of their area and a form for a new one; a site's coming sessions and a form for a new
// session; one session's invitations, chosen by priority group and area from the people registered
// and still waiting; and the upload of a registration list, its row report in words and its apply.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, idempotentPost, fingerprint, ApiError } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { getLang, formatDay, formatNumber, t } from '../i18n.js';
import { current } from '../session.js';
import { unitPicker } from '../components/unit-picker.js';
import { todayVn, hhmmVn, dayVn, loadProducts, loadGroups, productName } from './vaccine-common.js';

const INVITE_MAX = 500; // people in one invitation request (the server's limit)

const groupName = (groups, code) => {
  const g = ((groups && groups.groups) || []).find((x) => x.code === code);
  return g ? (getLang() === 'en' ? g.name_en : g.name_vi) : code;
};

const sessionWhen = (s) => `${formatDay(s.day)} · ${hhmmVn(s.starts_at)}–${hhmmVn(s.ends_at)}`;

/* ---------------------------------------------------------------- the sites */

export async function vaxPlanView({ root, signal }) {
  const me = current();
  const box = h('div', { testid: 'plan-sites-box' }, loading());
  const formBox = h('div');
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'plan-view' },
    h('h1', { t: 'vax.plan.title' }), h('p', { class: 'lead', t: 'vax.plan.lead' }),
    h('div', { class: 'actions' },
      h('a', { class: 'btn btn-block', href: '#/vaccine/registrations/upload', testid: 'plan-upload-link', t: 'vax.up.title' }),
      h('a', { class: 'btn btn-block', href: '#/vaccine/reschedule', testid: 'plan-reschedule-link', t: 'vax.plan.reschedule_link' }),
      h('a', { class: 'btn btn-block', href: '#/vaccine/due', testid: 'plan-due-link', t: 'vax.due.title' })),
    h('h2', { t: 'vax.plan.sites' }), box, formBox));
  let res;
  let products;
  try {
    [res, products] = await Promise.all([get('/api/v1/vaccine/sites', { query: { limit: 200 }, signal }), loadProducts(signal)]);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const sites = res.sites || [];
  replace(box, sites.length
    ? h('ul', { class: 'cards', testid: 'plan-sites' }, sites.map((s) => h('li', { class: 'card', testid: `plan-site-${s.id}` },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, s.name), h('span', { class: 'muted' }, s.address || '')),
      h('div', { class: 'card-meta' }, Object.entries(s.capacity || {}).map(([p, n]) => h('span', { class: 'badge' },
        h('span', { t: 'vax.plan.per_day', tArgs: { product: productName(products, p), n: formatNumber(n) } })))),
      h('div', { class: 'card-actions' },
        h('a', { class: 'btn btn-primary btn-big btn-block', href: `#/vaccine/plan/sites/${s.id}`, testid: `plan-site-open-${s.id}`, t: 'vax.plan.open_site' })))))
    : h('p', { class: 'muted empty', testid: 'plan-no-sites', t: 'vax.no_sites' }));
  replace(formBox, h('details', { class: 'card', testid: 'plan-new-site', open: !sites.length },
    h('summary', { t: 'vax.plan.new_site' }), siteForm(me, products)));
}

function siteForm(me, products) {
  const name = field({ name: 'name', label: 'vax.plan.site_name', attrs: { maxlength: 200, testid: 'site-name' } });
  const address = field({ name: 'address', label: 'vax.plan.site_address', attrs: { maxlength: 300, testid: 'site-address' } });
  const picker = unitPicker({ name: 'commune_code', legend: 'vax.plan.site_commune', testid: 'site-commune', rootCode: me.unit_code });
  const caps = (products.products || []).map((p) => ({
    code: p.code,
    f: field({ name: `capacity.${p.code}`, label: p.name, type: 'number', attrs: { min: 1, max: 100000, inputmode: 'numeric', testid: `site-cap-${p.code}` } }),
  }));
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'site-submit', t: 'vax.plan.site_submit' });
  const form = h('form', { class: 'form', testid: 'site-form', novalidate: true }, name.wrap, address.wrap, picker.el,
    h('fieldset', { class: 'field', 'data-field': 'capacity' }, h('legend', { t: 'vax.plan.capacity_legend' }),
      h('p', { class: 'hint', t: 'vax.plan.capacity_hint' }), caps.map((c) => c.f.wrap)),
    errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const capacity = {};
    for (const c of caps) {
      const v = c.f.input.value.trim();
      if (!v) continue;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100000) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'capacity' }, 'create'); return; }
      capacity[c.code] = n;
    }
    const body = { name: name.input.value.trim(), address: address.input.value.trim() || undefined, commune_code: picker.value(), capacity };
    if (!body.name) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'name' }, 'create'); return; }
    if (!Object.keys(capacity).length) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'capacity' }, 'create'); return; }
    try {
      const site = await withBusy(submit, () => idempotentPost('vax-site', '/api/v1/vaccine/sites', (client_id) => ({ client_id, ...body })));
      window.location.hash = `#/vaccine/plan/sites/${site.id}`;
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return form;
}

/* ---------------------------------------------------------------- one site's sessions */

export async function vaxPlanSiteView({ root, params, signal }) {
  const box = h('section', { class: 'panel panel-narrow', testid: 'plan-site-view' }, loading());
  root.appendChild(box);
  let site;
  let products;
  try {
    [site, products] = await Promise.all([get(`/api/v1/vaccine/sites/${seg(params.id)}`, { signal }), loadProducts(signal)]);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const list = h('div', { testid: 'plan-sessions-box' }, loading());
  replace(box,
    h('p', null, h('a', { href: '#/vaccine/plan', t: 'vax.plan.back' })),
    h('h1', { testid: 'plan-site-name' }, site.name),
    site.address ? h('p', { class: 'lead' }, site.address) : null,
    h('h2', { t: 'vax.plan.sessions' }), list,
    h('details', { class: 'card', testid: 'plan-new-session' }, h('summary', { t: 'vax.plan.new_session' }), sessionForm(site, products, load)));

  async function load() {
    let res;
    try {
      res = await get('/api/v1/vaccine/sessions', { query: { site_id: site.id, limit: 1000 }, signal });
    } catch (e) {
      if (!isAbort(e)) replace(list, errorBox(e, 'list'));
      return;
    }
    const today = todayVn();
    const coming = (res.sessions || []).filter((s) => s.day >= today).sort((a, b) => a.starts_at - b.starts_at);
    replace(list, coming.length
      ? h('ul', { class: 'cards', testid: 'plan-sessions' }, coming.map((s) => h('li', { class: 'card', testid: `plan-session-${s.id}` },
        h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, productName(products, s.product)),
          h('span', { class: 'badge' }, sessionWhen(s))),
        h('div', { class: 'card-meta' }, h('span', { t: 'vax.booked_of', tArgs: { booked: s.booked, capacity: s.capacity } }),
          h('span', { testid: `plan-session-${s.id}-left`, t: 'vax.plan.left', tArgs: { n: s.remaining } })),
        h('div', { class: 'card-actions' },
          h('a', { class: 'btn btn-primary btn-big btn-block', href: `#/vaccine/plan/sessions/${s.id}`, testid: `plan-session-invite-${s.id}`, t: 'vax.plan.invite' })))))
      : h('p', { class: 'muted empty', testid: 'plan-no-sessions', t: 'vax.plan.no_sessions' }));
  }
  await load();
}

function sessionForm(site, products, reload) {
  const offered = Object.keys(site.capacity || {});
  const product = field({ name: 'product', label: 'vax.product',
    input: h('select', { testid: 'session-product' }, offered.map((p) => h('option', { value: p }, productName(products, p)))) });
  const date = field({ name: 'date', label: 'vax.plan.session_date', type: 'date', attrs: { min: todayVn(), value: todayVn(), testid: 'session-date' } });
  const start = field({ name: 'start', label: 'field.start', type: 'time', attrs: { value: '07:30', step: 1800, testid: 'session-start' } });
  const end = field({ name: 'end', label: 'field.end', type: 'time', attrs: { value: '11:30', step: 1800, testid: 'session-end' } });
  const capacity = field({ name: 'capacity', label: 'vax.plan.session_capacity', type: 'number', attrs: { min: 1, max: 100000, inputmode: 'numeric', testid: 'session-capacity' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const done = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'session-submit', t: 'vax.plan.session_submit' });
  const form = h('form', { class: 'form', testid: 'session-form', novalidate: true },
    product.wrap, date.wrap, h('div', { class: 'field-row' }, start.wrap, end.wrap), capacity.wrap, errors, submit, done);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    clear(done);
    const n = Number(capacity.input.value.trim());
    const body = { site_id: site.id, product: product.input.value, date: date.input.value, start: start.input.value, end: end.input.value, capacity: n };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(body.date)) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'date' }, 'create'); return; }
    if (!/^\d{2}:\d{2}$/.test(body.start)) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'start' }, 'create'); return; }
    if (!/^\d{2}:\d{2}$/.test(body.end) || body.end <= body.start) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'end' }, 'create'); return; }
    if (!Number.isInteger(n) || n < 1) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'capacity' }, 'create'); return; }
    try {
      const s = await withBusy(submit, () => idempotentPost(`vax-session-${site.id}`, '/api/v1/vaccine/sessions', (client_id) => ({ client_id, ...body })));
      replace(done, h('p', { class: 'alert alert-ok', role: 'status', testid: 'session-created', 'data-id': s.id, t: 'vax.plan.session_created', tArgs: { when: sessionWhen(s) } }));
      capacity.input.value = '';
      await reload();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return form;
}

/* ---------------------------------------------------------------- invitations */

export async function vaxInviteView({ root, params, signal }) {
  const me = current();
  const box = h('section', { class: 'panel panel-narrow', testid: 'invite-view' }, loading());
  root.appendChild(box);
  let se;
  let products;
  let groups;
  try {
    [se, products, groups] = await Promise.all([get(`/api/v1/vaccine/sessions/${seg(params.id)}`, { signal }), loadProducts(signal), loadGroups(signal)]);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const left = h('strong', { testid: 'invite-left' }, String(se.remaining));
  const group = field({ name: 'priority_group', label: 'field.priority_group',
    input: h('select', { testid: 'invite-group' }, h('option', { value: '', t: 'vax.plan.any_group' }),
      (groups.groups || []).slice().sort((a, b) => a.rank - b.rank).map((g) => h('option', { value: g.code }, groupName(groups, g.code)))) });
  // Who: the registered waiting for a first dose, or the people due for their next dose of this vaccine by the session's day.
  const who = field({ name: 'who', label: 'vax.plan.who',
    input: h('select', { testid: 'invite-who' }, h('option', { value: 'waiting', t: 'vax.plan.who_waiting' }), h('option', { value: 'due', t: 'vax.plan.who_due' })) });
  who.input.addEventListener('change', () => { group.wrap.hidden = who.input.value === 'due'; });
  const picker = unitPicker({ name: 'unit', legend: 'vax.plan.invite_area', testid: 'invite-area', rootCode: me.unit_code, initial: se.commune_code });
  const findErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const find = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'invite-find', t: 'vax.plan.find_waiting' });
  const findForm = h('form', { class: 'form', testid: 'invite-filter', novalidate: true }, who.wrap, group.wrap, picker.el, findErrors, find);
  const people = h('div', { testid: 'invite-people', 'aria-live': 'polite' });
  replace(box,
    h('p', null, h('a', { href: `#/vaccine/plan/sites/${se.site_id}`, t: 'vax.plan.back_site' })),
    h('h1', { t: 'vax.plan.invite_title' }),
    h('div', { class: 'card', testid: 'invite-session' },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, se.site_name), h('span', { class: 'badge' }, productName(products, se.product))),
      h('p', null, sessionWhen(se)),
      h('p', null, h('span', { t: 'vax.plan.seats_left' }), ' ', left)),
    h('p', { class: 'hint', t: 'vax.plan.invite_hint' }),
    findForm, people);

  findForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(findForm, findErrors);
    clear(people);
    if (se.remaining < 1) { replace(people, h('p', { class: 'alert alert-denied', testid: 'invite-full', t: 'vax.plan.session_full' })); return; }
    const limit = Math.min(se.remaining, INVITE_MAX);
    let list;
    try {
      if (who.input.value === 'due') {
        // Due by the session's day; a later dose keeps the series' vaccine (the server checks the rest).
        const res = await withBusy(find, () => get('/api/v1/vaccine/due', { signal, query: { unit: picker.value(), date: se.day, limit: 5000 } }));
        list = (res.people || []).filter((p) => p.product === se.product).slice(0, limit);
      } else {
        const res = await withBusy(find, () => get('/api/v1/vaccine/registrations', { signal, query: {
          unit: picker.value(), priority_group: group.input.value || undefined, waiting: 1, limit,
        } }));
        list = res.registrations || [];
      }
    } catch (e) {
      if (!isAbort(e)) showFormError(findForm, findErrors, e, 'list');
      return;
    }
    showPeople(list);
  });

  function showPeople(regs) {
    if (!regs.length) { replace(people, h('p', { class: 'muted empty', testid: 'invite-none', t: 'vax.plan.none_waiting' })); return; }
    const boxes = regs.map((r) => ({ r, el: h('input', { type: 'checkbox', checked: true, testid: `invite-pick-${r.person_id}` }) }));
    const count = h('span', { testid: 'invite-count' });
    const send = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: 'invite-send' });
    const out = h('div', { 'aria-live': 'assertive' });
    const refresh = () => {
      const n = boxes.filter((b) => b.el.checked).length;
      count.textContent = formatNumber(n);
      replace(send, h('span', { t: 'vax.plan.invite_n', tArgs: { n } }));
      send.disabled = n === 0;
    };
    for (const b of boxes) b.el.addEventListener('change', refresh);
    refresh();
    send.addEventListener('click', async () => {
      clear(out);
      const picked = boxes.filter((b) => b.el.checked).map((b) => b.r);
      const ids = picked.map((r) => r.person_id);
      try {
        const res = await withBusy(send, () => idempotentPost(`vax-invite-${se.id}-${fingerprint(ids)}`,
          `/api/v1/vaccine/sessions/${seg(se.id)}/invitations`, (client_id) => ({ client_id, person_ids: ids })));
        const appts = res.appointments || [];
        se.remaining -= appts.length;
        left.textContent = String(se.remaining);
        const byId = new Map(picked.map((r) => [r.person_id, r]));
        replace(people, h('div', { class: 'alert alert-ok', role: 'status', testid: 'invite-done', 'data-count': appts.length },
          h('p', { class: 'alert-title', t: 'vax.plan.invited', tArgs: { n: appts.length } }),
          h('ul', { class: 'plain' }, appts.map((a) => h('li', { testid: `invite-appt-${a.person_id}` },
            `${(byId.get(a.person_id) || {}).full_name || ''} · ${hhmmVn(a.slot_start)}–${hhmmVn(a.slot_end)}`)))));
      } catch (e) {
        if (isAbort(e)) return;
        // The server names the person it refused as person_ids[i]: say who.
        const m = /^person_ids\[(\d+)\]/.exec((e && e.field) || '');
        const who = m && picked[Number(m[1])];
        replace(out, who ? h('p', { class: 'alert alert-denied', testid: 'invite-refused-person', t: 'vax.plan.refused_person', tArgs: { name: who.full_name || '' } }) : null,
          errorBox(e, 'create', 'invite-error'));
      }
    });
    replace(people,
      h('p', null, h('span', { t: 'vax.plan.waiting_found' }), ' ', count),
      h('ul', { class: 'cards', testid: 'invite-list' }, boxes.map(({ r, el }) => h('li', { class: 'card' },
        h('label', { class: 'check' }, el, h('span', null,
          h('strong', null, r.full_name || ''),
          r.priority_group ? [' ', h('span', { class: 'muted' }, groupName(groups, r.priority_group))] : null,
          r.dose_number ? h('span', { class: 'muted', t: 'vax.plan.due_dose', tArgs: { n: r.dose_number, day: formatDay(r.due_day) } }) : null,
          r.age_years != null ? h('span', { class: 'muted', t: 'vax.plan.age', tArgs: { n: r.age_years } }) : null))))),
      out, send);
  }
}

/* ---------------------------------------------------------------- registration lists */

const MAX_FILE = 20 * 1024 * 1024; // the server's limit
const UP_COLUMNS = ['full_name', 'date_of_birth', 'sex', 'cccd', 'cmnd', 'bhyt', 'phone', 'commune_code', 'street', 'priority_group', 'conditions', 'employer'];

/** POSTs a file with upload progress (fetch has none); resolves with the JSON answer or rejects with ApiError. */
function postFileProgress(path, file, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', message: 'network' }));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data) { resolve(data); return; }
      const er = (data && data.error) || {};
      reject(new ApiError({ status: xhr.status, code: er.code || `http_${xhr.status}`, message: er.message || xhr.statusText, field: er.field, requestId: xhr.getResponseHeader('X-Request-Id') }));
    };
    if (signal) signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

function progressBar(testid) {
  const bar = h('progress', { class: 'progress', max: 100, testid: `${testid}-bar` });
  const text = h('span', { testid: `${testid}-text` });
  const el = h('div', { class: 'progress-box', role: 'status', testid, hidden: true }, bar, text);
  return {
    el,
    show(key, args, fraction) {
      el.hidden = false;
      if (fraction === undefined) bar.removeAttribute('value');
      else bar.value = Math.round(fraction * 100);
      replace(text, h('span', { t: key, tArgs: args }));
    },
    hide() { el.hidden = true; },
  };
}

/** One bad row in words: "Dòng 5 · Ngày sinh: …". */
function rowError(e) {
  const col = e.field && UP_COLUMNS.includes(e.field) ? { t: `vax.up.col.${e.field}` } : '';
  return h('li', { class: 'card', testid: `up-error-${e.line}`, 'data-code': e.code, 'data-field': e.field || '' },
    h('div', { class: 'card-main' }, h('strong', { t: 'vax.up.line', tArgs: { n: e.line } }),
      e.field && col ? h('span', { class: 'badge', t: col.t }) : null),
    h('p', { t: `vax.up.reason.${e.code || 'invalid'}`, tArgs: { ref: e.ref_line || '' } }));
}

export function vaxUploadView({ root, signal }) {
  const fileInput = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', testid: 'up-file' });
  const fileField = field({ name: 'file', label: 'vax.up.file', hint: 'vax.up.file_hint', input: fileInput });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const check = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'up-check', t: 'vax.up.check' });
  const progress = progressBar('up-progress');
  const form = h('form', { class: 'form card', testid: 'up-form', novalidate: true }, fileField.wrap, errors, check, progress.el);
  const report = h('div', { testid: 'up-report', 'aria-live': 'polite' });
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'up-view' },
    h('p', null, h('a', { href: '#/vaccine/plan', t: 'vax.plan.back' })),
    h('h1', { t: 'vax.up.title' }), h('p', { class: 'lead', t: 'vax.up.lead' }),
    h('details', { class: 'card', testid: 'up-columns' }, h('summary', { t: 'vax.up.columns' }),
      h('ul', { class: 'plain small' }, UP_COLUMNS.map((c) => h('li', null, h('code', null, c), ' — ', h('span', { t: `vax.up.col.${c}` }))))),
    form, report));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    clear(report);
    const file = fileInput.files && fileInput.files[0];
    if (!file) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'file' }, 'create'); return; }
    if (file.size > MAX_FILE) { showFormError(form, errors, { status: 413, code: 'body_too_large', field: 'file' }, 'create'); return; }
    let res;
    progress.show('vax.up.sending', { pct: 0 }, 0);
    try {
      res = await withBusy(check, () => postFileProgress('/api/v1/vaccine/registrations/upload/check', file, (f) => {
        if (f < 1) progress.show('vax.up.sending', { pct: Math.round(f * 100) }, f);
        else progress.show('vax.up.checking'); // the server reads every row now
      }, signal));
    } catch (e) {
      progress.hide();
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
      return;
    }
    progress.hide();
    showCheck(res);
  });

  function showCheck(res) {
    const onlyValid = h('input', { type: 'checkbox', testid: 'up-valid-only' });
    const applyBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: 'up-apply', t: 'vax.up.apply', tArgs: { n: res.valid }, disabled: res.valid === 0 });
    const applyProgress = progressBar('up-apply-progress');
    const applyOut = h('div', { 'aria-live': 'polite' });
    applyBtn.addEventListener('click', async () => {
      clear(applyOut);
      if (res.bad > 0 && !onlyValid.checked) {
        applyOut.appendChild(h('p', { class: 'alert alert-denied', testid: 'up-need-confirm', t: 'vax.up.need_confirm' }));
        onlyValid.focus();
        return;
      }
      applyProgress.show('vax.up.applying', { n: res.valid });
      try {
        // The token makes the apply idempotent: a retry answers the figures of the first.
        const a = await withBusy(applyBtn, () => post('/api/v1/vaccine/registrations/upload/apply', { token: res.token, apply_valid_only: res.bad > 0 }, { signal }));
        applyBtn.disabled = true;
        replace(applyOut, h('div', { class: 'alert alert-ok', role: 'status', testid: 'up-done', 'data-registered': String(a.registered) },
          h('p', { class: 'alert-title', t: 'vax.up.done', tArgs: { n: a.registered } }),
          h('p', { t: 'vax.up.done_more', tArgs: { created: a.people_created, matched: a.people_matched, skipped: a.skipped } }),
          h('a', { class: 'btn btn-block', href: '#/vaccine/plan', t: 'vax.up.to_plan' })));
      } catch (e) {
        if (!isAbort(e)) applyOut.appendChild(errorBox(e, 'create', 'up-apply-error'));
      } finally {
        applyProgress.hide();
      }
    });
    replace(report,
      h('div', { class: res.bad ? 'alert alert-denied' : 'alert alert-ok', testid: 'up-summary', 'data-bad': String(res.bad), 'data-valid': String(res.valid) },
        h('p', { class: 'alert-title', t: 'vax.up.summary', tArgs: { rows: res.rows, valid: res.valid, bad: res.bad } })),
      res.errors && res.errors.length ? h('ul', { class: 'cards', testid: 'up-errors' }, res.errors.map(rowError)) : null,
      res.errors_truncated ? h('p', { class: 'muted', t: 'vax.up.truncated' }) : null,
      res.bad > 0 && res.valid > 0 ? h('label', { class: 'check' }, onlyValid, h('span', { t: 'vax.up.valid_only', tArgs: { n: res.valid, bad: res.bad } })) : null,
      applyBtn, applyProgress.el, applyOut);
  }
}

/* ---------------------------------------------------------------- the reschedule queue */

/** A session as one line of a picker: day, time, site, vaccine, seats left. */
const sessionLabel = (s, products) => `${sessionWhen(s)} · ${s.site_name} · ${productName(products, s.product)}`;

export async function vaxRescheduleView({ root, signal }) {
  const box = h('div', { testid: 'resched-box' }, loading());
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'resched-view' },
    h('h1', { t: 'vax.rs.title' }), h('p', { class: 'lead', t: 'vax.rs.lead' }), box));
  let res;
  let sessions;
  let products;
  try {
    [res, sessions, products] = await Promise.all([
      get('/api/v1/vaccine/reschedule-requests', { query: { limit: 200 }, signal }),
      get('/api/v1/vaccine/sessions', { query: { limit: 1000 }, signal }),
      loadProducts(signal),
    ]);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const today = todayVn();
  const open = (sessions.sessions || []).filter((s) => s.day >= today && s.remaining > 0).sort((a, b) => a.starts_at - b.starts_at);
  const requests = res.requests || [];
  if (!requests.length) { replace(box, h('p', { class: 'muted empty', testid: 'resched-empty', t: 'vax.rs.empty' })); return; }
  replace(box, h('ul', { class: 'cards', testid: 'resched-list' }, requests.map((q) => requestCard(q))));

  function requestCard(q) {
    // A later dose keeps the product of the series; the server checks the rest (interval, age).
    const fits = open.filter((s) => s.id !== q.session_id && (q.dose_number === 1 || s.product === q.product));
    const pick = field({ name: 'session_id', label: 'vax.rs.pick',
      input: h('select', { testid: `resched-${q.id}-session` }, fits.map((s) => h('option', { value: s.id },
        `${sessionLabel(s, products)} · ${t('vax.plan.left', { n: s.remaining })}`))) });
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: `resched-${q.id}-assign`, t: 'vax.rs.assign' });
    const form = h('form', { class: 'form', novalidate: true, testid: `resched-${q.id}-form` },
      fits.length ? [pick.wrap, errors, submit] : h('p', { class: 'alert alert-denied', testid: `resched-${q.id}-no-session`, t: 'vax.rs.no_session' }));
    const li = h('li', { class: 'card', testid: `resched-${q.id}` },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, q.full_name || ''),
        h('span', { class: 'badge', t: 'vax.dose_n', tArgs: { n: q.dose_number } })),
      h('dl', { class: 'kv' },
        h('dt', { t: 'field.phone' }), h('dd', null, q.phone || '—'),
        h('dt', { t: 'field.date_of_birth' }), h('dd', null, formatDay(q.date_of_birth) || '—'),
        h('dt', { t: 'vax.rs.was' }), h('dd', { testid: `resched-${q.id}-was` }, `${formatDay(q.day)} · ${q.site_name} · ${productName(products, q.product)}`),
        h('dt', { t: 'vax.rs.asked' }), h('dd', null, h('span', { t: 'vax.rs.asked_at', tArgs: { day: formatDay(dayVn(q.requested_at)), time: hhmmVn(q.requested_at) } }))),
      form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      const sessionId = Number(pick.input.value);
      const s = fits.find((x) => x.id === sessionId);
      try {
        // A retry answers the same new appointment: the move is idempotent by the request's id.
        const a = await withBusy(submit, () => post(`/api/v1/vaccine/reschedule-requests/${seg(q.id)}/assign`, { session_id: sessionId }, { signal }));
        if (s) s.remaining -= 1;
        replace(form, h('p', { class: 'alert alert-ok', role: 'status', testid: `resched-${q.id}-done`, 'data-appointment': a.id,
          t: 'vax.rs.moved', tArgs: { when: `${formatDay(a.day)} · ${hhmmVn(a.slot_start)}–${hhmmVn(a.slot_end)}`, site: a.site_name } }));
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'update');
      }
    });
    return li;
  }
}

/* ---------------------------------------------------------------- people due for their next dose */

export async function vaxDueView({ root, signal, query }) {
  const date = field({ name: 'date', label: 'vax.due.date', type: 'date', attrs: { value: (query && query.get('date')) || todayVn(), testid: 'due-date' } });
  const show = h('button', { type: 'submit', class: 'btn btn-big btn-block', testid: 'due-show', t: 'vax.due.show' });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const form = h('form', { class: 'form', testid: 'due-form', novalidate: true }, date.wrap, errors, show);
  const box = h('div', { testid: 'due-box', 'aria-live': 'polite' });
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'due-view' },
    h('p', null, h('a', { href: '#/vaccine/plan', t: 'vax.plan.back' })),
    h('h1', { t: 'vax.due.title' }), h('p', { class: 'lead', t: 'vax.due.lead' }), form, box));
  let products;
  try {
    products = await loadProducts(signal);
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'other'));
    return;
  }

  async function load() {
    clearFormErrors(form, errors);
    const day = date.input.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'date' }, 'list'); return; }
    replace(box, loading());
    let res;
    try {
      res = await withBusy(show, () => get('/api/v1/vaccine/due', { query: { date: day, limit: 1000 }, signal }));
    } catch (e) {
      if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
      return;
    }
    const people = res.people || [];
    if (!people.length) { replace(box, h('p', { class: 'muted empty', testid: 'due-empty', t: 'vax.due.none', tArgs: { day: formatDay(day) } })); return; }
    const toRemind = people.filter((p) => !p.reminded_at && p.phone).length;
    const remindBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: 'due-remind', t: 'vax.due.remind', tArgs: { n: toRemind }, disabled: toRemind === 0 });
    const remindOut = h('div', { 'aria-live': 'polite' });
    const progress = progressBar('due-progress');
    remindBtn.addEventListener('click', async () => {
      clear(remindOut);
      progress.show('vax.due.reminding', { n: toRemind });
      try {
        const r = await withBusy(remindBtn, () => post('/api/v1/vaccine/due/reminders', { date: day }, { signal }));
        replace(remindOut, h('p', { class: 'alert alert-ok', role: 'status', testid: 'due-reminded', 'data-queued': r.queued,
          t: 'vax.due.reminded', tArgs: { queued: r.queued, already: r.already_reminded, nophone: r.without_phone } }));
        await load();
        box.prepend(remindOut);
      } catch (e) {
        if (!isAbort(e)) replace(remindOut, errorBox(e, 'create', 'due-remind-error'));
      } finally {
        progress.hide();
      }
    });
    replace(box,
      h('p', { testid: 'due-count', t: 'vax.due.count', tArgs: { n: people.length, day: formatDay(day) } }),
      remindBtn, progress.el, remindOut,
      h('ul', { class: 'cards', testid: 'due-list' }, people.map((p) => h('li', { class: 'card', testid: `due-${p.person_id}`, 'data-reminded': p.reminded_at ? '1' : '0' },
        h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, p.full_name || ''),
          h('span', { class: 'badge', t: 'vax.dose_n', tArgs: { n: p.dose_number } })),
        h('dl', { class: 'kv' },
          h('dt', { t: 'field.phone' }), h('dd', null, p.phone || '—'),
          h('dt', { t: 'vax.product' }), h('dd', null, productName(products, p.product)),
          h('dt', { t: 'vax.due.last' }), h('dd', null, formatDay(p.last_day)),
          h('dt', { t: 'vax.due.from' }), h('dd', { testid: `due-${p.person_id}-day` }, formatDay(p.due_day))),
        h('div', { class: 'card-meta' },
          p.overdue ? h('span', { class: 'badge badge-wait', testid: `due-${p.person_id}-overdue`, t: 'vax.due.overdue' }) : null,
          p.reminded_at ? h('span', { class: 'badge badge-on', testid: `due-${p.person_id}-reminded`, t: 'vax.due.was_reminded', tArgs: { day: formatDay(dayVn(p.reminded_at)) } })
            : !p.phone ? h('span', { class: 'badge', t: 'vax.due.no_phone' }) : null)))));
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  await load();
}
