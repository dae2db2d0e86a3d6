// Results for people (docs/api-testing.md "Results for people") and the officials' figures
// ("Oversight"): the citizen's "My results" (self and managed family members) shown on the
// citizen home and on its own page, the public lookup by CCCD and date of birth, and the
// figures by commune and day.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatNumber, formatTime, formatDay } from '../i18n.js';
import { testTypeKey } from './testing-collect.js';
import { vnToday } from '../vn-time.js';
import { unitNameEl } from '../units.js';

const STATUSES = ['pending', 'negative', 'positive', 'pool_positive_retest', 'invalid'];

export function statusBadge(status, testid) {
  const cls = status === 'negative' ? 'badge badge-on'
    : status === 'positive' || status === 'pool_positive_retest' ? 'badge badge-off' : 'badge badge-wait';
  return h('span', { class: cls, testid, 'data-status': status, t: `testing.status.${STATUSES.includes(status) ? status : 'pending'}` });
}

/** One person's results as a list (newest first, as the server sends them). */
function resultList(results, testid) {
  if (!results || !results.length) return h('p', { class: 'muted empty', testid: `${testid}-empty`, t: 'testing.no_results' });
  const ul = h('ul', { class: 'cards', testid });
  results.forEach((r, i) => {
    ul.appendChild(h('li', { class: 'card result', testid: `${testid}-${i}`, 'data-status': r.status },
      h('div', { class: 'card-main' },
        h('strong', { class: 'card-title' }, formatDay(r.date)),
        statusBadge(r.status, `${testid}-${i}-status`)),
      h('div', { class: 'card-meta' },
        h('span', { t: testTypeKey(r.test_type) }),
        h('span', null, h('span', { t: 'testing.collected_at' }), ' ', h('span', { 'data-time': r.collected_at }, formatTime(r.collected_at))),
        r.resulted_at ? h('span', null, h('span', { t: 'testing.resulted_at' }), ' ', h('span', { 'data-time': r.resulted_at }, formatTime(r.resulted_at))) : null),
      r.status === 'pool_positive_retest' ? h('p', { class: 'hint', t: 'testing.status_hint.pool_positive_retest' }) : null,
      r.status === 'positive' ? h('p', { class: 'hint', t: 'testing.status_hint.positive' }) : null,
      r.status === 'invalid' ? h('p', { class: 'hint', t: 'testing.status_hint.invalid' }) : null));
  });
  return ul;
}

/** The exposure notification code after a positive result, while it is valid and unused (docs/api-en.md). */
function enCodeBox(res) {
  const digits = String(res.code);
  return h('div', { class: 'card alert en-code', testid: 'en-code', role: 'status' },
    h('h3', { t: 'en.code_title' }),
    h('p', { class: 'en-code-digits', testid: 'en-code-digits', 'aria-label': digits.split('').join(' ') },
      `${digits.slice(0, 4)} ${digits.slice(4)}`),
    h('p', { class: 'hint', t: 'en.code_hint' }),
    h('p', { class: 'muted' }, h('span', { t: 'en.code_valid_until' }), ' ',
      h('span', { testid: 'en-code-expires', 'data-time': res.expires_at }, formatTime(res.expires_at))));
}

/** "My results" for the signed-in citizen: self first, then each managed family member. */
export function myResultsPanel(signal) {
  const box = h('div', { testid: 'my-results-box' }, loading());
  const en = h('div', { testid: 'en-code-box' });
  const el = h('section', { class: 'panel my-results', testid: 'my-results' },
    h('h2', { t: 'testing.my_results' }), en, box);
  (async () => {
    try {
      const res = await get('/api/v1/me/en-code', { signal });
      if (res.code) replace(en, enCodeBox(res));
    } catch (e) {
      if (!isAbort(e)) replace(en, errorBox(e, 'other', 'en-code-error'));
    }
  })();
  (async () => {
    try {
      const res = await get('/api/v1/me/results', { signal });
      const people = res.people || [];
      if (!people.length) { replace(box, h('p', { class: 'muted empty', t: 'testing.no_results' })); return; }
      clear(box);
      for (const p of people) {
        const who = p.person || {};
        box.appendChild(h('div', { class: 'result-person', testid: `results-person-${who.id}` },
          h('h3', { testid: `results-person-name-${who.id}` }, who.full_name || who.code || ''),
          resultList(p.results, `results-${who.id}`)));
      }
    } catch (e) {
      if (!isAbort(e)) replace(box, errorBox(e, 'other', 'my-results-error'));
    }
  })();
  return el;
}

export async function myResultsView({ root, signal }) {
  root.appendChild(h('div', { testid: 'my-results-view' }, myResultsPanel(signal)));
}

/* ---------------------------------------------------------------- public lookup */

