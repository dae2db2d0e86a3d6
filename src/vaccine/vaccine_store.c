/*
 * vaccine_store.c - queries for sites, site capacity, sessions, seats,
 * registrations and appointments, plus the row-to-JSON helpers every vaccine
 * query uses.  Portable SQL only.
 */
#include <string.h>

#include "area/unit.h"
#include "people/people.h"
#include "store/sql.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

/* ---------------------------------------------------------------- row helpers */

static json_t *row_json(struct store_stmt *st, const char *cols)
{
    json_t *o = json_object();
    for (int i = 0; cols[i]; i++) {
        const char *name = store_col_name(st, i);
        json_t *v;
        if (store_col_null(st, i))
            v = json_null();
        else if (cols[i] == 'i')
            v = json_integer((json_int_t)store_col_int(st, i));
        else if (cols[i] == 'b')
            v = json_boolean(store_col_int(st, i) != 0);
        else
            v = json_string(store_col_text(st, i));
        json_object_set_new(o, name, v ? v : json_null());
    }
    return o;
}

enum store_rc vaccine__rows(struct store_stmt *st, int rc, const char *cols, json_t **out)
{
    *out = NULL;
    if (rc) {
        store_finalize(st);
        return rc;
    }
    json_t *arr = json_array();
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(arr, row_json(st, cols));
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return STORE_OK;
}

enum store_rc vaccine__row(struct store_stmt *st, int rc, const char *cols, json_t **out)
{
    *out = NULL;
    if (rc) {
        store_finalize(st);
        return rc;
    }
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *out = row_json(st, cols);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

int64_t vaccine__int(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

const char *vaccine__str(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---------------------------------------------------------------- sites */

enum store_rc vaccine__site_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st,
                    "SELECT id, name, address, province_code, district_code, commune_code, created_at"
                    " FROM vaccine_sites WHERE id = ?",
                    "i", id);
    rc = vaccine__row(st, rc, "isssssi", out);
    if (rc)
        return rc;
    json_t *cap = json_object();
    rc = store_query(s, &st, "SELECT product, daily_capacity FROM vaccine_site_capacity WHERE site_id = ? ORDER BY product",
                     "i", id);
    if (rc == STORE_OK)
        while ((rc = store_step(st)) == STORE_ROW)
            json_object_set_new(cap, store_col_text(st, 0), json_integer((json_int_t)store_col_int(st, 1)));
    store_finalize(st);
    json_object_set_new(*out, "capacity", cap);
    if (rc != STORE_DONE) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    return STORE_OK;
}

enum store_rc vaccine__site_find_client(struct store *s, const char *client_id, int64_t *id)
{
    return store_int(s, id, "SELECT id FROM vaccine_sites WHERE client_id = ?", "s", client_id);
}

enum store_rc vaccine__site_insert(struct store *s, const char *client_id, const char *name,
                                   const char *address, const char *province, const char *district,
                                   const char *commune, int64_t by, int64_t now, int64_t *id)
{
    return store_int(s, id,
                     "INSERT INTO vaccine_sites (client_id, name, address, province_code, district_code, commune_code,"
                     " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     "ssssssii", client_id, name, address, province, district, commune, by, now);
}

enum store_rc vaccine__site_capacity_set(struct store *s, int64_t site_id, const char *product, int64_t daily)
{
    return store_run(s, NULL,
                     "INSERT INTO vaccine_site_capacity (site_id, product, daily_capacity) VALUES (?, ?, ?)"
                     " ON CONFLICT (site_id, product) DO UPDATE SET daily_capacity = excluded.daily_capacity",
                     "isi", site_id, product, daily);
}

enum store_rc vaccine__site_list(struct store *s, const char *area, int64_t limit, json_t **out)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT id FROM vaccine_sites WHERE 1 = 1", "");
    store_sql_area(&q, NULL, area);
    store_sql_add(&q, " ORDER BY id DESC LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    json_t *ids;
    rc = vaccine__rows(st, rc, "i", &ids);
    if (rc)
        return rc;
    json_t *arr = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        json_t *site;
        rc = vaccine__site_get(s, vaccine__int(v, "id"), &site);
        if (rc)
            break;
        json_array_append_new(arr, site);
    }
    json_decref(ids);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return STORE_OK;
}

enum store_rc vaccine__site_capacity(struct store *s, int64_t site_id, const char *product, int64_t *daily)
{
    return store_int(s, daily, "SELECT daily_capacity FROM vaccine_site_capacity WHERE site_id = ? AND product = ?",
                     "is", site_id, product);
}

/* ---------------------------------------------------------------- sessions */

#define SESSION_COLS                                                                                                  \
    "SELECT se.id, se.site_id, si.name AS site_name, se.product, se.day, se.starts_at, se.ends_at, se.capacity,"      \
    " se.booked, se.capacity - se.booked AS remaining, se.province_code, se.district_code, se.commune_code"           \
    " FROM vaccine_sessions se JOIN vaccine_sites si ON si.id = se.site_id"
#define SESSION_TYPES "iisssiiiiisss"

enum store_rc vaccine__session_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, SESSION_COLS " WHERE se.id = ?", "i", id);
    return vaccine__row(st, rc, SESSION_TYPES, out);
}

