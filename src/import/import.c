/*
 * import.c - format detection, the limits, and the table both readers fill.
 */
#include <string.h>

#include "import/import.h"

#define POOL_BLOCK (64u << 10) /* packed text comes from arena blocks of this size */

/* Generous for real files: a vaccination list of 100,000 rows of 13 columns is
 * 1.3 M cells and ~15 MiB of text; Excel nests sheet XML less than 16 deep. */
const struct import_limits import_limits_default = {
    .parts = 10000,
    .expanded = 128u << 20,
    .ratio = 100,
    .elements = 16u << 20,
    .depth = 64,
    .tag = 64u << 10,
    .text = 1u << 20,
    .shared = 1u << 20,
    .cells = 4u << 20,
    .table_text = 64u << 20,
};

const char *import_format_name(enum import_format f)
{
    return f == IMPORT_XLSX ? "xlsx" : "csv";
}

enum import_format import_detect(const char *data, size_t len)
{
    if (len >= 4 && !memcmp(data, "PK\3\4", 4))
        return IMPORT_XLSX;
    return IMPORT_CSV;
}

struct import_row *import__row(struct import__table *t, size_t max_rows, int ncells, struct fault *f)
{
    struct import_table *o = t->out;
    if (o->nrows >= max_rows) {
        fault_set(f, ERR_TOO_LARGE, t->field, "the file has more than %zu rows", max_rows);
        return NULL;
    }
    if ((size_t)ncells > t->lim->cells - t->cells) {
        fault_set(f, ERR_TOO_COMPLEX, t->field, "the file has more than %zu cells", t->lim->cells);
        return NULL;
    }
    t->cells += (size_t)ncells;
    if (o->nrows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        struct import_row *rows = arena_alloc(t->a, ncap * sizeof(*rows));
        if (o->nrows)
            memcpy(rows, o->rows, o->nrows * sizeof(*rows));
        o->rows = rows;
        t->cap = ncap;
    }
    struct import_row *r = &o->rows[o->nrows++];
    memset(r, 0, sizeof(*r));
    r->ncells = ncells;
    r->cells = arena_alloc(t->a, (size_t)(ncells ? ncells : 1) * sizeof(char *));
    for (int i = 0; i < ncells; i++)
        r->cells[i] = "";
    return r;
}

const char *import__text(struct import__table *t, const char *s, size_t n, struct fault *f)
{
    if (n == 0)
        return "";
    if (n + 1 > t->lim->table_text - t->text) {
        fault_set(f, ERR_TOO_COMPLEX, t->field, "the file holds more than %zu MiB of text",
                  t->lim->table_text >> 20);
        return NULL;
    }
    t->text += n + 1;
    char *p;
    if (n + 1 > POOL_BLOCK / 16) {
        p = arena_alloc(t->a, n + 1); /* a long cell: its own allocation */
    } else {
        if (t->pool_left < n + 1) {
            t->pool = arena_alloc(t->a, POOL_BLOCK);
            t->pool_left = POOL_BLOCK;
        }
        p = t->pool; /* packed: no alignment, cells are read as bytes */
        t->pool += n + 1;
        t->pool_left -= n + 1;
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int import_read_limited(struct arena *a, const char *data, size_t len, enum import_format fmt, size_t max_rows,
                        const struct import_limits *lim, const char *field, struct import_table *out,
                        struct fault *f)
{
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return fault_set(f, ERR_INVALID_FIELD, field, "the file is empty");
    if (fmt == IMPORT_AUTO)
        fmt = import_detect(data, len);
    struct import__table t = {.a = a, .lim = lim, .field = field, .out = out};
    int rc = fmt == IMPORT_XLSX ? import__xlsx(&t, data, len, max_rows, f) : import__csv(&t, data, len, max_rows, f);
    if (rc)
        return rc;
    if (out->nrows == 0)
        return fault_set(f, ERR_INVALID_FIELD, field, "the file is empty: it holds no rows");
    return 0;
}

int import_read(struct arena *a, const char *data, size_t len, enum import_format fmt, size_t max_rows,
                const char *field, struct import_table *out, struct fault *f)
{
    return import_read_limited(a, data, len, fmt, max_rows, &import_limits_default, field, out, f);
}
