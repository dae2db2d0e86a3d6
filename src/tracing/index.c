/*
 * index.c - the live contact index: every check-in in memory, built once
 * when the server starts and kept current, so that a trace through the API
 * reads no check-ins from the database.
 *
 * Built in a background thread by one scan of the check-ins (SQLite: one
 * statement stepped; PostgreSQL: a server-side cursor read 50,000 rows at a
 * time, in a REPEATABLE READ transaction); traces wait for it.  It follows
 * the change log of check-ins (checkin_changes, migration 020), which every
 * insert, check-out and retention delete writes in its own transaction:
 *   - after this server's own write commits, the venue domain calls
 *     tracing_follow_checkins()'s hook, which catches up at once;
 *   - before every trace, tracing_index_sync() catches up on the request's
 *     connection, so a trace sees every check-in committed before it, by
 *     this server, another one over the same PostgreSQL, or `cordon jobs`;
 *   - a background round keeps it close when nobody traces: on PostgreSQL
 *     whenever a write anywhere notifies CHECKIN_CHANNEL (LISTEN/NOTIFY),
 *     and at least once a second on both engines.
 * The watermark: on SQLite, writers commit one at a time, so the last seq
 * read is one.  On PostgreSQL, seq and tx are taken before commit and rows
 * may appear out of order; the index keeps the oldest transaction still
 * running when it last read (pg_snapshot_xmin) and reads again every row
 * written by that one or a later one: everything older had ended, and what
 * committed was seen.  Applying a row twice changes nothing.
 *
 * Layout, about 24 bytes per check-in: per venue, its visits sorted by
 * check-in time (check-in id, person, in, out: 16 bytes, times as unsigned
 * 32-bit epoch seconds, out 0 when missing); per person, references
 * (venue, in: 8 bytes) sorted by venue then time.  Presence ends are
 * computed per trace, since default and longest stays are run parameters.
 * The arrays of the build are two large blocks; a list that grows later
 * moves to memory of its own.  A read-write lock (writers first) guards it:
 * traces read concurrently, a catch-up holds the write lock only to apply
 * rows already read.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"
#include "venue/checkin.h"

#define IX_FETCH 50000   /* rows per PostgreSQL FETCH */
#define IX_MAX_TYPES 255 /* venue types told apart (type 0: unknown) */
#define IX_ROUND_SECONDS 1
#define IX_ROUND_GAP_MS 100

struct ix_visit {
    uint32_t id, person, in, out;
};

struct ix_ref {
    uint32_t venue, in;
};

struct ix_vlist {
    struct ix_visit *v;
    uint32_t n, cap; /* cap 0: v points into the build's block */
};

struct ix_plist {
    struct ix_ref *v;
    uint32_t n, cap;
};

struct ix {
    pthread_rwlock_t lock; /* the data below */
    struct ix_vlist *venues;
    uint8_t *vtype;        /* [nvenues]: index in types, 0 unknown */
    uint32_t nvenues;      /* largest venue id + 1 */
    struct ix_plist *persons;
    uint32_t npersons;     /* largest person id + 1 */
    char types[IX_MAX_TYPES + 1][32];
    int ntypes;            /* types[1..ntypes] */
    struct ix_visit *vblock;
    struct ix_ref *pblock;
    size_t rows, owned;    /* visits held; bytes of lists moved out of the blocks */
    size_t block_bytes;    /* the blocks keep their size until freed */

    pthread_mutex_t sync;  /* one catch-up at a time; guards mark */
    int64_t mark;
    bool pg;

    pthread_mutex_t state_lock;
    pthread_cond_t state_cv;
    int state;             /* 0 building, 1 ready, -1 failed */
    bool stop;
    bool wanted;           /* SQLite: this server wrote check-ins since the thread's last round */
    pthread_t thread;
    char *url;
    double build_seconds;
    uint64_t catchups, applied;
};

static struct ix *the_ix; /* set by tracing_index_start before requests, cleared after they end */

/* ------------------------------------------------------------ the lists */

static int type_of(struct ix *x, const char *type)
{
    if (!type || !*type || strlen(type) >= sizeof(x->types[0]))
        return 0;
    for (int i = 1; i <= x->ntypes; i++)
        if (!strcmp(x->types[i], type))
            return i;
    if (x->ntypes == IX_MAX_TYPES)
        return 0;
    strcpy(x->types[++x->ntypes], type);
    return x->ntypes;
}