export async function lookupView({ root, signal }) {
  const cccd = field({ name: 'cccd', label: 'testing.lookup_cccd', hint: 'hint.cccd',
    attrs: { inputmode: 'numeric', autocomplete: 'off', maxlength: 12, testid: 'lookup-cccd' } });
  const dob = field({ name: 'date_of_birth', label: 'field.date_of_birth', type: 'date',
    attrs: { min: '1900-01-01', max: vnToday(), testid: 'lookup-dob' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'lookup-submit', t: 'testing.lookup_submit' });
  const form = h('form', { class: 'form', testid: 'lookup-form', novalidate: true }, cccd.wrap, dob.wrap, errors, submit);
  const out = h('div', { testid: 'lookup-result', 'aria-live': 'polite' });
  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'lookup-view' },
    h('h1', { t: 'testing.lookup_title' }), h('p', { class: 'lead', t: 'testing.lookup_lead' }), form, out));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    clear(out);
    const body = { cccd: cccd.input.value.replace(/\s/g, ''), date_of_birth: dob.input.value };
    if (!/^\d{9}$|^\d{12}$/.test(body.cccd)) { showFormError(form, errors, { status: 400, code: body.cccd ? 'invalid_field' : 'missing_field', field: 'cccd' }, 'other'); return; }
    if (!body.date_of_birth) { showFormError(form, errors, { status: 400, code: 'missing_field', field: 'date_of_birth' }, 'other'); return; }
    try {
      const res = await withBusy(submit, () => post('/api/v1/results/lookup/cccd', body, { signal, auth: false }));
      replace(out, h('h2', { testid: 'lookup-person' }, (res.person && res.person.code) || ''), resultList(res.results, 'lookup-results'));
    } catch (e) {
      if (isAbort(e)) return;
      if (e.status === 404) replace(out, h('p', { class: 'alert alert-denied', testid: 'lookup-none', t: 'testing.lookup_none' }));
      else showFormError(form, errors, e, 'other');
    }
  });
}

/* ---------------------------------------------------------------- officials' figures */

function duration(s) {
  if (s === null || s === undefined) return '—';
  const m = Math.round(Number(s) / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')}`;
}

export async function statsView({ root, query, signal }) {
  const me = current();
  const unit = field({ name: 'unit', label: 'field.unit_code', hint: 'testing.stats_unit_hint',
    attrs: { autocomplete: 'off', maxlength: 5, inputmode: 'numeric', testid: 'stats-unit', value: query.get('unit') || (me && me.unit_code !== 'VN' ? me.unit_code : '') || '' } });
  const from = field({ name: 'from', label: 'field.since', type: 'date', attrs: { testid: 'stats-from', value: query.get('from') || vnToday() } });
  const to = field({ name: 'to', label: 'field.until', type: 'date', attrs: { testid: 'stats-to', value: query.get('to') || vnToday() } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'stats-submit', t: 'testing.stats_show' });
  const form = h('form', { class: 'form card', testid: 'stats-form', novalidate: true }, h('div', { class: 'row' }, unit.wrap, from.wrap, to.wrap), errors, submit);
  const out = h('div', { testid: 'stats-box' });
  root.appendChild(h('section', { class: 'panel', testid: 'stats-view' }, h('h1', { t: 'testing.stats_title' }), h('p', { class: 'lead', t: 'testing.stats_lead' }), form, out));

  async function load() {
    clearFormErrors(form, errors);
    replace(out, loading());
    let res;
    try {
      res = await get('/api/v1/testing/stats', { query: { unit: unit.input.value.trim(), from: from.input.value, to: to.input.value }, signal });
    } catch (e) {
      if (isAbort(e)) return;
      clear(out);
      if (e.status === 403) out.appendChild(accessDenied()); else showFormError(form, errors, e, 'list');
      return;
    }
    const days = res.days || [];
    if (!days.length) { replace(out, h('p', { class: 'muted empty', testid: 'stats-empty', t: 'testing.stats_none' })); return; }
    const tbody = h('tbody');
    const sum = { people_sampled: 0, tubes: 0, tested: 0, positive: 0, pool_positive: 0, pending: 0 };
    for (const d of days) {
      for (const k of Object.keys(sum)) sum[k] += Number(d[k]) || 0;
      tbody.appendChild(h('tr', { testid: `stats-row-${d.commune_code}-${d.date}` },
        h('td', null, unitNameEl(d.commune_code)), h('td', null, formatDay(d.date)),
        ...['people_sampled', 'tubes', 'tested', 'positive', 'pool_positive', 'pending'].map((k) => h('td', { class: 'num', 'data-col': k }, formatNumber(d[k] || 0))),
        h('td', { class: 'num', 'data-col': 'turnaround' }, duration(d.turnaround_median_s))));
    }
    const tfoot = h('tfoot', null, h('tr', { testid: 'stats-total' }, h('th', { t: 'testing.total' }), h('th'),
      ...Object.keys(sum).map((k) => h('td', { class: 'num', 'data-col': k }, formatNumber(sum[k]))), h('td')));
    replace(out, h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'stats-table' },
      h('thead', null, h('tr', null, ...['commune', 'date', 'sampled', 'tubes', 'tested', 'positive', 'pool_positive', 'pending', 'turnaround']
        .map((k) => h('th', { class: ['commune', 'date'].includes(k) ? null : 'num', t: `testing.stats.${k}` })))), tbody, tfoot)));
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  load();
}
