/*
 * people_http.c - /api/v1/people: registration by staff, search, reading a
 * person, QR revocation, printable cards; and people_require_access, the
 * access rule every domain applies to a person.
 *
 * Staff act on persons whose commune lies in their area, as their role's
 * view of people allows (admin/access.h: health staff and tracers in full,
 * samplers and vaccinators masked, other roles not at all); a person without
 * a commune yet (a citizen who has only signed in) is visible to national
 * admins only.  Every staff read is audited (person.read, person.search,
 * person.card, person.update); citizens reach only themselves and their
 * managed members.  Editing and card sheets are for health staff (routes.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/text.h"
#include "core/validate.h"
#include "http/http.h"
#include "people/people_int.h"
#include "print/print.h"
#include "qr/qr.h"
#include "store/store.h"

static bool staff_sees(const struct http_req *r, const struct person *p)
{
    if (!r->who || !r->who->unit_code)
        return false;
    if (!p->commune_code)
        return !strcmp(r->who->unit_code, UNIT_NATION);
    return unit_within(r->who->unit_code, p->commune_code);
}

enum access_view people_view(const struct http_req *r)
{
    if (!r->who)
        return VIEW_NONE;
    return r->who->person_id ? VIEW_OWN : access_view(r->who->role, REC_PERSON);
}

int people_require_access(struct http_req *r, int64_t person_id, struct person *out)
{
    if (!r->who)
        return http_fail(r, ERR_UNAUTHENTICATED, NULL, "sign in first");
    enum access_view view = people_view(r);
    if (view != VIEW_OWN && view != VIEW_MASKED && view != VIEW_FULL)
        return http_fail(r, ERR_FORBIDDEN, NULL, "your role does not read people's records");
    int rc = people_get(r->store, &r->arena, person_id, out);
    if (rc && rc != STORE_DONE)
        return store_err(rc);
    if (r->who->person_id) {
        /* Citizens get the same answer for a stranger and for no one, so ids reveal nothing. */
        if (!rc && (out->id == r->who->person_id || people_manages(r->store, r->who->person_id, out->id)))
            return 0;
        return http_fail(r, ERR_FORBIDDEN, NULL, "you may act only for yourself and the family members you manage");
    }
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no person has id %lld", (long long)person_id);
    if (!staff_sees(r, out))
        return http_fail(r, ERR_FORBIDDEN, NULL, "this person lives outside your area");
    return 0;
}

static char *id_text(struct http_req *r, int64_t id)
{
    return arena_printf(&r->arena, "%lld", (long long)id);
}

/* Audits a staff read of p; citizens reading their own family are not audited. */
static int audit_staff(struct http_req *r, const char *action, const struct person *p)
{
    if (!r->who || r->who->person_id)
        return 0;
    return audit_request(r, action, "person", id_text(r, p->id), p->commune_code);
}

/* ---- POST /api/v1/people ---- */

struct create_ctx {
    struct http_req *r;
    struct people_input *in;
    struct person p;
    bool existing;
};

static int create_tx(struct store *s, void *arg)
{
    struct create_ctx *c = arg;
    struct http_req *r = c->r;
    int rc = people__create_checked(s, &r->arena, c->in, r->who->account_id, &c->p, &c->existing, &r->fault);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, NULL, "an identity number was recorded meanwhile; try again");
    if (rc == STORE_DONE)
        return http_fail(r, ERR_CONFLICT, NULL, "this person could not be recorded; try again");
    if (rc)
        return rc;
    if (!c->existing)
        return audit_request(r, "person.create", "person", id_text(r, c->p.id), c->p.commune_code);
    /* outside the area the caller learns only id and code, and the person's area sees who matched */
    return audit_staff(r, staff_sees(r, &c->p) ? "person.read" : "person.match", &c->p);
}

enum err people_handle_create(struct http_req *r)
{
    json_t *body;
    struct people_input in;
    int rc = http_read_json(r, people__fields_with_client_id, &body);
    if (!rc)
        rc = people__read_input(body, PEOPLE_CREATE_NEED, clock_now(), &in, &r->fault);
    if (rc)
        return rc;
    if (!unit_within(r->who->unit_code, in.commune_code))
        return http_fail(r, ERR_FORBIDDEN, "commune_code", "commune %s lies outside your area", in.commune_code);
    struct create_ctx c = {.r = r, .in = &in};
    rc = store_tx(r->store, create_tx, &c);
    if (rc)
        return rc;
    json_t *person;
    if (!c.existing || staff_sees(r, &c.p))
        person = people_to_json_view(&c.p, people_view(r));
    else /* recorded in another area: the caller learns only the ids it needs to refer to the person */
        person = json_pack("{s:I, s:s}", "id", (json_int_t)c.p.id, "code", c.p.code);
    return http_reply_json(r, c.existing ? 200 : 201,
                           json_pack("{s:o, s:b}", "person", person, "existing", c.existing));
}

