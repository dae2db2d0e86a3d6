/*
 * quarantine.h - quarantine orders at home or in a centre, their daily
 * check-ins with a photo and the phone's location, and the alerts a missed
 * or far-away check-in raises for the commune health station.
 *
 * Schedule: the daytime of each local day (07:00-21:00, UTC+7) is cut into
 * checkins_per_day equal slots, each its own window [start, end) (with 3 a
 * day: 07:00-11:40, 11:40-16:20, 16:20-21:00).  A check-in answers the slot
 * whose window holds it; one made in the night (before 07:00, from 21:00 on)
 * answers no slot (in_slot = 0), though its place is still measured.  A slot
 * that ends more than grace_minutes ago with no check-in in its window is
 * missed.
 *
 * Place: an order made by the policy has none until staff confirm one (a
 * check-in's location as home, or coordinates).  Until then check-ins are
 * not measured (distance NULL, no "outside" alert).  A check-in farther than
 * radius_m from the place (great-circle distance) is outside.  A missed slot
 * or an outside check-in raises one alert row (unique per order, kind and
 * slot) and queues one reminder in the outbox, in the same transaction: to
 * the person's phone, or, for a person without one, to the phone of the
 * citizen who manages them (family), who also checks in for them.
 *
 * Alerts are open, then acknowledged, then resolved with a note (who and
 * when kept for each step).  An order ends completed (its last day passed),
 * released early with a reason, or cancelled; it is then no longer monitored
 * and its photos are deleted at once.
 *
 * Photos: JPEG or PNG (checked by their first bytes), at most
 * QUARANTINE_PHOTO_MAX bytes, stored base64 in quarantine_photos.
 *
 * Files: quarantine.c (rules), quarantine_store.c (queries and the monitor
 * job), quarantine_http.c (handlers).
 */
#ifndef CORDON_QUARANTINE_QUARANTINE_H
#define CORDON_QUARANTINE_QUARANTINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;

#define QUARANTINE_PHOTO_MAX (3 * 1024 * 1024) /* bytes of one photo */
#define QUARANTINE_BODY_MAX (5 * 1024 * 1024)  /* request body of a check-in (base64 photo + fields) */
#define QUARANTINE_DAY_FROM (7 * 3600)          /* daytime of the schedule, seconds after local midnight */
#define QUARANTINE_DAY_UNTIL (21 * 3600)

struct quarantine_order_new {
    const char *client_id;
    int64_t person_id;
    int64_t case_id;          /* 0: none */
    const char *kind;         /* home | centre */
    const char *address;      /* may be NULL */
    bool has_place;
    int64_t lat_e6, lon_e6;   /* micro-degrees */
    int64_t start_day, end_day; /* local day numbers, inclusive */
    int checkins_per_day, radius_m, grace_minutes;
    const char *province_code, *district_code, *commune_code;
    int64_t created_by;       /* staff account; 0: the policy */
};

/* ------------------------------------------------------------ rules (quarantine.c) */

/* Great-circle distance in metres between two points in micro-degrees. */
double quarantine_distance_m(int64_t lat1_e6, int64_t lon1_e6, int64_t lat2_e6, int64_t lon2_e6);
/* The slot [*start, *end) of a schedule with n slots a day whose window holds instant t: true; false when t
 * lies in the night (before QUARANTINE_DAY_FROM or from QUARANTINE_DAY_UNTIL on), outside every window. */
bool quarantine_slot(int n, int64_t t, int64_t *start, int64_t *end);
/* The slot whose window holds t, else the next one to open. */
void quarantine_next_slot(int n, int64_t t, int64_t *start, int64_t *end);
/* Slot k (0..n-1) of local day `day`. */
void quarantine_slot_of_day(int n, int64_t day, int k, int64_t *start, int64_t *end);
/* "image/jpeg" or "image/png" when the bytes start like one, else NULL. */
const char *quarantine_photo_type(const unsigned char *p, size_t len);

/* ------------------------------------------------------------ queries (quarantine_store.c) */

/* Whether an active order of person_id covers local day `day` (what a checkpoint asks). */
enum store_rc quarantine_person_active(struct store *s, int64_t person_id, int64_t day, bool *active);
/* Inserts unless client_id exists (then *created is false and *id the existing order). */
enum store_rc quarantine_order_insert(struct store *s, const struct quarantine_order_new *in, int64_t now,
                                      int64_t *id, bool *created);

/*
 * Compliance per commune of area (a unit code; store_sql_area) today: active
 * orders, the slots due so far and those answered by a check-in inside the
 * radius, today's check-ins, open alerts, and compliance = answered / due
 * (null before any slot is due).  For the page, daily reports and jobs alike.
 */
enum store_rc quarantine_compliance(struct store *s, const char *area, int64_t now, json_t **out);

/* Follows tracing's decisions: every new verified F1 gets an order under the policy in force (called
 * once by main, before any thread runs). */
void quarantine_follow_tracing(void);

/* ------------------------------------------------------------ job (quarantine_job.c) */

/* Active orders the monitor job reads per transaction (config quarantine_monitor_page); values < 1 are
 * ignored.  Called once at start, before the scheduler runs. */
void quarantine_configure(int monitor_page);
/* Raises alerts for missed slots of every active order (a page of orders per transaction, by id), ends
 * orders past their end day and deletes their photos. */
int quarantine_job_monitor(struct store *s, int64_t now, const char **detail);

/* Demo (demo.c): a check-in with a photo, at home, for each active order running today. */
int quarantine_demo(struct store *s);

/* Appends the person's quarantine orders to entries, kind "quarantine_order" (people.h timeline). */
enum store_rc quarantine_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries);

/* ------------------------------------------------------------ handlers (quarantine_http.c) */

enum err quarantine_handle_create(struct http_req *r);     /* POST /api/v1/quarantine/orders */
enum err quarantine_handle_list(struct http_req *r);       /* GET /api/v1/quarantine/orders */
enum err quarantine_handle_get(struct http_req *r);        /* GET /api/v1/quarantine/orders/{id} */
enum err quarantine_handle_mine(struct http_req *r);       /* GET /api/v1/me/quarantine */
enum err quarantine_handle_checkin(struct http_req *r);    /* POST /api/v1/me/quarantine/{id}/checkins */
enum err quarantine_handle_photo(struct http_req *r);      /* GET /api/v1/quarantine/checkins/{id}/photo */
enum err quarantine_handle_alerts(struct http_req *r);     /* GET /api/v1/quarantine/alerts */
/* POST /api/v1/quarantine/alerts/{id}/acknowledge and .../resolve */
enum err quarantine_handle_alert_acknowledge(struct http_req *r);
enum err quarantine_handle_alert_resolve(struct http_req *r);
enum err quarantine_handle_place(struct http_req *r);      /* PUT /api/v1/quarantine/orders/{id}/place */
enum err quarantine_handle_end(struct http_req *r);        /* POST /api/v1/quarantine/orders/{id}/end */
enum err quarantine_handle_compliance(struct http_req *r); /* GET /api/v1/quarantine/compliance */

#endif
