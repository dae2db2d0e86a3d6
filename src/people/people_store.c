/*
 * people_store.c - the queries of the people domain: persons, the members a
 * citizen manages, personal QR payloads.  The only file that names the
 * persons and person_managers tables.
 *
 * Every function returns a STORE_* code (or an enum err where it says so);
 * strings of results live in the caller's arena.
 */
#include <stdio.h>
#include <string.h>

#include "admin/unit.h"
#include "core/clock.h"
#include "core/text.h"
#include "people/people_int.h"
#include "qr/qr.h"
#include "store/sql.h"
#include "store/store.h"

#define PERSON_COLS                                                                                                   \
    "id, code, full_name, date_of_birth, sex, phone, cccd, cmnd, bhyt, commune_code, street, household_id,"          \
    " qr_serial, created_at"

static const char *dup(struct arena *a, struct store_stmt *st, int i)
{
    const char *v = store_col_text(st, i);
    return v ? arena_strdup(a, v) : NULL;
}

static void read_row(struct store_stmt *st, struct arena *a, struct person *p)
{
    p->id = store_col_int(st, 0);
    p->code = dup(a, st, 1);
    p->full_name = dup(a, st, 2);
    p->date_of_birth = dup(a, st, 3);
    p->sex = dup(a, st, 4);
    p->phone = dup(a, st, 5);
    p->cccd = dup(a, st, 6);
    p->cmnd = dup(a, st, 7);
    p->bhyt = dup(a, st, 8);
    p->commune_code = dup(a, st, 9);
    p->street = dup(a, st, 10);
    p->household_id = store_col_null(st, 11) ? 0 : store_col_int(st, 11);
    p->qr_serial = store_col_int(st, 12);
    p->created_at = store_col_int(st, 13);
}

/* Runs a prepared query and reads its first row: STORE_OK, STORE_DONE or an error. */
static enum store_rc one(struct store_stmt *st, struct arena *a, struct person *out)
{
    enum store_rc rc = store_step(st);
    if (rc == STORE_ROW) {
        read_row(st, a, out);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

enum store_rc people_get(struct store *s, struct arena *a, int64_t id, struct person *out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, "SELECT " PERSON_COLS " FROM persons WHERE id = ?", "i", id);
    return rc ? rc : one(st, a, out);
}

enum store_rc people_find_by_code(struct store *s, struct arena *a, const char *code, struct person *out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, "SELECT " PERSON_COLS " FROM persons WHERE code = ?", "s", code);
    return rc ? rc : one(st, a, out);
}

enum store_rc people_find_by_cccd(struct store *s, struct arena *a, const char *cccd_or_cmnd,
                                  struct person *out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(
        s, &st, "SELECT " PERSON_COLS " FROM persons WHERE cccd = ? OR cmnd = ? ORDER BY id LIMIT 1", "ss",
        cccd_or_cmnd, cccd_or_cmnd);
    return rc ? rc : one(st, a, out);
}

enum store_rc people_find_by_bhyt(struct store *s, struct arena *a, const char *bhyt, struct person *out)
{
    char up[IDS_BHYT_LEN + 1];
    snprintf(up, sizeof(up), "%s", bhyt);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, "SELECT " PERSON_COLS " FROM persons WHERE bhyt = ?", "s", up);
    return rc ? rc : one(st, a, out);
}

/* Inserts with a fresh code; a code collision (50 random bits) is retried, any other conflict is STORE_DONE. */
static enum store_rc insert_row(struct store *s, const struct people_input *in, const char *signin_phone,
                                int64_t created_by, int64_t *id)
{
    const struct unit *u = in->commune_code ? unit_find(in->commune_code) : NULL;
    const char *province = NULL, *district = NULL, *commune = NULL;
    if (u)
        unit_ancestors(u, &province, &district, &commune);
    int64_t now = clock_now();
    for (int attempt = 0; attempt < 3; attempt++) {
        char code[PERSON_CODE_LEN + 1];
        qr_code_generate(code, PERSON_CODE_LEN);
        /* created_by is last so that 'n' (SQL NULL, no argument) can stand for "no account" */
        enum store_rc rc = store_int(
            s, id,
            "INSERT INTO persons (code, full_name, name_search, date_of_birth, sex, phone, signin_phone,"
            " cccd, cmnd, bhyt, province_code, district_code, commune_code, street, client_id,"
            " qr_serial, created_at, updated_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING id",
            created_by ? "sssssssssssssssiii" : "sssssssssssssssiin", code, in->full_name,
            in->full_name ? in->name_fold : NULL, in->date_of_birth, in->sex, in->phone, signin_phone,
            in->cccd, in->cmnd, in->bhyt, province, district, commune, in->street, in->client_id, now, now,
            created_by);
        if (rc != STORE_DONE)
            return rc;
        int64_t taken = 0;
        rc = store_int(s, &taken, "SELECT COUNT(*) FROM persons WHERE code = ?", "s", code);
        if (rc)
            return rc;
        if (!taken)
            return STORE_DONE; /* another unique column */
    }
    return STORE_ERROR;
}

