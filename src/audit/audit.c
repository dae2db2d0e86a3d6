#include "area/scope.h"
#include "audit/audit.h"

#include <stdint.h>
#include <stdio.h>

#include "area/unit.h"
#include "core/clock.h"
#include "http/http.h"
#include "store/sql.h"
#include "store/store.h"

enum store_rc audit_record(struct store *s, const struct audit_entry *e)
{
    const char *province = NULL, *district = NULL, *commune = NULL;
    const struct unit *u = e->unit_code ? unit_find(e->unit_code) : NULL;
    if (u)
        unit_ancestors(u, &province, &district, &commune);
    return store_run(s, NULL,
                     "INSERT INTO audit_log (at, actor_id, actor_username, action, subject_type, subject_id,"
                     " unit_code, province_code, district_code, commune_code, request_id)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "iisssssssss", clock_now(), e->actor_id, e->actor_username, e->action, e->subject_type,
                     e->subject_id, e->unit_code, province, district, commune, e->request_id);
}

enum store_rc audit_request(struct http_req *r, const char *action, const char *subject_type,
                            const char *subject_id, const char *unit_code)
{
    struct audit_entry e = {
        .actor_id = r->who ? r->who->account_id : 0,
        .actor_username = r->who ? r->who->username : NULL,
        .action = action,
        .subject_type = subject_type,
        .subject_id = subject_id,
        .unit_code = unit_code,
        .request_id = r->request_id,
    };
    return audit_record(r->store, &e);
}

int audit_list(struct store *s, const struct audit_query *q, json_t **out)
{
    int64_t until = q->until ? q->until : INT64_MAX;
    struct store_sql sql;
    store_sql_init(&sql,
                   "SELECT id, at, actor_id, actor_username, action, subject_type, subject_id, unit_code, request_id"
                   " FROM audit_log WHERE at >= ? AND at <= ?",
                   "ii", q->since, until);
    store_sql_area(&sql, NULL, q->unit_code);
    store_sql_add(&sql, " ORDER BY id DESC LIMIT ?", "i", q->limit);
    struct store_stmt *st;
    int rc = store_sql_query(s, &st, &sql);
    if (rc)
        return rc;
    json_t *arr = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *e = json_pack("{s:I, s:I, s:s?, s:s, s:s, s:s?, s:s?, s:s?}", "id", (json_int_t)store_col_int(st, 0),
                              "at", (json_int_t)store_col_int(st, 1), "actor_username", store_col_text(st, 3),
                              "action", store_col_text(st, 4), "subject_type", store_col_text(st, 5),
                              "subject_id", store_col_text(st, 6), "unit_code", store_col_text(st, 7),
                              "request_id", store_col_text(st, 8));
        json_object_set_new(e, "actor_id", store_col_null(st, 2) ? json_null() : json_integer(store_col_int(st, 2)));
        json_array_append_new(arr, e);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return rc ? rc : STORE_ERROR;
    }
    *out = arr;
    return 0;
}

/* GET /api/v1/audit?unit=&since=&until=&limit= */
enum err audit_handle_list(struct http_req *r)
{
    struct audit_query q = {0};
    const char *unit = http_query(r, "unit");
    q.unit_code = unit ? unit : r->who->unit_code;
    int rc = unit_check(q.unit_code, "unit", ERR_INVALID_FIELD, NULL, &r->fault);
    if (!rc)
        rc = area_require(r, q.unit_code);
    if (!rc)
        rc = http_query_int(r, "since", 0, INT64_MAX, 0, &q.since);
    if (!rc)
        rc = http_query_int(r, "until", 0, INT64_MAX, 0, &q.until);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 500, 100, &q.limit);
    if (rc)
        return rc;
    json_t *entries;
    rc = audit_list(r->store, &q, &entries);
    if (rc)
        return store_err(rc);
    audit_request(r, "audit.read", "audit", NULL, q.unit_code);
    return http_reply_json(r, 200, json_pack("{s:o}", "entries", entries));
}
