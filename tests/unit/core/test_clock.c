/* The Việt Nam calendar of core/clock.h: local days, their starts, dates in and out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"

#define AUG_1_2021 18840 /* day number of 2021-08-01 */

static void local_days(void **state)
{
    (void)state;
    char d[11];
    /* 2021-07-19 23:59:59 in Hà Nội is 16:59:59 UTC; one second later it is the 20th. */
    assert_int_equal(vn_day(1626713999), 18827);
    assert_int_equal(vn_day(1626714000), 18828);
    vn_date_format(18827, d);
    assert_string_equal(d, "2021-07-19");
    vn_date_format(vn_day(1626714000), d);
    assert_string_equal(d, "2021-07-20");
    /* in Vietnamese text (an SMS) the day comes first; what is not a date is left as it is */
    vn_date_text("2021-07-20", d);
    assert_string_equal(d, "20/07/2021");
    vn_date_text("2021-02-30", d);
    assert_string_equal(d, "2021-02-30");
    vn_date_text(NULL, d);
    assert_string_equal(d, "");
    assert_int_equal(vn_day_start(18828), 1626714000);
    /* the UTC midnight of the 20th is 07:00 local, still the 20th */
    assert_int_equal(vn_day(18828 * 86400), 18828);
    /* the epoch itself was 07:00 on 1970-01-01 in Vietnam; 1969-12-31 17:00 UTC started that day */
    assert_int_equal(vn_day(0), 0);
    assert_int_equal(vn_day(-25200), 0);
    assert_int_equal(vn_day(-25201), -1);

    int64_t day;
    assert_true(vn_date_parse("2021-07-20", &day));
    assert_int_equal(day, 18828);
    assert_true(vn_date_parse("2020-02-29", &day));
    assert_int_equal(day, 18321);
    assert_true(vn_date_parse("1970-01-01", &day));
    assert_int_equal(day, 0);
    assert_true(vn_date_parse("2000-02-29", &day)); /* divisible by 400 */
    static const char *bad[] = {"2021-02-29", "1900-02-29", "2021-13-01", "2021-00-10", "2021-04-31", "2021-1-01",
                                "2021/01/01", "abcd-ef-gh", "1899-12-31", "3000-01-01", "2021-01-011", "", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(vn_date_parse(bad[i], &day));
    /* every day of four years round-trips */
    for (int64_t x = 18262; x < 18262 + 4 * 366; x++) {
        vn_date_format(x, d);
        assert_true(vn_date_parse(d, &day));
        assert_int_equal(day, x);
    }
}

static void parse_and_format(void **state)
{
    (void)state;
    int64_t day;
    char out[11];
    assert_true(vn_date_parse("1970-01-01", &day));
    assert_int_equal(day, 0);
    assert_true(vn_date_parse("2021-08-01", &day));
    assert_int_equal(day, AUG_1_2021);
    vn_date_format(day, out);
    assert_string_equal(out, "2021-08-01");
    assert_true(vn_date_parse("2024-02-29", &day)); /* leap year */
    vn_date_format(day, out);
    assert_string_equal(out, "2024-02-29");
    assert_true(vn_date_parse("2000-02-29", &day)); /* divisible by 400 */
    assert_false(vn_date_parse("2100-02-29", &day)); /* divisible by 100 only */
    assert_false(vn_date_parse("2021-02-29", &day));
    assert_false(vn_date_parse("2021-04-31", &day));
    assert_false(vn_date_parse("2021-13-01", &day));
    assert_false(vn_date_parse("2021-00-10", &day));
    assert_false(vn_date_parse("2021-01-00", &day));
    assert_false(vn_date_parse("2021-1-01", &day));
    assert_false(vn_date_parse("2021/01/01", &day));
    assert_false(vn_date_parse("2021-01-01T00", &day));
    assert_false(vn_date_parse("１９９０-01-01", &day));
    assert_false(vn_date_parse("", &day));
    /* The local day (UTC+7) turns at 17:00 UTC. */
    int64_t midnight_utc = (int64_t)AUG_1_2021 * 86400;
    assert_int_equal(vn_day(midnight_utc), AUG_1_2021);
    assert_int_equal(vn_day(midnight_utc + 17 * 3600 - 1), AUG_1_2021);
    assert_int_equal(vn_day(midnight_utc + 17 * 3600), AUG_1_2021 + 1);
    assert_int_equal(vn_day(midnight_utc - 7 * 3600), AUG_1_2021);
    assert_int_equal(vn_day(midnight_utc - 7 * 3600 - 1), AUG_1_2021 - 1);
}

/* A deadline lies the asked time ahead, its nanoseconds always below a second, across a carry. */
static void deadlines(void **state)
{
    (void)state;
    const int64_t asks[] = {0, 1, 999999, 1000000, 1500000, 250000, 86400LL * 1000000 + 7};
    for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
        struct timespec before, after;
        clock_gettime(CLOCK_REALTIME, &before);
        struct timespec d = clock_deadline_us(asks[i]);
        clock_gettime(CLOCK_REALTIME, &after);
        assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
        int64_t at = (int64_t)d.tv_sec * 1000000000 + d.tv_nsec;
        int64_t lo = (int64_t)before.tv_sec * 1000000000 + before.tv_nsec + asks[i] * 1000;
        int64_t hi = (int64_t)after.tv_sec * 1000000000 + after.tv_nsec + asks[i] * 1000;
        assert_true(at >= lo && at <= hi);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(local_days),
        cmocka_unit_test(parse_and_format),
        cmocka_unit_test(deadlines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
