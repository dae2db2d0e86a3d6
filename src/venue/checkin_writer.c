/*
 * checkin_writer.c - group commit of check-ins: writer threads per server
 * (one on SQLite, checkin_writers on PostgreSQL: see "the threads" below).
 *
 * A request thread parks its connection (http_defer) and queues a job; a
 * writer takes every job waiting (up to batch_max, after waiting up to
 * batch_wait_us for the batch to fill), writes them in one transaction over
 * its own connection, commits once, and only then resumes every request of
 * the batch.  The commit does not wait for the disk: the sync thread
 * (checkin_sync.c) resumes the batch once the WAL is on disk past it (an
 * fdatasync of SQLite's WAL; on PostgreSQL, a commit of its own that waits
 * for the flush), while the writer writes the next one.  A 2xx therefore
 * still means committed and durable.
 *
 * Failures, from the smallest:
 *   - a job that fails alone (a client_id already used at another venue, a
 *     value the engine refuses) is answered with its error, the transaction
 *     is rolled back and the batch runs again without it: nothing of that job
 *     is stored, everything of the others is;
 *   - a busy or lost database (STORE_RETRY) runs the whole batch again, a few
 *     times, then answers every job 503;
 *   - a failed COMMIT answers every job of the batch 503, none stored.
 *
 * Idempotency is the database's: (client_id, person_id) is unique and the
 * insert says DO NOTHING on a conflict, then reads the stored row back, so a
 * retry answers 200 with the stored rows, also when the first attempt is in
 * the same batch.
 *
 * The limits on anonymous check-ins are counted here, in memory, since every
 * check-in of this server passes through the writers: per phone over the
 * last hour and per venue over the last minute, in twelve slices of the
 * window (so a count covers the last 55 to 60 minutes, or 55 to 60 seconds).
 * The counts start from what the database holds when the writer starts (one
 * grouped query each), so a restart does not reset the limits; with several
 * servers over one database, each counts what it stored since it started.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "people/people.h"
#include "situation/situation.h"
#include "store/store.h"
#include "venue/checkin.h"
#include "venue/venue.h"

#define WRITER_ATTEMPTS 8 /* runs of a batch the database answered busy */
#define LIMIT_SLICES 12

/* ---------------------------------------------------------------- limits, in memory */

struct limit_entry {
    char key[24];                 /* "" for a free slot */
    int64_t slice[LIMIT_SLICES];  /* the slice number each count belongs to */
    int32_t count[LIMIT_SLICES];
    int32_t pending;              /* admitted in the batch being written */
};

struct limit_table {
    struct limit_entry *e;
    size_t cap, used;
    int64_t window; /* seconds */
    int64_t swept;  /* when entries counting nothing were last dropped */
};

static struct limit_table phones = {.window = 3600}, venues = {.window = 60};
static pthread_mutex_t limits_lock = PTHREAD_MUTEX_INITIALIZER; /* the tables, shared by the writers */

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static int64_t slice_of(const struct limit_table *t, int64_t now)
{
    return now / (t->window / LIMIT_SLICES);
}

static int64_t limit_sum(const struct limit_table *t, const struct limit_entry *e, int64_t now)
{
    int64_t cur = slice_of(t, now), n = e->pending;
    for (int i = 0; i < LIMIT_SLICES; i++)
        if (e->slice[i] > cur - LIMIT_SLICES && e->slice[i] <= cur)
            n += e->count[i];
    return n;
}

static void limit_add(const struct limit_table *t, struct limit_entry *e, int64_t now, int32_t n)
{
    int64_t cur = slice_of(t, now);
    int i = (int)(cur % LIMIT_SLICES);
    if (e->slice[i] != cur) {
        e->slice[i] = cur;
        e->count[i] = 0;
    }
    e->count[i] += n;
}

static struct limit_entry *slot(struct limit_entry *e, size_t cap, const char *key)
{
    size_t i = (size_t)fnv1a(key) & (cap - 1);
    while (e[i].key[0] && strcmp(e[i].key, key))
        i = (i + 1) & (cap - 1);
    return &e[i];
}

