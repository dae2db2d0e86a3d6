// Cordon web UI (staff and citizens): start-up, header, and the route table.

import { applyTranslations, getLang, setLang, onLangChange, markI18n } from './js/i18n.js';
import { h, replace, withBusy } from './js/dom.js';
import { showBanner, bannerRouteChanged } from './js/banner.js';
import * as session from './js/session.js';
import { setUnauthenticatedHandler, setBehindHandler } from './js/api.js';
import { route, setGuard, start, onRoute, navigate, link, parseHash } from './js/router.js';
import { roleKey, isAdmin, WORK_ROLES } from './js/roles.js';
import { errorBox } from './js/errors.js';
import { loginView } from './js/views/login.js';
import { unitsView } from './js/views/units.js';
import { accountsView } from './js/views/accounts.js';
import { situationView } from './js/views/situation.js';
import { populationsView } from './js/views/populations.js';
import { publicLevelsView, levelsManageView } from './js/views/levels.js';
import { auditView } from './js/views/audit.js';
import { outboxView } from './js/views/outbox.js';
import { broadcastView } from './js/views/broadcast.js';
import { callbotView } from './js/views/callbot.js';
import { templatesView } from './js/views/templates.js';
import { notifyPrefsPanel } from './js/views/notify-prefs.js';
import { notFoundView, adminOnly, onlyFor } from './js/views/misc.js';
import { citizenLoginView } from './js/views/citizen-login.js';
import { meHomeView, profileView, myCheckinsView } from './js/views/me.js';
import { familyView } from './js/views/family.js';
import { familyRequestsView } from './js/views/family-requests.js';
import { declareView } from './js/views/declare.js';
import { scanPosterView } from './js/views/scan-poster.js';
import { venuesView, venueNewView, venueView } from './js/views/venues.js';
import { venueScanView } from './js/views/venue-scan.js';
import { reportsView } from './js/views/reports.js';
import { samplerSessionsView, collectView } from './js/views/testing-collect.js';
import { sitesView } from './js/views/testing-sites.js';
import { registerOffline, keepOffline } from './js/offline.js';
import { labSessionsView, manifestView, resultsView, importView } from './js/views/testing-lab.js';
import { myResultsPanel, myResultsView, lookupView, statsView } from './js/views/testing-results.js';
import { identityView } from './js/views/vaccine-me.js';
import { vaxSitesView, vaxSiteDayView } from './js/views/vaccine-site.js';
import { verifyView } from './js/views/vaccine-verify.js';
import { vaxOversightView } from './js/views/vaccine-oversight.js';
import { vaxPlanView, vaxPlanSiteView, vaxInviteView, vaxUploadView, vaxRescheduleView, vaxDueView } from './js/views/vaccine-plan.js';
import { workListView, TRACING_ROLES } from './js/views/tracing.js';
import { casesListView, caseNewView, caseView } from './js/views/tracing-cases.js';
import { policyView } from './js/views/tracing-policy.js';
import { myQuarantineView, quarantineOversightView } from './js/views/quarantine.js';
import { ordersView, newOrderView, orderView } from './js/views/quarantine-orders.js';
import { flaggedView, scanDeclarationView, FLAGGED_ROLES, SCAN_ROLES } from './js/views/declarations-workspace.js';
import { workView, refreshNavCounts, redrawNavCounts, clearNavCounts } from './js/views/work.js';
import { citizenTodoPanel } from './js/components/citizen-todo.js';
import { peopleView, personNewView } from './js/views/people.js';
import { personView } from './js/views/people-person.js';
import { start as startSampleQueue } from './js/components/offline-queue.js';
import { checkpointsView, checkpointPassView, checkpointDayView, passages } from './js/views/checkpoint.js';
import { myFeedbackView, feedbackQueueView } from './js/views/feedback.js';
import { safetyMapView, safetyMissingView } from './js/views/safety.js';

const VENUE_ROLES = ['venue_owner', 'national_admin', 'province_admin', 'district_admin', 'commune_admin'];
const isCitizenRole = (role) => role === 'citizen';

const $ = (sel) => document.querySelector(sel);

/* ---------------------------------------------------------------- header */

