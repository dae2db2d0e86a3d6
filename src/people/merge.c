/*
 * merge.c - two records of one person become one, and back.
 *
 * A merge moves every row that names the merged person (samples, doses,
 * declarations, family links, sessions, ...) to the kept person, lets the
 * kept record take the fields it lacks (a CCCD, a birth date, the sign-in
 * phone), and marks the merged record merged_into the kept one, so its id
 * and code keep resolving.  Each moved row is remembered (person_merge_moves)
 * so that undo puts back exactly what the merge moved, and not rows recorded
 * for the kept person since.
 *
 * The same merge serves staff (POST /api/v1/people/merge) and a citizen's
 * sign-in claiming the walk-in records of their phone and name.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "people/people_int.h"
#include "store/store.h"

/* Every column that names a person, with a column that tells its rows apart. */
static const struct link {
    const char *table, *column, *key;
} links[] = {
    {"sessions", "person_id", "id"},
    {"checkins", "person_id", "id"},
    {"checkins", "created_by_person", "id"},
    {"declarations", "person_id", "id"},
    {"testing_samples", "person_id", "id"},
    {"testing_retest_orders", "person_id", "id"},
    {"cases", "person_id", "id"},
    {"vaccine_registrations", "person_id", "id"},
    {"vaccine_registrations", "created_by_person", "id"},
    {"vaccine_appointments", "person_id", "id"},
    {"vaccine_visits", "person_id", "id"},
    {"vaccine_doses", "person_id", "id"},
    {"vaccine_adverse_events", "person_id", "id"},
    {"vaccine_adverse_events", "reported_by_person", "id"},
    {"vaccine_certificates", "person_id", "id"},
    {"tracing_runs", "person_id", "id"},
    {"tracing_contacts", "person_id", "id"},
    {"tracing_contacts", "through_person_id", "id"},
    {"tracing_interviews", "index_person_id", "id"},
    {"tracing_interviews", "contact_person_id", "id"},
    {"test_orders", "person_id", "id"},
    {"quarantine_orders", "person_id", "id"},
    {"quarantine_alerts", "person_id", "id"},
    {"person_managers", "person_id", "manager_person_id"},
    {"person_managers", "manager_person_id", "person_id"},
    {"family_link_requests", "person_id", "id"},
    {"family_link_requests", "manager_person_id", "id"},
    {"persons", "merged_into", "id"}, /* records merged earlier into the merged one follow it */
};

/* Person columns the kept record takes when it has none; the unique ones leave the merged record. */
static const struct field {
    const char *name;
    bool unique;
} fields[] = {
    {"full_name", false},    {"name_search", false},   {"date_of_birth", false}, {"sex", false},
    {"phone", false},        {"signin_phone", true},   {"cccd", true},           {"cmnd", true},
    {"bhyt", true},          {"province_code", false}, {"district_code", false}, {"commune_code", false},
    {"street", false},
};

/* Check-ins that changed person go into the check-in change log (migration 020), which every server's
 * contact index follows. */
static int log_checkins(struct store *s, int64_t merge_ref)
{
    int rc = store_run(s, NULL,
                       "INSERT INTO checkin_changes (checkin_id, at) SELECT row_key, ? FROM person_merge_moves"
                       " WHERE merge_ref = ? AND table_name = 'checkins' AND column_name = 'person_id'",
                       "ii", clock_now(), merge_ref);
    if (!rc)
        rc = store_notify(s, "cordon_checkins"); /* venue/checkin.h CHECKIN_CHANNEL */
    return rc;
}

static int move_links(struct store *s, int64_t merge_ref, int64_t from, int64_t to)
{
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        const struct link *l = &links[i];
        char sql[512];
        /* table, column and key are constants of the list above */
        snprintf(sql, sizeof(sql),
                 "INSERT INTO person_merge_moves (merge_ref, table_name, column_name, row_key)"
                 " SELECT ?, '%s', '%s', %s FROM %s WHERE %s = ?",
                 l->table, l->column, l->key, l->table, l->column);
        int rc = store_run(s, NULL, sql, "ii", merge_ref, from);
        if (!rc) {
            snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE %s = ?", l->table, l->column, l->column);
            rc = store_run(s, NULL, sql, "ii", to, from);
        }
        if (rc)
            return rc;
    }
    return log_checkins(s, merge_ref);
}

