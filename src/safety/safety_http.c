/*
 * safety_http.c - the safety map's routes: the checklist (public), a venue
 * owner's daily self-assessment, a commune's inspection, the public GeoJSON,
 * and the venues of an area not assessed today.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "safety/safety.h"
#include "venue/venue.h"

/* GET /api/v1/safety/checklist */
enum err safety_handle_checklist(struct http_req *r)
{
    struct safety_rules rules;
    int rc = safety_rules_load(r->store, &rules);
    if (rc)
        return store_err(rc);
    json_t *checks = json_array();
    for (int i = 0; i < rules.nchecks; i++)
        json_array_append_new(checks, json_pack("{s:s, s:i}", "code", rules.checks[i].code, "weight", rules.checks[i].weight));
    return http_reply_json(r, 200, json_pack("{s:o, s:{s:i, s:i, s:i}}", "checks", checks, "levels", "safe",
                                             rules.min_safe, "at_risk", rules.min_at_risk, "unsafe", 0));
}

/* The venue {id}, approved, for the caller: its owner, or an official of its area. */
static int load_venue(struct http_req *r, struct venue *v, const struct unit **u)
{
    int rc = venue_load_managed(r, v);
    if (rc)
        return rc;
    if (strcmp(v->status, "approved"))
        return http_fail(r, ERR_CONFLICT, "id", "venue %lld is not approved", (long long)v->id);
    *u = unit_find(v->commune_code);
    return *u ? 0 : ERR_INTERNAL;
}

static json_t *assessment_json(const struct safety_assessment *a)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s?}", "venue_id", (json_int_t)a->venue_id, "kind", a->kind,
                     "status", a->status, "score", a->score >= 0 ? json_integer(a->score) : json_null(), "checks",
                     a->checks, "note", a->note);
}

/* POST /api/v1/venues/{id}/safety {"checks": {code: bool, ...}, "lat"?, "lon"?}: the owner only.
 * With lat and lon and no checks, it only puts the facility on the map. */
enum err safety_handle_assess(struct http_req *r)
{
    static const char *const fields[] = {"checks", "lat", "lon", NULL};
    struct venue v;
    const struct unit *u = NULL;
    struct safety_rules rules;
    json_t *body;
    bool has_lat, has_lon;
    int64_t lat = 0, lon = 0;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_coord(body, "lat", false, 90, &has_lat, &lat, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lon", false, 180, &has_lon, &lon, &r->fault);
    if (!rc && has_lat != has_lon)
        rc = http_fail(r, ERR_INVALID_FIELD, has_lat ? "lon" : "lat", "give lat and lon together");
    if (!rc)
        rc = load_venue(r, &v, &u);
    if (rc)
        return rc;
    /* the self-assessment is the facility's own word: its owner gives it, not someone else */
    if (r->who->role != ROLE_VENUE_OWNER || v.owner_account_id != r->who->account_id)
        return http_fail(r, ERR_FORBIDDEN, "id", "only the venue's owner assesses it");
    if ((rc = safety_rules_load(r->store, &rules)))
        return store_err(rc);
    json_t *checks = json_object_get(body, "checks");
    int64_t now = clock_now();
    if (!checks && has_lat) {
        if ((rc = safety_place_set(r->store, v.id, lat, lon, now)))
            return store_err(rc);
        return http_reply_json(r, 200, json_pack("{s:I, s:f, s:f}", "venue_id", (json_int_t)v.id, "lat", (double)lat / 1e6,
                                                 "lon", (double)lon / 1e6));
    }
    if (!json_is_object(checks))
        return http_fail(r, checks ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "checks",
                         "checks must be an object with true or false for every check");
    bool met[SAFETY_MAX_CHECKS] = {false};
    char joined[SAFETY_MAX_CHECKS * 33] = "";
    size_t len = 0;
    for (int i = 0; i < rules.nchecks; i++) {
        json_t *b = json_object_get(checks, rules.checks[i].code);
        if (!json_is_boolean(b)) {
            char *field = arena_alloc(&r->arena, 48);
            snprintf(field, 48, "checks.%s", rules.checks[i].code);
            return http_fail(r, b ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, field, "%s must be true or false", field);
        }
        met[i] = json_is_true(b);
        if (met[i])
            len += (size_t)snprintf(joined + len, sizeof(joined) - len, "%s%s", len ? "," : "", rules.checks[i].code);
    }
    if (json_object_size(checks) != (size_t)rules.nchecks)
        return http_fail(r, ERR_UNKNOWN_FIELD, "checks", "checks holds a code that is not on the checklist");
    int score = safety_score(&rules, met);
    struct safety_assessment a = {.venue_id = v.id, .day = vn_day(now), .by = r->who->account_id, .kind = "self",
                                  .checks = joined, .status = safety_status(&rules, score), .score = score,
                                  .province_code = u->province, .district_code = u->district,
                                  .commune_code = u->code, .created_at = now};
    if (has_lat && (rc = safety_place_set(r->store, v.id, lat, lon, now)))
        return store_err(rc);
    if ((rc = safety_assessment_put(r->store, &a)))
        return store_err(rc);
    return http_reply_json(r, 200, assessment_json(&a));
}

/* POST /api/v1/venues/{id}/safety/inspection {"status", "note"}: commune staff on site */
enum err safety_handle_inspect(struct http_req *r)
{
    static const char *const fields[] = {"status", "note", NULL};
    struct venue v;
    const struct unit *u = NULL;
    json_t *body;
    struct safety_assessment a = {.kind = "inspection", .checks = "", .score = -1};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "status", true, 16, &a.status, &r->fault);
    if (!rc && !safety_status_valid(a.status))
        rc = http_fail(r, ERR_INVALID_FIELD, "status", "status must be safe, at_risk or unsafe");
    if (!rc)
        rc = jsonin_str(body, "note", true, 500, &a.note, &r->fault);
    if (!rc)
        rc = load_venue(r, &v, &u);
    if (rc)
        return rc;
    int64_t now = clock_now();
    a.venue_id = v.id;
    a.day = vn_day(now);
    a.by = r->who->account_id;
    a.province_code = u->province;
    a.district_code = u->district;
    a.commune_code = u->code;
    a.created_at = now;
    if ((rc = safety_assessment_put(r->store, &a)))
        return store_err(rc);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)v.id);
    audit_request(r, "safety.inspection", "venue", id, v.commune_code);
    return http_reply_json(r, 200, assessment_json(&a));
}

/* GET /api/v1/public/safety?unit=: a FeatureCollection of points, today's status each */
enum err safety_handle_public(struct http_req *r)
{
    const struct unit *u = NULL;
    const char *code = http_query(r, "unit");
    if (!code)
        return http_fail(r, ERR_MISSING_FIELD, "unit", "unit is required (a province, district or commune)");
    int rc = unit_check(code, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc && u->level < 1)
        rc = http_fail(r, ERR_INVALID_FIELD, "unit", "unit must be a province, district or commune");
    if (rc)
        return rc;
    json_t *features;
    char date[11];
    int64_t day = vn_day(clock_now());
    vn_date_format(day, date);
    if ((rc = safety_map(r->store, u->code, day, &features)))
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:o}", "type", "FeatureCollection", "unit", u->code,
                                             "date", date, "features", features));
}

/* GET /api/v1/safety/missing?unit= */
enum err safety_handle_missing(struct http_req *r)
{
    const struct unit *u = NULL;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    json_t *venues;
    if ((rc = safety_missing(r->store, u->code, vn_day(clock_now()), &venues)))
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", u->code, "venues", venues));
}
