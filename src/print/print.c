/*
 * print.c - one-page PDF and PNG documents on cairo (contract in print.h).
 *
 * Callers place things in millimetres from the top-left corner; the cairo
 * context is scaled so one user unit is one millimetre.  PDF pages are in
 * points (72 per inch), PNG pages are 150 dpi images on a white background.
 *
 * QR modules in a PNG are drawn in device space on whole pixels with
 * antialiasing off, so every module is an exact square of n x n pixels:
 * a blurred edge is what makes cheap phone cameras fail.  In a PDF they are
 * exact vector squares.  Both keep a 4-module quiet zone.
 *
 * Bytes are collected in the document's own buffer and appended to the
 * caller's only when complete, so a failure leaves the caller's buffer as it was.
 */
#include "print/print.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define PRINT_DPI 150.0
#define PRINT_MM_PER_INCH 25.4
#define PRINT_PT_PER_INCH 72.0
#define PRINT_OUT_MAX (64u << 20) /* bytes: a poster is far below this */
#define PRINT_QUIET 4             /* modules of white around a QR code */
#define PRINT_FONT "DejaVu Sans"
#define PRINT_LINE 1.3 /* line height as a multiple of the font size */

struct print_doc {
    enum print_format fmt;
    cairo_surface_t *surface;
    cairo_t *cr;
    double dev_per_mm; /* device units (points or pixels) per millimetre */
    struct buf bytes;  /* the encoded document, filled by cairo */
    int failed;        /* a drawing call failed (e.g. a QR too big for its square) */
};

/*
 * Fontconfig, which cairo uses to find the font, keeps a few hundred bytes of
 * process-wide state that LeakSanitizer cannot see pointers to.  The amount
 * does not grow with the documents rendered (measured: the same after 1 and
 * 50 documents), so the sanitizer build is told to ignore it.  This hook is
 * read only by the sanitizer runtime; other builds never call it.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

/* Floor and nearest of non-negative device coordinates (libm is not linked). */
static double floor_pos(double x) { return x > 0 ? (double)(long long)x : 0; }

static double round_pos(double x) { return floor_pos(x + 0.5); }

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int length)
{
    struct buf *b = closure;
    return buf_add(b, data, length) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

struct print_doc *print_begin(enum print_format fmt, double width_mm, double height_mm)
{
    if (!(width_mm > 0 && height_mm > 0 && width_mm <= 2000 && height_mm <= 2000))
        return NULL;
    struct print_doc *d = xcalloc(1, sizeof(*d));
    d->fmt = fmt;
    buf_init(&d->bytes, PRINT_OUT_MAX);
    if (fmt == PRINT_PDF) {
        d->dev_per_mm = PRINT_PT_PER_INCH / PRINT_MM_PER_INCH;
        d->surface = cairo_pdf_surface_create_for_stream(collect, &d->bytes, width_mm * d->dev_per_mm,
                                                         height_mm * d->dev_per_mm);
    } else {
        d->dev_per_mm = PRINT_DPI / PRINT_MM_PER_INCH;
        int w = (int)round_pos(width_mm * d->dev_per_mm), h = (int)round_pos(height_mm * d->dev_per_mm);
        d->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    }
    d->cr = cairo_create(d->surface);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(d->cr);
        cairo_surface_destroy(d->surface);
        buf_release(&d->bytes);
        free(d);
        return NULL;
    }
    if (fmt == PRINT_PNG) { /* an image starts black; paper is white */
        cairo_set_source_rgb(d->cr, 1, 1, 1);
        cairo_paint(d->cr);
    }
    cairo_scale(d->cr, d->dev_per_mm, d->dev_per_mm);
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    return d;
}

