/*
 * export.c - CSV and XLSX tables (see export.h for the formats).
 *
 * Rows are encoded as they arrive into one buffer: CSV lines, or the
 * <row> elements of the worksheet.  export_end() wraps them: for CSV it
 * prepends the byte order mark, for XLSX it zips the fixed package parts
 * around the worksheet with libzip, in memory.
 */
#include "export/export.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/mem.h"

struct export {
    enum export_kind kind;
    int ncols;
    long nrows;       /* rows written, header included */
    struct buf body;  /* CSV lines or worksheet <row> elements */
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

/* Writes text escaped for XML character data; drops what XML 1.0 cannot hold. */
static int xml_text(struct buf *b, const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        int rc;
        switch (*p) {
        case '&':
            rc = buf_adds(b, "&amp;");
            break;
        case '<':
            rc = buf_adds(b, "&lt;");
            break;
        case '>':
            rc = buf_adds(b, "&gt;");
            break;
        case '"':
            rc = buf_adds(b, "&quot;");
            break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                continue;
            if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
                p += 2; /* U+FFFE, U+FFFF are not XML characters */
                continue;
            }
            rc = buf_add(b, p, 1);
        }
        if (rc)
            return -1;
    }
    return 0;
}

/* Column letters of a 0-based index: 0 -> A, 25 -> Z, 26 -> AA. */
static void xlsx_col(int i, char out[4])
{
    char tmp[4];
    int n = 0;
    for (i += 1; i > 0 && n < 3; i = (i - 1) / 26)
        tmp[n++] = (char)('A' + (i - 1) % 26);
    for (int k = 0; k < n; k++)
        out[k] = tmp[n - 1 - k];
    out[n] = '\0';
}

static int xlsx_row(struct buf *b, long rownum, const char *const *values, int n, bool bold)
{
    if (buf_addf(b, "<row r=\"%ld\">", rownum))
        return -1;
    for (int i = 0; i < n; i++) {
        if (!values[i] || !values[i][0])
            continue; /* an empty cell is simply absent */
        char col[4];
        xlsx_col(i, col);
        if (buf_addf(b, "<c r=\"%s%ld\" t=\"inlineStr\"%s><is><t xml:space=\"preserve\">", col, rownum,
                     bold ? " s=\"1\"" : "") ||
            xml_text(b, values[i]) || buf_adds(b, "</t></is></c>"))
            return -1;
    }
    return buf_adds(b, "</row>");
}

static const char xlsx_content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/xl/workbook.xml\""
    " ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    "<Override PartName=\"/xl/worksheets/sheet1.xml\""
    " ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    "<Override PartName=\"/xl/styles.xml\""
    " ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
    "</Types>";

static const char xlsx_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\""
    " Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\""
    " Target=\"xl/workbook.xml\"/>"
    "</Relationships>";

static const char xlsx_workbook[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
    " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
    "</workbook>";

static const char xlsx_workbook_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\""
    " Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\""
    " Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\""
    " Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\""
    " Target=\"styles.xml\"/>"
    "</Relationships>";

/* Style 0: normal; style 1: bold (the header row). */
static const char xlsx_styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
    "</styleSheet>";

static const char xlsx_sheet_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\""
    " state=\"frozen\"/></sheetView></sheetViews>"
    "<sheetData>";
static const char xlsx_sheet_tail[] = "</sheetData></worksheet>";

/* Adds one part; the data must stay valid until zip_close. */
static int zip_part(zip_t *z, const char *name, const void *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 0);
    if (!src)
        return -1;
    zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return -1;
    }
    return zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 6) ? -1 : 0;
}

static int xlsx_package(const struct buf *sheet, struct buf *out)
{
    zip_error_t zerr;
    zip_error_init(&zerr);
    int rc = -1;
    zip_t *z = NULL;
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &zerr);
    if (!mem)
        goto out;
    zip_source_keep(mem); /* read the archive back after zip_close */
    z = zip_open_from_source(mem, ZIP_TRUNCATE, &zerr);
    if (!z)
        goto out;
    if (zip_part(z, "[Content_Types].xml", xlsx_content_types, sizeof(xlsx_content_types) - 1) ||
        zip_part(z, "_rels/.rels", xlsx_rels, sizeof(xlsx_rels) - 1) ||
        zip_part(z, "xl/workbook.xml", xlsx_workbook, sizeof(xlsx_workbook) - 1) ||
        zip_part(z, "xl/_rels/workbook.xml.rels", xlsx_workbook_rels, sizeof(xlsx_workbook_rels) - 1) ||
        zip_part(z, "xl/styles.xml", xlsx_styles, sizeof(xlsx_styles) - 1) ||
        zip_part(z, "xl/worksheets/sheet1.xml", sheet->data, sheet->len)) {
        zip_discard(z);
        z = NULL;
        goto out;
    }
    if (zip_close(z)) {
        zip_discard(z);
        z = NULL;
        goto out;
    }
    z = NULL;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(mem, &st) || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(mem))
        goto out;
    char chunk[16384];
    zip_int64_t n;
    rc = 0;
    while ((n = zip_source_read(mem, chunk, sizeof(chunk))) > 0)
        if (buf_add(out, chunk, (size_t)n)) {
            rc = -1;
            break;
        }
    if (n < 0)
        rc = -1;
    zip_source_close(mem);
out:
    if (mem)
        zip_source_free(mem); /* drops the reference taken by zip_source_keep */
    zip_error_fini(&zerr);
    return rc;
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
    int rc = kind == EXPORT_CSV ? csv_row(&e->body, columns, n) : xlsx_row(&e->body, 1, columns, n, true);
    if (rc) {
        export_free(e);
        return NULL;
    }
    e->nrows = 1;
    return e;
}

int export_row(struct export *e, const char *const *values)
{
    size_t mark = e->body.len;
    int rc = e->kind == EXPORT_CSV ? csv_row(&e->body, values, e->ncols)
                                   : xlsx_row(&e->body, e->nrows + 1, values, e->ncols, false);
    if (rc) {
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
    if (e->kind == EXPORT_CSV) {
        rc = buf_add(out, "\xEF\xBB\xBF", 3) || buf_add(out, e->body.data, e->body.len) ? -1 : 0;
    } else {
        struct buf sheet;
        buf_init(&sheet, EXPORT_MAX_BYTES + 4096);
        rc = buf_adds(&sheet, xlsx_sheet_head) || buf_add(&sheet, e->body.data, e->body.len) ||
                     buf_adds(&sheet, xlsx_sheet_tail)
                 ? -1
                 : xlsx_package(&sheet, out);
        buf_release(&sheet);
    }
    export_free(e);
    return rc;
}

void export_free(struct export *e)
{
    if (!e)
        return;
    buf_release(&e->body);
    free(e);
}
