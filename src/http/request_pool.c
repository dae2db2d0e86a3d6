#include "http/request_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/body.h"

#define SPARES_MAX 16  /* per thread: more than a thread's requests in flight at once */
#define BUF_KEEP 16384 /* bytes: a body or answer buffer larger than this is not kept */

struct spares {
    struct http_req *v[SPARES_MAX];
    int n;
};

static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;

static void request_destroy(struct http_req *r)
{
    arena_release(&r->arena);
    buf_release(&r->body);
    buf_release(&r->out);
    free(r);
}

static void spares_free(void *p)
{
    struct spares *s = p;
    for (int i = 0; i < s->n; i++)
        request_destroy(s->v[i]);
    free(s);
}

static void spares_key_make(void)
{
    if (pthread_key_create(&spares_key, spares_free))
        abort();
}

static struct spares *thread_spares(void)
{
    pthread_once(&spares_once, spares_key_make);
    struct spares *s = pthread_getspecific(spares_key);
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        pthread_setspecific(spares_key, s);
    }
    return s;
}

struct http_req *request_pool_take(size_t body_max, size_t out_max)
{
    struct spares *s = thread_spares();
    struct http_req *r;
    if (s->n) {
        r = s->v[--s->n];
        struct arena arena = r->arena;
        struct buf body = r->body, out = r->out;
        memset(r, 0, sizeof(*r));
        r->arena = arena;
        r->body = body;
        r->out = out;
    } else {
        r = xcalloc(1, sizeof(*r));
        arena_init(&r->arena);
        buf_init(&r->body, 0);
        buf_init(&r->out, 0);
    }
    buf_reuse(&r->body, body_max, BUF_KEEP);
    buf_reuse(&r->out, out_max, BUF_KEEP);
    r->spool_fd = -1;
    return r;
}

void request_pool_give(struct http_req *r)
{
    body_free(r); /* a spooled body's file and mapping; the body buffer stays */
    arena_reset(&r->arena);
    struct spares *s = thread_spares();
    if (s->n == SPARES_MAX) {
        request_destroy(r);
        return;
    }
    s->v[s->n++] = r;
}
