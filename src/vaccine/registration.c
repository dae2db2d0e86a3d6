/*
 * registration.c - registering a person for vaccination with a priority group
 * and declared conditions, checked against the eligibility rules (data):
 * POST /api/v1/vaccine/registrations (citizen for self and managed members,
 * staff for residents of their area), GET /api/v1/vaccine/registrations.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

/* Reads "conditions": an array of known condition codes; writes them comma-joined into *joined (arena). */
int vaccine__read_conditions(struct http_req *r, const struct vaccine_data *d, json_t *v, const char **list,
                             int *n, const char **joined)
{
    *n = 0;
    *joined = "";
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > VACCINE_MAX_CONDITIONS)
        return http_fail(r, ERR_INVALID_FIELD, "conditions", "conditions must be an array of at most %d codes",
                         VACCINE_MAX_CONDITIONS);
    char *out = arena_alloc(&r->arena, VACCINE_MAX_CONDITIONS * 48 + 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *c = json_string_value(json_array_get(v, i));
        if (!c || !vaccine_condition_known(d, c))
            return http_fail(r, ERR_INVALID_FIELD, "conditions", "conditions[%zu] is not a known condition code", i);
        list[(*n)++] = c;
        if (i)
            strcat(out, ",");
        strncat(out, c, 40);
    }
    *joined = out;
    return 0;
}

struct reg_ctx {
    struct http_req *r;
    const char *client_id, *group, *conditions, *source;
    const struct person *p;
    int age;
    int64_t id;
    bool created;
};

static int reg_tx(struct store *s, void *p)
{
    struct reg_ctx *c = p;
    c->created = false;
    json_t *old;
    int rc = vaccine__registration_find_client(s, c->client_id, &c->id);
    if (rc != STORE_DONE)
        return rc; /* STORE_OK: a retry of a stored request, answered with what is there */
    rc = vaccine__registration_get_person(s, c->p->id, &old);
    if (rc == STORE_OK) {
        json_decref(old);
        return http_fail(c->r, ERR_CONFLICT, "person_id", "person %lld is already registered", (long long)c->p->id);
    }
    if (rc != STORE_DONE)
        return rc;
    bool citizen = vaccine__is_citizen(c->r);
    rc = vaccine__registration_insert(s, c->client_id, c->p, c->group, c->conditions, c->source, c->age,
                                      citizen ? 0 : c->r->who->account_id, citizen ? c->r->who->person_id : 0,
                                      clock_now(), &c->id);
    if (rc == STORE_CONFLICT)
        return http_fail(c->r, ERR_CONFLICT, "person_id", "person %lld is already registered", (long long)c->p->id);
    if (!rc && !citizen)
        rc = audit_request(c->r, "vaccine_registration.create", "person", vaccine__id_text(&c->r->arena, c->p->id),
                           c->p->commune_code);
    c->created = !rc;
    return rc;
}

/* POST /api/v1/vaccine/registrations */
enum err vaccine_handle_registration_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "person_id", "priority_group", "conditions", NULL};
    const struct vaccine_data *d;
    json_t *body;
    struct reg_ctx c = {.r = r};
    struct person p;
    int64_t person_id;
    const char *conds[VACCINE_MAX_CONDITIONS];
    int nconds;
    bool present_; /* required fields: always present when rc is 0 */
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "person_id", true, 1, INT64_MAX, &person_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "priority_group", true, 40, &c.group, &r->fault);
    if (!rc && !vaccine_group_find(d, c.group))
        rc = http_fail(r, ERR_INVALID_FIELD, "priority_group", "unknown priority group %s", c.group);
    if (!rc)
        rc = vaccine__read_conditions(r, d, json_object_get(body, "conditions"), conds, &nconds, &c.conditions);
    if (!rc)
        rc = people_require_access(r, person_id, &p);
    if (rc)
        return rc;
    c.age = vaccine_age_years(p.date_of_birth, clock_now());
    rc = vaccine_check_eligibility(d, vaccine_group_find(d, c.group), c.age, conds, nconds, &r->fault);
    if (rc)
        return rc;
    c.p = &p;
    c.source = vaccine__is_citizen(r) ? "self" : "staff";
    rc = store_tx(r->store, reg_tx, &c);
    if (rc)
        return rc;
    json_t *out;
    rc = vaccine__registration_get_person(r->store, p.id, &out);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, c.created ? 201 : 200, out);
}

/* GET /api/v1/vaccine/registrations?unit=&priority_group=&waiting=&limit=&offset= */
enum err vaccine_handle_registration_list(struct http_req *r)
{
    const struct vaccine_data *d;
    const char *code, *group = http_query(r, "priority_group");
    int64_t limit, offset, waiting;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = vaccine__area_query(r, "unit", &code);
    if (!rc && group && !vaccine_group_find(d, group))
        rc = http_fail(r, ERR_INVALID_FIELD, "priority_group", "unknown priority group %.40s", group);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, 0, &offset);
    if (!rc)
        rc = http_query_int(r, "waiting", 0, 1, 0, &waiting);
    if (rc)
        return rc;
    json_t *arr;
    rc = vaccine__registration_list(r->store, code, group, waiting == 1, limit, offset, &arr);
    if (rc)
        return store_err(rc);
    audit_request(r, "vaccine_registration.list", "person", NULL, code);
    return http_reply_json(r, 200, json_pack("{s:o}", "registrations", arr));
}
