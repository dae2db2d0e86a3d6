// The vaccination site's day for its team (docs/api-vaccine.md, "On site"): the sites in the
// staff member's area, then one site's page: today's sessions, check-in by scanning the personal
// QR card (or by CCCD/CMND, BHYT number, the code on the card or the person number), warnings the
// desk must see (a quarantine order in force, a positive test), the screening checklist (only the
// questions that can apply to the person), the dose form (product, lot, dose
// number), the certificate the dose issues, and a 30-minute observation timer for each person
// vaccinated here, counting down from the server's observation_until and kept across reloads,
// with adverse events reported by staff.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, newClientId, idempotentPost } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { getLang, onLangChange, formatTime, formatNumber, formatDay, markI18n } from '../i18n.js';
import { qrScanner } from '../components/qr-scanner.js';
import { todayVn, hhmmVn, dayVn, loadProducts, productName, vaxStatusBadge, certificateBlock, SEVERITIES } from './vaccine-common.js';

const PERSON_QR_RE = /^CDN1\.P\./;

// What a vaccination certificate needs from the person's record (the server refuses the dose without it).
const CERT_FIELDS = ['full_name', 'date_of_birth'];
const certMissing = (p) => CERT_FIELDS.find((f) => !String(p[f] || '').trim());
const certMissingBox = (field) => h('div', { class: 'alert alert-error', role: 'alert', testid: 'vax-cert-missing', 'data-field': field },
  h('p', { class: 'alert-title', t: `vax.cert_missing.${field}` }));

/* ---------------------------------------------------------------- the sites */

export async function vaxSitesView({ root, signal }) {
  const box = h('div', { testid: 'vax-sites-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'vax-sites-view' },
    h('h1', { t: 'vax.sites_title' }), h('p', { class: 'lead', t: 'vax.sites_lead' }), box));
  let res;
  try {
    res = await get('/api/v1/vaccine/sites', { query: { limit: 200 }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const sites = res.sites || [];
  if (!sites.length) { replace(box, h('p', { class: 'muted empty', testid: 'vax-sites-empty', t: 'vax.no_sites' })); return; }
  replace(box, h('ul', { class: 'cards', testid: 'vax-sites' }, sites.map((s) => h('li', { class: 'card', testid: `vax-site-${s.id}` },
    h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, s.name), h('span', { class: 'muted' }, s.address || '')),
    h('div', { class: 'card-meta' }, Object.entries(s.capacity || {}).map(([p, n]) => h('span', { class: 'badge' }, `${p} ${formatNumber(n)}`))),
    h('div', { class: 'card-actions' },
      h('a', { class: 'btn btn-primary btn-big btn-block', href: `#/vaccine/sites/${s.id}`, testid: `vax-site-open-${s.id}`, t: 'vax.open_day' }))))));
}

/* ---------------------------------------------------------------- observation timers */

const OBS_KEY = (siteId) => `cordon.vax.obs.${siteId}`;
const OBS_KEEP_S = 2 * 3600; // finished timers stay on the page this long

function readObs(siteId) {
  try {
    const list = JSON.parse(window.localStorage.getItem(OBS_KEY(siteId)) || '[]');
    const now = Date.now() / 1000;
    return Array.isArray(list) ? list.filter((o) => o && o.dose_id && o.until && o.until + OBS_KEEP_S > now) : [];
  } catch { return []; }
}

function writeObs(siteId, list) {
  try { window.localStorage.setItem(OBS_KEY(siteId), JSON.stringify(list)); } catch { /* kept for this page only */ }
}

function mmss(s) {
  const v = Math.max(0, Math.ceil(s));
  return `${String(Math.floor(v / 60)).padStart(2, '0')}:${String(v % 60).padStart(2, '0')}`;
}

/** The adverse-event form for one dose (staff); resolves nothing, shows its own answer. */
export function adverseForm(doseId, testid) {
  const sev = field({ name: 'severity', label: 'vax.severity',
    input: h('select', { testid: `${testid}-severity` }, SEVERITIES.map((s) => h('option', { value: s, t: `vax.severity.${s}` }))) });
  const desc = field({ name: 'description', label: 'vax.ae_description',
    input: h('textarea', { rows: 2, maxlength: 2000, testid: `${testid}-description` }) });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: `${testid}-submit`, t: 'vax.ae_submit' });
  const form = h('form', { class: 'form card', testid, novalidate: true }, sev.wrap, desc.wrap, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const description = desc.input.value.trim();
    if (!description) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'description' }, 'create'); return; }
    try {
      await withBusy(submit, () => idempotentPost(`vax-ae-${doseId}`, '/api/v1/vaccine/adverse-events',
        (client_id) => ({ client_id, dose_id: doseId, severity: sev.input.value, description })));
      replace(form, h('p', { class: 'alert alert-ok', role: 'status', testid: `${testid}-done`, t: 'vax.ae_saved' }));
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return form;
}

