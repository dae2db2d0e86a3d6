/*
 * tracing.h - contact tracing: from a confirmed case (F0) to its contacts
 * (F1) and their contacts (F2), each with the reasons it was found and a
 * risk score.
 *
 * The engine knows nothing of where contacts come from: each kind is a
 * source (struct tracing_source) that loads what it needs for a time range
 * once, then answers "who was in contact with person P between FROM and
 * UNTIL, and why" from memory.  Venue co-presence, household and interview
 * are the sources of this file set, and checkpoint co-travel (people
 * recorded in one vehicle at one checkpoint passage, src/checkpoint/).
 *
 * Venue co-presence rule (tracing_overlap, unit-tested at the edges; the
 * venue index decides every pair with it):
 *   - a presence is [checked_in_at, checked_out_at]; a missing (or earlier
 *     than check-in) check-out means checked_in_at + default_stay; a
 *     presence is never longer than max_stay (a forgotten check-out);
 *   - the index person's presence is first clipped to the window
 *     [from, until] (both ends included); outside the window it counts not;
 *   - the clipped presence is widened by slack + skew on each side (skew:
 *     tolerance for the phones' and venues' clocks); another presence at the
 *     same venue is a contact if it touches the widened one (end == start
 *     counts);
 *   - at a whole-day venue type (a market), the clipped presence is widened
 *     to the whole local days (UTC+7) it touches instead;
 *   - minutes = real overlap (no slack) of the clipped presence and the
 *     contact's presence, rounded down; 0 when only the slack joined them.
 *
 * F2 are the contacts of each F1 by the same rules, in the F1's window
 * [first exposure, case window end].  A person appears once per case, at
 * the lowest degree; F0 is never its own contact.
 *
 * Risk (0..1000): each reason has a probability (household 0.6, interview
 * 0.5, venue 0.05 + 0.45 * min(minutes, 120) / 120); a contact's risk is
 * 1 - prod(1 - p) over its reasons; for an F2 each p is first multiplied
 * by the risk of the F1 it came through.
 *
 * Files: tracing.c (rules and engine: no SQL, no HTTP), tracing_source.c
 * (the sources: their one-scan loads and in-memory indexes), index.c (the
 * server's live index of every check-in, which runs through the API use),
 * tracing_store.c (queries),
 * tracing_http.c (handlers), tracing_job.c (automatic runs), synth.c
 * (synthetic population for the demo and the benchmark).
 */
#ifndef CORDON_TRACING_TRACING_H
#define CORDON_TRACING_TRACING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;

#define TRACING_DAY 86400
#define TRACING_MAX_REASONS 4      /* reasons kept per contact (all are counted) */
#define TRACING_MAX_TYPES 8        /* whole-day venue types */
#define TRACING_MAX_WINDOW (60 * TRACING_DAY) /* longest infectious window */

enum tracing_source_id {
    TRACING_SRC_VENUE,
    TRACING_SRC_HOUSEHOLD,
    TRACING_SRC_INTERVIEW,
    TRACING_SRC_VEHICLE, /* the same vehicle at the same checkpoint passage */
    TRACING_SRC_COUNT
};

/* What a run is made with; kept with every run (tracing_params_to_json). */
struct tracing_params {
    int slack;        /* seconds added to each side of the index presence (default 1800) */
    int skew;         /* seconds of clock-skew tolerance, added like slack (default 120) */
    int default_stay; /* seconds of presence when the check-out is missing (default 3600) */
    int max_stay;     /* seconds: longer presences are cut (default 43200); >= default_stay */
    int depth;        /* 1: F1 only, 2: F1 and F2 (default 2) */
    unsigned sources; /* bit (1 << enum tracing_source_id) per source used (default all) */
    int ntypes;
    char whole_day_types[TRACING_MAX_TYPES][32]; /* venue types with whole-day presence (default "market") */
};

