/*
 * venue_store.c - queries on the venues table, and the visitor log read from
 * the check-ins table (owned by the check-in files) joined with persons.
 *
 * Every venue row carries its province, district and commune codes, so an
 * official's list is one indexed comparison (store_sql_area).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "qr/qr.h"
#include "store/sql.h"
#include "store/store.h"
#include "venue/venue_int.h"

#define VENUE_COLUMNS "id, code, name, type, commune_code, street, capacity, status, owner_account_id, created_at"

static void read_row(struct store_stmt *st, struct arena *a, struct venue *out)
{
    out->id = store_col_int(st, 0);
    out->code = arena_strdup(a, store_col_text(st, 1));
    out->name = arena_strdup(a, store_col_text(st, 2));
    out->type = arena_strdup(a, store_col_text(st, 3));
    out->commune_code = arena_strdup(a, store_col_text(st, 4));
    out->street = arena_strdup(a, store_col_text(st, 5));
    out->capacity = store_col_int(st, 6);
    out->status = arena_strdup(a, store_col_text(st, 7));
    out->owner_account_id = store_col_int(st, 8);
    out->created_at = store_col_int(st, 9);
}

struct read_ctx {
    struct arena *a;
    struct venue *out;
};

static void read_one(struct store_stmt *st, void *p)
{
    struct read_ctx *c = p;
    read_row(st, c->a, c->out);
}

enum store_rc venue_get(struct store *s, struct arena *a, int64_t id, struct venue *out)
{
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " VENUE_COLUMNS " FROM venues WHERE id = ?", "i", id);
}

enum store_rc venue_find_by_code(struct store *s, struct arena *a, const char *code, struct venue *out)
{
    if (!code || strlen(code) != VENUE_CODE_LEN)
        return STORE_DONE; /* no stored code has another length: spare the query */
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " VENUE_COLUMNS " FROM venues WHERE code = ?", "s", code);
}

/*
 * Venues by code, in memory, for the check-in path (every anonymous check-in
 * names its venue by code).  An entry is trusted for VENUE_CACHE_TTL seconds,
 * and every status change made by this server forgets them all
 * (venue__cache_forget, after its commit): a venue approved or rejected here
 * shows at once, one changed through another server over the same database
 * within the TTL.  Slots hold copies, not pointers, so a reader never sees an
 * entry being rewritten.
 *
 * A code may sit in any of the VENUE_CACHE_WAYS slots of its set, and a new
 * entry takes the set's free or stalest slot: with one slot per code (the
 * first version), two busy venues whose codes fell on the same slot pushed
 * each other out at every check-in, about one venue in ten at a hundred.
 */
#define VENUE_CACHE_SETS 128
#define VENUE_CACHE_WAYS 8
#define VENUE_CACHE_TTL 5.0 /* seconds */

struct venue_cached {
    char code[VENUE_CODE_LEN + 1];
    double until;        /* clock_mono() after which the entry is read again */
    uint64_t generation; /* venue_generation when it was read */
    int64_t id, capacity, owner_account_id, created_at;
    char name[VENUE_NAME_MAX * 4 + 1], type[40], commune_code[16], street[VENUE_STREET_MAX * 4 + 1], status[16];
};

static pthread_mutex_t venue_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct venue_cached venue_cache[VENUE_CACHE_SETS][VENUE_CACHE_WAYS];
static atomic_uint_fast64_t venue_generation = 1;

void venue__cache_forget(void)
{
    atomic_fetch_add(&venue_generation, 1);
}

static struct venue_cached *cache_set(const char *code)
{
    uint32_t h = 2166136261u;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return venue_cache[h % VENUE_CACHE_SETS];
}

/* The entry of code in its set if it is still good (lock held). */
static const struct venue_cached *cache_hit(const struct venue_cached *set, const char *code, uint64_t gen,
                                            double now)
{
    for (int w = 0; w < VENUE_CACHE_WAYS; w++)
        if (!strcmp(set[w].code, code))
            return set[w].generation == gen && set[w].until > now ? &set[w] : NULL;
    return NULL;
}

/* How long an entry stays good, for choosing what to replace: not at all once a venue changed. */
static double cache_good_until(const struct venue_cached *e, uint64_t gen)
{
    return e->generation == gen ? e->until : 0;
}

