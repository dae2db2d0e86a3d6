/*
 * The live contact index (src/tracing/index.c) against the per-run load: on a
 * synthetic population, every case's F1 and F2 (person, degree, first
 * exposure, risk, reasons) must be the same from both, at start and after
 * check-ins, check-outs and a retention delete written through the venue
 * domain's store functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/account.h"
#include "admin/role.h"
#include "support/store_fixture.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"
#include "venue/checkin.h"

#define PEOPLE 1500
#define CHECKINS 20000
#define DAYS 10
#define CASES 150

static int64_t first_person, now;

static int setup(void **state)
{
    if (fixture_store_open(state, "index", true))
        return -1;
    struct store *s = *state;
    struct account_new owner = {.username = "index.owner", .password = "Index-Owner-2021!",
                                .full_name = "Chủ Địa Điểm", .unit_code = "01", .role = ROLE_VENUE_OWNER};
    struct fault f = {0};
    int64_t owner_id = 0;
    if (account_check_new(&owner, &f) || account_insert(s, &owner, 0, &owner_id))
        return -1;
    now = vn_day_start(vn_day(clock_now())); /* windows of whole days, as cases have */
    struct tracing_synth o = {.people = PEOPLE, .checkins = CHECKINS, .days = DAYS, .now = now, .seed = 11,
                              .owner_account = owner_id, .commune_code = "00001"};
    if (tracing_synth_load(s, &o, &first_person))
        return -1;
    char url[128];
    snprintf(url, sizeof(url), "sqlite:%s", fixture_path);
    return tracing_index_start(url);
}

static int teardown(void **state)
{
    tracing_index_stop();
    return fixture_store_close(state);
}

static int by_person(const void *a, const void *b)
{
    const struct tracing_contact *x = a, *y = b;
    return x->person < y->person ? -1 : x->person > y->person;
}

/* Contacts sorted by person (the order found may differ where check-ins share a second). */
static struct tracing_contact *sorted(const struct tracing_result *r)
{
    struct tracing_contact *v = malloc((r->n + 1) * sizeof(*v));
    memcpy(v, r->contacts, r->n * sizeof(*v));
    qsort(v, r->n, sizeof(*v), by_person);
    return v;
}

/* Traces CASES random people both ways and compares; returns the F1 found in all. */
static int64_t compare_all(struct store *s, uint64_t seed)
{
    assert_int_equal(tracing_index_sync(s), ERR_OK);
    struct tracing_params p;
    tracing_params_default(&p);
    int64_t until = now - 1, from = until + 1 - 7 * TRACING_DAY, f1 = 0;
    struct tracing_engine loaded, live;
    assert_int_equal(tracing_engine_load(s, &p, from, until, &loaded), STORE_OK);
    assert_int_equal(tracing__engine_live(s, &p, from, until, &live), STORE_OK);
    struct tracing_result a, b;
    tracing_result_init(&a);
    tracing_result_init(&b);
    for (int i = 0; i < CASES; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        struct tracing_case c = {.case_id = i + 1, .person = first_person + (int64_t)((seed >> 17) % PEOPLE),
                                 .from = from, .until = until};
        tracing_trace(&loaded, &c, &a);
        tracing_trace(&live, &c, &b);
        assert_int_equal(a.nf1, b.nf1);
        assert_int_equal(a.nf2, b.nf2);
        struct tracing_contact *x = sorted(&a), *y = sorted(&b);
        for (size_t k = 0; k < a.n; k++) {
            assert_int_equal(x[k].person, y[k].person);
            assert_int_equal(x[k].degree, y[k].degree);
            assert_int_equal(x[k].first_at, y[k].first_at);
            assert_int_equal(x[k].nreasons, y[k].nreasons);
            assert_int_equal(tracing_contact_risk(&x[k]), tracing_contact_risk(&y[k]));
        }
        free(x);
        free(y);
        f1 += (int64_t)a.nf1;
    }
    assert_int_equal(tracing__household_live_rc(live.data[TRACING_SRC_HOUSEHOLD]), 0);
    tracing_result_free(&a);
    tracing_result_free(&b);
    tracing_engine_release(&loaded);
    tracing_engine_release(&live);
    return f1;
}

static void test_built_at_start(void **state)
{
    size_t rows, bytes;
    bool ready;
    assert_true(compare_all(*state, 1) > 0);
    tracing_index_stats(&rows, &bytes, &ready);
    assert_true(ready);
    assert_int_equal(rows, CHECKINS);
    assert_true(bytes >= rows * 24);
}

static void test_follows_writes(void **state)
{
    struct store *s = *state;
    tracing__index_set_batch(100); /* the changes below are read in many batches */
    /* new check-ins two days ago, at the venues of earlier ones, half of them checked out */
    struct store_stmt *st;
    assert_int_equal(store_query(s, &st, "SELECT id, venue_id FROM checkins ORDER BY id LIMIT 2000", ""), STORE_OK);
    int64_t ids[2000], venues[2000];
    int n = 0;
    while (n < 2000 && store_step(st) == STORE_ROW) {
        ids[n] = store_col_int(st, 0);
        venues[n++] = store_col_int(st, 1);
    }
    store_finalize(st);
    uint64_t x = 99;
    for (int i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        char client[40];
        snprintf(client, sizeof(client), "index-test-%d", i);
        struct checkin_new in = {.client_id = client, .venue_id = venues[i],
                                 .person_id = first_person + (int64_t)((x >> 17) % PEOPLE),
                                 .at = now - 2 * TRACING_DAY + (int64_t)((x >> 40) % 36000),
                                 .method = CHECKIN_STAFF_ID, .commune_code = "00001"};
        bool created;
        assert_int_equal(checkin_insert(s, &in, &created), STORE_OK);
        assert_true(created);
        if (i % 2) {
            struct checkin c;
            struct arena a;
            arena_init(&a);
            assert_int_equal(checkin_find_client(s, &a, client, in.person_id, &c), STORE_OK);
            assert_int_equal(checkin_set_checkout(s, c.id, in.at + 600), STORE_OK);
            arena_release(&a);
        }
        /* and some older check-ins lose their check-out time's default: checked out now */
        if (i % 7 == 0)
            assert_int_equal(checkin_set_checkout(s, ids[i], now - 3 * TRACING_DAY), STORE_OK);
    }
    assert_true(compare_all(s, 2) > 0);
    size_t rows, bytes;
    tracing_index_stats(&rows, &bytes, NULL);
    assert_int_equal(rows, CHECKINS + (size_t)n);
}

static void test_follows_retention(void **state)
{
    struct store *s = *state;
    int64_t deleted = 0, total = 0;
    do {
        assert_int_equal(checkin_delete_before(s, now - 4 * TRACING_DAY, 1000, &deleted), STORE_OK);
        total += deleted;
    } while (deleted == 1000);
    assert_true(total > 0);
    compare_all(s, 3);
    int64_t left = 0;
    assert_int_equal(store_int(s, &left, "SELECT COUNT(*) FROM checkins", ""), STORE_OK);
    size_t rows, bytes;
    tracing_index_stats(&rows, &bytes, NULL);
    assert_int_equal(rows, (size_t)left);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_at_start),
        cmocka_unit_test(test_follows_writes),
        cmocka_unit_test(test_follows_retention),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
