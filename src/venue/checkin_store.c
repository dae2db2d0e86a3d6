/*
 * checkin_store.c - the queries of check-ins (table checkins, migration 006).
 *
 * Portable SQL only.  Local days are computed in SQL as
 * (checked_in_at + VN_UTC_OFFSET) / 86400: both engines divide integers exactly, and
 * Vietnam has one offset all year.
 */
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "people/people.h"
#include "situation/situation.h"
#include "store/sql.h"
#include "store/store.h"
#include "venue/checkin.h"

#define CHECKIN_COLUMNS                                                                                               \
    "c.id, c.client_id, c.venue_id, v.name, c.person_id, c.checked_in_at, c.checked_out_at, c.method, c.commune_code"
#define CHECKIN_FROM " FROM checkins c LEFT JOIN venues v ON v.id = c.venue_id"

static const char *dup_col(struct arena *a, struct store_stmt *st, int i)
{
    const char *v = store_col_text(st, i);
    return v ? arena_strdup(a, v) : NULL;
}

static void read_row(struct store_stmt *st, struct arena *a, struct checkin *c)
{
    c->id = store_col_int(st, 0);
    c->client_id = dup_col(a, st, 1);
    c->venue_id = store_col_int(st, 2);
    c->venue_name = dup_col(a, st, 3);
    c->person_id = store_col_int(st, 4);
    c->checked_in_at = store_col_int(st, 5);
    c->checked_out_at = store_col_null(st, 6) ? 0 : store_col_int(st, 6);
    c->method = dup_col(a, st, 7);
    c->commune_code = dup_col(a, st, 8);
}

static enum store_rc insert_row(struct store *s, const struct checkin_new *in, int64_t *id)
{
    const char *sql =
        "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method, province_code,"
        " district_code, commune_code, created_by_account, created_by_person)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (client_id, person_id) DO NOTHING";
    const char *method = checkin_method_name(in->method);
    /* "Nobody" is SQL NULL, not id 0: 'n' binds NULL and takes no argument. */
    if (in->by_account && in->by_person)
        return store_insert_id(s, id, sql, "siiissssii", in->client_id, in->venue_id, in->person_id, in->at,
                               method, in->province_code, in->district_code, in->commune_code, in->by_account,
                               in->by_person);
    if (in->by_account)
        return store_insert_id(s, id, sql, "siiissssin", in->client_id, in->venue_id, in->person_id, in->at,
                               method, in->province_code, in->district_code, in->commune_code,
                               in->by_account);
    if (in->by_person)
        return store_insert_id(s, id, sql, "siiissssni", in->client_id, in->venue_id, in->person_id, in->at,
                               method, in->province_code, in->district_code, in->commune_code, in->by_person);
    return store_insert_id(s, id, sql, "siiissssnn", in->client_id, in->venue_id, in->person_id, in->at,
                           method, in->province_code, in->district_code, in->commune_code);
}

/* A new row is also written to the change log (checkin.h, followers), in the same transaction. */
enum store_rc checkin_insert_id(struct store *s, const struct checkin_new *in, int64_t *id)
{
    *id = 0;
    enum store_rc rc = insert_row(s, in, id);
    if (rc == STORE_OK) {
        enum store_rc lrc = store_run(s, NULL, "INSERT INTO checkin_changes (checkin_id, at) VALUES (?, ?)", "ii",
                                      *id, in->at);
        if (!lrc)
            lrc = store_notify(s, CHECKIN_CHANNEL);
        if (lrc)
            rc = lrc;
    }
    return rc;
}

