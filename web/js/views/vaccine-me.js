// The citizen's "one identity" page: for self and each managed family member, together, the
// vaccination status (none, partial, complete, booster), the doses given, the next dose and
// appointment, the certificates (QR code and PDF), test results and check-ins. Actions:
// registration for vaccination, picking a session (or another one for an appointment, or for an
// "another slot" request), confirming an invitation or asking for another slot, and
// reporting an adverse event after a dose (docs/api-vaccine.md; results and check-ins from
// docs/api-testing.md and docs/api.md).

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, api, post, seg, isAbort, idempotentPost } from '../api.js';
import { errorBox, showFormError, clearFormErrors } from '../errors.js';
import { getLang, formatTime, formatNumber, formatDay, t } from '../i18n.js';
import { statusBadge } from './testing-results.js';
import { testTypeKey } from './testing-collect.js';
import { loadGroups, loadProducts, productName, vaxStatusBadge, certificateBlock, hhmmVn, dayVn, todayVn } from './vaccine-common.js';
import { adverseForm } from './vaccine-site.js';

const CHECKINS_SHOWN = 5;
const METHOD_KEYS = { poster: 'checkin.method.poster', staff_qr: 'checkin.method.staff_qr', staff_id: 'checkin.method.staff_id' };

function groupName(g) {
  return getLang() === 'en' ? g.name_en : g.name_vi;
}

