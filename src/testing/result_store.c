/*
 * result_store.c - results on tubes, their propagation to pool members, and
 * result files (check, then apply).
 *
 * Propagation is set-based: a result write stamps each tube it sets with a
 * batch id, and a handful of UPDATE ... FROM / INSERT ... SELECT statements
 * then carry the batch's results to every member at once.  A file of 100,000
 * tubes is one transaction: one prepared UPDATE per tube (the SQLite driver
 * caches the statement), then the set-based steps, then one outbox message
 * per member with a phone (notify.h queues one message per call).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/secret.h"
#include "core/text.h"
#include "import/import.h"
#include "en/keyserver.h"
#include "notify/notify.h"
#include "store/store.h"
#include "testing/testing.h"

enum store_rc testing_batch_open(struct store *st, const char *kind, int64_t account_id,
                                 const char *unit_code, int64_t now, int64_t *id)
{
    return store_int(st, id,
                     "INSERT INTO testing_result_batches (kind, status, account_id, unit_code, created_at)"
                     " VALUES (?, 'applied', ?, ?, ?) RETURNING id",
                     "sisi", kind, account_id, unit_code, now);
}

enum store_rc testing_result_set(struct store *st, const char *tube_code, int result, int ct, int64_t by,
                                 int64_t batch_id, int64_t now, bool *changed, const char **existing)
{
    int64_t changes = 0;
    const char *name = testing_result_name(result);
    enum store_rc rc =
        ct >= 0
            ? store_run(st, &changes,
                        "UPDATE testing_tubes SET result = ?, ct = ?, resulted_at = ?, resulted_by = ?,"
                        " result_batch = ? WHERE code = ? AND result IS NULL AND members > 0",
                        "sdiiis", name, ct, now, by, batch_id, tube_code)
            : store_run(st, &changes,
                        "UPDATE testing_tubes SET result = ?, ct = NULL, resulted_at = ?, resulted_by = ?,"
                        " result_batch = ? WHERE code = ? AND result IS NULL AND members > 0",
                        "siiis", name, now, by, batch_id, tube_code);
    *changed = changes > 0;
    *existing = NULL;
    if (rc || changes)
        return rc;
    struct store_stmt *q;
    rc = store_query(st, &q, "SELECT result, ct FROM testing_tubes WHERE code = ? AND members > 0", "s", tube_code);
    if (rc)
        return rc;
    rc = store_step(q);
    if (rc == STORE_ROW) {
        const char *had = store_col_text(q, 0);
        int had_ct = store_col_null(q, 1) ? -1 : (int)store_col_int(q, 1);
        if (!had)
            rc = STORE_RETRY; /* set and cleared under us: cannot happen in one transaction */
        else if (!strcmp(had, name) && (ct < 0 || ct == had_ct))
            rc = STORE_OK;
        else {
            for (int i = 0; i < 3; i++)
                if (!strcmp(had, testing_result_name(i)))
                    *existing = testing_result_name(i);
            rc = STORE_CONFLICT;
        }
    }
    store_finalize(q);
    return rc;
}

/* The SQL of each field of the result templates (result, result_member: name, test, date, corrected, result). */
static const char *const result_fields[] = {
    "COALESCE(p.full_name, p.code)",
    "CASE WHEN s.test_type = 'rt_pcr' THEN 'RT-PCR' ELSE 'nhanh kháng nguyên' END",
    "substr(s.session_date, 9, 2) || '/' || substr(s.session_date, 6, 2) || '/' || substr(s.session_date, 1, 4)",
    "CASE WHEN b.kind = 'correction' THEN ' đã được phòng xét nghiệm sửa lại (corrected)' ELSE '' END",
    "CASE m.status WHEN 'negative' THEN 'ÂM TÍNH (negative)'"
    " WHEN 'positive' THEN 'DƯƠNG TÍNH (positive). Trạm y tế sẽ liên hệ với bạn'"
    " WHEN 'pool_positive_retest' THEN"
    " 'mẫu gộp dương tính, cần xét nghiệm lại cá nhân (pool positive, individual retest needed)'"
    " ELSE 'không hợp lệ, cần lấy mẫu lại (invalid, please retest)' END",
};

