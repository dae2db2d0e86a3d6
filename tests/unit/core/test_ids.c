/* Unit tests of core/ids.c: CCCD, CMND, BHYT and date-of-birth checks at their edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonin.h"

/* 2026-11-22T12:00:00Z */
#define NOW 1795348800

static void cccd(void **state)
{
    (void)state;
    struct fault f;
    static const char *const good[] = {"001090012345", "096199999999", "079300000000", "001000000000"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(ids_check_cccd(good[i], "cccd", &f), 0);
    static const char *const bad[] = {
        "",              /* empty */
        "00109001234",   /* 11 digits */
        "0010900123456", /* 13 digits */
        "000090012345",  /* province 000 */
        "097090012345",  /* province 097 */
        "999090012345",  /* province 999 */
        "00109001234a",  /* a letter */
        "001 90012345",  /* a space */
        "-01090012345",  /* a sign */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fault_clear(&f);
        assert_int_equal(ids_check_cccd(bad[i], "cccd", &f), ERR_INVALID_FIELD);
        assert_string_equal(f.field, "cccd");
        assert_true(strlen(f.message) > 0);
    }
}

static void cmnd(void **state)
{
    (void)state;
    struct fault f;
    assert_int_equal(ids_check_cmnd("012345678", "cmnd", &f), 0);
    assert_int_equal(ids_check_cmnd("000000000", "cmnd", &f), 0);
    assert_int_equal(ids_check_cmnd("01234567", "cmnd", &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "cmnd");
    assert_int_equal(ids_check_cmnd("0123456789", "cmnd", &f), ERR_INVALID_FIELD);
    assert_int_equal(ids_check_cmnd("01234567x", "cmnd", &f), ERR_INVALID_FIELD);
    assert_int_equal(ids_check_cmnd("", "cmnd", &f), ERR_INVALID_FIELD);
}

static void bhyt(void **state)
{
    (void)state;
    struct fault f;
    char out[IDS_BHYT_LEN + 1];
    assert_int_equal(ids_check_bhyt("DN4010123456789", "bhyt", out, &f), 0);
    assert_string_equal(out, "DN4010123456789");
    assert_int_equal(ids_check_bhyt("hs1990000000000", "bhyt", out, &f), 0); /* lower case is upper-cased */
    assert_string_equal(out, "HS1990000000000");
    assert_int_equal(ids_check_bhyt("Te5010000000001", "bhyt", out, &f), 0);
    assert_string_equal(out, "TE5010000000001");
    static const char *const bad[] = {
        "DN401012345678",   /* 14 characters */
        "DN40101234567890", /* 16 characters */
        "DN0010123456789",  /* benefit level 0 */
        "DN6010123456789",  /* benefit level 6 */
        "DN4000123456789",  /* province 00 */
        "D14010123456789",  /* a digit among the letters */
        "1N4010123456789",
        "DN401012345678X",  /* a letter among the digits */
        "ĐN401012345678",   /* a non-ASCII letter */
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fault_clear(&f);
        assert_int_equal(ids_check_bhyt(bad[i], "bhyt", out, &f), ERR_INVALID_FIELD);
        assert_string_equal(f.field, "bhyt");
    }
}

static void date_of_birth(void **state)
{
    (void)state;
    struct fault f;
    static const char *const good[] = {"1900-01-01", "1990-04-30", "2000-02-29", "2024-02-29", "2026-11-22",
                                       "1999-12-31"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(ids_check_date_of_birth(good[i], NOW, "date_of_birth", &f), 0);
    static const char *const bad[] = {
        "1899-12-31", /* before 1900 */
        "2026-11-23", /* tomorrow */
        "2030-01-01", /* future */
        "1900-02-29", /* 1900 was not a leap year */
        "2023-02-29",
        "1990-04-31",
        "1990-13-01",
        "1990-00-10",
        "1990-01-00",
        "1990-1-01",  /* shape */
        "1990/01/01",
        "19900101",
        "1990-01-011",
        "abcd-ef-gh",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fault_clear(&f);
        assert_int_equal(ids_check_date_of_birth(bad[i], NOW, "date_of_birth", &f), ERR_INVALID_FIELD);
        assert_string_equal(f.field, "date_of_birth");
    }
}

/* One rule for every domain's client ids. */
static void client_id_format(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        int ok;
    } cases[] = {
        {"abcdefgh", 1},
        {"3f2b8c1e-9a4d-4e6f-b1c2-0d9e8f7a6b5c", 1},
        {"A_b-9_Z-", 1},
        {"0123456789012345678901234567890123456789012345678901234567890123", 1},  /* 64 */
        {"abcdefg", 0},                                                           /* 7 */
        {"01234567890123456789012345678901234567890123456789012345678901234", 0}, /* 65 */
        {"abc defgh", 0},
        {"abc.defgh", 0},
        {"abcdefgh/", 0},
        {"abcdéfgh", 0},
        {"", 0},
        {NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fault f = {0};
        int rc = client_id_check(cases[i].id, "client_id", &f);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, ERR_INVALID_FIELD);
            assert_string_equal(f.field, "client_id");
            assert_non_null(strstr(f.message, "8-64"));
        }
    }
}

/* Handlers read client ids through jsonin_client_id: presence, type and the rule, naming the field. */
static void client_id_from_json(void **state)
{
    (void)state;
    json_t *body =
        json_pack("{s:s,s:s,s:i,s:s}", "ok", "3f2b8c1e-9a4d", "short", "abc", "num", 12345678, "long",
                  "0123456789012345678901234567890123456789012345678901234567890123456789");
    const char *out = "x";
    struct fault f = {0};
    assert_int_equal(jsonin_client_id(body, "ok", true, &out, &f), 0);
    assert_string_equal(out, "3f2b8c1e-9a4d");
    assert_int_equal(jsonin_client_id(body, "absent", false, &out, &f), 0);
    assert_null(out);
    assert_int_equal(jsonin_client_id(body, "absent", true, &out, &f), ERR_MISSING_FIELD);
    assert_string_equal(f.field, "absent");
    assert_int_equal(jsonin_client_id(body, "short", true, &out, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "short");
    assert_null(out);
    assert_int_equal(jsonin_client_id(body, "num", true, &out, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "num");
    assert_int_equal(jsonin_client_id(body, "long", true, &out, &f), ERR_INVALID_FIELD);
    assert_non_null(strstr(f.message, "8-64"));
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cccd),
        cmocka_unit_test(cmnd),
        cmocka_unit_test(bhyt),
        cmocka_unit_test(date_of_birth),
        cmocka_unit_test(client_id_format),
        cmocka_unit_test(client_id_from_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
