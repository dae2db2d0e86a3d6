/*
 * retention.c - tracing data is kept only as long as it serves a case.
 *
 * The contacts, interviews, runs and test orders of a case are deleted once
 * the case was confirmed more than `tracing_retention_days` ago (default 60);
 * the case itself stays with the testing platform.  tracing_auto keeps only
 * case ids, so a case is never traced again after its data is gone.
 */
#include <stdio.h>

#include "store/store.h"
#include "tracing/tracing.h"

static int retention_days = 60; /* set once at start, before the scheduler runs */

void tracing_configure(int days)
{
    retention_days = days;
}

int tracing_job_retention(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char msg[96];
    static const char *const tables[] = {"tracing_contacts", "tracing_interviews", "tracing_runs", "test_orders"};
    int64_t cutoff = now - (int64_t)retention_days * 86400, total = 0;
    int rc = STORE_OK;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !rc; i++) {
        char sql[160];
        int64_t n = 0;
        /* table names are the constants above */
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE case_id IN (SELECT id FROM cases WHERE confirmed_at < ?)",
                 tables[i]);
        rc = store_run(s, &n, sql, "i", cutoff);
        total += n;
    }
    snprintf(msg, sizeof(msg), "deleted %lld tracing rows of cases confirmed before the last %d days",
             (long long)total, retention_days);
    *detail = msg;
    return rc;
}
