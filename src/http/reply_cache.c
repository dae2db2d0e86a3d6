/*
 * reply_cache.c - recent answers of public reads, kept for a few seconds.
 */
#include "http/reply_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define JSON_TYPE "application/json; charset=utf-8"

static struct reply_cache_slot *slot_of(struct reply_cache *c, const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return &c->slot[h % REPLY_CACHE_SLOTS];
}

bool reply_cache_send(struct reply_cache *c, const char *key, struct http_req *r)
{
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    struct reply_cache_slot *s = slot_of(c, key);
    if (s->body && s->generation == c->generation && s->expires > clock_mono() && !strcmp(s->key, key))
        hit = http_reply(r, 200, JSON_TYPE, s->body, s->len) == 0;
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void reply_cache_keep(struct reply_cache *c, const char *key, const struct http_req *r)
{
    if (r->status != 200 || !r->out.len || strlen(key) >= REPLY_CACHE_KEY)
        return;
    char *copy = malloc(r->out.len);
    if (!copy)
        return;
    memcpy(copy, r->out.data, r->out.len);
    pthread_mutex_lock(&c->lock);
    struct reply_cache_slot *s = slot_of(c, key);
    free(s->body);
    strcpy(s->key, key);
    s->body = copy;
    s->len = r->out.len;
    s->generation = c->generation;
    s->expires = clock_mono() + c->ttl;
    pthread_mutex_unlock(&c->lock);
}

void reply_cache_forget(struct reply_cache *c)
{
    pthread_mutex_lock(&c->lock);
    c->generation++;
    pthread_mutex_unlock(&c->lock);
}
