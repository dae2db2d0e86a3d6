/*
 * stop_signal.h - how a background thread (a sender, the callbot) sleeps
 * between rounds yet stops at once when the server shuts down.
 */
#ifndef CORDON_CORE_STOP_SIGNAL_H
#define CORDON_CORE_STOP_SIGNAL_H

#include <pthread.h>
#include <stdbool.h>

struct stop_signal {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
};

#define STOP_SIGNAL_INIT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false}

/* Sleeps ms unless stopping (woken at once by stop_signal_raise); true when stopping. */
bool stop_signal_pause(struct stop_signal *s, int ms);
bool stop_signal_raised(struct stop_signal *s);
/* Every pause returns, now and from now on. */
void stop_signal_raise(struct stop_signal *s);
/* Before the threads start again. */
void stop_signal_clear(struct stop_signal *s);

#endif
