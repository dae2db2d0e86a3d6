/*
 * Unit tests of print/: PNG and PDF documents with text and QR codes.  The
 * QR codes are read back with zbarimg (the PDF after rasterising it with
 * pdftoppm at 150 dpi) and must decode to exactly the text drawn: a signed
 * personal payload, a 200-character URL and Vietnamese text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/kek.h"
#include "print/print.h"
#include "qr/qr.h"
#include "store/migrate.h"
#include "store/store.h"

static char dir[64];

static int group_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cordon-test-print-%d", (int)getpid());
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const struct buf *b)
{
    char p[160];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    assert_int_equal(fclose(f), 0);
}

/* Runs zbarimg on dir/name; the decoded text (without zbarimg's final newline) goes to out. */
static void zbar(const char *name, char *out, size_t outlen)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sdisable -Sqrcode.enable -Sbinary %s/%s 2>/dev/null", dir, name);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    if (n && out[n - 1] == '\n') /* zbarimg ends each symbol with a newline */
        out[n - 1] = '\0';
}

/* A real personal payload, signed with a key made in a throwaway database. */
static void signed_payload(char out[QR_PAYLOAD_MAX])
{
    char path[96], url[128], err[256];
    snprintf(path, sizeof(path), "%s/keys.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    struct store *s;
    assert_int_equal(store_open(url, &s, err, sizeof(err)), STORE_OK);
    assert_int_equal(migrate_apply(s, NULL), STORE_OK);
    const char *f[] = {"K7M2QX9A4T", "12"};
    assert_int_equal(qr_sign(s, 'P', f, 2, out), 0);
    store_close(s);
}

static const char *vietnamese = "Quét mã QR để khai báo y tế — Đắk Lắk";

/* An A4 poster: title, paragraph, QR of text, frame. */
static void render(enum print_format fmt, const char *text, double qr_mm, struct buf *out)
{
    struct print_doc *d = print_begin(fmt, 210, 297);
    assert_non_null(d);
    double w = print_text(d, 105, 30, 20, PRINT_BOLD | PRINT_CENTER, vietnamese);
    assert_true(w > 100 && w < 200);
    double y = print_paragraph(d, 20, 45, 170, 12, 0,
                               "Mỗi người dân hãy quét mã QR tại cửa ra vào. Nếu không có điện thoại thông "
                               "minh, hãy đưa thẻ QR cá nhân hoặc số CCCD cho nhân viên.");
    assert_true(y > 45);
    assert_int_equal(print_qr(d, 105 - qr_mm / 2, 80, qr_mm, text), 0);
    print_rect(d, 10, 10, 190, 277, 0.5);
    assert_int_equal(print_end(d, out), 0);
}

static void png_payload(void **state)
{
    (void)state;
    char payload[QR_PAYLOAD_MAX], got[1024];
    signed_payload(payload);
    struct buf out;
    buf_init(&out, 64 << 20);
    render(PRINT_PNG, payload, 120, &out);
    /* A PNG of 1240 x 1754 pixels (A4 at 150 dpi). */
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "\x89PNG\r\n\x1a\n", 8);
    const unsigned char *ihdr = (const unsigned char *)out.data + 16;
    assert_int_equal((ihdr[0] << 24) | (ihdr[1] << 16) | (ihdr[2] << 8) | ihdr[3], 1240);
    assert_int_equal((ihdr[4] << 24) | (ihdr[5] << 16) | (ihdr[6] << 8) | ihdr[7], 1754);
    write_file("payload.png", &out);
    zbar("payload.png", got, sizeof(got));
    assert_string_equal(got, payload);
    buf_release(&out);
}

static void pdf_payload(void **state)
{
    (void)state;
    char payload[QR_PAYLOAD_MAX], got[1024], cmd[256];
    signed_payload(payload);
    struct buf out;
    buf_init(&out, 64 << 20);
    render(PRINT_PDF, payload, 60, &out);
    assert_memory_equal(out.data, "%PDF-", 5);
    write_file("payload.pdf", &out);
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 150 -png -singlefile %s/payload.pdf %s/payload-pdf", dir, dir);
    assert_int_equal(system(cmd), 0);
    zbar("payload-pdf.png", got, sizeof(got));
    assert_string_equal(got, payload);
    buf_release(&out);
}

/* 200 characters and Vietnamese UTF-8, each in both formats, at a poster size and a card size. */
static void long_and_vietnamese(void **state)
{
    (void)state;
    char long_text[201];
    int n = snprintf(long_text, sizeof(long_text), "https://cordon.example.vn/c/Q7M2XK4T?k=k1&s=");
    for (int i = n; i < 200; i++)
        long_text[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64];
    long_text[200] = '\0';
    const char *texts[] = {long_text, vietnamese};
    const double sizes[] = {120, 45};
    for (int t = 0; t < 2; t++)
        for (int z = 0; z < 2; z++) {
            char got[1024], cmd[256];
            struct buf out;
            buf_init(&out, 64 << 20);
            render(PRINT_PNG, texts[t], sizes[z], &out);
            write_file("t.png", &out);
            zbar("t.png", got, sizeof(got));
            assert_string_equal(got, texts[t]);
            buf_reset(&out);
            render(PRINT_PDF, texts[t], sizes[z], &out);
            write_file("t.pdf", &out);
            snprintf(cmd, sizeof(cmd), "pdftoppm -r 150 -png -singlefile %s/t.pdf %s/t-pdf", dir, dir);
            assert_int_equal(system(cmd), 0);
            zbar("t-pdf.png", got, sizeof(got));
            assert_string_equal(got, texts[t]);
            buf_release(&out);
        }
}

