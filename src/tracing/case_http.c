/*
 * case_http.c - the cases list and a case's days corrected, for the tracing
 * pages: GET /api/v1/tracing/cases and PATCH /api/v1/tracing/cases/{id}.
 *
 * Minimal: the answer is the contract of docs/api-tracing.md (id, person_id,
 * full_name, status, onset, sample_at, confirmed_at, isolated_at, the window,
 * the case's units), read from the cases table as it stands; the window is
 * tracing_case_get's.  Tracing staff act inside their area; every list is
 * audited, every edit is a case event and an audit entry, and an edited case
 * is traced again over its new window.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "store/sql.h"
#include "store/store.h"
#include "tracing/case_http.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

#define CASE_SELECT                                                                                          \
    "SELECT c.id, c.person_id, p.full_name, c.status, c.onset_at, c.confirmed_at, c.isolated_at, "           \
    "c.province_code,"                                                                                       \
    " c.district_code, c.commune_code, c.sample_id, s.collected_at"                                          \
    " FROM cases c LEFT JOIN persons p ON p.id = c.person_id LEFT JOIN testing_samples s ON s.id = "         \
    "c.sample_id"                                                                                            \
    " WHERE 1 = 1"

static json_t *int_or_null(struct store_stmt *st, int col)
{
    return store_col_null(st, col) ? json_null() : json_integer(store_col_int(st, col));
}

static json_t *text_or_null(struct store_stmt *st, int col)
{
    const char *v = store_col_text(st, col);
    return v ? json_string(v) : json_null();
}

/* One row of CASE_SELECT as the API answers it, without its window (add_window, once the row is read).
 * A case a tracer entered was sampled on its test day. */
static json_t *case_row_json(struct store_stmt *st)
{
    bool entered = store_col_null(st, 10);
    return json_pack("{s:I, s:I, s:o, s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)store_col_int(st, 0), "person_id", (json_int_t)store_col_int(st, 1),
                     "full_name", text_or_null(st, 2), "status",
                     store_col_text(st, 3) ? store_col_text(st, 3) : "", "onset", int_or_null(st, 4),
                     "sample_at", entered ? json_integer(store_col_int(st, 5)) : int_or_null(st, 11),
                     "confirmed_at", (json_int_t)store_col_int(st, 5), "isolated_at", int_or_null(st, 6),
                     "province_code", text_or_null(st, 7), "district_code", text_or_null(st, 8),
                     "commune_code", text_or_null(st, 9), "sample_id", int_or_null(st, 10));
}

/* The infectious window as tracing computes it (tracing_case_get). */
static int add_window(struct store *s, json_t *o)
{
    struct tracing_case tc;
    int rc = tracing_case_get(s, json_integer_value(json_object_get(o, "id")), &tc);
    if (rc)
        return rc;
    json_object_set_new(o, "window_from", json_integer(tc.from));
    json_object_set_new(o, "window_until", json_integer(tc.until));
    return 0;
}

/* The case {id} as the API answers it. */
static int case_one(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    *out = NULL;
    int rc = store_query(s, &st, CASE_SELECT " AND c.id = ?", "i", id);
    if (!rc && (rc = store_step(st)) == STORE_ROW) {
        *out = case_row_json(st);
        rc = STORE_OK;
    }
    store_finalize(st);
    if (!rc && (rc = add_window(s, *out)) != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* GET /api/v1/tracing/cases?unit=&status=&limit=&offset= : the area's cases, newest first */
enum err tracing_handle_case_list(struct http_req *r)
{
    const struct unit *u;
    int64_t limit, offset;
    int rc = area_from_query(r, "unit", &u);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 500, 100, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, 0, &offset);
    const char *status = http_query(r, "status");
    if (!rc && status && strcmp(status, "confirmed"))
        rc = http_fail(r, ERR_INVALID_FIELD, "status", "status must be confirmed");
    if (rc)
        return rc;
    struct store_sql q;
    store_sql_init(&q, CASE_SELECT, "");
    store_sql_area(&q, "c", u->code);
    if (status)
        store_sql_add(&q, " AND c.status = ?", "s", status);
    store_sql_add(&q, " ORDER BY c.id DESC LIMIT ? OFFSET ?", "ii", limit, offset);
    struct store_stmt *st;
    rc = store_sql_query(r->store, &st, &q);
    json_t *arr = json_array();
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        json_array_append_new(arr, case_row_json(st));
    }
    store_finalize(st);
    /* the windows once the list's statement is done */
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (rc == STORE_DONE && add_window(r->store, v))
            rc = STORE_ERROR;
    }
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    audit_request(r, "tracing.cases.list", "case", NULL, u->code);
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:o, s:I, s:I}", "unit", u->code, "cases", arr, "limit",
                                     (json_int_t)limit, "offset", (json_int_t)offset));
}

/* Reads an editable time: absent (unchanged), null (unknown) or epoch seconds, not in the future. */
static int read_time(struct http_req *r, json_t *body, const char *name, int64_t now, int64_t *t, bool *set)
{
    json_t *v = json_object_get(body, name);
    if (!v)
        return 0;
    *set = true;
    if (json_is_null(v)) {
        *t = 0;
        return 0;
    }
    int rc = jsonin_int(body, name, false, 946684800, INT64_MAX, t, NULL, &r->fault); /* from 2000 */
    if (!rc && *t > now + 300) /* a little clock skew */
        rc = fault_set(&r->fault, ERR_INVALID_FIELD, name, "%s must not be in the future", name);
    return rc;
}

