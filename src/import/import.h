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
 * Parts are streamed (inflated a few KiB at a time into libxml2's
 * xmlTextReader, never whole), so memory does not follow what a part inflates
 * to; no DTD is read and no entity is expanded.
 *
 * Everything lives in the caller's arena.  Inputs are bounded: at most
 * max_rows rows, IMPORT_MAX_COLUMNS cells per row, IMPORT_MAX_CELL bytes per
 * cell, and the limits of struct import_limits, whose passing is
 * ERR_TOO_COMPLEX: a small upload cannot make the server hold or parse much
 * more than the upload itself.
 */
#ifndef CORDON_IMPORT_IMPORT_H
#define CORDON_IMPORT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define IMPORT_MAX_COLUMNS 64
#define IMPORT_MAX_CELL 4096 /* bytes in one cell (longer cells are cut, the row marked too_wide) */
#define IMPORT_RATIO_SLACK (1u << 20) /* bytes a part may inflate to before its ratio is checked */

/* What a file may expand to; import_limits_default is what import_read uses. */
struct import_limits {
    size_t parts;       /* XLSX: entries in the ZIP */
    size_t expanded;    /* XLSX: bytes inflated from all the parts read */
    size_t ratio;       /* XLSX: inflated / compressed bytes of one part (past IMPORT_RATIO_SLACK) */
    size_t elements;    /* XLSX: XML elements in all the parts read */
    size_t depth;       /* XLSX: elements open at once */
    size_t tag;         /* XLSX: bytes of one tag, attributes included, or one comment */
    size_t text;        /* XLSX: bytes of text between two tags */
    size_t shared;      /* XLSX: entries of the shared-string table */
    size_t cells;       /* cells kept in the table, gaps within rows included */
    size_t table_text;  /* bytes of cell text kept in the table */
};
extern const struct import_limits import_limits_default;

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

/*
 * A date as people write it in a spreadsheet (import_date.c): YYYY-MM-DD,
 * D/M/YYYY (also with '-' or '.'; Excel's Vietnamese format is DD/MM/YYYY), or
 * the day number of a spreadsheet date cell (days since 1899-12-30,
 * optionally ".0").  The result is YYYY-MM-DD in a, for the calendar check
 * that follows (vn_date_parse); NULL when the text has none of these shapes.
 */
const char *import_date(struct arena *a, const char *s);

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
 *                      cannot be opened, has no sheet or whose XML is broken;
 *   ERR_TOO_LARGE      more than max_rows rows;
 *   ERR_TOO_COMPLEX    past one of import_limits_default (the message says which).
 * Row-level faults (bad encoding, unterminated quote, too wide) are flags on
 * the rows, not errors.
 */
int import_read(struct arena *a, const char *data, size_t len, enum import_format fmt, size_t max_rows,
                const char *field, struct import_table *out, struct fault *f);
/* The same with other limits (tests use small ones). */
int import_read_limited(struct arena *a, const char *data, size_t len, enum import_format fmt, size_t max_rows,
                        const struct import_limits *lim, const char *field, struct import_table *out,
                        struct fault *f);

/* Internal: what a table holds so far, charged against the limits; cell text is packed. */
struct import__table {
    struct arena *a;
    const struct import_limits *lim;
    const char *field;
    struct import_table *out;
    size_t cap;       /* rows allocated */
    size_t cells;     /* cells kept */
    size_t text;      /* bytes of text kept */
    char *pool;       /* the free end of the current block of packed text */
    size_t pool_left;
};
/* Internal: the two readers (csv.c, xlsx.c), same contract as import_read. */
int import__csv(struct import__table *t, const char *data, size_t len, size_t max_rows, struct fault *f);
int import__xlsx(struct import__table *t, const char *data, size_t len, size_t max_rows, struct fault *f);
/* Internal: appends a row of ncells cells (the cells array allocated, each ""), charging the
 * limits; max_rows bounds the rows.  NULL with f filled when a limit is passed. */
struct import_row *import__row(struct import__table *t, size_t max_rows, int ncells, struct fault *f);
/* Internal: a copy of s[0..n) in the table's packed text ("" when n is 0), charging the limits;
 * NULL with f filled when the table's text would pass them. */
const char *import__text(struct import__table *t, const char *s, size_t n, struct fault *f);

#endif
