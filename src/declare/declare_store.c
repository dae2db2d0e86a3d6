/*
 * declare_store.c - the declarations table (migration 007).
 *
 * Symptom and exposure sets are stored as their names joined by ',' so a
 * row reads the same on both engines and in a spreadsheet export.  Lookups
 * go by the unique client_id and reference, by person, and by area and time
 * for the flagged list; each has its index.
 */
#include <string.h>

#include "declare/declare.h"
#include "store/sql.h"
#include "store/store.h"

#define COLUMNS                                                                                                       \
    "id, client_id, reference, person_id, kind, symptoms, exposure, health_status, origin_commune, "                 \
    "destination_commune, vehicle, vehicle_number, travel_date, from_country, entry_point, flight_number, "           \
    "arrival_date, flagged, province_code, district_code, commune_code, declared_at, declared_by, handled_at, "   \
    "handled_by, handled_note"

static const char *dup(struct arena *a, struct store_stmt *st, int i)
{
    const char *s = store_col_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

static void read_row(struct store_stmt *st, struct arena *a, struct declaration *d)
{
    memset(d, 0, sizeof(*d));
    d->id = store_col_int(st, 0);
    d->client_id = dup(a, st, 1);
    const char *ref = store_col_text(st, 2);
    if (ref)
        strncpy(d->reference, ref, DECLARE_REF_LEN);
    d->person_id = store_col_int(st, 3);
    const char *kind = store_col_text(st, 4);
    d->kind = kind ? declare_kind_parse(kind) : -1;
    d->symptoms = declare_bits_split(store_col_text(st, 5), true);
    d->exposure = declare_bits_split(store_col_text(st, 6), false);
    d->health_status = dup(a, st, 7);
    d->origin_commune = dup(a, st, 8);
    d->destination_commune = dup(a, st, 9);
    d->vehicle = dup(a, st, 10);
    d->vehicle_number = dup(a, st, 11);
    d->travel_date = dup(a, st, 12);
    d->from_country = dup(a, st, 13);
    d->entry_point = dup(a, st, 14);
    d->flight_number = dup(a, st, 15);
    d->arrival_date = dup(a, st, 16);
    d->flagged = store_col_int(st, 17) != 0;
    d->province_code = dup(a, st, 18);
    d->district_code = dup(a, st, 19);
    d->commune_code = dup(a, st, 20);
    d->declared_at = store_col_int(st, 21);
    d->declared_by = store_col_null(st, 22) ? 0 : store_col_int(st, 22);
    d->handled_at = store_col_null(st, 23) ? 0 : store_col_int(st, 23);
    d->handled_by = store_col_null(st, 24) ? 0 : store_col_int(st, 24);
    d->handled_note = dup(a, st, 25);
}

/* Runs a prepared query and reads at most max rows into an array in a. */
static enum store_rc read_rows(struct store_stmt *st, struct arena *a, int64_t max, struct declaration **out,
                               int *n)
{
    int cap = 16, rc;
    struct declaration *list = arena_alloc(a, sizeof(*list) * (size_t)cap);
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < max) {
        if (*n == cap) {
            struct declaration *grown = arena_alloc(a, sizeof(*list) * (size_t)cap * 2);
            memcpy(grown, list, sizeof(*list) * (size_t)cap);
            list = grown;
            cap *= 2;
        }
        read_row(st, a, &list[(*n)++]);
    }
    store_finalize(st);
    *out = list;
    return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc declare_insert(struct store *s, struct declaration *d, bool *created)
{
    struct arena a;
    arena_init(&a);
    int64_t id = 0;
    /* declared_by is SQL NULL for a citizen: 'n' takes no argument, so the last one is ignored. */
    char types[] = "ssisssssssssssssdsssii";
    if (!d->declared_by)
        types[sizeof(types) - 2] = 'n';
    *created = false;
    /* ON CONFLICT DO NOTHING covers both unique columns without aborting a
     * PostgreSQL transaction; the caller tells which one it was. */
    enum store_rc rc = store_int(
        s, &id,
        "INSERT INTO declarations (client_id, reference, person_id, kind, symptoms, exposure, "
        "health_status, origin_commune, destination_commune, vehicle, vehicle_number, travel_date, "
        "from_country, entry_point, flight_number, arrival_date, flagged, province_code, "
        "district_code, commune_code, declared_at, declared_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING id",
        types, d->client_id, d->reference, d->person_id, declare_kind_name(d->kind),
        declare_bits_join(&a, d->symptoms, true), declare_bits_join(&a, d->exposure, false), d->health_status,
        d->origin_commune, d->destination_commune, d->vehicle, d->vehicle_number, d->travel_date,
        d->from_country, d->entry_point, d->flight_number, d->arrival_date, d->flagged ? 1 : 0,
        d->province_code, d->district_code, d->commune_code, d->declared_at, d->declared_by);
    arena_release(&a);
    if (rc == STORE_OK) {
        d->id = id;
        *created = true;
        return STORE_OK;
    }
    if (rc != STORE_DONE)
        return rc;
    int64_t exists = 0;
    rc = store_int(s, &exists, "SELECT count(*) FROM declarations WHERE client_id = ?", "s", d->client_id);
    if (rc)
        return rc;
    return exists ? STORE_OK : STORE_CONFLICT; /* not the client_id: the reference was taken */
}

struct read_ctx {
    struct arena *a;
    struct declaration *out;
};

static void read_one(struct store_stmt *st, void *p)
{
    struct read_ctx *c = p;
    read_row(st, c->a, c->out);
}

enum store_rc declare_get_by_client_id(struct store *s, struct arena *a, const char *client_id,
                                       struct declaration *out)
{
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " COLUMNS " FROM declarations WHERE client_id = ?", "s", client_id);
}

enum store_rc declare_get_by_reference(struct store *s, struct arena *a, const char *reference,
                                       struct declaration *out)
{
    struct read_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " COLUMNS " FROM declarations WHERE reference = ?", "s", reference);
}

enum store_rc declare_list_person(struct store *s, struct arena *a, int64_t person_id, int64_t limit,
                                  struct declaration **out, int *n)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT " COLUMNS " FROM declarations WHERE person_id = ? "
                                   "ORDER BY declared_at DESC, id DESC LIMIT ?",
                                   "ii", person_id, limit);
    if (rc)
        return rc;
    return read_rows(st, a, limit, out, n);
}

