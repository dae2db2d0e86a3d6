/*
 * tracing_bench.c - the contact-tracing benchmark (run by bench/tracing.sh).
 *
 * Builds a fresh SQLite database with a synthetic province (tracing_synth_load:
 * persons in households, venues, check-ins over D days), then measures:
 *   1. loading the in-memory sources (one scan of the check-ins);
 *   2. F1 + F2 of one case, median over many cases, one thread;
 *   3. F1 + F2 of 10,000 cases at once, on T threads;
 *   4. the same work as one plain SQL statement per case (self-join of
 *      check-ins at the same venue with the same rules, household by a join
 *      of persons), median over a sample, and the ratio;
 * and checks that both find the same F1 and F2 counts on the sample.
 *
 * usage: tracing_bench DB_PATH PEOPLE CHECKINS DAYS [CASES SQL_CASES THREADS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), dbl_cmp);
    return n ? v[n / 2] : 0;
}

static void progress(const char *what, size_t done, size_t total)
{
    static char last[32];
    static int last_pct = -1;
    int pct = total ? (int)(done * 100 / total) : 100;
    if (strcmp(last, what) || pct / 10 != last_pct / 10 || done == total) {
        static double started;
        if (!started)
            started = now_s();
        if (done == total || !strcmp(what, "indexes"))
            fprintf(stderr, "  %s %zu/%zu done at %.1f s\n", what, done, total, now_s() - started);
        else if (isatty(STDERR_FILENO))
            fprintf(stderr, "\r  %-12s %3d%% (%zu/%zu)%s", what, pct, done, total, done == total ? "\n" : "");
        else if (pct / 10 != last_pct / 10 || strcmp(last, what))
            fprintf(stderr, "  %s: %d%%\n", what, pct);
        snprintf(last, sizeof(last), "%s", what);
        last_pct = pct;
    }
}

static long rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}


struct batch_sum {
    int64_t f1, f2;
};

static void on_done(void *ctx, size_t i, const struct tracing_result *r)
{
    (void)i;
    struct batch_sum *b = ctx;
    b->f1 += (int64_t)r->nf1;
    b->f2 += (int64_t)r->nf2;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s DB_PATH PEOPLE CHECKINS DAYS [CASES SQL_CASES THREADS]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int64_t people = atoll(argv[2]), checkins = atoll(argv[3]);
    int days = atoi(argv[4]);
    size_t ncases = argc > 5 ? (size_t)atoll(argv[5]) : 10000;
    size_t nsql = argc > 6 ? (size_t)atoll(argv[6]) : 20;
    int threads = argc > 7 ? atoi(argv[7]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    size_t nsingle = ncases < 1000 ? ncases : 1000;
    char url[600], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    unlink(path);
    struct store *s;
    if (store_open(url, &s, err, sizeof(err))) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    double t0 = now_s();
    int rc = migrate_apply(s, NULL);
    if (!rc)
        rc = unit_reference_load(s, NULL);
    if (!rc)
        rc = unit_registry_load(s);
    struct account_new acc = {.username = "bench.owner", .password = "Bench-Owner-2021!", .full_name = "Chủ Địa Điểm",
                              .unit_code = "01", .role = ROLE_VENUE_OWNER};
    struct fault f = {0};
    int64_t owner = 0;
    if (!rc)
        rc = account_check_new(&acc, &f) ? ERR_INVALID_FIELD : account_insert(s, &acc, 0, &owner);
    if (rc) {
        fprintf(stderr, "setup failed: %d %s %s\n", rc, store_errmsg(s), f.message);
        return 1;
    }
    int64_t now = clock_now();
    struct tracing_synth o = {.people = people, .checkins = checkins, .days = days, .now = now, .seed = 7,
                              .owner_account = owner, .commune_code = "01", .progress = progress, .throwaway = true};
    int64_t first = 0;
    double t1 = now_s();
    rc = tracing_synth_load(s, &o, &first);
    double t2 = now_s();
    if (rc) {
        fprintf(stderr, "synthetic load failed: %d %s\n", rc, store_errmsg(s));
        return 1;
    }
    printf("population: %lld people, %lld check-ins over %d days, %lld venues (Ha Noi communes)\n",
           (long long)people, (long long)checkins, days, (long long)(people / 100));
    printf("bulk load: %.1f s (%.0f rows/s, one transaction, prepared statements reused)\n", t2 - t1,
           (double)(people + checkins + people / 100) / (t2 - t1));

    struct tracing_params p;
    tracing_params_default(&p);
    struct tracing_engine e;
    int64_t range_from = now - (int64_t)days * TRACING_DAY - TRACING_DAY, range_until = now;
    double t3 = now_s();
    rc = tracing_engine_load(s, &p, range_from, range_until, &e);
    double t4 = now_s();
    if (rc) {
        fprintf(stderr, "engine load failed: %d\n", rc);
        return 1;
    }
    size_t rows, bytes;
    tracing_engine_stats(&e, &rows, &bytes);
    printf("index build: %.1f s (one scan; %zu rows, %.0f MB in memory)\n", t4 - t3, rows, (double)bytes / 1e6);

    /* cases: random persons, infectious window of 7 days ending 2 days ago */
    struct tracing_case *cases = calloc(ncases, sizeof(*cases));
    uint64_t x = 12345;
    for (size_t i = 0; i < ncases; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        cases[i].case_id = (int64_t)i + 1;
        cases[i].person = first + (int64_t)((x >> 17) % (uint64_t)people);
        cases[i].until = now - 2 * TRACING_DAY;
        cases[i].from = cases[i].until - 7 * TRACING_DAY;
    }
    struct tracing_result r;
    tracing_result_init(&r);
    double *ts = calloc(nsingle, sizeof(double));
    int64_t sf1 = 0, sf2 = 0;
    for (size_t i = 0; i < nsingle; i++) {
        double a = now_s();
        tracing_trace(&e, &cases[i], &r);
        ts[i] = now_s() - a;
        sf1 += (int64_t)r.nf1;
        sf2 += (int64_t)r.nf2;
    }
    double single = median(ts, nsingle);
    printf("one case (F1+F2), median of %zu: %.2f ms  (mean F1 %.0f, F2 %.0f)\n", nsingle, single * 1e3,
           (double)sf1 / (double)nsingle, (double)sf2 / (double)nsingle);

    struct batch_sum bs = {0};
    double t5 = now_s();
    tracing_trace_batch(&e, cases, ncases, threads, on_done, &bs);
    double batch = now_s() - t5;
    printf("%zu cases at once (%d threads): %.2f s  (%lld F1, %lld F2 found)\n", ncases, threads, batch,
           (long long)bs.f1, (long long)bs.f2);
    /* Counts, not timings, decide failure: threads must find what one thread found, and a
     * province with check-ins must yield contacts. */
    bool counts_ok = sf1 > 0 && (nsingle < ncases || (bs.f1 == sf1 && bs.f2 == sf2));
    if (!counts_ok)
        fprintf(stderr, "tracing_bench: wrong counts: one by one %lld F1 %lld F2, at once %lld F1 %lld F2\n",
                (long long)sf1, (long long)sf2, (long long)bs.f1, (long long)bs.f2);

    /* the reference: one SQL statement per case, with the index it needs */
    double ti = now_s();
    if (sql_reference_index(s)) {
        fprintf(stderr, "reference index: %s\n", store_errmsg(s));
        return 1;
    }
    printf("reference index (person, time) made in %.1f s\n", now_s() - ti);
    double *tq = calloc(nsql, sizeof(double));
    size_t agree = 0, done_sql = 0;
    double sql_budget = 120, sql_spent = 0;
    for (size_t i = 0; i < nsql && sql_spent < sql_budget; i++) {
        int64_t q1, q2;
        double a = now_s();
        if (sql_trace(s, &p, &cases[i], &q1, &q2)) {
            fprintf(stderr, "sql failed: %s\n", store_errmsg(s));
            return 1;
        }
        tq[i] = now_s() - a;
        sql_spent += tq[i];
        done_sql++;
        tracing_trace(&e, &cases[i], &r);
        if ((int64_t)r.nf1 == q1 && (int64_t)r.nf2 == q2)
            agree++;
        else
            printf("  case %zu: engine F1 %zu F2 %zu, SQL F1 %lld F2 %lld\n", i, r.nf1, r.nf2, (long long)q1,
                   (long long)q2);
    }
    double sql1 = median(tq, done_sql);
    printf("plain SQL self-join, one case, median of %zu: %.2f ms  (same F1 and F2 counts on %zu/%zu)\n", done_sql,
           sql1 * 1e3, agree, done_sql);
    printf("plain SQL, %zu cases: %.0f s estimated (median x %zu / %d threads)\n", ncases,
           sql1 * (double)ncases / threads, ncases, threads);
    printf("ratio one case: %.0fx faster than the self-join\n", sql1 / single);
    printf("ratio %zu cases: %.0fx faster than the self-join\n", ncases, sql1 * (double)ncases / threads / batch);
    printf("peak memory: %ld MB; total %.0f s (setup %.1f s)\n", rss_mb(), now_s() - t0, t1 - t0);
    free(tq);
    free(ts);
    free(cases);
    tracing_result_free(&r);
    tracing_engine_release(&e);
    store_close(s);
    unit_registry_free();
    return agree == done_sql && counts_ok ? 0 : 3;
}