/*
 * One message per member of batch_id, in one statement, its text from the result
 * template (result_member when it goes to the citizen who manages the member).
 */
static enum store_rc queue_results(struct store *st, int64_t batch_id, int64_t *queued)
{
    enum { EXPR_MAX = 12288 };
    char *own = malloc(EXPR_MAX), *member = malloc(EXPR_MAX), *rows = malloc(3 * EXPR_MAX);
    enum store_rc rc = own && member && rows ? STORE_OK : STORE_ERROR;
    if (!rc)
        rc = notify_template_sql(st, "result", "vi", result_fields + 1, own, EXPR_MAX);
    if (!rc)
        rc = notify_template_sql(st, "result_member", "vi", result_fields, member, EXPR_MAX);
    if (!rc)
        snprintf(rows, 3 * EXPR_MAX,
                 "SELECT recipient, body, cause FROM (SELECT COALESCE(m.phone, (SELECT mp.phone FROM"
                 " person_managers pm JOIN persons mp ON mp.id = pm.manager_person_id"
                 " WHERE pm.person_id = m.person_id ORDER BY pm.created_at LIMIT 1)) AS recipient,"
                 " CASE WHEN m.phone IS NULL THEN %s ELSE %s END AS body,"
                 " 'testing_sample:' || CAST(m.id AS TEXT) AS cause"
                 " FROM testing_samples m JOIN testing_sessions s ON s.id = m.session_id"
                 " JOIN testing_result_batches b ON b.id = m.result_batch"
                 " LEFT JOIN persons p ON p.id = m.person_id"
                 " WHERE m.result_batch = ?) r WHERE recipient IS NOT NULL",
                 member, own);
    if (!rc)
        rc = notify_queue_rows(st, "sms", "result", rows, batch_id, queued);
    free(own);
    free(member);
    free(rows);
    return rc;
}

enum store_rc testing_propagate(struct store *st, int64_t batch_id, int64_t now,
                                struct testing_apply_summary *sum)
{
    int64_t n = 0;
    enum store_rc rc = store_run(
        st, &n,
        "UPDATE testing_samples SET status = CASE"
        " WHEN t.result = 'negative' THEN 'negative'"
        " WHEN t.result = 'invalid' THEN 'invalid'"
        " WHEN t.members > 1 THEN 'pool_positive_retest'"
        " ELSE 'positive' END,"
        " resulted_at = t.resulted_at, result_batch = t.result_batch"
        " FROM testing_tubes t"
        " WHERE testing_samples.tube_id = t.id AND t.result_batch = ? AND testing_samples.status = 'pending'",
        "i", batch_id);
    if (rc)
        return rc;
    sum->people += n;
    rc = store_run(st, &n,
                   "INSERT INTO testing_retest_orders (sample_id, person_id, session_id, reason, status, created_at,"
                   " province_code, district_code, commune_code)"
                   " SELECT id, person_id, session_id, CASE WHEN status = 'invalid' THEN 'invalid' ELSE 'pool_positive' END,"
                   " 'open', CAST(? AS BIGINT), province_code, district_code, commune_code FROM testing_samples"
                   " WHERE result_batch = ? AND status IN ('pool_positive_retest', 'invalid')"
                   /* only a corrected result meets an existing order (withdrawn): it opens again */
                   " ON CONFLICT (sample_id) DO UPDATE SET status = 'open', reason = excluded.reason,"
                   " created_at = excluded.created_at",
                   "ii", now, batch_id);
    if (rc)
        return rc;
    sum->retests += n;
    /* A case from a result: confirmed now, sampled when its sample was collected (the infectious window
     * starts from there when the onset is unknown), onset and isolation unknown until a tracer knows them. */
    rc = store_run(st, &n,
                   "INSERT INTO cases (person_id, sample_id, status, confirmed_at, sample_at, result_batch,"
                   " province_code, district_code, commune_code)"
                   " SELECT person_id, id, 'confirmed', CAST(? AS BIGINT), collected_at, result_batch, province_code,"
                   " district_code, commune_code FROM testing_samples WHERE result_batch = ? AND status = 'positive'"
                   /* only a corrected result meets an existing case (withdrawn): confirmed again */
                   " ON CONFLICT (sample_id) DO UPDATE SET status = 'confirmed', confirmed_at = excluded.confirmed_at,"
                   " result_batch = excluded.result_batch",
                   "ii", now, batch_id);
    if (rc)
        return rc;
    sum->cases += n;
    if (n)
        rc = store_run(st, NULL,
                       "INSERT INTO case_events (case_id, kind, at, detail)"
                       " SELECT id, 'confirmed', CAST(? AS BIGINT), 'individual positive test result' FROM cases"
                       " WHERE result_batch = ?",
                       "ii", now, batch_id);
    /* each new case gets an exposure notification verification code, by SMS and on its result page */
    if (!rc && n)
        rc = en_codes_for_batch(st, batch_id, now);
    if (rc)
        return rc;
    /* One message per member, queued in this same transaction, in one statement.  A member without a
     * phone (a child, an elder) gets theirs through the citizen who manages them, and the message names
     * the member.  A corrected result says so.  Each names its sample as its cause. */
    int64_t queued = 0;
    rc = queue_results(st, batch_id, &queued);
    sum->messages += queued;
    return rc;
}

