/*
 * csv.c - the RFC 4180 reader of import.h.
 *
 * One pass over the bytes.  A record's cells are unquoted into the arena; the
 * record's raw bytes are checked for UTF-8 once, so a file saved in a legacy
 * code page is reported line by line instead of being read as garbage.
 *
 * The delimiter is a comma, or a semicolon when the header line holds more
 * semicolons than commas outside quotes: spreadsheets set to a locale with a
 * decimal comma (Vietnamese among them) save CSV that way.
 */
#include <string.h>

#include "core/text.h"
#include "import/import.h"

struct cell_span {
    size_t start, end; /* raw bytes of the cell, quotes included */
    bool quoted;
};

/* Copies a cell, removing the enclosing quotes and undoubling inner ones. */
static const char *cell_text(struct arena *a, const char *data, const struct cell_span *c, bool *cut)
{
    size_t s = c->start, e = c->end;
    if (c->quoted) {
        s++;
        if (e > s && data[e - 1] == '"')
            e--;
    }
    size_t n = e - s;
    if (n > IMPORT_MAX_CELL) {
        n = IMPORT_MAX_CELL;
        *cut = true;
    }
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = s; i < s + n; i++) {
        out[o++] = data[i];
        if (c->quoted && data[i] == '"' && i + 1 < e && data[i + 1] == '"')
            i++;
    }
    out[o] = '\0';
    return out;
}

static bool all_blank(struct import_row *r)
{
    for (int i = 0; i < r->ncells; i++)
        if (r->cells[i][strspn(r->cells[i], " \t")])
            return false;
    return true;
}

/* ',' or ';', whichever the header line (up to its first unquoted newline) holds more of. */
static char header_delimiter(const char *data, size_t len)
{
    size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || data[i] != '\n'); i++) {
        if (data[i] == '"')
            quoted = !quoted;
        else if (!quoted && data[i] == ',')
            commas++;
        else if (!quoted && data[i] == ';')
            semicolons++;
    }
    return semicolons > commas ? ';' : ',';
}

int import__csv(struct arena *a, const char *data, size_t len, size_t max_rows, const char *field,
                struct import_table *out, struct fault *f)
{
    size_t p = 0, cap = 0;
    int64_t line = 1;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        p = 3;
    out->format = IMPORT_CSV;
    const char sep = header_delimiter(data + p, len - p);
    struct cell_span spans[IMPORT_MAX_COLUMNS];
    while (p < len) {
        int64_t start_line = line;
        size_t rec_start = p;
        int n = 0;
        bool wide = false, unterminated = false;
        /* One record: cells up to an unquoted LF (CRLF: the CR is dropped) or the end. */
        for (;;) {
            struct cell_span c = {p, p, false};
            if (p < len && data[p] == '"') {
                c.quoted = true;
                p++;
                for (;;) {
                    if (p >= len) {
                        unterminated = true;
                        break;
                    }
                    if (data[p] == '"') {
                        if (p + 1 < len && data[p + 1] == '"') {
                            p += 2;
                            continue;
                        }
                        p++;
                        break;
                    }
                    if (data[p] == '\n')
                        line++;
                    p++;
                }
            }
            /* Unquoted text (or stray text after a closing quote, kept as is). */
            while (p < len && data[p] != sep && data[p] != '\n')
                p++;
            c.end = p;
            if (c.end > c.start && data[c.end - 1] == '\r' && (p >= len || data[p] == '\n'))
                c.end--;
            if (n < IMPORT_MAX_COLUMNS)
                spans[n++] = c;
            else
                wide = true;
            if (p < len && data[p] == sep) {
                p++;
                continue;
            }
            break;
        }
        size_t rec_end = p;
        if (p < len && data[p] == '\n') {
            p++;
            line++;
        }
        if (n == 1 && spans[0].end == spans[0].start && !unterminated)
            continue; /* blank line */
        if (out->nrows >= max_rows)
            return fault_set(f, ERR_TOO_LARGE, field, "the file has more than %zu rows", max_rows);
        struct import_row *r = import__push(a, out, &cap);
        r->line = start_line;
        r->too_wide = wide;
        r->unterminated = unterminated;
        if (!text_utf8_valid(data + rec_start, rec_end - rec_start) || memchr(data + rec_start, '\0', rec_end - rec_start)) {
            r->bad_encoding = true;
            r->cells = arena_alloc(a, sizeof(char *));
            continue;
        }
        r->ncells = n;
        r->cells = arena_alloc(a, (size_t)n * sizeof(char *));
        for (int i = 0; i < n; i++)
            r->cells[i] = cell_text(a, data, &spans[i], &r->too_wide);
        if (!wide && !unterminated && all_blank(r))
            out->nrows--; /* ",,," rows that spreadsheets leave behind */
        if (unterminated)
            break;
    }
    return 0;
}
