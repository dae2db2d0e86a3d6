/*
 * card.c - the printed personal card: a CR80 card (85.6 x 54 mm, the size of
 * a bank card) with the person's name, date of birth and personal QR code,
 * for people who have no smartphone.  Venue staff and samplers scan it.  The
 * same card is laid out alone (card.png, card.pdf) or ten to an A4 sheet
 * (cards.pdf, for a household or a list).
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "people/people_int.h"
#include "print/print.h"

#define CARD_W 85.6 /* mm */
#define CARD_H 54.0
#define CARD_QR 41.0 /* side of the QR square, quiet zone included */

/* Draws one card with its top-left corner at (ox, oy); 0 or -1 when the QR code does not fit. */
static int draw_card(struct print_doc *d, double ox, double oy, const struct person *p, const char *payload)
{
    print_rect(d, ox + 1.0, oy + 1.0, CARD_W - 2.0, CARD_H - 2.0, 0.3);
    double qx = ox + CARD_W - CARD_QR - 2.5, qy = oy + CARD_H - CARD_QR - 2.5; /* below the title line */
    if (print_qr(d, qx, qy, CARD_QR, payload))
        return -1;
    double x = ox + 4.5, w = qx - x - 1.0;
    print_text(d, x, oy + 7.5, 7.5, PRINT_BOLD, "Thẻ QR cá nhân — Cordon");
    double y = print_paragraph(d, x, oy + 16.0, w, 9.5, PRINT_BOLD, p->full_name ? p->full_name : "(chưa có tên)");
    char line[64];
    if (p->date_of_birth && strlen(p->date_of_birth) == 10) /* shown as DD/MM/YYYY, as on Vietnamese papers */
        snprintf(line, sizeof(line), "Ngày sinh: %.2s/%.2s/%.4s", p->date_of_birth + 8, p->date_of_birth + 5,
                 p->date_of_birth);
    else
        snprintf(line, sizeof(line), "Ngày sinh: —");
    print_text(d, x, y + 1.0, 7.0, 0, line);
    snprintf(line, sizeof(line), "Mã: %s", p->code);
    print_text(d, x, y + 5.0, 7.0, 0, line);
    print_paragraph(d, x, oy + CARD_H - 13.0, w, 5.5, 0,
                    "Đưa mã QR này cho nhân viên quét khi vào địa điểm hoặc đi xét nghiệm. "
                    "Mất thẻ: xin cấp lại để mã cũ hết hiệu lực.");
    return 0;
}

/* Ends d after a failure: the bytes, if any, are dropped. */
static int fail(struct print_doc *d)
{
    struct buf scrap;
    buf_init(&scrap, 1);
    print_end(d, &scrap); /* frees d */
    buf_release(&scrap);
    return ERR_INTERNAL;
}

int people_card_render(const struct person *p, const char *payload, int fmt, struct buf *out)
{
    struct print_doc *d = print_begin(fmt == PRINT_PNG ? PRINT_PNG : PRINT_PDF, CARD_W, CARD_H);
    if (!d)
        return ERR_INTERNAL;
    if (draw_card(d, 0, 0, p, payload))
        return fail(d);
    return print_end(d, out) ? ERR_INTERNAL : 0;
}

/*
 * The sheet: A4 portrait, 2 cards across and 5 down with no gap between
 * them (one cut between neighbours), centred: 19.4 mm left and right, 13.5 mm
 * top and bottom, inside what office printers reach.
 */
#define SHEET_W 210.0
#define SHEET_H 297.0
#define SHEET_COLS 2
#define SHEET_ROWS 5

int people_card_sheet(const struct person *list, const char *const *payloads, int n, struct buf *out)
{
    struct print_doc *d = print_begin(PRINT_PDF, SHEET_W, SHEET_H);
    if (!d)
        return ERR_INTERNAL;
    double left = (SHEET_W - SHEET_COLS * CARD_W) / 2, top = (SHEET_H - SHEET_ROWS * CARD_H) / 2;
    for (int i = 0; i < n; i++) {
        int slot = i % PEOPLE_CARDS_PER_PAGE;
        if (i && !slot && print_next_page(d))
            return fail(d);
        if (draw_card(d, left + (slot % SHEET_COLS) * CARD_W, top + (slot / SHEET_COLS) * CARD_H, &list[i],
                      payloads[i]))
            return fail(d);
    }
    return print_end(d, out) ? ERR_INTERNAL : 0;
}