/* Rebuilds the table at cap slots, dropping entries that count nothing now (when now is not 0). */
static void limit_rebuild(struct limit_table *t, size_t cap, int64_t now)
{
    struct limit_entry *old = t->e;
    size_t old_cap = t->cap;
    t->e = xcalloc(cap, sizeof(*t->e));
    t->cap = cap;
    t->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].key[0] || (now && limit_sum(t, &old[i], now) == 0))
            continue;
        *slot(t->e, cap, old[i].key) = old[i];
        t->used++;
    }
    free(old);
}

/* The entry of key, made when absent. */
static struct limit_entry *limit_find(struct limit_table *t, const char *key, int64_t now)
{
    if (now - t->swept >= t->window && t->e) {
        t->swept = now;
        size_t cap = t->cap;
        while (cap > 1024 && t->used * 8 < cap)
            cap /= 2;
        limit_rebuild(t, cap, now);
    }
    if (!t->e || (t->used + 1) * 2 > t->cap)
        limit_rebuild(t, t->e ? t->cap * 2 : 1024, 0);
    struct limit_entry *e = slot(t->e, t->cap, key);
    if (!e->key[0]) {
        snprintf(e->key, sizeof(e->key), "%s", key);
        t->used++;
    }
    return e;
}

struct seed_ctx {
    struct limit_table *t;
    int64_t now;
};

/* A count read from the database goes to the current slice: it ages out no sooner than the rows do. */
static void seed(void *p, const char *key, int64_t n)
{
    struct seed_ctx *c = p;
    limit_add(c->t, limit_find(c->t, key, c->now), c->now, (int32_t)(n > INT32_MAX ? INT32_MAX : n));
}

/* Reads what the database holds when the writer starts. */
static enum store_rc limits_seed(struct store *s)
{
    int64_t now = clock_now();
    struct seed_ctx p = {&phones, now}, v = {&venues, now};
    enum store_rc rc = checkin_count_phones(s, now - phones.window, seed, &p);
    if (!rc)
        rc = checkin_count_venues(s, now - venues.window, seed, &v);
    return rc;
}

static struct limit_entry *phone_entry(const struct checkin_job *j)
{
    return limit_find(&phones, j->phone, j->now);
}

static struct limit_entry *venue_entry(const struct checkin_job *j)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", (long long)j->v->id);
    return limit_find(&venues, key, j->now);
}

/* Whether an anonymous job may go; if not, answers it 429 with Retry-After. */
static bool limits_admit(struct checkin_job *j)
{
    struct limit_entry *p = phone_entry(j);
    int64_t wait = 0;
    if (limit_sum(&phones, p, j->now) >= checkin_phone_limit()) {
        wait = 600; /* ten minutes: the hour's oldest check-ins age out meanwhile */
    } else {
        struct limit_entry *v = venue_entry(j);
        if (limit_sum(&venues, v, j->now) >= checkin_venue_limit()) {
            wait = 60;
        } else {
            v->pending++;
            p->pending++;
            return true;
        }
    }
    http_add_header(j->r, "Retry-After", arena_printf(&j->r->arena, "%lld", (long long)wait));
    j->rc = http_fail(j->r, ERR_RATE_LIMITED, NULL,
                      "too many check-ins without sign-in from this phone or at this venue; try again in %lld"
                      " seconds, or sign in",
                      (long long)wait);
    return false;
}

/* After the batch: the admitted job no longer pends; what it stored counts. */
static void limits_settle(struct checkin_job *j)
{
    struct limit_entry *p = phone_entry(j);
    struct limit_entry *v = venue_entry(j);
    p->pending--;
    v->pending--;
    if (!j->rc && j->created) {
        limit_add(&phones, p, j->now, 1);
        limit_add(&venues, v, j->now, 1);
    }
}

/* ---------------------------------------------------------------- one job, one batch */

/* The row of the job's i-th person. */
static struct checkin_new job_row(const struct checkin_job *j, int i)
{
    return (struct checkin_new){
        .client_id = j->client_id,
        .venue_id = j->v->id,
        .person_id = j->ids[i],
        .at = j->now,
        .method = j->method,
        .province_code = j->province,
        .district_code = j->district,
        .commune_code = j->commune,
        .by_account = j->by_account,
        .by_person = j->by_person,
    };
}

