/* Unit tests of import/: the CSV reader (RFC 4180, BOM, line numbers, encodings, limits) and
 * the XLSX reader (round trip through export/, shared strings, row numbers, damaged files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_bom_crlf_and_line_numbers),
        cmocka_unit_test(csv_semicolons),
        cmocka_unit_test(csv_bad_encoding_and_unterminated_are_row_flags),
        cmocka_unit_test(csv_empty_and_too_many_rows),
        cmocka_unit_test(xlsx_round_trip_through_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
