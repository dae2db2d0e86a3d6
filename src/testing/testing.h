/*
 * testing.h - sample collection, pooled testing and the return of results.
 *
 * A site (a place in a commune) holds sessions (a date, a team, a test type,
 * a pool size, the lab unit that receives the tubes).  Samplers assigned to a
 * session scan a person and a tube: each scan is a sample, idempotent by the
 * client's id.  A tube takes up to the pool size; a person is sampled at most
 * once per session.  Tubes go to the lab as a manifest; the lab marks receipt
 * and enters results per tube, one at a time or by a CSV/XLSX file (checked
 * first, then applied whole or not at all).
 *
 * A result on a tube propagates to its members in the same transaction:
 *   negative -> every member negative;
 *   positive, tube of several people -> every member pool_positive_retest and
 *               a retest order each;
 *   positive, tube of one person -> the member positive, a confirmed case
 *               (cases, with a "confirmed" event) for tracing;
 *   invalid  -> every member invalid and a retest order each;
 * and a result message for each member with a phone is queued in the outbox.
 *
 * Files: testing.c (rules: no SQL, no HTTP), testing_store.c (queries),
 * result_store.c (results, propagation, imports), labels.c (label sheet),
 * testing_http.c / collect_http.c / result_http.c (handlers), demo.c.
 */
#ifndef CORDON_TESTING_TESTING_H
#define CORDON_TESTING_TESTING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;

#define TESTING_TUBE_CODE_LEN 10            /* "T" + 9 Crockford base32 characters */
#define TESTING_POOL_MAX 10
#define TESTING_BATCH_MAX 500               /* tubes per label request */
#define TESTING_IMPORT_BODY_MAX (50u << 20) /* bytes: body cap of the import check route (50 MiB) */
#define TESTING_IMPORT_MAX_ROWS 200000      /* data rows in one result file */
#define TESTING_IMPORT_MAX_ERRORS 1000      /* bad rows listed in a check answer (all are counted) */
#define TESTING_CT_MAX 500                  /* ct in tenths: 0.0 .. 50.0 */
#define TESTING_LOOKUP_LIMIT 20             /* public result lookups per client address ... */
#define TESTING_LOOKUP_WINDOW 600           /* ... per this many seconds */

enum testing_type { TESTING_RT_PCR, TESTING_RAPID_ANTIGEN };
enum testing_result { TESTING_NEGATIVE, TESTING_POSITIVE, TESTING_INVALID };

/* ---------------------------------------------------------------- rules (testing.c) */

const char *testing_type_name(int type);
int testing_type_parse(const char *s);            /* -1 if unknown */
int testing_default_pool(int type);               /* 10 for RT-PCR, 1 for rapid antigen */
const char *testing_result_name(int result);
/* "positive", "negative", "invalid", case-insensitive, and the Vietnamese words
 * (dương tính, âm tính, không hợp lệ; with or without diacritics). -1 if none. */
int testing_result_parse(const char *s);
/* Ct as typed ("32", "32.5", "32,5"): tenths in *out, 0..TESTING_CT_MAX. Empty -> -1 (none). false if bad. */
bool testing_ct_parse(const char *s, int *out);
/* "T" + 9 characters of Crockford base32 (upper case). */
bool testing_tube_code_valid(const char *s);
void testing_tube_code_make(char out[TESTING_TUBE_CODE_LEN + 1]);
/* YYYY-MM-DD, a real date in 1900..2999. */
bool testing_date_valid(const char *s);
/* The status a member of a tube of `members` people gets from the tube's result. */
const char *testing_member_status(int result, int64_t members);
/* Median of n values (sorted in place); 0 when n is 0. */
int64_t testing_median(int64_t *v, size_t n);

/* ---------------------------------------------------------------- records */

struct testing_site {
    int64_t id;
    const char *client_id, *name, *address;
    const char *province_code, *district_code, *commune_code;
    int64_t created_at;
};

struct testing_session {
    int64_t id;
    const char *client_id;
    int64_t site_id;
    const char *site_name;
    const char *date, *team;
    int type;                      /* enum testing_type */
    int pool_size;
    const char *lab_unit_code;
    const char *province_code, *district_code, *commune_code;
    int64_t created_at;
};

