// The situation of an area (docs/api-situation.md): for the official's unit, or a unit below it,
// the figures of the day and of the 7 and 14 days up to it, then one card per unit below and the
// "unknown place" card. The home page of every official.

import { h, replace, loading, field } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatDay, formatNumber } from '../i18n.js';
import { link, navigate } from '../router.js';
import * as session from '../session.js';
import { vnToday } from '../vn-time.js';
import { situationCharts } from '../components/situation-charts.js';
import { provinceChoropleth } from '../components/province-choropleth.js';
import { workView } from './work.js';

const WINDOWS = ['today', '7d', '14d'];

// The figures of the summary, by section; the list page behind each figure (within an official's access).
const SECTIONS = [
  ['cases', [['new_f0', '/tracing/cases'], ['new_f0_in_quarantine', '/tracing/cases'], ['new_f0_community', '/tracing/cases']]],
  ['contacts', [['f1_found', '/tracing'], ['f1_reached', '/tracing'], ['f1_to_reach', '/tracing'],
    ['f2_found', '/tracing'], ['f2_reached', '/tracing'], ['f2_to_reach', '/tracing']]],
  ['quarantine', [['in_quarantine', '/quarantine/orders'], ['open_alerts', '/quarantine']]],
  ['testing', [['samples_taken', '/testing/stats'], ['tests_resulted', '/testing/stats'], ['tests_positive', '/testing/stats'],
    ['positivity', '/testing/stats'], ['results_pending', '/testing/stats'], ['turnaround_median_hours', '/testing/stats']]],
  ['vaccination', [['doses_given', '/vaccine/oversight'], ['first_doses_given', '/vaccine/oversight'],
    ['second_doses_given', '/vaccine/oversight'], ['later_doses_given', '/vaccine/oversight'], ['vaccinated_dose1', '/vaccine/oversight'],
    ['vaccinated_full', '/vaccine/oversight'], ['vaccinated_booster', '/vaccine/oversight'],
    ['vaccinated_dose1_18', '/vaccine/oversight'], ['vaccinated_dose1_50', '/vaccine/oversight'],
    ['vaccinated_dose1_65', '/vaccine/oversight'], ['vaccinated_full_18', '/vaccine/oversight'],
    ['vaccinated_full_50', '/vaccine/oversight'], ['vaccinated_full_65', '/vaccine/oversight']]],
  ['coverage', [['coverage_dose1', '/populations'], ['coverage_full', '/populations'], ['coverage_booster', '/populations'],
    ['coverage_dose1_18', '/populations'], ['coverage_dose1_50', '/populations'], ['coverage_dose1_65', '/populations'],
    ['coverage_full_18', '/populations'], ['coverage_full_50', '/populations'], ['coverage_full_65', '/populations']]],
  ['declarations', [['declarations_flagged', null], ['declarations_entry', null], ['declarations_travel', null]]],
  ['checkins', [['checkins', '/reports/checkins']]],
  ['feedback', [['feedback_received', '/feedback'], ['feedback_open', '/feedback']]],
];

// The few figures a unit's card shows.
const CARD = ['new_f0', 'f1_to_reach', 'in_quarantine', 'open_alerts', 'positivity', 'coverage_dose1', 'declarations_flagged'];

function value(v) {
  if (v === null || v === undefined) return '—';
  return formatNumber(v);
}

/** One figure as text: a count, a share as a percentage; a coverage without a population says so. */
function show(name, v) {
  if (name.startsWith('coverage_') && (v === null || v === undefined)) return h('span', { class: 'muted', t: 'situation.no_population' });
  if (v === null || v === undefined) return '—';
  if (name === 'positivity' || name.startsWith('coverage_')) return `${formatNumber(Math.round(v * 1000) / 10)} %`;
  return value(v);
}

function figureLink(name, path, unit, text) {
  if (!path) return text;
  return h('a', { href: link(path, { unit }), testid: `fig-link-${name}` }, text);
}

/** The summary: a figure per row, the three windows (or one value as of the day) per column. */
function summaryTable(f, unit) {
  const body = [];
  for (const [section, figs] of SECTIONS) {
    body.push(h('tr', { class: 'sit-section' }, h('th', { colspan: 4, scope: 'colgroup', t: `situation.section.${section}` })));
    for (const [name, path] of figs) {
      const v = f[name];
      const cells = typeof v === 'object' && v !== null
        ? WINDOWS.map((w) => h('td', { class: 'num', 'data-window': w }, show(name, v[w])))
        : [h('td', { class: 'num', colspan: 3, 'data-window': 'asof' }, show(name, v))];
      body.push(h('tr', { testid: `fig-${name}` },
        h('th', { scope: 'row' }, figureLink(name, path, unit, h('span', { t: `situation.fig.${name}` }))), ...cells));
    }
  }
  return h('table', { class: 'table sit-table', testid: 'situation-summary' },
    h('thead', null, h('tr', null, h('th', { t: 'situation.figure' }),
      ...WINDOWS.map((w) => h('th', { class: 'num', t: `situation.window.${w}` })))),
    h('tbody', null, body));
}

function unitCard(code, title, f, { drill, testid, titleKey }) {
  const head = drill ? h('a', { href: link('/situation', { unit: code }), class: 'card-title', testid: `drill-${code}` }, title)
    : h('strong', { class: 'card-title', t: titleKey }, title);
  return h('li', { class: 'card sit-card', testid, 'data-new-f0-7d': f.new_f0['7d'] },
    h('div', { class: 'card-main' }, head),
    h('dl', { class: 'kv' }, CARD.map((name) => {
      const v = f[name];
      const shown = typeof v === 'object' && v !== null ? `${show(name, v.today)} / ${show(name, v['7d'])}` : show(name, v);
      return [h('dt', { t: `situation.card.${name}` }), h('dd', { class: 'num' }, shown)];
    })));
}