/* Fills the defaults above. */
void tracing_params_default(struct tracing_params *p);
/* Reads overrides from a JSON object (fields slack_minutes, skew_minutes, default_stay_minutes,
 * max_stay_hours, depth, sources, whole_day_types); field names in faults are prefixed "params.". */
int tracing_params_from_json(json_t *obj, struct tracing_params *p, struct fault *f);
json_t *tracing_params_to_json(const struct tracing_params *p);
bool tracing_params_whole_day(const struct tracing_params *p, const char *venue_type);

/* ------------------------------------------------------------ the overlap rule */

struct tracing_presence {
    int64_t in;
    int64_t out; /* 0 or < in: missing check-out */
};

struct tracing_overlap {
    int64_t at;  /* when the exposure began: max(index in, contact in), inside the window */
    int minutes; /* real overlap, rounded down */
};

/* The index presence clipped to the window, and the span another presence must touch. */
struct tracing_span {
    int64_t in, out; /* the index presence inside [from, until] */
    int64_t lo, hi;  /* widened by slack + skew, or to whole local days */
};

/* End of a presence after the default-stay and max-stay rules. */
int64_t tracing_presence_end(const struct tracing_params *p, struct tracing_presence a);
/*
 * Whether presence b (a contact) meets presence a (the index person's) at the
 * same venue inside the window [from, until], by the rule above.  whole_day:
 * the venue's type has whole-day presence.  On true, *out is filled.
 */
bool tracing_overlap(const struct tracing_params *p, struct tracing_presence a, struct tracing_presence b,
                     int64_t from, int64_t until, bool whole_day, struct tracing_overlap *out);
/*
 * tracing_overlap in two halves, so the venue index applies the same rule
 * without redoing the first for every candidate.  The first: presence a
 * clipped and widened into *out; false when a lies outside [from, until].
 */
bool tracing_overlap_span(const struct tracing_params *p, struct tracing_presence a, int64_t from, int64_t until,
                          bool whole_day, struct tracing_span *out);

/* The second: whether a presence [b_in, b_end] (b_end after tracing_presence_end) touches the span; on true
 * *out is filled.  Inline: the index's sweep calls it for every candidate. */
static inline bool tracing_overlap_meet(const struct tracing_span *sp, int64_t b_in, int64_t b_end,
                                        struct tracing_overlap *out)
{
    if (b_in > sp->hi || b_end < sp->lo)
        return false;
    int64_t s = sp->in > b_in ? sp->in : b_in, e = sp->out < b_end ? sp->out : b_end;
    out->minutes = e > s ? (int)((e - s) / 60) : 0;
    out->at = s > sp->out ? sp->out : s;
    return true;
}


/* ------------------------------------------------------------ sources */

/* One reason a contact was found. */
struct tracing_reason {
    uint8_t source;         /* enum tracing_source_id */
    int64_t venue_id;       /* venue source: the venue; vehicle source: the checkpoint passage; else 0 */
    int64_t at;             /* when */
    int32_t minutes;        /* overlap (venue) or stated duration (interview) */
    int64_t through;        /* the person this contact was found through */
};

/* A source reports each contact it finds through this callback. */
typedef void (*tracing_emit)(void *ctx, int64_t person, const struct tracing_reason *why);

struct tracing_source {
    const char *name;
    /* Loads what the source needs for presences in [from, until] (epoch seconds). 0 or a store rc / enum err. */
    int (*load)(struct store *s, const struct tracing_params *p, int64_t from, int64_t until, void **data);
    /* Reports the contacts of person in [from, until]; never the person themself. Thread-safe (read-only). */
    void (*find)(const void *data, const struct tracing_params *p, int64_t person, int64_t from, int64_t until,
                 tracing_emit emit, void *ctx);
    void (*release)(void *data);
    /* Figures for the log and the benchmark (rows held, bytes); may be NULL. */
    void (*stats)(const void *data, size_t *rows, size_t *bytes);
};

/* The sources in enum tracing_source_id order. */
extern const struct tracing_source *const tracing_sources[TRACING_SRC_COUNT];

/* ------------------------------------------------------------ the engine */

