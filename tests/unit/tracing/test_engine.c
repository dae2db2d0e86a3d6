/*
 * The engine itself on a migrated SQLite store: the window's edges as a real
 * trace sees them, not only tracing_overlap().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>

#include "area/unit.h"
#include "store/migrate.h"
#include "store/store.h"
#include "support/store_fixture.h"
#include "tracing/tracing.h"

static int setup(void **state)
{
    return fixture_store_open(state, "engine", true);
}

static int teardown(void **state)
{
    return fixture_store_close(state);
}

static void checkin(struct store *s, const char *client_id, int64_t venue, int64_t person, int64_t at)
{
    assert_int_equal(store_run(s, NULL,
                               "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method,"
                               " commune_code) VALUES (?, ?, ?, ?, 'poster', '00001')",
                               "siii", client_id, venue, person, at),
                     STORE_OK);
}

/* Whether tracing case person 1 over [from, until] finds person `who` as an F1. */
static bool finds(struct store *s, int64_t from, int64_t until, int64_t who)
{
    struct tracing_params p;
    tracing_params_default(&p);
    struct tracing_engine e;
    assert_int_equal(tracing_engine_load(s, &p, from, until, &e), STORE_OK);
    struct tracing_result r;
    tracing_result_init(&r);
    struct tracing_case c = {.case_id = 1, .person = 1, .from = from, .until = until};
    tracing_trace(&e, &c, &r);
    bool found = false;
    for (size_t i = 0; i < r.n; i++)
        found |= r.contacts[i].person == who && r.contacts[i].degree == 1;
    tracing_result_free(&r);
    tracing_engine_release(&e);
    return found;
}

/*
 * The case checks in at 23:40 on the window's last day without checking out;
 * someone arrives at 00:05, inside the slack: the engine must have loaded that
 * check-in although it starts after the window's end.
 */
static void arrival_after_the_window_inside_the_slack(void **state)
{
    struct store *s = *state;
    int64_t day = vn_day(1626714000); /* 2021-07-20 in Việt Nam */
    int64_t from = vn_day_start(day - 2), until = vn_day_start(day + 1) - 1;
    int64_t late = vn_day_start(day) + 23 * 3600 + 40 * 60;
    checkin(s, "edge-case-0001", 7, 1, late);
    checkin(s, "edge-after-0002", 7, 2, late + 25 * 60);       /* 00:05 the next day */
    checkin(s, "edge-far-00003", 7, 3, late + 25 * 60 + 3600); /* 01:05: outside the slack */
    assert_true(finds(s, from, until, 2));
    assert_false(finds(s, from, until, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(arrival_after_the_window_inside_the_slack, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