static int unmove_links(struct store *s, int64_t merge_ref, int64_t keep, int64_t merged)
{
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        const struct link *l = &links[i];
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "UPDATE %s SET %s = ? WHERE %s = ? AND %s IN (SELECT row_key FROM person_merge_moves"
                 " WHERE merge_ref = ? AND table_name = '%s' AND column_name = '%s')",
                 l->table, l->column, l->column, l->key, l->table, l->column);
        int rc = store_run(s, NULL, sql, "iii", merged, keep, merge_ref);
        if (rc)
            return rc;
    }
    return log_checkins(s, merge_ref);
}

/* The text in column name of person id (NULL if none), in a. */
static int column_text(struct store *s, struct arena *a, int64_t id, const char *name, const char **out)
{
    char sql[128];
    struct store_stmt *st;
    *out = NULL;
    snprintf(sql, sizeof(sql), "SELECT %s FROM persons WHERE id = ?", name);
    int rc = store_query(s, &st, sql, "i", id);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        const char *v = store_col_text(st, 0);
        *out = v ? arena_strdup(a, v) : NULL;
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

/* Whether column name of person id is set. */
static int has_value(struct store *s, int64_t id, const char *name, bool *yes)
{
    char sql[128];
    int64_t n = 0;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM persons WHERE id = ? AND %s IS NOT NULL", name);
    int rc = store_int(s, &n, sql, "i", id);
    *yes = n > 0;
    return rc;
}

/* The kept record takes the fields it lacks; *moved lists them, comma-separated, in a. */
static int take_fields(struct store *s, struct arena *a, int64_t keep, int64_t merged, const char **moved)
{
    char list[256] = "";
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *name = fields[i].name;
        bool kept_has, merged_has;
        int rc = has_value(s, keep, name, &kept_has);
        if (!rc)
            rc = has_value(s, merged, name, &merged_has);
        if (rc)
            return rc;
        if (kept_has || !merged_has)
            continue;
        char sql[256];
        snprintf(sql, sizeof(sql), "UPDATE persons SET %s = (SELECT %s FROM persons WHERE id = ?) WHERE id = ?", name,
                 name);
        if (fields[i].unique) { /* the value leaves the merged record first: the column is unique */
            const char *val = NULL;
            rc = column_text(s, a, merged, name, &val);
            if (!rc) {
                snprintf(sql, sizeof(sql), "UPDATE persons SET %s = NULL WHERE id = ?", name);
                rc = store_run(s, NULL, sql, "i", merged);
            }
            if (!rc) {
                snprintf(sql, sizeof(sql), "UPDATE persons SET %s = ? WHERE id = ?", name);
                rc = store_run(s, NULL, sql, "si", val, keep);
            }
        } else {
            rc = store_run(s, NULL, sql, "ii", merged, keep);
        }
        if (rc)
            return rc;
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? "," : "", name);
    }
    *moved = arena_strdup(a, list);
    return STORE_OK;
}

/* Puts back the fields a merge gave the kept record. */
static int give_back_fields(struct store *s, struct arena *a, int64_t keep, int64_t merged, const char *moved)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *name = fields[i].name;
        size_t n = strlen(name);
        const char *hit = strstr(moved, name);
        while (hit && ((hit != moved && hit[-1] != ',') || (hit[n] && hit[n] != ',')))
            hit = strstr(hit + 1, name);
        if (!hit)
            continue;
        char sql[256];
        const char *val = NULL;
        int rc = column_text(s, a, keep, name, &val);
        if (rc == STORE_DONE)
            continue;
        if (!rc) {
            snprintf(sql, sizeof(sql), "UPDATE persons SET %s = NULL WHERE id = ?", name);
            rc = store_run(s, NULL, sql, "i", keep);
            if (!rc && val) {
                snprintf(sql, sizeof(sql), "UPDATE persons SET %s = ? WHERE id = ?", name);
                rc = store_run(s, NULL, sql, "si", val, merged);
            }
        }
        if (rc)
            return rc;
    }
    return STORE_OK;
}

