/*
 * tracing_http.c - /api/v1/tracing: cases entered by tracers, runs, the
 * communes' work lists (list, update, export), the chain graph, interview
 * contacts, the policy; /api/v1/test-orders for the sampling platform.
 *
 * Area: a case belongs to its person's commune, a contact to the contact's
 * home commune.  Tracers and admins act inside their unit only; in a chain,
 * people outside the caller's area appear without name or phone.  Every
 * list, export and chain view is audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/scope.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "export/export.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"
#include "venue/checkin.h"

#define RUN_MAX_CASES 500

static int settle_ms = 2000; /* set once at start (tracing_http_configure) */

void tracing_http_configure(int ms)
{
    settle_ms = ms;
}

/* Waits for queued runs as readers do; the runs still queued, also said in a header. */
static int64_t settle(struct http_req *r)
{
    int64_t behind = tracing_runs_settle(settle_ms);
    if (behind > 0) {
        char n[24];
        snprintf(n, sizeof(n), "%lld", (long long)behind);
        http_add_header(r, "Cordon-Runs-Behind", n);
    }
    return behind;
}

void tracing_http_settle(struct http_req *r)
{
    settle(r);
}

/* Reads "YYYY-MM-DD" (a local day) into the instant it starts. */
static int read_date(struct http_req *r, json_t *body, const char *name, bool required, int64_t *out)
{
    const char *v;
    int rc = jsonin_str(body, name, required, 10, &v, &r->fault);
    if (rc || !v)
        return rc;
    int64_t day;
    if (!vn_date_parse(v, &day))
        return http_fail(r, ERR_INVALID_FIELD, name, "%s must be a date YYYY-MM-DD", name);
    *out = vn_day_start(day);
    return 0;
}

/* The case {id} or field must name, inside the caller's area. */
static int case_in_area(struct http_req *r, int64_t case_id, const char *field)
{
    const char *commune;
    int rc = tracing_case_area(r->store, &r->arena, case_id, &commune);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, field, "no case has id %lld", (long long)case_id);
    if (rc)
        return store_err(rc);
    return area_require(r, commune);
}

/* ------------------------------------------------------------ cases */

struct case_ctx {
    struct tracing_case_new in;
    int64_t id;
    bool created;
};

static int case_tx(struct store *s, void *p)
{
    struct case_ctx *c = p;
    return tracing_case_insert(s, &c->in, clock_now(), &c->id, &c->created);
}

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

/* A case as the cases API answers it. */
static json_t *case_json(const struct tracing_case_row *row)
{
    json_t *o = json_pack("{s:I, s:I, s:s?, s:s, s:o, s:o, s:I, s:o, s:I, s:I}", "id", (json_int_t)row->c.case_id,
                          "person_id", (json_int_t)row->c.person, "full_name", row->full_name, "status",
                          row->status ? row->status : "", "onset", time_or_null(row->t.onset), "sample_at",
                          time_or_null(row->t.sample_at), "confirmed_at", (json_int_t)row->t.confirmed_at,
                          "isolated_at", time_or_null(row->t.isolated_at), "window_from", (json_int_t)row->c.from,
                          "window_until", (json_int_t)row->c.until);
    json_object_set_new(o, "province_code", row->province_code ? json_string(row->province_code) : json_null());
    json_object_set_new(o, "district_code", row->district_code ? json_string(row->district_code) : json_null());
    json_object_set_new(o, "commune_code", row->commune_code ? json_string(row->commune_code) : json_null());
    json_object_set_new(o, "sample_id", row->sample_id ? json_integer(row->sample_id) : json_null());
    json_object_set_new(o, "f1", json_integer(row->f1));
    json_object_set_new(o, "f2", json_integer(row->f2));
    return o;
}

/* The case {id} as the caller may see it, with its events; the caller's area was checked. */
static int case_read_one(struct http_req *r, int64_t id, struct tracing_case_row *row, json_t **out)
{
    struct tracing_policies pols;
    int rc = tracing_policies_load(r->store, &pols);
    struct store_stmt *st = NULL;
    struct tracing_case_filter one = {.area = r->who->unit_code, .id = id, .limit = 1};
    if (!rc)
        rc = tracing_cases_query(r->store, &one, &st);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        tracing_case_row_read(st, &pols, row);
        *out = case_json(row);
        /* the row's strings die with the statement */
        row->status = row->province_code = row->district_code = row->commune_code = row->full_name = NULL;
        rc = STORE_OK;
    }
    store_finalize(st);
    if (rc)
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    json_t *events = json_array();
    rc = tracing_case_events_query(r->store, id, &st);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        json_t *by = store_col_null(st, 3) ? json_null() : json_integer(store_col_int(st, 3));
        json_array_append_new(events, json_pack("{s:s, s:I, s:s?, s:o}", "kind", store_col_text(st, 0), "at",
                                                (json_int_t)store_col_int(st, 1), "detail", store_col_text(st, 2),
                                                "account_id", by));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(events);
        json_decref(*out);
        return store_err(rc);
    }
    json_object_set_new(*out, "events", events);
    return 0;
}

