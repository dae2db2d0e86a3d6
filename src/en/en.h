/*
 * en.h - Exposure Notification cryptography (Google/Apple Exposure
 * Notification Cryptography Specification v1.2), usable on its own: it needs
 * only OpenSSL's libcrypto.
 *
 *   ENIntervalNumber = unix seconds / 600
 *   RPIK = HKDF-SHA256(TEK, salt empty, "EN-RPIK", 16)
 *   RPI_j = AES-128(RPIK, "EN-RPI" || 0^6 || LE32(ENIntervalNumber_j))
 *   AEMK = HKDF-SHA256(TEK, salt empty, "EN-AEMK", 16)
 *   AEM_j = AES-128-CTR(AEMK, counter block RPI_j, metadata)
 */
#ifndef CORDON_EN_EN_H
#define CORDON_EN_EN_H

#include <stddef.h>
#include <stdint.h>

#define EN_KEY_LEN 16       /* TEK, RPIK, AEMK */
#define EN_RPI_LEN 16
#define EN_METADATA_LEN 4   /* version, TX power, two reserved bytes */
#define EN_MAX_PERIOD 144   /* intervals in a day: TEKRollingPeriod */
#define EN_INTERVAL_SECONDS 600

uint32_t en_interval_number(int64_t unix_seconds);

/* HKDF-SHA256 of tek with info "EN-RPIK" / "EN-AEMK". 0, or -1 when libcrypto fails. */
int en_rpik(const uint8_t tek[EN_KEY_LEN], uint8_t rpik[EN_KEY_LEN]);
int en_aemk(const uint8_t tek[EN_KEY_LEN], uint8_t aemk[EN_KEY_LEN]);

/* The RPIs of intervals first .. first+count-1 under one AES key schedule. 0 or -1. */
int en_rpis(const uint8_t rpik[EN_KEY_LEN], uint32_t first, unsigned count, uint8_t (*rpis)[EN_RPI_LEN]);

/*
 * A reusable context for deriving many keys' RPIs on one thread: the HMAC and
 * AES contexts are made once, so each key costs only its own HKDF and AES key
 * schedule.  NULL when out of memory.
 */
struct en_ctx;
struct en_ctx *en_ctx_new(void);
void en_ctx_free(struct en_ctx *c);
/* en_rpik then en_rpis for one TEK. 0 or -1. */
int en_ctx_rpis(struct en_ctx *c, const uint8_t tek[EN_KEY_LEN], uint32_t first, unsigned count,
                uint8_t (*rpis)[EN_RPI_LEN]);

/* Encrypts or decrypts (the same operation) len bytes of metadata for one RPI. 0 or -1. */
int en_aem(const uint8_t aemk[EN_KEY_LEN], const uint8_t rpi[EN_RPI_LEN], const uint8_t *in, size_t len,
           uint8_t *out);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void en_hex(const uint8_t *p, size_t n, char *out);
/* Parses exactly 2n hex characters. 0, or -1 on a wrong length or character. */
int en_unhex(const char *hex, uint8_t *out, size_t n);

#endif
