/*
 * Unit tests of unit_check (src/area/unit.c), the validator every route that takes a unit code
 * calls: an absent code (NULL, as http_param gives for a missing query parameter) or an empty one
 * is a missing field, a malformed one an invalid field, a well-formed unknown one the caller's
 * error, a known one found; on a migrated SQLite store with the units loaded.
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

#include "area/unit.h"
#include "core/err.h"
#include "store/migrate.h"
#include "store/store.h"
#include "support/store_fixture.h"

static int setup(void **state)
{
    return fixture_store_open(state, "area-unit", true);
}

static int teardown(void **state)
{
    return fixture_store_close(state);
}

static void absent_code_is_missing(void **state)
{
    (void)state;
    struct fault f = {0};
    const struct unit *u = NULL;
    assert_int_equal(unit_check(NULL, "unit", ERR_NOT_FOUND, &u, &f), ERR_MISSING_FIELD);
    assert_string_equal(f.field, "unit");
    assert_null(u);
    fault_clear(&f);
    assert_int_equal(unit_check("", "commune_code", ERR_INVALID_FIELD, &u, &f), ERR_MISSING_FIELD);
    assert_string_equal(f.field, "commune_code");
}

static void malformed_unknown_known(void **state)
{
    (void)state;
    struct fault f = {0};
    const struct unit *u = NULL;
    assert_int_equal(unit_check("1a", "unit", ERR_NOT_FOUND, &u, &f), ERR_INVALID_FIELD);
    assert_int_equal(unit_check("0001", "unit", ERR_NOT_FOUND, &u, &f), ERR_INVALID_FIELD);
    assert_int_equal(unit_check("99", "unit", ERR_NOT_FOUND, &u, &f), ERR_NOT_FOUND);
    assert_int_equal(unit_check("99", "unit", ERR_INVALID_FIELD, &u, &f), ERR_INVALID_FIELD);
    assert_null(u);
    assert_int_equal(unit_check("00001", "unit", ERR_NOT_FOUND, &u, &f), 0);
    assert_non_null(u);
    assert_string_equal(u->code, "00001");
    assert_int_equal(unit_check(UNIT_NATION, "unit", ERR_NOT_FOUND, &u, &f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(absent_code_is_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_unknown_known, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
