/*
 * export.c - CSV and XLSX tables (see export.h for the formats).
 *
 * CSV rows are encoded as they arrive into one buffer; export_end() prepends
 * the byte order mark.  XLSX rows go to libxlsxwriter in constant-memory mode,
 * which writes each row to a temporary file as the next one starts;
 * export_end() closes the workbook into a file of $TMPDIR, reads it back and
 * removes it.
 */
#include "export/export.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/mem.h"

#define XLSX_MAX_CHARS 32767 /* characters Excel holds in one cell */

struct export {
    enum export_kind kind;
    int ncols;
    long nrows;       /* rows written, header included */
    struct buf body;  /* CSV: the lines */
    /* XLSX */
    char path[PATH_MAX]; /* the file libxlsxwriter writes, or "" */
    char *tmpdir;
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *bold;
    size_t bytes;     /* text written, against EXPORT_MAX_BYTES */
};

int export_kind_parse(const char *name, enum export_kind *out)
{
    if (name && !strcmp(name, "csv"))
        *out = EXPORT_CSV;
    else if (name && !strcmp(name, "xlsx"))
        *out = EXPORT_XLSX;
    else
        return -1;
    return 0;
}

const char *export_content_type(enum export_kind kind)
{
    return kind == EXPORT_CSV ? "text/csv; charset=utf-8"
                              : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

const char *export_extension(enum export_kind kind)
{
    return kind == EXPORT_CSV ? "csv" : "xlsx";
}

/* ---- CSV ---------------------------------------------------------------- */

static int csv_field(struct buf *b, const char *v)
{
    if (!v)
        v = "";
    /* A leading = + - @ or tab would make a spreadsheet evaluate the cell. */
    bool guard = strchr("=+-@\t", v[0]) && v[0];
    bool quote = guard || strpbrk(v, ",\"\r\n") != NULL;
    if (!quote)
        return buf_adds(b, v);
    if (buf_add(b, "\"", 1) || (guard && buf_add(b, "'", 1)))
        return -1;
    for (const char *p = v; *p; p++)
        if ((*p == '"' && buf_add(b, "\"\"", 2)) || (*p != '"' && buf_add(b, p, 1)))
            return -1;
    return buf_add(b, "\"", 1);
}

static int csv_row(struct buf *b, const char *const *values, int n)
{
    for (int i = 0; i < n; i++)
        if ((i && buf_add(b, ",", 1)) || csv_field(b, values[i]))
            return -1;
    return buf_add(b, "\r\n", 2);
}

/* ---- XLSX --------------------------------------------------------------- */

/* A copy of v without what XML 1.0 cannot hold (control characters other than
 * tab, CR, LF; U+FFFE, U+FFFF), cut at Excel's 32,767 characters. */
static char *xlsx_text(const char *v)
{
    char *out = xmalloc(strlen(v) + 1), *o = out;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            continue;
        if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
            p += 2;
            continue;
        }
        if ((*p & 0xC0) != 0x80 && ++chars > XLSX_MAX_CHARS)
            break;
        *o++ = (char)*p;
    }
    *o = '\0';
    return out;
}

/* Writes one row of text cells (an empty cell is simply absent). */
static int xlsx_row(struct export *e, const char *const *values, lxw_format *format)
{
    if (e->nrows >= LXW_ROW_MAX)
        return -1;
    size_t bytes = 0;
    for (int i = 0; i < e->ncols; i++)
        bytes += values[i] ? strlen(values[i]) : 0;
    if (bytes > EXPORT_MAX_BYTES - e->bytes)
        return -1;
    for (int i = 0; i < e->ncols; i++) {
        if (!values[i] || !values[i][0])
            continue;
        char *text = xlsx_text(values[i]);
        lxw_error rc = worksheet_write_string(e->sheet, (lxw_row_t)e->nrows, (lxw_col_t)i, text, format);
        free(text);
        if (rc != LXW_NO_ERROR)
            return -1;
    }
    e->bytes += bytes;
    return 0;
}

/* A workbook in constant-memory mode writing to a new file of $TMPDIR: rows go
 * to disk as they come, so memory does not follow the table's size. */
static int xlsx_begin(struct export *e)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (snprintf(e->path, sizeof(e->path), "%s/cordon-export-XXXXXX", dir) >= (int)sizeof(e->path))
        return -1;
    int fd = mkstemp(e->path);
    if (fd < 0) {
        e->path[0] = '\0';
        return -1;
    }
    close(fd); /* libxlsxwriter opens the file by name */
    e->tmpdir = xstrdup(dir);
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = e->tmpdir};
    if (!(e->book = workbook_new_opt(e->path, &opts)))
        return -1;
    e->sheet = workbook_add_worksheet(e->book, NULL);
    e->bold = workbook_add_format(e->book);
    if (!e->sheet || !e->bold)
        return -1;
    format_set_bold(e->bold);
    worksheet_freeze_panes(e->sheet, 1, 0);
    return 0;
}

/* Closes the workbook (writing the file) and appends the file to out; -1 when
 * out is NULL (a discarded table) or on any failure.  The file is removed. */
static int xlsx_finish(struct export *e, struct buf *out)
{
    int rc = -1;
    if (e->book) {
        rc = workbook_close(e->book) == LXW_NO_ERROR ? 0 : -1;
        e->book = NULL;
    }
    if (!rc && out) {
        FILE *fp = fopen(e->path, "rb");
        char chunk[16384];
        size_t n;
        rc = fp ? 0 : -1;
        while (fp && !rc && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
            rc = buf_add(out, chunk, n);
        if (fp && ferror(fp))
            rc = -1;
        if (fp)
            fclose(fp);
    }
    if (e->path[0])
        unlink(e->path);
    e->path[0] = '\0';
    return out ? rc : -1;
}

/* ---- the table ---------------------------------------------------------- */

struct export *export_begin(enum export_kind kind, const char *const *columns)
{
    int n = 0;
    while (columns && columns[n])
        n++;
    if (n < 1 || n > EXPORT_MAX_COLUMNS || (kind != EXPORT_CSV && kind != EXPORT_XLSX))
        return NULL;
    struct export *e = xcalloc(1, sizeof(*e));
    e->kind = kind;
    e->ncols = n;
    buf_init(&e->body, EXPORT_MAX_BYTES);
    int rc = kind == EXPORT_CSV ? csv_row(&e->body, columns, n) : xlsx_begin(e) || xlsx_row(e, columns, e->bold);
    if (rc) {
        export_free(e);
        return NULL;
    }
    e->nrows = 1;
    return e;
}

int export_row(struct export *e, const char *const *values)
{
    if (e->kind == EXPORT_XLSX) {
        if (xlsx_row(e, values, NULL))
            return -1;
        e->nrows++;
        return 0;
    }
    size_t mark = e->body.len;
    if (csv_row(&e->body, values, e->ncols)) {
        e->body.len = mark; /* leave no half row behind */
        e->body.data[mark] = '\0';
        return -1;
    }
    e->nrows++;
    return 0;
}

int export_end(struct export *e, struct buf *out)
{
    int rc;
    if (e->kind == EXPORT_CSV)
        rc = buf_add(out, "\xEF\xBB\xBF", 3) || buf_add(out, e->body.data, e->body.len) ? -1 : 0;
    else
        rc = xlsx_finish(e, out);
    export_free(e);
    return rc;
}

void export_free(struct export *e)
{
    if (!e)
        return;
    if (e->kind == EXPORT_XLSX)
        xlsx_finish(e, NULL); /* libxlsxwriter has no discard: close, then remove the file */
    free(e->tmpdir);
    buf_release(&e->body);
    free(e);
}
