/* Unit tests of core/validate.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/validate.h"

static void usernames(void **state)
{
    (void)state;
    struct fault f;
    assert_int_equal(validate_username("xa.phuc-xa_01", "username", &f), 0);
    assert_int_equal(validate_username("ab", "username", &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "username");
    assert_int_equal(validate_username("Admin", "username", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_username("a' OR 1=1", "username", &f), ERR_INVALID_FIELD);
}

static void person_names(void **state)
{
    (void)state;
    struct fault f;
    assert_int_equal(validate_person_name("Nguyễn Thị Ánh", "full_name", &f), 0);
    assert_int_equal(validate_person_name("O'Neil-Smith Jr.", "full_name", &f), 0);
    assert_int_equal(validate_person_name("<script>alert(1)</script>", "full_name", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_person_name("Robert'); DROP TABLE x;--", "full_name", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_person_name("---", "full_name", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_person_name("Ann\tLee", "full_name", &f), ERR_INVALID_FIELD);
}

static void phones(void **state)
{
    (void)state;
    struct fault f;
    char out[11];
    assert_int_equal(validate_phone("0912345678", "phone", out, &f), 0);
    assert_string_equal(out, "0912345678");
    assert_int_equal(validate_phone("+84912345678", "phone", out, &f), 0);
    assert_string_equal(out, "0912345678");
    /* +84 without the plus, as spreadsheets keep it */
    assert_int_equal(validate_phone("84912345678", "phone", out, &f), 0);
    assert_string_equal(out, "0912345678");
    assert_int_equal(validate_phone("84212345678", "phone", out, &f), ERR_INVALID_FIELD);  /* landline */
    assert_int_equal(validate_phone("8491234567", "phone", out, &f), ERR_INVALID_FIELD);   /* 8 digits */
    assert_int_equal(validate_phone("849123456789", "phone", out, &f), ERR_INVALID_FIELD); /* 10 digits */
    assert_int_equal(validate_phone("+8484912345678", "phone", out, &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_phone("0212345678", "phone", out, &f), ERR_INVALID_FIELD); /* landline prefix */
    assert_int_equal(validate_phone("091234567", "phone", out, &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_phone("09123456789", "phone", out, &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_phone("09123x5678", "phone", out, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "phone");
}

static void passwords(void **state)
{
    (void)state;
    struct fault f;
    assert_int_equal(validate_password("12345678", "password", &f), 0);
    assert_int_equal(validate_password("1234567", "password", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_password("mậtkhẩu1", "password", &f), 0); /* 8 characters, more bytes */
}

static void emails(void **state)
{
    (void)state;
    struct fault f;
    assert_int_equal(validate_email("can.bo@soyte.hanoi.gov.vn", "email", &f), 0);
    assert_int_equal(validate_email("a+tag_1@x-y.vn", "email", &f), 0);
    assert_int_equal(validate_email("a@b", "email", &f), ERR_INVALID_FIELD);          /* no dot in the domain */
    assert_int_equal(validate_email("@b.vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a@@b.vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a b@x.vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("<a@x.vn>", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a,b@x.vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a@-x.vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a@x-.vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a@x..vn", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("a@x.vn.", "email", &f), ERR_INVALID_FIELD);
    assert_int_equal(validate_email("ả@x.vn", "email", &f), ERR_INVALID_FIELD);       /* outside ASCII */
    assert_int_equal(validate_email("a@x_y.vn", "email", &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "email");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usernames),
        cmocka_unit_test(person_names),
        cmocka_unit_test(phones),
        cmocka_unit_test(passwords),
        cmocka_unit_test(emails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
