/*
 * dcc_int.h - structures shared by the files of module dcc only.
 */
#ifndef CORDON_DCC_DCC_INT_H
#define CORDON_DCC_DCC_INT_H

#include <openssl/evp.h>

#include "dcc/dcc.h"

/* Certificate types an extended key usage may allow (DCC OIDs 1.3.6.1.4.1.1847.2021.1.{1,2,3}). */
enum dcc_usage {
    DCC_USAGE_TEST = 1 << 0,
    DCC_USAGE_VACCINATION = 1 << 1,
    DCC_USAGE_RECOVERY = 1 << 2,
    DCC_USAGE_ALL = 7,
};

struct dcc_trust_entry {
    uint8_t kid[DCC_KID_MAX];
    size_t kid_len;
    EVP_PKEY *key;  /* owned */
    unsigned usage; /* enum dcc_usage bits the key may sign (ALL for a bare public key) */
};

struct dcc_trust {
    struct dcc_trust_entry *entries;
    size_t n, cap;
    const struct dcc_valuesets *valuesets; /* borrowed, may be NULL */
};

/* Adds a parsed key (takes the reference to key on success). Returns 0 or -1. */
int dcc__trust_add_key(struct dcc_trust *t, const uint8_t *kid, size_t kid_len, EVP_PKEY *key, unsigned usage);
/* Standard or URL-safe base64, padding optional, whitespace skipped.  Returns bytes written or -1. */
long dcc__b64_decode(const char *in, size_t n, uint8_t *out, size_t cap);
/* Standard base64 with padding of n bytes into out (room for 4 * ((n + 2) / 3) + 1). */
void dcc__b64_encode(const uint8_t *in, size_t n, char *out);
/* kid of DER bytes: the first 8 bytes of their SHA-256. */
int dcc__kid_of(const uint8_t *der, size_t der_len, uint8_t kid[8]);

#endif
