/*
 * cose.h - COSE_Sign1 (RFC 9052) as DCCs use it: parse, build the
 * Sig_structure, sign with ES256, verify ES256/384/512 and PS256/384/512.
 *
 * COSE carries an ECDSA signature as r||s, each coordinate padded to the
 * curve size; OpenSSL speaks DER (ECDSA-Sig-Value).  The converters here are
 * the only place the two meet.
 */
#ifndef CORDON_DCC_COSE_H
#define CORDON_DCC_COSE_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dcc/cbor.h"

#define COSE_TAG_SIGN1 18
#define COSE_TAG_CWT 61
#define COSE_HDR_ALG 1
#define COSE_HDR_KID 4

enum cose_alg {
    COSE_ES256 = -7,
    COSE_ES384 = -35,
    COSE_ES512 = -36,
    COSE_PS256 = -37,
    COSE_PS384 = -38,
    COSE_PS512 = -39,
};

/* A parsed COSE_Sign1; pointers point into the decoded tree it came from. */
struct cose_sign1 {
    const uint8_t *protected_raw; /* the protected header bstr contents (signed as is) */
    size_t protected_len;
    const uint8_t *payload;
    size_t payload_len;
    const uint8_t *sig;
    size_t sig_len;
    int64_t alg;                  /* 0 when absent */
    const uint8_t *kid;           /* NULL when absent */
    size_t kid_len;
    struct cbor_item *phdr;       /* decoded protected header (owned) */
};

/*
 * Reads a COSE_Sign1 from a decoded tree: tag 18 optional, optionally inside
 * CWT tag 61; alg and kid from the protected header, else the unprotected one.
 * Returns 0, or -1 with err when the structure is not a COSE_Sign1.
 * Release *out with cose_sign1_release() in both cases.
 */
int cose_sign1_parse(const struct cbor_item *root, struct cose_sign1 *out, char *err, size_t errlen);
void cose_sign1_release(struct cose_sign1 *s);

/* Appends Sig_structure ["Signature1", protected, h'', payload] to b. */
void cose_sig_structure(struct cbor_buf *b, const uint8_t *prot, size_t prot_len, const uint8_t *payload,
                        size_t payload_len);

/* True for the algorithms cose_verify() supports. */
bool cose_alg_supported(int64_t alg);

/*
 * Verifies sig over tbs (the Sig_structure) with key under alg.
 * Returns 0 when valid, 1 when not (wrong key type for alg, bad length, bad
 * signature: err says which), -1 on a library failure.  Thread-safe: key is
 * only read.
 */
int cose_verify(EVP_PKEY *key, int64_t alg, const uint8_t *tbs, size_t tbs_len, const uint8_t *sig, size_t sig_len,
                char *err, size_t errlen);

/* An ES256 signer that keeps its OpenSSL context between signatures (one thread at a time). */
struct cose_signer {
    EVP_PKEY *key;     /* a reference held by the signer */
    EVP_PKEY_CTX *ctx; /* initialised for signing */
    EVP_MD *sha256;
};

/* Returns 0, or -1 when key is not an EC P-256 private key or OpenSSL fails. */
int cose_signer_init(struct cose_signer *s, EVP_PKEY *key);
/* Signs SHA-256(tbs); writes r||s (64 bytes).  Returns 0 or -1. */
int cose_signer_sign(struct cose_signer *s, const uint8_t *tbs, size_t tbs_len, uint8_t sig[64]);
void cose_signer_release(struct cose_signer *s);

#define COSE_ECDSA_DER_MAX 144 /* DER of an ECDSA signature with coordinates up to 66 bytes (P-521) */
/* r||s (2 * coordinate size bytes, at most 2 * 66) -> DER into der.  Returns 0 or -1. */
int cose_ecdsa_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t der[COSE_ECDSA_DER_MAX], size_t *der_len);
/* DER -> r||s with each coordinate padded to coord_len bytes.  Returns 0 or -1. */
int cose_ecdsa_der_to_raw(const uint8_t *der, size_t der_len, uint8_t *raw, size_t coord_len);

#endif
