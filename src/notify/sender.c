#define _GNU_SOURCE /* pthread_setname_np */
#include "notify/sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/stop_signal.h"
#include "notify/notify.h"
#include "notify/smpp.h"
#include "store/store.h"

/* A claim lasts this long: longer than any one send (the gateway's timeout); a
 * round renews a row's claim right before sending it, so a long batch never
 * outlives it. */
#define CLAIM_SECONDS 120
#define MAX_BACKOFF 86400

static int max_attempts = 6;
static int retry_base = 30;
double (*notify_mono)(void) = clock_mono;

/* The order in which due messages go: the kinds named here, then every kind starting with "result"
 * (results and their corrections, also of a managed member) with the alerts, then the rest.
 * Quarantine alerts (a missed check-in, outside the place, also about a member) go with results;
 * the daily reminders do not.  One list for the sort in C and the claim's SQL. */
static const struct {
    const char *kind;
    int priority;
} PRIORITY_KINDS[] = {
    {"otp", 0},
    {"family", 0},
    {"en_code", 0},
    {"quarantine_missed", 1},
    {"quarantine_missed_member", 1},
    {"quarantine_outside", 1},
    {"quarantine_outside_member", 1},
};
#define PRIORITY_PREFIX "result" /* every kind starting so: priority 1 */
#define PRIORITY_OTHER 2

int notify_priority(const char *kind)
{
    for (size_t i = 0; i < sizeof(PRIORITY_KINDS) / sizeof(PRIORITY_KINDS[0]); i++)
        if (!strcmp(kind, PRIORITY_KINDS[i].kind))
            return PRIORITY_KINDS[i].priority;
    return strncmp(kind, PRIORITY_PREFIX, strlen(PRIORITY_PREFIX)) ? PRIORITY_OTHER : 1;
}

/* notify_priority() as an SQL expression of the column kind: "CASE WHEN kind IN (...) THEN 0 ...". */
static void priority_sql(struct buf *out)
{
    buf_adds(out, "CASE");
    for (int prio = 0; prio < PRIORITY_OTHER; prio++) {
        buf_adds(out, " WHEN ");
        if (prio == 1)
            buf_adds(out, "kind LIKE '" PRIORITY_PREFIX "%' OR ");
        buf_adds(out, "kind IN (");
        bool first = true;
        for (size_t i = 0; i < sizeof(PRIORITY_KINDS) / sizeof(PRIORITY_KINDS[0]); i++) {
            if (PRIORITY_KINDS[i].priority != prio)
                continue;
            buf_addf(out, "%s'%s'", first ? "" : ", ", PRIORITY_KINDS[i].kind);
            first = false;
        }
        buf_addf(out, ") THEN %d", prio);
    }
    buf_addf(out, " ELSE %d END", PRIORITY_OTHER);
}

int64_t notify_backoff(int base, int attempts)
{
    int64_t d = base;
    for (int i = 1; i < attempts && d < MAX_BACKOFF; i++)
        d *= 2;
    return d < MAX_BACKOFF ? d : MAX_BACKOFF;
}

struct claimed {
    int64_t id;
    int64_t until; /* claimed_until as this round last wrote it: the claim is ours while the row holds it */
    int attempts;
    int prio;
    char *recipient, *kind;
};

