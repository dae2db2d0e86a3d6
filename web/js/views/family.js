// Family members a citizen manages: list with each member's QR card, add, stop managing.
// A person already recorded is linked only with proof: a code sent to that person's phone
// (typed here) or the commune health station's approval; such requests are listed as pending.

import { h, replace, clear, loading, withBusy, field } from '../dom.js';
import { get, post, del, seg, isAbort } from '../api.js';
import { refreshCitizen } from '../session.js';
import { errorBox, showFormError, clearFormErrors } from '../errors.js';
import { personFields } from '../components/person-form.js';
import { personCard } from '../components/person-card.js';
import { formatNumber, markI18n, formatDay } from '../i18n.js';

export async function familyView({ root, signal }) {
  const listBox = h('div', { testid: 'family-list-box' }, loading());
  const notice = h('div', { 'aria-live': 'polite' });
  const openBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big', testid: 'family-add-open', 'aria-expanded': 'false', t: 'family.add_open' });
  const formBox = h('div');
  const pendingBox = h('div', { testid: 'family-pending-box' });
  root.appendChild(h('section', { class: 'panel', testid: 'family-view' },
    h('h1', { t: 'family.title' }), h('p', { class: 'lead', t: 'family.lead' }),
    h('div', { class: 'actions' }, openBtn), notice, formBox, pendingBox, listBox));

  // A pending link: staff approval is only shown; a code sent to the person's phone is typed here.
  function pendingItem(q) {
    const id = q.link_request_id;
    if (q.proof !== 'code_sent') {
      return h('li', { class: 'card', testid: `pending-${id}` }, h('p', { t: 'family.pending_staff' }));
    }
    const code = field({ name: 'code', label: 'family.code_label', attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}', testid: `pending-code-${id}` } });
    const input = code.input;
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: `pending-confirm-${id}`, t: 'family.code_submit' });
    const form = h('form', { class: 'form', novalidate: true }, code.wrap, errors, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      try {
        const person = await withBusy(submit, () => post('/api/v1/me/family/confirm', { link_request_id: id, code: input.value.trim() }));
        replace(notice, h('p', { class: 'alert alert-ok', role: 'status', testid: 'member-added', t: 'family.added', tArgs: { name: person.full_name || '' } }));
        await refreshCitizen();
        await reload();
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'create');
      }
    });
    return h('li', { class: 'card', testid: `pending-${id}` }, h('p', { t: 'family.pending_code' }), form);
  }

  function showPending(pending) {
    if (!pending.length) { clear(pendingBox); return; }
    const ul = h('ul', { class: 'cards', testid: 'family-pending' });
    for (const q of pending) ul.appendChild(pendingItem(q));
    replace(pendingBox, h('h2', { t: 'family.pending_title' }), ul);
  }

  async function reload() {
    const res = await get('/api/v1/me/family', { signal });
    showPending(res.pending || []);
    const members = res.members || [];
    if (!members.length) { replace(listBox, h('p', { class: 'muted empty', testid: 'family-empty', t: 'family.empty' })); return; }
    const ul = h('ul', { class: 'cards', testid: 'family-list' });
    for (const m of members) ul.appendChild(memberCard(m));
    replace(listBox, h('p', { class: 'meta', t: 'family.count', tArgs: { n: formatNumber(members.length) } }), ul);
  }

  function memberCard(m) {
    const err = h('div');
    const showBtn = h('button', { type: 'button', class: 'btn', testid: `member-card-toggle-${m.id}`, 'aria-expanded': 'false', t: 'family.show_card' });
    const cardBox = h('div');
    const removeBtn = h('button', { type: 'button', class: 'btn btn-danger', testid: `member-remove-${m.id}`, t: 'family.remove' });
    showBtn.addEventListener('click', () => {
      const open = showBtn.getAttribute('aria-expanded') !== 'true';
      showBtn.setAttribute('aria-expanded', String(open));
      if (open) replace(cardBox, personCard(m, { testid: `member-card-${m.id}` })); else clear(cardBox);
    });
    let armed = false;
    removeBtn.addEventListener('click', async () => {
      // Two taps: the first asks for confirmation in place (no blocking dialog on a phone).
      if (!armed) {
        armed = true;
        markI18n(removeBtn, 'text', 'family.remove_confirm');
        return;
      }
      clear(err);
      try {
        await withBusy(removeBtn, () => del(`/api/v1/me/family/${seg(m.id)}`));
        await refreshCitizen();
        await reload();
      } catch (e) {
        if (!isAbort(e)) err.appendChild(errorBox(e, 'update'));
      }
    });
    return h('li', { class: 'card', testid: `member-${m.id}` },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title', testid: `member-name-${m.id}` }, m.full_name || ''),
        h('span', { class: 'muted' }, formatDay(m.date_of_birth))),
      h('div', { class: 'card-actions actions' }, showBtn, removeBtn),
      err, cardBox);
  }

  openBtn.addEventListener('click', () => {
    const open = openBtn.getAttribute('aria-expanded') !== 'true';
    openBtn.setAttribute('aria-expanded', String(open));
    if (!open) { clear(formBox); return; }
    const fields = personFields({ prefix: 'member', phone: true });
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'member-save', t: 'family.add_submit' });
    const form = h('form', { class: 'form card', testid: 'family-add-form', novalidate: true },
      h('h2', { t: 'family.add_title' }), fields.el, errors, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      const body = fields.body();
      for (const k of fields.required) {
        if (!body[k]) { showFormError(form, errors, { status: 400, code: 'missing_field', field: k }, 'create'); return; }
      }
      try {
        const created = await withBusy(submit, () => post('/api/v1/me/family', body));
        clear(formBox);
        openBtn.setAttribute('aria-expanded', 'false');
        if (created && created.status === 'pending') {
          // already recorded: nothing is linked until the proof arrives
          replace(notice, h('p', { class: 'alert', role: 'status', testid: 'member-pending',
            t: created.proof === 'code_sent' ? 'family.pending_code' : 'family.pending_staff' }));
        } else {
          const person = (created && created.person) || created;
          replace(notice, h('p', { class: 'alert alert-ok', role: 'status', testid: 'member-added', t: 'family.added', tArgs: { name: person.full_name || '' } }));
        }
        await refreshCitizen();
        await reload();
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'create');
      }
    });
    replace(formBox, form);
    fields.picker.ready.then(() => form.querySelector('input').focus());
  });

  try {
    await reload();
  } catch (e) {
    if (!isAbort(e)) replace(listBox, errorBox(e, 'other'));
  }
}
