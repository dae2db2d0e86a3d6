/*
 * checkpoint_store.c - the tables of migration 026: checkpoints, their
 * officers, passages with the people in them, and the rules.
 */
#include <stdio.h>
#include <string.h>

#include "checkpoint/checkpoint.h"
#include "store/sql.h"
#include "store/store.h"

static const char *dup(struct arena *a, struct store_stmt *st, int i)
{
    const char *s = store_col_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

/* ---------------------------------------------------------------- checkpoints */

#define CP_COLS                                                                                                       \
    "c.id, c.client_id, c.name, c.road, c.direction, c.lat_e6, c.lon_e6, c.province_code, c.district_code, "         \
    "c.commune_code, c.created_at"

static void read_checkpoint(struct store_stmt *st, struct arena *a, struct checkpoint *c)
{
    memset(c, 0, sizeof(*c));
    c->id = store_col_int(st, 0);
    c->client_id = dup(a, st, 1);
    c->name = dup(a, st, 2);
    c->road = dup(a, st, 3);
    c->direction = dup(a, st, 4);
    c->has_location = !store_col_null(st, 5) && !store_col_null(st, 6);
    c->lat_e6 = store_col_int(st, 5);
    c->lon_e6 = store_col_int(st, 6);
    c->province_code = dup(a, st, 7);
    c->district_code = dup(a, st, 8);
    c->commune_code = dup(a, st, 9);
    c->created_at = store_col_int(st, 10);
}

enum store_rc checkpoint_insert(struct store *s, struct checkpoint *c, int64_t by, bool *created)
{
    /* two statements: a missing location is SQL NULL, and an int bind cannot carry one */
    int64_t id = 0;
    enum store_rc rc;
    if (c->has_location)
        rc = store_int(s, &id,
                       "INSERT INTO checkpoints (client_id, name, road, direction, province_code, lat_e6, lon_e6, "
                       "district_code, commune_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (client_id) DO NOTHING RETURNING id",
                       "sssssiissii", c->client_id, c->name, c->road, c->direction, c->province_code, c->lat_e6,
                       c->lon_e6, c->district_code, c->commune_code, by, c->created_at);
    else
        rc = store_int(s, &id,
                       "INSERT INTO checkpoints (client_id, name, road, direction, province_code, "
                       "district_code, commune_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (client_id) DO NOTHING RETURNING id",
                       "sssssssii", c->client_id, c->name, c->road, c->direction, c->province_code,
                       c->district_code, c->commune_code, by, c->created_at);
    *created = rc == STORE_OK;
    if (rc == STORE_OK) {
        c->id = id;
        return STORE_OK;
    }
    if (rc != STORE_DONE)
        return rc;
    return store_int(s, &c->id, "SELECT id FROM checkpoints WHERE client_id = ?", "s", c->client_id);
}

struct one_ctx {
    struct arena *a;
    struct checkpoint *out;
};

static void read_one(struct store_stmt *st, void *p)
{
    struct one_ctx *c = p;
    read_checkpoint(st, c->a, c->out);
}

enum store_rc checkpoint_get(struct store *s, struct arena *a, int64_t id, struct checkpoint *out)
{
    struct one_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " CP_COLS " FROM checkpoints c WHERE c.id = ?", "i", id);
}

#define MAX_CHECKPOINTS 500

enum store_rc checkpoint_list(struct store *s, struct arena *a, const char *area, int64_t officer,
                              struct checkpoint **out, int *n)
{
    struct store_sql q;
    if (officer) {
        store_sql_init(&q,
                       "SELECT " CP_COLS " FROM checkpoints c JOIN checkpoint_officers o ON o.checkpoint_id = c.id"
                       " WHERE o.account_id = ?",
                       "i", officer);
    } else {
        store_sql_init(&q, "SELECT " CP_COLS " FROM checkpoints c WHERE 1 = 1", "");
        store_sql_area(&q, "c", area);
    }
    store_sql_add(&q, " ORDER BY c.name, c.id LIMIT ?", "i", (int64_t)MAX_CHECKPOINTS);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    if (rc)
        return rc;
    *out = arena_alloc(a, sizeof(**out) * MAX_CHECKPOINTS);
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < MAX_CHECKPOINTS)
        read_checkpoint(st, a, &(*out)[(*n)++]);
    store_finalize(st);
    return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

enum store_rc checkpoint_officer_add(struct store *s, int64_t checkpoint_id, int64_t account_id)
{
    return store_run(s, NULL,
                     "INSERT INTO checkpoint_officers (checkpoint_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     "ii", checkpoint_id, account_id);
}

bool checkpoint_officer_serves(struct store *s, int64_t checkpoint_id, int64_t account_id)
{
    int64_t n = 0;
    return store_int(s, &n, "SELECT count(*) FROM checkpoint_officers WHERE checkpoint_id = ? AND account_id = ?",
                     "ii", checkpoint_id, account_id) == STORE_OK &&
           n > 0;
}

enum store_rc checkpoint_rules_load(struct store *s, struct checkpoint_rule *out, int *n)
{
    struct store_stmt *st;
    *n = 0;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT code, verdict, hours, waived_by, enabled FROM checkpoint_rules"
                                   " ORDER BY position, code",
                                   "");
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (*n >= CHECKPOINT_MAX_RULES)
            continue;
        struct checkpoint_rule *r = &out[*n];
        memset(r, 0, sizeof(*r));
        snprintf(r->code, sizeof(r->code), "%s", store_col_text(st, 0));
        int v = checkpoint_verdict_parse(store_col_text(st, 1));
        r->verdict = v < 0 ? CHECKPOINT_BACK : v; /* an unknown verdict is read as the strictest */
        r->hours = store_col_null(st, 2) ? 0 : (int)store_col_int(st, 2);
        const char *w = store_col_text(st, 3);
        r->waived_if_vaccinated = w && !strcmp(w, "vaccinated");
        r->enabled = store_col_int(st, 4) != 0;
        (*n)++;
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---------------------------------------------------------------- passages
 * The riders of a passage are read with their names and codes from the persons table
 * (read only): an official's day list holds thousands, and people's header has no bulk read. */

#define PASSAGE_COLS                                                                                                  \
    "p.id, p.client_id, p.checkpoint_id, p.direction, p.plate, p.vehicle_type, p.origin_commune, "                   \
    "p.destination_commune, p.day, p.passed_at, p.recorded_at, p.recorded_by, p.province_code, p.district_code, "    \
    "p.commune_code"

static void read_passage(struct store_stmt *st, struct arena *a, struct checkpoint_passage *p)
{
    memset(p, 0, sizeof(*p));
    p->id = store_col_int(st, 0);
    p->client_id = dup(a, st, 1);
    p->checkpoint_id = store_col_int(st, 2);
    p->direction = dup(a, st, 3);
    p->plate = dup(a, st, 4);
    p->vehicle_type = dup(a, st, 5);
    p->origin_commune = dup(a, st, 6);
    p->destination_commune = dup(a, st, 7);
    p->day = store_col_int(st, 8);
    p->passed_at = store_col_int(st, 9);
    p->recorded_at = store_col_int(st, 10);
    p->recorded_by = store_col_null(st, 11) ? 0 : store_col_int(st, 11);
    p->province_code = dup(a, st, 12);
    p->district_code = dup(a, st, 13);
    p->commune_code = dup(a, st, 14);
}

/* Reasons are stored joined by ','; split back into the answer (strings in a). */
static void reasons_split(struct arena *a, const char *joined, struct checkpoint_answer *ans)
{
    ans->nreasons = 0;
    if (!joined || !*joined)
        return;
    char *copy = arena_strdup(a, joined);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && ans->nreasons < CHECKPOINT_MAX_RULES;
         t = strtok_r(NULL, ",", &save))
        ans->reasons[ans->nreasons++] = t;
}

static enum store_rc riders_read(struct store *s, struct arena *a, struct checkpoint_passage *p)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT r.person_id, r.by_field, r.verdict, r.reasons, r.vaccination, r.photo_type,"
                                   " pe.full_name, pe.code FROM checkpoint_passage_people r"
                                   " LEFT JOIN persons pe ON pe.id = r.person_id"
                                   " WHERE r.passage_id = ? ORDER BY r.position",
                                   "i", p->id);
    if (rc)
        return rc;
    p->riders = arena_alloc(a, sizeof(*p->riders) * CHECKPOINT_MAX_RIDERS);
    p->nriders = 0;
    while ((rc = store_step(st)) == STORE_ROW && p->nriders < CHECKPOINT_MAX_RIDERS) {
        struct checkpoint_rider *r = &p->riders[p->nriders++];
        memset(r, 0, sizeof(*r));
        r->person_id = store_col_int(st, 0);
        r->by_field = dup(a, st, 1);
        int v = checkpoint_verdict_parse(store_col_text(st, 2));
        r->answer.verdict = v < 0 ? CHECKPOINT_BACK : v;
        reasons_split(a, store_col_text(st, 3), &r->answer);
        r->vaccination = dup(a, st, 4);
        r->photo_type = dup(a, st, 5);
        r->full_name = dup(a, st, 6);
        r->code = dup(a, st, 7);
    }
    store_finalize(st);
    return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

