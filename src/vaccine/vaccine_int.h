/*
 * vaccine_int.h - what the files of src/vaccine/ share and nobody else sees:
 * the queries (vaccine_store.c, dose_store.c) and small handler helpers
 * (vaccine_http.c).
 *
 * Queries hand rows back as JSON objects (keys = column names), because every
 * row ends up in a JSON reply and the rules read only a few fields; each
 * query states its columns.  JSON values returned are new references the
 * caller owns.  Functions return STORE_OK / STORE_DONE (no row) or a store rc.
 */
#ifndef CORDON_VACCINE_VACCINE_INT_H
#define CORDON_VACCINE_VACCINE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"
#include "vaccine/vaccine.h"

struct store;
struct store_stmt;
struct http_req;
struct person;

/* product.c / priority.c */
int vaccine__parse_groups(struct vaccine_data *d, char *err, size_t errlen);

/* ---------------------------------------------------------------- row helpers (vaccine_store.c) */

/*
 * Steps st (the result rc of store_query is passed in) and builds an array of
 * objects, one per row; cols has one letter per column: 'i' integer, 's'
 * text, 'b' boolean (0/1 integer); SQL NULL gives JSON null.  Finalizes st.
 */
enum store_rc vaccine__rows(struct store_stmt *st, int rc, const char *cols, json_t **out);
/* Same for at most one row: STORE_DONE and *out NULL when there is none. */
enum store_rc vaccine__row(struct store_stmt *st, int rc, const char *cols, json_t **out);

/* store_query with ns text arguments then ni integer arguments (ns <= 4, ni <= 2), in that order. */

/* JSON accessors that tolerate absence. */
int64_t vaccine__int(const json_t *o, const char *key);
const char *vaccine__str(const json_t *o, const char *key);

/* ---------------------------------------------------------------- sites and sessions (vaccine_store.c) */

/* Site columns: id, name, address, province_code, district_code, commune_code, created_at, capacity (object). */
enum store_rc vaccine__site_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__site_find_client(struct store *s, const char *client_id, int64_t *id);
enum store_rc vaccine__site_insert(struct store *s, const char *client_id, const char *name,
                                   const char *address, const char *province, const char *district,
                                   const char *commune, int64_t by, int64_t now, int64_t *id);
enum store_rc vaccine__site_capacity_set(struct store *s, int64_t site_id, const char *product,
                                         int64_t daily);
/* Sites inside area (a unit code; store_sql_area), newest first. */
enum store_rc vaccine__site_list(struct store *s, const char *area, int64_t limit, json_t **out);
/* Daily capacity of a site for a product; STORE_DONE when it has none. */
enum store_rc vaccine__site_capacity(struct store *s, int64_t site_id, const char *product, int64_t *daily);

/* Session columns: id, site_id, site_name, product, day, starts_at, ends_at, capacity, booked, remaining,
 * province_code, district_code, commune_code. */
enum store_rc vaccine__session_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__session_find_client(struct store *s, const char *client_id, int64_t *id);
enum store_rc vaccine__session_insert(struct store *s, const char *client_id, int64_t site_id,
                                      const char *product, const char *day, int64_t starts_at,
                                      int64_t ends_at, int64_t capacity, const json_t *site, int64_t by,
                                      int64_t now, int64_t *id);
/* Seats already given to sessions of this site, product and day. */
enum store_rc vaccine__session_planned(struct store *s, int64_t site_id, const char *product, const char *day,
                                       int64_t *sum);
/*
 * Locks the site's capacity row for product until the transaction ends, so that
 * concurrent session creations for one site and product take turns (PostgreSQL
 * row lock; SQLite's single writer), and reads the daily capacity under the lock.
 * STORE_DONE when the site has no capacity for product.
 */
enum store_rc vaccine__site_capacity_lock(struct store *s, int64_t site_id, const char *product,
                                          int64_t *daily);
