// Citizens' feedback (docs/api-feedback.md): the citizen's form
// and their reports with status and answer (#/me/feedback), and the health staff's queue
// (#/feedback) where the commune answers, forwards or closes, and each level sees what waits
// at it and what is overdue.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, idempotentPost } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatTime } from '../i18n.js';
import { unitPicker } from '../components/unit-picker.js';
import { blobToDataUrl, currentPosition } from '../components/photo-camera.js';
import { provinceAt } from '../components/province-at.js';
import { getUnit } from '../units.js';

const STATUSES = ['new', 'forwarded', 'answered', 'closed'];

function statusBadge(f) {
  const cls = f.status === 'answered' || f.status === 'closed' ? 'badge badge-on' : 'badge badge-wait';
  return h('span', { class: cls, testid: `feedback-status-${f.id}`, 'data-status': f.status, t: `feedback.status.${f.status}` });
}

/** One report as a card: reference, category, status, level, text, answer. */
function reportCard(f, extra) {
  return h('li', { class: 'card feedback', testid: `feedback-${f.id}`, 'data-status': f.status, 'data-level': f.level, 'data-overdue': String(!!f.overdue) },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, h('span', { t: 'feedback.ref', tArgs: { id: f.id } }), ' · ', h('span', { t: `feedback.category.${f.category}` })),
      statusBadge(f)),
    h('div', { class: 'card-meta' },
      h('span', { 'data-time': f.created_at }, formatTime(f.created_at)),
      h('span', null, f.commune_name || f.commune_code),
      f.level !== 'commune' ? h('span', { class: 'badge badge-off', t: `feedback.level.${f.level}` }) : null,
      f.overdue ? h('span', { class: 'badge badge-off', testid: `feedback-overdue-${f.id}`, t: 'feedback.overdue' }) : null),
    h('p', { class: 'feedback-text' }, f.text),
    f.photo ? h('img', { class: 'feedback-photo', src: `/api/v1/feedback/${seg(f.id)}/photo`, alt: '', loading: 'lazy', testid: `feedback-photo-${f.id}` }) : null,
    f.answer ? h('div', { class: 'alert alert-ok', testid: `feedback-answer-${f.id}` }, h('p', { class: 'alert-title', t: 'feedback.answer_label' }), h('p', null, f.answer)) : null,
    extra || null);
}

/* ---------------------------------------------------------------- the citizen */

