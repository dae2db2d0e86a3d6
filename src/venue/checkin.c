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

void checkin_configure(int days)
{
    if (days >= 1)
        retention_days = days;
}

int checkin_retention_days(void)
{
    return retention_days;
}

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int checkin_check_client_id(const char *s, const char *field, struct fault *f)
{
    size_t n = s ? strlen(s) : 0;
    if (n < CHECKIN_CLIENT_ID_MIN || n > CHECKIN_CLIENT_ID_MAX)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be %d-%d characters of A-Z a-z 0-9 _ -", field,
                         CHECKIN_CLIENT_ID_MIN, CHECKIN_CLIENT_ID_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return fault_set(f, ERR_INVALID_FIELD, field, "%s must be %d-%d characters of A-Z a-z 0-9 _ -", field,
                             CHECKIN_CLIENT_ID_MIN, CHECKIN_CLIENT_ID_MAX);
    }
    return 0;
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

/* Floor division: local days before 1970 stay correct. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t checkin_local_day(int64_t t)
{
    return floor_div(t + CHECKIN_TZ_OFFSET, CHECKIN_DAY);
}

int64_t checkin_day_start(int64_t day)
{
    return day * CHECKIN_DAY - CHECKIN_TZ_OFFSET;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void checkin_day_format(int64_t day, char out[11])
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, 11, "0000-00-00");
        return;
    }
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
}

int checkin_day_parse(const char *s, int64_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !is_digits(s, 4) || !is_digits(s + 5, 2) ||
        !is_digits(s + 8, 2))
        return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || m < 1 || m > 12 || d < 1)
        return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    *day = days_from_civil(y, m, d);
    return 0;
}
