#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/kek.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"

static bool notify_dev;
static int retention_days = 7;

void notify_configure(bool dev, int days)
{
    notify_dev = dev;
    retention_days = days;
}

enum store_rc notify_queue(struct store *s, const char *channel, const char *recipient, const char *kind,
                           const char *body, int64_t *id)
{
    return notify_queue_cause(s, channel, recipient, kind, body, NULL, id);
}

enum store_rc notify_withdraw(struct store *s, const char *cause, int64_t *n)
{
    return store_run(s, n, "DELETE FROM outbox WHERE cause = ? AND sent_at IS NULL AND failed_at IS NULL", "s",
                     cause);
}

enum store_rc notify_queue_cause(struct store *s, const char *channel, const char *recipient, const char *kind,
                                 const char *body, const char *cause, int64_t *id)
{
    int64_t out = 0;
    if (!notify_essential(kind)) { /* declined by its recipient: never queued */
        int64_t declined = 0;
        enum store_rc rc = store_int(s, &declined, "SELECT COUNT(*) FROM notify_optout WHERE phone = ?", "s",
                                     recipient);
        if (rc || declined) {
            if (id)
                *id = 0;
            return rc;
        }
    }
    enum store_rc rc = store_int(s, &out,
                                 "INSERT INTO outbox (channel, recipient, kind, body, cause, created_at, attempts)"
                                 " VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id",
                                 "sssssi", channel, recipient, kind, body, cause, clock_now());
    if (!rc && notify_dev)
        log_info("msg=\"outbox (dev)\" channel=%s to=%s kind=%s body=\"%s\"", channel, recipient, kind, body);
    if (id)
        *id = out;
    return rc;
}

/* body with its first NOTIFY_MASK replaced by secret: a malloc'd string, or NULL. */
static char *fill_in(const char *body, const char *secret)
{
    const char *at = strstr(body, NOTIFY_MASK);
    size_t blen = strlen(body), slen = strlen(secret), mlen = strlen(NOTIFY_MASK);
    char *out = malloc(blen + slen + 1);
    if (!out)
        return NULL;
    if (!at) { /* nowhere to put it: a sender still gets the text as stored */
        memcpy(out, body, blen + 1);
        return out;
    }
    size_t head = (size_t)(at - body);
    memcpy(out, body, head);
    memcpy(out + head, secret, slen);
    memcpy(out + head + slen, at + mlen, blen - head - mlen + 1);
    return out;
}

/* The rendered text of a stored row: NULL when its secret does not open. */
static char *render_row(const char *body, const char *sealed, const char *kek_id)
{
    if (!sealed) /* no secret, or one forgotten after delivery: the text as stored */
        return strdup(body);
    size_t len = 0;
    char *secret = kek_open_stored(sealed, kek_id, &len);
    char *text = secret ? fill_in(body, secret) : NULL;
    kek_free(secret, len);
    return text;
}

void notify_text_free(char *text)
{
    if (text) {
        mem_wipe(text, strlen(text));
        free(text);
    }
}

enum store_rc notify_queue_secret(struct store *s, const char *channel, const char *recipient,
                                  const char *kind, const char *body, const char *secret, int64_t expires_at,
                                  int64_t *id)
{
    char *sealed = kek_seal_current(secret);
    if (!sealed)
        return STORE_ERROR;
    int64_t out = 0;
    enum store_rc rc = store_int(
        s, &out,
        "INSERT INTO outbox (channel, recipient, kind, body, secret, kek_id, expires_at, created_at,"
        " attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
        "ssssssii", channel, recipient, kind, body, sealed, kek_current()->id, expires_at, clock_now());
    free(sealed);
    if (!rc && notify_dev) {
        char *text = fill_in(body, secret);
        log_info("msg=\"outbox (dev)\" channel=%s to=%s kind=%s body=\"%s\"", channel, recipient, kind,
                 text ? text : body);
        notify_text_free(text);
    }
    if (id)
        *id = out;
    return rc;
}

struct render_ctx {
    char *text;
    bool failed;
};

static void read_render(struct store_stmt *st, void *ctx)
{
    struct render_ctx *c = ctx;
    c->text = render_row(store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2));
    c->failed = !c->text;
}

enum store_rc notify_render(struct store *s, int64_t id, char **text)
{
    struct render_ctx c = {0};
    *text = NULL;
    enum store_rc rc =
        store_get(s, read_render, &c, "SELECT body, secret, kek_id FROM outbox WHERE id = ?", "i", id);
    if (rc == STORE_OK && c.failed)
        rc = STORE_ERROR;
    *text = c.text;
    return rc;
}

