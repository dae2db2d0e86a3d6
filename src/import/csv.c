/*
 * csv.c - the RFC 4180 reader of import.h.
 *
 * One pass over the bytes.  A record's cells are unquoted into the table's
 * packed text; the record's raw bytes are checked for UTF-8 once, so a file
 * saved in a legacy code page is reported line by line instead of being read
 * as garbage.  Blank records cost nothing, so the table's memory follows the
 * cells and text kept, which the limits bound.
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

/* Unquotes a cell into out (IMPORT_MAX_CELL + 1 bytes), undoubling inner quotes; its length. */
static size_t cell_text(const char *data, const struct cell_span *c, char *out, bool *cut)
{
    size_t s = c->start, e = c->end;
    if (c->quoted) {
        s++;
        if (e > s && data[e - 1] == '"')
            e--;
    }
    size_t n = e - s;
    if (n > IMPORT_MAX_CELL) {
        n = text_utf8_prefix(data + s, n, IMPORT_MAX_CELL); /* a cut cell stays UTF-8 */
        *cut = true;
    }
    size_t o = 0;
    for (size_t i = s; i < s + n; i++) {
        out[o++] = data[i];
        if (c->quoted && data[i] == '"' && i + 1 < e && data[i + 1] == '"')
            i++;
    }
    out[o] = '\0';
    return o;
}

/* Whether a cell holds nothing but spaces and tabs (quotes aside). */
static bool span_blank(const char *data, const struct cell_span *c)
{
    size_t s = c->start, e = c->end;
    if (c->quoted) {
        s++;
        if (e > s && data[e - 1] == '"')
            e--;
    }
    for (size_t i = s; i < e; i++)
        if (data[i] != ' ' && data[i] != '\t')
            return false;
    return true;
}

/* Blank lines and ",,," rows that spreadsheets leave behind are skipped before they cost memory. */
static bool record_blank(const char *data, const struct cell_span *spans, int n)
{
    for (int i = 0; i < n; i++)
        if (!span_blank(data, &spans[i]))
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

int import__csv(struct import__table *t, const char *data, size_t len, size_t max_rows, struct fault *f)
{
    size_t p = 0;
    int64_t line = 1;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        p = 3;
    t->out->format = IMPORT_CSV;
    const char sep = header_delimiter(data + p, len - p);
    struct cell_span spans[IMPORT_MAX_COLUMNS];
    char cell[IMPORT_MAX_CELL + 1];
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
        if (!wide && !unterminated && record_blank(data, spans, n))
            continue;
        bool bad = !text_utf8_valid(data + rec_start, rec_end - rec_start) ||
                   memchr(data + rec_start, '\0', rec_end - rec_start);
        struct import_row *r = import__row(t, max_rows, bad ? 0 : n, f);
        if (!r)
            return (int)f->code;
        r->line = start_line;
        r->too_wide = wide;
        r->unterminated = unterminated;
        r->bad_encoding = bad;
        for (int i = 0; i < r->ncells; i++) {
            size_t k = cell_text(data, &spans[i], cell, &r->too_wide);
            if (!(r->cells[i] = import__text(t, cell, k, f)))
                return (int)f->code;
        }
        if (unterminated)
            break;
    }
    return 0;
}