enum store_rc checkin_insert(struct store *s, const struct checkin_new *in, bool *created)
{
    int64_t id;
    enum store_rc rc = checkin_insert_id(s, in, &id);
    *created = rc == STORE_OK;
    if (*created) {
        struct sit_checkins place = {in->province_code, in->district_code, in->commune_code, vn_day(in->at), 1};
        rc = situation_count_checkins(s, &place, 1);
    }
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---------------------------------------------------------------- many rows at once (PostgreSQL) */

enum store_rc checkin_insert_set_pg(struct store *s, const struct checkin_new *rows, int n, int64_t *ids)
{
    /* the rows as one JSON array, written straight into a buffer: this is the writer's thread */
    struct buf text;
    buf_init(&text, 64u << 20);
    struct jsonout o;
    jsonout_start(&o, &text);
    jsonout_array(&o, NULL);
    for (int i = 0; i < n; i++) {
        const struct checkin_new *r = &rows[i];
        jsonout_object(&o, NULL);
        jsonout_int(&o, "k", i);
        jsonout_str(&o, "client_id", r->client_id);
        jsonout_int(&o, "venue_id", r->venue_id);
        jsonout_int(&o, "person_id", r->person_id);
        jsonout_int(&o, "at", r->at);
        jsonout_str(&o, "method", checkin_method_name(r->method));
        jsonout_str(&o, "province", r->province_code);
        jsonout_str(&o, "district", r->district_code);
        jsonout_str(&o, "commune", r->commune_code);
        jsonout_int_or_null(&o, "by_account", r->by_account);
        jsonout_int_or_null(&o, "by_person", r->by_person);
        jsonout_close_object(&o);
        ids[i] = 0;
    }
    jsonout_close_array(&o);
    if (jsonout_end(&o)) {
        buf_release(&text);
        return STORE_ERROR;
    }
    /*
     * The same (client_id, person_id) twice in the batch: the second insert
     * does nothing and both join the one new row; the first in order has it.
     */
    struct store_stmt *st;
    enum store_rc rc = store_query(
        s, &st,
        "WITH t AS (SELECT * FROM json_to_recordset(CAST(? AS JSON)) AS x(k INT, client_id TEXT, venue_id BIGINT,"
        " person_id BIGINT, at BIGINT, method TEXT, province TEXT, district TEXT, commune TEXT, by_account BIGINT,"
        " by_person BIGINT)),"
        " ins AS (INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method, province_code,"
        " district_code, commune_code, created_by_account, created_by_person)"
        " SELECT client_id, venue_id, person_id, at, method, province, district, commune, by_account, by_person"
        " FROM t ORDER BY k ON CONFLICT (client_id, person_id) DO NOTHING"
        " RETURNING id, client_id, person_id, checked_in_at),"
        /* the change log (checkin.h, followers), in the same statement */
        " logged AS (INSERT INTO checkin_changes (checkin_id, at) SELECT id, checked_in_at FROM ins)"
        " SELECT t.k, ins.id FROM t JOIN ins ON ins.client_id = t.client_id AND ins.person_id = t.person_id"
        " ORDER BY ins.id, t.k",
        "s", text.data);
    buf_release(&text);
    if (rc)
        return rc;
    int64_t last = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t k = store_col_int(st, 0), id = store_col_int(st, 1);
        if (k >= 0 && k < n && id != last) /* by id, then k: a duplicate comes right after the first */
            ids[k] = id;
        last = id;
    }
    store_finalize(st);
    if (rc == STORE_DONE && last)
        rc = store_notify(s, CHECKIN_CHANNEL);
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc checkin_find_set_pg(struct store *s, const struct checkin_new *rows, const int *which, int m,
                                  void (*found)(void *ctx, int i, const struct checkin *c), void *ctx)
{
    struct buf text;
    buf_init(&text, 64u << 20);
    struct jsonout o;
    jsonout_start(&o, &text);
    jsonout_array(&o, NULL);
    for (int j = 0; j < m; j++) {
        jsonout_object(&o, NULL);
        jsonout_int(&o, "k", which[j]);
        jsonout_str(&o, "client_id", rows[which[j]].client_id);
        jsonout_int(&o, "person_id", rows[which[j]].person_id);
        jsonout_close_object(&o);
    }
    jsonout_close_array(&o);
    if (jsonout_end(&o)) {
        buf_release(&text);
        return STORE_ERROR;
    }
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT " CHECKIN_COLUMNS ", t.k FROM json_to_recordset(CAST(? AS JSON))"
                                   " AS t(k INT, client_id TEXT, person_id BIGINT)"
                                   " JOIN checkins c ON c.client_id = t.client_id AND c.person_id = t.person_id"
                                   " LEFT JOIN venues v ON v.id = c.venue_id",
                                   "s", text.data);
    buf_release(&text);
    if (rc)
        return rc;
    struct arena a;
    arena_init(&a);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct checkin c;
        read_row(st, &a, &c);
        found(ctx, (int)store_col_int(st, 9), &c);
    }
    store_finalize(st);
    arena_release(&a);
    return rc == STORE_DONE ? STORE_OK : rc;
}

struct read_ctx {
    struct arena *a;
    struct checkin *out;
};

static void read_one(struct store_stmt *st, void *p)
{
    struct read_ctx *c = p;
    read_row(st, c->a, c->out);
}

enum store_rc checkin_get(struct store *s, struct arena *a, int64_t id, struct checkin *out)
{
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " CHECKIN_COLUMNS CHECKIN_FROM " WHERE c.id = ?", "i", id);
}

enum store_rc checkin_find_client(struct store *s, struct arena *a, const char *client_id, int64_t person_id,
                                  struct checkin *out)
{
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c,
                     "SELECT " CHECKIN_COLUMNS CHECKIN_FROM " WHERE c.client_id = ? AND c.person_id = ?", "si",
                     client_id, person_id);
}

