// The tracing policy's test orders due on a sampling session's day in its commune
// (GET /api/v1/test-orders, docs/api-tracing.md): who should come to be sampled, and who has
// been. Recording a sample of the person answers the order on the server; the list is read
// again after each record the server confirms. A sampler whose area does not cover the
// session's commune sees no list.

import { h, replace, loading } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { markI18n } from '../i18n.js';

function orderRow(o, onTake) {
  const pending = o.status === 'pending';
  return h('li', { class: 'card', testid: `order-${o.id}`, 'data-status': o.status, 'data-person': o.person_id },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, o.full_name || `#${o.person_id}`),
      h('span', { class: pending ? 'badge badge-wait' : 'badge badge-on', t: `testing.order.${o.status}` })),
    o.phone ? h('div', { class: 'card-meta' }, h('span', null, o.phone)) : null,
    // Taking by phone and name finds the registered person; without a phone, their card is scanned.
    pending && o.phone && o.full_name
      ? h('div', { class: 'card-actions' }, h('button', {
        type: 'button', class: 'btn btn-block', testid: `order-take-${o.id}`, t: 'testing.order_take', onclick: () => onTake(o),
      }))
      : null);
}

/** { el, refresh() }: the orders of session's commune due on its date; onTake(order) takes the person. */
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
