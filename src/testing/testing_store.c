/*
 * testing_store.c - queries of sites, sessions, samplers, tubes, samples,
 * receipts, oversight figures and the lookup rate limit.
 *
 * Results and their propagation are in result_store.c.  Persons are read
 * through people.h only; a sample copies the person's phone when collected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "core/mem.h"
#include "store/sql.h"
#include "store/store.h"
#include "testing/testing.h"
#include "tracing/tracing.h"

#define SITE_COLS "id, client_id, name, address, province_code, district_code, commune_code, created_at"
#define SESSION_COLS                                                                                                  \
    "s.id, s.client_id, s.site_id, t.name, s.session_date, s.team, s.test_type, s.pool_size, s.lab_unit_code, "       \
    "s.province_code, s.district_code, s.commune_code, s.created_at"
#define SESSION_FROM " FROM testing_sessions s JOIN testing_sites t ON t.id = s.site_id"
#define TUBE_COLS                                                                                                     \
    "id, code, session_id, lab_unit_code, capacity, members, first_sampled_at, received_at, result, ct, "            \
    "resulted_at, commune_code"
#define SAMPLE_COLS                                                                                                   \
    "m.id, m.client_id, m.session_id, m.tube_id, m.person_id, t.code, m.collected_at, m.status, m.resulted_at, "      \
    "s.session_date, s.test_type, m.commune_code"
#define SAMPLE_FROM                                                                                                   \
    " FROM testing_samples m JOIN testing_tubes t ON t.id = m.tube_id JOIN testing_sessions s ON s.id = m.session_id"

static const char *dup(struct arena *a, struct store_stmt *st, int i)
{
    const char *v = store_col_text(st, i);
    return v ? arena_strdup(a, v) : NULL;
}

/* ---------------------------------------------------------------- row readers */

static void read_site(struct store_stmt *st, struct arena *a, struct testing_site *o)
{
    o->id = store_col_int(st, 0);
    o->client_id = dup(a, st, 1);
    o->name = dup(a, st, 2);
    o->address = dup(a, st, 3);
    o->province_code = dup(a, st, 4);
    o->district_code = dup(a, st, 5);
    o->commune_code = dup(a, st, 6);
    o->created_at = store_col_int(st, 7);
}

static void read_session(struct store_stmt *st, struct arena *a, struct testing_session *o)
{
    o->id = store_col_int(st, 0);
    o->client_id = dup(a, st, 1);
    o->site_id = store_col_int(st, 2);
    o->site_name = dup(a, st, 3);
    o->date = dup(a, st, 4);
    o->team = dup(a, st, 5);
    o->type = testing_type_parse(store_col_text(st, 6));
    o->pool_size = (int)store_col_int(st, 7);
    o->lab_unit_code = dup(a, st, 8);
    o->province_code = dup(a, st, 9);
    o->district_code = dup(a, st, 10);
    o->commune_code = dup(a, st, 11);
    o->created_at = store_col_int(st, 12);
}

static int result_from_text(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, testing_result_name(i)))
            return i;
    return -1;
}

static void read_tube(struct store_stmt *st, struct arena *a, struct testing_tube *o)
{
    o->id = store_col_int(st, 0);
    o->code = dup(a, st, 1);
    o->session_id = store_col_int(st, 2);
    o->lab_unit_code = dup(a, st, 3);
    o->capacity = (int)store_col_int(st, 4);
    o->members = (int)store_col_int(st, 5);
    o->first_sampled_at = store_col_int(st, 6);
    o->received_at = store_col_int(st, 7);
    o->result = result_from_text(store_col_text(st, 8));
    o->ct = store_col_null(st, 9) ? -1 : (int)store_col_int(st, 9);
    o->resulted_at = store_col_int(st, 10);
    o->commune_code = dup(a, st, 11);
}