/* A check-in recorded by venue staff is audited, in the same transaction. */
static enum store_rc job_audit(struct store *s, const struct checkin_job *j)
{
    const struct http_req *r = j->r;
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)j->ids[0]);
    struct audit_entry e = {
        .actor_id = r->who ? r->who->account_id : 0,
        .actor_username = r->who ? r->who->username : NULL,
        .action = "checkin.create",
        .subject_type = "person",
        .subject_id = id,
        .unit_code = j->commune,
        .request_id = r->request_id,
    };
    return audit_record(s, &e);
}

/* A job's rows inside the batch's transaction: 0, a store rc, or an enum err with the fault filled. */
static int job_write(struct store *s, struct checkin_job *j)
{
    struct http_req *r = j->r;
    j->created = false;
    if (j->phone) {
        bool made;
        int rc = people_unverified_contact_id(s, j->phone, j->full_name, &j->ids[0], &made);
        if (rc)
            return rc;
        j->n = 1;
    }
    for (int i = 0; i < j->n; i++) {
        struct checkin_new in = job_row(j, i);
        int64_t id;
        int rc = checkin_insert_id(s, &in, &id);
        j->fresh[i] = rc == STORE_OK;
        if (rc == STORE_OK) {
            /* what the row holds, without reading it back */
            j->rows[i] = (struct checkin){
                .id = id,
                .client_id = j->client_id,
                .venue_id = j->v->id,
                .venue_name = j->v->name,
                .person_id = j->ids[i],
                .checked_in_at = j->now,
                .method = checkin_method_name(j->method),
                .commune_code = j->commune,
            };
            j->created = true;
            continue;
        }
        if (rc != STORE_DONE)
            return rc;
        /* (client_id, person) is stored already, maybe earlier in this very batch: answer that row */
        rc = checkin_find_client(s, &r->arena, j->client_id, j->ids[i], &j->rows[i]);
        if (rc)
            return rc == STORE_DONE ? STORE_ERROR : rc;
        if (j->rows[i].venue_id != j->v->id)
            return http_fail(r, ERR_CONFLICT, "client_id", "client_id was already used for a check-in elsewhere");
    }
    return j->created && j->by_account ? job_audit(s, j) : 0;
}

/* A row the job did not make: copied into the job's arena. */
struct set_ctx {
    struct checkin_job **jobs;
    const int *job_of, *person_of; /* row -> job, person index */
};

static void set_found(void *p, int i, const struct checkin *c)
{
    struct set_ctx *x = p;
    struct checkin_job *j = x->jobs[x->job_of[i]];
    struct arena *a = &j->r->arena;
    struct checkin *row = &j->rows[x->person_of[i]];
    *row = *c;
    row->client_id = c->client_id ? arena_strdup(a, c->client_id) : NULL;
    row->venue_name = c->venue_name ? arena_strdup(a, c->venue_name) : NULL;
    row->method = c->method ? arena_strdup(a, c->method) : NULL;
    row->commune_code = c->commune_code ? arena_strdup(a, c->commune_code) : NULL;
}

/*
 * PostgreSQL: the same as job_write() for every job of the batch, in three
 * statements whatever its size (contacts found or made, rows inserted, rows
 * already stored read back), since each statement is a round trip to
 * the server.  0, a store rc, or an enum err with *failed naming the job
 * that fails alone.
 */
