/* Unit tests of export/export.c: CSV quoting (RFC 4180, BOM, formula guard) and the XLSX package
 * (libxlsxwriter: bold frozen header, text cells, no temporary file left behind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/buf.h"
#include "export/export.h"

static const char *const cols[] = {"Họ tên", "Ghi chú", NULL};

static void csv_quotes_commas_quotes_newlines(void **state)
{
    (void)state;
    struct export *e = export_begin(EXPORT_CSV, cols);
    assert_non_null(e);
    const char *r1[] = {"Nguyễn Văn An", "plain"};
    const char *r2[] = {"Trần, Thị Bình", "she said \"hi\""};
    const char *r3[] = {"line\nbreak", "cr\rhere"};
    const char *r4[] = {NULL, ""};
    assert_int_equal(export_row(e, r1), 0);
    assert_int_equal(export_row(e, r2), 0);
    assert_int_equal(export_row(e, r3), 0);
    assert_int_equal(export_row(e, r4), 0);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(export_end(e, &out), 0);
    const char *want = "\xEF\xBB\xBF"
                       "Họ tên,Ghi chú\r\n"
                       "Nguyễn Văn An,plain\r\n"
                       "\"Trần, Thị Bình\",\"she said \"\"hi\"\"\"\r\n"
                       "\"line\nbreak\",\"cr\rhere\"\r\n"
                       ",\r\n";
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    buf_release(&out);
}

static void csv_guards_formulas(void **state)
{
    (void)state;
    struct export *e = export_begin(EXPORT_CSV, cols);
    const char *r1[] = {"=HYPERLINK(\"x\")", "+84912"};
    const char *r2[] = {"@SUM(A1)", "a-b"};
    assert_int_equal(export_row(e, r1), 0);
    assert_int_equal(export_row(e, r2), 0);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(export_end(e, &out), 0);
    const char *body = out.data + 3;
    assert_non_null(strstr(body, "\"'=HYPERLINK(\"\"x\"\")\",\"'+84912\"\r\n"));
    assert_non_null(strstr(body, "\"'@SUM(A1)\",a-b\r\n"));
    buf_release(&out);
}

static void begin_refuses_bad_columns(void **state)
{
    (void)state;
    const char *const none[] = {NULL};
    assert_null(export_begin(EXPORT_CSV, none));
    assert_null(export_begin(EXPORT_XLSX, NULL));
    enum export_kind k;
    assert_int_equal(export_kind_parse("csv", &k), 0);
    assert_int_equal(k, EXPORT_CSV);
    assert_int_equal(export_kind_parse("xlsx", &k), 0);
    assert_int_equal(k, EXPORT_XLSX);
    assert_int_equal(export_kind_parse("xls", &k), -1);
    assert_int_equal(export_kind_parse(NULL, &k), -1);
}

/* Reads one entry of a zip held in memory; returns a malloc'd NUL-terminated copy or NULL. */
static char *zip_entry(const struct buf *zipdata, const char *name)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(zipdata->data, zipdata->len, 0, &err);
    assert_non_null(src);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(z);
    char *text = NULL;
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) == 0) {
        zip_file_t *f = zip_fopen(z, name, 0);
        assert_non_null(f);
        text = calloc(1, st.size + 1);
        assert_int_equal(zip_fread(f, text, st.size), (zip_int64_t)st.size);
        zip_fclose(f);
    }
    zip_close(z); /* frees src */
    zip_error_fini(&err);
    return text;
}

