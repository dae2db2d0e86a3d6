/*
 * table.c - the shared RPI table of an export and en_match_table (match.h).
 */
#include <stdlib.h>
#include <string.h>

#include "en/match.h"

struct entry {
    uint8_t rpi[EN_RPI_LEN];
    uint32_t key;
};

struct en_rpi_table {
    const struct en_key *keys;
    struct entry *e;
    size_t n;
    uint32_t *slots; /* entry index + 1, 0 empty; open addressing */
    size_t mask;
};

/* RPIs are AES output: their first eight bytes are already uniform. */
static size_t slot_of(const uint8_t *rpi, size_t mask)
{
    uint64_t h;
    memcpy(&h, rpi, sizeof h);
    return (size_t)h & mask;
}

static int valid(const struct en_key *k)
{
    return k->rolling_period >= 1 && k->rolling_period <= EN_MAX_PERIOD && k->rolling_start_interval_number >= 0;
}

struct en_rpi_table *en_rpi_table_new(const struct en_key *keys, size_t nkeys)
{
    size_t total = 0;
    for (size_t k = 0; k < nkeys; k++)
        if (valid(&keys[k]))
            total += (size_t)keys[k].rolling_period;
    if (total >= UINT32_MAX / 4 || nkeys >= UINT32_MAX)
        return NULL;
    size_t size = 16;
    while (size < 2 * total)
        size *= 2;
    struct en_rpi_table *t = calloc(1, sizeof *t);
    struct en_ctx *c = en_ctx_new();
    if (!t || !c || !(t->e = malloc((total ? total : 1) * sizeof *t->e)) || !(t->slots = calloc(size, sizeof *t->slots))) {
        en_ctx_free(c);
        en_rpi_table_free(t);
        return NULL;
    }
    t->keys = keys;
    t->mask = size - 1;
    uint8_t rpis[EN_MAX_PERIOD][EN_RPI_LEN];
    for (size_t k = 0; k < nkeys; k++) {
        if (!valid(&keys[k]))
            continue;
        unsigned period = (unsigned)keys[k].rolling_period;
        if (en_ctx_rpis(c, keys[k].key_data, (uint32_t)keys[k].rolling_start_interval_number, period, rpis)) {
            en_ctx_free(c);
            en_rpi_table_free(t);
            return NULL;
        }
        for (unsigned j = 0; j < period; j++, t->n++) {
            memcpy(t->e[t->n].rpi, rpis[j], EN_RPI_LEN);
            t->e[t->n].key = (uint32_t)k;
            size_t s = slot_of(rpis[j], t->mask);
            while (t->slots[s])
                s = (s + 1) & t->mask;
            t->slots[s] = (uint32_t)t->n + 1;
        }
    }
    en_ctx_free(c);
    return t;
}

void en_rpi_table_free(struct en_rpi_table *t)
{
    if (t) {
        free(t->e);
        free(t->slots);
    }
    free(t);
}

static int hit_order(const void *a, const void *b)
{
    const struct en_hit *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->obs < y->obs ? -1 : x->obs > y->obs;
}

void en_hits_sort(struct en_hit *hits, size_t n)
{
    if (n) /* an empty list may be NULL, which qsort must not be given */
        qsort(hits, n, sizeof *hits, hit_order);
}

int en_match_table(const struct en_rpi_table *t, const struct en_observation *obs, size_t nobs, struct en_hit **hits,
                   size_t *nhits)
{
    size_t cap = *nhits, first = *nhits;
    for (size_t o = 0; o < nobs; o++) {
        size_t s = slot_of(obs[o].rpi, t->mask);
        for (uint32_t i; (i = t->slots[s]); s = (s + 1) & t->mask) {
            const struct entry *e = &t->e[i - 1];
            if (memcmp(e->rpi, obs[o].rpi, EN_RPI_LEN))
                continue;
            /* the same window as en_match: two hours either side of the key's validity */
            const struct en_key *k = &t->keys[e->key];
            int64_t lo = ((int64_t)k->rolling_start_interval_number - EN_TOLERANCE_INTERVALS) * EN_INTERVAL_SECONDS;
            int64_t hi = ((int64_t)k->rolling_start_interval_number + k->rolling_period + EN_TOLERANCE_INTERVALS) *
                         EN_INTERVAL_SECONDS;
            if (obs[o].time < lo || obs[o].time >= hi)
                continue;
            if (*nhits == cap) {
                size_t c = cap ? cap * 2 : 64;
                struct en_hit *h = realloc(*hits, c * sizeof *h);
                if (!h)
                    return -1;
                *hits = h;
                cap = c;
            }
            (*hits)[(*nhits)++] = (struct en_hit){e->key, o};
        }
    }
    en_hits_sort(*hits + first, *nhits - first);
    return 0;
}