enum store_rc vaccine__session_find_client(struct store *s, const char *client_id, int64_t *id)
{
    return store_int(s, id, "SELECT id FROM vaccine_sessions WHERE client_id = ?", "s", client_id);
}

enum store_rc vaccine__session_insert(struct store *s, const char *client_id, int64_t site_id,
                                      const char *product, const char *day, int64_t starts_at,
                                      int64_t ends_at, int64_t capacity, const json_t *site, int64_t by,
                                      int64_t now, int64_t *id)
{
    return store_int(s, id,
                     "INSERT INTO vaccine_sessions (client_id, site_id, product, day, starts_at, ends_at, capacity,"
                     " booked, province_code, district_code, commune_code, created_by, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING id",
                     "sissiiisssii", client_id, site_id, product, day, starts_at, ends_at, capacity,
                     vaccine__str(site, "province_code"), vaccine__str(site, "district_code"),
                     vaccine__str(site, "commune_code"), by, now);
}

enum store_rc vaccine__site_capacity_lock(struct store *s, int64_t site_id, const char *product,
                                          int64_t *daily)
{
    enum store_rc rc = store_run(
        s, NULL,
        "UPDATE vaccine_site_capacity SET daily_capacity = daily_capacity WHERE site_id = ? AND product = ?",
        "is", site_id, product);
    if (!rc)
        rc = store_int(s, daily, "SELECT daily_capacity FROM vaccine_site_capacity WHERE site_id = ? AND product = ?",
                       "is", site_id, product);
    return rc;
}

enum store_rc vaccine__session_planned(struct store *s, int64_t site_id, const char *product, const char *day,
                                       int64_t *sum)
{
    enum store_rc rc =
        store_int(s, sum,
                  "SELECT COALESCE(SUM(capacity), 0) FROM vaccine_sessions WHERE site_id = ? AND product = ?"
                  " AND day = ?",
                  "iss", site_id, product, day);
    if (rc == STORE_DONE) {
        *sum = 0;
        rc = STORE_OK;
    }
    return rc;
}

