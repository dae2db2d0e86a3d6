// Units browser: provinces -> districts -> communes, a breadcrumb, and a name search.

import { h, replace, clear, loading, tx, uid } from '../dom.js';
import { link } from '../router.js';
import { current } from '../session.js';
import { isAdmin } from '../roles.js';
import { isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { formatNumber } from '../i18n.js';
import { getUnit, getChildren, searchUnits, namedAncestors, unitName, isNation, levelKey, NATION } from '../units.js';

const SEARCH_DELAY_MS = 300;

export async function unitsView({ root, params, signal }) {
  const code = params.code || NATION;
  const me = current();

  const title = h('h1', { testid: 'unit-title' });
  const crumbs = h('nav', { class: 'crumbs', tLabel: 'units.breadcrumb', testid: 'unit-breadcrumb' });
  const meta = h('p', { class: 'meta', testid: 'unit-meta' });
  const actions = h('div', { class: 'actions' });
  const childrenBox = h('div', { class: 'children', testid: 'unit-children' }, loading());

  const searchId = uid('q');
  const searchInput = h('input', {
    type: 'search', id: searchId, name: 'q', testid: 'units-search', autocomplete: 'off',
    autocapitalize: 'none', spellcheck: 'false', enterkeyhint: 'search', tPlaceholder: 'units.search_placeholder',
  });
  const searchBtn = h('button', { type: 'submit', class: 'btn', testid: 'units-search-submit', t: 'units.search_button' });
  const results = h('div', { class: 'search-results', testid: 'units-search-results', 'aria-live': 'polite' });
  const searchForm = h('form', { class: 'search', role: 'search', testid: 'units-search-form' },
    h('label', { htmlFor: searchId, t: 'units.search_label' }),
    h('div', { class: 'search-row' }, searchInput, searchBtn),
    h('p', { class: 'hint', t: 'units.search_hint' }));

  root.appendChild(h('section', { class: 'panel', testid: 'units-view' },
    crumbs, title, meta, actions, searchForm, results, childrenBox));

  /* ---- search ---- */
  let seq = 0;
  let timer = null;
  let inflight = null;
  async function runSearch(q, button) {
    const mine = ++seq;
    if (inflight) inflight.abort();
    if (q.length < 2) { clear(results); return; }
    inflight = new AbortController();
    signal.addEventListener('abort', () => inflight && inflight.abort(), { once: true });
    if (button) { button.disabled = true; button.classList.add('busy'); }
    replace(results, loading('units.searching'));
    try {
      const found = await searchUnits(q, 20, inflight.signal);
      if (mine !== seq) return;
      clear(results);
      results.appendChild(h('h2', { t: 'units.search_results', tArgs: { n: found.length, q } }));
      if (!found.length) { results.appendChild(h('p', { class: 'muted', testid: 'units-no-results', t: 'units.no_results' })); return; }
      const ul = h('ul', { class: 'link-list' });
      for (const u of found) {
        const where = h('span', { class: 'muted small' });
        ul.appendChild(h('li', null, h('a', { href: link(`/units/${u.code}`), testid: `units-result-${u.code}` },
          h('span', null, unitName(u)), ' ', h('span', { class: 'badge', t: levelKey(u) }), where)));
        if (u.parent_code && u.parent_code !== NATION) {
          getUnit(u.parent_code).then(async (p) => {
            where.textContent = [p, ...(await namedAncestors(p)).reverse()].filter((a) => !isNation(a))
              .map((a) => a.name_with_type || a.name || a.code).join(', ');
          }).catch(() => {});
        }
      }
      results.appendChild(ul);
    } catch (e) {
      if (isAbort(e) || mine !== seq) return;
      replace(results, errorBox(e, 'other'));
    } finally {
      if (button && mine === seq) { button.disabled = false; button.classList.remove('busy'); }
    }
  }
  searchInput.addEventListener('input', () => {
    clearTimeout(timer);
    const q = searchInput.value.trim();
    timer = setTimeout(() => runSearch(q), q.length < 2 ? 0 : SEARCH_DELAY_MS);
  });
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    runSearch(searchInput.value.trim(), searchBtn);
  });
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });

  /* ---- the unit, its place and its children ---- */
  let unit;
  try {
    unit = isNation({ code }) ? { code: NATION, level: 0 } : await getUnit(code);
  } catch (e) {
    if (isAbort(e) || signal.aborted) return;
    title.appendChild(tx('units.title'));
    replace(childrenBox, errorBox(e, 'other', 'unit-error'));
    return;
  }
  if (signal.aborted) return;

  const trail = (await namedAncestors(unit)).filter((a) => !isNation(a));
  if (signal.aborted) return;
  replace(crumbs,
    ...[{ code: NATION, level: 0 }, ...trail].flatMap((a) => [
      h('a', { class: 'crumb', href: link(a.code === NATION ? '/units' : `/units/${a.code}`), testid: `crumb-${a.code}` }, unitName(a, { short: true })),
      h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
    ]),
    h('span', { class: 'crumb', 'aria-current': 'page' }, unitName(unit, { short: true })));
  if (isNation(unit)) crumbs.hidden = true;
  replace(title, unitName(unit));
  replace(meta, h('span', { class: 'badge', t: levelKey(unit) }), ' ',
    isNation(unit) ? null : h('span', { t: 'units.code', tArgs: { code: unit.code } }));

  if (me && isAdmin(me.role)) {
    replace(actions,
      h('a', { class: 'btn', href: link('/accounts', { unit: unit.code }), testid: 'unit-accounts-link', t: 'units.accounts_here' }),
      h('a', { class: 'btn btn-ghost', href: link('/audit', { unit: unit.code }), testid: 'unit-audit-link', t: 'units.audit_here' }));
  }

  if (Number(unit.level) >= 3) {
    replace(childrenBox, h('p', { class: 'muted', t: 'units.no_children_commune' }));
    return;
  }
  try {
    const kids = await getChildren(unit.code);
    if (signal.aborted) return;
    const childLevel = Number(unit.level) + 1;
    const ul = h('ul', { class: 'link-list', testid: 'unit-children-list' });
    for (const k of kids) {
      ul.appendChild(h('li', null, h('a', { href: link(`/units/${k.code}`), testid: `unit-link-${k.code}` },
        unitName(k), h('span', { class: 'chev', 'aria-hidden': 'true' }, '›'))));
    }
    replace(childrenBox,
      h('h2', null, h('span', { t: `units.children.${childLevel}` }), ' ',
        h('span', { class: 'count', t: 'units.count', tArgs: { n: formatNumber(kids.length) } })),
      kids.length ? ul : h('p', { class: 'muted', t: 'units.no_children' }));
  } catch (e) {
    if (isAbort(e) || signal.aborted) return;
    replace(childrenBox, errorBox(e, 'other'));
  }
}