struct patch_ctx {
    struct http_req *r;
    int64_t id, onset, confirmed, isolated;
    const char *commune, *detail;
};

static int patch_tx(struct store *s, void *p)
{
    struct patch_ctx *c = p;
    int rc =
        store_run(s, NULL, "UPDATE cases SET onset_at = ?, confirmed_at = ?, isolated_at = ? WHERE id = ?",
                  "iiii", c->onset, c->confirmed, c->isolated, c->id);
    if (!rc)
        rc = store_run(s, NULL,
                       "INSERT INTO case_events (case_id, kind, at, detail) VALUES (?, 'edited', ?, ?)",
                       "iis", c->id, clock_now(), c->detail);
    if (!rc)
        rc = audit_request(c->r, "tracing.case.update", "case", http_param(c->r, "id"), c->commune);
    return rc;
}

/*
 * PATCH /api/v1/tracing/cases/{id} {"onset"?, "sample_at"?, "isolated_at"?}: epoch seconds, or null for
 * unknown (the test day stands in, as for a case entered without them).  The sample of a case from a
 * result is the lab's.  Answers the case with "run": the new trace's counts (null when nothing changed).
 */
enum err tracing_handle_case_patch(struct http_req *r)
{
    static const char *const fields[] = {"onset", "sample_at", "isolated_at", NULL};
    struct patch_ctx c = {.r = r};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = http_param_id(r, "id", &c.id);
    if (!rc) {
        rc = tracing_case_area(r->store, &r->arena, c.id, &c.commune);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_NOT_FOUND, "id", "no case has id %lld", (long long)c.id);
        rc = rc ? (int)store_err(rc) : area_require(r, c.commune);
    }
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = store_query(r->store, &st, CASE_SELECT " AND c.id = ?", "i", c.id);
    if (!rc && (rc = store_step(st)) == STORE_ROW)
        rc = STORE_OK;
    int64_t was_onset = 0, was_confirmed = 0, was_isolated = 0;
    bool from_result = false;
    if (!rc) {
        was_onset = store_col_int(st, 4);
        was_confirmed = store_col_int(st, 5);
        was_isolated = store_col_int(st, 6);
        from_result = !store_col_null(st, 10);
    }
    store_finalize(st);
    if (rc)
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    int64_t now = clock_now(), onset = was_onset, sample = was_confirmed, isolated = was_isolated;
    bool set_onset = false, set_sample = false, set_isolated = false;
    rc = read_time(r, body, "onset", now, &onset, &set_onset);
    if (!rc)
        rc = read_time(r, body, "sample_at", now, &sample, &set_sample);
    if (!rc)
        rc = read_time(r, body, "isolated_at", now, &isolated, &set_isolated);
    if (!rc && !set_onset && !set_sample && !set_isolated)
        rc = http_fail(r, ERR_MISSING_FIELD, "onset", "give onset, sample_at or isolated_at");
    if (!rc && set_sample && from_result && sample != was_confirmed)
        rc = http_fail(r, ERR_INVALID_FIELD, "sample_at", "the sample of a case from a result is the lab's");
    if (!rc && set_sample && !sample)
        rc =
            http_fail(r, ERR_INVALID_FIELD, "sample_at", "sample_at is required for a case a tracer entered");
    if (rc)
        return rc;
    c.confirmed = from_result ? was_confirmed : sample;
    c.onset = onset ? onset : c.confirmed;
    c.isolated = isolated ? isolated : c.confirmed;
    if (c.onset > c.confirmed + TRACING_DAY)
        return http_fail(r, ERR_INVALID_FIELD, "onset", "onset must not be after the sample");
    if (c.isolated < c.onset - 30 * TRACING_DAY)
        return http_fail(r, ERR_INVALID_FIELD, "isolated_at", "isolated_at must be near the case");
    bool changed = c.onset != was_onset || c.confirmed != was_confirmed || c.isolated != was_isolated;
    struct tracing_run_out run = {0};
    if (changed) {
        c.detail =
            arena_printf(&r->arena, "onset: %lld -> %lld, sample_at: %lld -> %lld, isolated_at: %lld -> %lld",
                         (long long)was_onset, (long long)c.onset, (long long)was_confirmed,
                         (long long)c.confirmed, (long long)was_isolated, (long long)c.isolated);
        rc = store_tx(r->store, patch_tx, &c);
        if (rc)
            return rc;
        /* traced again over the new window: contacts it now reaches are found */
        struct tracing_case tc;
        struct tracing_params params;
        tracing_params_default(&params);
        rc = store_err(tracing_case_get(r->store, c.id, &tc));
        if (!rc)
            rc =
                tracing_run_cases(r->store, &params, &tc, 1, "manual", r->who->account_id, clock_now(), &run);
        if (rc)
            return rc;
    }
    json_t *o;
    rc = case_one(r->store, c.id, &o);
    if (rc)
        return store_err(rc);
    json_object_set_new(o, "run",
                        changed ? json_pack("{s:I, s:b, s:I, s:I, s:I}", "run_id", (json_int_t)run.run_id,
                                            "created", run.created, "f1", (json_int_t)run.f1, "f2",
                                            (json_int_t)run.f2, "contacts_changed",
                                            (json_int_t)run.contacts_changed)
                                : json_null());
    return http_reply_json(r, 200, o);
}