enum store_rc people__insert(struct store *s, const struct people_input *in, int64_t created_by,
                             int64_t household_id, int64_t *id)
{
    enum store_rc rc = insert_row(s, in, NULL, created_by, id);
    if (!rc && household_id)
        rc = people__set_household(s, *id, household_id);
    return rc;
}

enum store_rc people__find_duplicate(struct store *s, struct arena *a, const struct people_input *in,
                                     struct person *out)
{
    struct store_stmt *st;
    enum store_rc rc;
    static const char *const by[] = {"client_id", "cccd", "cmnd", "bhyt"};
    const char *vals[] = {in->client_id, in->cccd, in->cmnd, in->bhyt};
    for (int i = 0; i < 4; i++) {
        if (!vals[i])
            continue;
        char sql[256];
        /* by[i] is one of four constant column names */
        snprintf(sql, sizeof(sql), "SELECT " PERSON_COLS " FROM persons WHERE %s = ?", by[i]);
        rc = store_query(s, &st, sql, "s", vals[i]);
        if (!rc)
            rc = one(st, a, out);
        if (rc != STORE_DONE)
            return rc;
    }
    if (in->phone && in->full_name && in->date_of_birth) {
        rc = store_query(s, &st,
                         "SELECT " PERSON_COLS " FROM persons WHERE phone = ? AND name_search = ? AND date_of_birth = ?"
                         " ORDER BY id LIMIT 1",
                         "sss", in->phone, in->name_fold, in->date_of_birth);
        return rc ? rc : one(st, a, out);
    }
    return STORE_DONE;
}

enum store_rc people__find_taken(struct store *s, int64_t self, const struct people_input *in,
                                 const char **field)
{
    static const char *const cols[] = {"cccd", "cmnd", "bhyt"};
    const char *vals[] = {in->cccd, in->cmnd, in->bhyt};
    for (int i = 0; i < 3; i++) {
        if (!vals[i])
            continue;
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT id FROM persons WHERE %s = ? AND id <> ?", cols[i]);
        int64_t other;
        enum store_rc rc = store_int(s, &other, sql, "si", vals[i], self);
        if (rc == STORE_OK) {
            *field = cols[i];
            return STORE_OK;
        }
        if (rc != STORE_DONE)
            return rc;
    }
    return STORE_DONE;
}

enum store_rc people__update(struct store *s, int64_t id, const struct people_input *in)
{
    /* Fields absent from the request keep their value: COALESCE(new, old) per column. */
    const struct unit *u = in->commune_code ? unit_find(in->commune_code) : NULL;
    const char *province = NULL, *district = NULL, *commune = NULL;
    if (u)
        unit_ancestors(u, &province, &district, &commune);
    return store_run(s, NULL,
                     "UPDATE persons SET full_name = COALESCE(?, full_name), name_search = COALESCE(?, name_search),"
                     " date_of_birth = COALESCE(?, date_of_birth), sex = COALESCE(?, sex), cccd = COALESCE(?, cccd),"
                     " cmnd = COALESCE(?, cmnd), bhyt = COALESCE(?, bhyt),"
                     " province_code = COALESCE(?, province_code), district_code = COALESCE(?, district_code),"
                     " commune_code = COALESCE(?, commune_code), street = COALESCE(?, street), updated_at = ?"
                     " WHERE id = ?",
                     "sssssssssssii", in->full_name, in->full_name ? in->name_fold : NULL, in->date_of_birth, in->sex,
                     in->cccd, in->cmnd, in->bhyt, province, district, commune, in->street, clock_now(), id);
}

enum store_rc people__set_household(struct store *s, int64_t id, int64_t household_id)
{
    return store_run(s, NULL, "UPDATE persons SET household_id = ?, updated_at = ? WHERE id = ?", "iii", household_id,
                     clock_now(), id);
}

