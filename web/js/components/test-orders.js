// The call list of a sampling day in an area (GET /api/v1/test-orders, docs/api-tracing.md):
// the tracing policy's test orders due that day and the retest orders of positive pools (and
// invalid tubes): who should come to be sampled, whom to call (the person's phone, or the phone
// of the citizen who manages them), and who has been sampled. Recording a sample of the person
// answers the order on the server; the list is read again after each record the server
// confirms. A sampler whose area does not cover the session's commune sees no list.

import { h, replace, loading } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { markI18n } from '../i18n.js';

/** What the order asks for: a retest of a positive pool or an invalid tube, or a contact's test. */
function reasonKey(o) {
  if (o.kind === 'retest') return o.reason === 'invalid' ? 'testing.order_reason.invalid' : 'testing.order_reason.pool_positive';
  return 'testing.order_reason.tracing';
}

function orderRow(o, onTake) {
  const pending = o.status === 'pending';
  const id = `${o.kind || 'tracing'}-${o.id}`;
  // A masked phone (samplers' view) cannot be dialled: it is shown, not linked.
  const callable = o.phone && /^\+?\d+$/.test(o.phone);
  return h('li', { class: 'card', testid: `order-${id}`, 'data-status': o.status, 'data-person': o.person_id, 'data-kind': o.kind || 'tracing' },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, o.full_name || '—'),
      h('span', { class: pending ? 'badge badge-wait' : 'badge badge-on', t: `testing.order.${o.status}` })),
    h('div', { class: 'card-meta' },
      h('span', { class: 'badge', testid: `order-reason-${id}`, t: reasonKey(o) }),
      o.phone ? (callable
        ? h('a', { href: `tel:${o.phone}`, class: 'btn btn-small', testid: `order-call-${id}` }, o.phone)
        : h('span', { testid: `order-phone-${id}` }, o.phone)) : h('span', { class: 'muted', t: 'testing.order_no_phone' }),
      o.phone_of === 'manager' ? h('span', { class: 'muted', testid: `order-manager-${id}`, t: 'testing.order_manager', tArgs: { name: o.manager_name || '' } }) : null),
    // The order names the person on the server (samplers see people masked).
    pending && onTake
      ? h('div', { class: 'card-actions' }, h('button', {
        type: 'button', class: 'btn btn-block', testid: `order-take-${id}`, t: 'testing.order_take', onclick: () => onTake(o),
      }))
      : null);
}

/**
 * { el, refresh() }: the orders of session's commune (or any area unit) due on its date; onTake(order)
 * takes the person (no take buttons without it: a call list only).
 */
export function testOrdersBox(session, signal, onTake) {
  const box = h('div', { testid: 'orders-box' }, loading());
  const summary = h('summary', { testid: 'orders-summary' });
  markI18n(summary, 'text', 'testing.orders', { pending: '…', n: '…' });
  const el = h('details', { class: 'more', testid: 'orders', open: true }, summary, box);
  let timer = null;

  async function load() {
    let res;
    try {
      res = await get('/api/v1/test-orders', { query: { unit: session.commune_code, from: session.date, to: session.date }, signal });
    } catch (e) {
      if (isAbort(e)) return;
      if (e.status === 403) el.remove();
      else replace(box, errorBox(e, 'list'));
      return;
    }
    const orders = res.orders || [];
    markI18n(summary, 'text', 'testing.orders',
      { pending: orders.filter((o) => o.status === 'pending').length, n: orders.length });
    if (!orders.length) {
      replace(box, h('p', { class: 'muted empty', testid: 'orders-empty', t: 'testing.orders_none' }));
      return;
    }
    const ul = h('ul', { class: 'cards', testid: 'orders-list' });
    for (const o of orders) ul.appendChild(orderRow(o, onTake));
    replace(box, ul);
  }

  load();
  return {
    el,
    refresh() {
      clearTimeout(timer);
      timer = setTimeout(load, 300);
    },
  };
}
