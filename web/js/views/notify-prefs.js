// On the citizen's home: decline non-essential messages (vaccination invitations, reminders).
// Sign-in codes, results, alerts and quarantine duties always come.

import { h, replace, loading, uid } from '../dom.js';
import { get, put, isAbort } from '../api.js';
import { errorBox } from '../errors.js';

export function notifyPrefsPanel(signal) {
  const box = h('div', { testid: 'notify-prefs-box' }, loading());
  const el = h('section', { class: 'panel', testid: 'notify-prefs' },
    h('h2', { t: 'notify_prefs.title' }), box);
  (async () => {
    let res;
    try {
      res = await get('/api/v1/me/notifications', { signal });
    } catch (e) {
      if (!isAbort(e)) replace(box, errorBox(e, 'other', 'notify-prefs-error'));
      return;
    }
    const id = uid('opt_out');
    const input = h('input', { type: 'checkbox', id, checked: res.opt_out, testid: 'notify-opt-out' });
    const status = h('div', { 'aria-live': 'polite', testid: 'notify-prefs-status' });
    input.addEventListener('change', async () => {
      input.disabled = true;
      replace(status);
      try {
        const r = await put('/api/v1/me/notifications', { opt_out: input.checked });
        input.checked = r.opt_out;
        replace(status, h('p', { class: 'meta', testid: 'notify-prefs-saved', t: r.opt_out ? 'notify_prefs.saved_out' : 'notify_prefs.saved_in' }));
      } catch (e) {
        input.checked = !input.checked;
        if (!isAbort(e)) replace(status, errorBox(e, 'update', 'notify-prefs-error'));
      } finally {
        input.disabled = false;
      }
    });
    replace(box,
      h('label', { class: 'check', htmlFor: id }, input, h('span', { t: 'notify_prefs.opt_out' })),
      h('p', { class: 'hint', t: 'notify_prefs.hint' }), status);
  })();
  return el;
}
