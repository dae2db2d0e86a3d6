// Sampling sites, their sessions and who samples at them, for commune and district health staff
// (docs/api-testing.md "Sites and sessions"): open a site in a commune of the caller's area, open
// a session at a site (date, team, test type, pool size; the tubes go to the lab of the site's
// district), and assign the area's sampler accounts to a session. Samplers see only the sessions
// they are assigned to.

import { h, replace, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, idempotentPost } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatDay, markI18n } from '../i18n.js';
import { vnToday } from '../vn-time.js';
import { getUnit, unitNameEl } from '../units.js';
import { unitPicker } from '../components/unit-picker.js';
import { testTypeKey } from './testing-collect.js';

export async function sitesView({ root, signal }) {
  const me = current();
  const box = h('div', { testid: 'sites-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'sites-view' },
    h('p', null, h('a', { href: '#/testing/sessions', t: 'testing.back_sessions' })),
    h('h1', { t: 'testing.sites_title' }), h('p', { class: 'lead', t: 'testing.sites_lead' }),
    siteForm(me, signal, () => load()), box));

  async function load() {
    let sites;
    let sessions;
    let accounts;
    try {
      [sites, sessions, accounts] = await Promise.all([
        get('/api/v1/testing/sites', { query: { limit: 500 }, signal }),
        get('/api/v1/testing/sessions', { query: { limit: 200 }, signal }),
        get('/api/v1/accounts', { query: { limit: 500 }, signal }),
      ]);
    } catch (e) {
      if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
      return;
    }
    const samplers = (accounts.accounts || []).filter((a) => a.role === 'sampler' && !a.disabled);
    const byId = new Map((accounts.accounts || []).map((a) => [a.id, a]));
    const list = sites.sites || [];
    if (!list.length) { replace(box, h('p', { class: 'muted empty', testid: 'sites-empty', t: 'testing.no_sites' })); return; }
    const ul = h('ul', { class: 'cards', testid: 'sites-list' });
    for (const site of list) {
      const mine = (sessions.sessions || []).filter((x) => x.site_id === site.id)
        .sort((a, b) => (b.date || '').localeCompare(a.date || '') || b.id - a.id);
      ul.appendChild(siteCard(site, mine, samplers, byId, signal, () => load()));
    }
    replace(box, ul);
  }
  await load();
}

function siteForm(me, signal, onCreated) {
  const name = field({ name: 'name', label: 'testing.site_name', attrs: { maxlength: 200, autocomplete: 'off', testid: 'site-name' } });
  const address = field({ name: 'address', label: 'field.address', attrs: { maxlength: 300, autocomplete: 'off', testid: 'site-address' } });
  const picker = unitPicker({ rootCode: me.unit_code, initial: me.unit_code, name: 'commune_code', legend: 'testing.site_commune', testid: 'site-commune' });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'site-submit', t: 'testing.site_submit' });
  const form = h('form', { class: 'form card', testid: 'site-form', novalidate: true }, name.wrap, address.wrap, picker.el, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const body = { name: name.input.value.trim(), commune_code: picker.value() };
    const addr = address.input.value.trim();
    if (addr) body.address = addr;
    if (!body.name) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'name' }, 'create'); return; }
    if (!/^\d{5}$/.test(body.commune_code || '')) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'commune_code' }, 'create'); return; }
    try {
      await withBusy(submit, () => idempotentPost('testing-site', '/api/v1/testing/sites', (cid) => ({ client_id: cid, ...body }), { signal }));
      name.input.value = '';
      address.input.value = '';
      onCreated();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return h('details', { class: 'more', testid: 'site-new' }, h('summary', { t: 'testing.site_new' }), form);
}

function siteCard(site, sessions, samplers, byId, signal, reload) {
  const sessionList = h('ul', { class: 'cards', testid: `site-sessions-${site.id}` });
  for (const s of sessions) sessionList.appendChild(sessionRow(s, samplers, byId, signal, reload));
  return h('li', { class: 'card', testid: `site-${site.id}` },
    h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, site.name || '')),
    h('div', { class: 'card-meta' }, site.address ? h('span', null, site.address) : null, unitNameEl(site.commune_code)),
    sessions.length ? sessionList : h('p', { class: 'muted', t: 'testing.no_sessions_site' }),
    sessionForm(site, samplers, signal, reload));
}

function samplerName(id, byId) {
  const a = byId.get(id);
  return a ? (a.full_name || a.username) : '…';
}

