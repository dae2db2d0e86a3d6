// "Việc cần làm": a staff member's pending work, counted inside their area (GET /api/v1/work),
// each count in words with the page where it is done; the same counts beside the menu entries.

import { h, replace, loading } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { formatNumber } from '../i18n.js';
import { WORK_ITEMS } from '../roles.js';

const hrefOf = (item, role) => (item.hrefFor && item.hrefFor[role]) || item.href;

/* One request at a time: the menu's refresh and the page, both asking at sign-in, share it. */
let inflight = null;
function fetchCounts() {
  if (!inflight) inflight = get('/api/v1/work').finally(() => { inflight = null; });
  return inflight;
}

export async function workView({ root, signal }, me) {
  const box = h('div', { testid: 'work-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'work-view' },
    h('h1', { t: 'work.title' }), h('p', { class: 'lead', t: 'work.lead' }), box));
  let res;
  try {
    res = await fetchCounts();
  } catch (e) {
    if (!isAbort(e) && !signal.aborted) replace(box, errorBox(e, 'list'));
    return;
  }
  if (signal.aborted) return;
  showNavCounts(res.counts);
  const items = WORK_ITEMS.filter((i) => i.key in res.counts);
  if (!items.length) { replace(box, h('p', { class: 'muted empty', testid: 'work-none', t: 'work.none' })); return; }
  replace(box, h('ul', { class: 'cards todo-list', testid: 'work-list' }, items.map((i) => {
    const n = res.counts[i.key];
    return h('li', { class: 'card', testid: `work-${i.key}`, 'data-count': String(n) },
      h('a', { class: 'card-main', href: hrefOf(i, me && me.role), testid: `work-open-${i.key}` },
        h('span', { class: 'card-title', t: `work.item.${i.key}` }),
        h('span', { class: `badge ${n ? 'badge-off' : 'badge-on'}`, testid: `work-count-${i.key}` }, formatNumber(n))));
  })));
}

/** Puts each count beside the first visible menu entry of its item (sums when entries share one). */
let lastCounts = null;
export function showNavCounts(counts) {
  lastCounts = counts;
  const totals = new Map();
  for (const item of WORK_ITEMS) {
    if (!(item.key in counts)) continue;
    const link = item.nav.map((n) => document.querySelector(`[data-testid="nav-${n}"]`)).find((a) => a && !a.hidden);
    if (link) totals.set(link, (totals.get(link) || 0) + counts[item.key]);
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    let bubble = a.querySelector('.nav-count');
    if (!totals.has(a)) { if (bubble) bubble.remove(); continue; }
    const n = totals.get(a);
    if (!bubble) {
      bubble = h('span', { class: 'nav-count', testid: `${a.getAttribute('data-testid')}-count` });
      a.appendChild(bubble);
    }
    bubble.setAttribute('data-count', String(n));
    bubble.textContent = formatNumber(n);
  }
  const total = [...totals.values()].reduce((s, n) => s + n, 0);
  const work = document.querySelector('[data-testid="nav-work"]');
  if (work && !work.hidden) {
    let bubble = work.querySelector('.nav-count');
    if (!bubble) { bubble = h('span', { class: 'nav-count', testid: 'nav-work-count' }); work.appendChild(bubble); }
    bubble.setAttribute('data-count', String(total));
    bubble.textContent = formatNumber(total);
  }
}

/** The menu's texts are set again when the language changes: put the counts back. */
export function redrawNavCounts() {
  if (lastCounts) showNavCounts(lastCounts);
}

/** Clears the counts (signed out). */
export function clearNavCounts() {
  lastCounts = null;
  for (const b of document.querySelectorAll('.nav-count')) b.remove();
}

/** Fetches the counts for the menu; quiet on failure (the menu works without them). */
export async function refreshNavCounts() {
  try {
    const res = await fetchCounts();
    showNavCounts(res.counts || {});
  } catch { /* counts are a help, not a page */ }
}
