// Road checkpoints (docs/api-checkpoints.md): the checkpoints a caller may see, the officer's
// phone page that records passages, and the officials' list of a day with its export and the
// plate search.
//
// The officer's page works without network: a passage (direction, vehicle, the people in it)
// goes into the IndexedDB queue (components/offline-queue.js, store passages) with the phone's
// client id and time, and is sent when the network allows. The server's answer for each person
// (let through, send to testing, send back, and the rules behind it) appears on the passage's
// card as soon as it comes; a passage sent twice is recorded once.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, newClientId } from '../api.js';
import { current } from '../session.js';
import { isAdmin } from '../roles.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatNumber, formatTime, formatDay, markI18n } from '../i18n.js';
import { qrScanner } from '../components/qr-scanner.js';
import { photoCamera, blobToDataUrl } from '../components/photo-camera.js';
import { createQueue, queueStatus } from '../components/offline-queue.js';
import { vnToday } from '../vn-time.js';

const QR_RE = /^CDN1\.[PD]\./;
const VEHICLE_TYPES = ['car', 'truck', 'bus', 'motorbike', 'other'];
const VERDICT_RANK = { pass: 0, test: 1, back: 2 };

export const passages = createQueue('passages', (r) => post(`/api/v1/checkpoints/${seg(r.checkpoint_id)}/passages`, r.body));

/**
 * A Vietnamese plate in the one form the server stores ("47A-123.45", "29B1-456.78",
 * "30E-1234"), or null: the rule of src/checkpoint/plate.c, so a bad plate is caught on the
 * phone before it waits in the queue.
 */
export function normalisePlate(raw) {
  const s = [];
  const sep = [];
  for (const ch of String(raw || '')) {
    if (ch === ' ' || ch === '-' || ch === '.') { sep[s.length] = true; continue; }
    if (!/^[0-9A-Za-z]$/.test(ch)) return null;
    s.push(ch.toUpperCase());
  }
  const letter = (c) => /^[A-Z]$/.test(c || '') && !'IJOQW'.includes(c);
  const digit = (c) => /^[0-9]$/.test(c || '');
  const n = s.length;
  if (n < 7 || n > 15 || !digit(s[0]) || !digit(s[1]) || Number(s[0] + s[1]) < 11 || !letter(s[2])) return null;
  let k = 3;
  if (letter(s[k])) k += 1;
  else if (digit(s[k]) && !sep[k] && (sep[k + 1] || n - k === 6)) k += 1;
  const num = s.slice(k);
  if ((num.length !== 4 && num.length !== 5) || !num.every(digit)) return null;
  const head = s.slice(0, k).join('');
  return num.length === 5 ? `${head}-${num.slice(0, 3).join('')}.${num.slice(3).join('')}` : `${head}-${num.join('')}`;
}

/** What a typed number names: {cccd} (12 digits), {cmnd} (9) or null. */
function parseId(raw) {
  const v = String(raw || '').replace(/[\s.-]/g, '');
  if (/^\d{12}$/.test(v)) return { cccd: v };
  if (/^\d{9}$/.test(v)) return { cmnd: v };
  return null;
}

function strictest(people) {
  let best = 'pass';
  for (const p of people || []) if (VERDICT_RANK[p.verdict] > VERDICT_RANK[best]) best = p.verdict;
  return best;
}

function verdictBadge(v, testid) {
  return h('span', { class: `cp-verdict cp-verdict-${v}`, testid, 'data-verdict': v, t: `checkpoint.verdict.${v}` });
}

/** One person's answer: name, verdict, the rules behind it (as words), vaccination. */
function personAnswer(p, testid) {
  return h('li', { class: `cp-answer cp-answer-${p.verdict}`, testid, 'data-verdict': p.verdict, 'data-person': p.person_id },
    h('div', { class: 'cp-answer-main' }, h('strong', null, p.full_name || p.code || ''), verdictBadge(p.verdict)),
    p.reasons && p.reasons.length
      ? h('ul', { class: 'cp-reasons' }, p.reasons.map((r) => h('li', { 'data-reason': r, t: `checkpoint.reason.${r}` })))
      : null,
    h('p', { class: 'muted small', t: `checkpoint.vax.${p.vaccination || 'none'}` }));
}