/* ---- GET /api/v1/people/search ---- */

/* A person code as printed on the card (10 of 0-9 and capitals), read in any case. */
static int read_code(struct http_req *r, const char *v, char out[PERSON_CODE_LEN + 1])
{
    size_t n = strlen(v);
    for (size_t i = 0; i < n && i < PERSON_CODE_LEN; i++)
        out[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 'a' + 'A' : v[i]);
    bool ok = n == PERSON_CODE_LEN;
    for (size_t i = 0; ok && i < n; i++)
        ok = (out[i] >= '0' && out[i] <= '9') || (out[i] >= 'A' && out[i] <= 'Z');
    if (!ok)
        return http_fail(r, ERR_INVALID_FIELD, "code", "code must be the 10 letters and digits printed on the card");
    out[n] = '\0';
    return 0;
}

enum err people_handle_search(struct http_req *r)
{
    static const char *const names[] = {"q", "phone", "cccd", "bhyt", "code"};
    const char *given = NULL, *value = NULL;
    for (int i = 0; i < 5; i++) {
        const char *v = http_query(r, names[i]);
        if (!v)
            continue;
        if (given)
            return http_fail(r, ERR_INVALID_FIELD, names[i], "give exactly one of q, phone, cccd, bhyt, code");
        given = names[i];
        value = v;
    }
    if (!given)
        return http_fail(r, ERR_INVALID_FIELD, "q", "give exactly one of q, phone, cccd, bhyt, code");
    struct people_search q = {.unit_code = r->who->unit_code};
    int rc = http_query_int(r, "limit", 1, PEOPLE_SEARCH_LIMIT_MAX, 20, &q.limit);
    if (rc)
        return rc;
    char phone[11], bhyt[IDS_BHYT_LEN + 1], fold[PEOPLE_FOLD_MAX], code[PERSON_CODE_LEN + 1];
    if (!strcmp(given, "q")) {
        if (!text_utf8_valid(value, strlen(value)) || text_utf8_length(value) > 100)
            return http_fail(r, ERR_INVALID_FIELD, "q", "q must be a name of at most 100 characters");
        text_fold(value, fold, sizeof(fold));
        if (!fold[0])
            return http_fail(r, ERR_INVALID_FIELD, "q", "q must hold letters");
        q.name_fold = fold;
    } else if (!strcmp(given, "phone")) {
        rc = validate_phone(value, "phone", phone, &r->fault);
        q.phone = phone;
    } else if (!strcmp(given, "cccd")) {
        rc = strlen(value) == IDS_CMND_LEN ? ids_check_cmnd(value, "cccd", &r->fault)
                                           : ids_check_cccd(value, "cccd", &r->fault);
        q.id_number = value;
    } else if (!strcmp(given, "bhyt")) {
        rc = ids_check_bhyt(value, "bhyt", bhyt, &r->fault);
        q.bhyt = bhyt;
    } else {
        rc = read_code(r, value, code);
        q.code = code;
    }
    if (rc)
        return rc;
    struct person *list;
    int n;
    rc = people__search(r->store, &r->arena, &q, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, people_to_json_view(&list[i], people_view(r)));
    rc = audit_request(r, "person.search", "person", NULL, r->who->unit_code);
    if (rc) {
        json_decref(arr);
        return store_err(rc);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "people", arr));
}

/* ---- GET /api/v1/people/{id} ---- */

static int load(struct http_req *r, struct person *p)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    return rc ? rc : people_require_access(r, id, p);
}

enum err people_handle_get(struct http_req *r)
{
    struct person p;
    int rc = load(r, &p);
    if (!rc)
        rc = store_err(audit_staff(r, "person.read", &p));
    return rc ? rc : http_reply_json(r, 200, people_to_json_view(&p, people_view(r)));
}

/* ---- POST /api/v1/people/{id}/qr/revoke ---- */

struct revoke_ctx {
    struct http_req *r;
    struct person *p;
    int64_t serial;
};

