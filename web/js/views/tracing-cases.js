// Cases for tracers and officials (docs/api-tracing.md): the list of cases in the caller's area
// (filtered by status and place, paged), a case's dates corrected in place, a new case entered
// for a person found by phone or CCCD, and on a case's page the people named in the interview
// and a tracing run (or a re-run) with its F1 and F2 counts. Names and words only: units are
// shown by name, statuses as words.

import { h, replace, clear, loading, field, withBusy, setBusy } from '../dom.js';
import { get, post, patch, idempotentPost, fingerprint, seg, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { t, formatTime, formatNumber, markI18n } from '../i18n.js';
import { link, navigate } from '../router.js';
import { getUnit, NATION } from '../units.js';
import { showBanner } from '../banner.js';
import { unitPicker } from '../components/unit-picker.js';
import { vnDate, vnToday, vnDateStart, vnHhmm } from '../vn-time.js';
import { chainView } from './tracing.js';

export const CASE_STATUSES = ['confirmed', 'withdrawn'];
const PAGE = 50;

/* ---------------------------------------------------------------- small pieces */

/** A case's status as a word; a status this page does not know is "other", never the code. */
function caseStatusBadge(status, testid) {
  const known = CASE_STATUSES.includes(status);
  return h('span', { class: `badge case-status status-${known ? status : 'other'}`, testid, 'data-status': status || '',
    t: known ? `cases.status.${status}` : 'cases.status.other' });
}

/** A unit's name, filled in when it arrives: never its code (an ellipsis until then). */
export function unitNameOnly(code, testid) {
  const el = h('span', { class: 'unit-name', testid, 'data-code': code || '' }, code ? '…' : '');
  if (!code) return el;
  if (code === NATION) { markI18n(el, 'text', 'unit.nation'); return el; }
  const unknown = () => markI18n(el, 'text', 'cases.unit_unknown');
  getUnit(code).then((u) => { if (u && (u.name_with_type || u.name)) el.textContent = u.name_with_type || u.name; else unknown(); })
    .catch(unknown);
  return el;
}

/** A day (epoch seconds) as a date in Việt Nam, or "not given". */
function dayText(at) {
  return at ? vnDate(at).split('-').reverse().join('/') : null;
}

function dayEl(at, testid) {
  const txt = dayText(at);
  return txt ? h('span', { testid, 'data-day': vnDate(at) }, txt) : h('span', { class: 'muted', testid, t: 'cases.not_given' });
}

function kvRow(labelKey, value) {
  return h('div', { class: 'kv-row' }, h('dt', { t: labelKey }), h('dd', null, value));
}

/** A YYYY-MM-DD date input inside a labelled field named after the API's field. */
function dateField(name, label, value, testid, { hint, max } = {}) {
  return field({ name, label, type: 'date', hint, attrs: { value: value || '', max: max || vnToday(), testid } });
}

/* ---------------------------------------------------------------- the list */

export async function casesListView({ root, query, signal }) {
  const me = current();
  const q = { status: query.get('status') || '', unit: query.get('unit') || '' };

  const statusSel = h('select', { testid: 'cases-filter-status' }, h('option', { value: '', t: 'cases.all_statuses' }),
    CASE_STATUSES.map((st) => h('option', { value: st, selected: q.status === st, t: `cases.status.${st}` })));
  const statusF = field({ name: 'status', label: 'cases.filter_status', input: statusSel });
  const picker = unitPicker({ rootCode: me.unit_code, initial: q.unit || me.unit_code, name: 'unit', legend: 'cases.filter_place', testid: 'cases-place' });
  const placeBox = h('details', { class: 'place-filter', testid: 'cases-place-box', open: q.unit && q.unit !== me.unit_code ? true : null },
    h('summary', null, h('span', { t: 'cases.place_label' }), unitNameOnly(q.unit || me.unit_code, 'cases-place-current'),
      h('span', { class: 'summary-action', t: 'cases.place_change' })),
    picker.el);
  const filters = h('form', { class: 'form filters', testid: 'cases-filters', novalidate: true },
    statusF.wrap, placeBox,
    h('button', { type: 'submit', class: 'btn', testid: 'cases-filter-apply', t: 'tracing.filter_apply' }));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const unit = picker.value();
    navigate(link('/tracing/cases', { status: statusSel.value, unit: unit && unit !== me.unit_code ? unit : '' }));
  });

  const box = h('div', { testid: 'cases-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'cases-view' },
    h('h1', { t: 'cases.title' }), h('p', { class: 'lead', t: 'cases.lead' }),
    h('p', { class: 'actions' },
      h('a', { class: 'btn btn-primary', href: '#/tracing/cases/new', testid: 'case-new-link', t: 'cases.new' }),
      h('a', { class: 'btn', href: '#/tracing', t: 'cases.to_worklist' })),
    filters, box));

  const ul = h('ul', { class: 'cards cases', testid: 'cases-list' });
  const more = h('button', { type: 'button', class: 'btn btn-block', testid: 'cases-more', t: 'tracing.more', hidden: true });
  let offset = 0;
  async function loadPage() {
    // The place is any province, district or commune code of the caller's area (default: their own).
    const res = await get('/api/v1/tracing/cases', { query: { status: q.status, unit: q.unit, limit: PAGE, offset }, signal });
    const list = res.cases || [];
    for (const c of list) ul.appendChild(caseCard(c));
    offset += list.length;
    more.hidden = list.length < PAGE;
  }
  try {
    await loadPage();
    if (!offset) { replace(box, h('p', { class: 'muted empty', testid: 'cases-empty', t: 'cases.none' })); return; }
    replace(box, ul, more);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  more.addEventListener('click', async () => {
    try {
      await withBusy(more, loadPage);
    } catch (e) {
      if (!isAbort(e)) box.appendChild(errorBox(e, 'list'));
    }
  });
}