export async function myFeedbackView({ root, signal }) {
  const me = current();
  const listBox = h('div', { testid: 'my-feedback' }, loading());
  let cats;
  try {
    cats = (await get('/api/v1/feedback/categories', { signal })).categories;
  } catch (e) {
    if (!isAbort(e)) root.appendChild(errorBox(e, 'other'));
    return;
  }
  const catSelect = h('select', { testid: 'feedback-category' },
    cats.map((c) => h('option', { value: c.code, t: `feedback.category.${c.code}` })));
  const category = field({ name: 'category', label: 'field.category', input: catSelect });
  const textArea = h('textarea', { rows: 5, maxlength: 2000, testid: 'feedback-text' });
  const text = field({ name: 'text', label: 'field.text', input: textArea });
  const home = me && me.person && me.person.commune_code;
  const commune = unitPicker({ name: 'commune_code', legend: 'feedback.commune', testid: 'feedback-commune', initial: home || undefined });
  // "Use my location": the phone's position gives the province (the project ships province
  // outlines only); the picker then lists its districts and the sender picks the commune.
  const locateNote = h('p', { class: 'muted', testid: 'feedback-locate-note', 'aria-live': 'polite' });
  const locate = h('button', { type: 'button', class: 'btn btn-block', testid: 'feedback-locate', t: 'feedback.use_location' });
  locate.addEventListener('click', async () => {
    replace(locateNote);
    try {
      const code = await withBusy(locate, async () => { const p = await currentPosition(); return provinceAt(p.lat, p.lon); });
      if (!code) { replace(locateNote, h('span', { t: 'feedback.location_outside' })); return; }
      await commune.jump(code);
      const province = await getUnit(code);
      replace(locateNote, h('span', { testid: 'feedback-located', 'data-code': code, t: 'feedback.location_province', tArgs: { name: province.name_with_type || province.name } }));
    } catch (e) {
      if (!isAbort(e)) replace(locateNote, h('span', { class: 'alert alert-error', t: 'feedback.no_location' }));
    }
  });
  const phone = field({ name: 'phone', label: 'feedback.phone', type: 'tel',
    attrs: { inputmode: 'tel', autocomplete: 'tel', maxlength: 16, value: (me && me.person && me.person.phone) || '', testid: 'feedback-phone' } });
  const photoInput = h('input', { type: 'file', accept: 'image/jpeg,image/png', capture: 'environment', testid: 'feedback-photo' });
  const photo = field({ name: 'photo', label: 'feedback.photo', input: photoInput });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const done = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'feedback-submit', t: 'feedback.send' });
  const form = h('form', { class: 'form card', testid: 'feedback-form', novalidate: true },
    category.wrap, text.wrap, locate, locateNote, commune.el, phone.wrap, photo.wrap, errors, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    replace(done);
    const body = { category: catSelect.value, text: textArea.value.trim(), commune_code: commune.value() || undefined };
    if (phone.input.value.trim()) body.phone = phone.input.value.trim();
    if (!body.text) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'text' }, 'create'); return; }
    if (!body.commune_code || body.commune_code.length !== 5) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'commune_code' }, 'create'); return; }
    try {
      if (photoInput.files && photoInput.files[0]) body.photo = await blobToDataUrl(photoInput.files[0]);
      const res = await withBusy(submit, () => idempotentPost('feedback', '/api/v1/feedback', (clientId) => ({ client_id: clientId, ...body }), { signal }));
      textArea.value = '';
      photoInput.value = '';
      replace(done, h('p', { class: 'alert alert-ok', testid: 'feedback-sent', t: 'feedback.sent', tArgs: { id: res.id } }));
      await loadMine();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });

  async function loadMine() {
    try {
      const res = await get('/api/v1/feedback', { signal });
      const items = res.feedback || [];
      replace(listBox, items.length
        ? h('ul', { class: 'cards', testid: 'my-feedback-list' }, items.map((f) => reportCard(f)))
        : h('p', { class: 'muted empty', testid: 'my-feedback-empty', t: 'feedback.mine_none' }));
    } catch (e) {
      if (!isAbort(e)) replace(listBox, errorBox(e, 'list'));
    }
  }

  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'my-feedback-view' },
    h('h1', { t: 'feedback.form_title' }), h('p', { class: 'lead', t: 'feedback.form_lead' }), form, done,
    h('h2', { t: 'feedback.mine' }), listBox));
  await loadMine();
}

/* ---------------------------------------------------------------- health staff */

