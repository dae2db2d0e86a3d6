// Home quarantine (docs/api-tracing.md "Quarantine"): the quarantined citizen's page (today's
// scheduled check-ins, and a check-in with a camera photo and the browser's location that the
// server accepts or finds outside the radius), and the officials' page (compliance per
// commune and the alerts raised for the commune health stations).

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, idempotentPost, seg, isAbort } from '../api.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatTime, formatDay, formatNumber, getLang, markI18n } from '../i18n.js';
import { link, navigate } from '../router.js';
import { unitNameEl as unitName } from '../units.js';
import { photoCamera, blobToDataUrl, currentPosition } from '../components/photo-camera.js';
import { vnDate, vnDayStart, VN_ZONE } from '../vn-time.js';
import { alertCard } from './quarantine-orders.js';

// The schedule as the server keeps it: 07:00–21:00 local time (UTC+7) cut into equal slots.
const DAY_FROM = 7 * 3600;
const DAY_UNTIL = 21 * 3600;

/** Today's slots of a schedule with n check-ins a day: [{k, start, end}]. */
export function slotsOfDay(n, now) {
  const per = Math.max(1, n | 0);
  const len = Math.floor((DAY_UNTIL - DAY_FROM) / per);
  const base = vnDayStart(now);
  const out = [];
  for (let k = 0; k < per; k += 1) {
    const start = base + DAY_FROM + k * len;
    out.push({ k, start, end: k === per - 1 ? base + DAY_UNTIL : start + len });
  }
  return out;
}

function hhmm(t) {
  return new Date(t * 1000).toLocaleTimeString(getLang() === 'vi' ? 'vi-VN' : 'en-GB',
    { hour: '2-digit', minute: '2-digit', timeZone: VN_ZONE });
}

const nowSec = () => Math.floor(Date.now() / 1000);

/* ---------------------------------------------------------------- the citizen's page */

export async function myQuarantineView({ root, signal }) {
  const box = h('div', { testid: 'my-quarantine-box' }, loading());
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'my-quarantine-view' },
    h('h1', { t: 'quarantine.my_title' }), h('p', { class: 'lead', t: 'quarantine.my_lead' }), box));
  let res;
  try {
    res = await get('/api/v1/me/quarantine', { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'other'));
    return;
  }
  const orders = (res.orders || []).slice().sort((a, b) => (a.status === 'active' ? 0 : 1) - (b.status === 'active' ? 0 : 1) || b.id - a.id);
  if (!orders.length) { replace(box, h('p', { class: 'muted empty', testid: 'my-quarantine-empty', t: 'quarantine.none' })); return; }
  replace(box, orders.map((o) => orderPanel(o, signal)));
}

