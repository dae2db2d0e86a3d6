/*
 * A case's infectious window (tracing_window) and the checks on the times a
 * tracer gives (tracing_window_check): where the window starts and ends with
 * each time known or not, and which field a refusal names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tracing/tracing.h"

#define T0 1629997200 /* 2021-08-27 00:00 in Vietnam (UTC+7) */
#define H 3600
#define D TRACING_DAY

static const struct tracing_policy policy = {
    .quarantine_days = 14, .place_kind = "home", .checkins_per_day = 3, .radius_m = 100,
    .grace_minutes = 60, .test_days = "1,7,14", .enabled = true, .window_days_before = 2,
    .window_max_days = 30,
};

static const struct tracing_case_fields names = {"onset", "sample_at", "isolated_at"};

static void window_of(struct tracing_case_times t, int64_t *from, int64_t *until)
{
    tracing_window(&t, policy.window_days_before, policy.window_max_days, from, until);
}

/* The start: onset, else the sample's collection, else the confirmation; minus the policy's days. */
static void start_from_what_is_known(void **state)
{
    (void)state;
    int64_t from, until;
    /* a case from a result: sampled at 09:00, result the next day at 15:00 */
    struct tracing_case_times lab = {.sample_at = T0 + 9 * H, .confirmed_at = T0 + D + 15 * H};
    window_of(lab, &from, &until);
    assert_int_equal(from, T0 + 9 * H - 2 * D);
    /* onset known: it wins over the sample */
    lab.onset = T0 - D;
    window_of(lab, &from, &until);
    assert_int_equal(from, T0 - 3 * D);
    /* neither: the confirmation */
    struct tracing_case_times bare = {.confirmed_at = T0 + 12 * H};
    window_of(bare, &from, &until);
    assert_int_equal(from, T0 + 12 * H - 2 * D);
}

/* The end: isolation, else the confirmation itself, never 00:00 of the test day. */
static void end_at_isolation_else_confirmation(void **state)
{
    (void)state;
    int64_t from, until;
    struct tracing_case_times t = {.sample_at = T0 + 9 * H, .confirmed_at = T0 + D + 15 * H};
    window_of(t, &from, &until);
    assert_int_equal(until, T0 + D + 15 * H);
    t.isolated_at = T0 + D + 18 * H;
    window_of(t, &from, &until);
    assert_int_equal(until, T0 + D + 18 * H);
    /* isolated before the sample (an F1 tested positive in quarantine): the window ends there */
    t.isolated_at = T0 - 12 * H;
    window_of(t, &from, &until);
    assert_int_equal(until, T0 - 12 * H);
    /* isolated before the start (stored before the checks): one instant, never negative */
    t.isolated_at = T0 - 5 * D;
    window_of(t, &from, &until);
    assert_int_equal(until, from);
}

/* A stored window longer than the policy keeps its end and loses its start. */
static void longer_than_the_policy_is_cut_at_the_start(void **state)
{
    (void)state;
    int64_t from, until;
    struct tracing_case_times t = {.onset = T0 - 40 * D, .confirmed_at = T0};
    window_of(t, &from, &until);
    assert_int_equal(until, T0);
    assert_int_equal(from, T0 - 30 * D);
    /* and never longer than TRACING_MAX_WINDOW, whatever the policy */
    t.onset = T0 - 70 * D;
    tracing_window(&t, 2, 0, &from, &until);
    assert_int_equal(until - from, TRACING_MAX_WINDOW);
}

static enum err check(struct tracing_case_times t, unsigned set, struct fault *f)
{
    fault_clear(f);
    return tracing_window_check(&t, &policy, &names, set, f);
}

static void checks_name_the_field(void **state)
{
    (void)state;
    struct fault f;
    struct tracing_case_times ok = {.sample_at = T0 + 9 * H, .confirmed_at = T0 + D + 15 * H};
    assert_int_equal(check(ok, 0, &f), ERR_OK);
    /* onset on the day of the result, before it: fine; one second after it: refused */
    struct tracing_case_times t = ok;
    t.onset = t.confirmed_at;
    assert_int_equal(check(t, TRACING_SET_ONSET, &f), ERR_OK);
    t.onset = t.confirmed_at + 1;
    assert_int_equal(check(t, TRACING_SET_ONSET, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "onset");
    /* a sample after its result */
    t = ok;
    t.sample_at = t.confirmed_at + 1;
    assert_int_equal(check(t, TRACING_SET_SAMPLE, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "sample_at");
    /* isolation at the window's start is fine, a second before is not */
    t = ok;
    t.isolated_at = ok.sample_at - 2 * D;
    assert_int_equal(check(t, TRACING_SET_ISOLATED, &f), ERR_OK);
    t.isolated_at--;
    assert_int_equal(check(t, TRACING_SET_ISOLATED, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "isolated_at");
    /* exactly the policy's 30 days: fine; a second more: refused, naming what the request set */
    t = ok;
    t.isolated_at = ok.sample_at - 2 * D + 30 * D;
    assert_int_equal(check(t, TRACING_SET_ISOLATED, &f), ERR_OK);
    t.isolated_at++;
    assert_int_equal(check(t, TRACING_SET_ISOLATED, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "isolated_at");
    t = ok;
    t.onset = ok.confirmed_at - 29 * D;
    assert_int_equal(check(t, TRACING_SET_ONSET, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "onset");
    /* the names are the request's: a case entered by date */
    static const struct tracing_case_fields dates = {"onset_date", "test_date", "isolated_date"};
    fault_clear(&f);
    assert_int_equal(tracing_window_check(&t, &policy, &dates, TRACING_SET_ONSET, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "onset_date");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(start_from_what_is_known),
        cmocka_unit_test(end_at_isolation_else_confirmation),
        cmocka_unit_test(longer_than_the_policy_is_cut_at_the_start),
        cmocka_unit_test(checks_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