struct testing_tube {
    int64_t id;
    const char *code;
    int64_t session_id;
    const char *lab_unit_code;
    int capacity, members;
    int64_t first_sampled_at, received_at; /* 0: not yet */
    int result;                    /* enum testing_result, or -1 pending */
    int ct;                        /* tenths, -1 none */
    int64_t resulted_at;
    const char *commune_code;
};

struct testing_sample {
    int64_t id;
    const char *client_id;
    int64_t session_id, tube_id, person_id;
    const char *tube_code;
    int64_t collected_at;
    const char *status;            /* pending | negative | positive | pool_positive_retest | invalid */
    int64_t resulted_at;
    /* joined from the session, for answers to the person */
    const char *date, *test_type;
    const char *commune_code;
};

json_t *testing_site_to_json(const struct testing_site *s);
json_t *testing_session_to_json(const struct testing_session *s);
json_t *testing_tube_to_json(const struct testing_tube *t);
json_t *testing_sample_to_json(const struct testing_sample *s);

/* ---------------------------------------------------------------- queries (testing_store.c)
 * Each returns STORE_OK, STORE_DONE (not found) or a store rc; strings live in a. */

/* Inserts unless client_id exists; *created says which; s->id is set either way (read back). */
enum store_rc testing_site_insert(struct store *st, struct testing_site *s, int64_t by, bool *created);
enum store_rc testing_site_get(struct store *st, struct arena *a, int64_t id, struct testing_site *out);
enum store_rc testing_site_get_by_client_id(struct store *st, struct arena *a, const char *client_id,
                                            struct testing_site *out);
/* Sites inside area (a unit code; store_sql_area), newest first. */
enum store_rc testing_site_list(struct store *st, struct arena *a, const char *area, int64_t limit,
                                struct testing_site **out, int *n);

enum store_rc testing_session_insert(struct store *st, struct testing_session *s, int64_t by, bool *created);
enum store_rc testing_session_get(struct store *st, struct arena *a, int64_t id, struct testing_session *out);
enum store_rc testing_session_get_by_client_id(struct store *st, struct arena *a, const char *client_id,
                                               struct testing_session *out);
/* Sessions filtered by one of: the site's area, a sampler account, the lab's area (unit codes;
 * store_sql_area); date may be NULL. */
struct testing_session_filter {
    const char *area;     /* sessions whose site lies in this unit */
    int64_t sampler_id;   /* 0: any */
    const char *lab_area; /* sessions whose lab unit lies in this unit */
    const char *date;
    int64_t limit;
};
enum store_rc testing_session_list(struct store *st, struct arena *a, const struct testing_session_filter *f,
                                   struct testing_session **out, int *n);
enum store_rc testing_sampler_assign(struct store *st, int64_t session_id, int64_t account_id);
bool testing_sampler_assigned(struct store *st, int64_t session_id, int64_t account_id);
/* Account ids of the session's samplers. */
enum store_rc testing_sampler_list(struct store *st, struct arena *a, int64_t session_id, int64_t **out,
                                   int *n);

/* Issues count fresh tubes for a session (idempotent by client_id: a retry answers the same batch). */
enum store_rc testing_tubes_issue(struct store *st, struct arena *a, const struct testing_session *s,
                                  const char *client_id, int count, int64_t by, int64_t *batch_id,
                                  const char ***codes, int *n);
enum store_rc testing_tube_get(struct store *st, struct arena *a, const char *code, struct testing_tube *out);
/* Tubes of a session (batch_id 0: all), in issue order. */
enum store_rc testing_tube_list(struct store *st, struct arena *a, int64_t session_id, int64_t batch_id,
                                struct testing_tube **out, int *n);
/* Samples in a tube. */
enum store_rc testing_tube_members(struct store *st, struct arena *a, int64_t tube_id,
                                   struct testing_sample **out, int *n);

/* The sample with this client id. */
enum store_rc testing_sample_get_by_client_id(struct store *st, struct arena *a, const char *client_id,
                                              struct testing_sample *out);
/* Results of a person, newest first. */
enum store_rc testing_person_results(struct store *st, struct arena *a, int64_t person_id, int64_t limit,
                                     struct testing_sample **out, int *n);

/*
 * Collection: inside a transaction, records person p in tube `tube_code` of
 * session s.  Returns 0 with *created; 0 with created false when client_id
 * was already used for this same sample; otherwise ERR_* with f naming the
 * field: tube unknown (tube_field, 400), tube of another session or full
 * (tube_field, 409), person already in the session (person_field, 409),
 * client id reused for another sample (client_id, 409).
 */