/* Where a fresh entry of code goes (lock held): its own slot, else a free or the stalest one. */
static struct venue_cached *cache_victim(struct venue_cached *set, const char *code, uint64_t gen)
{
    struct venue_cached *v = &set[0];
    for (int w = 0; w < VENUE_CACHE_WAYS; w++) {
        if (!strcmp(set[w].code, code) || !set[w].code[0])
            return &set[w];
        if (cache_good_until(&set[w], gen) < cache_good_until(v, gen))
            v = &set[w];
    }
    return v;
}

static bool copy_in(char *dst, size_t n, const char *src)
{
    return snprintf(dst, n, "%s", src ? src : "") < (int)n;
}

enum store_rc venue_find_by_code_cached(struct store *s, struct arena *a, const char *code, struct venue *out)
{
    if (!code || strlen(code) != VENUE_CODE_LEN)
        return STORE_DONE;
    struct venue_cached *set = cache_set(code);
    uint64_t gen = atomic_load(&venue_generation);
    double now = clock_mono();
    pthread_mutex_lock(&venue_cache_lock);
    const struct venue_cached *e = cache_hit(set, code, gen, now);
    if (e)
        *out = (struct venue){
            .id = e->id,
            .code = arena_strdup(a, e->code),
            .name = arena_strdup(a, e->name),
            .type = arena_strdup(a, e->type),
            .commune_code = arena_strdup(a, e->commune_code),
            .street = arena_strdup(a, e->street),
            .capacity = e->capacity,
            .status = arena_strdup(a, e->status),
            .owner_account_id = e->owner_account_id,
            .created_at = e->created_at,
        };
    pthread_mutex_unlock(&venue_cache_lock);
    if (e)
        return STORE_OK;
    enum store_rc rc = venue_find_by_code(s, a, code, out);
    if (rc)
        return rc;
    struct venue_cached fresh = {.until = now + VENUE_CACHE_TTL, .generation = gen, .id = out->id,
                                 .capacity = out->capacity, .owner_account_id = out->owner_account_id,
                                 .created_at = out->created_at};
    if (copy_in(fresh.code, sizeof(fresh.code), out->code) && copy_in(fresh.name, sizeof(fresh.name), out->name) &&
        copy_in(fresh.type, sizeof(fresh.type), out->type) &&
        copy_in(fresh.commune_code, sizeof(fresh.commune_code), out->commune_code) &&
        copy_in(fresh.street, sizeof(fresh.street), out->street) &&
        copy_in(fresh.status, sizeof(fresh.status), out->status)) {
        pthread_mutex_lock(&venue_cache_lock);
        *cache_victim(set, fresh.code, gen) = fresh;
        pthread_mutex_unlock(&venue_cache_lock);
    }
    return STORE_OK;
}

enum store_rc venue__find_by_client_id(struct store *s, struct arena *a, const char *client_id,
                                       struct venue *out)
{
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " VENUE_COLUMNS " FROM venues WHERE client_id = ?", "s", client_id);
}

enum store_rc venue__insert(struct store *s, const struct venue_new *in, int64_t *id)
{
    const struct unit *u = unit_find(in->commune_code);
    const char *province = NULL, *district = NULL, *commune = NULL;
    if (!u)
        return STORE_INVALID;
    unit_ancestors(u, &province, &district, &commune);
    int64_t now = clock_now();
    /*
     * A fresh code may, rarely, collide with a stored one: ON CONFLICT DO
     * NOTHING answers no row instead of failing (which would abort the
     * PostgreSQL transaction), and another code is drawn.  A conflict on
     * client_id is told apart by the caller, which looks the id up first.
     */
    for (int attempt = 0; attempt < 8; attempt++) {
        char code[VENUE_CODE_LEN + 8];
        memset(code, 0, sizeof(code));
        qr_code_generate(code, VENUE_CODE_LEN);
        code[VENUE_CODE_LEN] = '\0';
        enum store_rc rc =
            store_int(s, id,
                      "INSERT INTO venues (code, client_id, name, type, street, capacity, status,"
                      " owner_account_id, province_code, district_code, commune_code, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT DO NOTHING RETURNING id",
                      "sssssiisssii", code, in->client_id, in->name, in->type, in->street, in->capacity,
                      in->owner_account_id, province, district, commune, now, now);
        if (rc != STORE_DONE)
            return rc;
        if (in->client_id) {
            int64_t taken = 0;
            rc = store_int(s, &taken, "SELECT COUNT(*) FROM venues WHERE client_id = ?", "s", in->client_id);
            if (rc)
                return rc;
            if (taken)
                return STORE_CONFLICT;
        }
    }
    return STORE_ERROR;
}