static void xlsx_package_and_escaping(void **state)
{
    (void)state;
    struct export *e = export_begin(EXPORT_XLSX, cols);
    assert_non_null(e);
    const char *r1[] = {"Nguyễn Thị Hương", "a < b & c > d \"q\""};
    const char *r2[] = {"ctl\x01" "char", NULL};
    assert_int_equal(export_row(e, r1), 0);
    assert_int_equal(export_row(e, r2), 0);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(export_end(e, &out), 0);
    assert_true(out.len > 4 && !memcmp(out.data, "PK\x03\x04", 4));

    static const char *const parts[] = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                        "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        char *t = zip_entry(&out, parts[i]);
        assert_non_null(t);
        assert_non_null(strstr(t, "<?xml"));
        free(t);
    }
    char *sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    /* header in bold and frozen, inline strings, Vietnamese kept as UTF-8 */
    assert_non_null(strstr(sheet, "<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>Họ tên</t>"));
    assert_non_null(strstr(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"));
    assert_non_null(strstr(sheet, "<c r=\"A2\" t=\"inlineStr\"><is><t>Nguyễn Thị Hương</t>"));
    assert_non_null(strstr(sheet, ">a &lt; b &amp; c &gt; d \"q\"</t>"));
    assert_null(strstr(sheet, "a < b"));
    assert_non_null(strstr(sheet, ">ctlchar</t>")); /* control character dropped */
    assert_null(strstr(sheet, "r=\"B3\""));       /* an empty cell is not written */
    assert_non_null(strstr(sheet, "<row r=\"3\">"));
    free(sheet);
    char *types = zip_entry(&out, "[Content_Types].xml");
    assert_non_null(strstr(types, "/xl/worksheets/sheet1.xml"));
    free(types);
    char *styles = zip_entry(&out, "xl/styles.xml");
    assert_non_null(strstr(styles, "<b/>"));
    free(styles);
    buf_release(&out);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Leading zeros and long numbers stay text; a cell past Excel's 32,767 characters is cut;
 * the temporary files go away whether the table is produced or dropped. */
static void xlsx_text_cells_and_temporary_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/cordon-export-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);
    struct export *e = export_begin(EXPORT_XLSX, cols);
    assert_non_null(e);
    char *long_text = malloc(40000);
    memset(long_text, 'x', 39999);
    long_text[39999] = '\0';
    const char *r1[] = {"0012345678", "001099012345"};
    const char *r2[] = {long_text, "123456789012345678901234"};
    assert_int_equal(export_row(e, r1), 0);
    assert_int_equal(export_row(e, r2), 0);
    assert_true(count_files(dir) >= 1);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(export_end(e, &out), 0);
    assert_int_equal(count_files(dir), 0);
    char *sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<c r=\"A2\" t=\"inlineStr\"><is><t>0012345678</t>"));
    assert_non_null(strstr(sheet, "<t>123456789012345678901234</t>"));
    char *x = strstr(sheet, "<c r=\"A3\" t=\"inlineStr\"><is><t>");
    assert_non_null(x);
    x += strlen("<c r=\"A3\" t=\"inlineStr\"><is><t>");
    assert_int_equal(strspn(x, "x"), 32767);
    free(sheet);
    buf_release(&out);
    e = export_begin(EXPORT_XLSX, cols);
    assert_int_equal(export_row(e, r1), 0);
    export_free(e);
    assert_int_equal(count_files(dir), 0);
    free(long_text);
    if (old)
        setenv("TMPDIR", old, 1);
    else
        unsetenv("TMPDIR");
    free(old);
    rmdir(dir);
}

static void xlsx_many_columns(void **state)
{
    (void)state;
    const char *many[30];
    for (int i = 0; i < 29; i++)
        many[i] = "c";
    many[29] = NULL;
    struct export *e = export_begin(EXPORT_XLSX, many);
    assert_non_null(e);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(export_end(e, &out), 0);
    char *sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "r=\"Z1\""));
    assert_non_null(strstr(sheet, "r=\"AA1\""));
    assert_non_null(strstr(sheet, "r=\"AC1\""));
    free(sheet);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_commas_quotes_newlines),
        cmocka_unit_test(csv_guards_formulas),
        cmocka_unit_test(begin_refuses_bad_columns),
        cmocka_unit_test(xlsx_package_and_escaping),
        cmocka_unit_test(xlsx_many_columns),
        cmocka_unit_test(xlsx_text_cells_and_temporary_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