/** Registration for one person: priority group and the conditions the group may need. */
function registrationForm(person, groups, onDone) {
  const tid = `reg-${person.id}`;
  const group = field({ name: 'priority_group', label: 'vax.priority_group',
    input: h('select', { testid: `${tid}-group` }, (groups.groups || []).slice().sort((a, b) => a.rank - b.rank)
      .map((g) => h('option', { value: g.code, selected: g.code === 'general' }, `${g.rank}. ${groupName(g)}`))) });
  const conds = (groups.conditions || []).map((c) => {
    const code = typeof c === 'string' ? c : c.code;
    const label = typeof c === 'string' ? null : (getLang() === 'en' ? c.name_en : c.name_vi);
    return h('label', { class: 'check' }, h('input', { type: 'checkbox', value: code, testid: `${tid}-cond-${code}` }),
      label ? h('span', null, label) : h('span', { t: `vax.condition.${code}` }));
  });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: `${tid}-submit`, t: 'vax.register' });
  const form = h('form', { class: 'form card', testid: tid, novalidate: true },
    h('p', { class: 'hint', t: 'vax.register_lead' }), group.wrap,
    conds.length ? h('fieldset', { class: 'field', 'data-field': 'conditions' }, h('legend', { t: 'vax.conditions' }), conds) : null,
    errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const conditions = [...form.querySelectorAll('input[type=checkbox]:checked')].map((x) => x.value);
    try {
      await withBusy(submit, () => idempotentPost(`vax-reg-${person.id}`, '/api/v1/vaccine/registrations',
        (client_id) => ({ client_id, person_id: person.id, priority_group: group.input.value, ...(conditions.length ? { conditions } : {}) })));
      onDone('vax.registered');
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return form;
}

/**
 * Picking a session for the next dose: open sessions from the day the dose is due (the product's
 * interval), with seats, the person's commune first. Books one (no appointment yet) or moves the
 * appointment there (a seat held, or an "another slot" request waiting).
 */
function sessionPicker(rec, products, onDone) {
  const p = rec.person || {};
  const appt = rec.next_appointment;
  const tid = `pick-${p.id}`;
  const nd = rec.next_dose || {};
  // Within the primary series the product stays the same; a booster may be any product.
  const inSeries = rec.primary_doses && rec.doses_given > 0 && rec.doses_given < rec.primary_doses;
  const product = inSeries ? (rec.doses[rec.doses.length - 1] || {}).product : null;
  const from = [todayVn(), nd.earliest ? dayVn(nd.earliest) : ''].sort().pop();
  const box = h('div', { testid: `${tid}-box` });
  const open = h('button', { type: 'button', class: appt ? 'btn btn-block' : 'btn btn-primary btn-block', testid: `${tid}-open`, t: appt ? 'vax.pick.change' : 'vax.pick.open' });
  open.addEventListener('click', async () => {
    open.hidden = true;
    replace(box, loading());
    let res;
    try {
      res = await get('/api/v1/vaccine/sessions', { query: { limit: 1000, ...(product ? { product } : {}) } });
    } catch (e) {
      if (!isAbort(e)) replace(box, errorBox(e, 'list', `${tid}-error`));
      return;
    }
    const fits = (res.sessions || []).filter((s) => s.day >= from && s.remaining > 0 && !(appt && s.id === appt.session_id && appt.status !== 'reschedule_requested'))
      .sort((a, b) => ((a.commune_code === p.commune_code ? 0 : 1) - (b.commune_code === p.commune_code ? 0 : 1)) || a.starts_at - b.starts_at);
    if (!fits.length) { replace(box, h('p', { class: 'muted', testid: `${tid}-none`, t: 'vax.pick.none', tArgs: { day: formatDay(from) } })); return; }
    const pick = field({ name: 'session_id', label: 'vax.pick.label',
      input: h('select', { testid: `${tid}-session` }, fits.map((s) => h('option', { value: s.id },
        `${formatDay(s.day)} · ${hhmmVn(s.starts_at)}–${hhmmVn(s.ends_at)} · ${s.site_name} · ${productName(products, s.product)} · ${t('vax.plan.left', { n: s.remaining })}`))) });
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: `${tid}-submit`, t: appt ? 'vax.pick.move' : 'vax.pick.book' });
    const form = h('form', { class: 'form card', testid: tid, novalidate: true }, h('p', { class: 'hint', t: 'vax.pick.hint', tArgs: { day: formatDay(from) } }), pick.wrap, errors, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      const sessionId = Number(pick.input.value);
      try {
        await withBusy(submit, () => (appt
          ? post(`/api/v1/vaccine/appointments/${seg(appt.id)}/reschedule`, { session_id: sessionId })
          : idempotentPost(`vax-book-${p.id}-${sessionId}`, '/api/v1/vaccine/bookings', (client_id) => ({ client_id, person_id: p.id, session_id: sessionId }))));
        onDone(appt ? 'vax.pick.moved' : 'vax.pick.booked');
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'create');
      }
    });
    replace(box, form);
  });
  return h('div', { class: 'pick' }, open, box);
}

/** The next appointment with the actions its status allows. */
function appointmentBlock(a, products, onDone) {
  const tid = `appt-${a.id}`;
  const errors = h('div', { 'aria-live': 'assertive' });
  const act = (kind, key, cls = 'btn') => {
    const b = h('button', { type: 'button', class: `${cls} btn-small`, testid: `${tid}-${kind}`, t: key });
    b.addEventListener('click', async () => {
      clear(errors);
      try {
        await withBusy(b, () => api('POST', `/api/v1/vaccine/appointments/${seg(a.id)}/${kind}`));
        onDone(`vax.appt_done.${kind}`);
      } catch (e) {
        if (!isAbort(e)) errors.appendChild(errorBox(e, 'update', `${tid}-error`));
      }
    });
    return b;
  };
  const holds = a.status === 'invited' || a.status === 'confirmed';
  return h('div', { class: 'card appt', testid: tid, 'data-status': a.status },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, h('span', { t: 'vax.dose_n', tArgs: { n: a.dose_number } }), ` · ${productName(products, a.product)}`),
      h('span', { class: a.status === 'confirmed' ? 'badge badge-on' : 'badge badge-wait', testid: `${tid}-status`, t: `vax.appt.${a.status}` })),
    h('dl', { class: 'kv' },
      h('dt', { t: 'vax.when' }), h('dd', null, `${formatDay(a.day)} ${a.slot_start ? `${hhmmVn(a.slot_start)}–${hhmmVn(a.slot_end)}` : ''}`),
      h('dt', { t: 'vax.where' }), h('dd', null, a.site_name || ''),
      h('dt', { t: 'vax.appt_number' }), h('dd', null, String(a.id))),
    holds ? h('div', { class: 'card-actions' },
      a.status === 'invited' ? act('confirm', 'vax.appt_confirm', 'btn btn-primary') : null,
      act('reschedule', 'vax.appt_other_slot'),
      act('cancel', 'vax.appt_cancel', 'btn btn-ghost')) : null,
    a.status === 'reschedule_requested' ? h('p', { class: 'hint', t: 'vax.appt_wait_new' }) : null,
    errors);
}