// The figures the nation's map may show, each province's value of the 7 days or as of the day.
const MAP_FIGURES = ['new_f0', 'new_f0_community', 'in_quarantine', 'positivity', 'tests_resulted', 'coverage_dose1', 'coverage_full'];
const SHADES = ['#fff3e0', '#ffcc80', '#ffa726', '#ef6c00', '#b71c1c'];

function mapValue(f, name) {
  const v = f[name];
  return typeof v === 'object' && v !== null ? v['7d'] : v;
}

/** The nation: a map of the provinces shaded by the chosen figure (five steps up to the highest). */
function figureMap(s) {
  const select = h('select', { testid: 'map-figure' }, MAP_FIGURES.map((n) => h('option', { value: n, t: `situation.fig.${n}` })));
  const chosen = field({ name: 'map_figure', label: 'situation.map_figure', input: select });
  const box = h('div', { testid: 'situation-map-box' });
  const byCode = new Map(s.rows.map((r) => [r.code, r]));
  function draw() {
    const name = select.value;
    const values = s.rows.map((r) => mapValue(r.figures, name)).filter((v) => typeof v === 'number');
    const max = Math.max(0, ...values);
    const m = provinceChoropleth({
      testid: 'situation-map',
      fill: (gso) => {
        const r = byCode.get(gso);
        const v = r ? mapValue(r.figures, name) : null;
        if (typeof v !== 'number') return null;
        const step = max > 0 ? Math.min(4, Math.floor((v / max) * 5)) : 0;
        return { colour: SHADES[step], label: `${r.name}: ${typeof show(name, v) === 'string' ? show(name, v) : ''}` };
      },
      onPick: (gso) => navigate(link('/situation', { unit: gso, date: s.date })),
    });
    m.el.setAttribute('data-figure', name);
    replace(box, m.el);
  }
  select.addEventListener('change', draw);
  draw();
  return h('div', null, h('h2', { t: 'situation.map' }), chosen.wrap, box);
}

export async function situationView({ root, query, signal }) {
  const me = session.current() || {};
  const unit = query.get('unit') || '';
  const date = query.get('date') || '';
  const dateF = field({ name: 'date', label: 'situation.date', type: 'date', attrs: { value: date || vnToday(), max: vnToday(), testid: 'situation-date' } });
  const form = h('form', { class: 'form filters', novalidate: true, testid: 'situation-filters' }, dateF.wrap,
    h('button', { type: 'submit', class: 'btn', testid: 'situation-apply', t: 'situation.apply' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/situation', { unit, date: dateF.input.value }));
  });
  const box = h('div', { testid: 'situation-box' }, loading());
  // The official's own landing: their pending work first, then the situation.
  if (!unit && !date) workView({ root, signal }, me);
  root.appendChild(h('section', { class: 'panel', testid: 'situation-view' },
    h('h1', { t: 'situation.title' }), h('p', { class: 'lead', t: 'situation.lead' }), form, box));

  let s;
  try {
    s = await get('/api/v1/situation', { query: { unit, date }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  const parts = [h('h2', { testid: 'situation-unit', 'data-code': s.unit.code }, s.unit.name,
    h('span', { class: 'muted' }, ` — ${formatDay(s.date)}`))];
  // Up one level, while still inside the official's area.
  if (me.unit_code && s.unit.code !== me.unit_code && s.unit.level > 0) {
    parts.push(h('p', null, h('a', { href: link('/situation', { date }), testid: 'situation-up', t: 'situation.to_own' })));
  }
  const report = (format) => `/api/v1/reports/daily?${new URLSearchParams({ unit: s.unit.code, date: s.date, format })}`;
  parts.push(h('p', { class: 'actions' },
    h('a', { class: 'btn', href: report('pdf'), download: '', testid: 'report-pdf', t: 'situation.report_pdf' }), ' ',
    h('a', { class: 'btn', href: report('xlsx'), download: '', testid: 'report-xlsx', t: 'situation.report_xlsx' })));
  parts.push(summaryTable(s.total, s.unit.code));
  if (s.unit.level === 0) parts.push(figureMap(s));
  const charts = situationCharts(s.daily, s.total);
  parts.push(h('h2', { t: 'situation.charts' }), charts.el);
  parts.push(h('p', null, h('a', { href: link('/populations', { unit: s.unit.code }), testid: 'to-populations', t: 'situation.to_populations' })),
    h('p', null, h('a', { href: link('/levels', { unit: s.unit.code }), testid: 'to-levels', t: 'situation.to_levels' })),
    h('p', null, h('a', { href: link('/levels/manage', { unit: s.unit.code }), testid: 'to-levels-manage', t: 'levels.manage_title' })));
  parts.push(h('h2', { t: s.unit.level >= 3 ? 'situation.this_unit' : 'situation.units_below' }));
  parts.push(h('ul', { class: 'cards', testid: 'situation-rows' },
    s.rows.map((r) => unitCard(r.code, r.name, r.figures, { drill: r.level < 3, testid: `situation-row-${r.code}` })),
    unitCard('', null, s.unknown_place, { drill: false, testid: 'situation-unknown', titleKey: 'situation.unknown_place' })));
  replace(box, ...parts);
}