/* POST /api/v1/tracing/cases */
enum err tracing_handle_case_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "person_id", "test_date", "onset_date", "isolated_date", NULL};
    static const struct tracing_case_fields names = {"onset_date", "test_date", "isolated_date"};
    json_t *body;
    struct case_ctx c = {0};
    int64_t now = clock_now(), test = 0, onset = 0, isolated = 0;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.in.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "person_id", true, 1, INT64_MAX, &c.in.person_id, NULL, &r->fault);
    if (!rc)
        rc = read_date(r, body, "test_date", true, &test);
    if (!rc)
        rc = read_date(r, body, "onset_date", false, &onset);
    if (!rc)
        rc = read_date(r, body, "isolated_date", false, &isolated);
    if (!rc && test > now)
        rc = http_fail(r, ERR_INVALID_FIELD, "test_date", "test_date must not be in the future");
    if (!rc && onset && onset > test)
        rc = http_fail(r, ERR_INVALID_FIELD, "onset_date", "onset_date must not be after test_date");
    if (!rc && isolated > now)
        rc = http_fail(r, ERR_INVALID_FIELD, "isolated_date", "isolated_date must not be in the future");
    /* the day is what a tracer knows: sampled that day, confirmed by its end (or now, for today) */
    c.in.sample_at = test;
    c.in.confirmed_at = test + TRACING_DAY - 1 < now ? test + TRACING_DAY - 1 : now;
    c.in.onset_at = onset;
    c.in.isolated_at = isolated ? isolated + TRACING_DAY - 1 : 0;
    if (rc)
        return rc;
    struct person p;
    const struct unit *u;
    rc = people_require_located(r, c.in.person_id, "person_id", &p, &u);
    /* the window follows the policy where the person lives (their province's, else the nation's) */
    struct tracing_policy pol;
    if (!rc)
        rc = store_err(tracing_policy_for(r->store, u->code, &pol, NULL));
    struct tracing_case_times t = {c.in.onset_at, c.in.sample_at, c.in.confirmed_at, c.in.isolated_at};
    if (!rc)
        rc = tracing_window_check(&t, &pol, &names, TRACING_SET_ONSET | TRACING_SET_SAMPLE | TRACING_SET_ISOLATED,
                                  &r->fault);
    if (rc)
        return rc;
    unit_ancestors(u, &c.in.province_code, &c.in.district_code, &c.in.commune_code);
    c.in.entered_by = r->who->account_id;
    rc = store_tx(r->store, case_tx, &c);
    if (rc)
        return rc;
    struct tracing_case tc;
    rc = tracing_case_get(r->store, c.id, &tc);
    if (rc)
        return store_err(rc);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)c.id);
    audit_request(r, "tracing.case.create", "case", id, c.in.commune_code);
    return http_reply_json(r, c.created ? 201 : 200,
                           json_pack("{s:I, s:I, s:I, s:I, s:b}", "id", (json_int_t)c.id, "person_id",
                                     (json_int_t)tc.person, "window_from", (json_int_t)tc.from, "window_until",
                                     (json_int_t)tc.until, "created", c.created));
}

/* GET /api/v1/tracing/cases?unit=&status=&limit=&offset= */
enum err tracing_handle_cases(struct http_req *r)
{
    struct tracing_case_filter q = {0};
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 500, 100, &q.limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, 0, &q.offset);
    q.status = http_query(r, "status");
    if (!rc && q.status && !tracing_case_status_valid(q.status))
        rc = http_fail(r, ERR_INVALID_FIELD, "status", "status must be confirmed or withdrawn");
    if (rc)
        return rc;
    q.area = u->code;
    struct tracing_policies pols;
    rc = tracing_policies_load(r->store, &pols);
    struct store_stmt *st = NULL;
    if (!rc)
        rc = tracing_cases_query(r->store, &q, &st);
    json_t *arr = json_array();
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        struct tracing_case_row row;
        tracing_case_row_read(st, &pols, &row);
        json_array_append_new(arr, case_json(&row));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    audit_request(r, "tracing.cases.list", "case", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o, s:I, s:I}", "unit", u->code, "cases", arr, "limit",
                                             (json_int_t)q.limit, "offset", (json_int_t)q.offset));
}

/* GET /api/v1/tracing/cases/{id} */
enum err tracing_handle_case_get(struct http_req *r)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = case_in_area(r, id, "id");
    if (rc)
        return rc;
    struct tracing_case_row row;
    json_t *o;
    rc = case_read_one(r, id, &row, &o);
    if (rc)
        return rc;
    json_t *cc = json_object_get(o, "commune_code");
    audit_request(r, "tracing.case.read", "case", http_param(r, "id"), json_string_value(cc));
    return http_reply_json(r, 200, o);
}

/* Reads an editable time of the PATCH body: absent (unchanged), null (unknown) or epoch seconds up to now. */
static int read_time(struct http_req *r, json_t *body, const char *name, int64_t now, int64_t *t, unsigned bit,
                     unsigned *set)
{
    json_t *v = json_object_get(body, name);
    if (!v)
        return 0;
    *set |= bit;
    if (json_is_null(v)) {
        *t = 0;
        return 0;
    }
    int rc = jsonin_int(body, name, false, 946684800, INT64_MAX, t, NULL, &r->fault); /* from 2000 */
    if (!rc && *t > now + 300) /* a few minutes of clock skew */
        rc = http_fail(r, ERR_INVALID_FIELD, name, "%s must not be in the future", name);
    return rc;
}

struct case_update_ctx {
    struct http_req *r;
    int64_t id;
    const char *commune;
    struct tracing_case_times was, t;
};