function doseItem(d, products) {
  const tid = `dose-${d.id}`;
  const aeBox = h('div');
  const aeBtn = h('button', { type: 'button', class: 'btn btn-small', testid: `${tid}-ae`, t: 'vax.ae_report_mine' });
  aeBtn.addEventListener('click', () => { aeBtn.hidden = true; replace(aeBox, adverseForm(d.id, `${tid}-ae-form`)); });
  return h('li', { class: 'card', testid: tid },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, h('span', { t: 'vax.dose_n', tArgs: { n: d.dose_number } }), ` · ${productName(products, d.product)}`),
      h('span', { class: 'muted' }, formatDay(d.day))),
    h('div', { class: 'card-meta' }, h('span', null, d.site_name || ''), h('span', null, h('span', { t: 'vax.lot' }), `: ${d.lot || ''}`)),
    aeBtn, aeBox);
}

function personSection(rec, results, checkins, groups, products, reload) {
  const p = rec.person || {};
  const tid = `id-person-${p.id}`;
  const note = h('div', { 'aria-live': 'polite', testid: `${tid}-note` });
  const done = (key) => reload(key);
  const nd = rec.next_dose;
  const next = rec.next_appointment;
  return h('section', { class: 'panel identity', testid: tid, 'data-status': rec.status },
    h('div', { class: 'identity-head' },
      h('h2', { testid: `${tid}-name` }, p.full_name || p.code || ''),
      vaxStatusBadge(rec.status, `${tid}-status`)),
    h('p', { class: 'muted small' }, formatDay(p.date_of_birth), p.code ? ` · ${p.code}` : ''),
    note,

    h('h3', { t: 'vax.history' }),
    (rec.doses || []).length
      ? h('ul', { class: 'cards', testid: `${tid}-doses` }, rec.doses.map((d) => doseItem(d, products)))
      : h('p', { class: 'muted', testid: `${tid}-no-doses`, t: 'vax.no_doses' }),
    nd ? h('p', { class: 'hint', testid: `${tid}-next-dose` },
      h('span', { t: nd.booster ? 'vax.next_booster' : 'vax.next_dose', tArgs: { n: nd.dose_number } }), ' ',
      nd.earliest ? h('span', { t: 'vax.window', tArgs: { from: dayVn(nd.earliest), to: dayVn(nd.latest) || '…' } }) : null) : null,

    h('h3', { t: 'vax.next_appointment' }),
    next ? appointmentBlock(next, products, done) : h('p', { class: 'muted', testid: `${tid}-no-appt`, t: rec.registration ? 'vax.no_appt_registered' : 'vax.no_appt' }),
    // A registered person (or one already vaccinated) picks a session, or another one.
    rec.registration || (rec.doses || []).length ? sessionPicker(rec, products, done) : null,
    rec.registration
      ? h('p', { class: 'small muted', testid: `${tid}-registered` }, h('span', { t: 'vax.registered_in' }), ' ',
        groupName((groups.groups || []).find((g) => g.code === rec.registration.priority_group) || { name_vi: rec.registration.priority_group, name_en: rec.registration.priority_group }))
      : registrationForm(p, groups, done),

    h('h3', { t: 'vax.certificates' }),
    (rec.certificates || []).length
      ? h('div', { class: 'certs', testid: `${tid}-certs` }, rec.certificates.map((c) => certificateBlock(c, `${tid}-cert-${c.id}`)))
      : h('p', { class: 'muted', testid: `${tid}-no-certs`, t: 'vax.no_certs' }),

    h('h3', { t: 'testing.my_results' }),
    results.length
      ? h('ul', { class: 'cards', testid: `${tid}-results` }, results.slice(0, 5).map((r, i) => h('li', { class: 'card', testid: `${tid}-result-${i}` },
        h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, formatDay(r.date)), statusBadge(r.status, `${tid}-result-${i}-status`)),
        h('div', { class: 'card-meta' }, h('span', { t: testTypeKey(r.test_type) })))))
      : h('p', { class: 'muted', testid: `${tid}-no-results`, t: 'testing.no_results' }),

    h('h3', { t: 'me.checkins' }),
    checkins.length
      ? h('ul', { class: 'cards', testid: `${tid}-checkins` }, checkins.slice(0, CHECKINS_SHOWN).map((c) => h('li', { class: 'card', testid: `${tid}-checkin-${c.id}` },
        h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, c.venue_name || ''), h('span', { 'data-time': c.checked_in_at }, formatTime(c.checked_in_at))),
        h('div', { class: 'card-meta' }, h('span', { class: 'badge', t: METHOD_KEYS[c.method] || 'checkin.method.other' })))))
      : h('p', { class: 'muted', testid: `${tid}-no-checkins`, t: 'me.no_checkins' }),
    checkins.length > CHECKINS_SHOWN ? h('p', null, h('a', { href: '#/me/checkins', t: 'vax.all_checkins', tArgs: { n: formatNumber(checkins.length) } })) : null);
}

