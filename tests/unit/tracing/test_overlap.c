/*
 * Unit tests of the venue co-presence rule (src/tracing/tracing.c) at its
 * edges: touching intervals, missing check-outs, slack, clock skew, the
 * window's boundaries, whole-day venues, long stays; and the engine's F1/F2
 * expansion on a tiny migrated SQLite store (the index agrees with the rule).
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

#include "store/migrate.h"
#include "store/store.h"
#include "tracing/tracing.h"

#define T0 1629997200 /* 2021-08-27 00:00 in Vietnam (UTC+7) */
#define H 3600
#define M 60

static struct tracing_params strict(void)
{
    struct tracing_params p;
    tracing_params_default(&p);
    p.slack = 0;
    p.skew = 0;
    return p;
}

static bool meet(const struct tracing_params *p, int64_t ai, int64_t ao, int64_t bi, int64_t bo, int64_t from,
                 int64_t until, bool whole, struct tracing_overlap *ov)
{
    struct tracing_presence a = {ai, ao}, b = {bi, bo};
    return tracing_overlap(p, a, b, from, until, whole, ov);
}

static void touching_intervals(void **state)
{
    (void)state;
    struct tracing_params p = strict();
    struct tracing_overlap ov;
    /* b arrives exactly when a leaves: touching counts, 0 minutes */
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    assert_int_equal(ov.minutes, 0);
    assert_int_equal(ov.at, T0 + 9 * H);
    /* one second apart: no contact without slack */
    assert_false(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 1, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    /* b leaves exactly when a arrives */
    assert_true(meet(&p, T0 + 9 * H, T0 + 10 * H, T0 + 8 * H, T0 + 9 * H, T0, T0 + 24 * H, false, &ov));
    /* real overlap, minutes rounded down */
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 8 * H + 30 * M - 59, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    assert_int_equal(ov.minutes, 30);
}

static void missing_checkout(void **state)
{
    (void)state;
    struct tracing_params p = strict();
    p.default_stay = 60 * M;
    struct tracing_overlap ov;
    /* a has no check-out: present 08:00-09:00; b at 09:00 touches, at 09:00:01 does not */
    assert_true(meet(&p, T0 + 8 * H, 0, T0 + 9 * H, T0 + 9 * H + 5 * M, T0, T0 + 24 * H, false, &ov));
    assert_false(meet(&p, T0 + 8 * H, 0, T0 + 9 * H + 1, T0 + 9 * H + 5 * M, T0, T0 + 24 * H, false, &ov));
    /* b has no check-out: from 07:00 it is there until 08:00 */
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 7 * H, 0, T0, T0 + 24 * H, false, &ov));
    assert_false(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 7 * H - 1, 0, T0, T0 + 24 * H, false, &ov));
    /* a check-out before the check-in counts as missing */
    assert_int_equal(tracing_presence_end(&p, (struct tracing_presence){T0 + 8 * H, T0 + 7 * H}), T0 + 9 * H);
    /* a forgotten check-out is cut at max_stay */
    p.max_stay = 12 * H;
    assert_int_equal(tracing_presence_end(&p, (struct tracing_presence){T0 + 8 * H, T0 + 40 * H}), T0 + 20 * H);
}

