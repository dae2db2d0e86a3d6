// Administrative units: fetching with a small cache (units are reference data and never
// change while the page is open), and how to name them.

import { get, seg } from './api.js';
import { h } from './dom.js';

export const NATION = 'VN';
const unitCache = new Map();
const childCache = new Map();

function cached(map, key, load) {
  if (!map.has(key)) {
    const p = load();
    map.set(key, p);
    p.catch(() => map.delete(key)); // failures are not remembered
  }
  return map.get(key);
}

/** One unit with `path` (ancestors, nation first). */
export function getUnit(code) {
  return cached(unitCache, code, () => get(`/api/v1/units/${seg(code)}`));
}

/** A unit's name as an element: shown once it arrives, never the bare code to the user. */
export function unitNameEl(code) {
  const el = h('span', { class: 'unit-name', 'data-code': code || '' }, code ? '…' : '');
  if (code) getUnit(code).then((u) => { el.textContent = (u && u.name) || code; }).catch(() => { el.textContent = code; });
  return el;
}

/** Children of a unit; the nation's children are the provinces. */
export function getChildren(code) {
  return cached(childCache, code, () => get('/api/v1/units', { query: code === NATION ? {} : { parent: code } })
    .then((res) => res.units || []));
}

export function searchUnits(q, limit = 20, signal) {
  return get('/api/v1/units/search', { query: { q, limit }, signal }).then((res) => res.units || []);
}

export function isNation(u) {
  return u && (u.code === NATION || u.level === 0);
}

/** Ancestors of a unit (as objects), nation first, never the unit itself. */
export function ancestors(unit) {
  const path = Array.isArray(unit && unit.path) ? unit.path : [];
  return path
    .map((p) => (typeof p === 'string' ? { code: p } : p))
    .filter((p) => p && p.code && p.code !== unit.code);
}

/**
 * Ancestors with their names: the server may give the path as codes only, in which case
 * each one is looked up (cached). Nation first, never the unit itself.
 */
export async function namedAncestors(unit) {
  const list = ancestors(unit);
  return Promise.all(list.map((a) => (a.name || a.code === NATION ? a : getUnit(a.code).catch(() => a))));
}

/** A node showing the unit's full name ("Phường Phúc Xá"); the nation is named in the UI language. */
export function unitName(u, { short = false } = {}) {
  if (!u) return h('span', null, '');
  if (isNation(u)) return h('span', { t: 'unit.nation' });
  // Short names of numbered units ("1" for Quận 1) mean nothing alone: use the full name.
  const useShort = short && u.name && !/^\d+$/.test(u.name);
  return h('span', null, (useShort ? u.name : u.name_with_type) || u.name || u.code);
}

/** "Quận Ba Đình, Thành phố Hà Nội" from an ancestor list (nation left out). */
export function pathText(list) {
  return list.filter((u) => !isNation(u)).reverse().map((u) => u.name_with_type || u.name || u.code).join(', ');
}

export function levelKey(u) {
  const lvl = u && Number.isInteger(u.level) ? u.level : null;
  return lvl === null ? 'unit.level.unknown' : `unit.level.${lvl}`;
}