static int case_update_tx(struct store *s, void *p)
{
    struct case_update_ctx *c = p;
    int rc = tracing_case_set_times(s, c->id, &c->was, &c->t, c->r->who->account_id, clock_now());
    if (!rc)
        rc = audit_request(c->r, "tracing.case.update", "case", http_param(c->r, "id"), c->commune);
    return rc;
}

/*
 * PATCH /api/v1/tracing/cases/{id} {"onset"?, "sample_at"?, "isolated_at"?}: epoch seconds, or null for
 * unknown.  The edit is stored (with a case event per field, old -> new, and an audit entry), then the case
 * is traced again over its new window, as POST /api/v1/tracing/runs would.
 */
enum err tracing_handle_case_update(struct http_req *r)
{
    static const char *const fields[] = {"onset", "sample_at", "isolated_at", NULL};
    static const struct tracing_case_fields names = {"onset", "sample_at", "isolated_at"};
    struct case_update_ctx c = {.r = r};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = http_param_id(r, "id", &c.id);
    if (!rc)
        rc = case_in_area(r, c.id, "id");
    if (!rc)
        rc = store_err(tracing_case_area(r->store, &r->arena, c.id, &c.commune));
    if (!rc)
        rc = store_err(tracing_case_times_get(r->store, c.id, &c.was));
    if (rc)
        return rc;
    c.t = c.was;
    unsigned set = 0;
    int64_t now = clock_now();
    rc = read_time(r, body, "onset", now, &c.t.onset, TRACING_SET_ONSET, &set);
    if (!rc)
        rc = read_time(r, body, "sample_at", now, &c.t.sample_at, TRACING_SET_SAMPLE, &set);
    if (!rc)
        rc = read_time(r, body, "isolated_at", now, &c.t.isolated_at, TRACING_SET_ISOLATED, &set);
    if (!rc && !set)
        rc = http_fail(r, ERR_MISSING_FIELD, "onset", "give onset, sample_at or isolated_at");
    struct tracing_policy pol;
    if (!rc)
        rc = store_err(tracing_policy_for(r->store, c.commune[0] ? c.commune : NULL, &pol, NULL));
    if (!rc)
        rc = tracing_window_check(&c.t, &pol, &names, set, &r->fault);
    if (rc)
        return rc;
    if (memcmp(&c.was, &c.t, sizeof(c.t)))
        rc = store_tx(r->store, case_update_tx, &c);
    if (rc)
        return rc;
    /* Trace again over the (new) window, as POST /tracing/runs does: contacts it now reaches are found and
     * orders follow.  Also when nothing changed, so a retry after a failed trace still traces; the same
     * window and parameters are the same run and change nothing. */
    struct tracing_case tc;
    struct tracing_params params;
    struct tracing_run_out run = {0};
    tracing_params_default(&params);
    rc = store_err(tracing_case_get(r->store, c.id, &tc));
    if (!rc)
        rc = tracing_run_cases(r->store, &params, &tc, 1, "manual", r->who->account_id, clock_now(), &run);
    /* the answer shows the case with what its run found written, as a reader would see it */
    if (!rc && run.pending && settle(r) == 0)
        run.pending = false;
    struct tracing_case_row row;
    json_t *o;
    if (!rc)
        rc = case_read_one(r, c.id, &row, &o);
    if (rc)
        return rc;
    json_object_set_new(o, "run", json_pack("{s:I, s:b, s:I, s:I, s:b}", "run_id", (json_int_t)run.run_id, "created",
                                            run.created, "f1", (json_int_t)run.f1, "f2", (json_int_t)run.f2,
                                            "pending", run.pending));
    return http_reply_json(r, 200, o);
}

/* ------------------------------------------------------------ runs */

/* POST /api/v1/tracing/runs {"case_ids": [..], "params": {..}} */
enum err tracing_handle_run(struct http_req *r)
{
    static const char *const fields[] = {"case_ids", "params", NULL};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    if (rc)
        return rc;
    json_t *ids = json_object_get(body, "case_ids");
    if (!ids)
        return http_fail(r, ERR_MISSING_FIELD, "case_ids", "case_ids is required");
    if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > RUN_MAX_CASES)
        return http_fail(r, ERR_INVALID_FIELD, "case_ids", "case_ids must be an array of 1 to %d case ids",
                         RUN_MAX_CASES);
    struct tracing_params p;
    tracing_params_default(&p);
    rc = tracing_params_from_json(json_object_get(body, "params"), &p, &r->fault);
    if (rc)
        return rc;
    size_t n = json_array_size(ids);
    struct tracing_case *cases = arena_alloc(&r->arena, n * sizeof(*cases));
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return http_fail(r, ERR_INVALID_FIELD, "case_ids", "case_ids must hold positive integers");
        rc = case_in_area(r, json_integer_value(v), "case_ids");
        if (rc)
            return rc;
        rc = tracing_case_get(r->store, json_integer_value(v), &cases[i]);
        if (rc)
            return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    }
    struct tracing_run_out *outs = arena_alloc(&r->arena, n * sizeof(*outs));
    rc = tracing_run_cases(r->store, &p, cases, n, n > 1 ? "batch" : "manual", r->who->account_id, clock_now(),
                           outs);
    if (rc)
        return rc;
    json_t *arr = json_array();
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        any = any || outs[i].created;
        json_array_append_new(arr, json_pack("{s:I, s:I, s:b, s:I, s:I, s:b}", "case_id", (json_int_t)cases[i].case_id,
                                             "run_id", (json_int_t)outs[i].run_id, "created", outs[i].created, "f1",
                                             (json_int_t)outs[i].f1, "f2", (json_int_t)outs[i].f2, "pending", outs[i].pending));
    }
    return http_reply_json(r, any ? 201 : 200, json_pack("{s:o, s:o}", "runs", arr, "params",
                                                         tracing_params_to_json(&p)));
}

