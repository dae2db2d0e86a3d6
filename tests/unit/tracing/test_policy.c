/* The tracing policy's rules (tracing_policy_apply): a subset of fields changes only those fields,
 * and a bad value is refused naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tracing/tracing.h"

static const struct tracing_policy national = {
    .quarantine_days = 14, .place_kind = "home", .checkins_per_day = 3, .radius_m = 100,
    .grace_minutes = 60, .test_days = "1,7,14", .enabled = true, .window_days_before = 2,
    .window_max_days = 30,
};

static enum err apply(const char *json, struct tracing_policy *p, struct fault *f)
{
    json_t *body = json_loads(json, 0, NULL);
    assert_non_null(body);
    *p = national;
    fault_clear(f);
    enum err rc = tracing_policy_apply(body, p, f);
    json_decref(body);
    return rc;
}

static void subset_changes_only_itself(void **state)
{
    (void)state;
    struct tracing_policy p;
    struct fault f;
    assert_int_equal(apply("{\"radius_m\": 150, \"test_days\": [1, 5], \"enabled\": false}", &p, &f), ERR_OK);
    assert_int_equal(p.radius_m, 150);
    assert_string_equal(p.test_days, "1,5");
    assert_false(p.enabled);
    assert_int_equal(p.quarantine_days, 14);
    assert_string_equal(p.place_kind, "home");
    assert_int_equal(apply("{\"window_days_before\": 14, \"window_max_days\": 15}", &p, &f), ERR_OK);
    assert_int_equal(p.window_days_before, 14);
    assert_int_equal(p.window_max_days, 15);
    assert_int_equal(apply("{}", &p, &f), ERR_OK);
    assert_int_equal(p.radius_m, national.radius_m);
    assert_string_equal(p.test_days, national.test_days);
    assert_true(p.enabled);
    assert_int_equal(p.checkins_per_day, national.checkins_per_day);
}

static void bad_values_name_their_field(void **state)
{
    (void)state;
    static const struct {
        const char *json, *field;
    } bad[] = {
        {"{\"radius_m\": 1}", "radius_m"},
        {"{\"quarantine_days\": 61}", "quarantine_days"},
        {"{\"place_kind\": \"hotel\"}", "place_kind"},
        {"{\"test_days\": [0]}", "test_days"},
        {"{\"test_days\": \"1,7\"}", "test_days"},
        {"{\"test_days\": [1,2,3,4,5,6,7,8,9,10,11]}", "test_days"},
        {"{\"enabled\": \"yes\"}", "enabled"},
        {"{\"window_max_days\": 61}", "window_max_days"},
        /* a window holds the days before onset and the day itself */
        {"{\"window_max_days\": 2}", "window_max_days"},
        {"{\"window_days_before\": 14, \"window_max_days\": 10}", "window_max_days"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tracing_policy p;
        struct fault f;
        assert_int_equal(apply(bad[i].json, &p, &f), ERR_INVALID_FIELD);
        assert_string_equal(f.field, bad[i].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(subset_changes_only_itself),
        cmocka_unit_test(bad_values_name_their_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