int people__merge_check(const struct person *keep, const struct person *merged, bool keep_signs_in,
                        bool merged_signs_in, struct fault *f)
{
    if (keep->id == merged->id)
        return fault_set(f, ERR_INVALID_FIELD, "merge_id", "merge_id must name another person than keep_id");
    static const char *const ids[] = {"cccd", "cmnd", "bhyt"};
    const char *k[] = {keep->cccd, keep->cmnd, keep->bhyt};
    const char *m[] = {merged->cccd, merged->cmnd, merged->bhyt};
    for (int i = 0; i < 3; i++)
        if (k[i] && m[i] && strcmp(k[i], m[i]))
            return fault_set(f, ERR_CONFLICT, ids[i], "the two records hold different %s numbers: they are two "
                             "people", ids[i]);
    /* a person holds a CCCD or the CMND it replaced, never both: which one is right is for staff to correct */
    if ((keep->cccd && !keep->cmnd && merged->cmnd && !merged->cccd) ||
        (keep->cmnd && !keep->cccd && merged->cccd && !merged->cmnd))
        return fault_set(f, ERR_CONFLICT, "cmnd", "one record holds a CCCD and the other a CMND; correct the records "
                         "first");
    if (keep_signs_in && merged_signs_in)
        return fault_set(f, ERR_CONFLICT, "merge_id", "both people sign in with their own phone");
    return 0;
}

int people__merge(struct store *s, struct arena *a, const struct people_merge_in *in, int64_t *merge_ref)
{
    int64_t now = clock_now();
    int64_t manages = 0;
    int rc = store_int(s, &manages,
                       "SELECT COUNT(*) FROM person_managers WHERE (person_id = ? AND manager_person_id = ?)"
                       " OR (person_id = ? AND manager_person_id = ?)",
                       "iiii", in->keep, in->merged, in->merged, in->keep);
    if (rc)
        return rc;
    if (manages)
        return ERR_CONFLICT;
    rc = in->created_by ? store_int(s, merge_ref,
                                    "INSERT INTO person_merges (keep_id, merge_id, reason, moved_fields, client_id,"
                                    " created_at, created_by) VALUES (?, ?, ?, '', ?, ?, ?) RETURNING id",
                                    "iissii", in->keep, in->merged, in->reason, in->client_id, now, in->created_by)
                        : store_int(s, merge_ref,
                                    "INSERT INTO person_merges (keep_id, merge_id, reason, moved_fields, client_id,"
                                    " created_at) VALUES (?, ?, ?, '', ?, ?) RETURNING id",
                                    "iissi", in->keep, in->merged, in->reason, in->client_id, now);
    if (rc)
        return rc;
    const char *moved = "";
    rc = move_links(s, *merge_ref, in->merged, in->keep);
    if (!rc)
        rc = take_fields(s, a, in->keep, in->merged, &moved);
    if (!rc)
        rc = store_run(s, NULL, "UPDATE person_merges SET moved_fields = ? WHERE id = ?", "si", moved, *merge_ref);
    if (!rc)
        rc = store_run(s, NULL, "UPDATE persons SET merged_into = ?, updated_at = ? WHERE id = ?", "iii", in->keep,
                       now, in->merged);
    if (!rc)
        rc = store_run(s, NULL, "UPDATE persons SET updated_at = ? WHERE id = ?", "ii", now, in->keep);
    return rc;
}