/* GET /api/v1/tracing/runs?case_id= */
enum err tracing_handle_runs(struct http_req *r)
{
    int64_t case_id;
    int rc = http_query_int(r, "case_id", 1, INT64_MAX, 0, &case_id);
    if (!rc && !case_id)
        rc = http_fail(r, ERR_MISSING_FIELD, "case_id", "case_id is required");
    if (!rc)
        rc = case_in_area(r, case_id, "case_id");
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = tracing_runs_query(r->store, case_id, &st);
    json_t *arr = json_array();
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        json_t *params = json_loads(store_col_text(st, 3), 0, NULL);
        json_t *o = json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:s, s:I, s:b}", "id", (json_int_t)store_col_int(st, 0),
                              "window_from", (json_int_t)store_col_int(st, 1), "window_until",
                              (json_int_t)store_col_int(st, 2), "params", params ? params : json_null(), "f1",
                              (json_int_t)store_col_int(st, 4), "f2", (json_int_t)store_col_int(st, 5), "trigger",
                              store_col_text(st, 6), "created_at", (json_int_t)store_col_int(st, 7), "pending",
                              store_col_int(st, 8) != 0);
        /* what its last write changed, and when (null for a run written before these were kept) */
        json_object_set_new(o, "contacts_changed",
                            store_col_null(st, 9) ? json_null() : json_integer(store_col_int(st, 9)));
        json_object_set_new(o, "written_at", store_col_null(st, 10) ? json_null() : json_integer(store_col_int(st, 10)));
        json_array_append_new(arr, o);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    return http_reply_json(r, 200, json_pack("{s:I, s:o}", "case_id", (json_int_t)case_id, "runs", arr));
}

/* ------------------------------------------------------------ work lists */

static int read_list_query(struct http_req *r, struct tracing_contact_filter *q, const struct unit **u,
                           int64_t max_limit)
{
    int rc = area_from_query(r, "unit", u);
    if (!rc)
        rc = http_query_int(r, "degree", 1, 2, 0, &q->degree);
    if (!rc)
        rc = http_query_int(r, "case_id", 1, INT64_MAX, 0, &q->case_id);
    if (!rc)
        rc = http_query_int(r, "limit", 1, max_limit, max_limit < 500 ? max_limit : 100, &q->limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, 0, &q->offset);
    q->status = http_query(r, "status");
    if (!rc && q->status && !tracing_status_valid(q->status))
        rc = http_fail(r, ERR_INVALID_FIELD, "status",
                       "status must be not_reached, reached, tested, in_quarantine or cleared");
    if (!rc)
        q->area = (*u)->code;
    return rc;
}

/* The name of the person a contact was found through, when the caller's area holds that person's home;
 * NULL otherwise (as in the chain, people outside the area stay unnamed). */
static const char *through_name(const struct http_req *r, struct store_stmt *st)
{
    const char *commune = store_col_text(st, 20);
    bool visible = commune && r->who->unit_code && unit_within(r->who->unit_code, commune);
    return visible ? store_col_text(st, 19) : NULL;
}

static json_t *contact_json(const struct http_req *r, struct store_stmt *st)
{
    json_t *reasons = json_loads(store_col_text(st, 7), 0, NULL);
    json_t *o = json_pack("{s:I, s:I, s:I, s:i, s:I, s:I, s:i, s:o, s:s}", "id", (json_int_t)store_col_int(st, 0),
                          "case_id", (json_int_t)store_col_int(st, 1), "person_id", (json_int_t)store_col_int(st, 2),
                          "degree", (int)store_col_int(st, 3), "through_person_id", (json_int_t)store_col_int(st, 4),
                          "first_at", (json_int_t)store_col_int(st, 5), "risk", (int)store_col_int(st, 6), "reasons",
                          reasons ? reasons : json_null(), "status", store_col_text(st, 8));
    static const char *const names[] = {"note", "commune_code", NULL, "full_name", "phone", "street", "date_of_birth"};
    for (int i = 0; i < 7; i++) {
        if (!names[i])
            continue;
        const char *v = store_col_text(st, 9 + i);
        json_object_set_new(o, names[i], v ? json_string(v) : json_null());
    }
    json_object_set_new(o, "updated_at", json_integer(store_col_int(st, 11)));
    /* found only through anonymous check-ins: no orders until a tracer confirms */
    json_object_set_new(o, "unverified", json_boolean(store_col_int(st, 16) != 0));
    /* a person without a phone (a child, an elder) is reached through the relative who manages them */
    const char *mphone = store_col_text(st, 17), *mname = store_col_text(st, 18), *through = through_name(r, st);
    json_object_set_new(o, "manager_phone", mphone ? json_string(mphone) : json_null());
    json_object_set_new(o, "manager_name", mname ? json_string(mname) : json_null());
    json_object_set_new(o, "through_name", through ? json_string(through) : json_null());
    return o;
}

