/*
 * escalate.c - the feedback_escalation job: reports not answered in the time
 * their category gives go up a level (commune, district, province).  It runs
 * every few minutes; `cordon jobs run --now` runs it at another time.
 */
#include <stdio.h>

#include "feedback/feedback.h"

int feedback_job_escalation(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char text[64];
    int64_t moved = 0;
    int rc = feedback_escalate(s, now, &moved);
    snprintf(text, sizeof(text), "%lld reports moved up a level", (long long)moved);
    *detail = text;
    return rc;
}
