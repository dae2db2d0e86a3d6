/*
 * qr.h - signed QR payloads that a scanner can verify offline.
 *
 * Format (version 1), documented in docs/api.md and the README:
 *     CDN1.<type>.<field>[.<field>...].<kid>.<signature>
 * where <signature> is base64url (no padding) of the Ed25519 signature, by
 * the key <kid>, over every byte before the final '.'.  Types: P (person:
 * code, serial), D (declaration: reference), V (venue: code; carried in a URL).
 *
 * Keys live in the signing_keys table; the first call makes one if there is
 * none, so every server over one database signs with the same key.
 */
#ifndef CORDON_QR_QR_H
#define CORDON_QR_QR_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct store;

#define QR_PAYLOAD_MAX 256

/* QR_ERROR: the store could not be read (the payload may be good; answer 503, not "invalid"). */
enum qr_status { QR_VALID, QR_BAD_FORMAT, QR_UNKNOWN_KEY, QR_BAD_SIGNATURE, QR_ERROR };

#define QR_KID_MAX 15        /* kid: 1-15 characters [A-Za-z0-9_-] */
#define QR_FIELD_MAX 63      /* a field: 1-63 characters [A-Za-z0-9_-] (no '.') */
#define QR_SIG_LEN 86        /* base64url of a 64-byte Ed25519 signature */
#define QR_PUBLIC_KEY_LEN 43 /* base64url of a 32-byte Ed25519 public key */

struct qr_parsed {
    char type;          /* 'P', 'D', 'V' */
    char fields[4][64]; /* the fields between the type and the kid */
    int nfields;
    char kid[16];
};

/*
 * Whether a payload with a good signature is still current (a personal card
 * not revoked since it was printed).  The domain that issues a type answers
 * for it, registered once at start (people_follow_qr() for 'P'), so that QR
 * verification never reaches up into the domains: 1 current, 0 not, -1 the
 * store failed.
 */
typedef int (*qr_current_fn)(struct store *s, const struct qr_parsed *p);
void qr_on_verify(char type, qr_current_fn fn);

/*
 * Signs "CDN1.<type>.<fields joined by .>", writing the whole payload into out.
 * type is 'P' (2 fields), 'D' (1) or 'V' (1); fields as QR_FIELD_MAX says.
 * Returns 0, ERR_INVALID_FIELD for a bad type/field count/field, or an enum
 * err from the store (the signing key is made or read on first use).  Safe to
 * call inside a store_tx: a key this call creates is not cached until it has
 * been read back by a later call, so a rolled-back creation is never used.
 */
enum err qr_sign(struct store *s, char type, const char *const *fields, int nfields,
                 char out[QR_PAYLOAD_MAX]);
/* Parses and checks a payload's signature. Returns a qr_status; *out is filled when the format is good. */
int qr_verify(struct store *s, const char *payload, struct qr_parsed *out);
/* The same without a store, for offline scanners: any kid, checked against pk (32 bytes).
 * Returns QR_VALID, QR_BAD_FORMAT or QR_BAD_SIGNATURE. */
int qr_verify_with_key(const unsigned char pk[32], const char *payload, struct qr_parsed *out);
/* Only the format: QR_VALID (well-formed, signature unchecked) or QR_BAD_FORMAT. */
int qr_parse(const char *payload, struct qr_parsed *out);
const char *qr_status_name(int status); /* "valid", "bad_format", "unknown_key", "bad_signature", "error" */

/* The signature (base64url) and kid for a venue poster URL: signs "CDN1.V.<code>.<kid>". */
enum err qr_sign_venue(struct store *s, const char *venue_code, char kid[16], char sig[96]);
int qr_verify_venue(struct store *s, const char *venue_code, const char *kid, const char *sig);

/* A public key as GET /api/v1/keys lists it. */
struct qr_key {
    char kid[QR_KID_MAX + 1];
    char alg[16];                           /* "Ed25519" */
    char public_key[QR_PUBLIC_KEY_LEN + 1]; /* base64url */
    int64_t created_at;
};
/* All public keys, oldest first, making the first key if there is none. *out is
 * allocated in a; returns 0 or an enum err. */
enum err qr_keys_list(struct store *s, struct arena *a, struct qr_key **out, int *n);
/* Decodes a base64url public key; 0 or -1. */
int qr_public_key_decode(const char *b64, unsigned char pk[32]);
/* Adds a new signing key (kid "k<N+1>"); processes that have not cached a signer
 * yet sign with it, running servers after a restart.  0 or an enum err. */
int qr_key_rotate(struct store *s, char kid[QR_KID_MAX + 1]);
/* Forgets (and wipes) the keys cached by this process, e.g. between databases in tests. */
void qr_keys_forget(void);

/* A fresh public code: n characters of Crockford base32 (no I, L, O, U) and a NUL (out holds n + 1). */
void qr_code_generate(char *out, size_t n);

#endif
