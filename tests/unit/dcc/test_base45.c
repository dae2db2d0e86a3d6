/*
 * Unit tests of dcc/base45: RFC 9285 vectors both ways, and the strict
 * decoder refusing bad characters, dangling characters and oversized groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dcc/base45.h"

static const struct {
    const char *bytes, *text;
} vectors[] = {
    {"AB", "BB8"},
    {"Hello!!", "%69 VD92EX0"},
    {"base-45", "UJCLQE7W581"},
    {"ietf!", "QED8WEX0"},
    {"", ""},
    {"\x00", "00"},
    {"\xff\xff", "FGW"},
};

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        size_t n = strlen(vectors[i].bytes);
        if (i == 5)
            n = 1;
        char text[64];
        base45_encode((const uint8_t *)vectors[i].bytes, n, text);
        assert_string_equal(text, vectors[i].text);
        assert_int_equal(strlen(text), BASE45_ENCODED_LEN(n));
        uint8_t back[64];
        size_t len = 99;
        assert_int_equal(base45_decode(text, strlen(text), back, &len, NULL), 0);
        assert_int_equal(len, n);
        assert_memory_equal(back, vectors[i].bytes, n);
    }
}

static void test_round_trip_all_pairs(void **state)
{
    (void)state;
    uint8_t in[2], out[4];
    char text[8];
    for (unsigned v = 0; v <= 0xffff; v++) {
        in[0] = (uint8_t)(v >> 8);
        in[1] = (uint8_t)v;
        base45_encode(in, 2, text);
        size_t len;
        assert_int_equal(base45_decode(text, 3, out, &len, NULL), 0);
        assert_int_equal(len, 2);
        assert_memory_equal(out, in, 2);
    }
}

static void test_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t bad_at;
    } bad[] = {
        {"GGW", 0},      /* 65536: one more than two bytes hold */
        {":::", 0},      /* 44 + 44*45 + 44*2025 */
        {"BB8A", 3},     /* a dangling single character */
        {"A", 0},        /* a lone character and nothing else */
        {"BB8AAA0", 6},  /* one character after whole groups */
        {"BB8AAA ", 6},  /* even a space, which is in the alphabet */
        {"bb8", 0},      /* lower case is not in the alphabet */
        {"BB8B\n8", 4},  /* newline */
        {"QED8W:", 3},   /* final pair over 255 */
        {"QED8W\xc3", 5} /* non-ASCII */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t out[16];
        size_t len, at = 999;
        assert_int_equal(base45_decode(bad[i].text, strlen(bad[i].text), out, &len, &at), -1);
        assert_int_equal(at, bad[i].bad_at);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_round_trip_all_pairs),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