enum store_rc declare_list_flagged(struct store *s, struct arena *a, const char *area, int64_t from,
                                   int64_t to, int64_t limit, struct declaration **out, int *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT " COLUMNS " FROM declarations WHERE flagged = 1 AND declared_at >= ? AND declared_at < ?",
                   "ii", from, to);
    store_sql_area(&q, NULL, area);
    store_sql_add(&q, " ORDER BY person_id, declared_at, id LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    if (rc)
        return rc;
    return read_rows(st, a, limit, out, n);
}

enum store_rc declare_mark_handled(struct store *s, const struct declaration *d, int64_t account, int64_t at,
                                   const char *note, int64_t *marked)
{
    *marked = 0;
    if (d->handled_at)
        return STORE_OK;
    return store_run(s, marked,
                     "UPDATE declarations SET handled_at = ?, handled_by = ?, handled_note = ? "
                     "WHERE person_id = ? AND flagged = 1 AND handled_at IS NULL "
                     "AND (declared_at < ? OR (declared_at = ? AND id <= ?))",
                     "iisiiii", at, account, note, d->person_id, d->declared_at, d->declared_at, d->id);
}

enum store_rc declare_count_unhandled(struct store *s, const char *area, int64_t from, int64_t to, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT count(DISTINCT person_id) FROM declarations WHERE flagged = 1 AND handled_at IS NULL "
                   "AND declared_at >= ? AND declared_at < ?",
                   "ii", from, to);
    store_sql_area(&q, NULL, area);
    return store_sql_int(s, n, &q);
}
