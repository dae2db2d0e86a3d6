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
    struct arena *a;
    struct fault *f;
    struct audit_entry audit; /* the actor's entry; subject filled here */
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
        return fault_set(c->f, ERR_CONFLICT, "dose_number", "dose %d of this person is already recorded",
                         c->in.dose_number);
    if (!rc)
        rc = vaccine__visit_set_outcome(s, c->in.visit_id, "vaccinated");
    if (!rc && vaccine__int(c->visit, "appointment_id"))
        rc = vaccine__appointment_set(s, vaccine__int(c->visit, "appointment_id"), "attended", c->in.now);
    if (!rc)
        rc = vaccine__certificate_issue(s, c->a, c->in.person, c->id, c->in.dose_number, c->prod,
                                        c->prod->doses, c->in.at, &c->cert_id);
    if (!rc) {
        c->audit.action = "vaccine_dose.create";
        c->audit.subject_type = "person";
        c->audit.subject_id = vaccine__id_text(c->a, c->in.person_id);
        c->audit.unit_code = c->in.person->commune_code;
        rc = audit_record(s, &c->audit);
    }
    c->created = !rc;
    return rc;
}

/*
 * Records a dose at a visit that screening cleared: the rules (vaccine_dose_check),
 * then the dose, the visit's end, the appointment's attendance, the certificate and
 * the audit entry in one transaction.  The caller has checked who may act on the
 * visit; the HTTP handler, the CLI and jobs all come here.
 */
enum err vaccine_dose_record(struct store *s, struct arena *a, const struct vaccine_data *d,
                             const struct vaccine_dose_request *in, const json_t *visit, const struct person *p,
                             int64_t now, int64_t *dose_id, bool *created, struct fault *f)
{
    int rc;
    const char *outcome = vaccine__str(visit, "outcome");
    if (!strcmp(outcome, "pending"))
        return fault_set(f, ERR_CONFLICT, "visit_id", "screen the person before the dose");
    if (!strcmp(outcome, "defer") || !strcmp(outcome, "refer"))
        return fault_set(f, ERR_CONFLICT, "visit_id", "screening said %s: no dose at this visit", outcome);
    if (strcmp(outcome, "proceed"))
        return fault_set(f, ERR_CONFLICT, "visit_id", "this visit already ended with a dose");
    /* The dose and its certificate are written together: a person the certificate
     * cannot name, or whose date of birth is unknown, is completed first. */
    const char *missing = vaccine__certificate_missing(p);
    if (missing)
        return fault_set(f, ERR_CONFLICT, missing,
                         "the person's %s is not recorded: a vaccination certificate needs it; record it, then the dose",
                         missing);
    int64_t at = in->at ? in->at : now;
    if (at < vaccine__int(visit, "checked_in_at") - 300)
        return fault_set(f, ERR_INVALID_FIELD, "administered_at", "administered_at is before the check-in");
    struct vaccine_dose_hist h[VACCINE_MAX_DOSES];
    int n;
    rc = vaccine__history(s, a, p->id, h, &n);
    if (rc)
        return store_err(rc);
    int64_t number = in->dose_number ? in->dose_number : n + 1;
    int age = vaccine_age_years(p->date_of_birth, at);
    rc = vaccine_dose_check(d, h, n, in->prod, (int)number, age, at, "product", "administered_at", f);
    if (rc)
        return rc;
    json_t *site;
    rc = vaccine__site_get(s, vaccine__int(visit, "site_id"), &site);
    if (rc)
        return store_err(rc);
    arena_on_release(a, (void (*)(void *))json_decref, site);
    json_t *reg = NULL;
    if (vaccine__registration_get_person(s, p->id, &reg) == STORE_OK)
        arena_on_release(a, (void (*)(void *))json_decref, reg);
    /* The next dose's window, from the history with this dose in it. */
    h[n] = (struct vaccine_dose_hist){(int)number, in->prod->code, at};
    struct vaccine_next next;
    vaccine_next_dose(d, h, n + 1, &next);
    rc = vaccine__issuer_ready(s);
    if (rc)
        return fault_set(f, ERR_UNAVAILABLE, NULL, "the certificate signing key is not available");
    struct dose_ctx c = {.a = a, .f = f, .audit = in->audit, .prod = in->prod, .visit = visit};
    c.in.client_id = in->client_id;
    c.in.lot = in->lot;
    c.in.person_id = p->id;
    c.in.person = p;
    c.in.dose_number = (int)number;
    c.in.product = in->prod->code;
    c.in.site = site;
    c.in.visit_id = vaccine__int(visit, "id");
    c.in.vaccinator_id = in->vaccinator_id;
    c.in.vaccinator_name = in->vaccinator_name;
    c.in.at = at;
    c.in.observation_until = at + (int64_t)d->observation_minutes * 60;
    c.in.next_earliest = next.earliest;
    c.in.next_latest = next.latest;
    c.in.age = age;
    int primary = n ? (vaccine_product_find(d, h[0].product) ? vaccine_product_find(d, h[0].product)->doses : 0)
                    : in->prod->doses;
    c.in.completes = number == primary;
    c.in.booster = number > primary;
    c.in.priority_group = reg ? vaccine__str(reg, "priority_group") : NULL;
    c.in.now = now;
    rc = store_tx(s, dose_tx, &c);
    *dose_id = c.id;
    *created = c.created;
    return rc;}

/* POST /api/v1/vaccine/doses {client_id, visit_id, product, lot, dose_number?, administered_at?} */
enum err vaccine_handle_dose_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "visit_id", "product", "lot", "dose_number", "administered_at",
                                         NULL};
    const struct vaccine_data *d;
    json_t *body, *visit;
    const char *client_id, *lot;
    const struct vaccine_product *prod = NULL;
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
        rc = jsonin_client_id(body, "client_id", true, &client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "visit_id", true, 1, INT64_MAX, &visit_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "product", true, 40, &product, &r->fault);
    if (!rc && !(prod = vaccine_product_find(d, product)))
        rc = http_fail(r, ERR_INVALID_FIELD, "product", "unknown product %s", product);
    if (!rc)
        rc = jsonin_str(body, "lot", true, LOT_MAX, &lot, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "dose_number", false, 1, VACCINE_MAX_DOSES, &number, &has_number, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "administered_at", false, now - BACKDATE_MAX, now + 300, &at, &has_at, &r->fault);
    if (rc)
        return rc;
    /* A retry answers the recorded dose even after the visit moved on. */
    json_t *old;
    if (vaccine__dose_find_client(r->store, client_id, &old) == STORE_OK) {
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
    struct vaccine_dose_request in = {
        .client_id = client_id,
        .lot = lot,
        .prod = prod,
        .dose_number = (int)number,
        .at = has_at ? at : 0,
        .vaccinator_id = r->who->account_id,
        .vaccinator_name = r->who->username,
        .audit = {.actor_id = r->who->account_id, .actor_username = r->who->username, .request_id = r->request_id},
    };
    int64_t dose_id;
    bool created;
    rc = vaccine_dose_record(r->store, &r->arena, d, &in, visit, &p, now, &dose_id, &created, &r->fault);
    if (rc)
        return rc;
    json_t *dose, *record;
    rc = vaccine__dose_get(r->store, dose_id, &dose);
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
    return http_reply_json(r, created ? 201 : 200, dose);
}