enum store_rc checkpoint_passage_insert(struct store *s, struct checkpoint_passage *p)
{
    enum store_rc rc = store_int(
        s, &p->id,
        "INSERT INTO checkpoint_passages (client_id, checkpoint_id, direction, plate, vehicle_type, origin_commune, "
        "destination_commune, day, passed_at, recorded_at, recorded_by, province_code, district_code, commune_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "sisssssiiiisss", p->client_id, p->checkpoint_id, p->direction, p->plate, p->vehicle_type, p->origin_commune,
        p->destination_commune, p->day, p->passed_at, p->recorded_at, p->recorded_by, p->province_code,
        p->district_code, p->commune_code);
    if (rc)
        return rc;
    for (int i = 0; i < p->nriders; i++) {
        struct checkpoint_rider *r = &p->riders[i];
        char reasons[CHECKPOINT_MAX_RULES * 33] = "";
        size_t len = 0;
        for (int k = 0; k < r->answer.nreasons; k++)
            len += (size_t)snprintf(reasons + len, sizeof(reasons) - len, "%s%s", k ? "," : "",
                                    r->answer.reasons[k]);
        rc = store_run(s, NULL,
                       "INSERT INTO checkpoint_passage_people (passage_id, person_id, position, by_field, verdict,"
                       " reasons, vaccination, photo_type, photo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       "iidssssss", p->id, r->person_id, i, r->by_field, checkpoint_verdict_name(r->answer.verdict),
                       reasons, r->vaccination ? r->vaccination : "none", r->photo_type, r->photo);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

struct passage_ctx {
    struct arena *a;
    struct checkpoint_passage *out;
};

static void read_passage_one(struct store_stmt *st, void *p)
{
    struct passage_ctx *c = p;
    read_passage(st, c->a, c->out);
}

enum store_rc checkpoint_passage_by_client_id(struct store *s, struct arena *a, const char *client_id,
                                              struct checkpoint_passage *out)
{
    struct passage_ctx c = {a, out};
    enum store_rc rc = store_get(s, read_passage_one, &c,
                                 "SELECT " PASSAGE_COLS " FROM checkpoint_passages p WHERE p.client_id = ?", "s",
                                 client_id);
    return rc ? rc : riders_read(s, a, out);
}

#define MAX_PASSAGES 5000 /* one checkpoint's busiest day; a plate's history */

static enum store_rc passages_read(struct store *s, struct arena *a, struct store_stmt *st,
                                   struct checkpoint_passage **out, int *n)
{
    int cap = 64;
    enum store_rc rc;
    *out = arena_alloc(a, sizeof(**out) * (size_t)cap);
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < MAX_PASSAGES) {
        if (*n == cap) {
            struct checkpoint_passage *grown = arena_alloc(a, sizeof(**out) * (size_t)cap * 2);
            memcpy(grown, *out, sizeof(**out) * (size_t)cap);
            *out = grown;
            cap *= 2;
        }
        read_passage(st, a, &(*out)[(*n)++]);
    }
    store_finalize(st);
    if (rc != STORE_DONE && rc != STORE_ROW)
        return rc;
    for (int i = 0; i < *n; i++)
        if ((rc = riders_read(s, a, &(*out)[i])))
            return rc;
    return STORE_OK;
}

enum store_rc checkpoint_passages_day(struct store *s, struct arena *a, int64_t checkpoint_id, int64_t day,
                                      struct checkpoint_passage **out, int *n)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT " PASSAGE_COLS " FROM checkpoint_passages p WHERE p.checkpoint_id = ?"
                                   " AND p.day = ? ORDER BY p.passed_at, p.id LIMIT ?",
                                   "iii", checkpoint_id, day, (int64_t)MAX_PASSAGES);
    return rc ? rc : passages_read(s, a, st, out, n);
}

