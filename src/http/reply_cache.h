/*
 * reply_cache.h - a few recent answers of a public, costly read, kept for
 * some seconds so that a crowd asking the same question costs one answer.
 *
 * Direct-mapped by the key's hash (a colliding key replaces the older
 * answer), bounded in size, one lock.  Only for answers that are the same
 * for every caller: nothing personal, nothing that depends on who asks.
 */
#ifndef CORDON_HTTP_REPLY_CACHE_H
#define CORDON_HTTP_REPLY_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

#define REPLY_CACHE_SLOTS 64
#define REPLY_CACHE_KEY 96

struct reply_cache {
    pthread_mutex_t lock;
    double ttl;          /* seconds an answer is served again */
    unsigned generation; /* bumped by reply_cache_forget: older answers are stale */
    struct reply_cache_slot {
        char key[REPLY_CACHE_KEY];
        double expires;
        unsigned generation;
        char *body;
        size_t len;
    } slot[REPLY_CACHE_SLOTS];
};

#define REPLY_CACHE_INIT(seconds) {.lock = PTHREAD_MUTEX_INITIALIZER, .ttl = (seconds)}

/* Replies 200 with a kept JSON answer for key and returns true; false when there is none. */
bool reply_cache_send(struct reply_cache *c, const char *key, struct http_req *r);

/* Keeps the JSON answer just made in r (http_reply_json) for key; a key too long is not kept. */
void reply_cache_keep(struct reply_cache *c, const char *key, const struct http_req *r);

/* Every kept answer is stale from now on (a write changed what they say). */
void reply_cache_forget(struct reply_cache *c);

#endif