/** One case: who, status, the dates and the window, where, and links to its page and to edit. */
function caseCard(c) {
  const dates = h('dl', { class: 'kv', testid: `case-dates-${c.id}` });
  function fillDates() {
    replace(dates,
      kvRow('cases.onset', dayEl(c.onset, `case-onset-${c.id}`)),
      kvRow('cases.sample', dayEl(c.sample_at, `case-sample-${c.id}`)),
      kvRow('cases.confirmed', dayEl(c.confirmed_at, `case-confirmed-${c.id}`)),
      kvRow('cases.isolated', dayEl(c.isolated_at, `case-isolated-${c.id}`)),
      kvRow('cases.window', c.window_from
        ? h('span', { testid: `case-window-${c.id}` }, `${dayText(c.window_from)} – ${dayText(c.window_until)}`)
        : h('span', { class: 'muted', t: 'cases.not_given' })));
  }
  fillDates();

  const edit = caseEditForm(c, () => fillDates());
  return h('li', { class: 'card case', testid: `case-${c.id}`, 'data-person': c.person_id },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title', testid: `case-name-${c.id}` }, c.full_name || t('cases.no_name')),
      caseStatusBadge(c.status, `case-status-${c.id}`)),
    h('div', { class: 'card-meta' },
      h('span', { t: 'cases.number', tArgs: { id: c.id } }),
      unitNameOnly(c.commune_code, `case-commune-${c.id}`)),
    dates,
    h('p', { class: 'actions' },
      h('a', { class: 'btn btn-small', href: `#/tracing/cases/${c.id}`, testid: `case-open-${c.id}`, t: 'cases.open' }),
      h('a', { class: 'btn btn-small', href: link('/tracing', { case_id: c.id }), testid: `case-contacts-${c.id}`, t: 'cases.contacts' })),
    edit);
}

/**
 * The case's days corrected: PATCH with onset, sample_at and isolated_at as epoch seconds (the
 * day's start; isolation by the day's end, or now for today), null for a day cleared. Only what
 * changed is sent; the server traces the case again over its new window and says what it found.
 */
