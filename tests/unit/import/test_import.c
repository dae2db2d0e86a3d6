/* Unit tests of import/: the CSV reader (RFC 4180, BOM, line numbers, encodings, limits) and
 * the XLSX reader (round trip through export/, shared, rich and inline strings, row numbers,
 * damaged files, and each limit on what a file may expand to). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/arena.h"
#include "core/buf.h"
#include "export/export.h"
#include "import/import.h"

static int read_csv(struct arena *a, const char *s, size_t len, size_t max, struct import_table *t, struct fault *f)
{
    return import_read(a, s, len, IMPORT_AUTO, max, "file", t, f);
}

static void csv_quotes_bom_crlf_and_line_numbers(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char in[] = "\xEF\xBB\xBFtube_id,result\r\n"
                      "T1,\"dương, tính\"\r\n"
                      "\r\n"
                      "\"T2\",\"a \"\"quoted\"\"\nline\"\r\n"
                      ",,\r\n"
                      "T3,negative";
    struct import_table t;
    struct fault f = {0};
    assert_int_equal(read_csv(&a, in, sizeof(in) - 1, 100, &t, &f), 0);
    assert_int_equal(t.format, IMPORT_CSV);
    assert_int_equal(t.nrows, 4);
    assert_int_equal(t.rows[0].line, 1);
    assert_string_equal(t.rows[0].cells[0], "tube_id");
    assert_string_equal(t.rows[1].cells[1], "dương, tính");
    assert_int_equal(t.rows[1].line, 2);
    assert_int_equal(t.rows[2].line, 4);
    assert_string_equal(t.rows[2].cells[0], "T2");
    assert_string_equal(t.rows[2].cells[1], "a \"quoted\"\nline");
    assert_int_equal(t.rows[3].line, 7); /* the ",," row on line 6 is skipped */
    assert_string_equal(t.rows[3].cells[1], "negative");
    arena_release(&a);
}

/* Spreadsheets in a decimal-comma locale save "a;b": the header line decides the delimiter. */
static void csv_semicolons(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char in[] = "\xEF\xBB\xBFtube_id;result;ct\r\n"
                      "T1;\"dương; tính\";31,5\r\n"
                      ";;\r\n"
                      "T2;negative;\r\n";
    struct import_table t;
    struct fault f = {0};
    assert_int_equal(read_csv(&a, in, sizeof(in) - 1, 100, &t, &f), 0);
    assert_int_equal(t.nrows, 3);
    assert_int_equal(t.rows[0].ncells, 3);
    assert_string_equal(t.rows[0].cells[2], "ct");
    assert_string_equal(t.rows[1].cells[1], "dương; tính");
    assert_string_equal(t.rows[1].cells[2], "31,5");
    assert_int_equal(t.rows[2].line, 4); /* the ";;" row is skipped */
    assert_string_equal(t.rows[2].cells[1], "negative");

    /* A comma header keeps semicolons inside cells; a quoted ';' in the header does not count. */
    const char commas[] = "\"a;b;c\",d\nx;y,z\n";
    assert_int_equal(read_csv(&a, commas, sizeof(commas) - 1, 100, &t, &f), 0);
    assert_int_equal(t.rows[0].ncells, 2);
    assert_string_equal(t.rows[0].cells[0], "a;b;c");
    assert_string_equal(t.rows[1].cells[0], "x;y");
    arena_release(&a);
}

/* Dates as a Vietnamese spreadsheet holds them: typed DD/MM/YYYY, ISO, or a date cell's day number. */
static void dates_as_spreadsheets_hold_them(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_string_equal(import_date(&a, "05/12/2026"), "2026-12-05");
    assert_string_equal(import_date(&a, "5/1/2026"), "2026-01-05");
    assert_string_equal(import_date(&a, "05-12-2026"), "2026-12-05");
    assert_string_equal(import_date(&a, "05.12.2026"), "2026-12-05");
    assert_string_equal(import_date(&a, "2026-12-05"), "2026-12-05");
    assert_string_equal(import_date(&a, "46361"), "2026-12-05"); /* Excel's day number */
    assert_string_equal(import_date(&a, "46361.0"), "2026-12-05");
    assert_null(import_date(&a, "05/12-2026")); /* mixed separators */
    assert_null(import_date(&a, "05/12/26"));   /* a two-digit year */
    assert_null(import_date(&a, "hôm nay"));
    assert_null(import_date(&a, "0"));
    assert_null(import_date(&a, ""));
    /* the shape only: the calendar check (31/02) is vn_date_parse's */
    assert_string_equal(import_date(&a, "31/02/2026"), "2026-02-31");
    arena_release(&a);
}