/* The loaded sources for one time range; read-only once loaded, shared by threads. */
struct tracing_engine {
    struct tracing_params params;
    int64_t from, until;  /* range loaded */
    const struct tracing_source *src[TRACING_SRC_COUNT]; /* tracing_sources, or the live engine's */
    void *data[TRACING_SRC_COUNT];
};

/* Loads every source the params enable for presences in [from, until]. On failure nothing is held. */
enum store_rc tracing_engine_load(struct store *s, const struct tracing_params *p, int64_t from,
                                  int64_t until, struct tracing_engine *e);
void tracing_engine_release(struct tracing_engine *e);
/* Total rows and bytes the sources hold. */
void tracing_engine_stats(const struct tracing_engine *e, size_t *rows, size_t *bytes);

struct tracing_contact {
    int64_t person;
    int degree;             /* 1 or 2 */
    int64_t through;        /* F0 for an F1; the first F1 found for an F2 */
    int64_t first_at;       /* earliest exposure */
    double q;               /* prod(1 - p) over reasons; risk = 1 - q */
    int nreasons;           /* all reasons found (only the first TRACING_MAX_REASONS are kept) */
    struct tracing_reason reasons[TRACING_MAX_REASONS];
};

/* A per-thread work area, reused from one case to the next. */
struct tracing_result {
    struct tracing_contact *contacts; /* F1 first, then F2, in the order found */
    size_t n, cap;
    size_t nf1, nf2;
    /* person -> index in contacts (open addressing) */
    int64_t *keys;
    uint32_t *vals;
    size_t mask;
};

void tracing_result_init(struct tracing_result *r);
void tracing_result_free(struct tracing_result *r);
int tracing_contact_risk(const struct tracing_contact *c); /* 0..1000 */

struct tracing_case {
    int64_t case_id;
    int64_t person;
    int64_t from, until; /* infectious window */
};

/* Finds the contacts of one case into r (cleared first). The window must lie inside the engine's range. */
void tracing_trace(const struct tracing_engine *e, const struct tracing_case *c, struct tracing_result *r);

/*
 * Traces n cases on `threads` threads.  done(ctx, i, r) is called for each
 * case from the worker threads (with a lock held, so it need not be
 * thread-safe); r is valid only during the call.  0, or ERR_INTERNAL when no
 * thread could start.
 */
int tracing_trace_batch(const struct tracing_engine *e, const struct tracing_case *cases, size_t n, int threads,
                        void (*done)(void *ctx, size_t i, const struct tracing_result *r), void *ctx);

/* ------------------------------------------------------------ the live contact index (index.c) */

/*
 * The server's index of every check-in (cordon serve): built in a background
 * thread at start, kept current from the check-in change log (migration
 * 020) after each of this server's writes, before each trace and once a
 * second.  Runs through tracing_run_cases() use it instead of loading
 * check-ins; elsewhere (CLI, tests of the engine) the per-run load stays.
 */
/* Starts the build for the database at db_url: 0, or ERR_INTERNAL when no thread could start. */
int tracing_index_start(const char *db_url);
/* Stops the index thread and frees the index (after the last request). */
void tracing_index_stop(void);
/*
 * Waits until the index is built, then catches up on s with every change
 * committed so far.  ERR_OK: the index is current; ERR_NOT_FOUND: this process
 * has no usable index (none started, or its build failed); else the error of
 * the catch-up.
 */
enum err tracing_index_sync(struct store *s);
/* Check-ins held and bytes used; *ready (may be NULL): built.  Zeros without an index. */
void tracing_index_stats(size_t *rows, size_t *bytes, bool *ready);
/* Writes the index's gauges for /metrics (nothing without an index). */
struct buf;
void tracing_index_metrics(struct buf *out);
/* Registers with the venue domain (checkin_on_change), once at start by main. */
void tracing_follow_checkins(void);

/* ------------------------------------------------------------ runs (tracing_store.c) */

