/*
 * people_store.c - the queries of the people domain: persons, the members a
 * citizen manages, personal QR payloads.  The only file that names the
 * persons and person_managers tables.
 *
 * Every function returns a STORE_* code (or an enum err where it says so);
 * strings of results live in the caller's arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
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

/* A merged record's id and code resolve to the record it was merged into (a merge re-points older ones). */
enum store_rc people_get(struct store *s, struct arena *a, int64_t id, struct person *out)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT " PERSON_COLS " FROM persons"
                                   " WHERE id = (SELECT COALESCE(merged_into, id) FROM persons WHERE id = ?)",
                                   "i", id);
    return rc ? rc : one(st, a, out);
}

enum store_rc people_find_by_code(struct store *s, struct arena *a, const char *code, struct person *out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st,
                    "SELECT " PERSON_COLS " FROM persons"
                    " WHERE id = (SELECT COALESCE(merged_into, id) FROM persons WHERE code = ?)",
                    "s", code);
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

/* The live person whose column col (a constant name) holds val. */
static enum store_rc by_column(struct store *s, struct arena *a, const char *col, const char *val,
                               struct person *out)
{
    char sql[256];
    struct store_stmt *st;
    snprintf(sql, sizeof(sql), "SELECT " PERSON_COLS " FROM persons WHERE %s = ? AND merged_into IS NULL", col);
    enum store_rc rc = store_query(s, &st, sql, "s", val);
    return rc ? rc : one(st, a, out);
}

int people__find_duplicate(struct store *s, struct arena *a, const struct people_input *in, struct person *out,
                           struct fault *f)
{
    int rc;
    if (in->client_id && (rc = by_column(s, a, "client_id", in->client_id, out)) != STORE_DONE)
        return rc; /* a retry of the request that recorded it */
    static const char *const ids[] = {"cccd", "cmnd", "bhyt"};
    const char *vals[] = {in->cccd, in->cmnd, in->bhyt};
    const char *by = NULL;
    for (int i = 0; i < 3; i++) {
        struct person p;
        if (!vals[i] || (rc = by_column(s, a, ids[i], vals[i], &p)) == STORE_DONE)
            continue;
        if (rc)
            return rc;
        if (!by) {
            *out = p;
            by = ids[i];
        } else if (p.id != out->id) {
            return fault_set(f, ERR_CONFLICT, ids[i], "this %s and this %s are recorded for two different people; "
                             "the commune health station can correct the records", by, ids[i]);
        }
    }
    if (by)
        return people__same_identity(out, by, in, f);
    if (!in->phone || !in->full_name)
        return STORE_DONE;
    struct store_stmt *st;
    if (!in->date_of_birth) { /* a walk-in or a check-in: phone and name are all there is */
        rc = store_query(s, &st,
                         "SELECT " PERSON_COLS " FROM persons WHERE phone = ? AND name_search = ? AND merged_into IS NULL"
                         " AND unverified = 0 ORDER BY id LIMIT 1",
                         "ss", in->phone, in->name_fold);
        if (rc)
            return rc;
        return one(st, a, out);
    }
    /* a walk-in recorded by phone and name has no birth date yet: it is the same person */
    rc = store_query(s, &st,
                     "SELECT " PERSON_COLS " FROM persons WHERE phone = ? AND name_search = ?"
                     " AND (date_of_birth = ? OR date_of_birth IS NULL) AND merged_into IS NULL AND unverified = 0"
                     " ORDER BY CASE WHEN date_of_birth IS NULL THEN 1 ELSE 0 END, id LIMIT 1",
                     "sss", in->phone, in->name_fold, in->date_of_birth);
    if (!rc)
        rc = one(st, a, out);
    if (rc)
        return rc;
    return people__same_identity(out, "phone, full_name and date_of_birth", in, f);
}

