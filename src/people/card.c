/*
 * card.c - the printed personal card: a CR80 card (85.6 x 54 mm, the size of
 * a bank card) with the person's name, date of birth and personal QR code,
 * for people who have no smartphone.  Venue staff and samplers scan it.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "people/people_int.h"
#include "print/print.h"

#define CARD_W 85.6 /* mm */
#define CARD_H 54.0
#define CARD_QR 41.0 /* side of the QR square, quiet zone included */

int people_card_render(const struct person *p, const char *payload, int fmt, struct buf *out)
{
    struct print_doc *d = print_begin(fmt == PRINT_PNG ? PRINT_PNG : PRINT_PDF, CARD_W, CARD_H);
    if (!d)
        return ERR_INTERNAL;
    print_rect(d, 1.0, 1.0, CARD_W - 2.0, CARD_H - 2.0, 0.3);
    double qx = CARD_W - CARD_QR - 2.5, qy = CARD_H - CARD_QR - 2.5; /* below the title line */
    if (print_qr(d, qx, qy, CARD_QR, payload)) {
        struct buf scrap;
        buf_init(&scrap, 1);
        print_end(d, &scrap); /* frees d; the bytes, if any, are dropped */
        buf_release(&scrap);
        return ERR_INTERNAL;
    }
    double x = 4.5, w = qx - x - 1.0;
    print_text(d, x, 7.5, 7.5, PRINT_BOLD, "Thẻ QR cá nhân — Cordon");
    double y = print_paragraph(d, x, 16.0, w, 9.5, PRINT_BOLD, p->full_name ? p->full_name : "(chưa có tên)");
    char line[64];
    if (p->date_of_birth && strlen(p->date_of_birth) == 10) /* shown as DD/MM/YYYY, as on Vietnamese papers */
        snprintf(line, sizeof(line), "Ngày sinh: %.2s/%.2s/%.4s", p->date_of_birth + 8, p->date_of_birth + 5,
                 p->date_of_birth);
    else
        snprintf(line, sizeof(line), "Ngày sinh: —");
    print_text(d, x, y + 1.0, 7.0, 0, line);
    snprintf(line, sizeof(line), "Mã: %s", p->code);
    print_text(d, x, y + 5.0, 7.0, 0, line);
    print_paragraph(d, x, CARD_H - 13.0, w, 5.5, 0,
                    "Đưa mã QR này cho nhân viên quét khi vào địa điểm hoặc đi xét nghiệm. "
                    "Mất thẻ: xin cấp lại để mã cũ hết hiệu lực.");
    return print_end(d, out) ? ERR_INTERNAL : 0;
}