static int by_priority(const void *a, const void *b)
{
    const struct claimed *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio - y->prio;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The claim's statement for each engine, written once (the priority CASE comes from the list above). */
static struct buf claim_sql[2];
static pthread_once_t claim_sql_once = PTHREAD_ONCE_INIT;

static void claim_sql_write(void)
{
    for (int pg = 0; pg < 2; pg++) {
        struct buf *sql = &claim_sql[pg];
        buf_init(sql, 4096);
        /* SQLite has one writer at a time, so the UPDATE alone is the lock; on
         * PostgreSQL the inner SELECT locks the rows and skips those another
         * server holds. */
        buf_adds(sql, "UPDATE outbox SET status = 'sending', claimed_until = ?, attempts = attempts + 1 WHERE id IN"
                      " (SELECT id FROM outbox WHERE channel = ? AND (status = 'queued' AND next_attempt_at <= ?"
                      " OR status = 'sending' AND claimed_until < ?) AND (expires_at IS NULL OR expires_at > ?)"
                      " ORDER BY ");
        priority_sql(sql);
        buf_addf(sql, ", id LIMIT ?%s) RETURNING id, recipient, kind, attempts", pg ? " FOR UPDATE SKIP LOCKED" : "");
    }
}

/* Claims at most n due rows of channel into rows; *got gets how many. */
static enum store_rc claim(struct store *s, const char *channel, int64_t now, int n, struct claimed *rows, int *got)
{
    pthread_once(&claim_sql_once, claim_sql_write);
    const struct buf *sql = &claim_sql[!strcmp(store_engine(s), "postgres")];
    struct store_stmt *st;
    *got = 0;
    enum store_rc rc =
        store_query(s, &st, sql->data, "isiiii", now + CLAIM_SECONDS, channel, now, now, now, (int64_t)n);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW && *got < n) {
        struct claimed *c = &rows[(*got)++];
        c->id = store_col_int(st, 0);
        c->recipient = strdup(store_col_text(st, 1));
        c->kind = strdup(store_col_text(st, 2));
        c->attempts = (int)store_col_int(st, 3);
        c->prio = notify_priority(c->kind);
        c->until = now + CLAIM_SECONDS;
    }
    store_finalize(st);
    qsort(rows, (size_t)*got, sizeof(rows[0]), by_priority);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/*
 * Renews the claim on c until at + CLAIM_SECONDS if it is still this round's:
 * *held false when another server took the row after our claim lapsed (it
 * writes a later claimed_until, or has sent it).  On PostgreSQL a claim in
 * progress holds the row locked; this UPDATE waits for it and then sees its
 * claimed_until, so the two never both hold a row.
 */
static enum store_rc renew(struct store *s, struct claimed *c, int64_t at, bool *held)
{
    int64_t changes = 0;
    enum store_rc rc = store_run(s, &changes,
                                 "UPDATE outbox SET claimed_until = ? WHERE id = ? AND status = 'sending'"
                                 " AND claimed_until = ?",
                                 "iii", at + CLAIM_SECONDS, c->id, c->until);
    *held = !rc && changes == 1;
    if (*held)
        c->until = at + CLAIM_SECONDS;
    return rc;
}

/* Records the outcome of one try, on a row this round still holds. */
static enum store_rc record(struct store *s, const struct claimed *c, int64_t now, bool ok, const char *ref,
                            const char *err)
{
    if (ok)
        return store_run(s, NULL,
                         "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL, gateway_ref = ?,"
                         " last_error = NULL WHERE id = ? AND claimed_until = ?",
                         "isii", now, ref && *ref ? ref : NULL, c->id, c->until);
    if (c->attempts >= max_attempts) /* dead letter: an admin may queue it again */
        return store_run(s, NULL,
                         "UPDATE outbox SET status = 'failed', failed_at = ?, claimed_until = NULL, last_error = ?"
                         " WHERE id = ? AND claimed_until = ?",
                         "isii", now, err, c->id, c->until);
    return store_run(s, NULL,
                     "UPDATE outbox SET status = 'queued', next_attempt_at = ?, claimed_until = NULL, last_error = ?"
                     " WHERE id = ? AND claimed_until = ?",
                     "isii", now + notify_backoff(retry_base, c->attempts), err, c->id, c->until);
}

int notify_send_round(struct store *s, const struct notify_transport *t, int64_t now, int batch, int *sent)
{
    *sent = 0;
    if (t->poll)
        t->poll(t, s, now);
    /* The rate limit: what every server sent on this channel in the last minute. */
    int64_t recent = 0;
    enum store_rc rc = store_int(s, &recent, "SELECT COUNT(*) FROM outbox WHERE sent_at > ? AND channel = ?", "is",
                                 now - 60, t->channel);
    if (rc)
        return rc;
    int n = batch;
    if (t->rate_per_minute - recent < n)
        n = (int)(t->rate_per_minute - recent);
    if (n <= 0)
        return 0;
    struct claimed *rows = calloc((size_t)n, sizeof(*rows));
    if (!rows)
        return STORE_ERROR;
    int got = 0;
    double start = notify_mono();
    rc = claim(s, t->channel, now, n, rows, &got);
    for (int i = 0; i < got; i++) {
        struct claimed *c = &rows[i];
        char *text = NULL;
        char ref[128] = "", err[256] = "";
        bool ok = false, held = false;
        int64_t at = now + (int64_t)(notify_mono() - start); /* this send's moment */
        if (!rc && !(rc = renew(s, c, at, &held)) && !held)
            log_info("msg=\"claim lapsed, taken by another sender\" id=%lld channel=%s", (long long)c->id,
                     t->channel);
        if (!rc && held) {
            enum store_rc r = notify_render(s, c->id, &text);
            if (r)
                snprintf(err, sizeof(err), "the message could not be rendered");
            else {
                struct notify_msg m = {c->id, t->channel, c->recipient, c->kind, text};
                ok = t->send(t, &m, ref, sizeof(ref), err, sizeof(err)) == 0;
            }
            notify_text_free(text);
            enum store_rc r2 = record(s, c, at, ok, ref, err);
            if (r2)
                rc = r2;
            else if (ok)
                (*sent)++;
            else
                log_warn("msg=\"message not sent\" id=%lld channel=%s attempt=%d error=\"%s\"", (long long)c->id,
                         t->channel, c->attempts, err);
        }
        free(c->recipient);
        free(c->kind);
    }
    free(rows);
    return rc;
}

/* ------------------------------------------------------------------ threads */

#define MAX_SENDERS 4 /* sms (SMPP or HTTP), email, webhook */

struct sender {
    struct notify_transport t;
    struct notify_http_cfg http;
    struct notify_smtp_cfg smtp;
    struct notify_http_cfg hook;
    char db[512];
    int batch, poll_ms;
    pthread_t thread;
};

static struct sender senders[MAX_SENDERS];
static int nsenders;
static struct stop_signal stop = STOP_SIGNAL_INIT;

static void *sender_main(void *arg)
{
    struct sender *sd = arg;
    char name[16];
    snprintf(name, sizeof(name), "send-%s", sd->t.channel);
    pthread_setname_np(pthread_self(), name);
    struct store *s = NULL;
    int wait_ms;
    do {
        wait_ms = sd->poll_ms;
        if (!s) {
            char err[256];
            if (store_open(sd->db, &s, err, sizeof(err))) {
                log_error("msg=\"sender cannot open the store\" channel=%s error=\"%s\"", sd->t.channel, err);
                s = NULL;
                continue;
            }
        }
        int sent = 0;
        int rc = notify_send_round(s, &sd->t, clock_now(), sd->batch, &sent);
        if (rc) {
            log_error("msg=\"sender round failed\" channel=%s rc=%d", sd->t.channel, rc);
            store_close(s); /* a lost connection is opened anew */
            s = NULL;
        } else if (sent == sd->batch) {
            wait_ms = 0; /* more may be due: no pause */
        }
    } while (!stop_signal_pause(&stop, wait_ms));
    if (s)
        store_close(s);
    if (sd->t.close)
        sd->t.close(&sd->t);
    return NULL;
}

int notify_check_settings(const struct config *c, char *err, size_t errlen)
{
    struct smpp_url u;
    if (c->smpp_url[0] && c->sms_http_url[0])
        snprintf(err, errlen, "set smpp_url or sms_http_url, not both");
    else if (c->smpp_url[0] && smpp_parse_url(c->smpp_url, &u))
        snprintf(err, errlen, "smpp_url must be smpp://SYSTEM_ID:PASSWORD@HOST:PORT");
    else if (c->smtp_url[0] && strncmp(c->smtp_url, "smtp://", 7) && strncmp(c->smtp_url, "smtps://", 8))
        snprintf(err, errlen, "smtp_url must be smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT");
    else if (c->webhook_url[0] && strncmp(c->webhook_url, "http://", 7) && strncmp(c->webhook_url, "https://", 8))
        snprintf(err, errlen, "webhook_url must be an http(s) URL");
    else if (c->smtp_url[0] && !strchr(c->smtp_from, '@'))
        snprintf(err, errlen, "smtp_from must be the sender's e-mail address");
    else
        return 0;
    return -1;
}

int notify_senders_start(const struct config *c)
{
    max_attempts = c->notify_max_attempts;
    retry_base = c->notify_retry_base;
    stop_signal_clear(&stop);
    nsenders = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: it is not thread-safe */
    if (c->smpp_url[0] && c->sms_http_url[0]) {
        log_error("msg=\"set smpp_url or sms_http_url, not both\"");
        return -1;
    }
    if (c->smpp_url[0]) {
        struct sender *sd = &senders[nsenders];
        if (notify_smpp_transport(&sd->t, c->smpp_url, c->smpp_encoding, c->smpp_source, c->sms_rate)) {
            log_error("msg=\"smpp_url must be smpp://SYSTEM_ID:PASSWORD@HOST:PORT\"");
            return -1;
        }
        nsenders++;
    }
    if (c->sms_http_url[0]) {
        struct sender *sd = &senders[nsenders++];
        sd->http = (struct notify_http_cfg){c->sms_http_url, c->sms_http_token, c->sms_http_secret, NULL, NULL};
        sd->t = (struct notify_transport){.channel = "sms", .rate_per_minute = c->sms_rate, .send = notify_http_send, .cfg = &sd->http};
    }
    if (c->webhook_url[0]) {
        struct sender *sd = &senders[nsenders++];
        sd->hook = (struct notify_http_cfg){c->webhook_url, c->webhook_token, c->webhook_secret, c->webhook_template,
                                            c->webhook_token_header};
        sd->t = (struct notify_transport){.channel = "webhook", .rate_per_minute = c->webhook_rate,
                                          .send = notify_http_send, .cfg = &sd->hook};
    }
    if (c->smtp_url[0]) {
        struct sender *sd = &senders[nsenders++];
        sd->smtp = (struct notify_smtp_cfg){c->smtp_url, c->smtp_user, c->smtp_password, c->smtp_from, c->smtp_ca_file};
        sd->t = (struct notify_transport){.channel = "email", .rate_per_minute = c->email_rate,
                                          .send = notify_smtp_send, .cfg = &sd->smtp};
    }
    for (int i = 0; i < nsenders; i++) {
        struct sender *sd = &senders[i];
        snprintf(sd->db, sizeof(sd->db), "%s", c->db);
        sd->batch = c->notify_batch;
        sd->poll_ms = c->notify_poll_ms;
        if (pthread_create(&sd->thread, NULL, sender_main, sd)) {
            nsenders = i;
            notify_senders_stop();
            return -1;
        }
        log_info("msg=\"sender started\" channel=%s rate_per_minute=%d", sd->t.channel, sd->t.rate_per_minute);
    }
    return 0;
}

void notify_senders_stop(void)
{
    stop_signal_raise(&stop);
    for (int i = 0; i < nsenders; i++)
        pthread_join(senders[i].thread, NULL);
    nsenders = 0;
}
