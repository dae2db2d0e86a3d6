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
