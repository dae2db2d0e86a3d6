/*
 * tracing_api.c - the database side of the API tracing benchmark (run by
 * bench/tracing_api.sh, with bench/tracing_api.js calling the server).
 *
 *   tracing_api load DB PEOPLE CHECKINS DAYS CASES
 *       a fresh SQLite database: schema, units, a tracer (bench.tracer,
 *       password Bench-Tracer-2021!), a synthetic province (tracing_synth_load)
 *       and CASES confirmed cases of random people, tested 2 days ago; prints
 *       "cases FIRST LAST" on stdout.
 *   tracing_api sql DB COUNTS
 *       for each line "CASE_ID F1 F2" of COUNTS (what the API answered), the
 *       same case traced by one plain SQL statement of self-joins on its own
 *       connection, timed per case (p50, p99); fails when the counts differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "core/clock.h"
#include "store/migrate.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "support/bench_util.h"
#include "support/tracing_sql.h"

static void progress(const char *what, size_t done, size_t total)
{
    static char last[32];
    static int last_pct = -1;
    int pct = total ? (int)(done * 100 / total) : 100;
    if (strcmp(last, what) || pct / 25 != last_pct / 25) {
        fprintf(stderr, "  %s: %d%%\n", what, pct);
        snprintf(last, sizeof(last), "%s", what);
        last_pct = pct;
    }
}


static int cmd_load(const char *path, int64_t people, int64_t checkins, int days, int64_t ncases)
{
    char url[600], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    unlink(path);
    struct store *s;
    if (store_open(url, &s, err, sizeof(err))) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    int rc = migrate_apply(s, NULL);
    if (!rc)
        rc = unit_reference_load(s, NULL);
    if (!rc)
        rc = unit_registry_load(s);
    struct account_new owner = {.username = "bench.owner", .password = "Bench-Owner-2021!",
                                .full_name = "Chủ Địa Điểm", .unit_code = "01", .role = ROLE_VENUE_OWNER};
    struct account_new tracer = {.username = "bench.tracer", .password = "Bench-Tracer-2021!",
                                 .full_name = "Điều Tra Viên", .unit_code = "01", .role = ROLE_TRACER};
    struct fault f = {0};
    int64_t owner_id = 0, tracer_id = 0;
    if (!rc)
        rc = account_check_new(&owner, &f) ? ERR_INVALID_FIELD : account_insert(s, &owner, 0, &owner_id);
    if (!rc)
        rc = account_check_new(&tracer, &f) ? ERR_INVALID_FIELD : account_insert(s, &tracer, 0, &tracer_id);
    if (rc) {
        fprintf(stderr, "setup failed: %d %s %s\n", rc, store_errmsg(s), f.message);
        return 1;
    }
    int64_t now = clock_now();
    struct tracing_synth o = {.people = people, .checkins = checkins, .days = days, .now = now, .seed = 7,
                              .owner_account = owner_id, .commune_code = "01", .progress = progress,
                              .throwaway = true};
    int64_t first = 0;
    double t0 = now_s();
    rc = tracing_synth_load(s, &o, &first);
    if (rc) {
        fprintf(stderr, "synthetic load failed: %d %s\n", rc, store_errmsg(s));
        return 1;
    }
    fprintf(stderr, "  synthetic load: %.1f s\n", now_s() - t0);
    /* Cases: random people tested 2 days ago (window: the policy's days before, to the test day's end). */
    int64_t test = now - 2 * TRACING_DAY, first_case = 0, last_case = 0;
    uint64_t x = 12345;
    rc = store_begin(s, true);
    for (int64_t i = 0; !rc && i < ncases; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t person = first + (int64_t)((x >> 17) % (uint64_t)people), id = 0;
        char client[32];
        snprintf(client, sizeof(client), "bench-%lld", (long long)i);
        rc = store_int(s, &id,
                       "INSERT INTO cases (person_id, status, confirmed_at, onset_at, province_code, district_code,"
                       " commune_code, client_id) SELECT id, 'confirmed', ?, ?, province_code, district_code,"
                       " commune_code, ? FROM persons WHERE id = ? RETURNING id",
                       "iisi", test, test, client, person);
        /* marked as seen by the tracing_auto job, so that only the benchmark's calls trace them */
        if (!rc)
            rc = store_run(s, NULL, "INSERT INTO tracing_auto (case_id, traced_at) VALUES (?, ?)", "ii", id, now);
        if (!first_case)
            first_case = id;
        last_case = id;
    }
    if (!rc)
        rc = store_commit(s);
    if (rc) {
        fprintf(stderr, "cases: %d %s\n", rc, store_errmsg(s));
        return 1;
    }
    printf("cases %lld %lld\n", (long long)first_case, (long long)last_case);
    store_close(s);
    unit_registry_free();
    return 0;
}

static int cmd_sql(const char *path, const char *counts)
{
    char url[600], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    struct store *s;
    if (store_open(url, &s, err, sizeof(err))) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    if (sql_reference_index(s)) {
        fprintf(stderr, "reference index: %s\n", store_errmsg(s));
        return 1;
    }
    FILE *in = fopen(counts, "r");
    if (!in) {
        perror(counts);
        return 1;
    }
    struct tracing_params p;
    tracing_params_default(&p);
    long long id, af1, af2;
    double ts[10000];
    size_t n = 0, agree = 0;
    int64_t tf1 = 0, tf2 = 0;
    while (n < 10000 && fscanf(in, "%lld %lld %lld", &id, &af1, &af2) == 3) {
        struct tracing_case c;
        int64_t f1, f2;
        double a = now_s();
        /* the same work a call does before tracing: its case and window */
        int rc = tracing_case_get(s, id, &c);
        if (!rc)
            rc = sql_trace(s, &p, &c, &f1, &f2);
        ts[n] = now_s() - a;
        if (rc) {
            fprintf(stderr, "sql failed on case %lld: %d %s\n", id, rc, store_errmsg(s));
            return 1;
        }
        n++;
        tf1 += f1;
        tf2 += f2;
        if (f1 == af1 && f2 == af2)
            agree++;
        else
            printf("  case %lld: API F1 %lld F2 %lld, SQL F1 %lld F2 %lld\n", id, af1, af2, (long long)f1,
                   (long long)f2);
    }
    fclose(in);
    qsort(ts, n, sizeof(ts[0]), dbl_cmp);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ts[i];
    printf("sql_cases %zu\nsql_p50_ms %.3f\nsql_p99_ms %.3f\nsql_mean_ms %.3f\nsql_agree %zu\nsql_f1 %lld\nsql_f2 %lld\n",
           n, n ? ts[n / 2] * 1e3 : 0, n ? ts[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] * 1e3 : 0,
           n ? sum / (double)n * 1e3 : 0, agree, (long long)tf1, (long long)tf2);
    store_close(s);
    return n > 0 && agree == n ? 0 : 3;
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "load"))
        return cmd_load(argv[2], atoll(argv[3]), atoll(argv[4]), atoi(argv[5]), atoll(argv[6]));
    if (argc == 4 && !strcmp(argv[1], "sql"))
        return cmd_sql(argv[2], argv[3]);
    fprintf(stderr, "usage: %s load DB PEOPLE CHECKINS DAYS CASES | sql DB COUNTS\n", argv[0]);
    return 2;
}
