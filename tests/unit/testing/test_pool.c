/* Unit tests of testing/: pool propagation against a migrated SQLite store (negative pool,
 * positive pool -> retest orders, single positive -> case and event, invalid, idempotence and
 * conflicts), and the rules (result words, ct, tube codes, member status, median). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "area/unit.h"
#include "core/arena.h"
#include "core/secret.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testing/testing.h"

static char path[64];
static struct store *s;
static struct arena a;
static int64_t person_seq = 1000;

static int setup(void **state)
{
    (void)state;
    secret_init();
    snprintf(path, sizeof(path), "/tmp/cordon-test-pool-%d.db", (int)getpid());
    char url[96], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    if (store_open(url, &s, err, sizeof(err)) || migrate_apply(s, NULL) || unit_reference_load(s, NULL) ||
        unit_registry_load(s))
        return -1;
    arena_init(&a);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&a);
    store_close(s);
    unit_registry_free();
    char p[128];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    return 0;
}

/* A session with pool size `pool` and tubes holding sizes[i] people each (person ids synthetic). */
static void make_session(int pool, const int *sizes, int ntubes, struct testing_session *ss, const char ***codes)
{
    static int n;
    char cid[32];
    struct testing_site site = {.name = "S", .province_code = "01", .district_code = "001", .commune_code = "00001",
                                .created_at = 1};
    snprintf(cid, sizeof(cid), "site-%08d", ++n);
    site.client_id = arena_strdup(&a, cid);
    bool created;
    assert_int_equal(testing_site_insert(s, &site, 0, &created), 0);
    *ss = (struct testing_session){.site_id = site.id, .date = "2021-09-01", .team = "T", .type = TESTING_RT_PCR,
                                   .pool_size = pool, .lab_unit_code = "001", .province_code = "01",
                                   .district_code = "001", .commune_code = "00001", .created_at = 1};
    snprintf(cid, sizeof(cid), "sess-%08d", n);
    ss->client_id = arena_strdup(&a, cid);
    assert_int_equal(testing_session_insert(s, ss, 0, &created), 0);
    int64_t batch;
    int got;
    snprintf(cid, sizeof(cid), "tubes-%08d", n);
    assert_int_equal(testing_tubes_issue(s, &a, ss, arena_strdup(&a, cid), ntubes, 0, &batch, codes, &got), 0);
    assert_int_equal(got, ntubes);
    for (int t = 0; t < ntubes; t++)
        for (int k = 0; k < sizes[t]; k++) {
            snprintf(cid, sizeof(cid), "smp-%08lld", (long long)++person_seq);
            struct testing_collect in = {.client_id = arena_strdup(&a, cid), .session = ss, .tube_code = (*codes)[t],
                                         .person_id = person_seq, .phone = k % 2 ? "0912345678" : NULL,
                                         .tube_field = "tube_id", .person_field = "person"};
            struct testing_sample smp = {.collected_at = 100};
            struct testing_tube tube;
            struct fault f = {0};
            bool c;
            assert_int_equal(testing_collect_record(s, &a, &in, &smp, &tube, &c, &f), 0);
            assert_true(c);
        }
}

static int64_t count(const char *sql, int64_t arg)
{
    int64_t n = -1;
    assert_int_equal(store_int(s, &n, sql, "i", arg), 0);
    return n;
}

