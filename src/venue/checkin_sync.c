/*
 * checkin_sync.c - the check-in writers' batches are made durable by a thread
 * of their own, so that a writer writes its next batch while the disk syncs
 * the last one.
 *
 * SQLite: the writer's connection commits with synchronous=NORMAL: COMMIT
 * writes the batch's frames to the WAL and returns without an fsync.  The
 * batch then comes here, and this thread answers its requests only after an
 * fdatasync of the WAL file that began after that commit, so a 2xx still
 * means the rows survive a power cut (an fsync covers every write made to
 * the file before it, whoever made it).  SQLite's own order stays safe with
 * NORMAL: it syncs the WAL before a checkpoint copies from it, and starts the
 * WAL over only after a complete one, so no frame an answer waits for is
 * overwritten before this sync.
 *
 * PostgreSQL: the writers' connections commit with synchronous_commit=off:
 * COMMIT returns once the commit record is in the server's WAL buffers.  This
 * thread then commits a transaction of its own on its own connection, with
 * synchronous_commit on (the server's default): `SELECT pg_current_xact_id()`
 * takes a transaction id, so its commit writes a record and waits until the
 * WAL is flushed up to it, which is after every batch committed before it
 * began.  Its answer is the fdatasync's.
 *
 * One sync covers every batch waiting, so under load the syncs group the way
 * the commits do.  A failed sync answers the batches it covered 503: their
 * rows are committed but maybe not on disk; a retry with the same client_id
 * answers what is stored.  Committed rows are visible to other connections
 * before the sync, as they are between a commit and its fsync anywhere; what
 * the server answers waits for it.
 */
#define _GNU_SOURCE /* pthread_setname_np */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "store/store.h"
#include "venue/checkin.h"

struct sync_batch {
    struct sync_batch *next;
    int n;
    struct checkin_job *jobs[];
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sync_batch *head, *tail;
    bool running, stopping;
    pthread_t thread;
    char *path; /* SQLite: the WAL file */
    int fd;
    char *url; /* PostgreSQL: the database, and this thread's connection to it (NULL until opened) */
    struct store *pg;
    _Atomic uint64_t syncs, batches; /* read by /metrics */
} y = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .fd = -1};

/* The WAL file, opened again if SQLite removed it (only when every connection closes). */
static int wal_fd(void)
{
    struct stat st;
    if (y.fd >= 0 && (fstat(y.fd, &st) || st.st_nlink == 0)) {
        close(y.fd);
        y.fd = -1;
    }
    if (y.fd < 0)
        y.fd = open(y.path, O_RDONLY | O_CLOEXEC);
    return y.fd;
}

/* PostgreSQL: this thread's connection, whose commits wait for the flush whatever the server's
 * default (NULL, logged, when it cannot be had). */
static struct store *pg_connection(void)
{
    char err[256];
    if (y.pg)
        return y.pg;
    if (store_open(y.url, &y.pg, err, sizeof(err))) {
        log_error("msg=\"check-in sync: could not open store\" detail=\"%s\"", err);
        return NULL;
    }
    if (store_exec(y.pg, "SET synchronous_commit = on")) {
        log_error("msg=\"check-in sync: could not set synchronous_commit\" detail=\"%s\"", store_errmsg(y.pg));
        store_close(y.pg);
        y.pg = NULL;
    }
    return y.pg;
}

/* PostgreSQL: a transaction committed with the WAL flushed past it; the connection is opened
 * again at the next sync after a failure. */
static bool pg_flush(void)
{
    if (!pg_connection())
        return false;
    if (store_exec(y.pg, "SELECT pg_current_xact_id()") == STORE_OK)
        return true;
    log_error("msg=\"check-in sync: the flush failed\" detail=\"%s\"", store_errmsg(y.pg));
    store_close(y.pg);
    y.pg = NULL;
    return false;
}

/* Every batch committed before this call is on disk when it answers true. */
static bool make_durable(void)
{
    if (y.url)
        return pg_flush();
    int fd = wal_fd();
    if (fd >= 0 && fdatasync(fd) == 0)
        return true;
    log_error("msg=\"check-in sync failed: answering 503\" path=\"%s\" errno=%d", y.path, errno);
    return false;
}