/* The confirmed case with this id: STORE_OK, STORE_DONE if none, or a store rc. */
enum store_rc tracing_case_get(struct store *s, int64_t case_id, struct tracing_case *out);
/* Confirmed cases not yet traced by the job, oldest first (at most max). */
enum store_rc tracing_cases_untraced(struct store *s, struct arena *a, size_t max, struct tracing_case **out,
                                     size_t *n);

struct tracing_run_out {
    int64_t run_id;
    bool created;   /* false: the same run (case, params, window) existed, and is queued again */
    bool pending;   /* its contacts and orders are still to be written */
    int64_t f1, f2; /* what the trace found */
};

/*
 * Traces cases with params p (HTTP, job, CLI: one engine for all of them) and queues a run for
 * each (unique per case and digest of params + window; run_queue.c) in one transaction: on
 * return the runs are durable.  Their contacts (one row per case and person, inserted or updated
 * only when degree, risk or reasons changed; status and notes stay), the policy's orders for new
 * F1 and the situation's counts are written behind them by the run writer (cordon serve), or
 * before this returns where none runs (the CLI).  trigger: "manual", "batch" or "auto".
 */
enum err tracing_run_cases(struct store *s, const struct tracing_params *p, const struct tracing_case *cases,
                           size_t n, const char *trigger, int64_t account_id, int64_t now,
                           struct tracing_run_out *outs);

/* ------------------------------------------------------------ the run writer (run_writer.c) */

/* Starts the thread that writes queued runs (cordon serve): 0, or ERR_INTERNAL. */
int tracing_run_writer_start(const char *db_url);
/* Stops it after the run it is writing (what is left stays queued for the next start). */
void tracing_run_writer_stop(void);
/*
 * For a reader of what runs write: waits up to wait_ms until every run this server knows queued
 * is written (not at all when more than a hundred are left).  Returns the runs still queued: 0
 * when what is stored is current.  Without a writer, 0 at once.
 */
int64_t tracing_runs_settle(int wait_ms);
/* Writes the writer's gauges for /metrics (nothing without a writer). */
void tracing_run_writer_metrics(struct buf *out);

/* Statuses of a contact on a work list. */
bool tracing_status_valid(const char *status);

/* ------------------------------------------------------------ synthetic data (synth.c) */

struct tracing_synth {
    int64_t people;        /* persons to create */
    int64_t checkins;      /* check-ins to create */
    int days;              /* spread over the last `days` days before `now` */
    int64_t venues;        /* 0: people / 100 */
    int64_t now;
    uint64_t seed;
    int64_t owner_account; /* venue owner account (venues need one) */
    const char *commune_code; /* where everything is; its ancestors are filled in */
    void (*progress)(const char *what, size_t done, size_t total);
    bool throwaway;        /* SQLite: no rollback journal, no sync during the load (a fresh benchmark
                              database only: a crash mid-load leaves it unusable) */
};

/*
 * Bulk-loads a synthetic population: persons in households of 1-6, venues
 * (5% markets), check-ins of 20-120 minutes (8% without a check-out), over
 * the last `days` days, daytime only.  One transaction, one prepared
 * statement per table reused for every row.  Ids are taken above the
 * current maximum, so it may run on a database already holding data.
 * *first_person gets the id of the first person created.
 */
int tracing_synth_load(struct store *s, const struct tracing_synth *o, int64_t *first_person);

/* ------------------------------------------------------------ orders */

/*
 * A sample of person_id was collected at `at` (called by the sampling platform
 * in the transaction that records it): their pending test orders due on or
 * before that local day become 'sampled'.  Orders due later stay pending.
 */
enum store_rc tracing_test_orders_sampled(struct store *s, int64_t person_id, int64_t at);
/* What a checkpoint asks of a person (flags, not records): when their latest confirmed case was
 * confirmed and their latest exposure as an F1 not cleared; 0 for none. */