function sessionRow(s, samplers, byId, signal, reload) {
  const chips = h('ul', { class: 'chips', testid: `session-samplers-${s.id}`, 'data-count': String((s.samplers || []).length) },
    (s.samplers || []).map((id) => h('li', { class: 'chip', testid: `session-sampler-${s.id}-${id}` }, samplerName(id, byId))));
  const free = samplers.filter((a) => !(s.samplers || []).includes(a.id));
  const select = h('select', { testid: `assign-select-${s.id}` },
    h('option', { value: '', t: 'testing.assign_choose' }),
    free.map((a) => h('option', { value: String(a.id) }, a.full_name || a.username)));
  const pick = field({ name: 'account_id', label: 'testing.assign_label', input: select });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-big', testid: `assign-submit-${s.id}`, t: 'testing.assign_submit' });
  const form = h('form', { class: 'form', testid: `assign-form-${s.id}`, novalidate: true }, pick.wrap, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const id = Number(select.value);
    if (!id) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'account_id' }, 'update'); return; }
    try {
      await withBusy(submit, () => post(`/api/v1/testing/sessions/${seg(s.id)}/samplers`, { account_id: id }, { signal }));
      reload();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'update');
    }
  });
  return h('li', { class: 'card', testid: `site-session-${s.id}`, 'data-date': s.date },
    h('div', { class: 'card-meta' },
      h('strong', null, formatDay(s.date)),
      h('span', null, s.team || ''),
      h('span', { class: 'badge', t: testTypeKey(s.test_type) }),
      s.pool_size > 1 ? h('span', { t: 'testing.pool_of', tArgs: { n: s.pool_size } }) : h('span', { t: 'testing.single' })),
    h('p', { class: 'meta', t: 'testing.samplers' }), chips,
    free.length ? form : h('p', { class: 'muted small', t: 'testing.no_free_samplers' }),
    h('a', { class: 'btn btn-block', href: `#/testing/sessions/${s.id}`, testid: `site-session-open-${s.id}`, t: 'testing.collect' }));
}

function sessionForm(site, samplers, signal, reload) {
  const date = field({ name: 'date', label: 'testing.session_date', type: 'date', attrs: { value: vnToday(), testid: `session-date-${site.id}` } });
  const team = field({ name: 'team', label: 'testing.session_team', attrs: { maxlength: 100, value: 'Tổ 1', testid: `session-team-${site.id}` } });
  const typeSel = h('select', { testid: `session-type-${site.id}` },
    h('option', { value: 'rt_pcr', t: 'testing.type.rt_pcr' }), h('option', { value: 'rapid_antigen', t: 'testing.type.rapid_antigen' }));
  const type = field({ name: 'test_type', label: 'testing.session_type', input: typeSel });
  const pool = field({ name: 'pool_size', label: 'testing.session_pool', type: 'number', attrs: { min: 1, max: 10, value: '10', inputmode: 'numeric', testid: `session-pool-${site.id}` } });
  typeSel.addEventListener('change', () => { pool.input.value = typeSel.value === 'rapid_antigen' ? '1' : '10'; pool.input.disabled = typeSel.value === 'rapid_antigen'; });
  const samplerSel = h('select', { testid: `session-sampler-${site.id}` },
    h('option', { value: '', t: 'testing.assign_later' }),
    samplers.map((a) => h('option', { value: String(a.id) }, a.full_name || a.username)));
  const sampler = field({ name: 'samplers', label: 'testing.assign_label', input: samplerSel });
  // The tubes go to the lab of the site's district.
  const lab = h('p', { class: 'hint', testid: `session-lab-${site.id}` });
  let labCode = null;
  getUnit(site.commune_code).then((u) => {
    labCode = (u && u.parent_code) || null;
    if (labCode) replace(lab, h('span', { t: 'testing.session_lab' }), ' ', unitNameEl(labCode));
  }).catch(() => {});
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: `session-submit-${site.id}`, t: 'testing.session_submit' });
  const form = h('form', { class: 'form', testid: `session-form-${site.id}`, novalidate: true },
    date.wrap, team.wrap, type.wrap, pool.wrap, sampler.wrap, lab, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const body = { site_id: site.id, date: date.input.value, team: team.input.value.trim(), test_type: typeSel.value, lab_unit_code: labCode };
    if (typeSel.value === 'rt_pcr') body.pool_size = Number(pool.input.value);
    if (samplerSel.value) body.samplers = [Number(samplerSel.value)];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(body.date)) { showFormError(form, errors, { status: 400, code: body.date ? 'invalid_field' : 'missing_field', field: 'date' }, 'create'); return; }
    if (!body.team) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'team' }, 'create'); return; }
    if (body.pool_size !== undefined && !(Number.isInteger(body.pool_size) && body.pool_size >= 1 && body.pool_size <= 10)) {
      showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'pool_size' }, 'create'); return;
    }
    try {
      await withBusy(submit, () => idempotentPost(`testing-session-${site.id}`, '/api/v1/testing/sessions', (cid) => ({ client_id: cid, ...body }), { signal }));
      reload();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  const details = h('details', { class: 'more', testid: `session-new-${site.id}` }, h('summary', { t: 'testing.session_new' }), form);
  markI18n(details.querySelector('summary'), 'text', 'testing.session_new');
  return details;
}