static void read_sample(struct store_stmt *st, struct arena *a, struct testing_sample *o)
{
    o->id = store_col_int(st, 0);
    o->client_id = dup(a, st, 1);
    o->session_id = store_col_int(st, 2);
    o->tube_id = store_col_int(st, 3);
    o->person_id = store_col_int(st, 4);
    o->tube_code = dup(a, st, 5);
    o->collected_at = store_col_int(st, 6);
    o->status = dup(a, st, 7);
    o->resulted_at = store_col_int(st, 8);
    o->date = dup(a, st, 9);
    o->test_type = dup(a, st, 10);
    o->commune_code = dup(a, st, 11);
}

/* Steps a query to its single row. */
#define ONE(st, rc, reader, a, out)                                                                                   \
    do {                                                                                                              \
        if (!(rc)) {                                                                                                  \
            (rc) = store_step(st);                                                                                    \
            if ((rc) == STORE_ROW) {                                                                                  \
                reader(st, a, out);                                                                                   \
                (rc) = STORE_OK;                                                                                      \
            }                                                                                                         \
            store_finalize(st);                                                                                       \
        }                                                                                                             \
    } while (0)

/* Steps a query into a growing arena array. */
#define MANY(st, rc, type, reader, a, out, n)                                                                         \
    do {                                                                                                              \
        *(out) = NULL;                                                                                                \
        *(n) = 0;                                                                                                     \
        if (rc)                                                                                                       \
            break;                                                                                                    \
        int cap_ = 0;                                                                                                 \
        while (((rc) = store_step(st)) == STORE_ROW) {                                                                \
            if (*(n) == cap_) {                                                                                       \
                int ncap_ = cap_ ? cap_ * 2 : 16;                                                                     \
                type *g_ = arena_alloc(a, (size_t)ncap_ * sizeof(type));                                              \
                if (*(n))                                                                                             \
                    memcpy(g_, *(out), (size_t)*(n) * sizeof(type));                                                  \
                *(out) = g_;                                                                                          \
                cap_ = ncap_;                                                                                         \
            }                                                                                                         \
            reader(st, a, &(*(out))[(*(n))++]);                                                                       \
        }                                                                                                             \
        store_finalize(st);                                                                                           \
        if ((rc) == STORE_DONE)                                                                                       \
            (rc) = STORE_OK;                                                                                          \
    } while (0)

/* ---------------------------------------------------------------- sites */

enum store_rc testing_site_insert(struct store *st, struct testing_site *s, int64_t by, bool *created)
{
    int64_t id = 0;
    enum store_rc rc = store_int(
        st, &id,
        "INSERT INTO testing_sites (client_id, name, address, province_code, district_code, commune_code,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (client_id) DO NOTHING RETURNING id",
        "ssssssii", s->client_id, s->name, s->address, s->province_code, s->district_code, s->commune_code,
        by, s->created_at);
    *created = rc == STORE_OK;
    if (rc == STORE_DONE)
        rc = store_int(st, &id, "SELECT id FROM testing_sites WHERE client_id = ?", "s", s->client_id);
    s->id = id;
    return rc;
}

enum store_rc testing_site_get(struct store *st, struct arena *a, int64_t id, struct testing_site *out)
{
    struct store_stmt *q;
    enum store_rc rc = store_query(st, &q, "SELECT " SITE_COLS " FROM testing_sites WHERE id = ?", "i", id);
    ONE(q, rc, read_site, a, out);
    return rc;
}

enum store_rc testing_site_get_by_client_id(struct store *st, struct arena *a, const char *client_id,
                                            struct testing_site *out)
{
    struct store_stmt *q;
    enum store_rc rc =
        store_query(st, &q, "SELECT " SITE_COLS " FROM testing_sites WHERE client_id = ?", "s", client_id);
    ONE(q, rc, read_site, a, out);
    return rc;
}

enum store_rc testing_site_list(struct store *st, struct arena *a, const char *area, int64_t limit,
                                struct testing_site **out, int *n)
{
    struct store_sql sql;
    store_sql_init(&sql, "SELECT " SITE_COLS " FROM testing_sites WHERE 1 = 1", "");
    store_sql_area(&sql, NULL, area);
    store_sql_add(&sql, " ORDER BY id DESC LIMIT ?", "i", limit);
    struct store_stmt *q;
    enum store_rc rc = store_sql_query(st, &q, &sql);
    MANY(q, rc, struct testing_site, read_site, a, out, n);
    return rc;
}

