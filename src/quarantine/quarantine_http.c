/*
 * quarantine_http.c - /api/v1/quarantine (health staff: orders, alerts,
 * compliance, photos) and /api/v1/me/quarantine (the person in quarantine:
 * their orders and check-ins with a photo and the browser's location).
 *
 * Area: an order belongs to the commune of the person's home (copied at
 * creation); staff act inside their unit.  Staff reads are audited.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/photo.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "quarantine/quarantine.h"
#include "quarantine/quarantine_int.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "venue/checkin.h"

static json_t *order_json(const struct quarantine_order *o)
{
    char s[11], e[11];
    vn_date_format(o->start_day, s);
    vn_date_format(o->end_day, e);
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s?}", "id", (json_int_t)o->id,
                          "person_id", (json_int_t)o->person_id, "kind", o->kind, "start_date", s, "end_date", e,
                          "checkins_per_day", o->checkins_per_day, "radius_m", o->radius_m, "grace_minutes",
                          o->grace_minutes, "status", o->status, "commune_code",
                          o->commune_code[0] ? o->commune_code : NULL);
    json_object_set_new(j, "case_id", o->case_id ? json_integer(o->case_id) : json_null());
    json_object_set_new(j, "address", o->address[0] ? json_string(o->address) : json_null());
    json_object_set_new(j, "full_name", o->full_name[0] ? json_string(o->full_name) : json_null());
    json_object_set_new(j, "lat", o->has_place ? json_real((double)o->lat_e6 / 1e6) : json_null());
    json_object_set_new(j, "lon", o->has_place ? json_real((double)o->lon_e6 / 1e6) : json_null());
    /* No place yet (an order made by the policy): check-ins are not measured until staff confirm one. */
    json_object_set_new(j, "place_confirmed", json_boolean(o->has_place));
    json_object_set_new(j, "place_checkin_id",
                        o->place_checkin_id ? json_integer(o->place_checkin_id) : json_null());
    json_object_set_new(j, "place_set_at", o->place_set_at ? json_integer(o->place_set_at) : json_null());
    json_object_set_new(j, "outcome", o->outcome[0] ? json_string(o->outcome) : json_null());
    json_object_set_new(j, "end_reason", o->end_reason[0] ? json_string(o->end_reason) : json_null());
    json_object_set_new(j, "ended_at", o->ended_at ? json_integer(o->ended_at) : json_null());
    return j;
}

/* A note or reason: not only blanks. */
static int read_text(struct http_req *r, json_t *body, const char *name, bool required, size_t max,
                     const char **out)
{
    int rc = jsonin_str(body, name, required, max, out, &r->fault);
    if (!rc && *out && !(*out)[strspn(*out, " \t\r\n")])
        rc = http_fail(r, required ? ERR_MISSING_FIELD : ERR_INVALID_FIELD, name, "%s must not be blank",
                       name);
    return rc;
}

/* A coordinate in degrees as micro-degrees. */
/* ------------------------------------------------------------ staff */

struct create_ctx {
    struct http_req *r;
    struct quarantine_order_new in;
    int64_t id;
    bool created;
};

static int create_tx(struct store *s, void *p)
{
    struct create_ctx *c = p;
    int rc = quarantine_order_insert(s, &c->in, clock_now(), &c->id, &c->created);
    if (!rc && c->created) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)c->id);
        rc = audit_request(c->r, "quarantine.order.create", "quarantine_order", id, c->in.commune_code);
    }
    return rc;
}

