// The lab's pages (docs/api-testing.md "Hand-off to the lab" and "Results"): sessions sent to
// the lab, one session's manifest with the receipt of tubes (scanned or typed; missing and
// unexpected tubes listed), a keyboard-first results page, and result files (check, then apply).

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, seg, isAbort, ApiError } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors, submitFile } from '../errors.js';
import { formatNumber, formatTime, markI18n } from '../i18n.js';
import { qrScanner } from '../components/qr-scanner.js';
import { sessionMeta, TUBE_RE } from './testing-collect.js';

const RESULTS = ['positive', 'negative', 'invalid'];
const RESULT_KEYS = { p: 'positive', n: 'negative', i: 'invalid' };

export function resultBadge(result, testid) {
  const cls = result === 'positive' ? 'badge badge-off' : result === 'negative' ? 'badge badge-on' : result ? 'badge badge-wait' : 'badge';
  return h('span', { class: cls, testid, 'data-result': result || '', t: result ? `testing.result.${result}` : 'testing.result.none' });
}

function ctText(ct) {
  return ct === null || ct === undefined ? '' : Number(ct).toFixed(1);
}

/* ---------------------------------------------------------------- sessions sent to the lab */

export async function labSessionsView({ root, signal }) {
  const box = h('div', { testid: 'lab-sessions-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'lab-view' },
    h('h1', { t: 'testing.lab_title' }),
    h('div', { class: 'tiles' },
      h('a', { class: 'tile tile-primary', href: '#/testing/results', testid: 'go-results', t: 'testing.results_title' }),
      h('a', { class: 'tile', href: '#/testing/import', testid: 'go-import', t: 'testing.import_title' })),
    h('h2', { t: 'testing.lab_sessions' }), box));
  let res;
  try {
    res = await get('/api/v1/testing/sessions', { query: { limit: 200 }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const list = (res.sessions || []).slice().sort((a, b) => (b.date || '').localeCompare(a.date || '') || b.id - a.id);
  if (!list.length) { replace(box, h('p', { class: 'muted empty', testid: 'lab-sessions-empty', t: 'testing.no_sessions_lab' })); return; }
  const ul = h('ul', { class: 'cards', testid: 'lab-sessions' });
  for (const s of list) {
    ul.appendChild(h('li', { class: 'card', testid: `lab-session-${s.id}` },
      h('div', { class: 'card-main' }, h('a', { class: 'card-title', href: `#/testing/lab/${s.id}`, testid: `lab-session-open-${s.id}` }, s.site_name || '')),
      sessionMeta(s)));
  }
  replace(box, ul);
}

/* ---------------------------------------------------------------- manifest and receipt */

export async function manifestView({ root, params, signal }) {
  const box = h('section', { class: 'panel', testid: 'manifest-view' }, loading());
  root.appendChild(box);
  const base = `/api/v1/testing/sessions/${seg(params.id)}/manifest`;
  let m;
  try {
    m = await get(base, { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return;
  }
  const s = m.session || {};
  const tbody = h('tbody');
  const rows = new Map();
  for (const t of m.tubes || []) {
    const got = h('span', { testid: `manifest-received-${t.tube_id}`, 'data-received': String(Boolean(t.received_at)) },
      t.received_at ? formatTime(t.received_at) : '—');
    rows.set(t.tube_id, got);
    tbody.appendChild(h('tr', { testid: `manifest-tube-${t.tube_id}` },
      h('td', null, h('code', null, t.tube_id)),
      h('td', { class: 'num' }, formatNumber((t.people || []).length || t.count || 0)),
      h('td', { t: t.pooled ? 'testing.pooled' : 'testing.single' }),
      h('td', null, got),
      h('td', null, resultBadge(t.result))));
  }
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'manifest-table' },
    h('thead', null, h('tr', null,
      h('th', { t: 'testing.col.tube' }), h('th', { class: 'num', t: 'testing.col.people' }), h('th', { t: 'testing.col.kind' }),
      h('th', { t: 'testing.col.received' }), h('th', { t: 'testing.col.result' }))), tbody));

  /* receipt: ids scanned or typed, then sent together */
  const ids = [];
  const chips = h('ul', { class: 'chips', testid: 'receipt-list' });
  const countEl = h('p', { class: 'meta', testid: 'receipt-count', 'data-count': '0', t: 'testing.receipt_count', tArgs: { n: 0 } });
  function addId(raw) {
    const code = String(raw || '').trim().toUpperCase();
    if (!code || ids.includes(code)) return false;
    ids.push(code);
    chips.appendChild(h('li', { class: `chip${TUBE_RE.test(code) ? '' : ' chip-bad'}`, testid: `receipt-id-${code}` }, code));
    countEl.setAttribute('data-count', String(ids.length));
    markI18n(countEl, 'text', 'testing.receipt_count', { n: ids.length });
    return true;
  }
  const idField = field({ name: 'tubes', label: 'testing.receipt_input', hint: 'testing.receipt_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', testid: 'receipt-input' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const add = h('button', { type: 'submit', class: 'btn', testid: 'receipt-add', t: 'testing.receipt_add' });
  const send = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: 'receipt-submit', t: 'testing.receipt_submit' });
  const out = h('div', { testid: 'receipt-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'form card', testid: 'receipt-form', novalidate: true }, idField.wrap, add, countEl, chips, errors, send, out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // A pasted list (spaces, commas, new lines) adds every id.
    for (const part of idField.input.value.split(/[\s,;]+/)) addId(part);
    idField.input.value = '';
    idField.input.focus();
  });
  const scanner = qrScanner({ signal, testid: 'receipt-scanner', onCode(text) { addId(text); return false; } });
  const scanBtn = h('button', { type: 'button', class: 'btn btn-block', testid: 'receipt-scan', t: 'testing.scan_start' });
  scanBtn.addEventListener('click', async () => {
    if (scanner.running()) { scanner.stop(); markI18n(scanBtn, 'text', 'testing.scan_start'); return; }
    await withBusy(scanBtn, () => scanner.start());
    if (scanner.running()) markI18n(scanBtn, 'text', 'testing.scan_stop');
  });
  send.addEventListener('click', async () => {
    clearFormErrors(form, errors);
    clear(out);
    if (!ids.length) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'tubes' }, 'update'); return; }
    try {
      const r = await withBusy(send, () => post(`/api/v1/testing/sessions/${seg(params.id)}/receipt`, { tubes: ids }, { signal }));
      const now = Math.floor(Date.now() / 1000);
      for (const code of r.received || []) {
        const el = rows.get(code);
        if (el && el.getAttribute('data-received') !== 'true') { el.setAttribute('data-received', 'true'); el.textContent = formatTime(now); }
      }
      replace(out,
        idList('testing.received', r.received, 'receipt-received', 'alert alert-ok'),
        idList('testing.missing', r.missing, 'receipt-missing', 'alert alert-denied'),
        idList('testing.unexpected', r.unexpected, 'receipt-unexpected', 'alert alert-error'));
      ids.length = 0;
      clear(chips);
      countEl.setAttribute('data-count', '0');
      markI18n(countEl, 'text', 'testing.receipt_count', { n: 0 });
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'update');
    }
  });

  replace(box,
    h('p', null, h('a', { href: '#/testing/lab', t: 'testing.back_lab' })),
    h('h1', null, s.site_name || ''),
    sessionMeta(s),
    h('p', { class: 'meta', testid: 'manifest-figures', t: 'testing.manifest_figures', tArgs: { tubes: m.tube_count, people: m.people_count } }),
    h('div', { class: 'actions' },
      h('a', { class: 'btn', href: `${base}?format=csv`, download: '', testid: 'manifest-csv', t: 'testing.manifest_csv' }),
      h('a', { class: 'btn', href: `${base}?format=xlsx`, download: '', testid: 'manifest-xlsx', t: 'testing.manifest_xlsx' })),
    table,
    h('h2', { t: 'testing.receipt_title' }), scanBtn, scanner.el, form);
}

