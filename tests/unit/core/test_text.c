/* Unit tests of core/text.c: UTF-8 validation, NFC and the Vietnamese search fold. */
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

/* Decomposed (NFD) names, as some phones and spreadsheets send them, come out precomposed. */
static void nfc_composes_vietnamese(void **state)
{
    (void)state;
    char out[128];
    assert_true(text_nfc("Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hu\xcc\x9bo\xcc\x9b\xcc\x80ng", out, sizeof(out)));
    assert_string_equal(out, "Nguyễn Thị Hường");
    assert_true(text_nfc("\xc4\x90" "a\xcc\xa3\xcc\x86ng Ngo\xcc\xa3" "c U\xcc\x9bo\xcc\x9b\xcc\x81" "c", out, sizeof(out)));
    assert_string_equal(out, "Đặng Ngọc Ước");
    assert_true(text_nfc("Pha\xcc\xa3m Quy\xcc\x80nh Anh", out, sizeof(out)));
    assert_string_equal(out, "Phạm Quỳnh Anh");
    assert_true(text_nfc("Le\xcd\x82 Tra\xcd\x80n", out, sizeof(out))); /* U+0342 is no tone: kept; U+0340 is grave */
    assert_string_equal(out, "Le\xcd\x82 Tràn");
}

static void nfc_orders_marks(void **state)
{
    (void)state;
    char out[32];
    assert_true(text_nfc("a\xcc\x82\xcc\xa3", out, sizeof(out))); /* circumflex before dot below */
    assert_string_equal(out, "ậ");
    assert_true(text_nfc("o\xcc\x81\xcc\x9b", out, sizeof(out))); /* acute before horn */
    assert_string_equal(out, "ớ");
    assert_true(text_nfc("\xc3\xb3\xcc\x9b", out, sizeof(out))); /* precomposed ó, then horn */
    assert_string_equal(out, "ớ");
}

static void nfc_keeps_other_text(void **state)
{
    (void)state;
    char out[32];
    assert_true(text_nfc("Hà Nội", out, sizeof(out)));
    assert_string_equal(out, "Hà Nội");
    assert_true(text_nfc("x\xcc\x81 \xe2\x82\xac", out, sizeof(out))); /* no precomposed x-acute; euro sign */
    assert_string_equal(out, "x\xcc\x81 \xe2\x82\xac");
    assert_true(text_nfc("\xcc\x81" "a", out, sizeof(out))); /* a mark with no letter before it */
    assert_string_equal(out, "\xcc\x81" "a");
    assert_false(text_nfc("Nguyễn", out, 4));
    assert_string_equal(out, "");
}

/* The fold of an NFD name equals the fold of its NFC form, so search finds both. */
static void fold_ignores_marks(void **state)
{
    (void)state;
    char out[64];
    text_fold("Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hu\xcc\x9bo\xcc\x9b\xcc\x80ng", out, sizeof(out));
    assert_string_equal(out, "nguyen thi huong");
}

static void utf8_prefix_keeps_characters_whole(void **state)
{
    (void)state;
    const char *s = "aế"; /* 'a', then three bytes */
    assert_int_equal(text_utf8_prefix(s, 4, 10), 4);
    assert_int_equal(text_utf8_prefix(s, 4, 4), 4);
    assert_int_equal(text_utf8_prefix(s, 4, 3), 1);
    assert_int_equal(text_utf8_prefix(s, 4, 2), 1);
    assert_int_equal(text_utf8_prefix(s, 4, 1), 1);
    assert_int_equal(text_utf8_prefix("ế", 3, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_removes_diacritics),
        cmocka_unit_test(fold_truncates_safely),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(nfc_composes_vietnamese),
        cmocka_unit_test(nfc_orders_marks),
        cmocka_unit_test(nfc_keeps_other_text),
        cmocka_unit_test(fold_ignores_marks),
        cmocka_unit_test(utf8_prefix_keeps_characters_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
