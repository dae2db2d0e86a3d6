/*
 * import.c - format detection and dispatch to the CSV and XLSX readers.
 */
#include <string.h>

#include "import/import.h"

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

struct import_row *import__push(struct arena *a, struct import_table *t, size_t *cap)
{
    if (t->nrows == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        struct import_row *rows = arena_alloc(a, ncap * sizeof(*rows));
        if (t->nrows)
            memcpy(rows, t->rows, t->nrows * sizeof(*rows));
        t->rows = rows;
        *cap = ncap;
    }
    struct import_row *r = &t->rows[t->nrows++];
    memset(r, 0, sizeof(*r));
    return r;
}

int import_read(struct arena *a, const char *data, size_t len, enum import_format fmt, size_t max_rows,
                const char *field, struct import_table *out, struct fault *f)
{
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return fault_set(f, ERR_INVALID_FIELD, field, "the file is empty");
    if (fmt == IMPORT_AUTO)
        fmt = import_detect(data, len);
    int rc = fmt == IMPORT_XLSX ? import__xlsx(a, data, len, max_rows, field, out, f)
                                : import__csv(a, data, len, max_rows, field, out, f);
    if (rc)
        return rc;
    if (out->nrows == 0)
        return fault_set(f, ERR_INVALID_FIELD, field, "the file is empty: it holds no rows");
    return 0;
}
