/*
 * tracing_source.c - the contact sources: venue co-presence, household,
 * interview, vehicle (checkpoint passages).  Each loads what it needs for a time range with one scan and
 * answers from memory; the engine (tracing.c) calls them through
 * tracing_sources[].
 *
 * The venue index: every presence of the range as 16 bytes (person, venue,
 * in, end; times relative to a base so they fit 32 bits), sorted by
 * (venue, in), with the offsets of each venue's run, and per person the
 * positions of their presences.  Finding the contacts of one presence is a
 * binary search in its venue's run and a sweep over the presences that
 * begin before the widened end; no join.  20 million check-ins take about
 * 400 MB.  Person and venue ids index arrays directly: ids stay below
 * 2^32, and the arrays are as long as the largest id.
 *
 * These scans read the check-ins, venues, persons and checkpoint passage
 * tables directly (read only): a bulk scan for the index has no equivalent in those domains'
 * public headers, and row-by-row calls would be thousands of times slower.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

/* ------------------------------------------------------------ venue co-presence */

struct visit {
    uint32_t person, venue;
    int32_t in, end; /* seconds from base; end after default/max stay rules */
};

struct venue_idx {
    int64_t base;
    struct visit *v;
    size_t n, cap;
    uint32_t nvenues;   /* largest venue id + 1 */
    uint32_t *vstart;   /* [nvenues + 1] */
    uint8_t *whole;     /* [nvenues]: whole-day venue type */
    uint32_t npersons;  /* largest person id + 1 */
    uint32_t *pstart;   /* [npersons + 1] */
    uint32_t *pvis;     /* [n]: positions in v, per person */
};

static void venue_release(void *data)
{
    struct venue_idx *x = data;
    if (!x)
        return;
    free(x->v);
    free(x->vstart);
    free(x->whole);
    free(x->pstart);
    free(x->pvis);
    free(x);
}

static int visit_cmp(const void *a, const void *b)
{
    const struct visit *x = a, *y = b;
    if (x->venue != y->venue)
        return x->venue < y->venue ? -1 : 1;
    return x->in < y->in ? -1 : x->in > y->in;
}

/* Sorts by (venue, in): a counting pass by venue, then each venue's run by time. */
static void venue_sort(struct venue_idx *x)
{
    uint32_t *count = xcalloc((size_t)x->nvenues + 1, sizeof(uint32_t));
    for (size_t i = 0; i < x->n; i++)
        count[x->v[i].venue + 1]++;
    for (uint32_t i = 0; i < x->nvenues; i++)
        count[i + 1] += count[i];
    x->vstart = xmalloc(((size_t)x->nvenues + 1) * sizeof(uint32_t));
    memcpy(x->vstart, count, ((size_t)x->nvenues + 1) * sizeof(uint32_t));
    /* In-place cycle permutation (American flag sort): no second copy of the rows. */
    uint32_t *next = count; /* next free slot of each venue */
    for (uint32_t b = 0; b < x->nvenues; b++) {
        while (next[b] < x->vstart[b + 1]) {
            struct visit t = x->v[next[b]];
            while (t.venue != b) {
                struct visit u = x->v[next[t.venue]];
                x->v[next[t.venue]++] = t;
                t = u;
            }
            x->v[next[b]++] = t;
        }
    }
    free(count);
    for (uint32_t b = 0; b < x->nvenues; b++) {
        size_t len = x->vstart[b + 1] - x->vstart[b];
        if (len > 1)
            qsort(x->v + x->vstart[b], len, sizeof(struct visit), visit_cmp);
    }
}