enum store_rc people__enrich(struct store *s, int64_t id, const struct people_input *in)
{
    /* COALESCE(old, new): a recorded value is never overwritten, a missing one is added. */
    const struct unit *u = in->commune_code ? unit_find(in->commune_code) : NULL;
    const char *province = NULL, *district = NULL, *commune = NULL;
    if (u)
        unit_ancestors(u, &province, &district, &commune);
    int64_t now = clock_now();
    return store_run(s, NULL,
                     "UPDATE persons SET full_name = COALESCE(full_name, ?), name_search = COALESCE(name_search, ?),"
                     " date_of_birth = COALESCE(date_of_birth, ?), sex = COALESCE(sex, ?), phone = COALESCE(phone, ?),"
                     " cccd = COALESCE(cccd, ?), cmnd = COALESCE(cmnd, ?), bhyt = COALESCE(bhyt, ?),"
                     " province_code = CASE WHEN commune_code IS NULL THEN ? ELSE province_code END,"
                     " district_code = CASE WHEN commune_code IS NULL THEN ? ELSE district_code END,"
                     " commune_code = COALESCE(commune_code, ?), street = COALESCE(street, ?), updated_at = ?"
                     " WHERE id = ?",
                     "ssssssssssssii", in->full_name, in->full_name ? in->name_fold : NULL, in->date_of_birth, in->sex,
                     in->phone, in->cccd, in->cmnd, in->bhyt, province, district, commune, in->street, now, id);
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

enum store_rc people__set_name_of(struct store *s, int64_t id, const char *full_name)
{
    char fold[PEOPLE_FOLD_MAX];
    text_fold(full_name, fold, sizeof(fold));
    return store_run(s, NULL, "UPDATE persons SET full_name = ?, name_search = ?, updated_at = ? WHERE id = ?"
                     " AND full_name IS NULL", "ssii", full_name, fold, clock_now(), id);
}

enum store_rc people__set_household(struct store *s, int64_t id, int64_t household_id)
{
    return store_run(s, NULL, "UPDATE persons SET household_id = ?, updated_at = ? WHERE id = ?", "iii", household_id,
                     clock_now(), id);
}

enum store_rc people__set_phone(struct store *s, int64_t id, const char *phone)
{
    return store_run(s, NULL, "UPDATE persons SET phone = ?, updated_at = ? WHERE id = ? AND signin_phone IS NULL",
                     "sii", phone, clock_now(), id);
}

/*
 * A first sign-in naming the person: the one unverified record of that phone
 * and name (a walk-in) becomes theirs.  STORE_DONE when there is not exactly one.
 */
static enum store_rc claim_walk_in(struct store *s, struct arena *a, const struct people_input *in,
                                   struct person *out)
{
    int64_t n = 0, id = 0, changes = 0;
    const char *unverified = " FROM persons p WHERE phone = ? AND name_search = ? AND signin_phone IS NULL"
                             " AND merged_into IS NULL"
                             " AND NOT EXISTS (SELECT 1 FROM person_managers m WHERE m.person_id = p.id)";
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*)%s", unverified);
    enum store_rc rc = store_int(s, &n, sql, "ss", in->phone, in->name_fold);
    if (rc || n != 1)
        return rc ? rc : STORE_DONE;
    snprintf(sql, sizeof(sql), "SELECT id%s", unverified);
    rc = store_int(s, &id, sql, "ss", in->phone, in->name_fold);
    if (!rc)
        rc = store_run(s, &changes, "UPDATE persons SET signin_phone = ?, unverified = 0, updated_at = ? WHERE id = ?"
                       " AND signin_phone IS NULL", "sii", in->phone, clock_now(), id);
    if (!rc && changes != 1)
        rc = STORE_DONE;
    return rc ? rc : people_get(s, a, id, out);
}

enum store_rc people__signin_person(struct store *s, struct arena *a, const char *phone,
                                    const char *full_name, struct person *out, bool *created)
{
    struct store_stmt *st;
    *created = false;
    enum store_rc rc =
        store_query(s, &st, "SELECT " PERSON_COLS " FROM persons WHERE signin_phone = ?", "s", phone);
    if (!rc)
        rc = one(st, a, out);
    if (rc != STORE_DONE)
        return rc;
    static struct people_input zero;
    struct people_input in = zero;
    in.phone = phone;
    if (full_name) {
        people__set_name(&in, full_name);
        if ((rc = claim_walk_in(s, a, &in, out)) != STORE_DONE)
            return rc;
    }
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
    static struct people_input zero;
    struct people_input in = zero;
    in.phone = phone;
    people__set_name(&in, full_name); /* stored NFC, matched folded */
    *created = false;
    struct fault f = {0};
    int found = people__find_duplicate(s, a, &in, out, &f);
    if (f.code) /* an enum err: the record of this phone and name disagrees with the input */
        return STORE_CONFLICT;
    enum store_rc rc = (enum store_rc)found;
    if (rc != STORE_DONE)
        return rc;
    int64_t id;
    rc = insert_row(s, &in, NULL, 0, &id);
    if (rc)
        return rc == STORE_DONE ? STORE_CONFLICT : rc;
    *created = true;
    return people_get(s, a, id, out);
}

enum store_rc people__raw_state(struct store *s, int64_t id, int64_t *merged_into)
{
    *merged_into = 0;
    enum store_rc rc =
        store_int(s, merged_into, "SELECT COALESCE(merged_into, 0) FROM persons WHERE id = ?", "i", id);
    return rc;
}

enum store_rc people__proof_phone(struct store *s, int64_t id, bool *signs_in, char phone[11])
{
    struct store_stmt *st;
    phone[0] = '\0';
    *signs_in = false;
    enum store_rc rc = store_query(s, &st, "SELECT signin_phone, phone FROM persons WHERE id = ?", "i", id);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        const char *v = store_col_text(st, 0);
        *signs_in = v != NULL;
        if (!v)
            v = store_col_text(st, 1);
        snprintf(phone, 11, "%s", v ? v : "");
        rc = STORE_OK;
    }
    store_finalize(st);
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