export async function feedbackQueueView({ root, query, signal }) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
  const overdue = query.get('overdue') === '1';
  const statusSel = h('select', { testid: 'queue-status' },
    h('option', { value: '', t: 'feedback.filter_all' }),
    STATUSES.map((s) => h('option', { value: s, selected: s === status, t: `feedback.status.${s}` })));
  const overdueBox = h('input', { type: 'checkbox', checked: overdue, testid: 'queue-overdue' });
  const go = () => {
    const q = new URLSearchParams();
    if (statusSel.value) q.set('status', statusSel.value);
    if (overdueBox.checked) q.set('overdue', '1');
    window.location.hash = `#/feedback${q.toString() ? `?${q}` : ''}`;
  };
  statusSel.addEventListener('change', go);
  overdueBox.addEventListener('change', go);
  const box = h('div', { testid: 'queue-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'feedback-queue-view' },
    h('h1', { t: 'feedback.queue_title' }), h('p', { class: 'lead', t: 'feedback.queue_lead' }),
    h('div', { class: 'filters' },
      h('label', { class: 'field' }, h('span', { t: 'feedback.filter_status' }), statusSel),
      h('label', { class: 'check' }, overdueBox, h('span', { t: 'feedback.filter_overdue' }))),
    box));
  let res;
  try {
    res = await get('/api/v1/feedback', { query: { status: status || undefined, overdue: overdue ? '1' : undefined }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const items = res.feedback || [];
  if (!items.length) { replace(box, h('p', { class: 'muted empty', testid: 'queue-empty', t: 'feedback.queue_none' })); return; }
  const ul = h('ul', { class: 'cards', testid: 'queue-list' });
  for (const f of items) ul.appendChild(queueItem(f, signal));
  replace(box, ul);
}

/** A report in the queue with what staff can do to it. */
function queueItem(f, signal) {
  const li = h('li');
  const render = (x) => {
    const actions = x.status === 'closed' ? null : handling(x, signal, (next, key) => {
      render(next);
      li.firstChild.appendChild(h('p', { class: 'alert alert-ok', testid: `feedback-done-${x.id}`, t: key }));
    });
    const card = reportCard(x, [h('p', { class: 'muted small' }, x.phone || ''), actions]);
    replace(li, card);
  };
  render(f);
  return li;
}

function handling(f, signal, onDone) {
  const answerArea = h('textarea', { rows: 3, maxlength: 2000, testid: `answer-text-${f.id}` });
  const answer = field({ name: 'answer', label: 'field.answer', input: answerArea });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const answerBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: `answer-submit-${f.id}`, t: 'feedback.do_answer' });
  const answerForm = h('form', { class: 'form', testid: `answer-form-${f.id}`, novalidate: true }, answer.wrap, errors, answerBtn);
  answerForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(answerForm, errors);
    if (!answerArea.value.trim()) { showFormError(answerForm, errors, { status: 400, code: 'missing_field', field: 'answer' }, 'update'); return; }
    try {
      const next = await withBusy(answerBtn, () => post(`/api/v1/feedback/${seg(f.id)}/answer`, { answer: answerArea.value.trim() }, { signal }));
      onDone(next, 'feedback.done.answer');
    } catch (e) {
      if (!isAbort(e)) showFormError(answerForm, errors, e, 'update');
    }
  });

  const target = unitPicker({ name: 'unit_code', legend: 'feedback.forward_to', testid: `forward-unit-${f.id}` });
  const fwdErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const fwdNote = field({ name: 'note', label: 'feedback.note', attrs: { maxlength: 500, testid: `forward-note-${f.id}` } });
  const fwdBtn = h('button', { type: 'submit', class: 'btn btn-block', testid: `forward-submit-${f.id}`, t: 'feedback.do_forward' });
  const fwdForm = h('form', { class: 'form', testid: `forward-form-${f.id}`, novalidate: true }, target.el, fwdNote.wrap, fwdErrors, fwdBtn);
  fwdForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(fwdForm, fwdErrors);
    try {
      const body = { unit_code: target.value() };
      if (fwdNote.input.value.trim()) body.note = fwdNote.input.value.trim();
      const next = await withBusy(fwdBtn, () => post(`/api/v1/feedback/${seg(f.id)}/forward`, body, { signal }));
      onDone(next, 'feedback.done.forward');
    } catch (e) {
      if (!isAbort(e)) showFormError(fwdForm, fwdErrors, e, 'update');
    }
  });

  const closeErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const closeBtn = h('button', { type: 'button', class: 'btn btn-block', testid: `close-submit-${f.id}`, t: 'feedback.do_close' });
  closeBtn.addEventListener('click', async () => {
    clear(closeErrors);
    try {
      const next = await withBusy(closeBtn, () => post(`/api/v1/feedback/${seg(f.id)}/close`, {}, { signal }));
      onDone(next, 'feedback.done.close');
    } catch (e) {
      if (!isAbort(e)) closeErrors.appendChild(errorBox(e, 'update'));
    }
  });
  const more = h('details', { class: 'more', testid: `forward-${f.id}` }, h('summary', { t: 'feedback.do_forward' }), fwdForm);
  return h('div', { class: 'feedback-actions' }, f.status === 'answered' ? null : answerForm, f.status === 'answered' ? null : more, closeErrors, closeBtn);
}