export async function identityView({ root, signal }) {
  const box = h('div', { testid: 'identity-box' }, loading());
  const banner = h('div', { 'aria-live': 'polite', testid: 'identity-banner' });
  root.appendChild(h('div', { testid: 'identity-view' },
    h('section', { class: 'panel' }, h('h1', { t: 'vax.identity_title' }), h('p', { class: 'lead', t: 'vax.identity_lead' }), banner), box));

  async function load(doneKey) {
    if (doneKey) replace(banner, h('p', { class: 'alert alert-ok', role: 'status', testid: 'identity-done', t: doneKey }));
    let vax; let res; let cks; let groups; let products;
    try {
      // Results and check-ins are other platforms': a failure there does not hide the vaccination record.
      [vax, res, cks, groups, products] = await Promise.all([
        get('/api/v1/me/vaccinations', { signal }),
        get('/api/v1/me/results', { signal }).catch((e) => { if (isAbort(e)) throw e; return { people: [], failed: e }; }),
        get('/api/v1/me/checkins', { signal }).catch((e) => { if (isAbort(e)) throw e; return { checkins: [], failed: e }; }),
        loadGroups(signal),
        loadProducts(signal),
      ]);
    } catch (e) {
      if (!isAbort(e)) replace(box, errorBox(e, 'other', 'identity-error'));
      return;
    }
    const resultsOf = new Map((res.people || []).map((x) => [x.person && x.person.id, x.results || []]));
    const checkins = (cks.checkins || []).slice().sort((a, b) => b.checked_in_at - a.checked_in_at);
    clear(box);
    if (res.failed) box.appendChild(errorBox(res.failed, 'other', 'identity-results-error'));
    if (cks.failed) box.appendChild(errorBox(cks.failed, 'other', 'identity-checkins-error'));
    for (const rec of vax.people || []) {
      const id = rec.person && rec.person.id;
      box.appendChild(personSection(rec, resultsOf.get(id) || [], checkins.filter((c) => c.person_id === id), groups, products, load));
    }
  }
  await load(null);
}