enum store_rc tracing_person_exposure(struct store *s, int64_t person_id, int64_t *case_at, int64_t *f1_at);
/*
 * Appends to entries (people.h timeline) the person's confirmed cases (kind
 * "case"), the cases they are a contact of ("contact": case_id, degree,
 * status) and their test orders ("test_order"), newest first, at most limit
 * of each.
 */
enum store_rc tracing_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries);
/* The person of test order order_id when the order lies in commune; STORE_DONE otherwise. */
enum store_rc tracing_test_order_person(struct store *s, int64_t order_id, const char *commune,
                                        int64_t *person_id);

/* A tracing/quarantine policy: the national row, or a province's override. */
struct tracing_policy {
    int quarantine_days;    /* 1..60 */
    char place_kind[16];    /* home | centre */
    int checkins_per_day;   /* 1..12 */
    int radius_m;           /* 10..5000 */
    int grace_minutes;      /* 0..720 */
    char test_days[128];    /* "1,7,14": days counted from the exposure day (day 1) */
    bool enabled;           /* false: F1 get no orders */
    int window_days_before; /* infectious window starts this many days before onset or sample */
    int window_max_days;    /* longest infectious window a tracer may give: window_days_before + 1..60 */
};

/* The national policy. */
enum store_rc tracing_policy_get(struct store *s, struct tracing_policy *out);
/* The national policy and every province's override, read at once: the window of each case of a list
 * follows its own province without a query per case. */
#define TRACING_MAX_OVERRIDES 64
struct tracing_policies {
    struct tracing_policy national;
    int n;
    struct {
        char province[8];
        struct tracing_policy p;
    } over[TRACING_MAX_OVERRIDES];
};
enum store_rc tracing_policies_load(struct store *s, struct tracing_policies *out);
/* The policy for a case or person of `province` (a province code; NULL or "": the nation). */
const struct tracing_policy *tracing_policies_pick(const struct tracing_policies *all, const char *province);
/* The policy in force at a place (any unit code; NULL or "VN": the nation): its province's override,
 * else the national one.  *source (may be NULL) gets "VN" or the province code, static. */
enum store_rc tracing_policy_for(struct store *s, const char *place, struct tracing_policy *out,
                                 const char **source);

/* Applies the fields present in a JSON object (any subset of quarantine_days, place_kind,
 * checkins_per_day, radius_m, grace_minutes, test_days, enabled, window_days_before, window_max_days) to *p;
 * ERR_INVALID_FIELD naming the field on a bad value, *p then partly changed. */
enum err tracing_policy_apply(json_t *body, struct tracing_policy *p, struct fault *f);
/* Sets the national policy (province NULL), or a province's override (p NULL: removes it, and the
 * province follows the nation again). */
enum store_rc tracing_policy_set(struct store *s, const char *province, const struct tracing_policy *p, int64_t now);

/* ------------------------------------------------------------ the infectious window */

/* What a case's window is made of: epoch seconds, 0 when unknown (or not isolated yet). */
struct tracing_case_times {
    int64_t onset;        /* symptom onset */
    int64_t sample_at;    /* collection of the sample that confirmed the case */
    int64_t confirmed_at; /* the result (a lab case), the end of the test day (a case a tracer entered) */
    int64_t isolated_at;
};

/*
 * The window: from (onset, else sample_at, else confirmed_at) minus
 * days_before days, until isolated_at, else confirmed_at.  A window stored
 * before the policy shortened it keeps its end and loses its start (at most
 * max_days); one whose isolation precedes its start is the single instant
 * `from` (tracing_window_check refuses both for new input).
 */
void tracing_window(const struct tracing_case_times *t, int days_before, int max_days, int64_t *from,
                    int64_t *until);

/* The names a request gives the times, for the field of a fault; and which of them it set. */
struct tracing_case_fields {
    const char *onset, *sample_at, *isolated_at;
};
enum { TRACING_SET_ONSET = 1, TRACING_SET_SAMPLE = 2, TRACING_SET_ISOLATED = 4 };

