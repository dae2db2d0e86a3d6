/*
 * demo.c - a check-in for each person the demo put in home quarantine, with
 * a photo and a position at home, so the compliance view has something to
 * show.  Safe to run again (client ids).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

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

int quarantine_demo(struct store *s)
{
    struct arena a;
    arena_init(&a);
    struct quarantine_order *orders;
    int n = 0;
    const char *status = "active";
    int rc = quarantine__orders_query(s, &a, "status = ?", "s", 100, status, &orders, &n);
    char *photo = n ? demo_photo() : NULL;
    int64_t now = clock_now(), today = vn_day(now);
    for (int i = 0; i < n && !rc && photo; i++) {
        if (today < orders[i].start_day || today > orders[i].end_day)
            continue;
        char client_id[40];
        snprintf(client_id, sizeof(client_id), "demo-quarantine-%lld", (long long)orders[i].id);
        struct quarantine_checkin c = {.o = &orders[i],
                                       .client_id = client_id,
                                       .media_type = "image/png",
                                       .photo_b64 = photo,
                                       .at = now,
                                       .lat = orders[i].lat_e6, /* at home */
                                       .lon = orders[i].lon_e6,
                                       .accuracy = 15};
        rc = quarantine__checkin_record(s, &c);
    }
    free(photo);
    arena_release(&a);
    return rc;
}
