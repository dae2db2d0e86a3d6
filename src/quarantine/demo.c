/*
 * demo.c - check-ins for one order the demo put in home quarantine: a place
 * confirmed from a check-in with its photo, and an alert to resolve.  Safe to
 * run again (client ids).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "print/print.h"
#include "quarantine/quarantine.h"
#include "quarantine/quarantine_int.h"
#include "store/store.h"
#include "tracing/tracing.h"

/* A small PNG standing in for the selfie a phone would send, as base64. */
static char *demo_photo(void)
{
    struct buf png;
    buf_init(&png, 1u << 20);
    struct print_doc *d = print_begin(PRINT_PNG, 40, 30);
    print_text(d, 20, 16, 9, PRINT_CENTER, "Ảnh tự chụp (demo)");
    char *out = NULL;
    if (!print_end(d, &png)) {
        size_t n = sodium_base64_ENCODED_LEN(png.len, sodium_base64_VARIANT_ORIGINAL);
        out = malloc(n);
        if (out)
            sodium_bin2base64(out, n, (const unsigned char *)png.data, png.len, sodium_base64_VARIANT_ORIGINAL);
    }
    buf_release(&png);
    return out;
}

/* The demo's home: Phường Phúc Xá, Ba Đình, Hà Nội, in micro-degrees. */
#define DEMO_HOME_COMMUNE "00001"
#define DEMO_HOME_LAT 21045500
#define DEMO_HOME_LON 105847000
/* About 1.2 km north: the walk that raises the alert. */
#define DEMO_AWAY_LAT (DEMO_HOME_LAT + 10800)

static int demo_checkin(struct store *s, const struct quarantine_order *o, const char *what, const char *photo,
                        int64_t at, int64_t lat, int64_t *id)
{
    char client_id[48];
    snprintf(client_id, sizeof(client_id), "demo-quarantine-%s-%lld", what, (long long)o->id);
    struct quarantine_checkin c = {.o = o,
                                   .client_id = client_id,
                                   .media_type = "image/png",
                                   .photo_b64 = photo,
                                   .at = at,
                                   .lat = lat,
                                   .lon = DEMO_HOME_LON,
                                   .accuracy = 15};
    int rc = quarantine__checkin_record(s, &c);
    if (id)
        *id = c.id;
    return rc;
}

/*
 * One order in Phúc Xá gets a life: a check-in at home two hours ago,
 * whose location the health station confirmed as the place, then one from
 * 1.2 km away now, which is outside the radius and raises the alert a
 * newcomer resolves.  The other orders keep no place: a place comes from
 * staff, so their pages show what confirming one means.
 */
int quarantine_demo(struct store *s)
{
    struct arena a;
    arena_init(&a);
    struct quarantine_order *orders;
    int n = 0;
    const char *status = "active";
    int rc = quarantine__orders_query(s, &a, "status = ?", "s", 100, status, &orders, &n);
    int64_t now = clock_now(), today = vn_day(now);
    /* The oldest order running today in Phúc Xá, where the demo's home is (newest first: from the end).
     * Which F1 got orders first depends on the hour (a market counts a whole day), so pick by place. */
    struct quarantine_order *o = NULL;
    for (int i = n - 1; i >= 0 && !o; i--)
        if (!strcmp(orders[i].commune_code, DEMO_HOME_COMMUNE) && today >= orders[i].start_day &&
            today <= orders[i].end_day)
            o = &orders[i];
    if (rc || !o) {
        arena_release(&a);
        return rc;
    }
    char *photo = demo_photo();
    int64_t home_id = 0;
    rc = photo ? demo_checkin(s, o, "home", photo, now - 2 * 3600, DEMO_HOME_LAT, &home_id) : STORE_ERROR;
    if (!rc && !o->has_place)
        rc = quarantine__place_set(s, o->id, DEMO_HOME_LAT, DEMO_HOME_LON, NULL, home_id, 0, now);
    if (!rc)
        rc = quarantine__order_get(s, o->id, o);
    if (!rc)
        rc = demo_checkin(s, o, "away", photo, now, DEMO_AWAY_LAT, NULL);
    free(photo);
    arena_release(&a);
    return rc;
}
