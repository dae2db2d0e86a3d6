/*
 * family_http.c - the family members a citizen manages (/api/v1/me/family)
 * and the proof that links an existing person (/api/v1/family/requests).
 *
 * A member typed for the first time is created and linked at once.  A
 * person already recorded is linked only with proof: a one-time code sent
 * to that person's own phone (their sign-in phone if they sign in), which
 * they pass on if they agree; or, for a person with no phone, the approval
 * of health staff of their commune.  Name, birth date and identity numbers
 * must agree with the record first (people__find_duplicate), so an ID card
 * read over a shoulder is not enough.  A member has one manager.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/secret.h"
#include "core/text.h"
#include "http/http.h"
#include "people/people_int.h"
#include "store/store.h"

#define FAMILY_MAX 20 /* members one citizen may manage */

/* ---- POST /api/v1/me/family ---- */

struct family_ctx {
    struct http_req *r;
    struct people_input *in;
    struct person p;
    int status; /* 201 linked or created, 200 already managed, 202 waiting for proof */
    int64_t request_id, retry_after;
    const char *proof;
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

static const char *id_field(const struct people_input *in)
{
    return in->cccd ? "cccd" : in->cmnd ? "cmnd" : in->bhyt ? "bhyt" : NULL;
}

/* A new member: created with the citizen's address when given none, and linked at once. */
static int create_member(struct family_ctx *c, struct store *s, struct person *me)
{
    struct http_req *r = c->r;
    bool no_address = !c->in->commune_code && !c->in->street;
    int64_t household = 0, id;
    int rc;
    if (people__same_address(me, c->in) || (no_address && me->commune_code)) {
        household = me->household_id ? me->household_id : me->id;
        if (!me->household_id && (rc = people__set_household(s, me->id, household)))
            return rc;
        if (no_address) { /* no address given: the member lives with the citizen */
            c->in->commune_code = me->commune_code;
            c->in->street = me->street;
        }
    }
    rc = people__insert(s, c->in, 0, household, &id);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_CONFLICT, NULL, "this person was recorded meanwhile; try again");
    if (!rc)
        rc = people_get(s, &r->arena, id, &c->p);
    if (!rc)
        rc = people__link(s, c->p.id, me->id);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, NULL, "this person is already managed by someone else");
    c->status = 201;
    return rc;
}

/* An existing person: asks for proof instead of linking. */
static int request_link(struct family_ctx *c, struct store *s, int64_t self)
{
    struct http_req *r = c->r;
    struct people_link_request q = {.person_id = c->p.id, .manager_id = self, .commune_code = c->p.commune_code};
    bool signs_in;
    int rc = people__proof_phone(s, c->p.id, &signs_in, q.phone);
    if (rc)
        return rc;
    rc = people__link_request_open(s, &q, clock_now(), &c->request_id, &c->retry_after);
    if (rc == ERR_RATE_LIMITED)
        return http_fail(r, ERR_RATE_LIMITED, NULL, "too many codes for this person's phone; try again in %lld "
                         "seconds", (long long)c->retry_after);
    c->proof = q.phone[0] ? "code_sent" : "staff_approval";
    c->status = 202;
    return rc;
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
    rc = people__find_duplicate(s, &r->arena, c->in, &c->p, &r->fault);
    if (rc == STORE_DONE) {
        if (n >= FAMILY_MAX)
            return http_fail(r, ERR_CONFLICT, NULL, "a citizen may manage at most %d family members",
                             FAMILY_MAX);
        return create_member(c, s, &me);
    }
    if (rc)
        return rc; /* ERR_CONFLICT names what disagrees with the record */
    if (c->p.id == self)
        return http_fail(r, ERR_CONFLICT, NULL, "this is you, not a family member");
    for (int i = 0; i < n; i++)
        if (list[i].id == c->p.id) {
            c->status = 200; /* a retry, or the member added again */
            return 0;
        }
    int64_t manager;
    if ((rc = people__manager_of(s, c->p.id, &manager)))
        return rc;
    if (manager || !same_person(&c->p, c->in))
        return http_fail(r, ERR_CONFLICT, id_field(c->in), "this person is already recorded and cannot be added to "
                         "your family; the commune health station can help");
    if (n >= FAMILY_MAX)
        return http_fail(r, ERR_CONFLICT, NULL, "a citizen may manage at most %d family members", FAMILY_MAX);
    return request_link(c, s, self);
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
    if (rc == ERR_RATE_LIMITED)
        http_add_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)c.retry_after));
    if (rc)
        return rc;
    if (c.status == 202) /* nothing about the person until the proof arrives */
        return http_reply_json(r, 202, json_pack("{s:s, s:I, s:s}", "status", "pending", "link_request_id",
                                                 (json_int_t)c.request_id, "proof", c.proof));
    return http_reply_json(r, c.status, people_to_json(&c.p));
}