static int venue_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until, void **data)
{
    struct venue_idx *x = xcalloc(1, sizeof(*x));
    /* Every presence tracing_overlap() may join to one inside the window: one that began up to
     * max_stay before the widened start (the slack before the window, or the start of its first
     * local day at a whole-day venue), and one that arrives within the slack after the window's end
     * (a case there at 23:40 meets someone who came at 00:05). */
    int64_t lo = vn_day_start(vn_day(from));
    if (from - p->slack - p->skew < lo)
        lo = from - p->slack - p->skew;
    lo -= p->max_stay;
    x->base = lo - TRACING_DAY;
    struct store_stmt *st = NULL;
    int rc = store_query(s, &st,
                         "SELECT venue_id, person_id, checked_in_at, checked_out_at FROM checkins"
                         " WHERE checked_in_at >= ? AND checked_in_at <= ?",
                         "ii", lo, until + p->slack + p->skew);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        int64_t venue = store_col_int(st, 0), person = store_col_int(st, 1);
        struct tracing_presence pr = {store_col_int(st, 2), store_col_null(st, 3) ? 0 : store_col_int(st, 3)};
        if (venue <= 0 || venue >= UINT32_MAX || person <= 0 || person >= UINT32_MAX)
            continue; /* outside what the index holds; ids are far below this */
        if (x->n == x->cap) {
            x->cap = x->cap ? x->cap * 2 : 4096;
            x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
        }
        struct visit *v = &x->v[x->n++];
        v->person = (uint32_t)person;
        v->venue = (uint32_t)venue;
        v->in = (int32_t)(pr.in - x->base);
        v->end = (int32_t)(tracing_presence_end(p, pr) - x->base);
        if (v->venue >= x->nvenues)
            x->nvenues = v->venue + 1;
        if (v->person >= x->npersons)
            x->npersons = v->person + 1;
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        goto fail;
    x->whole = xcalloc((size_t)x->nvenues + 1, 1);
    if (p->ntypes) {
        rc = store_query(s, &st, "SELECT id, type FROM venues", "");
        while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
            int64_t id = store_col_int(st, 0);
            if (id > 0 && id < x->nvenues && tracing_params_whole_day(p, store_col_text(st, 1)))
                x->whole[id] = 1;
        }
        store_finalize(st);
        if (rc != STORE_DONE)
            goto fail;
    }
    venue_sort(x);
    x->pstart = xcalloc((size_t)x->npersons + 2, sizeof(uint32_t));
    for (size_t i = 0; i < x->n; i++)
        x->pstart[x->v[i].person + 1]++;
    for (uint32_t i = 0; i < x->npersons; i++)
        x->pstart[i + 1] += x->pstart[i];
    x->pvis = xmalloc((x->n + 1) * sizeof(uint32_t));
    uint32_t *fill = xmalloc(((size_t)x->npersons + 1) * sizeof(uint32_t));
    memcpy(fill, x->pstart, ((size_t)x->npersons + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < x->n; i++)
        x->pvis[fill[x->v[i].person]++] = (uint32_t)i;
    free(fill);
    *data = x;
    return 0;
fail:
    venue_release(x);
    return rc;
}

/*
 * The contacts of person's presences by tracing_overlap(), the one rule, in
 * its two halves: tracing_overlap_span once per presence of the person (it
 * also bounds the sweep over the venue's run), tracing_overlap_meet for each
 * presence met in the sweep (their ends are stored after the stay rules).
 */
static void venue_find(const void *data, const struct tracing_params *p, int64_t person, int64_t from, int64_t until,
                       tracing_emit emit, void *ctx)
{
    const struct venue_idx *x = data;
    if (person <= 0 || person >= x->npersons)
        return;
    int64_t base = x->base;
    for (uint32_t k = x->pstart[person]; k < x->pstart[person + 1]; k++) {
        const struct visit *a = &x->v[x->pvis[k]];
        struct tracing_presence pa = {base + a->in, base + a->end}; /* end is already after the stay rules */
        bool whole = x->whole[a->venue];
        struct tracing_span sp;
        if (!tracing_overlap_span(p, pa, from, until, whole, &sp))
            continue;
        /* First presence at the venue that may still be there at lo: it began at most max_stay before. */
        int64_t key = sp.lo - p->max_stay - base;
        uint32_t l = x->vstart[a->venue], r = x->vstart[a->venue + 1];
        while (l < r) {
            uint32_t m = l + (r - l) / 2;
            if (x->v[m].in < key)
                l = m + 1;
            else
                r = m;
        }
        int64_t hi_rel = sp.hi - base;
        for (uint32_t j = l; j < x->vstart[a->venue + 1] && x->v[j].in <= hi_rel; j++) {
            const struct visit *b = &x->v[j];
            struct tracing_overlap ov;
            if (b->person == (uint32_t)person || !tracing_overlap_meet(&sp, base + b->in, base + b->end, &ov))
                continue;
            struct tracing_reason why = {.source = TRACING_SRC_VENUE, .venue_id = a->venue, .through = person};
            why.minutes = ov.minutes;
            why.at = ov.at;
            emit(ctx, b->person, &why);
        }
    }
}

