/*
 * en_match.c - driver of bench/en_match.sh: one phone's 14 days of observed
 * RPIs matched against NKEYS diagnosis keys with the en/ library, reported
 * as keys per second against the rate of the bare HKDF-SHA256 + AES-128
 * work done with OpenSSL alone in the same run (the limit of any matcher
 * built on it).
 *
 *   bench_en_match NKEYS NOBS PLANTED SEED
 *
 * PLANTED keys each leave 4 observations (two RPIs scanned twice) in the
 * phone's 14 days; the run fails unless exactly 4 x PLANTED hits are found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "en/en.h"
#include "en/match.h"
#include "support/bench_util.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64: reproducible from the seed */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rnd();
        memcpy(p + i, &v, n - i < 8 ? n - i : 8);
    }
}

/* HKDF + 144 AES blocks per key with OpenSSL's own HKDF: the work, nothing else. */
static double openssl_rate(const struct en_key *keys, size_t n, uint8_t *sink)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    uint8_t rpik[16], in[EN_MAX_PERIOD * 16], out[EN_MAX_PERIOD * 16 + 16];
    memset(in, 7, sizeof in);
    double t0 = now_s();
    for (size_t k = 0; k < n; k++) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)keys[k].key_data, 16),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)"EN-RPIK", 7),
            OSSL_PARAM_construct_end()};
        int outl = 0;
        if (EVP_KDF_derive(kc, rpik, sizeof rpik, params) != 1 ||
            EVP_EncryptInit_ex(cc, EVP_aes_128_ecb(), NULL, rpik, NULL) != 1 ||
            EVP_CIPHER_CTX_set_padding(cc, 0) != 1 || EVP_EncryptUpdate(cc, out, &outl, in, (int)sizeof in) != 1) {
            fprintf(stderr, "en_match: OpenSSL failed\n");
            exit(1);
        }
        sink[0] ^= out[k % sizeof in];
    }
    double dt = now_s() - t0;
    EVP_CIPHER_CTX_free(cc);
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);
    return (double)n / dt;
}