function caseEditForm(c, onSaved) {
  const FIELDS = [
    ['onset', 'cases.onset_date', (d) => vnDateStart(d)],
    ['sample_at', 'cases.sample_date', (d) => vnDateStart(d)],
    ['isolated_at', 'cases.isolated_date', (d) => Math.min(vnDateStart(d) + 86399, Math.floor(Date.now() / 1000))],
  ];
  const inputs = FIELDS.map(([name, label]) => dateField(name, label, c[name] ? vnDate(c[name]) : '', `case-edit-${name}-${c.id}`));
  const errors = h('div', { class: 'form-errors', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: `case-edit-save-${c.id}`, t: 'common.save' });
  const form = h('form', { class: 'form', testid: `case-edit-form-${c.id}`, novalidate: true },
    h('div', { class: 'row' }, inputs.map((f) => f.wrap)), errors, save);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const body = {};
    FIELDS.forEach(([name, , toTime], i) => {
      const v = inputs[i].input.value;
      const was = c[name] ? vnDate(c[name]) : '';
      if (v === was) return;
      body[name] = v ? toTime(v) : null;
    });
    if (!Object.keys(body).length) {
      errors.appendChild(h('p', { class: 'alert alert-ok', role: 'status', t: 'cases.nothing_changed' }));
      return;
    }
    try {
      const res = await withBusy(save, () => patch(`/api/v1/tracing/cases/${seg(c.id)}`, body));
      Object.assign(c, res || {});
      FIELDS.forEach(([name], i) => { inputs[i].input.value = c[name] ? vnDate(c[name]) : ''; });
      onSaved();
      errors.appendChild(h('p', { class: 'alert alert-ok', role: 'status', testid: `case-edit-saved-${c.id}`, t: 'tracing.saved' }));
      if (res && res.run) {
        errors.appendChild(h('p', { class: 'meta', testid: `case-edit-run-${c.id}`, 'data-f1': res.run.f1, 'data-f2': res.run.f2,
          t: 'cases.edit_traced', tArgs: { f1: formatNumber(res.run.f1), f2: formatNumber(res.run.f2) } }));
      }
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'update');
    }
  });
  return h('details', { class: 'case-edit', testid: `case-edit-${c.id}` },
    h('summary', { class: 'btn btn-small', testid: `case-edit-open-${c.id}`, t: 'cases.edit' }), form);
}

/* ---------------------------------------------------------------- finding a person */

/** What was typed: 12 or 9 digits are an identity number, anything else a phone. */
function searchQuery(raw) {
  const v = raw.replace(/[\s.-]/g, '');
  if (/^\d{12}$/.test(v) || /^\d{9}$/.test(v)) return { cccd: v };
  return { phone: v };
}

/** People answering a phone or CCCD, as buttons to choose one. */
function personChoice(p, testid, onPick) {
  return h('li', null, h('button', { type: 'button', class: 'up-option leaf person-option', testid, onclick: () => onPick(p) },
    h('span', { class: 'up-name' }, h('strong', null, p.full_name || t('cases.no_name'))),
    h('span', { class: 'muted up-where' },
      p.date_of_birth ? `${p.date_of_birth.split('-').reverse().join('/')} · ` : '',
      unitNameOnly(p.commune_code))));
}

/* ---------------------------------------------------------------- a new case */

