/*
 * populations.c - populations by unit and age band: the upload (CSV or XLSX,
 * one row per unit), the list, and the lookup the situation's rates use.
 *
 * Who sets what: national admins the nation and the provinces, province
 * admins the districts and communes of their province.  A unit's figure is
 * its own: never taken from its parent or added up from its children.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "http/http.h"
#include "import/import.h"
#include "situation/situation.h"
#include "store/store.h"

const char *const POP_BANDS[POP_NBANDS] = {"all", "18", "50", "65"};
/* The file's columns after unit_code, one per band. */
static const char *const COLUMNS[POP_NBANDS] = {"total", "age_18_plus", "age_50_plus", "age_65_plus"};

#define POP_MAX_ROWS 20000        /* every commune of the nation fits */
#define POP_MAX_PEOPLE 200000000  /* above the nation's population */
#define POP_MAX_ERRORS 100

int situation_population(struct store *s, const char *unit_code, int64_t out[POP_NBANDS])
{
    for (int b = 0; b < POP_NBANDS; b++)
        out[b] = -1;
    struct store_stmt *st;
    int rc = store_query(s, &st, "SELECT band, people FROM populations WHERE unit_code = ?", "s", unit_code);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        const char *band = store_col_text(st, 0);
        for (int b = 0; b < POP_NBANDS; b++)
            if (band && !strcmp(band, POP_BANDS[b]))
                out[b] = store_col_int(st, 1);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* May this caller set the population of unit u? */
static bool may_set(const struct http_req *r, const struct unit *u)
{
    int level = role_admin_level(r->who->role);
    if (level == 0)
        return u->level <= 1;
    if (level == 1)
        return u->level >= 2 && unit_within(r->who->unit_code, u->code);
    return false;
}

/* A count cell: "" (unknown) -> -1; digits (spaces and dots or commas as thousands allowed) -> value. */
static bool parse_count(const char *cell, int64_t *out)
{
    int64_t v = 0;
    int digits = 0;
    for (const char *p = cell; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            if (v > POP_MAX_PEOPLE)
                return false;
            digits++;
        } else if (*p != ' ' && *p != '.' && *p != ',') {
            return false;
        }
    }
    *out = digits ? v : -1;
    return true;
}

struct row_error {
    int64_t line;
    const char *field, *code, *reason; /* code: what the page translates */
};

struct upload {
    struct http_req *r;
    struct import_table t;
    int col[1 + POP_NBANDS]; /* cell index of unit_code and of each band */
    struct row_error errors[POP_MAX_ERRORS];
    int nerrors;
    size_t rows, valid, bad, stored;
};

static void row_fail(struct upload *u, int64_t line, const char *field, const char *code, const char *reason)
{
    u->bad++;
    if (u->nerrors < POP_MAX_ERRORS)
        u->errors[u->nerrors++] = (struct row_error){line, field, code, reason};
}

