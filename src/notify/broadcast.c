/*
 * broadcast.c - an official's message to the staff of an area by role (the
 * community COVID teams of a commune), through the channel each account has:
 * an SMS to its phone, else an e-mail to its address; an account with
 * neither is counted, not reached.
 */
#include <stdio.h>
#include <string.h>

#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/sql.h"

#define BROADCAST_MAX_CHARS 480 /* seven UCS-2 SMS at most */
#define HAS_PHONE "(phone IS NOT NULL AND phone <> '')"
#define HAS_EMAIL "(email IS NOT NULL AND email <> '')"

enum err notify_handle_broadcast(struct http_req *r)
{
    static const char *const fields[] = {"unit_code", "role", "text", NULL};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    const char *unit = NULL, *role = NULL, *text = NULL;
    if (!rc)
        rc = jsonin_str(body, "unit_code", false, 8, &unit, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "role", true, 32, &role, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "text", true, BROADCAST_MAX_CHARS, &text, &r->fault);
    if (!rc && !unit)
        unit = r->who->unit_code;
    if (!rc)
        rc = unit_check(unit, "unit_code", ERR_INVALID_FIELD, NULL, &r->fault);
    if (!rc)
        rc = area_require(r, unit);
    int role_id = rc ? -1 : role_parse(role);
    if (!rc && (role_id < 0 || role_id >= ROLE_STAFF_COUNT))
        rc = http_fail(r, ERR_INVALID_FIELD, "role", "role is a staff role (commune_admin, tracer, ...)");
    if (!rc && !text[strspn(text, " \t\r\n")])
        rc = http_fail(r, ERR_INVALID_FIELD, "text", "text is empty");
    int64_t queued = 0, unreachable = 0, by_email = 0; /* unreachable: without a phone, by_email of them */
    char *msg = NULL;
    if (!rc) {
        msg = arena_alloc(&r->arena, 2048);
        const char *values[] = {text};
        enum store_rc src = notify_template_render(r->store, "broadcast", "vi", values, msg, 2048);
        if (src)
            rc = store_err(src);
    }
    if (!rc) {
        struct store_sql q;
        store_sql_init(&q,
                       "INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts)"
                       " SELECT CASE WHEN " HAS_PHONE " THEN 'sms' ELSE 'email' END,"
                       " CASE WHEN " HAS_PHONE " THEN phone ELSE email END, 'broadcast', ?, ?, 0 FROM accounts"
                       " WHERE disabled = 0 AND role = ? AND (" HAS_PHONE " OR " HAS_EMAIL ")",
                       "sis", msg, clock_now(), role);
        store_sql_area(&q, NULL, unit);
        enum store_rc src = store_sql_run(r->store, &queued, &q);
        if (!src) {
            struct store_sql c;
            store_sql_init(&c,
                           "SELECT COUNT(*) FROM accounts WHERE disabled = 0 AND role = ?"
                           " AND NOT " HAS_PHONE,
                           "s", role);
            store_sql_area(&c, NULL, unit);
            src = store_sql_int(r->store, &unreachable, &c);
        }
        if (!src) {
            struct store_sql c;
            store_sql_init(&c,
                           "SELECT COUNT(*) FROM accounts WHERE disabled = 0 AND role = ?"
                           " AND NOT " HAS_PHONE " AND " HAS_EMAIL,
                           "s", role);
            store_sql_area(&c, NULL, unit);
            src = store_sql_int(r->store, &by_email, &c);
        }
        if (src)
            rc = store_err(src);
    }
    if (!rc)
        audit_request(r, "notify.broadcast", "unit", unit, unit);
    json_t *answer = rc ? NULL
                        : json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "unit_code", unit, "role", role, "queued",
                                    (json_int_t)queued, "without_phone", (json_int_t)unreachable, "by_email",
                                    (json_int_t)by_email, "unreachable", (json_int_t)(unreachable - by_email));
    if (rc) /* body belongs to the request's arena */
        return rc;
    return http_reply_json(r, 200, answer);
}