static void csv_bad_encoding_and_unterminated_are_row_flags(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char in[] = "h1,h2\n"
                      "T1,\xE2m t\xEDnh\n" /* Windows-1258 bytes, not UTF-8 */
                      "T2,ok\n"
                      "T3,\"never closed\nmore";
    struct import_table t;
    struct fault f = {0};
    assert_int_equal(read_csv(&a, in, sizeof(in) - 1, 100, &t, &f), 0);
    assert_int_equal(t.nrows, 4);
    assert_true(t.rows[1].bad_encoding);
    assert_int_equal(t.rows[1].line, 2);
    assert_false(t.rows[2].bad_encoding);
    assert_true(t.rows[3].unterminated);
    assert_int_equal(t.rows[3].line, 4);
    arena_release(&a);
}

static void csv_empty_and_too_many_rows(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f = {0};
    assert_int_equal(read_csv(&a, "", 0, 10, &t, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "file");
    assert_int_equal(read_csv(&a, "\xEF\xBB\xBF\r\n\n", 6, 10, &t, &f), ERR_INVALID_FIELD);
    assert_int_equal(read_csv(&a, "a\nb\nc\n", 6, 2, &t, &f), ERR_TOO_LARGE);
    assert_int_equal(read_csv(&a, "a\nb\n", 4, 2, &t, &f), 0);
    arena_release(&a);
}

static void xlsx_round_trip_through_export(void **state)
{
    (void)state;
    static const char *const cols[] = {"tube_id", "result", "ct", NULL};
    struct export *e = export_begin(EXPORT_XLSX, cols);
    const char *r1[] = {"TABCDEFGHJ", "Âm tính", "31.5"};
    const char *r2[] = {"TKMNPQRSTV", "", NULL};
    assert_int_equal(export_row(e, r1), 0);
    assert_int_equal(export_row(e, r2), 0);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(export_end(e, &out), 0);
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f = {0};
    assert_int_equal(import_detect(out.data, out.len), IMPORT_XLSX);
    assert_int_equal(import_read(&a, out.data, out.len, IMPORT_AUTO, 100, "file", &t, &f), 0);
    assert_int_equal(t.format, IMPORT_XLSX);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(t.rows[0].cells[2], "ct");
    assert_int_equal(t.rows[1].line, 2);
    assert_string_equal(t.rows[1].cells[1], "Âm tính");
    assert_string_equal(t.rows[1].cells[2], "31.5");
    assert_string_equal(t.rows[2].cells[0], "TKMNPQRSTV");
    assert_int_equal(t.rows[2].line, 3);
    /* a damaged workbook */
    assert_int_equal(import_read(&a, out.data, out.len / 2, IMPORT_AUTO, 100, "file", &t, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "file");
    assert_int_equal(import_read(&a, out.data, out.len, IMPORT_AUTO, 2, "file", &t, &f), ERR_TOO_LARGE);
    buf_release(&out);
    arena_release(&a);
}

/* ---- workbooks made here ------------------------------------------------ */

static const char WB[] = "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                         "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId3\"/></sheets></workbook>";
static const char RELS[] = "<Relationships><Relationship Id=\"rId3\" Target=\"worksheets/s.xml\"/></Relationships>";

static void add_part(zip_t *z, const char *name, const char *data, size_t len, bool deflate)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 0);
    assert_non_null(src);
    zip_int64_t i = zip_file_add(z, name, src, 0);
    assert_true(i >= 0);
    assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)i, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 9), 0);
}

/* A workbook whose first sheet is sheet[0..len) (deflated or stored) and whose shared strings
 * are sst (none when NULL); out is malloc'd. */
