/*
 * upload.h - registration lists that communes and employers upload (CSV or
 * XLSX), in two steps as result files are: check every row and keep the
 * valid ones under a token, then apply them all in one transaction, or
 * nothing.  Applying records each person through people_create (a person
 * already recorded is matched, not duplicated) and one registration each
 * (source "list").  The columns and reasons are in docs/api-vaccine.md.
 */
#ifndef CORDON_VACCINE_UPLOAD_H
#define CORDON_VACCINE_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "vaccine/vaccine.h"

struct store;
struct http_req;

#define VACCINE_UPLOAD_BODY_MAX (20u << 20) /* bytes of one uploaded file */
#define VACCINE_UPLOAD_MAX_ROWS 100000      /* data rows of one file */
#define VACCINE_UPLOAD_MAX_ERRORS 1000      /* bad rows listed in a check answer (all are counted) */
#define VACCINE_UPLOAD_EMPLOYER_MAX 200     /* characters */

struct vaccine_upload_error {
    int64_t line;      /* CSV line where the row starts, or XLSX row number */
    const char *field; /* the column at fault; NULL for the whole row */
    const char *reason;
    const char *code;  /* the reason as a stable word (docs/api-vaccine.md), for pages to put in words */
    int64_t ref_line;  /* a duplicate: the line it repeats; else 0 */
};

struct vaccine_upload_check {
    const char *token;  /* names the checked file in the apply step */
    const char *format; /* "csv" or "xlsx" */
    int64_t rows, valid, bad;
    struct vaccine_upload_error *errors; /* the first VACCINE_UPLOAD_MAX_ERRORS bad rows, in file order */
    int nerrors;
};

struct vaccine_upload_summary {
    int64_t registered;     /* registrations written (one per applied row) */
    int64_t people_created; /* persons recorded by this list */
    int64_t people_matched; /* persons already recorded, matched */
    int64_t skipped;        /* bad rows left out (apply_valid_only) */
};

/*
 * Reads the file data[0..len), checks every row for the caller (account_id,
 * unit_code: rows must name communes inside that unit) and stores the valid
 * rows under a fresh token.  0 with *out (strings in a); file faults fill f:
 * ERR_INVALID_FIELD "file" (empty, wrong columns, not UTF-8 header, XLSX that
 * cannot be opened), ERR_TOO_LARGE "file" (too many rows).  Store errors are
 * returned as enum err.
 */
int vaccine_upload_check(struct store *s, struct arena *a, const struct vaccine_data *d, const char *data,
                         size_t len, int64_t account_id, const char *unit_code, int64_t now,
                         struct vaccine_upload_check *out, struct fault *f);

/*
 * Applies a checked file; call inside store_tx.  The caller's unit must
 * contain the unit that checked it (else ERR_FORBIDDEN "token"); unknown
 * token ERR_NOT_FOUND "token"; bad rows and !valid_only ERR_CONFLICT
 * "apply_valid_only"; a row that no longer holds (its person registered or
 * changed since the check) ERR_CONFLICT "token" naming the line, and the
 * caller's transaction must roll back.  An applied token answers 0 with
 * *already set and the figures of the first apply.
 */
int vaccine_upload_apply(struct store *s, struct arena *a, const struct vaccine_data *d, const char *token,
                         int64_t account_id, const char *unit_code, bool valid_only, int64_t now,
                         struct vaccine_upload_summary *sum, bool *already, struct fault *f);

/* POST /api/v1/vaccine/registrations/upload/check (body: the file) */
enum err vaccine_handle_upload_check(struct http_req *r);
/* POST /api/v1/vaccine/registrations/upload/apply {token, apply_valid_only?} */
enum err vaccine_handle_upload_apply(struct http_req *r);

#endif
