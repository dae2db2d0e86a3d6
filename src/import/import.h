/*
 * import.h - reading tables that people upload: CSV and XLSX.
 *
 * Any domain that takes a spreadsheet (lab result files, vaccination lists)
 * reads it here into rows of UTF-8 cells, each row carrying the number a
 * person sees in their editor: the physical line where a CSV record starts
 * (1-based, counting the newlines inside quoted fields), or the row number of
 * an XLSX sheet (the "r" attribute).  Blank rows are skipped.  The first row
 * kept is usually the header; the caller decides.
 *
 * CSV (RFC 4180): comma-separated, fields optionally quoted with doubled
 * quotes inside, CRLF or LF line ends, an optional UTF-8 byte order mark.
 * A record that is not UTF-8 is kept as a row with `bad_encoding` set and no
 * cells, so the caller can report its line; an unterminated quote marks the
 * row `unterminated` and ends the file.
 *
 * XLSX (Office Open XML, read with libzip + libxml2): the first sheet of the
 * workbook, cells as shared strings, inline strings, formula strings or
 * numbers (the stored text, e.g. "32.5"); gaps between cells are empty.
 *
 * Everything lives in the caller's arena.  Inputs are bounded: at most
 * max_rows data rows, IMPORT_MAX_COLUMNS cells per row, IMPORT_MAX_XML bytes
 * of uncompressed sheet XML.
 */
#ifndef CORDON_IMPORT_IMPORT_H
#define CORDON_IMPORT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define IMPORT_MAX_COLUMNS 64
#define IMPORT_MAX_CELL 4096           /* bytes in one cell */
#define IMPORT_MAX_XML (256u << 20)    /* bytes of uncompressed XML in one XLSX part */

enum import_format { IMPORT_AUTO, IMPORT_CSV, IMPORT_XLSX };

struct import_row {
    int64_t line;        /* CSV: line where the record starts; XLSX: sheet row number */
    int ncells;
    const char **cells;  /* ncells UTF-8 strings, never NULL ("" for an empty cell) */
    bool bad_encoding;   /* CSV: the record is not UTF-8 (cells empty) */
    bool unterminated;   /* CSV: a quoted field runs to the end of the file */
    bool too_wide;       /* more than IMPORT_MAX_COLUMNS cells, or a cell above IMPORT_MAX_CELL (cut) */
};

struct import_table {
    enum import_format format; /* what was read: IMPORT_CSV or IMPORT_XLSX */
    struct import_row *rows;
    size_t nrows;
};

/* "csv" or "xlsx". */
const char *import_format_name(enum import_format f);

/*
 * Detects the format from the bytes when fmt is IMPORT_AUTO: a ZIP signature
 * ("PK\3\4") means XLSX, anything else CSV.
 */
enum import_format import_detect(const char *data, size_t len);

/*
 * Reads data[0..len) into *out (rows in a).  max_rows bounds the rows kept
 * (header included).  Errors fill f naming `field`:
 *   ERR_INVALID_FIELD  the file is empty (no non-blank row), or an XLSX that
 *                      cannot be opened or has no sheet;
 *   ERR_TOO_LARGE      more than max_rows rows, or XML above IMPORT_MAX_XML.
 * Row-level faults (bad encoding, unterminated quote, too wide) are flags on
 * the rows, not errors.
 */
int import_read(struct arena *a, const char *data, size_t len, enum import_format fmt, size_t max_rows,
                const char *field, struct import_table *out, struct fault *f);

/* Internal: the two readers (csv.c, xlsx.c), same contract as import_read. */
int import__csv(struct arena *a, const char *data, size_t len, size_t max_rows, const char *field,
                struct import_table *out, struct fault *f);
int import__xlsx(struct arena *a, const char *data, size_t len, size_t max_rows, const char *field,
                 struct import_table *out, struct fault *f);
/* Internal: appends a row to a growing table (capacity doubling in the arena). */
struct import_row *import__push(struct arena *a, struct import_table *t, size_t *cap);

#endif
