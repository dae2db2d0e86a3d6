/* delivery_http.c - what admins and gateways do with delivery: retry a dead
 * message, report that a message reached the phone. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "notify/notify.h"
#include "notify/sender.h"
#include "store/store.h"

static char receipt_secret[256];

void notify_receipts_configure(const char *secret)
{
    snprintf(receipt_secret, sizeof(receipt_secret), "%s", secret ? secret : "");
}

enum err notify_handle_retry(struct http_req *r)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    int64_t changes = 0;
    enum store_rc src = store_run(r->store, &changes,
                                  "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = 0,"
                                  " failed_at = NULL WHERE id = ? AND status = 'failed'",
                                  "i", id);
    if (src)
        return store_err(src);
    if (changes == 0) {
        int64_t n = 0;
        src = store_int(r->store, &n, "SELECT COUNT(*) FROM outbox WHERE id = ?", "i", id);
        if (src)
            return store_err(src);
        return n ? http_fail(r, ERR_CONFLICT, "id", "only a failed message can be queued again")
                 : http_fail(r, ERR_NOT_FOUND, "id", "no such message");
    }
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    audit_request(r, "outbox.retry", "outbox", ids, NULL);
    return http_reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "queued"));
}

enum err notify_handle_receipt(struct http_req *r)
{
    /* The signature is checked over the raw body before anything is read from it. */
    const char *sig = http_header(r, "x-cordon-signature");
    char want[65];
    if (!receipt_secret[0] || !sig || strncmp(sig, "sha256=", 7) || strlen(sig + 7) != 64)
        return http_fail(r, ERR_FORBIDDEN, "X-Cordon-Signature", "a receipt must be signed by the gateway");
    notify_sign(receipt_secret, r->body.data ? r->body.data : "", r->body.len, want);
    if (sodium_memcmp(want, sig + 7, 64))
        return http_fail(r, ERR_FORBIDDEN, "X-Cordon-Signature", "the receipt's signature does not match");
    static const char *const fields[] = {"ref", "status", NULL};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    const char *ref = NULL, *status = NULL;
    if (!rc)
        rc = jsonin_str(body, "ref", true, 128, &ref, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "status", true, 16, &status, &r->fault);
    if (!rc && strcmp(status, "delivered") && strcmp(status, "failed"))
        rc = http_fail(r, ERR_INVALID_FIELD, "status", "status is delivered or failed");
    int64_t changes = 0;
    if (!rc) {
        bool delivered = !strcmp(status, "delivered");
        enum store_rc src =
            delivered ? store_run(r->store, &changes,
                                  "UPDATE outbox SET status = 'delivered', delivered_at = ? WHERE gateway_ref = ?"
                                  " AND status IN ('sent', 'delivered')",
                                  "is", clock_now(), ref)
                      : store_run(r->store, &changes,
                                  "UPDATE outbox SET status = 'failed', failed_at = ?, last_error = ?"
                                  " WHERE gateway_ref = ? AND status = 'sent'",
                                  "iss", clock_now(), "the gateway could not deliver it", ref);
        if (src)
            rc = store_err(src);
        else if (!changes)
            rc = http_fail(r, ERR_NOT_FOUND, "ref", "no sent message has this ref");
    }
    if (rc) /* body belongs to the request's arena */
        return rc;
    return http_reply_json(r, 200, json_pack("{s:s}", "status", status));
}