function vehicleText(p) {
  if (!p.plate) return h('span', { t: 'checkpoint.on_foot' });
  return h('span', null, h('strong', { class: 'plate' }, p.plate), ' ', h('span', { t: `checkpoint.vehicle.${p.vehicle_type || 'other'}` }));
}

/* ---------------------------------------------------------------- the checkpoints */

export async function checkpointsView({ root, signal }) {
  const box = h('div', { testid: 'checkpoints-box' }, loading());
  const me = current();
  root.appendChild(h('section', { class: 'panel', testid: 'checkpoints-view' },
    h('h1', { t: 'checkpoint.title' }), h('p', { class: 'lead', t: 'checkpoint.lead' }), box,
    me && isAdmin(me.role) ? plateSearch(signal) : null));
  let res;
  try {
    res = await get('/api/v1/checkpoints', { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const list = res.checkpoints || [];
  if (!list.length) { replace(box, h('p', { class: 'muted empty', testid: 'checkpoints-empty', t: 'checkpoint.none' })); return; }
  replace(box, h('ul', { class: 'cards', testid: 'checkpoints-list' }, list.map((c) => h('li', { class: 'card', testid: `checkpoint-row-${c.id}` },
    h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, c.name)),
    h('div', { class: 'card-meta' }, c.road ? h('span', null, c.road) : null, h('span', null, c.commune_name || c.commune_code)),
    h('div', { class: 'card-actions' },
      h('a', { class: 'btn btn-primary btn-big btn-block', href: `#/checkpoints/${c.id}`, testid: `checkpoint-open-${c.id}`, t: 'checkpoint.open' }),
      h('a', { class: 'btn btn-block', href: `#/checkpoints/${c.id}/day`, testid: `checkpoint-day-${c.id}`, t: 'checkpoint.day_open' }))))));
}

function plateSearch(signal) {
  const plate = field({ name: 'plate', label: 'checkpoint.plate', hint: 'checkpoint.plate_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', maxlength: 20, testid: 'search-plate' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const out = h('div', { testid: 'search-result' });
  const submit = h('button', { type: 'submit', class: 'btn btn-big btn-block', testid: 'search-submit', t: 'checkpoint.search_submit' });
  const form = h('form', { class: 'form card', testid: 'search-form', novalidate: true }, plate.wrap, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const p = normalisePlate(plate.input.value);
    if (!p) { showFormError(form, errors, { status: 400, code: plate.input.value.trim() ? 'invalid_field' : 'missing_field', field: 'plate' }, 'list'); return; }
    try {
      const res = await withBusy(submit, () => get('/api/v1/checkpoint-passages', { query: { plate: p }, signal }));
      const found = res.passages || [];
      replace(out, found.length
        ? h('ul', { class: 'cards', testid: 'search-list' }, found.map((x) => passageCard(x, `search-passage-${x.id}`)))
        : h('p', { class: 'muted empty', testid: 'search-empty', t: 'checkpoint.search_none', tArgs: { plate: p } }));
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'list');
    }
  });
  return h('div', { testid: 'plate-search' }, h('h2', { t: 'checkpoint.search_title' }), form, out);
}

/** The photos kept of a passage's people, for health staff (the route is theirs). */
function passagePhotos(p) {
  const me = current();
  if (!me || !isAdmin(me.role)) return null;
  const shots = (p.people || []).filter((x) => x.photo);
  if (!shots.length) return null;
  return h('div', { class: 'cp-photos' }, shots.map((x) => h('img', {
    class: 'cp-photo', src: `/api/v1/checkpoint-passages/${seg(p.id)}/photos/${seg(x.person_id)}`, alt: x.full_name || '', loading: 'lazy',
    testid: `passage-photo-${p.id}-${x.person_id}`,
  })));
}

/** A recorded passage as officials see it in lists. */
function passageCard(p, testid) {
  return h('li', { class: 'card passage', testid, 'data-verdict': strictest(p.people) },
    h('div', { class: 'card-main' }, vehicleText(p), verdictBadge(strictest(p.people))),
    h('div', { class: 'card-meta' },
      h('span', { t: `checkpoint.direction.${p.direction}` }),
      h('span', { 'data-time': p.passed_at }, formatTime(p.passed_at)),
      h('span', { t: 'checkpoint.people_n', tArgs: { n: formatNumber((p.people || []).length) } })),
    h('ul', { class: 'cp-answers' }, (p.people || []).map((x) => personAnswer(x))),
    passagePhotos(p));
}

/* ---------------------------------------------------------------- a day's passages */

export async function checkpointDayView({ root, params, query, signal }) {
  const box = h('section', { class: 'panel', testid: 'checkpoint-day-view' }, loading());
  root.appendChild(box);
  const today = vnToday();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(query.get('date') || '') ? query.get('date') : today;
  let res;
  try {
    res = await get(`/api/v1/checkpoints/${seg(params.id)}/passages`, { query: { date }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const dateInput = h('input', { type: 'date', name: 'date', value: date, max: today, testid: 'day-date' });
  dateInput.addEventListener('change', () => { if (dateInput.value) window.location.hash = `#/checkpoints/${seg(params.id)}/day?date=${dateInput.value}`; });
  const me = current();
  const base = `/api/v1/checkpoints/${seg(params.id)}/passages/export?date=${date}`;
  const t = res.totals;
  replace(box,
    h('p', null, h('a', { href: '#/checkpoints', t: 'checkpoint.back_list' })),
    h('h1', { testid: 'day-title' }, res.checkpoint.name),
    h('p', { class: 'lead', t: 'checkpoint.day_of', tArgs: { date: formatDay(date) } }),
    h('label', { class: 'field' }, h('span', { t: 'checkpoint.day_pick' }), dateInput),
    h('dl', { class: 'stats', testid: 'day-totals' },
      ['people', 'vehicles', 'pass', 'test', 'back'].map((k) => h('div', { class: 'stat', testid: `total-${k}`, 'data-count': String(t[k]) },
        h('dt', { t: `checkpoint.total.${k}` }), h('dd', null, formatNumber(t[k]))))),
    me && isAdmin(me.role)
      ? h('div', { class: 'actions', testid: 'day-export' },
        h('a', { class: 'btn', href: `${base}&format=csv`, testid: 'export-csv', t: 'checkpoint.export_csv' }),
        h('a', { class: 'btn', href: `${base}&format=xlsx`, testid: 'export-xlsx', t: 'checkpoint.export_xlsx' }))
      : null,
    res.passages.length
      ? h('ul', { class: 'cards', testid: 'day-list' }, res.passages.map((p) => passageCard(p, `day-passage-${p.id}`)))
      : h('p', { class: 'muted empty', testid: 'day-empty', t: 'checkpoint.day_none' }));
}

/* ---------------------------------------------------------------- the officer's page */

export async function checkpointPassView({ root, params, signal }) {
  const box = h('section', { class: 'panel panel-narrow checkpoint', testid: 'checkpoint-view' }, loading());
  root.appendChild(box);
  let cp;
  try {
    const res = await get('/api/v1/checkpoints', { signal });
    cp = (res.checkpoints || []).find((c) => String(c.id) === String(params.id));
  } catch (e) {
    // No network: the page still records, with the id from the address.
    if (isAbort(e)) return;
    if (e.status === 403) { replace(box, accessDenied()); return; }
  }
  if (!cp && navigator.onLine !== false) { replace(box, accessDenied()); return; }
  const checkpointId = cp ? cp.id : Number(params.id);

  /* state: the vehicle being filled, and this checkpoint's passages on this phone */
  let direction = 'in';
  let riders = [];     // [{ident, label, key}]
  let records = [];    // queue records and answered ones: {client_id, body, state, res?, error?}

  /* network and queue */
  const status = queueStatus();

  /* the big banner: the last answer, or what to do next */
  const banner = h('div', { class: 'scan-banner', testid: 'checkpoint-banner', 'data-state': 'idle', role: 'status', 'aria-live': 'assertive' });
  function show(state, key, args) {
    banner.setAttribute('data-state', state);
    replace(banner, h('span', { testid: 'checkpoint-message', 'data-key': key, t: key, tArgs: args }));
  }
  function showAnswer(res) {
    const v = strictest(res.people);
    banner.setAttribute('data-state', v === 'pass' ? 'ok' : v === 'test' ? 'warn' : 'error');
    banner.setAttribute('data-verdict', v);
    replace(banner, h('ul', { class: 'cp-answers', testid: 'checkpoint-answers' },
      res.people.map((p, i) => personAnswer(p, `answer-${i}`))));
  }

  /* direction */
  const dirButtons = ['in', 'out'].map((d) => h('button', {
    type: 'button', class: 'btn btn-big cp-toggle', testid: `direction-${d}`, 'aria-pressed': String(d === direction), t: `checkpoint.direction.${d}`,
    onclick: () => { direction = d; for (const b of dirButtons) b.setAttribute('aria-pressed', String(b.dataset.testid === `direction-${d}`)); },
  }));

  /* the vehicle */
  const typeSelect = h('select', { testid: 'vehicle-type' },
    h('option', { value: '', t: 'checkpoint.on_foot' }),
    VEHICLE_TYPES.map((v) => h('option', { value: v, selected: v === 'car', t: `checkpoint.vehicle.${v}` })));
  const typeField = field({ name: 'vehicle.type', label: 'checkpoint.vehicle_type', input: typeSelect });
  const plateField = field({ name: 'vehicle.plate', label: 'checkpoint.plate', hint: 'checkpoint.plate_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', maxlength: 20, testid: 'vehicle-plate' } });
  typeSelect.addEventListener('change', () => { plateField.wrap.hidden = !typeSelect.value; });

  /* the people in it */
  const riderList = h('ul', { class: 'cp-riders', testid: 'riders' });
  const riderCount = h('span', { class: 'badge', testid: 'rider-count', 'data-count': '0' });
  function renderRiders() {
    riderCount.setAttribute('data-count', String(riders.length));
    markI18n(riderCount, 'text', 'checkpoint.people_n', { n: formatNumber(riders.length) });
    clear(riderList);
    riders.forEach((r, i) => riderList.appendChild(h('li', { class: 'cp-rider', testid: `rider-${i}`, 'data-photo': String(!!r.ident.photo) },
      h('span', null, r.label, r.ident.photo ? h('span', { class: 'badge badge-on', t: 'checkpoint.has_photo' }) : null),
      h('span', { class: 'cp-rider-actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: `rider-photo-${i}`, t: 'checkpoint.photo',
          onclick: () => openCamera(i) }),
        h('button', { type: 'button', class: 'btn btn-small', testid: `rider-remove-${i}`, t: 'checkpoint.remove',
          onclick: () => { riders.splice(i, 1); renderRiders(); } })))));
  }

  /* a photo of one person, with the back camera (the QR scanner lets go of it first) */
  const cam = photoCamera({ signal, testid: 'checkpoint-camera', facing: 'environment' });
  let photoFor = -1;
  const shootBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'photo-take', t: 'checkpoint.photo_take' });
  const camBox = h('div', { class: 'card', testid: 'photo-box', hidden: true }, cam.el, shootBtn,
    h('button', { type: 'button', class: 'btn btn-block', testid: 'photo-cancel', t: 'checkpoint.photo_cancel',
      onclick: () => { cam.stop(); camBox.hidden = true; photoFor = -1; } }));
  async function openCamera(i) {
    scanner.stop();
    startBtn.hidden = false;
    stopBtn.hidden = true;
    photoFor = i;
    camBox.hidden = false;
    try {
      await cam.start();
    } catch (e) {
      camBox.hidden = true;
      show('error', 'checkpoint.no_camera');
    }
  }
  shootBtn.addEventListener('click', async () => {
    const r = riders[photoFor];
    if (!r) return;
    try {
      const blob = await withBusy(shootBtn, () => cam.capture());
      r.ident = { ...r.ident, photo: await blobToDataUrl(blob) };
    } catch (e) {
      show('error', 'checkpoint.no_camera');
      return;
    }
    cam.stop();
    camBox.hidden = true;
    photoFor = -1;
    renderRiders();
    show('idle', 'checkpoint.photo_done');
  });
  function addRider(r) {
    if (riders.some((x) => x.key === r.key)) { show('warn', 'checkpoint.already_in'); return; }
    riders.push(r);
    renderRiders();
    show('idle', 'checkpoint.added', { n: riders.length });
  }

  const scanner = qrScanner({
    signal,
    testid: 'checkpoint-scanner',
    onCode(text) {
      const v = String(text || '').trim();
      if (!QR_RE.test(v)) { show('error', 'checkpoint.not_a_card'); return false; }
      addRider({ ident: { qr: v }, label: `QR ${v.split('.')[2] || ''}`, key: `qr:${v}` });
      return false;
    },
  });
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-huge', testid: 'checkpoint-scan-start', t: 'checkpoint.scan_start' });
  const stopBtn = h('button', { type: 'button', class: 'btn btn-block btn-big', testid: 'checkpoint-scan-stop', t: 'checkpoint.scan_stop', hidden: true });
  startBtn.addEventListener('click', async () => {
    cam.stop();
    camBox.hidden = true;
    await withBusy(startBtn, () => scanner.start());
    startBtn.hidden = scanner.running();
    stopBtn.hidden = !scanner.running();
  });
  stopBtn.addEventListener('click', () => { scanner.stop(); startBtn.hidden = false; stopBtn.hidden = true; });

  const idField = field({ name: 'cccd', label: 'checkpoint.person_number', hint: 'checkpoint.person_number_hint',
    attrs: { autocomplete: 'off', inputmode: 'numeric', maxlength: 16, testid: 'person-number' } });
  const idErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const idForm = h('form', { class: 'form card', testid: 'person-number-form', novalidate: true }, idField.wrap, idErrors,
    h('button', { type: 'submit', class: 'btn btn-block btn-big', testid: 'person-number-submit', t: 'checkpoint.person_add' }));
  idForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFormErrors(idForm, idErrors);
    const ident = parseId(idField.input.value);
    if (!ident) { showFormError(idForm, idErrors, { status: 400, code: idField.input.value.trim() ? 'invalid_field' : 'missing_field', field: 'cccd' }, 'create'); return; }
    const [k, v] = Object.entries(ident)[0];
    addRider({ ident, label: `${k.toUpperCase()} ${v}`, key: `${k}:${v}` });
    idField.input.value = '';
  });

  /* recording the passage */
  const passErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-huge', testid: 'passage-submit', t: 'checkpoint.record' });
  const passForm = h('form', { class: 'form card', testid: 'passage-form', novalidate: true },
    typeField.wrap, plateField.wrap, h('div', { class: 'card-meta' }, h('span', { t: 'checkpoint.people_in' }), riderCount), riderList, passErrors, submit);
  passForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(passForm, passErrors);
    const body = { client_id: newClientId(), direction, passed_at: Math.floor(Date.now() / 1000), people: riders.map((r) => r.ident) };
    if (typeSelect.value) {
      const plate = normalisePlate(plateField.input.value);
      if (!plate) { showFormError(passForm, passErrors, { status: 400, code: plateField.input.value.trim() ? 'invalid_field' : 'missing_field', field: 'vehicle.plate' }, 'create'); return; }
      body.vehicle = { plate, type: typeSelect.value };
    }
    if (!riders.length) { showFormError(passForm, passErrors, { status: 400, code: 'missing_field', field: 'people' }, 'create'); return; }
    const rec = await passages.add({ client_id: body.client_id, checkpoint_id: checkpointId, body, labels: riders.map((r) => r.label) });
    if (!records.some((r) => r.client_id === rec.client_id)) records.push(rec);
    riders = [];
    plateField.input.value = '';
    renderRiders();
    renderRecords();
    show('wait', navigator.onLine === false ? 'checkpoint.saved_offline' : 'checkpoint.sending');
  });

  /* this phone's passages */
  const list = h('ul', { class: 'cards records', testid: 'checkpoint-records' });
  function renderRecords() {
    const q = records.filter((r) => r.state === 'queued').length;
    status.setQueued(q);
    clear(list);
    for (const r of records.slice().reverse().slice(0, 50)) list.appendChild(recordRow(r));
  }
  function recordRow(r) {
    const stateKey = { queued: 'testing.rec.queued', sent: 'testing.rec.sent', rejected: 'testing.rec.rejected' }[r.state];
    const shown = r.res || { ...r.body, plate: r.body.vehicle && r.body.vehicle.plate, vehicle_type: r.body.vehicle && r.body.vehicle.type };
    const li = h('li', { class: `card record record-${r.state}`, testid: `record-${r.client_id}`, 'data-state': r.state },
      h('div', { class: 'card-main' }, vehicleText(shown),
        h('span', { class: r.state === 'rejected' ? 'badge badge-off' : r.state === 'sent' ? 'badge badge-on' : 'badge badge-wait', t: stateKey })),
      h('div', { class: 'card-meta' }, h('span', { t: `checkpoint.direction.${r.body.direction}` }),
        h('span', { 'data-time': r.body.passed_at }, formatTime(r.body.passed_at))));
    if (r.res) li.appendChild(h('ul', { class: 'cp-answers' }, r.res.people.map((p, i) => personAnswer(p, `record-answer-${r.client_id}-${i}`))));
    else li.appendChild(h('p', { class: 'muted' }, (r.labels || []).join(', ')));
    if (r.state === 'rejected') {
      li.appendChild(errorBox(r.error || {}, 'create', `record-error-${r.client_id}`));
      li.appendChild(h('button', { type: 'button', class: 'btn btn-small', testid: `record-dismiss-${r.client_id}`, t: 'testing.dismiss',
        onclick: async () => { await passages.dismiss(r.seq); } }));
    }
    return li;
  }

  const unlisten = passages.listen((kind, data) => {
    if (kind === 'sync') {
      status.setSync(data.state);
      return;
    }
    if (kind === 'added') {
      if (data.checkpoint_id === checkpointId && !records.some((r) => r.client_id === data.client_id)) records.push(data);
    } else if (kind === 'confirmed') {
      const r = records.find((x) => x.client_id === data.record.client_id);
      if (r) { r.state = 'sent'; r.res = data.res; }
      if (data.record.checkpoint_id === checkpointId) showAnswer(data.res);
    } else if (kind === 'rejected') {
      const i = records.findIndex((x) => x.client_id === data.client_id);
      if (i >= 0) records[i] = { ...data }; else if (data.checkpoint_id === checkpointId) records.push(data);
      banner.setAttribute('data-state', 'error');
      replace(banner, errorBox(data.error || {}, 'create', 'checkpoint-error'));
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

  replace(box,
    h('p', null, h('a', { href: '#/checkpoints', t: 'checkpoint.back_list' })),
    h('h1', { testid: 'checkpoint-title' }, cp ? cp.name : ''),
    status.el,
    banner,
    h('div', { class: 'cp-toggles', role: 'group' }, dirButtons),
    startBtn, stopBtn, scanner.el, idForm, camBox, passForm,
    h('h2', { t: 'checkpoint.records' }), list,
    h('p', null, h('a', { class: 'btn btn-block', href: `#/checkpoints/${checkpointId}/day`, testid: 'checkpoint-day-link', t: 'checkpoint.day_open' })));
  status.renderNet();
  renderRiders();
  show('idle', 'checkpoint.ready');
  try {
    for (const r of await passages.all()) if (r.checkpoint_id === checkpointId && !records.some((x) => x.client_id === r.client_id)) records.push(r);
  } catch (e) {
    show('error', 'testing.no_storage');
  }
  renderRecords();
  box.setAttribute('data-ready', 'true');
  passages.sync();
}
