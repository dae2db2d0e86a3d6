/*
 * feedback_store.c - the tables feedback and feedback_categories (migration 026).
 */
#include <stdio.h>
#include <string.h>

#include "feedback/feedback.h"
#include "store/sql.h"
#include "store/store.h"

const char *feedback_level_up(const char *level)
{
    if (level && !strcmp(level, "commune"))
        return "district";
    if (level && !strcmp(level, "district"))
        return "province";
    return NULL;
}

bool feedback_open(const char *status)
{
    return status && (!strcmp(status, "new") || !strcmp(status, "forwarded"));
}

static void read_category(struct store_stmt *st, void *p)
{
    struct feedback_category *c = p;
    snprintf(c->code, sizeof(c->code), "%s", store_col_text(st, 0));
    c->answer_hours = (int)store_col_int(st, 1);
}

enum store_rc feedback_category_get(struct store *s, const char *code, struct feedback_category *out)
{
    return store_get(s, read_category, out,
                     "SELECT code, answer_hours FROM feedback_categories WHERE code = ? AND enabled = 1", "s", code);
}

enum store_rc feedback_categories(struct store *s, struct feedback_category *out, int max, int *n)
{
    struct store_stmt *st;
    *n = 0;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT code, answer_hours FROM feedback_categories WHERE enabled = 1"
                                   " ORDER BY position, code",
                                   "");
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW)
        if (*n < max)
            read_category(st, &out[(*n)++]);
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

#define COLS                                                                                                          \
    "id, client_id, category, body, phone, person_id, photo_type, status, level, due_at, escalated_at, answer, "     \
    "answered_by, answered_at, note, province_code, district_code, commune_code, created_at, updated_at"

static const char *dup(struct arena *a, struct store_stmt *st, int i)
{
    const char *s = store_col_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

static int64_t opt(struct store_stmt *st, int i)
{
    return store_col_null(st, i) ? 0 : store_col_int(st, i);
}

static void read_row(struct store_stmt *st, struct arena *a, struct feedback *f)
{
    memset(f, 0, sizeof(*f));
    f->id = store_col_int(st, 0);
    f->client_id = dup(a, st, 1);
    f->category = dup(a, st, 2);
    f->body = dup(a, st, 3);
    f->phone = dup(a, st, 4);
    f->person_id = opt(st, 5);
    f->photo_type = dup(a, st, 6);
    f->status = dup(a, st, 7);
    f->level = dup(a, st, 8);
    f->due_at = store_col_int(st, 9);
    f->escalated_at = opt(st, 10);
    f->answer = dup(a, st, 11);
    f->answered_by = opt(st, 12);
    f->answered_at = opt(st, 13);
    f->note = dup(a, st, 14);
    f->province_code = dup(a, st, 15);
    f->district_code = dup(a, st, 16);
    f->commune_code = dup(a, st, 17);
    f->created_at = store_col_int(st, 18);
    f->updated_at = store_col_int(st, 19);
}

enum store_rc feedback_insert(struct store *s, struct feedback *f, bool *created)
{
    int64_t id = 0;
    enum store_rc rc;
    /* person_id is SQL NULL for an anonymous sender: two statements rather than a NULL int bind */
    if (f->person_id)
        rc = store_int(s, &id,
                       "INSERT INTO feedback (client_id, category, body, phone, photo_type, photo, status, level, due_at,"
                       " province_code, district_code, commune_code, created_at, updated_at, person_id)"
                       " VALUES (?, ?, ?, ?, ?, ?, 'new', 'commune', ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (client_id) DO NOTHING RETURNING id",
                       "ssssssisssiii", f->client_id, f->category, f->body, f->phone, f->photo_type, f->photo,
                       f->due_at, f->province_code, f->district_code, f->commune_code, f->created_at, f->created_at,
                       f->person_id);
    else
        rc = store_int(s, &id,
                       "INSERT INTO feedback (client_id, category, body, phone, photo_type, photo, status, level, due_at,"
                       " province_code, district_code, commune_code, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, 'new', 'commune', ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (client_id) DO NOTHING RETURNING id",
                       "ssssssisssii", f->client_id, f->category, f->body, f->phone, f->photo_type, f->photo,
                       f->due_at, f->province_code, f->district_code, f->commune_code, f->created_at, f->created_at);
    *created = rc == STORE_OK;
    if (rc == STORE_OK) {
        f->id = id;
        return STORE_OK;
    }
    if (rc != STORE_DONE)
        return rc;
    return store_int(s, &f->id, "SELECT id FROM feedback WHERE client_id = ?", "s", f->client_id);
}

struct one_ctx {
    struct arena *a;
    struct feedback *out;
};

static void read_one(struct store_stmt *st, void *p)
{
    struct one_ctx *c = p;
    read_row(st, c->a, c->out);
}

enum store_rc feedback_get(struct store *s, struct arena *a, int64_t id, struct feedback *out)
{
    struct one_ctx c = {a, out};
    return store_get(s, read_one, &c, "SELECT " COLS " FROM feedback WHERE id = ?", "i", id);
}

struct photo_ctx {
    struct arena *a;
    const char **type, **b64;
};

static void read_photo_row(struct store_stmt *st, void *p)
{
    struct photo_ctx *c = p;
    *c->type = dup(c->a, st, 0);
    *c->b64 = dup(c->a, st, 1);
}

enum store_rc feedback_photo(struct store *s, struct arena *a, int64_t id, const char **type, const char **b64)
{
    struct photo_ctx c = {a, type, b64};
    return store_get(s, read_photo_row, &c,
                     "SELECT photo_type, photo FROM feedback WHERE id = ? AND photo IS NOT NULL", "i", id);
}

enum store_rc feedback_count_phone(struct store *s, const char *phone, int64_t since, int64_t *n)
{
    return store_int(s, n, "SELECT count(*) FROM feedback WHERE phone = ? AND created_at >= ?", "si", phone, since);
}

enum store_rc feedback_count_open(struct store *s, const char *area, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT count(*) FROM feedback WHERE status IN ('new', 'forwarded')", "");
    store_sql_area(&q, NULL, area);
    return store_sql_int(s, n, &q);
}

enum store_rc feedback_list(struct store *s, struct arena *a, const struct feedback_filter *q, struct feedback **out,
                            int *n)
{
    struct store_sql sql;
    if (q->person_id) {
        store_sql_init(&sql, "SELECT " COLS " FROM feedback WHERE person_id = ?", "i", q->person_id);
    } else {
        store_sql_init(&sql, "SELECT " COLS " FROM feedback WHERE 1 = 1", "");
        store_sql_area(&sql, NULL, q->area);
    }
    if (q->status)
        store_sql_add(&sql, " AND status = ?", "s", q->status);
    if (q->level)
        store_sql_add(&sql, " AND level = ?", "s", q->level);
    if (q->overdue_only)
        store_sql_add(&sql, " AND status IN ('new', 'forwarded') AND due_at < ?", "i", q->now);
    store_sql_add(&sql, " ORDER BY created_at DESC, id DESC LIMIT ?", "i", q->limit);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &sql);
    if (rc)
        return rc;
    *out = arena_alloc(a, sizeof(**out) * (size_t)q->limit);
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < q->limit)
        read_row(st, a, &(*out)[(*n)++]);
    store_finalize(st);
    return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

