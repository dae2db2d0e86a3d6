/*
 * run_writer.c - the thread that writes queued runs (cordon serve).
 *
 * A run through the API is answered once it is queued (run_queue.c); this
 * thread takes the queued runs in queue order, traces each case again on the
 * live index and writes its contacts, orders and counts (run_write.c).  It
 * runs at a lower CPU priority than the request threads, so a backlog slows
 * nothing but itself.
 *
 * SQLite has one write lock for the database.  A request queueing runs says
 * so (tracing__gate_enter) and the writer commits the part it is writing and
 * waits for it, so a run is queued in the time of its own transaction, not of
 * the writer's; a part also ends after RUN_PART_MS, which bounds how long
 * anyone else waits for the lock.  PostgreSQL writes a run in one
 * transaction, the run's row locked; the writers of several servers share
 * one queue, each skipping the runs another one holds.
 *
 * Readers of what runs write (contacts, orders, counts: the routes marked
 * HTTP_SETTLE) first call tracing_runs_settle(): it waits until every run
 * this server knows queued is written, unless that is more than
 * SETTLE_MAX_BEHIND runs away; either way it says how many are left, which
 * the answer passes on (Cordon-Runs-Behind).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

#define RUN_PART_MS 20         /* the longest part of a run on SQLite */
#define WRITER_NICE 10         /* below the request threads */
#define WRITER_CACHE_KIB 16384 /* the pages neighbouring cases share (SQLite's default is 2 MiB) */
#define WRITER_ROUND_MS 1000   /* a look at the queue when nobody wakes the writer (other servers' runs) */
#define RUNS_PER_READ 64
#define SETTLE_MAX_BEHIND 100  /* runs: further behind, a reader answers at once (about 2 s of writing) */

struct writer {
    pthread_t thread;
    char *url;
    bool sqlite;
    pthread_mutex_t lock; /* guards what follows */
    pthread_cond_t cv;    /* wakes the thread (runs queued, stop) and settling readers (runs written) */
    bool stop, wanted;
    int64_t queued;  /* the highest queue number this server queued or saw */
    int64_t written; /* every run queued at or below it is written */
    int64_t behind;  /* runs queued and not written, as last counted */
    int64_t runs_written;
    double write_seconds;
    /* SQLite: requests waiting to queue runs, and the lock they and the writer's parts take */
    atomic_int waiting;
    pthread_mutex_t gate;
};

static struct writer *the_writer;

bool tracing__run_writer_running(void)
{
    return the_writer != NULL;
}

void tracing__gate_enter(void)
{
    struct writer *w = the_writer;
    if (!w || !w->sqlite)
        return;
    atomic_fetch_add(&w->waiting, 1);
    pthread_mutex_lock(&w->gate);
    atomic_fetch_sub(&w->waiting, 1);
}

void tracing__gate_leave(void)
{
    struct writer *w = the_writer;
    if (w && w->sqlite)
        pthread_mutex_unlock(&w->gate);
}

void tracing__runs_queued(int64_t seq, int64_t n)
{
    struct writer *w = the_writer;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    if (seq > w->queued)
        w->queued = seq;
    w->behind += n;
    w->wanted = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->lock);
}

int64_t tracing_runs_settle(int wait_ms)
{
    struct writer *w = the_writer;
    if (!w)
        return 0;
    pthread_mutex_lock(&w->lock);
    int64_t target = w->queued;
    if (w->written < target && w->behind <= SETTLE_MAX_BEHIND && wait_ms > 0) {
        struct timespec until = clock_deadline_us((int64_t)wait_ms * 1000);
        while (w->written < target && !w->stop && pthread_cond_timedwait(&w->cv, &w->lock, &until) != ETIMEDOUT)
            ;
    }
    int64_t behind = w->written >= target ? 0 : w->behind > 0 ? w->behind : 1;
    pthread_mutex_unlock(&w->lock);
    return behind;
}

/* ------------------------------------------------------------ parts (SQLite) */

static void part_begin(void)
{
    struct writer *w = the_writer;
    while (atomic_load(&w->waiting) > 0)
        sched_yield(); /* a request is about to take the gate: let it */
    pthread_mutex_lock(&w->gate);
}

static void part_end(void)
{
    pthread_mutex_unlock(&the_writer->gate);
}