function orderPanel(order, signal) {
  let o = order;
  const today = vnDate(nowSec());
  const running = o.status === 'active' && o.start_date <= today && today <= o.end_date;
  const slotsBox = h('ol', { class: 'slots', testid: `slots-${o.id}` });
  const doneBox = h('ul', { class: 'cards checkins', testid: `my-qcheckins-${o.id}` });

  function renderSlots() {
    const now = nowSec();
    clear(slotsBox);
    const taken = new Set((o.checkins || []).map((c) => c.slot_start));
    for (const sl of slotsOfDay(o.checkins_per_day, now)) {
      const done = taken.has(sl.start);
      const state = done ? 'done' : now >= sl.end ? 'missed' : now >= sl.start ? 'current' : 'upcoming';
      slotsBox.appendChild(h('li', { class: `slot slot-${state}`, testid: `slot-${o.id}-${sl.k}`, 'data-state': state, 'data-start': sl.start },
        h('span', { class: 'slot-time' }, `${hhmm(sl.start)}–${hhmm(sl.end)}`),
        h('span', { class: 'badge', t: `quarantine.slot.${state}` })));
    }
    clear(doneBox);
    const todays = (o.checkins || []).filter((c) => vnDate(c.at) === vnDate(now)).sort((a, b) => b.at - a.at);
    if (!todays.length) doneBox.appendChild(h('li', { class: 'muted', t: 'quarantine.no_checkins_today' }));
    for (const c of todays) {
      doneBox.appendChild(h('li', { class: 'card', testid: `my-qcheckin-${c.id}`, 'data-inside': String(!!c.inside) },
        h('div', { class: 'card-main' },
          h('span', { 'data-time': c.at }, formatTime(c.at)),
          // not measured (made before the place was confirmed): neither at the place nor outside
          c.inside == null
            ? h('span', { class: 'badge', t: 'quarantine.place_unconfirmed' })
            : h('span', { class: c.inside ? 'badge badge-on' : 'badge badge-off', t: c.inside ? 'quarantine.inside' : 'quarantine.outside' })),
        c.distance_m != null ? h('div', { class: 'card-meta', t: 'quarantine.distance', tArgs: { m: formatNumber(c.distance_m) } }) : null));
    }
  }
  renderSlots();

  const head = h('dl', { class: 'kv' },
    h('dt', { t: 'quarantine.place' }), h('dd', { class: 'breakable', testid: `order-address-${o.id}` }, o.address || ''),
    h('dt', { t: 'quarantine.kind' }), h('dd', { t: `quarantine.kind.${o.kind}` }),
    h('dt', { t: 'quarantine.period' }), h('dd', null, `${formatDay(o.start_date)} → ${formatDay(o.end_date)}`),
    h('dt', { t: 'quarantine.per_day' }), h('dd', null, String(o.checkins_per_day)),
    h('dt', { t: 'quarantine.radius' }), h('dd', { t: 'quarantine.metres', tArgs: { m: formatNumber(o.radius_m) } }));

  const section = h('article', { class: 'card order', testid: `order-${o.id}`, 'data-status': o.status },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title', t: 'quarantine.order_n', tArgs: { id: o.id } }),
      h('span', { class: 'badge', t: `quarantine.status.${o.status}` })),
    o.member ? h('p', { class: 'card-meta', testid: `order-member-${o.id}`, t: 'quarantine.for_member', tArgs: { name: o.member.full_name || `#${o.member.person_id}` } }) : null,
    head,
    o.place_confirmed === false ? h('p', { class: 'small breakable', testid: `order-place-unconfirmed-${o.id}`, t: 'quarantine.place_unconfirmed_hint' }) : null,
    h('h2', { t: 'quarantine.today' }), slotsBox);

  if (running) section.appendChild(checkinBox(o, signal, async () => {
    // The server's answer is the truth about slots: read the order again.
    try {
      const res = await get('/api/v1/me/quarantine', { signal });
      const fresh = (res.orders || []).find((x) => x.id === o.id);
      if (fresh) o = fresh;
    } catch { /* keep what the page has */ }
    renderSlots();
  }));
  else section.appendChild(h('p', { class: 'muted', testid: `order-not-running-${o.id}`, t: 'quarantine.not_running' }));
  section.appendChild(h('h2', { t: 'quarantine.checkins_today' }));
  section.appendChild(doneBox);
  return section;
}

