/*
 * tracing_job.c - automatic tracing: every confirmed case is traced once by
 * the job with the default parameters, soon after it is confirmed.
 *
 * The job takes a bounded batch of cases with no tracing_auto row, loads the
 * sources once for all of them and queues a run for each, in the transaction
 * that writes their tracing_auto rows; the run writer writes them (in
 * `cordon jobs`, they are written before it returns).
 */
#include <stdio.h>

#include "core/log.h"
#include "store/store.h"
#include "tracing/tracing.h"

#define JOB_BATCH 200 /* cases per run */

int tracing_job_auto(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char msg[96];
    struct arena a;
    arena_init(&a);
    struct tracing_case *cases;
    size_t n = 0;
    int rc = tracing_cases_untraced(s, &a, JOB_BATCH, &cases, &n);
    int64_t f1 = 0, f2 = 0;
    if (!rc && n) {
        struct tracing_params p;
        tracing_params_default(&p);
        struct tracing_run_out *outs = arena_alloc(&a, n * sizeof(*outs));
        rc = tracing_run_cases(s, &p, cases, n, "auto", 0, now, outs);
        for (size_t i = 0; !rc && i < n; i++) {
            f1 += outs[i].f1;
            f2 += outs[i].f2;
        }
    }
    snprintf(msg, sizeof(msg), "traced %zu cases: %lld F1, %lld F2", n, (long long)f1, (long long)f2);
    *detail = msg;
    if (n)
        log_info("msg=\"tracing auto\" cases=%zu f1=%lld f2=%lld rc=%d", n, (long long)f1, (long long)f2, rc);
    arena_release(&a);
    return rc;
}
