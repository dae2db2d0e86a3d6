/*
 * callbot_http.c - /api/v1/callbot: officials start call lists of their area
 * and follow each call.  The callbot thread (callbot.c) makes the calls.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "callbot/callbot.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "store/sql.h"
#include "store/store.h"

#define CALLS_MAX 500 /* calls in one listing */

/* The people a list calls: one row per person with a phone, not already waiting for a call.
 * f1: contacts of degree 1 not yet reached; checkin: active quarantine orders of today. */
static void people_sql(struct store_sql *q, bool f1, int64_t list_id, int64_t now, const char *unit)
{
    if (f1) {
        store_sql_init(q,
                       "INSERT INTO callbot_calls (list_id, person_id, phone, status, attempts, next_attempt_at,"
                       " province_code, district_code, commune_code, updated_at)"
                       " SELECT ?, p.id, p.phone, 'queued', 0, ?, MIN(x.province_code), MIN(x.district_code),"
                       " MIN(x.commune_code), ? FROM tracing_contacts x JOIN persons p ON p.id = x.person_id"
                       " WHERE x.degree = 1 AND x.status = 'not_reached'",
                       "iii", list_id, now, now);
    } else {
        int64_t today = vn_day(now);
        store_sql_init(q,
                       "INSERT INTO callbot_calls (list_id, person_id, phone, status, attempts, next_attempt_at,"
                       " province_code, district_code, commune_code, updated_at)"
                       " SELECT ?, p.id, p.phone, 'queued', 0, ?, MIN(x.province_code), MIN(x.district_code),"
                       " MIN(x.commune_code), ? FROM quarantine_orders x JOIN persons p ON p.id = x.person_id"
                       " WHERE x.status = 'active' AND x.start_day <= ? AND x.end_day >= ?",
                       "iiiii", list_id, now, now, today, today);
    }
    store_sql_area(q, "x", unit);
    store_sql_add(q,
                  " AND p.phone IS NOT NULL AND p.phone <> '' AND NOT EXISTS (SELECT 1 FROM callbot_calls k"
                  " WHERE k.person_id = p.id AND k.status IN ('queued', 'calling')) GROUP BY p.id, p.phone",
                  "");
}

struct start_ctx {
    struct http_req *r;
    bool f1;
    const char *reason, *unit;
    int64_t list_id, queued;
};

static int start_tx(struct store *s, void *p)
{
    struct start_ctx *c = p;
    int64_t now = clock_now();
    int rc = store_int(s, &c->list_id,
                       "INSERT INTO callbot_lists (reason, unit_code, created_by, created_at) VALUES (?, ?, ?, ?)"
                       " RETURNING id",
                       "ssii", c->reason, c->unit, c->r->who->account_id, now);
    struct store_sql q;
    if (!rc) {
        people_sql(&q, c->f1, c->list_id, now, c->unit);
        rc = store_sql_run(s, &c->queued, &q);
    }
    if (!rc) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)c->list_id);
        rc = audit_request(c->r, "callbot.start", "callbot_list", id, c->unit);
    }
    return rc;
}

/* POST /api/v1/callbot/lists {"reason": "f1"|"checkin", "unit"?} */
enum err callbot_handle_start(struct http_req *r)
{
    static const char *const fields[] = {"reason", "unit", NULL};
    json_t *body;
    const char *reason, *unit = NULL;
    const struct unit *u;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "reason", true, 16, &reason, &r->fault);
    if (!rc && strcmp(reason, "f1") && strcmp(reason, "checkin"))
        rc = http_fail(r, ERR_INVALID_FIELD, "reason", "reason must be f1 or checkin");
    if (!rc)
        rc = jsonin_str(body, "unit", false, 16, &unit, &r->fault);
    if (!rc && !unit)
        unit = r->who->unit_code;
    if (!rc)
        rc = unit_check(unit, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc)
        rc = area_require(r, unit);
    if (rc)
        return rc;
    struct start_ctx c = {r, !strcmp(reason, "f1"), reason, u->code, 0, 0};
    rc = store_tx(r->store, start_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, 201, json_pack("{s:I, s:s, s:s, s:I}", "list_id", (json_int_t)c.list_id, "reason",
                                             reason, "unit", u->code, "queued", (json_int_t)c.queued));
}

/* The answer to question i of answers ("121"): true for 1, false for 2, null when not given. */
static json_t *answer_json(const char *answers, int i)
{
    if (!answers || (int)strlen(answers) <= i)
        return json_null();
    return json_boolean(answers[i] == '1');
}

/* GET /api/v1/callbot/calls?unit=&limit= */
enum err callbot_handle_calls(struct http_req *r)
{
    const struct unit *u;
    int64_t limit;
    int rc = area_from_query(r, "unit", &u);
    if (!rc)
        rc = http_query_int(r, "limit", 1, CALLS_MAX, 200, &limit);
    if (rc)
        return rc;
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT c.id, c.list_id, l.reason, c.person_id, p.full_name, c.phone, c.status, c.attempts,"
                   " c.next_attempt_at, c.last_error, c.answers, c.declaration_ref, c.commune_code, c.updated_at"
                   " FROM callbot_calls c JOIN callbot_lists l ON l.id = c.list_id"
                   " LEFT JOIN persons p ON p.id = c.person_id WHERE 1 = 1",
                   "");
    store_sql_area(&q, "c", u->code);
    store_sql_add(&q, " ORDER BY c.id DESC LIMIT ?", "i", limit);
    struct store_stmt *st;
    rc = store_sql_query(r->store, &st, &q);
    if (rc)
        return store_err(rc);
    json_t *calls = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *answers = store_col_text(st, 10), *status = store_col_text(st, 6);
        const char *commune = store_col_text(st, 12);
        const struct unit *cu = commune ? unit_find(commune) : NULL;
        json_t *o = json_pack(
            "{s:I, s:I, s:s, s:I, s:o, s:s, s:s, s:I, s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:o, s:I}", "id",
            (json_int_t)store_col_int(st, 0), "list_id", (json_int_t)store_col_int(st, 1), "reason",
            store_col_text(st, 2), "person_id", (json_int_t)store_col_int(st, 3), "full_name",
            store_col_null(st, 4) ? json_null() : json_string(store_col_text(st, 4)), "phone", store_col_text(st, 5),
            "status", status, "attempts", (json_int_t)store_col_int(st, 7), "next_attempt_at",
            strcmp(status, "queued") ? json_null() : json_integer(store_col_int(st, 8)), "last_error",
            store_col_null(st, 9) ? json_null() : json_string(store_col_text(st, 9)), "answers", "symptoms",
            answer_json(answers, 0), "exposure", answer_json(answers, 1), "need_help", answer_json(answers, 2),
            "declaration_ref", store_col_null(st, 11) ? json_null() : json_string(store_col_text(st, 11)),
            "commune_name", cu ? json_string(cu->name_with_type) : json_null(), "updated_at",
            (json_int_t)store_col_int(st, 13));
        json_array_append_new(calls, o);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(calls);
        return store_err(rc);
    }
    rc = audit_request(r, "callbot.calls", "callbot_call", NULL, u->code);
    if (rc) {
        json_decref(calls);
        return store_err(rc);
    }
    return http_reply_json(r, 200, json_pack("{s:s, s:b, s:o}", "unit", u->code, "enabled", callbot_enabled(),
                                             "calls", calls));
}
