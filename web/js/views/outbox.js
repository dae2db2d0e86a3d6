// Messages leaving the building, for the national admin: each message of the outbox with its
// status (queued, sending, sent, delivered, failed), its tries and last error; a dead (failed)
// message can be queued again. Sign-in codes show masked, as they are stored.

import { h, replace, loading, withBusy, field, tx } from '../dom.js';
import { get, post, seg, isAbort } from '../api.js';
import { link, navigate } from '../router.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatTime, has } from '../i18n.js';

const STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed'];

export async function outboxView({ root, query, signal }) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
  const sel = h('select', { testid: 'outbox-status' },
    h('option', { value: '', selected: !status, t: 'outbox.all' }),
    STATUSES.map((s) => h('option', { value: s, selected: s === status, t: `outbox.status.${s}` })));
  const statusF = field({ name: 'status', label: 'field.status', input: sel });
  sel.addEventListener('change', () => navigate(link('/outbox', { status: sel.value })));
  const listBox = h('div', { class: 'list-box', testid: 'outbox-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'outbox-view' },
    h('h1', { t: 'outbox.title' }), h('p', { class: 'lead', t: 'outbox.lead' }),
    h('div', { class: 'form filters' }, statusF.wrap), listBox));

  async function reload() {
    let res;
    try {
      res = await get('/api/v1/outbox', { query: status ? { status, limit: 200 } : { limit: 200 }, signal });
    } catch (e) {
      if (isAbort(e) || signal.aborted) return;
      replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
      return;
    }
    const items = res.messages || [];
    if (!items.length) { replace(listBox, h('p', { class: 'muted empty', testid: 'outbox-empty', t: 'outbox.empty' })); return; }
    const ul = h('ul', { class: 'cards', testid: 'outbox-list' });
    for (const m of items) ul.appendChild(messageCard(m));
    replace(listBox, h('p', { class: 'meta', testid: 'outbox-count', t: 'outbox.count', tArgs: { n: items.length } }), ul);
  }

  function messageCard(m) {
    const err = h('div');
    let retry = null;
    if (m.status === 'failed') {
      retry = h('button', { type: 'button', class: 'btn btn-primary', testid: `outbox-retry-${m.id}`, t: 'outbox.retry' });
      retry.addEventListener('click', async () => {
        replace(err);
        try {
          await withBusy(retry, () => post(`/api/v1/outbox/${seg(m.id)}/retry`, {}));
          await reload();
        } catch (e) {
          if (!isAbort(e)) err.appendChild(errorBox(e, 'update'));
        }
      });
    }
    const kindKey = `outbox.kind.${m.kind}`;
    const badge = m.status === 'failed' ? 'badge badge-off' : m.status === 'sent' || m.status === 'delivered' ? 'badge badge-on' : 'badge badge-wait';
    return h('li', { class: 'card', testid: `outbox-message-${m.id}`, 'data-status': m.status },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title' }, has(kindKey) ? tx(kindKey) : h('code', null, m.kind)),
        h('span', { class: badge, testid: `outbox-status-${m.id}`, t: `outbox.status.${m.status}` })),
      h('p', { 'data-quoted': '' }, m.body), // the text as it was sent
      h('dl', { class: 'kv' },
        h('dt', { t: 'outbox.recipient' }), h('dd', null, m.recipient),
        h('dt', { t: 'outbox.channel' }), h('dd', null, has(`outbox.channel.${m.channel}`) ? tx(`outbox.channel.${m.channel}`) : m.channel),
        h('dt', { t: 'outbox.created' }), h('dd', null, formatTime(m.created_at)),
        m.sent_at ? [h('dt', { t: 'outbox.sent' }), h('dd', null, formatTime(m.sent_at))] : null,
        m.delivered_at ? [h('dt', { t: 'outbox.delivered' }), h('dd', null, formatTime(m.delivered_at))] : null,
        h('dt', { t: 'outbox.attempts' }), h('dd', { testid: `outbox-attempts-${m.id}` }, String(m.attempts)),
        m.status === 'queued' && m.attempts > 0 ? [h('dt', { t: 'outbox.next_attempt' }), h('dd', null, formatTime(m.next_attempt_at))] : null,
        m.last_error ? [h('dt', { t: 'outbox.last_error' }), h('dd', null, h('code', { class: 'breakable' }, m.last_error))] : null),
      retry ? h('div', { class: 'card-actions actions' }, retry) : null, err);
  }

  await reload();
}