static char *workbook(const char *sheet, size_t len, bool deflate, const char *sst, size_t *out_len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    assert_non_null(mem);
    zip_source_keep(mem);
    zip_t *z = zip_open_from_source(mem, ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    add_part(z, "xl/workbook.xml", WB, strlen(WB), false);
    add_part(z, "xl/_rels/workbook.xml.rels", RELS, strlen(RELS), false);
    if (sst)
        add_part(z, "xl/sharedStrings.xml", sst, strlen(sst), false);
    add_part(z, "xl/worksheets/s.xml", sheet, len, deflate);
    assert_int_equal(zip_close(z), 0);
    zip_stat_t st;
    assert_int_equal(zip_source_stat(mem, &st), 0);
    assert_int_equal(zip_source_open(mem), 0);
    char *out = malloc(st.size);
    assert_int_equal(zip_source_read(mem, out, st.size), (zip_int64_t)st.size);
    zip_source_close(mem);
    zip_source_free(mem);
    zip_error_fini(&ze);
    *out_len = (size_t)st.size;
    return out;
}

/* A sheet of head, then unit repeated to n bytes, then tail; malloc'd. */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
    size_t h = strlen(head), u = strlen(unit), t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    memcpy(s, head, h);
    for (size_t i = 0; i < n; i++)
        s[h + i] = unit[i % u];
    memcpy(s + h + n, tail, t + 1);
    *len = h + n + t;
    return s;
}

/* Reads a workbook made of the sheet with the limits; the error code (0 when read). */
static int read_sheet(struct arena *a, const char *sheet, size_t len, bool deflate, const char *sst,
                      const struct import_limits *lim, struct import_table *t, struct fault *f)
{
    size_t n;
    char *wb = workbook(sheet, len, deflate, sst, &n);
    fault_clear(f);
    int rc = import_read_limited(a, wb, n, IMPORT_AUTO, 1000, lim, "file", t, f);
    free(wb);
    return rc;
}

static void xlsx_shared_rich_inline_and_gaps(void **state)
{
    (void)state;
    const char sst[] = "<sst><si><t>Mã ống</t></si>"
                       "<si><r><t>Âm </t></r><r><rPr><b/></rPr><t>tính</t></r><rPh><t>ignored</t></rPh></si>"
                       "<si/></sst>";
    const char sheet[] = "<?xml version=\"1.0\"?>\n<worksheet><sheetData>\n"
                         "  <row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"C3\" t=\"s\"><v>1</v></c></row>\n"
                         "  <row><c t=\"inlineStr\"><is><t xml:space=\"preserve\"> a &amp; b </t></is></c>"
                         "<c><v>32.5</v></c><c r=\"D4\" t=\"s\"><v>2</v></c><c r=\"E4\"/></row>\n"
                         "  <row r=\"9\"><c r=\"B9\" t=\"s\"><v>99</v></c></row>\n"
                         "  <row r=\"10\"><c r=\"BM10\"><v>far</v></c></row>\n"
                         "</sheetData><extLst><row r=\"77\"><c><v>not a row</v></c></row></extLst></worksheet>";
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    assert_int_equal(read_sheet(&a, sheet, strlen(sheet), true, sst, &import_limits_default, &t, &f), 0);
    assert_int_equal(t.nrows, 3); /* row 9's only cell is an unknown shared string: blank */
    assert_int_equal(t.rows[0].line, 3);
    assert_int_equal(t.rows[0].ncells, 3);
    assert_string_equal(t.rows[0].cells[0], "Mã ống");
    assert_string_equal(t.rows[0].cells[1], "");
    assert_string_equal(t.rows[0].cells[2], "Âm tính"); /* runs joined, phonetic run skipped */
    assert_int_equal(t.rows[1].line, 4);
    assert_string_equal(t.rows[1].cells[0], " a & b ");
    assert_string_equal(t.rows[1].cells[1], "32.5");
    assert_int_equal(t.rows[1].ncells, 5);
    assert_int_equal(t.rows[2].line, 10); /* column BM is past IMPORT_MAX_COLUMNS */
    assert_true(t.rows[2].too_wide);
    arena_release(&a);
}

static void xlsx_long_cell_cut_between_characters(void **state)
{
    (void)state;
    size_t len;
    char *sheet = repeat("<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>x", "ố", IMPORT_MAX_CELL * 3,
                         "</t></is></c></row></sheetData></worksheet>", &len); /* "ố" is 3 bytes */
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    assert_int_equal(read_sheet(&a, sheet, len, true, NULL, &import_limits_default, &t, &f), 0);
    assert_true(t.rows[0].too_wide);
    size_t n = strlen(t.rows[0].cells[0]);
    assert_true(n <= IMPORT_MAX_CELL && n > IMPORT_MAX_CELL - 3);
    assert_int_equal((n - 1) % 3, 0); /* "x" then whole characters */
    free(sheet);
    arena_release(&a);
}

