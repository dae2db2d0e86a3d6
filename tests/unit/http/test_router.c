/* Unit tests of http/router.c: path parameters, method mismatch, edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/http.h"

static enum err h(struct http_req *r)
{
    (void)r;
    return ERR_OK;
}

static const struct http_route routes[] = {
    {"GET", "/api/v1/units/search", h, 0, 0},
    {"GET", "/api/v1/units/{code}", h, 0, 0},
    {"GET", "/api/v1/accounts/{id}", h, 1, 0},
    {"PATCH", "/api/v1/accounts/{id}", h, 1, 0},
    {"GET", "/api/v1/a/{x}/b/{y}", h, 0, 0},
};
#define N ((int)(sizeof(routes) / sizeof(routes[0])))

static int match(struct http_req *r, const char *method, const char *path, bool *mismatch)
{
    return http_route_match(routes, N, method, path, r, mismatch);
}

static void literal_before_parameter(void **state)
{
    (void)state;
    struct http_req r = {0};
    bool mm;
    arena_init(&r.arena);
    assert_int_equal(match(&r, "GET", "/api/v1/units/search", &mm), 0);
    assert_int_equal(match(&r, "GET", "/api/v1/units/01", &mm), 1);
    assert_string_equal(http_param(&r, "code"), "01");
    arena_release(&r.arena);
}

static void several_parameters(void **state)
{
    (void)state;
    struct http_req r = {0};
    bool mm;
    arena_init(&r.arena);
    assert_int_equal(match(&r, "GET", "/api/v1/a/one/b/two", &mm), 4);
    assert_string_equal(http_param(&r, "x"), "one");
    assert_string_equal(http_param(&r, "y"), "two");
    assert_null(http_param(&r, "z"));
    arena_release(&r.arena);
}

static void method_and_shape_mismatches(void **state)
{
    (void)state;
    struct http_req r = {0};
    bool mm;
    arena_init(&r.arena);
    assert_int_equal(match(&r, "DELETE", "/api/v1/accounts/7", &mm), -1);
    assert_true(mm);
    assert_int_equal(match(&r, "PATCH", "/api/v1/accounts/7", &mm), 3);
    assert_int_equal(match(&r, "GET", "/api/v1/accounts/", &mm), -1); /* empty segment */
    assert_false(mm);
    assert_int_equal(match(&r, "GET", "/api/v1/accounts/7/extra", &mm), -1);
    assert_int_equal(match(&r, "GET", "/api/v1/account/7", &mm), -1);
    assert_int_equal(match(&r, "GET", "/api/v1/units/search/", &mm), -1); /* a literal route, one slash more */
    assert_int_equal(match(&r, "GET", "/api/v1/units/search/x", &mm), -1);
    assert_int_equal(match(&r, "GET", "/api/v1/unit", &mm), -1);            /* a literal start, cut short */
    assert_int_equal(match(&r, "GET", "/api/v1/units", &mm), -1);
    assert_int_equal(match(&r, "HEAD", "/api/v1/units/01", &mm), 1); /* HEAD rides on GET */
    arena_release(&r.arena);
}

/* Path ids have one spelling: words are parameter errors, other spellings of a number name nothing. */
static void canonical_ids(void **state)
{
    (void)state;
    struct http_req r = {0};
    bool mm;
    int64_t id = 0;
    arena_init(&r.arena);
    static const struct {
        const char *path;
        int rc;
    } cases[] = {
        {"/api/v1/accounts/7", 0},           {"/api/v1/accounts/1234567890123", 0},
        {"/api/v1/accounts/07", ERR_NOT_FOUND}, {"/api/v1/accounts/007", ERR_NOT_FOUND},
        {"/api/v1/accounts/0", ERR_INVALID_FIELD}, {"/api/v1/accounts/abc", ERR_INVALID_FIELD},
        {"/api/v1/accounts/-1", ERR_INVALID_FIELD}, {"/api/v1/accounts/+1", ERR_INVALID_FIELD},
        {"/api/v1/accounts/ 1", ERR_INVALID_FIELD}, {"/api/v1/accounts/\t1", ERR_INVALID_FIELD},
        {"/api/v1/accounts/1\xff", ERR_INVALID_FIELD}, {"/api/v1/accounts/99999999999999999999", ERR_INVALID_FIELD},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(match(&r, "GET", cases[i].path, &mm), 2);
        r.fault.code = ERR_OK;
        assert_int_equal(http_param_id(&r, "id", &id), cases[i].rc);
    }
    assert_int_equal(match(&r, "GET", "/api/v1/accounts/7", &mm), 2);
    assert_int_equal(http_param_id(&r, "id", &id), 0);
    assert_int_equal(id, 7);
    arena_release(&r.arena);
}

/* A query integer is an optional minus and digits: "?limit=%205" is not 5 (found by fuzzing). */
static void query_integers_are_digits(void **state)
{
    (void)state;
    static const char *const bad[] = {" 5", "\t5", "\n-5", "+5", "5 ", "-", "", "1.5", "0x10"};
    struct http_req r = {0};
    int64_t n = 0;
    arena_init(&r.arena);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(http_query_int_value(&r, "limit", bad[i], -10, 10, 3, &n), ERR_INVALID_FIELD);
    assert_int_equal(http_query_int_value(&r, "limit", "-7", -10, 10, 3, &n), 0);
    assert_int_equal(n, -7);
    assert_int_equal(http_query_int_value(&r, "limit", NULL, -10, 10, 3, &n), 0);
    assert_int_equal(n, 3);
    arena_release(&r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_before_parameter),
        cmocka_unit_test(canonical_ids),
        cmocka_unit_test(several_parameters),
        cmocka_unit_test(method_and_shape_mismatches),
        cmocka_unit_test(query_integers_are_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
