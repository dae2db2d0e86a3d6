/*
 * keyserver.c - codes issued for cases, and the retention job (keyserver.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/kek.h"
#include "core/secret.h"
#include "en/en.h"
#include "en/keyserver.h"
#include "notify/notify.h"

struct case_row {
    int64_t person_id, sample_at;
    char phone[32];
    int found;
};

static void read_case(struct store_stmt *st, void *ctx)
{
    struct case_row *c = ctx;
    c->person_id = store_col_int(st, 0);
    c->sample_at = store_col_int(st, 1);
    const char *p = store_col_text(st, 2);
    snprintf(c->phone, sizeof c->phone, "%s", p ? p : "");
    c->found = 1;
}

enum store_rc en_code_issue(struct store *s, int64_t case_id, int64_t account_id, int64_t now,
                            struct en_issued *out)
{
    struct case_row c = {0};
    enum store_rc rc = store_get(s, read_case, &c,
                                 "SELECT c.person_id, COALESCE(c.sample_at, c.confirmed_at), p.phone FROM cases c"
                                 " LEFT JOIN persons p ON p.id = c.person_id WHERE c.id = ?",
                                 "i", case_id);
    if (rc)
        return rc;
    char code_digest[SECRET_DIGEST_HEX_LEN + 1], long_digest[SECRET_DIGEST_HEX_LEN + 1];
    /* an 8-digit code can equal one already stored (about n in 10^8 with n kept): draw again, so that
     * the insert below, in the caller's transaction (a lab's results), does not fail on it */
    int64_t taken = 0;
    for (int tries = 0; tries < 5; tries++) {
        snprintf(out->code, sizeof out->code, "%08u", randombytes_uniform(100000000));
        secret_digest(out->code, code_digest);
        if ((rc = store_int(s, &taken, "SELECT COUNT(*) FROM en_codes WHERE code_digest = ?", "s", code_digest)))
            return rc;
        if (!taken)
            break;
    }
    secret_password_generate(out->long_code, EN_LONG_CODE_LEN);
    vn_date_format(vn_day(c.sample_at), out->test_date);
    out->expires_at = now + EN_CODE_TTL;
    out->long_expires_at = now + EN_LONG_CODE_TTL;
    secret_digest(out->long_code, long_digest);
    /* without a key-encryption key (a bare library user) the code is only sent, not kept for the page */
    const struct kek *k = kek_current();
    char *sealed = k ? kek_seal_current(out->code) : NULL;
    if (k && !sealed)
        return STORE_ERROR;
    /* two transactions can still draw the same code at once: POST /api/v1/en/codes retries on conflict */
    rc = store_int(s, &out->id,
                   "INSERT INTO en_codes (code_digest, long_digest, code_sealed, kek_id, case_id, person_id, test_date,"
                   " report_type, issued_by, created_at, expires_at, long_expires_at)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed', NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?) RETURNING id",
                   "ssssiisiiii", code_digest, long_digest, sealed, k && sealed ? k->id : (const char *)NULL, case_id, c.person_id,
                   out->test_date, account_id, now, out->expires_at, out->long_expires_at);
    free(sealed);
    if (!rc && c.phone[0]) {
        char body[2048];
        const char *values[] = {NOTIFY_MASK};
        rc = notify_template_render(s, "en_code", "vi", values, body, sizeof(body));
        if (!rc)
            rc = notify_queue_secret(s, "sms", c.phone, "en_code", body, out->code, out->expires_at, NULL);
    }
    return rc;
}

enum store_rc en_codes_for_batch(struct store *s, int64_t batch_id, int64_t now)
{
    struct store_stmt *st;
    int64_t ids[512];
    size_t n = 0;
    enum store_rc rc = store_query(s, &st, "SELECT id FROM cases WHERE result_batch = ? ORDER BY id", "i", batch_id);
    if (rc)
        return rc;
    int64_t last = 0;
    /* a batch may confirm many cases: read them in pages, since a statement must end before the next */
    for (;;) {
        while (n < sizeof ids / sizeof ids[0] && (rc = store_step(st)) == STORE_ROW)
            ids[n++] = store_col_int(st, 0);
        store_finalize(st);
        if (rc != STORE_ROW && rc != STORE_DONE)
            return rc;
        int more = rc == STORE_ROW;
        for (size_t i = 0; i < n; i++) {
            struct en_issued out;
            if ((rc = en_code_issue(s, ids[i], 0, now, &out)))
                return rc;
            last = ids[i];
        }
        if (!more)
            return STORE_OK;
        n = 0;
        rc = store_query(s, &st, "SELECT id FROM cases WHERE result_batch = ? AND id > ? ORDER BY id", "ii",
                         batch_id, last);
        if (rc)
            return rc;
    }
}

int en_job_retention(struct store *s, int64_t now, const char **detail)
{
    static char msg[160];
    int64_t keys = 0, codes = 0, tokens = 0;
    int64_t oldest = (int64_t)en_interval_number(now) - EN_RETENTION_DAYS * EN_MAX_PERIOD;
    enum store_rc rc = store_begin(s, true);
    if (!rc)
        rc = store_run(s, &keys, "DELETE FROM en_keys WHERE rolling_start + rolling_period < ?", "i", oldest);
    if (!rc)
        rc = store_run(s, &codes,
                       "DELETE FROM en_codes WHERE long_expires_at < ? OR (used_at IS NOT NULL AND used_at < ?)", "ii",
                       now, now - EN_LONG_CODE_TTL);
    if (!rc)
        rc = store_run(s, NULL, "UPDATE en_codes SET code_sealed = NULL, kek_id = NULL WHERE expires_at < ? AND code_sealed IS NOT NULL",
                       "i", now);
    if (!rc)
        rc = store_run(s, &tokens, "DELETE FROM en_tokens WHERE expires_at < ?", "i", now);
    if (!rc)
        rc = store_run(s, NULL, "DELETE FROM en_verify_failures WHERE at < ?", "i", now - EN_VERIFY_WINDOW);
    if (rc) {
        store_rollback(s);
        return -1;
    }
    if (store_commit(s))
        return -1;
    snprintf(msg, sizeof msg, "keys=%lld codes=%lld tokens=%lld", (long long)keys, (long long)codes,
             (long long)tokens);
    *detail = msg;
    return 0;
}
