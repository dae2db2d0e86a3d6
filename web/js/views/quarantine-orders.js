// Quarantine orders for the commune health station, the district and the tracer
// (docs/api-tracing.md "Quarantine"): the list of orders in the caller's area, a new order
// for a contact, and one order's page: its place on a map with every check-in around it,
// confirming the place (a check-in's location, or a point tapped on the map), the photos
// beside their times and distances, the alerts to acknowledge and resolve, and ending it.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, put, idempotentPost, seg, isAbort } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatTime, formatDay, formatNumber, markI18n } from '../i18n.js';
import { link, navigate } from '../router.js';
import { unitNameEl as unitName } from '../units.js';
import { placeMap } from '../components/place-map.js';
import { vnDate } from '../vn-time.js';

const PAGE = 50;
const STATUSES = ['active', 'ended', 'cancelled'];
const OUTCOMES = ['completed', 'released', 'cancelled'];

function statusBadge(status, testid) {
  return h('span', { class: `badge order-status status-${status}`, testid, 'data-status': status, t: `quarantine.status.${status}` });
}

/* ---------------------------------------------------------------- the list */

export async function ordersView({ root, query, signal }) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : 'active';
  const sel = h('select', { testid: 'orders-filter-status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === status, t: `quarantine.status.${s}` })));
  const statusF = field({ name: 'status', label: 'quarantine.filter_status', input: sel });
  const form = h('form', { class: 'form filters', novalidate: true, testid: 'orders-filters' }, statusF.wrap,
    h('button', { type: 'submit', class: 'btn', testid: 'orders-filter-apply', t: 'tracing.filter_apply' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/quarantine/orders', { status: sel.value }));
  });

  const ul = h('ul', { class: 'cards', testid: 'orders-list' });
  const more = h('button', { type: 'button', class: 'btn btn-block', testid: 'orders-more', t: 'tracing.more', hidden: true });
  const box = h('div', { testid: 'orders-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'orders-view' },
    h('h1', { t: 'quarantine.orders_title' }), h('p', { class: 'lead', t: 'quarantine.orders_lead' }),
    h('p', null, h('a', { href: '#/quarantine', t: 'quarantine.to_compliance' })), form, box));

  let offset = 0;
  async function loadPage() {
    const res = await get('/api/v1/quarantine/orders', { query: { status, limit: PAGE, offset }, signal });
    const list = res.orders || [];
    for (const o of list) ul.appendChild(orderCard(o));
    offset += list.length;
    more.hidden = list.length < PAGE;
  }
  try {
    await loadPage();
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  if (!offset) { replace(box, h('p', { class: 'muted empty', testid: 'orders-empty', t: 'quarantine.no_orders_status' })); return; }
  replace(box, ul, more);
  more.addEventListener('click', async () => {
    try { await withBusy(more, loadPage); } catch (e) { if (!isAbort(e)) box.appendChild(errorBox(e, 'list')); }
  });
}

function orderCard(o) {
  return h('li', { class: 'card', testid: `order-card-${o.id}`, 'data-status': o.status },
    h('div', { class: 'card-main' },
      h('a', { class: 'card-title', href: `#/quarantine/orders/${o.id}`, testid: `order-open-${o.id}` },
        o.full_name || h('span', { t: 'quarantine.order_n', tArgs: { id: o.id } })),
      statusBadge(o.status)),
    h('div', { class: 'card-meta' },
      h('span', null, `${formatDay(o.start_date)} → ${formatDay(o.end_date)}`),
      h('span', { t: `quarantine.kind.${o.kind}` }),
      o.lat == null ? h('span', { class: 'badge badge-off', t: 'quarantine.place_unconfirmed' }) : null,
      unitName(o.commune_code)));
}

/* ---------------------------------------------------------------- a new order */

export async function newOrderView({ root, query }) {
  const personId = query.get('person_id') || '';
  const caseId = query.get('case_id') || '';
  const person = field({ name: 'person_id', label: 'quarantine.person_id', type: 'number', attrs: { value: personId, min: '1', required: true, testid: 'new-order-person' } });
  const kindSel = h('select', { testid: 'new-order-kind' }, ['home', 'centre'].map((k) => h('option', { value: k, t: `quarantine.kind.${k}` })));
  const kind = field({ name: 'kind', label: 'quarantine.kind', input: kindSel });
  const start = field({ name: 'start_date', label: 'quarantine.start_date', type: 'date', attrs: { value: vnDate(Math.floor(Date.now() / 1000)), testid: 'new-order-start' } });
  const days = field({ name: 'days', label: 'quarantine.days', type: 'number', attrs: { value: '14', min: '1', max: '60', testid: 'new-order-days' } });
  const per = field({ name: 'checkins_per_day', label: 'quarantine.per_day', type: 'number', attrs: { value: '2', min: '1', max: '12', testid: 'new-order-per-day' } });
  const radius = field({ name: 'radius_m', label: 'quarantine.radius_m', type: 'number', attrs: { value: '100', min: '10', max: '5000', testid: 'new-order-radius' } });
  const address = field({ name: 'address', label: 'quarantine.address', attrs: { maxlength: '200', testid: 'new-order-address' } });
  const msg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: 'new-order-msg' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'new-order-save', t: 'quarantine.create_order' });
  const form = h('form', { class: 'form', novalidate: true, testid: 'new-order-form' },
    person.wrap, h('div', { class: 'row' }, kind.wrap, start.wrap), h('div', { class: 'row' }, days.wrap, per.wrap, radius.wrap),
    address.wrap, msg, save);
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'new-order-view' },
    h('h1', { t: 'quarantine.new_order' }), h('p', { class: 'lead', t: 'quarantine.new_order_lead' }), form));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, msg);
    const body = (clientId) => {
      const b = {
        client_id: clientId, person_id: Number(person.input.value), kind: kindSel.value,
        start_date: start.input.value, days: Number(days.input.value),
        checkins_per_day: Number(per.input.value), radius_m: Number(radius.input.value),
      };
      if (caseId) b.case_id = Number(caseId);
      if (address.input.value.trim()) b.address = address.input.value.trim();
      return b;
    };
    try {
      const o = await withBusy(save, () => idempotentPost('quarantine.new', '/api/v1/quarantine/orders', body));
      navigate(`#/quarantine/orders/${o.id}`);
    } catch (e) {
      if (!isAbort(e)) showFormError(form, msg, e, 'create');
    }
  });
}

