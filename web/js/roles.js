// Roles as in docs/api.md, and what an admin may create.

export const ADMIN_ROLES = ['national_admin', 'province_admin', 'district_admin', 'commune_admin'];
export const OPERATIONAL_ROLES = ['sampler', 'lab', 'vaccinator', 'tracer', 'checkpoint_officer', 'venue_owner'];
export const ALL_ROLES = [...ADMIN_ROLES, ...OPERATIONAL_ROLES];

export function isAdmin(role) {
  return ADMIN_ROLES.includes(role);
}

/** Unit level (0 nation .. 3 commune) an admin role must sit at, or null for operational roles. */
export function adminLevel(role) {
  const i = ADMIN_ROLES.indexOf(role);
  return i < 0 ? null : i;
}

/** Roles an admin may create: admin roles of a lower level than its own, and every operational role. */
export function creatableRoles(ownRole) {
  const own = adminLevel(ownRole);
  if (own === null) return [];
  return [...ADMIN_ROLES.filter((r) => adminLevel(r) > own), ...OPERATIONAL_ROLES];
}

export function roleKey(role) {
  if (role === 'citizen') return 'role.citizen';
  return ALL_ROLES.includes(role) ? `role.${role}` : 'role.unknown';
}

/** Officials: the admin roles, each over its own area (venue approval, reports). */
export function isOfficial(role) {
  return isAdmin(role);
}

/** Staff roles with pending work counted by GET /api/v1/work (web/js/views/work.js). */
export const WORK_ROLES = [...ADMIN_ROLES, 'tracer', 'sampler', 'lab', 'vaccinator'];

/**
 * Each count of GET /api/v1/work: the page where the work is done, and the menu entries
 * (data-testid nav-NAME) that show it; the first one the role sees gets the count.
 */
export const WORK_ITEMS = [
  { key: 'flagged_declarations', href: '#/declarations?open=1', nav: ['flagged'] },
  { key: 'venues_pending', href: '#/venues', nav: ['venues'] },
  { key: 'test_orders', href: '#/testing/sessions', nav: ['sampling', 'tracing'], hrefFor: { tracer: '#/tracing' } },
  { key: 'results_pending', href: '#/testing/lab', nav: ['lab', 'testing-stats'], hrefFor: Object.fromEntries(ADMIN_ROLES.map((r) => [r, '#/testing/stats'])) },
  { key: 'reschedule_requests', href: '#/vaccine/sites', nav: ['vax-sites'] },
  { key: 'doses_due', href: '#/vaccine/sites', nav: ['vax-sites'] },
  { key: 'feedback_open', href: '#/feedback?status=new', nav: ['feedback'] },
  { key: 'safety_missing', href: '#/safety/missing', nav: ['safety-missing'] },
];
