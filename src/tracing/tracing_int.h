/*
 * tracing_int.h - what the files of src/tracing/ share and nobody else uses.
 */
#ifndef CORDON_TRACING_TRACING_INT_H
#define CORDON_TRACING_TRACING_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "tracing/tracing.h"

struct store;
struct store_stmt;
struct buf;

/* ------------------------------------------------------------ the live engine */

/* The venue source over the server's live index (index.c). */
extern const struct tracing_source tracing__venue_live;
/* The household source read per person from the run's connection (tracing_source.c). */
extern const struct tracing_source tracing__household_live;
/* A query of tracing__household_live that failed during a trace (its data), or 0. */
int tracing__household_live_rc(const void *data);
/* Change rows the live index reads at a time (default 50,000; tests set fewer). */
void tracing__index_set_batch(int64_t rows);
/* The engine over the live index: venue from memory, household per person, interviews loaded. */
enum store_rc tracing__engine_live(struct store *s, const struct tracing_params *p, int64_t from, int64_t until,
                                   struct tracing_engine *e);

/* Sets (p non-NULL) or removes (p NULL) a province's override. */
enum store_rc tracing_policy_put_province(struct store *s, const char *province,
                                          const struct tracing_policy *p, int64_t now);

/* The runs of a case, oldest first: id, window_from, window_until, params, f1, f2, trigger_kind, created_at,
 * pending (0: written), contacts_changed, written_at (NULL before the first write). */
enum store_rc tracing_runs_query(struct store *s, int64_t case_id, struct store_stmt **st);
/* A case's contacts for its chain graph: person_id, degree, through_person_id, risk, status, commune_code,
 * full_name, reasons, first_at (at most 20,000). */
enum store_rc tracing_chain_query(struct store *s, int64_t case_id, struct store_stmt **st);
/* The commune a contact is listed at ("" if none); STORE_DONE when there is no such contact. */
enum store_rc tracing_contact_commune(struct store *s, int64_t contact_id, char commune[8]);
/* Sets a contact's status and/or note (NULL: unchanged). */
enum store_rc tracing_contact_set(struct store *s, int64_t contact_id, const char *status, const char *note,
                                  int64_t now);

/* An interview's contact, as a tracer enters it; id and created are filled. */
struct tracing_interview {
    const char *client_id, *note;
    int64_t case_id, index_person, contact, at, minutes, by, id;
    bool created;
};
/* Inserts it, or finds the one of the same client_id; STORE_DONE when the same contact and time were
 * entered under another client_id. */
enum store_rc tracing_interview_insert(struct store *s, struct tracing_interview *in, int64_t now);

/* A tracer confirms a contact found only through anonymous check-ins: it is marked verified and, for an
 * F1, the policy in force gives its orders now.  Nothing happens to a contact that is not unverified. */
enum store_rc tracing_contact_confirm(struct store *s, int64_t contact_id, int64_t now);

/* The work list: contacts inside area (a unit code; store_sql_area), optional filters (0 or NULL: any). */
struct tracing_contact_filter {
    const char *area;
    int64_t id, degree, case_id, limit, offset;
    const char *status;
};
/* Rows: id, case_id, person_id, degree, through_person_id, first_at, risk, reasons, status, note,
 * commune_code, updated_at, full_name, phone, street, date_of_birth, unverified, the phone and name of the
 * relative managing the person (family managers), the name and commune of the person found through. */
enum store_rc tracing_contacts_query(struct store *s, const struct tracing_contact_filter *f,
                                     struct store_stmt **st);
/* Test orders due from from_day to to_day inside area: id, person_id, case_id, due_day, reason, status,
 * commune_code, full_name, phone. */
enum store_rc tracing_test_orders_query(struct store *s, const char *area, int64_t from_day, int64_t to_day,
                                        struct store_stmt **st);
enum store_rc tracing_policy_put(struct store *s, const struct tracing_policy *p, int64_t now);
json_t *tracing_policy_to_json(const struct tracing_policy *p);

