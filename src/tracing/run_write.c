/*
 * run_write.c - what a run found, written: one contact row per (case, person),
 * the orders of each new F1, the situation's counts.  The run writer
 * (run_writer.c) calls it for every queued run; a process without one (the
 * CLI) right after queueing (run_queue.c).
 *
 * Idempotence: a contact is written only when its degree, first exposure,
 * risk or reasons differ from what is stored, so writing the same run again
 * changes nothing, and status and notes that teams set are never overwritten.
 * That is also what makes a run safe to write in parts: on SQLite the writer
 * commits when a request waits for the database's one write lock (and at
 * least every RUN_PART_MS), each part checking first that the run is still
 * queued as it was and its case still confirmed.  A crash between parts
 * leaves the run queued; writing it again finds what the first parts stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "situation/situation.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

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

static void new_f2s_clear(struct new_f2s *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].reasons);
    l->n = 0;
}

static void new_f2s_free(struct new_f2s *l)
{
    new_f2s_clear(l);
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
static enum store_rc new_contacts_insert(struct store *s, int64_t case_id, int64_t run_id, int64_t now, bool pg,
                                         const struct home *case_home, const struct new_f2s *rows)
{
    const char *prov = case_home->province[0] ? case_home->province : NULL;
    const char *dist = case_home->district[0] ? case_home->district : NULL;
    const char *comm = case_home->commune[0] ? case_home->commune : NULL;
    if (!rows->n)
        return STORE_OK;
    if (!pg) {
        enum store_rc rc = STORE_OK;
        for (size_t i = 0; i < rows->n && !rc; i++) {
            const struct new_f2 *f = &rows->v[i];
            rc = store_run(s, NULL,
                           NEW_CONTACTS_INSERT " FROM (SELECT ? AS p, ? AS d, ? AS t, ? AS f, ? AS r, ? AS j) v"
                                               " LEFT JOIN persons h ON h.id = v.p",
                           "isssiiiiiiiis", case_id, prov, dist, comm, run_id, now, now, f->person,
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
                                 "isssiiis", case_id, prov, dist, comm, run_id, now, now, text);
    free(text);
    return rc;
}
#undef NEW_CONTACTS_INSERT

/* One run being written: what is read once before its parts, and how far they got. */
struct write_ctx {
    const struct tracing_pending_run *run;
    const struct tracing_case *c;
    const struct tracing_result *r;
    const struct tracing_run_parts *parts; /* NULL: one transaction */
    bool pg;
    int64_t now;
    struct home case_home; /* where a contact without a known home is listed */
    struct existing *known; /* the case's contacts stored before, by person */
    size_t nknown;
    struct names names;
    struct tracing_policies pols; /* every new F1 gets the policy where they live */
    size_t next;                  /* the first contact not written yet */
    int64_t changed;              /* rows inserted or updated before it */
    /* what a part leaves for the next, taken only once its transaction committed */
    size_t part_next;
    int64_t part_changed;
    bool done; /* written, or no longer to be written (re-queued, deleted, case not confirmed) */
};

/* Writes contact k: inserted, updated or left as it is.  A new F2 only joins l, which the caller
 * inserts (SQLite at once, PostgreSQL with the others at the end of the part). */