function idList(key, list, testid, cls) {
  const items = list || [];
  return h('div', { class: cls, testid, 'data-count': String(items.length) },
    h('p', { class: 'alert-title', t: key, tArgs: { n: items.length } }),
    items.length ? h('p', { class: 'breakable' }, items.join(', ')) : null);
}

/* ---------------------------------------------------------------- keyboard-first results */

/**
 * Tube id, Enter; P / N / I; Ct (optional), Enter: saved, and the cursor is back on the tube id.
 * Escape goes back to the tube id.  A tube that has a result is corrected the same way, with a
 * reason (required): the answer says what the correction withdrew and whom it told.
 */
export async function resultsView({ root, signal }) {
  const tubeField = field({ name: 'tube_id', label: 'testing.tube_input', hint: 'testing.results_tube_hint',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', maxlength: 10, testid: 'result-tube', autofocus: true } });
  const info = h('div', { class: 'result-tube', testid: 'result-tube-info', 'aria-live': 'polite' });
  const choice = h('div', { class: 'segmented result-choice', role: 'radiogroup', testid: 'result-choice', tabindex: '-1', tLabel: 'testing.col.result' });
  const buttons = {};
  for (const r of RESULTS) {
    buttons[r] = h('button', {
      type: 'button', class: `seg seg-${r}`, role: 'radio', 'aria-checked': 'false', testid: `result-${r}`,
      onclick: () => choose(r),
    }, h('kbd', null, r[0].toUpperCase()), ' ', h('span', { t: `testing.result.${r}` }));
    choice.appendChild(buttons[r]);
  }
  const ctField = field({ name: 'ct', label: 'testing.ct', hint: 'testing.ct_hint',
    attrs: { autocomplete: 'off', inputmode: 'decimal', maxlength: 5, testid: 'result-ct' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const reasonField = field({ name: 'reason', label: 'testing.correct_reason', hint: 'testing.correct_hint',
    attrs: { autocomplete: 'off', maxlength: 500, testid: 'result-reason' } });
  reasonField.wrap.hidden = true;
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'result-save', t: 'testing.result_save' });
  const stepFields = h('div', { class: 'form-fields', testid: 'result-step', hidden: true }, choice, ctField.wrap, reasonField.wrap, save);
  const form = h('form', { class: 'form card', testid: 'result-form', novalidate: true }, tubeField.wrap, info, stepFields, errors);
  const done = h('tbody', { testid: 'result-log' });
  const count = h('p', { class: 'meta', testid: 'result-count', 'data-count': '0', t: 'testing.results_count', tArgs: { n: 0 } });
  root.appendChild(h('section', { class: 'panel', testid: 'results-view' },
    h('p', null, h('a', { href: '#/testing/lab', t: 'testing.back_lab' })),
    h('h1', { t: 'testing.results_title' }),
    h('p', { class: 'lead', t: 'testing.results_lead' }),
    form, count,
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', { t: 'testing.col.tube' }), h('th', { t: 'testing.col.result' }), h('th', { t: 'testing.ct' }),
        h('th', { class: 'num', t: 'testing.col.people' }))), done))));

  let tube = null;      // the tube being entered
  let result = null;
  let entered = 0;

  function choose(r) {
    result = r;
    for (const k of RESULTS) buttons[k].setAttribute('aria-checked', String(k === r));
    stepFields.setAttribute('data-result', r);
    ctField.input.focus();
  }
  function reset() {
    tube = null;
    result = null;
    for (const k of RESULTS) buttons[k].setAttribute('aria-checked', 'false');
    stepFields.hidden = true;
    reasonField.wrap.hidden = true;
    reasonField.input.value = '';
    markI18n(save, 'text', 'testing.result_save');
    ctField.input.value = '';
    tubeField.input.value = '';
    tubeField.input.focus();
  }

  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { ev.preventDefault(); clearFormErrors(form, errors); clear(info); reset(); return; }
    if (!tube || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target === tubeField.input || ev.target === reasonField.input) return;
    const r = RESULT_KEYS[String(ev.key).toLowerCase()];
    if (r) { ev.preventDefault(); choose(r); }
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const code = tubeField.input.value.replace(/\s/g, '').toUpperCase();
    if (!tube || tube.tube_id !== code) {
      // Step 1: the tube.
      if (!TUBE_RE.test(code)) { showFormError(form, errors, { status: 400, code: code ? 'invalid_field' : 'missing_field', field: 'tube_id' }, 'update'); return; }
      try {
        tube = await get(`/api/v1/testing/tubes/${seg(code)}`, { signal });
      } catch (e) {
        tube = null;
        if (!isAbort(e)) { clear(info); showFormError(form, errors, e.status === 404 ? new ApiError({ status: 404, code: 'not_found', field: 'tube_id', message: e.message }) : e, 'update'); }
        return;
      }
      tubeField.input.value = tube.tube_id;
      replace(info,
        h('p', null, h('strong', { class: 'reference', testid: 'result-tube-code' }, tube.tube_id), ' ',
          h('span', { testid: 'result-tube-members', t: 'testing.tube_members', tArgs: { n: (tube.members || []).length } }), ' ',
          tube.result ? resultBadge(tube.result, 'result-tube-current') : null),
        tube.result ? h('p', { class: 'alert alert-denied', testid: 'result-correct-note', t: 'testing.correct_note' }) : null);
      reasonField.wrap.hidden = !tube.result;
      markI18n(save, 'text', tube.result ? 'testing.correct_save' : 'testing.result_save');
      stepFields.hidden = false;
      choice.focus();
      return;
    }
    // Step 2: the result.
    if (!result) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'result' }, 'update'); choice.focus(); return; }
    const body = { tube_id: tube.tube_id, result };
    const ctRaw = ctField.input.value.trim().replace(',', '.');
    if (ctRaw) {
      const ct = Number(ctRaw);
      if (!/^\d{1,2}(\.\d)?$/.test(ctRaw) || !(ct >= 0 && ct <= 50)) { showFormError(form, errors, { status: 400, code: 'invalid_field', field: 'ct' }, 'update'); return; }
      body.ct = ct;
    }
    if (tube.result) { await correct(body); return; }
    try {
      const res = await withBusy(save, () => post('/api/v1/testing/results', body, { signal }));
      entered += 1;
      count.setAttribute('data-count', String(entered));
      markI18n(count, 'text', 'testing.results_count', { n: entered });
      done.insertBefore(h('tr', { testid: `result-row-${res.tube.tube_id}`, 'data-changed': String(res.changed) },
        h('td', null, h('code', null, res.tube.tube_id)),
        h('td', null, resultBadge(res.tube.result)),
        h('td', null, ctText(res.tube.ct)),
        h('td', { class: 'num' }, formatNumber((res.members || []).length))), done.firstChild);
      replace(info, h('p', { class: 'alert alert-ok', testid: 'result-saved', t: res.changed ? 'testing.result_saved' : 'testing.result_unchanged', tArgs: { tube: res.tube.tube_id } }));
      reset();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'update');
    }
  });

  async function correct(body) {
    const reason = reasonField.input.value.trim();
    if (reason.length < 5) {
      showFormError(form, errors, { status: 400, code: reason ? 'invalid_field' : 'missing_field', field: 'reason' }, 'update');
      return;
    }
    const { tube_id: code, ...rest } = body;
    try {
      const res = await withBusy(save, () => post(`/api/v1/testing/results/${seg(code)}/correct`, { ...rest, reason }, { signal }));
      entered += 1;
      count.setAttribute('data-count', String(entered));
      markI18n(count, 'text', 'testing.results_count', { n: entered });
      done.insertBefore(h('tr', { testid: `result-row-${res.tube.tube_id}`, 'data-corrected': 'true' },
        h('td', null, h('code', null, res.tube.tube_id)),
        h('td', null, resultBadge(res.tube.result), ' ', h('span', { class: 'muted', t: 'testing.corrected_mark' })),
        h('td', null, ctText(res.tube.ct)),
        h('td', { class: 'num' }, formatNumber(res.summary.people || 0))), done.firstChild);
      const w = res.withdrawn || {};
      replace(info, h('div', { class: 'alert alert-ok', testid: 'result-corrected', 'data-cases': String(w.cases), 'data-told': String(res.told) },
        h('p', { class: 'alert-title', t: 'testing.corrected', tArgs: { tube: res.tube.tube_id } }),
        h('p', { t: 'testing.corrected_more', tArgs: { cases: w.cases, contacts: w.contacts, orders: w.orders, messages: w.messages, kept: res.kept, told: res.told } })));
      reset();
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'update');
    }
  }
  tubeField.input.focus();
}

