/*
 * unit_http.c - /api/v1/units handlers: public reference data.
 */
#include <string.h>

#include "area/unit.h"
#include "http/http.h"

#define UNIT_SEARCH_MAX 100

json_t *unit_to_json(const struct unit *u)
{
    return json_pack("{s:s, s:s?, s:i, s:s, s:s, s:s}", "code", u->code, "parent_code", u->parent[0] ? u->parent : NULL,
                     "level", u->level, "type", u->type, "name", u->name, "name_with_type", u->name_with_type);
}

/* GET /api/v1/units?parent=CODE */
enum err unit_handle_list(struct http_req *r)
{
    const char *parent = http_query(r, "parent");
    const struct unit *p;
    int rc = unit_check(parent ? parent : UNIT_NATION, "parent", ERR_NOT_FOUND, &p, &r->fault);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < p->nchildren; i++)
        json_array_append_new(arr, unit_to_json(p->children[i]));
    return http_reply_json(r, 200, json_pack("{s:o}", "units", arr));
}

/* GET /api/v1/units/search?q=&limit= */
enum err unit_handle_search(struct http_req *r)
{
    const char *q = http_query(r, "q");
    int64_t limit;
    int rc = http_query_int(r, "limit", 1, UNIT_SEARCH_MAX, 20, &limit);
    if (rc)
        return rc;
    if (!q || !*q)
        return http_fail(r, ERR_INVALID_FIELD, "q", "q must hold the name to search for");
    if (strlen(q) > 100)
        return http_fail(r, ERR_INVALID_FIELD, "q", "q must be at most 100 bytes");
    const struct unit *hits[UNIT_SEARCH_MAX];
    size_t n = unit_search(q, hits, (size_t)limit);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *u = unit_to_json(hits[i]);
        const struct unit *parent = unit_find(hits[i]->parent);
        if (parent && parent->level > 0)
            json_object_set_new(u, "parent_name", json_string(parent->name_with_type));
        json_array_append_new(arr, u);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "units", arr));
}

/* GET /api/v1/units/{code} */
enum err unit_handle_get(struct http_req *r)
{
    const struct unit *u;
    int rc = unit_check(http_param(r, "code"), "code", ERR_NOT_FOUND, &u, &r->fault);
    if (rc)
        return rc;
    json_t *path = json_array();
    for (const struct unit *p = unit_find(u->parent); p; p = unit_find(p->parent))
        json_array_insert_new(path, 0, unit_to_json(p));
    json_t *out = unit_to_json(u);
    json_object_set_new(out, "path", path);
    json_object_set_new(out, "children", json_integer((json_int_t)u->nchildren));
    return http_reply_json(r, 200, out);
}
