/*
 * onsite.c - at the vaccination site: check-in by personal QR (or person id,
 * CCCD/CMND, BHYT number or the code on the card),
 * then the screening checklist, whose answers decide proceed, defer or refer
 * with the reasons recorded.
 * POST /api/v1/vaccine/checkins, POST /api/v1/vaccine/visits/{id}/screening.
 *
 * Staff act at a site inside their area; the person may live anywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "testing/testing.h"
#include "vaccine/vaccine_int.h"

struct checkin_ctx {
    struct http_req *r;
    const char *client_id, *method;
    const struct person *p;
    const json_t *site;
    int64_t appointment_id;
    int64_t id;
    bool created;
};

static int checkin_tx(struct store *s, void *p)
{
    struct checkin_ctx *c = p;
    c->created = false;
    int rc = vaccine__visit_find_client(s, c->client_id, &c->id);
    if (rc != STORE_DONE)
        return rc; /* STORE_OK: a retry of a stored request, answered with what is there */
    rc = vaccine__visit_insert(s, c->client_id, c->p->id, c->site, c->appointment_id, c->method,
                               c->r->who->account_id, clock_now(), &c->id);
    if (!rc)
        rc = audit_request(c->r, "vaccine_visit.checkin", "person", vaccine__id_text(&c->r->arena, c->p->id),
                           c->p->commune_code);
    c->created = !rc;
    return rc;
}

#define RECENT_POSITIVE_DAYS 14 /* a positive result this recent is still the staff's concern */

/*
 * What the desk must know before vaccinating: a quarantine order in force (an
 * F1 should not be at the site), a pooled test that came back positive and
 * waits for the person's own retest, a positive result in the last 14 days.
 * The staff decide; nothing is refused.  An array of {code, ...}.
 */
static int checkin_warnings(struct http_req *r, const struct person *p, json_t **out)
{
    int64_t now = clock_now(), end_day;
    *out = json_array();
    int rc = vaccine__quarantine_until(r->store, p->id, vn_day(now), &end_day);
    if (rc == STORE_OK) {
        char until[11];
        vaccine_day(vn_day_start(end_day), until);
        json_array_append_new(*out, json_pack("{s:s, s:s}", "code", "quarantine", "until", until));
    } else if (rc != STORE_DONE) {
        return rc;
    }
    struct testing_sample *samples;
    int n;
    rc = testing_person_results(r->store, &r->arena, p->id, 1, &samples, &n);
    if (rc && rc != STORE_DONE)
        return rc;
    if (n > 0 && !strcmp(samples[0].status, "pool_positive_retest"))
        json_array_append_new(*out, json_pack("{s:s, s:I}", "code", "pending_positive", "collected_at",
                                              (json_int_t)samples[0].collected_at));
    else if (n > 0 && !strcmp(samples[0].status, "positive") &&
             samples[0].resulted_at > now - RECENT_POSITIVE_DAYS * 86400)
        json_array_append_new(*out, json_pack("{s:s, s:I}", "code", "recent_positive", "resulted_at",
                                              (json_int_t)samples[0].resulted_at));
    return 0;
}

static json_t *visit_reply(struct http_req *r, const struct vaccine_data *d, int64_t visit_id, const struct person *p)
{
    json_t *visit, *record;
    if (vaccine__visit_get(r->store, visit_id, &visit))
        return NULL;
    json_t *answers = json_loads(vaccine__str(visit, "answers") ? vaccine__str(visit, "answers") : "null",
                                 JSON_DECODE_ANY, NULL);
    json_t *reasons = json_loads(vaccine__str(visit, "reasons") ? vaccine__str(visit, "reasons") : "[]",
                                 JSON_DECODE_ANY, NULL);
    json_object_set_new(visit, "answers", answers ? answers : json_null());
    json_object_set_new(visit, "reasons", reasons ? reasons : json_array());
    if (vaccine__record_json(r->store, &r->arena, d, p, &record)) {
        json_decref(visit);
        return NULL;
    }
    json_object_set_new(visit, "record", record);
    json_t *warnings;
    if (checkin_warnings(r, p, &warnings)) {
        json_decref(warnings);
        json_decref(visit);
        return NULL;
    }
    json_object_set_new(visit, "warnings", warnings);
    /* Only the questions that can apply to this person are asked. */
    json_t *checks = json_array();
    int age = vaccine_age_years(p->date_of_birth, clock_now());
    for (int i = 0; i < d->nchecks; i++)
        if (vaccine_check_applies(&d->checks[i], p->sex, age))
            json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:s}", "code", d->checks[i].code, "question_vi",
                                                d->checks[i].question_vi, "question_en", d->checks[i].question_en,
                                                "if_yes", vaccine_outcome_name(d->checks[i].if_yes)));
    json_object_set_new(visit, "checklist", checks);
    return visit;
}

