/*
 * crypto.c - the derivations of en.h on libcrypto.
 *
 * HKDF is two HMAC-SHA256 calls; the HMAC algorithm is fetched once and each
 * derivation only keys a context, which is most of the cost of matching.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "en/en.h"

static EVP_MAC *hmac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

struct en_ctx {
    EVP_MAC_CTX *mac; /* HMAC-SHA256, re-keyed for each use */
    EVP_CIPHER_CTX *aes;
    int aes_ready;
    /* the padded data of the last first interval: keys of a day share it */
    uint8_t padded[EN_MAX_PERIOD][EN_RPI_LEN];
    uint32_t padded_first;
    unsigned padded_count;
};

struct en_ctx *en_ctx_new(void)
{
    pthread_once(&hmac_once, hmac_fetch);
    struct en_ctx *c = calloc(1, sizeof *c);
    if (!c || !hmac || !(c->mac = EVP_MAC_CTX_new(hmac)) || !(c->aes = EVP_CIPHER_CTX_new())) {
        en_ctx_free(c);
        return NULL;
    }
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (!EVP_MAC_CTX_set_params(c->mac, params)) {
        en_ctx_free(c);
        return NULL;
    }
    return c;
}

void en_ctx_free(struct en_ctx *c)
{
    if (!c)
        return;
    EVP_MAC_CTX_free(c->mac);
    EVP_CIPHER_CTX_free(c->aes);
    free(c);
}

static int hmac_sha256(struct en_ctx *c, const uint8_t *key, size_t keylen, const uint8_t *msg, size_t len,
                       uint8_t out[32])
{
    size_t outlen = 0;
    return EVP_MAC_init(c->mac, key, keylen, NULL) && EVP_MAC_update(c->mac, msg, len) &&
                   EVP_MAC_final(c->mac, out, &outlen, 32) && outlen == 32
               ? 0
               : -1;
}

/* HKDF-SHA256 with an empty salt (RFC 5869: a salt of 32 zero bytes), L = 16. */
static int hkdf16(struct en_ctx *c, const uint8_t tek[EN_KEY_LEN], const char *info, uint8_t out[EN_KEY_LEN])
{
    static const uint8_t zero_salt[32];
    uint8_t prk[32], t[32], msg[16];
    size_t n = strlen(info);
    memcpy(msg, info, n);
    msg[n] = 1;
    int rc = hmac_sha256(c, zero_salt, sizeof zero_salt, tek, EN_KEY_LEN, prk) ||
             hmac_sha256(c, prk, 32, msg, n + 1, t);
    if (!rc)
        memcpy(out, t, EN_KEY_LEN);
    return rc ? -1 : 0;
}

static int hkdf16_once(const uint8_t tek[EN_KEY_LEN], const char *info, uint8_t out[EN_KEY_LEN])
{
    struct en_ctx *c = en_ctx_new();
    int rc = c ? hkdf16(c, tek, info, out) : -1;
    en_ctx_free(c);
    return rc;
}

int en_rpik(const uint8_t tek[EN_KEY_LEN], uint8_t rpik[EN_KEY_LEN])
{
    return hkdf16_once(tek, "EN-RPIK", rpik);
}

int en_aemk(const uint8_t tek[EN_KEY_LEN], uint8_t aemk[EN_KEY_LEN])
{
    return hkdf16_once(tek, "EN-AEMK", aemk);
}

uint32_t en_interval_number(int64_t unix_seconds)
{
    return (uint32_t)(unix_seconds / EN_INTERVAL_SECONDS);
}

static void pad(uint8_t (*padded)[EN_RPI_LEN], uint32_t first, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint32_t j = first + i;
        memcpy(padded[i], "EN-RPI\0\0\0\0\0\0", 12);
        padded[i][12] = (uint8_t)j;
        padded[i][13] = (uint8_t)(j >> 8);
        padded[i][14] = (uint8_t)(j >> 16);
        padded[i][15] = (uint8_t)(j >> 24);
    }
}

static int encrypt_blocks(EVP_CIPHER_CTX *c, int *ready, const uint8_t rpik[EN_KEY_LEN],
                          const uint8_t (*padded)[EN_RPI_LEN], unsigned count, uint8_t (*rpis)[EN_RPI_LEN])
{
    int outl = 0;
    /* after the first key only the key schedule is redone */
    int ok = (*ready ? EVP_EncryptInit_ex(c, NULL, NULL, rpik, NULL)
                     : EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, rpik, NULL) && EVP_CIPHER_CTX_set_padding(c, 0)) &&
             EVP_EncryptUpdate(c, rpis[0], &outl, padded[0], (int)(count * EN_RPI_LEN)) &&
             outl == (int)(count * EN_RPI_LEN);
    *ready = ok;
    return ok ? 0 : -1;
}

int en_rpis(const uint8_t rpik[EN_KEY_LEN], uint32_t first, unsigned count, uint8_t (*rpis)[EN_RPI_LEN])
{
    if (count > EN_MAX_PERIOD)
        return -1;
    uint8_t padded[EN_MAX_PERIOD][EN_RPI_LEN];
    pad(padded, first, count);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ready = 0;
    int rc = c ? encrypt_blocks(c, &ready, rpik, (const uint8_t(*)[EN_RPI_LEN])padded, count, rpis) : -1;
    EVP_CIPHER_CTX_free(c);
    return rc;
}

int en_ctx_rpis(struct en_ctx *c, const uint8_t tek[EN_KEY_LEN], uint32_t first, unsigned count,
                uint8_t (*rpis)[EN_RPI_LEN])
{
    uint8_t rpik[EN_KEY_LEN];
    if (count > EN_MAX_PERIOD || hkdf16(c, tek, "EN-RPIK", rpik))
        return -1;
    if (c->padded_count != count || c->padded_first != first) {
        pad(c->padded, first, count);
        c->padded_first = first;
        c->padded_count = count;
    }
    return encrypt_blocks(c->aes, &c->aes_ready, rpik, (const uint8_t(*)[EN_RPI_LEN])c->padded, count, rpis);
}

int en_aem(const uint8_t aemk[EN_KEY_LEN], const uint8_t rpi[EN_RPI_LEN], const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c)
        return -1;
    int outl = 0;
    int ok = EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, aemk, rpi) &&
             EVP_EncryptUpdate(c, out, &outl, in, (int)len) && outl == (int)len;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

void en_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int en_unhex(const char *hex, uint8_t *out, size_t n)
{
    if (strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