/* A QR too big for its square fails, and so does the document; the caller's buffer is untouched. */
static void failures(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 64 << 20);
    buf_adds(&out, "before");
    struct print_doc *d = print_begin(PRINT_PNG, 50, 50);
    assert_non_null(d);
    assert_int_equal(print_qr(d, 5, 5, 3, "CDN1.P.K7M2QX9A4T.12.k1.x"),
                     -1); /* 3 mm: under a pixel a module */
    assert_int_equal(print_qr(d, 5, 5, 30, ""), -1);
    assert_int_equal(print_end(d, &out), -1);
    assert_string_equal(out.data, "before");
    assert_null(print_begin(PRINT_PDF, 0, 100));
    assert_null(print_begin(PRINT_PNG, 100, -1));
    /* A ceiling too low for the document: -1, buffer unchanged. */
    struct buf small;
    buf_init(&small, 100);
    d = print_begin(PRINT_PDF, 100, 100);
    print_text(d, 10, 10, 12, 0, "x");
    assert_int_equal(print_end(d, &small), -1);
    assert_int_equal(small.len, 0);
    buf_release(&small);
    buf_release(&out);
}

/* print_next_page: a PDF of three pages, each with its own QR code read back; a PNG has one page only. */
static void pages(void **state)
{
    (void)state;
    const char *texts[] = {"page one", "trang hai", "page three"};
    struct print_doc *d = print_begin(PRINT_PDF, 210, 297);
    assert_non_null(d);
    for (int i = 0; i < 3; i++) {
        if (i)
            assert_int_equal(print_next_page(d), 0);
        assert_int_equal(print_qr(d, 20, 20, 40, texts[i]), 0);
    }
    struct buf out;
    buf_init(&out, 64 << 20);
    assert_int_equal(print_end(d, &out), 0);
    write_file("pages.pdf", &out);
    char cmd[256], got[1024];
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 150 -png %s/pages.pdf %s/pages", dir, dir);
    assert_int_equal(system(cmd), 0);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof(name), "pages-%d.png", i + 1);
        zbar(name, got, sizeof(got));
        assert_string_equal(got, texts[i]);
    }
    snprintf(cmd, sizeof(cmd), "test ! -e %s/pages-4.png", dir);
    assert_int_equal(system(cmd), 0);
    d = print_begin(PRINT_PNG, 50, 50);
    assert_int_equal(print_next_page(d), -1);
    buf_reset(&out);
    assert_int_equal(print_end(d, &out), 0);
    buf_release(&out);
}

static void text_layout(void **state)
{
    (void)state;
    struct print_doc *d = print_begin(PRINT_PNG, 100, 100);
    double regular = print_text(d, 10, 10, 12, 0, "Đắk Lắk");
    double bold = print_text(d, 10, 20, 12, PRINT_BOLD, "Đắk Lắk");
    double big = print_text(d, 10, 30, 24, 0, "Đắk Lắk");
    assert_true(regular > 5 && bold > regular);
    assert_true(big > 1.9 * regular && big < 2.1 * regular);
    const char *para = "một hai ba bốn năm sáu bảy tám chín mười";
    double wide = print_paragraph(d, 10, 40, 90, 10, 0, para);
    double narrow = print_paragraph(d, 10, 40, 20, 10, 0, para);
    double line = 10 * 25.4 / 72 * 1.3;
    assert_true(wide > 40 + 0.9 * line && wide < 40 + 1.1 * line); /* one line */
    assert_true(narrow > 40 + 3.5 * line);                         /* several */
    /* A word wider than the column stands alone; a newline breaks the line. */
    double y = print_paragraph(d, 10, 40, 5, 10, 0, "Supercalifragilistic");
    assert_true(y > 40 + 0.9 * line && y < 40 + 1.1 * line);
    y = print_paragraph(d, 10, 40, 90, 10, 0, "a  \nb");
    assert_true(y > 40 + 1.9 * line && y < 40 + 2.1 * line);
    struct buf out;
    buf_init(&out, 64 << 20);
    assert_int_equal(print_end(d, &out), 0);
    buf_release(&out);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    /* Signing keys are stored sealed under a key-encryption key (core/kek.h). */
    struct kek kek;
    if (kek_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &kek))
        return 1;
    kek_use(&kek);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(png_payload), cmocka_unit_test(pdf_payload), cmocka_unit_test(long_and_vietnamese),
        cmocka_unit_test(failures),    cmocka_unit_test(text_layout),         cmocka_unit_test(pages),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