static int batch_write_set(struct store *s, struct checkin_job **jobs, int n, int *failed)
{
    int anon = 0, total = 0, rc = 0;
    for (int k = 0; k < n; k++)
        if (!jobs[k]->rc && jobs[k]->phone)
            anon++;
    const char **tels = xcalloc((size_t)anon + 1, sizeof(*tels));
    const char **names = xcalloc((size_t)anon + 1, sizeof(*names));
    int64_t *contacts = xcalloc((size_t)anon + 1, sizeof(*contacts));
    int m = 0;
    for (int k = 0; k < n; k++) {
        if (jobs[k]->rc || !jobs[k]->phone)
            continue;
        tels[m] = jobs[k]->phone;
        names[m++] = jobs[k]->full_name;
    }
    if (anon)
        rc = people_unverified_contacts_pg(s, anon, tels, names, contacts);
    m = 0;
    for (int k = 0; k < n; k++) {
        struct checkin_job *j = jobs[k];
        if (j->rc)
            continue;
        j->created = false;
        if (j->phone) {
            j->ids[0] = contacts[m++];
            j->n = 1;
        }
        total += j->n;
    }
    free(tels);
    free(names);
    free(contacts);
    if (rc)
        return rc;

    struct checkin_new *rows = xcalloc((size_t)total + 1, sizeof(*rows));
    int64_t *made = xcalloc((size_t)total + 1, sizeof(*made));
    int *job_of = xcalloc((size_t)total + 1, sizeof(*job_of));
    int *person_of = xcalloc((size_t)total + 1, sizeof(*person_of));
    int *stored = xcalloc((size_t)total + 1, sizeof(*stored));
    int t = 0, nstored = 0;
    for (int k = 0; k < n; k++) {
        struct checkin_job *j = jobs[k];
        for (int i = 0; !j->rc && i < j->n; i++, t++) {
            rows[t] = job_row(j, i);
            job_of[t] = k;
            person_of[t] = i;
        }
    }
    rc = checkin_insert_set_pg(s, rows, total, made);
    for (int i = 0; !rc && i < total; i++) {
        struct checkin_job *j = jobs[job_of[i]];
        j->fresh[person_of[i]] = made[i] != 0;
        if (!made[i]) {
            stored[nstored++] = i;
            continue;
        }
        j->rows[person_of[i]] = (struct checkin){
            .id = made[i],
            .client_id = j->client_id,
            .venue_id = j->v->id,
            .venue_name = j->v->name,
            .person_id = j->ids[person_of[i]],
            .checked_in_at = j->now,
            .method = checkin_method_name(j->method),
            .commune_code = j->commune,
        };
        j->created = true;
    }
    if (!rc && nstored) {
        /* (client_id, person) stored before, or earlier in this batch: answer that row */
        for (int i = 0; i < nstored; i++)
            jobs[job_of[stored[i]]]->rows[person_of[stored[i]]].id = 0;
        struct set_ctx x = {jobs, job_of, person_of};
        rc = checkin_find_set_pg(s, rows, stored, nstored, set_found, &x);
        for (int i = 0; !rc && i < nstored; i++) {
            struct checkin_job *j = jobs[job_of[stored[i]]];
            const struct checkin *c = &j->rows[person_of[stored[i]]];
            if (!c->id) {
                rc = STORE_ERROR;
            } else if (c->venue_id != j->v->id) {
                *failed = job_of[stored[i]];
                rc = http_fail(j->r, ERR_CONFLICT, "client_id", "client_id was already used for a check-in elsewhere");
            }
        }
    }
    free(rows);
    free(made);
    free(job_of);
    free(person_of);
    free(stored);
    for (int k = 0; !rc && k < n; k++)
        if (!jobs[k]->rc && jobs[k]->created && jobs[k]->by_account)
            rc = job_audit(s, jobs[k]);
    return rc;
}

static int job_outcome(int rc)
{
    return rc >= STORE_ROW && rc <= STORE_ERROR ? (int)store_err((enum store_rc)rc) : rc;
}

static void backoff(int attempt)
{
    struct timespec ts = {0, (long)(1 + attempt * attempt) * 2000000L}; /* 2 ms, 4 ms, 10 ms, ... */
    nanosleep(&ts, NULL);
}

/*
 * The batch's new check-ins counted for the situation (situation/counters.c), the last statement
 * before the commit: on PostgreSQL the count rows it moves (the nation's by province among them,
 * shared by every writer) stay locked until the commit, so the writers' other statements run
 * side by side.
 */
static int batch_count(struct store *s, struct checkin_job **jobs, int n)
{
    struct sit_checkins *places = xcalloc((size_t)n, sizeof(*places));
    for (int k = 0; k < n; k++) {
        const struct checkin_job *j = jobs[k];
        places[k] = (struct sit_checkins){j->province, j->district, j->commune, vn_day(j->now), 0};
        for (int i = 0; !j->rc && i < j->n; i++)
            places[k].n += j->fresh[i];
    }
    int rc = situation_count_checkins(s, places, (size_t)n);
    free(places);
    return rc;
}

/* After the commit: whether the batch stored a check-in.  Their rows are in the change log already;
 * followers (checkin_on_change) catch up once for the batch, when the writer has answered it. */