/*
 * Checks a case's times under policy p: the onset and the sample not after
 * the confirmation, the isolation not before the window's start, the window
 * not longer than p->window_max_days.  A too-long window is blamed on the
 * last of isolation, onset, sample that the request set (`set`, TRACING_SET_*
 * bits).  0, or ERR_INVALID_FIELD with f naming the field.
 */
enum err tracing_window_check(const struct tracing_case_times *t, const struct tracing_policy *p,
                              const struct tracing_case_fields *names, unsigned set, struct fault *f);

/*
 * What tracing decides for a new, verified F1 beyond its own test orders: a
 * quarantine order under the policy in force where they live.  The quarantine
 * domain follows these decisions (quarantine_follow_tracing(), called once at
 * start by main): tracing does not know how orders are kept.  The hook runs
 * inside the transaction that records the F1.
 */
struct tracing_f1_order {
    int64_t person_id, case_id;
    int64_t start_day;                   /* the exposure day: day 1 */
    const struct tracing_policy *policy;
    const char *province_code, *district_code, *commune_code;
};
typedef enum store_rc (*tracing_f1_hook)(struct store *s, const struct tracing_f1_order *f1, int64_t now);
void tracing_on_new_f1(tracing_f1_hook hook);

/* ------------------------------------------------------------ jobs and handlers */

/* Job: traces confirmed cases not traced yet (tracing_auto), a bounded batch per round. */
int tracing_job_auto(struct store *s, int64_t now, const char **detail);

/* Retention (retention.c): tracing data of cases confirmed more than `days` ago is deleted. */
void tracing_configure(int retention_days);
int tracing_job_retention(struct store *s, int64_t now, const char **detail);

/* Demo (demo.c): confirms each case and traces them; safe to run again. */
struct tracing_demo_case {
    const char *client_id;
    int64_t person_id;
    const char *commune;                             /* the person's */
    int64_t onset_ago, sample_ago, confirmed_ago; /* seconds before now; onset 0: unknown */
};
int tracing_demo(struct store *s, const struct tracing_demo_case *cases, int n);

enum err tracing_handle_case_create(struct http_req *r);    /* POST /api/v1/tracing/cases */
enum err tracing_handle_cases(struct http_req *r);          /* GET /api/v1/tracing/cases */
enum err tracing_handle_case_get(struct http_req *r);       /* GET /api/v1/tracing/cases/{id} */
enum err tracing_handle_case_update(struct http_req *r);    /* PATCH /api/v1/tracing/cases/{id} */
enum err tracing_handle_run(struct http_req *r);            /* POST /api/v1/tracing/runs */
enum err tracing_handle_runs(struct http_req *r);           /* GET /api/v1/tracing/runs?case_id= */
enum err tracing_handle_contacts(struct http_req *r);       /* GET /api/v1/tracing/contacts */
enum err tracing_handle_contact_update(struct http_req *r); /* PATCH /api/v1/tracing/contacts/{id} */
enum err tracing_handle_export(struct http_req *r);         /* GET /api/v1/tracing/contacts/export */
enum err tracing_handle_chain(struct http_req *r);          /* GET /api/v1/tracing/cases/{id}/chain */
enum err tracing_handle_interview(struct http_req *r);      /* POST /api/v1/tracing/interviews */
enum err tracing_handle_policy_get(struct http_req *r);     /* GET /api/v1/tracing/policy */
enum err tracing_handle_policy_put(struct http_req *r);
enum err tracing_handle_policy_province_put(struct http_req *r);
enum err tracing_handle_policy_province_delete(struct http_req *r); /* PUT /api/v1/tracing/policy */
enum err tracing_handle_test_orders(struct http_req *r);            /* GET /api/v1/test-orders */

/* The server's settle callback (HTTP_SETTLE routes): waits up to the configured time for queued runs to
 * be written, and says in a Cordon-Runs-Behind header how many are left when some are. */
void tracing_http_settle(struct http_req *r);
/* How long a reader waits for queued runs (config tracing_settle_ms), set once at start. */
void tracing_http_configure(int settle_ms);

#endif
