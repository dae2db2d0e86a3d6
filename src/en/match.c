/*
 * match.c - the RPI hash set and en_match (match.h).
 */
#include <stdlib.h>
#include <string.h>

#include "en/match.h"

struct en_matcher {
    const struct en_observation *obs;
    uint32_t *slots; /* observation index + 1, 0 empty; open addressing */
    size_t mask;
    /* A bit per value of other RPI bits, 16 bits per observation: nearly every
     * RPI that was not seen stops here, in a table that stays in cache. */
    uint64_t *filter;
    uint32_t filter_mask;
    int64_t tmin, tmax;
};

/* RPIs are AES output: their first eight bytes are already uniform. */
static uint64_t rpi_hash(const uint8_t *rpi)
{
    uint64_t h;
    memcpy(&h, rpi, sizeof h);
    return h;
}

static uint32_t rpi_filter_bit(const uint8_t *rpi)
{
    uint32_t b;
    memcpy(&b, rpi + 8, sizeof b);
    return b;
}

static int filter_has(const struct en_matcher *m, const uint8_t *rpi)
{
    uint32_t b = rpi_filter_bit(rpi) & m->filter_mask;
    return (int)(m->filter[b >> 6] >> (b & 63) & 1);
}

struct en_matcher *en_matcher_new(const struct en_observation *obs, size_t n)
{
    if (n >= UINT32_MAX / 4)
        return NULL;
    struct en_matcher *m = calloc(1, sizeof *m);
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    size_t bits = 1024;
    while (bits < 16 * n)
        bits *= 2;
    if (!m || !(m->slots = calloc(size, sizeof *m->slots)) || !(m->filter = calloc(bits / 64, sizeof *m->filter))) {
        en_matcher_free(m);
        return NULL;
    }
    m->filter_mask = (uint32_t)(bits - 1);
    m->obs = obs;
    m->mask = size - 1;
    m->tmin = INT64_MAX;
    m->tmax = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        size_t s = rpi_hash(obs[i].rpi) & m->mask;
        while (m->slots[s])
            s = (s + 1) & m->mask;
        m->slots[s] = (uint32_t)i + 1;
        uint32_t b = rpi_filter_bit(obs[i].rpi) & m->filter_mask;
        m->filter[b >> 6] |= 1ull << (b & 63);
        if (obs[i].time < m->tmin)
            m->tmin = obs[i].time;
        if (obs[i].time > m->tmax)
            m->tmax = obs[i].time;
    }
    return m;
}

void en_matcher_free(struct en_matcher *m)
{
    if (m) {
        free(m->slots);
        free(m->filter);
    }
    free(m);
}

static int add_hit(struct en_hit **hits, size_t *n, size_t *cap, size_t key, size_t obs)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct en_hit *h = realloc(*hits, c * sizeof *h);
        if (!h)
            return -1;
        *hits = h;
        *cap = c;
    }
    (*hits)[(*n)++] = (struct en_hit){key, obs};
    return 0;
}

int en_match(struct en_matcher *m, const struct en_key *keys, size_t nkeys, struct en_hit **hits, size_t *nhits)
{
    size_t cap = *nhits;
    uint8_t rpis[EN_MAX_PERIOD][EN_RPI_LEN];
    struct en_ctx *c = en_ctx_new();
    if (!c)
        return -1;
    int rc = 0;
    for (size_t k = 0; k < nkeys; k++) {
        const struct en_key *key = &keys[k];
        int32_t period = key->rolling_period;
        if (period < 1 || period > EN_MAX_PERIOD || key->rolling_start_interval_number < 0)
            continue;
        uint32_t first = (uint32_t)key->rolling_start_interval_number;
        if ((rc = en_ctx_rpis(c, key->key_data, first, (unsigned)period, rpis)))
            break;
        int64_t lo = ((int64_t)first - EN_TOLERANCE_INTERVALS) * EN_INTERVAL_SECONDS;
        int64_t hi = ((int64_t)first + period + EN_TOLERANCE_INTERVALS) * EN_INTERVAL_SECONDS;
        for (int32_t j = 0; j < period; j++) {
            if (!filter_has(m, rpis[j]))
                continue;
            size_t s = rpi_hash(rpis[j]) & m->mask;
            for (uint32_t o; (o = m->slots[s]); s = (s + 1) & m->mask) {
                const struct en_observation *ob = &m->obs[o - 1];
                if (memcmp(ob->rpi, rpis[j], EN_RPI_LEN) || ob->time < lo || ob->time >= hi)
                    continue;
                if ((rc = add_hit(hits, nhits, &cap, k, o - 1)))
                    goto done;
            }
        }
    }
done:
    en_ctx_free(c);
    return rc ? -1 : 0;
}