static bool batch_committed(struct checkin_job **jobs, int n)
{
    for (int k = 0; k < n; k++)
        if (!jobs[k]->rc && jobs[k]->created)
            return true;
    return false;
}

/*
 * Writes the jobs in one transaction and fills each job's answer (j->rc, the
 * rows).  Jobs with j->rc set are answered already and not written.  True
 * when a check-in was stored.
 */
static bool batch_write(struct store *s, struct checkin_job **jobs, int n, bool *admitted)
{
    bool set = !strcmp(store_engine(s), "postgres");
    int left = 0;
    pthread_mutex_lock(&limits_lock);
    for (int k = 0; k < n; k++) {
        jobs[k]->rc = 0;
        admitted[k] = jobs[k]->phone && limits_admit(jobs[k]);
        left += !jobs[k]->rc;
    }
    pthread_mutex_unlock(&limits_lock);
    int attempt = 0;
    bool changed = false;
    while (left > 0) {
        int rc = store_begin(s, true), failed = -1;
        if (rc == STORE_OK) {
            if (set) {
                rc = batch_write_set(s, jobs, n, &failed);
            } else {
                for (int k = 0; k < n && !rc; k++) {
                    if (jobs[k]->rc)
                        continue;
                    rc = job_write(s, jobs[k]);
                    if (rc)
                        failed = k;
                }
            }
            if (!rc)
                rc = batch_count(s, jobs, n);
            if (!rc)
                rc = store_commit(s);
            if (!rc) {
                changed = batch_committed(jobs, n);
                break;
            }
            store_rollback(s);
        }
        if (rc == STORE_RETRY && ++attempt < WRITER_ATTEMPTS) {
            backoff(attempt);
            continue;
        }
        if (set && failed < 0 && rc != STORE_RETRY) {
            set = false; /* a statement of many rows failed: one job at a time finds which */
            continue;
        }
        if (failed >= 0 && rc != STORE_RETRY) {
            /* this job alone: answer it, write the others again without it */
            jobs[failed]->rc = job_outcome(rc);
            left--;
            continue;
        }
        /* BEGIN or COMMIT failed, or the database stayed busy: nothing of the batch is stored */
        log_error("msg=\"check-in batch not committed\" jobs=%d rc=%d detail=\"%s\"", left, rc, store_errmsg(s));
        for (int k = 0; k < n; k++) {
            if (jobs[k]->rc)
                continue;
            http_add_header(jobs[k]->r, "Retry-After", "1");
            jobs[k]->rc = http_fail(jobs[k]->r, ERR_UNAVAILABLE, NULL, "the check-in could not be stored; try again");
        }
        break;
    }
    pthread_mutex_lock(&limits_lock);
    for (int k = 0; k < n; k++)
        if (admitted[k])
            limits_settle(jobs[k]);
    pthread_mutex_unlock(&limits_lock);
    return changed;
}

/* ---------------------------------------------------------------- the threads */

/*
 * One writer on SQLite (one write lock: a second writer would only wait for
 * it).  On PostgreSQL several, each with its own connection and queue, so the
 * engine commits their batches side by side as it would its own clients'.  A
 * job goes to the writer its phone (anonymous) or client_id hashes to, so one
 * contact is never made by two transactions at once and a retry meets its
 * first attempt in the same writer.
 */
#define WRITERS_MAX 16

struct writer {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct checkin_job *head, *tail;
    int queued;
    bool stopping;
    pthread_t thread;
    struct store *s;
    uint64_t batches, jobs, largest;
};

static struct {
    pthread_mutex_t lock; /* running, n */
    bool running;
    int n, batch_max, wait_us;
    bool synced_apart; /* batches are answered by the sync thread (checkin_sync.c) */
    struct writer ws[WRITERS_MAX];
    /* SQLite: the WAL is copied into the database by a thread of its own */
    struct store *ckpt;
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_cond;
    bool ckpt_running;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .ckpt_cond = PTHREAD_COND_INITIALIZER};