/* POST /api/v1/quarantine/orders */
enum err quarantine_handle_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "person_id", "case_id", "kind", "address", "lat", "lon",
                                         "start_date", "days", "checkins_per_day", "radius_m", "grace_minutes", NULL};
    json_t *body;
    struct create_ctx c = {.r = r};
    struct tracing_policy pol;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.in.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "person_id", true, 1, INT64_MAX, &c.in.person_id, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "case_id", false, 1, INT64_MAX, &c.in.case_id, NULL, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "kind", false, 8, &c.in.kind, &r->fault);
    if (!rc && c.in.kind && strcmp(c.in.kind, "home") && strcmp(c.in.kind, "centre"))
        rc = http_fail(r, ERR_INVALID_FIELD, "kind", "kind must be home or centre");
    if (!rc)
        rc = jsonin_str(body, "address", false, 200, &c.in.address, &r->fault);
    bool has_lat = false, has_lon = false;
    if (!rc)
        rc = jsonin_coord(body, "lat", false, 90, &has_lat, &c.in.lat_e6, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lon", false, 180, &has_lon, &c.in.lon_e6, &r->fault);
    if (!rc && has_lat != has_lon)
        rc = http_fail(r, ERR_MISSING_FIELD, has_lat ? "lon" : "lat", "give both lat and lon");
    int64_t days = -1, per = -1, radius = -1, grace = -1; /* -1: not given, the policy's value */
    int64_t start = vn_day(clock_now());
    const char *start_s = NULL;
    if (!rc)
        rc = jsonin_str(body, "start_date", false, 10, &start_s, &r->fault);
    if (!rc && start_s && !vn_date_parse(start_s, &start))
        rc = http_fail(r, ERR_INVALID_FIELD, "start_date", "start_date must be a date YYYY-MM-DD");
    if (!rc && (start < vn_day(clock_now()) - 30 || start > vn_day(clock_now()) + 30))
        rc = http_fail(r, ERR_INVALID_FIELD, "start_date", "start_date must be within 30 days of today");
    if (!rc)
        rc = jsonin_int(body, "days", false, 1, 60, &days, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "checkins_per_day", false, 1, 12, &per, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "radius_m", false, 10, 5000, &radius, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "grace_minutes", false, 0, 720, &grace, NULL, &r->fault);
    if (rc)
        return rc;
    struct person p;
    const struct unit *u;
    rc = people_require_located(r, c.in.person_id, "person_id", &p, &u);
    if (rc)
        return rc;
    unit_ancestors(u, &c.in.province_code, &c.in.district_code, &c.in.commune_code);
    /* what the order does not say comes from the policy in force where the person lives */
    rc = tracing_policy_for(r->store, u->code, &pol, NULL);
    if (rc)
        return store_err(rc);
    days = days < 0 ? pol.quarantine_days : days;
    per = per < 0 ? pol.checkins_per_day : per;
    radius = radius < 0 ? pol.radius_m : radius;
    grace = grace < 0 ? pol.grace_minutes : grace;
    if (!c.in.kind)
        c.in.kind = pol.place_kind;
    c.in.has_place = has_lat;
    c.in.start_day = start;
    c.in.end_day = start + days - 1;
    c.in.checkins_per_day = (int)per;
    c.in.radius_m = (int)radius;
    c.in.grace_minutes = (int)grace;
    c.in.created_by = r->who->account_id;
    rc = store_tx(r->store, create_tx, &c);
    if (rc)
        return rc;
    struct quarantine_order o;
    rc = quarantine__order_get(r->store, c.id, &o);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, c.created ? 201 : 200, order_json(&o));
}


/* GET /api/v1/quarantine/orders?unit=&status=active|ended|cancelled&limit=&offset= */
enum err quarantine_handle_list(struct http_req *r)
{
    const struct unit *u;
    int64_t limit, offset;
    int rc = area_from_query(r, "unit", &u);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, INT32_MAX, 0, &offset);
    const char *status = http_query(r, "status");
    if (!rc && status && strcmp(status, "active") && strcmp(status, "ended") && strcmp(status, "cancelled"))
        rc = http_fail(r, ERR_INVALID_FIELD, "status", "status must be active, ended or cancelled");
    if (rc)
        return rc;
    struct quarantine_filter f = {
        .area = u->code, .status = status ? status : "active", .limit = limit, .offset = offset};
    int64_t ids[1000];
    int n = 0;
    rc = quarantine__order_ids(r->store, &f, ids, 1000, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        struct quarantine_order o;
        if (quarantine__order_get(r->store, ids[i], &o) == STORE_OK)
            json_array_append_new(arr, order_json(&o));
    }
    audit_request(r, "quarantine.orders.list", "quarantine_order", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", u->code, "orders", arr));
}

static json_t *checkins_json(struct store *s, int64_t order_id)
{
    struct store_stmt *st;
    json_t *arr = json_array();
    int rc = quarantine__checkins_query(s, order_id, &st);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        bool in_slot = store_col_int(st, 8) != 0, measured = !store_col_null(st, 5);
        json_t *o = json_pack("{s:I, s:I, s:f, s:f, s:b, s:b, s:b}", "id", (json_int_t)store_col_int(st, 0),
                              "at", (json_int_t)store_col_int(st, 2), "lat",
                              (double)store_col_int(st, 3) / 1e6, "lon", (double)store_col_int(st, 4) / 1e6,
                              "in_slot", in_slot, "photo", store_col_int(st, 7) != 0, "measured", measured);
        /* in the night a check-in answers no slot; before the place was confirmed it was not measured */
        json_object_set_new(o, "slot_start", in_slot ? json_integer(store_col_int(st, 1)) : json_null());
        json_object_set_new(o, "distance_m", measured ? json_integer(store_col_int(st, 5)) : json_null());
        json_object_set_new(o, "inside", measured ? json_boolean(store_col_int(st, 6) != 0) : json_null());
        json_array_append_new(arr, o);
    }
    store_finalize(st);
    return arr;
}

