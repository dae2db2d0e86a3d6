/*
 * run_queue.c - a run asked for (API, job, CLI): its cases traced for the
 * answer's counts, then the run recorded as queued, durably, in one short
 * transaction.  The contacts, orders and counts it implies are written
 * behind it by the run writer (run_writer.c), which traces each case again
 * when it writes: what it writes is then current, and a run queued before a
 * crash is written after it the same way.  A process without a writer (the
 * CLI) writes its runs before returning.
 *
 * A run is one row per (case, digest of params and window): asking for the
 * same run again queues that row again, so its contacts are brought up to
 * date with check-ins that arrived since.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    return h;
}

struct queue_ctx {
    const struct tracing_case *cases;
    size_t n;
    const char *params, *trigger;
    int64_t account, now;
    struct tracing_run_out *outs;
    int64_t seq; /* the queue number the runs got */
};

/* The next place in the queue (its row lock, on PostgreSQL, keeps places in commit order). */
static enum store_rc next_seq(struct store *s, int64_t *seq)
{
    return store_int(s, seq, "UPDATE tracing_run_queue SET last = last + 1 WHERE id = 1 RETURNING last", "");
}

static int queue_tx(struct store *s, void *arg)
{
    struct queue_ctx *q = arg;
    int rc = next_seq(s, &q->seq);
    for (size_t i = 0; i < q->n && !rc; i++) {
        const struct tracing_case *c = &q->cases[i];
        struct tracing_run_out *out = &q->outs[i];
        char digest[40], num[64];
        snprintf(num, sizeof(num), "|%lld|%lld|%lld", (long long)c->case_id, (long long)c->from,
                 (long long)c->until);
        snprintf(digest, sizeof(digest), "%016llx",
                 (unsigned long long)fnv(fnv(0xCBF29CE484222325ull, q->params), num));
        rc = store_int(s, &out->run_id,
                       "INSERT INTO tracing_runs (case_id, person_id, window_from, window_until, params, digest, f1,"
                       " f2, trigger_kind, created_by, created_at, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                       " NULLIF(CAST(? AS BIGINT), 0), ?, ?) ON CONFLICT (case_id, digest) DO NOTHING RETURNING id",
                       "iiiissiisiii", c->case_id, c->person, c->from, c->until, q->params, digest, out->f1, out->f2,
                       q->trigger, q->account, q->now, q->seq);
        out->created = rc == STORE_OK;
        if (rc == STORE_DONE)
            rc = store_int(s, &out->run_id,
                           "UPDATE tracing_runs SET pending = ? WHERE case_id = ? AND digest = ? RETURNING id", "iis",
                           q->seq, c->case_id, digest);
        if (!rc && !strcmp(q->trigger, "auto"))
            rc = store_run(s, NULL,
                           "INSERT INTO tracing_auto (case_id, run_id, traced_at) VALUES (?, ?, ?)"
                           " ON CONFLICT (case_id) DO NOTHING",
                           "iii", c->case_id, out->run_id, q->now);
    }
    return rc;
}

/* Without a run writer (the CLI): each queued run written now, with the engine of the call. */
static enum err write_now(struct store *s, const struct tracing_params *p, struct queue_ctx *q,
                          const struct tracing_engine *e, struct tracing_result *r)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; i < q->n && !rc; i++) {
        const struct tracing_case *c = &q->cases[i];
        struct tracing_pending_run run = {q->outs[i].run_id, q->seq, c->case_id, c->person, c->from, c->until, *p};
        tracing_trace(e, c, r);
        rc = tracing__run_write(s, &run, r, NULL, q->now);
        q->outs[i].pending = rc != ERR_OK;
    }
    return rc;
}

enum err tracing_run_cases(struct store *s, const struct tracing_params *p, const struct tracing_case *cases,
                           size_t n, const char *trigger, int64_t account_id, int64_t now,
                           struct tracing_run_out *outs)
{
    if (!n)
        return ERR_OK;
    int64_t from = cases[0].from, until = cases[0].until;
    for (size_t i = 1; i < n; i++) {
        if (cases[i].from < from)
            from = cases[i].from;
        if (cases[i].until > until)
            until = cases[i].until;
    }
    struct tracing_engine e;
    /* The server's live index, current up to now; without one (CLI), check-ins are loaded for the run. */
    enum err rc = tracing_index_sync(s);
    bool live = rc == ERR_OK;
    if (rc && rc != ERR_NOT_FOUND)
        return rc;
    rc = store_err(live ? tracing__engine_live(s, p, from, until, &e) : tracing_engine_load(s, p, from, until, &e));
    if (rc)
        return rc;
    struct tracing_result r;
    tracing_result_init(&r);
    memset(outs, 0, n * sizeof(*outs));
    for (size_t i = 0; i < n && !rc; i++) {
        tracing_trace(&e, &cases[i], &r);
        if (live)
            rc = store_err(tracing__household_live_rc(e.data[TRACING_SRC_HOUSEHOLD]));
        outs[i] = (struct tracing_run_out){.f1 = (int64_t)r.nf1, .f2 = (int64_t)r.nf2, .pending = true};
    }
    json_t *pj = tracing_params_to_json(p);
    char *params = json_dumps(pj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(pj);
    struct queue_ctx q = {cases, n, params, trigger, account_id, now, outs, 0};
    if (!rc && !params)
        rc = ERR_INTERNAL;
    if (!rc) {
        tracing__gate_enter();
        rc = store_tx(s, queue_tx, &q);
        tracing__gate_leave();
    }
    free(params);
    if (!rc && tracing__run_writer_running())
        tracing__runs_queued(q.seq, (int64_t)n);
    else if (!rc)
        rc = write_now(s, p, &q, &e, &r);
    tracing_result_free(&r);
    tracing_engine_release(&e);
    return rc;
}

struct requeue_ctx {
    int64_t run_id, seq;
};

static int requeue_tx(struct store *s, void *arg)
{
    struct requeue_ctx *x = arg;
    int64_t seq = 0;
    enum store_rc rc = next_seq(s, &seq);
    if (!rc)
        rc = store_run(s, NULL, "UPDATE tracing_runs SET pending = ? WHERE id = ? AND pending = ?", "iii", seq,
                       x->run_id, x->seq);
    return rc;
}

enum err tracing__run_requeue(struct store *s, int64_t run_id, int64_t seq)
{
    struct requeue_ctx x = {run_id, seq};
    return store_tx(s, requeue_tx, &x);
}
