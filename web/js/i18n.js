// Translations. Vietnamese is the default language, English the second one.
// The choice is remembered in localStorage.
//
// Elements that show translated text carry the key in data attributes, so a language
// switch updates the page in place (forms keep what the user typed):
//   data-i18n="key"              -> textContent
//   data-i18n-args='{"n":3}'     -> parameters for data-i18n
//   data-i18n-placeholder="key"  -> placeholder
//   data-i18n-aria-label="key"   -> aria-label
//   data-i18n-title="key"        -> title
//   data-time="1700000000"       -> date and time in the current language
// A parameter written as {"t":"other.key"} is itself translated.

import vi from './i18n/vi.js';
import en from './i18n/en.js';
import { VN_ZONE } from './vn-time.js';

const DICTS = { vi, en };
export const LANGS = ['vi', 'en'];
const STORAGE_KEY = 'cordon.lang';
const listeners = new Set();

let lang = readStoredLang();

function readStoredLang() {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored && DICTS[stored]) return stored;
  } catch { /* storage disabled: fall back to the default */ }
  return 'vi';
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!DICTS[next] || next === lang) return;
  lang = next;
  try { window.localStorage.setItem(STORAGE_KEY, next); } catch { /* not remembered */ }
  applyTranslations(document);
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(DICTS[lang], key) ||
    Object.prototype.hasOwnProperty.call(DICTS.vi, key);
}

/** Translate `key`, replacing {name} with params.name. Unknown keys show as themselves. */
export function t(key, params) {
  let s = DICTS[lang][key];
  if (s === undefined) s = DICTS.vi[key];
  if (s === undefined) s = key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name) => {
    const v = params[name];
    if (v === undefined || v === null) return '';
    if (typeof v === 'object' && typeof v.t === 'string') return t(v.t, v.args);
    return String(v);
  });
}

const ATTRS = {
  text: 'data-i18n',
  placeholder: 'data-i18n-placeholder',
  'aria-label': 'data-i18n-aria-label',
  title: 'data-i18n-title',
};

/** Attach a translation key to an element and fill it now. */
export function markI18n(el, what, key, args) {
  el.setAttribute(ATTRS[what], key);
  if (what === 'text') {
    if (args) el.setAttribute('data-i18n-args', JSON.stringify(args));
    else el.removeAttribute('data-i18n-args');
  }
  fill(el, what);
  return el;
}

function fill(el, what) {
  const key = el.getAttribute(ATTRS[what]);
  if (what === 'text') {
    let args;
    const raw = el.getAttribute('data-i18n-args');
    if (raw) { try { args = JSON.parse(raw); } catch { args = undefined; } }
    el.textContent = t(key, args);
  } else {
    el.setAttribute(what, t(key));
  }
}

export function formatTime(epochSeconds) {
  const d = new Date(Number(epochSeconds) * 1000);
  if (Number.isNaN(d.getTime())) return String(epochSeconds);
  return d.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: VN_ZONE,
  });
}

/** A calendar day "YYYY-MM-DD" as people write it in both languages: dd/mm/yyyy. */
export function formatDay(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd || ''));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(ymd || '');
}

export function formatNumber(n) {
  return Number(n).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
}

/** Re-translate every marked element under root. */
export function applyTranslations(root) {
  if (root === document) {
    document.documentElement.lang = lang;
    document.title = t('app.title');
  }
  for (const what of Object.keys(ATTRS)) {
    for (const el of root.querySelectorAll(`[${ATTRS[what]}]`)) fill(el, what);
  }
  for (const el of root.querySelectorAll('[data-time]')) {
    el.textContent = formatTime(el.getAttribute('data-time'));
  }
}
