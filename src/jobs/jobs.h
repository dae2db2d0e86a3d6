/*
 * jobs.h - background work inside `cordon serve`: retention, reminders, ...
 *
 * One scheduler thread with its own store connection runs each job when its
 * interval has passed since its last run.  When a job last ran is kept in the
 * job_runs table, so a restart neither skips nor repeats work early, and
 * several servers over one PostgreSQL share the schedule (a job is claimed by
 * the server whose UPDATE of its row succeeds first).
 */
#ifndef CORDON_JOBS_JOBS_H
#define CORDON_JOBS_JOBS_H

#include <stdint.h>

struct store;

struct job {
    const char *name;
    int interval;  /* seconds between runs */
    /* Does one round of work; returns 0 or a store rc / enum err. *detail may be set (static or NULL). */
    int (*run)(struct store *s, int64_t now, const char **detail);
};

/* Starts the scheduler thread. tick: seconds between looks at the job list. */
int jobs_start(const char *db_url, const struct job *jobs, int njobs, int tick);
/* Stops it after the job in progress, if any, has finished. */
void jobs_stop(void);

/* Runs every due job once on s (used by the thread, `cordon jobs run` and tests). */
int jobs_run_due(struct store *s, const struct job *jobs, int njobs, int64_t now, int force);

#endif