int people__merge_row(struct store *s, struct arena *a, int64_t merge_ref, struct people_merge_row *out)
{
    struct store_stmt *st;
    int rc = store_query(s, &st,
                         "SELECT keep_id, merge_id, moved_fields, undone_at FROM person_merges WHERE id = ?", "i",
                         merge_ref);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        out->keep = store_col_int(st, 0);
        out->merged = store_col_int(st, 1);
        out->moved_fields = arena_strdup(a, store_col_text(st, 2) ? store_col_text(st, 2) : "");
        out->undone = !store_col_null(st, 3);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

int people__merge_undo(struct store *s, struct arena *a, int64_t merge_ref, int64_t undone_by,
                       struct people_merge_row *out)
{
    int rc = people__merge_row(s, a, merge_ref, out);
    if (rc || out->undone)
        return rc;
    int64_t now = clock_now();
    rc = unmove_links(s, merge_ref, out->keep, out->merged);
    if (!rc)
        rc = give_back_fields(s, a, out->keep, out->merged, out->moved_fields);
    if (!rc)
        rc = store_run(s, NULL, "UPDATE persons SET merged_into = NULL, updated_at = ? WHERE id = ?", "ii", now,
                       out->merged);
    if (!rc)
        rc = undone_by ? store_run(s, NULL, "UPDATE person_merges SET undone_at = ?, undone_by = ? WHERE id = ?",
                                   "iii", now, undone_by, merge_ref)
                       : store_run(s, NULL, "UPDATE person_merges SET undone_at = ? WHERE id = ?", "ii", now,
                                   merge_ref);
    return rc;
}

/* ---- claims: a citizen signing in takes the walk-in records of their phone and name ---- */

int people__claim(struct store *s, struct arena *a, const struct person *me, int64_t refs[PEOPLE_CLAIM_MAX],
                  int *claimed)
{
    *claimed = 0;
    if (!me->full_name || !me->phone)
        return STORE_OK;
    char fold[PEOPLE_FOLD_MAX];
    text_fold(me->full_name, fold, sizeof(fold));
    int64_t ids[PEOPLE_CLAIM_MAX];
    int n = 0;
    struct store_stmt *st;
    /* Unverified: nobody signs in with it and no citizen manages it (a family member is its manager's to keep). */
    int rc = store_query(s, &st,
                         "SELECT id FROM persons p WHERE phone = ? AND name_search = ? AND id <> ?"
                         " AND signin_phone IS NULL AND merged_into IS NULL"
                         " AND NOT EXISTS (SELECT 1 FROM person_managers m WHERE m.person_id = p.id)"
                         " ORDER BY id LIMIT ?",
                         "ssii", me->phone, fold, me->id, (int64_t)PEOPLE_CLAIM_MAX);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW && n < PEOPLE_CLAIM_MAX)
        ids[n++] = store_col_int(st, 0);
    store_finalize(st);
    if (rc != STORE_DONE && rc != STORE_ROW)
        return rc;
    struct person cur = *me;
    for (int i = 0; i < n; i++) {
        struct person other;
        struct fault f;
        if ((rc = people_get(s, a, ids[i], &other)))
            return rc;
        /* cur, not me: a birth date taken from the first claimed record rules out a second one born another day */
        if (people__merge_check(&cur, &other, true, false, &f) ||
            (cur.date_of_birth && other.date_of_birth && strcmp(cur.date_of_birth, other.date_of_birth)))
            continue; /* another person sharing the phone and name: staff can merge if it is not */
        struct people_merge_in in = {.keep = me->id, .merged = other.id, .reason = "claim"};
        rc = people__merge(s, a, &in, &refs[*claimed]);
        if (rc == ERR_CONFLICT)
            continue;
        if (!rc)
            rc = people_get(s, a, me->id, &cur);
        if (rc)
            return rc;
        ++*claimed;
    }
    return STORE_OK;
}

enum store_rc people__merge_find_client(struct store *s, const char *client_id, int64_t *merge_ref)
{
    return store_int(s, merge_ref, "SELECT id FROM person_merges WHERE client_id = ?", "s", client_id);
}

enum store_rc people__merge_undone_by(struct store *s, int64_t merge_ref, int64_t account_id)
{
    return store_run(s, NULL, "UPDATE person_merges SET undone_by = ? WHERE id = ?", "ii", account_id, merge_ref);
}
