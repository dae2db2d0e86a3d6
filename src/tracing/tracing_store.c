/*
 * tracing_store.c - the queries of tracing (migration 011): cases as tracing
 * reads them, the lists of runs and contacts, the policy and the test orders
 * it creates.  Runs are queued by run_queue.c and written by run_write.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "people/people.h"
#include "store/sql.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

bool tracing_status_valid(const char *s)
{
    static const char *const ok[] = {"not_reached", "reached", "tested", "in_quarantine", "cleared", NULL};
    for (int i = 0; s && ok[i]; i++)
        if (!strcmp(s, ok[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------ policy */

static void read_policy(struct store_stmt *st, void *ctx)
{
    struct tracing_policy *p = ctx;
    p->quarantine_days = (int)store_col_int(st, 0);
    snprintf(p->place_kind, sizeof(p->place_kind), "%s", store_col_text(st, 1));
    p->checkins_per_day = (int)store_col_int(st, 2);
    p->radius_m = (int)store_col_int(st, 3);
    p->grace_minutes = (int)store_col_int(st, 4);
    snprintf(p->test_days, sizeof(p->test_days), "%s", store_col_text(st, 5));
    p->enabled = store_col_int(st, 6) != 0;
    p->window_days_before = (int)store_col_int(st, 7);
    p->window_max_days = (int)store_col_int(st, 8);
}

enum store_rc tracing_policy_get(struct store *s, struct tracing_policy *out)
{
    memset(out, 0, sizeof(*out));
    return store_get(s, read_policy, out,
                     "SELECT quarantine_days, place_kind, checkins_per_day, radius_m, grace_minutes, test_days,"
                     " enabled, window_days_before, window_max_days FROM tracing_policy WHERE id = 1",
                     "");
}

static void read_override(struct store_stmt *st, void *ctx)
{
    struct tracing_policies *all = ctx;
    if (all->n >= TRACING_MAX_OVERRIDES)
        return;
    snprintf(all->over[all->n].province, sizeof(all->over[all->n].province), "%s", store_col_text(st, 9));
    read_policy(st, &all->over[all->n].p);
    all->n++;
}

enum store_rc tracing_policies_load(struct store *s, struct tracing_policies *out)
{
    memset(out, 0, sizeof(*out));
    enum store_rc rc = tracing_policy_get(s, &out->national);
    struct store_stmt *st = NULL;
    if (!rc)
        rc = store_query(s, &st,
                         "SELECT quarantine_days, place_kind, checkins_per_day, radius_m, grace_minutes, test_days,"
                         " enabled, window_days_before, window_max_days, province_code FROM tracing_policy_provinces"
                         " ORDER BY province_code",
                         "");
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        read_override(st, out);
    }
    if (st)
        store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

const struct tracing_policy *tracing_policies_pick(const struct tracing_policies *all, const char *province)
{
    for (int i = 0; province && *province && i < all->n; i++)
        if (!strcmp(all->over[i].province, province))
            return &all->over[i].p;
    return &all->national;
}

enum store_rc tracing_policy_for(struct store *s, const char *place, struct tracing_policy *out,
                                 const char **source)
{
    const struct unit *u = place ? unit_find(place) : NULL;
    const char *province = !u || u->level == 0 ? NULL : u->level == 1 ? u->code : u->province;
    enum store_rc rc = STORE_DONE;
    if (province) {
        memset(out, 0, sizeof(*out));
        rc = store_get(s, read_policy, out,
                       "SELECT quarantine_days, place_kind, checkins_per_day, radius_m, grace_minutes, test_days,"
                       " enabled, window_days_before, window_max_days FROM tracing_policy_provinces"
                       " WHERE province_code = ?",
                       "s", province);
    }
    if (rc == STORE_OK) {
        if (source)
            *source = u->level == 1 ? u->code : u->province;
        return STORE_OK;
    }
    if (rc != STORE_DONE)
        return rc;
    if (source)
        *source = UNIT_NATION;
    return tracing_policy_get(s, out);
}

enum store_rc tracing_policy_set(struct store *s, const char *province, const struct tracing_policy *p, int64_t now)
{
    if (!province)
        return p ? tracing_policy_put(s, p, now) : STORE_ERROR; /* the nation always has a policy */
    return tracing_policy_put_province(s, province, p, now);
}