/* GET /api/v1/tracing/contacts?unit=&degree=&status=&case_id=&limit=&offset= */
enum err tracing_handle_contacts(struct http_req *r)
{
    struct tracing_contact_filter q = {0};
    const struct unit *u;
    int rc = read_list_query(r, &q, &u, 500);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = tracing_contacts_query(r->store, &q, &st);
    json_t *arr = json_array();
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        json_array_append_new(arr, contact_json(r, st));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    audit_request(r, "tracing.contacts.list", "tracing_contact", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", u->code, "contacts", arr));
}

/* A contact status as the work list names it. */
static const char *status_label(const char *status)
{
    static const char *const map[][2] = {{"not_reached", "Chưa liên hệ được"},
                                         {"reached", "Đã liên hệ"},
                                         {"tested", "Đã xét nghiệm"},
                                         {"in_quarantine", "Đang cách ly"},
                                         {"cleared", "Đã kết thúc theo dõi"},
                                         {"withdrawn", "Đã rút (kết quả được sửa)"}};
    for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(status, map[i][0]))
            return map[i][1];
    return status;
}

/* "2026-03-12 18:30", local time. */
static void format_local(int64_t at, char out[17])
{
    char day[11];
    vn_date_format(vn_day(at), day);
    int64_t sec = at - vn_day_start(vn_day(at));
    unsigned hh = (unsigned)(sec / 3600 % 24), mm = (unsigned)(sec % 3600 / 60);
    memcpy(out, day, 10);
    out[10] = ' ';
    out[11] = (char)('0' + hh / 10);
    out[12] = (char)('0' + hh % 10);
    out[13] = ':';
    out[14] = (char)('0' + mm / 10);
    out[15] = (char)('0' + mm % 10);
    out[16] = '\0';
}

/* Appends sep and s to out (len bytes, n used); stops quietly when full. */
static void append(char *out, size_t len, size_t *n, const char *sep, const char *s)
{
    int w = snprintf(out + *n, len - *n, "%s%s", sep, s);
    if (w > 0 && (size_t)w < len - *n)
        *n += (size_t)w;
}

/* The reasons a contact was found, for a person reading the export:
 * "Phở Lý Quốc Sư, 2026-03-12 18:30, 45 phút; Cùng hộ gia đình; Phỏng vấn, 2026-03-12 20:00, 30 phút". */
static void reasons_text(const char *stored, char *out, size_t len)
{
    size_t n = 0, i;
    out[0] = '\0';
    json_t *wrap = json_loads(stored ? stored : "", 0, NULL), *items = json_object_get(wrap, "items"), *it;
    json_array_foreach(items, i, it)
    {
        const char *source = json_string_value(json_object_get(it, "source"));
        const char *venue = json_string_value(json_object_get(it, "venue_name"));
        const char *plate = json_string_value(json_object_get(it, "plate"));
        json_t *at = json_object_get(it, "at"), *minutes = json_object_get(it, "minutes");
        bool household = source && !strcmp(source, "household");
        const char *what = household                                 ? "Cùng hộ gia đình"
                           : source && !strcmp(source, "venue")      ? (venue ? venue : "Địa điểm")
                           : source && !strcmp(source, "interview") ? "Phỏng vấn"
                           : source && !strcmp(source, "vehicle")   ? "Cùng xe qua chốt"
                                                                     : "Khác";
        append(out, len, &n, n ? "; " : "", what);
        if (plate)
            append(out, len, &n, " ", plate);
        if (json_is_integer(at) && !household) {
            char when[17];
            format_local(json_integer_value(at), when);
            append(out, len, &n, ", ", when);
        }
        if (json_is_integer(minutes)) {
            char m[32];
            snprintf(m, sizeof(m), "%lld phút", (long long)json_integer_value(minutes));
            append(out, len, &n, ", ", m);
        }
    }
    long long more = (long long)json_integer_value(json_object_get(wrap, "total")) - (long long)json_array_size(items);
    if (more > 0) {
        char m[48];
        snprintf(m, sizeof(m), "và %lld lý do khác", more);
        append(out, len, &n, "; ", m);
    }
    json_decref(wrap);
}

/* GET /api/v1/tracing/contacts/export?unit=&format=csv|xlsx (&degree, status, case_id)
 * One row per contact with the reasons it was found and through whom; a person without a phone shows
 * the phone of the relative who manages them, named in the next column. */
