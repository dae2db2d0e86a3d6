// Sample collection (docs/api-testing.md "Collection"), built for gloved hands on a phone:
// the sampler's sessions, and one session's collection page. One camera reads everything:
// a personal or declaration QR names the person, a tube label (T + 9 characters) makes that
// tube the current one. A person goes into the current tube at once (one action per person);
// with no current tube, or a full one, the page asks for a tube label first. People without a
// card are found by CCCD/CMND/BHYT, or by phone and name (which registers a newcomer).
//
// Every record carries a client id and goes through the IndexedDB queue
// (components/offline-queue.js), so the page keeps working with no network: counts run from
// the server's figures plus the records still queued, and the queue syncs when it can.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, newClientId, fingerprint } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { t, formatTime, formatDay } from '../i18n.js';
import { qrScanner, scannerButtons } from '../components/qr-scanner.js';
import * as queue from '../components/offline-queue.js';
import { testOrdersBox } from '../components/test-orders.js';
import { vnToday } from '../vn-time.js';
import { keepOffline } from '../offline.js';

export const TUBE_RE = /^T[0-9A-HJKMNP-TV-Z]{9}$/;
const PERSON_QR_RE = /^CDN1\.P\./;
const DECL_QR_RE = /^CDN1\.D\./;
const BHYT_RE = /^[A-Z]{2}\d{13}$/;
const PHONE_RE = /^(0|\+?84)[35789]\d{8}$/; // 84… without the plus too, as the server reads it

export function testTypeKey(type) {
  return type === 'rapid_antigen' ? 'testing.type.rapid_antigen' : 'testing.type.rt_pcr';
}

/** "Tổ 1 · 2021-09-01 · RT-PCR, gộp 10" as nodes. */
export function sessionMeta(s) {
  return h('div', { class: 'card-meta' },
    h('span', { 'data-date': s.date || '' }, formatDay(s.date)),
    h('span', null, s.team || ''),
    h('span', { class: 'badge', t: testTypeKey(s.test_type) }),
    s.pool_size > 1 ? h('span', { t: 'testing.pool_of', tArgs: { n: s.pool_size } }) : h('span', { t: 'testing.single' }));
}

/* ---------------------------------------------------------------- my sessions */

export async function samplerSessionsView({ root, signal }) {
  const box = h('div', { testid: 'sessions-box' }, loading());
  const me = current();
  root.appendChild(h('section', { class: 'panel', testid: 'sessions-view' },
    h('h1', { t: 'testing.sessions_title' }), h('p', { class: 'lead', t: 'testing.sessions_lead' }),
    // officials open sites and sessions and assign samplers on their own page
    me && me.role !== 'sampler' ? h('div', { class: 'tiles' },
      h('a', { class: 'tile tile-primary', href: '#/testing/sites', testid: 'go-sites', t: 'testing.sites_link' })) : null,
    box,
    // whom to call today in the caller's area: contacts' test orders and pools to retest
    me ? h('div', { testid: 'calls' }, h('h2', { t: 'testing.calls_title' }),
      testOrdersBox({ commune_code: me.unit_code, date: vnToday() }, signal, null).el) : null));
  let res;
  try {
    res = await get('/api/v1/testing/sessions', { query: { limit: 200 }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const list = (res.sessions || []).slice().sort((a, b) => (b.date || '').localeCompare(a.date || '') || b.id - a.id);
  if (!list.length) { replace(box, h('p', { class: 'muted empty', testid: 'sessions-empty', t: 'testing.no_sessions' })); return; }
  const ul = h('ul', { class: 'cards', testid: 'sessions-list' });
  for (const s of list) {
    ul.appendChild(h('li', { class: 'card', testid: `session-row-${s.id}` },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, s.site_name || '')),
      sessionMeta(s),
      h('div', { class: 'card-actions' },
        h('a', { class: 'btn btn-primary btn-big btn-block', href: `#/testing/sessions/${s.id}`, testid: `session-open-${s.id}`, t: 'testing.collect' }))));
  }
  replace(box, ul);
}

/* ---------------------------------------------------------------- collection page */

/** What a typed number names: {cccd} (12 or 9 digits), {bhyt}, {phone} or null. */
export function parseNumber(raw) {
  const v = String(raw || '').replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{12}$/.test(v) || /^\d{9}$/.test(v)) return { cccd: v };
  if (BHYT_RE.test(v)) return { bhyt: v };
  if (PHONE_RE.test(v)) return { phone: v };
  return null;
}

