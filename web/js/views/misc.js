// Small views: page not found, and the wrapper for admin-only pages.

import { h } from '../dom.js';
import { current } from '../session.js';
import { isAdmin } from '../roles.js';

export function notFoundView({ root }) {
  root.appendChild(h('section', { class: 'panel', testid: 'not-found' },
    h('h1', { t: 'notfound.title' }),
    h('p', null, h('a', { href: '#/', t: 'notfound.home' }))));
}

/** Pages only admins may use: other roles get a clear message instead of a failing request. */
export function adminOnly(view) {
  return (ctx) => {
    const me = current();
    if (me && isAdmin(me.role)) return view(ctx);
    ctx.root.appendChild(h('section', { class: 'panel' },
      h('div', { class: 'alert alert-denied', role: 'alert', testid: 'admin-only' },
        h('p', { class: 'alert-title', t: 'error.admin_only' }))));
    return undefined;
  };
}

/** Pages for some roles only (citizens, venue staff, ...): others get `key` instead of a failing request. */
export function onlyFor(allowed, view, key) {
  return (ctx) => {
    const me = current();
    if (me && allowed(me)) return view(ctx);
    ctx.root.appendChild(h('section', { class: 'panel' },
      h('div', { class: 'alert alert-denied', role: 'alert', testid: 'wrong-role' },
        h('p', { class: 'alert-title', t: key }),
        h('p', null, h('a', { href: '#/', t: 'notfound.home' })))));
    return undefined;
  };
}
