// Officials' vaccination figures for their area (docs/api-vaccine.md, "Oversight"): coverage by
// commune, day, age group, priority group or product; doses per site per day against the site's
// capacity; adverse events by severity.

import { h, replace, clear, loading, field } from '../dom.js';
import { get, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatNumber, formatDay } from '../i18n.js';
import { todayVn, SEVERITIES } from './vaccine-common.js';
import { vnDaysAgo } from '../vn-time.js';

const BY = ['commune', 'day', 'age_group', 'priority_group', 'product'];
const COVERAGE_COLS = ['doses', 'people', 'first_doses', 'completed', 'boosters'];

function table(testid, heads, rows, foot) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid },
    h('thead', null, h('tr', null, heads.map(([k, num]) => h('th', { class: num ? 'num' : null, t: k })))),
    h('tbody', null, rows), foot ? h('tfoot', null, foot) : null));
}

const num = (v, col) => h('td', { class: 'num', 'data-col': col }, formatNumber(v || 0));

export async function vaxOversightView({ root, query, signal }) {
  const me = current();
  const unit = field({ name: 'unit', label: 'field.unit_code', hint: 'vax.unit_hint',
    attrs: { autocomplete: 'off', maxlength: 5, inputmode: 'numeric', testid: 'ov-unit', value: query.get('unit') || (me && me.unit_code !== 'VN' ? me.unit_code : '') || '' } });
  const from = field({ name: 'from', label: 'field.since', type: 'date', attrs: { testid: 'ov-from', value: query.get('from') || vnDaysAgo(30) } });
  const to = field({ name: 'to', label: 'field.until', type: 'date', attrs: { testid: 'ov-to', value: query.get('to') || todayVn() } });
  const by = field({ name: 'by', label: 'vax.ov_by',
    input: h('select', { testid: 'ov-by' }, BY.map((b) => h('option', { value: b, selected: b === (query.get('by') || 'commune'), t: `vax.ov_by.${b}` }))) });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'ov-submit', t: 'vax.ov_show' });
  const form = h('form', { class: 'form card', testid: 'ov-form', novalidate: true },
    h('div', { class: 'row' }, unit.wrap, from.wrap, to.wrap), by.wrap, errors, submit);
  const coverage = h('div', { testid: 'ov-coverage' });
  const sites = h('div', { testid: 'ov-sites' });
  const adverse = h('div', { testid: 'ov-adverse' });
  root.appendChild(h('section', { class: 'panel', testid: 'ov-view' },
    h('h1', { t: 'vax.ov_title' }), h('p', { class: 'lead', t: 'vax.ov_lead' }), form,
    h('h2', { t: 'vax.ov_coverage' }), coverage,
    h('h2', { t: 'vax.ov_sites' }), sites,
    h('h2', { t: 'vax.ov_adverse' }), adverse));

  async function load() {
    clearFormErrors(form, errors);
    const q = { unit: unit.input.value.trim(), from: from.input.value, to: to.input.value };
    for (const el of [coverage, sites, adverse]) replace(el, loading());
    let cov; let st; let ae;
    try {
      [cov, st, ae] = await Promise.all([
        get('/api/v1/vaccine/oversight/coverage', { query: { ...q, by: by.input.value }, signal }),
        get('/api/v1/vaccine/oversight/sites', { query: q, signal }),
        get('/api/v1/vaccine/oversight/adverse-events', { query: q, signal }),
      ]);
    } catch (e) {
      if (isAbort(e)) return;
      for (const el of [coverage, sites, adverse]) clear(el);
      if (e.status === 403) coverage.appendChild(accessDenied()); else showFormError(form, errors, e, 'list');
      return;
    }
    const covRows = cov.rows || [];
    const sum = Object.fromEntries(COVERAGE_COLS.map((k) => [k, covRows.reduce((a, r) => a + (Number(r[k]) || 0), 0)]));
    replace(coverage, covRows.length
      ? table('ov-coverage-table', [[`vax.ov_by.${cov.by}`], ...COVERAGE_COLS.map((k) => [`vax.ov.${k}`, true])],
        covRows.map((r) => h('tr', { testid: `ov-cov-${r.key}` }, h('td', null, String(r.key)), COVERAGE_COLS.map((k) => num(r[k], k)))),
        h('tr', { testid: 'ov-cov-total' }, h('th', { t: 'testing.total' }), COVERAGE_COLS.map((k) => num(sum[k], k))))
      : h('p', { class: 'muted empty', testid: 'ov-coverage-empty', t: 'vax.ov_none' }));
    const siteRows = st.rows || [];
    replace(sites, siteRows.length
      ? table('ov-sites-table', [['vax.ov.site'], ['vax.ov.day'], ['vax.product'], ['vax.ov.doses', true], ['vax.ov.capacity', true], ['vax.ov.utilisation', true]],
        siteRows.map((r) => h('tr', { testid: `ov-site-${r.site_id}-${r.day}-${r.product}`, class: r.over_capacity ? 'row-over' : null, 'data-over': String(Boolean(r.over_capacity)) },
          h('td', null, r.site_name || ''), h('td', null, formatDay(r.day)), h('td', null, r.product || ''),
          num(r.doses, 'doses'), num(r.capacity, 'capacity'),
          h('td', { class: 'num', 'data-col': 'utilisation' }, r.utilisation === null || r.utilisation === undefined ? '—' : `${Math.round(Number(r.utilisation) * 100)}%`,
            r.over_capacity ? h('span', { class: 'badge badge-off', t: 'vax.ov.over' }) : null))))
      : h('p', { class: 'muted empty', testid: 'ov-sites-empty', t: 'vax.ov_none' }));
    const bySev = ae.by_severity || {};
    replace(adverse, h('dl', { class: 'kv', testid: 'ov-adverse-severity' },
      SEVERITIES.map((s) => [h('dt', { t: `vax.severity.${s}` }), h('dd', { testid: `ov-ae-${s}`, class: 'num' }, formatNumber(bySev[s] || 0))])),
    (ae.rows || []).length
      ? table('ov-adverse-table', [['vax.severity'], ['vax.product'], ['vax.ov.events', true]],
        ae.rows.map((r) => h('tr', null, h('td', { t: `vax.severity.${r.severity}` }), h('td', null, r.product || ''), num(r.events, 'events'))))
      : null);
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  load();
}