enum store_rc vaccine__session_list(struct store *s, const char *area, int64_t site_id, const char *day,
                                    const char *product, int64_t limit, json_t **out)
{
    struct store_sql q;
    store_sql_init(&q, SESSION_COLS " WHERE 1 = 1", "");
    store_sql_area(&q, "se", area);
    if (day)
        store_sql_add(&q, " AND se.day = ?", "s", day);
    if (product)
        store_sql_add(&q, " AND se.product = ?", "s", product);
    if (site_id)
        store_sql_add(&q, " AND se.site_id = ?", "i", site_id);
    store_sql_add(&q, " ORDER BY se.day, se.starts_at, se.id LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, SESSION_TYPES, out);
}

enum store_rc vaccine__seat_take(struct store *s, int64_t session_id, bool *taken)
{
    int64_t changes = 0;
    enum store_rc rc = store_run(
        s, &changes, "UPDATE vaccine_sessions SET booked = booked + 1 WHERE id = ? AND booked < capacity",
        "i", session_id);
    *taken = rc == STORE_OK && changes == 1;
    return rc;
}

enum store_rc vaccine__seat_release(struct store *s, int64_t session_id)
{
    return store_run(s, NULL, "UPDATE vaccine_sessions SET booked = booked - 1 WHERE id = ? AND booked > 0", "i",
                     session_id);
}

/* ---------------------------------------------------------------- registrations */

#define REG_COLS                                                                                                      \
    "SELECT id, person_id, priority_group, conditions, source, age_years, commune_code, created_at"                   \
    " FROM vaccine_registrations"
#define REG_TYPES "iisssisi"

enum store_rc vaccine__registration_get_person(struct store *s, int64_t person_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, REG_COLS " WHERE person_id = ?", "i", person_id);
    return vaccine__row(st, rc, REG_TYPES, out);
}

enum store_rc vaccine__registration_find_client(struct store *s, const char *client_id, int64_t *id)
{
    return store_int(s, id, "SELECT id FROM vaccine_registrations WHERE client_id = ?", "s", client_id);
}

enum store_rc vaccine__registration_insert(struct store *s, const char *client_id, const struct person *p,
                                           const char *group, const char *conditions, const char *source,
                                           int age, int64_t by_account, int64_t by_person, int64_t now,
                                           int64_t *id)
{
    const char *prov = NULL, *dist = NULL, *comm = p->commune_code;
    const struct unit *u = comm ? unit_find(comm) : NULL;
    if (u)
        unit_ancestors(u, &prov, &dist, &comm);
    return store_int(s, id,
                     "INSERT INTO vaccine_registrations (client_id, person_id, priority_group, conditions, source,"
                     " age_years, province_code, district_code, commune_code, created_by_account, created_by_person,"
                     " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     "sisssdsssiiii", client_id, p->id, group, conditions, source, age, prov, dist, comm,
                     by_account, by_person, now, now);
}

enum store_rc vaccine__registration_list(struct store *s, const char *area, const char *group, bool waiting,
                                         int64_t limit, int64_t offset, json_t **out)
{
    struct store_sql q;
    /* The person's name, so a list can be read by the staff who invite them. */
    store_sql_init(&q,
                   "SELECT id, person_id, priority_group, conditions, source, age_years, commune_code, created_at,"
                   " (SELECT p.full_name FROM persons p WHERE p.id = vaccine_registrations.person_id) AS full_name"
                   " FROM vaccine_registrations WHERE 1 = 1",
                   "");
    store_sql_area(&q, NULL, area);
    if (group)
        store_sql_add(&q, " AND priority_group = ?", "s", group);
    if (waiting) /* nobody holding a seat, nobody vaccinated yet: the people a first-dose invitation is for */
        store_sql_add(&q,
                      " AND NOT EXISTS (SELECT 1 FROM vaccine_appointments a"
                      " WHERE a.person_id = vaccine_registrations.person_id AND a.active = 1)"
                      " AND NOT EXISTS (SELECT 1 FROM vaccine_doses d WHERE d.person_id = vaccine_registrations.person_id)",
                      "");
    store_sql_add(&q, " ORDER BY id LIMIT ? OFFSET ?", "ii", limit, offset);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, REG_TYPES "s", out);
}

/* ---------------------------------------------------------------- appointments */

#define APPT_COLS                                                                                                     \
    "SELECT a.id, a.person_id, a.session_id, a.dose_number, a.status, a.slot_start, a.slot_end, a.source,"            \
    " se.site_id, si.name AS site_name, se.product, se.day, a.created_at, a.updated_at, a.province_code,"             \
    " a.district_code, a.commune_code"                                                                                \
    " FROM vaccine_appointments a JOIN vaccine_sessions se ON se.id = a.session_id"                                   \
    " JOIN vaccine_sites si ON si.id = se.site_id"
#define APPT_TYPES "iiiisiisisssiisss"

enum store_rc vaccine__appointment_get(struct store *s, int64_t id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, APPT_COLS " WHERE a.id = ?", "i", id);
    return vaccine__row(st, rc, APPT_TYPES, out);
}