/* ---------------------------------------------------------------- sessions */

enum store_rc testing_session_insert(struct store *st, struct testing_session *s, int64_t by, bool *created)
{
    int64_t id = 0;
    const char *lp = NULL, *ld = NULL, *lc = NULL;
    const struct unit *lab = unit_find(s->lab_unit_code);
    if (lab)
        unit_ancestors(lab, &lp, &ld, &lc);
    enum store_rc rc = store_int(
        st, &id,
        "INSERT INTO testing_sessions (client_id, site_id, session_date, team, test_type, pool_size,"
        " lab_unit_code, lab_province_code, lab_district_code, lab_commune_code, province_code,"
        " district_code, commune_code, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING RETURNING "
        "id",
        "sisssdsssssssii", s->client_id, s->site_id, s->date, s->team, testing_type_name(s->type),
        s->pool_size, s->lab_unit_code, lp, ld, lc, s->province_code, s->district_code, s->commune_code, by,
        s->created_at);
    *created = rc == STORE_OK;
    if (rc == STORE_DONE)
        rc = store_int(st, &id, "SELECT id FROM testing_sessions WHERE client_id = ?", "s", s->client_id);
    s->id = id;
    return rc;
}

enum store_rc testing_session_get(struct store *st, struct arena *a, int64_t id, struct testing_session *out)
{
    struct store_stmt *q;
    enum store_rc rc = store_query(st, &q, "SELECT " SESSION_COLS SESSION_FROM " WHERE s.id = ?", "i", id);
    ONE(q, rc, read_session, a, out);
    return rc;
}

enum store_rc testing_session_get_by_client_id(struct store *st, struct arena *a, const char *client_id,
                                               struct testing_session *out)
{
    struct store_stmt *q;
    enum store_rc rc =
        store_query(st, &q, "SELECT " SESSION_COLS SESSION_FROM " WHERE s.client_id = ?", "s", client_id);
    ONE(q, rc, read_session, a, out);
    return rc;
}

enum store_rc testing_session_list(struct store *st, struct arena *a, const struct testing_session_filter *f,
                                   struct testing_session **out, int *n)
{
    struct store_sql sql;
    store_sql_init(&sql, "SELECT " SESSION_COLS SESSION_FROM, "");
    if (f->sampler_id)
        store_sql_add(&sql, " JOIN testing_session_samplers x ON x.session_id = s.id AND x.account_id = ?", "i",
                      f->sampler_id);
    store_sql_add(&sql, " WHERE 1 = 1", "");
    if (f->area)
        store_sql_area(&sql, "s", f->area);
    if (f->lab_area) /* a lab unit inside the caller's: the session keeps the lab unit's ancestors */
        store_sql_area_prefixed(&sql, "s", "lab_", f->lab_area);
    if (f->date)
        store_sql_add(&sql, " AND s.session_date = ?", "s", f->date);
    store_sql_add(&sql, " ORDER BY s.session_date DESC, s.id DESC LIMIT ?", "i", f->limit);
    struct store_stmt *q;
    enum store_rc rc = store_sql_query(st, &q, &sql);
    MANY(q, rc, struct testing_session, read_session, a, out, n);
    return rc;
}

enum store_rc testing_sampler_assign(struct store *st, int64_t session_id, int64_t account_id)
{
    return store_run(st, NULL,
                     "INSERT INTO testing_session_samplers (session_id, account_id, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (session_id, account_id) DO NOTHING",
                     "iii", session_id, account_id, clock_now());
}

bool testing_sampler_assigned(struct store *st, int64_t session_id, int64_t account_id)
{
    int64_t n = 0;
    store_int(st, &n, "SELECT COUNT(*) FROM testing_session_samplers WHERE session_id = ? AND account_id = ?", "ii",
              session_id, account_id);
    return n > 0;
}