/** The check-in: camera preview, take the photo, read the location, send, show the answer. */
function checkinBox(o, signal, onDone) {
  const cam = photoCamera({ signal, testid: `camera-${o.id}` });
  cam.el.hidden = true;
  const progress = h('p', { class: 'checkin-progress', role: 'status', 'aria-live': 'polite', testid: `checkin-progress-${o.id}`, 'data-step': 'idle' });
  const result = h('div', { class: 'checkin-result', testid: `checkin-result-${o.id}`, 'aria-live': 'assertive' });
  const thumb = h('img', { class: 'checkin-thumb', testid: `checkin-thumb-${o.id}`, hidden: true });
  markI18n(thumb, 'aria-label', 'quarantine.photo_taken');
  thumb.setAttribute('alt', '');
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: `checkin-start-${o.id}`, t: 'quarantine.checkin' });
  const shootBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: `checkin-capture-${o.id}`, t: 'quarantine.capture_send', hidden: true });
  const cancelBtn = h('button', { type: 'button', class: 'btn btn-block', testid: `checkin-cancel-${o.id}`, t: 'quarantine.cancel', hidden: true });
  let url = null;

  function step(name) {
    progress.setAttribute('data-step', name);
    if (name === 'idle') { clear(progress); return; }
    replace(progress, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { t: `quarantine.step.${name}` }));
  }
  function idle() {
    cam.stop();
    cam.el.hidden = true;
    shootBtn.hidden = true;
    cancelBtn.hidden = true;
    startBtn.hidden = false;
    step('idle');
  }
  function fail(key, err) {
    idle();
    replace(result, err && err.status !== undefined ? errorBox(err, 'create', `checkin-error-${o.id}`)
      : h('div', { class: 'alert alert-error', role: 'alert', testid: `checkin-error-${o.id}`, 'data-reason': key },
        h('p', { class: 'alert-title', t: key })));
  }

  startBtn.addEventListener('click', async () => {
    clear(result);
    cam.el.hidden = false;
    try {
      await withBusy(startBtn, async () => { step('camera'); await cam.start(); });
    } catch (e) {
      fail(e && e.name === 'NotAllowedError' ? 'quarantine.camera_denied' : 'quarantine.camera_failed');
      return;
    }
    step('idle');
    startBtn.hidden = true;
    shootBtn.hidden = false;
    cancelBtn.hidden = false;
  });
  cancelBtn.addEventListener('click', idle);

  shootBtn.addEventListener('click', async () => {
    clear(result);
    let answer;
    try {
      answer = await withBusy(shootBtn, async () => {
        step('photo');
        const blob = await cam.capture();
        if (url) URL.revokeObjectURL(url);
        url = URL.createObjectURL(blob);
        thumb.src = url;
        thumb.hidden = false;
        cam.stop();
        cam.el.hidden = true;
        step('location');
        let pos;
        try {
          pos = await currentPosition();
        } catch (e) {
          throw Object.assign(new Error('location'), { reasonKey: e && e.code === 1 ? 'quarantine.location_denied' : 'quarantine.location_failed' });
        }
        step('sending');
        const photo = await blobToDataUrl(blob);
        return idempotentPost(`quarantine.${o.id}`, `/api/v1/me/quarantine/${seg(o.id)}/checkins`,
          (clientId) => ({ client_id: clientId, photo, lat: pos.lat, lon: pos.lon, accuracy_m: pos.accuracy_m }), { signal });
      });
    } catch (e) {
      if (isAbort(e)) return;
      fail(e.reasonKey || 'quarantine.camera_failed', e.reasonKey ? null : e);
      return;
    }
    idle();
    // Until the place is confirmed the server measures nothing: say so, never "0 m".
    const measured = answer.place_confirmed !== false && answer.distance_m != null;
    const inside = measured ? !!answer.inside : true;
    replace(result, h('div', {
      class: inside ? 'alert alert-ok' : 'alert alert-error', role: 'status', testid: `checkin-answer-${o.id}`,
      'data-inside': measured ? String(inside) : '', 'data-alert': String(!!answer.alert), 'data-distance': measured ? answer.distance_m : '',
      'data-place-confirmed': String(measured), 'data-in-slot': String(answer.in_slot !== false),
    },
    h('p', { class: 'alert-title', t: !measured ? 'quarantine.recorded' : inside ? 'quarantine.accepted' : 'quarantine.outside_radius' }),
    measured ? h('p', { t: 'quarantine.distance', tArgs: { m: formatNumber(answer.distance_m) } })
      : h('p', { testid: `checkin-place-unconfirmed-${o.id}`, t: 'quarantine.place_unconfirmed_hint' }),
    answer.in_slot === false && answer.next_slot
      ? h('p', { testid: `checkin-no-slot-${o.id}`, t: 'quarantine.no_slot', tArgs: { from: hhmm(answer.next_slot.start), until: hhmm(answer.next_slot.end) } })
      : null,
    inside ? null : h('p', { t: 'quarantine.outside_hint', tArgs: { m: formatNumber(o.radius_m) } })));
    await onDone();
  });

  return h('div', { class: 'checkin-box' }, cam.el, thumb, progress, startBtn, shootBtn, cancelBtn, result);
}

