/*
 * status.c - a person's vaccination record: history, status (none, partial,
 * complete, booster), the next dose's window, the next appointment,
 * certificates and adverse events.
 * GET /api/v1/people/{id}/vaccinations (staff in area, audited; citizens for
 * self and managed members), GET /api/v1/me/vaccinations (the citizen and
 * every member they manage).
 */
#include "audit/audit.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

/* GET /api/v1/people/{id}/vaccinations */
enum err vaccine_handle_person_vaccinations(struct http_req *r)
{
    const struct vaccine_data *d;
    struct person p;
    int64_t id;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = people_require_access(r, id, &p);
    if (rc)
        return rc;
    json_t *out;
    rc = vaccine__record_json(r->store, &r->arena, d, &p, &out);
    if (rc)
        return store_err(rc);
    if (!vaccine__is_citizen(r))
        audit_request(r, "vaccine_record.read", "person", vaccine__id_text(&r->arena, p.id), p.commune_code);
    return http_reply_json(r, 200, out);
}

/* GET /api/v1/me/vaccinations */
enum err vaccine_handle_me_vaccinations(struct http_req *r)
{
    const struct vaccine_data *d;
    struct person me, *members = NULL;
    int n = 0;
    int rc = vaccine__data(r, &d);
    if (rc)
        return rc;
    rc = people_get(r->store, &r->arena, r->who->person_id, &me);
    if (!rc)
        rc = people_managed(r->store, &r->arena, me.id, &members, &n);
    if (rc)
        return store_err(rc);
    json_t *people = json_array();
    json_t *rec;
    rc = vaccine__record_json(r->store, &r->arena, d, &me, &rec);
    if (!rc)
        json_array_append_new(people, rec);
    for (int i = 0; !rc && i < n; i++) {
        rc = vaccine__record_json(r->store, &r->arena, d, &members[i], &rec);
        if (!rc)
            json_array_append_new(people, rec);
    }
    if (rc) {
        json_decref(people);
        return store_err(rc);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "people", people));
}

enum store_rc vaccine_person_status(struct store *s, struct arena *a, int64_t person_id, const char **status)
{
    struct vaccine_dose_hist h[VACCINE_MAX_DOSES];
    int n = 0;
    enum store_rc rc = vaccine__history(s, a, person_id, h, &n);
    const struct vaccine_data *d = vaccine_data(); /* NULL when data/vaccine could not be read */
    *status = rc || n == 0 ? "none" : d ? vaccine_status(d, h, n) : "partial";
    return rc;
}