/* ---------------------------------------------------------------- import: check */

/* Header names accepted for each column (folded, spaces and dashes as '_'). */
static int header_column(const char *cell)
{
    char fold[64], norm[64];
    text_fold(cell, fold, sizeof(fold));
    size_t o = 0;
    for (const char *p = fold; *p && o + 1 < sizeof(norm); p++)
        if (*p != ' ' || o) /* leading spaces */
            norm[o++] = (*p == ' ' || *p == '-') ? '_' : *p;
    while (o && norm[o - 1] == '_')
        o--;
    norm[o] = '\0';
    if (!strcmp(norm, "tube_id") || !strcmp(norm, "tube") || !strcmp(norm, "ma_ong"))
        return 0;
    if (!strcmp(norm, "result") || !strcmp(norm, "ket_qua"))
        return 1;
    if (!strcmp(norm, "ct"))
        return 2;
    /* the day of the result, as the lab's sheet has it (checked, not stored) */
    if (!strcmp(norm, "date") || !strcmp(norm, "result_date") || !strcmp(norm, "ngay") ||
        !strcmp(norm, "ngay_xet_nghiem") || !strcmp(norm, "ngay_tra_ket_qua") || !strcmp(norm, "ngay_co_ket_qua"))
        return 3;
    return -1;
}