export async function caseNewView({ root, signal }) {
  let person = null;

  const qInput = h('input', { type: 'search', name: 'who', testid: 'case-person-q', inputmode: 'tel', autocomplete: 'off', enterkeyhint: 'search' });
  markI18n(qInput, 'aria-label', 'cases.find_person');
  const findBtn = h('button', { type: 'button', class: 'btn', testid: 'case-person-find', t: 'cases.find' });
  const found = h('div', { class: 'found', testid: 'case-person-results', 'aria-live': 'polite' });
  const chosen = h('p', { class: 'up-selected', testid: 'case-person-chosen', 'aria-live': 'polite' }, h('span', { class: 'muted', t: 'cases.no_person' }));
  const personWrap = h('fieldset', { class: 'field person-field', 'data-field': 'person_id', testid: 'case-person' },
    h('legend', { t: 'cases.person' }),
    h('p', { class: 'hint', t: 'cases.find_hint' }),
    h('div', { class: 'search-row' }, qInput, findBtn), found, chosen);

  const test = dateField('test_date', 'cases.sample_date', vnToday(), 'case-test-date', { hint: 'cases.sample_hint' });
  const onset = dateField('onset_date', 'cases.onset_date_optional', '', 'case-onset-date');
  const isolated = dateField('isolated_date', 'cases.isolated_date_optional', '', 'case-isolated-date');
  const placeBox = h('p', { class: 'meta', testid: 'case-place' }, h('span', { t: 'cases.place_from_person' }));
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'case-submit', t: 'cases.submit' });
  const form = h('form', { class: 'form card', testid: 'case-form', novalidate: true },
    personWrap, h('div', { class: 'row' }, test.wrap, onset.wrap, isolated.wrap), placeBox, errors, submit);

  root.appendChild(h('section', { class: 'panel', testid: 'case-new-view' },
    h('p', null, h('a', { href: '#/tracing/cases', t: 'cases.back' })),
    h('h1', { t: 'cases.new_title' }), h('p', { class: 'lead', t: 'cases.new_lead' }), form));

  function pick(p) {
    person = p;
    clear(found);
    replace(chosen, h('span', { class: 'up-selected-label', t: 'cases.chosen' }), ' ',
      h('strong', { testid: 'case-person-name', 'data-id': p.id }, p.full_name || t('cases.no_name')));
    replace(placeBox, h('span', { t: 'cases.place_is' }), ' ', unitNameOnly(p.commune_code, 'case-place-name'));
  }

  async function find() {
    clearFormErrors(form, errors);
    const raw = qInput.value.trim();
    if (!raw) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'person_id' }, 'other'); return; }
    replace(found, loading('cases.searching'));
    try {
      const res = await withBusy(findBtn, () => get('/api/v1/people/search', { query: { ...searchQuery(raw), limit: 10 }, signal }));
      const list = res.people || [];
      if (!list.length) { replace(found, h('p', { class: 'muted', testid: 'case-person-none', t: 'cases.person_none' })); return; }
      if (list.length === 1) { pick(list[0]); return; }
      replace(found, h('ul', { class: 'up-list' }, list.map((p) => personChoice(p, `case-person-option-${p.id}`, pick))));
    } catch (e) {
      if (isAbort(e)) return;
      clear(found);
      showFormError(form, errors, e, 'other');
      // The search's own fields (phone, cccd) belong to the person field here: say what to type.
      if (e.field === 'phone' || e.field === 'cccd') {
        const key = `error.invalid.${e.field}`;
        markI18n(errors.querySelector('.alert-title'), 'text', key);
        personWrap.classList.add('invalid');
        personWrap.appendChild(h('p', { class: 'field-error', testid: 'field-error-person_id', t: key }));
        qInput.setAttribute('aria-invalid', 'true');
        qInput.focus();
      }
    }
  }
  findBtn.addEventListener('click', find);
  qInput.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); find(); } });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    if (!person) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'person_id' }, 'create'); return; }
    if (!test.input.value) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'test_date' }, 'create'); return; }
    const body = { person_id: person.id, test_date: test.input.value };
    if (onset.input.value) body.onset_date = onset.input.value;
    if (isolated.input.value) body.isolated_date = isolated.input.value;
    try {
      const res = await withBusy(submit, () => idempotentPost(`tracing.case.${fingerprint(body)}`, '/api/v1/tracing/cases',
        (clientId) => ({ client_id: clientId, ...body })));
      showBanner(res.created === false ? 'cases.already' : 'cases.created', 'info');
      navigate(`#/tracing/cases/${res.id}`);
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  qInput.focus();
}

/* ---------------------------------------------------------------- a case's page */

