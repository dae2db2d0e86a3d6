/*
 * labels.c - the tube label sheet: one A4 page of QR labels, 3 across and 8
 * down (70 x 37 mm, the common sticker sheet), each with the tube id as a QR
 * code and in print beside it, and the session's team and date.  print.h
 * makes one page per document, so a sheet is one page of at most
 * TESTING_LABELS_PER_PAGE labels and callers ask for pages one by one.
 */
#include <stdio.h>

#include "print/print.h"
#include "testing/testing.h"

#define COLS 3
#define LABEL_W 70.0
#define LABEL_H 37.0
#define TOP 0.5

int testing_labels_pdf(const struct testing_session *s, const char *const *codes, int n, struct buf *out)
{
    if (n > TESTING_LABELS_PER_PAGE)
        n = TESTING_LABELS_PER_PAGE;
    char line[160];
    snprintf(line, sizeof(line), "%s · %s · %s · %s", s->date, s->team, testing_type_name(s->type),
             s->site_name ? s->site_name : "");
    struct print_doc *d = print_begin(PRINT_PDF, 210, 297);
    if (!d)
        return -1;
    for (int i = 0; i < n; i++) {
        double x = (i % COLS) * LABEL_W, y = TOP + (i / COLS) * LABEL_H;
        if (print_qr(d, x + 3, y + 3, 31, codes[i])) {
            print_end(d, out);
            return -1;
        }
        print_text(d, x + 36, y + 14, 11, PRINT_BOLD, codes[i]);
        print_text(d, x + 36, y + 21, 6.5, 0, s->team);
        print_text(d, x + 36, y + 27, 6.5, 0, s->date);
        print_text(d, x + 36, y + 33, 6.5, 0, s->pool_size > 1 ? "gộp / pooled" : "đơn / single");
    }
    print_text(d, 105, 296.5, 5, PRINT_CENTER, line);
    return print_end(d, out) ? -1 : 0;
}