struct seen {
    const char **codes;
    int64_t *lines;
    size_t cap; /* power of two */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Returns the first line of code if seen, else records it and returns 0. */
static int64_t seen_add(struct seen *t, const char *code, int64_t line)
{
    size_t i = hash_str(code) & (t->cap - 1);
    while (t->codes[i]) {
        if (!strcmp(t->codes[i], code))
            return t->lines[i];
        i = (i + 1) & (t->cap - 1);
    }
    t->codes[i] = code;
    t->lines[i] = line;
    return 0;
}

/* A bad row: its fault as a stable code (with the cell at fault) and in English. */
static struct testing_import_error *add_error(struct arena *a, struct testing_import_check *out, int64_t line,
                                              const char *field, const char *code, const char *value,
                                              const char *reason)
{
    static struct testing_import_error dropped; /* past the cap: counted, not kept */
    out->bad++;
    if (out->nerrors >= TESTING_IMPORT_MAX_ERRORS)
        return &dropped;
    if (!out->errors)
        out->errors = arena_alloc(a, TESTING_IMPORT_MAX_ERRORS * sizeof(*out->errors));
    out->errors[out->nerrors] = (struct testing_import_error){.line = line, .field = field, .code = code,
                                                              .value = value, .reason = reason};
    return &out->errors[out->nerrors++];
}

static char *trim_upper(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *o = arena_strndup(a, s, n);
    for (char *p = o; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return o;
}

int testing_import_check(struct store *st, struct arena *a, const char *data, size_t len, int64_t account_id,
                         const char *unit_code, int64_t now, struct testing_import_check *out, struct fault *f)
{
    memset(out, 0, sizeof(*out));
    struct import_table t;
    int rc = import_read(a, data, len, IMPORT_AUTO, TESTING_IMPORT_MAX_ROWS + 1, "file", &t, f);
    if (rc == ERR_TOO_LARGE)
        return fault_set(f, ERR_TOO_LARGE, "file", "the file has more than %d data rows; split it",
                         TESTING_IMPORT_MAX_ROWS);
    if (rc)
        return rc;
    out->format = import_format_name(t.format);
    const struct import_row *h = &t.rows[0];
    if (h->bad_encoding)
        return fault_set(f, ERR_INVALID_FIELD, "file",
                         "line %lld: the header is not UTF-8 text; save the file as CSV UTF-8 or XLSX",
                         (long long)h->line);
    int col[4] = {-1, -1, -1, -1};
    for (int i = 0; i < h->ncells; i++) {
        int c = header_column(h->cells[i]);
        if (c < 0)
            continue; /* other columns (names, notes) are ignored */
        if (col[c] >= 0)
            return fault_set(f, ERR_INVALID_FIELD, "file", "line %lld: column %s appears twice", (long long)h->line,
                             h->cells[i]);
        col[c] = i;
    }
    if (col[0] < 0 || col[1] < 0)
        return fault_set(f, ERR_INVALID_FIELD, "file",
                         "line %lld: wrong columns: the first row must name the columns tube_id and result (ct and "
                         "date are optional)",
                         (long long)h->line);
    if (t.nrows < 2)
        return fault_set(f, ERR_INVALID_FIELD, "file", "the file is empty: it has a header but no data rows");
    struct seen seen = {0};
    seen.cap = 1;
    while (seen.cap < t.nrows * 2)
        seen.cap <<= 1;
    seen.codes = arena_alloc(a, seen.cap * sizeof(*seen.codes));
    seen.lines = arena_alloc(a, seen.cap * sizeof(*seen.lines));
    struct buf rows;
    buf_init(&rows, (size_t)64 << 20);
    for (size_t i = 1; i < t.nrows; i++) {
        const struct import_row *r = &t.rows[i];
        out->rows++;
        if (r->bad_encoding) {
            add_error(a, out, r->line, NULL, "bad_encoding", NULL, "the row is not UTF-8 text (bad encoding); save the file as CSV UTF-8");
            continue;
        }
        if (r->unterminated) {
            add_error(a, out, r->line, NULL, "unterminated", NULL, "a quoted field is not closed");
            continue;
        }
        if (r->too_wide) {
            add_error(a, out, r->line, NULL, "too_wide", NULL, "the row has too many cells or a cell that is too long");
            continue;
        }
        const char *code = trim_upper(a, col[0] < r->ncells ? r->cells[col[0]] : "");
        const char *res = col[1] < r->ncells ? r->cells[col[1]] : "";
        const char *cts = col[2] >= 0 && col[2] < r->ncells ? r->cells[col[2]] : "";
        const char *dates = col[3] >= 0 && col[3] < r->ncells ? trim_upper(a, r->cells[col[3]]) : "";
        if (!*code) {
            add_error(a, out, r->line, "tube_id", "tube_missing", NULL, "tube_id is empty");
            continue;
        }
        if (!testing_tube_code_valid(code)) {
            add_error(a, out, r->line, "tube_id", "tube_invalid", code, arena_printf(a, "unknown tube %.40s: not a tube id", code));
            continue;
        }
        int64_t first = seen_add(&seen, code, r->line);
        if (first) {
            add_error(a, out, r->line, "tube_id", "tube_duplicate", code,
                      arena_printf(a, "duplicate tube %s in the file (first on line %lld)", code, (long long)first))
                ->ref_line = first;
            continue;
        }
        int result = testing_result_parse(res);
        if (result < 0) {
            add_error(a, out, r->line, "result", "result_invalid", res,
                      arena_printf(a, "bad result value \"%.40s\": use positive, negative or invalid", res));
            continue;
        }
        int ct;
        if (!testing_ct_parse(cts, &ct)) {
            add_error(a, out, r->line, "ct", "ct_invalid", cts, arena_printf(a, "bad ct \"%.20s\": a number from 0 to 50", cts));
            continue;
        }
        int64_t day = 0;
        if (*dates) {
            const char *iso = import_date(a, dates);
            if (!iso || !vn_date_parse(iso, &day)) {
                add_error(a, out, r->line, "date", "date_invalid", dates,
                          arena_printf(a, "bad date \"%.20s\": DD/MM/YYYY (or YYYY-MM-DD)", dates));
                continue;
            }
            if (day > vn_day(now)) {
                add_error(a, out, r->line, "date", "date_future", dates, arena_printf(a, "date %.20s is after today", dates));
                continue;
            }
        }
        struct store_stmt *q;
        rc = store_query(st, &q,
                         "SELECT t.members, t.result, t.ct, t.lab_unit_code, s.session_date FROM testing_tubes t"
                         " JOIN testing_sessions s ON s.id = t.session_id WHERE t.code = ?",
                         "s", code);
        if (rc)
            goto fail;
        rc = store_step(q);
        if (rc == STORE_DONE || (rc == STORE_ROW && !unit_within(unit_code, store_col_text(q, 3)))) {
            store_finalize(q);
            add_error(a, out, r->line, "tube_id", "tube_unknown", code, arena_printf(a, "unknown tube %s", code));
            continue;
        }
        if (rc != STORE_ROW) {
            store_finalize(q);
            goto fail;
        }
        int64_t members = store_col_int(q, 0);
        const char *had = store_col_text(q, 1);
        int had_ct = store_col_null(q, 2) ? -1 : (int)store_col_int(q, 2);
        bool same = had && !strcmp(had, testing_result_name(result)) && (ct < 0 || ct == had_ct);
        const char *had_copy = had ? arena_strdup(a, had) : NULL;
        int64_t sampled_day = 0;
        bool dated = vn_date_parse(store_col_text(q, 4), &sampled_day);
        store_finalize(q);
        if (day && dated && day < sampled_day) {
            add_error(a, out, r->line, "date", "date_before_sampling", dates,
                      arena_printf(a, "date %.20s is before tube %s was sampled", dates, code));
            continue;
        }
        if (members == 0) {
            add_error(a, out, r->line, "tube_id", "tube_empty", code, arena_printf(a, "tube %s holds no samples", code));
            continue;
        }
        if (had_copy && !same) {
            add_error(a, out, r->line, "result", "already_resulted", code,
                      arena_printf(a, "tube %s already resulted differently (%s)", code, had_copy))
                ->had = had_copy;
            continue;
        }
        out->valid++;
        if (same) {
            out->unchanged++;
            continue;
        }
        if (buf_addf(&rows, "%lld,%s,%d,%d\n", (long long)r->line, code, result, ct)) {
            rc = ERR_TOO_LARGE;
            goto fail;
        }
    }
    char token[33];
    secret_hex(token, 16);
    int64_t id;
    rc = store_int(st, &id,
                   "INSERT INTO testing_result_batches (kind, token, status, account_id, unit_code, format, rows_total,"
                   " rows_valid, rows_bad, rows_text, unchanged, created_at)"
                   " VALUES ('import', ?, 'checked', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   "sissiiisii", token, account_id, unit_code, out->format, out->rows, out->valid, out->bad, rows.data,
                   out->unchanged, now);
    if (rc)
        goto fail;
    out->token = arena_strdup(a, token);
    buf_release(&rows);
    return 0;
fail:
    buf_release(&rows);
    return store_err(rc);
}

/* ---------------------------------------------------------------- import: apply */

int testing_import_apply(struct store *st, const char *token, int64_t account_id, const char *unit_code,
                         bool valid_only, int64_t now, struct testing_apply_summary *sum, bool *already,
                         struct fault *f)
{
    memset(sum, 0, sizeof(*sum));
    *already = false;
    struct store_stmt *q;
    int rc = store_query(st, &q,
                         "SELECT id, status, unit_code, rows_bad, rows_text, applied, unchanged, people"
                         " FROM testing_result_batches WHERE token = ? AND kind = 'import'",
                         "s", token);
    if (rc)
        return store_err(rc);
    rc = store_step(q);
    if (rc != STORE_ROW) {
        store_finalize(q);
        return rc == STORE_DONE ? fault_set(f, ERR_NOT_FOUND, "token", "no checked file has this token")
                                : store_err(rc);
    }
    int64_t id = store_col_int(q, 0);
    bool applied = !strcmp(store_col_text(q, 1), "applied");
    bool mine = unit_within(unit_code, store_col_text(q, 2));
    int64_t bad = store_col_int(q, 3);
    char *text = store_col_text(q, 4) ? strdup(store_col_text(q, 4)) : NULL;
    sum->batch_id = id;
    sum->applied = store_col_int(q, 5);
    sum->unchanged = store_col_int(q, 6);
    sum->people = store_col_int(q, 7);
    store_finalize(q);
    (void)account_id;
    if (!mine) {
        rc = fault_set(f, ERR_FORBIDDEN, "token", "this file was checked by another lab");
        goto out;
    }
    if (applied) {
        *already = true;
        rc = 0;
        goto out;
    }
    if (bad && !valid_only) {
        rc = fault_set(f, ERR_CONFLICT, "apply_valid_only",
                       "the file has %lld bad rows: fix them and check again, or apply the valid rows only with "
                       "\"apply_valid_only\": true",
                       (long long)bad);
        goto out;
    }
    sum->applied = sum->people = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char code[TESTING_TUBE_CODE_LEN + 2];
        long long lineno;
        int result, ct;
        if (sscanf(line, "%lld,%11[^,],%d,%d", &lineno, code, &result, &ct) != 4)
            continue;
        bool changed;
        const char *existing;
        rc = testing_result_set(st, code, result, ct, account_id, id, now, &changed, &existing);
        if (rc == STORE_CONFLICT) {
            rc = fault_set(f, ERR_CONFLICT, "token",
                           "line %lld: tube %s was resulted as %s since the check; check the file again", lineno, code,
                           existing ? existing : "something else");
            goto out;
        }
        if (rc == STORE_DONE) {
            rc = fault_set(f, ERR_CONFLICT, "token", "line %lld: tube %s is no longer available", lineno, code);
            goto out;
        }
        if (rc)
            goto out;
        if (changed)
            sum->applied++;
        else
            sum->unchanged++;
    }
    rc = testing_propagate(st, id, now, sum);
    if (!rc)
        rc = store_run(st, NULL,
                       "UPDATE testing_result_batches SET status = 'applied', applied = ?, unchanged = ?, people = ?,"
                       " applied_at = ?, rows_text = NULL WHERE id = ?",
                       "iiiii", sum->applied, sum->unchanged, sum->people, now, id);
out:
    free(text);
    return rc;
}

