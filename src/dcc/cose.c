/*
 * cose.c - COSE_Sign1 structure, Sig_structure, ECDSA and RSA-PSS through
 * OpenSSL 3 EVP, and the r||s <-> DER conversion of ECDSA signatures.
 */
#include "dcc/cose.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Digests are fetched once per process: an implicit fetch on every
 * signature costs a provider lookup under a lock. */
static EVP_MD *md_sha256, *md_sha384, *md_sha512;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    md_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *md_for(int64_t alg)
{
    pthread_once(&md_once, md_fetch);
    switch (alg) {
    case COSE_ES256:
    case COSE_PS256:
        return md_sha256;
    case COSE_ES384:
    case COSE_PS384:
        return md_sha384;
    case COSE_ES512:
    case COSE_PS512:
        return md_sha512;
    default:
        return NULL;
    }
}

bool cose_alg_supported(int64_t alg)
{
    return md_for(alg) != NULL;
}

/* ---- Structure ----------------------------------------------------------- */

int cose_sign1_parse(const struct cbor_item *root, struct cose_sign1 *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const struct cbor_item *it = root;
    if (it->type == CBOR_TAG && it->u == COSE_TAG_CWT)
        it = it->items;
    if (it->type == CBOR_TAG) {
        if (it->u != COSE_TAG_SIGN1) {
            snprintf(err, errlen, "tag %llu is not COSE_Sign1 (18)", (unsigned long long)it->u);
            return -1;
        }
        it = it->items;
    }
    if (it->type != CBOR_ARRAY || it->n != 4) {
        snprintf(err, errlen, "not a COSE_Sign1 array of 4 items");
        return -1;
    }
    const struct cbor_item *prot = &it->items[0], *unprot = &it->items[1], *payload = &it->items[2],
                           *sig = &it->items[3];
    if (prot->type != CBOR_BYTES || unprot->type != CBOR_MAP || payload->type != CBOR_BYTES ||
        sig->type != CBOR_BYTES) {
        snprintf(err, errlen, "COSE_Sign1 items have the wrong types");
        return -1;
    }
    out->protected_raw = prot->data;
    out->protected_len = prot->len;
    out->payload = payload->data;
    out->payload_len = payload->len;
    out->sig = sig->data;
    out->sig_len = sig->len;
    if (prot->len) {
        char cerr[96];
        if (cbor_decode(prot->data, prot->len, &out->phdr, cerr, sizeof(cerr))) {
            snprintf(err, errlen, "protected header: %s", cerr);
            return -1;
        }
        if (out->phdr->type != CBOR_MAP) {
            snprintf(err, errlen, "protected header is not a map");
            return -1;
        }
    }
    const struct cbor_item *alg = cbor_map_get_int(out->phdr, COSE_HDR_ALG);
    if (!alg)
        alg = cbor_map_get_int(unprot, COSE_HDR_ALG);
    if (!alg || !cbor_get_int(alg, &out->alg)) {
        snprintf(err, errlen, alg ? "alg is not an integer" : "no alg in the headers");
        return -1;
    }
    const struct cbor_item *kid = cbor_map_get_int(out->phdr, COSE_HDR_KID);
    if (!kid)
        kid = cbor_map_get_int(unprot, COSE_HDR_KID);
    if (kid) {
        if (kid->type != CBOR_BYTES) {
            snprintf(err, errlen, "kid is not a byte string");
            return -1;
        }
        out->kid = kid->data;
        out->kid_len = kid->len;
    }
    return 0;
}

void cose_sign1_release(struct cose_sign1 *s)
{
    cbor_free(s->phdr);
    s->phdr = NULL;
}

void cose_sig_structure(struct cbor_buf *b, const uint8_t *prot, size_t prot_len, const uint8_t *payload,
                        size_t payload_len)
{
    static const uint8_t head[] = {0x84, 0x6a, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1'};
    static const uint8_t empty_bstr = 0x40;
    cbor_put_raw(b, head, sizeof(head));
    cbor_put_bytes(b, prot, prot_len);
    cbor_put_raw(b, &empty_bstr, 1);
    cbor_put_bytes(b, payload, payload_len);
}

/* ---- ECDSA signature formats --------------------------------------------- */

/* A DER INTEGER of the unsigned big-endian v[0..n) (n >= 1); returns its size. */
static size_t der_integer(const uint8_t *v, size_t n, uint8_t *out)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    size_t pad = v[0] & 0x80 ? 1 : 0; /* keep it positive */
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, v, n);
    return 2 + pad + n;
}

/* Written by hand rather than through ECDSA_SIG and two BIGNUMs: five allocations less per verification. */
int cose_ecdsa_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t der[COSE_ECDSA_DER_MAX], size_t *der_len)
{
    if (raw_len == 0 || raw_len % 2 || raw_len > 2 * 66)
        return -1;
    size_t n = raw_len / 2;
    uint8_t body[2 * (3 + 66)];
    size_t blen = der_integer(raw, n, body);
    blen += der_integer(raw + n, n, body + blen);
    size_t h = 0;
    der[h++] = 0x30;
    if (blen > 127)
        der[h++] = 0x81;
    der[h++] = (uint8_t)blen;
    memcpy(der + h, body, blen);
    *der_len = h + blen;
    return 0;
}

int cose_ecdsa_der_to_raw(const uint8_t *der, size_t der_len, uint8_t *raw, size_t coord_len)
{
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!es)
        return -1;
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(es, &r, &s);
    int rc = BN_bn2binpad(r, raw, (int)coord_len) < 0 || BN_bn2binpad(s, raw + coord_len, (int)coord_len) < 0 ? -1 : 0;
    ECDSA_SIG_free(es);
    return rc;
}