/* Row numbers past a sheet's last row are ignored: counting on from LONG_MAX overflowed (found by fuzzing). */
static void xlsx_row_number_past_the_last_row(void **state)
{
    (void)state;
    const char sheet[] = "<worksheet><sheetData><row r=\"9223372036854775807\"><c t=\"inlineStr\"><is><t>a</t></is></c>"
                         "</row><row><c t=\"inlineStr\"><is><t>b</t></is></c></row></sheetData></worksheet>";
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    assert_int_equal(read_sheet(&a, sheet, strlen(sheet), false, NULL, &import_limits_default, &t, &f), 0);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.rows[0].line, 1); /* as if r were absent */
    assert_int_equal(t.rows[1].line, 2);
    arena_release(&a);
}

/* Asserts the sheet is refused as too complex with a message holding `words`. */
static void refused(const char *sheet, size_t len, bool deflate, const char *sst, const struct import_limits *lim,
                    const char *words)
{
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    assert_int_equal(read_sheet(&a, sheet, len, deflate, sst, lim, &t, &f), ERR_TOO_COMPLEX);
    assert_string_equal(f.field, "file");
    if (!strstr(f.message, words))
        fail_msg("message \"%s\" lacks \"%s\"", f.message, words);
    arena_release(&a);
}

static void xlsx_zip_bomb_refused_by_ratio(void **state)
{
    (void)state;
    size_t len;
    char *sheet = repeat("<worksheet><sheetData>", "<x/>", 8u << 20, "</sheetData></worksheet>", &len);
    refused(sheet, len, true, NULL, &import_limits_default, "the sheet inflates to more than 100 times");
    /* the same stored: no ratio, but more elements than allowed */
    struct import_limits lim = import_limits_default;
    lim.elements = 1000000;
    refused(sheet, len, false, NULL, &lim, "more than 1000000 XML elements");
    lim = import_limits_default;
    lim.expanded = 4u << 20;
    refused(sheet, len, false, NULL, &lim, "past 4 MiB of XML");
    free(sheet);
}

static void xlsx_depth_tag_text_and_dtd_refused(void **state)
{
    (void)state;
    size_t len;
    char *deep = repeat("<worksheet><sheetData>", "<x>", 3 * 1000, "", &len);
    refused(deep, len, true, NULL, &import_limits_default, "the sheet nests XML elements more than 64 deep");
    free(deep);
    /* processing instructions ending in "/>" close nothing */
    deep = repeat("<worksheet><sheetData>", "<x><?p/>", 8 * 100, "", &len);
    refused(deep, len, true, NULL, &import_limits_default, "more than 64 deep");
    free(deep);
    char *tag = repeat("<worksheet><sheetData><row a=\"", "a>", 100000, "\"/></sheetData></worksheet>", &len);
    refused(tag, len, false, NULL, &import_limits_default, "the sheet has an XML tag or comment longer than 65536 bytes");
    free(tag);
    char *comment = repeat("<worksheet><!--", "-", 100000, "--></worksheet>", &len);
    refused(comment, len, false, NULL, &import_limits_default, "longer than 65536 bytes");
    free(comment);
    char *text = repeat("<worksheet><sheetData><row><c><v>", "1", 2u << 20, "</v></c></row></sheetData></worksheet>", &len);
    refused(text, len, false, NULL, &import_limits_default, "the sheet has a run of text longer than 1048576 bytes");
    free(text);
    const char dtd[] = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                       "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>";
    refused(dtd, strlen(dtd), false, NULL, &import_limits_default, "declares a DTD");
}