static void read_id(struct store_stmt *st, struct arena *a, int64_t *o)
{
    (void)a;
    *o = store_col_int(st, 0);
}

enum store_rc testing_sampler_list(struct store *st, struct arena *a, int64_t session_id, int64_t **out,
                                   int *n)
{
    struct store_stmt *q;
    enum store_rc rc = store_query(
        st, &q, "SELECT account_id FROM testing_session_samplers WHERE session_id = ? ORDER BY account_id",
        "i", session_id);
    MANY(q, rc, int64_t, read_id, a, out, n);
    return rc;
}

/* ---------------------------------------------------------------- tubes */

static void read_code(struct store_stmt *st, struct arena *a, const char **o)
{
    *o = dup(a, st, 0);
}

enum store_rc testing_tubes_issue(struct store *st, struct arena *a, const struct testing_session *s,
                                  const char *client_id, int count, int64_t by, int64_t *batch_id,
                                  const char ***codes, int *n)
{
    int64_t id = 0;
    enum store_rc rc =
        store_int(st, &id,
                  "INSERT INTO testing_tube_batches (client_id, session_id, count, created_by, created_at)"
                  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING RETURNING id",
                  "sidii", client_id, s->id, count, by, clock_now());
    if (rc == STORE_OK) {
        for (int i = 0; i < count && !rc; i++) {
            char code[TESTING_TUBE_CODE_LEN + 1];
            for (int attempt = 0; attempt < 5; attempt++) {
                testing_tube_code_make(code);
                rc = store_run(st, NULL,
                               "INSERT INTO testing_tubes (code, session_id, batch_id, lab_unit_code, capacity, members,"
                               " province_code, district_code, commune_code) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)"
                               " ON CONFLICT (code) DO NOTHING",
                               "siisdsss", code, s->id, id, s->lab_unit_code, s->pool_size, s->province_code,
                               s->district_code, s->commune_code);
                if (rc)
                    break;
                int64_t got = 0;
                rc = store_int(st, &got, "SELECT batch_id FROM testing_tubes WHERE code = ?", "s", code);
                if (rc || got == id)
                    break;
            }
        }
    } else if (rc == STORE_DONE) {
        int64_t sid = 0;
        rc = store_int(st, &id, "SELECT id FROM testing_tube_batches WHERE client_id = ?", "s", client_id);
        if (!rc)
            rc = store_int(st, &sid, "SELECT session_id FROM testing_tube_batches WHERE client_id = ?", "s", client_id);
        if (!rc && sid != s->id)
            return STORE_CONFLICT;
    }
    if (rc)
        return rc;
    *batch_id = id;
    struct store_stmt *q;
    rc = store_query(st, &q, "SELECT code FROM testing_tubes WHERE batch_id = ? ORDER BY id", "i", id);
    MANY(q, rc, const char *, read_code, a, codes, n);
    return rc;
}

enum store_rc testing_tube_get(struct store *st, struct arena *a, const char *code, struct testing_tube *out)
{
    struct store_stmt *q;
    enum store_rc rc =
        store_query(st, &q, "SELECT " TUBE_COLS " FROM testing_tubes WHERE code = ?", "s", code);
    ONE(q, rc, read_tube, a, out);
    return rc;
}

enum store_rc testing_tube_list(struct store *st, struct arena *a, int64_t session_id, int64_t batch_id,
                                struct testing_tube **out, int *n)
{
    struct store_stmt *q;
    enum store_rc rc =
        batch_id
            ? store_query(st, &q,
                          "SELECT " TUBE_COLS " FROM testing_tubes WHERE session_id = ? AND batch_id = ?"
                          " ORDER BY id",
                          "ii", session_id, batch_id)
            : store_query(st, &q, "SELECT " TUBE_COLS " FROM testing_tubes WHERE session_id = ? ORDER BY id",
                          "i", session_id);
    MANY(q, rc, struct testing_tube, read_tube, a, out, n);
    return rc;
}

