// Hash routing: #/login, #/units, #/units/CODE, #/accounts?unit=CODE, #/audit?unit=CODE.
// Each render gets an AbortSignal that fires when the user navigates away, so a slow
// answer for the previous page never lands on the new one.

import { clear } from './dom.js';

const routes = [];
let root = null;
let guard = null;
let active = null;
const listeners = new Set();

/** Register a view. pattern: '/units/:code', or '*' (register last) for anything else. view(ctx) renders into ctx.root. */
export function route(pattern, view, meta = {}) {
  const names = [];
  const re = pattern === '*' ? /^.*$/ : new RegExp(`^${pattern.replace(/:(\w+)/g, (m, name) => { names.push(name); return '([^/]+)'; })}$`);
  routes.push({ pattern, re, names, view, meta });
}

/** guard(match) may return a hash to go to instead (e.g. the login page). */
export function setGuard(fn) {
  guard = fn;
}

export function onRoute(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const qi = raw.indexOf('?');
  const path = (qi < 0 ? raw : raw.slice(0, qi)) || '/';
  const query = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
  return { path, query };
}

/** Build '#/path?k=v' from parts, leaving out empty values. */
export function link(path, query) {
  const q = new URLSearchParams();
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
  }
  const qs = q.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(hash, { replace = false } = {}) {
  if (window.location.hash === hash) {
    render();
  } else if (replace) {
    window.location.replace(hash);
  } else {
    window.location.hash = hash;
  }
}

function match(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
      return { route: r, params };
    }
  }
  return null;
}

export function currentRoute() {
  return active;
}

export function render() {
  const { path, query } = parseHash();
  const m = match(path);
  const info = { path, query, params: m ? m.params : {}, meta: m ? m.route.meta : {} };
  if (guard) {
    const redirect = guard(info);
    if (redirect) {
      navigate(redirect, { replace: true });
      return;
    }
  }
  if (active && active.controller) active.controller.abort();
  const controller = new AbortController();
  active = { ...info, controller };
  clear(root);
  window.scrollTo(0, 0);
  for (const fn of listeners) fn(active);
  if (!m) return;
  Promise.resolve(m.route.view({ root, params: info.params, query, signal: controller.signal }))
    .catch((e) => {
      if (e && e.name === 'AbortError') return;
      // Views show their own errors; anything reaching here is a bug worth seeing in the console.
      console.error(e);
    });
}

export function start(viewRoot) {
  root = viewRoot;
  window.addEventListener('hashchange', render);
  render();
}
