// Cordon admin UI: start-up, header, and the route table.

import { applyTranslations, getLang, setLang, onLangChange, markI18n } from './js/i18n.js';
import { h, replace, withBusy } from './js/dom.js';
import { showBanner, bannerRouteChanged } from './js/banner.js';
import * as session from './js/session.js';
import { setUnauthenticatedHandler } from './js/api.js';
import { route, setGuard, start, onRoute, navigate, link, parseHash } from './js/router.js';
import { roleKey, isAdmin } from './js/roles.js';
import { errorBox } from './js/errors.js';
import { loginView } from './js/views/login.js';
import { unitsView } from './js/views/units.js';
import { accountsView } from './js/views/accounts.js';
import { auditView } from './js/views/audit.js';
import { notFoundView, adminOnly } from './js/views/misc.js';

const $ = (sel) => document.querySelector(sel);

/* ---------------------------------------------------------------- header */

function renderSession(me) {
  const box = $('[data-testid="session"]');
  const nav = $('[data-testid="nav"]');
  box.hidden = !me;
  nav.hidden = !me;
  if (!me) return;
  $('[data-testid="session-username"]').textContent = me.username;
  markI18n($('[data-testid="session-role"]'), 'text', roleKey(me.role));
  $('[data-testid="session-unit"]').textContent = me.unit_name || me.unit_code;
  for (const a of nav.querySelectorAll('[data-admin]')) a.hidden = !isAdmin(me.role);
}

function markActiveNav(active) {
  const section = active.path.split('/')[1] || '';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderLangButtons(lang) {
  for (const b of document.querySelectorAll('.lang-btn')) {
    b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang));
  }
}

function wireHeader() {
  for (const b of document.querySelectorAll('.lang-btn')) {
    b.addEventListener('click', () => setLang(b.getAttribute('data-lang')));
  }
  onLangChange(renderLangButtons);
  renderLangButtons(getLang());

  const logoutBtn = $('[data-testid="logout"]');
  logoutBtn.addEventListener('click', async () => {
    try {
      await withBusy(logoutBtn, () => session.logout());
      showBanner('banner.logged_out', 'info');
    } catch {
      // The local state is cleared anyway; the server session will expire.
      showBanner('banner.logout_failed', 'warn');
    }
    navigate('#/login');
  });
  session.onSessionChange(renderSession);
  onRoute(markActiveNav);
  onRoute(bannerRouteChanged);
}

/* ---------------------------------------------------------------- routes */

export function defaultHash(me) {
  return isAdmin(me.role) ? '#/accounts' : '#/units';
}

/** Only same-app hashes are accepted as a place to return to after login. */
export function safeNext(next) {
  if (typeof next !== 'string' || !/^#\/[^/]/.test(next) || next.startsWith('#/login')) return null;
  return next;
}

function currentHashForNext() {
  const { path, query } = parseHash();
  if (path === '/' || path === '/login') return null;
  const qs = query.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

route('/login', (ctx) => loginView(ctx, {
  onSuccess(me) { navigate(safeNext(ctx.query.get('next')) || defaultHash(me)); },
}), { public: true });
route('/units', unitsView);
route('/units/:code', unitsView);
route('/accounts', adminOnly(accountsView));
route('/audit', adminOnly(auditView));
route('/', () => {});
route('*', notFoundView);

setGuard(({ path, query, meta }) => {
  const me = session.current();
  if (path === '/login') return me ? (safeNext(query.get('next')) || defaultHash(me)) : null;
  if (meta.public) return null;
  if (!me) return link('/login', { next: currentHashForNext() });
  if (path === '/') return defaultHash(me);
  return null;
});

setUnauthenticatedHandler(() => {
  if (!session.current()) return;
  const next = currentHashForNext();
  session.expire();
  showBanner('error.session_expired', 'warn');
  navigate(link('/login', { next }));
});

/* ---------------------------------------------------------------- start */

async function boot() {
  applyTranslations(document);
  wireHeader();
  const view = $('#view');
  try {
    await session.restore();
  } catch (e) {
    const retry = h('button', { type: 'button', class: 'btn', testid: 'retry', t: 'common.retry', onclick: () => window.location.reload() });
    replace(view, h('section', { class: 'panel' }, errorBox(e, 'other'), retry));
    return;
  }
  renderSession(session.current());
  start(view);
}

boot();