/* ---------------------------------------------------------------- one order */

export async function orderView({ root, params, signal }) {
  const box = h('div', { testid: 'order-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'order-view' },
    h('p', null, h('a', { href: '#/quarantine/orders', t: 'quarantine.back_to_orders' })), box));
  let o;
  let alerts;
  try {
    [o, alerts] = await Promise.all([
      get(`/api/v1/quarantine/orders/${seg(params.id)}`, { signal }),
      get('/api/v1/quarantine/alerts', { query: { order_id: params.id, limit: 200 }, signal }),
    ]);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const rerender = () => { clear(root); orderView({ root, params, signal }); };
  replace(box, orderPage(o, (alerts.alerts || []).filter((a) => a.order_id === o.id), rerender, signal));
}

function orderPage(o, alerts, rerender, signal) {
  const checkins = (o.checkins || []).slice().sort((a, b) => b.at - a.at);
  const placeKnown = o.lat != null && o.lon != null;
  const map = placeMap({
    place: placeKnown ? { lat: o.lat, lon: o.lon } : null,
    radius_m: o.radius_m,
    points: checkins.map((c) => ({ lat: c.lat, lon: c.lon, inside: placeKnown ? !!c.inside : null, label: formatTime(c.at) })),
    testid: 'order-map',
    onPick: o.status === 'active' ? (p) => picked(p) : null,
  });

  /* confirming the place: a point tapped on the map, or one check-in's location */
  const placeMsg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: 'place-msg' });
  const pickedBox = h('p', { class: 'muted', testid: 'place-picked', t: 'quarantine.tap_map' });
  const savePick = h('button', { type: 'button', class: 'btn btn-primary', testid: 'place-save-picked', t: 'quarantine.save_place', hidden: true });
  let pick = null;
  function picked(p) {
    pick = p;
    replace(pickedBox, h('span', { t: 'quarantine.picked', tArgs: { lat: p.lat.toFixed(5), lon: p.lon.toFixed(5) } }));
    savePick.hidden = false;
  }
  async function setPlace(body, btn) {
    clear(placeMsg);
    try {
      await withBusy(btn, () => put(`/api/v1/quarantine/orders/${seg(o.id)}/place`, body));
      rerender();
    } catch (e) {
      if (!isAbort(e)) placeMsg.appendChild(errorBox(e, 'update', 'place-error'));
    }
  }
  savePick.addEventListener('click', () => pick && setPlace({ lat: pick.lat, lon: pick.lon }, savePick));

  const placeState = placeKnown
    ? h('p', { testid: 'place-state', 'data-known': 'true', t: 'quarantine.place_confirmed', tArgs: { lat: o.lat.toFixed(5), lon: o.lon.toFixed(5) } })
    : h('p', { class: 'alert alert-warn', testid: 'place-state', 'data-known': 'false', t: 'quarantine.staff_place_unconfirmed_hint' });

  /* the check-ins, newest first, each with its photo */
  const list = h('ul', { class: 'cards checkins', testid: 'order-checkins' });
  if (!checkins.length) list.appendChild(h('li', { class: 'muted', t: 'quarantine.no_checkins' }));
  for (const c of checkins) {
    const isPlace = placeKnown && o.place_checkin_id === c.id;
    const useBtn = o.status === 'active' && !isPlace
      ? h('button', { type: 'button', class: 'btn btn-small', testid: `place-from-${c.id}`, t: 'quarantine.use_as_home' }) : null;
    if (useBtn) useBtn.addEventListener('click', () => setPlace({ from_checkin_id: c.id }, useBtn));
    let where;
    if (isPlace) where = h('span', { class: 'badge badge-on', testid: `checkin-is-place-${c.id}`, t: 'quarantine.is_the_place' });
    else if (!placeKnown || c.distance_m == null) where = h('span', { class: 'muted', t: 'quarantine.place_unconfirmed' });
    else where = h('span', { class: c.inside ? 'badge badge-on' : 'badge badge-off', t: 'quarantine.distance', tArgs: { m: formatNumber(c.distance_m) } });
    const photo = c.photo
      ? h('img', { class: 'checkin-photo', src: `/api/v1/quarantine/checkins/${seg(c.id)}/photo`, loading: 'lazy', testid: `checkin-photo-${c.id}`, alt: '' })
      : h('p', { class: 'muted small', t: 'quarantine.no_photo' });
    list.appendChild(h('li', { class: 'card', testid: `order-checkin-${c.id}`, 'data-inside': placeKnown ? String(!!c.inside) : '' },
      h('div', { class: 'card-main' }, h('span', { 'data-time': c.at }, formatTime(c.at)), where),
      photo, useBtn));
  }

  const page = h('div', null,
    h('div', { class: 'card-main' }, h('h1', { t: 'quarantine.order_n', tArgs: { id: o.id } }), statusBadge(o.status, 'order-status')),
    h('dl', { class: 'kv' },
      o.full_name ? [h('dt', { t: 'quarantine.person' }), h('dd', { testid: 'order-person' }, o.full_name)] : null,
      h('dt', { t: 'quarantine.kind' }), h('dd', { t: `quarantine.kind.${o.kind}` }),
      h('dt', { t: 'quarantine.period' }), h('dd', { testid: 'order-period' }, `${formatDay(o.start_date)} → ${formatDay(o.end_date)}`),
      h('dt', { t: 'quarantine.place' }), h('dd', { class: 'breakable' }, o.address || '—', ' ', unitName(o.commune_code)),
      h('dt', { t: 'quarantine.radius' }), h('dd', { t: 'quarantine.metres', tArgs: { m: formatNumber(o.radius_m) } })),
    h('h2', { t: 'quarantine.map' }), placeState, map.el,
    o.status === 'active' ? h('div', { class: 'actions' }, pickedBox, savePick) : null, placeMsg,
    h('h2', { t: 'quarantine.alerts' }), alertsList(alerts, signal),
    h('h2', { t: 'quarantine.checkins' }), list,
    o.status === 'active' ? endForm(o, rerender) : null);
  return page;
}