enum store_rc testing_tube_members(struct store *st, struct arena *a, int64_t tube_id,
                                   struct testing_sample **out, int *n)
{
    struct store_stmt *q;
    enum store_rc rc = store_query(
        st, &q, "SELECT " SAMPLE_COLS SAMPLE_FROM " WHERE m.tube_id = ? ORDER BY m.id", "i", tube_id);
    MANY(q, rc, struct testing_sample, read_sample, a, out, n);
    return rc;
}

enum store_rc testing_sample_get_by_client_id(struct store *st, struct arena *a, const char *client_id,
                                              struct testing_sample *out)
{
    struct store_stmt *q;
    enum store_rc rc =
        store_query(st, &q, "SELECT " SAMPLE_COLS SAMPLE_FROM " WHERE m.client_id = ?", "s", client_id);
    ONE(q, rc, read_sample, a, out);
    return rc;
}

enum store_rc testing_person_results(struct store *st, struct arena *a, int64_t person_id, int64_t limit,
                                     struct testing_sample **out, int *n)
{
    struct store_stmt *q;
    enum store_rc rc = store_query(st, &q,
                                   "SELECT " SAMPLE_COLS SAMPLE_FROM
                                   " WHERE m.person_id = ? ORDER BY m.collected_at DESC, m.id DESC"
                                   " LIMIT ?",
                                   "ii", person_id, limit);
    MANY(q, rc, struct testing_sample, read_sample, a, out, n);
    return rc;
}

/* ---------------------------------------------------------------- collection */

int testing_collect_record(struct store *st, struct arena *a, const struct testing_collect *in,
                           struct testing_sample *out, struct testing_tube *tube, bool *created, struct fault *f)
{
    *created = false;
    int rc = testing_sample_get_by_client_id(st, a, in->client_id, out);
    if (rc == STORE_OK) {
        if (out->session_id != in->session->id || out->person_id != in->person_id ||
            strcmp(out->tube_code, in->tube_code) != 0)
            return fault_set(f, ERR_CONFLICT, "client_id", "client_id %s was already used for another sample",
                             in->client_id);
        rc = testing_tube_get(st, a, in->tube_code, tube);
        return rc ? store_err(rc) : 0;
    }
    if (rc != STORE_DONE)
        return store_err(rc);
    rc = testing_tube_get(st, a, in->tube_code, tube);
    if (rc == STORE_DONE)
        return fault_set(f, ERR_INVALID_FIELD, in->tube_field, "no tube %s was issued", in->tube_code);
    if (rc)
        return store_err(rc);
    if (tube->session_id != in->session->id)
        return fault_set(f, ERR_CONFLICT, in->tube_field, "tube %s belongs to another session (%lld)", in->tube_code,
                         (long long)tube->session_id);
    struct store_stmt *q;
    rc = store_query(st, &q,
                     "SELECT t.code FROM testing_samples m JOIN testing_tubes t ON t.id = m.tube_id"
                     " WHERE m.session_id = ? AND m.person_id = ?",
                     "ii", in->session->id, in->person_id);
    if (rc)
        return store_err(rc);
    rc = store_step(q);
    if (rc == STORE_ROW) {
        char other[TESTING_TUBE_CODE_LEN + 1];
        snprintf(other, sizeof(other), "%s", store_col_text(q, 0));
        store_finalize(q);
        return fault_set(f, ERR_CONFLICT, in->person_field,
                         "this person was already sampled in this session (tube %s)", other);
    }
    store_finalize(q);
    if (rc != STORE_DONE)
        return store_err(rc);
    int64_t now = out->collected_at;
    int64_t changes = 0;
    rc = store_run(st, &changes,
                   "UPDATE testing_tubes SET members = members + 1, first_sampled_at = COALESCE(first_sampled_at, ?)"
                   " WHERE id = ? AND members < capacity AND result IS NULL",
                   "ii", now, tube->id);
    if (rc)
        return store_err(rc);
    if (changes == 0) {
        if (tube->result >= 0)
            return fault_set(f, ERR_CONFLICT, in->tube_field, "tube %s already has a result", in->tube_code);
        return fault_set(f, ERR_CONFLICT, in->tube_field, "tube %s is full (%d of %d)", in->tube_code, tube->members,
                         tube->capacity);
    }
    int64_t id = 0;
    rc = store_int(st, &id,
                   "INSERT INTO testing_samples (client_id, session_id, tube_id, person_id, phone, collected_at,"
                   " collected_by, status, province_code, district_code, commune_code)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id",
                   "siiisiisss", in->client_id, in->session->id, tube->id, in->person_id, in->phone, now, in->by,
                   in->session->province_code, in->session->district_code, in->session->commune_code);
    if (rc == STORE_CONFLICT)
        return fault_set(f, ERR_CONFLICT, in->person_field, "this person was already sampled in this session");
    /* The sample answers the orders that asked for it: retests of a positive pool or an invalid
     * sample, and the tracing policy's test orders due by today. */
    if (!rc)
        rc = store_run(st, NULL,
                       "UPDATE testing_retest_orders SET status = 'sampled' WHERE person_id = ? AND status = 'open'",
                       "i", in->person_id);
    if (!rc)
        rc = tracing_test_orders_sampled(st, in->person_id, now);
    if (rc)
        return store_err(rc);
    *created = true;
    rc = testing_sample_get_by_client_id(st, a, in->client_id, out);
    if (!rc)
        rc = testing_tube_get(st, a, in->tube_code, tube);
    return rc ? store_err(rc) : 0;
}