enum err tracing_handle_export(struct http_req *r)
{
    struct tracing_contact_filter q = {0};
    const struct unit *u;
    enum export_kind kind;
    const char *format = http_query(r, "format");
    if (export_kind_parse(format ? format : "csv", &kind))
        return http_fail(r, ERR_INVALID_FIELD, "format", "format must be csv or xlsx");
    int rc = read_list_query(r, &q, &u, 100000);
    if (rc)
        return rc;
    if (!http_query(r, "limit"))
        q.limit = 100000;
    static const char *const cols[] = {"Mã",           "Ca bệnh",   "Loại",   "Họ tên", "Điện thoại",
                                       "Chủ số điện thoại (người thân quản lý)", "Địa chỉ",   "Ngày sinh", "Xã/phường",
                                       "Tiếp xúc đầu", "Lý do",     "Qua ai", "Nguy cơ", "Trạng thái",
                                       "Ghi chú",      NULL};
    /* phones as the access table lets the caller's role see contacts and people */
    bool masked = access_view(r->who->role, REC_CONTACT) == VIEW_MASKED || people_view(r) == VIEW_MASKED;
    struct export *e = export_begin(kind, cols);
    struct store_stmt *st;
    rc = tracing_contacts_query(r->store, &q, &st);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        char id[24], cs[24], deg[4], first[17], risk[8], why[1200], phone[40];
        snprintf(id, sizeof(id), "%lld", (long long)store_col_int(st, 0));
        snprintf(cs, sizeof(cs), "%lld", (long long)store_col_int(st, 1));
        snprintf(deg, sizeof(deg), "F%d", (int)store_col_int(st, 3));
        format_local(store_col_int(st, 5), first);
        snprintf(risk, sizeof(risk), "%d", (int)store_col_int(st, 6));
        reasons_text(store_col_text(st, 7), why, sizeof(why));
        /* no phone of their own: the managing relative's, and whose it is */
        const char *own = store_col_text(st, 13), *manager = NULL, *shown = own;
        if (!own || !own[0]) {
            shown = store_col_text(st, 17);
            manager = shown && shown[0] ? store_col_text(st, 18) : NULL;
        }
        if (masked && shown)
            access_mask(shown, phone, sizeof(phone));
        const char *through = through_name(r, st);
        if (!through && store_col_int(st, 4))
            through = "(ngoài địa bàn)";
        const char *row[] = {id,         cs,    deg,     store_col_text(st, 12), masked && shown ? phone : shown,
                             manager,    store_col_text(st, 14), store_col_text(st, 15), store_col_text(st, 10),
                             first,      why,   through, risk, status_label(store_col_text(st, 8)),
                             store_col_text(st, 9)};
        if (export_row(e, row)) {
            rc = ERR_TOO_LARGE;
            break;
        }
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        export_free(e);
        return rc == ERR_TOO_LARGE ? http_fail(r, ERR_TOO_LARGE, "limit", "the list is too large; narrow it")
                                   : store_err(rc);
    }
    struct buf out;
    buf_init(&out, EXPORT_MAX_BYTES + (1u << 20));
    if (export_end(e, &out)) {
        buf_release(&out);
        return ERR_INTERNAL;
    }
    audit_request(r, "tracing.contacts.export", "tracing_contact", NULL, u->code);
    char disp[96];
    snprintf(disp, sizeof(disp), "attachment; filename=\"tracing-%s.%s\"", u->code, export_extension(kind));
    http_add_header(r, "Content-Disposition", disp);
    rc = http_reply(r, 200, export_content_type(kind), out.data, out.len);
    buf_release(&out);
    return rc;
}

struct update_ctx {
    struct http_req *r;
    int64_t id;
    const char *status, *note, *commune;
    int confirm; /* 1: confirm an unverified contact */
};

static int update_tx(struct store *s, void *p)
{
    struct update_ctx *c = p;
    int rc = 0;
    if (c->status || c->note)
        rc = tracing_contact_set(s, c->id, c->status, c->note, clock_now());
    if (!rc && c->confirm == 1)
        rc = tracing_contact_confirm(s, c->id, clock_now());
    if (!rc)
        rc = audit_request(c->r, "tracing.contact.update", "tracing_contact", http_param(c->r, "id"), c->commune);
    return rc;
}

/* PATCH /api/v1/tracing/contacts/{id} {"status": .., "note": ..} */
enum err tracing_handle_contact_update(struct http_req *r)
{
    static const char *const fields[] = {"status", "note", "confirm", NULL};
    json_t *body;
    struct update_ctx c = {.r = r, .confirm = -1};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "status", false, 16, &c.status, &r->fault);
    if (!rc && c.status && !tracing_status_valid(c.status))
        rc = http_fail(r, ERR_INVALID_FIELD, "status",
                       "status must be not_reached, reached, tested, in_quarantine or cleared");
    if (!rc)
        rc = jsonin_str(body, "note", false, 1000, &c.note, &r->fault);
    if (!rc)
        rc = jsonin_bool(body, "confirm", false, &c.confirm, &r->fault);
    if (!rc && c.confirm == 0)
        rc = http_fail(r, ERR_INVALID_FIELD, "confirm", "confirm can only be true");
    if (!rc && !c.status && !c.note && c.confirm != 1)
        rc = http_fail(r, ERR_MISSING_FIELD, "status", "give status, note or confirm");
    if (!rc)
        rc = http_param_id(r, "id", &c.id);
    if (rc)
        return rc;
    char commune[8];
    rc = tracing_contact_commune(r->store, c.id, commune);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no contact has id %lld", (long long)c.id);
    if (rc)
        return store_err(rc);
    rc = area_require(r, commune[0] ? commune : UNIT_NATION);
    if (rc)
        return rc;
    c.commune = commune[0] ? commune : NULL;
    rc = store_tx(r->store, update_tx, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    struct tracing_contact_filter one = {.area = r->who->unit_code, .id = c.id, .limit = 1};
    rc = tracing_contacts_query(r->store, &one, &st);
    if (!rc)
        rc = store_step(st);
    json_t *o = rc == STORE_ROW ? contact_json(r, st) : NULL;
    store_finalize(st);
    if (!o)
        return store_err(rc ? rc : STORE_ERROR);
    return http_reply_json(r, 200, o);
}

/* ------------------------------------------------------------ chain graph */

