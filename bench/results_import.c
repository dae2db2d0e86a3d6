/*
 * results_import.c - benchmark of the lab result import (bench/results_import.sh runs it).
 *
 * Builds a session of TUBES pooled tubes of POOL people each (1,000,000 people by default)
 * straight into a fresh database, writes a CSV of one result per tube (1% positive), then
 * times the two steps a lab runs: check (parse + validate every row + stage) and apply (one
 * transaction: every tube result, set-based propagation to every member, retest orders, one
 * outbox message per member).  The reference, measured in the same run and database: the same
 * number of plain INSERTs of result rows (one per tube, and one per person) in one transaction,
 * without propagation.
 *
 *     results_import DB_URL [TUBES] [POOL]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "area/unit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testing/testing.h"
#include "support/bench_util.h"

static void die(const char *what, int rc, struct store *s)
{
    fprintf(stderr, "results_import: %s failed (rc %d): %s\n", what, rc, s ? store_errmsg(s) : "");
    exit(1);
}

struct setup {
    struct testing_session *ss;
    int tubes, pool;
    char (*codes)[TESTING_TUBE_CODE_LEN + 1];
};

static int setup_tx(struct store *s, void *p)
{
    struct setup *c = p;
    int rc = 0;
    for (int i = 0; i < c->tubes && !rc; i++) {
        testing_tube_code_make(c->codes[i]);
        rc = store_run(s, NULL,
                       "INSERT INTO testing_tubes (code, session_id, lab_unit_code, capacity, members, first_sampled_at,"
                       " province_code, district_code, commune_code) VALUES (?, ?, '001', ?, ?, ?, '01', '001', '00001')",
                       "siddi", c->codes[i], c->ss->id, c->pool, c->pool, clock_now() - 3600);
        if (rc == STORE_CONFLICT) { /* a code drawn twice: draw again */
            i--;
            rc = 0;
        }
    }
    if (rc)
        return rc;
    /* One sample per person, set-based: POOL people in each tube. */
    return store_run(s, NULL,
                     "WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < ?)"
                     " INSERT INTO testing_samples (client_id, session_id, tube_id, person_id, phone, collected_at,"
                     " status, province_code, district_code, commune_code)"
                     " SELECT 'b' || CAST(t.id * 100 + k.n AS TEXT), t.session_id, t.id, t.id * 100 + k.n,"
                     " '09' || CAST(10000000 + t.id * 10 + k.n AS TEXT), t.first_sampled_at, 'pending', '01', '001', '00001'"
                     " FROM testing_tubes t, k WHERE t.session_id = ?",
                     "ii", (int64_t)(c->pool - 1), c->ss->id);
}

struct ref {
    int n;
    const char (*codes)[TESTING_TUBE_CODE_LEN + 1];
    int per;
};

static int ref_tx(struct store *s, void *p)
{
    struct ref *c = p;
    int rc = 0;
    for (int i = 0; i < c->n && !rc; i++)
        for (int k = 0; k < c->per && !rc; k++)
            rc = store_run(s, NULL, "INSERT INTO bench_result_ref (tube, person, result, ct, at) VALUES (?, ?, ?, ?, ?)",
                           "sisii", c->codes[i], (int64_t)k, "negative", (int64_t)300, (int64_t)1);
    return rc;
}

struct apply {
    const char *token;
    struct testing_apply_summary sum;
    struct fault f;
};

static int apply_tx(struct store *s, void *p)
{
    struct apply *c = p;
    bool already;
    return testing_import_apply(s, c->token, 0, "001", false, clock_now(), &c->sum, &already, &c->f);
}

/* A wrong count means the benchmark measured something else: fail, whatever the timings. */
static void expect(const char *what, int64_t got, int64_t want)
{
    if (got != want) {
        fprintf(stderr, "results_import: %s: %lld, expected %lld\n", what, (long long)got, (long long)want);
        exit(1);
    }
}