/* The order {id}, inside the caller's area (staff) or the caller's own (citizen). */
static int load_order(struct http_req *r, struct quarantine_order *o)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = quarantine__order_get(r->store, id, o);
    if (rc == STORE_OK && r->who->person_id && o->person_id != r->who->person_id &&
        !people_manages(r->store, r->who->person_id, o->person_id))
        rc = STORE_DONE; /* a citizen learns nothing of orders but their own and their managed members' */
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no quarantine order has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    if (r->who->person_id)
        return 0;
    return area_require(r, o->commune_code[0] ? o->commune_code : UNIT_NATION);
}

/* GET /api/v1/quarantine/orders/{id} */
enum err quarantine_handle_get(struct http_req *r)
{
    struct quarantine_order o;
    int rc = load_order(r, &o);
    if (rc)
        return rc;
    json_t *j = order_json(&o);
    json_object_set_new(j, "checkins", checkins_json(r->store, o.id));
    audit_request(r, "quarantine.order.read", "quarantine_order", http_param(r, "id"), o.commune_code);
    return http_reply_json(r, 200, j);
}

/* GET /api/v1/quarantine/checkins/{id}/photo */
enum err quarantine_handle_photo(struct http_req *r)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = quarantine__photo_query(r->store, id, &st);
    if (!rc)
        rc = store_step(st);
    if (rc != STORE_ROW) {
        store_finalize(st);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_NOT_FOUND, "id", "no photo for check-in %lld (none, or deleted)", (long long)id);
        return store_err(rc);
    }
    const char *type = arena_strdup(&r->arena, store_col_text(st, 0));
    const char *b64 = store_col_text(st, 1);
    const char *commune = arena_strdup(&r->arena, store_col_text(st, 2) ? store_col_text(st, 2) : UNIT_NATION);
    size_t len = 0;
    unsigned char *bin;
    int bad = photo_decode(&r->arena, b64, &bin, &len);
    store_finalize(st);
    if (bad)
        return ERR_INTERNAL;
    rc = area_require(r, commune);
    if (rc)
        return rc;
    audit_request(r, "quarantine.photo.read", "quarantine_checkin", http_param(r, "id"), commune);
    return http_reply(r, 200, type, bin, len);
}

static json_t *alert_json(struct store_stmt *st)
{
    json_t *j = json_pack(
        "{s:I, s:I, s:I, s:s, s:I, s:s?, s:s?, s:I, s:s?, s:s?}", "id", (json_int_t)store_col_int(st, 0),
        "order_id", (json_int_t)store_col_int(st, 1), "person_id", (json_int_t)store_col_int(st, 2), "kind",
        store_col_text(st, 3), "slot_start", (json_int_t)store_col_int(st, 4), "detail",
        store_col_text(st, 5), "commune_code", store_col_text(st, 6), "created_at",
        (json_int_t)store_col_int(st, 7), "full_name", store_col_text(st, 8), "phone", store_col_text(st, 9));
    bool acked = !store_col_null(st, 10), resolved = !store_col_null(st, 13);
    json_object_set_new(j, "state", json_string(resolved ? "resolved" : acked ? "acknowledged" : "open"));
    json_object_set_new(j, "acknowledged_at", acked ? json_integer(store_col_int(st, 10)) : json_null());
    json_object_set_new(j, "acknowledged_by",
                        store_col_null(st, 11) ? json_null() : json_integer(store_col_int(st, 11)));
    json_object_set_new(j, "acknowledge_note",
                        store_col_text(st, 12) ? json_string(store_col_text(st, 12)) : json_null());
    json_object_set_new(j, "resolved_at", resolved ? json_integer(store_col_int(st, 13)) : json_null());
    json_object_set_new(j, "resolved_by",
                        store_col_null(st, 14) ? json_null() : json_integer(store_col_int(st, 14)));
    json_object_set_new(j, "resolution_note",
                        store_col_text(st, 15) ? json_string(store_col_text(st, 15)) : json_null());
    /* whom to call about a person without a phone: the citizen who manages them */
    json_object_set_new(j, "manager_phone",
                        store_col_text(st, 16) ? json_string(store_col_text(st, 16)) : json_null());
    return j;
}

