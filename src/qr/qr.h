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

struct store;

#define QR_PAYLOAD_MAX 256

enum qr_status { QR_VALID, QR_BAD_FORMAT, QR_UNKNOWN_KEY, QR_BAD_SIGNATURE };

struct qr_parsed {
    char type;              /* 'P', 'D', 'V' */
    char fields[4][64];     /* the fields between the type and the kid */
    int nfields;
    char kid[16];
};

/* Signs "CDN1.<type>.<fields joined by .>", writing the whole payload into out. */
int qr_sign(struct store *s, char type, const char *const *fields, int nfields, char out[QR_PAYLOAD_MAX]);
/* Parses and checks a payload's signature. Returns a qr_status; *out is filled when the format is good. */
int qr_verify(struct store *s, const char *payload, struct qr_parsed *out);
const char *qr_status_name(int status); /* "valid", "bad_format", "unknown_key", "bad_signature" */

/* The signature (base64url) and kid for a venue poster URL: signs "CDN1.V.<code>.<kid>". */
int qr_sign_venue(struct store *s, const char *venue_code, char kid[16], char sig[96]);
int qr_verify_venue(struct store *s, const char *venue_code, const char *kid, const char *sig);

/* A fresh public code: n characters of Crockford base32 (no I, L, O, U). */
void qr_code_generate(char *out, size_t n);

#endif
