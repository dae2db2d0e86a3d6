/*
 * Unit tests of check-ins (src/venue/checkin*.c): the rules (client_id
 * format, identifiers, who may check in whom, local days in UTC+7) alone,
 * then the queries and the retention job on a migrated SQLite store, with
 * `now` far in the future as `cordon jobs run --now` would give it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "area/unit.h"
#include "core/err.h"
#include "store/migrate.h"
#include "store/store.h"
#include "support/store_fixture.h"
#include "venue/checkin.h"

/* ---------------------------------------------------------------- rules */

static void identifiers(void **state)
{
    (void)state;
    struct fault f = {0};
    char bhyt[16];
    assert_int_equal(checkin_check_id_number("001090012345", "cccd", &f), 0);
    assert_int_equal(checkin_check_id_number("012345678", "cccd", &f), 0);
    assert_int_equal(checkin_check_id_number("00109001234", "cccd", &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "cccd");
    assert_int_equal(checkin_check_id_number("00109001234a", "cccd", &f), ERR_INVALID_FIELD);
    assert_int_equal(checkin_check_bhyt("dn4010123456789", "bhyt", bhyt, &f), 0);
    assert_string_equal(bhyt, "DN4010123456789");
    assert_int_equal(checkin_check_bhyt("DN6010123456789", "bhyt", bhyt, &f), ERR_INVALID_FIELD); /* level 6 */
    assert_int_equal(checkin_check_bhyt("DN4000123456789", "bhyt", bhyt, &f), ERR_INVALID_FIELD); /* province 00 */
    assert_int_equal(checkin_check_bhyt("D14010123456789", "bhyt", bhyt, &f), ERR_INVALID_FIELD);
    assert_int_equal(checkin_check_bhyt("DN401012345678", "bhyt", bhyt, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "bhyt");
    assert_int_equal(checkin_check_venue_code("K7M2QX9A", "venue_code", &f), 0);
    assert_int_equal(checkin_check_venue_code("K7M2QX9", "venue_code", &f), ERR_INVALID_FIELD);
    assert_int_equal(checkin_check_venue_code("K7M2QX9I", "venue_code", &f), ERR_INVALID_FIELD); /* no I */
    assert_int_equal(checkin_check_venue_code("k7m2qx9a", "venue_code", &f), ERR_INVALID_FIELD);

    struct arena a;
    arena_init(&a);
    const char *kid, *sig;
    assert_int_equal(checkin_split_venue_sig(&a, "k1.AbC-_x", "venue_sig", &kid, &sig, &f), 0);
    assert_string_equal(kid, "k1");
    assert_string_equal(sig, "AbC-_x");
    assert_int_equal(checkin_split_venue_sig(&a, "k1AbC", "venue_sig", &kid, &sig, &f), ERR_INVALID_FIELD);
    assert_int_equal(checkin_split_venue_sig(&a, ".AbC", "venue_sig", &kid, &sig, &f), ERR_INVALID_FIELD);
    assert_int_equal(checkin_split_venue_sig(&a, "k1.", "venue_sig", &kid, &sig, &f), ERR_INVALID_FIELD);
    assert_int_equal(checkin_split_venue_sig(&a, "k1.a.b", "venue_sig", &kid, &sig, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "venue_sig");
    arena_release(&a);
}

/* Person 1 manages 2 and 3; person 4 is a stranger. */
static bool manages_stub(void *ctx, int64_t self, int64_t id)
{
    int *calls = ctx;
    (*calls)++;
    return self == 1 && (id == 2 || id == 3);
}

static void who_may_check_in_whom(void **state)
{
    (void)state;
    int calls = 0;
    struct fault f = {0};
    int64_t ids[CHECKIN_MAX_PEOPLE + 2];
    int n;

    n = 0; /* no list: the citizen alone */
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1);

    ids[0] = 1, ids[1] = 2, ids[2] = 3, n = 3; /* the whole family with one scan */
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), 0);
    assert_int_equal(n, 3);

    ids[0] = 2, n = 1; /* a managed member alone */
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), 0);

    ids[0] = 1, ids[1] = 2, ids[2] = 1, ids[3] = 2, n = 4; /* duplicates are dropped */
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);

    ids[0] = 1, ids[1] = 4, n = 2; /* a stranger */
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), ERR_FORBIDDEN);
    assert_string_equal(f.field, "person_ids");

    ids[0] = 2, n = 1; /* managing is not symmetric: 2 does not manage 1's family */
    assert_int_equal(checkin_check_people(4, ids, &n, manages_stub, &calls, "person_ids", &f), ERR_FORBIDDEN);

    ids[0] = 0, n = 1;
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), ERR_INVALID_FIELD);

    for (int i = 0; i < CHECKIN_MAX_PEOPLE + 1; i++)
        ids[i] = 1;
    n = CHECKIN_MAX_PEOPLE + 1;
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), ERR_INVALID_FIELD);

    /* self needs no lookup */
    calls = 0;
    ids[0] = 1, n = 1;
    assert_int_equal(checkin_check_people(1, ids, &n, manages_stub, &calls, "person_ids", &f), 0);
    assert_int_equal(calls, 0);
}

