/*
 * dose_store.c - queries for on-site visits (check-in and screening), doses,
 * adverse events and certificates.  Portable SQL only.
 */
#include <string.h>

#include "area/unit.h"
#include "people/people.h"
#include "store/sql.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

/* ---------------------------------------------------------------- visits */

#define VISIT_COLS                                                                                                    \
    "SELECT id, person_id, site_id, appointment_id, day, checked_in_at, method, outcome, reasons, answers,"           \
    " screened_at, province_code, district_code, commune_code FROM vaccine_visits"
#define VISIT_TYPES "iiiisissssisss"

enum store_rc vaccine__visit_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, VISIT_COLS " WHERE id = ?", "i", id);
    return vaccine__row(st, rc, VISIT_TYPES, out);
}

enum store_rc vaccine__visit_find_client(struct store *s, const char *client_id, int64_t *id)
{
    return store_int(s, id, "SELECT id FROM vaccine_visits WHERE client_id = ?", "s", client_id);
}

enum store_rc vaccine__visit_insert(struct store *s, const char *client_id, int64_t person_id,
                                    const json_t *site, int64_t appointment_id, const char *method,
                                    int64_t staff, int64_t now, int64_t *id)
{
    char day[11];
    vaccine_day(now, day);
    if (appointment_id)
        return store_int(s, id,
                         "INSERT INTO vaccine_visits (client_id, person_id, site_id, appointment_id, day, checked_in_at,"
                         " method, outcome, staff_id, province_code, district_code, commune_code)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id",
                         "siiisisisss", client_id, person_id, vaccine__int(site, "id"), appointment_id, day, now,
                         method, staff, vaccine__str(site, "province_code"), vaccine__str(site, "district_code"),
                         vaccine__str(site, "commune_code"));
    return store_int(s, id,
                     "INSERT INTO vaccine_visits (client_id, person_id, site_id, day, checked_in_at,"
                     " method, outcome, staff_id, province_code, district_code, commune_code)"
                     " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id",
                     "siisisisss", client_id, person_id, vaccine__int(site, "id"), day, now, method, staff,
                     vaccine__str(site, "province_code"), vaccine__str(site, "district_code"),
                     vaccine__str(site, "commune_code"));
}

enum store_rc vaccine__visit_screen(struct store *s, int64_t id, const char *outcome, const char *reasons,
                                    const char *answers, int64_t by, int64_t now)
{
    return store_run(s, NULL,
                     "UPDATE vaccine_visits SET outcome = ?, reasons = ?, answers = ?, screened_by = ?, screened_at = ?"
                     " WHERE id = ?",
                     "sssiii", outcome, reasons, answers, by, now, id);
}

enum store_rc vaccine__visit_set_outcome(struct store *s, int64_t id, const char *outcome)
{
    return store_run(s, NULL, "UPDATE vaccine_visits SET outcome = ? WHERE id = ?", "si", outcome, id);
}

/* ---------------------------------------------------------------- doses */

#define DOSE_COLS                                                                                                     \
    "SELECT d.id, d.person_id, d.dose_number, d.product, d.lot, d.site_id, si.name AS site_name, d.visit_id,"         \
    " d.vaccinator_id, d.vaccinator_name, d.administered_at, d.day, d.observation_until, d.next_earliest,"            \
    " d.next_latest, c.id AS certificate_id, d.site_province_code, d.site_district_code, d.site_commune_code"         \
    " FROM vaccine_doses d JOIN vaccine_sites si ON si.id = d.site_id"                                                \
    " LEFT JOIN vaccine_certificates c ON c.dose_id = d.id"
#define DOSE_TYPES "iiissisiisisiiiisss"

enum store_rc vaccine__dose_list_person(struct store *s, int64_t person_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st, DOSE_COLS " WHERE d.person_id = ? ORDER BY d.dose_number", "i", person_id);
    return vaccine__rows(st, rc, DOSE_TYPES, out);
}

int vaccine_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT d.administered_at AS at, d.id, d.dose_number, d.product, d.site_id,"
                                   " si.name AS site_name FROM vaccine_doses d JOIN vaccine_sites si ON si.id = d.site_id"
                                   " WHERE d.person_id = ? ORDER BY d.administered_at DESC, d.id DESC LIMIT ?",
                                   "ii", person_id, limit);
    return people_timeline_rows(st, rc, "dose", "iiisis", entries);
}

enum store_rc vaccine__dose_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, DOSE_COLS " WHERE d.id = ?", "i", id);
    return vaccine__row(st, rc, DOSE_TYPES, out);
}

enum store_rc vaccine__dose_find_client(struct store *s, const char *client_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, DOSE_COLS " WHERE d.client_id = ?", "s", client_id);
    return vaccine__row(st, rc, DOSE_TYPES, out);
}

