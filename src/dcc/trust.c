/*
 * trust.c - the trust list: kid -> public key (and, for certificates, the
 * certificate types their extended key usage allows), loaded once and then
 * only read, so verifiers on any thread can share it.
 */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcc/dcc_int.h"

int dcc_trust_new(struct dcc_trust **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? 0 : DCC_INTERNAL;
}

void dcc_trust_free(struct dcc_trust *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        EVP_PKEY_free(t->entries[i].key);
    free(t->entries);
    free(t);
}

void dcc_trust_use_valuesets(struct dcc_trust *t, const struct dcc_valuesets *vs)
{
    t->valuesets = vs;
}

size_t dcc_trust_count(const struct dcc_trust *t)
{
    return t ? t->n : 0;
}

int dcc__trust_add_key(struct dcc_trust *t, const uint8_t *kid, size_t kid_len, EVP_PKEY *key, unsigned usage)
{
    if (kid_len > DCC_KID_MAX)
        return -1;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        struct dcc_trust_entry *e = realloc(t->entries, cap * sizeof(*e));
        if (!e)
            return -1;
        t->entries = e;
        t->cap = cap;
    }
    struct dcc_trust_entry *e = &t->entries[t->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->kid, kid, kid_len);
    e->kid_len = kid_len;
    e->key = key;
    e->usage = usage;
    return 0;
}

int dcc__kid_of(const uint8_t *der, size_t der_len, uint8_t kid[8])
{
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hlen = 0;
    if (!EVP_Digest(der, der_len, h, &hlen, EVP_sha256(), NULL))
        return -1;
    memcpy(kid, h, 8);
    return 0;
}

/*
 * The certificate types a signer certificate's extended key usage allows.
 * The DCC rule (eHealth Network, hcert spec, "Key Usage Policy Identifiers"):
 * an EKU extension restricts the types only through the DCC OIDs it lists;
 * when it lists none of them (no EKU extension, an empty one, or only other
 * purposes such as clientAuth) the certificate signs every type.  An EKU
 * extension that does not decode, or appears twice, allows no type.
 */
static unsigned usage_of(X509 *cert)
{
    /* The DCC OIDs, and the same with an extra ".0" arc that some national
     * signer certificates carry (verifiers accept both). */
    static const char *const oids[2] = {"1.3.6.1.4.1.1847.2021.1.", "1.3.6.1.4.1.0.1847.2021.1."};
    unsigned usage = 0;
    int crit = 0;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, &crit, NULL);
    if (!eku)
        return crit == -1 ? DCC_USAGE_ALL : 0; /* -1: no EKU extension; else unreadable or repeated */
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        char txt[80];
        if (OBJ_obj2txt(txt, sizeof(txt), sk_ASN1_OBJECT_value(eku, i), 1) <= 0)
            continue;
        for (unsigned k = 0; k < 2; k++) {
            size_t n = strlen(oids[k]);
            if (!strncmp(txt, oids[k], n) && txt[n] >= '1' && txt[n] <= '3' && !txt[n + 1])
                usage |= 1u << (txt[n] - '1');
        }
    }
    EXTENDED_KEY_USAGE_free(eku);
    return usage ? usage : DCC_USAGE_ALL; /* none of the DCC OIDs: every type */
}

int dcc_trust_add_der(struct dcc_trust *t, const uint8_t *kid, size_t kid_len, const uint8_t *der, size_t der_len,
                      char *err, size_t errlen)
{
    uint8_t own_kid[8];
    if (!kid || !kid_len) {
        if (dcc__kid_of(der, der_len, own_kid)) {
            snprintf(err, errlen, "could not hash the key");
            return -1;
        }
        kid = own_kid;
        kid_len = sizeof(own_kid);
    }
    if (kid_len > DCC_KID_MAX) {
        snprintf(err, errlen, "kid longer than %d bytes", DCC_KID_MAX);
        return -1;
    }
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)der_len);
    EVP_PKEY *key = NULL;
    unsigned usage = DCC_USAGE_ALL;
    if (cert && p == der + der_len) {
        key = X509_get_pubkey(cert);
        usage = usage_of(cert);
    } else {
        p = der;
        key = d2i_PUBKEY(NULL, &p, (long)der_len);
        if (key && p != der + der_len) {
            EVP_PKEY_free(key);
            key = NULL;
        }
    }
    X509_free(cert);
    if (!key) {
        if (err && errlen)
            snprintf(err, errlen, "neither an X.509 certificate nor a SubjectPublicKeyInfo");
        return -1;
    }
    if (dcc__trust_add_key(t, kid, kid_len, key, usage)) {
        EVP_PKEY_free(key);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

long dcc__b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    bool pad = false;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '=') {
            pad = true;
            continue;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        else
            return -1;
        if (pad)
            return -1; /* data after padding */
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits >= 6)
        return -1; /* a lone sixth character */
    return (long)o;
}

void dcc__b64_encode(const uint8_t *in, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int dcc_trust_add_text(struct dcc_trust *t, const uint8_t *kid, size_t kid_len, const char *text, char *err,
                       size_t errlen)
{
    while (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t')
        text++;
    if (!strncmp(text, "-----BEGIN", 10)) {
        BIO *bio = BIO_new_mem_buf(text, -1);
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long len = 0;
        int rc = -1;
        if (!bio || !PEM_read_bio(bio, &name, &header, &data, &len)) {
            snprintf(err, errlen, "unreadable PEM");
        } else if (strcmp(name, "CERTIFICATE") && strcmp(name, "PUBLIC KEY")) {
            snprintf(err, errlen, "PEM holds %s, not CERTIFICATE or PUBLIC KEY", name);
        } else {
            rc = dcc_trust_add_der(t, kid, kid_len, data, (size_t)len, err, errlen);
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        BIO_free(bio);
        return rc;
    }
    size_t n = strlen(text);
    uint8_t *der = malloc(n * 3 / 4 + 3);
    if (!der) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    long len = dcc__b64_decode(text, n, der, n * 3 / 4 + 3);
    int rc;
    if (len <= 0) {
        snprintf(err, errlen, "neither PEM nor base64");
        rc = -1;
    } else {
        rc = dcc_trust_add_der(t, kid, kid_len, der, (size_t)len, err, errlen);
    }
    free(der);
    return rc;
}

int dcc_trust_load_json(struct dcc_trust *t, const json_t *obj, char *err, size_t errlen)
{
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "the trust list must be a JSON object {kid: key}");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        uint8_t kid[DCC_KID_MAX];
        long kid_len = dcc__b64_decode(k, strlen(k), kid, sizeof(kid));
        char e[160];
        if (kid_len < 0) {
            snprintf(err, errlen, "kid \"%.40s\" is not base64 of at most %d bytes", k, DCC_KID_MAX);
            return -1;
        }
        if (!json_is_string(v)) {
            snprintf(err, errlen, "kid \"%.40s\": the key must be a string", k);
            return -1;
        }
        if (dcc_trust_add_text(t, kid_len ? kid : NULL, (size_t)kid_len, json_string_value(v), e, sizeof(e))) {
            snprintf(err, errlen, "kid \"%.40s\": %s", k, e);
            return -1;
        }
    }
    return 0;
}

int dcc_trust_load_file(struct dcc_trust *t, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *obj = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!obj) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    int rc = dcc_trust_load_json(t, obj, err, errlen);
    json_decref(obj);
    return rc;
}
