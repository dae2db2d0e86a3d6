/*
 * session.c - vaccination sessions: a site, a product, a day, a time range and
 * a number of seats.  The seats of a site's sessions for one product and day
 * never exceed the site's daily capacity for that product.
 * POST/GET /api/v1/vaccine/sessions, GET /api/v1/vaccine/sessions/{id}.
 */
#include <string.h>

#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

struct session_ctx {
    struct http_req *r;
    const char *client_id, *product, *day;
    json_t *site;
    int64_t site_id, starts_at, ends_at, capacity, daily;
    int64_t id;
    bool created;
};

static int session_tx(struct store *s, void *p)
{
    struct session_ctx *c = p;
    c->created = false;
    int rc = vaccine__session_find_client(s, c->client_id, &c->id);
    if (rc != STORE_DONE)
        return rc;
    /* Under the capacity row's lock: two sessions created at once cannot both take the last doses. */
    rc = vaccine__site_capacity_lock(s, c->site_id, c->product, &c->daily);
    if (rc == STORE_DONE)
        return http_fail(c->r, ERR_INVALID_FIELD, "product", "the site has no daily capacity for %s", c->product);
    int64_t planned;
    if (!rc)
        rc = vaccine__session_planned(s, c->site_id, c->product, c->day, &planned);
    if (rc)
        return rc;
    if (planned + c->capacity > c->daily)
        return http_fail(c->r, ERR_CONFLICT, "capacity",
                         "the site has %lld of its %lld daily doses of %s left for %s",
                         (long long)(c->daily - planned), (long long)c->daily, c->product, c->day);
    rc = vaccine__session_insert(s, c->client_id, c->site_id, c->product, c->day, c->starts_at, c->ends_at,
                                 c->capacity, c->site, c->r->who->account_id, clock_now(), &c->id);
    if (!rc)
        rc = audit_request(c->r, "vaccine_session.create", "vaccine_session", vaccine__id_text(&c->r->arena, c->id),
                           vaccine__str(c->site, "commune_code"));
    c->created = !rc;
    return rc;
}

/* POST /api/v1/vaccine/sessions */
enum err vaccine_handle_session_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "site_id", "product", "date", "start", "end", "capacity", NULL};
    const struct vaccine_data *d;
    json_t *body;
    struct session_ctx c = {.r = r};
    const char *start, *end;
    bool present_; /* required fields: always present when rc is 0 */
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "site_id", true, 1, INT64_MAX, &c.site_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "product", true, 40, &c.product, &r->fault);
    if (!rc && !vaccine_product_find(d, c.product))
        rc = http_fail(r, ERR_INVALID_FIELD, "product", "unknown product %s", c.product);
    if (!rc)
        rc = jsonin_str(body, "date", true, 10, &c.day, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "start", true, 5, &start, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "end", true, 5, &end, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "capacity", true, 1, 100000, &c.capacity, &present_, &r->fault);
    if (rc)
        return rc;
    int64_t midnight;
    if (!vaccine__parse_day(c.day, NULL, &midnight))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be YYYY-MM-DD");
    if (!vaccine__parse_day(c.day, start, &c.starts_at))
        return http_fail(r, ERR_INVALID_FIELD, "start", "start must be HH:MM");
    if (!vaccine__parse_day(c.day, end, &c.ends_at) || c.ends_at <= c.starts_at)
        return http_fail(r, ERR_INVALID_FIELD, "end", "end must be HH:MM after start");
    rc = vaccine__site_get(r->store, c.site_id, &c.site);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_INVALID_FIELD, "site_id", "no vaccination site has id %lld", (long long)c.site_id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, c.site);
    rc = vaccine__require_row_area(r, c.site, "");
    if (rc)
        return rc;
    rc = store_tx(r->store, session_tx, &c);
    if (rc)
        return rc;
    json_t *out;
    rc = vaccine__session_get(r->store, c.id, &out);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, c.created ? 201 : 200, out);
}

/* GET /api/v1/vaccine/sessions?unit=&site_id=&date=&product=&limit= (staff), or any signed-in citizen: open
 * sessions near them are what they pick from, so citizens see the public fields of every session. */
enum err vaccine_handle_session_list(struct http_req *r)
{
    const char *code = UNIT_NATION; /* citizens pick from every open session, or those of a unit they name */
    int64_t site_id, limit, ignored;
    int rc = 0;
    if (!vaccine__is_citizen(r))
        rc = vaccine__area_query(r, "unit", &code);
    else if (http_query(r, "unit")) {
        const struct unit *u;
        rc = unit_check(http_query(r, "unit"), "unit", ERR_INVALID_FIELD, &u, &r->fault);
        if (!rc)
            code = u->code;
    }
    if (!rc)
        rc = http_query_int(r, "site_id", 1, INT64_MAX, 0, &site_id);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    const char *day = http_query(r, "date");
    if (!rc && day && !vaccine__parse_day(day, NULL, &ignored))
        rc = http_fail(r, ERR_INVALID_FIELD, "date", "date must be YYYY-MM-DD");
    if (rc)
        return rc;
    json_t *arr;
    rc = vaccine__session_list(r->store, code, site_id, day, http_query(r, "product"), limit, &arr);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:o}", "sessions", arr));
}

/* GET /api/v1/vaccine/sessions/{id} */
enum err vaccine_handle_session_get(struct http_req *r)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    json_t *se;
    rc = vaccine__session_get(r->store, id, &se);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no session has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, se);
    if (!vaccine__is_citizen(r) && (rc = vaccine__require_row_area(r, se, "")))
        return rc;
    return http_reply_json(r, 200, json_incref(se));
}