/* ---------------------------------------------------------------- alerts */

/** Alerts with their state, and the buttons that move them on (acknowledge, then resolve with a note). */
export function alertsList(alerts) {
  if (!alerts.length) return h('p', { class: 'muted empty', testid: 'order-alerts-empty', t: 'quarantine.no_alerts' });
  return h('ul', { class: 'cards', testid: 'order-alerts' }, alerts.map((a) => alertCard(a)));
}

function alertState(a) {
  if (a.state) return a.state;
  if (a.resolved_at) return 'resolved';
  if (a.acknowledged_at) return 'acknowledged';
  return 'open';
}

export function alertCard(a) {
  const li = h('li', { class: 'card alert-card', testid: `qalert-${a.id}`, 'data-order': a.order_id });
  function render() {
    const state = alertState(a);
    li.setAttribute('data-state', state);
    li.setAttribute('data-kind', a.kind);
    const msg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: `qalert-msg-${a.id}` });
    const parts = [
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title' }, a.full_name || h('span', { t: 'quarantine.order_n', tArgs: { id: a.order_id } })),
        h('span', { class: 'badge badge-off', t: `quarantine.alert.${a.kind}` }),
        h('span', { class: 'badge', testid: `qalert-state-${a.id}`, t: `quarantine.alert_state.${state}` })),
      h('div', { class: 'card-meta' },
        a.phone ? h('a', { href: `tel:${a.phone}` }, a.phone)
          : a.manager_phone ? h('a', { href: `tel:${a.manager_phone}`, testid: `qalert-manager-phone-${a.id}` }, a.manager_phone) : null,
        h('span', { t: 'quarantine.slot_at', tArgs: { time: a.slot_start ? formatTime(a.slot_start) : '' } }),
        h('a', { href: `#/quarantine/orders/${a.order_id}`, testid: `qalert-order-${a.id}`, t: 'quarantine.open_order' })),
      a.resolution_note ? h('p', { class: 'small breakable', testid: `qalert-note-${a.id}` }, a.resolution_note) : null,
    ];
    if (state === 'open') {
      const ack = h('button', { type: 'button', class: 'btn btn-small', testid: `qalert-ack-${a.id}`, t: 'quarantine.acknowledge' });
      ack.addEventListener('click', async () => {
        try {
          Object.assign(a, await withBusy(ack, () => post(`/api/v1/quarantine/alerts/${seg(a.id)}/acknowledge`, {})));
          render();
        } catch (e) { if (!isAbort(e)) msg.appendChild(errorBox(e, 'update')); }
      });
      parts.push(h('div', { class: 'actions' }, ack));
    }
    if (state !== 'resolved') {
      const note = field({ name: 'note', label: 'quarantine.resolve_note', attrs: { maxlength: '500', testid: `qalert-note-input-${a.id}` } });
      const resolve = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: `qalert-resolve-${a.id}`, t: 'quarantine.resolve' });
      const form = h('form', { class: 'form', novalidate: true }, note.wrap, resolve);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        clearFormErrors(form, msg);
        try {
          Object.assign(a, await withBusy(resolve, () => post(`/api/v1/quarantine/alerts/${seg(a.id)}/resolve`, { note: note.input.value.trim() })));
          render();
        } catch (e) { if (!isAbort(e)) showFormError(form, msg, e, 'update'); }
      });
      parts.push(form);
    }
    parts.push(msg);
    replace(li, ...parts);
  }
  render();
  return li;
}