static void slack_and_skew(void **state)
{
    (void)state;
    struct tracing_params p = strict();
    p.slack = 30 * M;
    struct tracing_overlap ov;
    /* b arrives 30 minutes after a left: joined by the slack, 0 minutes of real overlap */
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 30 * M, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    assert_int_equal(ov.minutes, 0);
    assert_false(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 30 * M + 1, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    /* b left 30 minutes before a arrived */
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 7 * H, T0 + 7 * H + 30 * M, T0, T0 + 24 * H, false, &ov));
    assert_false(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 7 * H, T0 + 7 * H + 30 * M - 1, T0, T0 + 24 * H, false, &ov));
    /* skew adds to the slack: 2 more minutes either way */
    p.skew = 2 * M;
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 32 * M, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    assert_false(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 32 * M + 1, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    /* skew alone, no slack */
    p.slack = 0;
    assert_true(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 2 * M, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
    assert_false(meet(&p, T0 + 8 * H, T0 + 9 * H, T0 + 9 * H + 2 * M + 1, T0 + 10 * H, T0, T0 + 24 * H, false, &ov));
}

static void window_boundaries(void **state)
{
    (void)state;
    struct tracing_params p = strict();
    struct tracing_overlap ov;
    int64_t from = T0 + 8 * H, until = T0 + 12 * H;
    /* a leaves exactly at the window start: included (touching), clipped to one instant */
    assert_true(meet(&p, T0 + 7 * H, T0 + 8 * H, T0 + 7 * H, T0 + 8 * H, from, until, false, &ov));
    assert_int_equal(ov.minutes, 0);
    /* a leaves one second before: outside the window */
    assert_false(meet(&p, T0 + 7 * H, T0 + 8 * H - 1, T0 + 7 * H, T0 + 8 * H, from, until, false, &ov));
    /* a arrives exactly at the window end: included; one second later: not */
    assert_true(meet(&p, T0 + 12 * H, T0 + 13 * H, T0 + 11 * H, T0 + 13 * H, from, until, false, &ov));
    assert_false(meet(&p, T0 + 12 * H + 1, T0 + 13 * H, T0 + 11 * H, T0 + 13 * H, from, until, false, &ov));
    /* exposure before the window does not count: a 07:00-09:00, b 07:00-07:30 meet only before from */
    assert_false(meet(&p, T0 + 7 * H, T0 + 9 * H, T0 + 7 * H, T0 + 7 * H + 30 * M, from, until, false, &ov));
    /* overlap minutes counted inside the window only */
    assert_true(meet(&p, T0 + 7 * H, T0 + 9 * H, T0 + 7 * H, T0 + 9 * H, from, until, false, &ov));
    assert_int_equal(ov.minutes, 60);
    assert_int_equal(ov.at, from);
}

static void whole_day(void **state)
{
    (void)state;
    struct tracing_params p = strict();
    struct tracing_overlap ov;
    /* a market at 06:00-07:00; b at 20:00 the same local day: contact */
    assert_true(meet(&p, T0 + 6 * H, T0 + 7 * H, T0 + 20 * H, T0 + 21 * H, T0 - 5 * 86400, T0 + 5 * 86400, true, &ov));
    assert_int_equal(ov.minutes, 0);
    /* b at 00:00 the next local day: no contact; 23:59:59 the same day: contact */
    assert_false(meet(&p, T0 + 6 * H, T0 + 7 * H, T0 + 24 * H, T0 + 25 * H, T0 - 5 * 86400, T0 + 5 * 86400, true, &ov));
    assert_true(meet(&p, T0 + 6 * H, T0 + 7 * H, T0 + 24 * H - 1, T0 + 25 * H, T0 - 5 * 86400, T0 + 5 * 86400, true,
                     &ov));
    /* the local day is UTC+7: 23:30 UTC of the previous UTC date is 06:30 local, the same day */
    assert_int_equal(vn_day(T0 + 6 * H + 30 * M), vn_day(T0 - 30 * M + 24 * H));
    assert_int_equal(vn_day_start(vn_day(T0 + 13 * H)), T0);
    /* the same venue and times without the whole-day rule: no contact */
    assert_false(meet(&p, T0 + 6 * H, T0 + 7 * H, T0 + 20 * H, T0 + 21 * H, T0 - 5 * 86400, T0 + 5 * 86400, false,
                      &ov));
}

static void params_json(void **state)
{
    (void)state;
    struct tracing_params p;
    tracing_params_default(&p);
    struct fault f = {0};
    json_t *o = json_pack("{s:i, s:[s], s:i}", "slack_minutes", 10, "sources", "venue", "depth", 1);
    assert_int_equal(tracing_params_from_json(o, &p, &f), 0);
    assert_int_equal(p.slack, 600);
    assert_int_equal(p.depth, 1);
    assert_int_equal(p.sources, 1u << TRACING_SRC_VENUE);
    json_decref(o);
    o = json_pack("{s:i}", "depth", 3);
    assert_int_equal(tracing_params_from_json(o, &p, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "params.depth");
    json_decref(o);
    o = json_pack("{s:i, s:i}", "default_stay_minutes", 600, "max_stay_hours", 2);
    assert_int_equal(tracing_params_from_json(o, &p, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "params.default_stay_minutes");
    json_decref(o);
}

/* ---------------------------------------------------------------- the engine on a store */

static void engine_f1_f2(void **state)
{
    (void)state;
    char path[] = "/tmp/cordon-test-overlap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char url[64], err[128];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    struct store *s;
    assert_int_equal(store_open(url, &s, err, sizeof(err)), 0);
    assert_int_equal(migrate_apply(s, NULL), 0);
    /* persons 1..6: 1 is F0; 1 and 2 share a household; 3 meets 1 at a café; 4 meets 3 later (F2);
     * 5 was at the café an hour after 1 left (not a contact with 30 min slack); 6 at a market, same day */
    for (int i = 1; i <= 6; i++) {
        char code[16];
        snprintf(code, sizeof(code), "TESTP%05d", i);
        assert_int_equal(store_run(s, NULL,
                                   "INSERT INTO persons (id, code, household_id, created_at, updated_at)"
                                   " VALUES (?, ?, ?, 0, 0)",
                                   "isi", (int64_t)i, code, (int64_t)(i <= 2 ? 1 : i)),
                         0);
    }
    struct {
        int64_t venue, person, in, out;
    } rows[] = {
        {10, 1, T0 + 8 * H, T0 + 9 * H},           /* F0 at the café */
        {10, 3, T0 + 8 * H + 30 * M, T0 + 10 * H}, /* F1: 30 min overlap */
        {10, 5, T0 + 10 * H + 40 * M, T0 + 11 * H}, /* after 1 and 3 left, beyond the slack: no */
        {11, 3, T0 + 15 * H, 0},                   /* F1 elsewhere later, no check-out */
        {11, 4, T0 + 15 * H + 50 * M, T0 + 17 * H}, /* F2 through 3 */
        {12, 1, T0 + 6 * H, T0 + 6 * H + 20 * M},  /* F0 at the market early */
        {12, 6, T0 + 19 * H, T0 + 19 * H + 30 * M}, /* F1 by the whole-day rule */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char cid[16];
        snprintf(cid, sizeof(cid), "test%04zu", i);
        if (rows[i].out)
            assert_int_equal(store_run(s, NULL,
                                       "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at,"
                                       " checked_out_at, method) VALUES (?, ?, ?, ?, ?, 'poster')",
                                       "siiii", cid, rows[i].venue, rows[i].person, rows[i].in, rows[i].out),
                             0);
        else
            assert_int_equal(store_run(s, NULL,
                                       "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method)"
                                       " VALUES (?, ?, ?, ?, 'poster')",
                                       "siii", cid, rows[i].venue, rows[i].person, rows[i].in),
                             0);
    }
    /* venue types: the engine reads venues.type; venue 12 is a market */
    store_exec(s, "PRAGMA foreign_keys = OFF");
    assert_int_equal(store_run(s, NULL,
                               "INSERT INTO accounts (id, username, password_hash, full_name, role, unit_code,"
                               " created_at, updated_at) VALUES (1, 'o', 'x', 'o', 'venue_owner', 'VN', 0, 0)",
                               ""),
                     0);
    for (int v = 10; v <= 12; v++)
        assert_int_equal(store_run(s, NULL,
                                   "INSERT INTO venues (id, code, name, type, street, capacity, status,"
                                   " owner_account_id, province_code, district_code, commune_code, created_at,"
                                   " updated_at) VALUES (?, ?, 'v', ?, 's', 10, 'approved', 1, '01', '001', '00001',"
                                   " 0, 0)",
                                   "iss", (int64_t)v, v == 10 ? "VENUE010" : v == 11 ? "VENUE011" : "VENUE012",
                                   v == 12 ? "market" : "cafe"),
                         0);
    struct tracing_params p;
    tracing_params_default(&p);
    struct tracing_engine e;
    assert_int_equal(tracing_engine_load(s, &p, T0 - 86400, T0 + 2 * 86400, &e), 0);
    struct tracing_case c = {1, 1, T0, T0 + 18 * H};
    struct tracing_result r;
    tracing_result_init(&r);
    tracing_trace(&e, &c, &r);
    int degree[7] = {0};
    for (size_t i = 0; i < r.n; i++)
        degree[r.contacts[i].person] = r.contacts[i].degree;
    assert_int_equal(degree[2], 1); /* household */
    assert_int_equal(degree[3], 1); /* café */
    assert_int_equal(degree[6], 1); /* market, whole day */
    assert_int_equal(degree[5], 0); /* too late */
    assert_int_equal(degree[4], 2); /* through 3, at another venue later that day */
    for (size_t i = 0; i < r.n; i++)
        if (r.contacts[i].person == 3) {
            assert_int_equal(r.contacts[i].reasons[0].minutes, 30);
            assert_int_equal(r.contacts[i].reasons[0].venue_id, 10);
            assert_int_equal(r.contacts[i].first_at, T0 + 8 * H + 30 * M);
        } else if (r.contacts[i].person == 4) {
            assert_int_equal(r.contacts[i].through, 3);
        }
    assert_int_equal(r.nf1, 3);
    assert_int_equal(r.nf2, 1);
    /* depth 1: no F2 */
    e.params.depth = 1;
    tracing_trace(&e, &c, &r);
    assert_int_equal(r.nf1, 3);
    assert_int_equal(r.nf2, 0);
    tracing_result_free(&r);
    tracing_engine_release(&e);
    store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(touching_intervals), cmocka_unit_test(missing_checkout), cmocka_unit_test(slack_and_skew),
        cmocka_unit_test(window_boundaries),  cmocka_unit_test(whole_day),        cmocka_unit_test(params_json),
        cmocka_unit_test(engine_f1_f2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