/* ---- POST /api/v1/me/family/confirm ---- */

struct confirm_ctx {
    struct http_req *r;
    int64_t request_id;
    const char *code;
    bool wrong;
    struct person p;
};

/* Links q's person to its citizen and closes q; 409 when someone manages the person meanwhile. */
static int complete_link(struct http_req *r, struct store *s, const struct people_link_request *q,
                         int64_t decided_by, struct person *out)
{
    int64_t manager, changes = 0;
    struct person *list;
    int n;
    int rc = people__manager_of(s, q->person_id, &manager);
    if (!rc)
        rc = people_managed(s, &r->arena, q->manager_id, &list, &n);
    if (rc)
        return rc;
    if (manager)
        return http_fail(r, ERR_CONFLICT, NULL, "this person is already managed by someone else");
    if (n >= FAMILY_MAX)
        return http_fail(r, ERR_CONFLICT, NULL, "a citizen may manage at most %d family members", FAMILY_MAX);
    rc = people__link(s, q->person_id, q->manager_id);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, NULL, "this person is already managed by someone else");
    if (!rc)
        rc = people__link_request_close(s, q->id, "linked", decided_by, clock_now(), &changes);
    if (!rc && changes != 1)
        return http_fail(r, ERR_CONFLICT, "id", "this request was decided meanwhile");
    if (rc)
        return rc;
    return people_get(s, &r->arena, q->person_id, out);
}

static int confirm_tx(struct store *s, void *arg)
{
    struct confirm_ctx *c = arg;
    struct http_req *r = c->r;
    struct people_link_request q;
    int rc = people__link_request_get(s, &r->arena, c->request_id, &q);
    if (rc == STORE_DONE || (!rc && q.manager_id != r->who->person_id))
        return http_fail(r, ERR_NOT_FOUND, "link_request_id", "you have no link request %lld",
                         (long long)c->request_id);
    if (rc)
        return rc;
    if (strcmp(q.proof, "code_sent"))
        return http_fail(r, ERR_CONFLICT, "link_request_id", "this request waits for the commune health station");
    if (strcmp(q.status, "pending") || q.expires_at <= clock_now())
        return http_fail(r, ERR_CONFLICT, "link_request_id", "this request is no longer open; add the member again "
                         "for a new code");
    char hash[SECRET_DIGEST_HEX_LEN + 1];
    people__otp_hash(q.phone, c->code, hash);
    if (sodium_memcmp(hash, q.code_hash, SECRET_DIGEST_HEX_LEN)) {
        c->wrong = true; /* committed: the fifth wrong code voids the request */
        return people__link_request_wrong_code(s, q.id);
    }
    return complete_link(r, s, &q, 0, &c->p);
}

enum err people_handle_family_confirm(struct http_req *r)
{
    static const char *const fields[] = {"link_request_id", "code", NULL};
    json_t *body;
    struct confirm_ctx c = {.r = r};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "link_request_id", true, 1, INT64_MAX, &c.request_id, NULL, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "code", true, OTP_DIGITS, &c.code, &r->fault);
    if (!rc && (strlen(c.code) != OTP_DIGITS || strspn(c.code, "0123456789") != OTP_DIGITS))
        rc = http_fail(r, ERR_INVALID_FIELD, "code", "code must be the 6 digits sent to the member's phone");
    if (!rc)
        rc = store_tx(r->store, confirm_tx, &c);
    if (rc)
        return rc;
    if (c.wrong)
        return http_fail(r, ERR_INVALID_FIELD, "code", "wrong code");
    return http_reply_json(r, 201, people_to_json(&c.p));
}

/* ---- GET /api/v1/me/family, DELETE /api/v1/me/family/{id} ---- */