/*
 * The person a typed id_number names: a CCCD (12 digits) or CMND (9), a BHYT
 * number (15 characters) or the code printed under the personal QR card (10
 * characters).  STORE_DONE when nobody has it; ERR_INVALID_FIELD (filled)
 * when it is none of these.
 */
static int find_by_id_number(struct http_req *r, const char *raw, struct person *p)
{
    char id[32];
    size_t n = 0;
    for (const char *s = raw; *s && n < sizeof(id) - 1; s++)
        if (*s != ' ' && *s != '-' && *s != '.') /* as people copy it from a card: 001 090 012345 */
            id[n++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
    id[n] = '\0';
    bool digits = n > 0;
    for (size_t i = 0; i < n; i++)
        digits &= id[i] >= '0' && id[i] <= '9';
    if (digits && (n == 12 || n == 9))
        return people_find_by_cccd(r->store, &r->arena, id, p);
    if (n == 15)
        return people_find_by_bhyt(r->store, &r->arena, id, p);
    if (n == 10)
        return people_find_by_code(r->store, &r->arena, id, p);
    return http_fail(r, ERR_INVALID_FIELD, "id_number",
                     "id_number must be a CCCD (12 digits), a CMND (9), a BHYT number (15 characters) or the "
                     "10-character code on the personal card");
}

/* POST /api/v1/vaccine/checkins {client_id, site_id, qr | person_id | id_number} */
enum err vaccine_handle_checkin(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "site_id", "qr", "person_id", "id_number", NULL};
    const struct vaccine_data *d;
    json_t *body, *site;
    struct checkin_ctx c = {.r = r};
    struct person p;
    const char *qr, *id_number;
    int64_t site_id, person_id = 0;
    bool has_person = false;
    bool present_; /* required fields: always present when rc is 0 */
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "site_id", true, 1, INT64_MAX, &site_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "qr", false, 512, &qr, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "person_id", false, 1, INT64_MAX, &person_id, &has_person, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "id_number", false, 32, &id_number, &r->fault);
    if (!rc && !qr && !has_person && !id_number)
        rc = http_fail(r, ERR_MISSING_FIELD, "qr", "give the scanned qr, a person_id or an id_number");
    if (!rc && qr && has_person)
        rc = http_fail(r, ERR_INVALID_FIELD, "person_id", "give either qr or person_id, not both");
    if (!rc && id_number && (qr || has_person))
        rc = http_fail(r, ERR_INVALID_FIELD, "id_number", "give one of qr, person_id and id_number");
    if (rc)
        return rc;
    rc = vaccine__site_get(r->store, site_id, &site);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_INVALID_FIELD, "site_id", "no vaccination site has id %lld", (long long)site_id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, site);
    rc = vaccine__require_row_area(r, site, "");
    if (rc)
        return rc;
    if (qr) {
        rc = people_from_qr(r->store, &r->arena, qr, "qr", &p, &r->fault);
        c.method = "qr";
    } else if (id_number) {
        rc = find_by_id_number(r, id_number, &p);
        if (rc == ERR_INVALID_FIELD)
            return rc;
        if (rc && rc != STORE_DONE)
            return store_err(rc);
        c.method = "id_number";
    } else {
        rc = people_get(r->store, &r->arena, person_id, &p);
        if (rc && rc != STORE_DONE)
            return store_err(rc);
        c.method = "person_id";
    }
    if (rc && qr)
        return rc;
    /* Today's appointment at this site, if the person has one. */
    json_t *appt;
    char today[11];
    vaccine_day(clock_now(), today);
    if (rc == 0 && vaccine__appointment_active(r->store, p.id, &appt) == STORE_OK) {
        if (vaccine__int(appt, "site_id") == site_id && !strcmp(vaccine__str(appt, "day"), today))
            c.appointment_id = vaccine__int(appt, "id");
        json_decref(appt);
    }
    /*
     * A scanned card proves the person stands at the desk.  A bare id does
     * not: it checks in only someone booked here today or living in the
     * caller's area, and a stranger gets the same answer as no one, so ids
     * reveal nothing.
     */
    if (!qr && (rc || (!c.appointment_id && !unit_within(r->who->unit_code, p.commune_code ? p.commune_code : UNIT_NATION)))) {
        if (id_number)
            return http_fail(r, ERR_INVALID_FIELD, "id_number",
                             "nobody with this number is booked here today or lives in your area; scan their card");
        return http_fail(r, ERR_INVALID_FIELD, "person_id",
                         "no person with id %lld is booked here today or lives in your area; scan their card",
                         (long long)person_id);
    }
    c.p = &p;
    c.site = site;
    rc = store_tx(r->store, checkin_tx, &c);
    if (rc)
        return rc;
    json_t *out = visit_reply(r, d, c.id, &p);
    if (!out)
        return http_fail(r, ERR_INTERNAL, NULL, "the visit could not be read back");
    return http_reply_json(r, c.created ? 201 : 200, out);
}