/* ---------------------------------------------------------------- ending an order */

function endForm(o, rerender) {
  const sel = h('select', { testid: 'end-outcome' }, OUTCOMES.map((k) => h('option', { value: k, t: `quarantine.outcome.${k}` })));
  const outcome = field({ name: 'outcome', label: 'quarantine.outcome', input: sel });
  const reason = field({ name: 'reason', label: 'quarantine.end_reason', hint: 'quarantine.end_reason_hint', attrs: { maxlength: '500', testid: 'end-reason' } });
  const msg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: 'end-msg' });
  const btn = h('button', { type: 'submit', class: 'btn btn-danger', testid: 'end-order', t: 'quarantine.end_order' });
  const form = h('form', { class: 'form', novalidate: true, testid: 'end-form' },
    h('h2', { t: 'quarantine.end_title' }), h('p', { class: 'muted', t: 'quarantine.end_lead' }), outcome.wrap, reason.wrap, msg, btn);
  markI18n(form, 'aria-label', 'quarantine.end_title');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, msg);
    const body = { outcome: sel.value };
    if (reason.input.value.trim()) body.reason = reason.input.value.trim();
    try {
      await withBusy(btn, () => post(`/api/v1/quarantine/orders/${seg(o.id)}/end`, body));
      rerender();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, msg, e, 'update');
    }
  });
  return form;
}