static void grow_venues(struct ix *x, uint32_t venue)
{
    if (venue < x->nvenues)
        return;
    uint32_t n = venue + 1 + venue / 8;
    x->venues = xrealloc(x->venues, (size_t)n * sizeof(*x->venues));
    x->vtype = xrealloc(x->vtype, n);
    memset(x->venues + x->nvenues, 0, (size_t)(n - x->nvenues) * sizeof(*x->venues));
    memset(x->vtype + x->nvenues, 0, n - x->nvenues);
    x->nvenues = n;
}

static void grow_persons(struct ix *x, uint32_t person)
{
    if (person < x->npersons)
        return;
    uint32_t n = person + 1 + person / 8;
    x->persons = xrealloc(x->persons, (size_t)n * sizeof(*x->persons));
    memset(x->persons + x->npersons, 0, (size_t)(n - x->npersons) * sizeof(*x->persons));
    x->npersons = n;
}

/* Room for one more in a list (elements of size sz); a list in a build block moves out. */
static void *list_room(struct ix *x, void *v, uint32_t n, uint32_t *cap, size_t sz)
{
    if (*cap > n)
        return v;
    uint32_t c = n < 4 ? 4 : n + n / 2;
    void *w;
    if (*cap == 0) {
        w = xmalloc((size_t)c * sz);
        if (n)
            memcpy(w, v, (size_t)n * sz);
    } else {
        w = xrealloc(v, (size_t)c * sz);
    }
    x->owned += (size_t)(c - *cap) * sz;
    *cap = c;
    return w;
}

/* First visit of the list that begins at or after t. */
static uint32_t first_at(const struct ix_vlist *l, int64_t t)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t m = lo + (hi - lo) / 2;
        if ((int64_t)l->v[m].in < t)
            lo = m + 1;
        else
            hi = m;
    }
    return lo;
}

/* Adds a presence to a person's references, in (venue, in) order. */
static void ix_ref(struct ix *x, uint32_t person, uint32_t venue, uint32_t in)
{
    grow_persons(x, person);
    struct ix_plist *p = &x->persons[person];
    uint32_t j = p->n;
    while (j > 0 && (p->v[j - 1].venue > venue || (p->v[j - 1].venue == venue && p->v[j - 1].in > in)))
        j--;
    p->v = list_room(x, p->v, p->n, &p->cap, sizeof(*p->v));
    memmove(p->v + j + 1, p->v + j, (size_t)(p->n - j) * sizeof(*p->v));
    p->v[j] = (struct ix_ref){venue, in};
    p->n++;
}

/* Removes one reference (venue, in) from a person's. */
static void ix_unref(struct ix *x, uint32_t person, uint32_t venue, uint32_t in)
{
    if (person >= x->npersons)
        return;
    struct ix_plist *p = &x->persons[person];
    for (uint32_t j = 0; j < p->n; j++)
        if (p->v[j].venue == venue && p->v[j].in == in) {
            memmove(p->v + j, p->v + j + 1, (size_t)(p->n - j - 1) * sizeof(*p->v));
            p->n--;
            return;
        }
}

/* Inserts or updates one check-in (write lock held). */
static void ix_put(struct ix *x, int64_t id, int64_t venue, int64_t person, int64_t in, int64_t out,
                   const char *type)
{
    if (id <= 0 || id >= UINT32_MAX || venue <= 0 || venue >= UINT32_MAX - 1 || person <= 0 ||
        person >= UINT32_MAX - 1 || in <= 0 || in >= UINT32_MAX)
        return; /* outside what the index holds, like the per-run load */
    uint32_t o = out > 0 && out < UINT32_MAX ? (uint32_t)out : 0;
    grow_venues(x, (uint32_t)venue);
    if (!x->vtype[venue])
        x->vtype[venue] = (uint8_t)type_of(x, type);
    struct ix_vlist *l = &x->venues[venue];
    uint32_t k = first_at(l, in);
    for (; k < l->n && l->v[k].in == (uint32_t)in; k++)
        if (l->v[k].id == (uint32_t)id) {
            l->v[k].out = o;
            if (l->v[k].person != (uint32_t)person) { /* records merged (people/merge.c) */
                ix_unref(x, l->v[k].person, (uint32_t)venue, (uint32_t)in);
                l->v[k].person = (uint32_t)person;
                ix_ref(x, (uint32_t)person, (uint32_t)venue, (uint32_t)in);
            }
            return;
        }
    l->v = list_room(x, l->v, l->n, &l->cap, sizeof(*l->v));
    memmove(l->v + k + 1, l->v + k, (size_t)(l->n - k) * sizeof(*l->v));
    l->v[k] = (struct ix_visit){(uint32_t)id, (uint32_t)person, (uint32_t)in, o};
    l->n++;
    x->rows++;
    ix_ref(x, (uint32_t)person, (uint32_t)venue, (uint32_t)in);
}