/* ---------------------------------------------------------------- officials */

export async function quarantineOversightView({ root, query, signal }) {
  const unit = query.get('unit') || '';
  const unitF = field({ name: 'unit', label: 'tracing.filter_unit', hint: 'tracing.filter_unit_hint', attrs: { value: unit, inputmode: 'numeric', autocomplete: 'off', testid: 'q-filter-unit' } });
  const form = h('form', { class: 'form filters', novalidate: true, testid: 'q-filters' }, unitF.wrap,
    h('button', { type: 'submit', class: 'btn', testid: 'q-filter-apply', t: 'tracing.filter_apply' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/quarantine', { unit: unitF.input.value.trim() }));
  });
  const compBox = h('div', { testid: 'compliance-box' }, loading());
  const alertBox = h('div', { testid: 'alerts-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'quarantine-view' },
    h('h1', { t: 'quarantine.title' }), h('p', { class: 'lead', t: 'quarantine.lead' }),
    h('p', null, h('a', { class: 'btn', href: '#/quarantine/orders', testid: 'to-orders', t: 'quarantine.to_orders' })), form,
    h('h2', { t: 'quarantine.compliance' }), compBox,
    h('h2', { t: 'quarantine.alerts' }), alertBox));

  const q = { unit };
  const [comp, alerts] = await Promise.allSettled([
    get('/api/v1/quarantine/compliance', { query: q, signal }),
    get('/api/v1/quarantine/alerts', { query: { ...q, limit: 200 }, signal }),
  ]);
  if (signal.aborted) return;
  const failed = (r, box) => {
    if (r.status === 'fulfilled') return false;
    if (!isAbort(r.reason)) replace(box, r.reason.status === 403 ? accessDenied() : errorBox(r.reason, 'list'));
    return true;
  };

  if (!failed(comp, compBox)) {
    const rows = comp.value.communes || [];
    if (!rows.length) replace(compBox, h('p', { class: 'muted empty', testid: 'compliance-empty', t: 'quarantine.no_orders' }));
    else {
      const pct = (c) => (c == null ? '—' : `${formatNumber(Math.round(c * 100))} %`);
      // Cards rather than a table: six numbers per commune do not fit a 360 px row.
      replace(compBox, h('ul', { class: 'cards', testid: 'compliance-list' }, rows.map((c) => h('li', {
        class: 'card', testid: `compliance-${c.commune_code}`, 'data-open-alerts': c.open_alerts, 'data-active': c.active_orders,
      },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title' }, unitName(c.commune_code)),
        h('span', { class: c.open_alerts ? 'badge badge-off' : 'badge badge-on', 'data-rate': c.compliance ?? '' }, pct(c.compliance))),
      h('dl', { class: 'kv' },
        ['active', 'due', 'done', 'alerts'].map((k) => [
          h('dt', { t: `quarantine.col.${k}` }),
          h('dd', { class: 'num' }, formatNumber({ active: c.active_orders, due: c.slots_due, done: c.checkins_today, alerts: c.open_alerts }[k])),
        ]))))));
    }
  }

  if (!failed(alerts, alertBox)) {
    const list = alerts.value.alerts || [];
    if (!list.length) replace(alertBox, h('p', { class: 'muted empty', testid: 'alerts-empty', t: 'quarantine.no_alerts' }));
    else {
      replace(alertBox, h('ul', { class: 'cards', testid: 'alerts-list' }, list.map((a) => alertCard(a))));
    }
  }
}
