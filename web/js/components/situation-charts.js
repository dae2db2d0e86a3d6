// The situation's charts, drawn with uPlot (npm, served at /vendor/ like Leaflet: no connection
// to the outside): the epidemic curve (new F0 a day, in quarantine and in the community), tests
// resulted and positive a day, positivity, doses a day and coverage (first dose), over the 14 days
// up to the chosen date.
//
// dailyCounts: the "daily" object of GET /api/v1/situation; total: its "total". Returns { el, ready }.

import { h } from '../dom.js';
import { t, formatDay } from '../i18n.js';
import { loadScript, loadStyle } from '../vendor.js';

const CHARTS = [
  ['curve', [['new_f0_community', '#c0211f'], ['new_f0_in_quarantine', '#e46c0a']]],
  ['tests', [['tests_resulted', '#1565c0'], ['tests_positive', '#c0211f']]],
  ['positivity', [['positivity', '#c0211f']]],
  ['doses', [['doses_given', '#1b7f3b']]],
  ['coverage', [['coverage_dose1', '#1b7f3b']]],
];

/*
 * The derived series: positivity a day (positive / resulted, in %, none without results), and
 * coverage at the end of each day (people with a first dose then / the population, in %), from
 * the day's total less the first doses given after each day; none without a population.
 */
function derived(daily, total) {
  const positivity = daily.tests_resulted.map((n, i) => (n ? Math.round((daily.tests_positive[i] / n) * 1000) / 10 : null));
  const pop = total && total.population ? total.population.all : null;
  let after = 0;
  const coverage = new Array(daily.days.length).fill(null);
  for (let i = daily.days.length - 1; i >= 0; i -= 1) {
    if (pop) coverage[i] = Math.round(((total.vaccinated_dose1 - after) / pop) * 1000) / 10;
    after += daily.first_doses_given[i];
  }
  return { ...daily, positivity, coverage_dose1: coverage };
}

export function situationCharts(dailyCounts, total) {
  const daily = derived(dailyCounts, total);
  const el = h('div', { class: 'sit-charts', testid: 'situation-charts', 'data-ready': '0' });
  const ready = (async () => {
    loadStyle('/vendor/uPlot.css');
    const UPlot = await loadScript('/vendor/uPlot.js', 'uPlot');
    const xs = daily.days.map((d, i) => i);
    const dayLabel = (v) => (Number.isInteger(v) && daily.days[v] ? formatDay(daily.days[v]).slice(0, 5) : '');
    const width = Math.max(260, Math.min(640, el.clientWidth || 320));
    for (const [name, series] of CHARTS) {
      const box = h('figure', { class: 'sit-chart', testid: `chart-${name}` }, h('figcaption', { t: `situation.chart.${name}` }));
      el.appendChild(box);
      const sum = series.reduce((a, [k]) => a + daily[k].reduce((x, y) => x + (y || 0), 0), 0);
      box.setAttribute('data-total', String(Math.round(sum * 10) / 10));
      box.setAttribute('data-last', String(daily[series[0][0]][daily.days.length - 1] ?? ''));
      // eslint-disable-next-line no-new
      new UPlot({
        width, height: 180,
        scales: { x: { time: false } },
        axes: [{ values: (u, vals) => vals.map(dayLabel) }, {}],
        series: [{ label: t('situation.date'), value: (u, v) => dayLabel(v) }, ...series.map(([k, colour]) => ({ label: t(`situation.fig.${k}`), stroke: colour, width: 2 }))],
        legend: { show: true },
      }, [xs, ...series.map(([k]) => daily[k])], box);
    }
    el.setAttribute('data-ready', '1');
  })();
  ready.catch((e) => {
    el.setAttribute('data-ready', 'error');
    el.setAttribute('data-error', String(e && e.message ? e.message : e));
  });
  return { el, ready };
}