/* A case a tracer enters (rows of table cases, status confirmed); 0: unknown. */
struct tracing_case_new {
    const char *client_id;
    int64_t person_id;
    int64_t confirmed_at; /* the end of the test day, or now when that is later */
    int64_t onset_at;
    int64_t sample_at;   /* the test day's start: the day is what the tracer knows */
    int64_t isolated_at; /* 0: not yet (the window ends at confirmed_at) */
    const char *province_code, *district_code, *commune_code; /* the person's */
    int64_t entered_by;
};

/* Inserts unless client_id exists; *created says which; *id either way. */
enum store_rc tracing_case_insert(struct store *s, const struct tracing_case_new *in, int64_t now,
                                  int64_t *id, bool *created);
/* The times of a case. STORE_DONE if no such case. */
enum store_rc tracing_case_times_get(struct store *s, int64_t case_id, struct tracing_case_times *out);
/* The commune of a case (in a). STORE_DONE if no such case. */
enum store_rc tracing_case_area(struct store *s, struct arena *a, int64_t case_id, const char **commune);

/* Statuses of a case. */
bool tracing_case_status_valid(const char *status);

/* The cases inside area (a unit code; store_sql_area), newest first; optional filters (0 or NULL: any). */
struct tracing_case_filter {
    const char *area;
    int64_t id, limit, offset;
    const char *status;
};
enum store_rc tracing_cases_query(struct store *s, const struct tracing_case_filter *f, struct store_stmt **st);

/* One row of tracing_cases_query; strings valid until the next step. */
struct tracing_case_row {
    struct tracing_case c; /* id, person and window under the policy of the case's province */
    struct tracing_case_times t;
    const char *status, *province_code, *district_code, *commune_code, *full_name;
    int64_t sample_id; /* 0: entered by a tracer */
    int64_t f1, f2;    /* contacts found */
};
void tracing_case_row_read(struct store_stmt *st, const struct tracing_policies *pols, struct tracing_case_row *row);

/* A case's events, oldest first: kind, at, detail, account_id. */
enum store_rc tracing_case_events_query(struct store *s, int64_t case_id, struct store_stmt **st);

/* Writes the times that differ from `was`, each with an 'edited' case event "name: old -> new" naming the
 * account.  Call inside a transaction. */
enum store_rc tracing_case_set_times(struct store *s, int64_t case_id, const struct tracing_case_times *was,
                                     const struct tracing_case_times *t, int64_t account_id, int64_t now);


/* ------------------------------------------------------------ queued runs */

/* A run as queued (tracing_runs with pending > 0): what its writer needs to trace and write it. */
struct tracing_pending_run {
    int64_t id, seq; /* seq: its place in the queue (the pending column) */
    int64_t case_id, person, from, until;
    struct tracing_params p;
};

/* How a run is written in parts (run_writer.c, on SQLite): begin and end surround each part's
 * transaction; give_way says, between two contacts, that the part should commit now. */
struct tracing_run_parts {
    void (*begin)(void);
    void (*end)(void);
    bool (*give_way)(double part_started);
};

/* Writes what r (the run's case traced) found: contacts, orders, counts, and the run marked written,
 * in parts when parts is given, else in one transaction.  STORE_OK also when the run turns out no
 * longer queued as it was (written, deleted, queued again) or its case no longer confirmed. */
enum err tracing__run_write(struct store *s, const struct tracing_pending_run *run, const struct tracing_result *r,
                            const struct tracing_run_parts *parts, int64_t now);

/* Around a request's queueing transaction: on SQLite the writer's parts give way to it. */
void tracing__gate_enter(void);
void tracing__gate_leave(void);
/* Whether this process runs a writer (cordon serve). */
bool tracing__run_writer_running(void);
/* A run that could not be written goes to the back of the queue, so that it holds nobody up. */
enum err tracing__run_requeue(struct store *s, int64_t run_id, int64_t seq);
/* After n runs were queued under seq (committed): the writer wakes. */
void tracing__runs_queued(int64_t seq, int64_t n);

#endif
