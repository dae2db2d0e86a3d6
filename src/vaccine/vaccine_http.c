/*
 * vaccine_http.c - helpers shared by the vaccination handlers, and the
 * reference-data endpoints (products, priority groups and screening).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "area/scope.h"
#include "admin/role.h"
#include "area/unit.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

int vaccine__data(struct http_req *r, const struct vaccine_data **d)
{
    *d = vaccine_data();
    if (!*d)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "vaccination reference data is not loaded");
    return 0;
}

bool vaccine__is_citizen(const struct http_req *r)
{
    return r->who && r->who->role == ROLE_CITIZEN && r->who->person_id > 0;
}

int vaccine__area_query(struct http_req *r, const char *name, const char **code)
{
    const struct unit *u;
    int rc = area_from_query(r, name, &u);
    if (!rc)
        *code = u->code;
    return rc;
}

int vaccine__require_row_area(struct http_req *r, const json_t *row, const char *prefix)
{
    char key[40];
    snprintf(key, sizeof(key), "%scommune_code", prefix);
    const char *commune = vaccine__str(row, key);
    if (!commune)
        return http_fail(r, ERR_FORBIDDEN, NULL, "this record lies outside your area");
    return area_require(r, commune);
}

bool vaccine__parse_day(const char *day, const char *hhmm, int64_t *out)
{
    int y, m, d, hh = 0, mm = 0;
    char tail;
    if (!day || strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || day[4] != '-' ||
        day[7] != '-')
        return false;
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    if (hhmm) {
        if (strlen(hhmm) != 5 || hhmm[2] != ':' || sscanf(hhmm, "%2d:%2d%c", &hh, &mm, &tail) != 2 || hh < 0 ||
            hh > 23 || mm < 0 || mm > 59)
            return false;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hh, .tm_min = mm};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != m - 1) /* 2021-02-30 */
        return false;
    *out = (int64_t)t - VN_UTC_OFFSET;
    return true;
}

json_t *vaccine__person_json(const struct person *p)
{
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?}", "id", (json_int_t)p->id, "code", p->code ? p->code : "",
                     "full_name", p->full_name, "date_of_birth", p->date_of_birth, "sex", p->sex, "commune_code",
                     p->commune_code);
}

char *vaccine__id_text(struct arena *a, int64_t id)
{
    return arena_printf(a, "%lld", (long long)id);
}

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer((json_int_t)t) : json_null();
}

int vaccine__record_json(struct store *s, struct arena *a, const struct vaccine_data *d, const struct person *p,
                         json_t **out)
{
    *out = NULL;
    struct vaccine_dose_hist h[VACCINE_MAX_DOSES];
    int n;
    json_t *doses = NULL, *certs = NULL, *appt = NULL, *reg = NULL, *events = NULL;
    int rc = vaccine__history(s, a, p->id, h, &n);
    if (!rc)
        rc = vaccine__dose_list_person(s, p->id, &doses);
    if (!rc)
        rc = vaccine__cert_list_person(s, p->id, &certs);
    if (!rc)
        rc = vaccine__adverse_list(s, UNIT_NATION, NULL, p->id, 100, &events); /* the person: access checked */
    if (!rc) {
        rc = vaccine__appointment_active(s, p->id, &appt);
        if (rc == STORE_DONE) /* no seat: an unanswered "another slot" request is what comes next */
            rc = vaccine__appointment_waiting(s, p->id, &appt);
        if (rc == STORE_DONE)
            rc = STORE_OK;
    }
    if (!rc) {
        rc = vaccine__registration_get_person(s, p->id, &reg);
        if (rc == STORE_DONE)
            rc = STORE_OK;
    }
    if (rc) {
        json_decref(doses);
        json_decref(certs);
        json_decref(appt);
        json_decref(reg);
        json_decref(events);
        return rc;
    }
    /* Certificates: the HC1 string is what the page turns into a QR code. */
    size_t i;
    json_t *c;
    json_array_foreach(certs, i, c) {
        json_object_del(c, "site_province_code");
        json_object_del(c, "site_district_code");
        json_object_del(c, "site_commune_code");
    }
    json_t *dv;
    json_array_foreach(doses, i, dv) {
        json_object_del(dv, "site_province_code");
        json_object_del(dv, "site_district_code");
        json_object_del(dv, "site_commune_code");
        if (!vaccine__int(dv, "next_earliest"))
            json_object_set_new(dv, "next_earliest", json_null());
        if (!vaccine__int(dv, "next_latest"))
            json_object_set_new(dv, "next_latest", json_null());
    }
    struct vaccine_next next;
    vaccine_next_dose(d, h, n, &next);
    const struct vaccine_product *first = n ? vaccine_product_find(d, h[0].product) : NULL;
    json_t *nx = json_pack("{s:i, s:b, s:o, s:o}", "dose_number", next.number, "booster", next.booster, "earliest",
                           time_or_null(next.earliest), "latest", time_or_null(next.latest));
    *out = json_pack("{s:o, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "person", vaccine__person_json(p),
                     "status", vaccine_status(d, h, n), "doses_given", n, "primary_doses",
                     first ? json_integer(first->doses) : json_null(), "doses", doses, "next_dose", nx,
                     "next_appointment", appt ? appt : json_null(), "certificates", certs, "registration",
                     reg ? reg : json_null(), "adverse_events", events);
    return *out ? STORE_OK : STORE_ERROR;
}

/* GET /api/v1/vaccine/products */
enum err vaccine_handle_products(struct http_req *r)
{
    const struct vaccine_data *d;
    int rc = vaccine__data(r, &d);
    if (rc)
        return rc;
    json_t *body = json_deep_copy(d->products_json);
    json_object_del(body, "_doc");
    return http_reply_json(r, 200, body);
}

/* GET /api/v1/vaccine/priority-groups */
enum err vaccine_handle_priority_groups(struct http_req *r)
{
    const struct vaccine_data *d;
    int rc = vaccine__data(r, &d);
    if (rc)
        return rc;
    json_t *body = json_deep_copy(d->groups_json);
    json_object_del(body, "_doc");
    return http_reply_json(r, 200, body);
}
