/*
 * family_store.c - the queries of family link requests: a citizen asking to
 * manage an existing person waits for proof, a code sent to that person's
 * phone (only its hash is stored) or the approval of commune staff.  The
 * only file that names the family_link_requests table, merges aside.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/secret.h"
#include "notify/notify.h"
#include "people/people_int.h"
#include "store/sql.h"
#include "store/store.h"

#define LINK_STAFF_TTL (30 * 86400) /* seconds a request waits for staff */
#define LINK_LIST_MAX 100             /* pending requests one list shows */

#define REQUEST_COLS                                                                                                  \
    "id, person_id, manager_person_id, proof, COALESCE(phone, ''), COALESCE(code_hash, ''), attempts,"              \
    " COALESCE(commune_code, ''), status, created_at, expires_at"

static void read_request(struct store_stmt *st, struct arena *a, struct people_link_request *q)
{
    q->id = store_col_int(st, 0);
    q->person_id = store_col_int(st, 1);
    q->manager_id = store_col_int(st, 2);
    q->proof = arena_strdup(a, store_col_text(st, 3));
    snprintf(q->phone, sizeof(q->phone), "%s", store_col_text(st, 4));
    snprintf(q->code_hash, sizeof(q->code_hash), "%s", store_col_text(st, 5));
    q->attempts = store_col_int(st, 6);
    q->commune_code = arena_strdup(a, store_col_text(st, 7));
    q->status = arena_strdup(a, store_col_text(st, 8));
    q->created_at = store_col_int(st, 9);
    q->expires_at = store_col_int(st, 10);
}

enum store_rc people__link_request_get(struct store *s, struct arena *a, int64_t id,
                                       struct people_link_request *out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st, "SELECT " REQUEST_COLS " FROM family_link_requests WHERE id = ?", "i", id);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        read_request(st, a, out);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

/*
 * Sends a new code to phone for request id; the citizen who asked passes it
 * on only if the person agrees.  As for sign-in codes, the outbox keeps the
 * text masked and the code sealed for the sender.
 */
static enum store_rc send_code(struct store *s, const char *phone, int64_t id, int64_t expires_at)
{
    char code[OTP_DIGITS + 1], hash[SECRET_DIGEST_HEX_LEN + 1], body[2048];
    snprintf(code, sizeof(code), "%06u", (unsigned)randombytes_uniform(1000000));
    people__otp_hash(phone, code, hash);
    enum store_rc rc =
        store_run(s, NULL, "UPDATE family_link_requests SET code_hash = ? WHERE id = ?", "si", hash, id);
    if (!rc) {
        char minutes[12];
        snprintf(minutes, sizeof(minutes), "%d", (people__otp_ttl() + 59) / 60);
        const char *values[] = {NOTIFY_MASK, minutes};
        rc = notify_template_render(s, "family", "vi", values, body, sizeof(body));
        if (!rc)
            rc = notify_queue_secret(s, "sms", phone, "family", body, code, expires_at, NULL);
    }
    mem_wipe(code, sizeof(code));
    mem_wipe(body, sizeof(body));
    return rc;
}

int people__link_request_open(struct store *s, const struct people_link_request *in, int64_t now, int64_t *id,
                              int64_t *retry_after)
{
    *retry_after = 0;
    bool code = in->phone[0] != '\0';
    if (code) {
        int64_t recent = 0;
        int rc = store_int(s, &recent, "SELECT COUNT(*) FROM family_link_requests WHERE phone = ? AND created_at > ?",
                           "si", in->phone, now - OTP_WINDOW);
        if (rc)
            return rc;
        if (recent >= OTP_PER_WINDOW) {
            *retry_after = OTP_WINDOW;
            return ERR_RATE_LIMITED;
        }
    } else { /* one request per person and citizen waits for staff */
        int rc = store_int(s, id,
                           "SELECT id FROM family_link_requests WHERE person_id = ? AND manager_person_id = ?"
                           " AND proof = 'staff_approval' AND status = 'pending' AND expires_at > ?",
                           "iii", in->person_id, in->manager_id, now);
        if (rc != STORE_DONE)
            return rc;
    }
    /* a new code voids the earlier ones for the same person and citizen */
    int rc = store_run(s, NULL,
                       "UPDATE family_link_requests SET status = 'void' WHERE person_id = ? AND manager_person_id = ?"
                       " AND proof = 'code_sent' AND status = 'pending'",
                       "ii", in->person_id, in->manager_id);
    if (!rc)
        rc = store_int(s, id,
                       "INSERT INTO family_link_requests (person_id, manager_person_id, proof, phone, commune_code,"
                       " status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
                       "iisssii", in->person_id, in->manager_id, code ? "code_sent" : "staff_approval",
                       code ? in->phone : NULL, in->commune_code, now,
                       now + (code ? people__otp_ttl() : LINK_STAFF_TTL));
    if (!rc && code)
        rc = send_code(s, in->phone, *id, now + people__otp_ttl());
    return rc;
}

enum store_rc people__link_request_wrong_code(struct store *s, int64_t id)
{
    return store_run(s, NULL,
                     "UPDATE family_link_requests SET attempts = attempts + 1,"
                     " status = CASE WHEN attempts + 1 >= ? THEN 'void' ELSE status END WHERE id = ?",
                     "ii", (int64_t)OTP_MAX_ATTEMPTS, id);
}

enum store_rc people__link_request_close(struct store *s, int64_t id, const char *status, int64_t decided_by,
                                         int64_t now, int64_t *changes)
{
    return decided_by ? store_run(s, changes,
                                  "UPDATE family_link_requests SET status = ?, decided_by = ?, decided_at = ?"
                                  " WHERE id = ? AND status = 'pending'",
                                  "siii", status, decided_by, now, id)
                      : store_run(s, changes,
                                  "UPDATE family_link_requests SET status = ?, decided_at = ?"
                                  " WHERE id = ? AND status = 'pending'",
                                  "sii", status, now, id);
}

enum store_rc people__link_requests_pending(struct store *s, struct arena *a, const char *unit_code,
                                            int64_t manager_id, int64_t now, struct people_link_request **out,
                                            int *n)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT r.id, r.person_id, r.manager_person_id, r.proof, COALESCE(r.phone, ''),"
                   " COALESCE(r.code_hash, ''), r.attempts, COALESCE(r.commune_code, ''), r.status, r.created_at,"
                   " r.expires_at FROM family_link_requests r JOIN persons p ON p.id = r.person_id"
                   " WHERE r.status = 'pending' AND r.expires_at > ?",
                   "i", now);
    if (manager_id) {
        store_sql_add(&q, " AND r.manager_person_id = ?", "i", manager_id);
    } else { /* staff: requests waiting for them, for people living in their area */
        store_sql_add(&q, " AND r.proof = 'staff_approval'", "");
        store_sql_area(&q, "p", unit_code);
    }
    store_sql_add(&q, " ORDER BY r.id LIMIT ?", "i", (int64_t)LINK_LIST_MAX);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    if (rc)
        return rc;
    struct people_link_request *list = arena_alloc(a, sizeof(*list) * LINK_LIST_MAX);
    int i = 0;
    while ((rc = store_step(st)) == STORE_ROW && i < LINK_LIST_MAX)
        read_request(st, a, &list[i++]);
    store_finalize(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return rc;
    *out = list;
    *n = i;
    return STORE_OK;
}