static double time_ref(struct store *s, struct ref *r)
{
    int rc = store_exec(s, "DELETE FROM bench_result_ref");
    if (rc)
        die("reference reset", rc, s);
    double t0 = now_s();
    rc = store_tx(s, ref_tx, r);
    if (rc)
        die("reference inserts", rc, s);
    double t = now_s() - t0;
    int64_t n = -1;
    if ((rc = store_int(s, &n, "SELECT COUNT(*) FROM bench_result_ref", "")))
        die("reference count", rc, s);
    expect("reference rows", n, (int64_t)r->n * r->per);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: results_import DB_URL [TUBES] [POOL]\n");
        return 2;
    }
    int tubes = argc > 2 ? atoi(argv[2]) : 100000;
    int pool = argc > 3 ? atoi(argv[3]) : 10;
    if (tubes < 1 || tubes > TESTING_IMPORT_MAX_ROWS || pool < 1 || pool > TESTING_POOL_MAX) {
        fprintf(stderr, "results_import: TUBES 1..%d, POOL 1..%d\n", TESTING_IMPORT_MAX_ROWS, TESTING_POOL_MAX);
        return 2;
    }
    log_set_level(LOG_WARN);
    secret_init();
    struct store *s;
    char err[256];
    int rc = store_open(argv[1], &s, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "results_import: %s\n", err);
        return 1;
    }
    if ((rc = migrate_apply(s, NULL)) || (rc = unit_reference_load(s, NULL)) || (rc = unit_registry_load(s)))
        die("migrate", rc, s);
    if ((rc = store_exec(s, "CREATE TABLE IF NOT EXISTS bench_result_ref (tube TEXT, person BIGINT, result TEXT,"
                            " ct INTEGER, at BIGINT)")))
        die("reference table", rc, s);

    /* ---- setup (not timed as part of the import) */
    double t0 = now_s();
    struct arena a;
    arena_init(&a);
    char cid[40];
    snprintf(cid, sizeof(cid), "bench-%lld", (long long)clock_now());
    struct testing_site site = {.client_id = cid, .name = "Bench", .province_code = "01", .district_code = "001",
                                .commune_code = "00001", .created_at = clock_now()};
    bool created;
    if ((rc = testing_site_insert(s, &site, 0, &created)))
        die("site", rc, s);
    struct testing_session ss = {.client_id = cid, .site_id = site.id, .date = "2021-09-01", .team = "Bench",
                                 .type = TESTING_RT_PCR, .pool_size = pool, .lab_unit_code = "001",
                                 .province_code = "01", .district_code = "001", .commune_code = "00001",
                                 .created_at = clock_now()};
    if ((rc = testing_session_insert(s, &ss, 0, &created)))
        die("session", rc, s);
    struct setup su = {&ss, tubes, pool, calloc((size_t)tubes, TESTING_TUBE_CODE_LEN + 1)};
    if ((rc = store_tx(s, setup_tx, &su)))
        die("setup", rc, s);
    int64_t samples = -1;
    if ((rc = store_int(s, &samples, "SELECT COUNT(*) FROM testing_samples WHERE session_id = ?", "i", ss.id)))
        die("setup count", rc, s);
    expect("samples after setup", samples, (int64_t)tubes * pool);
    printf("setup: %d tubes, %lld people in pools of %d (%s) in %.1f s\n", tubes, (long long)tubes * pool, pool,
           store_engine(s), now_s() - t0);

    /* ---- the file: one row per tube, 1% positive */
    struct buf csv;
    buf_init(&csv, (size_t)64 << 20);
    buf_adds(&csv, "tube_id,result,ct\r\n");
    for (int i = 0; i < tubes; i++)
        buf_addf(&csv, "%s,%s,%s\r\n", su.codes[i], i % 100 == 7 ? "positive" : "negative", i % 100 == 7 ? "27.5" : "");

    /* ---- check */
    double t1 = now_s();
    struct testing_import_check chk;
    struct fault f = {0};
    rc = testing_import_check(s, &a, csv.data, csv.len, 0, "001", clock_now(), &chk, &f);
    if (rc)
        die(f.message[0] ? f.message : "check", rc, s);
    double t_check = now_s() - t1;
    expect("rows found bad by the check", chk.bad, 0);
    expect("rows checked valid", chk.valid, tubes);

    /* ---- apply */
    struct apply ap = {.token = chk.token};
    double t2 = now_s();
    rc = store_tx(s, apply_tx, &ap);
    if (rc)
        die(ap.f.message[0] ? ap.f.message : "apply", rc, s);
    double t_apply = now_s() - t2;
    double t_total = t_check + t_apply;

    int64_t pending = -1, positive = (tubes + 92) / 100; /* tubes 7, 107, 207, ... */
    if ((rc = store_int(s, &pending, "SELECT COUNT(*) FROM testing_samples WHERE session_id = ? AND status = 'pending'",
                        "i", ss.id)))
        die("pending count", rc, s);
    expect("tubes applied", ap.sum.applied, tubes);
    expect("people resulted", ap.sum.people, (int64_t)tubes * pool);
    expect("people still pending", pending, 0);
    expect("messages queued", ap.sum.messages, (int64_t)tubes * pool);
    /* A positive pool sends each member to a retest; a positive single sample is a case. */
    expect("retest orders", ap.sum.retests, pool > 1 ? positive * pool : 0);
    expect("cases", ap.sum.cases, pool > 1 ? 0 : positive);

    /* ---- reference: plain INSERTs of result rows, no propagation, same database */
    struct ref per_tube = {tubes, (const char (*)[TESTING_TUBE_CODE_LEN + 1])su.codes, 1};
    struct ref per_person = {tubes, (const char (*)[TESTING_TUBE_CODE_LEN + 1])su.codes, pool};
    double r_tube = time_ref(s, &per_tube);
    double r_person = time_ref(s, &per_person);

    printf("file: %d rows, %.1f MB CSV\n", tubes, csv.len / 1e6);
    printf("check: %.2f s (%.0f rows/s)\n", t_check, tubes / t_check);
    printf("apply: %.2f s (%.0f rows/s; %lld people resulted, %lld retest orders, %lld messages queued)\n", t_apply,
           tubes / t_apply, (long long)ap.sum.people, (long long)ap.sum.retests, (long long)ap.sum.messages);
    printf("import total: %.2f s = %.0f tube rows/s, %.0f people/s\n", t_total, tubes / t_total,
           (double)ap.sum.people / t_total);
    printf("time to the last person's result (check + apply, committed): %.2f s; people still pending: %lld\n",
           t_total, (long long)pending);
    printf("reference: %d plain INSERTs of result rows (one transaction, no propagation): %.2f s = %.0f rows/s\n",
           tubes, r_tube, tubes / r_tube);
    printf("reference: %lld plain INSERTs of per-person result rows: %.2f s = %.0f rows/s\n", (long long)tubes * pool,
           r_person, tubes * (double)pool / r_person);
    printf("ratio: import / %d tube INSERTs = %.1fx the time; import / %lld person INSERTs = %.2fx the time\n", tubes,
           t_total / r_tube, (long long)tubes * pool, t_total / r_person);
    buf_release(&csv);
    free(su.codes);
    arena_release(&a);
    store_close(s);
    unit_registry_free();
    return 0;
}