/** The chain (views/tracing.js), then the run and the interview's contacts. */
export async function caseView(ctx) {
  const { root, params, signal } = ctx;
  const chainBox = h('div', { testid: 'case-chain' });
  const extra = h('div', { testid: 'case-tools' });
  root.appendChild(h('div', null, chainBox, extra));
  const chain = await chainView({ ...ctx, root: chainBox });
  if (!chain || signal.aborted) return;
  const f0 = (chain.nodes || []).find((n) => n.degree === 0) || {};
  const reloadChain = async () => {
    const fresh = h('div', { testid: 'case-chain' });
    await chainView({ ...ctx, root: fresh });
    if (!signal.aborted) chainBox.replaceWith(fresh);
  };
  extra.appendChild(runPanel(params.id, signal, reloadChain));
  extra.appendChild(enCodePanel(params.id, signal));
  extra.appendChild(interviewPanel(params.id, f0, signal));
}

/** An exposure notification code for the case, to read out to the person (docs/api-en.md). */
function enCodePanel(caseId, signal) {
  const out = h('div', { testid: 'en-issue-result', 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'btn btn-block', testid: 'en-issue', t: 'en.issue' });
  btn.addEventListener('click', async () => {
    clear(out);
    try {
      const res = await withBusy(btn, () => post('/api/v1/en/codes', { case_id: Number(caseId) }, { signal }));
      const c = String(res.code);
      replace(out, h('div', { class: 'alert alert-ok', testid: 'en-issued', 'data-code': c },
        h('p', { class: 'en-code-digits', testid: 'en-issued-code' }, `${c.slice(0, 4)} ${c.slice(4)}`),
        h('p', { class: 'muted small' }, h('span', { t: 'en.code_valid_until' }), ' ',
          h('span', { 'data-time': res.expires_at }, formatTime(res.expires_at))),
        h('p', { class: 'hint', t: 'en.issue_sent' })));
    } catch (e) {
      if (!isAbort(e)) replace(out, errorBox(e, 'other', 'en-issue-error'));
    }
  });
  return h('section', { class: 'panel', testid: 'en-panel' },
    h('h2', { t: 'en.code_title' }), h('p', { class: 'hint', t: 'en.issue_hint' }), btn, out);
}

/** Runs (or re-runs) the tracing of one case and shows what it found. */
function runPanel(caseId, signal, onDone) {
  const last = h('p', { class: 'meta', testid: 'run-last' });
  const progress = h('p', { class: 'loading', role: 'status', testid: 'run-progress', hidden: true },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { t: 'cases.running' }));
  const result = h('div', { testid: 'run-result-box', 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'run-trace', t: 'cases.run' });
  const worklist = h('a', { class: 'btn btn-block', href: link('/tracing', { case_id: caseId }), testid: 'run-worklist', t: 'cases.run_worklist' });

  function showRun(r, testid) {
    return h('p', { class: testid === 'run-result' ? 'alert alert-ok' : 'meta', testid, 'data-f1': r.f1, 'data-f2': r.f2 },
      h('span', { t: 'cases.run_found', tArgs: { f1: formatNumber(r.f1 ?? 0), f2: formatNumber(r.f2 ?? 0) } }),
      r.created_at ? h('span', { class: 'muted small' }, ' · ', h('span', { 'data-time': r.created_at }, formatTime(r.created_at))) : null);
  }

  get('/api/v1/tracing/runs', { query: { case_id: caseId }, signal }).then((res) => {
    const runs = res.runs || [];
    if (!runs.length) { markI18n(last, 'text', 'cases.never_run'); return; }
    const newest = runs.reduce((a, b) => (b.created_at > a.created_at ? b : a));
    replace(last, h('span', { t: 'cases.last_run' }), ' ', showRun(newest, 'run-last-counts'));
    markI18n(btn, 'text', 'cases.rerun');
  }).catch(() => { /* the button still works */ });

  btn.addEventListener('click', async () => {
    clear(result);
    progress.hidden = false;
    try {
      const res = await withBusy(btn, () => post('/api/v1/tracing/runs', { case_ids: [Number(caseId)] }, { signal }));
      const r = (res.runs || [])[0] || { f1: 0, f2: 0 };
      replace(result, showRun(r, 'run-result'),
        r.created ? null : h('p', { class: 'muted small', testid: 'run-same', t: 'cases.run_same' }));
      markI18n(btn, 'text', 'cases.rerun');
      last.hidden = true;
      await onDone();
    } catch (e) {
      if (!isAbort(e)) replace(result, errorBox(e, 'other', 'run-error'));
    } finally {
      progress.hidden = true;
    }
  });

  return h('section', { class: 'panel', testid: 'run-panel' },
    h('h2', { t: 'cases.run_title' }), h('p', { class: 'hint', t: 'cases.run_hint' }),
    last, btn, progress, result, worklist);
}

