/*
 * declare_http.c - /api/v1/declarations handlers.
 *
 * Who may act on whose declarations is people_require_access(): a citizen
 * for self and managed members, staff for persons in their area.  Every
 * staff read or write of a declaration is audited.  A citizen asking for a
 * declaration that is not theirs gets 403, as for a person they do not manage.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "declare/declare.h"
#include "http/http.h"
#include "people/people.h"
#include "qr/qr.h"
#include "store/store.h"

#define LIST_MAX 500       /* declarations per page of a person's list */
#define FLAGGED_MAX 5000   /* flagged declarations read for one area and day */
#define REFERENCE_TRIES 5  /* fresh references drawn when one is already taken */

static bool is_staff(const struct http_req *r)
{
    return r->who && r->who->role != ROLE_CITIZEN;
}

/* The declaration as answered: the object with its freshly signed QR payload. */
static int declaration_json(struct http_req *r, const struct declaration *d, json_t **out)
{
    char qr[QR_PAYLOAD_MAX];
    const char *fields[] = {d->reference};
    int rc = qr_sign(r->store, 'D', fields, 1, qr);
    if (rc)
        return rc == ERR_INVALID_FIELD ? ERR_INTERNAL : rc;
    *out = declare_to_json(d, qr);
    return 0;
}

/* people_require_access, with a missing person named as the caller's parameter. */
static int require_person(struct http_req *r, int64_t person_id, const char *field, struct person *p)
{
    int rc = people_require_access(r, person_id, p);
    if (rc == ERR_NOT_FOUND)
        r->fault.field = field;
    return rc;
}

/* ---------------------------------------------------------------- create */

struct create_ctx {
    struct http_req *r;
    struct declaration *d;
    bool created;
};

static int create_tx(struct store *s, void *p)
{
    struct create_ctx *c = p;
    int rc = STORE_CONFLICT;
    c->created = false;
    for (int i = 0; i < REFERENCE_TRIES && rc == STORE_CONFLICT; i++) {
        declare_reference_make(c->d->declared_at, c->d->reference);
        rc = declare_insert(s, c->d, &c->created);
    }
    if (rc)
        return rc;
    if (c->created && is_staff(c->r))
        rc = audit_request(c->r, "declaration.create", "declaration", c->d->reference, c->d->commune_code);
    return rc;
}

/* POST /api/v1/declarations */
enum err declare_handle_create(struct http_req *r)
{
    static const char *const fields[] = {
        "client_id", "person_id", "kind", "symptoms", "exposure", "health_status", "origin_commune",
        "destination_commune", "vehicle", "vehicle_number", "travel_date", "from_country", "entry_point",
        "flight_number", "arrival_date", NULL};
    struct declaration d = {0};
    struct person person;
    json_t *body;
    const char *kind;
    bool present;
    int64_t now = clock_now();
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &d.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "person_id", true, 1, INT64_MAX, &d.person_id, &present, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "kind", true, 32, &kind, &r->fault);
    if (!rc) {
        d.kind = declare_kind_parse(kind);
        rc = declare_parse(&r->arena, body, vn_day(now), &d, &r->fault);
    }
    if (!rc)
        rc = require_person(r, d.person_id, "person_id", &person);
    if (rc)
        return rc;

    const struct unit *commune = person.commune_code ? unit_find(person.commune_code) : NULL;
    if (commune)
        unit_ancestors(commune, &d.province_code, &d.district_code, &d.commune_code);
    d.declared_at = now;
    d.declared_by = is_staff(r) ? r->who->account_id : 0;

    struct create_ctx ctx = {r, &d, false};
    rc = store_tx(r->store, create_tx, &ctx);
    if (rc == ERR_CONFLICT)
        return http_fail(r, ERR_CONFLICT, NULL, "could not draw a free reference; retry");
    if (rc)
        return rc;
    struct declaration saved;
    rc = declare_get_by_client_id(r->store, &r->arena, d.client_id, &saved);
    if (rc)
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    if (saved.person_id != d.person_id)
        return http_fail(r, ERR_CONFLICT, "client_id", "client_id %s was already used for another declaration",
                         d.client_id);
    json_t *out;
    rc = declaration_json(r, &saved, &out);
    if (rc)
        return rc;
    return http_reply_json(r, ctx.created ? 201 : 200, out);
}

/* ---------------------------------------------------------------- read */

/*
 * Loads the declaration with this reference if the caller may see it:
 * citizens their own and their members', staff those of persons in their
 * area (403 otherwise).  field names the input.
 */
static int load_visible(struct http_req *r, const char *ref, const char *field, struct declaration *d,
                        struct person *p)
{
    if (!declare_reference_valid(ref))
        return http_fail(r, ERR_INVALID_FIELD, field, "%s must be a reference like TK-20261122-7Q4M2X", field);
    int rc = declare_get_by_reference(r->store, &r->arena, ref, d);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, field, "no declaration has reference %s", ref);
    if (rc)
        return store_err(rc);
    return require_person(r, d->person_id, field, p);
}

/* GET /api/v1/declarations/{ref} */
enum err declare_handle_get(struct http_req *r)
{
    const char *ref = http_param(r, "ref");
    struct declaration d;
    struct person p;
    json_t *out;
    int rc = load_visible(r, ref, "ref", &d, &p);
    if (!rc && is_staff(r))
        rc = audit_request(r, "declaration.read", "declaration", d.reference, d.commune_code);
    if (!rc)
        rc = declaration_json(r, &d, &out);
    if (rc)
        return rc;
    return http_reply_json(r, 200, out);
}

