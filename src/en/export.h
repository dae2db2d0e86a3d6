/*
 * export.h - diagnosis key export files in the GAEN format.
 *
 * A file is a zip of export.bin (the 16-byte header "EK Export v1" padded
 * with spaces, then a TemporaryExposureKeyExport protobuf) and export.sig
 * (a TEKSignatureList whose signature is ECDSA P-256 / SHA-256, DER, over the
 * whole of export.bin).  Field numbers as in the GAEN export.proto.
 */
#ifndef CORDON_EN_EXPORT_H
#define CORDON_EN_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "en/en.h"

#define EN_EXPORT_HEADER "EK Export v1    "
#define EN_EXPORT_HEADER_LEN 16
#define EN_EXPORT_MAX_KEYS 750000
#define EN_SIG_ALGORITHM "1.2.840.10045.4.3.2" /* ECDSA P-256 with SHA-256 */

enum en_report_type {
    EN_REPORT_UNKNOWN = 0,
    EN_REPORT_CONFIRMED_TEST = 1,
    EN_REPORT_CONFIRMED_CLINICAL = 2,
    EN_REPORT_SELF_REPORT = 3,
    EN_REPORT_RECURSIVE = 4,
    EN_REPORT_REVOKED = 5,
};

/* One TemporaryExposureKey.  Optional fields carry a has_ flag. */
struct en_key {
    uint8_t key_data[EN_KEY_LEN];
    int32_t rolling_start_interval_number;
    int32_t rolling_period; /* 144 when absent from the file */
    int32_t transmission_risk_level;
    int32_t report_type;
    int32_t days_since_onset;
    bool has_transmission_risk, has_report_type, has_days_since_onset;
};

struct en_signature_info {
    char key_version[32]; /* verification_key_version, e.g. "v1" */
    char key_id[64];      /* verification_key_id, e.g. the MCC "452" */
    char algorithm[32];   /* signature_algorithm */
};

struct en_export {
    uint64_t start_timestamp, end_timestamp;
    char region[16];
    int32_t batch_num, batch_size;
    struct en_signature_info info; /* the first SignatureInfo */
    bool has_info;
    struct en_key *keys; /* malloc'd by decode */
    size_t nkeys;
    struct en_key *revised;
    size_t nrevised;
};

/* export.bin, header included, appended to out. 0, or -1 (out of room). */
int en_export_encode(const struct en_export *e, struct buf *out);
/* Parses export.bin; free e with en_export_free. 0, or -1 with err filled. */
int en_export_decode(const uint8_t *p, size_t n, struct en_export *e, char *err, size_t errlen);
void en_export_free(struct en_export *e);

/* export.sig holding one TEKSignature. */
int en_sig_encode(const struct en_signature_info *info, int32_t batch_num, int32_t batch_size, const uint8_t *sig,
                  size_t siglen, struct buf *out);
/* The first TEKSignature of export.sig: info, batch and a pointer into p for the DER signature. */
struct en_tek_signature {
    struct en_signature_info info;
    int32_t batch_num, batch_size;
    const uint8_t *sig;
    size_t siglen;
};
int en_sig_decode(const uint8_t *p, size_t n, struct en_tek_signature *s, char *err, size_t errlen);

/* ECDSA P-256 / SHA-256 over data, DER into out. 0 or -1. */
int en_sign(EVP_PKEY *key, const uint8_t *data, size_t n, struct buf *out);
/* 0 when sig verifies over data under key, else -1. */
int en_verify(EVP_PKEY *key, const uint8_t *data, size_t n, const uint8_t *sig, size_t siglen);
/* A P-256 key from PEM text (public, or private when private_key). NULL when it is not one. */
EVP_PKEY *en_key_from_pem(const char *pem, size_t len, bool private_key);

/* The zip: export.bin then export.sig, written to path (replaced atomically). 0 or -1. */
int en_zip_write(const char *path, const uint8_t *bin, size_t binlen, const uint8_t *sig, size_t siglen);
/* Reads both members of the zip at path into malloc'd buffers. 0, or -1 with err filled. */
int en_zip_read(const char *path, uint8_t **bin, size_t *binlen, uint8_t **sig, size_t *siglen, char *err,
                size_t errlen);

#endif