static int revoke_tx(struct store *s, void *arg)
{
    struct revoke_ctx *c = arg;
    int rc = people__qr_revoke(s, c->p->id, &c->serial);
    if (!rc && c->r->who->account_id)
        rc = audit_request(c->r, "person.qr_revoke", "person", id_text(c->r, c->p->id), c->p->commune_code);
    return rc;
}

enum err people_handle_qr_revoke(struct http_req *r)
{
    struct person p;
    int rc = load(r, &p);
    if (rc)
        return rc;
    struct revoke_ctx c = {r, &p, 0};
    rc = store_tx(r->store, revoke_tx, &c);
    return rc ? rc : http_reply_json(r, 200, json_pack("{s:I}", "serial", (json_int_t)c.serial));
}

/* ---- GET /api/v1/people/{id}/card.png, card.pdf ---- */

static int card(struct http_req *r, int fmt)
{
    struct person p;
    char payload[QR_PAYLOAD_MAX];
    int rc = load(r, &p);
    if (!rc)
        rc = people_qr_payload(r->store, &p, payload);
    if (!rc)
        rc = store_err(audit_staff(r, "person.card", &p));
    if (rc)
        return rc;
    struct buf out;
    buf_init(&out, 8u << 20);
    rc = people_card_render(&p, payload, fmt, &out);
    if (!rc) {
        http_add_header(r, "Content-Disposition",
                        arena_printf(&r->arena, "inline; filename=\"cordon-%s.%s\"", p.code,
                                     fmt == PRINT_PNG ? "png" : "pdf"));
        rc = http_reply(r, 200, fmt == PRINT_PNG ? "image/png" : "application/pdf", out.data, out.len);
    } else {
        rc = http_fail(r, ERR_INTERNAL, NULL, "the card could not be drawn");
    }
    buf_release(&out);
    return rc;
}

enum err people_handle_card_png(struct http_req *r)
{
    return card(r, PRINT_PNG);
}

enum err people_handle_card_pdf(struct http_req *r)
{
    return card(r, PRINT_PDF);
}

int people_require_located(struct http_req *r, int64_t person_id, const char *field, struct person *out,
                           const struct unit **commune)
{
    int rc = people_require_access(r, person_id, out);
    if (rc) {
        if (r->fault.code == ERR_NOT_FOUND)
            r->fault.field = field;
        return rc;
    }
    *commune = out->commune_code ? unit_find(out->commune_code) : NULL;
    if (!*commune)
        return http_fail(r, ERR_INVALID_FIELD, field, "the person has no commune of residence yet");
    return 0;
}

/* ---- PATCH /api/v1/people/{id} ---- */

struct update_ctx {
    struct http_req *r;
    const struct person *p;
    struct people_input *in;
};

static int update_tx(struct store *s, void *arg)
{
    struct update_ctx *c = arg;
    struct http_req *r = c->r;
    const char *field;
    int rc = people__find_taken(s, c->p->id, c->in, &field);
    if (rc == STORE_OK)
        return http_fail(r, ERR_CONFLICT, field, "this %s is recorded for another person; merge the two records "
                         "if they are one person", field);
    if (rc != STORE_DONE)
        return rc;
    if (c->in->phone && (!c->p->phone || strcmp(c->in->phone, c->p->phone))) {
        bool signs_in;
        char signin[11];
        rc = people__proof_phone(s, c->p->id, &signs_in, signin);
        if (rc)
            return rc;
        if (signs_in)
            return http_fail(r, ERR_INVALID_FIELD, "phone", "the person signs in with this phone; it cannot change");
        if ((rc = people__set_phone(s, c->p->id, c->in->phone)))
            return rc;
    }
    rc = people__update(s, c->p->id, c->in);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, NULL, "an identity number is recorded for another person");
    if (!rc) /* the area of the record as it was: its staff see the change in their log */
        rc = audit_request(r, "person.update", "person", id_text(r, c->p->id), c->p->commune_code);
    return rc;
}

int people__read_update(struct http_req *r, struct people_input *in)
{
    json_t *body;
    int rc = http_read_json(r, people__fields, &body);
    if (!rc)
        rc = people__read_input(body, 0, clock_now(), in, &r->fault);
    if (!rc && json_object_size(body) == 0)
        rc = http_fail(r, ERR_MISSING_FIELD, NULL, "give at least one person field");
    return rc;
}

