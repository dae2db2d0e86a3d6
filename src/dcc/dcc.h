/*
 * dcc.h - EU Digital COVID Certificate (DCC, "HC1:") codec: issue and verify.
 *
 * Issuing: a DCC JSON payload (the EU DCC JSON schema: ver, nam, dob, v|t|r)
 * is put in a CWT (CBOR map: 1 iss, 6 iat, 4 exp, -260 {1: payload}), signed
 * as a COSE_Sign1 (tag 18) with ES256 and protected header {1: -7, 4: kid},
 * put in a zlib stream, base45-encoded and prefixed "HC1:".  The kid is the first
 * 8 bytes of the SHA-256 of the DER of the signing certificate (DCC rules).
 *
 * Verifying: any "HC1:" string is decoded step by step; the first step that
 * fails names the status (bad_prefix, bad_base45, ...).  The signature is
 * checked against a trust list (kid -> public key); ES256, ES384, ES512,
 * PS256, PS384 and PS512 are accepted.  Input is untrusted: sizes and CBOR
 * nesting are bounded and no input crashes the decoder.
 *
 * The module knows no HTTP and no SQL except dcc_issuer_load() and
 * dcc_issuer_rotate() (dcc_key.c),
 * which keeps the issuer's key in table dcc_keys.
 *
 * Threads: a struct dcc_trust is read-only after loading and may be shared by
 * any number of threads calling dcc_verify().  A struct dcc_issuer may also
 * be shared: dcc_issue() serialises on a mutex inside it (it reuses its
 * signing and compression contexts between certificates).
 */
#ifndef CORDON_DCC_DCC_H
#define CORDON_DCC_DCC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Outcome of dcc_verify(), in the order the steps run (DCC_BAD_SCHEMA, added later, runs last).  Never renumbered. */
enum dcc_status {
    DCC_OK = 0,
    DCC_BAD_PREFIX = 1,       /* does not start with "HC1:" */
    DCC_BAD_BASE45 = 2,       /* a character outside the base45 alphabet, bad length or value */
    DCC_BAD_COMPRESSION = 3,  /* not a zlib stream, corrupt, or inflates beyond DCC_MAX_COSE */
    DCC_BAD_CBOR = 4,         /* not well-formed CBOR, trailing bytes, too deep, or claims are not a CWT */
    DCC_BAD_COSE = 5,         /* well-formed CBOR but not a COSE_Sign1, or no alg/kid, unsupported alg */
    DCC_UNKNOWN_KEY = 6,      /* kid not in the trust list */
    DCC_BAD_SIGNATURE = 7,    /* signature does not verify with the trusted key */
    DCC_EXPIRED = 8,          /* now > exp */
    DCC_NOT_YET_VALID = 9,    /* now < iat */
    DCC_WRONG_KEY_USAGE = 10, /* signer certificate's extended key usage excludes this certificate type */
    DCC_INTERNAL = 11,        /* out of memory or a crypto library failure: not the input's fault */
    DCC_BAD_SCHEMA = 12,      /* signed and in time, but not what the DCC JSON schema and value sets allow */
    DCC_STATUS_LAST           /* never use */
};

/* "ok", "bad_prefix", "bad_base45", ... (stable machine codes); never NULL. */
const char *dcc_status_str(enum dcc_status s);
/* A short sentence for people, e.g. "the signature does not match the key"; never NULL. */
const char *dcc_status_message(enum dcc_status s);

/* Limits on untrusted input. */
#define DCC_MAX_HC1 8192   /* characters of an HC1: string (a QR code holds at most 4296) */
#define DCC_MAX_COSE 16384 /* bytes after inflating */
#define DCC_KID_MAX 64     /* bytes of a kid we keep */

/*
 * What dcc_verify() found.  Fields are filled as far as decoding got: after
 * DCC_BAD_SIGNATURE, DCC_EXPIRED or DCC_UNKNOWN_KEY the claims and payload
 * are still there (for display, never to be trusted).  Release with
 * dcc_result_release().
 */
struct dcc_result {
    enum dcc_status status;
    char detail[160];          /* what exactly went wrong, for people ("" when OK) */
    int alg;                   /* COSE alg (-7 ES256, -37 PS256, ...), 0 if unknown */
    uint8_t kid[DCC_KID_MAX];  /* key id from the protected (or unprotected) header */
    size_t kid_len;
    char kid_b64[96];          /* kid in standard base64, as trust lists write it */
    char iss[64];              /* claim 1, issuing country ("" if absent) */
    int64_t iat;               /* claim 6, 0 if absent */
    int64_t exp;               /* claim 4, 0 if absent */
    json_t *payload;           /* hcert[1] as JSON (owned), NULL if not decoded */
};

/* Frees out->payload and clears the struct; safe on a zeroed struct. */
void dcc_result_release(struct dcc_result *r);