/* ---------------------------------------------------------------- result files */


const MAX_FILE = 50 * 1024 * 1024;

export async function importView({ root, signal }) {
  const fileInput = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', testid: 'import-file' });
  const fileField = field({ name: 'file', label: 'testing.import_file', hint: 'testing.import_hint', input: fileInput });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const check = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'import-check', t: 'testing.import_check' });
  const form = h('form', { class: 'form card', testid: 'import-form', novalidate: true }, fileField.wrap, errors, check);
  const report = h('div', { testid: 'import-report', 'aria-live': 'polite' });
  root.appendChild(h('section', { class: 'panel', testid: 'import-view' },
    h('p', null, h('a', { href: '#/testing/lab', t: 'testing.back_lab' })),
    h('h1', { t: 'testing.import_title' }), h('p', { class: 'lead', t: 'testing.import_lead' }), form, report));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(report);
    const res = await submitFile(form, errors, { input: fileInput, button: check, max: MAX_FILE, path: '/api/v1/testing/results/import/check', signal });
    if (res) showCheck(res);
  });

  function showCheck(res) {
    const rows = h('tbody');
    for (const e of res.errors || []) {
      rows.appendChild(h('tr', { testid: `import-error-${e.line}`, 'data-field': e.field || '', 'data-code': e.code || '' },
        h('td', { class: 'num' }, String(e.line)), h('td', null, e.field ? h('span', { t: `testing.import_col.${e.field}` }) : ''),
        h('td', null, importReason(e))));
    }
    const onlyValid = h('input', { type: 'checkbox', testid: 'import-valid-only' });
    const applyBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big btn-block', testid: 'import-apply', t: 'testing.import_apply', disabled: res.valid + res.unchanged === 0 });
    const applyOut = h('div', { testid: 'import-applied', 'aria-live': 'polite' });
    const applyErrors = h('div');
    applyBtn.addEventListener('click', async () => {
      clear(applyErrors);
      if (res.bad > 0 && !onlyValid.checked) { applyErrors.appendChild(h('p', { class: 'alert alert-denied', testid: 'import-need-confirm', t: 'testing.import_need_confirm' })); onlyValid.focus(); return; }
      try {
        const a = await withBusy(applyBtn, () => post('/api/v1/testing/results/import/apply', { token: res.token, apply_valid_only: res.bad > 0 }, { signal }));
        applyBtn.disabled = true;
        replace(applyOut, h('div', { class: 'alert alert-ok', testid: 'import-done', 'data-applied': String(a.applied) },
          h('p', { class: 'alert-title', t: 'testing.import_done', tArgs: { applied: a.applied, unchanged: a.unchanged, people: a.people } }),
          h('p', { t: 'testing.import_done_more', tArgs: { retest: a.retest_orders, cases: a.cases, messages: a.messages } })));
      } catch (e) {
        if (!isAbort(e)) applyErrors.appendChild(errorBox(e, 'create', 'import-apply-error'));
      }
    });
    replace(report,
      h('div', { class: res.bad ? 'alert alert-denied' : 'alert alert-ok', testid: 'import-summary', 'data-bad': String(res.bad), 'data-valid': String(res.valid) },
        h('p', { class: 'alert-title', t: 'testing.import_summary', tArgs: { rows: res.rows, valid: res.valid, unchanged: res.unchanged, bad: res.bad } })),
      res.errors && res.errors.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'import-errors' },
        h('thead', null, h('tr', null, h('th', { class: 'num', t: 'testing.col.line' }), h('th', { t: 'testing.col.field' }), h('th', { t: 'testing.col.reason' }))),
        rows)) : null,
      res.errors_truncated ? h('p', { class: 'muted', t: 'testing.import_truncated' }) : null,
      res.bad > 0 ? h('label', { class: 'check' }, onlyValid, h('span', { t: 'testing.import_valid_only', tArgs: { n: res.valid + res.unchanged } })) : null,
      applyErrors, applyBtn, applyOut);
  }
}

// A bad row of a result file in words: the server's code with the cell at fault; a fault the page
// does not know yet falls back to the server's English sentence.
const IMPORT_FAULTS = ['bad_encoding', 'unterminated', 'too_wide', 'tube_missing', 'tube_invalid', 'tube_duplicate',
  'result_invalid', 'ct_invalid', 'date_invalid', 'date_future', 'tube_unknown', 'date_before_sampling', 'tube_empty',
  'already_resulted'];
function importReason(e) {
  if (!IMPORT_FAULTS.includes(e.code)) return e.reason || '';
  return h('span', {
    t: `testing.import_err.${e.code}`,
    tArgs: { value: e.value || '', line: e.ref_line || '', had: e.had ? { t: `testing.result.${e.had}` } : '' },
  });
}
