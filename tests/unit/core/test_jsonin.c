/*
 * jsonin's allocation: with jsonin_setup, the values jsonin_parse makes live in the request's
 * arena, while values made outside a parse (a field a handler adds, a response) come from the
 * heap and are freed as usual.  The sanitizer build checks that nothing leaks and nothing is
 * freed twice or read after its arena is gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/jsonin.h"

static int setup(void **state)
{
    (void)state;
    jsonin_setup();
    return 0;
}

static void parsed_values_live_in_the_arena(void **state)
{
    (void)state;
    struct arena a;
    struct fault f = {0};
    json_t *body = NULL;
    arena_init(&a);
    const char *text =
        "{\"client_id\": \"c-1\", \"nested\": {\"list\": [1, 2.5, \"ba\\u0300\", null, true]}}";
    assert_int_equal(jsonin_parse(&a, text, strlen(text), &body, &f), 0);
    assert_true(jsonin_parsed_memory(body));
    json_t *nested = json_object_get(body, "nested");
    json_t *list = json_object_get(nested, "list");
    assert_true(jsonin_parsed_memory(nested) && jsonin_parsed_memory(list));
    assert_true(jsonin_parsed_memory(json_string_value(json_object_get(body, "client_id"))));
    assert_string_equal(json_string_value(json_array_get(list, 2)), "ba\xcc\x80");
    assert_true(json_real_value(json_array_get(list, 1)) == 2.5);

    /* a value a handler adds afterwards comes from the heap and is freed with the object */
    json_t *added = json_integer(7);
    assert_false(jsonin_parsed_memory(added));
    json_object_set_new(body, "added", added);
    for (int i = 0; i < 64; i++) { /* grows the object's table: the arena's old table is let go */
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        json_object_set_new(nested, key, json_string(key));
    }
    assert_int_equal(json_integer_value(json_object_get(body, "added")), 7);
    /* the request's arena grows on (a batch's rows): parsed values are still told apart, and a
     * parsed field removed is left to the arena */
    for (int i = 0; i < 20; i++)
        (void)arena_alloc(&a, 20000);
    assert_true(jsonin_parsed_memory(json_object_get(body, "client_id")));
    assert_false(jsonin_parsed_memory(arena_alloc(&a, 16)));
    assert_int_equal(json_object_del(body, "client_id"), 0);
    assert_string_equal(json_string_value(json_object_get(nested, "k63")), "k63");
    void *parsed = body;
    arena_release(&a); /* decrefs the body: heap parts freed, arena parts with their blocks */
    assert_false(jsonin_parsed_memory(parsed)); /* the thread no longer counts it as parsed memory */
}

static void values_outside_a_parse_use_the_heap(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    (void)arena_alloc(&a, 1); /* the arena has a block, which a heap value must not be in */
    json_t *v = json_pack("{s:s, s:[i, i]}", "a", "b", "c", 1, 2);
    assert_non_null(v);
    assert_false(jsonin_parsed_memory(v));
    char *text = json_dumps(v, JSON_COMPACT); /* jansson's text is free()-able as ever */
    assert_string_equal(text, "{\"a\":\"b\",\"c\":[1,2]}");
    free(text);
    json_decref(v);
    arena_release(&a);
}

static void a_failed_parse_leaves_nothing_behind(void **state)
{
    (void)state;
    const char *bad[] = {"{\"a\": [1, 2, {\"b\": \"c\"", "{\"a\": 1, \"a\": 2}", "[1, 2]",
                         "{\"s\": \"\\ud800\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct arena a;
        struct fault f = {0};
        json_t *body = NULL;
        arena_init(&a);
        assert_int_equal(jsonin_parse(&a, bad[i], strlen(bad[i]), &body, &f), ERR_INVALID_JSON);
        arena_release(&a);
    }
}

/* More parses at once than a thread remembers: the rest parse on the heap, and all are freed. */
static void many_parses_at_once(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    json_t *first = NULL, *last = NULL;
    for (int i = 0; i < 70; i++) {
        struct fault f = {0};
        json_t *body = NULL;
        assert_int_equal(jsonin_parse(&a, "{\"n\": [1, 2, 3]}", 16, &body, &f), 0);
        if (!first)
            first = body;
        last = body;
    }
    assert_true(jsonin_parsed_memory(first));
    assert_false(jsonin_parsed_memory(last));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(last, "n"), 2)), 3);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parsed_values_live_in_the_arena),
        cmocka_unit_test(values_outside_a_parse_use_the_heap),
        cmocka_unit_test(a_failed_parse_leaves_nothing_behind),
        cmocka_unit_test(many_parses_at_once),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
