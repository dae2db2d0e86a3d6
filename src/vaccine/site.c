/*
 * site.c - vaccination sites and their daily capacity per product:
 * POST/GET /api/v1/vaccine/sites, GET /api/v1/vaccine/sites/{id}.
 */
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define SITE_CAPACITY_MAX 100000 /* doses a day for one product at one site */

struct site_ctx {
    struct http_req *r;
    const char *client_id, *name, *address, *province, *district, *commune;
    json_t *capacity;
    int64_t id;
    bool created;
};

static int site_tx(struct store *s, void *p)
{
    struct site_ctx *c = p;
    c->created = false;
    int rc = vaccine__site_find_client(s, c->client_id, &c->id);
    if (rc != STORE_DONE)
        return rc;
    rc = vaccine__site_insert(s, c->client_id, c->name, c->address, c->province, c->district, c->commune,
                              c->r->who->account_id, clock_now(), &c->id);
    const char *product;
    json_t *v;
    json_object_foreach(c->capacity, product, v) {
        if (rc)
            break;
        rc = vaccine__site_capacity_set(s, c->id, product, (int64_t)json_integer_value(v));
    }
    if (!rc)
        rc = audit_request(c->r, "vaccine_site.create", "vaccine_site", vaccine__id_text(&c->r->arena, c->id),
                           c->commune);
    c->created = !rc;
    return rc;
}

/* Checks {"<product>": <doses a day>, ...}. */
static int check_capacity(struct http_req *r, const struct vaccine_data *d, json_t *cap)
{
    if (!cap)
        return http_fail(r, ERR_MISSING_FIELD, "capacity", "capacity is required");
    if (!json_is_object(cap) || json_object_size(cap) == 0)
        return http_fail(r, ERR_INVALID_FIELD, "capacity", "capacity must be an object of product code -> doses a day");
    const char *product;
    json_t *v;
    json_object_foreach(cap, product, v) {
        if (!vaccine_product_find(d, product))
            return http_fail(r, ERR_INVALID_FIELD, "capacity", "capacity names unknown product %.40s", product);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > SITE_CAPACITY_MAX)
            return http_fail(r, ERR_INVALID_FIELD, "capacity", "capacity of %.40s must be 1..%d doses a day", product,
                             SITE_CAPACITY_MAX);
    }
    return 0;
}

/* POST /api/v1/vaccine/sites */
enum err vaccine_handle_site_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "name", "address", "commune_code", "capacity", NULL};
    const struct vaccine_data *d;
    json_t *body;
    struct site_ctx c = {.r = r};
    const struct unit *u;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "name", true, 200, &c.name, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "address", false, 300, &c.address, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "commune_code", true, 8, &c.commune, &r->fault);
    if (!rc)
        rc = unit_check(c.commune, "commune_code", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc && u->level != 3)
        rc = http_fail(r, ERR_INVALID_FIELD, "commune_code", "commune_code must be a commune or ward");
    if (!rc)
        rc = check_capacity(r, d, c.capacity = json_object_get(body, "capacity"));
    if (!rc)
        rc = area_require(r, c.commune);
    if (rc)
        return rc;
    unit_ancestors(u, &c.province, &c.district, &c.commune);
    rc = store_tx(r->store, site_tx, &c);
    if (rc)
        return rc;
    json_t *site;
    rc = vaccine__site_get(r->store, c.id, &site);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, c.created ? 201 : 200, site);
}

/* GET /api/v1/vaccine/sites?unit=&limit= */
enum err vaccine_handle_site_list(struct http_req *r)
{
    const char *code;
    int64_t limit;
    int rc = vaccine__area_query(r, "unit", &code);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (rc)
        return rc;
    json_t *arr;
    rc = vaccine__site_list(r->store, code, limit, &arr);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:o}", "sites", arr));
}

/* GET /api/v1/vaccine/sites/{id} */
enum err vaccine_handle_site_get(struct http_req *r)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    json_t *site;
    rc = vaccine__site_get(r->store, id, &site);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no vaccination site has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, site);
    rc = vaccine__require_row_area(r, site, "");
    if (rc)
        return rc;
    return http_reply_json(r, 200, json_incref(site));
}