static void set_font(struct print_doc *d, double size_pt, unsigned flags)
{
    cairo_select_font_face(d->cr, PRINT_FONT, CAIRO_FONT_SLANT_NORMAL,
                           flags & PRINT_BOLD ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(d->cr, size_pt * PRINT_MM_PER_INCH / PRINT_PT_PER_INCH);
}

double print_text(struct print_doc *d, double x_mm, double y_mm, double size_pt, unsigned flags,
                  const char *utf8)
{
    if (!d || !utf8 || !*utf8)
        return 0;
    set_font(d, size_pt, flags);
    cairo_text_extents_t ext;
    cairo_text_extents(d->cr, utf8, &ext);
    double x = flags & PRINT_CENTER ? x_mm - ext.x_advance / 2 : x_mm;
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    cairo_move_to(d->cr, x, y_mm);
    cairo_show_text(d->cr, utf8);
    cairo_new_path(d->cr);
    return ext.x_advance;
}

static double advance(struct print_doc *d, const char *s, size_t n)
{
    char tmp[1024];
    if (n >= sizeof(tmp))
        n = sizeof(tmp) - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    cairo_text_extents_t ext;
    cairo_text_extents(d->cr, tmp, &ext);
    return ext.x_advance;
}

double print_paragraph(struct print_doc *d, double x_mm, double y_mm, double width_mm, double size_pt,
                       unsigned flags, const char *utf8)
{
    double line_mm = size_pt * PRINT_MM_PER_INCH / PRINT_PT_PER_INCH * PRINT_LINE;
    if (!d || !utf8)
        return y_mm;
    set_font(d, size_pt, flags);
    const char *p = utf8;
    char line[1024];
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        /* Take words while the line fits; a single word wider than the
         * column stands alone on its line rather than being cut. */
        const char *end = p, *fit = NULL;
        for (;;) {
            const char *w = end;
            while (*w == ' ')
                w++;
            const char *we = w;
            while (*we && *we != ' ' && *we != '\n')
                we++;
            if (we == w) {
                if (*w == '\n' && fit)
                    end = w; /* trailing spaces before a newline: this line ends there */
                break;
            }
            if (fit && advance(d, p, (size_t)(we - p)) > width_mm)
                break;
            if ((size_t)(we - p) >= sizeof(line))
                break;
            fit = end = we;
            if (*end == '\n')
                break;
        }
        if (!fit) { /* only spaces before a newline */
            end = p;
            while (*end && *end != '\n')
                end++;
        }
        size_t n = (size_t)(end - p);
        if (n >= sizeof(line))
            n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        print_text(d, flags & PRINT_CENTER ? x_mm + width_mm / 2 : x_mm, y_mm, size_pt, flags, line);
        y_mm += line_mm;
        p = end;
        if (*p == '\n')
            p++;
    }
    return y_mm;
}

int print_qr(struct print_doc *d, double x_mm, double y_mm, double size_mm, const char *text)
{
    if (!d || !text || !*text || !(size_mm > 0))
        return -1;
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        goto fail;
    int modules = q->width + 2 * PRINT_QUIET;
    cairo_t *cr = d->cr;
    cairo_save(cr);
    double x0, y0, m;
    if (d->fmt == PRINT_PNG) {
        /* Whole device pixels: n pixels per module, centred in the square. */
        cairo_identity_matrix(cr);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
        double px = floor_pos(size_mm * d->dev_per_mm);
        m = floor_pos(px / modules);
        if (m < 1) {
            cairo_restore(cr);
            QRcode_free(q);
            goto fail;
        }
        x0 = round_pos(x_mm * d->dev_per_mm) + floor_pos((px - m * modules) / 2);
        y0 = round_pos(y_mm * d->dev_per_mm) + floor_pos((px - m * modules) / 2);
    } else {
        m = size_mm / modules;
        x0 = x_mm;
        y0 = y_mm;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x0, y0, m * modules, m * modules);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int row = 0; row < q->width; row++) {
        /* Runs of dark modules on a row become one rectangle: fewer path
         * operations and no hairline seams between neighbours in a PDF. */
        int col = 0;
        while (col < q->width) {
            if (!(q->data[row * q->width + col] & 1)) {
                col++;
                continue;
            }
            int start = col;
            while (col < q->width && (q->data[row * q->width + col] & 1))
                col++;
            cairo_rectangle(cr, x0 + (start + PRINT_QUIET) * m, y0 + (row + PRINT_QUIET) * m,
                            (col - start) * m, m);
        }
    }
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(q);
    return 0;
fail:
    d->failed = 1;
    return -1;
}

void print_rect(struct print_doc *d, double x_mm, double y_mm, double w_mm, double h_mm, double line_mm)
{
    if (!d)
        return;
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    cairo_set_line_width(d->cr, line_mm);
    cairo_rectangle(d->cr, x_mm, y_mm, w_mm, h_mm);
    cairo_stroke(d->cr);
}

int print_next_page(struct print_doc *d)
{
    if (!d || d->fmt != PRINT_PDF)
        return -1;
    cairo_show_page(d->cr);
    return cairo_status(d->cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

int print_end(struct print_doc *d, struct buf *out)
{
    if (!d)
        return -1;
    int rc = d->failed ? -1 : 0;
    if (d->fmt == PRINT_PDF)
        cairo_show_page(d->cr);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_destroy(d->cr);
    if (d->fmt == PRINT_PDF) {
        cairo_surface_finish(d->surface); /* writes the rest of the PDF through collect() */
    } else if (!rc) {
        cairo_surface_flush(d->surface);
        if (cairo_surface_write_to_png_stream(d->surface, collect, &d->bytes) != CAIRO_STATUS_SUCCESS)
            rc = -1;
    }
    if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_destroy(d->surface);
    if (!rc && (!d->bytes.len || buf_add(out, d->bytes.data, d->bytes.len)))
        rc = -1;
    buf_release(&d->bytes);
    free(d);
    return rc;
}
