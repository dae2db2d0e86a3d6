/*
 * dcc_key.c - the issuer's signing key, kept in table dcc_keys.
 *
 * The first dcc_issuer_load() on a database generates an EC P-256 key and a
 * self-signed X.509 certificate and inserts them as generation 1; racing
 * servers insert with ON CONFLICT DO NOTHING and then all read the row that
 * won, so a database has one signing key.  The private key PEM is stored
 * sealed under the key-encryption key (core/kek.h); PEM texts holding it are
 * wiped before they are freed.
 */
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/kek.h"
#include "dcc/dcc_int.h"
#include "store/store.h"

#define DCC_CERT_DAYS (5 * 365) /* validity of the self-signed signer certificate */

struct key_row {
    char *key_pem, *cert_pem, *country;
};

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static void key_row_release(struct key_row *k)
{
    wipe_free(k->key_pem);
    free(k->cert_pem);
    free(k->country);
    memset(k, 0, sizeof(*k));
}

static void read_key_row(struct store_stmt *st, void *ctx)
{
    struct key_row *k = ctx;
    const char *b = store_col_text(st, 1), *c = store_col_text(st, 2);
    size_t len = 0;
    char *a = kek_open_stored(store_col_text(st, 0), store_col_text(st, 3), &len);
    k->key_pem = a ? strdup(a) : NULL;
    kek_free(a, len);
    k->cert_pem = b ? strdup(b) : NULL;
    k->country = c ? strdup(c) : NULL;
}

/* BIO contents as a malloc'd string. */
static char *bio_string(BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        memcpy(s, p, (size_t)n);
        s[n] = '\0';
    }
    return s;
}

/* A new P-256 key and a self-signed certificate for it, as PEM, and the certificate's kid. */
static int generate(const char *country, int64_t now, struct key_row *out, char kid_b64[16])
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    unsigned char serial[16], *der = NULL;
    BIGNUM *bn = NULL;
    time_t t = (time_t)now;
    int rc = -1;
    if (!key || !cert || !name || !kb || !cb || RAND_bytes(serial, sizeof(serial)) != 1)
        goto out;
    serial[0] &= 0x7f; /* a positive serial */
    bn = BN_bin2bn(serial, sizeof(serial), NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) || !X509_set_version(cert, 2) ||
        !X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &t) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert), DCC_CERT_DAYS, 0, &t) ||
        !X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)country, -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Cordon", -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"Cordon DSC", -1, -1, 0) ||
        !X509_set_subject_name(cert, name) || !X509_set_issuer_name(cert, name) || !X509_set_pubkey(cert, key) ||
        !X509_sign(cert, key, EVP_sha256()))
        goto out;
    if (!PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) || !PEM_write_bio_X509(cb, cert))
        goto out;
    int der_len = i2d_X509(cert, &der);
    uint8_t kid[8];
    if (der_len <= 0 || dcc__kid_of(der, (size_t)der_len, kid))
        goto out;
    dcc__b64_encode(kid, 8, kid_b64);
    out->key_pem = bio_string(kb);
    out->cert_pem = bio_string(cb);
    out->country = strdup(country);
    rc = out->key_pem && out->cert_pem && out->country ? 0 : -1;
out:
    OPENSSL_free(der);
    BN_free(bn);
    if (kb) {
        char *p;
        long n = BIO_get_mem_data(kb, &p);
        if (n > 0)
            OPENSSL_cleanse(p, (size_t)n);
    }
    BIO_free(kb);
    BIO_free(cb);
    X509_NAME_free(name);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

static const char select_sql[] =
    "SELECT private_key, certificate, country, kek_id FROM dcc_keys ORDER BY generation DESC LIMIT 1";

/* Inserts a fresh key as generation gen (ON CONFLICT DO NOTHING: a racing server may win). */
static int insert_key(struct store *s, const char *country, int64_t gen, int64_t *changes)
{
    struct key_row fresh = {0};
    char kid[16];
    int64_t now = clock_now();
    if (generate(country, now, &fresh, kid)) {
        key_row_release(&fresh);
        return STORE_ERROR;
    }
    char *sealed = kek_seal_current(fresh.key_pem);
    int rc = sealed ? store_run(s, changes,
                                "INSERT INTO dcc_keys (kid, generation, alg, country, private_key, kek_id, certificate,"
                                " created_at) VALUES (?, ?, 'ES256', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                "sissssi", kid, gen, country, sealed, kek_current()->id, fresh.cert_pem, now)
                    : STORE_ERROR;
    free(sealed);
    key_row_release(&fresh);
    return rc;
}

int dcc_issuer_load(struct store *s, const char *country, struct dcc_issuer **out)
{
    *out = NULL;
    struct key_row k = {0};
    int rc = store_get(s, read_key_row, &k, select_sql, "");
    if (rc == STORE_DONE) {
        rc = insert_key(s, country, 1, NULL);
        if (rc == STORE_OK)
            rc = store_get(s, read_key_row, &k, select_sql, "");
    }
    if (rc != STORE_OK) {
        key_row_release(&k);
        return rc == STORE_DONE ? ERR_INTERNAL : store_err(rc);
    }
    char err[160];
    rc = k.key_pem && k.cert_pem && !dcc_issuer_new(k.key_pem, k.cert_pem, country, out, err, sizeof(err))
             ? 0
             : ERR_INTERNAL;
    key_row_release(&k);
    return rc;
}

int dcc_issuer_rotate(struct store *s, const char *country, int64_t *generation)
{
    int64_t top = 0, changes = 0;
    int rc = store_int(s, &top, "SELECT COALESCE(MAX(generation), 0) FROM dcc_keys", "");
    if (!rc)
        rc = insert_key(s, country, top + 1, &changes);
    if (!rc && changes != 1)
        rc = STORE_CONFLICT; /* another generation top + 1 appeared meanwhile */
    *generation = top + 1;
    return store_err(rc);
}

int dcc_issuer_generate(const char *country, struct dcc_issuer **out)
{
    struct key_row k = {0};
    char kid[16], err[160];
    *out = NULL;
    int rc = generate(country, clock_now(), &k, kid) || dcc_issuer_new(k.key_pem, k.cert_pem, country, out, err, sizeof(err))
                 ? ERR_INTERNAL
                 : 0;
    key_row_release(&k);
    return rc;
}
