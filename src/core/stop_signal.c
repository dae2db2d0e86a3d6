/*
 * stop_signal.c - sleeping that a shutdown cuts short.
 */
#include "core/stop_signal.h"

#include <time.h>

#include "core/clock.h"

bool stop_signal_pause(struct stop_signal *s, int ms)
{
    struct timespec until = clock_deadline_us((int64_t)ms * 1000);
    pthread_mutex_lock(&s->lock);
    while (!s->stopping && pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0)
        ;
    bool stopping = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stopping;
}

bool stop_signal_raised(struct stop_signal *s)
{
    pthread_mutex_lock(&s->lock);
    bool stopping = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stopping;
}

void stop_signal_raise(struct stop_signal *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void stop_signal_clear(struct stop_signal *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = false;
    pthread_mutex_unlock(&s->lock);
}
