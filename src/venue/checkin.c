/*
 * checkin.c - the rules of check-ins: identifiers, who may check in whom,
 * local days.  No SQL and no HTTP here, so the rules unit-test alone.
 */
#include "venue/checkin.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "venue/venue.h"

static int retention_days = 28;
static checkin_change_hook change_hook; /* set once at start, read-only afterwards */

void checkin_on_change(checkin_change_hook hook)
{
    change_hook = hook;
}

void checkin__changed(struct store *s)
{
    if (change_hook)
        change_hook(s);
}

static int64_t phone_limit = 20, venue_limit = 600;

void checkin_configure(int days, int phone_per_hour, int venue_per_minute)
{
    if (days >= 1)
        retention_days = days;
    if (phone_per_hour >= 1)
        phone_limit = phone_per_hour;
    if (venue_per_minute >= 1)
        venue_limit = venue_per_minute;
}

int checkin_retention_days(void)
{
    return retention_days;
}

int64_t checkin_phone_limit(void)
{
    return phone_limit;
}

int64_t checkin_venue_limit(void)
{
    return venue_limit;
}

int checkin_check_venue_code(const char *s, const char *field, struct fault *f)
{
    static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    size_t n = s ? strlen(s) : 0;
    bool ok = n == VENUE_CODE_LEN;
    for (size_t i = 0; ok && i < n; i++)
        ok = strchr(crockford, s[i]) != NULL;
    if (!ok)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be %d characters of Crockford base32", field,
                         VENUE_CODE_LEN);
    return 0;
}

/* The same shapes people registration checks (core/ids.h), so a number that was stored is found. */
int checkin_check_id_number(const char *s, const char *field, struct fault *f)
{
    size_t n = s ? strlen(s) : 0;
    if (n == IDS_CCCD_LEN)
        return ids_check_cccd(s, field, f);
    if (n == IDS_CMND_LEN)
        return ids_check_cmnd(s, field, f);
    return fault_set(f, ERR_INVALID_FIELD, field, "%s must be a CCCD (12 digits) or CMND (9 digits) number", field);
}

int checkin_check_bhyt(const char *s, const char *field, char out[16], struct fault *f)
{
    out[0] = '\0';
    return ids_check_bhyt(s ? s : "", field, out, f);
}

int checkin_split_venue_sig(struct arena *a, const char *s, const char *field, const char **kid, const char **sig,
                            struct fault *f)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    *kid = *sig = NULL;
    if (!dot || dot == s || !dot[1] || strchr(dot + 1, '.'))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be \"KID.SIGNATURE\" as in the poster URL (k, s)",
                         field);
    *kid = arena_strndup(a, s, (size_t)(dot - s));
    *sig = dot + 1;
    return 0;
}

const char *checkin_method_name(enum checkin_method m)
{
    switch (m) {
    case CHECKIN_POSTER:
        return "poster";
    case CHECKIN_STAFF_QR:
        return "staff_qr";
    case CHECKIN_STAFF_ID:
        return "staff_id";
    }
    return "poster";
}

int checkin_check_people(int64_t self, int64_t *ids, int *n, bool (*manages)(void *ctx, int64_t self, int64_t id),
                         void *ctx, const char *field, struct fault *f)
{
    if (*n == 0) {
        ids[0] = self;
        *n = 1;
        return 0;
    }
    if (*n > CHECKIN_MAX_PEOPLE)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s holds at most %d people", field, CHECKIN_MAX_PEOPLE);
    int kept = 0;
    for (int i = 0; i < *n; i++) {
        if (ids[i] < 1)
            return fault_set(f, ERR_INVALID_FIELD, field, "%s must hold positive person ids", field);
        bool seen = false;
        for (int j = 0; j < kept && !seen; j++)
            seen = ids[j] == ids[i];
        if (seen)
            continue;
        if (ids[i] != self && !manages(ctx, self, ids[i]))
            return fault_set(f, ERR_FORBIDDEN, field, "you may check in yourself and the family members you manage");
        ids[kept++] = ids[i];
    }
    *n = kept;
    return 0;
}

/* ---------------------------------------------------------------- local days */

