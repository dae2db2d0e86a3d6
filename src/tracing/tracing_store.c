/*
 * tracing_store.c - the queries of tracing (migration 011): cases as tracing
 * reads them, runs, contacts, the policy and the test orders it creates.
 *
 * Idempotence: a run is one row per (case, digest of params and window); a
 * contact one row per (case, person), written only when its degree, first
 * exposure, risk or reasons differ from what is stored, so tracing the same
 * case again with the same data changes nothing.  Status and notes that
 * teams set are never overwritten by a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "area/unit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "people/people.h"
#include "situation/situation.h"
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

/* ------------------------------------------------------------ runs */

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    return h;
}

/* Venue names met while saving one run, asked once each (open addressing; 0 is never a venue id). */
struct names {
    int64_t *ids;
    char **names; /* NULL: the venue is gone or has no name */
    size_t mask, n;
};

static void names_free(struct names *m)
{
    for (size_t i = 0; m->ids && i <= m->mask; i++)
        free(m->names[i]);
    free(m->ids);
    free(m->names);
    memset(m, 0, sizeof(*m));
}

static size_t names_slot(const struct names *m, int64_t id)
{
    size_t i = ((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20 & m->mask;
    while (m->ids[i] && m->ids[i] != id)
        i = (i + 1) & m->mask;
    return i;
}

static void names_grow(struct names *m)
{
    size_t cap = m->ids ? (m->mask + 1) * 2 : 256;
    struct names b = {xcalloc(cap, sizeof(int64_t)), xcalloc(cap, sizeof(char *)), cap - 1, m->n};
    for (size_t i = 0; m->ids && i <= m->mask; i++)
        if (m->ids[i]) {
            size_t j = names_slot(&b, m->ids[i]);
            b.ids[j] = m->ids[i];
            b.names[j] = m->names[i];
        }
    free(m->ids);
    free(m->names);
    *m = b;
}

static const char *venue_name(struct store *s, struct names *m, int64_t id)
{
    if (!m->ids || (m->n + 1) * 2 > m->mask + 1)
        names_grow(m);
    size_t i = names_slot(m, id);
    if (m->ids[i])
        return m->names[i];
    struct store_stmt *st;
    m->ids[i] = id;
    m->n++;
    if (!store_query(s, &st, "SELECT name FROM venues WHERE id = ?", "i", id) && store_step(st) == STORE_ROW &&
        store_col_text(st, 0))
        m->names[i] = strdup(store_col_text(st, 0));
    store_finalize(st);
    return m->names[i];
}

/* The plate of checkpoint passage id (migration 026), or NULL for people on foot; a malloc'd copy. */
static char *passage_plate(struct store *s, int64_t id)
{
    struct store_stmt *st;
    char *plate = NULL;
    if (!store_query(s, &st, "SELECT plate FROM checkpoint_passages WHERE id = ?", "i", id) &&
        store_step(st) == STORE_ROW && store_col_text(st, 0))
        plate = strdup(store_col_text(st, 0));
    store_finalize(st);
    return plate;
}

static json_t *reasons_json(struct store *s, struct names *names, const struct tracing_contact *c)
{
    json_t *arr = json_array();
    for (int i = 0; i < c->nreasons && i < TRACING_MAX_REASONS; i++) {
        const struct tracing_reason *w = &c->reasons[i];
        json_t *o = json_pack("{s:s, s:I, s:I}", "source", tracing_sources[w->source]->name, "at", (json_int_t)w->at,
                              "through", (json_int_t)w->through);
        if (w->source == TRACING_SRC_VENUE) {
            json_object_set_new(o, "venue_id", json_integer(w->venue_id));
            const char *name = venue_name(s, names, w->venue_id);
            if (name)
                json_object_set_new(o, "venue_name", json_string(name));
        }
        if (w->source == TRACING_SRC_VEHICLE) {
            json_object_set_new(o, "passage_id", json_integer(w->venue_id));
            char *plate = passage_plate(s, w->venue_id);
            json_object_set_new(o, "plate", plate ? json_string(plate) : json_null());
            free(plate);
        }
        if (w->source != TRACING_SRC_HOUSEHOLD && w->source != TRACING_SRC_VEHICLE)
            json_object_set_new(o, "minutes", json_integer(w->minutes));
        json_array_append_new(arr, o);
    }
    return arr;
}

struct existing {
    int64_t person, id, degree, first_at, risk, through;
    char *reasons;
};

static int existing_cmp(const void *a, const void *b)
{
    const struct existing *x = a, *y = b;
    return x->person < y->person ? -1 : x->person > y->person;
}

/* The case's contacts stored so far, by person: one query instead of one per contact. */
static enum store_rc existing_load(struct store *s, int64_t case_id, struct existing **out, size_t *n)
{
    struct store_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT person_id, id, degree, first_at, risk, through_person_id, reasons"
                                   " FROM tracing_contacts WHERE case_id = ?",
                                   "i", case_id);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = (struct existing){store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2),
                                           store_col_int(st, 3), store_col_int(st, 4), store_col_int(st, 5),
                                           strdup(store_col_text(st, 6) ? store_col_text(st, 6) : "")};
    }
    store_finalize(st);
    if (*n > 1)
        qsort(*out, *n, sizeof(**out), existing_cmp);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static void existing_free(struct existing *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].reasons);
    free(v);
}

