/*
 * retention.c - photos taken at checkpoints are kept as long as tracing
 * keeps its data (config tracing_retention_days), then deleted; the
 * passages stay for the day lists and counts.
 */
#include <stdio.h>

#include "checkpoint/checkpoint.h"
#include "core/clock.h"

static int retention_days = 21;

void checkpoint_configure(int days)
{
    if (days > 0)
        retention_days = days;
}

int checkpoint_job_retention(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char text[96];
    int64_t deleted = 0;
    int rc = checkpoint_photos_expire(s, now - (int64_t)retention_days * VN_DAY, &deleted);
    snprintf(text, sizeof(text), "deleted %lld checkpoint photos older than %d days", (long long)deleted,
             retention_days);
    *detail = text;
    return rc;
}