/* Drops every check-in that began before t (write lock held). */
static void ix_drop_before(struct ix *x, int64_t t)
{
    for (uint32_t b = 0; b < x->nvenues; b++) {
        struct ix_vlist *l = &x->venues[b];
        uint32_t k = first_at(l, t);
        if (!k)
            continue;
        x->rows -= k;
        if (l->cap) {
            memmove(l->v, l->v + k, (size_t)(l->n - k) * sizeof(*l->v));
        } else {
            l->v += k; /* still inside the block */
        }
        l->n -= k;
    }
    for (uint32_t i = 0; i < x->npersons; i++) {
        struct ix_plist *p = &x->persons[i];
        uint32_t kept = 0;
        for (uint32_t j = 0; j < p->n; j++)
            if ((int64_t)p->v[j].in >= t)
                p->v[kept++] = p->v[j];
        p->n = kept;
    }
}

static void ix_free(struct ix *x)
{
    if (!x)
        return;
    for (uint32_t b = 0; b < x->nvenues; b++)
        if (x->venues[b].cap)
            free(x->venues[b].v);
    for (uint32_t i = 0; i < x->npersons; i++)
        if (x->persons[i].cap)
            free(x->persons[i].v);
    free(x->venues);
    free(x->vtype);
    free(x->persons);
    free(x->vblock);
    free(x->pblock);
    pthread_rwlock_destroy(&x->lock);
    pthread_mutex_destroy(&x->sync);
    pthread_mutex_destroy(&x->state_lock);
    pthread_cond_destroy(&x->state_cv);
    free(x->url);
    free(x);
}

/* ------------------------------------------------------------ the build */

struct raw {
    uint32_t venue, id, person, in, out;
};

struct build {
    struct raw *r;
    size_t n, cap;
};

static void build_row(struct build *b, struct store_stmt *st)
{
    int64_t id = store_col_int(st, 0), venue = store_col_int(st, 1), person = store_col_int(st, 2);
    int64_t in = store_col_int(st, 3), out = store_col_null(st, 4) ? 0 : store_col_int(st, 4);
    if (id <= 0 || id >= UINT32_MAX || venue <= 0 || venue >= UINT32_MAX - 1 || person <= 0 ||
        person >= UINT32_MAX - 1 || in <= 0 || in >= UINT32_MAX)
        return;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap + b->cap / 2 : 65536;
        b->r = xrealloc(b->r, b->cap * sizeof(*b->r));
    }
    b->r[b->n++] = (struct raw){(uint32_t)venue, (uint32_t)id, (uint32_t)person, (uint32_t)in,
                                out > 0 && out < UINT32_MAX ? (uint32_t)out : 0};
}

#define SCAN_SQL "SELECT id, venue_id, person_id, checked_in_at, checked_out_at FROM checkins"