/* ---------------------------------------------------------------- receipt */

enum store_rc testing_receipt(struct store *st, struct arena *a, int64_t session_id, const char *const *codes,
                              int ncodes, int64_t now, json_t **received, json_t **missing,
                              json_t **unexpected)
{
    (void)a;
    *received = json_array();
    *missing = json_array();
    *unexpected = json_array();
    enum store_rc rc = STORE_OK;
    for (int i = 0; i < ncodes && !rc; i++) {
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(codes[i], codes[j]);
        if (seen)
            continue;
        int64_t changes = 0;
        rc = store_run(st, &changes,
                       "UPDATE testing_tubes SET received_at = COALESCE(received_at, ?)"
                       " WHERE code = ? AND session_id = ? AND members > 0",
                       "isi", now, codes[i], session_id);
        if (!rc)
            json_array_append_new(changes ? *received : *unexpected, json_string(codes[i]));
    }
    if (rc)
        return rc;
    struct store_stmt *q;
    rc = store_query(st, &q,
                     "SELECT code FROM testing_tubes WHERE session_id = ? AND members > 0 AND received_at IS NULL"
                     " ORDER BY id",
                     "i", session_id);
    for (rc = rc ? rc : store_step(q); rc == STORE_ROW; rc = store_step(q))
        json_array_append_new(*missing, json_string(store_col_text(q, 0)));
    if (q)
        store_finalize(q);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---------------------------------------------------------------- oversight */

static json_t *stats_row(json_t *map, const char *commune, const char *date)
{
    char key[32];
    snprintf(key, sizeof(key), "%s|%s", commune, date);
    json_t *row = json_object_get(map, key);
    if (!row) {
        row = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:n}", "commune_code", commune, "date", date,
                        "people_sampled", (json_int_t)0, "tubes", (json_int_t)0, "tubes_resulted", (json_int_t)0,
                        "tested", (json_int_t)0, "positive", (json_int_t)0, "pool_positive", (json_int_t)0,
                        "pending", (json_int_t)0, "turnaround_median_s");
        json_object_set_new(map, key, row);
    }
    return row;
}

/* Runs head + the sessions of area between from and to + tail. */
static enum store_rc stats_query(struct store *st, struct store_stmt **q, const char *head, const char *area,
                                 const char *from, const char *to, const char *tail)
{
    struct store_sql sql;
    store_sql_init(&sql, head, "");
    store_sql_add(&sql, " WHERE s.session_date >= ? AND s.session_date <= ?", "ss", from, to);
    store_sql_area(&sql, "s", area);
    store_sql_add(&sql, tail, "");
    return store_sql_query(st, q, &sql);
}

