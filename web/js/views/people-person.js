// One person of the registry (docs/api.md "People"): the record and its correction, the printable
// card and the household's sheet of cards, revoking the card, merging a duplicate record into this
// one (each with a confirmation in place, no blocking dialog on a phone), and the timeline of what
// the platforms recorded, each entry linking to its page where there is one, and the messages sent
// to the person's phone with their status.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, patch, post, idempotentPost, seg, isAbort } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatDay, formatTime, markI18n, has } from '../i18n.js';
import { navigate } from '../router.js';
import { unitNameEl as unitName } from '../units.js';
import { personFields } from '../components/person-form.js';
import { personCard } from '../components/person-card.js';
import { showBanner } from '../banner.js';
import { downloadSheet, searchQueries, searchPeople } from './people.js';

/** The page an entry of the timeline links to, or null. */
export function entryLink(e) {
  switch (e.kind) {
    case 'case': case 'contact': return `#/tracing/cases/${e.case_id}`;
    case 'test_order': return e.case_id ? `#/tracing/cases/${e.case_id}` : null;
    case 'quarantine_order': return `#/quarantine/orders/${e.id}`;
    case 'checkin': return `#/venues/${e.venue_id}`;
    case 'sample': return `#/testing/sessions/${e.session_id}`;
    case 'dose': return `#/vaccine/sites/${e.site_id}`;
    default: return null;
  }
}

/** The line that says what an entry is about, beside its kind. */
function entryDetail(e) {
  switch (e.kind) {
    case 'declaration': return [h('span', { t: `people.tl.declaration_kind.${e.declaration_kind}` }), e.flagged ? h('span', { class: 'badge badge-off', t: 'people.tl.flagged' }) : null];
    case 'sample': return [e.tube_code ? h('span', null, e.tube_code) : null, h('span', { class: 'badge', t: `people.tl.sample_status.${e.status}` })];
    case 'dose': return [h('span', { t: 'people.tl.dose_n', tArgs: { n: e.dose_number } }), h('span', null, e.product), h('span', null, e.site_name)];
    case 'checkin': return [h('span', null, e.venue_name)];
    case 'case': return [h('span', { t: 'people.tl.case_n', tArgs: { id: e.case_id } })];
    case 'contact': return [h('span', { t: `people.tl.degree.${e.degree}` }), h('span', { t: 'people.tl.of_case', tArgs: { id: e.case_id } }), h('span', { class: 'badge', t: `people.tl.contact_status.${e.status}` })];
    case 'test_order': return [h('span', { class: 'badge', t: `people.tl.order_status.${e.status}` })];
    case 'quarantine_order': return [h('span', { t: `quarantine.kind.${e.order_kind}` }), h('span', { class: 'badge', t: `quarantine.status.${e.status}` })];
    // a message to the person's phone: its kind, its status and its text as stored (a code masked)
    case 'message': return [
      has(`outbox.kind.${e.message_kind}`) ? h('span', { t: `outbox.kind.${e.message_kind}` }) : null,
      h('span', { class: `badge${e.status === 'failed' ? ' badge-off' : ''}`, testid: `message-status-${e.id}`, t: `outbox.status.${e.status}` }),
      // the text as it was sent (the result SMS says its result in English too): quoted, not our words
      h('span', { class: 'message-body', testid: `message-body-${e.id}`, 'data-quoted': '' }, e.body)];
    default: return [];
  }
}

function timelineEntry(e, i) {
  const href = entryLink(e);
  const title = h('span', { t: `people.tl.kind.${e.kind}` });
  return h('li', { class: 'card timeline-entry', testid: `timeline-${i}`, 'data-kind': e.kind },
    h('div', { class: 'card-main' },
      href ? h('a', { class: 'card-title', href, testid: `timeline-link-${i}` }, title) : h('strong', { class: 'card-title' }, title),
      h('span', { class: 'muted', 'data-time': e.at }, formatTime(e.at))),
    h('div', { class: 'card-meta' }, entryDetail(e)));
}