enum store_rc vaccine__session_list(struct store *s, const char *area, int64_t site_id, const char *day,
                                    const char *product, int64_t limit, json_t **out);
/*
 * Takes one seat: UPDATE ... SET booked = booked + 1 WHERE id = ? AND
 * booked < capacity.  *taken is false when the session was full (or absent).
 * Call inside store_tx: the changed-row count is the only judge.
 */
enum store_rc vaccine__seat_take(struct store *s, int64_t session_id, bool *taken);
enum store_rc vaccine__seat_release(struct store *s, int64_t session_id);
/* Seats booked in a session so far. */
enum store_rc vaccine__session_booked(struct store *s, int64_t session_id, int64_t *booked);
/* The appointment's active flag (1 while it holds a seat). */
enum store_rc vaccine__appointment_is_active(struct store *s, int64_t appointment_id, int64_t *active);

/* ---------------------------------------------------------------- registrations and appointments (vaccine_store.c) */

/* Registration columns: id, person_id, priority_group, conditions, source, age_years, commune_code, created_at. */
enum store_rc vaccine__registration_get_person(struct store *s, int64_t person_id, json_t **out);
enum store_rc vaccine__registration_find_client(struct store *s, const char *client_id, int64_t *id);
enum store_rc vaccine__registration_insert(struct store *s, const char *client_id, const struct person *p,
                                           const char *group, const char *conditions, const char *source,
                                           int age, int64_t by_account, int64_t by_person, int64_t now,
                                           int64_t *id);
/* Registrations inside area with the person's full_name; waiting: only people without a seat and without a dose. */
enum store_rc vaccine__registration_list(struct store *s, const char *area, const char *group, bool waiting,
                                         int64_t limit, int64_t offset, json_t **out);

/* Appointment columns: id, person_id, session_id, dose_number, status, slot_start, slot_end, source, site_id,
 * site_name, product, day, created_at, updated_at, province_code, district_code, commune_code. */
enum store_rc vaccine__appointment_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__appointment_find_client(struct store *s, const char *client_id, json_t **out);
/* The person's appointment that holds a seat (invited or confirmed), if any. */
enum store_rc vaccine__appointment_active(struct store *s, int64_t person_id, json_t **out);
/* The person's latest appointment that asked for another slot and is not answered yet, if any. */
enum store_rc vaccine__appointment_waiting(struct store *s, int64_t person_id, json_t **out);
enum store_rc vaccine__appointment_insert(struct store *s, const char *client_id, int64_t person_id,
                                          const json_t *session, int dose_number, const char *status,
                                          int64_t slot_start, int64_t slot_end, const char *source,
                                          int64_t now, int64_t *id);
/* Sets status; active follows (invited/confirmed hold a seat). */
enum store_rc vaccine__appointment_set(struct store *s, int64_t id, const char *status, int64_t now);
enum store_rc vaccine__appointment_list_person(struct store *s, int64_t person_id, json_t **out);

/* ---------------------------------------------------------------- on site (dose_store.c) */

/* Visit columns: id, person_id, site_id, appointment_id, day, checked_in_at, method, outcome, reasons, answers,
 * screened_at, province_code, district_code, commune_code. */
enum store_rc vaccine__visit_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__visit_find_client(struct store *s, const char *client_id, int64_t *id);
enum store_rc vaccine__visit_insert(struct store *s, const char *client_id, int64_t person_id,
                                    const json_t *site, int64_t appointment_id, const char *method,
                                    int64_t staff, int64_t now, int64_t *id);
enum store_rc vaccine__visit_screen(struct store *s, int64_t id, const char *outcome, const char *reasons,
                                    const char *answers, int64_t by, int64_t now);
enum store_rc vaccine__visit_set_outcome(struct store *s, int64_t id, const char *outcome);

/* Dose columns: id, person_id, dose_number, product, lot, site_id, site_name, visit_id, vaccinator_id,
 * vaccinator_name, administered_at, day, observation_until, next_earliest, next_latest, certificate_id,
 * site_province_code, site_district_code, site_commune_code. Ordered by dose_number. */