enum store_rc testing_stats(struct store *st, struct arena *a, const char *area, const char *from,
                            const char *to, json_t **out)
{
    (void)a;
    json_t *map = json_object();
    struct store_stmt *q;
    enum store_rc rc;
    rc = stats_query(st, &q,
                     "SELECT s.commune_code, s.session_date, COUNT(*),"
                     " SUM(CASE WHEN m.status <> 'pending' THEN 1 ELSE 0 END),"
                     " SUM(CASE WHEN m.status = 'positive' THEN 1 ELSE 0 END),"
                     " SUM(CASE WHEN m.status = 'pool_positive_retest' THEN 1 ELSE 0 END),"
                     " SUM(CASE WHEN m.status = 'pending' THEN 1 ELSE 0 END)"
                     " FROM testing_samples m JOIN testing_sessions s ON s.id = m.session_id",
                     area, from, to, " GROUP BY s.commune_code, s.session_date");
    for (rc = rc ? rc : store_step(q); rc == STORE_ROW; rc = store_step(q)) {
        json_t *row = stats_row(map, store_col_text(q, 0), store_col_text(q, 1));
        json_object_set_new(row, "people_sampled", json_integer(store_col_int(q, 2)));
        json_object_set_new(row, "tested", json_integer(store_col_int(q, 3)));
        json_object_set_new(row, "positive", json_integer(store_col_int(q, 4)));
        json_object_set_new(row, "pool_positive", json_integer(store_col_int(q, 5)));
        json_object_set_new(row, "pending", json_integer(store_col_int(q, 6)));
    }
    if (q)
        store_finalize(q);
    if (rc != STORE_DONE)
        goto fail;
    rc = stats_query(st, &q,
                     "SELECT s.commune_code, s.session_date, COUNT(*), SUM(CASE WHEN t.result IS NULL THEN 0 ELSE 1 END)"
                     " FROM testing_tubes t JOIN testing_sessions s ON s.id = t.session_id AND t.members > 0",
                     area, from, to, " GROUP BY s.commune_code, s.session_date");
    for (rc = rc ? rc : store_step(q); rc == STORE_ROW; rc = store_step(q)) {
        json_t *row = stats_row(map, store_col_text(q, 0), store_col_text(q, 1));
        json_object_set_new(row, "tubes", json_integer(store_col_int(q, 2)));
        json_object_set_new(row, "tubes_resulted", json_integer(store_col_int(q, 3)));
    }
    if (q)
        store_finalize(q);
    if (rc != STORE_DONE)
        goto fail;
    /* Turnaround per tube (first sample to result), median per commune and day, computed here:
     * medians are not portable SQL. */
    rc = stats_query(st, &q,
                     "SELECT s.commune_code, s.session_date, t.resulted_at - t.first_sampled_at"
                     " FROM testing_tubes t JOIN testing_sessions s ON s.id = t.session_id"
                     " AND t.result IS NOT NULL AND t.first_sampled_at IS NOT NULL",
                     area, from, to, " ORDER BY s.commune_code, s.session_date");
    size_t n = 0, cap = 0;
    int64_t *v = NULL;
    char cur[32] = "";
    for (;;) {
        enum store_rc step = rc ? rc : store_step(q);
        char key[32] = "";
        if (step == STORE_ROW)
            snprintf(key, sizeof(key), "%s|%s", store_col_text(q, 0), store_col_text(q, 1));
        if (n && (step != STORE_ROW || strcmp(key, cur))) {
            json_t *row = json_object_get(map, cur);
            if (row)
                json_object_set_new(row, "turnaround_median_s", json_integer(testing_median(v, n)));
            n = 0;
        }
        if (step != STORE_ROW) {
            rc = step;
            break;
        }
        snprintf(cur, sizeof(cur), "%s", key);
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[n++] = store_col_int(q, 2);
    }
    free(v);
    if (q)
        store_finalize(q);
    if (rc != STORE_DONE)
        goto fail;
    /* Sorted by date then commune. */
    json_t *arr = json_array();
    const char *key;
    json_t *row;
    json_object_foreach(map, key, row)
    {
        size_t i = 0;
        const char *d = json_string_value(json_object_get(row, "date"));
        const char *c = json_string_value(json_object_get(row, "commune_code"));
        for (; i < json_array_size(arr); i++) {
            json_t *o = json_array_get(arr, i);
            int cmp = strcmp(d, json_string_value(json_object_get(o, "date")));
            if (!cmp)
                cmp = strcmp(c, json_string_value(json_object_get(o, "commune_code")));
            if (cmp < 0)
                break;
        }
        json_array_insert(arr, i, row);
    }
    json_decref(map);
    *out = arr;
    return STORE_OK;
fail:
    json_decref(map);
    return rc;
}