/*
 * SQLite copies the WAL back into the database (a checkpoint, with an fsync of
 * the database file) on the commit that passes 1000 pages of WAL: on the
 * writer, every few dozen batches, a stall for every request waiting on it.
 * The writer's connection leaves that to this thread, which copies what it
 * can every CHECKPOINT_EVERY_MS without waiting for anyone (PASSIVE).  Under
 * steady load such a checkpoint never catches up with the writer (it copies
 * what was committed when it began, and the writer goes on), so SQLite never
 * starts the WAL over, and the WAL (and the index every connection maps)
 * would grow without end.  Past CHECKPOINT_FINISH_FRAMES the thread asks the
 * writer to finish: between two batches the writer copies the few frames
 * left itself (PASSIVE again: it waits for no one), and its next transaction
 * starts the WAL over.  That copy and its fsync of the database take 3 to 8 ms
 * under load, however few frames are left, and every request waits for them:
 * at 32 MiB, every 0.6 s at 20,000 check-ins a second, they were the
 * benchmark's p99 (10.6 ms); at 256 MiB, eight times rarer, 9.2 to 10.0 ms.
 * (Copying again what came during the thread's copy, so that the writer found
 * only a few dozen frames left, did not shorten it: the time is the fsyncs'.)
 * The price: the WAL file stays that large, and a restart after a crash reads
 * it whole (a second or so).
 *
 * The first version checkpointed in RESTART mode from this thread instead.
 * That mode takes the write lock and waits for readers, and both waits go
 * through SQLite's busy handler, which sleeps 1, 2, 5, 10 ms...: the writer
 * sleeping behind it was the benchmark's p99 (31 ms), and behind a long
 * reader (the contact index reads every check-in when the server starts) a
 * sign-in waited the store's five seconds and answered 503.
 */
#define CHECKPOINT_EVERY_MS 200
#define CHECKPOINT_FINISH_FRAMES 65536 /* 256 MiB of 4 KiB pages */

static atomic_bool checkpoint_wanted; /* set by the checkpointer, done by the writer */

/* PRAGMA wal_checkpoint(PASSIVE); *frames gets the WAL's size.  True when every frame is copied. */
static bool checkpoint_passive(struct store *s, int64_t *frames)
{
    struct store_stmt *st;
    bool complete = false;
    *frames = 0;
    if (store_query(s, &st, "PRAGMA wal_checkpoint(PASSIVE)", "") == STORE_OK) {
        if (store_step(st) == STORE_ROW) { /* busy, frames in the WAL, frames copied */
            *frames = store_col_int(st, 1);
            complete = !store_col_int(st, 0) && store_col_int(st, 2) == *frames;
        }
        store_finalize(st);
    }
    return complete;
}

/* The writer, between batches: copy what is left so that the next transaction starts the WAL over. */
static void checkpoint_finish(struct store *s)
{
    int64_t frames;
    if (atomic_load_explicit(&checkpoint_wanted, memory_order_relaxed) && checkpoint_passive(s, &frames))
        atomic_store(&checkpoint_wanted, false);
}

/*
 * A passive copy that leaves frames behind does not fsync the database file; SQLite syncs it
 * when a copy completes, here the writer's.  The pages of every copy since the last start-over
 * then waited for that one: 30 ms of fsync with every request waiting, every two seconds.  This
 * thread syncs what it copied instead, after each copy.
 */
static void checkpoint(struct store *s)
{
    int64_t frames;
    checkpoint_passive(s, &frames);
    store_sqlite_sync_database(s);
    if (frames > CHECKPOINT_FINISH_FRAMES)
        atomic_store(&checkpoint_wanted, true);
}

static void *checkpointer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&w.lock);
    while (w.ckpt_running) {
        struct timespec until = clock_deadline_us(CHECKPOINT_EVERY_MS * 1000);
        pthread_cond_timedwait(&w.ckpt_cond, &w.lock, &until);
        if (!w.ckpt_running)
            break;
        pthread_mutex_unlock(&w.lock);
        checkpoint(w.ckpt);
        pthread_mutex_lock(&w.lock);
    }
    pthread_mutex_unlock(&w.lock);
    return NULL;
}

static int checkpointer_start(const char *db_url)
{
    char err[512];
    if (store_open(db_url, &w.ckpt, err, sizeof(err))) {
        log_error("msg=\"check-in writer: could not open store\" detail=\"%s\"", err);
        return -1;
    }
    w.ckpt_running = true;
    if (pthread_create(&w.ckpt_thread, NULL, checkpointer_main, NULL)) {
        w.ckpt_running = false;
        store_close(w.ckpt);
        w.ckpt = NULL;
        return -1;
    }
    pthread_setname_np(w.ckpt_thread, "wal-checkpoint");
    store_exec(w.ws[0].s, "PRAGMA wal_autocheckpoint=0");
    store_sqlite_checkpoints_elsewhere(); /* the request threads' connections, too */
    return 0;
}