enum store_rc tracing_policy_put_province(struct store *s, const char *province,
                                          const struct tracing_policy *p, int64_t now)
{
    if (!p)
        return store_run(s, NULL, "DELETE FROM tracing_policy_provinces WHERE province_code = ?", "s", province);
    return store_run(s, NULL,
                     "INSERT INTO tracing_policy_provinces (province_code, quarantine_days, place_kind,"
                     " checkins_per_day, radius_m, grace_minutes, test_days, enabled, window_days_before,"
                     " window_max_days, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (province_code) DO UPDATE SET"
                     " quarantine_days = excluded.quarantine_days, place_kind = excluded.place_kind,"
                     " checkins_per_day = excluded.checkins_per_day, radius_m = excluded.radius_m,"
                     " grace_minutes = excluded.grace_minutes, test_days = excluded.test_days,"
                     " enabled = excluded.enabled, window_days_before = excluded.window_days_before,"
                     " window_max_days = excluded.window_max_days, updated_at = excluded.updated_at",
                     "sisiiisiiii", province, (int64_t)p->quarantine_days, p->place_kind, (int64_t)p->checkins_per_day,
                     (int64_t)p->radius_m, (int64_t)p->grace_minutes, p->test_days, (int64_t)p->enabled,
                     (int64_t)p->window_days_before, (int64_t)p->window_max_days, now);
}

enum store_rc tracing_policy_put(struct store *s, const struct tracing_policy *p, int64_t now)
{
    return store_run(s, NULL,
                     "UPDATE tracing_policy SET quarantine_days = ?, place_kind = ?, checkins_per_day = ?,"
                     " radius_m = ?, grace_minutes = ?, test_days = ?, enabled = ?, window_days_before = ?,"
                     " window_max_days = ?, updated_at = ? WHERE id = 1",
                     "isiiisiiii", (int64_t)p->quarantine_days, p->place_kind, (int64_t)p->checkins_per_day,
                     (int64_t)p->radius_m, (int64_t)p->grace_minutes, p->test_days, (int64_t)p->enabled,
                     (int64_t)p->window_days_before, (int64_t)p->window_max_days, now);
}

json_t *tracing_policy_to_json(const struct tracing_policy *p)
{
    json_t *days = json_array();
    const char *q = p->test_days;
    while (*q) {
        json_array_append_new(days, json_integer(strtol(q, NULL, 10)));
        q += strcspn(q, ",");
        if (*q)
            q++;
    }
    return json_pack("{s:i, s:s, s:i, s:i, s:i, s:o, s:b, s:i, s:i}", "quarantine_days", p->quarantine_days,
                     "place_kind", p->place_kind, "checkins_per_day", p->checkins_per_day, "radius_m", p->radius_m,
                     "grace_minutes", p->grace_minutes, "test_days", days, "enabled", p->enabled,
                     "window_days_before", p->window_days_before, "window_max_days", p->window_max_days);
}

/* ------------------------------------------------------------ cases */

struct case_read {
    struct tracing_case *c;
    const struct tracing_policies *pols;
};

/* Reads CASE_COLUMNS from column `at` on. */
static void case_times(struct store_stmt *st, int at, struct tracing_case_times *t)
{
    t->confirmed_at = store_col_int(st, at);
    t->onset = store_col_null(st, at + 1) ? 0 : store_col_int(st, at + 1);
    t->sample_at = store_col_null(st, at + 2) ? 0 : store_col_int(st, at + 2);
    t->isolated_at = store_col_null(st, at + 3) ? 0 : store_col_int(st, at + 3);
}

/* The window under the policy of the case's province (column `province_at`). */
static void case_fill(struct store_stmt *st, struct tracing_case *c, const struct tracing_policies *pols,
                      int province_at)
{
    struct tracing_case_times t;
    c->case_id = store_col_int(st, 0);
    c->person = store_col_int(st, 1);
    case_times(st, 2, &t);
    const struct tracing_policy *pol = tracing_policies_pick(pols, store_col_text(st, province_at));
    tracing_window(&t, pol->window_days_before, pol->window_max_days, &c->from, &c->until);
}