static int store_rows(struct store *s, void *p)
{
    struct upload *u = p;
    int64_t now = clock_now(), by = u->r->who->account_id;
    const char **seen = arena_alloc(&u->r->arena, (u->t.nrows + 1) * sizeof *seen);
    size_t nseen = 0;
    u->rows = u->valid = u->bad = u->stored = 0;
    u->nerrors = 0;
    for (size_t i = 1; i < u->t.nrows; i++) {
        const struct import_row *row = &u->t.rows[i];
        u->rows++;
        if (row->bad_encoding || row->unterminated || row->too_wide) {
            row_fail(u, row->line, NULL, "unreadable", "the row cannot be read (encoding, quotes or width)");
            continue;
        }
        const char *code = u->col[0] < row->ncells ? row->cells[u->col[0]] : "";
        const struct unit *unit = unit_find(code);
        if (!unit) {
            row_fail(u, row->line, "unit_code", "unknown_unit", "unknown unit code");
            continue;
        }
        if (!may_set(u->r, unit)) {
            row_fail(u, row->line, "unit_code", "not_yours", "not a unit whose population you may set");
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = !strcmp(seen[k], unit->code);
        if (dup) {
            row_fail(u, row->line, "unit_code", "duplicate", "the unit is on an earlier row");
            continue;
        }
        int64_t v[POP_NBANDS];
        const char *bad = NULL;
        for (int b = 0; b < POP_NBANDS && !bad; b++) {
            const char *cell = u->col[1 + b] < row->ncells ? row->cells[u->col[1 + b]] : "";
            if (!parse_count(cell, &v[b]))
                bad = COLUMNS[b];
        }
        if (bad) {
            row_fail(u, row->line, bad, "not_a_count", "not a whole number of people");
            continue;
        }
        /* each band holds the older ones: total >= 18+ >= 50+ >= 65+ where both are known */
        for (int b = 1; b < POP_NBANDS && !bad; b++)
            for (int a = 0; a < b && !bad; a++)
                if (v[a] >= 0 && v[b] > v[a])
                    bad = COLUMNS[b];
        if (bad) {
            row_fail(u, row->line, bad, "band_too_large", "more people than in a wider age band");
            continue;
        }
        seen[nseen++] = unit->code;
        u->valid++;
        for (int b = 0; b < POP_NBANDS; b++) {
            int rc;
            if (v[b] < 0) /* an empty cell: the figure is unknown, an earlier one is dropped */
                rc = store_run(s, NULL, "DELETE FROM populations WHERE unit_code = ? AND band = ?", "ss", unit->code,
                               POP_BANDS[b]);
            else
                rc = store_run(s, NULL,
                               "INSERT INTO populations (unit_code, band, people, updated_by, updated_at)"
                               " VALUES (?, ?, ?, ?, ?) ON CONFLICT (unit_code, band) DO UPDATE SET"
                               " people = excluded.people, updated_by = excluded.updated_by,"
                               " updated_at = excluded.updated_at",
                               "ssiii", unit->code, POP_BANDS[b], v[b], by, now);
            if (rc)
                return rc;
            if (v[b] >= 0)
                u->stored++;
        }
    }
    return audit_request(u->r, "population.upload", "population", NULL, u->r->who->unit_code);
}

/* Finds the columns by the header row (any order, any case). */
static int read_header(struct upload *u)
{
    const struct import_row *h = &u->t.rows[0];
    static const char *const names[1 + POP_NBANDS] = {"unit_code", "total", "age_18_plus", "age_50_plus",
                                                      "age_65_plus"};
    for (int k = 0; k < 1 + POP_NBANDS; k++) {
        u->col[k] = -1;
        for (int c = 0; c < h->ncells; c++)
            if (!strcasecmp(h->cells[c], names[k]))
                u->col[k] = c;
        if (u->col[k] < 0)
            return http_fail(u->r, ERR_INVALID_FIELD, "file",
                             "the first row must name the columns unit_code, total, age_18_plus, age_50_plus,"
                             " age_65_plus (missing %s)",
                             names[k]);
    }
    return 0;
}

/* POST /api/v1/populations/upload : the body is the file (CSV or XLSX). Valid rows are stored, bad rows reported. */
enum err situation_handle_population_upload(struct http_req *r)
{
    struct upload *u = arena_alloc(&r->arena, sizeof *u);
    memset(u, 0, sizeof *u);
    u->r = r;
    int rc = import_read(&r->arena, r->body.data, r->body.len, IMPORT_AUTO, POP_MAX_ROWS + 1, "file", &u->t,
                         &r->fault);
    if (rc)
        return r->fault.code ? (int)r->fault.code : rc;
    rc = read_header(u);
    if (rc)
        return rc;
    rc = store_tx(r->store, store_rows, u);
    if (rc)
        return r->fault.code ? r->fault.code : store_err(rc);
    situation_levels_changed();
    json_t *errors = json_array();
    for (int i = 0; i < u->nerrors; i++)
        json_array_append_new(errors, json_pack("{s:I, s:s?, s:s, s:s}", "line", (json_int_t)u->errors[i].line,
                                                "field", u->errors[i].field, "code", u->errors[i].code, "reason",
                                                u->errors[i].reason));
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:b}", "format",
                                     import_format_name(u->t.format), "rows", (json_int_t)u->rows, "valid",
                                     (json_int_t)u->valid, "bad", (json_int_t)u->bad, "stored",
                                     (json_int_t)u->stored, "errors", errors, "errors_truncated",
                                     u->bad > (size_t)u->nerrors));
}

static json_t *population_json(const int64_t v[POP_NBANDS])
{
    json_t *j = json_object();
    for (int b = 0; b < POP_NBANDS; b++)
        json_object_set_new(j, POP_BANDS[b], v[b] < 0 ? json_null() : json_integer(v[b]));
    return j;
}

json_t *situation_population_json(const int64_t v[POP_NBANDS])
{
    return population_json(v);
}

/* GET /api/v1/populations?unit=CODE : the unit's figures and those of each unit below it. */
enum err situation_handle_populations(struct http_req *r)
{
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    int64_t v[POP_NBANDS];
    rc = situation_population(r->store, u->code, v);
    json_t *rows = json_array();
    for (size_t i = 0; i < u->nchildren && !rc; i++) {
        int64_t cv[POP_NBANDS];
        rc = situation_population(r->store, u->children[i]->code, cv);
        if (!rc)
            json_array_append_new(rows, json_pack("{s:s, s:s, s:o}", "code", u->children[i]->code, "name",
                                                  u->children[i]->name_with_type, "population", population_json(cv)));
    }
    if (rc) {
        json_decref(rows);
        return store_err(rc);
    }
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:o, s:o}", "code", u->code, "name", u->name_with_type, "population",
                                     population_json(v), "rows", rows));
}
