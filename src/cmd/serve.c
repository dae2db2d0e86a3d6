/*
 * serve.c - `cordon serve`: the HTTP API and the web UI.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/auth.h"
#include "area/unit.h"
#include "checkpoint/checkpoint.h"
#include "cmd/cmd.h"
#include "en/keyserver.h"
#include "core/kek.h"
#include "core/log.h"
#include "dcc/dcc_http.h"
#include "http/http.h"
#include "http/metrics.h"
#include "jobs.h"
#include "keys/keys.h"
#include "notify/notify.h"
#include "callbot/callbot.h"
#include "notify/sender.h"
#include "quarantine/quarantine.h"
#include "people/people.h"
#include "routes.h"
#include "tracing/tracing.h"
#include "store/store.h"
#include "venue/checkin.h"
#include "venue/venue.h"

static const char usage[] =
    "usage: cordon serve [--db URL] [--listen HOST:PORT] [--web-dir DIR] [--threads N] [--config FILE]\n"
    "\n"
    "Serves the HTTP API under /api/v1/ and the web UI. Stops on SIGTERM or SIGINT\n"
    "after answering the requests in flight.\n"
    "\n"
    "  --db URL          sqlite:PATH or postgres://... (default sqlite:cordon.db)\n"
    "  --listen ADDR     address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --web-dir DIR     browser UI files (default: web/ beside the build directory)\n"
    "  --threads N       request threads, each with its own database connection (default 8)\n"
    "  --config FILE     settings file (default ./cordon.conf if present)\n"
    "\n"
    "Settings come from flags, then CORDON_* environment variables, then the config file.\n"
    "A key-encryption key is required (CORDON_KEK, or kek_file / CORDON_KEK_FILE), the one the\n"
    "database's signing keys are sealed under; with dev = 1 one is made beside the database.\n";

static int is_dir(const char *p)
{
    struct stat st;
    return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* web/ next to the source tree the binary was built in (build/cordon -> ../web), else ./web. */
static void default_web_dir(struct config *c)
{
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char cand[600];
        snprintf(cand, sizeof(cand), "%s/../web", dirname(exe));
        if (is_dir(cand)) {
            config_set(c, "web_dir", cand);
            return;
        }
    }
    config_set(c, "web_dir", "web");
}

/* A server needs the KEK its database's secrets are sealed under; what an
 * older version stored in clear is sealed now. */
