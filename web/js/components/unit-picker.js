// A unit chooser that fits a phone: browse province -> district -> commune below a root
// unit (the admin's own), or search by name (the server ignores diacritics).
// The chosen code sits in a hidden input named `name`, so form errors for that field
// highlight the whole picker.

import { h, replace, clear, loading, uid } from '../dom.js';
import { getUnit, getChildren, searchUnits, namedAncestors, unitName, pathText, isNation, levelKey, NATION } from '../units.js';
import { errorBox } from '../errors.js';
import { isAbort } from '../api.js';

const SEARCH_DELAY_MS = 300;
const SEARCH_LIMIT = 10;

/**
 * opts.rootCode   unit whose subtree can be browsed (default VN)
 * opts.initial    code to select at start (default rootCode)
 * opts.name       hidden input name (default unit_code)
 * opts.legend     translation key of the legend
 * opts.testid     data-testid prefix (default unit-picker)
 * opts.onChange   called with the chosen unit object
 * Returns { el, value(), unit(), ready, jump(code) } where ready resolves once the first list is
 * shown and jump selects a unit and lists its children, as a click of the user would.
 */
export function unitPicker(opts = {}) {
  const rootCode = opts.rootCode || NATION;
  const name = opts.name || 'unit_code';
  const tid = opts.testid || 'unit-picker';
  const ids = uid('up');

  let root = null;      // unit object of rootCode
  let trail = [];       // browsed units, root first; the last one's children are listed
  let selected = null;  // chosen unit
  let selectedTrail = []; // its ancestors as browsed (for the "where" text)
  let searchSeq = 0;
  let searchTimer = null;
  let searchAbort = null;
  let jumpSeq = 0;        // a newer jump or a click by the user cancels a jump still loading
  let touched = false;    // the user chose something: the start-up selection must not override it

  function userAct() {
    touched = true;
    jumpSeq += 1;
  }

  const hidden = h('input', { type: 'hidden', name, value: '' });
  const selectedBox = h('p', { class: 'up-selected', testid: `${tid}-selected`, 'aria-live': 'polite' });
  const searchInput = h('input', {
    type: 'search', id: `${ids}-q`, class: 'up-search', testid: `${tid}-search`,
    autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', enterkeyhint: 'search',
    tPlaceholder: 'unitpicker.search_placeholder',
  });
  const results = h('div', { class: 'up-results', testid: `${tid}-results`, 'aria-live': 'polite' });
  const crumbs = h('nav', { class: 'crumbs up-crumbs', tLabel: 'unitpicker.trail', testid: `${tid}-trail` });
  const list = h('ul', { class: 'up-list', testid: `${tid}-list` });

  const el = h('fieldset', { class: 'unit-picker field', 'data-field': name, testid: tid },
    h('legend', { t: opts.legend || 'field.unit_code' }),
    hidden,
    selectedBox,
    h('label', { htmlFor: searchInput.id, class: 'sub-label', t: 'unitpicker.search' }),
    searchInput,
    results,
    h('p', { class: 'sub-label', t: 'unitpicker.browse' }),
    crumbs,
    list);

  function showSelected() {
    hidden.value = selected ? selected.code : '';
    if (!selected) { replace(selectedBox, h('span', { t: 'unitpicker.none' })); return; }
    const where = pathText(selectedTrail);
    replace(selectedBox,
      h('span', { class: 'up-selected-label', t: 'unitpicker.selected' }), ' ',
      h('strong', { testid: `${tid}-selected-name`, 'data-code': selected.code }, unitName(selected)),
      where ? h('span', { class: 'muted' }, ` — ${where}`) : null);
  }

  function choose(unit, unitTrail) {
    selected = unit;
    selectedTrail = unitTrail.filter((u) => u.code !== unit.code);
    showSelected();
    if (opts.onChange) opts.onChange(unit);
  }

  function renderCrumbs() {
    clear(crumbs);
    trail.forEach((u, i) => {
      if (i > 0) crumbs.appendChild(h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'));
      const last = i === trail.length - 1;
      crumbs.appendChild(h('button', {
        type: 'button', class: 'crumb', testid: `${tid}-crumb-${u.code}`, 'aria-current': last ? 'location' : null,
        onclick: () => { userAct(); const t2 = trail.slice(0, i + 1); choose(u, t2); browse(t2); },
      }, unitName(u, { short: true })));
    });
  }

  async function browse(nextTrail) {
    trail = nextTrail;
    renderCrumbs();
    const node = trail[trail.length - 1];
    replace(list, h('li', null, loading()));
    try {
      const kids = await getChildren(node.code);
      if (trail[trail.length - 1] !== node) return; // browsed elsewhere meanwhile
      clear(list);
      if (!kids.length) list.appendChild(h('li', { class: 'muted', t: 'unitpicker.no_children' }));
      for (const k of kids) {
        const leaf = Number(k.level) >= 3;
        list.appendChild(h('li', null, h('button', {
          type: 'button', class: `up-option${leaf ? ' leaf' : ''}`, testid: `${tid}-option-${k.code}`,
          'aria-pressed': String(Boolean(selected && selected.code === k.code)),
          onclick: (ev) => {
            userAct();
            choose(k, [...trail, k]);
            if (!leaf) browse([...trail, k]);
            else for (const b of list.querySelectorAll('.up-option')) b.setAttribute('aria-pressed', String(b === ev.currentTarget));
          },
        }, unitName(k), leaf ? null : h('span', { class: 'chev', 'aria-hidden': 'true' }, '›'))));
      }
    } catch (e) {
      replace(list, h('li', null, errorBox(e, 'other')));
    }
  }

  /** Trail from root to unit (inclusive), or null when the unit is not under root. */
  async function trailTo(unit) {
    const anc = await namedAncestors(unit);
    if (!root) return null;
    if (unit.code === root.code) return [root];
    const i = anc.findIndex((a) => a.code === root.code);
    if (i < 0 && !isNation(root)) return null;
    const below = anc.slice(i < 0 ? 0 : i + 1).filter((a) => !isNation(a));
    return [root, ...below, unit];
  }

  async function jumpTo(code) {
    const mine = ++jumpSeq;
    const unit = await getUnit(code);
    const t2 = await trailTo(unit);
    if (mine !== jumpSeq) return;
    if (!t2) {
      // Outside the root's subtree: still selectable (the server decides), shown alone.
      const anc = await namedAncestors(unit);
      if (mine === jumpSeq) choose(unit, [...anc, unit]);
      return;
    }
    choose(unit, t2);
    await browse(Number(unit.level) >= 3 ? t2.slice(0, -1) : t2);
  }

  async function runSearch(q) {
    const seq = ++searchSeq;
    if (searchAbort) searchAbort.abort();
    if (q.length < 2) { clear(results); return; }
    searchAbort = new AbortController();
    replace(results, loading('unitpicker.searching'));
    try {
      const found = await searchUnits(q, SEARCH_LIMIT, searchAbort.signal);
      if (seq !== searchSeq) return;
      clear(results);
      if (!found.length) { results.appendChild(h('p', { class: 'muted', testid: `${tid}-no-results`, t: 'unitpicker.no_results' })); return; }
      const ul = h('ul', { class: 'up-list' });
      for (const u of found) {
        const where = h('span', { class: 'muted up-where' });
        ul.appendChild(h('li', null, h('button', {
          type: 'button', class: 'up-option leaf', testid: `${tid}-result-${u.code}`,
          onclick: async () => {
            userAct();
            clear(results);
            searchInput.value = '';
            try { await jumpTo(u.code); } catch (e) { if (!isAbort(e)) replace(results, errorBox(e, 'other')); }
          },
        }, h('span', { class: 'up-name' }, unitName(u), ' ', h('span', { class: 'badge', t: levelKey(u) })), where)));
        // Name the parent so that two communes called alike can be told apart.
        if (u.parent_code && u.parent_code !== NATION) {
          getUnit(u.parent_code).then(async (p) => { where.textContent = pathText([...(await namedAncestors(p)), p]); }).catch(() => {});
        }
      }
      results.appendChild(ul);
    } catch (e) {
      if (isAbort(e) || seq !== searchSeq) return;
      replace(results, errorBox(e, 'other'));
    }
  }

  searchInput.addEventListener('input', () => {
    clearTimeout(searchTimer);
    const q = searchInput.value.trim();
    searchTimer = setTimeout(() => runSearch(q), q.length < 2 ? 0 : SEARCH_DELAY_MS);
  });
  searchInput.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); clearTimeout(searchTimer); runSearch(searchInput.value.trim()); }
  });

  const ready = (async () => {
    showSelected();
    try {
      root = isNation({ code: rootCode }) ? { code: NATION, level: 0 } : await getUnit(rootCode);
      if (touched) return;
      choose(root, [root]);
      if (opts.initial && opts.initial !== rootCode) {
        try { await jumpTo(opts.initial); return; } catch { /* fall back to the root */ }
      }
      if (!touched) await browse([root]);
    } catch (e) {
      replace(list, h('li', null, errorBox(e, 'other')));
    }
  })();

  return {
    el,
    ready,
    value: () => (selected ? selected.code : ''),
    unit: () => selected,
    reset: () => { if (root) { choose(root, [root]); browse([root]); } },
    jump: async (code) => { userAct(); await jumpTo(code); },
  };
}