static bool part_give_way(double started)
{
    return atomic_load(&the_writer->waiting) > 0 || clock_mono() - started > RUN_PART_MS / 1e3;
}

static const struct tracing_run_parts sqlite_parts = {part_begin, part_end, part_give_way};

/* ------------------------------------------------------------ the thread */

static void read_pending(struct store_stmt *st, struct tracing_pending_run *run)
{
    run->id = store_col_int(st, 0);
    run->seq = store_col_int(st, 1);
    run->case_id = store_col_int(st, 2);
    run->person = store_col_int(st, 3);
    run->from = store_col_int(st, 4);
    run->until = store_col_int(st, 5);
    tracing_params_default(&run->p);
    json_t *pj = json_loads(store_col_text(st, 6), 0, NULL);
    struct fault f = {0};
    if (tracing_params_from_json(pj, &run->p, &f))
        log_warn("msg=\"run writer: a run's stored parameters are not valid; the defaults are used\" run=%lld",
                 (long long)run->id);
    json_decref(pj);
}

/* The oldest queued runs (at most RUNS_PER_READ) into v, and how many are queued in all. */
static enum store_rc pending_read(struct store *s, struct tracing_pending_run *v, size_t *n, int64_t *total)
{
    struct store_stmt *st;
    *n = 0;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT id, pending, case_id, person_id, window_from, window_until, params"
                                   " FROM tracing_runs WHERE pending > 0 ORDER BY pending, id LIMIT ?",
                                   "i", (int64_t)RUNS_PER_READ);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        read_pending(st, &v[(*n)++]);
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        return rc;
    return *n ? store_int(s, total, "SELECT COUNT(*) FROM tracing_runs WHERE pending > 0", "") : STORE_OK;
}

/* Traces the run's case on the live index (or, without one, on check-ins loaded for it) and writes it. */
static enum err write_one(struct writer *w, struct store *s, const struct tracing_pending_run *run,
                          struct tracing_result *r)
{
    enum err rc = tracing_index_sync(s);
    bool live = rc == ERR_OK;
    if (rc && rc != ERR_NOT_FOUND)
        return rc;
    struct tracing_engine e;
    rc = store_err(live ? tracing__engine_live(s, &run->p, run->from, run->until, &e)
                        : tracing_engine_load(s, &run->p, run->from, run->until, &e));
    if (rc)
        return rc;
    struct tracing_case c = {run->case_id, run->person, run->from, run->until};
    double t0 = clock_mono();
    tracing_trace(&e, &c, r);
    if (live)
        rc = store_err(tracing__household_live_rc(e.data[TRACING_SRC_HOUSEHOLD]));
    double t1 = clock_mono();
    if (!rc)
        rc = tracing__run_write(s, run, r, w->sqlite ? &sqlite_parts : NULL, clock_now());
    tracing_engine_release(&e);
    log_info("msg=\"run written\" run=%lld case=%lld f1=%zu f2=%zu trace_ms=%.3f write_ms=%.3f rc=%d",
             (long long)run->id, (long long)run->case_id, r->nf1, r->nf2, (t1 - t0) * 1e3,
             (clock_mono() - t1) * 1e3, rc);
    return rc;
}