/* ---------------------------------------------------------------- one site's day */

export async function vaxSiteDayView({ root, params, signal }) {
  const box = h('section', { class: 'panel panel-narrow vax-day', testid: 'vax-day-view' }, loading());
  root.appendChild(box);
  const day = todayVn();
  let site;
  let sessions;
  let products;
  try {
    [site, sessions, products] = await Promise.all([
      get(`/api/v1/vaccine/sites/${seg(params.id)}`, { signal }),
      get('/api/v1/vaccine/sessions', { query: { site_id: params.id, date: day, limit: 50 }, signal }),
      loadProducts(signal),
    ]);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const siteId = site.id;
  const todays = sessions.sessions || [];

  /* today's sessions */
  const sessionList = todays.length
    ? h('ul', { class: 'cards', testid: 'vax-day-sessions' }, todays.map((s) => h('li', { class: 'card', testid: `vax-day-session-${s.id}` },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, productName(products, s.product)),
        h('span', { class: 'badge' }, `${hhmmVn(s.starts_at)}–${hhmmVn(s.ends_at)}`)),
      h('div', { class: 'card-meta' }, h('span', { t: 'vax.booked_of', tArgs: { booked: s.booked, capacity: s.capacity } })))))
    : h('p', { class: 'muted', testid: 'vax-day-no-sessions', t: 'vax.no_sessions_today' });

  /* the banner: what just happened */
  const banner = h('div', { class: 'scan-banner', testid: 'vax-banner', 'data-state': 'idle', role: 'status', 'aria-live': 'assertive' });
  function show(state, key, args, name) {
    banner.setAttribute('data-state', state);
    replace(banner, name ? h('strong', { class: 'scan-name' }, name) : null, key ? h('span', { t: key, tArgs: args }) : null);
  }
  function showError(e) {
    banner.setAttribute('data-state', 'error');
    replace(banner, errorBox(e, 'create', 'vax-error'));
  }

  /* the current person */
  const visitBox = h('div', { class: 'vax-visit', testid: 'vax-visit', 'data-state': 'none' });
  const questionEls = [];
  const unlisten = onLangChange(() => {
    for (const { el, item } of questionEls) el.textContent = getLang() === 'en' ? item.question_en : item.question_vi;
  });
  signal.addEventListener('abort', unlisten, { once: true });

  /** What the desk must know before vaccinating; the staff decide. */
  function warningsBox(visit) {
    const ws = visit.warnings || [];
    if (!ws.length) return null;
    return h('div', { class: 'alert alert-denied', role: 'alert', testid: 'vax-warnings' }, ws.map((w) => h('p', { testid: `vax-warning-${w.code}`, class: 'alert-title',
      t: `vax.warning.${w.code}`, tArgs: { until: formatDay(w.until), day: w.collected_at ? dayVn(w.collected_at) : w.resulted_at ? dayVn(w.resulted_at) : '' } })),
    h('p', { t: 'vax.warning.hint' }));
  }

  function personHeader(visit) {
    const rec = visit.record || {};
    const p = rec.person || {};
    return h('div', { class: 'card', testid: 'vax-person' },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title', testid: 'vax-person-name' }, p.full_name || ''),
        vaxStatusBadge(rec.status, 'vax-person-status')),
      h('dl', { class: 'kv' },
        h('dt', { t: 'field.date_of_birth' }), h('dd', { testid: 'vax-person-dob' }, p.date_of_birth ? formatDay(p.date_of_birth) : '—'),
        h('dt', { t: 'vax.doses_given' }), h('dd', { testid: 'vax-person-doses' }, String(rec.doses_given ?? 0)),
        h('dt', { t: 'vax.appointment' }), h('dd', { testid: 'vax-person-appointment' },
          visit.appointment_id ? h('span', { t: 'vax.has_appointment', tArgs: { id: visit.appointment_id } }) : h('span', { t: 'vax.walk_in' }))),
      (rec.doses || []).length ? h('ul', { class: 'plain small' }, rec.doses.map((d) => h('li', null,
        h('span', { t: 'vax.dose_n', tArgs: { n: d.dose_number } }), ` · ${productName(products, d.product)} · ${formatDay(d.day)}`))) : null);
  }

  function screeningForm(visit) {
    const list = visit.checklist || [];
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const items = list.map((item) => {
      const q = h('legend', null, getLang() === 'en' ? item.question_en : item.question_vi);
      questionEls.push({ el: q, item });
      const name = `q-${visit.id}-${item.code}`;
      return h('fieldset', { class: 'field check-q', 'data-field': `answers.${item.code}`, testid: `screen-${item.code}` }, q,
        h('div', { class: 'seg' },
          h('label', { class: 'seg-opt' }, h('input', { type: 'radio', name, value: 'no', testid: `screen-${item.code}-no` }), h('span', { t: 'vax.no' })),
          h('label', { class: 'seg-opt seg-yes' }, h('input', { type: 'radio', name, value: 'yes', testid: `screen-${item.code}-yes` }), h('span', { t: 'vax.yes' }))),
        h('p', { class: 'hint', t: item.if_yes === 'refer' ? 'vax.if_yes_refer' : 'vax.if_yes_defer' }));
    });
    const allNo = h('button', { type: 'button', class: 'btn btn-block', testid: 'screen-all-no', t: 'vax.all_no' });
    allNo.addEventListener('click', () => { for (const el of form.querySelectorAll('input[value="no"]')) el.checked = true; });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'screen-submit', t: 'vax.screen_submit' });
    const form = h('form', { class: 'form', testid: 'vax-screening', novalidate: true },
      h('h2', { t: 'vax.screening' }), allNo, items, errors, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      const answers = {};
      for (const item of list) {
        const picked = form.querySelector(`input[name="q-${visit.id}-${item.code}"]:checked`);
        if (!picked) { showFormError(form, errors, { status: 400, code: 'missing_field', field: `answers.${item.code}` }, 'create'); return; }
        answers[item.code] = picked.value === 'yes';
      }
      try {
        const v = await withBusy(submit, () => post(`/api/v1/vaccine/visits/${seg(visit.id)}/screening`, { answers }, { signal }));
        renderVisit(v);
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'create');
      }
    });
    return form;
  }

  function outcomeBox(visit) {
    const byCode = new Map((visit.checklist || []).map((c) => [c.code, c]));
    const reasons = (visit.reasons || []).map((code) => {
      const c = byCode.get(code);
      return h('li', { testid: `vax-reason-${code}` }, c ? (getLang() === 'en' ? c.question_en : c.question_vi) : code);
    });
    return h('div', { class: `alert ${visit.outcome === 'proceed' ? 'alert-ok' : 'alert-denied'}`, role: 'status', testid: 'vax-outcome', 'data-outcome': visit.outcome },
      h('p', { class: 'alert-title', t: `vax.outcome.${visit.outcome}` }),
      reasons.length ? h('ul', null, reasons) : null,
      visit.defer_until ? h('p', null, h('span', { t: 'vax.defer_until' }), ' ', h('span', { 'data-time': visit.defer_until }, formatTime(visit.defer_until))) : null);
  }

  function doseForm(visit) {
    const rec = visit.record || {};
    const apptProduct = rec.next_appointment && rec.next_appointment.product;
    const preferred = apptProduct || (todays[0] && todays[0].product) || ((rec.doses || [])[0] || {}).product;
    const product = field({ name: 'product', label: 'vax.product',
      input: h('select', { testid: 'dose-product' }, (products.products || []).map((p) => h('option', { value: p.code, selected: p.code === preferred }, p.name))) });
    const lot = field({ name: 'lot', label: 'vax.lot', attrs: { maxlength: 40, autocomplete: 'off', autocapitalize: 'characters', testid: 'dose-lot' } });
    const number = field({ name: 'dose_number', label: 'vax.dose_number', type: 'number',
      attrs: { min: 1, max: 8, inputmode: 'numeric', testid: 'dose-number', value: String((rec.doses_given || 0) + 1) } });
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'dose-submit', t: 'vax.dose_submit' });
    // The dose comes with its certificate, which names the person and gives the date of birth.
    const missing = certMissing(rec.person || {});
    const form = h('form', { class: 'form', testid: 'vax-dose-form', novalidate: true },
      h('h2', { t: 'vax.dose' }), missing ? certMissingBox(missing) : null, product.wrap, lot.wrap, number.wrap, errors, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      const lotV = lot.input.value.trim();
      const n = Number(number.input.value);
      if (!lotV) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'lot' }, 'create'); return; }
      if (!Number.isInteger(n) || n < 1 || n > 8) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'dose_number' }, 'create'); return; }
      try {
        const dose = await withBusy(submit, () => idempotentPost(`vax-dose-${visit.id}`, '/api/v1/vaccine/doses',
          (client_id) => ({ client_id, visit_id: visit.id, product: product.input.value, lot: lotV, dose_number: n })));
        vaccinated(visit, dose);
      } catch (e) {
        if (isAbort(e)) return;
        if (e.status === 409 && CERT_FIELDS.includes(e.field)) replace(errors, certMissingBox(e.field));
        else showFormError(form, errors, e, 'create');
      }
    });
    return form;
  }

  async function vaccinated(visit, dose) {
    const name = ((visit.record || {}).person || {}).full_name || '';
    addObs({ dose_id: dose.id, name, until: dose.observation_until, product: dose.product, dose_number: dose.dose_number });
    visitBox.setAttribute('data-state', 'vaccinated');
    show('ok', 'vax.vaccinated', { n: dose.dose_number }, name);
    const certBox = h('div', { testid: 'vax-certificate' }, loading());
    replace(visitBox, personHeader({ ...visit, record: dose.record || visit.record }),
      h('div', { class: 'alert alert-ok', role: 'status', testid: 'vax-dose-done', 'data-dose-id': dose.id },
        h('p', { class: 'alert-title', t: 'vax.dose_recorded', tArgs: { n: dose.dose_number, product: productName(products, dose.product), lot: dose.lot } }),
        dose.next_earliest ? h('p', { t: 'vax.next_window', tArgs: { from: dayVn(dose.next_earliest), to: dayVn(dose.next_latest) } }) : null),
      h('h2', { t: 'vax.certificate' }), certBox,
      h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: 'vax-next', t: 'vax.next_person', onclick: nextPerson }));
    try {
      const cert = await get(`/api/v1/vaccine/certificates/${seg(dose.certificate_id)}`, { signal });
      replace(certBox, certificateBlock(cert, 'vax-cert'));
    } catch (e) {
      if (!isAbort(e)) replace(certBox, certificateBlock({ id: dose.certificate_id, dose_number: dose.dose_number, product: dose.product }, 'vax-cert'));
    }
  }

  function renderVisit(visit) {
    questionEls.length = 0;
    visitBox.setAttribute('data-state', visit.outcome || 'pending');
    visitBox.setAttribute('data-visit-id', String(visit.id));
    const parts = [warningsBox(visit), personHeader(visit)];
    if (visit.outcome === 'vaccinated') {
      parts.push(h('p', { class: 'alert alert-ok', t: 'vax.already_vaccinated_today' }));
    } else {
      if (visit.outcome && visit.outcome !== 'pending') parts.push(outcomeBox(visit));
      if (visit.outcome === 'proceed') parts.push(doseForm(visit));
      // Screening may be repeated until the dose (a corrected answer).
      parts.push(visit.outcome === 'pending' ? screeningForm(visit)
        : h('details', { class: 'card', testid: 'vax-rescreen' }, h('summary', { t: 'vax.rescreen' }), screeningForm(visit)));
    }
    parts.push(h('button', { type: 'button', class: 'btn btn-block', testid: 'vax-next', t: 'vax.next_person', onclick: nextPerson }));
    replace(visitBox, parts);
  }

  async function checkIn(ident) {
    show('wait', 'vax.checking_in');
    try {
      const visit = await post('/api/v1/vaccine/checkins', { client_id: newClientId(), site_id: siteId, ...ident }, { signal });
      show('ok', 'vax.checked_in', null, ((visit.record || {}).person || {}).full_name || '');
      scanArea.hidden = true;
      renderVisit(visit);
    } catch (e) {
      if (!isAbort(e)) showError(e);
    }
  }

  function nextPerson() {
    questionEls.length = 0;
    visitBox.setAttribute('data-state', 'none');
    clear(visitBox);
    show('idle', null);
    scanArea.hidden = false;
    window.scrollTo(0, 0);
  }

  /* the camera, and a number for people without their card */
  const scanner = qrScanner({
    signal,
    testid: 'vax-scanner',
    onCode(text) {
      const v = String(text || '').trim();
      if (!PERSON_QR_RE.test(v)) { show('error', 'vax.not_person_qr'); return false; }
      checkIn({ qr: v });
      return true;
    },
  });
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-huge', testid: 'vax-scan-start', t: 'vax.scan_start' });
  startBtn.addEventListener('click', async () => { await withBusy(startBtn, () => scanner.start()); });
  // A CCCD (12 digits) or CMND (9), a BHYT number (15), the code under the card's QR (10), or a person number.
  const pid = field({ name: 'id_number', label: 'vax.person_id', type: 'text', hint: 'vax.person_id_hint', attrs: { autocomplete: 'off', autocapitalize: 'characters', testid: 'vax-person-id' } });
  const pidErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const pidForm = h('form', { class: 'form', testid: 'vax-by-id', novalidate: true }, pid.wrap, pidErrors,
    h('button', { type: 'submit', class: 'btn btn-block', testid: 'vax-by-id-submit', t: 'vax.check_in' }));
  pidForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFormErrors(pidForm, pidErrors);
    const v = pid.input.value.trim();
    const compact = v.replace(/[\s.-]/g, '');
    if (!compact) { showFormError(pidForm, pidErrors, { status: 400, code: 'missing_field', field: 'id_number' }, 'create'); return; }
    scanner.stop();
    // Up to 8 digits is a person number; anything longer is a document or card number.
    checkIn(/^\d{1,8}$/.test(compact) ? { person_id: Number(compact) } : { id_number: v });
  });
  const scanArea = h('div', { testid: 'vax-scan-area' }, startBtn, scanner.el,
    h('details', { class: 'card' }, h('summary', { t: 'vax.no_card' }), pidForm));

  /* observation */
  let obs = readObs(siteId);
  const obsList = h('ul', { class: 'cards', testid: 'vax-observation' });
  const obsEmpty = h('p', { class: 'muted', testid: 'vax-observation-empty', t: 'vax.observation_none' });
  function addObs(o) {
    obs = obs.filter((x) => x.dose_id !== o.dose_id).concat([o]);
    writeObs(siteId, obs);
    renderObs();
  }
  function renderObs() {
    clear(obsList);
    obsEmpty.hidden = obs.length > 0;
    for (const o of obs.slice().sort((a, b) => a.until - b.until)) {
      const time = h('strong', { class: 'obs-time', testid: `obs-${o.dose_id}-time` });
      const aeBox = h('div');
      const aeBtn = h('button', { type: 'button', class: 'btn btn-small', testid: `obs-${o.dose_id}-ae`, t: 'vax.ae_report' });
      aeBtn.addEventListener('click', () => { aeBtn.hidden = true; replace(aeBox, adverseForm(o.dose_id, `obs-${o.dose_id}-ae-form`)); });
      const li = h('li', { class: 'card obs', testid: `obs-${o.dose_id}`, 'data-until': o.until },
        h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, o.name), time),
        h('div', { class: 'card-meta' }, h('span', { t: 'vax.dose_n', tArgs: { n: o.dose_number } }), h('span', null, productName(products, o.product)),
          h('span', null, h('span', { t: 'vax.observe_until' }), ' ', h('span', { 'data-time': o.until }, formatTime(o.until)))),
        aeBtn, aeBox);
      obsList.appendChild(li);
    }
    tickObs();
  }
  function tickObs() {
    const now = Date.now() / 1000;
    for (const li of obsList.children) {
      const until = Number(li.getAttribute('data-until'));
      const left = until - now;
      const time = li.querySelector('.obs-time');
      const done = left <= 0;
      if (li.getAttribute('data-state') !== (done ? 'done' : 'running')) {
        li.setAttribute('data-state', done ? 'done' : 'running');
        li.classList.toggle('obs-done', done);
      }
      if (done) {
        if (time.getAttribute('data-i18n') !== 'vax.observation_done') markI18n(time, 'text', 'vax.observation_done');
        time.setAttribute('data-left', '0');
      } else {
        time.removeAttribute('data-i18n');
        time.textContent = mmss(left);
        time.setAttribute('data-left', String(Math.ceil(left)));
      }
    }
  }
  const timer = setInterval(tickObs, 1000);
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });

  replace(box,
    h('h1', { testid: 'vax-day-site' }, site.name),
    h('p', { class: 'lead' }, h('span', { t: 'vax.day_of' }), ' ', h('strong', { testid: 'vax-day-date', 'data-date': day }, formatDay(day))),
    sessionList,
    banner,
    scanArea,
    visitBox,
    h('h2', { t: 'vax.observation' }), h('p', { class: 'hint', t: 'vax.observation_hint' }), obsEmpty, obsList);
  renderObs();
}
