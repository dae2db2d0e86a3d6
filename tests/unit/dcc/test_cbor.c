/*
 * Unit tests of dcc/cbor: RFC 8949 appendix A encodings, decoding of
 * definite and indefinite items, JSON round trips, and hostile input (deep
 * nesting, lengths larger than the input, reserved encodings, bad UTF-8,
 * random and mutated bytes) refused without crashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcc/cbor.h"

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void assert_bytes(const struct cbor_buf *b, const char *hex)
{
    uint8_t want[256];
    size_t n = unhex(hex, want);
    assert_false(b->failed);
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void test_encode_integers(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        const char *hex;
    } v[] = {{0, "00"},
             {23, "17"},
             {24, "1818"},
             {255, "18ff"},
             {256, "190100"},
             {65535, "19ffff"},
             {65536, "1a00010000"},
             {1000000, "1a000f4240"},
             {1000000000000, "1b000000e8d4a51000"},
             {-1, "20"},
             {-24, "37"},
             {-25, "3818"},
             {-260, "390103"},
             {-1000, "3903e7"},
             {INT64_MIN, "3b7fffffffffffffff"}};
    struct cbor_buf b;
    cbor_buf_init(&b, 64);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        cbor_buf_reset(&b);
        cbor_put_int(&b, v[i].v);
        assert_bytes(&b, v[i].hex);
    }
    cbor_buf_release(&b);
}

static void test_encode_other(void **state)
{
    (void)state;
    struct cbor_buf b;
    cbor_buf_init(&b, 256);
    cbor_put_text(&b, "IETF", 4);
    cbor_put_bytes(&b, "\x01\x02\x03\x04", 4);
    cbor_put_tag(&b, 18);
    cbor_put_array(&b, 0);
    cbor_put_map(&b, 0);
    cbor_put_bool(&b, true);
    cbor_put_bool(&b, false);
    cbor_put_null(&b);
    cbor_put_double(&b, 1.5);
    cbor_put_double(&b, 1.1);
    assert_bytes(&b, "6449455446" "4401020304" "d2" "80" "a0" "f5" "f4" "f6" "fa3fc00000" "fb3ff199999999999a");
    cbor_buf_release(&b);
}

static void test_buffer_ceiling(void **state)
{
    (void)state;
    struct cbor_buf b;
    cbor_buf_init(&b, 8);
    cbor_put_text(&b, "abcdefghij", 10);
    assert_true(b.failed);
    cbor_buf_release(&b);
}

static void test_decode_definite_and_indefinite(void **state)
{
    (void)state;
    uint8_t in[128];
    struct cbor_item *it;
    char err[128];
    /* {_ "a": 1, "b": [_ 2, 3]} */
    size_t n = unhex("bf61610161629f0203ffff", in);
    assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), 0);
    assert_int_equal(it->type, CBOR_MAP);
    assert_int_equal(it->n, 2);
    const struct cbor_item *b = cbor_map_get_text(it, "b");
    assert_non_null(b);
    assert_int_equal(b->type, CBOR_ARRAY);
    assert_int_equal(b->n, 2);
    int64_t v;
    assert_true(cbor_get_int(&b->items[1], &v));
    assert_int_equal(v, 3);
    cbor_free(it);
    /* (_ "strea", "ming") */
    n = unhex("7f657374726561646d696e67ff", in);
    assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), 0);
    assert_int_equal(it->type, CBOR_TEXT);
    assert_int_equal(it->len, 9);
    assert_memory_equal(it->data, "streaming", 9);
    cbor_free(it);
    /* half floats: 1.0, -4.0, 65504.0, 5.960464477539063e-8 */
    n = unhex("84f93c00f9c400f97bfff90001", in);
    assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), 0);
    assert_true(it->items[0].f == 1.0 && it->items[1].f == -4.0 && it->items[2].f == 65504.0);
    assert_true(it->items[3].f > 5.96e-8 && it->items[3].f < 5.97e-8);
    cbor_free(it);
    /* non-shortest heads are accepted: 0x1b 00..01 is 1 */
    n = unhex("1b0000000000000001", in);
    assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), 0);
    assert_true(cbor_get_int(it, &v) && v == 1);
    cbor_free(it);
    /* negative -260 as a map key */
    n = unhex("a1390103a10102", in);
    assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), 0);
    assert_non_null(cbor_map_get_int(cbor_map_get_int(it, -260), 1));
    cbor_free(it);
}

static void test_decode_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",                   /* nothing */
        "18",                 /* truncated argument */
        "62616",              /* truncated string (odd hex: 1 byte of 2) */
        "0000",               /* trailing byte */
        "1c",                 /* reserved additional information 28 */
        "1f",                 /* indefinite unsigned integer */
        "ff",                 /* stray break */
        "9fff00ff",           /* break then trailing */
        "5f4101610aff",       /* text chunk in a byte string */
        "7f5f4101ffff",       /* nested indefinite chunk */
        "62c328",             /* invalid UTF-8 */
        "63eda080",           /* UTF-16 surrogate in UTF-8 */
        "62c0af",             /* overlong UTF-8 */
        "9b7fffffffffffffff", /* array count far beyond the input */
        "bb7fffffffffffffff", /* map count far beyond the input */
        "5b7fffffffffffffff", /* byte string length far beyond the input */
        "bf6161ff",           /* break after a map key */
        "a1616101a1",         /* truncated nested map */
        "f800",               /* two-byte simple value below 32 */
        "df00",               /* indefinite tag */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t in[64];
        size_t n = unhex(bad[i], in);
        struct cbor_item *it = (void *)1;
        char err[128] = "";
        assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), -1);
        assert_null(it);
        assert_true(err[0] != '\0');
    }
}