static void checkpointer_stop(void)
{
    if (!w.ckpt)
        return;
    pthread_mutex_lock(&w.lock);
    w.ckpt_running = false;
    pthread_cond_broadcast(&w.ckpt_cond);
    pthread_mutex_unlock(&w.lock);
    pthread_join(w.ckpt_thread, NULL);
    store_exec(w.ckpt, "PRAGMA wal_checkpoint(PASSIVE)");
    store_close(w.ckpt);
    w.ckpt = NULL;
}


static void *writer_main(void *arg)
{
    struct writer *me = arg;
    struct checkin_job **batch = xcalloc((size_t)w.batch_max, sizeof(*batch));
    bool *admitted = xcalloc((size_t)w.batch_max, sizeof(*admitted));
    pthread_mutex_lock(&me->lock);
    for (;;) {
        while (!me->head && !me->stopping)
            pthread_cond_wait(&me->cond, &me->lock);
        if (!me->head)
            break; /* stopping, and nothing left */
        if (w.wait_us && me->queued < w.batch_max && !me->stopping) {
            struct timespec until = clock_deadline_us(w.wait_us);
            while (me->queued < w.batch_max && !me->stopping &&
                   pthread_cond_timedwait(&me->cond, &me->lock, &until) != ETIMEDOUT)
                ;
        }
        int n = 0;
        while (me->head && n < w.batch_max) {
            batch[n++] = me->head;
            me->head = me->head->next;
            me->queued--;
        }
        if (!me->head)
            me->tail = NULL;
        pthread_mutex_unlock(&me->lock);

        int64_t now = clock_now(); /* one clock for the batch: its rows are stored at commit time */
        for (int k = 0; k < n; k++)
            batch[k]->now = now;
        bool changed = batch_write(me->s, batch, n, admitted);
        me->batches++;
        me->jobs += (uint64_t)n;
        if ((uint64_t)n > me->largest)
            me->largest = (uint64_t)n;
        /* each request is its thread's again: nothing of a job is touched after its resume (on
         * SQLite, by the sync thread once the batch is on disk) */
        if (w.synced_apart)
            checkin_sync_submit(batch, n);
        else
            for (int k = 0; k < n; k++)
                http_resume(batch[k]->r);
        /* the followers catch up after the answers are on their way, not before: a 2xx needs the
         * commit only, and a trace catches up itself before it runs */
        if (changed)
            checkin__changed(me->s);
        if (w.ckpt)
            checkpoint_finish(me->s);
        pthread_mutex_lock(&me->lock);
    }
    pthread_mutex_unlock(&me->lock);
    free(admitted);
    free(batch);
    return NULL;
}

static void writers_close(int n)
{
    for (int i = 0; i < n; i++) {
        store_close(w.ws[i].s);
        w.ws[i].s = NULL;
        pthread_mutex_destroy(&w.ws[i].lock);
        pthread_cond_destroy(&w.ws[i].cond);
    }
}

/*
 * The writers' connections commit without waiting for the disk (SQLite: synchronous=NORMAL;
 * PostgreSQL: synchronous_commit=off), their batches being answered by the sync thread.  On a
 * failure every connection is set back to durable commits and the sync thread stopped: false.
 */
static bool writers_commit_apart(int n, bool sqlite)
{
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        ok = store_exec(w.ws[i].s, sqlite ? "PRAGMA synchronous = NORMAL" : "SET synchronous_commit = off") ==
             STORE_OK;
    if (ok)
        return true;
    for (int i = 0; i < n; i++)
        store_exec(w.ws[i].s, sqlite ? "PRAGMA synchronous = FULL" : "SET synchronous_commit = on");
    checkin_sync_stop();
    return false;
}

