// Epidemic levels, public (docs/api-situation.md "Epidemic levels"): the level of a unit today
// (1 green, 2 yellow, 3 orange, 4 red), the level of each unit below it as a coloured list (tap
// to open), and the unit's last 14 days. No sign-in needed.

import { h, replace, loading } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { formatDay, formatNumber } from '../i18n.js';
import { link } from '../router.js';

function badge(level, testid) {
  return h('span', { class: `badge level level-${level || 'none'}`, testid, 'data-level': level || '',
    t: level ? `levels.level.${level}` : 'levels.level.none' });
}

/** A day of the history: its level as a number on its colour. */
function dayBadge(level) {
  return h('span', { class: `badge level level-${level || 'none'}` }, level ? String(level) : '–');
}

export async function publicLevelsView({ root, query, signal }) {
  const unit = query.get('unit') || '';
  const box = h('div', { testid: 'levels-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'levels-view' },
    h('h1', { t: 'levels.title' }), h('p', { class: 'lead', t: 'levels.lead' }), box));
  let res;
  try {
    res = await get('/api/v1/public/levels', { query: { unit }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'list'));
    return;
  }
  const u = res.unit;
  const parts = [
    h('h2', { testid: 'levels-unit', 'data-code': u.code }, u.name, h('span', { class: 'muted' }, ` — ${formatDay(res.date)}`)),
    h('p', null, badge(u.level, 'levels-unit-level')),
  ];
  if (u.raised_level) parts.push(h('p', { class: 'muted', testid: 'levels-raise-reason' }, h('span', { t: 'levels.raised' }), ` ${u.raise_reason}`));
  if (u.cases_7d_per_100k !== null) parts.push(h('p', { class: 'muted', t: 'levels.rate', tArgs: { rate: formatNumber(u.cases_7d_per_100k) } }));
  parts.push(h('h3', { t: 'levels.history' }),
    h('ol', { class: 'level-history', testid: 'levels-history' }, res.history.map((d) => h('li', { 'data-level': d.level || '' },
      h('span', { class: 'muted' }, formatDay(d.date).slice(0, 5)), dayBadge(d.level)))));
  if (res.rows.length) {
    parts.push(h('h3', { t: 'levels.units_below' }),
      h('ul', { class: 'cards', testid: 'levels-rows' }, res.rows.map((r) => h('li', { class: 'card', testid: `levels-row-${r.code}`, 'data-level': r.level || '' },
        h('div', { class: 'card-main' },
          h('a', { class: 'card-title', href: link('/levels', { unit: r.code }) }, r.name), badge(r.level))))));
  }
  replace(box, ...parts);
}
