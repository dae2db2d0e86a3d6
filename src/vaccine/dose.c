/*
 * dose.c - recording a dose: POST /api/v1/vaccine/doses.
 *
 * A dose follows a check-in and a screening that said proceed.  The rules
 * (vaccine_dose_check) decide whether this product may be given as the
 * person's next dose now: ages, mixing, boosters, the interval.  The dose,
 * the visit's end, the appointment's attendance and the certificate are
 * written in one transaction; the reply carries observation_until (the
 * 30-minute observation) and the next dose's window.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define LOT_MAX 40
#define BACKDATE_MAX (7 * 86400) /* a dose may be entered up to a week late */

struct dose_ctx {
    struct http_req *r;
    const struct vaccine_data *d;
    struct vaccine_dose_new in;
    const struct vaccine_product *prod;
    const json_t *visit;
    int64_t id, cert_id;
    bool created;
};

static int dose_tx(struct store *s, void *p)
{
    struct dose_ctx *c = p;
    c->created = false;
    json_t *old;
    int rc = vaccine__dose_find_client(s, c->in.client_id, &old);
    if (rc == STORE_OK) {
        c->id = vaccine__int(old, "id");
        json_decref(old);
        return 0;
    }
    if (rc != STORE_DONE)
        return rc;
    rc = vaccine__dose_insert(s, &c->in, &c->id);
    if (rc == STORE_CONFLICT)
        return http_fail(c->r, ERR_CONFLICT, "dose_number", "dose %d of this person is already recorded",
                         c->in.dose_number);
    if (!rc)
        rc = vaccine__visit_set_outcome(s, c->in.visit_id, "vaccinated");
    if (!rc && vaccine__int(c->visit, "appointment_id"))
        rc = vaccine__appointment_set(s, vaccine__int(c->visit, "appointment_id"), "attended", c->in.now);
    if (!rc)
        rc = vaccine__certificate_issue(s, &c->r->arena, c->in.person, c->id, c->in.dose_number, c->prod,
                                        c->prod->doses, c->in.at, &c->cert_id);
    if (!rc)
        rc = audit_request(c->r, "vaccine_dose.create", "person", vaccine__id_text(&c->r->arena, c->in.person_id),
                           c->in.person->commune_code);
    c->created = !rc;
    return rc;
}