enum store_rc checkin_set_checkout(struct store *s, int64_t id, int64_t at)
{
    int64_t changed = 0;
    enum store_rc rc = store_run(s, &changed,
                                 "UPDATE checkins SET checked_out_at = ? WHERE id = ? AND checked_out_at IS NULL",
                                 "ii", at, id);
    if (!rc && changed)
        rc = store_run(s, NULL, "INSERT INTO checkin_changes (checkin_id, at) VALUES (?, ?)", "ii", id, at);
    if (!rc && changed)
        rc = store_notify(s, CHECKIN_CHANNEL);
    return rc;
}

/* Newest first: by time, then by id for check-ins of the same second. */
static bool newer(const struct checkin *x, const struct checkin *y)
{
    return x->checked_in_at != y->checked_in_at ? x->checked_in_at > y->checked_in_at : x->id > y->id;
}

enum store_rc checkin_list_people(struct store *s, struct arena *a, const int64_t *ids, int n, int64_t limit,
                                  struct checkin **out, int *count)
{
    *out = NULL;
    *count = 0;
    if (n < 1 || limit < 1)
        return STORE_OK;
    /*
     * One indexed range per person (index person_id, checked_in_at), merged
     * here: a family is a handful of people, and this keeps the SQL constant.
     */
    struct checkin *list = arena_alloc(a, sizeof(*list) * (size_t)limit);
    struct checkin *tmp = arena_alloc(a, sizeof(*tmp) * (size_t)limit);
    struct checkin *mine = arena_alloc(a, sizeof(*mine) * (size_t)limit);
    int have = 0;
    for (int p = 0; p < n; p++) {
        struct store_stmt *st;
        enum store_rc rc =
            store_query(s, &st,
                        "SELECT " CHECKIN_COLUMNS CHECKIN_FROM
                        " WHERE c.person_id = ? ORDER BY c.checked_in_at DESC, c.id DESC LIMIT ?",
                        "ii", ids[p], limit);
        if (rc)
            return rc;
        int m = 0;
        while (m < limit && (rc = store_step(st)) == STORE_ROW)
            read_row(st, a, &mine[m++]);
        store_finalize(st);
        if (rc != STORE_ROW && rc != STORE_DONE)
            return rc;
        int i = 0, j = 0, k = 0;
        while (k < limit && (i < have || j < m))
            tmp[k++] = (j >= m || (i < have && newer(&list[i], &mine[j]))) ? list[i++] : mine[j++];
        struct checkin *swap = list;
        list = tmp;
        tmp = swap;
        have = k;
    }
    *out = list;
    *count = have;
    return STORE_OK;
}

enum store_rc checkin_report(struct store *s, struct arena *a, const struct unit *u, int64_t from_day,
                             int64_t to_day, struct checkin_report_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    /* The child level's column; a commune has no children and reports on itself. */
    const char *child = u->level == 0 ? "province_code" : u->level == 1 ? "district_code" : "commune_code";
    /* child is one of the three constant column names above */
    struct store_sql sql;
    store_sql_init(&sql, "SELECT (checked_in_at + " VN_OFFSET_SQL ") / 86400, ", "");
    store_sql_add(&sql, child, "");
    store_sql_add(&sql, ", COUNT(DISTINCT venue_id), COUNT(*) FROM checkins WHERE checked_in_at >= ? AND checked_in_at < ?",
                  "ii", vn_day_start(from_day), vn_day_start(to_day + 1));
    /* the area's venues, each one range of checkins_venue (venues do not move, so a check-in's
     * copied place is its venue's); below the nation, never a scan of every check-in of the days */
    if (strcmp(u->code, "VN")) {
        store_sql_add(&sql, " AND venue_id IN (SELECT id FROM venues WHERE 1 = 1", "");
        store_sql_area(&sql, NULL, u->code);
        store_sql_add(&sql, ")", "");
    }
    store_sql_add(&sql, " GROUP BY (checked_in_at + " VN_OFFSET_SQL ") / 86400, ", "");
    store_sql_add(&sql, child, "");
    store_sql_add(&sql, " ORDER BY 1, 2", "");
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &sql);
    if (rc)
        return rc;
    size_t cap = 64, k = 0;
    struct checkin_report_row *rows = arena_alloc(a, cap * sizeof(*rows));
    while ((rc = store_step(st)) == STORE_ROW) {
        if (k == cap) {
            struct checkin_report_row *bigger = arena_alloc(a, 2 * cap * sizeof(*rows));
            memcpy(bigger, rows, cap * sizeof(*rows));
            rows = bigger;
            cap *= 2;
        }
        rows[k].day = store_col_int(st, 0);
        rows[k].unit_code = dup_col(a, st, 1);
        rows[k].venues = store_col_int(st, 2);
        rows[k].checkins = store_col_int(st, 3);
        k++;
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        return rc;
    *out = rows;
    *n = (int)k;
    return STORE_OK;
}

