/*
 * linger.c - one thread that drains refused uploads (see linger.h).
 *
 * At most LINGER_MAX sockets linger at once; more are closed at once, which
 * costs those clients the answer but never the server its memory.
 */
#include "http/linger.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define LINGER_MAX 256

struct lingerer {
    int fd;
    size_t left;
    int64_t deadline_ms;
};

static struct {
    pthread_mutex_t lock;
    pthread_t thread;
    bool running, stop;
    int wake[2]; /* a pipe: a new socket or the stop wakes poll() */
    struct lingerer list[LINGER_MAX];
    int n;
} lg = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = {-1, -1}};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is there; false when the socket is done (end, error or budget spent). */
static bool drain(struct lingerer *l)
{
    static char sink[64 * 1024]; /* only this thread reads into it, and nothing reads it */
    for (;;) {
        ssize_t n = read(l->fd, sink, sizeof(sink));
        if (n > 0) {
            l->left = (size_t)n >= l->left ? 0 : l->left - (size_t)n;
            if (!l->left)
                return false;
            continue;
        }
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
}

static void *linger_main(void *arg)
{
    (void)arg;
    struct pollfd pf[LINGER_MAX + 1];
    for (;;) {
        pthread_mutex_lock(&lg.lock);
        if (lg.stop) {
            for (int i = 0; i < lg.n; i++)
                close(lg.list[i].fd);
            lg.n = 0;
            pthread_mutex_unlock(&lg.lock);
            return NULL;
        }
        int64_t now = now_ms();
        for (int i = 0; i < lg.n;) {
            if (now >= lg.list[i].deadline_ms) {
                close(lg.list[i].fd);
                lg.list[i] = lg.list[--lg.n];
                continue;
            }
            i++;
        }
        int n = lg.n;
        for (int i = 0; i < n; i++)
            pf[i] = (struct pollfd){.fd = lg.list[i].fd, .events = POLLIN};
        pthread_mutex_unlock(&lg.lock);
        pf[n] = (struct pollfd){.fd = lg.wake[0], .events = POLLIN};
        if (poll(pf, (nfds_t)n + 1, 250) <= 0)
            continue;
        if (pf[n].revents) {
            char c[64];
            while (read(lg.wake[0], c, sizeof(c)) > 0) {
            }
        }
        pthread_mutex_lock(&lg.lock);
        /* Only this thread removes entries, so the first n are still the polled ones. */
        for (int i = n - 1; i >= 0; i--) {
            if (!pf[i].revents || drain(&lg.list[i]))
                continue;
            close(lg.list[i].fd);
            lg.list[i] = lg.list[--lg.n];
        }
        pthread_mutex_unlock(&lg.lock);
    }
}

int linger_start(void)
{
    if (pipe(lg.wake))
        return -1;
    fcntl(lg.wake[0], F_SETFL, O_NONBLOCK);
    fcntl(lg.wake[1], F_SETFL, O_NONBLOCK);
    lg.stop = false;
    if (pthread_create(&lg.thread, NULL, linger_main, NULL)) {
        log_error("msg=\"could not start the linger thread\"");
        return -1;
    }
    lg.running = true;
    return 0;
}

void linger_stop(void)
{
    if (!lg.running)
        return;
    pthread_mutex_lock(&lg.lock);
    lg.stop = true;
    pthread_mutex_unlock(&lg.lock);
    (void)!write(lg.wake[1], "x", 1);
    pthread_join(lg.thread, NULL);
    close(lg.wake[0]);
    close(lg.wake[1]);
    lg.wake[0] = lg.wake[1] = -1;
    lg.running = false;
}

void linger_add(int fd, size_t bytes, int seconds)
{
    if (fd < 0)
        return;
    pthread_mutex_lock(&lg.lock);
    bool taken = lg.running && !lg.stop && lg.n < LINGER_MAX && bytes > 0;
    if (taken) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        lg.list[lg.n++] = (struct lingerer){fd, bytes, now_ms() + (int64_t)seconds * 1000};
    }
    pthread_mutex_unlock(&lg.lock);
    if (taken)
        (void)!write(lg.wake[1], "x", 1);
    else
        close(fd);
}