/* id, person_id, then the times in case_times' order, then the province */
#define CASE_COLUMNS "c.id, c.person_id, c.confirmed_at, c.onset_at, c.sample_at, c.isolated_at, c.province_code"
#define CASE_PROVINCE_AT 6

static void read_case(struct store_stmt *st, void *ctx)
{
    struct case_read *r = ctx;
    case_fill(st, r->c, r->pols, CASE_PROVINCE_AT);
}

enum store_rc tracing_case_get(struct store *s, int64_t case_id, struct tracing_case *out)
{
    struct tracing_policies pols;
    enum store_rc rc = tracing_policies_load(s, &pols);
    if (rc)
        return rc;
    struct case_read r = {out, &pols};
    return store_get(s, read_case, &r, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id = ?", "i", case_id);
}

static void read_times(struct store_stmt *st, void *ctx)
{
    case_times(st, 0, ctx);
}

enum store_rc tracing_case_times_get(struct store *s, int64_t case_id, struct tracing_case_times *out)
{
    memset(out, 0, sizeof(*out));
    return store_get(s, read_times, out,
                     "SELECT c.confirmed_at, c.onset_at, c.sample_at, c.isolated_at FROM cases c WHERE c.id = ?", "i",
                     case_id);
}

enum store_rc tracing_case_area(struct store *s, struct arena *a, int64_t case_id, const char **commune)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, "SELECT commune_code FROM cases WHERE id = ?", "i", case_id);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        *commune = arena_strdup(a, store_col_text(st, 0) ? store_col_text(st, 0) : "");
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

enum store_rc tracing_cases_untraced(struct store *s, struct arena *a, size_t max, struct tracing_case **out,
                                     size_t *n)
{
    struct tracing_policies pols;
    enum store_rc rc = tracing_policies_load(s, &pols);
    if (rc)
        return rc;
    *out = arena_alloc(a, (max + 1) * sizeof(**out));
    *n = 0;
    struct store_stmt *st;
    rc = store_query(s, &st,
                     "SELECT " CASE_COLUMNS " FROM cases c LEFT JOIN tracing_auto t ON t.case_id = c.id"
                     " WHERE t.case_id IS NULL AND c.status = 'confirmed'"
                     " ORDER BY c.id LIMIT ?",
                     "i", (int64_t)max);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        case_fill(st, &(*out)[(*n)++], &pols, CASE_PROVINCE_AT);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc tracing_case_insert(struct store *s, const struct tracing_case_new *in, int64_t now,
                                  int64_t *id, bool *created)
{
    *created = false;
    struct store_sql q;
    store_sql_init(&q,
                   "INSERT INTO cases (person_id, status, confirmed_at, province_code, district_code, commune_code,"
                   " client_id, entered_by, onset_at, sample_at, isolated_at) VALUES (?, 'confirmed', ?, ?, ?, ?, ?, ?",
                   "iissssi", in->person_id, in->confirmed_at, in->province_code, in->district_code,
                   in->commune_code, in->client_id, in->entered_by);
    /* unknown times are NULL, never a stand-in day */
    const int64_t times[] = {in->onset_at, in->sample_at, in->isolated_at};
    for (int i = 0; i < 3; i++) {
        if (times[i])
            store_sql_add(&q, ", ?", "i", times[i]);
        else
            store_sql_add(&q, ", NULL", "");
    }
    store_sql_add(&q, ") ON CONFLICT (client_id) DO NOTHING RETURNING id", "");
    enum store_rc rc = store_sql_int(s, id, &q);
    if (rc == STORE_OK) {
        *created = true;
        return store_run(s, NULL,
                         "INSERT INTO case_events (case_id, kind, at, detail, account_id)"
                         " VALUES (?, 'confirmed', ?, ?, ?)",
                         "iisi", *id, now, "entered by a tracer", in->entered_by);
    }
    if (rc != STORE_DONE)
        return rc;
    return store_int(s, id, "SELECT id FROM cases WHERE client_id = ?", "s", in->client_id);
}

/* ------------------------------------------------------------ the cases of an area */

bool tracing_case_status_valid(const char *s)
{
    /* confirmed (008), withdrawn: its test result was corrected (022) */
    return s && (!strcmp(s, "confirmed") || !strcmp(s, "withdrawn"));
}

enum store_rc tracing_cases_query(struct store *s, const struct tracing_case_filter *f, struct store_stmt **st)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT " CASE_COLUMNS ", c.status, c.province_code, c.district_code, c.commune_code, p.full_name,"
                   " c.sample_id,"
                   " (SELECT COUNT(*) FROM tracing_contacts t WHERE t.case_id = c.id AND t.degree = 1),"
                   " (SELECT COUNT(*) FROM tracing_contacts t WHERE t.case_id = c.id AND t.degree = 2)"
                   " FROM cases c LEFT JOIN persons p ON p.id = c.person_id WHERE 1 = 1",
                   "");
    store_sql_area(&q, "c", f->area);
    if (f->id)
        store_sql_add(&q, " AND c.id = ?", "i", f->id);
    if (f->status)
        store_sql_add(&q, " AND c.status = ?", "s", f->status);
    store_sql_add(&q, " ORDER BY c.id DESC LIMIT ? OFFSET ?", "ii", f->limit, f->offset);
    return store_sql_query(s, st, &q);
}