/* The same work with HKDF written as its two HMACs on one reused EVP_MAC context: the faster way. */
static double openssl_hmac_rate(const struct en_key *keys, size_t n, uint8_t *sink)
{
    static const uint8_t zero_salt[32];
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    uint8_t prk[32], t[32], in[EN_MAX_PERIOD * 16], out[EN_MAX_PERIOD * 16 + 16];
    memset(in, 7, sizeof in);
    if (!EVP_MAC_CTX_set_params(mc, params) || EVP_EncryptInit_ex(cc, EVP_aes_128_ecb(), NULL, zero_salt, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(cc, 0) != 1) {
        fprintf(stderr, "en_match: OpenSSL failed\n");
        exit(1);
    }
    double t0 = now_s();
    for (size_t k = 0; k < n; k++) {
        size_t l1 = 0, l2 = 0;
        int outl = 0;
        if (!EVP_MAC_init(mc, zero_salt, 32, NULL) || !EVP_MAC_update(mc, keys[k].key_data, 16) ||
            !EVP_MAC_final(mc, prk, &l1, 32) || !EVP_MAC_init(mc, prk, 32, NULL) ||
            !EVP_MAC_update(mc, (const uint8_t *)"EN-RPIK\x01", 8) || !EVP_MAC_final(mc, t, &l2, 32) ||
            EVP_EncryptInit_ex(cc, NULL, NULL, t, NULL) != 1 ||
            EVP_EncryptUpdate(cc, out, &outl, in, (int)sizeof in) != 1) {
            fprintf(stderr, "en_match: OpenSSL failed\n");
            exit(1);
        }
        sink[0] ^= out[k % sizeof in];
    }
    double dt = now_s() - t0;
    EVP_CIPHER_CTX_free(cc);
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(mac);
    return (double)n / dt;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s NKEYS NOBS PLANTED SEED\n", argv[0]);
        return 2;
    }
    size_t nkeys = strtoul(argv[1], NULL, 10), nobs = strtoul(argv[2], NULL, 10);
    size_t planted = strtoul(argv[3], NULL, 10);
    rng_state = strtoull(argv[4], NULL, 10);
    if (!nkeys || planted > nkeys || 4 * planted > nobs) {
        fprintf(stderr, "en_match: need NKEYS > 0, PLANTED <= NKEYS and 4 x PLANTED <= NOBS\n");
        return 2;
    }
    const uint32_t today = 2900016; /* a UTC midnight (2025-02-18) */
    struct en_key *keys = calloc(nkeys, sizeof *keys);
    struct en_observation *obs = calloc(nobs, sizeof *obs);
    if (!keys || !obs)
        return 1;
    for (size_t k = 0; k < nkeys; k++) {
        fill(keys[k].key_data, 16);
        keys[k].rolling_start_interval_number = (int32_t)(today - 144 * (1 + rnd() % 14));
        keys[k].rolling_period = 144;
    }
    /* the phone's own sightings: random RPIs over 14 days, then the planted keys' */
    for (size_t i = 0; i < nobs; i++) {
        fill(obs[i].rpi, 16);
        obs[i].time = (int64_t)(today - 144 * 14) * 600 + (int64_t)(rnd() % (14 * 86400));
        obs[i].attenuation = (uint8_t)(40 + rnd() % 50);
        obs[i].seconds = 300;
    }
    for (size_t p = 0; p < planted; p++) {
        const struct en_key *k = &keys[(p * 7919) % nkeys];
        uint8_t rpik[16], rpis[EN_MAX_PERIOD][16];
        if (en_rpik(k->key_data, rpik) || en_rpis(rpik, (uint32_t)k->rolling_start_interval_number, 144, rpis))
            return 1;
        for (int s = 0; s < 4; s++) {
            struct en_observation *o = &obs[4 * p + (size_t)s];
            int j = 50 + s / 2;
            memcpy(o->rpi, rpis[j], 16);
            o->time = ((int64_t)k->rolling_start_interval_number + j) * 600 + 300 * (s % 2);
        }
    }
    if (planted && (planted - 1) * 7919 % nkeys == 0 && planted > 1) {
        fprintf(stderr, "en_match: planted keys repeat; pick another NKEYS\n");
        return 2;
    }

    uint8_t sink[1] = {0};
    double kdf = openssl_rate(keys, nkeys, sink);
    double hm = openssl_hmac_rate(keys, nkeys, sink);
    double limit = kdf > hm ? kdf : hm;

    double t0 = now_s();
    struct en_matcher *m = en_matcher_new(obs, nobs);
    struct en_hit *hits = NULL;
    size_t nhits = 0;
    if (!m || en_match(m, keys, nkeys, &hits, &nhits)) {
        fprintf(stderr, "en_match: matching failed\n");
        return 1;
    }
    struct en_risk_config c;
    en_risk_defaults(&c);
    struct en_window *w;
    size_t nw;
    if (en_windows(&c, keys, obs, hits, nhits, &w, &nw))
        return 1;
    double dt = now_s() - t0;
    double rate = (double)nkeys / dt;
    printf("en_match: %zu diagnosis keys, %zu observations: %zu hits in %zu windows\n", nkeys, nobs, nhits, nw);
    printf("en_match: matched in %.3f s = %.0f keys/s\n", dt, rate);
    printf("en_match: OpenSSL alone, HKDF-SHA256 + 144 AES blocks a key: %.0f keys/s with EVP_KDF HKDF, "
           "%.0f keys/s with HKDF as two HMACs on one context\n", kdf, hm);
    printf("en_match: ratio %.2f of the faster OpenSSL limit (bar 0.50, aim 0.80)%s\n", rate / limit,
           sink[0] == 0xff ? " " : "");
    int bad = nhits != 4 * planted;
    if (bad)
        fprintf(stderr, "en_match: FAILED: %zu hits, expected %zu\n", nhits, 4 * planted);
    free(w);
    free(hits);
    en_matcher_free(m);
    free(keys);
    free(obs);
    return bad;
}
