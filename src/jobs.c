/*
 * jobs.c - every background job, with its interval.  Domains provide the
 * run functions; this table, like routes.c, is the one place they meet.
 */
#include "jobs.h"

#include <stddef.h>

#include "admin/auth.h"
#include "en/keyserver.h"
#include "notify/notify.h"
#include "quarantine/quarantine.h"
#include "situation/situation.h"
#include "tracing/tracing.h"
#include "venue/checkin.h"

const struct job cordon_jobs[] = {
    /* name               interval (s)  run */
    {"session_cleanup", 3600, auth_job_session_cleanup},
    {"checkin_retention", 3600, checkin_job_retention},
    {"tracing_auto", 60, tracing_job_auto},             /* tracing: new confirmed cases */
    {"tracing_retention", 3600, tracing_job_retention}, /* tracing: data of old cases */
    {"quarantine_monitor", 300, quarantine_job_monitor}, /* quarantine: missed slots, ended orders */
    {"outbox_retention", 3600, notify_job_retention},    /* delivered messages, expired codes */
    {"en_retention", 3600, en_job_retention},            /* exposure keys past 14 days, spent codes */
    {"en_export", 3600, en_job_export},                  /* signed exposure key export files */
    {"situation_daily_report", 600, situation_job_daily_report}, /* the morning report to officials */
};

const int cordon_njobs = sizeof(cordon_jobs) / sizeof(cordon_jobs[0]);