static void xlsx_shared_cells_text_and_parts_limits(void **state)
{
    (void)state;
    const char sst[] = "<sst><si><t>a</t></si><si><t>b</t></si><si><t>c</t></si><si><t>d</t></si></sst>";
    const char sheet[] = "<worksheet><sheetData><row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>"
                         "<row><c t=\"inlineStr\"><is><t>long text here</t></is></c><c><v>7</v></c></row>"
                         "</sheetData></worksheet>";
    struct import_limits lim = import_limits_default;
    lim.shared = 3;
    refused(sheet, strlen(sheet), false, sst, &lim, "the shared strings of the workbook have more than 3 entries");
    lim = import_limits_default;
    lim.cells = 3;
    refused(sheet, strlen(sheet), false, sst, &lim, "more than 3 cells");
    lim = import_limits_default;
    lim.table_text = 12;
    refused(sheet, strlen(sheet), false, sst, &lim, "MiB of text");
    lim = import_limits_default;
    lim.parts = 3;
    refused(sheet, strlen(sheet), false, sst, &lim, "the XLSX file has more than 3 parts");
    /* within the limits it reads */
    lim.parts = 4;
    lim.shared = 4;
    lim.cells = 4;
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    assert_int_equal(read_sheet(&a, sheet, strlen(sheet), false, sst, &lim, &t, &f), 0);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[1].cells[0], "long text here");
    arena_release(&a);
}

static void xlsx_broken_xml_is_invalid_not_too_complex(void **state)
{
    (void)state;
    const char sheet[] = "<worksheet><sheetData><row><c><v>1</v></row></sheetData></worksheet>";
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    assert_int_equal(read_sheet(&a, sheet, strlen(sheet), true, NULL, &import_limits_default, &t, &f), ERR_INVALID_FIELD);
    assert_non_null(strstr(f.message, "cannot be read"));
    assert_int_equal(read_sheet(&a, sheet, strlen(sheet), true, "<sst><si>", &import_limits_default, &t, &f),
                     ERR_INVALID_FIELD);
    assert_non_null(strstr(f.message, "shared strings"));
    arena_release(&a);
}

static void csv_cells_and_text_limits(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f;
    struct import_limits lim = import_limits_default;
    lim.cells = 5;
    const char in[] = "a,b,c\n,,\n \t,\"\"\nd,e,f\n";
    assert_int_equal(import_read_limited(&a, in, strlen(in), IMPORT_CSV, 100, &lim, "file", &t, &f), ERR_TOO_COMPLEX);
    assert_non_null(strstr(f.message, "more than 5 cells"));
    lim.cells = 6; /* blank rows cost nothing */
    assert_int_equal(import_read_limited(&a, in, strlen(in), IMPORT_CSV, 100, &lim, "file", &t, &f), 0);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.rows[1].line, 4);
    lim = import_limits_default;
    lim.table_text = 10;
    assert_int_equal(import_read_limited(&a, in, strlen(in), IMPORT_CSV, 100, &lim, "file", &t, &f), ERR_TOO_COMPLEX);
    arena_release(&a);
}

/* A CSV cell cut at IMPORT_MAX_CELL bytes is cut before a character, never inside one (found by fuzzing). */
static void csv_long_cell_cut_between_characters(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct import_table t;
    struct fault f = {0};
    char *cell = arena_alloc(&a, IMPORT_MAX_CELL + 8);
    memset(cell, 'a', IMPORT_MAX_CELL - 1);
    strcpy(cell + IMPORT_MAX_CELL - 1, "ế"); /* straddles the limit */
    assert_int_equal(read_csv(&a, cell, strlen(cell), 10, &t, &f), 0);
    assert_true(t.rows[0].too_wide);
    assert_int_equal(strlen(t.rows[0].cells[0]), IMPORT_MAX_CELL - 1);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_bom_crlf_and_line_numbers),
        cmocka_unit_test(csv_semicolons),
        cmocka_unit_test(dates_as_spreadsheets_hold_them),
        cmocka_unit_test(csv_bad_encoding_and_unterminated_are_row_flags),
        cmocka_unit_test(csv_empty_and_too_many_rows),
        cmocka_unit_test(xlsx_round_trip_through_export),
        cmocka_unit_test(xlsx_shared_rich_inline_and_gaps),
        cmocka_unit_test(xlsx_long_cell_cut_between_characters),
        cmocka_unit_test(xlsx_row_number_past_the_last_row),
        cmocka_unit_test(xlsx_zip_bomb_refused_by_ratio),
        cmocka_unit_test(xlsx_depth_tag_text_and_dtd_refused),
        cmocka_unit_test(xlsx_shared_cells_text_and_parts_limits),
        cmocka_unit_test(xlsx_broken_xml_is_invalid_not_too_complex),
        cmocka_unit_test(csv_cells_and_text_limits),
        cmocka_unit_test(csv_long_cell_cut_between_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
