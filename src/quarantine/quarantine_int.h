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
    int64_t place_checkin_id, place_set_at; /* 0: none / not set after creation */
    char outcome[16];                       /* "" while active; completed | released | cancelled */
    char end_reason[256];
    int64_t ended_at; /* 0 while active */
    char full_name[320]; /* the person's, for staff lists; "" when unknown */
};

enum store_rc quarantine__order_get(struct store *s, int64_t id, struct quarantine_order *out);

/*
 * Sets the order's place: lat/lon in micro-degrees, address (NULL: keep the
 * one recorded), from_checkin (0: entered by staff), by (account), now.
 */
enum store_rc quarantine__place_set(struct store *s, int64_t order_id, int64_t lat_e6, int64_t lon_e6,
                                    const char *address, int64_t from_checkin, int64_t by, int64_t now);
/* A check-in's order and position: STORE_OK, STORE_DONE if none. */
enum store_rc quarantine__checkin_position(struct store *s, int64_t checkin_id, int64_t *order_id,
                                           int64_t *lat_e6, int64_t *lon_e6);

/*
 * Ends an active order: status ended (completed, released) or cancelled
 * (cancelled), outcome, reason (may be NULL), by (account; 0: the job), and
 * deletes its photos (*photos: how many).  STORE_DONE when the order is no
 * longer active.
 */
enum store_rc quarantine__order_end(struct store *s, int64_t order_id, const char *outcome,
                                    const char *reason, int64_t by, int64_t now, int64_t *photos);

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
    const char
        *status; /* orders: active, ended or cancelled; alerts: open, acknowledged, resolved or NULL (all) */
    int64_t limit, offset;
    int64_t order_id; /* alerts of one order; 0: all */
};
/* Ids of the orders, newest first, at most max. */
enum store_rc quarantine__order_ids(struct store *s, const struct quarantine_filter *f, int64_t *ids, int max,
                                    int *n);
/* Alerts, newest first: id, order_id, person_id, kind, slot_start, detail, commune_code, created_at,
 * full_name, phone, acknowledged_at, acknowledged_by, acknowledge_note, resolved_at, resolved_by,
 * resolution_note, the phone of the citizen managing the person. */
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
/* Active orders begun by keys[0] (a local day) with an id above keys[1], by id, at most limit: the monitor
 * job's keyset page. */
enum store_rc quarantine__orders_page(struct store *s, struct arena *a, const int64_t keys[2], int limit,
                                      struct quarantine_order **out, int *n);
/* A check-in from the quarantined person's phone. */
struct quarantine_checkin {
    const struct quarantine_order *o;
    const char *client_id, *media_type, *photo_b64; /* photo: base64 of a JPEG or PNG */
    int64_t at, lat, lon, accuracy;                  /* position in micro-degrees, accuracy in metres */
    /* filled by quarantine__checkin_record */
    int64_t slot, distance, id;
    bool in_slot;  /* made inside the window of slot (else slot is the check-in's own time) */
    bool measured; /* the order had a place: distance and inside mean something */
    bool inside, created, alert;
};
/*
 * Places the check-in in its slot, measures the distance to the order's place,
 * stores it with its photo unless client_id is known (then *created is false),
 * and raises an "outside" alert when beyond the radius.  Call inside a transaction.
 */
enum store_rc quarantine__checkin_record(struct store *s, struct quarantine_checkin *c);
/* Fills c from the check-in stored under c->o and c->client_id (a retry). */
enum store_rc quarantine__checkin_stored(struct store *s, struct quarantine_checkin *c);

/* Inserts the alert unless it exists; a new one queues a reminder to the person (or, without a phone, to
 * the citizen managing them). */
enum store_rc quarantine__alert(struct store *s, const struct quarantine_order *o, const char *kind,
                                int64_t slot_start, const char *detail, int64_t now, bool *raised);

/* An alert's state and area. */
struct quarantine_alert {
    int64_t id, order_id;
    char commune_code[8];
    int64_t acknowledged_at, resolved_at; /* 0: not yet */
};
enum store_rc quarantine__alert_get(struct store *s, int64_t id, struct quarantine_alert *out);
/* Acknowledges an open alert (note may be NULL); STORE_DONE when it was acknowledged or resolved already. */
enum store_rc quarantine__alert_acknowledge(struct store *s, int64_t id, const char *note, int64_t by,
                                            int64_t now);
/* Resolves an unresolved alert with a note; STORE_DONE when it was resolved already. */
enum store_rc quarantine__alert_resolve(struct store *s, int64_t id, const char *note, int64_t by,
                                        int64_t now);
/* One alert as the list shows it (columns of quarantine__alerts_query). */
enum store_rc quarantine__alert_query(struct store *s, int64_t id, struct store_stmt **st);

#endif