/* An official's list is its area; an owner's list is its own venues (unit_code NULL). */
static void venue_filter_where(struct store_sql *sql, const struct venue_filter *q)
{
    store_sql_add(sql, " WHERE 1 = 1", "");
    if (q->unit_code)
        store_sql_area(sql, NULL, q->unit_code);
    if (q->status)
        store_sql_add(sql, " AND status = ?", "s", q->status);
    if (q->owner_account_id)
        store_sql_add(sql, " AND owner_account_id = ?", "i", q->owner_account_id);
}

enum store_rc venue__list(struct store *s, struct arena *a, const struct venue_filter *q, struct venue **out,
                          int64_t *n, int64_t *total)
{
    struct store_sql count, list;
    store_sql_init(&count, "SELECT COUNT(*) FROM venues", "");
    venue_filter_where(&count, q);
    store_sql_init(&list, "SELECT " VENUE_COLUMNS " FROM venues", "");
    venue_filter_where(&list, q);
    store_sql_add(&list, " ORDER BY id LIMIT ? OFFSET ?", "ii", q->limit, q->offset);
    enum store_rc rc = store_sql_int(s, total, &count);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = store_sql_query(s, &st, &list);
    if (rc)
        return rc;
    *out = arena_alloc(a, sizeof(**out) * (size_t)(q->limit > 0 ? q->limit : 1));
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < q->limit)
        read_row(st, a, &(*out)[(*n)++]);
    store_finalize(st);
    return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

enum store_rc venue__set_status(struct store *s, int64_t id, const char *status, int64_t reviewer,
                                const char *reason)
{
    int64_t now = clock_now();
    venue__cache_forget(); /* again after the commit (venue_http.c): a reader meanwhile saw the old row */
    return store_run(s, NULL,
                     "UPDATE venues SET status = ?, reviewed_by = ?, reviewed_at = ?, reject_reason = ?, updated_at = ?"
                     " WHERE id = ?",
                     "siisii", status, reviewer, now, reason, now, id);
}

enum store_rc venue__visits(struct store *s, struct arena *a, int64_t venue_id, int64_t from, int64_t to,
                            struct venue_visit **out, int64_t *n)
{
    int64_t count = 0;
    enum store_rc rc = store_int(s, &count,
                                 "SELECT COUNT(*) FROM checkins WHERE venue_id = ? AND checked_in_at >= ?"
                                 " AND checked_in_at < ?",
                                 "iii", venue_id, from, to);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = store_query(s, &st,
                     "SELECT c.id, c.checked_in_at, c.checked_out_at, p.full_name, p.phone, c.method"
                     " FROM checkins c LEFT JOIN persons p ON p.id = c.person_id"
                     " WHERE c.venue_id = ? AND c.checked_in_at >= ? AND c.checked_in_at < ?"
                     " ORDER BY c.checked_in_at, c.id LIMIT ?",
                     "iiii", venue_id, from, to, count);
    if (rc)
        return rc;
    *out = arena_alloc(a, sizeof(**out) * (size_t)(count > 0 ? count : 1));
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < count) {
        struct venue_visit *v = &(*out)[(*n)++];
        v->checkin_id = store_col_int(st, 0);
        v->checked_in_at = store_col_int(st, 1);
        v->checked_out_at = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
        v->full_name = store_col_null(st, 3) ? NULL : arena_strdup(a, store_col_text(st, 3));
        v->phone = store_col_null(st, 4) ? NULL : arena_strdup(a, store_col_text(st, 4));
        v->method = arena_strdup(a, store_col_text(st, 5));
    }
    store_finalize(st);
    return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}
