/*
 * checkin.h - check-ins at venues, from both sides, and their retention.
 *
 * A check-in is one person at one venue at one moment.  It is made from the
 * poster (a citizen scans it with a phone: method "poster"; a signed-in
 * citizen may check in the family members they manage with the same scan) or
 * by the venue's owner (scans a personal QR: "staff_qr", or types a CCCD/CMND
 * or BHYT number: "staff_id").
 *
 * Promises:
 *   - every write carries a client-generated client_id; (client_id,
 *     person_id) is unique, so a retried request never makes a second row;
 *   - a check-in copies the venue's province/district/commune codes, so area
 *     reports and scope checks are one indexed comparison;
 *   - days are local dates in Vietnam, UTC+7 all year (no daylight saving);
 *   - check-ins older than the retention period are deleted by a job.
 *
 * Files: checkin.c (rules: no SQL, no HTTP), checkin_store.c (queries),
 * checkin_http.c and report_http.c (handlers), checkin_job.c (retention).
 */
#ifndef CORDON_VENUE_CHECKIN_H
#define CORDON_VENUE_CHECKIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/jsonout.h"
#include "store/store.h"

struct store;
struct http_req;
struct unit;

#define CHECKIN_MAX_PEOPLE 20       /* people checked in by one scan (a family) */
#define CHECKIN_DAY 86400           /* seconds */
#define CHECKIN_REPORT_MAX_DAYS 366 /* longest range of a report */
#define CHECKIN_RETENTION_BATCH 1000 /* rows deleted per statement by the retention job */

enum checkin_method { CHECKIN_POSTER, CHECKIN_STAFF_QR, CHECKIN_STAFF_ID };

struct checkin {
    int64_t id;
    const char *client_id;
    int64_t venue_id;
    const char *venue_name;   /* NULL if the venue is gone */
    int64_t person_id;
    int64_t checked_in_at;
    int64_t checked_out_at;   /* 0: not checked out */
    const char *method;       /* poster, staff_qr, staff_id */
    const char *commune_code; /* the venue's commune at check-in time */
};

/* ------------------------------------------------------------ configuration */

/* Days check-ins are kept (config key checkin_retention_days); values < 1 are ignored. */
/* Retention, and the limits on anonymous check-ins: per phone and hour, per venue and minute. */
void checkin_configure(int retention_days, int phone_per_hour, int venue_per_minute);
int64_t checkin_phone_limit(void);
int64_t checkin_venue_limit(void);
/* Anonymous check-ins stored since `since`, fn(ctx, key, n) per phone (unverified contacts) or per venue id. */
enum store_rc checkin_count_phones(struct store *s, int64_t since,
                                   void (*fn)(void *ctx, const char *phone, int64_t n), void *ctx);
enum store_rc checkin_count_venues(struct store *s, int64_t since,
                                   void (*fn)(void *ctx, const char *venue_id, int64_t n), void *ctx);
int checkin_retention_days(void);

/* ------------------------------------------------------------ rules (checkin.c) */

/* Venue code: VENUE_CODE_LEN characters of Crockford base32 (upper case). */
int checkin_check_venue_code(const char *s, const char *field, struct fault *f);
/* CCCD (12 digits) or CMND (9 digits). */
int checkin_check_id_number(const char *s, const char *field, struct fault *f);
/* BHYT card number: 2 letters, benefit level 1-5, province 01-99, 10 digits; written upper-cased into out. */
int checkin_check_bhyt(const char *s, const char *field, char out[16], struct fault *f);
/* Splits a poster signature "KID.SIGNATURE" (the k and s of the poster URL). */
int checkin_split_venue_sig(struct arena *a, const char *s, const char *field, const char **kid, const char **sig,
                            struct fault *f);

const char *checkin_method_name(enum checkin_method m);

/*
 * Who may check in whom from the poster: a signed-in citizen checks in
 * themself and the people they manage, nobody else.  ids[0..*n) are the
 * requested person ids; duplicates are removed in place (*n shrinks), and an
 * empty list means the citizen alone.  manages(ctx, self, id) says whether
 * self manages id.  0, or ERR_INVALID_FIELD (bad id, too many) / ERR_FORBIDDEN
 * naming field.
 */
