/*
 * adverse.c - adverse events after a dose, reported by staff (at a site of
 * their area) or by the citizen (for self and managed members):
 * POST /api/v1/vaccine/adverse-events, GET /api/v1/vaccine/adverse-events.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

static const char *const severities[] = {"mild", "moderate", "severe", "life_threatening", "death", NULL};

static bool severity_ok(const char *s)
{
    for (int i = 0; severities[i]; i++)
        if (!strcmp(severities[i], s))
            return true;
    return false;
}

struct ae_ctx {
    struct http_req *r;
    const char *client_id, *severity, *description;
    const json_t *dose;
    const struct person *p;
    int64_t onset_at, id;
    bool created;
};

static int ae_tx(struct store *s, void *p)
{
    struct ae_ctx *c = p;
    c->created = false;
    int rc = vaccine__adverse_find_client(s, c->client_id, &c->id);
    if (rc != STORE_DONE)
        return rc; /* STORE_OK: a retry of a stored request, answered with what is there */
    bool citizen = vaccine__is_citizen(c->r);
    rc = vaccine__adverse_insert(s, c->client_id, c->dose, c->severity, c->description, c->onset_at,
                                 citizen ? "citizen" : "staff", citizen ? 0 : c->r->who->account_id,
                                 citizen ? c->r->who->person_id : 0, clock_now(), &c->id);
    if (!rc && !citizen)
        rc = audit_request(c->r, "vaccine_adverse.create", "person", vaccine__id_text(&c->r->arena, c->p->id),
                           c->p->commune_code);
    c->created = !rc;
    return rc;
}

/* POST /api/v1/vaccine/adverse-events {client_id, dose_id, severity, description, onset_at?} */
enum err vaccine_handle_adverse_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "dose_id", "severity", "description", "onset_at", NULL};
    json_t *body, *dose;
    struct ae_ctx c = {.r = r};
    struct person p;
    int64_t dose_id;
    bool has_onset = false;
    int64_t now = clock_now();
    bool present_; /* required fields: always present when rc is 0 */
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "dose_id", true, 1, INT64_MAX, &dose_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "severity", true, 20, &c.severity, &r->fault);
    if (!rc && !severity_ok(c.severity))
        rc = http_fail(r, ERR_INVALID_FIELD, "severity",
                       "severity must be mild, moderate, severe, life_threatening or death");
    if (!rc)
        rc = jsonin_str(body, "description", true, 2000, &c.description, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "onset_at", false, 0, now + 300, &c.onset_at, &has_onset, &r->fault);
    if (rc)
        return rc;
    rc = vaccine__dose_get(r->store, dose_id, &dose);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_INVALID_FIELD, "dose_id", "no dose has id %lld", (long long)dose_id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, dose);
    if (vaccine__is_citizen(r)) {
        rc = people_require_access(r, vaccine__int(dose, "person_id"), &p);
        if (rc == ERR_FORBIDDEN)
            rc = http_fail(r, ERR_INVALID_FIELD, "dose_id", "no dose has id %lld", (long long)dose_id);
    } else {
        rc = vaccine__require_row_area(r, dose, "site_");
        if (!rc && people_get(r->store, &r->arena, vaccine__int(dose, "person_id"), &p))
            rc = http_fail(r, ERR_INTERNAL, NULL, "the dose's person could not be read");
    }
    if (rc)
        return rc;
    if (has_onset && c.onset_at < vaccine__int(dose, "administered_at") - 300)
        return http_fail(r, ERR_INVALID_FIELD, "onset_at", "onset_at is before the dose");
    if (!has_onset)
        c.onset_at = now;
    c.dose = dose;
    c.p = &p;
    rc = store_tx(r->store, ae_tx, &c);
    if (rc)
        return rc;
    json_t *out;
    rc = vaccine__adverse_get(r->store, c.id, &out);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, c.created ? 201 : 200, out);
}

/* GET /api/v1/vaccine/adverse-events?unit=&severity=&limit= */
enum err vaccine_handle_adverse_list(struct http_req *r)
{
    const char *code, *severity = http_query(r, "severity");
    int64_t limit;
    int rc = vaccine__area_query(r, "unit", &code);
    if (!rc && severity && !severity_ok(severity))
        rc = http_fail(r, ERR_INVALID_FIELD, "severity",
                       "severity must be mild, moderate, severe, life_threatening or death");
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (rc)
        return rc;
    json_t *arr;
    rc = vaccine__adverse_list(r->store, code, severity, 0, limit, &arr);
    if (rc)
        return store_err(rc);
    audit_request(r, "vaccine_adverse.list", "person", NULL, code);
    return http_reply_json(r, 200, json_pack("{s:o}", "adverse_events", arr));
}
