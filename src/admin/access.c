/*
 * access.c - the role x record class table of access.h (docs/access.md).
 */
#include "admin/access.h"

#include <string.h>

#include "admin/role.h"

#define N VIEW_NONE
#define O VIEW_OWN
#define G VIEW_FLAGS
#define M VIEW_MASKED
#define F VIEW_FULL

/*
 * Rows follow enum role; columns enum record_class:
 *   person decl  checkin result dose  contact order audit
 * Health staff (the four admin levels) see personal data of their area.
 * Tracers work contacts and orders of their area.  Samplers find people to
 * sample and see no results; labs see tubes, never people; vaccinators see
 * the people at their sites' sessions (masked elsewhere); checkpoint
 * officers get flags; venue owners see their own visitors, masked.
 */
static const unsigned char table[ROLE_COUNT][REC_COUNT] = {
    [ROLE_NATIONAL_ADMIN] = {F, F, F, F, F, F, F, F},
    [ROLE_PROVINCE_ADMIN] = {F, F, F, F, F, F, F, F},
    [ROLE_DISTRICT_ADMIN] = {F, F, F, F, F, F, F, F},
    [ROLE_COMMUNE_ADMIN] = {F, F, F, F, F, F, F, F},
    [ROLE_SAMPLER] = {M, M, N, N, N, N, N, N},
    [ROLE_LAB] = {N, N, N, N, N, N, N, N},
    [ROLE_VACCINATOR] = {M, M, N, N, F, N, N, N},
    [ROLE_TRACER] = {F, F, F, M, N, F, F, N},
    [ROLE_CHECKPOINT_OFFICER] = {G, G, N, G, G, G, G, N},
    [ROLE_VENUE_OWNER] = {N, N, M, N, N, N, N, N},
    [ROLE_CITIZEN] = {O, O, O, O, O, O, O, N},
};

#undef N
#undef O
#undef G
#undef M
#undef F

enum access_view access_view(int role, enum record_class c)
{
    if (role < 0 || role >= ROLE_COUNT || c < 0 || c >= REC_COUNT)
        return VIEW_NONE;
    return (enum access_view)table[role][c];
}

const char *access_view_name(enum access_view v)
{
    static const char *const names[] = {"none", "own", "flags", "masked", "full"};
    return v >= VIEW_NONE && v <= VIEW_FULL ? names[v] : "none";
}

const char *access_class_name(enum record_class c)
{
    static const char *const names[] = {"person", "declaration", "checkin", "result",
                                        "dose",   "contact",     "order",   "audit"};
    return c >= 0 && c < REC_COUNT ? names[c] : "?";
}

void access_mask(const char *s, char *out, size_t outlen)
{
    if (!outlen)
        return;
    size_t n = s ? strlen(s) : 0, keep = n > 6 ? 3 : 0, i = 0;
    for (; i < n - keep && i + 1 < outlen; i++)
        out[i] = '*';
    for (size_t j = n - keep; j < n && i + 1 < outlen; j++)
        out[i++] = s[j];
    out[i] = '\0';
}