function details(p) {
  const row = (key, value, testid) => (value ? [h('dt', { t: key }), h('dd', { testid }, value)] : null);
  return h('dl', { class: 'kv person-kv', testid: 'person-details' },
    row('field.date_of_birth', p.date_of_birth && formatDay(p.date_of_birth), 'person-dob'),
    row('field.sex', p.sex && h('span', { t: `sex.${p.sex}` }), 'person-sex'),
    row('field.phone', p.phone, 'person-phone'),
    row('person.id_cccd', p.cccd, 'person-cccd'),
    row('person.id_cmnd', p.cmnd, 'person-cmnd'),
    row('people.bhyt', p.bhyt, 'person-bhyt'),
    row('people.commune', p.commune_code && unitName(p.commune_code), 'person-commune'),
    row('people.street', p.street, 'person-street'),
    row('people.code', p.code, 'person-code'));
}

/** A button that asks again in place before acting: the first tap arms it, the second runs act(). */
function confirmButton({ label, confirm, testid, act }) {
  const btn = h('button', { type: 'button', class: 'btn btn-danger btn-block', testid, t: label });
  const cancel = h('button', { type: 'button', class: 'btn btn-block', testid: `${testid}-cancel`, t: 'people.cancel', hidden: true });
  let armed = false;
  const disarm = () => { armed = false; markI18n(btn, 'text', label); cancel.hidden = true; };
  cancel.addEventListener('click', disarm);
  btn.addEventListener('click', async () => {
    if (!armed) { armed = true; markI18n(btn, 'text', confirm); cancel.hidden = false; return; }
    try { await withBusy(btn, act); } finally { disarm(); }
  });
  return h('div', { class: 'actions-col' }, btn, cancel);
}

