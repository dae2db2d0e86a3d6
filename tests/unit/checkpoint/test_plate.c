/* Vietnamese plates (checkpoint/plate.c): the forms officers type, one normalised form, and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checkpoint/checkpoint.h"

static void valid_plates(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"47A-123.45", "47A-123.45"},   /* Đắk Lắk car, new five-digit number */
        {"47a12345", "47A-123.45"},     /* typed without separators, lower case */
        {" 47A 123 45 ", "47A-123.45"}, /* spaces anywhere */
        {"30E-1234", "30E-1234"},       /* old four-digit number */
        {"29B1-456.78", "29B1-456.78"}, /* motorbike: letter and digit series */
        {"29-B1 456.78", "29B1-456.78"},/* as written on the plate, two lines */
        {"29B145678", "29B1-456.78"},   /* six digits after the letter: the first is the series */
        {"29-B1 1234", "29B1-1234"},    /* old motorbike plate: the separator says series */
        {"29B 112.34", "29B-112.34"},   /* the separator says number */
        {"51LD-012.34", "51LD-012.34"}, /* two series letters (a transport business) */
        {"99C-999.99", "99C-999.99"},
        {"11A-000.01", "11A-000.01"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[CHECKPOINT_PLATE_MAX];
        struct fault f = {0};
        assert_int_equal(checkpoint_plate_normalise(cases[i].in, "plate", out, &f), 0);
        assert_string_equal(out, cases[i].out);
    }
}

static void invalid_plates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",            /* nothing */
        "ABC-123.45",  /* no province number */
        "10A-123.45",  /* province numbers start at 11 */
        "0A-123.45",   /* one digit of province */
        "47-123.45",   /* no series */
        "47I-123.45",  /* I is not issued (like 1) */
        "47O-123.45",  /* O is not issued (like 0) */
        "47Q-123.45",
        "47A-123",     /* three digits */
        "47A-1234567", /* too many digits */
        "47A-12a.45",  /* a letter in the number */
        "47A_123.45",  /* a character that is not a separator */
        "47A-123.45!",
        "47ABC-123.45", /* three series letters */
        "biển số xe",  /* not ASCII */
        "47A-123.45 47A-123.45",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char out[CHECKPOINT_PLATE_MAX];
        struct fault f = {0};
        int rc = checkpoint_plate_normalise(bad[i], "vehicle.plate", out, &f);
        if (rc != ERR_INVALID_FIELD)
            fail_msg("\"%s\" was accepted (%d)", bad[i], rc);
        assert_string_equal(f.field, "vehicle.plate");
    }
    struct fault f = {0};
    char out[CHECKPOINT_PLATE_MAX];
    assert_int_equal(checkpoint_plate_normalise(NULL, "plate", out, &f), ERR_MISSING_FIELD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_plates),
        cmocka_unit_test(invalid_plates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
