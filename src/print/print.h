/*
 * print.h - printable documents (PDF and PNG) with text and QR codes, on cairo.
 *
 * A document is pages of one size in millimetres (a PNG has one page).  Text is UTF-8 and
 * drawn with DejaVu Sans, which covers Vietnamese.  A QR code is drawn as
 * exact black squares with a quiet zone, so phone cameras and zbarimg read
 * it from the PNG and from the printed PDF.
 *
 *     struct print_doc *d = print_begin(PRINT_PDF, 210, 297);   // A4
 *     print_text(d, 20, 30, 14, PRINT_BOLD | PRINT_CENTER, "Quét mã để khai báo");
 *     print_qr(d, 45, 60, 120, "https://...");
 *     print_end(d, &out);                                       // out: the PDF bytes
 */
#ifndef CORDON_PRINT_PRINT_H
#define CORDON_PRINT_PRINT_H

#include "core/buf.h"

enum print_format { PRINT_PDF, PRINT_PNG };

enum print_flags {
    PRINT_BOLD = 1 << 0,
    PRINT_CENTER = 1 << 1, /* x is the centre of the line */
};

struct print_doc;

/* PNG pages are rendered at 150 dpi (A4: 1240 x 1754 pixels). */
struct print_doc *print_begin(enum print_format fmt, double width_mm, double height_mm);
/* Draws one line of text with its baseline at y; size in points. Returns the width drawn in mm. */
double print_text(struct print_doc *d, double x_mm, double y_mm, double size_pt, unsigned flags, const char *utf8);
/* Draws a wrapped paragraph inside width_mm; returns the y of the next line. */
double print_paragraph(struct print_doc *d, double x_mm, double y_mm, double width_mm, double size_pt,
                       unsigned flags, const char *utf8);
/* Draws the QR code of text (error correction M) in a size_mm square, quiet zone included. Returns 0 or -1. */
int print_qr(struct print_doc *d, double x_mm, double y_mm, double size_mm, const char *text);
/* Draws a rectangle outline (line width in mm). */
void print_rect(struct print_doc *d, double x_mm, double y_mm, double w_mm, double h_mm, double line_mm);
/* PDF only: ends the current page and starts a blank one of the same size.  Returns 0, or -1 for a PNG. */
int print_next_page(struct print_doc *d);
/* Finishes the page, appends the document's bytes to out and frees d. Returns 0 or -1. */
int print_end(struct print_doc *d, struct buf *out);

#endif