static void venue_stats(const void *data, size_t *rows, size_t *bytes)
{
    const struct venue_idx *x = data;
    *rows = x->n;
    *bytes = x->n * (sizeof(struct visit) + sizeof(uint32_t)) + ((size_t)x->nvenues + 1) * 5 +
             ((size_t)x->npersons + 2) * sizeof(uint32_t);
}

static const struct tracing_source venue_source = {"venue", venue_load, venue_find, venue_release, venue_stats};

/* ------------------------------------------------------------ household */

struct household_idx {
    uint32_t npersons; /* largest id + 1 */
    uint32_t *of;      /* [npersons]: household id (the head's person id), 0: none */
    uint32_t *start;   /* [npersons + 1]: members of household h at members[start[h]..start[h+1]) */
    uint32_t *members;
    size_t n;
};

static void household_release(void *data)
{
    struct household_idx *x = data;
    if (!x)
        return;
    free(x->of);
    free(x->start);
    free(x->members);
    free(x);
}

static int household_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until, void **data)
{
    (void)p;
    (void)from;
    (void)until;
    struct household_idx *x = xcalloc(1, sizeof(*x));
    int64_t max = 0;
    int rc = store_int(s, &max, "SELECT COALESCE(MAX(id), 0) FROM persons", "");
    if (rc && rc != STORE_DONE)
        goto fail;
    if (max >= UINT32_MAX - 1)
        max = UINT32_MAX - 2;
    x->npersons = (uint32_t)max + 1;
    x->of = xcalloc(x->npersons, sizeof(uint32_t));
    struct store_stmt *st;
    rc = store_query(s, &st, "SELECT id, household_id FROM persons WHERE household_id IS NOT NULL", "");
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        int64_t id = store_col_int(st, 0), h = store_col_int(st, 1);
        if (id > 0 && id < x->npersons && h > 0 && h < x->npersons)
            x->of[id] = (uint32_t)h;
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        goto fail;
    /* The head belongs to its own household even when its row names none. */
    for (uint32_t i = 1; i < x->npersons; i++)
        if (x->of[i] && !x->of[x->of[i]])
            x->of[x->of[i]] = x->of[i];
    x->start = xcalloc((size_t)x->npersons + 1, sizeof(uint32_t));
    for (uint32_t i = 1; i < x->npersons; i++)
        if (x->of[i])
            x->start[x->of[i]]++, x->n++;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < x->npersons; i++) {
        uint32_t c = x->start[i];
        x->start[i] = sum;
        sum += c;
    }
    x->start[x->npersons] = sum;
    x->members = xmalloc((x->n + 1) * sizeof(uint32_t));
    uint32_t *fill = xmalloc(((size_t)x->npersons + 1) * sizeof(uint32_t));
    memcpy(fill, x->start, ((size_t)x->npersons + 1) * sizeof(uint32_t));
    for (uint32_t i = 1; i < x->npersons; i++)
        if (x->of[i])
            x->members[fill[x->of[i]]++] = i;
    free(fill);
    *data = x;
    return 0;
fail:
    household_release(x);
    return rc;
}

static void household_find(const void *data, const struct tracing_params *p, int64_t person, int64_t from,
                           int64_t until, tracing_emit emit, void *ctx)
{
    (void)p;
    (void)until;
    const struct household_idx *x = data;
    if (person <= 0 || person >= x->npersons || !x->of[person])
        return;
    uint32_t h = x->of[person];
    for (uint32_t k = x->start[h]; k < x->start[h + 1]; k++) {
        if (x->members[k] == (uint32_t)person)
            continue;
        struct tracing_reason why = {.source = TRACING_SRC_HOUSEHOLD, .at = from, .through = person};
        emit(ctx, x->members[k], &why);
    }
}

static void household_stats(const void *data, size_t *rows, size_t *bytes)
{
    const struct household_idx *x = data;
    *rows = x->n;
    *bytes = ((size_t)x->npersons * 2 + x->n) * sizeof(uint32_t);
}

static const struct tracing_source household_source = {"household", household_load, household_find,
                                                       household_release, household_stats};

