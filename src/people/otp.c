/*
 * otp.c - one-time sign-in codes for citizens.
 *
 * A code is 6 random digits, valid for 5 minutes (the otp_ttl setting) and
 * good for one sign-in.  Only SHA-256("phone:code") is
 * stored.  A phone may ask for 3 codes per 15 minutes.  Each wrong code counts
 * an attempt on every live code of the phone; at 5 attempts those codes are
 * void, so guessing gets at most 5 tries per code and 15 per 15 minutes.
 * The SMS is queued in the outbox in the same transaction as the code row.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/secret.h"
#include "notify/notify.h"
#include "people/people_int.h"
#include "store/store.h"

static int otp_ttl = OTP_TTL_DEFAULT; /* set once at start, before request threads run */

void people_configure(int ttl)
{
    otp_ttl = ttl;
}

int people__otp_ttl(void)
{
    return otp_ttl;
}

void people__otp_hash(const char *phone, const char *code, char out[65])
{
    char salted[64];
    snprintf(salted, sizeof(salted), "%s:%s", phone, code);
    secret_digest(salted, out);
    mem_wipe(salted, sizeof(salted));
}

int people__otp_issue(struct store *s, const char *phone, int64_t now, int64_t *retry_after)
{
    int64_t recent = 0, oldest = 0;
    *retry_after = 0;
    int rc = store_int(s, &recent, "SELECT COUNT(*) FROM otp_codes WHERE phone = ? AND created_at > ?", "si", phone,
                       now - OTP_WINDOW);
    if (rc)
        return rc;
    if (recent >= OTP_PER_WINDOW) {
        /* The window reopens when the oldest of the last 3 codes leaves it. */
        rc = store_int(s, &oldest,
                       "SELECT created_at FROM otp_codes WHERE phone = ? AND created_at > ?"
                       " ORDER BY created_at DESC LIMIT 1 OFFSET ?",
                       "sii", phone, now - OTP_WINDOW, (int64_t)OTP_PER_WINDOW - 1);
        if (rc)
            return rc;
        *retry_after = oldest + OTP_WINDOW - now;
        if (*retry_after < 1)
            *retry_after = 1;
        return ERR_RATE_LIMITED;
    }
    char code[OTP_DIGITS + 1], hash[SECRET_DIGEST_HEX_LEN + 1], body[2048];
    snprintf(code, sizeof(code), "%06u", (unsigned)randombytes_uniform(1000000));
    people__otp_hash(phone, code, hash);
    rc = store_run(s, NULL,
                   "INSERT INTO otp_codes (phone, code_hash, created_at, expires_at, attempts) VALUES (?, ?, ?, ?, 0)",
                   "ssii", phone, hash, now, now + people__otp_ttl());
    if (!rc) {
        /* The outbox keeps the text masked; the code goes sealed beside it, for the sender only. */
        char minutes[12];
        snprintf(minutes, sizeof(minutes), "%d", (people__otp_ttl() + 59) / 60);
        const char *values[] = {NOTIFY_MASK, minutes};
        rc = notify_template_render(s, "otp", "vi", values, body, sizeof(body));
        if (!rc)
            rc = notify_queue_secret(s, "sms", phone, "otp", body, code, now + people__otp_ttl(), NULL);
    }
    mem_wipe(code, sizeof(code));
    mem_wipe(body, sizeof(body));
    return rc;
}

int people__otp_consume(struct store *s, const char *phone, const char *code, int64_t now, bool *ok)
{
    char hash[SECRET_DIGEST_HEX_LEN + 1];
    int64_t id = 0, changes = 0;
    *ok = false;
    people__otp_hash(phone, code, hash);
    int rc = store_int(s, &id,
                       "SELECT id FROM otp_codes WHERE phone = ? AND code_hash = ? AND used_at IS NULL"
                       " AND voided_at IS NULL AND expires_at > ? AND attempts < ? ORDER BY id DESC LIMIT 1",
                       "ssii", phone, hash, now, (int64_t)OTP_MAX_ATTEMPTS);
    if (rc == STORE_OK) {
        /* "used_at IS NULL" again: of two concurrent sign-ins with one code, one wins. */
        rc = store_run(s, &changes, "UPDATE otp_codes SET used_at = ? WHERE id = ? AND used_at IS NULL", "ii", now, id);
        if (!rc && changes == 1) {
            *ok = true;
            rc = store_run(s, NULL,
                           "UPDATE otp_codes SET voided_at = ? WHERE phone = ? AND used_at IS NULL AND voided_at IS NULL",
                           "is", now, phone);
        }
        return rc;
    }
    if (rc != STORE_DONE)
        return rc;
    rc = store_run(s, NULL,
                   "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = ? AND used_at IS NULL"
                   " AND voided_at IS NULL AND expires_at > ?",
                   "si", phone, now);
    if (!rc)
        rc = store_run(s, NULL,
                       "UPDATE otp_codes SET voided_at = ? WHERE phone = ? AND used_at IS NULL AND voided_at IS NULL"
                       " AND attempts >= ?",
                       "isi", now, phone, (int64_t)OTP_MAX_ATTEMPTS);
    return rc;
}