/* ---------------------------------------------------------------- lookup rate limit */

enum store_rc testing_lookup_allow(struct store *st, const char *client_ip, int64_t now, bool *allowed)
{
    int64_t n = 0;
    enum store_rc rc =
        store_run(st, NULL, "DELETE FROM testing_lookups WHERE at < ?", "i", now - TESTING_LOOKUP_WINDOW);
    if (!rc)
        rc = store_int(st, &n, "SELECT COUNT(*) FROM testing_lookups WHERE client_ip = ? AND at >= ?", "si", client_ip,
                       now - TESTING_LOOKUP_WINDOW);
    *allowed = n < TESTING_LOOKUP_LIMIT;
    if (!rc && *allowed)
        rc = store_run(st, NULL, "INSERT INTO testing_lookups (client_ip, at) VALUES (?, ?)", "si", client_ip, now);
    return rc;
}

/* ---------------------------------------------------------------- JSON */

json_t *testing_site_to_json(const struct testing_site *s)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:I}", "id", (json_int_t)s->id, "client_id", s->client_id, "name",
                     s->name, "address", s->address, "commune_code", s->commune_code, "created_at",
                     (json_int_t)s->created_at);
}

json_t *testing_session_to_json(const struct testing_session *s)
{
    return json_pack("{s:I, s:s, s:I, s:s?, s:s, s:s, s:s, s:i, s:s, s:s, s:I}", "id", (json_int_t)s->id, "client_id",
                     s->client_id, "site_id", (json_int_t)s->site_id, "site_name", s->site_name, "date", s->date,
                     "team", s->team, "test_type", testing_type_name(s->type), "pool_size", s->pool_size,
                     "lab_unit_code", s->lab_unit_code, "commune_code", s->commune_code, "created_at",
                     (json_int_t)s->created_at);
}

static json_t *ct_json(int ct)
{
    return ct < 0 ? json_null() : json_real(ct / 10.0);
}

static json_t *time_json(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

json_t *testing_tube_to_json(const struct testing_tube *t)
{
    json_t *o = json_pack("{s:s, s:I, s:s, s:i, s:i, s:b, s:o, s:o, s:o, s:o}", "tube_id", t->code, "session_id",
                          (json_int_t)t->session_id, "lab_unit_code", t->lab_unit_code, "capacity", t->capacity,
                          "count", t->members, "pooled", t->capacity > 1, "received_at", time_json(t->received_at),
                          "result", t->result >= 0 ? json_string(testing_result_name(t->result)) : json_null(), "ct",
                          ct_json(t->ct), "resulted_at", time_json(t->resulted_at));
    json_object_set_new(o, "full", json_boolean(t->members >= t->capacity));
    return o;
}

json_t *testing_sample_to_json(const struct testing_sample *s)
{
    return json_pack("{s:I, s:s, s:I, s:s, s:I, s:I, s:s, s:o, s:s?, s:s?}", "id", (json_int_t)s->id, "client_id",
                     s->client_id, "session_id", (json_int_t)s->session_id, "tube_id", s->tube_code, "person_id",
                     (json_int_t)s->person_id, "collected_at", (json_int_t)s->collected_at, "status", s->status,
                     "resulted_at", time_json(s->resulted_at), "date", s->date, "test_type", s->test_type);
}