/*
 * The same source read per person from the store, for the live engine: a
 * trace asks about the case and its F1, a few hundred people, instead of
 * loading every person of the country.  Not thread-safe: it uses the run's
 * connection.  A failed query is kept in rc and fails the run.
 */
struct household_live {
    struct store *s;
    int rc;
};

static int household_live_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until,
                               void **data)
{
    (void)p;
    (void)from;
    (void)until;
    struct household_live *x = xcalloc(1, sizeof(*x));
    x->s = s;
    *data = x;
    return 0;
}

static void household_live_find(const void *data, const struct tracing_params *p, int64_t person, int64_t from,
                                int64_t until, tracing_emit emit, void *ctx)
{
    (void)p;
    (void)until;
    struct household_live *x = (struct household_live *)data;
    if (x->rc || person <= 0)
        return;
    /* Their household: the one their row names, else their own when someone names them as its head. */
    int64_t h = 0;
    int rc = store_int(x->s, &h,
                       "SELECT COALESCE(household_id, CASE WHEN EXISTS (SELECT 1 FROM persons WHERE household_id = ?)"
                       " THEN id ELSE 0 END) FROM persons WHERE id = ?",
                       "ii", person, person);
    if (rc == STORE_DONE || (!rc && h <= 0))
        return;
    struct store_stmt *st = NULL;
    if (!rc)
        rc = store_query(x->s, &st,
                         "SELECT id FROM persons WHERE household_id = ? AND id <> ?"
                         " UNION SELECT id FROM persons WHERE id = ? AND id <> ?"
                         " AND (household_id IS NULL OR household_id = id) ORDER BY 1",
                         "iiii", h, person, h, person);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        struct tracing_reason why = {.source = TRACING_SRC_HOUSEHOLD, .at = from, .through = person};
        emit(ctx, store_col_int(st, 0), &why);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        log_error("msg=\"household contacts could not be read\" rc=%d", rc);
        x->rc = rc;
    }
}

static void household_live_release(void *data)
{
    free(data);
}

const struct tracing_source tracing__household_live = {"household", household_live_load, household_live_find,
                                                       household_live_release, NULL};

int tracing__household_live_rc(const void *data)
{
    return data ? ((const struct household_live *)data)->rc : 0;
}

/* ------------------------------------------------------------ interview */

struct named {
    int64_t index, contact, at;
    int32_t minutes;
};

struct interview_idx {
    struct named *v;
    size_t n, cap;
};

static void interview_release(void *data)
{
    struct interview_idx *x = data;
    if (x)
        free(x->v);
    free(x);
}

static int named_cmp(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int interview_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until, void **data)
{
    (void)p;
    struct interview_idx *x = xcalloc(1, sizeof(*x));
    struct store_stmt *st;
    int rc = store_query(s, &st,
                         "SELECT index_person_id, contact_person_id, contacted_at, minutes FROM tracing_interviews"
                         " WHERE contacted_at >= ? AND contacted_at <= ?",
                         "ii", from, until);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        if (x->n == x->cap) {
            x->cap = x->cap ? x->cap * 2 : 64;
            x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
        }
        x->v[x->n++] = (struct named){store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2),
                                      (int32_t)store_col_int(st, 3)};
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        interview_release(x);
        return rc;
    }
    if (x->n > 1)
        qsort(x->v, x->n, sizeof(*x->v), named_cmp);
    *data = x;
    return 0;
}

static void interview_find(const void *data, const struct tracing_params *p, int64_t person, int64_t from,
                           int64_t until, tracing_emit emit, void *ctx)
{
    (void)p;
    const struct interview_idx *x = data;
    size_t l = 0, r = x->n;
    while (l < r) {
        size_t m = l + (r - l) / 2;
        if (x->v[m].index < person)
            l = m + 1;
        else
            r = m;
    }
    for (size_t i = l; i < x->n && x->v[i].index == person; i++) {
        if (x->v[i].at < from || x->v[i].at > until)
            continue;
        struct tracing_reason why = {.source = TRACING_SRC_INTERVIEW, .at = x->v[i].at,
                                     .minutes = x->v[i].minutes, .through = person};
        emit(ctx, x->v[i].contact, &why);
    }
}