function renderSession(me) {
  const box = $('[data-testid="session"]');
  const nav = $('[data-testid="nav"]');
  box.hidden = !me;
  nav.hidden = !me;
  clearNavCounts();
  countsAt = 0;
  if (!me) return;
  $('[data-testid="session-username"]').textContent = me.username;
  markI18n($('[data-testid="session-role"]'), 'text', roleKey(me.role));
  const unit = $('[data-testid="session-unit"]');
  unit.textContent = me.unit_name || me.unit_code || '';
  unit.hidden = !unit.textContent;
  if (unit.previousElementSibling) unit.previousElementSibling.hidden = unit.hidden;
  for (const a of nav.querySelectorAll('[data-nav]')) {
    const roles = a.getAttribute('data-roles');
    if (roles) a.hidden = !roles.split(' ').includes(me.role);
    else if (a.hasAttribute('data-admin')) a.hidden = !isAdmin(me.role);
    else if (a.hasAttribute('data-staff')) a.hidden = isCitizenRole(me.role);
  }
}

function markActiveNav(active) {
  const parts = active.path.split('/');
  // The citizen's pages live under /me: each of them is a section of its own.
  let section = parts[1] === 'me' && parts[2] ? `me/${parts[2]}` : (parts[1] || '');
  // Tracing's cases and policy have menu entries of their own; a case's page belongs to the cases.
  if (parts[1] === 'tracing' && (parts[2] === 'cases' || parts[2] === 'policy')) section = `tracing/${parts[2]}`;
  if (parts[1] === 'declarations' && parts[2] === 'scan') section = 'declarations/scan';
  if (parts[1] === 'safety' && parts[2] === 'missing') section = 'safety/missing';
  // Messages: staff broadcast and templates are entries of their own.
  if (parts[1] === 'notify' && parts[2]) section = `notify/${parts[2]}`;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === section) {
      a.setAttribute('aria-current', 'page');
      // On a phone the menu scrolls sideways: keep the current page's link in sight.
      if (!a.hidden) a.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    } else {
      a.removeAttribute('aria-current');
    }
  }
}

/* Pending-work counts beside the menu entries: after sign-in, then on page changes at most
 * every COUNTS_EVERY_MS (pages that finish work refresh them at once). */
const COUNTS_EVERY_MS = 20000;
let countsAt = 0;
function maybeRefreshCounts() {
  const me = session.current();
  if (!me || !WORK_ROLES.includes(me.role)) return;
  if (Date.now() - countsAt < COUNTS_EVERY_MS) return;
  countsAt = Date.now();
  refreshNavCounts();
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
  onLangChange(redrawNavCounts);
  renderLangButtons(getLang());

  const logoutBtn = $('[data-testid="logout"]');
  logoutBtn.addEventListener('click', async () => {
    const wasCitizen = session.isCitizen();
    try {
      await withBusy(logoutBtn, () => session.logout());
      showBanner('banner.logged_out', 'info');
    } catch {
      // The local state is cleared anyway; the server session will expire.
      showBanner('banner.logout_failed', 'warn');
    }
    navigate(wasCitizen ? '#/citizen/login' : '#/login');
  });
  session.onSessionChange(renderSession);
  onRoute(markActiveNav);
  onRoute(maybeRefreshCounts);
  onRoute(bannerRouteChanged);
}

/* ---------------------------------------------------------------- routes */

export function defaultHash(me) {
  if (isCitizenRole(me.role)) return me.profile_complete === false ? '#/me/profile' : '#/me';
  if (me.role === 'venue_owner') return '#/venues';
  if (me.role === 'sampler') return '#/testing/sessions';
  if (me.role === 'lab') return '#/testing/lab';
  if (me.role === 'vaccinator') return '#/vaccine/sites';
  if (me.role === 'tracer') return '#/tracing';
  if (me.role === 'checkpoint_officer') return '#/checkpoints';
  // Officials land on the situation of their area; their pending work is counted at its top and in the menu.
  return isAdmin(me.role) ? '#/situation' : '#/units';
}