/* GET /api/v1/declarations?person_id=&limit= (citizens: self or a managed member) */
enum err declare_handle_list(struct http_req *r)
{
    int64_t person_id, limit;
    struct person p;
    int rc = http_query_int(r, "person_id", 1, INT64_MAX, r->who->person_id, &person_id);
    if (!rc)
        rc = http_query_int(r, "limit", 1, LIST_MAX, 100, &limit);
    if (!rc && person_id <= 0)
        rc = http_fail(r, ERR_MISSING_FIELD, "person_id", "person_id is required");
    if (!rc)
        rc = require_person(r, person_id, "person_id", &p);
    if (rc)
        return rc;
    struct declaration *list;
    int n;
    rc = declare_list_person(r->store, &r->arena, person_id, limit, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o;
        rc = declaration_json(r, &list[i], &o);
        if (rc) {
            json_decref(arr);
            return rc;
        }
        json_array_append_new(arr, o);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "declarations", arr));
}

/* ---------------------------------------------------------------- flagged list */

/* One person of the flagged list, from their flagged declarations of the day (rows[0..n)). */
static json_t *flagged_person(struct http_req *r, const struct declaration *rows, int n)
{
    struct person p;
    bool known = people_get(r->store, &r->arena, rows[0].person_id, &p) == STORE_OK;
    unsigned symptoms = 0, exposure = 0;
    json_t *refs = json_array();
    for (int i = 0; i < n; i++) {
        symptoms |= rows[i].symptoms;
        exposure |= rows[i].exposure;
        json_array_append_new(refs, json_string(rows[i].reference));
    }
    const struct declaration *last = &rows[n - 1];
    const struct unit *u = last->commune_code ? unit_find(last->commune_code) : NULL;
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "person_id", (json_int_t)last->person_id,
                     "full_name", known && p.full_name ? json_string(p.full_name) : json_null(), "phone",
                     known && p.phone ? json_string(p.phone) : json_null(), "commune_code",
                     last->commune_code ? json_string(last->commune_code) : json_null(), "commune_name",
                     u ? json_string(u->name_with_type) : json_null(), "symptoms",
                     declare_bits_to_json(symptoms, true), "exposure", declare_bits_to_json(exposure, false),
                     "health_status", last->health_status ? json_string(last->health_status) : json_null(),
                     "references", refs, "last_declared_at", (json_int_t)last->declared_at);
}

/* GET /api/v1/declarations/flagged?unit=&date= (officials and tracers, in area) */
enum err declare_handle_flagged(struct http_req *r)
{
    const char *unit = http_query(r, "unit");
    const char *date = http_query(r, "date");
    const struct unit *u;
    int64_t day;
    char today[11];
    if (!unit)
        unit = r->who->unit_code;
    int rc = unit_check(unit, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc)
        rc = area_require(r, unit);
    if (rc)
        return rc;
    if (!date) {
        vn_date_format(vn_day(clock_now()), today);
        date = today;
    }
    if (!vn_date_parse(date, &day))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date written YYYY-MM-DD");
    int64_t from = vn_day_start(day);
    struct declaration *rows;
    int n;
    rc = declare_list_flagged(r->store, &r->arena, u->code, from, from + VN_DAY, FLAGGED_MAX + 1, &rows, &n);
    if (rc)
        return store_err(rc);
    bool truncated = n > FLAGGED_MAX;
    if (truncated)
        n = FLAGGED_MAX;
    rc = audit_request(r, "declaration.flagged", "declaration", NULL, unit);
    if (rc)
        return rc;
    json_t *people = json_array();
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && rows[j].person_id == rows[i].person_id)
            j++;
        json_array_append_new(people, flagged_person(r, rows + i, j - i));
        i = j;
    }
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:o, s:b}", "unit", unit, "date", date, "people", people,
                                     "truncated", truncated));
}

/* ---------------------------------------------------------------- scan */

/* POST /api/v1/declarations/scan {"qr"} (staff: checkpoints, samplers) */
enum err declare_handle_scan(struct http_req *r)
{
    static const char *const fields[] = {"qr", NULL};
    json_t *body, *out;
    const char *payload;
    struct qr_parsed qp;
    struct declaration d;
    struct person p;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "qr", true, QR_PAYLOAD_MAX - 1, &payload, &r->fault);
    if (rc)
        return rc;
    int st = qr_verify(r->store, payload, &qp);
    if (st == QR_ERROR)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "could not read the signing keys; retry");
    if (st != QR_VALID)
        return http_fail(r, ERR_INVALID_FIELD, "qr", "qr is not a valid signed code (%s)", qr_status_name(st));
    if (qp.type != 'D' || qp.nfields != 1)
        return http_fail(r, ERR_INVALID_FIELD, "qr", "qr is not a declaration code");
    rc = load_visible(r, qp.fields[0], "qr", &d, &p);
    if (!rc)
        rc = audit_request(r, "declaration.scan", "declaration", d.reference, d.commune_code);
    if (!rc)
        rc = declaration_json(r, &d, &out);
    if (rc)
        return rc;
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:{s:I, s:o}}", "declaration", out, "person", "id", (json_int_t)p.id,
                                     "full_name", p.full_name ? json_string(p.full_name) : json_null()));
}