static enum store_rc scan_sqlite(struct store *s, struct build *b, int64_t *mark)
{
    enum store_rc rc = store_int(s, mark, "SELECT COALESCE(MAX(seq), 0) FROM checkin_changes", "");
    struct store_stmt *st = NULL;
    if (!rc)
        rc = store_query(s, &st, SCAN_SQL, "");
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        build_row(b, st);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static enum store_rc scan_postgres(struct store *s, struct build *b, int64_t *mark)
{
    enum store_rc rc = store_int(s, mark, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", "");
    if (!rc)
        rc = store_exec(s, "DECLARE tracing_ix NO SCROLL CURSOR FOR " SCAN_SQL);
    while (!rc) {
        struct store_stmt *st;
        rc = store_query(s, &st, "FETCH 50000 FROM tracing_ix", ""); /* IX_FETCH rows */
        if (rc)
            break;
        size_t got = 0;
        while ((rc = store_step(st)) == STORE_ROW) {
            build_row(b, st);
            got++;
        }
        store_finalize(st);
        if (rc != STORE_DONE)
            break;
        rc = STORE_OK;
        if (got < IX_FETCH)
            break;
    }
    return rc;
}

static int raw_cmp(const void *a, const void *b)
{
    const struct raw *x = a, *y = b;
    if (x->in != y->in)
        return x->in < y->in ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Sorts the rows by venue then time and lays out both sides; b's rows are consumed. */
static void build_lay_out(struct ix *x, struct build *b)
{
    uint32_t maxv = 0, maxp = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->r[i].venue > maxv)
            maxv = b->r[i].venue;
        if (b->r[i].person > maxp)
            maxp = b->r[i].person;
    }
    grow_venues(x, maxv);
    grow_persons(x, maxp);
    /* By venue: counts, then an in-place cycle permutation (no second copy of the rows). */
    uint32_t nv = x->nvenues;
    size_t *start = xcalloc((size_t)nv + 1, sizeof(size_t));
    for (size_t i = 0; i < b->n; i++)
        start[b->r[i].venue + 1]++;
    for (uint32_t i = 0; i < nv; i++)
        start[i + 1] += start[i];
    size_t *next = xmalloc(((size_t)nv + 1) * sizeof(size_t));
    memcpy(next, start, ((size_t)nv + 1) * sizeof(size_t));
    for (uint32_t v = 0; v < nv; v++) {
        while (next[v] < start[v + 1]) {
            struct raw t = b->r[next[v]];
            while (t.venue != v) {
                struct raw u = b->r[next[t.venue]];
                b->r[next[t.venue]++] = t;
                t = u;
            }
            b->r[next[v]++] = t;
        }
    }
    free(next);
    for (uint32_t v = 0; v < nv; v++)
        if (start[v + 1] - start[v] > 1)
            qsort(b->r + start[v], start[v + 1] - start[v], sizeof(struct raw), raw_cmp);
    /* Visits written over the rows, front to back (16 bytes over 20). */
    struct ix_visit *vis = (struct ix_visit *)b->r;
    uint32_t *pcount = xcalloc((size_t)x->npersons + 1, sizeof(uint32_t));
    for (size_t i = 0; i < b->n; i++) {
        struct raw t = b->r[i];
        vis[i] = (struct ix_visit){t.id, t.person, t.in, t.out};
        pcount[t.person + 1]++;
    }
    x->vblock = b->n ? xrealloc(b->r, b->n * sizeof(*vis)) : NULL;
    if (!b->n)
        free(b->r);
    b->r = NULL;
    for (uint32_t v = 0; v < nv; v++)
        x->venues[v] = (struct ix_vlist){x->vblock + start[v], (uint32_t)(start[v + 1] - start[v]), 0};
    /* Per person, in the order of the visits: by venue, then time. */
    for (uint32_t i = 0; i < x->npersons; i++)
        pcount[i + 1] += pcount[i];
    x->pblock = b->n ? xmalloc(b->n * sizeof(*x->pblock)) : NULL;
    for (uint32_t i = 0; i < x->npersons; i++)
        x->persons[i] = (struct ix_plist){x->pblock + pcount[i], 0, 0};
    for (uint32_t v = 0; v < nv; v++)
        for (size_t i = start[v]; i < start[v + 1]; i++) {
            struct ix_plist *p = &x->persons[x->vblock[i].person];
            p->v[p->n++] = (struct ix_ref){v, x->vblock[i].in};
        }
    x->rows = b->n;
    x->block_bytes = b->n * (sizeof(struct ix_visit) + sizeof(struct ix_ref));
    free(pcount);
    free(start);
}

static enum store_rc build_types(struct ix *x, struct store *s)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, "SELECT id, type FROM venues", "");
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        int64_t id = store_col_int(st, 0);
        if (id > 0 && id < x->nvenues)
            x->vtype[id] = (uint8_t)type_of(x, store_col_text(st, 1));
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static enum store_rc ix_build(struct ix *x, struct store *s)
{
    struct build b = {0};
    enum store_rc rc;
    int64_t mark = 0;
    if (x->pg) {
        rc = store_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        if (!rc)
            rc = scan_postgres(s, &b, &mark);
        store_exec(s, rc ? "ROLLBACK" : "COMMIT");
    } else {
        rc = store_begin(s, false); /* one snapshot for the watermark and the scan */
        if (!rc)
            rc = scan_sqlite(s, &b, &mark);
        if (rc)
            store_rollback(s);
        else
            rc = store_commit(s);
    }
    if (rc) {
        free(b.r);
        return rc;
    }
    pthread_rwlock_wrlock(&x->lock);
    build_lay_out(x, &b);
    rc = build_types(x, s);
    pthread_rwlock_unlock(&x->lock);
    pthread_mutex_lock(&x->sync);
    x->mark = mark;
    pthread_mutex_unlock(&x->sync);
    return rc;
}

