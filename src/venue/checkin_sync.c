/*
 * checkin_sync.c - on SQLite, the check-in writer's batches are made durable
 * by a thread of their own, so that the writer writes the next batch while
 * the disk syncs the last one.
 *
 * The writer's connection commits with synchronous=NORMAL: COMMIT writes
 * the batch's frames to the WAL and returns without an fsync.  The batch
 * then comes here, and this thread answers its requests only after an
 * fdatasync of the WAL file that began after that commit, so a 2xx still
 * means the rows survive a power cut (an fsync covers every write made to
 * the file before it, whoever made it).  One fdatasync covers every batch
 * waiting, so under load the syncs group the way the commits do.
 *
 * SQLite's own order stays safe with NORMAL: it syncs the WAL before a
 * checkpoint copies from it, and starts the WAL over only after a complete
 * one, so no frame an answer waits for is overwritten before this sync.
 *
 * A failed fdatasync answers the batches it covered 503: their rows are
 * committed but maybe not on disk; a retry with the same client_id answers
 * what is stored.
 */
#define _GNU_SOURCE /* pthread_setname_np */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
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
    char *path; /* the WAL file */
    int fd;
    uint64_t syncs, batches;
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

        int fd = wal_fd();
        bool synced = fd >= 0 && fdatasync(fd) == 0;
        if (!synced)
            log_error("msg=\"check-in sync failed: answering 503\" path=\"%s\" errno=%d", y.path, errno);
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

int checkin_sync_start(const char *db_path)
{
    size_t len = strlen(db_path);
    y.path = xmalloc(len + 5);
    memcpy(y.path, db_path, len);
    memcpy(y.path + len, "-wal", 5);
    y.stopping = false;
    y.syncs = y.batches = 0;
    if (wal_fd() < 0 || pthread_create(&y.thread, NULL, sync_main, NULL)) {
        log_error("msg=\"check-in sync: could not start\" path=\"%s\" errno=%d", y.path, errno);
        if (y.fd >= 0)
            close(y.fd);
        y.fd = -1;
        free(y.path);
        y.path = NULL;
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
    log_info("msg=\"check-in sync stopped\" syncs=%llu batches=%llu", (unsigned long long)y.syncs,
             (unsigned long long)y.batches);
    if (y.fd >= 0)
        close(y.fd);
    y.fd = -1;
    free(y.path);
    y.path = NULL;
}