enum store_rc vaccine__dose_insert(struct store *s, const struct vaccine_dose_new *in, int64_t *id)
{
    char day[11];
    vaccine_day(in->at, day);
    const char *prov = NULL, *dist = NULL, *comm = in->person->commune_code;
    const struct unit *u = comm ? unit_find(comm) : NULL;
    if (u)
        unit_ancestors(u, &prov, &dist, &comm);
    else
        comm = NULL;
    /* next_earliest/next_latest are NULL when unknown: two statement shapes rather than untyped NULL binds. */
    const char *sql =
        "INSERT INTO vaccine_doses (client_id, person_id, dose_number, product, lot, site_id, visit_id, vaccinator_id,"
        " vaccinator_name, administered_at, day, observation_until, next_earliest, next_latest, completes, booster,"
        " age_years, age_group, priority_group, province_code, district_code, commune_code, site_province_code, site_district_code,"
        " site_commune_code, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    return store_int(s, id, sql, "sidssiiisisiiidddssssssssi", in->client_id, in->person_id, in->dose_number,
                     in->product, in->lot, vaccine__int(in->site, "id"), in->visit_id, in->vaccinator_id,
                     in->vaccinator_name, in->at, day, in->observation_until, in->next_earliest, in->next_latest,
                     (int)in->completes, (int)in->booster, in->age, vaccine_age_group(in->age), in->priority_group, prov, dist, comm,
                     vaccine__str(in->site, "province_code"), vaccine__str(in->site, "district_code"),
                     vaccine__str(in->site, "commune_code"), in->now);
}

enum store_rc vaccine__history(struct store *s, struct arena *a, int64_t person_id,
                               struct vaccine_dose_hist *h, int *n)
{
    struct store_stmt *st;
    *n = 0;
    enum store_rc rc =
        store_query(s, &st,
                    "SELECT dose_number, product, administered_at FROM vaccine_doses WHERE person_id = ?"
                    " ORDER BY dose_number",
                    "i", person_id);
    while (rc == STORE_OK || rc == STORE_ROW) {
        if ((rc = store_step(st)) != STORE_ROW || *n >= VACCINE_MAX_DOSES)
            continue;
        h[*n].number = (int)store_col_int(st, 0);
        h[*n].product = arena_strdup(a, store_col_text(st, 1));
        h[*n].at = store_col_int(st, 2);
        (*n)++;
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---------------------------------------------------------------- adverse events */

#define AE_COLS                                                                                                       \
    "SELECT e.id, e.person_id, e.dose_id, d.dose_number, d.product, e.severity, e.description, e.onset_at, e.source," \
    " e.created_at, e.commune_code FROM vaccine_adverse_events e JOIN vaccine_doses d ON d.id = e.dose_id"
#define AE_TYPES "iiiisssisis"

enum store_rc vaccine__adverse_find_client(struct store *s, const char *client_id, int64_t *id)
{
    return store_int(s, id, "SELECT id FROM vaccine_adverse_events WHERE client_id = ?", "s", client_id);
}

enum store_rc vaccine__adverse_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, AE_COLS " WHERE e.id = ?", "i", id);
    return vaccine__row(st, rc, AE_TYPES, out);
}

enum store_rc vaccine__adverse_insert(struct store *s, const char *client_id, const json_t *dose,
                                      const char *severity, const char *description, int64_t onset_at,
                                      const char *source, int64_t by_account, int64_t by_person, int64_t now,
                                      int64_t *id)
{
    return store_int(s, id,
                     "INSERT INTO vaccine_adverse_events (client_id, person_id, dose_id, severity, description,"
                     " onset_at, source, reported_by_account, reported_by_person, province_code, district_code,"
                     " commune_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     "siissisiisssi", client_id, vaccine__int(dose, "person_id"), vaccine__int(dose, "id"), severity,
                     description, onset_at, source, by_account, by_person, vaccine__str(dose, "site_province_code"),
                     vaccine__str(dose, "site_district_code"), vaccine__str(dose, "site_commune_code"), now);
}

enum store_rc vaccine__adverse_list(struct store *s, const char *area, const char *severity,
                                    int64_t person_id, int64_t limit, json_t **out)
{
    struct store_sql q;
    store_sql_init(&q, AE_COLS " WHERE 1 = 1", "");
    store_sql_area(&q, "e", area);
    if (severity)
        store_sql_add(&q, " AND e.severity = ?", "s", severity);
    if (person_id)
        store_sql_add(&q, " AND e.person_id = ?", "i", person_id);
    store_sql_add(&q, " ORDER BY e.id DESC LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, AE_TYPES, out);
}

/* ---------------------------------------------------------------- certificates */

#define CERT_COLS                                                                                                     \
    "SELECT c.id, c.dose_id, c.person_id, c.uvci, c.hc1, c.kid, c.issued_at, c.expires_at, d.dose_number, d.product," \
    " d.day AS vaccination_date, d.site_province_code, d.site_district_code, d.site_commune_code"                     \
    " FROM vaccine_certificates c JOIN vaccine_doses d ON d.id = c.dose_id"
#define CERT_TYPES "iiisssiiisssss"

enum store_rc vaccine__cert_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, CERT_COLS " WHERE c.id = ?", "i", id);
    return vaccine__row(st, rc, CERT_TYPES, out);
}

enum store_rc vaccine__cert_insert(struct store *s, int64_t dose_id, int64_t person_id, const char *uvci,
                                   const char *hc1, const char *kid, int64_t issued_at, int64_t expires_at,
                                   int64_t *id)
{
    return store_int(s, id,
                     "INSERT INTO vaccine_certificates (dose_id, person_id, uvci, hc1, kid, issued_at, expires_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     "iisssii", dose_id, person_id, uvci, hc1, kid, issued_at, expires_at);
}

enum store_rc vaccine__cert_list_person(struct store *s, int64_t person_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st, CERT_COLS " WHERE c.person_id = ? ORDER BY d.dose_number", "i", person_id);
    return vaccine__rows(st, rc, CERT_TYPES, out);
}