void tracing_case_row_read(struct store_stmt *st, const struct tracing_policies *pols, struct tracing_case_row *row)
{
    memset(row, 0, sizeof(*row));
    case_fill(st, &row->c, pols, CASE_PROVINCE_AT);
    case_times(st, 2, &row->t);
    row->status = store_col_text(st, 7);
    row->province_code = store_col_text(st, 8);
    row->district_code = store_col_text(st, 9);
    row->commune_code = store_col_text(st, 10);
    row->full_name = store_col_text(st, 11);
    row->sample_id = store_col_null(st, 12) ? 0 : store_col_int(st, 12);
    row->f1 = store_col_int(st, 13);
    row->f2 = store_col_int(st, 14);
}

enum store_rc tracing_case_events_query(struct store *s, int64_t case_id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT kind, at, detail, account_id FROM case_events WHERE case_id = ?"
                       " ORDER BY at, id LIMIT 1000",
                       "i", case_id);
}

/* "onset: 1626652800 -> null" */
static void change_text(char *out, size_t len, const char *name, int64_t was, int64_t now_)
{
    char a[24] = "null", b[24] = "null";
    if (was)
        snprintf(a, sizeof(a), "%lld", (long long)was);
    if (now_)
        snprintf(b, sizeof(b), "%lld", (long long)now_);
    snprintf(out, len, "%s: %s -> %s", name, a, b);
}

enum store_rc tracing_case_set_times(struct store *s, int64_t case_id, const struct tracing_case_times *was,
                                     const struct tracing_case_times *t, int64_t account_id, int64_t now)
{
    static const char *const names[] = {"onset", "sample_at", "isolated_at"};
    static const char *const columns[] = {"onset_at", "sample_at", "isolated_at"};
    const int64_t olds[] = {was->onset, was->sample_at, was->isolated_at};
    const int64_t news[] = {t->onset, t->sample_at, t->isolated_at};
    enum store_rc rc = STORE_OK;
    for (int i = 0; i < 3 && !rc; i++) {
        if (olds[i] == news[i])
            continue;
        struct store_sql q;
        store_sql_init(&q, "UPDATE cases SET ", "");
        store_sql_add(&q, columns[i], "");
        if (news[i])
            store_sql_add(&q, " = ?", "i", news[i]);
        else
            store_sql_add(&q, " = NULL", "");
        store_sql_add(&q, " WHERE id = ?", "i", case_id);
        rc = store_sql_run(s, NULL, &q);
        char detail[96];
        change_text(detail, sizeof(detail), names[i], olds[i], news[i]);
        if (!rc)
            rc = store_run(s, NULL,
                           "INSERT INTO case_events (case_id, kind, at, detail, account_id)"
                           " VALUES (?, 'edited', ?, ?, ?)",
                           "iisi", case_id, now, detail, account_id);
    }
    return rc;
}

/* ------------------------------------------------------------ orders answered */

enum store_rc tracing_test_orders_sampled(struct store *s, int64_t person_id, int64_t at)
{
    return store_run(s, NULL,
                     "UPDATE test_orders SET status = 'sampled' WHERE person_id = ? AND status = 'pending'"
                     " AND due_day <= ?",
                     "ii", person_id, vn_day(at));
}

