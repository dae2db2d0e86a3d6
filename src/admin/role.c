#include "admin/role.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_NATIONAL_ADMIN] = "national_admin",
    [ROLE_PROVINCE_ADMIN] = "province_admin",
    [ROLE_DISTRICT_ADMIN] = "district_admin",
    [ROLE_COMMUNE_ADMIN] = "commune_admin",
    [ROLE_SAMPLER] = "sampler",
    [ROLE_LAB] = "lab",
    [ROLE_VACCINATOR] = "vaccinator",
    [ROLE_TRACER] = "tracer",
    [ROLE_CHECKPOINT_OFFICER] = "checkpoint_officer",
    [ROLE_VENUE_OWNER] = "venue_owner",
    [ROLE_CITIZEN] = "citizen",
};

const char *role_name(int role)
{
    return role >= 0 && role < ROLE_COUNT ? role_names[role] : "unknown";
}

int role_parse(const char *name)
{
    for (int i = 0; i < ROLE_STAFF_COUNT; i++)
        if (!strcmp(role_names[i], name))
            return i;
    return -1;
}

int role_admin_level(int role)
{
    return role >= ROLE_NATIONAL_ADMIN && role <= ROLE_COMMUNE_ADMIN ? role - ROLE_NATIONAL_ADMIN : -1;
}