/* ------------------------------------------------------------ catching up */

struct change {
    int64_t id, venue, person, in, out, deleted_before;
    int type;
};

static int64_t ix_batch = 50000; /* change rows read and applied at a time */

void tracing__index_set_batch(int64_t rows)
{
    ix_batch = rows > 0 ? rows : 50000;
}

/*
 * Reads and applies one batch of changes, in seq order after *after (and, on
 * PostgreSQL, written by transaction tx_from or later); *after moves to the
 * last seq read, *got gets how many rows were read.  Caller holds x->sync.
 */
static enum store_rc catch_up_batch(struct ix *x, struct store *s, int64_t tx_from, int64_t *after, size_t *got)
{
    struct store_stmt *st = NULL;
    enum store_rc rc;
    /*
     * PostgreSQL: each change's check-in is looked up by its key (a LATERAL subquery that OFFSET 0
     * keeps from being merged into a join).  As a join, with statistics a minute old under a
     * stream of check-ins, the planner hashed the whole checkins table for a few hundred changes:
     * 124 ms a catch-up at 100,000 check-ins, a catch-up per batch, more of the database server's
     * CPU than the writer's statements.
     */
    if (x->pg)
        rc = store_query(s, &st,
                         "SELECT g.seq, g.deleted_before, c.id, c.venue_id, c.person_id, c.checked_in_at,"
                         " c.checked_out_at, c.type FROM (SELECT seq, deleted_before, checkin_id FROM checkin_changes"
                         " WHERE tx >= ? AND seq > ? ORDER BY seq LIMIT ?) g LEFT JOIN LATERAL (SELECT c.id,"
                         " c.venue_id, c.person_id, c.checked_in_at, c.checked_out_at, v.type FROM checkins c"
                         " LEFT JOIN venues v ON v.id = c.venue_id WHERE c.id = g.checkin_id OFFSET 0) c ON TRUE"
                         " ORDER BY g.seq",
                         "iii", tx_from, *after, ix_batch);
    else
        rc = store_query(s, &st,
                         "SELECT g.seq, g.deleted_before, c.id, c.venue_id, c.person_id, c.checked_in_at,"
                         " c.checked_out_at, v.type FROM checkin_changes g LEFT JOIN checkins c ON c.id = g.checkin_id"
                         " LEFT JOIN venues v ON v.id = c.venue_id WHERE g.seq > ? ORDER BY g.seq LIMIT ?",
                         "ii", *after, ix_batch);
    struct change *ch = NULL;
    size_t n = 0, cap = 0;
    int64_t deleted_before = 0;
    /* Types are interned under the write lock; hold the text until then. */
    struct buf types;
    buf_init(&types, 1 << 30);
    size_t *type_at = NULL;
    *got = 0;
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK; /* next row */
        *after = store_col_int(st, 0);
        (*got)++;
        if (!store_col_null(st, 1)) {
            if (store_col_int(st, 1) > deleted_before)
                deleted_before = store_col_int(st, 1);
            continue;
        }
        if (store_col_null(st, 2))
            continue; /* deleted since: its retention row says so */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ch = xrealloc(ch, cap * sizeof(*ch));
            type_at = xrealloc(type_at, cap * sizeof(*type_at));
        }
        ch[n] = (struct change){store_col_int(st, 2), store_col_int(st, 3), store_col_int(st, 4),
                                store_col_int(st, 5), store_col_null(st, 6) ? 0 : store_col_int(st, 6), 0, 0};
        const char *t = store_col_text(st, 7);
        type_at[n] = types.len;
        buf_adds(&types, t ? t : "");
        buf_add(&types, "", 1);
        n++;
    }
    store_finalize(st);
    if (rc == STORE_DONE)
        rc = STORE_OK;
    /* A retention run may stop between batches: only what is gone below the oldest kept row is dropped. */
    int64_t keep_from = 0;
    if (!rc && deleted_before) {
        rc = store_int(s, &keep_from, "SELECT COALESCE(MIN(checked_in_at), 0) FROM checkins", "");
        keep_from = !keep_from || keep_from > deleted_before ? deleted_before : keep_from;
    }
    if (!rc && (n || keep_from)) {
        pthread_rwlock_wrlock(&x->lock);
        if (keep_from)
            ix_drop_before(x, keep_from);
        for (size_t i = 0; i < n; i++)
            ix_put(x, ch[i].id, ch[i].venue, ch[i].person, ch[i].in, ch[i].out, types.data + type_at[i]);
        pthread_rwlock_unlock(&x->lock);
        x->applied += n;
    }
    free(ch);
    free(type_at);
    buf_release(&types);
    return rc;
}