enum store_rc tracing_test_order_person(struct store *s, int64_t order_id, const char *commune,
                                        int64_t *person_id)
{
    return store_int(s, person_id, "SELECT person_id FROM test_orders WHERE id = ? AND commune_code = ?", "is",
                     order_id, commune);
}

/* ------------------------------------------------------------ lists of an area */

enum store_rc tracing_contacts_query(struct store *s, const struct tracing_contact_filter *f,
                                     struct store_stmt **st)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT t.id, t.case_id, t.person_id, t.degree, t.through_person_id, t.first_at, t.risk, t.reasons,"
                   " t.status, t.note, t.commune_code, t.updated_at, p.full_name, p.phone, p.street, p.date_of_birth,"
                   " t.unverified, mp.phone, mp.full_name, tp.full_name, tp.commune_code FROM tracing_contacts t"
                   " LEFT JOIN persons p ON p.id = t.person_id"
                   " LEFT JOIN person_managers pm ON pm.person_id = t.person_id"
                   " LEFT JOIN persons mp ON mp.id = pm.manager_person_id"
                   " LEFT JOIN persons tp ON tp.id = t.through_person_id WHERE 1 = 1",
                   "");
    store_sql_area_by_commune(&q, "t", f->area); /* contacts are indexed by commune only (036) */
    if (f->id)
        store_sql_add(&q, " AND t.id = ?", "i", f->id);
    if (f->degree)
        store_sql_add(&q, " AND t.degree = ?", "i", f->degree);
    if (f->case_id)
        store_sql_add(&q, " AND t.case_id = ?", "i", f->case_id);
    if (f->status)
        store_sql_add(&q, " AND t.status = ?", "s", f->status);
    /* contacts withdrawn with their case's result (022) leave the work list; a case still shows them */
    else if (!f->case_id && !f->id)
        store_sql_add(&q, " AND t.status <> 'withdrawn'", "");
    store_sql_add(&q, " ORDER BY t.degree, t.risk DESC, t.id LIMIT ? OFFSET ?", "ii", f->limit, f->offset);
    return store_sql_query(s, st, &q);
}

/* The call list of an area's days: the tracing policy's test orders due on them, and the retest
 * orders of positive pools and invalid tubes (testing, 008) open then or answered on them.  Each
 * row names the person's phone, and the phone and name of the citizen who manages them. */
#define ORDER_REACH                                                                                               \
    " p.full_name, p.phone, mp.phone, mp.full_name"                                                                \
    " FROM %s o LEFT JOIN persons p ON p.id = o.person_id"                                                        \
    " LEFT JOIN persons mp ON mp.id = (SELECT pm.manager_person_id FROM person_managers pm"                       \
    " WHERE pm.person_id = o.person_id ORDER BY pm.created_at LIMIT 1)"

enum store_rc tracing_test_orders_query(struct store *s, const char *area, int64_t from_day, int64_t to_day,
                                        struct store_stmt **st)
{
    struct store_sql q;
    char part[640];
    snprintf(part, sizeof(part),
             "SELECT o.id, o.person_id, o.case_id, o.due_day, o.reason, o.status, o.commune_code, 'tracing' AS kind,"
             ORDER_REACH " WHERE o.due_day >= ? AND o.due_day <= ?",
             "test_orders");
    store_sql_init(&q, part, "ii", from_day, to_day);
    store_sql_area(&q, "o", area);
    snprintf(part, sizeof(part),
             " UNION ALL SELECT o.id, o.person_id, NULL, CAST((o.created_at + 25200) / 86400 AS BIGINT), o.reason,"
             " CASE WHEN o.status = 'open' THEN 'pending' ELSE o.status END, o.commune_code, 'retest',"
             ORDER_REACH " WHERE o.created_at < ? AND (o.status = 'open' OR (o.status = 'sampled' AND o.created_at >= ?))",
             "testing_retest_orders");
    store_sql_add(&q, part, "ii", vn_day_start(to_day + 1), vn_day_start(from_day));
    store_sql_area(&q, "o", area);
    store_sql_add(&q, " ORDER BY 4, 1 LIMIT 5000", "");
    return store_sql_query(s, st, &q);
}

/* ------------------------------------------------------------ runs, chains, contacts, interviews */