struct home {
    char province[8], district[8], commune[8];
    bool unverified; /* the person is an anonymous check-in's unverified contact (people/unverified.c) */
};

static void read_home(struct store_stmt *st, void *ctx)
{
    struct home *h = ctx;
    snprintf(h->province, sizeof(h->province), "%s", store_col_text(st, 0) ? store_col_text(st, 0) : "");
    snprintf(h->district, sizeof(h->district), "%s", store_col_text(st, 1) ? store_col_text(st, 1) : "");
    snprintf(h->commune, sizeof(h->commune), "%s", store_col_text(st, 2) ? store_col_text(st, 2) : "");
    h->unverified = store_col_int(st, 3) != 0;
}

/* A confirmed case stays a link in the chain but gets no F1 orders: they are isolated already. */
static bool is_confirmed_case(struct store *s, int64_t person)
{
    int64_t n = 0;
    return store_int(s, &n, "SELECT COUNT(*) FROM cases WHERE person_id = ? AND status = 'confirmed'", "i", person) ==
               STORE_OK &&
           n > 0;
}

#define HOME_OF_PERSON "SELECT province_code, district_code, commune_code, unverified FROM persons WHERE id = ?"

static tracing_f1_hook f1_hook; /* set once at start, read-only afterwards */

void tracing_on_new_f1(tracing_f1_hook hook)
{
    f1_hook = hook;
}

/* What the policy gives a new F1: test orders here, a quarantine order through the hook. */
static enum store_rc apply_policy(struct store *s, const struct tracing_policy *pol,
                                  const struct tracing_case *c, const struct tracing_contact *k,
                                  const struct home *h, int64_t now)
{
    if (!pol->enabled)
        return 0;
    int64_t day1 = vn_day(k->first_at);
    const char *q = pol->test_days;
    enum store_rc rc = 0;
    while (*q && !rc) {
        long d = strtol(q, NULL, 10);
        rc = store_run(s, NULL,
                       "INSERT INTO test_orders (person_id, case_id, due_day, reason, province_code, district_code,"
                       " commune_code, created_at) VALUES (?, ?, ?, 'f1_policy', ?, ?, ?, ?)"
                       " ON CONFLICT (person_id, due_day, reason) DO NOTHING",
                       "iiisssi", k->person, c->case_id, day1 + d - 1, h->province, h->district, h->commune, now);
        q += strcspn(q, ",");
        if (*q)
            q++;
    }
    if (rc || !f1_hook)
        return rc;
    struct tracing_f1_order f1 = {
        .person_id = k->person,
        .case_id = c->case_id,
        .start_day = day1,
        .policy = pol,
        .province_code = h->province,
        .district_code = h->district,
        .commune_code = h->commune,
    };
    return f1_hook(s, &f1, now);
}

struct save_ctx {
    const struct tracing_params *p;
    const struct tracing_case *c;
    const struct tracing_result *r;
    const char *trigger;
    int64_t account, now;
    struct tracing_run_out *out;
};