enum store_rc vaccine__appointment_find_client(struct store *s, const char *client_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, APPT_COLS " WHERE a.client_id = ?", "s", client_id);
    return vaccine__row(st, rc, APPT_TYPES, out);
}

enum store_rc vaccine__appointment_active(struct store *s, int64_t person_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st, APPT_COLS " WHERE a.person_id = ? AND a.active = 1", "i", person_id);
    return vaccine__row(st, rc, APPT_TYPES, out);
}

enum store_rc vaccine__appointment_waiting(struct store *s, int64_t person_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(
        s, &st, APPT_COLS " WHERE a.person_id = ? AND a.status = 'reschedule_requested' ORDER BY a.id DESC LIMIT 1",
        "i", person_id);
    return vaccine__row(st, rc, APPT_TYPES, out);
}

enum store_rc vaccine__appointment_insert(struct store *s, const char *client_id, int64_t person_id,
                                          const json_t *session, int dose_number, const char *status,
                                          int64_t slot_start, int64_t slot_end, const char *source,
                                          int64_t now, int64_t *id)
{
    return store_int(s, id,
                     "INSERT INTO vaccine_appointments (client_id, person_id, session_id, dose_number, status, active,"
                     " slot_start, slot_end, source, province_code, district_code, commune_code, created_at,"
                     " updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     "siidsiissssii", client_id, person_id, vaccine__int(session, "id"), dose_number, status,
                     slot_start, slot_end, source, vaccine__str(session, "province_code"),
                     vaccine__str(session, "district_code"), vaccine__str(session, "commune_code"), now, now);
}

enum store_rc vaccine__appointment_set(struct store *s, int64_t id, const char *status, int64_t now)
{
    int active = !strcmp(status, "invited") || !strcmp(status, "confirmed");
    return store_run(s, NULL, "UPDATE vaccine_appointments SET status = ?, active = ?, updated_at = ? WHERE id = ?",
                     "sdii", status, active, now, id);
}

enum store_rc vaccine__appointment_list_person(struct store *s, int64_t person_id, json_t **out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st, APPT_COLS " WHERE a.person_id = ? ORDER BY a.id DESC LIMIT 50", "i", person_id);
    return vaccine__rows(st, rc, APPT_TYPES, out);
}

enum store_rc vaccine__reschedule_list(struct store *s, const char *area, int64_t limit, json_t **out)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT a.id, a.person_id, a.session_id, a.dose_number, a.status, a.slot_start, a.slot_end,"
                   " se.site_id, si.name AS site_name, se.product, se.day, a.updated_at AS requested_at,"
                   " a.commune_code, p.full_name, p.phone, p.date_of_birth"
                   " FROM vaccine_appointments a JOIN vaccine_sessions se ON se.id = a.session_id"
                   " JOIN vaccine_sites si ON si.id = se.site_id JOIN persons p ON p.id = a.person_id"
                   " WHERE a.status = 'reschedule_requested'",
                   "");
    store_sql_area(&q, "a", area);
    store_sql_add(&q, " ORDER BY a.updated_at, a.id LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, "iiiisiiisssisss" "s", out);
}

enum store_rc vaccine__due_list(struct store *s, const char *area, int64_t until, int64_t limit, json_t **out)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT d.person_id, p.full_name, p.phone, p.date_of_birth, d.dose_number AS last_dose, d.product,"
                   " d.day AS last_day, d.next_earliest, d.next_latest, d.commune_code, r.created_at AS reminded_at"
                   " FROM vaccine_doses d JOIN persons p ON p.id = d.person_id"
                   " LEFT JOIN vaccine_reminders r ON r.person_id = d.person_id AND r.dose_number = d.dose_number + 1"
                   " WHERE d.next_earliest > 0 AND d.next_earliest <= ?"
                   " AND NOT EXISTS (SELECT 1 FROM vaccine_doses l WHERE l.person_id = d.person_id"
                   " AND l.dose_number > d.dose_number)"
                   " AND NOT EXISTS (SELECT 1 FROM vaccine_appointments a WHERE a.person_id = d.person_id"
                   " AND a.active = 1)",
                   "i", until);
    store_sql_area(&q, "d", area);
    store_sql_add(&q, " ORDER BY d.next_earliest, d.person_id LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, "isssisiiisi", out);
}