enum err people_handle_update(struct http_req *r)
{
    struct people_input in;
    struct person p;
    int rc = people__read_update(r, &in);
    if (!rc)
        rc = load(r, &p);
    if (rc)
        return rc;
    if (in.commune_code && !unit_within(r->who->unit_code, in.commune_code))
        return http_fail(r, ERR_FORBIDDEN, "commune_code", "commune %s lies outside your area", in.commune_code);
    if ((in.cmnd && p.cccd) || (in.cccd && p.cmnd))
        return http_fail(r, ERR_INVALID_FIELD, in.cmnd ? "cmnd" : "cccd",
                             "the person has a %s already; give either cccd or cmnd, not both",
                             in.cmnd ? "CCCD" : "CMND");
    struct update_ctx c = {r, &p, &in};
    rc = store_tx(r->store, update_tx, &c);
    if (!rc)
        rc = store_err(people_get(r->store, &r->arena, p.id, &p));
    return rc ? rc : http_reply_json(r, 200, people_to_json_view(&p, people_view(r)));
}

/* ---- POST /api/v1/people/cards.pdf ---- */

/* Reads "ids" (1 to PEOPLE_CARDS_MAX person ids) or "household_id" into a list of persons, each one checked. */
static int sheet_people(struct http_req *r, json_t *body, struct person **out, int *n)
{
    json_t *ids = json_object_get(body, "ids");
    int64_t household = 0;
    int rc = jsonin_int(body, "household_id", false, 1, INT64_MAX, &household, NULL, &r->fault);
    if (rc)
        return rc;
    if (!ids == !household)
        return http_fail(r, ERR_MISSING_FIELD, "ids", "give either ids (a list of person ids) or household_id");
    if (household) {
        rc = people__household(r->store, &r->arena, household, r->who->unit_code, PEOPLE_CARDS_MAX, out, n);
        if (rc)
            return store_err(rc);
        if (!*n)
            return http_fail(r, ERR_NOT_FOUND, "household_id", "no household %lld in your area", (long long)household);
        return 0;
    }
    size_t len = json_is_array(ids) ? json_array_size(ids) : 0;
    if (len < 1 || len > PEOPLE_CARDS_MAX)
        return http_fail(r, ERR_INVALID_FIELD, "ids", "ids must be a list of 1 to %d person ids", PEOPLE_CARDS_MAX);
    *out = arena_alloc(&r->arena, sizeof(**out) * len);
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return http_fail(r, ERR_INVALID_FIELD, "ids", "ids[%zu] is not a person id", i);
        if ((rc = people_require_access(r, json_integer_value(v), &(*out)[*n]))) {
            r->fault.field = "ids";
            return rc;
        }
        bool seen = false; /* an id twice, or two ids of one merged person: one card */
        for (int j = 0; j < *n && !seen; j++)
            seen = (*out)[j].id == (*out)[*n].id;
        *n += !seen;
    }
    return 0;
}

struct sheet_ctx {
    struct http_req *r;
    const struct person *list;
    int n;
};

static int sheet_audit_tx(struct store *s, void *arg)
{
    (void)s;
    struct sheet_ctx *c = arg;
    int rc = 0;
    for (int i = 0; i < c->n && !rc; i++)
        rc = audit_request(c->r, "person.card", "person", id_text(c->r, c->list[i].id), c->list[i].commune_code);
    return rc;
}

enum err people_handle_cards_pdf(struct http_req *r)
{
    static const char *const fields[] = {"ids", "household_id", NULL};
    json_t *body;
    struct person *list;
    int n;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = sheet_people(r, body, &list, &n);
    if (rc)
        return rc;
    const char **payloads = arena_alloc(&r->arena, sizeof(*payloads) * (size_t)n);
    for (int i = 0; i < n && !rc; i++) {
        char *pl = arena_alloc(&r->arena, QR_PAYLOAD_MAX);
        rc = people_qr_payload(r->store, &list[i], pl);
        payloads[i] = pl;
    }
    struct sheet_ctx c = {r, list, n};
    if (!rc)
        rc = store_tx(r->store, sheet_audit_tx, &c);
    if (rc)
        return rc;
    struct buf out;
    buf_init(&out, 64u << 20);
    rc = people_card_sheet(list, payloads, n, &out);
    if (!rc) {
        http_add_header(r, "Content-Disposition", "inline; filename=\"cordon-cards.pdf\"");
        rc = http_reply(r, 200, "application/pdf", out.data, out.len);
    } else {
        rc = http_fail(r, ERR_INTERNAL, NULL, "the cards could not be drawn");
    }
    buf_release(&out);
    return rc;
}
