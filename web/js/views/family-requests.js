// Family link requests waiting for the commune health station: a citizen asked to manage a
// person already recorded who has no phone to receive a code. Staff approve or refuse each.

import { h, replace, loading, withBusy } from '../dom.js';
import { get, post, seg, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatTime, formatDay } from '../i18n.js';

export async function familyRequestsView({ root, query, signal }) {
  const me = current();
  const unitCode = query.get('unit') || me.unit_code;
  const listBox = h('div', { class: 'list-box', testid: 'family-requests-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'family-requests-view' },
    h('h1', { t: 'family_requests.title' }), h('p', { class: 'lead', t: 'family_requests.lead' }), listBox));

  async function reload() {
    let res;
    try {
      res = await get('/api/v1/family/requests', { query: { unit: unitCode }, signal });
    } catch (e) {
      if (isAbort(e) || signal.aborted) return;
      replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
      return;
    }
    const items = res.requests || [];
    if (!items.length) { replace(listBox, h('p', { class: 'muted empty', testid: 'family-requests-empty', t: 'family_requests.empty' })); return; }
    const ul = h('ul', { class: 'cards', testid: 'family-requests-list' });
    for (const q of items) ul.appendChild(requestCard(q));
    replace(listBox, ul);
  }

  function requestCard(q) {
    const id = q.link_request_id;
    const err = h('div');
    const approve = h('button', { type: 'button', class: 'btn btn-primary', testid: `family-request-approve-${id}`, t: 'family_requests.approve' });
    const refuse = h('button', { type: 'button', class: 'btn btn-danger', testid: `family-request-refuse-${id}`, t: 'family_requests.refuse' });
    const decide = (btn, what) => async () => {
      replace(err);
      try {
        await withBusy(btn, () => post(`/api/v1/family/requests/${seg(id)}/${what}`, {}));
        await reload();
      } catch (e) {
        if (!isAbort(e)) err.appendChild(errorBox(e, 'update'));
      }
    };
    approve.addEventListener('click', decide(approve, 'approve'));
    refuse.addEventListener('click', decide(refuse, 'refuse'));
    const p = q.person || {};
    const by = q.requested_by || {};
    return h('li', { class: 'card', testid: `family-request-${id}` },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title' }, p.full_name || ''),
        h('span', { class: 'muted' }, formatDay(p.date_of_birth))),
      h('dl', { class: 'kv' },
        h('dt', { t: 'family_requests.requested_by' }), h('dd', null, `${by.full_name || ''} ${by.phone || ''}`.trim()),
        h('dt', { t: 'family_requests.asked_at' }), h('dd', null, formatTime(q.created_at))),
      h('div', { class: 'card-actions actions' }, approve, refuse), err);
  }

  await reload();
}