enum store_rc vaccine__dose_list_person(struct store *s, int64_t person_id, json_t **out);
enum store_rc vaccine__dose_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__dose_find_client(struct store *s, const char *client_id, json_t **out);

struct vaccine_dose_new {
    const char *client_id;
    int64_t person_id;
    int dose_number;
    const char *product, *lot;
    const json_t *site;
    int64_t visit_id, vaccinator_id;
    const char *vaccinator_name;
    int64_t at, observation_until, next_earliest, next_latest;
    int age;
    bool completes, booster;
    const char *priority_group;
    const struct person *person;
    int64_t now;
};
enum store_rc vaccine__dose_insert(struct store *s, const struct vaccine_dose_new *in, int64_t *id);

/* A dose to record (vaccine_dose_record, dose.c). */
struct vaccine_dose_request {
    const char *client_id, *lot;
    const struct vaccine_product *prod;
    int dose_number;          /* 0: the person's next */
    int64_t at;               /* when given; 0: now */
    int64_t vaccinator_id;
    const char *vaccinator_name;
    struct audit_entry audit; /* who records it (action and subject are filled in) */
};
enum err vaccine_dose_record(struct store *s, struct arena *a, const struct vaccine_data *d,
                             const struct vaccine_dose_request *in, const json_t *visit, const struct person *p,
                             int64_t now, int64_t *dose_id, bool *created, struct fault *f);

/* Loads history rows into h (at most VACCINE_MAX_DOSES), strings in a. */
enum store_rc vaccine__history(struct store *s, struct arena *a, int64_t person_id,
                               struct vaccine_dose_hist *h, int *n);

/* Adverse event columns: id, person_id, dose_id, dose_number, product, severity, description, onset_at, source,
 * created_at, commune_code. */
enum store_rc vaccine__adverse_find_client(struct store *s, const char *client_id, int64_t *id);
enum store_rc vaccine__adverse_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__adverse_insert(struct store *s, const char *client_id, const json_t *dose,
                                      const char *severity, const char *description, int64_t onset_at,
                                      const char *source, int64_t by_account, int64_t by_person, int64_t now,
                                      int64_t *id);
enum store_rc vaccine__adverse_list(struct store *s, const char *area, const char *severity,
                                    int64_t person_id, int64_t limit, json_t **out);

/* Certificate columns: id, dose_id, person_id, uvci, hc1, kid, issued_at, expires_at, dose_number, product,
 * site_province_code, site_district_code, site_commune_code. */
enum store_rc vaccine__cert_get(struct store *s, int64_t id, json_t **out);
enum store_rc vaccine__cert_insert(struct store *s, int64_t dose_id, int64_t person_id, const char *uvci,
                                   const char *hc1, const char *kid, int64_t issued_at, int64_t expires_at,
                                   int64_t *id);
enum store_rc vaccine__cert_list_person(struct store *s, int64_t person_id, json_t **out);

/* ---------------------------------------------------------------- certificates (certificate.c) */

/*
 * Issues the DCC for a dose just stored (inside the caller's transaction):
 * builds the payload from the person and the dose, signs it with the
 * process's issuer and inserts the certificate row.  0 or an enum err / store
 * rc; ERR_CONFLICT when vaccine__certificate_missing(p) names a field (the
 * caller checks first, to say which).
 */
int vaccine__certificate_issue(struct store *s, struct arena *a, const struct person *p, int64_t dose_id,
                               int dose_number, const struct vaccine_product *prod, int total_doses,
                               int64_t administered_at, int64_t *cert_id);
/*
 * What a certificate for person p lacks: "full_name" or "date_of_birth" (a
 * DCC names its holder and gives the date of birth), or NULL when nothing.
 */
const char *vaccine__certificate_missing(const struct person *p);
/* Loads the process's DCC issuer before a transaction (its first load writes the key). 0 or an enum err. */
int vaccine__issuer_ready(struct store *s);

