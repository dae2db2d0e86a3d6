/* Unit tests of core/text.c: UTF-8 validation and the Vietnamese search fold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/text.h"

static void fold_removes_diacritics(void **state)
{
    (void)state;
    char out[128];
    text_fold("Tỉnh Đắk Lắk", out, sizeof(out));
    assert_string_equal(out, "tinh dak lak");
    text_fold("  Thành phố   Hồ Chí Minh ", out, sizeof(out));
    assert_string_equal(out, "thanh pho ho chi minh");
    text_fold("Phường Phúc Xá", out, sizeof(out));
    assert_string_equal(out, "phuong phuc xa");
    text_fold("Bà Rịa - Vũng Tàu", out, sizeof(out));
    assert_string_equal(out, "ba ria vung tau");
    text_fold("ỨNG HÒA", out, sizeof(out));
    assert_string_equal(out, "ung hoa");
}

static void fold_truncates_safely(void **state)
{
    (void)state;
    char out[5];
    text_fold("Hà Nội", out, sizeof(out));
    assert_string_equal(out, "ha n");
}

static void utf8_validation(void **state)
{
    (void)state;
    assert_true(text_utf8_valid("Hà Nội", strlen("Hà Nội")));
    assert_false(text_utf8_valid("\xc3\x28", 2));         /* bad continuation */
    assert_false(text_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(text_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(text_utf8_valid("a\0b", 3));             /* NUL */
    assert_false(text_utf8_valid("\xe1\xba", 2));         /* truncated */
    assert_int_equal(text_utf8_length("Hà Nội"), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_removes_diacritics),
        cmocka_unit_test(fold_truncates_safely),
        cmocka_unit_test(utf8_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
