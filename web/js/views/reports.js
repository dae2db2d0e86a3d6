// Check-in volumes by day and child unit for an official's area (GET /api/v1/reports/checkins).

import { h, replace, loading, field, withBusy } from '../dom.js';
import { get, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatNumber, formatDay } from '../i18n.js';
import { getUnit, unitName, isNation } from '../units.js';
import { link, navigate } from '../router.js';
import { vnToday, vnDaysAgo } from '../vn-time.js';

export async function reportsView({ root, query, signal }) {
  const me = current();
  const unit = query.get('unit') || me.unit_code;
  const from = query.get('from') || vnDaysAgo(6);
  const to = query.get('to') || vnToday();

  const fromF = field({ name: 'from', label: 'field.from', type: 'date', attrs: { value: from, testid: 'report-from' } });
  const toF = field({ name: 'to', label: 'field.to', type: 'date', attrs: { value: to, testid: 'report-to' } });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'report-apply', t: 'reports.apply' });
  const form = h('form', { class: 'form', testid: 'report-form' }, h('div', { class: 'row row-2' }, fromF.wrap, toF.wrap), apply);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/reports/checkins', { unit: query.get('unit'), from: fromF.input.value, to: toF.input.value }));
  });
  const unitLine = h('p', { class: 'meta', testid: 'report-unit' });
  const box = h('div', { testid: 'report-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'reports-view' },
    h('h1', { t: 'reports.title' }), unitLine, form, box));

  (isNation({ code: unit }) ? Promise.resolve({ code: 'VN', level: 0 }) : getUnit(unit))
    .then((u) => { if (!signal.aborted) replace(unitLine, h('span', { t: 'accounts.unit' }), ' ', h('strong', null, unitName(u))); })
    .catch(() => {});

  try {
    const res = await withBusy(apply, () => get('/api/v1/reports/checkins', { query: { unit, from, to }, signal }));
    const days = res.days || [];
    if (!days.length) { replace(box, h('p', { class: 'muted empty', testid: 'report-empty', t: 'reports.empty' })); return; }
    const names = new Map();
    await Promise.all([...new Set(days.map((d) => d.unit_code))].map((c) => getUnit(c).then((u) => names.set(c, u.name_with_type || u.name)).catch(() => {})));
    const totals = new Map();
    for (const d of days) totals.set(d.date, (totals.get(d.date) || 0) + Number(d.checkins || 0));
    const table = h('table', { class: 'table', testid: 'report-table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', t: 'reports.date' }), h('th', { scope: 'col', t: 'reports.unit' }),
        h('th', { scope: 'col', class: 'num', t: 'reports.venues' }), h('th', { scope: 'col', class: 'num', t: 'reports.checkins' }))),
      h('tbody', null, days.map((d) => h('tr', { testid: `report-row-${d.date}-${d.unit_code}` },
        h('td', null, formatDay(d.date)), h('td', null, names.get(d.unit_code) || d.unit_code),
        h('td', { class: 'num' }, formatNumber(d.venues || 0)), h('td', { class: 'num', 'data-n': d.checkins }, formatNumber(d.checkins || 0))))));
    const sum = [...totals.values()].reduce((a, b) => a + b, 0);
    replace(box,
      h('p', { class: 'meta', testid: 'report-total', 'data-total': String(sum), t: 'reports.total', tArgs: { n: formatNumber(sum) } }),
      h('div', { class: 'table-wrap' }, table));
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
  }
}
