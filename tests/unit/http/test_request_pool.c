/* Unit tests of http/request_pool.c: a request is reused on its thread with its arena's first
 * block and small buffers, every other field zero; large buffers are not kept; a thread's spares
 * are freed when it exits (the sanitizer build's leak check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "http/request_pool.h"

static void reused_with_its_memory(void **state)
{
    (void)state;
    struct http_req *r = request_pool_take(1000, 2000);
    assert_int_equal(r->spool_fd, -1);
    assert_int_equal(r->body.max, 1000);
    assert_int_equal(r->out.max, 2000);
    char *first = arena_strdup(&r->arena, "ten bytes");
    assert_int_equal(buf_adds(&r->body, "{\"a\":1}"), 0);
    assert_int_equal(buf_adds(&r->out, "{\"ok\":true}"), 0);
    char *body = r->body.data, *out = r->out.data;
    r->status = 201;
    r->replied = true;
    r->route_index = 7;
    request_pool_give(r);

    struct http_req *again = request_pool_take(500, 600);
    assert_ptr_equal(again, r);
    assert_int_equal(again->status, 0);
    assert_false(again->replied);
    assert_int_equal(again->route_index, 0);
    assert_int_equal(again->spool_fd, -1);
    assert_int_equal(again->body.len, 0);
    assert_int_equal(again->body.max, 500);
    assert_int_equal(again->out.max, 600);
    assert_ptr_equal(again->body.data, body); /* the buffers' memory is kept */
    assert_ptr_equal(again->out.data, out);
    assert_ptr_equal(arena_strdup(&again->arena, "x"), first); /* so is the arena's first block */
    request_pool_give(again);
}

static void large_buffers_are_not_kept(void **state)
{
    (void)state;
    struct http_req *r = request_pool_take(1u << 20, 1u << 20);
    static char big[100000];
    memset(big, 'x', sizeof(big));
    assert_int_equal(buf_add(&r->out, big, sizeof(big)), 0);
    (void)arena_alloc(&r->arena, 200000); /* a second, large block */
    request_pool_give(r);
    r = request_pool_take(10, 10);
    assert_int_equal(r->out.cap, 0);
    assert_int_equal(r->out.len, 0);
    request_pool_give(r);
}

static void *many(void *arg)
{
    (void)arg;
    struct http_req *v[40];
    for (int i = 0; i < 40; i++) {
        v[i] = request_pool_take(100, 100);
        (void)arena_strdup(&v[i]->arena, "in flight");
    }
    for (int i = 0; i < 40; i++) /* more than a thread keeps: the rest are freed at once */
        request_pool_give(v[i]);
    return NULL;
}

static void a_thread_gives_its_spares_back_when_it_exits(void **state)
{
    (void)state;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, many, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reused_with_its_memory),
        cmocka_unit_test(large_buffers_are_not_kept),
        cmocka_unit_test(a_thread_gives_its_spares_back_when_it_exits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