/* A new F2 contact: it needs nothing but its row. */
struct new_f2 {
    int64_t person, through, first_at, risk;
    int degree;
    char *reasons; /* malloc'd */
};

struct new_f2s {
    struct new_f2 *v;
    size_t n, cap;
};

static void new_f2_add(struct new_f2s *l, const struct tracing_contact *k, int64_t risk, char *reasons)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (struct new_f2){k->person, k->through, k->first_at, risk, k->degree, reasons};
}

static void new_f2s_free(struct new_f2s *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].reasons);
    free(l->v);
}

/*
 * A run finds hundreds of new F2.  Each row's area is taken from the person's home (the case's
 * commune when the home is unknown) by a join instead of a query per contact.  PostgreSQL gets
 * every row in one statement (each statement is a round trip); SQLite one cached statement per
 * row, which is several times faster there than unpacking the same rows from JSON.
 */
#define NEW_CONTACTS_INSERT                                                                                 \
    "INSERT INTO tracing_contacts (case_id, person_id, degree, through_person_id, first_at, risk, reasons,"  \
    " province_code, district_code, commune_code, run_id, created_at, updated_at, unverified)"              \
    " SELECT CAST(? AS BIGINT), v.p, v.d, v.t, v.f, v.r, v.j,"                                            \
    " CASE WHEN COALESCE(h.commune_code, '') = '' THEN CAST(? AS TEXT) ELSE h.province_code END,"            \
    " CASE WHEN COALESCE(h.commune_code, '') = '' THEN CAST(? AS TEXT) ELSE h.district_code END,"           \
    " CASE WHEN COALESCE(h.commune_code, '') = '' THEN CAST(? AS TEXT) ELSE h.commune_code END,"            \
    " CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), COALESCE(h.unverified, 0)"
static enum store_rc new_contacts_insert(struct store *s, const struct save_ctx *x, int64_t run_id,
                                         const struct home *case_home, const struct new_f2s *rows)
{
    const char *prov = case_home->province[0] ? case_home->province : NULL;
    const char *dist = case_home->district[0] ? case_home->district : NULL;
    const char *comm = case_home->commune[0] ? case_home->commune : NULL;
    if (!rows->n)
        return STORE_OK;
    if (strcmp(store_engine(s), "postgres")) {
        enum store_rc rc = STORE_OK;
        for (size_t i = 0; i < rows->n && !rc; i++) {
            const struct new_f2 *f = &rows->v[i];
            rc = store_run(s, NULL,
                           NEW_CONTACTS_INSERT " FROM (SELECT ? AS p, ? AS d, ? AS t, ? AS f, ? AS r, ? AS j) v"
                                               " LEFT JOIN persons h ON h.id = v.p",
                           "isssiiiiiiiis", x->c->case_id, prov, dist, comm, run_id, x->now, x->now, f->person,
                           (int64_t)f->degree, f->through, f->first_at, f->risk, f->reasons);
        }
        return rc;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < rows->n; i++) {
        const struct new_f2 *f = &rows->v[i];
        json_array_append_new(arr, json_pack("{s:I, s:i, s:I, s:I, s:I, s:s}", "p", (json_int_t)f->person, "d",
                                             f->degree, "t", (json_int_t)f->through, "f", (json_int_t)f->first_at,
                                             "r", (json_int_t)f->risk, "j", f->reasons));
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text)
        return STORE_ERROR;
    enum store_rc rc = store_run(s, NULL,
                                 NEW_CONTACTS_INSERT " FROM json_to_recordset(CAST(? AS JSON))"
                                                     " AS v(p BIGINT, d INT, t BIGINT, f BIGINT, r BIGINT, j TEXT)"
                                                     " LEFT JOIN persons h ON h.id = v.p",
                                 "isssiiis", x->c->case_id, prov, dist, comm, run_id, x->now, x->now, text);
    free(text);
    return rc;
}
#undef NEW_CONTACTS_INSERT