struct testing_collect {
    const char *client_id;
    const struct testing_session *session;
    const char *tube_code;
    int64_t person_id;
    const char *phone;             /* the person's, may be NULL */
    int64_t by;                    /* sampler account */
    const char *tube_field, *person_field;
};
int testing_collect_record(struct store *st, struct arena *a, const struct testing_collect *in,
                           struct testing_sample *out, struct testing_tube *tube, bool *created, struct fault *f);

/* Lab receipt: marks listed tubes of the session received; lists manifest tubes never received
 * and listed codes that are not tubes of the session. */
enum store_rc testing_receipt(struct store *st, struct arena *a, int64_t session_id, const char *const *codes,
                              int ncodes, int64_t now, json_t **received, json_t **missing,
                              json_t **unexpected);

/* Oversight rows for an area and date range (YYYY-MM-DD, inclusive), by commune and day. */
enum store_rc testing_stats(struct store *st, struct arena *a, const char *area, const char *from,
                            const char *to, json_t **out);

/* Rate limit of the public lookups: records the attempt; *allowed false when over the limit. */
enum store_rc testing_lookup_allow(struct store *st, const char *client_ip, int64_t now, bool *allowed);

/* ---------------------------------------------------------------- results (result_store.c) */

struct testing_apply_summary {
    int64_t batch_id;
    int64_t applied;   /* tubes whose result was set */
    int64_t unchanged; /* tubes that already had this result */
    int64_t people;    /* samples that got a result */
    int64_t retests, cases, messages;
};

/*
 * Opens a result batch (kind "single" or "import"); returns its id.
 */
enum store_rc testing_batch_open(struct store *st, const char *kind, int64_t account_id,
                                 const char *unit_code, int64_t now, int64_t *id);

/*
 * Sets a tube's result inside the caller's transaction, as part of batch_id
 * (propagation is a separate, set-based step: testing_propagate).  *changed
 * is false when the tube already had the same result (and ct); a different
 * existing result gives STORE_CONFLICT and *existing its name.  A tube not
 * found, or outside lab_unit (unit_within), gives STORE_DONE.
 */
enum store_rc testing_result_set(struct store *st, const char *tube_code, int result, int ct, int64_t by,
                                 int64_t batch_id, int64_t now, bool *changed, const char **existing);

/*
 * Propagates every tube result of batch_id to the tubes' pending members, in
 * a few set-based statements: member statuses, retest orders, cases with
 * their events; then queues one outbox message per member with a phone.
 * Call inside the transaction that set the results.  Adds to *sum.
 */
enum store_rc testing_propagate(struct store *st, int64_t batch_id, int64_t now,
                                struct testing_apply_summary *sum);

/* A corrected result (correct_store.c): what was withdrawn, what was kept. */
struct testing_correction {
    int64_t id, batch_id;
    int old_result;
    int64_t cases;              /* cases withdrawn */
    int64_t contacts;           /* contacts not yet reached, withdrawn */
    int64_t orders;             /* quarantine orders without a check-in, pending test orders, open retests */
    int64_t messages_withdrawn; /* unsent outbox rows deleted */
    int64_t kept;               /* contacts and orders someone had acted on */
    int64_t told;               /* people told their orders were withdrawn */
    struct testing_apply_summary sum; /* the new result's path */
};

/*
 * Replaces the result of tube t (which must have one) by result (ct in tenths
 * or -1) for reason, in the caller's transaction: withdraws what the old
 * result caused that no one acted on, then runs the new result's normal path
 * and records the correction.  STORE_DONE: the tube has no result yet;
 * STORE_CONFLICT: it already has this result.
 */
enum store_rc testing_result_correct(struct store *st, struct arena *a, const struct testing_tube *t, int result,
                                     int ct, const char *reason, int64_t by, const char *unit_code, int64_t now,
                                     struct testing_correction *c);

/* An import check: the parsed file's rows against the tubes a lab unit may see. */
struct testing_import_error {
    int64_t line;
    const char *field; /* column at fault, or NULL for the whole row */
    const char *code;  /* stable name of the fault, for pages to say it in words */
    const char *value; /* the cell at fault (or the tube), when there is one */
    int64_t ref_line;  /* duplicate: the line the tube was first on */
    const char *had;   /* already resulted: the stored result */
    const char *reason; /* the same in English */
};
struct testing_import_check {
    const char *format;
    int64_t rows, valid, unchanged, bad;
    struct testing_import_error *errors; /* at most TESTING_IMPORT_MAX_ERRORS */
    int nerrors;
    const char *token;                   /* set when stored */
};