static int secrets_ready(struct store *s)
{
    const struct kek *k = kek_current();
    char err[400];
    int64_t sealed = 0;
    if (!k) {
        fprintf(stderr, "cordon serve: no key-encryption key: set CORDON_KEK (64 hex characters) or kek_file"
                        " (a file of 64 hex characters or 32 bytes), or dev = 1 for a development key"
                        " (README, Secrets)\n");
        return -1;
    }
    if (keys_check(s, k, err, sizeof(err))) {
        fprintf(stderr, "cordon serve: %s\n", err);
        return -1;
    }
    if (keys_seal_plain(s, k, &sealed)) {
        fprintf(stderr, "cordon serve: could not seal the stored secrets: %s\n", store_errmsg(s));
        return -1;
    }
    if (sealed)
        log_info("msg=\"sealed secrets stored in clear\" count=%lld kek_id=%s", (long long)sealed, k->id);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {CMD_COMMON_OPTIONS,
                                         {"listen", required_argument, NULL, 'l'},
                                         {"web-dir", required_argument, NULL, 'w'},
                                         {"threads", required_argument, NULL, 't'},
                                         {0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'l':
            bad = config_set(&c, "listen", optarg);
            break;
        case 'w':
            bad = config_set(&c, "web_dir", optarg);
            break;
        case 't':
            bad = config_set(&c, "threads", optarg);
            break;
        default: {
            int code = cmd_common_exit(ch, usage, &c);
            if (code >= 0)
                return code;
        }
        }
        if (bad) {
            fprintf(stderr, "cordon serve: bad value \"%s\"\n", optarg);
            return 2;
        }
    }
    if (!c.web_dir[0])
        default_web_dir(&c);
    if (!strcmp(c.log_level, "debug"))
        log_set_level(LOG_DEBUG);
    else if (!strcmp(c.log_level, "warn"))
        log_set_level(LOG_WARN);
    char notify_err[160];
    if (notify_check_settings(&c, notify_err, sizeof(notify_err))) {
        fprintf(stderr, "cordon serve: %s\n", notify_err);
        return 2;
    }
    if (callbot_check_settings(&c, notify_err, sizeof(notify_err))) {
        fprintf(stderr, "cordon serve: %s\n", notify_err);
        return 2;
    }

    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    if (secrets_ready(s)) {
        store_close(s);
        return 1;
    }
    /* The certificate verifier's trust list: a bad trust file stops the start, not a request later. */
    char dcc_err[600];
    if (dcc_http_configure(s, c.dcc_trust_file, c.dcc_valuesets_file, dcc_err, sizeof(dcc_err))) {
        fprintf(stderr, "cordon serve: %s\n", dcc_err);
        store_close(s);
        return 1;
    }
    store_close(s); /* request threads open their own connections */
    struct auth_settings auth = {c.session_ttl, c.login_max_failures, c.login_window, c.public_url};
    auth_configure(&auth);
    notify_configure(c.dev, c.outbox_retention_days);
    people_configure(c.otp_ttl);
    tracing_configure(c.tracing_retention_days);
    tracing_http_configure(c.tracing_settle_ms);
    en_configure(c.en_export_dir, c.en_region, c.en_min_batch);
    checkpoint_configure(c.tracing_retention_days);
    checkin_configure(c.checkin_retention_days, c.checkin_phone_limit, c.checkin_venue_limit);
    quarantine_configure(c.quarantine_monitor_page);
    venue_configure(c.public_url, c.web_dir);

    if (!area_map_tiles_url_valid(c.map_tiles_url)) {
        fprintf(stderr, "cordon serve: map_tiles_url must be an http(s) URL or a path holding {z}, {x} and {y}\n");
        return 2;
    }
    area_map_configure(c.map_tiles_url, c.map_attribution);
    char tiles_origin[512];

    /* Browser libraries come from npm (package-lock.json), installed beside web/; the
     * province outlines from data/. */
    static const struct {
        const char *url, *file;
    } vendored[] = {
        {"/vendor/jsQR.js", "node_modules/jsqr/dist/jsQR.js"},
        /* the chain graph's layered layout (an ES module with its graph library inside) */
        {"/vendor/dagre.js", "node_modules/@dagrejs/dagre/dist/dagre.esm.js"},
        {"/vendor/leaflet.js", "node_modules/leaflet/dist/leaflet.js"},
        {"/vendor/leaflet.css", "node_modules/leaflet/dist/leaflet.css"},
        /* the situation's charts */
        {"/vendor/uPlot.js", "node_modules/uplot/dist/uPlot.iife.min.js"},
        {"/vendor/uPlot.css", "node_modules/uplot/dist/uPlot.min.css"},
        {MAP_OUTLINES_PATH, "data/vn-geo/provinces.geojson"},
    };
    enum { NVENDORED = sizeof(vendored) / sizeof(vendored[0]) };
    char files[NVENDORED][600];
    struct http_alias aliases[NVENDORED];
    for (int i = 0; i < NVENDORED; i++) {
        snprintf(files[i], sizeof(files[i]), "%s/../%s", c.web_dir, vendored[i].file);
        aliases[i] = (struct http_alias){vendored[i].url, files[i]};
    }

    struct http_server_opts o = {
        .aliases = aliases,
        .naliases = NVENDORED,
        .listen = c.listen,
        .threads = c.threads,
        .web_dir = c.web_dir,
        .db_url = c.db,
        .routes = cordon_routes,
        .nroutes = cordon_nroutes,
        .shutdown_grace = c.shutdown_grace,
        .max_connections = c.max_connections,
        .max_connections_per_ip = c.max_connections_per_ip,
        .header_timeout = c.header_timeout,
        .body_timeout = c.body_timeout,
        .idle_timeout = c.idle_timeout,
        .connection_memory = c.connection_memory,
        .authenticate = auth_authenticate,
        .img_origin = area_map_tiles_origin(c.map_tiles_url, tiles_origin, sizeof(tiles_origin)),
        .before_stop = checkin_writer_stop,
        .settle = tracing_http_settle,
    };
    log_info("msg=starting db=%s web_dir=%s threads=%d", strncmp(c.db, "postgres", 8) ? c.db : "postgres", c.web_dir,
             c.threads);
    /* The contact index builds while the server already answers; traces wait for it. */
    if (tracing_index_start(c.db)) {
        log_error("msg=\"could not start the contact index\"");
        return 1;
    }
    /* Runs queued through the API are written behind their answers; runs left queued by a stop are
     * written first. */
    if (tracing_run_writer_start(c.db)) {
        log_error("msg=\"could not start the run writer\"");
        tracing_index_stop();
        return 1;
    }
    metrics_add(tracing_index_metrics);
    metrics_add(tracing_run_writer_metrics);
    metrics_add(checkin_sync_metrics);
    if (jobs_start(c.db, cordon_jobs, cordon_njobs, c.job_interval)) {
        log_error("msg=\"could not start the job scheduler\"");
        tracing_run_writer_stop();
        tracing_index_stop();
        return 1;
    }
    if (checkin_writer_start(c.db, c.checkin_writers, c.checkin_batch_max, c.checkin_batch_wait_us)) {
        jobs_stop();
        return 1;
    }
    /* With no channel configured no sender starts: messages stay queued (and, in dev, in the log). */
    notify_receipts_configure(c.sms_http_secret);
    if (notify_senders_start(&c)) {
        log_error("msg=\"could not start the message senders\"");
        checkin_writer_stop();
        jobs_stop();
        return 1;
    }
    /* With no sip_url no callbot starts: call lists stay queued. */
    if (callbot_start(&c)) {
        log_error("msg=\"could not start the callbot\"");
        notify_senders_stop();
        checkin_writer_stop();
        jobs_stop();
        return 1;
    }
    int rc = http_serve(&o);
    callbot_stop();
    notify_senders_stop();
    checkin_writer_stop(); /* already stopped, unless the server failed to start */
    jobs_stop();
    tracing_run_writer_stop(); /* what it has not written stays queued for the next start */
    tracing_index_stop();
    dcc_http_release();
    unit_registry_free();
    return rc;
}
