// Epidemic levels, public (docs/api-situation.md "Epidemic levels"): the level of a unit today
// (1 green, 2 yellow, 3 orange, 4 red), the level of each unit below it as a coloured list (tap
// to open), and the unit's last 14 days. No sign-in needed.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, post, put, isAbort } from '../api.js';
import { errorBox, clearFormErrors, showFormError } from '../errors.js';
import { formatDay, formatNumber, markI18n, t as t9 } from '../i18n.js';
import { link, navigate } from '../router.js';
import * as session from '../session.js';
import { provinceChoropleth } from '../components/province-choropleth.js';

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
  // The nation: a map of the provinces coloured by level; below, the units as a coloured list.
  if (u.code === 'VN' && res.rows.length) {
    const byCode = new Map(res.rows.map((r) => [r.code, r]));
    const colours = { 1: '#1b7f3b', 2: '#f2c300', 3: '#e46c0a', 4: '#c0211f' };
    const map = provinceChoropleth({
      testid: 'levels-map',
      fill: (gso) => { const r = byCode.get(gso); return r && r.level ? { colour: colours[r.level], label: `${r.name}: ${r.level}` } : null; },
      onPick: (gso) => navigate(link('/levels', { unit: gso })),
    });
    parts.push(map.el);
  }
  if (res.rows.length) {
    parts.push(h('h3', { t: 'levels.units_below' }),
      h('ul', { class: 'cards', testid: 'levels-rows' }, res.rows.map((r) => h('li', { class: 'card', testid: `levels-row-${r.code}`, 'data-level': r.level || '' },
        h('div', { class: 'card-main' },
          h('a', { class: 'card-title', href: link('/levels', { unit: r.code }) }, r.name), badge(r.level))))));
  }
  replace(box, ...parts);
}

/* ---------------------------------------------------------------- officials: rules and raises */

// The rules in force for every official; national admins edit the case thresholds; national and
// province admins raise the level of a unit of their area for some days, with a reason.
export async function levelsManageView({ root, query, signal }) {
  const me = session.current() || {};
  const unit = query.get('unit') || me.unit_code || '';
  const rulesBox = h('div', { testid: 'rules-box' }, loading());
  const section = h('section', { class: 'panel panel-narrow', testid: 'levels-manage-view' },
    h('p', null, h('a', { href: link('/situation', { unit }), t: 'populations.back' })),
    h('h1', { t: 'levels.manage_title' }), h('h2', { t: 'levels.rules' }), rulesBox);
  root.appendChild(section);
  if (me.role === 'national_admin' || me.role === 'province_admin') section.appendChild(raiseForm(unit, signal));
  let rules;
  try {
    rules = await get('/api/v1/levels/rules', { signal });
  } catch (e) {
    if (!isAbort(e)) replace(rulesBox, errorBox(e, 'list'));
    return;
  }
  const t = rules.case_thresholds;
  const inputs = [0, 1, 2].map((i) => field({ name: `threshold_${i + 2}`, label: `levels.threshold_${i + 2}`, type: 'number',
    attrs: { value: t[i], min: 0, step: 'any', inputmode: 'decimal', testid: `rules-t${i + 2}`, disabled: me.role !== 'national_admin' } }));
  const cov = h('ul', { class: 'muted', testid: 'rules-coverage' }, (rules.coverage_rules || []).map((c) =>
    h('li', { t: 'levels.coverage_rule', tArgs: { figure: t9(`situation.fig.${c.figure}`), min: formatNumber(Math.round(c.min * 100)) } })));
  const parts = [...inputs.map((f) => f.wrap), h('p', { t: 'levels.coverage_rules' }), cov];
  if (me.role === 'national_admin') {
    const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'rules-save', t: 'common.save' });
    const done = h('p', { 'aria-live': 'polite', testid: 'rules-saved' });
    const form = h('form', { class: 'form card', novalidate: true, testid: 'rules-form' }, ...parts, errors, save, done);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form, errors);
      done.textContent = '';
      try {
        await withBusy(save, () => put('/api/v1/levels/rules', { case_thresholds: inputs.map((f) => Number(f.input.value)),
          coverage_rules: rules.coverage_rules || [] }, { signal }));
        markI18n(done, 'text', 'levels.rules_saved');
      } catch (e) {
        if (!isAbort(e)) showFormError(form, errors, e, 'update');
      }
    });
    replace(rulesBox, form);
  } else {
    replace(rulesBox, h('div', { class: 'card' }, ...parts));
  }
}

function raiseForm(unit, signal) {
  const unitF = field({ name: 'unit', label: 'levels.raise_unit', hint: 'tracing.filter_unit_hint', attrs: { value: unit, inputmode: 'numeric', autocomplete: 'off', testid: 'raise-unit' } });
  const level = h('select', { testid: 'raise-level' }, [2, 3, 4].map((l) => h('option', { value: String(l), t: `levels.level.${l}` })));
  const levelF = field({ name: 'level', label: 'levels.raise_level', input: level });
  const reasonF = field({ name: 'reason', label: 'levels.raise_reason', attrs: { maxlength: 500, testid: 'raise-reason' } });
  const daysF = field({ name: 'days', label: 'levels.raise_days', type: 'number', attrs: { value: 7, min: 1, max: 90, inputmode: 'numeric', testid: 'raise-days' } });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'raise-submit', t: 'levels.raise' });
  const done = h('div', { 'aria-live': 'polite', testid: 'raise-done' });
  const form = h('form', { class: 'form card', novalidate: true, testid: 'raise-form' }, unitF.wrap, levelF.wrap, reasonF.wrap, daysF.wrap, errors, send, done);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    clear(done);
    try {
      const r = await withBusy(send, () => post('/api/v1/levels/raises', { unit: unitF.input.value.trim(), level: Number(level.value),
        reason: reasonF.input.value.trim(), days: Number(daysF.input.value) }, { signal }));
      done.appendChild(h('p', { class: 'alert alert-ok', 'data-id': String(r.id), t: 'levels.raised_until', tArgs: { date: formatDay(r.to) } }));
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });
  return h('div', null, h('h2', { t: 'levels.raise_title' }), form);
}
