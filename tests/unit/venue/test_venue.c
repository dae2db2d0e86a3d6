/* Unit tests of venue/venue.c: venue types, visitor-log days (Vietnam time), phone masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "venue/venue_int.h"

static void types(void **state)
{
    (void)state;
    assert_true(venue__type_valid("restaurant"));
    assert_true(venue__type_valid("other"));
    assert_false(venue__type_valid("Restaurant"));
    assert_false(venue__type_valid(""));
    int n = 0;
    while (venue__types[n])
        n++;
    assert_int_equal(n, 14);
}

static void days_are_vietnam_days(void **state)
{
    (void)state;
    int64_t t;
    /* 2021-09-01 00:00 in Hà Nội is 2021-08-31 17:00 UTC */
    assert_int_equal(venue__parse_day("2021-09-01", &t), 0);
    assert_int_equal(t, 1630454400 - 7 * 3600); /* 1630454400: 2021-09-01 00:00 UTC */
    assert_int_equal(venue__parse_day("2024-02-29", &t), 0);
    assert_int_equal(venue__parse_day("2000-02-29", &t), 0);
    assert_int_equal(venue__parse_day("2100-02-29", &t), -1);
    assert_int_equal(venue__parse_day("2021-02-29", &t), -1);
    assert_int_equal(venue__parse_day("2021-04-31", &t), -1);
    assert_int_equal(venue__parse_day("2021-13-01", &t), -1);
    assert_int_equal(venue__parse_day("2021-00-10", &t), -1);
    assert_int_equal(venue__parse_day("2021-9-1", &t), -1);
    assert_int_equal(venue__parse_day("2021-09-01x", &t), -1);
    assert_int_equal(venue__parse_day("2021/09/01", &t), -1);
    assert_int_equal(venue__parse_day("+021-09-01", &t), -1);
    assert_int_equal(venue__parse_day(NULL, &t), -1);
}

static void phones_are_masked(void **state)
{
    (void)state;
    char out[16];
    venue__mask_phone("0912345678", out);
    assert_string_equal(out, "0912***678");
    venue__mask_phone("", out);
    assert_string_equal(out, "");
    venue__mask_phone(NULL, out);
    assert_string_equal(out, "");
    venue__mask_phone("12345", out);
    assert_string_equal(out, "***");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(types),
        cmocka_unit_test(days_are_vietnam_days),
        cmocka_unit_test(phones_are_masked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
