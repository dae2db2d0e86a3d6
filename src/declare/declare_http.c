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
#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "declare/declare.h"
#include "http/http.h"
#include "people/people.h"
#include "print/print.h"
#include "qr/qr.h"
#include "store/store.h"

#define LIST_MAX 500       /* declarations per page of a person's list */
#define FLAGGED_MAX 5000   /* flagged declarations read for one area and range */
#define FLAGGED_DAYS_MAX 31 /* days in one range of the flagged list */
#define HANDLED_NOTE_MAX 500 /* characters of a handling note */
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

/* GET /api/v1/declarations/{ref}/qr.png: the signed QR payload as a square image to show. */
enum err declare_handle_qr_png(struct http_req *r)
{
    struct declaration d;
    struct person p;
    char qr[QR_PAYLOAD_MAX];
    const char *fields[1];
    int rc = load_visible(r, http_param(r, "ref"), "ref", &d, &p);
    if (!rc && is_staff(r))
        rc = audit_request(r, "declaration.read", "declaration", d.reference, d.commune_code);
    fields[0] = d.reference;
    if (!rc && (rc = qr_sign(r->store, 'D', fields, 1, qr)))
        rc = rc == ERR_INVALID_FIELD ? ERR_INTERNAL : rc;
    if (rc)
        return rc;
    struct print_doc *doc = print_begin(PRINT_PNG, 60, 60);
    struct buf out;
    buf_init(&out, 4 << 20);
    if (!doc || print_qr(doc, 2, 2, 56, qr) || print_end(doc, &out)) {
        buf_release(&out);
        return http_fail(r, ERR_INTERNAL, NULL, "the QR code could not be drawn");
    }
    http_add_header(r, "Cache-Control", "private, no-store");
    rc = http_reply(r, 200, "image/png", out.data, out.len);
    buf_release(&out);
    return rc;
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

/* The mark on a declaration as answered, or null when not handled. */
static json_t *handled_json(struct http_req *r, const struct declaration *d)
{
    if (!d->handled_at)
        return json_null();
    struct account acc;
    bool known = d->handled_by && account_get(r->store, &r->arena, d->handled_by, &acc) == STORE_OK;
    return json_pack("{s:I, s:I, s:o, s:o, s:o}", "at", (json_int_t)d->handled_at, "by", (json_int_t)d->handled_by,
                     "by_username", known ? json_string(acc.username) : json_null(), "by_name",
                     known && acc.full_name ? json_string(acc.full_name) : json_null(), "note",
                     d->handled_note ? json_string(d->handled_note) : json_null());
}

/*
 * One person of the flagged list, from their flagged declarations of the
 * range (rows[0..n)).  The person is handled when every one of them is; the
 * mark shown is the newest declaration's.
 */
static json_t *flagged_person(struct http_req *r, const struct declaration *rows, int n, int *pending)
{
    struct person p;
    bool known = people_get(r->store, &r->arena, rows[0].person_id, &p) == STORE_OK;
    unsigned symptoms = 0, exposure = 0;
    bool handled = true;
    json_t *refs = json_array();
    for (int i = 0; i < n; i++) {
        symptoms |= rows[i].symptoms;
        exposure |= rows[i].exposure;
        handled = handled && rows[i].handled_at;
        json_array_append_new(refs, json_string(rows[i].reference));
    }
    const struct declaration *last = &rows[n - 1];
    const struct unit *u = last->commune_code ? unit_find(last->commune_code) : NULL;
    if (!handled)
        (*pending)++;
    json_t *o = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:s}", "person_id", (json_int_t)last->person_id,
        "full_name", known && p.full_name ? json_string(p.full_name) : json_null(), "phone",
        known && p.phone ? json_string(p.phone) : json_null(), "commune_code",
        last->commune_code ? json_string(last->commune_code) : json_null(), "commune_name",
        u ? json_string(u->name_with_type) : json_null(), "symptoms", declare_bits_to_json(symptoms, true),
        "exposure", declare_bits_to_json(exposure, false), "health_status",
        last->health_status ? json_string(last->health_status) : json_null(), "references", refs,
        "last_declared_at", (json_int_t)last->declared_at, "last_reference", last->reference);
    json_object_set_new(o, "handled", handled ? handled_json(r, last) : json_null());
    return o;
}

/*
 * The time range of the flagged list: date= one local day, from= and to= a
 * range of local days (both included), or by default the last 24 hours (so
 * the list does not empty at midnight).  Writes the days read into out.
 */