enum store_rc checkpoint_passages_plate(struct store *s, struct arena *a, const char *area, const char *plate,
                                        int64_t limit, struct checkpoint_passage **out, int *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT " PASSAGE_COLS " FROM checkpoint_passages p WHERE p.plate = ?", "s", plate);
    store_sql_area(&q, "p", area);
    store_sql_add(&q, " ORDER BY p.passed_at DESC, p.id DESC LIMIT ?", "i", limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    return rc ? rc : passages_read(s, a, st, out, n);
}

struct photo_ctx {
    struct arena *a;
    const char **type, **b64, **commune;
};

static void read_photo_row(struct store_stmt *st, void *p)
{
    struct photo_ctx *c = p;
    *c->type = dup(c->a, st, 0);
    *c->b64 = dup(c->a, st, 1);
    *c->commune = dup(c->a, st, 2);
}

enum store_rc checkpoint_photo(struct store *s, struct arena *a, int64_t passage_id, int64_t person_id,
                               const char **type, const char **b64, const char **commune)
{
    struct photo_ctx c = {a, type, b64, commune};
    return store_get(s, read_photo_row, &c,
                     "SELECT r.photo_type, r.photo, p.commune_code FROM checkpoint_passage_people r"
                     " JOIN checkpoint_passages p ON p.id = r.passage_id"
                     " WHERE r.passage_id = ? AND r.person_id = ? AND r.photo IS NOT NULL",
                     "ii", passage_id, person_id);
}

enum store_rc checkpoint_photos_expire(struct store *s, int64_t before, int64_t *deleted)
{
    return store_run(s, deleted,
                     "UPDATE checkpoint_passage_people SET photo = NULL, photo_type = NULL WHERE photo IS NOT NULL"
                     " AND passage_id IN (SELECT id FROM checkpoint_passages WHERE passed_at < ?)",
                     "i", before);
}
