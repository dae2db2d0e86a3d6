// "Scan visitors" for a venue's staff: the camera reads personal QR cards (CDN1.P...), or a
// CCCD (12 digits), CMND (9 digits) or BHYT number is typed; each one is a check-in (POST
// /venues/{id}/checkins) with a client id kept until answered. A big banner names the person; a
// running count and the day's visitor log follow.  A typed number nobody has offers to register
// the visitor (POST /api/v1/people: name, birth date, commune) and then checks them in.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, idempotentPost, seg, isAbort } from '../api.js';
import { unitPicker } from '../components/unit-picker.js';
import { vnToday } from '../vn-time.js';
import { current as currentSession } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatNumber, markI18n } from '../i18n.js';
import { qrScanner, scannerButtons } from '../components/qr-scanner.js';
import { visitorLog } from './venues.js';

const PERSON_QR_RE = /^CDN1\.P\./;

export async function venueScanView({ root, params, signal }) {
  const box = h('section', { class: 'panel panel-narrow', testid: 'venue-scan-view' }, loading());
  root.appendChild(box);
  let v;
  try {
    const res = await get(`/api/v1/venues/${seg(params.id)}`, { signal });
    v = (res && res.venue) || res;
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }

  const banner = h('div', { class: 'scan-banner', testid: 'scan-banner', 'data-state': 'idle', 'aria-live': 'assertive', role: 'status' },
    h('span', { t: 'venuescan.ready' }));
  let count = 0;
  const counter = h('p', { class: 'scan-count', testid: 'scan-count', 'data-count': '0', t: 'venuescan.count', tArgs: { n: 0 } });
  const log = visitorLog(v, null, signal, { testid: 'visitors' });
  let queue = Promise.resolve();
  let unknown = false; // the last check-in found no one with its number

  function show(state, key, args, name) {
    banner.setAttribute('data-state', state);
    replace(banner, name ? h('strong', { class: 'scan-name', testid: 'scan-name' }, name) : null, h('span', { t: key, tArgs: args }));
  }

  async function checkIn(body, what) {
    show('busy', 'venuescan.sending');
    try {
      // One pending id per scanned code: the same card scanned again while a request is lost reuses it.
      const res = await idempotentPost(`scan.${v.id}.${what}`, `/api/v1/venues/${seg(v.id)}/checkins`, (clientId) => ({ client_id: clientId, ...body }));
      const c = (res.checkins || [])[0] || {};
      // The check-in object names no one; the day's log (reloaded anyway) does, by check-in id.
      const rows = await log.load();
      const row = (rows || []).find((x) => x.checkin_id === c.id);
      const name = c.full_name || (row && row.full_name) || '';
      count += 1;
      counter.setAttribute('data-count', String(count));
      markI18n(counter, 'text', 'venuescan.count', { n: formatNumber(count) });
      show('ok', 'venuescan.ok', null, name);
      return true;
    } catch (e) {
      if (isAbort(e)) return false;
      unknown = e.status === 404;
      const key = e.status === 404 ? 'venuescan.unknown_person' : e.status === 400 && e.field === 'qr' ? 'venuescan.bad_card' : null;
      if (key) show('error', key);
      else { banner.setAttribute('data-state', 'error'); replace(banner, errorBox(e, 'create')); }
      return false;
    }
  }

  const scanner = qrScanner({
    signal,
    testid: 'visitor-scanner',
    onCode(text) {
      if (!PERSON_QR_RE.test(text)) { show('error', 'venuescan.not_card'); return false; }
      queue = queue.then(() => checkIn({ qr: text }, text));
      return false;
    },
  });
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'visitor-scan-start', t: 'venuescan.start' });
  const stopBtn = h('button', { type: 'button', class: 'btn btn-block', testid: 'visitor-scan-stop', t: 'venuescan.stop', hidden: true });
  scannerButtons(scanner, startBtn, stopBtn);

  // Typing a number: people without a card give their CCCD (12 digits), CMND (9) or BHYT (15 characters).
  const numberField = field({ name: 'number', label: 'venuescan.number', hint: 'venuescan.number_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', maxlength: 15, testid: 'visitor-number' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-block', testid: 'visitor-number-submit', t: 'venuescan.number_submit' });
  const form = h('form', { class: 'form card', testid: 'visitor-number-form', novalidate: true }, numberField.wrap, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const raw = numberField.input.value.replace(/\s/g, '').toUpperCase();
    let body = null;
    if (/^\d{12}$|^\d{9}$/.test(raw)) body = { cccd: raw };
    else if (/^[A-Z]{2}\d{13}$/.test(raw)) body = { bhyt: raw };
    if (!body) {
      showFormError(form, errors, { status: 400, code: raw ? 'invalid_field' : 'missing_field', field: 'number' }, 'create');
      return;
    }
    clear(registerBox);
    const ok = await withBusy(submit, () => checkIn(body, raw));
    if (ok) numberField.input.value = '';
    else if (unknown) registerForm(body, raw);
  });

  // An unknown number: the visitor is registered with it (the server answers only id and code), then checked in.
  const registerBox = h('div', { testid: 'visitor-register-box' });
  function registerForm(idBody, raw) {
    const fullName = field({ name: 'full_name', label: 'field.full_name', attrs: { maxlength: 100, autocomplete: 'off', testid: 'visitor-register-name' } });
    const dob = field({ name: 'date_of_birth', label: 'field.date_of_birth', type: 'date', attrs: { min: '1900-01-01', max: vnToday(), testid: 'visitor-register-dob' } });
    const me = currentSession();
    const picker = unitPicker({ name: 'commune_code', legend: 'field.commune_code', testid: 'visitor-register-commune',
      rootCode: me && me.unit_code, initial: v.commune_code });
    const msg = h('div', { class: 'form-errors', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'visitor-register-save', t: 'venuescan.register' });
    const regForm = h('form', { class: 'form card', novalidate: true, testid: 'visitor-register-form' },
      h('p', { t: 'venuescan.register_lead' }), h('p', null, h('strong', null, raw)), fullName.wrap, dob.wrap, picker.el, msg, save);
    const idField = idBody.bhyt ? 'bhyt' : raw.length === 9 ? 'cmnd' : 'cccd';
    regForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(regForm, msg);
      const person = { full_name: fullName.input.value.trim(), date_of_birth: dob.input.value, commune_code: picker.value(), [idField]: raw };
      for (const k of Object.keys(person)) if (!person[k]) delete person[k];
      try {
        await withBusy(save, () => idempotentPost(`venue.${v.id}.register.${raw}`, '/api/v1/people', (clientId) => ({ ...person, client_id: clientId })));
      } catch (e) {
        if (!isAbort(e)) showFormError(regForm, msg, e, 'create');
        return;
      }
      clear(registerBox);
      if (await checkIn(idBody, raw)) numberField.input.value = '';
    });
    replace(registerBox, regForm);
  }

  replace(box,
    h('p', null, h('a', { href: `#/venues/${v.id}`, t: 'venuescan.back' })),
    h('h1', { testid: 'venue-title' }, v.name),
    v.status !== 'approved' ? h('p', { class: 'alert alert-denied', t: 'venues.pending_hint' }) : null,
    banner, counter, startBtn, stopBtn, scanner.el, form, registerBox,
    h('h2', { t: 'venues.visitors' }), log.el);
  clear(errors);
  log.load();
}
