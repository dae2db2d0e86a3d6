/*
 * qr.c - signing and verifying QR payloads (format in qr.h), and their keys.
 *
 * Owns the signing_keys table (migrations 004, 016).  Keys are Ed25519
 * (libsodium), stored as base64url without padding, the secret key sealed
 * under the key-encryption key (core/kek.h).  The first signature on a database
 * creates kid "k1" with INSERT ... ON CONFLICT DO NOTHING and reads it back,
 * so threads and processes racing to create it all end up with the same key.
 *
 * Each process caches what it has read: the signing key (newest kid) and
 * the public keys it has looked up, under one mutex.  A secret key is copied
 * out of the cache only for the moment of signing and wiped right after.
 */
#include "qr/qr.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/kek.h"
#include "core/err.h"
#include "store/store.h"

#define QR_PREFIX "CDN1."
#define QR_CACHE_MAX 16
#define QR_FIRST_KID "k1"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ---------------------------------------------------------------- key cache */

struct cached_key {
    char kid[QR_KID_MAX + 1];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_key cache_pub[QR_CACHE_MAX]; /* public keys seen; oldest dropped when full */
static int cache_npub;
static bool cache_have_signer;
static char cache_signer_kid[QR_KID_MAX + 1];
static unsigned char cache_signer_sk[crypto_sign_SECRETKEYBYTES];

static void venue_sigs_forget(void);

void qr_keys_forget(void)
{
    pthread_mutex_lock(&cache_lock);
    sodium_memzero(cache_signer_sk, sizeof(cache_signer_sk));
    sodium_memzero(cache_pub, sizeof(cache_pub));
    cache_have_signer = false;
    cache_signer_kid[0] = '\0';
    cache_npub = 0;
    pthread_mutex_unlock(&cache_lock);
    venue_sigs_forget();
}

/* Caller holds cache_lock. */
static void cache_put_pub(const char *kid, const unsigned char pk[32])
{
    for (int i = 0; i < cache_npub; i++)
        if (!strcmp(cache_pub[i].kid, kid)) {
            memcpy(cache_pub[i].pk, pk, 32);
            return;
        }
    if (cache_npub == QR_CACHE_MAX) {
        memmove(cache_pub, cache_pub + 1, sizeof(cache_pub[0]) * (QR_CACHE_MAX - 1));
        cache_npub--;
    }
    snprintf(cache_pub[cache_npub].kid, sizeof(cache_pub[0].kid), "%s", kid);
    memcpy(cache_pub[cache_npub].pk, pk, 32);
    cache_npub++;
}

static bool cache_get_pub(const char *kid, unsigned char pk[32])
{
    bool found = false;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < cache_npub && !found; i++)
        if (!strcmp(cache_pub[i].kid, kid)) {
            memcpy(pk, cache_pub[i].pk, 32);
            found = true;
        }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

/* ---------------------------------------------------------------- encodings */

static int b64_decode(const char *b64, unsigned char *bin, size_t binlen)
{
    size_t got = 0;
    const char *end = NULL;
    size_t len = strlen(b64);
    if (sodium_base642bin(bin, binlen, b64, len, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        got != binlen || end != b64 + len)
        return -1;
    return 0;
}

static void b64_encode(char *out, size_t outlen, const unsigned char *bin, size_t binlen)
{
    sodium_bin2base64(out, outlen, bin, binlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int qr_public_key_decode(const char *b64, unsigned char pk[32])
{
    if (!b64 || strlen(b64) != QR_PUBLIC_KEY_LEN)
        return -1;
    return b64_decode(b64, pk, crypto_sign_PUBLICKEYBYTES);
}

static bool token_ok(const char *p, size_t len, size_t max)
{
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static int type_fields(char type)
{
    switch (type) {
    case 'P':
        return 2;
    case 'D':
    case 'V':
        return 1;
    default:
        return -1;
    }
}

/* ---------------------------------------------------------------- keys in the store */

/* Reads the newest key with its secret. STORE_OK, STORE_DONE (none) or a store error. */
static int load_signer(struct store *s, char kid[QR_KID_MAX + 1], unsigned char sk[64])
{
    struct store_stmt *st;
    int rc = store_query(s, &st,
                         "SELECT kid, secret_key, kek_id FROM signing_keys WHERE alg = 'Ed25519'"
                         " ORDER BY created_at DESC, kid DESC LIMIT 1",
                         "");
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        const char *k = store_col_text(st, 0);
        size_t len = 0;
        char *b = kek_open_stored(store_col_text(st, 1), store_col_text(st, 2), &len);
        if (!k || !token_ok(k, strlen(k), QR_KID_MAX) || !b || b64_decode(b, sk, crypto_sign_SECRETKEYBYTES))
            rc = STORE_ERROR; /* a broken row or the wrong KEK: refuse to sign rather than sign with garbage */
        else {
            snprintf(kid, QR_KID_MAX + 1, "%s", k);
            rc = STORE_OK;
        }
        kek_free(b, len);
    }
    store_finalize(st);
    return rc;
}

/* Inserts a new key as kid unless one with that kid exists, its secret sealed
 * under the KEK.  *created tells whether this call made it. */
static int create_key(struct store *s, const char *kid, bool *created)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char pk64[QR_PUBLIC_KEY_LEN + 1],
        sk64[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    crypto_sign_keypair(pk, sk);
    b64_encode(pk64, sizeof(pk64), pk, sizeof(pk));
    b64_encode(sk64, sizeof(sk64), sk, sizeof(sk));
    char *sealed = kek_seal_current(sk64);
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(sk64, sizeof(sk64));
    *created = false;
    if (!sealed)
        return STORE_ERROR;
    int64_t changes = 0;
    int rc = store_run(s, &changes,
                       "INSERT INTO signing_keys (kid, alg, public_key, secret_key, kek_id, created_at)"
                       " VALUES (?, 'Ed25519', ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING",
                       "ssssi", kid, pk64, sealed, kek_current()->id, clock_now());
    free(sealed);
    *created = rc == STORE_OK && changes > 0;
    return rc;
}

int qr_key_rotate(struct store *s, char kid[QR_KID_MAX + 1])
{
    int64_t n = 0;
    int rc = store_int(s, &n, "SELECT COUNT(*) FROM signing_keys", "");
    bool created = false;
    /* kN+1; should a kid be taken (a key removed by hand), try the next. */
    for (int i = (int)(n % 1000000) + 1; !rc && !created && i < (int)(n % 1000000) + 100; i++) {
        snprintf(kid, QR_KID_MAX + 1, "k%d", i);
        rc = create_key(s, kid, &created);
    }
    if (!rc && !created)
        rc = STORE_ERROR;
    return store_err(rc);
}

/*
 * Copies the signing key into kid/sk (the caller wipes sk).  Reads or makes
 * it on first use.  Returns STORE_OK or a store error.
 */
static int signer_get(struct store *s, char kid[QR_KID_MAX + 1], unsigned char sk[64])
{
    pthread_mutex_lock(&cache_lock);
    if (cache_have_signer) {
        memcpy(kid, cache_signer_kid, sizeof(cache_signer_kid));
        memcpy(sk, cache_signer_sk, sizeof(cache_signer_sk));
        pthread_mutex_unlock(&cache_lock);
        return STORE_OK;
    }
    pthread_mutex_unlock(&cache_lock);

    bool created = false;
    int rc = load_signer(s, kid, sk);
    if (rc == STORE_DONE) {
        rc = create_key(s, QR_FIRST_KID, &created);
        if (rc == STORE_OK)
            rc = load_signer(s, kid, sk);
        if (rc == STORE_DONE) /* inserted, yet not there: the store is inconsistent */
            rc = STORE_ERROR;
    }
    if (rc)
        return rc;
    /* A key this call created may belong to a transaction that later rolls
     * back; only a key found already stored is cached. */
    if (!created) {
        pthread_mutex_lock(&cache_lock);
        memcpy(cache_signer_kid, kid, sizeof(cache_signer_kid));
        memcpy(cache_signer_sk, sk, sizeof(cache_signer_sk));
        cache_have_signer = true;
        pthread_mutex_unlock(&cache_lock);
    }
    return STORE_OK;
}

/* The public key of kid: STORE_OK, STORE_DONE (unknown kid) or a store error. */
static int public_get(struct store *s, const char *kid, unsigned char pk[32])
{
    if (cache_get_pub(kid, pk))
        return STORE_OK;
    struct store_stmt *st;
    int rc = store_query(s, &st, "SELECT public_key FROM signing_keys WHERE kid = ?", "s", kid);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        const char *b = store_col_text(st, 0);
        rc = b && !qr_public_key_decode(b, pk) ? STORE_OK : STORE_ERROR;
    }
    store_finalize(st);
    if (rc == STORE_OK) {
        pthread_mutex_lock(&cache_lock);
        cache_put_pub(kid, pk);
        pthread_mutex_unlock(&cache_lock);
    }
    return rc;
}

enum err qr_keys_list(struct store *s, struct arena *a, struct qr_key **out, int *n)
{
    *out = NULL;
    *n = 0;
    char kid[QR_KID_MAX + 1];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    int rc = signer_get(s, kid, sk); /* so that a fresh database already lists its key */
    sodium_memzero(sk, sizeof(sk));
    if (rc)
        return store_err(rc);
    int64_t count = 0;
    rc = store_int(s, &count, "SELECT COUNT(*) FROM signing_keys", "");
    if (rc)
        return store_err(rc);
    struct qr_key *keys = arena_alloc(a, sizeof(*keys) * (size_t)(count ? count : 1));
    struct store_stmt *st;
    rc = store_query(
        s, &st, "SELECT kid, alg, public_key, created_at FROM signing_keys ORDER BY created_at, kid", "");
    if (rc)
        return store_err(rc);
    int i = 0;
    while ((rc = store_step(st)) == STORE_ROW && i < count) {
        const char *k = store_col_text(st, 0), *al = store_col_text(st, 1), *pk = store_col_text(st, 2);
        snprintf(keys[i].kid, sizeof(keys[i].kid), "%s", k ? k : "");
        snprintf(keys[i].alg, sizeof(keys[i].alg), "%s", al ? al : "");
        snprintf(keys[i].public_key, sizeof(keys[i].public_key), "%s", pk ? pk : "");
        keys[i].created_at = store_col_int(st, 3);
        i++;
    }
    store_finalize(st);
    if (rc != STORE_DONE && rc != STORE_ROW)
        return store_err(rc);
    *out = keys;
    *n = i;
    return 0;
}

/* ---------------------------------------------------------------- payloads */

enum err qr_sign(struct store *s, char type, const char *const *fields, int nfields, char out[QR_PAYLOAD_MAX])
{
    out[0] = '\0';
    if (type_fields(type) != nfields || !fields)
        return ERR_INVALID_FIELD;
    char msg[QR_PAYLOAD_MAX];
    int len = snprintf(msg, sizeof(msg), QR_PREFIX "%c", type);
    for (int i = 0; i < nfields; i++) {
        if (!fields[i] || !token_ok(fields[i], strlen(fields[i]), QR_FIELD_MAX))
            return ERR_INVALID_FIELD;
        len += snprintf(msg + len, sizeof(msg) - (size_t)len, ".%s", fields[i]);
        if (len >= (int)sizeof(msg))
            return ERR_INVALID_FIELD;
    }
    /* The kid is part of what is signed: read it with the secret key first. */
    char kid[QR_KID_MAX + 1], sig64[QR_SIG_LEN + 1];
    unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    int rc = signer_get(s, kid, sk);
    if (rc) {
        sodium_memzero(sk, sizeof(sk));
        return store_err(rc);
    }
    int total = snprintf(msg + len, sizeof(msg) - (size_t)len, ".%s", kid);
    if (len + total + 1 + QR_SIG_LEN >= QR_PAYLOAD_MAX) {
        sodium_memzero(sk, sizeof(sk));
        return ERR_INVALID_FIELD;
    }
    len += total;
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (unsigned long long)len, sk);
    sodium_memzero(sk, sizeof(sk));
    b64_encode(sig64, sizeof(sig64), sig, sizeof(sig));
    memcpy(out, msg, (size_t)len); /* fits: checked above */
    out[len] = '.';
    memcpy(out + len + 1, sig64, sizeof(sig64));
    return 0;
}

int qr_parse(const char *payload, struct qr_parsed *out)
{
    memset(out, 0, sizeof(*out));
    if (!payload)
        return QR_BAD_FORMAT;
    size_t total = strlen(payload);
    if (total >= QR_PAYLOAD_MAX || strncmp(payload, QR_PREFIX, strlen(QR_PREFIX)))
        return QR_BAD_FORMAT;
    /* Split into at most 8 parts after the prefix: type, fields..., kid, signature. */
    const char *parts[8];
    size_t lens[8];
    int np = 0;
    const char *p = payload + strlen(QR_PREFIX);
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (np == 8)
            return QR_BAD_FORMAT;
        parts[np] = p;
        lens[np] = len;
        np++;
        if (!dot)
            break;
        p = dot + 1;
    }
    if (np < 3 || lens[0] != 1)
        return QR_BAD_FORMAT;
    char type = parts[0][0];
    int nf = type_fields(type);
    if (nf < 0 || np != nf + 3)
        return QR_BAD_FORMAT;
    for (int i = 0; i < nf; i++) {
        if (!token_ok(parts[1 + i], lens[1 + i], QR_FIELD_MAX))
            return QR_BAD_FORMAT;
    }
    if (!token_ok(parts[1 + nf], lens[1 + nf], QR_KID_MAX) || lens[2 + nf] != QR_SIG_LEN ||
        !token_ok(parts[2 + nf], lens[2 + nf], QR_SIG_LEN))
        return QR_BAD_FORMAT;
    if (type == 'P') { /* the serial is a decimal number */
        for (size_t i = 0; i < lens[2]; i++)
            if (parts[2][i] < '0' || parts[2][i] > '9')
                return QR_BAD_FORMAT;
        if (lens[2] > 18)
            return QR_BAD_FORMAT;
    }
    out->type = type;
    out->nfields = nf;
    for (int i = 0; i < nf; i++)
        memcpy(out->fields[i], parts[1 + i], lens[1 + i]);
    memcpy(out->kid, parts[1 + nf], lens[1 + nf]);
    return QR_VALID;
}

/* Checks the signature at the end of payload (already parsed) with pk. */
static int check_signature(const unsigned char pk[32], const char *payload)
{
    const char *last = strrchr(payload, '.');
    unsigned char sig[crypto_sign_BYTES];
    if (!last || b64_decode(last + 1, sig, sizeof(sig)))
        return QR_BAD_FORMAT; /* not canonical base64url of 64 bytes */
    if (crypto_sign_verify_detached(sig, (const unsigned char *)payload, (unsigned long long)(last - payload),
                                    pk))
        return QR_BAD_SIGNATURE;
    return QR_VALID;
}

int qr_verify_with_key(const unsigned char pk[32], const char *payload, struct qr_parsed *out)
{
    int st = qr_parse(payload, out);
    if (st != QR_VALID)
        return st;
    st = check_signature(pk, payload);
    if (st == QR_BAD_FORMAT)
        memset(out, 0, sizeof(*out));
    return st;
}

int qr_verify(struct store *s, const char *payload, struct qr_parsed *out)
{
    int st = qr_parse(payload, out);
    if (st != QR_VALID)
        return st;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    int rc = public_get(s, out->kid, pk);
    if (rc == STORE_DONE)
        return QR_UNKNOWN_KEY;
    if (rc)
        return QR_ERROR;
    st = check_signature(pk, payload);
    if (st == QR_BAD_FORMAT)
        memset(out, 0, sizeof(*out));
    return st;
}

const char *qr_status_name(int status)
{
    switch (status) {
    case QR_VALID:
        return "valid";
    case QR_BAD_FORMAT:
        return "bad_format";
    case QR_UNKNOWN_KEY:
        return "unknown_key";
    case QR_BAD_SIGNATURE:
        return "bad_signature";
    default:
        return "error";
    }
}

/* ---------------------------------------------------------------- venue posters */

enum err qr_sign_venue(struct store *s, const char *venue_code, char kid[16], char sig[96])
{
    kid[0] = sig[0] = '\0';
    if (!venue_code || !token_ok(venue_code, strlen(venue_code), QR_FIELD_MAX))
        return ERR_INVALID_FIELD;
    char k[QR_KID_MAX + 1], msg[QR_PAYLOAD_MAX], sig64[QR_SIG_LEN + 1];
    unsigned char sk[crypto_sign_SECRETKEYBYTES], raw[crypto_sign_BYTES];
    int rc = signer_get(s, k, sk);
    if (rc) {
        sodium_memzero(sk, sizeof(sk));
        return store_err(rc);
    }
    int len = snprintf(msg, sizeof(msg), QR_PREFIX "V.%s.%s", venue_code, k);
    crypto_sign_detached(raw, NULL, (const unsigned char *)msg, (unsigned long long)len, sk);
    sodium_memzero(sk, sizeof(sk));
    b64_encode(sig64, sizeof(sig64), raw, sizeof(raw));
    memcpy(kid, k, sizeof(k));
    memcpy(sig, sig64, sizeof(sig64));
    return 0;
}

/*
 * Poster signatures that verified, by venue code: every check-in carries one,
 * and a check-in costs less than an Ed25519 verification.  Ed25519 signs
 * deterministically and only the canonical spelling is accepted, so a payload
 * has one valid signature per key; equal bytes are as good as a verification.
 * Keys are never withdrawn (rotation keeps the old ones), so an entry stays
 * true.  A code may sit in any of the VENUE_SIG_WAYS slots of its set, and a
 * new one takes a free slot or the set's next in turn: with one slot per code,
 * two busy venues whose codes hashed alike pushed each other out and every
 * check-in at both paid a verification.
 */
#define VENUE_SIG_SETS 512
#define VENUE_SIG_WAYS 8

struct venue_sig {
    char code[QR_FIELD_MAX + 1];
    char kid[QR_KID_MAX + 1];
    char sig[QR_SIG_LEN + 1];
};

static pthread_mutex_t venue_sig_lock = PTHREAD_MUTEX_INITIALIZER;
static struct venue_sig venue_sigs[VENUE_SIG_SETS][VENUE_SIG_WAYS];
static unsigned venue_sig_next[VENUE_SIG_SETS]; /* the way a set gives up next when full */

static void venue_sigs_forget(void)
{
    pthread_mutex_lock(&venue_sig_lock);
    memset(venue_sigs, 0, sizeof(venue_sigs));
    pthread_mutex_unlock(&venue_sig_lock);
}

static unsigned venue_sig_set(const char *code)
{
    uint32_t h = 2166136261u;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % VENUE_SIG_SETS;
}

/* Whether code's signature is known to be kid and sig (lock held). */
static bool venue_sig_known(unsigned set, const char *code, const char *kid, const char *sig)
{
    for (int w = 0; w < VENUE_SIG_WAYS; w++) {
        const struct venue_sig *e = &venue_sigs[set][w];
        if (!strcmp(e->code, code) && !strcmp(e->kid, kid) && !strcmp(e->sig, sig))
            return true;
    }
    return false;
}

/* Remembers a signature that verified (lock held): the code's slot, a free one, or the next in turn. */
static void venue_sig_remember(unsigned set, const char *code, const char *kid, const char *sig)
{
    struct venue_sig *e = NULL;
    for (int w = 0; w < VENUE_SIG_WAYS && !e; w++)
        if (!strcmp(venue_sigs[set][w].code, code))
            e = &venue_sigs[set][w];
    for (int w = 0; w < VENUE_SIG_WAYS && !e; w++)
        if (!venue_sigs[set][w].code[0])
            e = &venue_sigs[set][w];
    if (!e)
        e = &venue_sigs[set][venue_sig_next[set]++ % VENUE_SIG_WAYS];
    snprintf(e->code, sizeof(e->code), "%s", code);
    snprintf(e->kid, sizeof(e->kid), "%s", kid);
    snprintf(e->sig, sizeof(e->sig), "%s", sig);
}

int qr_verify_venue(struct store *s, const char *venue_code, const char *kid, const char *sig)
{
    if (!venue_code || !kid || !sig || !token_ok(venue_code, strlen(venue_code), QR_FIELD_MAX) ||
        !token_ok(kid, strlen(kid), QR_KID_MAX) || strlen(sig) != QR_SIG_LEN)
        return QR_BAD_FORMAT;
    unsigned set = venue_sig_set(venue_code);
    pthread_mutex_lock(&venue_sig_lock);
    bool known = venue_sig_known(set, venue_code, kid, sig);
    pthread_mutex_unlock(&venue_sig_lock);
    if (known)
        return QR_VALID;
    char payload[QR_PAYLOAD_MAX];
    snprintf(payload, sizeof(payload), QR_PREFIX "V.%s.%s.%s", venue_code, kid, sig);
    struct qr_parsed parsed;
    int st = qr_verify(s, payload, &parsed);
    if (st == QR_VALID) {
        pthread_mutex_lock(&venue_sig_lock);
        venue_sig_remember(set, venue_code, kid, sig);
        pthread_mutex_unlock(&venue_sig_lock);
    }
    return st;
}

/* ---------------------------------------------------------------- codes */

void qr_code_generate(char *out, size_t n)
{
    unsigned char raw[64];
    size_t i = 0;
    while (i < n) {
        size_t chunk = n - i < sizeof(raw) ? n - i : sizeof(raw);
        randombytes_buf(raw, chunk);
        for (size_t j = 0; j < chunk; j++)
            out[i + j] = crockford[raw[j] & 31]; /* 256 is a multiple of 32: no bias */
        i += chunk;
    }
    out[n] = '\0';
}