const RELATIONS = ['household', 'family', 'work', 'friend', 'neighbour', 'other'];

/** Folded for comparing names typed by hand with the register's: no case, no marks, one space. */
function fold(s) {
  return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd')
    .toLowerCase().replace(/\s+/g, ' ').trim();
}

/** People named in the interview: found by phone (or registered), then recorded as contacts. */
function interviewPanel(caseId, f0, signal) {
  const me = current();
  const name = field({ name: 'full_name', label: 'cases.iv_name', attrs: { autocomplete: 'off', maxlength: 200, testid: 'iv-name' } });
  const phone = field({ name: 'phone', label: 'cases.iv_phone', type: 'tel', attrs: { inputmode: 'tel', autocomplete: 'off', maxlength: 16, testid: 'iv-phone' } });
  const relSel = h('select', { testid: 'iv-relation' }, RELATIONS.map((r) => h('option', { value: r, t: `cases.relation.${r}` })));
  const relation = field({ name: 'relation', label: 'cases.iv_relation', input: relSel });
  const day = h('input', { type: 'date', value: vnToday(), max: vnToday(), testid: 'iv-date' });
  markI18n(day, 'aria-label', 'cases.iv_day');
  const time = h('input', { type: 'time', value: vnHhmm(Math.floor(Date.now() / 1000)), testid: 'iv-time' });
  markI18n(time, 'aria-label', 'cases.iv_time');
  day.id = `iv-day-${caseId}`;
  const when = h('div', { class: 'field', 'data-field': 'contacted_at' },
    h('label', { htmlFor: day.id, t: 'cases.iv_when' }), h('div', { class: 'search-row' }, day, time));
  const where = field({ name: 'note', label: 'cases.iv_where', attrs: { autocomplete: 'off', maxlength: 200, testid: 'iv-where' } });
  const minutes = field({ name: 'minutes', label: 'cases.iv_minutes', type: 'number', attrs: { min: '0', max: '1440', inputmode: 'numeric', testid: 'iv-minutes' } });

  // Shown only when no one on the register has this phone: what registering them needs.
  const dob = field({ name: 'date_of_birth', label: 'field.date_of_birth', type: 'date', attrs: { max: vnToday(), testid: 'iv-dob' } });
  const picker = unitPicker({ rootCode: me.unit_code, initial: f0.commune_code || me.unit_code, name: 'commune_code', legend: 'field.commune_code', testid: 'iv-commune' });
  const register = h('div', { class: 'card', testid: 'iv-register', hidden: true },
    h('p', { class: 'hint', t: 'cases.iv_register_hint' }), dob.wrap, picker.el);
  const choices = h('div', { testid: 'iv-choices', 'aria-live': 'polite' });

  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'iv-submit', t: 'cases.iv_add' });
  const form = h('form', { class: 'form card', testid: 'iv-form', novalidate: true },
    name.wrap, phone.wrap, relation.wrap, when, where.wrap, minutes.wrap, choices, register, errors, submit);
  const added = h('ul', { class: 'cards', testid: 'iv-list' });
  let chosen = null;   // a person chosen among several with this phone
  let lastPhone = '';

  phone.input.addEventListener('input', () => {
    chosen = null;
    clear(choices);
    if (phone.input.value.trim() !== lastPhone) register.hidden = true;
  });

  function reset() {
    for (const f of [name, phone, where, minutes, dob]) f.input.value = '';
    chosen = null;
    clear(choices);
    register.hidden = true;
  }

  async function personFor(nameText, phoneText) {
    if (chosen) return chosen;
    if (!register.hidden) {
      const body = { full_name: nameText, phone: phoneText, date_of_birth: dob.input.value, commune_code: picker.value() };
      for (const k of ['date_of_birth', 'commune_code']) {
        if (!body[k]) throw Object.assign(new Error(k), { status: 400, code: 'missing_field', field: k });
      }
      const res = await post('/api/v1/people', body, { signal });
      return res.person;
    }
    const res = await get('/api/v1/people/search', { query: { phone: phoneText, limit: 10 }, signal });
    const list = res.people || [];
    const same = list.filter((p) => fold(p.full_name) === fold(nameText));
    if (same.length === 1) return same[0];
    lastPhone = phone.input.value.trim();
    if (!list.length) {
      register.hidden = false;
      dob.input.focus();
      return null;
    }
    replace(choices, h('p', { class: 'hint', t: 'cases.iv_choose' }),
      h('ul', { class: 'up-list' }, list.map((p) => personChoice(p, `iv-option-${p.id}`, (picked) => {
        chosen = picked;
        replace(choices, h('p', { class: 'up-selected', testid: 'iv-chosen' }, h('span', { t: 'cases.chosen' }), ' ', h('strong', null, picked.full_name)));
      })), h('li', null, h('button', { type: 'button', class: 'up-option leaf', testid: 'iv-option-new', t: 'cases.iv_someone_else',
        onclick: () => { clear(choices); register.hidden = false; dob.input.focus(); } }))));
    return null;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const nameText = name.input.value.trim();
    const phoneText = phone.input.value.replace(/[\s.-]/g, '');
    for (const [k, v] of [['full_name', nameText], ['phone', phoneText], ['contacted_at', day.value && time.value]]) {
      if (!v) { showFormError(form, errors, { status: 400, code: 'missing_field', field: k }, 'create'); return; }
    }
    const [hh, mm] = time.value.split(':').map(Number);
    const at = vnDateStart(day.value) + hh * 3600 + mm * 60;
    const note = [`${t('cases.iv_relation')}: ${t(`cases.relation.${relSel.value}`)}`,
      where.input.value.trim() ? `${t('cases.iv_where')}: ${where.input.value.trim()}` : null].filter(Boolean).join(' · ');
    setBusy(submit, true);
    try {
      const p = await personFor(nameText, phoneText);
      if (!p) return;
      const body = { case_id: Number(caseId), contact_person_id: p.id, contacted_at: at, note };
      if (minutes.input.value !== '') body.minutes = Number(minutes.input.value);
      const res = await idempotentPost(`tracing.interview.${fingerprint(body)}`, '/api/v1/tracing/interviews',
        (clientId) => ({ client_id: clientId, ...body }), { signal });
      added.appendChild(h('li', { class: 'card', testid: `iv-added-${res.id}`, 'data-person': p.id },
        h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, p.full_name || nameText),
          h('span', { class: 'badge', t: `cases.relation.${relSel.value}` })),
        h('div', { class: 'card-meta' }, h('span', { 'data-time': at }, formatTime(at)),
          where.input.value.trim() ? h('span', { class: 'breakable' }, where.input.value.trim()) : null)));
      reset();
      errors.appendChild(h('p', { class: 'alert alert-ok', role: 'status', testid: 'iv-saved', t: 'cases.iv_saved' }));
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    } finally {
      setBusy(submit, false);
    }
  });

  return h('section', { class: 'panel', testid: 'iv-panel' },
    h('h2', { t: 'cases.iv_title' }), h('p', { class: 'hint', t: 'cases.iv_hint' }), form,
    h('h3', { class: 'sub-label', t: 'cases.iv_added' }), added);
}
