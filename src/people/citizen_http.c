/*
 * citizen_http.c - citizen sign-in by one-time SMS code and the citizen's own
 * space: /api/v1/citizen/otp, /citizen/login, /me, /me/qr (family members:
 * family_http.c).
 *
 * A citizen session carries a person id and no unit; everything here acts on
 * that person and the family members they manage, never on anyone else.
 * Once the citizen's name is known (at sign-in or on the profile), the
 * unverified records of their phone and name become theirs (people__claim),
 * so a result sampled at a walk-in reaches their page.
 */
#include <stdio.h>
#include <string.h>

#include "admin/auth.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/log.h"
#include "core/validate.h"
#include "http/http.h"
#include "people/people_int.h"
#include "qr/qr.h"
#include "store/store.h"

/* ---- POST /api/v1/citizen/otp ---- */

struct otp_ctx {
    const char *phone;
    int64_t now, retry_after;
};

static int otp_tx(struct store *s, void *arg)
{
    struct otp_ctx *c = arg;
    return people__otp_issue(s, c->phone, c->now, &c->retry_after);
}

enum err people_handle_otp_request(struct http_req *r)
{
    static const char *const fields[] = {"phone", NULL};
    json_t *body;
    const char *phone;
    char norm[11];
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "phone", true, 16, &phone, &r->fault);
    if (!rc)
        rc = validate_phone(phone, "phone", norm, &r->fault);
    if (rc)
        return rc;
    struct otp_ctx c = {norm, clock_now(), 0};
    rc = store_tx(r->store, otp_tx, &c);
    if (rc == ERR_RATE_LIMITED) {
        http_add_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)c.retry_after));
        return http_fail(r, ERR_RATE_LIMITED, "phone", "too many codes for this phone; try again in %lld seconds",
                         (long long)c.retry_after);
    }
    if (rc)
        return rc;
    return http_reply_json(r, 202, json_pack("{s:i}", "expires_in", people__otp_ttl()));
}

/* ---- POST /api/v1/citizen/login ---- */

/*
 * Claims in a transaction of their own: a sign-in or a profile update never
 * fails because of one.  Each is audited (person.claim, naming the merge) so
 * staff can find and undo it.
 */
struct claim_ctx {
    struct http_req *r;
    const struct person *p;
    int64_t refs[PEOPLE_CLAIM_MAX];
    int claimed;
};

static int claim_tx(struct store *s, void *arg)
{
    struct claim_ctx *c = arg;
    int rc = people__claim(s, &c->r->arena, c->p, c->refs, &c->claimed);
    for (int i = 0; !rc && i < c->claimed; i++)
        rc = audit_request(c->r, "person.claim", "person_merge", arena_printf(&c->r->arena, "%lld",
                           (long long)c->refs[i]), c->p->commune_code);
    return rc;
}

static int claim(struct http_req *r, struct person *p)
{
    struct claim_ctx c = {.r = r, .p = p};
    if (!p->full_name || !p->phone)
        return 0;
    int rc = store_tx(r->store, claim_tx, &c);
    if (rc) {
        log_warn("person %lld: claiming the records of their phone failed (%d); staff can merge them",
                 (long long)p->id, rc);
        return 0;
    }
    return c.claimed ? store_err(people_get(r->store, &r->arena, p->id, p)) : 0;
}

struct login_ctx {
    struct http_req *r;
    const char *phone, *code, *full_name;
    bool ok, created;
    struct person p;
    char token[SECRET_TOKEN_LEN + 1];
    int64_t expires;
};

static int login_tx(struct store *s, void *arg)
{
    struct login_ctx *c = arg;
    int rc = people__otp_consume(s, c->phone, c->code, clock_now(), &c->ok);
    if (rc || !c->ok)
        return rc; /* a wrong code commits its attempt count */
    rc = people__signin_person(s, &c->r->arena, c->phone, c->full_name, &c->p, &c->created);
    if (!rc && c->full_name && !c->p.full_name) /* the name given at sign-in completes an empty profile */
        rc = people__set_name_of(s, c->p.id, c->full_name);
    if (!rc && c->full_name && !c->p.full_name)
        rc = people_get(s, &c->r->arena, c->p.id, &c->p);
    if (!rc)
        rc = auth_session_create(s, 0, c->p.id, c->token, &c->expires);
    return rc;
}