/*
 * Parses and checks a result file (CSV or XLSX bytes) for a lab at unit_code,
 * and stores the valid rows under a fresh token (a "checked" batch).  File
 * faults (empty, unreadable, wrong columns, too many rows) fill f naming
 * "file" and return their code; row faults are listed in out.
 */
int testing_import_check(struct store *st, struct arena *a, const char *data, size_t len, int64_t account_id,
                         const char *unit_code, int64_t now, struct testing_import_check *out, struct fault *f);

/*
 * Applies a checked batch in one transaction (the caller's store_tx): all
 * valid rows or nothing.  A batch with bad rows is refused unless
 * valid_only; applying an applied batch answers its summary again.
 * Errors fill f: unknown token (404 "token"), another lab's token (403),
 * bad rows without valid_only (409 "apply_valid_only"), a tube resulted
 * differently since the check (409 "token", naming the line).
 */
int testing_import_apply(struct store *st, const char *token, int64_t account_id, const char *unit_code,
                         bool valid_only, int64_t now, struct testing_apply_summary *sum, bool *already,
                         struct fault *f);

/* ---------------------------------------------------------------- label sheet (labels.c) */

#define TESTING_LABELS_PER_PAGE 24 /* 3 x 8 labels of 70 x 37 mm on A4 */
/* One A4 PDF page of QR labels for the first TESTING_LABELS_PER_PAGE codes, the session at the foot. */
int testing_labels_pdf(const struct testing_session *s, const char *const *codes, int n, struct buf *out);

/* ---------------------------------------------------------------- demo (demo.c) */

/* Creates a demo site, a PCR session with pooled tubes, a lab account's unit as its
 * lab, results for some tubes and others pending.  People come from people.h. */
int testing_demo(struct store *s, int64_t sampler_account); /* the demo sampler, assigned to today's session */

/* ---------------------------------------------------------------- handlers */

enum err testing_handle_site_create(struct http_req *r);    /* POST /api/v1/testing/sites */
enum err testing_handle_site_list(struct http_req *r);      /* GET  /api/v1/testing/sites */
enum err testing_handle_session_create(struct http_req *r); /* POST /api/v1/testing/sessions */
enum err testing_handle_session_list(struct http_req *r);   /* GET  /api/v1/testing/sessions */
enum err testing_handle_session_get(struct http_req *r);    /* GET  /api/v1/testing/sessions/{id} */
enum err testing_handle_sampler_add(struct http_req *r);    /* POST /api/v1/testing/sessions/{id}/samplers */
enum err testing_handle_tubes_issue(struct http_req *r);    /* POST /api/v1/testing/sessions/{id}/tubes */
enum err testing_handle_labels_pdf(struct http_req *r);   /* GET  /api/v1/testing/sessions/{id}/labels.pdf */
enum err testing_handle_manifest(struct http_req *r);     /* GET  /api/v1/testing/sessions/{id}/manifest */
enum err testing_handle_receipt(struct http_req *r);      /* POST /api/v1/testing/sessions/{id}/receipt */
enum err testing_handle_tube_get(struct http_req *r);     /* GET  /api/v1/testing/tubes/{code} */
enum err testing_handle_stats(struct http_req *r);        /* GET  /api/v1/testing/stats */
enum err testing_handle_collect(struct http_req *r);      /* POST /api/v1/testing/samples */
enum err testing_handle_result(struct http_req *r);       /* POST /api/v1/testing/results */
enum err testing_handle_import_check(struct http_req *r); /* POST /api/v1/testing/results/import/check */
enum err testing_handle_import_apply(struct http_req *r);  /* POST /api/v1/testing/results/import/apply */
enum err testing_handle_result_correct(struct http_req *r); /* POST /api/v1/testing/results/{id}/correct */
enum err testing_handle_my_results(struct http_req *r);   /* GET  /api/v1/me/results */
enum err testing_handle_lookup_qr(struct http_req *r);    /* POST /api/v1/results/lookup/qr */
enum err testing_handle_lookup_cccd(struct http_req *r);  /* POST /api/v1/results/lookup/cccd */

#endif