export async function collectView({ root, params, signal }) {
  const box = h('section', { class: 'panel panel-narrow collect', testid: 'collect-view' }, loading());
  root.appendChild(box);
  let s;
  try {
    s = await get(`/api/v1/testing/sessions/${seg(params.id)}`, { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const sessionId = s.id;
  // Reopened with no network (a reload in the field), the page comes from the service worker.
  keepOffline([`/api/v1/testing/sessions/${sessionId}`, '/api/v1/testing/sessions?limit=200', '/api/v1/auth/me']);
  const capacityOf = (code) => (tubes.get(code) || {}).capacity || s.pool_size || 1;

  /* state */
  const tubes = new Map();        // code -> server's tube object (count as the server last said)
  for (const t of s.tubes || []) tubes.set(t.tube_id, t);
  let records = [];               // this session's queue (mirror of IndexedDB) plus answered ones
  let currentTube = null;         // code
  let waiting = null;             // a person waiting for a tube: {ident, label, key}
  const seen = new Map();         // person key -> tube, for this page: a card held up twice is one record

  /* header: network and queue */
  const status = queue.queueStatus();

  /* the big banner and the current tube */
  const banner = h('div', { class: 'scan-banner', testid: 'collect-banner', 'data-state': 'idle', role: 'status', 'aria-live': 'assertive' });
  const tubeCode = h('strong', { class: 'tube-code', testid: 'tube-code' });
  const tubeCount = h('span', { class: 'tube-count', testid: 'tube-count', 'data-count': '0' });
  const tubeBar = h('progress', { class: 'tube-bar', testid: 'tube-bar', max: '1', value: '0' });
  const tubeFull = h('p', { class: 'tube-full', testid: 'tube-full', hidden: true, t: 'testing.tube_full' });
  const tubeNone = h('p', { class: 'muted', testid: 'tube-none', t: 'testing.no_tube' });
  const tubeCard = h('div', { class: 'tube-card', testid: 'current-tube', 'data-state': 'none' },
    h('p', { class: 'tube-label', t: 'testing.current_tube' }), tubeNone, tubeCode, tubeCount, tubeBar, tubeFull);

  function show(state, key, args, name) {
    banner.setAttribute('data-state', state);
    replace(banner, name ? h('strong', { class: 'scan-name', testid: 'collect-name' }, name) : null,
      key ? h('span', { testid: 'collect-message', 'data-key': key, t: key, tArgs: args }) : null);
  }
  function showError(err) {
    banner.setAttribute('data-state', 'error');
    replace(banner, errorBox(err, 'create', 'collect-error'));
  }

  function pendingFor(code) {
    return records.filter((r) => r.state === 'queued' && r.tube_id === code).length;
  }
  function countOf(code) {
    const t = tubes.get(code);
    return ((t && t.count) || 0) + pendingFor(code);
  }
  function isFull(code) {
    return countOf(code) >= capacityOf(code);
  }

  function renderTube() {
    if (!currentTube) {
      tubeCard.setAttribute('data-state', 'none');
      tubeNone.hidden = false;
      for (const el of [tubeCode, tubeCount, tubeBar, tubeFull]) el.hidden = true;
      return;
    }
    const n = countOf(currentTube);
    const cap = capacityOf(currentTube);
    const full = n >= cap;
    tubeCard.setAttribute('data-state', full ? 'full' : 'open');
    tubeNone.hidden = true;
    tubeCode.hidden = false;
    tubeCount.hidden = false;
    tubeBar.hidden = false;
    tubeCode.textContent = currentTube;
    tubeCount.setAttribute('data-count', String(n));
    tubeCount.setAttribute('data-capacity', String(cap));
    tubeCount.textContent = `${n} / ${cap}`;
    tubeBar.max = cap;
    tubeBar.value = n;
    tubeFull.hidden = !full;
  }

  /* what this device recorded in this session */
  const list = h('ul', { class: 'cards records', testid: 'collect-records' });
  function renderRecords() {
    const mine = records.filter((r) => r.session_id === sessionId);
    const q = records.filter((r) => r.state === 'queued').length;
    status.setQueued(q);
    clear(list);
    for (const r of mine.slice().reverse().slice(0, 50)) list.appendChild(recordRow(r));
    renderTube();
  }
  function recordRow(r) {
    const stateKey = { queued: 'testing.rec.queued', sent: 'testing.rec.sent', rejected: 'testing.rec.rejected' }[r.state];
    const li = h('li', { class: `card record record-${r.state}`, testid: `record-${r.client_id}`, 'data-state': r.state, 'data-tube': r.tube_id },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title' }, r.name || r.label || ''),
        h('span', { class: r.state === 'rejected' ? 'badge badge-off' : r.state === 'sent' ? 'badge badge-on' : 'badge badge-wait', t: stateKey })),
      h('div', { class: 'card-meta' }, h('code', null, r.tube_id), h('span', { 'data-time': r.created_at }, formatTime(r.created_at))));
    if (r.state === 'rejected') {
      const er = r.error || {};
      // 409s name what made the server refuse: the tube (full, resulted, another session's) or the person (already sampled).
      if (er.status === 409 && er.field === 'tube_id') li.appendChild(h('p', { class: 'field-error', t: 'testing.conflict.tube' }));
      else if (er.status === 409 && er.field && er.field !== 'client_id') li.appendChild(h('p', { class: 'field-error', t: 'testing.conflict.person' }));
      li.appendChild(errorBox(er, 'create', `record-error-${r.client_id}`));
      li.appendChild(h('button', {
        type: 'button', class: 'btn btn-small', testid: `record-dismiss-${r.client_id}`, t: 'testing.dismiss',
        onclick: async () => { await queue.dismiss(r.seq); },
      }));
    }
    return li;
  }

  /* who the tracing policy asks to be sampled today, and who has been */
  const orders = testOrdersBox(s, signal, (o) => takePerson({
    ident: o.kind === 'retest' ? { retest_order_id: o.id } : { test_order_id: o.id }, label: o.full_name, key: `order:${o.person_id}`,
  }));

  let freshTimer = null;
  function keepFresh() {
    clearTimeout(freshTimer);
    freshTimer = setTimeout(() => keepOffline([`/api/v1/testing/sessions/${sessionId}`]), 1000);
  }
  signal.addEventListener('abort', () => clearTimeout(freshTimer), { once: true });

  /* the queue's events */
  const unlisten = queue.listen((kind, data) => {
    if (kind === 'sync') {
      status.setSync(data.state);
      return;
    }
    if (kind === 'added') {
      if (!records.some((r) => r.client_id === data.client_id)) records.push(data);
    } else if (kind === 'confirmed') {
      const { record, res } = data;
      if (res && res.tube) tubes.set(res.tube.tube_id, res.tube);
      const r = records.find((x) => x.client_id === record.client_id);
      if (r) {
        r.state = 'sent';
        if (res && res.person) r.name = res.person.full_name || r.label;
      }
      orders.refresh(); // the sample may have answered a test order
      keepFresh(); // the copy a reload offline opens with counts this sample too
    } else if (kind === 'rejected') {
      const i = records.findIndex((x) => x.client_id === data.client_id);
      if (i >= 0) records[i] = { ...data }; else records.push(data);
      // The person may be taken again (the record did not count).
      for (const [k, code] of seen) if (code === data.tube_id && k === data.key) seen.delete(k);
      show('error', 'testing.rejected_one', { who: data.label || '' });
    } else if (kind === 'dismissed') {
      records = records.filter((x) => x.seq !== data.seq);
    }
    renderRecords();
  });
  signal.addEventListener('abort', unlisten, { once: true });
  const onNet = () => status.renderNet();
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);
  signal.addEventListener('abort', () => { window.removeEventListener('online', onNet); window.removeEventListener('offline', onNet); }, { once: true });

  /* taking a person and a tube */
  async function record(person, code) {
    const rec = {
      client_id: newClientId(), session_id: sessionId, tube_id: code, ident: person.ident,
      label: person.label, key: person.key,
    };
    seen.set(person.key, code);
    waiting = null;
    const saved = await queue.add(rec);
    if (!records.some((r) => r.client_id === saved.client_id)) records.push(saved);
    renderRecords();
    const n = countOf(code);
    const cap = capacityOf(code);
    show('ok', n >= cap ? 'testing.recorded_full' : 'testing.recorded', { tube: code, n, cap }, person.label);
  }

  function takePerson(person) {
    if (seen.has(person.key)) {
      show('warn', 'testing.already', { tube: seen.get(person.key) }, person.label);
      return;
    }
    if (currentTube && !isFull(currentTube)) { record(person, currentTube); return; }
    waiting = person;
    show('wait', currentTube ? 'testing.need_new_tube' : 'testing.need_tube', null, person.label);
  }

  async function takeTube(raw) {
    const code = String(raw || '').trim().toUpperCase();
    if (!TUBE_RE.test(code)) { show('error', 'testing.bad_tube', { tube: code }); return false; }
    if (!tubes.has(code) && navigator.onLine !== false) {
      // Issued since the page was opened (another phone, or the labels just printed)?
      try {
        const fresh = await get(`/api/v1/testing/sessions/${seg(sessionId)}`, { signal });
        for (const t of fresh.tubes || []) if (!tubes.has(t.tube_id)) tubes.set(t.tube_id, t);
      } catch (e) {
        if (isAbort(e)) return false;
      }
    }
    const known = tubes.get(code);
    if (!known && navigator.onLine !== false) { show('error', 'testing.unknown_tube', { tube: code }); return false; }
    if (known && known.result) { show('error', 'testing.tube_resulted', { tube: code }); return false; }
    if (currentTube === code && !waiting) return true;
    if (isFull(code)) {
      currentTube = code;
      renderTube();
      show('error', 'testing.tube_is_full', { tube: code });
      return false;
    }
    currentTube = code;
    renderTube();
    if (waiting) { await record(waiting, code); return true; }
    show('ok', 'testing.tube_ready', { tube: code, n: countOf(code), cap: capacityOf(code) });
    return true;
  }

  function personFromQr(text) {
    // Until the server answers with the person's name, the card is named, not its code.
    if (PERSON_QR_RE.test(text)) {
      const code = text.split('.')[2] || '';
      return { ident: { person_qr: text }, label: t('testing.label_card'), key: `p:${code}` };
    }
    return { ident: { declaration_qr: text }, label: t('testing.label_declaration'), key: `d:${text}` };
  }

  /* the camera */
  const scanner = qrScanner({
    signal,
    testid: 'collect-scanner',
    onCode(text) {
      const v = String(text || '').trim();
      if (PERSON_QR_RE.test(v) || DECL_QR_RE.test(v)) takePerson(personFromQr(v));
      else if (TUBE_RE.test(v.toUpperCase())) takeTube(v);
      else show('error', 'testing.not_a_code');
      return false;
    },
  });
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-huge', testid: 'collect-scan-start', t: 'testing.scan_start' });
  const stopBtn = h('button', { type: 'button', class: 'btn btn-block btn-big', testid: 'collect-scan-stop', t: 'testing.scan_stop', hidden: true });
  scannerButtons(scanner, startBtn, stopBtn);

  /* typing: a person's number, a newcomer, a tube id */
  const numberField = field({ name: 'number', label: 'testing.person_number', hint: 'testing.person_number_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', inputmode: 'text', maxlength: 16, testid: 'person-number' } });
  const numberErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const numberForm = h('form', { class: 'form card', testid: 'person-number-form', novalidate: true },
    numberField.wrap, numberErrors,
    h('button', { type: 'submit', class: 'btn btn-block btn-big', testid: 'person-number-submit', t: 'testing.person_number_submit' }));
  numberForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFormErrors(numberForm, numberErrors);
    const raw = numberField.input.value;
    const ident = parseNumber(raw);
    if (!ident || ident.phone) {
      if (ident && ident.phone) { newPhone.input.value = ident.phone; newName.input.focus(); }
      showFormError(numberForm, numberErrors, { status: 400, code: raw.trim() ? 'invalid_field' : 'missing_field', field: 'number' }, 'create');
      return;
    }
    const [k, v] = Object.entries(ident)[0];
    takePerson({ ident, label: `${k.toUpperCase()} ${'•'.repeat(Math.max(0, v.length - 3))}${v.slice(-3)}`, key: `${k}:${v}` });
    numberField.input.value = '';
    numberField.input.focus();
  });

  const newPhone = field({ name: 'phone', label: 'field.phone', type: 'tel',
    attrs: { inputmode: 'tel', autocomplete: 'off', maxlength: 16, testid: 'newperson-phone' } });
  const newName = field({ name: 'full_name', label: 'field.full_name',
    attrs: { autocomplete: 'off', maxlength: 100, testid: 'newperson-name' } });
  const newErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const newForm = h('form', { class: 'form card', testid: 'newperson-form', novalidate: true },
    h('p', { class: 'hint', t: 'testing.newperson_hint' }), newPhone.wrap, newName.wrap, newErrors,
    h('button', { type: 'submit', class: 'btn btn-block btn-big', testid: 'newperson-submit', t: 'testing.newperson_submit' }));
  newForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFormErrors(newForm, newErrors);
    const phone = newPhone.input.value.replace(/[\s.-]/g, '');
    const name = newName.input.value.trim().replace(/\s+/g, ' ');
    if (!PHONE_RE.test(phone)) { showFormError(newForm, newErrors, { status: 400, code: phone ? 'invalid_field' : 'missing_field', field: 'phone' }, 'create'); return; }
    if (!name) { showFormError(newForm, newErrors, { status: 400, code: 'missing_field', field: 'full_name' }, 'create'); return; }
    takePerson({ ident: { phone, full_name: name }, label: name, key: `ph:${phone}:${name.toLowerCase()}` });
    newPhone.input.value = '';
    newName.input.value = '';
  });

  const tubeField = field({ name: 'tube_id', label: 'testing.tube_input', hint: 'testing.tube_input_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', maxlength: 10, testid: 'tube-input' } });
  const tubeErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const tubeForm = h('form', { class: 'form card', testid: 'tube-form', novalidate: true },
    tubeField.wrap, tubeErrors,
    h('button', { type: 'submit', class: 'btn btn-block btn-big', testid: 'tube-submit', t: 'testing.tube_submit' }));
  tubeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(tubeForm, tubeErrors);
    const code = tubeField.input.value.replace(/\s/g, '').toUpperCase();
    if (!TUBE_RE.test(code)) {
      showFormError(tubeForm, tubeErrors, { status: 400, code: code ? 'invalid_field' : 'missing_field', field: 'tube_id' }, 'create');
      return;
    }
    if (await takeTube(code)) tubeField.input.value = '';
  });

  /* tubes and labels */
  const labels = labelsBox(s, signal, (issued) => { for (const code of issued) if (!tubes.has(code)) tubes.set(code, { tube_id: code, count: 0, capacity: s.pool_size }); });

  replace(box,
    h('p', null, h('a', { href: '#/testing/sessions', t: 'testing.back_sessions' })),
    h('h1', { testid: 'collect-title' }, s.site_name || ''),
    sessionMeta(s),
    status.el,
    banner, tubeCard, startBtn, stopBtn, scanner.el,
    tubeForm, numberForm,
    h('details', { class: 'more', testid: 'newperson' }, h('summary', { t: 'testing.newperson' }), newForm),
    orders.el,
    h('h2', { t: 'testing.records' }), list,
    h('h2', { t: 'testing.labels' }), labels);
  status.renderNet();
  show('idle', 'testing.ready');

  try {
    const mine = (await queue.all()).filter((r) => r.session_id === sessionId || r.state === 'queued');
    for (const r of mine) if (!records.some((x) => x.client_id === r.client_id)) records.push(r);
    for (const r of mine) if (r.session_id === sessionId && r.state === 'queued') seen.set(r.key, r.tube_id);
  } catch (e) {
    show('error', 'testing.no_storage');
  }
  renderRecords();
  box.setAttribute('data-ready', 'true'); // the queue is read: counts on the page are true from here
  queue.sync();
}