enum store_rc people_manager(struct store *s, struct arena *a, int64_t person_id, struct person *out)
{
    int64_t manager = 0;
    enum store_rc rc =
        store_int(s, &manager,
                  "SELECT manager_person_id FROM person_managers WHERE person_id = ? ORDER BY created_at"
                  " LIMIT 1",
                  "i", person_id);
    return rc ? rc : people_get(s, a, manager, out);
}

enum store_rc people_reach(struct store *s, struct arena *a, int64_t person_id, const char **phone,
                           const char **name)
{
    struct person p, manager;
    *phone = *name = NULL;
    enum store_rc rc = people_get(s, a, person_id, &p);
    if (rc == STORE_OK && p.phone) {
        *phone = p.phone;
    } else if (rc == STORE_OK) {
        rc = people_manager(s, a, person_id, &manager);
        if (rc == STORE_OK && manager.phone) {
            *phone = manager.phone;
            *name = p.full_name ? p.full_name : p.code;
        }
    }
    return rc == STORE_DONE ? STORE_OK : rc;
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
    } else if (q->code) {
        crit = "code = ?";
        value = q->code;
    } else {
        crit = q->id_number && strlen(q->id_number) == IDS_CMND_LEN ? "cmnd = ?" : "cccd = ?";
        value = q->id_number;
    }
    /* crit is one of the constant fragments above; values are bound */
    struct store_sql sql;
    store_sql_init(&sql, "SELECT " PERSON_COLS " FROM persons WHERE merged_into IS NULL AND ", "");
    store_sql_add(&sql, crit, "s", value);
    store_sql_area(&sql, NULL, q->unit_code);
    store_sql_add(&sql, " ORDER BY name_search, id LIMIT ?", "i", q->limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &sql);
    return rc ? rc : all(st, a, (int)q->limit, out, n);
}

enum store_rc people__household(struct store *s, struct arena *a, int64_t household_id, const char *unit_code,
                                int max, struct person **out, int *n)
{
    struct store_sql sql;
    store_sql_init(&sql, "SELECT " PERSON_COLS " FROM persons WHERE merged_into IS NULL AND ", "");
    store_sql_add(&sql, "household_id = ?", "i", household_id);
    store_sql_area(&sql, NULL, unit_code);
    store_sql_add(&sql, " ORDER BY id LIMIT ?", "i", (int64_t)max);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &sql);
    return rc ? rc : all(st, a, max, out, n);
}

/* ---- names recorded before NFC ---- */

#define RENORM_BATCH 500

struct renorm_row {
    int64_t id;
    char name[PEOPLE_NAME_BUF], fold[PEOPLE_FOLD_MAX];
};

/* Reads the next batch after *last into rows (those whose NFC or fold differ); *n rows, *more if the batch was full. */
static enum store_rc renorm_batch(struct store *s, int64_t *last, struct renorm_row *rows, int *n, bool *more)
{
    struct store_stmt *st;
    int seen = 0, rc = store_query(s, &st, "SELECT id, full_name, COALESCE(name_search, '') FROM persons"
                                   " WHERE id > ? AND full_name IS NOT NULL ORDER BY id LIMIT ?",
                                   "ii", *last, (int64_t)RENORM_BATCH);
    *n = 0;
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        struct renorm_row *w = &rows[*n];
        const char *name = store_col_text(st, 1);
        seen++;
        *last = store_col_int(st, 0);
        if (!text_nfc(name, w->name, sizeof(w->name)))
            continue; /* longer than any name Cordon accepts: left as it is */
        text_fold(w->name, w->fold, sizeof(w->fold));
        if (strcmp(w->name, name) || strcmp(w->fold, store_col_text(st, 2))) {
            w->id = *last;
            ++*n;
        }
    }
    store_finalize(st);
    *more = seen == RENORM_BATCH;
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc people_renormalise_names(struct store *s, int64_t *changed)
{
    struct renorm_row *rows = calloc(RENORM_BATCH, sizeof(*rows));
    int64_t last = 0;
    bool more = true;
    enum store_rc rc = rows ? STORE_OK : STORE_ERROR;
    *changed = 0;
    while (!rc && more) {
        int n;
        rc = renorm_batch(s, &last, rows, &n, &more);
        for (int i = 0; !rc && i < n; i++)
            rc = store_run(s, NULL, "UPDATE persons SET full_name = ?, name_search = ? WHERE id = ?", "ssi",
                           rows[i].name, rows[i].fold, rows[i].id);
        *changed += rc ? 0 : n;
    }
    free(rows);
    return rc;
}

/* ---- personal QR ---- */

/* A card is current while its serial is the person's: revoking bumps it (qr_on_verify). */
static int card_current(struct store *s, const struct qr_parsed *q)
{
    struct arena a;
    arena_init(&a);
    struct person p;
    int rc = people_find_by_code(s, &a, q->fields[0], &p);
    int current = rc == STORE_OK && p.qr_serial == strtoll(q->fields[1], NULL, 10);
    arena_release(&a);
    return rc == STORE_OK || rc == STORE_DONE ? current : -1;
}

void people_follow_qr(void)
{
    qr_on_verify('P', card_current);
}

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