/* ---- Verify -------------------------------------------------------------- */

/*
 * Verification contexts, kept per thread: creating and initialising an
 * EVP_PKEY_CTX for every signature costs OpenSSL 3 a provider fetch, about
 * a tenth of an ECDSA verification.  A context is initialised once for a
 * (key, alg) and then only used for EVP_PKEY_verify(), which leaves it
 * reusable.  It holds a reference to its key, so a cached key's address can
 * never be taken by another key while the entry lives.
 */
#define VERIFY_SLOTS 8

struct verify_cache {
    struct {
        EVP_PKEY *key; /* identity only: the ctx holds the reference */
        int64_t alg;
        EVP_PKEY_CTX *ctx;
    } slot[VERIFY_SLOTS];
    unsigned next; /* round-robin victim */
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static _Thread_local struct verify_cache *thread_cache; /* also a root for leak checkers */

static void cache_free(void *p)
{
    struct verify_cache *c = p;
    for (int i = 0; i < VERIFY_SLOTS; i++)
        EVP_PKEY_CTX_free(c->slot[i].ctx);
    free(c);
}

static void cache_create_key(void)
{
    (void)pthread_key_create(&cache_key, cache_free);
}

/* A fresh context for key with digest md, ready for EVP_PKEY_verify(); NULL on failure. */
static EVP_PKEY_CTX *verify_ctx_new(EVP_PKEY *key, const EVP_MD *md, bool ec)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (!ctx || EVP_PKEY_verify_init(ctx) <= 0 ||
        (!ec && (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                 EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0 ||
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_AUTO) <= 0))) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* This thread's context for (key, alg), created on first use; NULL on failure. */
static EVP_PKEY_CTX *verify_ctx(EVP_PKEY *key, int64_t alg, const EVP_MD *md, bool ec)
{
    pthread_once(&cache_once, cache_create_key);
    struct verify_cache *c = thread_cache;
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c)
            return NULL;
        thread_cache = c;
        (void)pthread_setspecific(cache_key, c); /* freed when the thread ends */
    }
    for (int i = 0; i < VERIFY_SLOTS; i++)
        if (c->slot[i].ctx && c->slot[i].key == key && c->slot[i].alg == alg)
            return c->slot[i].ctx;
    EVP_PKEY_CTX *ctx = verify_ctx_new(key, md, ec);
    if (!ctx)
        return NULL;
    unsigned i = c->next++ % VERIFY_SLOTS;
    EVP_PKEY_CTX_free(c->slot[i].ctx);
    c->slot[i].key = key;
    c->slot[i].alg = alg;
    c->slot[i].ctx = ctx;
    return ctx;
}

int cose_verify(EVP_PKEY *key, int64_t alg, const uint8_t *tbs, size_t tbs_len, const uint8_t *sig, size_t sig_len,
                char *err, size_t errlen)
{
    const EVP_MD *md = md_for(alg);
    if (!md) {
        snprintf(err, errlen, "unsupported alg %lld", (long long)alg);
        return 1;
    }
    bool ec = alg == COSE_ES256 || alg == COSE_ES384 || alg == COSE_ES512;
    if (ec ? !EVP_PKEY_is_a(key, "EC") : !EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS")) {
        snprintf(err, errlen, "the key is not of the kind alg %lld needs", (long long)alg);
        return 1;
    }
    uint8_t dgst[EVP_MAX_MD_SIZE], der[COSE_ECDSA_DER_MAX];
    unsigned dlen = 0;
    const uint8_t *s = sig;
    size_t slen = sig_len;
    if (ec) {
        size_t coord = ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
        if (sig_len != 2 * coord || cose_ecdsa_raw_to_der(sig, sig_len, der, &slen)) {
            snprintf(err, errlen, "signature is %zu bytes, the key needs %zu", sig_len, 2 * coord);
            return 1;
        }
        s = der;
    }
    EVP_PKEY_CTX *ctx;
    if (!EVP_Digest(tbs, tbs_len, dgst, &dlen, md, NULL) || !(ctx = verify_ctx(key, alg, md, ec))) {
        snprintf(err, errlen, "crypto library failure");
        return -1;
    }
    if (EVP_PKEY_verify(ctx, s, slen, dgst, dlen) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "the signature does not verify with the key");
        return 1;
    }
    return 0;
}

/* ---- Sign ---------------------------------------------------------------- */

int cose_signer_init(struct cose_signer *s, EVP_PKEY *key)
{
    memset(s, 0, sizeof(*s));
    char group[32];
    size_t glen = 0;
    if (!EVP_PKEY_is_a(key, "EC") ||
        !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) ||
        strcmp(group, "prime256v1"))
        return -1;
    s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    s->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (!s->sha256 || !s->ctx || EVP_PKEY_sign_init(s->ctx) <= 0 || !EVP_PKEY_up_ref(key)) {
        cose_signer_release(s);
        return -1;
    }
    s->key = key;
    return 0;
}

int cose_signer_sign(struct cose_signer *s, const uint8_t *tbs, size_t tbs_len, uint8_t sig[64])
{
    uint8_t dgst[32], der[80];
    unsigned dlen = 0;
    size_t der_len = sizeof(der);
    if (!EVP_Digest(tbs, tbs_len, dgst, &dlen, s->sha256, NULL) ||
        EVP_PKEY_sign(s->ctx, der, &der_len, dgst, dlen) <= 0)
        return -1;
    return cose_ecdsa_der_to_raw(der, der_len, sig, 32);
}

void cose_signer_release(struct cose_signer *s)
{
    EVP_PKEY_CTX_free(s->ctx);
    EVP_MD_free(s->sha256);
    EVP_PKEY_free(s->key);
    memset(s, 0, sizeof(*s));
}
