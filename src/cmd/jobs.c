/*
 * jobs.c - `cordon jobs run`: run the background jobs once, now, from the
 * command line (the same functions `cordon serve` runs on its scheduler).
 *
 * --force runs every job whatever its interval; --now EPOCH runs them as if
 * the clock said EPOCH, so an operator can replay a missed round (say,
 * retention after a long stop) and tests can reach a future date honestly.
 * Jobs claim their row in job_runs as the scheduler does, so a run here and
 * a running server never do the same job twice at once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/auth.h"
#include "cmd/cmd.h"
#include "en/keyserver.h"
#include "core/clock.h"
#include "jobs.h"
#include "notify/notify.h"
#include "quarantine/quarantine.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "venue/checkin.h"

static const char usage[] = "usage: cordon jobs run [--force] [--now EPOCH] [--job NAME] [--db URL] [--config FILE]\n"
                            "\n"
                            "Runs every background job that is due (with --force: every job) once and\n"
                            "exits; 0 if all succeeded.\n"
                            "\n"
                            "  --force      run jobs even when their interval has not passed\n"
                            "  --now EPOCH  the time the jobs take as now (epoch seconds; default: the clock)\n"
                            "  --job NAME   only this job (e.g. checkin_retention, session_cleanup)\n";

int cmd_jobs(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"now", required_argument, NULL, 'n'},
                                         {"job", required_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    int ch, force = 0;
    const char *only = NULL;
    int64_t now = clock_now();
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            if (config_set(&c, "db", optarg)) {
                fprintf(stderr, "cordon jobs: bad value \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'c':
            break;
        case 'f':
            force = 1;
            break;
        case 'n': {
            char *end;
            errno = 0;
            long long v = strtoll(optarg, &end, 10);
            if (!*optarg || *end || errno || v < 0) {
                fprintf(stderr, "cordon jobs: --now takes epoch seconds, not \"%s\"\n", optarg);
                return 2;
            }
            now = v;
            break;
        }
        case 'j':
            only = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind >= argc || strcmp(argv[optind], "run")) {
        fputs(usage, stderr);
        return 2;
    }
    const struct job *jobs = cordon_jobs;
    int njobs = cordon_njobs;
    if (only) {
        njobs = 0;
        for (int i = 0; i < cordon_njobs && !njobs; i++)
            if (!strcmp(cordon_jobs[i].name, only)) {
                jobs = &cordon_jobs[i];
                njobs = 1;
            }
        if (!njobs) {
            fprintf(stderr, "cordon jobs: no job is named \"%s\"\n", only);
            return 2;
        }
    }
    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    struct auth_settings auth = {c.session_ttl, c.login_max_failures, c.login_window, c.public_url};
    auth_configure(&auth);
    notify_configure(c.dev, c.outbox_retention_days);
    checkin_configure(c.checkin_retention_days, c.checkin_phone_limit, c.checkin_venue_limit);
    quarantine_configure(c.quarantine_monitor_page);
    tracing_configure(c.tracing_retention_days);
    en_configure(c.en_export_dir, c.en_region, c.en_min_batch);
    int failures = jobs_run_due(s, jobs, njobs, now, force);
    store_close(s);
    if (failures)
        fprintf(stderr, "cordon jobs: %d job(s) failed (see the log above)\n", failures);
    return failures ? 1 : 0;
}
