/*
 * checkpoint_http.c - checkpoints and their officers.
 * POST /api/v1/checkpoints (health staff, in their area), GET
 * /api/v1/checkpoints (health staff: those of their area; officers: those
 * they serve), POST /api/v1/checkpoints/{id}/officers (health staff of the
 * checkpoint's area; the account must be a checkpoint officer), GET
 * /api/v1/checkpoints/rules (the rules the answers come from).
 */
#include <math.h>
#include <string.h>

#include "admin/account.h"
#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "checkpoint/checkpoint.h"
#include "checkpoint/checkpoint_int.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"

json_t *checkpoint_to_json(const struct checkpoint *c)
{
    const struct unit *u = unit_find(c->commune_code);
    return json_pack("{s:I, s:s, s:s?, s:s, s:o, s:o, s:s, s:s?, s:s, s:s, s:I}", "id", (json_int_t)c->id, "name",
                     c->name, "road", c->road, "direction", c->direction, "lat",
                     c->has_location ? json_real((double)c->lat_e6 / 1e6) : json_null(), "lon",
                     c->has_location ? json_real((double)c->lon_e6 / 1e6) : json_null(), "commune_code",
                     c->commune_code, "commune_name", u ? u->name_with_type : NULL, "district_code", c->district_code,
                     "province_code", c->province_code, "created_at", (json_int_t)c->created_at);
}

int checkpoint__load(struct http_req *r, int64_t id, struct checkpoint *out)
{
    int rc = checkpoint_get(r->store, &r->arena, id, out);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no checkpoint %lld", (long long)id);
    if (rc)
        return store_err(rc);
    if (r->who->role == ROLE_CHECKPOINT_OFFICER) {
        if (!checkpoint_officer_serves(r->store, id, r->who->account_id))
            return http_fail(r, ERR_FORBIDDEN, "id", "you are not an officer of checkpoint %lld", (long long)id);
        return 0;
    }
    return area_require(r, out->commune_code);
}

/* POST /api/v1/checkpoints */
enum err checkpoint_handle_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "name", "road", "direction", "commune_code", "lat", "lon",
                                         NULL};
    json_t *body;
    struct checkpoint c = {0};
    const struct unit *u = NULL;
    bool has_lat = false, has_lon = false;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "name", true, 200, &c.name, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "road", false, 200, &c.road, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "direction", false, 8, &c.direction, &r->fault);
    if (!rc && !c.direction)
        c.direction = "both";
    if (!rc && strcmp(c.direction, "both") && strcmp(c.direction, "in") && strcmp(c.direction, "out"))
        rc = http_fail(r, ERR_INVALID_FIELD, "direction", "direction must be both, in or out");
    if (!rc)
        rc = jsonin_str(body, "commune_code", true, 8, &c.commune_code, &r->fault);
    if (!rc)
        rc = unit_check(c.commune_code, "commune_code", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc && u->level != 3)
        rc = http_fail(r, ERR_INVALID_FIELD, "commune_code", "commune_code must be a commune or ward (5 digits)");
    if (!rc)
        rc = jsonin_coord(body, "lat", false, 90, &has_lat, &c.lat_e6, &r->fault);
    if (!rc)
        rc = jsonin_coord(body, "lon", false, 180, &has_lon, &c.lon_e6, &r->fault);
    if (!rc && has_lat != has_lon)
        rc = http_fail(r, ERR_INVALID_FIELD, has_lat ? "lon" : "lat", "give lat and lon together");
    if (!rc)
        rc = area_require(r, c.commune_code);
    if (rc)
        return rc;
    c.has_location = has_lat;
    c.province_code = u->province;
    c.district_code = u->district;
    c.created_at = clock_now();
    bool created;
    rc = checkpoint_insert(r->store, &c, r->who->account_id, &created);
    if (!rc)
        rc = checkpoint_get(r->store, &r->arena, c.id, &c);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, created ? 201 : 200, checkpoint_to_json(&c));
}

/* GET /api/v1/checkpoints */
enum err checkpoint_handle_list(struct http_req *r)
{
    struct checkpoint *list;
    int n;
    bool officer = r->who->role == ROLE_CHECKPOINT_OFFICER;
    const struct unit *u = NULL;
    int rc = officer ? 0 : area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    rc = checkpoint_list(r->store, &r->arena, u ? u->code : NULL, officer ? r->who->account_id : 0, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, checkpoint_to_json(&list[i]));
    return http_reply_json(r, 200, json_pack("{s:o}", "checkpoints", items));
}

/* POST /api/v1/checkpoints/{id}/officers */
enum err checkpoint_handle_officer_add(struct http_req *r)
{
    static const char *const fields[] = {"account_id", NULL};
    json_t *body;
    int64_t id, account_id;
    bool present;
    struct checkpoint c;
    struct account a;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "account_id", true, 1, INT64_MAX, &account_id, &present, &r->fault);
    if (!rc)
        rc = checkpoint__load(r, id, &c);
    if (rc)
        return rc;
    rc = account_get(r->store, &r->arena, account_id, &a);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_INVALID_FIELD, "account_id", "no account %lld", (long long)account_id);
    if (rc)
        return store_err(rc);
    if (a.role != ROLE_CHECKPOINT_OFFICER)
        return http_fail(r, ERR_INVALID_FIELD, "account_id", "account %lld is not a checkpoint officer",
                         (long long)account_id);
    if ((rc = area_require(r, a.unit_code)))
        return http_fail(r, ERR_FORBIDDEN, "account_id", "account %lld is outside your area", (long long)account_id);
    rc = checkpoint_officer_add(r->store, id, account_id);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:I, s:I}", "checkpoint_id", (json_int_t)id, "account_id",
                                             (json_int_t)account_id));
}

/* GET /api/v1/checkpoints/rules */
enum err checkpoint_handle_rules(struct http_req *r)
{
    struct checkpoint_rule rules[CHECKPOINT_MAX_RULES];
    int n;
    int rc = checkpoint_rules_load(r->store, rules, &n);
    if (rc)
        return store_err(rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:b, s:b}", "code", rules[i].code, "verdict",
                                               checkpoint_verdict_name(rules[i].verdict), "hours",
                                               rules[i].hours ? json_integer(rules[i].hours) : json_null(),
                                               "waived_if_vaccinated", rules[i].waived_if_vaccinated, "enabled",
                                               rules[i].enabled));
    return http_reply_json(r, 200, json_pack("{s:o}", "rules", items));
}