static json_t *request_json(const struct people_link_request *q)
{
    return json_pack("{s:I, s:s, s:I, s:I}", "link_request_id", (json_int_t)q->id, "proof", q->proof, "created_at",
                     (json_int_t)q->created_at, "expires_at", (json_int_t)q->expires_at);
}

enum err people_handle_family_list(struct http_req *r)
{
    struct person *list;
    struct people_link_request *pending;
    int n, np;
    int rc = people_managed(r->store, &r->arena, r->who->person_id, &list, &n);
    if (!rc)
        rc = people__link_requests_pending(r->store, &r->arena, NULL, r->who->person_id, clock_now(), &pending, &np);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < np; i++)
        json_array_append_new(arr, request_json(&pending[i]));
    return http_reply_json(r, 200, json_pack("{s:o, s:o}", "members", people__list_json(list, n), "pending", arr));
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

/* ---- staff: GET /api/v1/family/requests, POST /api/v1/family/requests/{id}/approve|refuse ---- */

enum err people_handle_family_requests(struct http_req *r)
{
    const char *unit = http_query(r, "unit");
    if (!unit)
        unit = r->who->unit_code;
    if (!unit_find(unit))
        return http_fail(r, ERR_INVALID_FIELD, "unit", "unit must be a known unit code");
    struct people_link_request *list;
    int n;
    int rc = area_require(r, unit);
    if (!rc)
        rc = store_err(people__link_requests_pending(r->store, &r->arena, unit, 0, clock_now(), &list, &n));
    if (!rc)
        rc = audit_request(r, "family.requests", "unit", unit, unit);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        struct person p, m;
        if ((rc = store_err(people_get(r->store, &r->arena, list[i].person_id, &p))) ||
            (rc = store_err(people_get(r->store, &r->arena, list[i].manager_id, &m)))) {
            json_decref(arr);
            return rc;
        }
        json_t *o = request_json(&list[i]);
        json_object_set_new(o, "person", people_to_json(&p));
        json_object_set_new(o, "requested_by", json_pack("{s:I, s:o, s:o}", "id", (json_int_t)m.id, "full_name",
                                                         m.full_name ? json_string(m.full_name) : json_null(),
                                                         "phone", m.phone ? json_string(m.phone) : json_null()));
        json_array_append_new(arr, o);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "requests", arr));
}

struct decide_ctx {
    struct http_req *r;
    int64_t id;
    bool approve;
    struct person p;
};

static int decide_tx(struct store *s, void *arg)
{
    struct decide_ctx *c = arg;
    struct http_req *r = c->r;
    struct people_link_request q;
    int rc = people__link_request_get(s, &r->arena, c->id, &q);
    if (rc == STORE_DONE || (!rc && strcmp(q.proof, "staff_approval")))
        return http_fail(r, ERR_NOT_FOUND, "id", "no family link request %lld waits for staff", (long long)c->id);
    if (rc)
        return rc;
    const char *unit = q.commune_code[0] ? q.commune_code : UNIT_NATION;
    if ((rc = area_require(r, unit)))
        return rc;
    if (strcmp(q.status, "pending") || q.expires_at <= clock_now())
        return http_fail(r, ERR_CONFLICT, "id", "this request is no longer open");
    int64_t changes = 0;
    if (c->approve)
        rc = complete_link(r, s, &q, r->who->account_id, &c->p);
    else
        rc = people__link_request_close(s, q.id, "refused", r->who->account_id, clock_now(), &changes);
    if (!rc)
        rc = audit_request(r, c->approve ? "family.approve" : "family.refuse", "person",
                           arena_printf(&r->arena, "%lld", (long long)q.person_id), q.commune_code[0] ? unit : NULL);
    return rc;
}

static int decide(struct http_req *r, bool approve)
{
    struct decide_ctx c = {.r = r, .approve = approve};
    int rc = http_param_id(r, "id", &c.id);
    if (!rc)
        rc = store_tx(r->store, decide_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)c.id, "status",
                                             approve ? "linked" : "refused"));
}

enum err people_handle_family_approve(struct http_req *r)
{
    return decide(r, true);
}

enum err people_handle_family_refuse(struct http_req *r)
{
    return decide(r, false);
}
