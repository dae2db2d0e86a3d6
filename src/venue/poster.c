/*
 * poster.c - the A4 poster a venue prints and hangs at its entrance.
 *
 * It shows the venue's name and address, one large QR code of the signed
 * check-in URL  <public_url>/c/<code>?k=<kid>&s=<sig>  (any phone camera opens
 * it; the signature lets the page and the server tell a real poster from a
 * forged one), and short instructions in Vietnamese, including what to do
 * without a smartphone.  Only approved venues get a poster.
 */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "print/print.h"
#include "qr/qr.h"
#include "store/store.h"
#include "venue/venue_int.h"

#define A4_W 210.0
#define A4_H 297.0
#define POSTER_MAX (32u << 20) /* bytes: a PNG page at 150 dpi is well under this */

enum err venue_poster_url(struct store *s, struct arena *a, const struct venue *v, const char **out)
{
    char kid[16], sig[96];
    int rc = qr_sign_venue(s, v->code, kid, sig);
    if (rc)
        return rc;
    /* kid and sig are base64url and short ids: nothing to escape in a query string */
    *out = arena_printf(a, "%s/c/%s?k=%s&s=%s", venue__public_url, v->code, kid, sig);
    return 0;
}

/* Lays the poster out on d. */
static int draw(struct print_doc *d, struct arena *a, const struct venue *v, const char *url)
{
    const double cx = A4_W / 2, margin = 18, width = A4_W - 2 * margin;
    print_rect(d, 8, 8, A4_W - 16, A4_H - 16, 1.2);
    print_text(d, cx, 26, 16, PRINT_BOLD | PRINT_CENTER, "KHAI BÁO Y TẾ / CHECK-IN");
    double y = print_paragraph(d, margin, 42, width, 24, PRINT_BOLD | PRINT_CENTER, v->name);
    y = print_paragraph(d, margin, y + 2, width, 12, PRINT_CENTER, venue_address(a, v));
    double qr_size = 130;
    double qr_y = y + 6 > 80 ? y + 6 : 80;
    if (qr_y + qr_size > 240)
        qr_y = 240 - qr_size; /* a very long name: the code keeps its size, the text yields */
    if (print_qr(d, cx - qr_size / 2, qr_y, qr_size, url))
        return -1;
    y = qr_y + qr_size + 10;
    y = print_paragraph(d, margin, y, width, 14, PRINT_BOLD | PRINT_CENTER,
                        "Quét mã QR bằng camera điện thoại để khai báo/check-in — không cần cài ứng dụng");
    y = print_paragraph(d, margin, y + 2, width, 12, PRINT_CENTER,
                        "Không có điện thoại thông minh? Đưa thẻ QR cá nhân hoặc số CCCD/BHYT cho nhân viên");
    print_text(d, cx, A4_H - 16, 10, PRINT_CENTER, arena_printf(a, "Mã địa điểm: %s", v->code));
    (void)y;
    return 0;
}

static int poster(struct http_req *r, enum print_format fmt)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    struct venue v;
    rc = venue_get(r->store, &r->arena, id, &v);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no venue has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    rc = venue_require_manage(r, &v);
    if (rc)
        return rc;
    if (strcmp(v.status, "approved") != 0)
        return http_fail(r, ERR_CONFLICT, "status", "the venue is %s; only approved venues get a poster", v.status);
    const char *url;
    rc = venue_poster_url(r->store, &r->arena, &v, &url);
    if (rc)
        return rc;
    struct print_doc *d = print_begin(fmt, A4_W, A4_H);
    if (!d)
        return ERR_INTERNAL;
    struct buf out;
    buf_init(&out, POSTER_MAX);
    if (draw(d, &r->arena, &v, url)) {
        print_end(d, &out); /* frees d */
        buf_release(&out);
        return ERR_INTERNAL;
    }
    if (print_end(d, &out)) {
        buf_release(&out);
        return ERR_INTERNAL;
    }
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "inline; filename=\"poster-%s.%s\"", v.code,
                                 fmt == PRINT_PDF ? "pdf" : "png"));
    http_add_header(r, "Cache-Control", "no-store");
    rc = http_reply(r, 200, fmt == PRINT_PDF ? "application/pdf" : "image/png", out.data, out.len);
    buf_release(&out);
    return rc;
}

/* GET /api/v1/venues/{id}/poster.pdf */
enum err venue_handle_poster_pdf(struct http_req *r)
{
    return poster(r, PRINT_PDF);
}

/* GET /api/v1/venues/{id}/poster.png */
enum err venue_handle_poster_png(struct http_req *r)
{
    return poster(r, PRINT_PNG);
}
