/*
 * keyserver.h - the exposure notification key server: verification codes
 * for confirmed cases, the token and certificate of the verification flow
 * (as Google's verification server does it), and the diagnosis keys phones
 * upload with a certificate.
 *
 *   a result makes a confirmed case -> an 8-digit code (1 hour) and a long
 *       code (24 hours), SMS through the outbox, shown on the result page;
 *       health staff issue one by hand for a case confirmed elsewhere
 *   POST /en/verify {code}            -> a one-time token (24 hours)
 *   POST /en/certificate {token, ekeyhmac}
 *                                     -> a one-time certificate (15 minutes)
 *       binding the HMAC of the keys; it carries the test date and type
 *   POST /en/publish {temporaryExposureKeys, verificationPayload, hmacKey}
 *
 * Codes, tokens and certificates are stored only as SHA-256 digests.
 */
#ifndef CORDON_EN_KEYSERVER_H
#define CORDON_EN_KEYSERVER_H

#include <stdint.h>

#include "store/store.h"

#define EN_CODE_DIGITS 8
#define EN_LONG_CODE_LEN 16
#define EN_CODE_TTL 3600             /* the short code */
#define EN_LONG_CODE_TTL 86400       /* the long code for links */
#define EN_TOKEN_TTL 86400
#define EN_CERT_TTL 900
#define EN_VERIFY_FAILURES 10        /* failed code attempts per address ... */
#define EN_VERIFY_WINDOW 600         /* ... per this many seconds */
#define EN_PUBLISH_MAX_KEYS 30
#define EN_RETENTION_DAYS 14

struct en_issued {
    int64_t id;
    char code[EN_CODE_DIGITS + 1];
    char long_code[EN_LONG_CODE_LEN + 1];
    char test_date[11];
    int64_t expires_at, long_expires_at;
};

/*
 * Issues a code for case case_id (account_id 0: the system, from a result):
 * stores its digests, seals the short code for the person's page and queues
 * an SMS to the person's phone, all in the caller's transaction.
 * STORE_DONE when there is no such case.
 */
enum store_rc en_code_issue(struct store *s, int64_t case_id, int64_t account_id, int64_t now,
                            struct en_issued *out);
/* A code for every case a result batch confirmed (called in its transaction). */
enum store_rc en_codes_for_batch(struct store *s, int64_t batch_id, int64_t now);

/* Where export files go, their region, and the fewest keys a file holds (fake keys fill it). */
void en_configure(const char *export_dir, const char *region, int min_batch);
const char *en_export_dir(void);
const char *en_region(void); /* also the verification_key_id of the signatures */

/*
 * Job (hourly, and on demand with `cordon jobs run --job en_export`): the keys
 * uploaded since the last export, up to the start of this hour, as signed
 * export files of at most 750,000 keys (filled with fake keys up to the
 * minimum batch), then index.txt listing the files of the last 14 days.
 */
int en_job_export(struct store *s, int64_t now, const char **detail);
/* Adds signing key version top + 1 (the next files use it). 0 or an enum err. */
int en_signing_rotate(struct store *s, int64_t *version);
/* The signing key's public PEM (malloc'd) and version, made at first use. 0 or an enum err. */
int en_signing_public(struct store *s, char **pem, int64_t *version);

/* Job: deletes keys past 14 days, spent or expired codes, tokens and old failures. */
int en_job_retention(struct store *s, int64_t now, const char **detail);

#endif