int checkin_check_people(int64_t self, int64_t *ids, int *n, bool (*manages)(void *ctx, int64_t self, int64_t id),
                         void *ctx, const char *field, struct fault *f);

/* ------------------------------------------------------------ queries (checkin_store.c) */

struct checkin_new {
    const char *client_id;
    int64_t venue_id;
    int64_t person_id;
    int64_t at;
    enum checkin_method method;
    const char *province_code, *district_code, *commune_code; /* the venue's */
    int64_t by_account, by_person; /* who recorded it; 0: nobody signed in */
};

/*
 * Inserts unless (client_id, person_id) exists; *created says which. STORE_OK or a store rc.  A
 * new row is counted for the situation (situation_count_checkins).
 */
enum store_rc checkin_insert(struct store *s, const struct checkin_new *in, bool *created);
/*
 * The same: STORE_OK with the new row's *id, STORE_DONE when (client_id, person_id) was there.
 * The caller counts its new rows for the situation (the check-in writer, a batch at a time).
 */
enum store_rc checkin_insert_id(struct store *s, const struct checkin_new *in, int64_t *id);
/*
 * PostgreSQL only, a batch in one statement each way (json_to_recordset): inserts rows[0..n)
 * unless stored, ids[i] = the new row's id or 0; and reads back the stored rows[which[j]],
 * found(ctx, which[j], c) for each (c's strings live until found returns).
 */
enum store_rc checkin_insert_set_pg(struct store *s, const struct checkin_new *rows, int n, int64_t *ids);
enum store_rc checkin_find_set_pg(struct store *s, const struct checkin_new *rows, const int *which, int m,
                                  void (*found)(void *ctx, int i, const struct checkin *c), void *ctx);
/* STORE_OK with *out, STORE_DONE if none, or a store rc. Strings live in a. */
enum store_rc checkin_get(struct store *s, struct arena *a, int64_t id, struct checkin *out);
enum store_rc checkin_find_client(struct store *s, struct arena *a, const char *client_id, int64_t person_id,
                                  struct checkin *out);
/* Sets checked_out_at unless already set (a retried checkout keeps the first time). */
enum store_rc checkin_set_checkout(struct store *s, int64_t id, int64_t at);
/* Check-ins of these people, newest first. *out lives in a. */
enum store_rc checkin_list_people(struct store *s, struct arena *a, const int64_t *ids, int n, int64_t limit,
                                  struct checkin **out, int *count);

struct checkin_report_row {
    int64_t day;           /* local day number */
    const char *unit_code; /* child unit of the report's unit (the unit itself for a commune) */
    int64_t venues;        /* venues with at least one check-in */
    int64_t checkins;
};
/* Check-ins inside unit u on local days [from_day, to_day], per day and child unit, in order. */
enum store_rc checkin_report(struct store *s, struct arena *a, const struct unit *u, int64_t from_day,
                             int64_t to_day, struct checkin_report_row **out, int *n);
/* Deletes at most `batch` check-ins made before `cutoff`; *deleted gets how many.  In one transaction
 * with its row in checkin_changes. */
enum store_rc checkin_delete_before(struct store *s, int64_t cutoff, int64_t batch, int64_t *deleted);
/* Deletes the rows of checkin_changes older than `before` (every server has read them long ago). */
enum store_rc checkin_changes_prune(struct store *s, int64_t before);

/* The check-in as a JSON object, member key of the object being written (NULL in an array). */
void checkin_json(struct jsonout *o, const char *key, const struct checkin *c);

/* ------------------------------------------------------------ followers */

/*
 * Every write to check-ins (insert, check-out, retention delete) also writes
 * a row in checkin_changes (migration 020) inside its own transaction, so a
 * follower reading that log misses nothing, whoever wrote.  After such a
 * transaction commits, the hook registered here (one, set once at start by
 * main: tracing_follow_checkins()) is called on the connection that wrote,
 * so a follower in this process catches up at once; on PostgreSQL the
 * transaction also notifies CHECKIN_CHANNEL, so that other servers' followers
 * wake up.  Venue does not know who follows.
 */
