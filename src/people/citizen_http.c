/*
 * citizen_http.c - citizen sign-in by one-time SMS code and the citizen's own
 * space: /api/v1/citizen/otp, /citizen/login, /me, /me/qr, /me/family.
 *
 * A citizen session carries a person id and no unit; everything here acts on
 * that person and the family members they manage, never on anyone else.
 * A member has one manager: a person already managed, or who signs in on
 * their own, cannot be claimed by another citizen.
 */
#include <stdio.h>
#include <string.h>

#include "admin/auth.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/validate.h"
#include "http/http.h"
#include "people/people_int.h"
#include "qr/qr.h"
#include "store/store.h"

#define FAMILY_MAX 20 /* members one citizen may manage */

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

struct login_ctx {
    struct http_req *r;
    const char *phone, *code;
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
    rc = people__signin_person(s, &c->r->arena, c->phone, &c->p, &c->created);
    if (!rc)
        rc = auth_session_create(s, 0, c->p.id, c->token, &c->expires);
    return rc;
}

enum err people_handle_login(struct http_req *r)
{
    static const char *const fields[] = {"phone", "code", NULL};
    json_t *body;
    const char *phone, *code;
    char norm[11];
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "phone", true, 16, &phone, &r->fault);
    if (!rc)
        rc = validate_phone(phone, "phone", norm, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "code", true, OTP_DIGITS, &code, &r->fault);
    if (!rc && (strlen(code) != OTP_DIGITS || strspn(code, "0123456789") != OTP_DIGITS))
        rc = http_fail(r, ERR_INVALID_FIELD, "code", "code must be the 6 digits sent by SMS");
    if (rc)
        return rc;
    struct login_ctx c = {.r = r, .phone = norm, .code = code};
    rc = store_tx(r->store, login_tx, &c);
    if (rc)
        return rc;
    if (!c.ok)
        return http_fail(r, ERR_UNAUTHENTICATED, "code", "wrong or expired code");
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

static json_t *list_json(const struct person *list, int n)
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
                                             people_profile_complete(&p), "managed", list_json(list, n)));
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
    json_t *body;
    struct people_input in;
    struct person p;
    int rc = http_read_json(r, people__fields, &body);
    if (!rc)
        rc = people__read_input(body, 0, clock_now(), &in, &r->fault);
    if (!rc && json_object_size(body) == 0)
        rc = http_fail(r, ERR_MISSING_FIELD, NULL, "give at least one person field");
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

/* ---- /api/v1/me/family ---- */

struct family_ctx {
    struct http_req *r;
    struct people_input *in;
    struct person p;
    int status; /* 201 linked or created, 200 already managed */
};

/* Whether an existing record may be linked: it must describe the person the citizen typed. */
static bool same_person(const struct person *found, const struct people_input *in)
{
    char fold[PEOPLE_FOLD_MAX];
    if (!found->full_name || !found->date_of_birth)
        return false;
    text_fold(found->full_name, fold, sizeof(fold));
    return !strcmp(fold, in->name_fold) && !strcmp(found->date_of_birth, in->date_of_birth);
}

static int family_tx(struct store *s, void *arg)
{
    struct family_ctx *c = arg;
    struct http_req *r = c->r;
    int64_t self = r->who->person_id;
    struct person me, *list;
    int n;
    int rc = people_get(s, &r->arena, self, &me);
    if (!rc)
        rc = people_managed(s, &r->arena, self, &list, &n);
    if (rc)
        return rc;
    rc = people__find_duplicate(s, &r->arena, c->in, &c->p);
    if (rc != STORE_OK && rc != STORE_DONE)
        return rc;
    bool found = rc == STORE_OK;
    if (found) {
        if (c->p.id == self)
            return http_fail(r, ERR_CONFLICT, NULL, "this is you, not a family member");
        for (int i = 0; i < n; i++)
            if (list[i].id == c->p.id) {
                c->status = 200; /* a retry, or the member added again */
                return 0;
            }
        bool citizen;
        int64_t manager;
        rc = people__is_citizen(s, c->p.id, &citizen);
        if (!rc)
            rc = people__manager_of(s, c->p.id, &manager);
        if (rc)
            return rc;
        if (citizen || manager || !same_person(&c->p, c->in))
            return http_fail(r, ERR_CONFLICT, c->in->cccd ? "cccd" : c->in->cmnd ? "cmnd" : c->in->bhyt ? "bhyt" : NULL,
                             "this person is already recorded and cannot be added to your family; the commune "
                             "health station can help");
    }
    if (n >= FAMILY_MAX)
        return http_fail(r, ERR_CONFLICT, NULL, "a citizen may manage at most %d family members", FAMILY_MAX);
    if (!found) {
        bool no_address = !c->in->commune_code && !c->in->street;
        int64_t household = 0;
        if (people__same_address(&me, c->in) || (no_address && me.commune_code)) {
            household = me.household_id ? me.household_id : me.id;
            if (!me.household_id && (rc = people__set_household(s, me.id, household)))
                return rc;
            if (no_address) { /* no address given: the member lives with the citizen */
                c->in->commune_code = me.commune_code;
                c->in->street = me.street;
            }
        }
        int64_t id;
        rc = people__insert(s, c->in, 0, household, &id);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_CONFLICT, NULL, "this person was recorded meanwhile; try again");
        if (!rc)
            rc = people_get(s, &r->arena, id, &c->p);
        if (rc)
            return rc;
    }
    rc = people__link(s, c->p.id, self);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, NULL, "this person is already managed by someone else");
    c->status = 201;
    return rc;
}

enum err people_handle_family_add(struct http_req *r)
{
    json_t *body;
    struct people_input in;
    int rc = http_read_json(r, people__fields_with_client_id, &body);
    if (!rc)
        rc = people__read_input(body, PEOPLE_NEED_NAME | PEOPLE_NEED_DOB, clock_now(), &in, &r->fault);
    if (rc)
        return rc;
    struct family_ctx c = {.r = r, .in = &in};
    rc = store_tx(r->store, family_tx, &c);
    return rc ? rc : http_reply_json(r, c.status, people_to_json(&c.p));
}

enum err people_handle_family_list(struct http_req *r)
{
    struct person *list;
    int n;
    int rc = people_managed(r->store, &r->arena, r->who->person_id, &list, &n);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:o}", "members", list_json(list, n)));
}

enum err people_handle_family_delete(struct http_req *r)
{
    int64_t id, changes = 0;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = store_err(people__unlink(r->store, id, r->who->person_id, &changes));
    if (rc)
        return rc;
    if (!changes)
        return http_fail(r, ERR_NOT_FOUND, "id", "you do not manage person %lld", (long long)id);
    return http_reply(r, 204, NULL, "", 0);
}