/* GET /api/v1/tracing/cases/{id}/chain */
enum err tracing_handle_chain(struct http_req *r)
{
    int64_t case_id;
    int rc = http_param_id(r, "id", &case_id);
    if (!rc)
        rc = case_in_area(r, case_id, "id");
    if (rc)
        return rc;
    struct tracing_case c;
    rc = tracing_case_get(r->store, case_id, &c);
    if (rc)
        return store_err(rc);
    json_t *nodes = json_array(), *edges = json_array();
    struct person f0;
    rc = people_get(r->store, &r->arena, c.person, &f0);
    json_array_append_new(nodes, json_pack("{s:I, s:i, s:s?, s:s?}", "id", (json_int_t)c.person, "degree", 0,
                                           "name", rc == STORE_OK ? f0.full_name : NULL, "commune_code",
                                           rc == STORE_OK ? f0.commune_code : NULL));
    struct store_stmt *st;
    rc = tracing_chain_query(r->store, case_id, &st);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        const char *commune = store_col_text(st, 5);
        bool visible = commune && r->who->unit_code && unit_within(r->who->unit_code, commune);
        json_array_append_new(nodes, json_pack("{s:I, s:i, s:i, s:s, s:s?, s:s?}", "id",
                                               (json_int_t)store_col_int(st, 0), "degree", (int)store_col_int(st, 1),
                                               "risk", (int)store_col_int(st, 3), "status", store_col_text(st, 4),
                                               "commune_code", commune, "name",
                                               visible ? store_col_text(st, 6) : NULL));
        json_t *reasons = json_loads(store_col_text(st, 7), 0, NULL);
        json_array_append_new(edges, json_pack("{s:I, s:I, s:I, s:o}", "from", (json_int_t)store_col_int(st, 2), "to",
                                               (json_int_t)store_col_int(st, 0), "first_at",
                                               (json_int_t)store_col_int(st, 8), "reasons",
                                               reasons ? json_incref(json_object_get(reasons, "items")) : json_null()));
        json_decref(reasons);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(nodes);
        json_decref(edges);
        return store_err(rc);
    }
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)case_id);
    audit_request(r, "tracing.chain.read", "case", id, f0.commune_code);
    return http_reply_json(r, 200, json_pack("{s:I, s:o, s:o}", "case_id", (json_int_t)case_id, "nodes", nodes,
                                             "edges", edges));
}

/* ------------------------------------------------------------ interviews */

static int interview_tx(struct store *s, void *p)
{
    int rc = tracing_interview_insert(s, p, clock_now());
    return rc == STORE_DONE ? ERR_CONFLICT : rc; /* the same contact and time under another client_id */
}

/* POST /api/v1/tracing/interviews */
enum err tracing_handle_interview(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "case_id", "index_person_id", "contact_person_id",
                                         "contacted_at", "minutes", "note", NULL};
    json_t *body;
    struct tracing_interview c = {.by = r->who->account_id};
    bool has_index = false;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "case_id", true, 1, INT64_MAX, &c.case_id, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "index_person_id", false, 1, INT64_MAX, &c.index_person, &has_index, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "contact_person_id", true, 1, INT64_MAX, &c.contact, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "contacted_at", true, 946684800, clock_now() + 3600, &c.at, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "minutes", false, 0, 24 * 60, &c.minutes, NULL, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "note", false, 500, &c.note, &r->fault);
    if (rc)
        return rc;
    rc = case_in_area(r, c.case_id, "case_id");
    if (rc)
        return rc;
    struct tracing_case tc;
    rc = tracing_case_get(r->store, c.case_id, &tc);
    if (rc)
        return store_err(rc);
    if (!has_index)
        c.index_person = tc.person;
    struct person p;
    if (people_get(r->store, &r->arena, c.contact, &p) != STORE_OK)
        return http_fail(r, ERR_INVALID_FIELD, "contact_person_id", "no person has this id");
    if (has_index && people_get(r->store, &r->arena, c.index_person, &p) != STORE_OK)
        return http_fail(r, ERR_INVALID_FIELD, "index_person_id", "no person has this id");
    if (c.contact == c.index_person)
        return http_fail(r, ERR_INVALID_FIELD, "contact_person_id", "a person is not their own contact");
    rc = store_tx(r->store, interview_tx, &c);
    if (rc == ERR_CONFLICT)
        return http_fail(r, ERR_CONFLICT, "client_id", "this contact at this time is already recorded");
    if (rc)
        return rc;
    return http_reply_json(r, c.created ? 201 : 200,
                           json_pack("{s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)c.id, "case_id",
                                     (json_int_t)c.case_id, "index_person_id", (json_int_t)c.index_person,
                                     "contact_person_id", (json_int_t)c.contact, "contacted_at", (json_int_t)c.at));
}

/* ------------------------------------------------------------ policy */

/* GET /api/v1/tracing/policy?unit= : the policy in force at unit (default the caller's own) */
enum err tracing_handle_policy_get(struct http_req *r)
{
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    struct tracing_policy p;
    const char *source;
    rc = tracing_policy_for(r->store, u->code, &p, &source);
    if (rc)
        return store_err(rc);
    json_t *o = tracing_policy_to_json(&p);
    json_object_set_new(o, "unit", json_string(u->code));
    json_object_set_new(o, "source", json_string(source));
    return http_reply_json(r, 200, o);
}

static const char *const policy_fields[] = {"quarantine_days", "place_kind", "checkins_per_day", "radius_m",
                                            "grace_minutes", "test_days", "enabled", "window_days_before",
                                            "window_max_days", NULL};

struct policy_ctx {
    struct http_req *r;
    const char *province; /* NULL: the national policy */
    struct tracing_policy p;
    bool remove;
};