static void interview_stats(const void *data, size_t *rows, size_t *bytes)
{
    const struct interview_idx *x = data;
    *rows = x->n;
    *bytes = x->n * sizeof(struct named);
}

static const struct tracing_source interview_source = {"interview", interview_load, interview_find,
                                                       interview_release, interview_stats};

/* ------------------------------------------------------------ vehicle (checkpoint passages)
 * The people recorded in one passage (one vehicle at one checkpoint, migration 026) are contacts
 * of each other; the reason names the passage, whose plate the reasons show. */

struct ride {
    int64_t passage, person, at;
};

struct vehicle_idx {
    struct ride *by_person, *by_passage; /* the same rows in two orders */
    size_t n, cap;
};

static void vehicle_release(void *data)
{
    struct vehicle_idx *x = data;
    if (x) {
        free(x->by_person);
        free(x->by_passage);
    }
    free(x);
}

static int ride_person_cmp(const void *a, const void *b)
{
    const struct ride *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int ride_passage_cmp(const void *a, const void *b)
{
    const struct ride *x = a, *y = b;
    if (x->passage != y->passage)
        return x->passage < y->passage ? -1 : 1;
    return x->person < y->person ? -1 : x->person > y->person;
}

static int vehicle_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until, void **data)
{
    (void)p;
    struct vehicle_idx *x = xcalloc(1, sizeof(*x));
    struct store_stmt *st;
    int rc = store_query(s, &st,
                         "SELECT r.passage_id, r.person_id, p.passed_at FROM checkpoint_passage_people r"
                         " JOIN checkpoint_passages p ON p.id = r.passage_id WHERE p.passed_at >= ? AND p.passed_at <= ?",
                         "ii", from, until);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        if (x->n == x->cap) {
            x->cap = x->cap ? x->cap * 2 : 64;
            x->by_person = xrealloc(x->by_person, x->cap * sizeof(struct ride));
        }
        x->by_person[x->n++] = (struct ride){store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2)};
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        vehicle_release(x);
        return rc;
    }
    x->by_passage = xmalloc((x->n ? x->n : 1) * sizeof(struct ride));
    if (x->n)
        memcpy(x->by_passage, x->by_person, x->n * sizeof(struct ride));
    if (x->n) { /* qsort must not be given the NULL of an empty list */
        qsort(x->by_person, x->n, sizeof(struct ride), ride_person_cmp);
        qsort(x->by_passage, x->n, sizeof(struct ride), ride_passage_cmp);
    }
    *data = x;
    return 0;
}

static void vehicle_find(const void *data, const struct tracing_params *p, int64_t person, int64_t from,
                         int64_t until, tracing_emit emit, void *ctx)
{
    (void)p;
    const struct vehicle_idx *x = data;
    size_t l = 0, r = x->n;
    while (l < r) {
        size_t m = l + (r - l) / 2;
        if (x->by_person[m].person < person)
            l = m + 1;
        else
            r = m;
    }
    for (size_t i = l; i < x->n && x->by_person[i].person == person; i++) {
        const struct ride *mine = &x->by_person[i];
        if (mine->at < from || mine->at > until)
            continue;
        size_t a = 0, b = x->n;
        while (a < b) {
            size_t m = a + (b - a) / 2;
            if (x->by_passage[m].passage < mine->passage)
                a = m + 1;
            else
                b = m;
        }
        for (size_t k = a; k < x->n && x->by_passage[k].passage == mine->passage; k++) {
            if (x->by_passage[k].person == person)
                continue;
            struct tracing_reason why = {.source = TRACING_SRC_VEHICLE, .venue_id = mine->passage, .at = mine->at,
                                         .through = person};
            emit(ctx, x->by_passage[k].person, &why);
        }
    }
}

static void vehicle_stats(const void *data, size_t *rows, size_t *bytes)
{
    const struct vehicle_idx *x = data;
    *rows = x->n;
    *bytes = 2 * x->n * sizeof(struct ride);
}

static const struct tracing_source vehicle_source = {"vehicle", vehicle_load, vehicle_find, vehicle_release,
                                                     vehicle_stats};

const struct tracing_source *const tracing_sources[TRACING_SRC_COUNT] = {&venue_source, &household_source,
                                                                          &interview_source, &vehicle_source};
