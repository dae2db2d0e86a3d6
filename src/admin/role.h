/*
 * role.h - staff roles and the masks routes use.
 *
 * Four admin roles form a ladder (national > province > district > commune);
 * each sits at a unit of its own level.  The operational roles sit at any
 * unit and act only inside it.
 */
#ifndef CORDON_ADMIN_ROLE_H
#define CORDON_ADMIN_ROLE_H

#include <stdint.h>

enum role {
    ROLE_NATIONAL_ADMIN,
    ROLE_PROVINCE_ADMIN,
    ROLE_DISTRICT_ADMIN,
    ROLE_COMMUNE_ADMIN,
    ROLE_SAMPLER,
    ROLE_LAB,
    ROLE_VACCINATOR,
    ROLE_TRACER,
    ROLE_CHECKPOINT_OFFICER,
    ROLE_VENUE_OWNER,
    ROLE_CITIZEN, /* a person signed in with a one-time code; sees only their own data */
    ROLE_COUNT
};

#define ROLE_STAFF_COUNT ROLE_CITIZEN

#define ROLE_BIT(r) (1u << (r))
#define ROLES_ADMIN                                                                                                   \
    (ROLE_BIT(ROLE_NATIONAL_ADMIN) | ROLE_BIT(ROLE_PROVINCE_ADMIN) | ROLE_BIT(ROLE_DISTRICT_ADMIN) |                  \
     ROLE_BIT(ROLE_COMMUNE_ADMIN))
#define ROLES_STAFF ((1u << ROLE_STAFF_COUNT) - 1)
#define ROLES_ANY ((1u << ROLE_COUNT) - 1) /* staff and citizens */

const char *role_name(int role);
/* Returns the staff role for a name, or -1 (citizen is not a staff role). */
int role_parse(const char *name);
/* Unit level an admin role sits at (0 nation .. 3 commune); -1 for operational roles. */
int role_admin_level(int role);

#endif
