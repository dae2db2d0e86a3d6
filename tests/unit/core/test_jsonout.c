/*
 * Unit tests of core/jsonout.c: the bytes it writes are the bytes jansson
 * writes for the same values (compact), escapes, integers at both ends,
 * nesting and nulls among them; a buffer's ceiling is reported, not passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonout.h"

static const char *const strings[] = {
    "",
    "Nguyễn Văn A",
    "quote \" backslash \\ slash /",
    "\b\f\n\r\t",
    "\x01\x1f\x7f end",
    "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
};

static void same_bytes_as_jansson(void **state)
{
    (void)state;
    static const int64_t ints[] = {0, 1, -1, 42, 1733500000, INT64_MAX, INT64_MIN};
    json_t *want = json_object();
    json_t *list = json_array();
    struct buf b;
    buf_init(&b, 1 << 20);
    struct jsonout o;
    jsonout_start(&o, &b);
    jsonout_object(&o, NULL);
    jsonout_array(&o, "strings");
    for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++) {
        json_array_append_new(list, json_string(strings[i]));
        jsonout_str(&o, NULL, strings[i]);
    }
    jsonout_close_array(&o);
    json_object_set_new(want, "strings", list);
    jsonout_array(&o, "ints");
    list = json_array();
    for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
        json_array_append_new(list, json_integer(ints[i]));
        jsonout_int(&o, NULL, ints[i]);
    }
    jsonout_close_array(&o);
    json_object_set_new(want, "ints", list);
    jsonout_object(&o, "inner");
    jsonout_null(&o, "nothing");
    jsonout_str(&o, "absent", NULL);
    jsonout_array(&o, "empty");
    jsonout_close_array(&o);
    jsonout_object(&o, "none");
    jsonout_close_object(&o);
    jsonout_close_object(&o);
    jsonout_int_or_null(&o, "none_id", 0);
    jsonout_int_or_null(&o, "some_id", 5);
    jsonout_int(&o, "last", 7);
    jsonout_close_object(&o);
    assert_int_equal(jsonout_end(&o), 0);
    json_object_set_new(want, "inner",
                        json_pack("{s:n, s:n, s:[], s:{}}", "nothing", "absent", "empty", "none"));
    json_object_set_new(want, "none_id", json_null());
    json_object_set_new(want, "some_id", json_integer(5));
    json_object_set_new(want, "last", json_integer(7));
    char *text = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(b.data, text);
    /* and jansson reads it back as the same value */
    json_t *back = json_loads(b.data, 0, NULL);
    assert_non_null(back);
    assert_true(json_equal(back, want));
    json_decref(back);
    free(text);
    json_decref(want);
    buf_release(&b);
}

static void ceiling_is_reported(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    struct jsonout o;
    jsonout_start(&o, &b);
    jsonout_object(&o, NULL);
    jsonout_str(&o, "name", "longer than sixteen bytes");
    jsonout_close_object(&o);
    assert_int_equal(jsonout_end(&o), -1);
    assert_true(b.len <= 16);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_bytes_as_jansson),
        cmocka_unit_test(ceiling_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