/* Loads visit {id} at a site in the caller's area, and its person. */
int vaccine__load_visit(struct http_req *r, int64_t id, const char *field, enum err missing, json_t **visit,
                        struct person *p)
{
    int rc = vaccine__visit_get(r->store, id, visit);
    if (rc == STORE_DONE)
        return http_fail(r, missing, field, "no visit has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, *visit);
    rc = vaccine__require_row_area(r, *visit, "");
    if (rc)
        return rc;
    rc = people_get(r->store, &r->arena, vaccine__int(*visit, "person_id"), p);
    return rc ? store_err(rc) : 0;
}

struct screen_ctx {
    struct http_req *r;
    int64_t id;
    const char *outcome, *reasons, *answers;
    const struct person *p;
};

static int screen_tx(struct store *s, void *p)
{
    struct screen_ctx *c = p;
    int rc = vaccine__visit_screen(s, c->id, c->outcome, c->reasons, c->answers, c->r->who->account_id, clock_now());
    if (!rc)
        rc = audit_request(c->r, "vaccine_visit.screen", "person", vaccine__id_text(&c->r->arena, c->p->id),
                           c->p->commune_code);
    return rc;
}

/* POST /api/v1/vaccine/visits/{id}/screening {answers: {code: bool, ...}} */
enum err vaccine_handle_screening(struct http_req *r)
{
    static const char *const fields[] = {"answers", NULL};
    const struct vaccine_data *d;
    json_t *body, *visit, *reasons = NULL;
    struct person p;
    int64_t id;
    enum vaccine_outcome outcome;
    int defer_days;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = vaccine__load_visit(r, id, "id", ERR_NOT_FOUND, &visit, &p);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = vaccine_screen_for(d, p.sex, vaccine_age_years(p.date_of_birth, clock_now()),
                                json_object_get(body, "answers"), &outcome, &reasons, &defer_days, &r->fault);
    if (rc)
        return rc;
    arena_on_release(&r->arena, (void (*)(void *))json_decref, reasons);
    if (!strcmp(vaccine__str(visit, "outcome"), "vaccinated"))
        return http_fail(r, ERR_CONFLICT, "id", "this visit already ended with a dose");
    char *rs = json_dumps(reasons, JSON_COMPACT);
    char *as = json_dumps(json_object_get(body, "answers"), JSON_COMPACT | JSON_SORT_KEYS);
    struct screen_ctx c = {r, id, vaccine_outcome_name(outcome), arena_strdup(&r->arena, rs),
                           arena_strdup(&r->arena, as), &p};
    free(rs);
    free(as);
    rc = store_tx(r->store, screen_tx, &c);
    if (rc)
        return rc;
    json_t *out = visit_reply(r, d, id, &p);
    if (!out)
        return http_fail(r, ERR_INTERNAL, NULL, "the visit could not be read back");
    json_object_set_new(out, "defer_until",
                        outcome == VACCINE_DEFER ? json_integer((json_int_t)(clock_now() + (int64_t)defer_days * 86400))
                                                 : json_null());
    return http_reply_json(r, 200, out);
}
