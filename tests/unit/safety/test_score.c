/* The safety map's score and status (safety/score.c) with the checklist and levels of migration
 * 026, and core's photo and coordinate readers the map, checkpoints and feedback share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/jsonin.h"
#include "core/photo.h"
#include "safety/safety.h"

static struct safety_rules rules(void)
{
    struct safety_rules r = {.nchecks = 8, .min_safe = 80, .min_at_risk = 50};
    static const struct safety_check c[] = {{"distancing", 15},      {"masks", 15},           {"hand_washing", 10},
                                            {"checkin_qr_posted", 10}, {"staff_tested", 15},  {"staff_vaccinated", 15},
                                            {"ventilation", 10},      {"no_case_14_days", 10}};
    memcpy(r.checks, c, sizeof(c));
    return r;
}

static void score_and_status(void **state)
{
    (void)state;
    struct safety_rules r = rules();
    bool met[SAFETY_MAX_CHECKS] = {false};
    assert_int_equal(safety_score(&r, met), 0);
    assert_string_equal(safety_status(&r, 0), "unsafe");
    for (int i = 0; i < 8; i++)
        met[i] = true;
    assert_int_equal(safety_score(&r, met), 100);
    assert_string_equal(safety_status(&r, 100), "safe");
    met[0] = met[1] = false; /* no distancing, no masks: 70 */
    assert_int_equal(safety_score(&r, met), 70);
    assert_string_equal(safety_status(&r, 70), "at_risk");
    /* the edges belong to the higher level */
    assert_string_equal(safety_status(&r, 80), "safe");
    assert_string_equal(safety_status(&r, 79), "at_risk");
    assert_string_equal(safety_status(&r, 50), "at_risk");
    assert_string_equal(safety_status(&r, 49), "unsafe");
    /* weights that do not add up to 100 are scaled */
    struct safety_rules two = {.nchecks = 2, .min_safe = 80, .min_at_risk = 50};
    strcpy(two.checks[0].code, "a");
    two.checks[0].weight = 1;
    strcpy(two.checks[1].code, "b");
    two.checks[1].weight = 3;
    bool half[SAFETY_MAX_CHECKS] = {false, true};
    assert_int_equal(safety_score(&two, half), 75);
    struct safety_rules none = {.nchecks = 0};
    assert_int_equal(safety_score(&none, half), 0);
    assert_true(safety_status_valid("at_risk"));
    assert_false(safety_status_valid("green"));
    assert_false(safety_status_valid(NULL));
}

static void photos(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct fault f = {0};
    const char *type, *b64;
    /* a PNG's first bytes, as a data URL and plain */
    assert_int_equal(photo_read(&a, "data:image/png;base64,iVBORw0KGgoAAAA=", 1024, "photo", &type, &b64, &f), 0);
    assert_string_equal(type, "image/png");
    assert_int_equal(photo_read(&a, "/9j/4AAQ", 1024, "photo", &type, &b64, &f), 0);
    assert_string_equal(type, "image/jpeg");
    assert_string_equal(b64, "/9j/4AAQ");
    assert_int_equal(photo_read(&a, "R0lGODlh", 1024, "people[0].photo", &type, &b64, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "people[0].photo");
    assert_int_equal(photo_read(&a, "not base64!", 1024, "photo", &type, &b64, &f), ERR_INVALID_FIELD);
    assert_int_equal(photo_read(&a, "data:image/png,xyz", 1024, "photo", &type, &b64, &f), ERR_INVALID_FIELD);
    assert_int_equal(photo_read(&a, "iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAA", 8, "photo", &type, &b64, &f), ERR_TOO_LARGE);
    arena_release(&a);
}

static void coordinates(void **state)
{
    (void)state;
    struct fault f = {0};
    bool has;
    int64_t v = 7;
    json_t *o = json_pack("{s:f, s:s, s:f, s:n}", "lat", 21.0461, "lon", "east", "far", 200.0, "none");
    assert_int_equal(jsonin_coord(o, "lat", true, 90, &has, &v, &f), 0);
    assert_true(has);
    assert_int_equal(v, 21046100);
    assert_int_equal(jsonin_coord(o, "lon", false, 180, &has, &v, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "lon");
    assert_int_equal(jsonin_coord(o, "far", false, 180, &has, &v, &f), ERR_INVALID_FIELD);
    assert_int_equal(jsonin_coord(o, "none", false, 90, &has, &v, &f), 0);
    assert_false(has);
    assert_int_equal(jsonin_coord(o, "absent", true, 90, &has, &v, &f), ERR_MISSING_FIELD);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(score_and_status),
        cmocka_unit_test(photos),
        cmocka_unit_test(coordinates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