/* GET /api/v1/quarantine/alerts?unit=&state=open|acknowledged|resolved&order_id=&limit= */
enum err quarantine_handle_alerts(struct http_req *r)
{
    const struct unit *u;
    int64_t limit, order_id;
    int rc = area_from_query(r, "unit", &u);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (!rc)
        rc = http_query_int(r, "order_id", 0, INT64_MAX, 0, &order_id);
    const char *state = http_query(r, "state");
    if (!rc && state && strcmp(state, "open") && strcmp(state, "acknowledged") && strcmp(state, "resolved"))
        rc = http_fail(r, ERR_INVALID_FIELD, "state", "state must be open, acknowledged or resolved");
    if (rc)
        return rc;
    struct quarantine_filter f = {.area = u->code, .status = state, .limit = limit, .order_id = order_id};
    struct store_stmt *st;
    rc = quarantine__alerts_query(r->store, &f, &st);
    json_t *arr = json_array();
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        json_array_append_new(arr, alert_json(st));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return store_err(rc);
    }
    audit_request(r, "quarantine.alerts.list", "quarantine_alert", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", u->code, "alerts", arr));
}

struct alert_ctx {
    struct http_req *r;
    struct quarantine_alert a;
    const char *note;
    bool resolve;
};

static int alert_tx(struct store *s, void *p)
{
    struct alert_ctx *c = p;
    int64_t now = clock_now(), by = c->r->who->account_id;
    int rc = c->resolve ? quarantine__alert_resolve(s, c->a.id, c->note, by, now)
                        : quarantine__alert_acknowledge(s, c->a.id, c->note, by, now);
    if (rc == STORE_DONE)
        return http_fail(c->r, ERR_CONFLICT, "id",
                         c->resolve ? "this alert is resolved already"
                                    : "this alert is acknowledged or resolved already");
    if (!rc)
        rc = audit_request(c->r, c->resolve ? "quarantine.alert.resolve" : "quarantine.alert.acknowledge",
                           "quarantine_alert", http_param(c->r, "id"), c->a.commune_code);
    return rc;
}

/* The two steps of an alert: acknowledge (note optional), resolve (note required). */
static enum err alert_step(struct http_req *r, bool resolve)
{
    static const char *const fields[] = {"note", NULL};
    json_t *body;
    struct alert_ctx c = {.r = r, .resolve = resolve};
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = read_text(r, body, "note", resolve, 1000, &c.note);
    if (rc)
        return rc;
    rc = quarantine__alert_get(r->store, id, &c.a);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no quarantine alert has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    rc = area_require(r, c.a.commune_code[0] ? c.a.commune_code : UNIT_NATION);
    if (!rc)
        rc = store_tx(r->store, alert_tx, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = quarantine__alert_query(r->store, id, &st);
    if (!rc)
        rc = store_step(st);
    if (rc != STORE_ROW) {
        store_finalize(st);
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    }
    json_t *j = alert_json(st);
    store_finalize(st);
    return http_reply_json(r, 200, j);
}

/* POST /api/v1/quarantine/alerts/{id}/acknowledge {"note"?} */
enum err quarantine_handle_alert_acknowledge(struct http_req *r) { return alert_step(r, false); }

/* POST /api/v1/quarantine/alerts/{id}/resolve {"note"} */
enum err quarantine_handle_alert_resolve(struct http_req *r) { return alert_step(r, true); }

/* ------------------------------------------------------------ an order's place and end */

struct place_ctx {
    struct http_req *r;
    struct quarantine_order *o;
    int64_t lat, lon, checkin;
    const char *address;
};

static int place_tx(struct store *s, void *p)
{
    struct place_ctx *c = p;
    int rc = quarantine__place_set(s, c->o->id, c->lat, c->lon, c->address, c->checkin, c->r->who->account_id,
                                   clock_now());
    if (!rc)
        rc = audit_request(c->r, "quarantine.order.place", "quarantine_order", http_param(c->r, "id"),
                           c->o->commune_code);
    return rc;
}

/* PUT /api/v1/quarantine/orders/{id}/place {"from_checkin_id"} or {"lat", "lon", "address"?} */
enum err quarantine_handle_place(struct http_req *r)
{
    static const char *const fields[] = {"from_checkin_id", "lat", "lon", "address", NULL};
    json_t *body;
    struct quarantine_order o;
    struct place_ctx c = {.r = r, .o = &o};
    bool has_lat = false, has_lon = false;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "from_checkin_id", false, 1, INT64_MAX, &c.checkin, NULL, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lat", false, 90, &has_lat, &c.lat, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lon", false, 180, &has_lon, &c.lon, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "address", false, 200, &c.address, &r->fault);
    if (!rc && c.checkin && (has_lat || has_lon))
        rc = http_fail(r, ERR_INVALID_FIELD, has_lat ? "lat" : "lon",
                       "give either from_checkin_id or lat and lon, not both");
    if (!rc && !c.checkin && !has_lat && !has_lon)
        rc = http_fail(r, ERR_MISSING_FIELD, "from_checkin_id", "give from_checkin_id, or lat and lon");
    if (!rc && !c.checkin && has_lat != has_lon)
        rc = http_fail(r, ERR_MISSING_FIELD, has_lat ? "lon" : "lat", "give both lat and lon");
    if (rc)
        return rc;
    rc = load_order(r, &o);
    if (rc)
        return rc;
    if (strcmp(o.status, "active"))
        return http_fail(r, ERR_CONFLICT, "id", "this quarantine order has ended");
    if (c.checkin) {
        int64_t of = 0;
        rc = quarantine__checkin_position(r->store, c.checkin, &of, &c.lat, &c.lon);
        if (rc && rc != STORE_DONE)
            return store_err(rc);
        if (rc == STORE_DONE || of != o.id)
            return http_fail(r, ERR_INVALID_FIELD, "from_checkin_id",
                             "check-in %lld is not one of this order's", (long long)c.checkin);
    }
    rc = store_tx(r->store, place_tx, &c);
    if (rc)
        return rc;
    rc = quarantine__order_get(r->store, o.id, &o);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, order_json(&o));
}