static int policy_tx(struct store *s, void *arg)
{
    struct policy_ctx *c = arg;
    int rc = tracing_policy_set(s, c->province, c->remove ? NULL : &c->p, clock_now());
    if (!rc)
        rc = audit_request(c->r, c->remove ? "tracing.policy.remove" : "tracing.policy.update", "tracing_policy",
                           c->province ? c->province : UNIT_NATION, c->province);
    return rc;
}

static int policy_reply(struct http_req *r, const char *place)
{
    struct tracing_policy p;
    const char *source;
    int rc = tracing_policy_for(r->store, place, &p, &source);
    if (rc)
        return store_err(rc);
    json_t *o = tracing_policy_to_json(&p);
    json_object_set_new(o, "unit", json_string(place ? place : UNIT_NATION));
    json_object_set_new(o, "source", json_string(source));
    return http_reply_json(r, 200, o);
}

/* PUT /api/v1/tracing/policy (national admins): any subset of the fields */
enum err tracing_handle_policy_put(struct http_req *r)
{
    json_t *body;
    struct policy_ctx c = {.r = r};
    int rc = http_read_json(r, policy_fields, &body);
    if (!rc)
        rc = tracing_policy_get(r->store, &c.p) ? ERR_INTERNAL : 0;
    if (!rc)
        rc = tracing_policy_apply(body, &c.p, &r->fault);
    if (!rc)
        rc = store_tx(r->store, policy_tx, &c);
    return rc ? rc : policy_reply(r, NULL);
}

/* The province of path parameter {province}, inside the caller's area. */
static int policy_province(struct http_req *r, const struct unit **u)
{
    int rc = unit_check(http_param(r, "province"), "province", ERR_NOT_FOUND, u, &r->fault);
    if (!rc && (*u)->level != 1)
        rc = http_fail(r, ERR_NOT_FOUND, "province", "%s is not a province", (*u)->code);
    return rc ? rc : area_require(r, (*u)->code);
}

/* PUT /api/v1/tracing/policy/{province} (national admins, the province's admins): the province's override,
 * starting from the policy in force there */
enum err tracing_handle_policy_province_put(struct http_req *r)
{
    const struct unit *u;
    json_t *body;
    struct policy_ctx c = {.r = r};
    int rc = policy_province(r, &u);
    if (!rc)
        rc = http_read_json(r, policy_fields, &body);
    if (!rc)
        rc = store_err(tracing_policy_for(r->store, u->code, &c.p, NULL));
    if (!rc)
        rc = tracing_policy_apply(body, &c.p, &r->fault);
    c.province = rc ? NULL : u->code;
    if (!rc)
        rc = store_tx(r->store, policy_tx, &c);
    return rc ? rc : policy_reply(r, u->code);
}

/* DELETE /api/v1/tracing/policy/{province}: the province follows the national policy again */
enum err tracing_handle_policy_province_delete(struct http_req *r)
{
    const struct unit *u;
    int rc = policy_province(r, &u);
    struct policy_ctx c = {.r = r, .province = rc ? NULL : u->code, .remove = true};
    if (!rc)
        rc = store_tx(r->store, policy_tx, &c);
    return rc ? rc : policy_reply(r, u->code);
}

/* ------------------------------------------------------------ test orders */

/* GET /api/v1/test-orders?unit=&from=&to= (dates YYYY-MM-DD; default today): the tracing policy's
 * test orders and the retest orders of positive pools, as a call list */
enum err tracing_handle_test_orders(struct http_req *r)
{
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    int64_t today = vn_day(clock_now()), from = today, to = today;
    const char *f = http_query(r, "from"), *t = http_query(r, "to");
    if (f && !vn_date_parse(f, &from))
        return http_fail(r, ERR_INVALID_FIELD, "from", "from must be a date YYYY-MM-DD");
    if (t && !vn_date_parse(t, &to))
        return http_fail(r, ERR_INVALID_FIELD, "to", "to must be a date YYYY-MM-DD");
    if (to < from || to - from > 60)
        return http_fail(r, ERR_INVALID_FIELD, "to", "to must be from 0 to 60 days after from");
    struct store_stmt *st;
    rc = tracing_test_orders_query(r->store, u->code, from, to, &st);
    /* samplers see the people they are to sample masked (admin/access.h) */
    bool masked = people_view(r) == VIEW_MASKED;
    json_t *arr = json_array();
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        char day[11], phone[32];
        vn_date_format(store_col_int(st, 3), day);
        /* whom to call: the person, or for one without a phone the citizen who manages them */
        const char *own = store_col_text(st, 9), *mgr = store_col_text(st, 10);
        const char *call = own ? own : mgr;
        access_mask(call, phone, sizeof(phone));
        json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "id",
                              (json_int_t)store_col_int(st, 0), "kind", store_col_text(st, 7), "person_id",
                              (json_int_t)store_col_int(st, 1), "due_date", day, "reason", store_col_text(st, 4),
                              "status", store_col_text(st, 5), "commune_code", store_col_text(st, 6), "full_name",
                              store_col_text(st, 8), "phone", masked && call ? phone : call);
        json_object_set_new(o, "case_id", store_col_null(st, 2) ? json_null() : json_integer(store_col_int(st, 2)));
        json_object_set_new(o, "phone_of", json_string(own ? "person" : mgr ? "manager" : "none"));
        json_object_set_new(o, "manager_name",
                            !own && mgr && store_col_text(st, 11) ? json_string(store_col_text(st, 11)) : json_null());
        json_array_append_new(arr, o);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    audit_request(r, "test_orders.list", "test_order", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", u->code, "orders", arr));
}
