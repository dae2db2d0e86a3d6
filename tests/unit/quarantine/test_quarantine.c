/*
 * Unit tests of the quarantine schedule (src/quarantine/quarantine.c): each
 * slot is its own window inside 07:00-21:00 local time; a check-in in the
 * night answers no slot (it once went to the first or the last), and the
 * next slot to open is today's first before 07:00 and tomorrow's from 21:00.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "quarantine/quarantine.h"

#define T0 1629997200 /* 2021-08-27 00:00 in Vietnam (UTC+7) */
#define H 3600
#define M 60

/* The windows with 3 a day: 07:00-11:40, 11:40-16:20, 16:20-21:00. */
static void three_windows(void **state)
{
    (void)state;
    int64_t s, e;
    int64_t day = vn_day(T0);
    quarantine_slot_of_day(3, day, 0, &s, &e);
    assert_int_equal(s, T0 + 7 * H);
    assert_int_equal(e, T0 + 11 * H + 40 * M);
    quarantine_slot_of_day(3, day, 1, &s, &e);
    assert_int_equal(s, T0 + 11 * H + 40 * M);
    assert_int_equal(e, T0 + 16 * H + 20 * M);
    quarantine_slot_of_day(3, day, 2, &s, &e);
    assert_int_equal(s, T0 + 16 * H + 20 * M);
    assert_int_equal(e, T0 + 21 * H);
}

/* A check-in answers the slot whose window holds it, edges included on the left only. */
static void inside_a_window(void **state)
{
    (void)state;
    int64_t s, e;
    assert_true(quarantine_slot(3, T0 + 7 * H, &s, &e));
    assert_int_equal(s, T0 + 7 * H);
    assert_true(quarantine_slot(3, T0 + 11 * H + 39 * M, &s, &e));
    assert_int_equal(s, T0 + 7 * H);
    assert_true(quarantine_slot(3, T0 + 11 * H + 40 * M, &s, &e));
    assert_int_equal(s, T0 + 11 * H + 40 * M);
    assert_true(quarantine_slot(3, T0 + 21 * H - 1, &s, &e));
    assert_int_equal(s, T0 + 16 * H + 20 * M);
    assert_int_equal(e, T0 + 21 * H);
}

/* 00:40 does not count for 07:00-11:40, nor 21:00 or 23:59 for 16:20-21:00. */
static void night_answers_no_slot(void **state)
{
    (void)state;
    int64_t s, e;
    assert_false(quarantine_slot(3, T0 + 40 * M, &s, &e));
    assert_false(quarantine_slot(3, T0 + 7 * H - 1, &s, &e));
    assert_false(quarantine_slot(3, T0 + 21 * H, &s, &e));
    assert_false(quarantine_slot(3, T0 + 24 * H - 1, &s, &e));
    assert_false(quarantine_slot(1, T0, &s, &e));
}

/* A division that leaves seconds over gives them to the last slot, which still ends at 21:00. */
static void remainder_to_the_last(void **state)
{
    (void)state;
    int64_t s, e;
    int64_t day = vn_day(T0);
    quarantine_slot_of_day(11, day, 10, &s, &e); /* 14 h / 11 = 4581 s, 9 s over */
    assert_int_equal(e, T0 + 21 * H);
    assert_true(quarantine_slot(11, T0 + 21 * H - 5, &s, &e));
    assert_int_equal(s, T0 + 7 * H + 10 * ((14 * H) / 11));
}

static void next_slot(void **state)
{
    (void)state;
    int64_t s, e;
    quarantine_next_slot(3, T0 + 40 * M, &s, &e); /* the night before: today's first */
    assert_int_equal(s, T0 + 7 * H);
    assert_int_equal(e, T0 + 11 * H + 40 * M);
    quarantine_next_slot(3, T0 + 12 * H, &s, &e); /* in a window: that one */
    assert_int_equal(s, T0 + 11 * H + 40 * M);
    quarantine_next_slot(3, T0 + 22 * H, &s, &e); /* the evening: tomorrow's first */
    assert_int_equal(s, T0 + 24 * H + 7 * H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_windows),
        cmocka_unit_test(inside_a_window),
        cmocka_unit_test(night_answers_no_slot),
        cmocka_unit_test(remainder_to_the_last),
        cmocka_unit_test(next_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