static int save_tx(struct store *s, void *arg)
{
    struct save_ctx *x = arg;
    struct tracing_run_out *out = x->out;
    memset(out, 0, sizeof(*out));
    out->f1 = (int64_t)x->r->nf1;
    out->f2 = (int64_t)x->r->nf2;
    json_t *pj = tracing_params_to_json(x->p);
    char *params = json_dumps(pj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(pj);
    char digest[40], num[64];
    snprintf(num, sizeof(num), "|%lld|%lld|%lld", (long long)x->c->case_id, (long long)x->c->from,
             (long long)x->c->until);
    snprintf(digest, sizeof(digest), "%016llx", (unsigned long long)fnv(fnv(0xCBF29CE484222325ull, params), num));
    int rc = x->account
                 ? store_int(s, &out->run_id,
                             "INSERT INTO tracing_runs (case_id, person_id, window_from, window_until, params, digest,"
                             " f1, f2, trigger_kind, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                             " ON CONFLICT (case_id, digest) DO NOTHING RETURNING id",
                             "iiiissiisii", x->c->case_id, x->c->person, x->c->from, x->c->until, params, digest,
                             out->f1, out->f2, x->trigger, x->account, x->now)
                 : store_int(s, &out->run_id,
                             "INSERT INTO tracing_runs (case_id, person_id, window_from, window_until, params, digest,"
                             " f1, f2, trigger_kind, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)"
                             " ON CONFLICT (case_id, digest) DO NOTHING RETURNING id",
                             "iiiissiisi", x->c->case_id, x->c->person, x->c->from, x->c->until, params, digest,
                             out->f1, out->f2, x->trigger, x->now);
    free(params);
    if (rc == STORE_OK)
        out->created = true;
    else if (rc == STORE_DONE)
        rc = store_int(s, &out->run_id, "SELECT id FROM tracing_runs WHERE case_id = ? AND digest = ?", "is",
                       x->c->case_id, digest);
    if (rc)
        return rc;
    /* A contact whose home is unknown (an anonymous check-in) goes to the case's commune: that team
     * knows where the exposure happened and can reach the phone. */
    struct home case_home = {{0}, {0}, {0}, false};
    rc = store_get(s, read_home, &case_home,
                   "SELECT province_code, district_code, commune_code, 0 FROM cases WHERE id = ?", "i", x->c->case_id);
    if (rc == STORE_DONE)
        rc = STORE_OK;
    struct existing *known = NULL;
    size_t nknown = 0;
    struct names names = {0};
    if (!rc)
        rc = existing_load(s, x->c->case_id, &known, &nknown);
    /* The largest contact id, read after the rows this run may update: what it inserts lies past
     * it, and rows of other runs that do too (on PostgreSQL, committed meanwhile) carry their run. */
    int64_t last_id = 0;
    if (!rc)
        rc = store_int(s, &last_id, "SELECT COALESCE(MAX(id), 0) FROM tracing_contacts", "");
    bool inserted = false;
    struct tracing_policies pols; /* read once: every new F1 gets the policy where they live */
    if (!rc)
        rc = tracing_policies_load(s, &pols);
    struct new_f2s new_f2 = {0};
    for (size_t i = 0; i < x->r->n && !rc; i++) {
        const struct tracing_contact *k = &x->r->contacts[i];
        json_t *rj = reasons_json(s, &names, k);
        json_t *wrap = json_pack("{s:o, s:i}", "items", rj, "total", k->nreasons);
        char *reasons = json_dumps(wrap, JSON_COMPACT);
        json_decref(wrap);
        int64_t risk = tracing_contact_risk(k);
        struct existing key = {.person = k->person};
        const struct existing *found = nknown ? bsearch(&key, known, nknown, sizeof(*known), existing_cmp) : NULL;
        struct existing e = found ? *found : (struct existing){0};
        rc = found ? STORE_OK : STORE_DONE;
        struct home h = {{0}, {0}, {0}, false};
        if (rc == STORE_DONE && k->degree != 1) {
            new_f2_add(&new_f2, k, risk, reasons);
            inserted = true;
            reasons = NULL; /* the list owns it */
            out->contacts_changed++;
            rc = STORE_OK;
        } else if (rc == STORE_DONE || (rc == STORE_OK && (e.degree != k->degree || e.first_at != k->first_at ||
                                                           e.risk != risk || e.through != k->through ||
                                                           strcmp(e.reasons, reasons)))) {
            bool fresh = rc == STORE_DONE;
            bool new_f1 = k->degree == 1 && (fresh || e.degree != 1);
            rc = store_get(s, read_home, &h, HOME_OF_PERSON, "i", k->person);
            if (rc == STORE_DONE)
                rc = STORE_OK;
            if (!h.commune[0]) {
                bool unverified = h.unverified;
                h = case_home;
                h.unverified = unverified;
            }
            if (!rc && fresh)
                rc = store_run(s, NULL,
                               "INSERT INTO tracing_contacts (case_id, person_id, degree, through_person_id, first_at,"
                               " risk, reasons, province_code, district_code, commune_code, run_id, created_at,"
                               " updated_at, unverified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               "iiiiiissssiiii", x->c->case_id, k->person, (int64_t)k->degree, k->through,
                               k->first_at, risk, reasons, h.province[0] ? h.province : NULL,
                               h.district[0] ? h.district : NULL, h.commune[0] ? h.commune : NULL, out->run_id,
                               x->now, x->now, (int64_t)h.unverified);
            else if (!rc)
                rc = store_run(s, NULL,
                               "UPDATE tracing_contacts SET degree = ?, through_person_id = ?, first_at = ?, risk = ?,"
                               " reasons = ?, run_id = ?, updated_at = ? WHERE id = ?",
                               "iiiisiii", (int64_t)k->degree, k->through, k->first_at, risk, reasons, out->run_id,
                               x->now, e.id);
            if (!rc)
                out->contacts_changed++;
            inserted = inserted || fresh;
            /* each F1 gets the policy in force where they live; an unverified contact gets nothing
             * until a tracer confirms (tracing_contact_confirm) */
            new_f1 = new_f1 && !h.unverified && !is_confirmed_case(s, k->person);
            if (!rc && new_f1)
                rc = apply_policy(s, tracing_policies_pick(&pols, h.province), x->c, k, &h, x->now);
        } else if (rc == STORE_OK) {
            rc = STORE_OK; /* unchanged */
        }
        free(reasons);
    }
    existing_free(known, nknown);
    names_free(&names);
    if (!rc)
        rc = new_contacts_insert(s, x, out->run_id, &case_home, &new_f2);
    /* the situation counts the rows this run inserted, in one statement (no trigger per row) */
    if (!rc && inserted)
        rc = situation_count_inserted(s, "tracing_contacts", "run_id", out->run_id, last_id);
    new_f2s_free(&new_f2);
    if (!rc && !strcmp(x->trigger, "auto"))
        rc = store_run(s, NULL,
                       "INSERT INTO tracing_auto (case_id, run_id, traced_at) VALUES (?, ?, ?)"
                       " ON CONFLICT (case_id) DO NOTHING",
                       "iii", x->c->case_id, out->run_id, x->now);
    return rc;
}

/* A batch's connection keeps the index pages its cases share (store_cache_grow): 500 cases took
 * 19.7 s instead of 22.0 s with SQLite's 2 MiB.  A single case gains nothing: its connection's
 * cache is mostly reset by the other request threads' writes before it comes. */
#define BATCH_CACHE_KIB 16384
/* A batch's cases are stored this many to a transaction: neighbouring cases' contacts share pages
 * (the situation's count rows above all), written and synced once for the group. */
#define CASES_PER_TX 25

struct group_ctx {
    struct save_ctx run; /* what every case's run shares; its case and out set per case */
    struct tracing_engine *e;
    struct tracing_result *result; /* run.r: each case is traced into it */
    bool live;
    const struct tracing_case *cases;
    struct tracing_run_out *outs;
    size_t from, to;
};

/* Traces and stores cases [from, to) in the caller's transaction (store_tx retries it whole). */
static int group_tx(struct store *s, void *arg)
{
    struct group_ctx *g = arg;
    int rc = 0;
    struct save_ctx x = g->run;
    for (size_t i = g->from; i < g->to && !rc; i++) {
        x.c = &g->cases[i];
        x.out = &g->outs[i];
        double t0 = clock_mono();
        tracing_trace(g->e, x.c, g->result);
        double t1 = clock_mono();
        if (g->live)
            rc = tracing__household_live_rc(g->e->data[TRACING_SRC_HOUSEHOLD]);
        if (!rc)
            rc = save_tx(s, &x);
        log_info("msg=traced case=%lld f1=%zu f2=%zu index=%s trace_ms=%.3f save_ms=%.3f changed=%lld",
                 (long long)x.c->case_id, x.r->nf1, x.r->nf2, g->live ? "live" : "loaded", (t1 - t0) * 1e3,
                 (clock_mono() - t1) * 1e3, (long long)x.out->contacts_changed);
    }
    return rc;
}

enum err tracing_run_cases(struct store *s, const struct tracing_params *p, const struct tracing_case *cases,
                           size_t n, const char *trigger, int64_t account_id, int64_t now,
                           struct tracing_run_out *outs)
{
    if (!n)
        return ERR_OK;
    int64_t from = cases[0].from, until = cases[0].until;
    for (size_t i = 1; i < n; i++) {
        if (cases[i].from < from)
            from = cases[i].from;
        if (cases[i].until > until)
            until = cases[i].until;
    }
    struct tracing_engine e;
    /* The server's live index, current up to now; without one (CLI), check-ins are loaded for the run. */
    enum err rc = tracing_index_sync(s);
    bool live = rc == ERR_OK;
    if (rc && rc != ERR_NOT_FOUND)
        return rc;
    rc = store_err(live ? tracing__engine_live(s, p, from, until, &e)
                        : tracing_engine_load(s, p, from, until, &e));
    if (rc)
        return rc;
    struct tracing_result r;
    tracing_result_init(&r);
    int64_t cache_before = n >= 2 ? store_cache_grow(s, BATCH_CACHE_KIB) : 0;
    struct group_ctx g = {
        .run = {.p = p, .r = &r, .trigger = trigger, .account = account_id, .now = now},
        .e = &e,
        .result = &r,
        .live = live,
        .cases = cases,
        .outs = outs,
    };
    for (size_t i = 0; i < n && !rc; i += CASES_PER_TX) {
        g.from = i;
        g.to = i + CASES_PER_TX < n ? i + CASES_PER_TX : n;
        rc = store_tx(s, group_tx, &g);
    }
    store_cache_restore(s, cache_before);
    tracing_result_free(&r);
    tracing_engine_release(&e);
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

/* ------------------------------------------------------------ confirming an unverified contact */

enum store_rc tracing_contact_confirm(struct store *s, int64_t contact_id, int64_t now)
{
    struct tracing_contact k = {0};
    int64_t case_id = 0, unverified = 0;
    struct store_stmt *st;
    enum store_rc rc = store_query(
        s, &st, "SELECT case_id, person_id, degree, first_at, unverified FROM tracing_contacts WHERE id = ?",
        "i", contact_id);
    if (!rc && (rc = store_step(st)) == STORE_ROW) {
        case_id = store_col_int(st, 0);
        k.person = store_col_int(st, 1);
        k.degree = (int)store_col_int(st, 2);
        k.first_at = store_col_int(st, 3);
        unverified = store_col_int(st, 4);
        rc = STORE_OK;
    }
    store_finalize(st);
    if (rc || !unverified)
        return rc;
    rc = store_run(s, NULL, "UPDATE tracing_contacts SET unverified = 0, updated_at = ? WHERE id = ?", "ii", now,
                   contact_id);
    /* the contact's place: the person's home, or the case's commune for someone without one */
    struct home h = {{0}, {0}, {0}, false};
    if (!rc)
        rc = store_get(s, read_home, &h,
                       "SELECT province_code, district_code, commune_code, 0 FROM tracing_contacts WHERE id = ?", "i",
                       contact_id);
    if (rc == STORE_DONE)
        rc = STORE_OK;
    struct tracing_policy pol;
    if (!rc && k.degree == 1)
        rc = tracing_policy_for(s, h.commune[0] ? h.commune : NULL, &pol, NULL);
    struct tracing_case c = {.case_id = case_id};
    if (!rc && k.degree == 1)
        rc = apply_policy(s, &pol, &c, &k, &h, now);
    return rc;
}

/* ------------------------------------------------------------ runs, chains, contacts, interviews */

enum store_rc tracing_runs_query(struct store *s, int64_t case_id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT id, window_from, window_until, params, f1, f2, trigger_kind, created_at FROM tracing_runs"
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
