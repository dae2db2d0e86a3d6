/* Unit tests of http/body.c: small bodies in memory, large ones in an unlinked file, the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/body.h"

static void req_init(struct http_req *r, size_t max)
{
    memset(r, 0, sizeof(*r));
    arena_init(&r->arena);
    r->spool_fd = -1;
    r->request_id = "test";
    buf_init(&r->body, max);
}

static void small_stays_in_memory(void **state)
{
    (void)state;
    struct http_req r;
    req_init(&r, HTTP_BODY_DEFAULT_MAX);
    assert_int_equal(body_add(&r, "{\"a\":", 5), BODY_OK);
    assert_int_equal(body_add(&r, "1}", 2), BODY_OK);
    assert_int_equal(r.spool_fd, -1);
    assert_int_equal(body_finish(&r), 0);
    assert_string_equal(r.body.data, "{\"a\":1}");
    char big[HTTP_BODY_DEFAULT_MAX];
    memset(big, 'x', sizeof(big));
    assert_int_equal(body_add(&r, big, sizeof(big)), BODY_TOO_LARGE); /* over the cap: nothing kept */
    assert_int_equal(r.body.len, 7);
    body_free(&r); /* an in-memory body stays for its owner (the request pool keeps the buffer) */
    assert_string_equal(r.body.data, "{\"a\":1}");
    buf_release(&r.body);
    arena_release(&r.arena);
}

static void large_goes_to_a_file(void **state)
{
    (void)state;
    struct http_req r;
    req_init(&r, 1u << 20);
    static char chunk[40000];
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (char)('a' + i % 26);
    for (int i = 0; i < 4; i++)
        assert_int_equal(body_add(&r, chunk, sizeof(chunk)), BODY_OK);
    assert_true(r.spool_fd >= 0);
    struct stat st;
    assert_int_equal(fstat(r.spool_fd, &st), 0);
    assert_int_equal(st.st_nlink, 0); /* unlinked: gone however the request ends */
    assert_int_equal((size_t)st.st_size, 4 * sizeof(chunk));
    assert_int_equal(body_add(&r, chunk, 1u << 20), BODY_TOO_LARGE);
    assert_int_equal(body_finish(&r), 0);
    assert_int_equal(r.body.len, 4 * sizeof(chunk));
    assert_memory_equal(r.body.data + 3 * sizeof(chunk), chunk, sizeof(chunk));
    assert_int_equal(r.body.data[r.body.len], '\0'); /* NUL-terminated like an in-memory body */
    body_free(&r);
    assert_int_equal(r.spool_fd, -1);
    assert_int_equal(r.body.len, 0); /* the mapping is gone, and the body with it */
    assert_int_equal(r.body.max, 1u << 20);
    buf_release(&r.body);
    arena_release(&r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_stays_in_memory),
        cmocka_unit_test(large_goes_to_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