static enum store_rc write_contact(struct store *s, struct write_ctx *w, const struct tracing_contact *k,
                                   struct new_f2s *l, int64_t *inserted, int64_t *changed)
{
    json_t *rj = reasons_json(s, &w->names, k);
    json_t *wrap = json_pack("{s:o, s:i}", "items", rj, "total", k->nreasons);
    char *reasons = json_dumps(wrap, JSON_COMPACT);
    json_decref(wrap);
    int64_t risk = tracing_contact_risk(k);
    struct existing key = {.person = k->person};
    const struct existing *e =
        w->nknown ? bsearch(&key, w->known, w->nknown, sizeof(*w->known), existing_cmp) : NULL;
    if (!e && k->degree != 1) {
        new_f2_add(l, k, risk, reasons); /* the list owns reasons */
        (*inserted)++;
        (*changed)++;
        return STORE_OK;
    }
    if (e && e->degree == k->degree && e->first_at == k->first_at && e->risk == risk && e->through == k->through &&
        !strcmp(e->reasons, reasons)) {
        free(reasons);
        return STORE_OK; /* unchanged */
    }
    bool new_f1 = k->degree == 1 && (!e || e->degree != 1);
    struct home h = {{0}, {0}, {0}, false};
    enum store_rc rc = store_get(s, read_home, &h, HOME_OF_PERSON, "i", k->person);
    if (rc == STORE_DONE)
        rc = STORE_OK;
    if (!h.commune[0]) {
        bool unverified = h.unverified;
        h = w->case_home;
        h.unverified = unverified;
    }
    if (!rc && !e)
        rc = store_run(s, NULL,
                       "INSERT INTO tracing_contacts (case_id, person_id, degree, through_person_id, first_at,"
                       " risk, reasons, province_code, district_code, commune_code, run_id, created_at,"
                       " updated_at, unverified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       "iiiiiissssiiii", w->c->case_id, k->person, (int64_t)k->degree, k->through, k->first_at,
                       risk, reasons, h.province[0] ? h.province : NULL, h.district[0] ? h.district : NULL,
                       h.commune[0] ? h.commune : NULL, w->run->id, w->now, w->now, (int64_t)h.unverified);
    else if (!rc)
        rc = store_run(s, NULL,
                       "UPDATE tracing_contacts SET degree = ?, through_person_id = ?, first_at = ?, risk = ?,"
                       " reasons = ?, run_id = ?, updated_at = ? WHERE id = ?",
                       "iiiisiii", (int64_t)k->degree, k->through, k->first_at, risk, reasons, w->run->id, w->now,
                       e->id);
    free(reasons);
    if (rc)
        return rc;
    (*changed)++;
    *inserted += !e;
    /* each F1 gets the policy in force where they live; an unverified contact gets nothing until a
     * tracer confirms (tracing_contact_confirm) */
    if (new_f1 && !h.unverified && !is_confirmed_case(s, k->person))
        rc = apply_policy(s, tracing_policies_pick(&w->pols, h.province), w->c, k, &h, w->now);
    return rc;
}

/* The situation counts the rows of the run inserted past *last_id, in one statement (no trigger per
 * row); *last_id then moves past them.  PostgreSQL counts a part at its end (each statement is a
 * round trip); SQLite every COUNT_EVERY rows. */
#define COUNT_EVERY 100
static enum store_rc count_inserted(struct store *s, int64_t run_id, int64_t *last_id)
{
    enum store_rc rc = situation_count_inserted(s, "tracing_contacts", "run_id", run_id, *last_id);
    return rc ? rc : store_int(s, last_id, "SELECT COALESCE(MAX(id), 0) FROM tracing_contacts", "");
}