enum store_rc people__signin_person(struct store *s, struct arena *a, const char *phone, struct person *out,
                                    bool *created)
{
    struct store_stmt *st;
    *created = false;
    enum store_rc rc =
        store_query(s, &st, "SELECT " PERSON_COLS " FROM persons WHERE signin_phone = ?", "s", phone);
    if (!rc)
        rc = one(st, a, out);
    if (rc != STORE_DONE)
        return rc;
    struct people_input in = {.phone = phone};
    int64_t id;
    rc = insert_row(s, &in, phone, 0, &id);
    if (rc == STORE_OK) {
        *created = true;
        return people_get(s, a, id, out);
    }
    if (rc != STORE_DONE)
        return rc;
    /* Created meanwhile by a concurrent first sign-in. */
    rc = store_query(s, &st, "SELECT " PERSON_COLS " FROM persons WHERE signin_phone = ?", "s", phone);
    return rc ? rc : one(st, a, out);
}

enum store_rc people_find_or_create_by_phone_name(struct store *s, struct arena *a, const char *phone,
                                                  const char *full_name, struct person *out, bool *created)
{
    struct people_input in = {.phone = phone, .full_name = full_name};
    text_fold(full_name, in.name_fold, sizeof(in.name_fold));
    *created = false;
    struct store_stmt *st;
    enum store_rc rc = store_query(
        s, &st, "SELECT " PERSON_COLS " FROM persons WHERE phone = ? AND name_search = ? ORDER BY id LIMIT 1",
        "ss", phone, in.name_fold);
    if (!rc)
        rc = one(st, a, out);
    if (rc != STORE_DONE)
        return rc;
    int64_t id;
    rc = insert_row(s, &in, NULL, 0, &id);
    if (rc)
        return rc == STORE_DONE ? STORE_CONFLICT : rc;
    *created = true;
    return people_get(s, a, id, out);
}

enum store_rc people__is_citizen(struct store *s, int64_t id, bool *yes)
{
    int64_t n = 0;
    enum store_rc rc =
        store_int(s, &n, "SELECT COUNT(*) FROM persons WHERE id = ? AND signin_phone IS NOT NULL", "i", id);
    *yes = n > 0;
    return rc;
}

