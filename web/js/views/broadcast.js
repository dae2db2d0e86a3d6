// An official's message to the staff of an area by role (the community COVID teams of a
// commune): every active account of that role in the unit and below it gets an SMS.

import { h, replace, field, withBusy } from '../dom.js';
import { post, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox } from '../errors.js';
import { ALL_ROLES, roleKey } from '../roles.js';
import { unitPicker } from '../components/unit-picker.js';

const MAX = 480;

export async function broadcastView({ root }) {
  const me = current();
  const picker = unitPicker({ rootCode: me.unit_code, initial: me.unit_code, name: 'unit', legend: 'field.unit', testid: 'broadcast-unit' });
  const roleSel = h('select', { testid: 'broadcast-role', required: true },
    ALL_ROLES.map((r) => h('option', { value: r, selected: r === 'tracer', t: roleKey(r) })));
  const roleF = field({ name: 'role', label: 'field.role', input: roleSel });
  const text = h('textarea', { rows: 4, maxlength: MAX, required: true, testid: 'broadcast-text' });
  const textF = field({ name: 'text', label: 'broadcast.text', input: text, hint: 'broadcast.text_hint' });
  const count = h('p', { class: 'meta', testid: 'broadcast-chars', t: 'broadcast.chars', tArgs: { n: 0, max: MAX } });
  text.addEventListener('input', () => replace(count, h('span', { t: 'broadcast.chars', tArgs: { n: text.value.length, max: MAX } })));
  const send = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'broadcast-send', t: 'broadcast.send' });
  const result = h('div', { testid: 'broadcast-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', testid: 'broadcast-form', novalidate: true },
    picker.el, roleF.wrap, textF.wrap, count, send, result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(result);
    try {
      const r = await withBusy(send, () => post('/api/v1/notify/broadcast',
        { unit_code: picker.value(), role: roleSel.value, text: text.value }));
      replace(result, h('p', { class: 'alert alert-ok', testid: 'broadcast-done', t: 'broadcast.done', tArgs: { n: r.queued } }),
        r.by_email ? h('p', { class: 'alert alert-ok', testid: 'broadcast-by-email', t: 'broadcast.by_email', tArgs: { n: r.by_email } }) : null,
        r.unreachable ? h('p', { class: 'alert alert-warn', testid: 'broadcast-unreachable', t: 'broadcast.without_phone', tArgs: { n: r.unreachable } }) : null);
      text.value = '';
      text.dispatchEvent(new Event('input'));
    } catch (e) {
      if (!isAbort(e)) replace(result, errorBox(e, 'create', 'broadcast-error'));
    }
  });
  root.appendChild(h('section', { class: 'panel', testid: 'broadcast-view' },
    h('h1', { t: 'broadcast.title' }), h('p', { class: 'lead', t: 'broadcast.lead' }), form));
}
