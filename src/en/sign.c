/*
 * sign.c - ECDSA P-256 / SHA-256 signatures of export.bin (export.h).
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "en/export.h"

int en_sign(EVP_PKEY *key, const uint8_t *data, size_t n, struct buf *out)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        return -1;
    uint8_t sig[80]; /* a P-256 DER signature is at most 72 bytes */
    size_t siglen = sizeof sig;
    int ok = EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(c, sig, &siglen, data, n) == 1;
    EVP_MD_CTX_free(c);
    return ok && !buf_add(out, sig, siglen) ? 0 : -1;
}

int en_verify(EVP_PKEY *key, const uint8_t *data, size_t n, const uint8_t *sig, size_t siglen)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        return -1;
    int ok = EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(c, sig, siglen, data, n) == 1;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

EVP_PKEY *en_key_from_pem(const char *pem, size_t len, bool private_key)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    if (!b)
        return NULL;
    EVP_PKEY *k = private_key ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    if (k && !EVP_PKEY_is_a(k, "EC")) {
        EVP_PKEY_free(k);
        return NULL;
    }
    char group[32] = "";
    size_t glen = 0;
    if (k && (!EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof group, &glen) ||
              strcmp(group, "prime256v1"))) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}