/* ---- Trust list ---------------------------------------------------------- */

struct dcc_trust;

/* An empty trust list.  Returns 0 or DCC_INTERNAL. */
int dcc_trust_new(struct dcc_trust **out);
void dcc_trust_free(struct dcc_trust *t);
size_t dcc_trust_count(const struct dcc_trust *t);
/* The value sets coded fields are checked against (borrowed: vs must outlive t). */
struct dcc_valuesets;
void dcc_trust_use_valuesets(struct dcc_trust *t, const struct dcc_valuesets *vs);

/*
 * Adds a key given as DER of an X.509 certificate or of a SubjectPublicKeyInfo.
 * kid NULL: the kid is computed (first 8 bytes of SHA-256 of the DER).
 * Returns 0, or -1 when der is neither (err, if not NULL, says why).
 */
int dcc_trust_add_der(struct dcc_trust *t, const uint8_t *kid, size_t kid_len, const uint8_t *der, size_t der_len,
                      char *err, size_t errlen);
/* Same, from PEM text ("CERTIFICATE" or "PUBLIC KEY") or base64 DER text. */
int dcc_trust_add_text(struct dcc_trust *t, const uint8_t *kid, size_t kid_len, const char *text, char *err,
                       size_t errlen);
/*
 * Loads {"<kid base64>": "<PEM or base64 DER of certificate or SubjectPublicKeyInfo>", ...}.
 * An empty kid ("") means: compute it from the DER.  Returns 0 or -1 with err.
 */
int dcc_trust_load_json(struct dcc_trust *t, const json_t *obj, char *err, size_t errlen);
int dcc_trust_load_file(struct dcc_trust *t, const char *path, char *err, size_t errlen);

/* ---- Verify -------------------------------------------------------------- */

/*
 * Decodes and checks an "HC1:..." string at time now (epoch seconds):
 * prefix, base45, zlib, COSE_Sign1, CWT claims, kid in trust, signature,
 * key usage (when the key came with a certificate), iat <= now <= exp, then
 * the payload against the DCC JSON schema of its version and the trust
 * list's value sets (dcc_trust_use_valuesets(); without them codes are not
 * checked), the faulty field named in out->detail.  Returns out->status; out must be released with dcc_result_release()
 * whatever the result.  trust may be NULL (every kid is then unknown).
 */
int dcc_verify(const struct dcc_trust *trust, const char *hc1, int64_t now, struct dcc_result *out);

/* ---- Issue --------------------------------------------------------------- */

struct dcc_issuer;

/*
 * An issuer from PEM texts: an EC P-256 private key and its X.509 certificate.
 * country is the two-letter iss claim (e.g. "VN").  Returns 0 or -1 with err.
 */
int dcc_issuer_new(const char *key_pem, const char *cert_pem, const char *country, struct dcc_issuer **out,
                   char *err, size_t errlen);
/*
 * The issuer whose key is stored in table dcc_keys, creating a P-256 key and a
 * self-signed certificate (subject CN "Cordon DSC", C=country) on first use.
 * Concurrent first calls on one database agree on one key.  Returns 0 or an
 * enum err (ERR_INTERNAL, ERR_UNAVAILABLE).
 */
int dcc_issuer_load(struct store *s, const char *country, struct dcc_issuer **out);
/* Adds a new signing key as the next generation (*generation); servers sign
 * with it after a restart, and certificates of older generations keep
 * verifying.  Returns 0 or an enum err. */
int dcc_issuer_rotate(struct store *s, const char *country, int64_t *generation);
/* An issuer with a fresh P-256 key and self-signed certificate, kept in memory only (tests, benchmarks). */
int dcc_issuer_generate(const char *country, struct dcc_issuer **out);
void dcc_issuer_free(struct dcc_issuer *iss);

/*
 * Issues one certificate: payload is the DCC JSON object (copied as is, no
 * schema check), iat/exp in epoch seconds.  *hc1_out gets a malloc'd
 * NUL-terminated "HC1:..." string the caller frees with free().
 * Returns 0, or -1 (payload not an object, holds a real number that CBOR
 * would not round-trip, is nested or sized beyond what dcc_verify() reads, or
 * a crypto failure).
 */
int dcc_issue(struct dcc_issuer *iss, const json_t *payload, int64_t iat, int64_t exp, char **hc1_out);

/* The issuer's kid (8 bytes) as base64, e.g. "dGhpcyBp..." (static to the issuer). */
const char *dcc_issuer_kid_b64(const struct dcc_issuer *iss);
/* The issuer's certificate as PEM text (static to the issuer). */
const char *dcc_issuer_cert_pem(const struct dcc_issuer *iss);
/* A trust list holding only this issuer's key (to verify what it issued). Returns 0 or -1. */
int dcc_issuer_trust(const struct dcc_issuer *iss, struct dcc_trust **out);

#endif