/* ---------------------------------------------------------------- store and job */

static int setup(void **state)
{
    return fixture_store_open(state, "checkin", true);
}

static int teardown(void **state)
{
    return fixture_store_close(state);
}

static int64_t count_rows(struct store *s)
{
    int64_t n = -1;
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM checkins", ""), STORE_OK);
    return n;
}

static void add(struct store *s, const char *client_id, int64_t venue, int64_t person, int64_t at, const char *commune,
                bool expect_created)
{
    const struct unit *u = unit_find(commune);
    assert_non_null(u);
    const char *p, *d, *c;
    unit_ancestors(u, &p, &d, &c);
    struct checkin_new in = {client_id, venue, person, at, CHECKIN_POSTER, p, d, c, 0, person};
    bool created = !expect_created;
    assert_int_equal(checkin_insert(s, &in, &created), STORE_OK);
    assert_int_equal(created, expect_created);
}

static void idempotent_insert(void **state)
{
    struct store *s = *state;
    struct arena a;
    arena_init(&a);
    add(s, "client-one", 7, 1, 1626714000, "00001", true);
    add(s, "client-one", 7, 1, 1626714999, "00001", false); /* a retry: nothing new, first time kept */
    add(s, "client-one", 7, 2, 1626714000, "00001", true);  /* same scan, a family member */
    assert_int_equal(count_rows(s), 2);
    struct checkin ck;
    assert_int_equal(checkin_find_client(s, &a, "client-one", 1, &ck), STORE_OK);
    assert_int_equal(ck.checked_in_at, 1626714000);
    assert_string_equal(ck.method, "poster");
    assert_string_equal(ck.commune_code, "00001");
    assert_int_equal(ck.checked_out_at, 0);
    assert_int_equal(checkin_find_client(s, &a, "client-one", 3, &ck), STORE_DONE);

    /* a checkout keeps its first time */
    assert_int_equal(checkin_find_client(s, &a, "client-one", 2, &ck), STORE_OK);
    assert_int_equal(checkin_set_checkout(s, ck.id, 1626717600), STORE_OK);
    assert_int_equal(checkin_set_checkout(s, ck.id, 1626720000), STORE_OK);
    assert_int_equal(checkin_get(s, &a, ck.id, &ck), STORE_OK);
    assert_int_equal(ck.checked_out_at, 1626717600);

    /* a person's and a family's list, newest first */
    add(s, "client-two", 8, 1, 1626800000, "00004", true);
    add(s, "client-three", 8, 2, 1626700000, "00004", true);
    int64_t fam[] = {1, 2};
    struct checkin *list;
    int n;
    assert_int_equal(checkin_list_people(s, &a, fam, 2, 10, &list, &n), STORE_OK);
    assert_int_equal(n, 4);
    for (int i = 1; i < n; i++)
        assert_true(list[i - 1].checked_in_at >= list[i].checked_in_at);
    assert_int_equal(list[0].checked_in_at, 1626800000);
    assert_int_equal(list[3].checked_in_at, 1626700000);
    assert_int_equal(checkin_list_people(s, &a, fam, 2, 2, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[1].person_id, 2); /* 1626714000 ties: the later id (person 2) comes first */
    assert_int_equal(checkin_list_people(s, &a, fam, 1, 10, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    arena_release(&a);
}

/* A venue of that id in that commune (a report below the nation reads its area's venues); no
 * owner account: foreign keys are off for the insert. */
static void add_venue(struct store *s, int64_t id, const char *commune)
{
    const struct unit *u = unit_find(commune);
    assert_non_null(u);
    const char *p, *d, *c;
    unit_ancestors(u, &p, &d, &c);
    char code[16];
    snprintf(code, sizeof(code), "V%07lld", (long long)id);
    assert_int_equal(store_exec(s, "PRAGMA foreign_keys = OFF"), STORE_OK);
    assert_int_equal(store_run(s, NULL,
                               "INSERT INTO venues (id, code, name, type, street, capacity, status, owner_account_id,"
                               " province_code, district_code, commune_code, created_at, updated_at)"
                               " VALUES (?, ?, 'Quán', 'restaurant', '1 Phố', 50, 'approved', 1, ?, ?, ?, 0, 0)",
                               "issss", id, code, p, d, c),
                     STORE_OK);
    assert_int_equal(store_exec(s, "PRAGMA foreign_keys = ON"), STORE_OK);
}

static void report_per_local_day(void **state)
{
    struct store *s = *state;
    struct arena a;
    arena_init(&a);
    assert_int_equal(store_exec(s, "DELETE FROM checkins"), STORE_OK);
    add_venue(s, 1, "00001");
    add_venue(s, 2, "00004");
    add_venue(s, 9, "26734");
    /* 2021-07-19 23:59:59 local (venue 1), then 2021-07-20 00:00:00 local (venues 1 and 2) */
    add(s, "r-000001", 1, 1, 1626713999, "00001", true);
    add(s, "r-000002", 1, 2, 1626714000, "00001", true);
    add(s, "r-000003", 1, 3, 1626714000 + 3600, "00001", true);
    add(s, "r-000004", 2, 4, 1626714000 + 7200, "00004", true);
    add(s, "r-000005", 9, 5, 1626714000, "26734", true); /* Hồ Chí Minh: outside Hà Nội */

    struct checkin_report_row *rows;
    int n;
    const struct unit *badinh = unit_find("001");
    assert_non_null(badinh);
    assert_int_equal(checkin_report(s, &a, badinh, 18827, 18828, &rows, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].day, 18827);
    assert_string_equal(rows[0].unit_code, "00001");
    assert_int_equal(rows[0].venues, 1);
    assert_int_equal(rows[0].checkins, 1);
    assert_int_equal(rows[1].day, 18828);
    assert_string_equal(rows[1].unit_code, "00001");
    assert_int_equal(rows[1].venues, 1);
    assert_int_equal(rows[1].checkins, 2);
    assert_string_equal(rows[2].unit_code, "00004");

    /* one day only */
    assert_int_equal(checkin_report(s, &a, badinh, 18828, 18828, &rows, &n), STORE_OK);
    assert_int_equal(n, 2);

    /* the nation: per province */
    assert_int_equal(checkin_report(s, &a, unit_find("VN"), 18827, 18828, &rows, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].unit_code, "01");
    assert_string_equal(rows[1].unit_code, "01");
    assert_int_equal(rows[1].venues, 2);
    assert_int_equal(rows[1].checkins, 3);
    assert_string_equal(rows[2].unit_code, "79");

    /* a commune reports on itself */
    assert_int_equal(checkin_report(s, &a, unit_find("00004"), 18827, 18828, &rows, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].unit_code, "00004");
    arena_release(&a);
}

static void retention_job(void **state)
{
    struct store *s = *state;
    assert_int_equal(store_exec(s, "DELETE FROM checkins"), STORE_OK);
    const int64_t t0 = 1626714000;
    /* more than two batches of old rows, and a few recent ones */
    int old = 2 * CHECKIN_RETENTION_BATCH + 345;
    assert_int_equal(store_begin(s, true), STORE_OK);
    for (int i = 0; i < old; i++) {
        char id[32];
        snprintf(id, sizeof(id), "old-%06d", i);
        add(s, id, 1, 1000 + i, t0 + i, "00001", true);
    }
    assert_int_equal(store_commit(s), STORE_OK);
    add(s, "keep-0001", 1, 1, t0 + 10 * CHECKIN_DAY, "00001", true);
    add(s, "keep-0002", 1, 2, t0 + 11 * CHECKIN_DAY, "00001", true);
    assert_int_equal(count_rows(s), old + 2);

    checkin_configure(28, 0, 0);
    assert_int_equal(checkin_retention_days(), 28);
    checkin_configure(0, 0, 0); /* ignored: never "delete everything" by mistake */
    assert_int_equal(checkin_retention_days(), 28);

    const char *detail = NULL;
    /* now = the day the old rows turn 28 days: nothing is older than the period yet */
    assert_int_equal(checkin_job_retention(s, t0 + 28 * CHECKIN_DAY, &detail), 0);
    assert_int_equal(count_rows(s), old + 2);
    assert_non_null(detail);
    assert_non_null(strstr(detail, "deleted 0 "));

    /* a month and more later: the old rows go, in batches; the cutoff is exact */
    int64_t now = t0 + 28 * CHECKIN_DAY + 345;
    assert_int_equal(checkin_job_retention(s, now, &detail), 0);
    assert_int_equal(count_rows(s), old - 345 + 2);
    assert_non_null(strstr(detail, "deleted 345 "));
    now = t0 + 38 * CHECKIN_DAY;
    assert_int_equal(checkin_job_retention(s, now, &detail), 0);
    char want[64];
    snprintf(want, sizeof(want), "deleted %d ", old - 345);
    assert_non_null(strstr(detail, want));
    assert_int_equal(count_rows(s), 2);
    int64_t left = 0;
    assert_int_equal(store_int(s, &left, "SELECT MIN(checked_in_at) FROM checkins", ""), STORE_OK);
    assert_int_equal(left, t0 + 10 * CHECKIN_DAY);

    /* a shorter period, as CORDON_CHECKIN_RETENTION_DAYS=1 sets it */
    checkin_configure(1, 0, 0);
    assert_int_equal(checkin_job_retention(s, t0 + 11 * CHECKIN_DAY + CHECKIN_DAY, &detail), 0);
    assert_int_equal(count_rows(s), 1);
    assert_int_equal(checkin_job_retention(s, t0 + 11 * CHECKIN_DAY + CHECKIN_DAY + 1, &detail), 0);
    assert_int_equal(count_rows(s), 0);
    checkin_configure(28, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identifiers),
        cmocka_unit_test(who_may_check_in_whom),
        cmocka_unit_test_setup_teardown(idempotent_insert, setup, teardown),
        cmocka_unit_test_setup_teardown(report_per_local_day, setup, teardown),
        cmocka_unit_test_setup_teardown(retention_job, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