enum store_rc tracing_runs_query(struct store *s, int64_t case_id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT id, window_from, window_until, params, f1, f2, trigger_kind, created_at, pending,"
                       " contacts_changed, written_at FROM tracing_runs"
                       " WHERE case_id = ? ORDER BY id",
                       "i", case_id);
}

enum store_rc tracing_chain_query(struct store *s, int64_t case_id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT t.person_id, t.degree, t.through_person_id, t.risk, t.status, t.commune_code,"
                       " p.full_name, t.reasons, t.first_at FROM tracing_contacts t LEFT JOIN persons p"
                       " ON p.id = t.person_id WHERE t.case_id = ? ORDER BY t.degree, t.id LIMIT 20000",
                       "i", case_id);
}

static void read_commune(struct store_stmt *st, void *ctx)
{
    snprintf(ctx, 8, "%s", store_col_text(st, 0) ? store_col_text(st, 0) : "");
}

enum store_rc tracing_contact_commune(struct store *s, int64_t contact_id, char commune[8])
{
    commune[0] = '\0';
    return store_get(s, read_commune, commune, "SELECT commune_code FROM tracing_contacts WHERE id = ?", "i",
                     contact_id);
}

enum store_rc tracing_contact_set(struct store *s, int64_t contact_id, const char *status, const char *note,
                                  int64_t now)
{
    enum store_rc rc = 0;
    if (status)
        rc = store_run(s, NULL, "UPDATE tracing_contacts SET status = ?, updated_at = ? WHERE id = ?", "sii", status,
                       now, contact_id);
    if (!rc && note)
        rc = store_run(s, NULL, "UPDATE tracing_contacts SET note = ?, updated_at = ? WHERE id = ?", "sii", note, now,
                       contact_id);
    return rc;
}

enum store_rc tracing_interview_insert(struct store *s, struct tracing_interview *c, int64_t now)
{
    /* note is last so that 'n' (SQL NULL, no argument) stands for none */
    enum store_rc rc =
        store_int(s, &c->id,
                  "INSERT INTO tracing_interviews (client_id, case_id, index_person_id, contact_person_id,"
                  " contacted_at, minutes, created_by, created_at, note)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                  c->note ? "siiiiiiis" : "siiiiiiin", c->client_id, c->case_id, c->index_person, c->contact,
                  c->at, c->minutes, c->by, now, c->note);
    c->created = rc == STORE_OK;
    if (rc != STORE_DONE)
        return rc;
    return store_int(s, &c->id, "SELECT id FROM tracing_interviews WHERE client_id = ?", "s", c->client_id);
}

/* ------------------------------------------------------------ a person's flags */

enum store_rc tracing_person_exposure(struct store *s, int64_t person_id, int64_t *case_at, int64_t *f1_at)
{
    enum store_rc rc = store_int(s, case_at,
                                 "SELECT COALESCE(MAX(confirmed_at), 0) FROM cases WHERE person_id = ? AND status = ?",
                                 "is", person_id, "confirmed");
    if (!rc)
        rc = store_int(s, f1_at,
                       "SELECT COALESCE(MAX(first_at), 0) FROM tracing_contacts WHERE person_id = ? AND degree = 1"
                       " AND status <> ?",
                       "is", person_id, "cleared");
    return rc;
}

enum store_rc tracing_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT confirmed_at AS at, id AS case_id, status FROM cases WHERE person_id = ?"
                                   " ORDER BY confirmed_at DESC, id DESC LIMIT ?", "ii", person_id, limit);
    rc = people_timeline_rows(st, rc, "case", "iis", entries);
    if (!rc) {
        rc = store_query(s, &st,
                         "SELECT first_at AS at, case_id, degree, status, risk FROM tracing_contacts WHERE person_id = ?"
                         " ORDER BY first_at DESC, id DESC LIMIT ?", "ii", person_id, limit);
        rc = people_timeline_rows(st, rc, "contact", "iiisi", entries);
    }
    if (!rc) {
        rc = store_query(s, &st,
                         "SELECT created_at AS at, id, case_id, reason, status FROM test_orders"
                         " WHERE person_id = ? ORDER BY created_at DESC, id DESC LIMIT ?", "ii", person_id, limit);
        rc = people_timeline_rows(st, rc, "test_order", "iiiss", entries);
    }
    return rc;
}
