/*
 * conn.c - the connection registry of conn.h and its reaper thread.
 *
 * One mutex guards the list.  microhttpd calls conn_closed before it closes
 * the socket, and the reaper shuts sockets down only while holding the
 * mutex, so it never touches a descriptor that was closed and reused.
 * shutdown() leaves the descriptor to microhttpd, which sees the end of the
 * stream on its next read and closes the connection the ordinary way.
 *
 * Counting an address's connections walks the list: at the 10,000
 * connections the server is sized for that is a few microseconds per accept.
 */
#include "http/conn.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
    bool running, stop;
    struct conn_limits lim;
    struct conn *head;
    int open;   /* entries in the list, over-cap ones included */
    int served; /* entries within the caps */
    atomic_long reaped;
} reg = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void addr_bytes(const struct sockaddr *sa, unsigned char out[16])
{
    memset(out, 0, 16);
    if (sa && sa->sa_family == AF_INET)
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    else if (sa && sa->sa_family == AF_INET6)
        memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

static int same_address(const unsigned char addr[16])
{
    int n = 0;
    for (struct conn *c = reg.head; c; c = c->next)
        if (!c->over && !memcmp(c->addr, addr, 16))
            n++;
    return n;
}

struct conn *conn_opened(int fd, const struct sockaddr *sa)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->fd = fd;
    addr_bytes(sa, c->addr);
    atomic_init(&c->phase, CONN_HEADERS);
    atomic_init(&c->since_ms, now_ms());
    pthread_mutex_lock(&reg.lock);
    c->over = reg.served >= reg.lim.max_connections ||
              (reg.lim.max_connections_per_ip > 0 && same_address(c->addr) >= reg.lim.max_connections_per_ip);
    if (!c->over)
        reg.served++;
    reg.open++;
    c->next = reg.head;
    if (reg.head)
        reg.head->prev = c;
    reg.head = c;
    pthread_mutex_unlock(&reg.lock);
    return c;
}

void conn_closed(struct conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&reg.lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        reg.head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    reg.open--;
    if (!c->over)
        reg.served--;
    pthread_mutex_unlock(&reg.lock);
    free(c);
}

void conn_phase(struct conn *c, enum conn_phase p)
{
    if (!c)
        return;
    atomic_store(&c->since_ms, now_ms());
    atomic_store(&c->phase, (int)p);
}

void conn_request_line(struct conn *c)
{
    /* The first request's header deadline runs from the accept; later ones from their request line. */
    if (c && atomic_load(&c->phase) == CONN_IDLE)
        conn_phase(c, CONN_HEADERS);
}

static int64_t limit_ms(const struct conn *c, int phase)
{
    /* A connection over a cap only waits for its 503: it gets a short header deadline. */
    int hdr = c->over && reg.lim.header_timeout > 2 ? 2 : reg.lim.header_timeout;
    switch (phase) {
    case CONN_HEADERS:
        return (int64_t)hdr * 1000;
    case CONN_BODY:
        return (int64_t)reg.lim.body_timeout * 1000;
    case CONN_IDLE:
        return (int64_t)reg.lim.idle_timeout * 1000;
    default:
        return -1;
    }
}

static void reap_once(void)
{
    int64_t now = now_ms();
    for (struct conn *c = reg.head; c; c = c->next) {
        int64_t lim = limit_ms(c, atomic_load(&c->phase));
        if (c->reaped || lim < 0 || now - atomic_load(&c->since_ms) <= lim)
            continue;
        shutdown(c->fd, SHUT_RDWR);
        c->reaped = true;
        atomic_fetch_add(&reg.reaped, 1);
    }
}

static void *reaper_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&reg.lock);
    while (!reg.stop) {
        struct timespec ts = clock_deadline_us(250000); /* deadlines hold to a quarter of a second */
        pthread_cond_timedwait(&reg.wake, &reg.lock, &ts);
        if (!reg.stop)
            reap_once();
    }
    pthread_mutex_unlock(&reg.lock);
    return NULL;
}

int conns_start(const struct conn_limits *l)
{
    reg.lim = *l;
    reg.stop = false;
    if (pthread_create(&reg.reaper, NULL, reaper_main, NULL)) {
        log_error("msg=\"could not start the connection reaper\"");
        return -1;
    }
    reg.running = true;
    return 0;
}

void conns_stop(void)
{
    if (!reg.running)
        return;
    pthread_mutex_lock(&reg.lock);
    reg.stop = true;
    pthread_cond_signal(&reg.wake);
    pthread_mutex_unlock(&reg.lock);
    pthread_join(reg.reaper, NULL);
    reg.running = false;
}

int conns_open(void)
{
    pthread_mutex_lock(&reg.lock);
    int n = reg.open;
    pthread_mutex_unlock(&reg.lock);
    return n;
}

long conns_reaped(void)
{
    return atomic_load(&reg.reaped);
}