/* Reads the changes past the watermark and applies them, ix_batch rows at a time.  Caller holds x->sync. */
static enum store_rc ix_catch_up(struct ix *x, struct store *s)
{
    int64_t oldest = 0, after = x->pg ? 0 : x->mark;
    enum store_rc rc = STORE_OK;
    /* Taken before reading: every transaction older than this had ended, what it committed is read below. */
    if (x->pg)
        rc = store_int(s, &oldest, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", "");
    size_t got = (size_t)ix_batch;
    while (!rc && got == (size_t)ix_batch) {
        rc = catch_up_batch(x, s, x->mark, &after, &got);
        if (!rc && !x->pg)
            x->mark = after; /* SQLite: what is applied stays applied */
    }
    if (!rc) {
        if (x->pg)
            x->mark = oldest;
        x->catchups++;
    }
    return rc;
}

/* ------------------------------------------------------------ the thread */

static void set_state(struct ix *x, int state)
{
    pthread_mutex_lock(&x->state_lock);
    x->state = state;
    pthread_cond_broadcast(&x->state_cv);
    pthread_mutex_unlock(&x->state_lock);
}

/* Sleeps ms milliseconds, or less if the index is stopping. */
static void ix_pause(struct ix *x, long ms)
{
    struct timespec until = clock_deadline_us((int64_t)ms * 1000);
    pthread_mutex_lock(&x->state_lock);
    while (!x->stop && pthread_cond_timedwait(&x->state_cv, &x->state_lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&x->state_lock);
}

static void *ix_thread(void *p)
{
    struct ix *x = p;
    struct store *s = NULL;
    char err[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum store_rc rc = store_open(x->url, &s, err, sizeof(err));
    if (rc) {
        log_error("msg=\"contact index: could not open the database\" detail=\"%s\"", err);
        set_state(x, -1);
        return NULL;
    }
    x->pg = !strcmp(store_engine(s), "postgres");
    rc = ix_build(x, s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    x->build_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc) {
        log_error("msg=\"contact index: build failed\" rc=%d detail=\"%s\"", rc, store_errmsg(s));
        store_close(s);
        set_state(x, -1);
        return NULL;
    }
    size_t rows, bytes;
    tracing_index_stats(&rows, &bytes, NULL);
    log_info("msg=\"contact index built\" checkins=%zu bytes=%zu seconds=%.2f", rows, bytes, x->build_seconds);
    set_state(x, 1);
    /* Then a round whenever another server notifies a write (PostgreSQL), and at least once a second. */
    bool listening = x->pg && !store_listen(s, CHECKIN_CHANNEL);
    for (;;) {
        if (x->pg && !listening)
            listening = !store_listen(s, CHECKIN_CHANNEL);
        if (listening) {
            if (store_wait_notify(s, IX_ROUND_SECONDS * 1000) == STORE_RETRY)
                listening = false; /* the connection was reset: listen again */
        } else {
            pthread_mutex_lock(&x->state_lock);
            if (!x->stop && !x->wanted) {
                struct timespec until = clock_deadline_us(IX_ROUND_SECONDS * 1000000LL);
                pthread_cond_timedwait(&x->state_cv, &x->state_lock, &until);
            }
            x->wanted = false;
            pthread_mutex_unlock(&x->state_lock);
        }
        pthread_mutex_lock(&x->state_lock);
        bool stop = x->stop;
        pthread_mutex_unlock(&x->state_lock);
        if (stop)
            break;
        pthread_mutex_lock(&x->sync);
        rc = ix_catch_up(x, s);
        pthread_mutex_unlock(&x->sync);
        if (rc)
            log_warn("msg=\"contact index: catch-up failed\" rc=%d", rc);
        /* At most one round every IX_ROUND_GAP_MS however often writes notify or announce
         * themselves (every check-in batch does): on PostgreSQL a round reads again the rows of
         * transactions still running at the last one, and a trace catches up itself before it
         * runs. */
        ix_pause(x, IX_ROUND_GAP_MS);
    }
    store_close(s);
    return NULL;
}

int tracing_index_start(const char *db_url)
{
    struct ix *x = xcalloc(1, sizeof(*x));
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* A steady stream of traces must not keep a catch-up (check-ins waiting on it) out. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&x->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&x->sync, NULL);
    pthread_mutex_init(&x->state_lock, NULL);
    pthread_cond_init(&x->state_cv, NULL);
    x->url = strdup(db_url);
    if (!x->url || pthread_create(&x->thread, NULL, ix_thread, x)) {
        ix_free(x);
        return ERR_INTERNAL;
    }
    the_ix = x;
    return 0;
}

void tracing_index_stop(void)
{
    struct ix *x = the_ix;
    if (!x)
        return;
    pthread_mutex_lock(&x->state_lock);
    x->stop = true;
    pthread_cond_broadcast(&x->state_cv);
    pthread_mutex_unlock(&x->state_lock);
    pthread_join(x->thread, NULL);
    the_ix = NULL;
    ix_free(x);
}

/* Waits for the build: true when the index is ready. */
static bool ix_ready(struct ix *x)
{
    pthread_mutex_lock(&x->state_lock);
    while (x->state == 0)
        pthread_cond_wait(&x->state_cv, &x->state_lock);
    bool ok = x->state == 1;
    pthread_mutex_unlock(&x->state_lock);
    return ok;
}

enum err tracing_index_sync(struct store *s)
{
    struct ix *x = the_ix;
    if (!x || !ix_ready(x))
        return ERR_NOT_FOUND;
    pthread_mutex_lock(&x->sync);
    enum store_rc rc = ix_catch_up(x, s);
    pthread_mutex_unlock(&x->sync);
    return store_err(rc);
}

/*
 * After this server's own check-in write, on the writer's thread: on SQLite the index thread is
 * woken to catch up on its own connection (at most every IX_ROUND_GAP_MS); the writer reads
 * nothing.  (It used to catch up itself after every batch: 7% of the writer's time, the one
 * thread every check-in waits for.)  On PostgreSQL the write's NOTIFY wakes the thread already.
 */
static void on_checkins_changed(struct store *s)
{
    (void)s;
    struct ix *x = the_ix;
    if (!x)
        return;
    pthread_mutex_lock(&x->state_lock);
    if (x->state == 1 && !x->pg && !x->wanted) {
        x->wanted = true;
        pthread_cond_broadcast(&x->state_cv);
    }
    pthread_mutex_unlock(&x->state_lock);
}

void tracing_follow_checkins(void)
{
    checkin_on_change(on_checkins_changed);
}

void tracing_index_stats(size_t *rows, size_t *bytes, bool *ready)
{
    struct ix *x = the_ix;
    *rows = *bytes = 0;
    if (ready)
        *ready = false;
    if (!x)
        return;
    if (ready) {
        pthread_mutex_lock(&x->state_lock);
        *ready = x->state == 1;
        pthread_mutex_unlock(&x->state_lock);
    }
    pthread_rwlock_rdlock(&x->lock);
    *rows = x->rows;
    *bytes = x->block_bytes + x->owned + (size_t)x->nvenues * (sizeof(struct ix_vlist) + 1) +
             (size_t)x->npersons * sizeof(struct ix_plist);
    pthread_rwlock_unlock(&x->lock);
}

/* ------------------------------------------------------------ the venue source over the index */

/*
 * The same rule and order as the per-run venue source (tracing_source.c):
 * the person's presences by venue then time; at each, the visits of the
 * venue from the first that may still be there at the widened start.
 */
static void live_find(const void *data, const struct tracing_params *p, int64_t person, int64_t from,
                      int64_t until, tracing_emit emit, void *ctx)
{
    struct ix *x = (struct ix *)data;
    pthread_rwlock_rdlock(&x->lock);
    if (person <= 0 || person >= x->npersons) {
        pthread_rwlock_unlock(&x->lock);
        return;
    }
    bool whole[IX_MAX_TYPES + 1] = {false};
    for (int i = 1; i <= x->ntypes; i++)
        whole[i] = tracing_params_whole_day(p, x->types[i]);
    const struct ix_plist *pl = &x->persons[person];
    for (uint32_t k = 0; k < pl->n; k++) {
        uint32_t venue = pl->v[k].venue;
        const struct ix_vlist *l = &x->venues[venue];
        /* this presence's visit: same time, this person (the k-th of equal ones) */
        uint32_t a = first_at(l, pl->v[k].in), skip = 0;
        for (uint32_t j = k; j > 0 && pl->v[j - 1].venue == venue && pl->v[j - 1].in == pl->v[k].in; j--)
            skip++;
        for (; a < l->n && l->v[a].in == pl->v[k].in; a++)
            if (l->v[a].person == (uint32_t)person && skip-- == 0)
                break;
        if (a >= l->n || l->v[a].in != pl->v[k].in)
            continue;
        /* the one rule, in its two halves (tracing.h), as the per-run source applies it */
        struct tracing_presence pa = {l->v[a].in, l->v[a].out};
        struct tracing_span sp;
        if (!tracing_overlap_span(p, pa, from, until, whole[x->vtype[venue]], &sp))
            continue;
        /* First presence at the venue that may still be there at lo: it began at most max_stay before. */
        for (uint32_t j = first_at(l, sp.lo - p->max_stay); j < l->n && (int64_t)l->v[j].in <= sp.hi; j++) {
            const struct ix_visit *b = &l->v[j];
            struct tracing_overlap ov;
            struct tracing_presence pb = {b->in, b->out};
            if (b->person == (uint32_t)person || !tracing_overlap_meet(&sp, pb.in, tracing_presence_end(p, pb), &ov))
                continue;
            struct tracing_reason why = {.source = TRACING_SRC_VENUE, .venue_id = venue, .through = person};
            why.minutes = ov.minutes;
            why.at = ov.at;
            emit(ctx, b->person, &why);
        }
    }
    pthread_rwlock_unlock(&x->lock);
}

static int live_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until, void **data)
{
    (void)s;
    (void)p;
    (void)from;
    (void)until;
    *data = the_ix;
    return the_ix ? 0 : STORE_ERROR;
}

static void live_release(void *data)
{
    (void)data; /* the server owns the index */
}

static void live_stats(const void *data, size_t *rows, size_t *bytes)
{
    (void)data;
    tracing_index_stats(rows, bytes, NULL);
}

const struct tracing_source tracing__venue_live = {"venue", live_load, live_find, live_release, live_stats};

void tracing_index_metrics(struct buf *out)
{
    size_t rows, bytes;
    bool ready;
    if (!the_ix)
        return;
    tracing_index_stats(&rows, &bytes, &ready);
    buf_addf(out,
             "# HELP cordon_tracing_index_ready Whether the contact index is built (1) or not yet (0).\n"
             "# TYPE cordon_tracing_index_ready gauge\ncordon_tracing_index_ready %d\n"
             "# HELP cordon_tracing_index_checkins Check-ins held by the contact index.\n"
             "# TYPE cordon_tracing_index_checkins gauge\ncordon_tracing_index_checkins %zu\n"
             "# HELP cordon_tracing_index_bytes Memory held by the contact index.\n"
             "# TYPE cordon_tracing_index_bytes gauge\ncordon_tracing_index_bytes %zu\n"
             "# HELP cordon_tracing_index_build_seconds Time the contact index took to build.\n"
             "# TYPE cordon_tracing_index_build_seconds gauge\ncordon_tracing_index_build_seconds %.3f\n",
             ready ? 1 : 0, rows, bytes, the_ix->build_seconds);
}