int checkin_writer_start(const char *db_url, int writers, int batch_max, int batch_wait_us)
{
    bool sqlite = !strncmp(db_url, "sqlite:", 7);
    int n = sqlite ? 1 : writers < 1 ? 1 : writers > WRITERS_MAX ? WRITERS_MAX : writers;
    char err[512];
    for (int i = 0; i < n; i++) {
        struct writer *x = &w.ws[i];
        *x = (struct writer){0};
        pthread_mutex_init(&x->lock, NULL);
        pthread_cond_init(&x->cond, NULL);
        if (store_open(db_url, &x->s, err, sizeof(err))) {
            log_error("msg=\"check-in writer: could not open store\" detail=\"%s\"", err);
            writers_close(i + 1);
            return -1;
        }
    }
    if (limits_seed(w.ws[0].s)) {
        log_error("msg=\"check-in writer: could not read the check-ins of the last hour\" detail=\"%s\"",
                  store_errmsg(w.ws[0].s));
        writers_close(n);
        return -1;
    }
    if (sqlite && checkpointer_start(db_url)) {
        writers_close(n);
        return -1;
    }
    /* the writers commit without waiting for the disk, which the sync thread does while they write on */
    w.synced_apart = !checkin_sync_start(db_url) && writers_commit_apart(n, sqlite);
    pthread_mutex_lock(&w.lock);
    w.batch_max = batch_max > 0 ? batch_max : 1;
    w.wait_us = batch_wait_us > 0 ? batch_wait_us : 0;
    int started = 0;
    for (; started < n; started++) {
        if (pthread_create(&w.ws[started].thread, NULL, writer_main, &w.ws[started]))
            break;
        pthread_setname_np(w.ws[started].thread, "checkin-writer"); /* top -H, perf */
    }
    w.n = started;
    w.running = started == n;
    pthread_mutex_unlock(&w.lock);
    if (started < n) {
        log_error("msg=\"check-in writer: could not start a thread\"");
        w.running = true;
        checkin_writer_stop();
        return -1;
    }
    log_info("msg=\"check-in writers started\" writers=%d batch_max=%d batch_wait_us=%d", n, w.batch_max,
             w.wait_us);
    return 0;
}

void checkin_writer_stop(void)
{
    pthread_mutex_lock(&w.lock);
    if (!w.running) {
        pthread_mutex_unlock(&w.lock);
        return;
    }
    w.running = false; /* submit answers 503 from now on */
    int n = w.n;
    pthread_mutex_unlock(&w.lock);
    uint64_t batches = 0, jobs = 0, largest = 0;
    for (int i = 0; i < n; i++) {
        struct writer *x = &w.ws[i];
        pthread_mutex_lock(&x->lock);
        x->stopping = true; /* answers what is queued, then stops */
        pthread_cond_broadcast(&x->cond);
        pthread_mutex_unlock(&x->lock);
        pthread_join(x->thread, NULL);
        batches += x->batches;
        jobs += x->jobs;
        largest = x->largest > largest ? x->largest : largest;
    }
    checkin_sync_stop();
    w.synced_apart = false;
    writers_close(n);
    checkpointer_stop();
    pthread_mutex_lock(&w.lock);
    w.n = 0;
    pthread_mutex_unlock(&w.lock);
    free(phones.e);
    free(venues.e);
    phones.e = venues.e = NULL;
    phones.cap = venues.cap = phones.used = venues.used = 0;
    log_info("msg=\"check-in writer stopped\" batches=%llu checkins=%llu largest_batch=%llu",
             (unsigned long long)batches, (unsigned long long)jobs, (unsigned long long)largest);
}

void checkin_writer_submit(struct checkin_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&w.lock);
    struct writer *x = NULL;
    if (w.running) {
        uint64_t h = 1469598103934665603ULL;
        for (const char *p = j->phone ? j->phone : j->client_id; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        x = &w.ws[h % (uint64_t)w.n];
        pthread_mutex_lock(&x->lock); /* before w.lock goes: stop cannot come between */
    }
    pthread_mutex_unlock(&w.lock);
    if (!x) {
        j->rc = http_fail(j->r, ERR_UNAVAILABLE, NULL, "the server is stopping; try again shortly");
        http_resume(j->r);
        return;
    }
    if (x->tail)
        x->tail->next = j;
    else
        x->head = j;
    x->tail = j;
    x->queued++;
    pthread_cond_signal(&x->cond);
    pthread_mutex_unlock(&x->lock);
}