enum store_rc vaccine__quarantine_until(struct store *s, int64_t person_id, int64_t today, int64_t *end_day)
{
    return store_int(s, end_day,
                     "SELECT end_day FROM quarantine_orders WHERE person_id = ? AND status = 'active'"
                     " AND start_day <= ? AND end_day >= ? ORDER BY end_day DESC LIMIT 1",
                     "iii", person_id, today, today);
}

/* ---------------------------------------------------------------- oversight figures */

/* Days from..to over day_col (both optional). */
static void day_range(struct store_sql *q, const char *day_col, const char *from, const char *to)
{
    if (from) {
        store_sql_add(q, " AND ", "");
        store_sql_add(q, day_col, "");
        store_sql_add(q, " >= ?", "s", from);
    }
    if (to) {
        store_sql_add(q, " AND ", "");
        store_sql_add(q, day_col, "");
        store_sql_add(q, " <= ?", "s", to);
    }
}

enum store_rc vaccine__coverage(struct store *s, const char *key, const char *area, const char *from,
                                const char *to, json_t **out)
{
    /* key is one of the caller's constant column names, never request text */
    struct store_sql q;
    store_sql_init(&q, "SELECT ", "");
    store_sql_add(&q, key, "");
    store_sql_add(&q,
                  " AS key, COUNT(*) AS doses, COUNT(DISTINCT person_id) AS people,"
                  " SUM(CASE WHEN dose_number = 1 THEN 1 ELSE 0 END) AS first_doses,"
                  " SUM(completes) AS completed, SUM(booster) AS boosters FROM vaccine_doses WHERE 1 = 1",
                  "");
    store_sql_area(&q, NULL, area);
    day_range(&q, "day", from, to);
    store_sql_add(&q, " GROUP BY ", "");
    store_sql_add(&q, key, "");
    store_sql_add(&q, " ORDER BY 1", "");
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, "siiiii", out);
}

enum store_rc vaccine__site_days(struct store *s, const char *area, const char *from, const char *to,
                                 json_t **out)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT d.site_id, si.name AS site_name, d.day, d.product, COUNT(*) AS doses,"
                   " c.daily_capacity AS capacity FROM vaccine_doses d JOIN vaccine_sites si ON si.id = d.site_id"
                   " LEFT JOIN vaccine_site_capacity c ON c.site_id = d.site_id AND c.product = d.product WHERE 1 = 1",
                   "");
    store_sql_area_prefixed(&q, "d", "site_", area); /* where the site is */
    day_range(&q, "d.day", from, to);
    store_sql_add(&q, " GROUP BY d.site_id, si.name, d.day, d.product, c.daily_capacity ORDER BY d.day, d.site_id,"
                      " d.product",
                  "");
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, "isssii", out);
}

enum store_rc vaccine__adverse_counts(struct store *s, const char *area, const char *from, const char *to,
                                      json_t **out)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT e.severity, d.product, COUNT(*) AS events FROM vaccine_adverse_events e"
                   " JOIN vaccine_doses d ON d.id = e.dose_id WHERE 1 = 1",
                   "");
    store_sql_area(&q, "e", area);
    day_range(&q, "d.day", from, to);
    store_sql_add(&q, " GROUP BY e.severity, d.product ORDER BY e.severity, d.product", "");
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return vaccine__rows(st, rc, "ssi", out);
}

enum store_rc vaccine__session_booked(struct store *s, int64_t session_id, int64_t *booked)
{
    return store_int(s, booked, "SELECT booked FROM vaccine_sessions WHERE id = ?", "i", session_id);
}

enum store_rc vaccine__appointment_is_active(struct store *s, int64_t appointment_id, int64_t *active)
{
    return store_int(s, active, "SELECT active FROM vaccine_appointments WHERE id = ?", "i", appointment_id);
}