export async function personView({ root, params, signal }) {
  const box = h('div', { testid: 'person-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'person-view' },
    h('p', null, h('a', { href: '#/people', t: 'people.back' })), box));
  let data;
  try {
    data = await get(`/api/v1/people/${seg(params.id)}/timeline`, { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const p = data.person;
  if (p.id !== Number(params.id)) { navigate(`#/people/${p.id}`, { replace: true }); return; } // a merged record

  /* correcting the record */
  const editBox = h('div', { testid: 'person-edit-box', hidden: true });
  const editBtn = h('button', { type: 'button', class: 'btn btn-block', testid: 'person-edit', t: 'people.edit' });
  editBtn.addEventListener('click', () => {
    const fields = personFields({ prefix: 'edit-person', phone: true, person: p });
    const msg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: 'edit-person-msg' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'edit-person-save', t: 'common.save' });
    const form = h('form', { class: 'form', novalidate: true, testid: 'edit-person-form' }, fields.el, msg, save);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, msg);
      // Only what changed goes to the server: a field left as it was is not a correction.
      const body = fields.body();
      for (const k of Object.keys(body)) if (body[k] === p[k]) delete body[k];
      if (!Object.keys(body).length) { editBox.hidden = true; editBtn.hidden = false; return; }
      try {
        await withBusy(save, () => patch(`/api/v1/people/${seg(p.id)}`, body));
        showBanner('people.saved', 'info');
        navigate(`#/people/${p.id}`);
      } catch (e) {
        if (!isAbort(e)) showFormError(form, msg, e, 'update');
      }
    });
    replace(editBox, h('h2', { t: 'people.edit' }), form);
    editBox.hidden = false;
    editBtn.hidden = true;
  });

  /* the card, the household's sheet, revoking */
  const cardMsg = h('div', { 'aria-live': 'polite', testid: 'person-card-msg' });
  const householdBtn = p.household_id
    ? h('button', { type: 'button', class: 'btn btn-block', testid: 'person-household-sheet', t: 'people.household_sheet' })
    : null;
  if (householdBtn) {
    householdBtn.addEventListener('click', async () => {
      replace(cardMsg, loading('people.printing'));
      try {
        await withBusy(householdBtn, () => downloadSheet({ household_id: p.household_id }, `the-qr-ho-${p.household_id}`));
        replace(cardMsg, h('p', { class: 'alert alert-ok', testid: 'person-sheet-done', t: 'people.sheet_done' }));
      } catch (e) {
        if (!isAbort(e)) replace(cardMsg, errorBox(e, 'other'));
      }
    });
  }
  const revoke = confirmButton({
    label: 'people.revoke', confirm: 'people.revoke_confirm', testid: 'person-revoke',
    act: async () => {
      try {
        await post(`/api/v1/people/${seg(p.id)}/qr/revoke`, {});
        showBanner('people.revoked', 'info');
        navigate(`#/people/${p.id}`);
      } catch (e) {
        if (!isAbort(e)) replace(cardMsg, errorBox(e, 'other'));
      }
    },
  });

  /* merging a duplicate record into this one */
  const mergeInput = field({ name: 'merge_id', label: 'people.merge_find', hint: 'people.merge_hint',
    attrs: { autocomplete: 'off', maxlength: 100, testid: 'person-merge-input' } });
  const mergeMsg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: 'person-merge-msg' });
  const mergeFound = h('div', { testid: 'person-merge-found' });
  const mergeForm = h('form', { class: 'form', novalidate: true, testid: 'person-merge-form' }, mergeInput.wrap, mergeMsg,
    h('button', { type: 'submit', class: 'btn btn-block', testid: 'person-merge-find', t: 'people.merge_search' }), mergeFound);
  mergeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(mergeForm, mergeMsg);
    clear(mergeFound);
    // Only a number or a code names a record to merge: a name could be anyone.
    const queries = searchQueries(mergeInput.input.value).filter((q) => !q.q);
    if (!queries.length) { showFormError(mergeForm, mergeMsg, { status: 400, code: 'invalid_field', field: 'merge_id' }, 'other'); return; }
    let list;
    try {
      list = (await searchPeople(queries)).filter((x) => x.id !== p.id);
    } catch (e) {
      if (!isAbort(e)) showFormError(mergeForm, mergeMsg, { ...e, field: 'merge_id' }, 'other');
      return;
    }
    if (!list.length) { replace(mergeFound, h('p', { class: 'muted', testid: 'person-merge-none', t: 'people.merge_none' })); return; }
    const other = list[0];
    const result = h('div', { 'aria-live': 'polite' });
    replace(mergeFound,
      h('div', { class: 'card', testid: 'person-merge-candidate' },
        h('strong', null, other.full_name || ''), ' ',
        h('span', { class: 'muted' }, [other.date_of_birth && formatDay(other.date_of_birth), other.code].filter(Boolean).join(' · '))),
      h('p', { t: 'people.merge_explain', tArgs: { keep: p.full_name || p.code, other: other.full_name || other.code } }),
      confirmButton({
        label: 'people.merge', confirm: 'people.merge_confirm', testid: 'person-merge',
        act: async () => {
          try {
            await idempotentPost(`people.merge.${p.id}.${other.id}`, '/api/v1/people/merge',
              (clientId) => ({ keep_id: p.id, merge_id: other.id, client_id: clientId }));
            showBanner('people.merged', 'info');
            navigate(`#/people/${p.id}`);
          } catch (e) {
            if (!isAbort(e)) replace(result, errorBox(e, 'other', 'person-merge-error'));
          }
        },
      }), result);
  });

  const entries = data.entries || [];
  replace(box,
    h('h1', { testid: 'person-name' }, p.full_name || h('span', { t: 'people.no_name' })),
    details(p), editBtn, editBox,
    h('h2', { t: 'people.timeline' }),
    entries.length
      ? h('ol', { class: 'cards timeline', testid: 'person-timeline' }, entries.map(timelineEntry))
      : h('p', { class: 'muted', testid: 'person-timeline-empty', t: 'people.timeline_empty' }),
    h('h2', { t: 'people.card' }),
    personCard(p, { testid: 'person-card' }),
    householdBtn, cardMsg,
    h('p', { class: 'muted', t: 'people.revoke_hint' }), revoke,
    h('h2', { t: 'people.merge_title' }), h('p', { class: 'muted', t: 'people.merge_lead' }), mergeForm);
}
