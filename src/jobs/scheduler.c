#include "jobs/jobs.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool running, stop;
    const char *db_url;
    const struct job *jobs;
    int njobs, tick;
} sched = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* Claims a job for this round: true if its interval has passed and no other server took it. */
static bool claim(struct store *s, const struct job *j, int64_t now, int force)
{
    int64_t changes = 0;
    store_run(s, NULL, "INSERT INTO job_runs (name, last_run_at, last_status) VALUES (?, 0, 'new')"
                       " ON CONFLICT (name) DO NOTHING", "s", j->name);
    int rc = store_run(s, &changes,
                       "UPDATE job_runs SET last_run_at = ?, last_status = 'running' WHERE name = ? AND last_run_at <= ?",
                       "isi", now, j->name, force ? now : now - j->interval);
    return rc == STORE_OK && changes == 1;
}

int jobs_run_due(struct store *s, const struct job *jobs, int njobs, int64_t now, int force)
{
    int failures = 0;
    for (int i = 0; i < njobs; i++) {
        const struct job *j = &jobs[i];
        if (!claim(s, j, now, force))
            continue;
        const char *detail = NULL;
        double t0 = clock_mono();
        int rc = j->run(s, now, &detail);
        store_run(s, NULL, "UPDATE job_runs SET last_status = ?, last_detail = ? WHERE name = ?", "sss",
                  rc ? "error" : "ok", detail, j->name);
        if (rc) {
            failures++;
            log_error("msg=\"job failed\" job=%s rc=%d detail=\"%s\"", j->name, rc, detail ? detail : "");
        } else {
            log_info("msg=\"job done\" job=%s ms=%.1f detail=\"%s\"", j->name, (clock_mono() - t0) * 1000,
                     detail ? detail : "");
        }
    }
    return failures;
}

static void *scheduler_main(void *arg)
{
    (void)arg;
    struct store *s = NULL;
    char err[256];
    pthread_mutex_lock(&sched.lock);
    while (!sched.stop) {
        pthread_mutex_unlock(&sched.lock);
        if (!s && store_open(sched.db_url, &s, err, sizeof(err))) {
            log_error("msg=\"jobs: could not open store\" detail=\"%s\"", err);
            s = NULL;
        }
        if (s)
            jobs_run_due(s, sched.jobs, sched.njobs, clock_now(), 0);
        pthread_mutex_lock(&sched.lock);
        if (sched.stop)
            break;
        struct timespec until = clock_deadline_us((int64_t)sched.tick * 1000000);
        pthread_cond_timedwait(&sched.wake, &sched.lock, &until);
    }
    pthread_mutex_unlock(&sched.lock);
    store_close(s);
    return NULL;
}

int jobs_start(const char *db_url, const struct job *jobs, int njobs, int tick)
{
    sched.db_url = db_url;
    sched.jobs = jobs;
    sched.njobs = njobs;
    sched.tick = tick > 0 ? tick : 60;
    sched.stop = false;
    if (pthread_create(&sched.thread, NULL, scheduler_main, NULL))
        return -1;
    sched.running = true;
    return 0;
}

void jobs_stop(void)
{
    if (!sched.running)
        return;
    pthread_mutex_lock(&sched.lock);
    sched.stop = true;
    pthread_cond_signal(&sched.wake);
    pthread_mutex_unlock(&sched.lock);
    pthread_join(sched.thread, NULL);
    sched.running = false;
}