static void propagation(void **state)
{
    (void)state;
    struct testing_session ss;
    const char **codes;
    const int sizes[] = {10, 4, 1, 3};
    make_session(10, sizes, 4, &ss, &codes);
    int64_t batch;
    assert_int_equal(testing_batch_open(s, "single", 0, "001", 500, &batch), 0);
    static const int results[] = {TESTING_NEGATIVE, TESTING_POSITIVE, TESTING_POSITIVE, TESTING_INVALID};
    for (int t = 0; t < 4; t++) {
        bool changed;
        const char *had;
        assert_int_equal(testing_result_set(s, codes[t], results[t], 300, 0, batch, 500, &changed, &had), 0);
        assert_true(changed);
    }
    struct testing_apply_summary sum = {0};
    assert_int_equal(testing_propagate(s, batch, 500, &sum), 0);
    assert_int_equal(sum.people, 18);
    assert_int_equal(sum.retests, 4 + 3);
    assert_int_equal(sum.cases, 1);
    assert_int_equal(sum.messages, 5 + 2 + 0 + 1);
    const char *q = "SELECT COUNT(*) FROM testing_samples m JOIN testing_tubes t ON t.id = m.tube_id"
                    " WHERE t.session_id = ? AND m.status = 'negative'";
    assert_int_equal(count(q, ss.id), 10);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_samples WHERE session_id = ? AND status = 'pool_positive_retest'",
                           ss.id), 4);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_samples WHERE session_id = ? AND status = 'positive'", ss.id), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_samples WHERE session_id = ? AND status = 'invalid'", ss.id), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_samples WHERE session_id = ? AND resulted_at = 500", ss.id), 18);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_retest_orders WHERE session_id = ? AND reason = 'pool_positive'",
                           ss.id), 4);
    assert_int_equal(count("SELECT COUNT(*) FROM cases c JOIN case_events e ON e.case_id = c.id WHERE c.result_batch = ?",
                           batch), 1);
    /* The same result again: unchanged, nothing propagated twice. Another result: conflict. */
    bool changed;
    const char *had;
    int64_t b2;
    assert_int_equal(testing_batch_open(s, "single", 0, "001", 600, &b2), 0);
    assert_int_equal(testing_result_set(s, codes[0], TESTING_NEGATIVE, -1, 0, b2, 600, &changed, &had), 0);
    assert_false(changed);
    assert_int_equal(testing_result_set(s, codes[0], TESTING_POSITIVE, -1, 0, b2, 600, &changed, &had), STORE_CONFLICT);
    assert_string_equal(had, "negative");
    struct testing_apply_summary sum2 = {0};
    assert_int_equal(testing_propagate(s, b2, 600, &sum2), 0);
    assert_int_equal(sum2.people, 0);
    assert_int_equal(sum2.cases, 0);
    /* the fifth tube was never used: no result can be set on it */
    assert_int_equal(testing_result_set(s, "TZZZZZZZZZ", TESTING_NEGATIVE, -1, 0, b2, 600, &changed, &had), STORE_DONE);

    /* A pool member sampled again in a later session: their retest order is answered, the others stay open. */
    int64_t again = -1;
    assert_int_equal(store_int(s, &again, "SELECT MIN(person_id) FROM testing_retest_orders WHERE session_id = ?", "i",
                               ss.id),
                     0);
    struct testing_session later;
    const char **later_codes;
    const int none[] = {0};
    make_session(10, none, 1, &later, &later_codes);
    struct testing_collect in = {.client_id = "smp-again", .session = &later, .tube_code = later_codes[0],
                                 .person_id = again, .tube_field = "tube_id", .person_field = "person"};
    struct testing_sample smp = {.collected_at = 700};
    struct testing_tube tube;
    struct fault f = {0};
    bool c;
    assert_int_equal(testing_collect_record(s, &a, &in, &smp, &tube, &c, &f), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_retest_orders WHERE person_id = ? AND status = 'sampled'", again),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM testing_retest_orders WHERE session_id = ? AND status = 'open'", ss.id),
                     6);
}

static void capacity_and_once_per_session(void **state)
{
    (void)state;
    struct testing_session ss;
    const char **codes;
    const int sizes[] = {2, 0};
    make_session(2, sizes, 2, &ss, &codes);
    struct testing_collect in = {.client_id = "smp-full-0001", .session = &ss, .tube_code = codes[0],
                                 .person_id = 999999, .tube_field = "tube_id", .person_field = "cccd"};
    struct testing_sample smp = {.collected_at = 100};
    struct testing_tube tube;
    struct fault f = {0};
    bool c;
    assert_int_equal(testing_collect_record(s, &a, &in, &smp, &tube, &c, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "tube_id");
    in.person_id = person_seq; /* already in tube 0 of this session */
    in.tube_code = codes[1];
    assert_int_equal(testing_collect_record(s, &a, &in, &smp, &tube, &c, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "cccd");
}

static void rules(void **state)
{
    (void)state;
    assert_int_equal(testing_result_parse("Positive"), TESTING_POSITIVE);
    assert_int_equal(testing_result_parse(" âm tính "), TESTING_NEGATIVE);
    assert_int_equal(testing_result_parse("Dương tính"), TESTING_POSITIVE);
    assert_int_equal(testing_result_parse("khong hop le"), TESTING_INVALID);
    assert_int_equal(testing_result_parse("ÂM TÍNH"), TESTING_NEGATIVE); /* Excel's upper case */
    assert_int_equal(testing_result_parse("DƯƠNG TÍNH"), TESTING_POSITIVE);
    assert_int_equal(testing_result_parse("Không hợp lệ"), TESTING_INVALID);
    assert_int_equal(testing_result_parse("pos"), -1);
    int ct;
    assert_true(testing_ct_parse("32,5", &ct));
    assert_int_equal(ct, 325);
    assert_true(testing_ct_parse("", &ct));
    assert_int_equal(ct, -1);
    assert_true(testing_ct_parse("50", &ct));
    assert_false(testing_ct_parse("50.1", &ct));
    assert_false(testing_ct_parse("-1", &ct));
    assert_false(testing_ct_parse("3x", &ct));
    char code[TESTING_TUBE_CODE_LEN + 1];
    testing_tube_code_make(code);
    assert_true(testing_tube_code_valid(code));
    assert_false(testing_tube_code_valid("TABCDEFGHI")); /* I is not Crockford */
    assert_string_equal(testing_member_status(TESTING_POSITIVE, 10), "pool_positive_retest");
    assert_string_equal(testing_member_status(TESTING_POSITIVE, 1), "positive");
    assert_string_equal(testing_member_status(TESTING_NEGATIVE, 10), "negative");
    int64_t v[] = {30, 10, 20, 40};
    assert_int_equal(testing_median(v, 4), 25);
    assert_int_equal(testing_median(v, 3), 20);
    assert_int_equal(testing_default_pool(TESTING_RAPID_ANTIGEN), 1);
    assert_true(testing_date_valid("2024-02-29"));
    assert_false(testing_date_valid("2023-02-29"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules),
        cmocka_unit_test(propagation),
        cmocka_unit_test(capacity_and_once_per_session),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