int notify_job_retention(struct store *s, int64_t now, const char **detail)
{
    int64_t cutoff = now - (int64_t)retention_days * 86400;
    int rc = store_run(s, NULL,
                       "DELETE FROM outbox WHERE sent_at < ? OR failed_at < ? OR (sent_at IS NULL AND expires_at < ?)",
                       "iii", cutoff, cutoff, now);
    /* A delivered message's secret has done its work.  Every message with a
     * secret has an expiry, so the expiry index finds them. */
    if (!rc)
        rc = store_run(s, NULL,
                       "UPDATE outbox SET secret = NULL, kek_id = NULL WHERE expires_at IS NOT NULL"
                       " AND secret IS NOT NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)",
                       "");
    *detail = NULL;
    return rc;
}

enum store_rc notify_queue_rows(struct store *s, const char *channel, const char *kind, const char *rows_sql,
                                int64_t arg, int64_t *queued)
{
    size_t cap = strlen(rows_sql) + 512;
    char *sql = malloc(cap);
    if (!sql)
        return STORE_ERROR;
    int n = snprintf(sql, cap,
                     "INSERT INTO outbox (channel, recipient, kind, body, cause, created_at, attempts)"
                     " SELECT CAST(? AS TEXT), q.recipient, CAST(? AS TEXT), q.body, q.cause, CAST(? AS BIGINT), 0"
                     " FROM (%s) q%s",
                     rows_sql,
                     notify_essential(kind) ? "" : " WHERE q.recipient NOT IN (SELECT phone FROM notify_optout)");
    int64_t changes = 0;
    enum store_rc rc = n < 0 || (size_t)n >= cap ? STORE_ERROR
                                                 : store_run(s, &changes, sql, "ssii", channel, kind, clock_now(), arg);
    free(sql);
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
    const char *status = http_query(r, "status");
    static const char *const statuses[] = {"queued", "sending", "sent", "delivered", "failed"};
    bool known = !status;
    for (size_t i = 0; status && i < sizeof(statuses) / sizeof(statuses[0]); i++)
        known = known || !strcmp(status, statuses[i]);
    if (!known)
        return http_fail(r, ERR_INVALID_FIELD, "status", "status is one of queued, sending, sent, delivered, failed");
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT id, channel, recipient, kind, body, created_at, sent_at, secret, kek_id, status, attempts,"
             " last_error, next_attempt_at, failed_at, delivered_at FROM outbox"
             " WHERE 1 = 1%s%s%s"
             " ORDER BY id DESC LIMIT ?",
             recipient ? " AND recipient = ?" : "", kind ? " AND kind = ?" : "", status ? " AND status = ?" : "");
    /* The present filters, in order, as parameters. */
    const char *args[3];
    int nargs = 0;
    if (recipient)
        args[nargs++] = recipient;
    if (kind)
        args[nargs++] = kind;
    if (status)
        args[nargs++] = status;
    struct store_stmt *st;
    if (nargs == 3)
        rc = store_query(r->store, &st, sql, "sssi", args[0], args[1], args[2], limit);
    else if (nargs == 2)
        rc = store_query(r->store, &st, sql, "ssi", args[0], args[1], limit);
    else if (nargs == 1)
        rc = store_query(r->store, &st, sql, "si", args[0], limit);
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
        json_object_set_new(m, "status", json_string(store_col_text(st, 9)));
        json_object_set_new(m, "attempts", json_integer(store_col_int(st, 10)));
        json_object_set_new(m, "last_error", store_col_null(st, 11) ? json_null() : json_string(store_col_text(st, 11)));
        json_object_set_new(m, "next_attempt_at", json_integer(store_col_int(st, 12)));
        json_object_set_new(m, "failed_at", store_col_null(st, 13) ? json_null() : json_integer(store_col_int(st, 13)));
        json_object_set_new(m, "delivered_at",
                            store_col_null(st, 14) ? json_null() : json_integer(store_col_int(st, 14)));
        if (notify_dev) { /* development only: what the sender would send */
            char *text = render_row(store_col_text(st, 4), store_col_text(st, 7), store_col_text(st, 8));
            json_object_set_new(m, "text", text ? json_string(text) : json_null());
            notify_text_free(text);
        }
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
