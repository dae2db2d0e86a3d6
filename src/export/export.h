/*
 * export.h - tables for spreadsheets: CSV (RFC 4180) and XLSX (Office Open XML).
 *
 * Any domain builds a table the same way, column titles first, then rows of
 * UTF-8 text, and gets the file's bytes:
 *
 *     static const char *const cols[] = {"Giờ vào", "Họ tên", NULL};
 *     struct export *e = export_begin(EXPORT_CSV, cols);
 *     const char *row[] = {"2021-09-01 08:30", "Nguyễn Văn An"};
 *     export_row(e, row);
 *     export_end(e, &out);             // out: the file; e is freed
 *
 * CSV: a UTF-8 byte order mark (so Excel reads Vietnamese correctly), CRLF
 * line ends, fields quoted when they hold a comma, quote, CR or LF (quotes
 * doubled).  A field starting with = + - @ or a tab is prefixed with a single
 * quote so a spreadsheet never runs it as a formula.
 *
 * XLSX: one worksheet, every cell an inline string (no shared-string table,
 * no formulas), header row in bold; text is XML-escaped and characters XML
 * cannot hold (control characters other than tab, CR, LF) are dropped.
 */
#ifndef CORDON_EXPORT_EXPORT_H
#define CORDON_EXPORT_EXPORT_H

#include "core/buf.h"

enum export_kind { EXPORT_CSV, EXPORT_XLSX };

#define EXPORT_MAX_COLUMNS 64
#define EXPORT_MAX_BYTES (256u << 20) /* ceiling of one table's content */

struct export;

/* Parses "csv" or "xlsx". Returns 0, or -1 for any other name. */
int export_kind_parse(const char *name, enum export_kind *out);
/* "text/csv; charset=utf-8" or the XLSX media type. */
const char *export_content_type(enum export_kind kind);
/* "csv" or "xlsx", for file names. */
const char *export_extension(enum export_kind kind);

/*
 * Starts a table with the NULL-terminated column titles (1..EXPORT_MAX_COLUMNS).
 * Returns NULL on a bad column list.  The titles are copied.
 */
struct export *export_begin(enum export_kind kind, const char *const *columns);
/* Appends one row of as many values as there are columns; a NULL value is an
 * empty cell.  Returns 0, or -1 when the table would pass EXPORT_MAX_BYTES
 * (the row is then not added). */
int export_row(struct export *e, const char *const *values);
/* Appends the finished file to out and frees e. Returns 0, or -1 (out may then
 * hold a partial file; e is freed either way). */
int export_end(struct export *e, struct buf *out);
/* Frees a table without producing it. */
void export_free(struct export *e);

#endif