enum err people_handle_login(struct http_req *r)
{
    static const char *const fields[] = {"phone", "code", "full_name", NULL};
    json_t *body;
    const char *phone, *code, *full_name = NULL;
    char norm[11];
    static struct people_input zero;
    struct people_input name = zero;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "phone", true, 16, &phone, &r->fault);
    if (!rc)
        rc = validate_phone(phone, "phone", norm, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "code", true, OTP_DIGITS, &code, &r->fault);
    if (!rc && (strlen(code) != OTP_DIGITS || strspn(code, "0123456789") != OTP_DIGITS))
        rc = http_fail(r, ERR_INVALID_FIELD, "code", "code must be the 6 digits sent by SMS");
    if (!rc)
        rc = jsonin_str(body, "full_name", false, PEOPLE_NAME_IN_MAX, &full_name, &r->fault);
    if (!rc && full_name) {
        people__set_name(&name, full_name);
        rc = validate_person_name(name.full_name, "full_name", &r->fault);
    }
    if (rc)
        return rc;
    struct login_ctx c = {.r = r, .phone = norm, .code = code, .full_name = full_name ? name.full_name : NULL};
    rc = store_tx(r->store, login_tx, &c);
    if (rc)
        return rc;
    if (!c.ok)
        return http_fail(r, ERR_UNAUTHENTICATED, "code", "wrong or expired code");
    if ((rc = claim(r, &c.p))) {
        mem_wipe(c.token, sizeof(c.token));
        return rc;
    }
    auth_set_cookie(r, c.token, auth_session_ttl());
    rc = http_reply_json(r, 200, json_pack("{s:s, s:I, s:o, s:b}", "token", c.token, "expires_at",
                                           (json_int_t)c.expires, "person", people_to_json(&c.p), "profile_complete",
                                           people_profile_complete(&c.p)));
    mem_wipe(c.token, sizeof(c.token));
    return rc;
}

/* ---- /api/v1/me ---- */

static int load_self(struct http_req *r, struct person *p)
{
    int rc = people_get(r->store, &r->arena, r->who->person_id, p);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_UNAUTHENTICATED, NULL, "sign in first");
    return store_err(rc);
}

json_t *people__list_json(const struct person *list, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, people_to_json(&list[i]));
    return arr;
}

enum err people_handle_me_get(struct http_req *r)
{
    struct person p, *list;
    int n;
    int rc = load_self(r, &p);
    if (!rc)
        rc = store_err(people_managed(r->store, &r->arena, p.id, &list, &n));
    if (rc)
        return rc;
    return http_reply_json(r, 200, json_pack("{s:o, s:b, s:o}", "person", people_to_json(&p), "profile_complete",
                                             people_profile_complete(&p), "managed", people__list_json(list, n)));
}

struct update_ctx {
    struct http_req *r;
    int64_t id;
    struct people_input *in;
};

static int update_tx(struct store *s, void *arg)
{
    struct update_ctx *c = arg;
    const char *field;
    int rc = people__find_taken(s, c->id, c->in, &field);
    if (rc == STORE_OK)
        return http_fail(c->r, ERR_CONFLICT, field, "this %s is recorded for another person; the commune health "
                         "station can correct the records", field);
    if (rc != STORE_DONE)
        return rc;
    rc = people__update(s, c->id, c->in);
    if (rc == STORE_CONFLICT)
        return http_fail(c->r, ERR_CONFLICT, NULL, "an identity number is recorded for another person");
    return rc;
}

enum err people_handle_me_put(struct http_req *r)
{
    struct people_input in;
    struct person p;
    int rc = people__read_update(r, &in);
    if (!rc)
        rc = load_self(r, &p);
    if (rc)
        return rc;
    if (in.phone && (!p.phone || strcmp(in.phone, p.phone)))
        return http_fail(r, ERR_INVALID_FIELD, "phone", "phone cannot change: it is the number you sign in with");
    if ((in.cmnd || p.cmnd) && (in.cccd || p.cccd))
        return http_fail(r, ERR_INVALID_FIELD, "cmnd", "give either cccd or cmnd, not both");
    struct update_ctx c = {r, p.id, &in};
    rc = store_tx(r->store, update_tx, &c);
    if (!rc)
        rc = load_self(r, &p);
    if (!rc && in.full_name)
        rc = claim(r, &p);
    return rc ? rc : http_reply_json(r, 200, people_to_json(&p));
}

/* ---- GET /api/v1/me/qr ---- */

enum err people_handle_me_qr(struct http_req *r)
{
    int64_t id;
    struct person p;
    char payload[QR_PAYLOAD_MAX];
    int rc = http_query_int(r, "person_id", 1, INT64_MAX, r->who->person_id, &id);
    if (!rc)
        rc = people_require_access(r, id, &p);
    if (!rc)
        rc = people_qr_payload(r->store, &p, payload);
    if (rc)
        return rc;
    return http_reply_json(r, 200, json_pack("{s:s, s:I}", "payload", payload, "serial", (json_int_t)p.qr_serial));
}