/* ---------------------------------------------------------------- handler helpers (vaccine_http.c) */

/* The process data or a 503 fault. */
int vaccine__data(struct http_req *r, const struct vaccine_data **d);
bool vaccine__is_citizen(const struct http_req *r);
/* Reads an optional unit query parameter (default: the caller's unit), checks it and the area;
 * *code is the unit, for store_sql_area. */
int vaccine__area_query(struct http_req *r, const char *name, const char **code);

/* Oversight figures inside area, days from..to (YYYY-MM-DD; NULL: open), as JSON rows (oversight.c):
 * coverage grouped by key (commune_code, day, age_group, priority_group or product: a constant of the
 * caller); doses per site, day and product against capacity; adverse events by severity and product. */
enum store_rc vaccine__coverage(struct store *s, const char *key, const char *area, const char *from,
                                const char *to, json_t **out);
enum store_rc vaccine__site_days(struct store *s, const char *area, const char *from, const char *to,
                                 json_t **out);
enum store_rc vaccine__adverse_counts(struct store *s, const char *area, const char *from, const char *to,
                                      json_t **out);
/* 403 unless the row's area (its commune) lies in the caller's area; prefix "" or "site_". */
int vaccine__require_row_area(struct http_req *r, const json_t *row, const char *prefix);
/* Parses "YYYY-MM-DD" (and "HH:MM" local, may be NULL) into epoch seconds. false when malformed. */
bool vaccine__parse_day(const char *day, const char *hhmm, int64_t *out);
/* The person's public summary for vaccination replies. */
json_t *vaccine__person_json(const struct person *p);
/* Appointment {id} of the request, if the caller may act on it (the citizen for self and managed members, staff
 * in the site's area), with its person; *appt is released with the request. (booking.c) */
int vaccine__appointment_load(struct http_req *r, json_t **appt, struct person *p);
/* Moves appointment appt of p to session session_id (another seat, confirmed) and answers the new appointment;
 * notify: queue an SMS with the new time (staff moved it). (booking.c) */
int vaccine__appointment_move(struct http_req *r, const struct vaccine_data *d, const json_t *appt,
                              const struct person *p, int64_t session_id, bool notify);
/* Appointments waiting for another slot (status reschedule_requested) inside area, oldest request first, with
 * the person's full_name, phone and date_of_birth. (vaccine_store.c) */
enum store_rc vaccine__reschedule_list(struct store *s, const char *area, int64_t limit, json_t **out);

/* People inside area (their residence) whose last dose's next_earliest is at or before until, with no later dose
 * and no seat held, earliest first: person_id, full_name, phone, date_of_birth, last_dose, product, last_day,
 * next_earliest, next_latest, commune_code, reminded_at (the reminder for the next dose, or null). (vaccine_store.c) */
enum store_rc vaccine__due_list(struct store *s, const char *area, int64_t until, int64_t limit, json_t **out);

/* The last local day (core/clock.h vn_day) of the person's quarantine order in force on day `today`; STORE_DONE
 * when none. (vaccine_store.c) */
enum store_rc vaccine__quarantine_until(struct store *s, int64_t person_id, int64_t today, int64_t *end_day);

/* A person's full vaccination record (history, status, next dose, appointment, certificates). */
int vaccine__record_json(struct store *s, struct arena *a, const struct vaccine_data *d, const struct person *p,
                         json_t **out);
char *vaccine__id_text(struct arena *a, int64_t id);
/* Reads "conditions" (array of known codes) into list[0..*n) and a comma-joined copy (registration.c). */
int vaccine__read_conditions(struct http_req *r, const struct vaccine_data *d, json_t *v, const char **list,
                             int *n, const char **joined);
/* Loads a visit at a site in the caller's area and its person (onsite.c). */
int vaccine__load_visit(struct http_req *r, int64_t id, const char *field, enum err missing, json_t **visit,
                        struct person *p);

#endif