enum store_rc people__manager_of(struct store *s, int64_t id, int64_t *manager)
{
    *manager = 0;
    enum store_rc rc =
        store_int(s, manager, "SELECT manager_person_id FROM person_managers WHERE person_id = ?", "i", id);
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc people__link(struct store *s, int64_t person_id, int64_t manager_id)
{
    return store_run(s, NULL, "INSERT INTO person_managers (person_id, manager_person_id, created_at) VALUES (?, ?, ?)",
                     "iii", person_id, manager_id, clock_now());
}

enum store_rc people__unlink(struct store *s, int64_t person_id, int64_t manager_id, int64_t *changes)
{
    return store_run(s, changes, "DELETE FROM person_managers WHERE person_id = ? AND manager_person_id = ?", "ii",
                     person_id, manager_id);
}

bool people_manages(struct store *s, int64_t manager_id, int64_t person_id)
{
    int64_t n = 0;
    int rc = store_int(s, &n, "SELECT COUNT(*) FROM person_managers WHERE person_id = ? AND manager_person_id = ?",
                       "ii", person_id, manager_id);
    return rc == STORE_OK && n > 0;
}

/* Reads every row of st into an array in a. */
static enum store_rc all(struct store_stmt *st, struct arena *a, int max, struct person **out, int *n)
{
    struct person *list = arena_alloc(a, sizeof(*list) * (size_t)(max > 0 ? max : 1));
    int i = 0, rc;
    while ((rc = store_step(st)) == STORE_ROW && i < max)
        read_row(st, a, &list[i++]);
    store_finalize(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return rc;
    *out = list;
    *n = i;
    return STORE_OK;
}

#define PEOPLE_MANAGED_MAX 100 /* family members one citizen may manage */

enum store_rc people_managed(struct store *s, struct arena *a, int64_t manager_id, struct person **out,
                             int *n)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(
        s, &st,
        "SELECT p.id, p.code, p.full_name, p.date_of_birth, p.sex, p.phone, p.cccd, p.cmnd, p.bhyt,"
        " p.commune_code, p.street, p.household_id, p.qr_serial, p.created_at"
        " FROM person_managers m JOIN persons p ON p.id = m.person_id"
        " WHERE m.manager_person_id = ? ORDER BY p.id LIMIT ?",
        "ii", manager_id, (int64_t)PEOPLE_MANAGED_MAX);
    return rc ? rc : all(st, a, PEOPLE_MANAGED_MAX, out, n);
}

enum store_rc people__qr_revoke(struct store *s, int64_t id, int64_t *serial)
{
    return store_int(s, serial, "UPDATE persons SET qr_serial = qr_serial + 1, updated_at = ? WHERE id = ?"
                     " RETURNING qr_serial", "ii", clock_now(), id);
}

enum store_rc people__search(struct store *s, struct arena *a, const struct people_search *q,
                             struct person **out, int *n)
{
    const char *crit, *value;
    char pattern[PEOPLE_FOLD_MAX + 2];
    if (q->name_fold) {
        /* "nguyen an" -> "%nguyen%an%": the words in order, anything between; the fold holds only [a-z0-9 ]. */
        size_t j = 0;
        pattern[j++] = '%';
        for (const char *p = q->name_fold; *p && j + 2 < sizeof(pattern); p++)
            pattern[j++] = *p == ' ' ? '%' : *p;
        pattern[j++] = '%';
        pattern[j] = '\0';
        crit = "name_search LIKE ?";
        value = pattern;
    } else if (q->phone) {
        crit = "phone = ?";
        value = q->phone;
    } else if (q->bhyt) {
        crit = "bhyt = ?";
        value = q->bhyt;
    } else {
        crit = q->id_number && strlen(q->id_number) == IDS_CMND_LEN ? "cmnd = ?" : "cccd = ?";
        value = q->id_number;
    }
    /* crit is one of the constant fragments above; values are bound */
    struct store_sql sql;
    store_sql_init(&sql, "SELECT " PERSON_COLS " FROM persons WHERE ", "");
    store_sql_add(&sql, crit, "s", value);
    store_sql_area(&sql, NULL, q->unit_code);
    store_sql_add(&sql, " ORDER BY name_search, id LIMIT ?", "i", q->limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &sql);
    return rc ? rc : all(st, a, (int)q->limit, out, n);
}

/* ---- personal QR ---- */

enum err people_qr_payload(struct store *s, const struct person *p, char out[256])
{
    char serial[24];
    snprintf(serial, sizeof(serial), "%lld", (long long)p->qr_serial);
    const char *fields[] = {p->code, serial};
    return qr_sign(s, 'P', fields, 2, out);
}

/* Parses and verifies; *reason NULL when the payload names a current person (then *out is filled). */
static enum store_rc resolve(struct store *s, struct arena *a, const char *payload, const char **reason,
                             struct person *out)
{
    struct qr_parsed q;
    int st = qr_verify(s, payload, &q);
    if (st == QR_ERROR)
        return STORE_ERROR;
    if (st != QR_VALID) {
        *reason = qr_status_name(st);
        return STORE_OK;
    }
    if (q.type != 'P' || q.nfields != 2) {
        *reason = "bad_format";
        return STORE_OK;
    }
    enum store_rc rc = people_find_by_code(s, a, q.fields[0], out);
    if (rc && rc != STORE_DONE)
        return rc;
    char serial[24];
    if (!rc)
        snprintf(serial, sizeof(serial), "%lld", (long long)out->qr_serial);
    *reason = rc == STORE_DONE || strcmp(serial, q.fields[1]) ? "revoked" : NULL;
    return STORE_OK;
}

enum err people_from_qr(struct store *s, struct arena *a, const char *payload, const char *field,
                        struct person *out, struct fault *f)
{
    const char *reason = NULL;
    int rc = resolve(s, a, payload, &reason, out);
    if (rc)
        return store_err(rc);
    if (!reason)
        return 0;
    if (!strcmp(reason, "revoked"))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s is a personal QR code that has been revoked", field);
    return fault_set(f, ERR_INVALID_FIELD, field, "%s is not a valid personal QR code (%s)", field, reason);
}

enum store_rc people_qr_status(struct store *s, const char *payload, bool *valid, const char **reason)
{
    struct arena a;
    struct person p;
    arena_init(&a);
    *reason = NULL;
    enum store_rc rc = resolve(s, &a, payload, reason, &p);
    arena_release(&a);
    *valid = !rc && !*reason;
    return rc;
}