/* POST /api/v1/vaccine/doses {client_id, visit_id, product, lot, dose_number?, administered_at?} */
enum err vaccine_handle_dose_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "visit_id", "product", "lot", "dose_number", "administered_at",
                                         NULL};
    const struct vaccine_data *d;
    json_t *body, *visit, *site;
    struct dose_ctx c = {.r = r};
    struct person p;
    const char *product;
    int64_t visit_id, number = 0, at = 0;
    bool has_number = false, has_at = false;
    int64_t now = clock_now();
    bool present_; /* required fields: always present when rc is 0 */
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.in.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "visit_id", true, 1, INT64_MAX, &visit_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "product", true, 40, &product, &r->fault);
    if (!rc && !(c.prod = vaccine_product_find(d, product)))
        rc = http_fail(r, ERR_INVALID_FIELD, "product", "unknown product %s", product);
    if (!rc)
        rc = jsonin_str(body, "lot", true, LOT_MAX, &c.in.lot, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "dose_number", false, 1, VACCINE_MAX_DOSES, &number, &has_number, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "administered_at", false, now - BACKDATE_MAX, now + 300, &at, &has_at, &r->fault);
    if (rc)
        return rc;
    /* A retry answers the recorded dose even after the visit moved on. */
    json_t *old;
    if (vaccine__dose_find_client(r->store, c.in.client_id, &old) == STORE_OK) {
        arena_on_release(&r->arena, (void (*)(void *))json_decref, old);
        rc = vaccine__require_row_area(r, old, "site_");
        if (rc)
            return rc;
        rc = people_get(r->store, &r->arena, vaccine__int(old, "person_id"), &p);
        if (rc)
            return store_err(rc);
        json_t *record;
        rc = vaccine__record_json(r->store, &r->arena, d, &p, &record);
        if (rc)
            return store_err(rc);
        json_t *out = json_deep_copy(old);
        json_object_set_new(out, "record", record);
        return http_reply_json(r, 200, out);
    }
    rc = vaccine__load_visit(r, visit_id, "visit_id", ERR_INVALID_FIELD, &visit, &p);
    if (rc)
        return rc;
    const char *outcome = vaccine__str(visit, "outcome");
    if (!strcmp(outcome, "pending"))
        return http_fail(r, ERR_CONFLICT, "visit_id", "screen the person before the dose");
    if (!strcmp(outcome, "defer") || !strcmp(outcome, "refer"))
        return http_fail(r, ERR_CONFLICT, "visit_id", "screening said %s: no dose at this visit", outcome);
    if (strcmp(outcome, "proceed"))
        return http_fail(r, ERR_CONFLICT, "visit_id", "this visit already ended with a dose");
    if (!has_at)
        at = now;
    if (at < vaccine__int(visit, "checked_in_at") - 300)
        return http_fail(r, ERR_INVALID_FIELD, "administered_at", "administered_at is before the check-in");
    struct vaccine_dose_hist h[VACCINE_MAX_DOSES];
    int n;
    rc = vaccine__history(r->store, &r->arena, p.id, h, &n);
    if (rc)
        return store_err(rc);
    if (!has_number)
        number = n + 1;
    int age = vaccine_age_years(p.date_of_birth, at);
    rc = vaccine_dose_check(d, h, n, c.prod, (int)number, age, at, "product", "administered_at", &r->fault);
    if (rc)
        return rc;
    rc = vaccine__site_get(r->store, vaccine__int(visit, "site_id"), &site);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, site);
    json_t *reg = NULL;
    if (vaccine__registration_get_person(r->store, p.id, &reg) == STORE_OK)
        arena_on_release(&r->arena, (void (*)(void *))json_decref, reg);
    /* The next dose's window, from the history with this dose in it. */
    h[n] = (struct vaccine_dose_hist){(int)number, c.prod->code, at};
    struct vaccine_next next;
    vaccine_next_dose(d, h, n + 1, &next);
    rc = vaccine__issuer_ready(r->store);
    if (rc)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "the certificate signing key is not available");
    c.d = d;
    c.visit = visit;
    c.in.person_id = p.id;
    c.in.person = &p;
    c.in.dose_number = (int)number;
    c.in.product = c.prod->code;
    c.in.site = site;
    c.in.visit_id = visit_id;
    c.in.vaccinator_id = r->who->account_id;
    c.in.vaccinator_name = r->who->username;
    c.in.at = at;
    c.in.observation_until = at + (int64_t)d->observation_minutes * 60;
    c.in.next_earliest = next.earliest;
    c.in.next_latest = next.latest;
    c.in.age = age;
    int primary = n ? (vaccine_product_find(d, h[0].product) ? vaccine_product_find(d, h[0].product)->doses : 0)
                    : c.prod->doses;
    c.in.completes = number == primary;
    c.in.booster = number > primary;
    c.in.priority_group = reg ? vaccine__str(reg, "priority_group") : NULL;
    c.in.now = now;
    rc = store_tx(r->store, dose_tx, &c);
    if (rc)
        return rc;
    json_t *dose, *record;
    rc = vaccine__dose_get(r->store, c.id, &dose);
    if (!rc) {
        rc = vaccine__record_json(r->store, &r->arena, d, &p, &record);
        if (rc)
            json_decref(dose);
    }
    if (rc)
        return store_err(rc);
    json_object_del(dose, "site_province_code");
    json_object_del(dose, "site_district_code");
    json_object_del(dose, "site_commune_code");
    json_object_set_new(dose, "record", record);
    return http_reply_json(r, c.created ? 201 : 200, dose);
}