/* One part of a run, in the caller's transaction (store_tx may run it again from the same start). */
static int part_tx(struct store *s, void *arg)
{
    struct write_ctx *w = arg;
    const struct tracing_pending_run *run = w->run;
    /* Still queued as it was?  (On PostgreSQL the row lock also keeps another server's writer off it.) */
    int64_t seq = 0;
    int rc = store_int(s, &seq,
                       w->pg ? "SELECT pending FROM tracing_runs WHERE id = ? AND pending = ? FOR UPDATE SKIP LOCKED"
                             : "SELECT pending FROM tracing_runs WHERE id = ? AND pending = ?",
                       "ii", run->id, run->seq);
    if (rc == STORE_DONE) {
        w->done = true; /* written meanwhile, deleted, queued again (written then), or being written elsewhere */
        return STORE_OK;
    }
    int64_t confirmed = 0;
    if (!rc)
        rc = store_int(s, &confirmed, "SELECT COUNT(*) FROM cases WHERE id = ? AND status = 'confirmed'", "i",
                       run->case_id);
    if (!rc && !confirmed) {
        /* the result was corrected: nothing to write, and nothing to wait for */
        w->done = true;
        return store_run(s, NULL,
                         "UPDATE tracing_runs SET pending = 0, contacts_changed = 0, written_at = ? WHERE id = ?",
                         "ii", w->now, run->id);
    }
    /* The largest contact id, read after the rows this part may update: what it inserts lies past
     * it, and rows of other runs that do too (on PostgreSQL, committed meanwhile) carry their run. */
    int64_t last_id = 0;
    if (!rc)
        rc = store_int(s, &last_id, "SELECT COALESCE(MAX(id), 0) FROM tracing_contacts", "");
    size_t i = w->next;
    int64_t changed = w->changed;
    int64_t inserted = 0; /* rows inserted and not yet counted */
    struct new_f2s new_f2 = {0};
    double started = clock_mono();
    while (!rc && i < w->r->n) {
        rc = write_contact(s, w, &w->r->contacts[i++], &new_f2, &inserted, &changed);
        /* SQLite inserts a row per statement anyway: at once, so a part that gives way ends at once */
        if (!rc && !w->pg && new_f2.n) {
            rc = new_contacts_insert(s, run->case_id, run->id, w->now, false, &w->case_home, &new_f2);
            new_f2s_clear(&new_f2);
        }
        /* counted as they come, so that a part giving way has few rows left to count */
        if (!rc && !w->pg && inserted >= COUNT_EVERY) {
            rc = count_inserted(s, run->id, &last_id);
            inserted = 0;
        }
        if (w->parts && w->parts->give_way(started))
            break;
    }
    if (!rc)
        rc = new_contacts_insert(s, run->case_id, run->id, w->now, w->pg, &w->case_home, &new_f2);
    new_f2s_free(&new_f2);
    if (!rc && inserted)
        rc = count_inserted(s, run->id, &last_id);
    if (!rc && i == w->r->n)
        rc = store_run(s, NULL,
                       "UPDATE tracing_runs SET pending = 0, f1 = ?, f2 = ?, contacts_changed = ?, written_at = ?"
                       " WHERE id = ?",
                       "iiiii", (int64_t)w->r->nf1, (int64_t)w->r->nf2, changed, w->now, run->id);
    w->part_next = i;
    w->part_changed = changed;
    return rc;
}

enum err tracing__run_write(struct store *s, const struct tracing_pending_run *run, const struct tracing_result *r,
                            const struct tracing_run_parts *parts, int64_t now)
{
    struct tracing_case c = {run->case_id, run->person, run->from, run->until};
    struct write_ctx w = {.run = run, .c = &c, .r = r, .parts = parts, .now = now};
    w.pg = !strcmp(store_engine(s), "postgres");
    /* A contact whose home is unknown (an anonymous check-in) goes to the case's commune: that team
     * knows where the exposure happened and can reach the phone. */
    enum store_rc src = store_get(s, read_home, &w.case_home,
                                  "SELECT province_code, district_code, commune_code, 0 FROM cases WHERE id = ?", "i",
                                  run->case_id);
    if (src == STORE_DONE)
        src = STORE_OK;
    if (!src)
        src = existing_load(s, run->case_id, &w.known, &w.nknown);
    if (!src)
        src = tracing_policies_load(s, &w.pols);
    enum err rc = store_err(src);
    while (!rc && !w.done) {
        if (parts)
            parts->begin();
        rc = store_tx(s, part_tx, &w);
        if (parts)
            parts->end();
        if (rc)
            break;
        w.next = w.part_next;
        w.changed = w.part_changed;
        w.done = w.done || w.next == r->n;
    }
    existing_free(w.known, w.nknown);
    names_free(&w.names);
    return rc;
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
