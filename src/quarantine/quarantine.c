/*
 * quarantine.c - the rules of quarantine: distance, schedule slots, photo
 * types.  No SQL, no HTTP.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/photo.h"
#include "quarantine/quarantine.h"
#include "tracing/tracing.h"

double quarantine_distance_m(int64_t lat1_e6, int64_t lon1_e6, int64_t lat2_e6, int64_t lon2_e6)
{
    const double r = 6371008.8, k = M_PI / 180.0 / 1e6;
    double p1 = (double)lat1_e6 * k, p2 = (double)lat2_e6 * k;
    double dp = p2 - p1, dl = (double)(lon2_e6 - lon1_e6) * k;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

void quarantine_slot_of_day(int n, int64_t day, int k, int64_t *start, int64_t *end)
{
    if (n < 1)
        n = 1;
    int64_t len = (QUARANTINE_DAY_UNTIL - QUARANTINE_DAY_FROM) / n;
    int64_t base = vn_day_start(day) + QUARANTINE_DAY_FROM;
    *start = base + k * len;
    *end = k == n - 1 ? vn_day_start(day) + QUARANTINE_DAY_UNTIL : *start + len;
}

bool quarantine_slot(int n, int64_t t, int64_t *start, int64_t *end)
{
    if (n < 1)
        n = 1;
    int64_t day = vn_day(t);
    int64_t off = t - vn_day_start(day) - QUARANTINE_DAY_FROM;
    int64_t len = (QUARANTINE_DAY_UNTIL - QUARANTINE_DAY_FROM) / n;
    if (off < 0 || t >= vn_day_start(day) + QUARANTINE_DAY_UNTIL)
        return false; /* the night: no slot's window */
    int k = (int)(off / len);
    if (k > n - 1)
        k = n - 1; /* the last slot takes the remainder of the division */
    quarantine_slot_of_day(n, day, k, start, end);
    return *start <= t && t < *end;
}

void quarantine_next_slot(int n, int64_t t, int64_t *start, int64_t *end)
{
    if (quarantine_slot(n, t, start, end))
        return;
    int64_t day = vn_day(t);
    if (t >= vn_day_start(day) + QUARANTINE_DAY_FROM)
        day++; /* after 21:00: tomorrow's first */
    quarantine_slot_of_day(n, day, 0, start, end);
}

const char *quarantine_photo_type(const unsigned char *p, size_t len)
{
    return photo_type(p, len);
}
