/*
 * quarantine_int.h - what the files of src/quarantine/ share.
 */
#ifndef CORDON_QUARANTINE_QUARANTINE_INT_H
#define CORDON_QUARANTINE_QUARANTINE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct store;
struct store_stmt;

struct quarantine_order {
    int64_t id, person_id, case_id;
    char kind[16];
    char address[256];
    bool has_place;
    int64_t lat_e6, lon_e6;
    int64_t start_day, end_day;
    int checkins_per_day, radius_m, grace_minutes;
    char status[16];
    char province_code[8], district_code[8], commune_code[8];
    int64_t created_at;
};

enum store_rc quarantine__order_get(struct store *s, int64_t id, struct quarantine_order *out);

/* An order's check-ins, oldest first: id, slot_start, at, lat_e6, lon_e6, distance_m, inside, photos. */
enum store_rc quarantine__checkins_query(struct store *s, int64_t order_id, struct store_stmt **st);
/* The photo of a check-in: media_type, data, the order's commune_code. */
enum store_rc quarantine__photo_query(struct store *s, int64_t checkin_id, struct store_stmt **st);
/* Distinct slots of order_id starting at or after since that got a check-in inside the radius, as starts. */
enum store_rc quarantine__answered_slots(struct store *s, int64_t order_id, int64_t since, int64_t *starts,
                                         int max, int *n);

/* What a list reads: always inside area (a unit code; store_sql_area), so no list leaves it. */
struct quarantine_filter {
    const char *area;   /* the unit asked for, already checked to lie in the caller's area */
    const char *status; /* orders: active, ended or cancelled */
    int64_t limit;
};
/* Ids of the orders, newest first, at most max. */
enum store_rc quarantine__order_ids(struct store *s, const struct quarantine_filter *f, int64_t *ids, int max,
                                    int *n);
/* Alerts, newest first: id, order_id, person_id, kind, slot_start, detail, commune_code, created_at,
 * full_name, phone. */
enum store_rc quarantine__alerts_query(struct store *s, const struct quarantine_filter *f,
                                       struct store_stmt **st);
/* Active orders begun by today, by commune: commune_code, id, checkins_per_day, created_at, check-ins
 * since day0, open alerts. */
enum store_rc quarantine__compliance_query(struct store *s, const struct quarantine_filter *f, int64_t day0,
                                           int64_t today, struct store_stmt **st);
/* Orders matching `where` (one parameter: a string when types is "s", else an int64_t pointed to by arg), newest
 * first. */
enum store_rc quarantine__orders_query(struct store *s, struct arena *a, const char *where, const char *types,
                                       int64_t limit, const char *arg, struct quarantine_order **out, int *n);
/* A check-in from the quarantined person's phone. */
struct quarantine_checkin {
    const struct quarantine_order *o;
    const char *client_id, *media_type, *photo_b64; /* photo: base64 of a JPEG or PNG */
    int64_t at, lat, lon, accuracy;                  /* position in micro-degrees, accuracy in metres */
    /* filled by quarantine__checkin_record */
    int64_t slot, distance, id;
    bool inside, created, alert;
};
/*
 * Places the check-in in its slot, measures the distance to the order's place,
 * stores it with its photo unless client_id is known (then *created is false),
 * and raises an "outside" alert when beyond the radius.  Call inside a transaction.
 */
enum store_rc quarantine__checkin_record(struct store *s, struct quarantine_checkin *c);

/* Inserts the alert unless it exists; a new one queues a reminder to the person. */
enum store_rc quarantine__alert(struct store *s, const struct quarantine_order *o, const char *kind,
                                int64_t slot_start, const char *detail, int64_t now, bool *raised);

#endif