typedef void (*checkin_change_hook)(struct store *s);
/* The notification channel (store_notify) of the same writes, for other servers: PostgreSQL only. */
#define CHECKIN_CHANNEL "cordon_checkins"
void checkin_on_change(checkin_change_hook hook);
/* Calls the hook, if any (venue's files, after a commit). */
void checkin__changed(struct store *s);
/* ------------------------------------------------------------ the writer (checkin_writer.c) */

/*
 * Check-in writes from every request thread go to one writer thread per
 * server, which takes whatever is waiting (up to checkin_batch_max, after
 * waiting up to checkin_batch_wait_us for more), writes it in one
 * transaction, commits once, and only then answers every request of the
 * batch: a 2xx still means committed.  A job that fails alone (a client_id
 * used at another venue) is answered with its error and the batch runs again
 * without it; a failed commit answers every job of the batch with an error,
 * none stored.  The limits on anonymous check-ins are counted here, in
 * memory, seeded from the database the first time a phone or venue is met.
 */
struct checkin_job {
    /* what to write; strings live in the request's arena */
    struct http_req *r;
    const struct venue *v;
    const char *client_id;
    enum checkin_method method;
    int64_t ids[CHECKIN_MAX_PEOPLE];
    int n;
    const char *phone, *full_name; /* anonymous: the person is found or made by the writer */
    int64_t by_account, by_person;
    const char *province, *district, *commune;
    int64_t now;
    /* the answer */
    int rc;                          /* 0, or an enum err with r->fault filled */
    bool created;                    /* at least one row is new: 201 */
    bool fresh[CHECKIN_MAX_PEOPLE];  /* rows[i] was made by this job */
    struct checkin rows[CHECKIN_MAX_PEOPLE];
    struct checkin_job *next;
};

/* Starts the writers, each over its own connection to db_url (one on SQLite); 0 or -1 (logged). */
int checkin_writer_start(const char *db_url, int writers, int batch_max, int batch_wait_us);
/* Answers what is queued, then stops; later jobs are answered 503. */
void checkin_writer_stop(void);
/*
 * Queues j for its writer; j->r is parked (http_defer) and is resumed once j is answered (at
 * once, 503, when the writers are stopping).
 */
void checkin_writer_submit(struct checkin_job *j);

/*
 * The thread that makes the writers' batches durable (checkin_sync.c), for the database at db_url
 * (0, or -1 logged: the writers then commit durably and answer themselves).  A batch submitted
 * after its commit is answered after an fdatasync of SQLite's WAL, or after a commit of its own on
 * PostgreSQL, which waits for the WAL flush; stop answers what is queued.
 */
int checkin_sync_start(const char *db_url);
void checkin_sync_submit(struct checkin_job **jobs, int n);
void checkin_sync_stop(void);
struct buf;
/* /metrics: syncs made and batches answered after one, since the server started. */
void checkin_sync_metrics(struct buf *out);

/* ------------------------------------------------------------ retention job (checkin_job.c) */

/*
 * Deletes check-ins made before now - retention, in batches of
 * CHECKIN_RETENTION_BATCH, until none is left (or a bounded number of batches
 * for one run: the next run goes on).  *detail says how many were deleted.
 */
int checkin_job_retention(struct store *s, int64_t now, const char **detail);

/* ------------------------------------------------------------ timeline (checkin_store.c) */

/* Appends the person's newest check-ins (at most limit) to entries, kind "checkin" (people.h). */
enum store_rc checkin_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries);

/* ------------------------------------------------------------ handlers */

enum err checkin_handle_create(struct http_req *r);       /* POST /api/v1/checkins */
enum err checkin_handle_venue_create(struct http_req *r); /* POST /api/v1/venues/{id}/checkins */
enum err checkin_handle_checkout(struct http_req *r);     /* POST /api/v1/checkins/{id}/checkout */
enum err checkin_handle_mine(struct http_req *r);         /* GET /api/v1/me/checkins */
enum err checkin_handle_report(struct http_req *r);       /* GET /api/v1/reports/checkins (report_http.c) */

#endif