static int flagged_range(struct http_req *r, int64_t now, int64_t *from, int64_t *to, json_t *out)
{
    const char *date = http_query(r, "date"), *since = http_query(r, "from"), *until = http_query(r, "to");
    int64_t d0, d1;
    if (date && (since || until))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date and from/to cannot be given together");
    if (date) {
        if (!vn_date_parse(date, &d0))
            return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date written YYYY-MM-DD");
        *from = vn_day_start(d0);
        *to = *from + VN_DAY;
        json_object_set_new(out, "date", json_string(date));
        return 0;
    }
    if (!since && !until) {
        *from = now - DECLARE_FLAGGED_WINDOW;
        *to = now + 1;
        return 0;
    }
    if (!since)
        return http_fail(r, ERR_MISSING_FIELD, "from", "from is required with to");
    if (!vn_date_parse(since, &d0))
        return http_fail(r, ERR_INVALID_FIELD, "from", "from must be a real date written YYYY-MM-DD");
    if (!until)
        d1 = vn_day(now);
    else if (!vn_date_parse(until, &d1))
        return http_fail(r, ERR_INVALID_FIELD, "to", "to must be a real date written YYYY-MM-DD");
    if (d1 < d0)
        return http_fail(r, ERR_INVALID_FIELD, "to", "to must not be before from");
    if (d1 - d0 >= FLAGGED_DAYS_MAX)
        return http_fail(r, ERR_INVALID_FIELD, "to", "a range covers at most %d days", FLAGGED_DAYS_MAX);
    char buf[11];
    *from = vn_day_start(d0);
    *to = vn_day_start(d1) + VN_DAY;
    vn_date_format(d0, buf);
    json_object_set_new(out, "from_date", json_string(buf));
    vn_date_format(d1, buf);
    json_object_set_new(out, "to_date", json_string(buf));
    return 0;
}

/* GET /api/v1/declarations/flagged?unit=&date= | &from=&to= (officials and tracers, in area) */
enum err declare_handle_flagged(struct http_req *r)
{
    const char *unit = http_query(r, "unit");
    const struct unit *u;
    int64_t from, to;
    if (!unit)
        unit = r->who->unit_code;
    int rc = unit_check(unit, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc)
        rc = area_require(r, unit);
    if (rc)
        return rc;
    json_t *res = json_pack("{s:s}", "unit", unit);
    rc = flagged_range(r, clock_now(), &from, &to, res);
    struct declaration *rows;
    int n;
    if (!rc) {
        rc = declare_list_flagged(r->store, &r->arena, u->code, from, to, FLAGGED_MAX + 1, &rows, &n);
        if (rc)
            rc = store_err(rc);
    }
    if (!rc)
        rc = audit_request(r, "declaration.flagged", "declaration", NULL, unit);
    if (rc) {
        json_decref(res);
        return rc;
    }
    bool truncated = n > FLAGGED_MAX;
    if (truncated)
        n = FLAGGED_MAX;
    json_t *people = json_array();
    int pending = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && rows[j].person_id == rows[i].person_id)
            j++;
        json_array_append_new(people, flagged_person(r, rows + i, j - i, &pending));
        i = j;
    }
    json_object_set_new(res, "from", json_integer(from));
    json_object_set_new(res, "to", json_integer(to));
    json_object_set_new(res, "people", people);
    json_object_set_new(res, "pending", json_integer(pending));
    json_object_set_new(res, "truncated", json_boolean(truncated));
    return http_reply_json(r, 200, res);
}

/* ---------------------------------------------------------------- handled */

struct handled_ctx {
    struct http_req *r;
    const struct declaration *d;
    const char *note;
    int64_t marked;
};

static int handled_tx(struct store *s, void *p)
{
    struct handled_ctx *c = p;
    int rc = declare_mark_handled(s, c->d, c->r->who->account_id, clock_now(), c->note, &c->marked);
    if (!rc && c->marked)
        rc = audit_request(c->r, "declaration.handled", "declaration", c->d->reference, c->d->commune_code);
    return rc;
}

/* POST /api/v1/declarations/{ref}/handled {"note"} (officials and tracers, in area) */
enum err declare_handle_handled(struct http_req *r)
{
    static const char *const fields[] = {"note", NULL};
    const char *ref = http_param(r, "ref");
    const char *note = NULL;
    struct declaration d;
    struct person p;
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "note", false, HANDLED_NOTE_MAX, &note, &r->fault);
    if (!rc)
        rc = load_visible(r, ref, "ref", &d, &p);
    if (rc)
        return rc;
    if (!d.flagged)
        return http_fail(r, ERR_CONFLICT, "ref", "declaration %s is not flagged", d.reference);
    if (note && !*note)
        note = NULL;
    struct handled_ctx ctx = {r, &d, note, 0};
    rc = store_tx(r->store, handled_tx, &ctx);
    if (rc)
        return rc;
    rc = declare_get_by_reference(r->store, &r->arena, d.reference, &d);
    if (rc)
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    return http_reply_json(r, ctx.marked ? 201 : 200,
                           json_pack("{s:s, s:I, s:I, s:o}", "reference", d.reference, "person_id",
                                     (json_int_t)d.person_id, "marked", (json_int_t)ctx.marked, "handled",
                                     handled_json(r, &d)));
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