/** Only same-app hashes are accepted as a place to return to after login. */
export function safeNext(next) {
  if (typeof next !== 'string' || !/^#\/[^/]/.test(next) || next.startsWith('#/login')) return null;
  return next;
}

function currentHashForNext() {
  const { path, query } = parseHash();
  if (path === '/' || path === '/login' || path === '/citizen/login') return null;
  const qs = query.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

route('/login', (ctx) => loginView(ctx, {
  onSuccess(me) { navigate(safeNext(ctx.query.get('next')) || defaultHash(me)); },
}), { public: true });
route('/citizen/login', (ctx) => citizenLoginView(ctx, {
  onSuccess(me) { navigate(safeNext(ctx.query.get('next')) || defaultHash(me)); },
}), { public: true });
const citizenOnly = (view) => onlyFor((me) => isCitizenRole(me.role), view, 'error.citizen_only');
const staffOnly = (view) => onlyFor((me) => !isCitizenRole(me.role), view, 'error.staff_only');
const venueRoles = (view) => onlyFor((me) => VENUE_ROLES.includes(me.role), view, 'error.venue_only');
const ownerOnly = (view) => onlyFor((me) => me.role === 'venue_owner', view, 'error.owner_only');
// Platform 2: the citizen home also shows "My results" (self and managed family members).
route('/me', citizenOnly(async (ctx) => {
  await meHomeView(ctx);
  // What needs doing now, for the citizen and each member they manage, above the main actions.
  const home = ctx.root.querySelector('[data-testid="me-view"]');
  if (home && !ctx.signal.aborted) home.insertBefore(citizenTodoPanel(ctx.signal), home.querySelector('.tiles'));
  if (!ctx.signal.aborted) ctx.root.appendChild(myResultsPanel(ctx.signal));
  if (!ctx.signal.aborted) ctx.root.appendChild(notifyPrefsPanel(ctx.signal));
}));
route('/me/profile', citizenOnly(profileView));
route('/me/family', citizenOnly(familyView));
route('/me/checkins', citizenOnly(myCheckinsView));
route('/me/declare', citizenOnly(declareView));
route('/scan', citizenOnly(scanPosterView));
route('/venues', venueRoles(venuesView));
route('/venues/new', ownerOnly(venueNewView));
route('/venues/:id', venueRoles(venueView));
route('/venues/:id/scan', ownerOnly(venueScanView));
route('/reports/checkins', adminOnly(reportsView));
route('/units', staffOnly(unitsView));
route('/units/:code', staffOnly(unitsView));
route('/situation', adminOnly(situationView));
route('/populations', adminOnly(populationsView));
route('/levels/manage', adminOnly(levelsManageView));
route('/accounts', adminOnly(accountsView));
route('/audit', adminOnly(auditView));
route('/notify/broadcast', adminOnly(broadcastView));
route('/callbot', onlyFor((me) => TRACING_ROLES.includes(me.role), callbotView, 'error.tracing_only'));
route('/notify/templates', onlyFor((me) => me.role === 'national_admin', templatesView, 'error.national_only'));
route('/outbox', onlyFor((me) => me.role === 'national_admin', outboxView, 'error.national_only'));
route('/family/requests', adminOnly(familyRequestsView));
route('/people', adminOnly(peopleView));
route('/people/new', adminOnly(personNewView));
route('/people/:id', adminOnly(personView));
/* Platform 2: sample collection, lab, results. */
const SAMPLING_ROLES = ['sampler', 'national_admin', 'province_admin', 'district_admin', 'commune_admin'];
const samplingRoles = (view) => onlyFor((me) => SAMPLING_ROLES.includes(me.role), view, 'error.sampler_only');
const labOnly = (view) => onlyFor((me) => me.role === 'lab', view, 'error.lab_only');
route('/testing/sites', adminOnly(sitesView));
route('/testing/sessions', samplingRoles(samplerSessionsView));
route('/testing/sessions/:id', samplingRoles(collectView));
route('/testing/lab', labOnly(labSessionsView));
route('/testing/lab/:id', onlyFor((me) => me.role === 'lab' || isAdmin(me.role), manifestView, 'error.lab_only'));
route('/testing/results', labOnly(resultsView));
route('/testing/import', labOnly(importView));
route('/testing/stats', adminOnly(statsView));
route('/me/results', citizenOnly(myResultsView));
route('/results/lookup', lookupView, { public: true });
/* Platform 3: vaccination, certificates, the verifier. */
const VAX_ROLES = ['vaccinator', 'national_admin', 'province_admin', 'district_admin', 'commune_admin'];
const vaxRoles = (view) => onlyFor((me) => VAX_ROLES.includes(me.role), view, 'error.vaccinator_only');
route('/me/health', citizenOnly(identityView));
route('/vaccine/sites', vaxRoles(vaxSitesView));
route('/vaccine/sites/:id', vaxRoles(vaxSiteDayView));
route('/vaccine/oversight', adminOnly(vaxOversightView));
route('/vaccine/plan', adminOnly(vaxPlanView));
route('/vaccine/plan/sites/:id', adminOnly(vaxPlanSiteView));
route('/vaccine/plan/sessions/:id', adminOnly(vaxInviteView));
route('/vaccine/registrations/upload', adminOnly(vaxUploadView));
route('/vaccine/reschedule', adminOnly(vaxRescheduleView));
route('/vaccine/due', adminOnly(vaxDueView));
route('/verify', verifyView, { public: true });
route('/levels', publicLevelsView, { public: true });
route('/safety', safetyMapView, { public: true });
route('/safety/missing', adminOnly(safetyMissingView));
/* Contact tracing and quarantine (docs/api-tracing.md). */
const tracingRoles = (view) => onlyFor((me) => TRACING_ROLES.includes(me.role), view, 'error.tracing_only');
route('/tracing', tracingRoles(workListView));
route('/tracing/cases', tracingRoles(casesListView));
route('/tracing/cases/new', tracingRoles(caseNewView));
route('/tracing/cases/:id', tracingRoles(caseView));
route('/tracing/policy', tracingRoles(policyView));
route('/quarantine', tracingRoles(quarantineOversightView));
route('/quarantine/orders', tracingRoles(ordersView));
route('/quarantine/orders/new', tracingRoles(newOrderView));
route('/quarantine/orders/:id', tracingRoles(orderView));
route('/me/quarantine', citizenOnly(myQuarantineView));
route('/work', onlyFor((me) => WORK_ROLES.includes(me.role), (ctx) => workView(ctx, session.current()), 'error.staff_only'));
/* Declarations: the commune health station's flagged list and the scan page. */
route('/declarations', onlyFor((me) => FLAGGED_ROLES.includes(me.role), flaggedView, 'error.tracing_only'));
route('/declarations/scan', onlyFor((me) => SCAN_ROLES.includes(me.role), scanDeclarationView, 'error.staff_only'));
/* Checkpoints (docs/api-checkpoints.md). */
const CHECKPOINT_ROLES = ['checkpoint_officer', 'national_admin', 'province_admin', 'district_admin', 'commune_admin'];
const checkpointRoles = (view) => onlyFor((me) => CHECKPOINT_ROLES.includes(me.role), view, 'error.checkpoint_only');
route('/checkpoints', checkpointRoles(checkpointsView));
route('/checkpoints/:id', checkpointRoles(checkpointPassView));
route('/checkpoints/:id/day', checkpointRoles(checkpointDayView));
/* Citizens' feedback (docs/api-feedback.md). */
route('/me/feedback', citizenOnly(myFeedbackView));
route('/feedback', onlyFor((me) => isAdmin(me.role), feedbackQueueView, 'error.feedback_only'));
route('/', () => {});
route('*', notFoundView);

setGuard(({ path, query, meta }) => {
  const me = session.current();
  if (path === '/login' || path === '/citizen/login') return me ? (safeNext(query.get('next')) || defaultHash(me)) : null;
  if (meta.public) return null;
  if (!me) return link(path === '/me' || path.startsWith('/me/') || path === '/scan' ? '/citizen/login' : '/login', { next: currentHashForNext() });
  if (path === '/') return defaultHash(me);
  return null;
});

// Tracing runs are answered once queued; a page read while some are still being written says so.
setBehindHandler((n) => showBanner('tracing.runs_behind', 'info', 1, { n }));

setUnauthenticatedHandler(() => {
  if (!session.current()) return;
  const next = currentHashForNext();
  session.expire();
  showBanner('error.session_expired', 'warn');
  navigate(link(next && /^#\/(me|scan)/.test(next) ? '/citizen/login' : '/login', { next }));
});

/* ---------------------------------------------------------------- start */

async function boot() {
  applyTranslations(document);
  wireHeader();
  registerOffline();
  const view = $('#view');
  try {
    await session.restore();
  } catch (e) {
    const retry = h('button', { type: 'button', class: 'btn', testid: 'retry', t: 'common.retry', onclick: () => window.location.reload() });
    replace(view, h('section', { class: 'panel' }, errorBox(e, 'other'), retry));
    return;
  }
  renderSession(session.current());
  if (session.current()) keepOffline(['/api/v1/auth/me']);
  // Samples taken offline before a reload go to the server without waiting for the collection page.
  const me = session.current();
  if (me && SAMPLING_ROLES.includes(me.role) && window.indexedDB) startSampleQueue();
  // Passages recorded offline likewise, for the checkpoint's officers.
  if (me && me.role === 'checkpoint_officer' && window.indexedDB) passages.start();
  start(view);
}

boot();