enum store_rc feedback_answer(struct store *s, int64_t id, const char *answer, int64_t by, int64_t now)
{
    return store_run(s, NULL,
                     "UPDATE feedback SET status = 'answered', answer = ?, answered_by = ?, answered_at = ?,"
                     " updated_at = ? WHERE id = ?",
                     "siiii", answer, by, now, now, id);
}

enum store_rc feedback_forward(struct store *s, int64_t id, const char *province, const char *district,
                               const char *commune, const char *note, int64_t due_at, int64_t now)
{
    return store_run(s, NULL,
                     "UPDATE feedback SET status = 'forwarded', level = 'commune', province_code = ?, district_code = ?,"
                     " commune_code = ?, note = ?, due_at = ?, updated_at = ? WHERE id = ?",
                     "ssssiii", province, district, commune, note, due_at, now, id);
}

enum store_rc feedback_close(struct store *s, int64_t id, const char *note, int64_t now)
{
    return store_run(s, NULL,
                     "UPDATE feedback SET status = 'closed', note = COALESCE(?, note), updated_at = ? WHERE id = ?",
                     "sii", note, now, id);
}

enum store_rc feedback_escalate(struct store *s, int64_t now, int64_t *moved)
{
    /* Province first, so a report moves one level per run; the new deadline is the category's
     * hours again from now. */
    static const char *const steps[][2] = {{"district", "province"}, {"commune", "district"}};
    *moved = 0;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        int64_t n = 0;
        enum store_rc rc = store_run(
            s, &n,
            "UPDATE feedback SET level = ?, escalated_at = ?, updated_at = ?, due_at = ? + 3600 *"
            " (SELECT c.answer_hours FROM feedback_categories c WHERE c.code = feedback.category)"
            " WHERE level = ? AND status IN ('new', 'forwarded') AND due_at < ?",
            "siiisi", steps[i][1], now, now, now, steps[i][0], now);
        if (rc)
            return rc;
        *moved += n;
    }
    return STORE_OK;
}