struct end_ctx {
    struct http_req *r;
    struct quarantine_order *o;
    const char *outcome, *reason;
    int64_t photos;
};

static int end_tx(struct store *s, void *p)
{
    struct end_ctx *c = p;
    int rc = quarantine__order_end(s, c->o->id, c->outcome, c->reason, c->r->who->account_id, clock_now(),
                                   &c->photos);
    if (rc == STORE_DONE)
        return http_fail(c->r, ERR_CONFLICT, "id", "this quarantine order has ended already");
    if (!rc)
        rc = audit_request(c->r, "quarantine.order.end", "quarantine_order", http_param(c->r, "id"),
                           c->o->commune_code);
    return rc;
}

/* POST /api/v1/quarantine/orders/{id}/end {"outcome": completed|released|cancelled, "reason"} */
enum err quarantine_handle_end(struct http_req *r)
{
    static const char *const fields[] = {"outcome", "reason", NULL};
    json_t *body;
    struct quarantine_order o;
    struct end_ctx c = {.r = r, .o = &o};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "outcome", true, 16, &c.outcome, &r->fault);
    if (!rc && strcmp(c.outcome, "completed") && strcmp(c.outcome, "released") &&
        strcmp(c.outcome, "cancelled"))
        rc = http_fail(r, ERR_INVALID_FIELD, "outcome", "outcome must be completed, released or cancelled");
    if (!rc)
        rc = read_text(r, body, "reason", !strcmp(c.outcome, "released"), 500, &c.reason);
    if (rc)
        return rc;
    rc = load_order(r, &o);
    if (rc)
        return rc;
    if (strcmp(o.status, "active"))
        return http_fail(r, ERR_CONFLICT, "id", "this quarantine order has ended already");
    rc = store_tx(r->store, end_tx, &c);
    if (rc)
        return rc;
    rc = quarantine__order_get(r->store, o.id, &o);
    if (rc)
        return store_err(rc);
    json_t *j = order_json(&o);
    json_object_set_new(j, "photos_deleted", json_integer(c.photos));
    return http_reply_json(r, 200, j);
}

/*
 * GET /api/v1/quarantine/compliance?unit= : per commune, active orders, today's slots due (ended since the
 * order began), slots answered (due slots with a check-in inside the radius), check-ins, open alerts.
 */