struct delete_ctx {
    int64_t cutoff, batch, *deleted;
};

static int delete_tx(struct store *s, void *p)
{
    struct delete_ctx *c = p;
    /* A bounded batch: a long delete would hold the write lock (SQLite) or bloat one transaction. */
    enum store_rc rc = store_run(s, c->deleted,
                                 "DELETE FROM checkins WHERE id IN"
                                 " (SELECT id FROM checkins WHERE checked_in_at < ? ORDER BY checked_in_at LIMIT ?)",
                                 "ii", c->cutoff, c->batch);
    if (!rc && *c->deleted)
        rc = store_run(s, NULL, "INSERT INTO checkin_changes (deleted_before, at) VALUES (?, ?)", "ii", c->cutoff,
                       clock_now());
    if (!rc && *c->deleted)
        rc = store_notify(s, CHECKIN_CHANNEL);
    return rc;
}

enum store_rc checkin_delete_before(struct store *s, int64_t cutoff, int64_t batch, int64_t *deleted)
{
    struct delete_ctx c = {cutoff, batch, deleted};
    *deleted = 0;
    enum err e = store_tx(s, delete_tx, &c);
    return e == ERR_OK ? STORE_OK : e == ERR_UNAVAILABLE ? STORE_RETRY : STORE_ERROR;
}

enum store_rc checkin_changes_prune(struct store *s, int64_t before)
{
    return store_run(s, NULL, "DELETE FROM checkin_changes WHERE at < ?", "i", before);
}

void checkin_json(struct jsonout *o, const char *key, const struct checkin *c)
{
    jsonout_object(o, key);
    jsonout_int(o, "id", c->id);
    jsonout_str(o, "client_id", c->client_id ? c->client_id : "");
    jsonout_int(o, "venue_id", c->venue_id);
    jsonout_str(o, "venue_name", c->venue_name);
    jsonout_int(o, "person_id", c->person_id);
    jsonout_int(o, "checked_in_at", c->checked_in_at);
    jsonout_int_or_null(o, "checked_out_at", c->checked_out_at);
    jsonout_str(o, "method", c->method ? c->method : "poster");
    jsonout_close_object(o);
}

/* ---------------------------------------------------------------- limits on anonymous check-ins */

/*
 * What the database holds, read when the writer starts (checkin_writer.c
 * counts from there in memory): anonymous check-ins since `since`, per phone
 * of an unverified contact and per venue.  A poster check-in without sign-in
 * has neither created_by column set.
 */
static enum store_rc each_count(struct store *s, const char *sql, int64_t since,
                                void (*fn)(void *ctx, const char *key, int64_t n), void *ctx)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, sql, "i", since);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW)
        if (store_col_text(st, 0))
            fn(ctx, store_col_text(st, 0), store_col_int(st, 1));
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc checkin_count_phones(struct store *s, int64_t since,
                                   void (*fn)(void *ctx, const char *phone, int64_t n), void *ctx)
{
    return each_count(s,
                      "SELECT p.phone, COUNT(*) FROM checkins c JOIN persons p ON p.id = c.person_id"
                      " WHERE c.checked_in_at > ? AND p.unverified = 1 AND c.created_by_account IS NULL"
                      " AND c.created_by_person IS NULL GROUP BY p.phone",
                      since, fn, ctx);
}

enum store_rc checkin_count_venues(struct store *s, int64_t since,
                                   void (*fn)(void *ctx, const char *venue_id, int64_t n), void *ctx)
{
    return each_count(s,
                      "SELECT CAST(venue_id AS TEXT), COUNT(*) FROM checkins WHERE checked_in_at > ?"
                      " AND created_by_account IS NULL AND created_by_person IS NULL GROUP BY venue_id",
                      since, fn, ctx);
}

enum store_rc checkin_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT c.checked_in_at AS at, c.id, c.venue_id, v.name AS venue_name,"
                                   " c.checked_out_at, c.method FROM checkins c JOIN venues v ON v.id = c.venue_id"
                                   " WHERE c.person_id = ? ORDER BY c.checked_in_at DESC, c.id DESC LIMIT ?",
                                   "ii", person_id, limit);
    return people_timeline_rows(st, rc, "checkin", "iiisis", entries);
}