static void test_depth_and_item_limits(void **state)
{
    (void)state;
    uint8_t in[CBOR_MAX_ITEMS + 16];
    struct cbor_item *it;
    char err[128];
    /* [[[...0...]]] one level deeper than allowed, then exactly at the limit */
    memset(in, 0x81, CBOR_MAX_DEPTH);
    in[CBOR_MAX_DEPTH] = 0x00;
    assert_int_equal(cbor_decode(in, CBOR_MAX_DEPTH + 1, &it, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "nested"));
    assert_int_equal(cbor_decode(in + 1, CBOR_MAX_DEPTH, &it, err, sizeof(err)), 0);
    cbor_free(it);
    /* 10000 nested tags: refused at the depth limit, no stack overflow */
    uint8_t *deep = malloc(20001);
    for (int i = 0; i < 20000; i += 2) {
        deep[i] = 0xc1;
        deep[i + 1] = 0x9f;
    }
    deep[20000] = 0;
    assert_int_equal(cbor_decode(deep, 20001, &it, err, sizeof(err)), -1);
    free(deep);
    /* an indefinite array with more items than allowed */
    in[0] = 0x9f;
    memset(in + 1, 0x00, CBOR_MAX_ITEMS + 1);
    in[CBOR_MAX_ITEMS + 2] = 0xff;
    assert_int_equal(cbor_decode(in, CBOR_MAX_ITEMS + 3, &it, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "items"));
}

static void test_json_round_trip(void **state)
{
    (void)state;
    json_error_t je;
    json_t *j = json_loads("{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"Nguy\xe1\xbb\x85n\",\"gn\":\"An\"},"
                           "\"v\":[{\"dn\":2,\"sd\":2,\"x\":1.5,\"t\":true,\"f\":false,\"n\":null,\"big\":-9000000000}]}",
                           0, &je);
    assert_non_null(j);
    struct cbor_buf b;
    cbor_buf_init(&b, 1024);
    assert_int_equal(cbor_put_json(&b, j), 0);
    struct cbor_item *it;
    char err[128];
    assert_int_equal(cbor_decode(b.data, b.len, &it, err, sizeof(err)), 0);
    json_t *back;
    assert_int_equal(cbor_to_json(it, &back, err, sizeof(err)), 0);
    assert_true(json_equal(j, back));
    json_decref(back);
    cbor_free(it);
    cbor_buf_release(&b);
    json_decref(j);
}

static void test_to_json_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        "a10102",             /* integer key */
        "a2616101616102",     /* duplicate key */
        "a263610062016361006302", /* keys "a\0b" and "a\0c": a NUL would make them one */
        "4100",               /* byte string */
        "f7",                 /* undefined */
        "1bffffffffffffffff", /* beyond int64 */
        "f97e00",             /* NaN */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t in[32];
        size_t n = unhex(bad[i], in);
        struct cbor_item *it;
        char err[128];
        assert_int_equal(cbor_decode(in, n, &it, err, sizeof(err)), 0);
        json_t *j = (void *)1;
        assert_int_equal(cbor_to_json(it, &j, err, sizeof(err)), -1);
        assert_null(j);
        cbor_free(it);
    }
}

/* Random bytes and mutations of a valid document: never a crash (ASan watches). */
static void test_fuzz(void **state)
{
    (void)state;
    uint8_t seed[] = {0xbf, 0x63, 'v', 'e', 'r', 0x65, '1', '.', '0', '.', '0', 0x61, 'v', 0x81, 0xa2, 0x62,
                      'd',  'n',  0x01, 0x62, 'c', 'o', 0x7f, 0x61, 'V', 0x61, 'N', 0xff, 0xff};
    uint8_t buf[64];
    unsigned x = 12345;
    for (int round = 0; round < 200000; round++) {
        size_t n;
        if (round % 2) {
            n = sizeof(seed);
            memcpy(buf, seed, n);
            for (int k = 0; k < 3; k++) {
                x = x * 1103515245 + 12345;
                buf[(x >> 8) % n] = (uint8_t)(x >> 20);
            }
            x = x * 1103515245 + 12345;
            n -= (x >> 16) % 4;
        } else {
            x = x * 1103515245 + 12345;
            n = (x >> 16) % sizeof(buf);
            for (size_t k = 0; k < n; k++) {
                x = x * 1103515245 + 12345;
                buf[k] = (uint8_t)(x >> 16);
            }
        }
        struct cbor_item *it;
        char err[128];
        if (cbor_decode(buf, n, &it, err, sizeof(err)) == 0) {
            json_t *j;
            if (cbor_to_json(it, &j, err, sizeof(err)) == 0)
                json_decref(j);
            cbor_free(it);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_integers),
        cmocka_unit_test(test_encode_other),
        cmocka_unit_test(test_buffer_ceiling),
        cmocka_unit_test(test_decode_definite_and_indefinite),
        cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test(test_depth_and_item_limits),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_to_json_rejects),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