enum err quarantine_handle_compliance(struct http_req *r)
{
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    json_t *arr;
    rc = quarantine_compliance(r->store, u->code, clock_now(), &arr);
    if (rc)
        return store_err(rc);
    audit_request(r, "quarantine.compliance.read", "quarantine_order", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", u->code, "communes", arr));
}

/* ------------------------------------------------------------ the person in quarantine */

/* One person's orders into arr: the citizen's own, or (member set) a managed family member's. */
static int mine_add(struct http_req *r, int64_t person_id, const struct person *member, json_t *arr)
{
    struct quarantine_order *orders;
    int n;
    int rc = quarantine__orders_query(r->store, &r->arena, "person_id = ?", "i", 50, (const char *)&person_id,
                                      &orders, &n);
    if (rc)
        return store_err(rc);
    int64_t now = clock_now();
    for (int i = 0; i < n; i++) {
        json_t *j = order_json(&orders[i]);
        int64_t s0, s1;
        bool open = quarantine_slot(orders[i].checkins_per_day, now, &s0, &s1);
        /* current_slot: the slot whose window is open now (open: true), else, in the night, the next to open
         */
        if (!open)
            quarantine_next_slot(orders[i].checkins_per_day, now, &s0, &s1);
        json_object_set_new(
            j, "current_slot",
            json_pack("{s:I, s:I, s:b}", "start", (json_int_t)s0, "end", (json_int_t)s1, "open", open));
        json_object_set_new(j, "checkins", checkins_json(r->store, orders[i].id));
        if (member)
            json_object_set_new(j, "member",
                                json_pack("{s:I, s:s?}", "person_id", (json_int_t)member->id, "full_name",
                                          member->full_name));
        json_array_append_new(arr, j);
    }
    return 0;
}

/* GET /api/v1/me/quarantine: the citizen's orders, then those of the family members they manage (each with
 * "member"), whom they check in for. */
enum err quarantine_handle_mine(struct http_req *r)
{
    json_t *arr = json_array();
    struct person *members;
    int n = 0;
    int rc = mine_add(r, r->who->person_id, NULL, arr);
    if (!rc) {
        rc = people_managed(r->store, &r->arena, r->who->person_id, &members, &n);
        if (rc)
            rc = store_err(rc);
    }
    for (int i = 0; i < n && !rc; i++)
        rc = mine_add(r, members[i].id, &members[i], arr);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "orders", arr));
}

static int checkin_tx(struct store *s, void *p)
{
    return quarantine__checkin_record(s, p);
}

/* POST /api/v1/me/quarantine/{id}/checkins {"client_id", "photo": base64 or data URL, "lat", "lon",
 * "accuracy_m"}: by the person, or by the citizen who manages them (family). */
enum err quarantine_handle_checkin(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "photo", "lat", "lon", "accuracy_m", NULL};
    json_t *body;
    struct quarantine_checkin c = {0};
    const char *photo;
    bool has;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "photo", true, QUARANTINE_BODY_MAX, &photo, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lat", true, 90, &has, &c.lat, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lon", true, 180, &has, &c.lon, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "accuracy_m", false, 0, 100000, &c.accuracy, NULL, &r->fault);
    if (rc)
        return rc;
    /* the photo: "data:image/...;base64,XXXX" or plain base64 */
    if ((rc = photo_read(&r->arena, photo, QUARANTINE_PHOTO_MAX, "photo", &c.media_type, &c.photo_b64, &r->fault)))
        return rc;
    struct quarantine_order o;
    rc = load_order(r, &o);
    if (rc)
        return rc;
    c.o = &o;
    c.at = clock_now();
    int64_t today = vn_day(c.at);
    if (strcmp(o.status, "active") || today < o.start_day || today > o.end_day)
        return http_fail(r, ERR_CONFLICT, "id", "this quarantine order is not running today");
    rc = store_tx(r->store, checkin_tx, &c);
    if (rc)
        return rc;
    /* Until staff confirm the place, the answer says so: no distance, neither inside nor outside. */
    json_t *j = json_pack("{s:I, s:I, s:b, s:b, s:b}", "id", (json_int_t)c.id, "order_id", (json_int_t)o.id,
                          "in_slot", c.in_slot, "alert", c.alert, "place_confirmed", c.measured);
    json_object_set_new(j, "slot_start", c.in_slot ? json_integer(c.slot) : json_null());
    json_object_set_new(j, "distance_m", c.measured ? json_integer(c.distance) : json_null());
    json_object_set_new(j, "inside", c.measured ? json_boolean(c.inside) : json_null());
    if (!c.in_slot) {
        int64_t n0, n1;
        quarantine_next_slot(o.checkins_per_day, c.at, &n0, &n1);
        json_object_set_new(j, "next_slot",
                            json_pack("{s:I, s:I}", "start", (json_int_t)n0, "end", (json_int_t)n1));
    }
    return http_reply_json(r, c.created ? 201 : 200, j);
}