/** The label sheet: the session's PDF, and issuing a batch of new tube ids. */
function labelsBox(s, signal, onIssued) {
  const base = `/api/v1/testing/sessions/${seg(s.id)}/labels.pdf`;
  const links = h('div', { class: 'actions', testid: 'labels-links' },
    h('a', { class: 'btn', href: base, target: '_blank', rel: 'noopener', testid: 'labels-pdf', t: 'testing.labels_pdf' }));
  const count = field({ name: 'count', label: 'testing.issue_count', type: 'number',
    attrs: { min: 1, max: 500, value: '24', inputmode: 'numeric', testid: 'issue-count' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'issue-submit', t: 'testing.issue_submit' });
  const out = h('div', { testid: 'issue-result' });
  const form = h('form', { class: 'form card', testid: 'issue-form', novalidate: true }, count.wrap, errors, submit, out);
  let pendingId = null;
  let pendingFor = null;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const n = Number(count.input.value);
    if (!Number.isInteger(n) || n < 1 || n > 500) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'count' }, 'create'); return; }
    // The same request after a lost answer reuses its client id: the server answers the same codes.
    const fp = fingerprint({ s: s.id, n });
    if (pendingFor !== fp) { pendingId = newClientId(); pendingFor = fp; }
    try {
      const res = await withBusy(submit, () => post(`/api/v1/testing/sessions/${seg(s.id)}/tubes`, { client_id: pendingId, count: n }, { signal }));
      pendingFor = null;
      onIssued(res.tubes || []);
      const pages = Math.max(1, Number(res.label_pages) || 1);
      const as = [];
      for (let p = 1; p <= pages; p += 1) {
        as.push(h('a', { class: 'btn btn-small', href: `${base}?batch=${seg(res.batch_id)}&page=${p}`, target: '_blank', rel: 'noopener',
          testid: `labels-batch-${p}`, t: 'testing.labels_page', tArgs: { p } }));
      }
      replace(out, h('p', { class: 'alert alert-ok', t: 'testing.issued', tArgs: { n: (res.tubes || []).length } }), h('div', { class: 'actions' }, as));
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  const me = current();
  return h('div', { testid: 'labels' }, links, me ? form : null);
}
