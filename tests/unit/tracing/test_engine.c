/*
 * The engine itself on a migrated SQLite store: the window's edges as a real
 * trace sees them, and the engine agreeing with tracing_overlap() pair by pair.
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

static void stay(struct store *s, const char *client_id, int64_t venue, int64_t person, int64_t in, int64_t out)
{
    assert_int_equal(store_run(s, NULL,
                               "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, checked_out_at,"
                               " method, commune_code) VALUES (?, ?, ?, ?, ?, 'poster', '00001')",
                               "siiii", client_id, venue, person, in, out),
                     STORE_OK);
}

/* Venue `id` of `type` (the engine reads venues.type for the whole-day rule). */
static void venue_of_type(struct store *s, int64_t id, const char *type)
{
    store_exec(s, "PRAGMA foreign_keys = OFF");
    char code[16];
    snprintf(code, sizeof(code), "VENUE%03d", (int)id);
    assert_int_equal(store_run(s, NULL,
                               "INSERT INTO venues (id, code, name, type, street, capacity, status, owner_account_id,"
                               " province_code, district_code, commune_code, created_at, updated_at)"
                               " VALUES (?, ?, 'v', ?, 's', 10, 'approved', 1, '01', '001', '00001', 0, 0)",
                               "iss", id, code, type),
                     STORE_OK);
}

/*
 * The same edge at the window's start: the case arrives as the window opens
 * (09:00); a presence that began more than max_stay before the window but
 * reaches into the slack before it (a check-out a day later, cut at 12
 * hours), and one at a market that began the evening before and reaches into
 * the case's local day, meet the case by the rule; the engine must have
 * loaded them.
 */
static void presence_before_the_window_reaching_into_it(void **state)
{
    struct store *s = *state;
    int64_t day = vn_day(1626714000);
    int64_t from = vn_day_start(day) + 9 * 3600, until = from + 2 * 86400;
    venue_of_type(s, 9, "market");
    stay(s, "start-case-001", 7, 1, from, from + 3600);
    int64_t in2 = from - 12 * 3600 - 20 * 60, in3 = from - 12 * 3600 - 40 * 60, in4 = vn_day_start(day) - 4 * 3600;
    stay(s, "start-slack-02", 7, 2, in2, in2 + 86400);             /* cut at 08:40: inside the slack */
    stay(s, "start-far-0003", 7, 3, in3, in3 + 86400);             /* cut at 08:20: outside */
    stay(s, "start-case-004", 9, 1, from + 3600, from + 2 * 3600); /* the market at 10:00 */
    stay(s, "start-night-05", 9, 4, in4, in4 + 86400);             /* 20:00 the evening before, cut at 08:00 */
    assert_true(finds(s, from, until, 2));
    assert_false(finds(s, from, until, 3));
    assert_true(finds(s, from, until, 4));
}

/* A small linear congruential generator: the same presences on every run. */
static uint32_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*x >> 33);
}

/*
 * One rule: over random presences at a café and a market (missing and
 * forgotten check-outs, stays across the window's edges), the engine finds
 * exactly the F1 that tracing_overlap() finds pair by pair, with the same
 * first exposure.
 */
static void the_engine_applies_tracing_overlap(void **state)
{
    struct store *s = *state;
    enum { N = 400, PEOPLE = 60 };
    int64_t t0 = vn_day_start(vn_day(1626714000));
    int64_t from = t0 + 13 * 3600 + 17 * 60, until = from + 30 * 3600;
    venue_of_type(s, 9, "market");
    struct tracing_params p;
    tracing_params_default(&p);
    struct {
        int64_t venue, person;
        struct tracing_presence pr;
    } rows[N];
    uint64_t seed = 42;
    for (int i = 0; i < N; i++) {
        rows[i].venue = lcg(&seed) % 3 ? 8 : 9;
        rows[i].person = i < 12 ? 1 : 2 + lcg(&seed) % PEOPLE; /* the case has 12 presences */
        rows[i].pr.in = from - 16 * 3600 + (int64_t)(lcg(&seed) % (50 * 3600));
        uint32_t kind = lcg(&seed) % 10;
        int64_t in = rows[i].pr.in;
        /* no check-out, a forgotten one (cut at max_stay), or up to 3 hours */
        rows[i].pr.out = kind == 0 ? 0 : kind == 1 ? in + 20 * 3600 : in + lcg(&seed) % (3 * 3600);
        char cid[24];
        snprintf(cid, sizeof(cid), "rand-%05d", i);
        stay(s, cid, rows[i].venue, rows[i].person, rows[i].pr.in, rows[i].pr.out);
    }
    /* the rule, pair by pair */
    int64_t first[2 + PEOPLE] = {0};
    for (int i = 0; i < N; i++) {
        if (rows[i].person != 1)
            continue;
        for (int j = 0; j < N; j++) {
            struct tracing_overlap ov;
            if (rows[j].person == 1 || rows[j].venue != rows[i].venue ||
                !tracing_overlap(&p, rows[i].pr, rows[j].pr, from, until, rows[i].venue == 9, &ov))
                continue;
            int64_t *f = &first[rows[j].person];
            if (!*f || ov.at < *f)
                *f = ov.at;
        }
    }
    /* the engine */
    struct tracing_engine e;
    assert_int_equal(tracing_engine_load(s, &p, from, until, &e), STORE_OK);
    e.params.depth = 1;
    struct tracing_result r;
    tracing_result_init(&r);
    struct tracing_case c = {.case_id = 1, .person = 1, .from = from, .until = until};
    tracing_trace(&e, &c, &r);
    int found = 0, expected = 0;
    for (int k = 2; k < 2 + PEOPLE; k++)
        expected += first[k] != 0;
    for (size_t i = 0; i < r.n; i++) {
        int64_t who = r.contacts[i].person;
        assert_true(who >= 2 && who < 2 + PEOPLE);
        assert_int_equal(r.contacts[i].first_at, first[who]);
        found++;
    }
    assert_int_equal(found, expected);
    assert_true(expected > 5); /* the draw is not vacuous */
    assert_true(expected < PEOPLE);
    tracing_result_free(&r);
    tracing_engine_release(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(arrival_after_the_window_inside_the_slack, setup, teardown),
        cmocka_unit_test_setup_teardown(presence_before_the_window_reaching_into_it, setup, teardown),
        cmocka_unit_test_setup_teardown(the_engine_applies_tracing_overlap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