static void answer(struct sync_batch *b, bool synced)
{
    for (int k = 0; k < b->n; k++) {
        struct checkin_job *j = b->jobs[k];
        if (!synced && !j->rc) {
            http_add_header(j->r, "Retry-After", "1");
            j->rc = http_fail(j->r, ERR_UNAVAILABLE, NULL, "the check-in could not be stored; try again");
        }
        http_resume(j->r); /* the request is its thread's again */
    }
}

static void *sync_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&y.lock);
    for (;;) {
        while (!y.head && !y.stopping)
            pthread_cond_wait(&y.cond, &y.lock);
        if (!y.head)
            break;
        struct sync_batch *b = y.head;
        y.head = y.tail = NULL;
        pthread_mutex_unlock(&y.lock);

        bool synced = make_durable();
        y.syncs++;
        while (b) {
            struct sync_batch *next = b->next;
            answer(b, synced);
            y.batches++;
            free(b);
            b = next;
        }
        pthread_mutex_lock(&y.lock);
    }
    pthread_mutex_unlock(&y.lock);
    return NULL;
}

static void sync_forget(void)
{
    if (y.fd >= 0)
        close(y.fd);
    y.fd = -1;
    free(y.path);
    y.path = NULL;
    store_close(y.pg);
    y.pg = NULL;
    free(y.url);
    y.url = NULL;
}

int checkin_sync_start(const char *db_url)
{
    y.stopping = false;
    y.syncs = y.batches = 0;
    if (!strncmp(db_url, "sqlite:", 7)) {
        size_t len = strlen(db_url + 7);
        y.path = xmalloc(len + 5);
        memcpy(y.path, db_url + 7, len);
        memcpy(y.path + len, "-wal", 5);
        if (wal_fd() < 0) {
            log_error("msg=\"check-in sync: could not open the WAL\" path=\"%s\" errno=%d", y.path, errno);
            sync_forget();
            return -1;
        }
    } else {
        y.url = xstrdup(db_url);
        if (!pg_connection()) {
            sync_forget();
            return -1;
        }
    }
    if (pthread_create(&y.thread, NULL, sync_main, NULL)) {
        log_error("msg=\"check-in sync: could not start\" errno=%d", errno);
        sync_forget();
        return -1;
    }
    pthread_setname_np(y.thread, "checkin-sync");
    y.running = true;
    return 0;
}

void checkin_sync_submit(struct checkin_job **jobs, int n)
{
    struct sync_batch *b = xmalloc(sizeof(*b) + (size_t)n * sizeof(b->jobs[0]));
    b->next = NULL;
    b->n = n;
    memcpy(b->jobs, jobs, (size_t)n * sizeof(jobs[0]));
    pthread_mutex_lock(&y.lock);
    if (y.tail)
        y.tail->next = b;
    else
        y.head = b;
    y.tail = b;
    pthread_cond_signal(&y.cond);
    pthread_mutex_unlock(&y.lock);
}

void checkin_sync_stop(void)
{
    if (!y.running)
        return;
    pthread_mutex_lock(&y.lock);
    y.stopping = true; /* answers what is queued, then stops */
    pthread_cond_signal(&y.cond);
    pthread_mutex_unlock(&y.lock);
    pthread_join(y.thread, NULL);
    y.running = false;
    log_info("msg=\"check-in sync stopped\" syncs=%llu batches=%llu", (unsigned long long)atomic_load(&y.syncs),
             (unsigned long long)atomic_load(&y.batches));
    sync_forget();
}

void checkin_sync_metrics(struct buf *out)
{
    buf_addf(out,
             "# HELP cordon_checkin_syncs_total Syncs that made check-in batches durable (fdatasync or flushed commit).\n"
             "# TYPE cordon_checkin_syncs_total counter\ncordon_checkin_syncs_total %llu\n"
             "# HELP cordon_checkin_synced_batches_total Check-in batches answered after a sync.\n"
             "# TYPE cordon_checkin_synced_batches_total counter\ncordon_checkin_synced_batches_total %llu\n",
             (unsigned long long)atomic_load(&y.syncs), (unsigned long long)atomic_load(&y.batches));
}
