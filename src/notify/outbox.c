#include <stdio.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"

static bool notify_dev;

void notify_configure(bool dev)
{
    notify_dev = dev;
}

int notify_queue(struct store *s, const char *channel, const char *recipient, const char *kind, const char *body,
                 int64_t *id)
{
    int64_t out = 0;
    int rc = store_int(s, &out,
                       "INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts)"
                       " VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
                       "ssssi", channel, recipient, kind, body, clock_now());
    if (!rc && notify_dev)
        log_info("msg=\"outbox (dev)\" channel=%s to=%s kind=%s body=\"%s\"", channel, recipient, kind, body);
    if (id)
        *id = out;
    return rc;
}

int notify_queue_rows(struct store *s, const char *channel, const char *kind, const char *rows_sql, int64_t arg,
                      int64_t *queued)
{
    char sql[2048];
    int n = snprintf(sql, sizeof(sql),
                     "INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts)"
                     " SELECT CAST(? AS TEXT), q.recipient, CAST(? AS TEXT), q.body, CAST(? AS BIGINT), 0 FROM (%s) q",
                     rows_sql);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return STORE_ERROR;
    int64_t changes = 0;
    int rc = store_run(s, &changes, sql, "ssii", channel, kind, clock_now(), arg);
    if (!rc && notify_dev)
        log_info("msg=\"outbox (dev)\" channel=%s kind=%s messages=%lld (read them at GET /api/v1/outbox)", channel,
                 kind, (long long)changes);
    if (queued)
        *queued = rc ? 0 : changes;
    return rc;
}

enum err notify_handle_list(struct http_req *r)
{
    const char *recipient = http_query(r, "recipient");
    const char *kind = http_query(r, "kind");
    int64_t limit;
    int rc = http_query_int(r, "limit", 1, 500, 50, &limit);
    if (rc)
        return rc;
    /* Filters are added as constant fragments, so no parameter is compared untyped. */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT id, channel, recipient, kind, body, created_at, sent_at FROM outbox WHERE 1 = 1%s%s"
             " ORDER BY id DESC LIMIT ?",
             recipient ? " AND recipient = ?" : "", kind ? " AND kind = ?" : "");
    struct store_stmt *st;
    if (recipient && kind)
        rc = store_query(r->store, &st, sql, "ssi", recipient, kind, limit);
    else if (recipient || kind)
        rc = store_query(r->store, &st, sql, "si", recipient ? recipient : kind, limit);
    else
        rc = store_query(r->store, &st, sql, "i", limit);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *m = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0), "channel",
                              store_col_text(st, 1), "recipient", store_col_text(st, 2), "kind", store_col_text(st, 3),
                              "body", store_col_text(st, 4), "created_at", (json_int_t)store_col_int(st, 5));
        json_object_set_new(m, "sent_at", store_col_null(st, 6) ? json_null() : json_integer(store_col_int(st, 6)));
        json_array_append_new(arr, m);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    audit_request(r, "outbox.read", "outbox", recipient, NULL);
    return http_reply_json(r, 200, json_pack("{s:o}", "messages", arr));
}
