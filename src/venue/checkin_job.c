/*
 * checkin_job.c - retention: check-ins are deleted once older than
 * checkin_retention_days (the legal period, 28 days by default).
 *
 * The job deletes in bounded batches, each its own statement, so it never
 * holds the write lock for long while people keep checking in; a run stops
 * after RUN_MAX_BATCHES and the next run goes on.  It takes `now` from its
 * caller (the scheduler, or `cordon jobs run --now EPOCH`), never from the
 * clock, so it can be replayed and tested.
 */
#include <stdio.h>

#include "core/log.h"
#include "store/store.h"
#include "venue/checkin.h"

#define RUN_MAX_BATCHES 1000 /* at most a million rows per run */

int checkin_job_retention(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char msg[96];
    int64_t cutoff = now - (int64_t)checkin_retention_days() * CHECKIN_DAY;
    int64_t total = 0, deleted = 0;
    int rc = STORE_OK;
    for (int i = 0; i < RUN_MAX_BATCHES; i++) {
        deleted = 0;
        rc = checkin_delete_before(s, cutoff, CHECKIN_RETENTION_BATCH, &deleted);
        if (rc == STORE_RETRY) {
            rc = STORE_OK; /* busy: the next run goes on */
            break;
        }
        if (rc)
            break;
        total += deleted;
        if (deleted)
            checkin__changed(s);
        if (deleted < CHECKIN_RETENTION_BATCH)
            break;
    }
    /* The change log is read within seconds by every server; a day is plenty. */
    if (!rc)
        rc = checkin_changes_prune(s, clock_now() - CHECKIN_DAY); /* real time: `now` may be replayed */
    snprintf(msg, sizeof(msg), "deleted %lld check-ins before %lld", (long long)total, (long long)cutoff);
    *detail = msg;
    log_info("msg=\"checkin retention\" deleted=%lld cutoff=%lld retention_days=%d", (long long)total,
             (long long)cutoff, checkin_retention_days());
    return rc;
}
