/*
 * optout.c - a citizen may decline non-essential messages (invitations,
 * general reminders).  The choice is kept by phone, the outbox's recipient,
 * and applied when a message is queued: a declined message never exists.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"

/* The kinds a person may decline; every other kind (codes, results, alerts,
 * quarantine duties, messages to staff) always goes. */
static const char *const optional_kinds[] = {"vaccine_invitation", "vaccine_due", "reminder", NULL};

bool notify_essential(const char *kind)
{
    for (int i = 0; optional_kinds[i]; i++)
        if (!strcmp(kind, optional_kinds[i]))
            return false;
    return true;
}

/* The signed-in citizen's phone: 0, or a 404/409 fault. */
static int my_phone(struct http_req *r, char *phone, size_t n)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(r->store, &st, "SELECT COALESCE(signin_phone, phone) FROM persons WHERE id = ?", "i", r->who->person_id);
    if (rc)
        return store_err(rc);
    rc = store_step(st);
    const char *p = rc == STORE_ROW ? store_col_text(st, 0) : NULL;
    snprintf(phone, n, "%s", p ? p : "");
    store_finalize(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return store_err(rc);
    if (!phone[0])
        return http_fail(r, ERR_CONFLICT, NULL, "your record has no phone");
    return 0;
}

static enum err reply(struct http_req *r, bool opt_out)
{
    json_t *kinds = json_array();
    for (int i = 0; optional_kinds[i]; i++)
        json_array_append_new(kinds, json_string(optional_kinds[i]));
    return http_reply_json(r, 200, json_pack("{s:b, s:o}", "opt_out", opt_out, "optional_kinds", kinds));
}

enum err notify_handle_optout_get(struct http_req *r)
{
    char phone[32];
    int rc = my_phone(r, phone, sizeof(phone));
    if (rc)
        return rc;
    int64_t n = 0;
    enum store_rc src = store_int(r->store, &n, "SELECT COUNT(*) FROM notify_optout WHERE phone = ?", "s", phone);
    if (src)
        return store_err(src);
    return reply(r, n > 0);
}

enum err notify_handle_optout_put(struct http_req *r)
{
    static const char *const fields[] = {"opt_out", NULL};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    int opt_out = -1;
    if (!rc)
        rc = jsonin_bool(body, "opt_out", true, &opt_out, &r->fault);
    char phone[32];
    if (!rc)
        rc = my_phone(r, phone, sizeof(phone));
    if (rc) /* body belongs to the request's arena */
        return rc;
    enum store_rc src =
        opt_out ? store_run(r->store, NULL,
                            "INSERT INTO notify_optout (phone, created_at) VALUES (?, ?) ON CONFLICT (phone) DO NOTHING",
                            "si", phone, clock_now())
                : store_run(r->store, NULL, "DELETE FROM notify_optout WHERE phone = ?", "s", phone);
    if (src)
        return store_err(src);
    return reply(r, opt_out == 1);
}