/* Writes what is queued until nothing is (ERR_OK) or something fails. */
static enum err drain(struct writer *w, struct store *s, struct tracing_result *r)
{
    struct tracing_pending_run runs[RUNS_PER_READ];
    for (;;) {
        pthread_mutex_lock(&w->lock);
        int64_t known = w->queued; /* read before the queue: a run queued later has a larger number */
        bool stop = w->stop;
        pthread_mutex_unlock(&w->lock);
        if (stop)
            return ERR_OK;
        size_t n;
        int64_t total = 0;
        enum err rc = store_err(pending_read(s, runs, &n, &total));
        if (rc)
            return rc;
        pthread_mutex_lock(&w->lock);
        if (!n && w->written < known)
            w->written = known;
        if (n && runs[n - 1].seq > w->queued)
            w->queued = runs[n - 1].seq; /* runs another server (or a restart) queued */
        w->behind = total;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->lock);
        if (!n)
            return ERR_OK;
        for (size_t i = 0; i < n; i++) {
            double t0 = clock_mono();
            rc = write_one(w, s, &runs[i], r);
            if (rc) {
                /* to the back of the queue, unless the connection is gone too: the runs behind it go on */
                log_error("msg=\"run writer: a run could not be written; it goes to the back of the queue\""
                          " run=%lld rc=%d detail=\"%s\"",
                          (long long)runs[i].id, rc, store_errmsg(s));
                tracing__run_requeue(s, runs[i].id, runs[i].seq);
                return rc;
            }
            pthread_mutex_lock(&w->lock);
            w->runs_written++;
            w->write_seconds += clock_mono() - t0;
            if (w->behind > 0)
                w->behind--;
            /* the runs are taken in queue order: those numbered below this one are written (on
             * PostgreSQL, unless another server is still writing one of them) */
            if (runs[i].seq - 1 > w->written)
                w->written = runs[i].seq - 1;
            pthread_cond_broadcast(&w->cv);
            bool stopping = w->stop;
            pthread_mutex_unlock(&w->lock);
            if (stopping)
                return ERR_OK;
        }
    }
}

static void *writer_thread(void *p)
{
    struct writer *w = p;
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), WRITER_NICE))
        log_warn("msg=\"run writer: could not lower its priority\"");
    struct store *s = NULL;
    char err[256];
    struct tracing_result r;
    tracing_result_init(&r);
    for (;;) {
        if (!s) {
            if (store_open(w->url, &s, err, sizeof(err))) {
                log_error("msg=\"run writer: could not open the database\" detail=\"%s\"", err);
                s = NULL;
            } else {
                store_cache_size(s, WRITER_CACHE_KIB);
            }
        }
        enum err rc = s ? drain(w, s, &r) : ERR_OK;
        if (rc) {
            log_error("msg=\"run writer: trying again shortly\" rc=%d detail=\"%s\"", rc, store_errmsg(s));
            store_close(s); /* a lost connection is opened again */
            s = NULL;
        }
        pthread_mutex_lock(&w->lock);
        if (!w->stop && !w->wanted) {
            struct timespec until = clock_deadline_us(WRITER_ROUND_MS * 1000LL);
            pthread_cond_timedwait(&w->cv, &w->lock, &until);
        }
        w->wanted = false;
        bool stop = w->stop;
        pthread_mutex_unlock(&w->lock);
        if (stop)
            break;
    }
    tracing_result_free(&r);
    if (s)
        store_close(s);
    return NULL;
}

int tracing_run_writer_start(const char *db_url)
{
    struct writer *w = xcalloc(1, sizeof(*w));
    w->url = xstrdup(db_url);
    w->sqlite = strncmp(db_url, "postgres", 8) != 0;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_mutex_init(&w->gate, NULL);
    w->wanted = true; /* runs queued before a stop or a crash are written first */
    the_writer = w;
    if (pthread_create(&w->thread, NULL, writer_thread, w)) {
        the_writer = NULL;
        free(w->url);
        free(w);
        return ERR_INTERNAL;
    }
    return 0;
}

void tracing_run_writer_stop(void)
{
    struct writer *w = the_writer;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    the_writer = NULL;
    pthread_mutex_destroy(&w->gate);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->lock);
    free(w->url);
    free(w);
}

void tracing_run_writer_metrics(struct buf *out)
{
    struct writer *w = the_writer;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    int64_t behind = w->written >= w->queued ? 0 : w->behind, written = w->runs_written;
    double seconds = w->write_seconds;
    pthread_mutex_unlock(&w->lock);
    buf_addf(out,
               "# HELP cordon_tracing_runs_pending Runs queued and not yet written.\n"
               "# TYPE cordon_tracing_runs_pending gauge\ncordon_tracing_runs_pending %lld\n"
               "# HELP cordon_tracing_runs_written_total Runs this server's writer wrote.\n"
               "# TYPE cordon_tracing_runs_written_total counter\ncordon_tracing_runs_written_total %lld\n"
               "# HELP cordon_tracing_run_write_seconds_total Time spent tracing and writing them.\n"
               "# TYPE cordon_tracing_run_write_seconds_total counter\ncordon_tracing_run_write_seconds_total %.3f\n",
               (long long)behind, (long long)written, seconds);
}
