// The callbot, for the officials of an area and its tracers: start a call list (the F1 not yet
// reached, or the people due for a quarantine check-in), then follow each call: its status, its
// tries and the keypad answers (symptoms, exposure, need for help). The list refreshes itself
// while calls are waiting or under way.

import { h, replace, loading, withBusy } from '../dom.js';
import { get, post, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatTime, has } from '../i18n.js';
import { unitPicker } from '../components/unit-picker.js';

const REFRESH_MS = 4000;
const BADGES = { queued: 'badge badge-wait', calling: 'badge badge-wait', answered: 'badge badge-on', failed: 'badge badge-off' };

export async function callbotView({ root, signal }) {
  const me = current();
  const picker = unitPicker({
    rootCode: me.unit_code, initial: me.unit_code, name: 'unit', legend: 'field.unit', testid: 'callbot-unit',
    onChange: () => reload(),
  });
  const startF1 = h('button', { type: 'button', class: 'btn btn-primary', testid: 'callbot-start-f1', t: 'callbot.start_f1' });
  const startCheckin = h('button', { type: 'button', class: 'btn btn-primary', testid: 'callbot-start-checkin', t: 'callbot.start_checkin' });
  const result = h('div', { testid: 'callbot-result', 'aria-live': 'polite' });
  const notice = h('div', { testid: 'callbot-notice' });
  const listBox = h('div', { class: 'list-box', testid: 'callbot-box', 'aria-live': 'polite' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'callbot-view' },
    h('h1', { t: 'callbot.title' }), h('p', { class: 'lead', t: 'callbot.lead' }),
    h('div', { class: 'form' }, picker.el, h('div', { class: 'actions' }, startF1, startCheckin), result),
    notice, h('h2', { t: 'callbot.calls' }), listBox));

  async function start(button, reason) {
    replace(result);
    try {
      const r = await withBusy(button, () => post('/api/v1/callbot/lists', { reason, unit: picker.value() }));
      replace(result, h('p', { class: 'alert alert-ok', testid: 'callbot-started', t: 'callbot.started', tArgs: { n: r.queued } }));
      await reload();
    } catch (e) {
      if (!isAbort(e)) replace(result, errorBox(e, 'create', 'callbot-error'));
    }
  }
  startF1.addEventListener('click', () => start(startF1, 'f1'));
  startCheckin.addEventListener('click', () => start(startCheckin, 'checkin'));

  let timer = null;
  let pending = 0; // calls queued or calling at the last look: keep looking while there are some
  signal.addEventListener('abort', () => clearTimeout(timer));
  async function reload() {
    clearTimeout(timer);
    let res;
    try {
      res = await get('/api/v1/callbot/calls', { query: { unit: picker.value() || me.unit_code }, signal });
    } catch (e) {
      if (isAbort(e) || signal.aborted) return;
      replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
      // A server busy for a moment must not freeze the list: try again while calls were pending.
      if (pending && e.status !== 403) timer = setTimeout(reload, REFRESH_MS);
      return;
    }
    replace(notice, res.enabled ? null
      : h('p', { class: 'alert alert-warn', testid: 'callbot-disabled', t: 'callbot.disabled' }));
    const calls = res.calls || [];
    if (!calls.length) {
      pending = 0;
      replace(listBox, h('p', { class: 'muted empty', testid: 'callbot-empty', t: 'callbot.empty' }));
      return;
    }
    pending = calls.filter((c) => c.status === 'queued' || c.status === 'calling').length;
    const ul = h('ul', { class: 'cards', testid: 'callbot-list' });
    for (const c of calls) ul.appendChild(callCard(c));
    replace(listBox,
      h('p', { class: 'meta', testid: 'callbot-count', t: pending ? 'callbot.count_pending' : 'callbot.count', tArgs: { n: calls.length, pending } }),
      ul);
    if (pending && !signal.aborted) timer = setTimeout(reload, REFRESH_MS);
  }

  await picker.ready;
  await reload();
}

function answer(v) {
  if (v === null || v === undefined) return h('span', { class: 'muted', t: 'callbot.answer.none' });
  return h('strong', { t: v ? 'callbot.answer.yes' : 'callbot.answer.no' });
}

function callCard(c) {
  const errKey = c.last_error ? `callbot.error.${c.last_error}` : null;
  return h('li', { class: 'card', testid: `callbot-call-${c.id}`, 'data-status': c.status },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, c.full_name || c.phone),
      h('span', { class: BADGES[c.status] || 'badge', testid: `callbot-status-${c.id}`, t: `callbot.status.${c.status}` })),
    h('dl', { class: 'kv' },
      h('dt', { t: 'callbot.phone' }), h('dd', null, c.phone),
      h('dt', { t: 'callbot.reason' }), h('dd', { t: `callbot.reason.${c.reason}` }),
      c.commune_name ? [h('dt', { t: 'field.unit' }), h('dd', null, c.commune_name)] : null,
      h('dt', { t: 'callbot.attempts' }), h('dd', { testid: `callbot-attempts-${c.id}` }, String(c.attempts)),
      c.next_attempt_at && c.attempts > 0 ? [h('dt', { t: 'callbot.next_attempt' }), h('dd', null, formatTime(c.next_attempt_at))] : null,
      errKey && c.status !== 'answered' ? [h('dt', { t: 'callbot.last_error' }), h('dd', { testid: `callbot-error-${c.id}`, t: has(errKey) ? errKey : 'callbot.error.other' })] : null,
      h('dt', { t: 'callbot.q.symptoms' }), h('dd', { testid: `callbot-symptoms-${c.id}` }, answer(c.answers.symptoms)),
      h('dt', { t: 'callbot.q.exposure' }), h('dd', { testid: `callbot-exposure-${c.id}` }, answer(c.answers.exposure)),
      h('dt', { t: 'callbot.q.need_help' }), h('dd', { testid: `callbot-help-${c.id}` }, answer(c.answers.need_help)),
      c.declaration_ref ? [h('dt', { t: 'callbot.declaration' }), h('dd', { testid: `callbot-ref-${c.id}` }, h('code', { class: 'breakable' }, c.declaration_ref))] : null,
      h('dt', { t: 'callbot.updated' }), h('dd', null, formatTime(c.updated_at))));
}
