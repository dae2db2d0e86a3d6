/*
 * tracing.c - the rules of contact tracing and the engine that applies them:
 * parameters, the overlap rule, F1/F2 expansion, risk, batches on threads.
 * No SQL, no HTTP: sources bring the data (tracing_source.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonin.h"
#include "core/mem.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

/* ------------------------------------------------------------ parameters */

void tracing_params_default(struct tracing_params *p)
{
    memset(p, 0, sizeof(*p));
    p->slack = 30 * 60;
    p->skew = 2 * 60;
    p->default_stay = 60 * 60;
    p->max_stay = 12 * 3600;
    p->depth = 2;
    p->sources = (1u << TRACING_SRC_COUNT) - 1;
    p->ntypes = 1;
    strcpy(p->whole_day_types[0], "market");
}

static int read_int(json_t *obj, const char *name, const char *field, int64_t min, int64_t max, int scale, int *out,
                    struct fault *f)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be an integer from %lld to %lld", field,
                         (long long)min, (long long)max);
    *out = (int)json_integer_value(v) * scale;
    return 0;
}

int tracing_params_from_json(json_t *obj, struct tracing_params *p, struct fault *f)
{
    static const char *const allowed[] = {"slack_minutes", "skew_minutes", "default_stay_minutes", "max_stay_hours",
                                          "depth", "sources", "whole_day_types", NULL};
    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj))
        return fault_set(f, ERR_INVALID_FIELD, "params", "params must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (int i = 0; allowed[i]; i++)
            ok = ok || !strcmp(key, allowed[i]);
        if (!ok)
            return fault_set(f, ERR_UNKNOWN_FIELD, "params", "params has an unknown field");
    }
    int rc = read_int(obj, "slack_minutes", "params.slack_minutes", 0, 24 * 60, 60, &p->slack, f);
    if (!rc)
        rc = read_int(obj, "skew_minutes", "params.skew_minutes", 0, 60, 60, &p->skew, f);
    if (!rc)
        rc = read_int(obj, "default_stay_minutes", "params.default_stay_minutes", 1, 24 * 60, 60, &p->default_stay,
                      f);
    if (!rc)
        rc = read_int(obj, "max_stay_hours", "params.max_stay_hours", 1, 48, 3600, &p->max_stay, f);
    if (!rc)
        rc = read_int(obj, "depth", "params.depth", 1, 2, 1, &p->depth, f);
    if (rc)
        return rc;
    if (p->default_stay > p->max_stay)
        return fault_set(f, ERR_INVALID_FIELD, "params.default_stay_minutes",
                         "params.default_stay_minutes must not exceed params.max_stay_hours");
    json_t *src = json_object_get(obj, "sources");
    if (src && !json_is_null(src)) {
        if (!json_is_array(src) || json_array_size(src) == 0)
            return fault_set(f, ERR_INVALID_FIELD, "params.sources", "params.sources must be a non-empty array");
        unsigned bits = 0;
        size_t i;
        json_array_foreach(src, i, v) {
            int k = -1;
            for (int j = 0; j < TRACING_SRC_COUNT; j++)
                if (json_is_string(v) && !strcmp(json_string_value(v), tracing_sources[j]->name))
                    k = j;
            if (k < 0)
                return fault_set(f, ERR_INVALID_FIELD, "params.sources",
                                 "params.sources holds venue, household, interview or vehicle");
            bits |= 1u << k;
        }
        p->sources = bits;
    }
    json_t *types = json_object_get(obj, "whole_day_types");
    if (types && !json_is_null(types)) {
        if (!json_is_array(types) || json_array_size(types) > TRACING_MAX_TYPES)
            return fault_set(f, ERR_INVALID_FIELD, "params.whole_day_types",
                             "params.whole_day_types must be an array of at most %d venue types", TRACING_MAX_TYPES);
        size_t i;
        p->ntypes = 0;
        json_array_foreach(types, i, v) {
            const char *t = json_is_string(v) ? json_string_value(v) : NULL;
            size_t len = t ? strlen(t) : 0;
            bool ok = len > 0 && len < sizeof(p->whole_day_types[0]);
            for (size_t k = 0; ok && k < len; k++)
                ok = (t[k] >= 'a' && t[k] <= 'z') || t[k] == '_';
            if (!ok)
                return fault_set(f, ERR_INVALID_FIELD, "params.whole_day_types",
                                 "params.whole_day_types holds venue types (a-z and _, up to 31 characters)");
            memcpy(p->whole_day_types[p->ntypes++], t, len + 1);
        }
    }
    return 0;
}

json_t *tracing_params_to_json(const struct tracing_params *p)
{
    json_t *src = json_array(), *types = json_array();
    for (int i = 0; i < TRACING_SRC_COUNT; i++)
        if (p->sources & (1u << i))
            json_array_append_new(src, json_string(tracing_sources[i]->name));
    for (int i = 0; i < p->ntypes; i++)
        json_array_append_new(types, json_string(p->whole_day_types[i]));
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "slack_minutes", p->slack / 60, "skew_minutes",
                     p->skew / 60, "default_stay_minutes", p->default_stay / 60, "max_stay_hours", p->max_stay / 3600,
                     "depth", p->depth, "sources", src, "whole_day_types", types);
}

bool tracing_params_whole_day(const struct tracing_params *p, const char *venue_type)
{
    for (int i = 0; venue_type && i < p->ntypes; i++)
        if (!strcmp(p->whole_day_types[i], venue_type))
            return true;
    return false;
}

int64_t tracing_presence_end(const struct tracing_params *p, struct tracing_presence a)
{
    int64_t end = a.out >= a.in && a.out > 0 ? a.out : a.in + p->default_stay;
    return end - a.in > p->max_stay ? a.in + p->max_stay : end;
}

bool tracing_overlap_span(const struct tracing_params *p, struct tracing_presence a, int64_t from, int64_t until,
                          bool whole_day, struct tracing_span *out)
{
    int64_t a_in = a.in, a_out = tracing_presence_end(p, a);
    if (a_out < from || a_in > until)
        return false;
    out->in = a_in < from ? from : a_in;
    out->out = a_out > until ? until : a_out;
    if (whole_day) {
        out->lo = vn_day_start(vn_day(out->in));
        out->hi = vn_day_start(vn_day(out->out) + 1) - 1;
    } else {
        out->lo = out->in - p->slack - p->skew;
        out->hi = out->out + p->slack + p->skew;
    }
    return true;
}

bool tracing_overlap(const struct tracing_params *p, struct tracing_presence a, struct tracing_presence b,
                     int64_t from, int64_t until, bool whole_day, struct tracing_overlap *out)
{
    struct tracing_span sp;
    return tracing_overlap_span(p, a, from, until, whole_day, &sp) &&
           tracing_overlap_meet(&sp, b.in, tracing_presence_end(p, b), out);
}

/* ------------------------------------------------------------ the infectious window */

/* Where the window starts, before the policy's limit: onset, else sample, else confirmation, minus the days. */
static int64_t window_from(const struct tracing_case_times *t, int days_before)
{
    int64_t start = t->onset ? t->onset : t->sample_at ? t->sample_at : t->confirmed_at;
    return start - (int64_t)days_before * TRACING_DAY;
}

void tracing_window(const struct tracing_case_times *t, int days_before, int max_days, int64_t *from,
                    int64_t *until)
{
    *from = window_from(t, days_before);
    *until = t->isolated_at ? t->isolated_at : t->confirmed_at;
    if (*until < *from)
        *until = *from;
    int64_t max = (int64_t)max_days * TRACING_DAY;
    if (max <= 0 || max > TRACING_MAX_WINDOW)
        max = TRACING_MAX_WINDOW;
    if (*until - *from > max)
        *from = *until - max;
}

enum err tracing_window_check(const struct tracing_case_times *t, const struct tracing_policy *p,
                              const struct tracing_case_fields *names, unsigned set, struct fault *f)
{
    if (t->sample_at && t->sample_at > t->confirmed_at)
        return fault_set(f, ERR_INVALID_FIELD, names->sample_at, "%s must not be after the case's confirmation",
                         names->sample_at);
    if (t->onset && t->onset > t->confirmed_at)
        return fault_set(f, ERR_INVALID_FIELD, names->onset, "%s must not be after the test", names->onset);
    int64_t from = window_from(t, p->window_days_before);
    if (t->isolated_at && t->isolated_at < from)
        return fault_set(f, ERR_INVALID_FIELD, names->isolated_at, "%s must not be before the window's start",
                         names->isolated_at);
    int64_t until = t->isolated_at ? t->isolated_at : t->confirmed_at;
    if (until - from <= (int64_t)p->window_max_days * TRACING_DAY)
        return 0;
    const char *blame = (set & TRACING_SET_ISOLATED) && t->isolated_at ? names->isolated_at
                        : (set & TRACING_SET_ONSET) && t->onset      ? names->onset
                        : (set & TRACING_SET_SAMPLE)                 ? names->sample_at
                        : t->isolated_at                             ? names->isolated_at
                                                                     : names->onset;
    return fault_set(f, ERR_INVALID_FIELD, blame, "%s makes the infectious window longer than the policy's %d days",
                     blame, p->window_max_days);
}

/* ------------------------------------------------------------ engine */

static enum store_rc engine_load(struct store *s, const struct tracing_params *p, int64_t from, int64_t until,
                                 struct tracing_engine *e)
{
    e->params = *p;
    e->from = from;
    e->until = until;
    for (int i = 0; i < TRACING_SRC_COUNT; i++) {
        if (!(p->sources & (1u << i)))
            continue;
        enum store_rc rc = e->src[i]->load(s, p, from, until, &e->data[i]);
        if (rc) {
            tracing_engine_release(e);
            return rc;
        }
    }
    return 0;
}

enum store_rc tracing_engine_load(struct store *s, const struct tracing_params *p, int64_t from,
                                  int64_t until, struct tracing_engine *e)
{
    memset(e, 0, sizeof(*e));
    for (int i = 0; i < TRACING_SRC_COUNT; i++)
        e->src[i] = tracing_sources[i];
    return engine_load(s, p, from, until, e);
}

enum store_rc tracing__engine_live(struct store *s, const struct tracing_params *p, int64_t from, int64_t until,
                                   struct tracing_engine *e)
{
    memset(e, 0, sizeof(*e));
    e->src[TRACING_SRC_VENUE] = &tracing__venue_live;
    e->src[TRACING_SRC_HOUSEHOLD] = &tracing__household_live;
    e->src[TRACING_SRC_INTERVIEW] = tracing_sources[TRACING_SRC_INTERVIEW];
    e->src[TRACING_SRC_VEHICLE] = tracing_sources[TRACING_SRC_VEHICLE]; /* small: loaded per run */
    return engine_load(s, p, from, until, e);
}

void tracing_engine_release(struct tracing_engine *e)
{
    for (int i = 0; i < TRACING_SRC_COUNT; i++)
        if (e->data[i])
            e->src[i]->release(e->data[i]);
    memset(e->data, 0, sizeof(e->data));
}

void tracing_engine_stats(const struct tracing_engine *e, size_t *rows, size_t *bytes)
{
    *rows = *bytes = 0;
    for (int i = 0; i < TRACING_SRC_COUNT; i++) {
        size_t r = 0, b = 0;
        if (e->data[i] && e->src[i]->stats)
            e->src[i]->stats(e->data[i], &r, &b);
        *rows += r;
        *bytes += b;
    }
}

void tracing_result_init(struct tracing_result *r)
{
    memset(r, 0, sizeof(*r));
}

void tracing_result_free(struct tracing_result *r)
{
    free(r->contacts);
    free(r->keys);
    free(r->vals);
    memset(r, 0, sizeof(*r));
}

int tracing_contact_risk(const struct tracing_contact *c)
{
    int v = (int)((1.0 - c->q) * 1000.0 + 0.5);
    return v < 0 ? 0 : v > 1000 ? 1000 : v;
}

static uint64_t hash64(int64_t k)
{
    uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

static void map_clear(struct tracing_result *r, size_t want)
{
    size_t need = 1024;
    while (need < want * 2)
        need <<= 1;
    if (need - 1 > r->mask || !r->keys) {
        free(r->keys);
        free(r->vals);
        r->keys = xmalloc(need * sizeof(*r->keys));
        r->vals = xmalloc(need * sizeof(*r->vals));
        r->mask = need - 1;
    }
    memset(r->keys, 0, (r->mask + 1) * sizeof(*r->keys)); /* 0 is never a person id */
}

/* Index of person in contacts, or (uint32_t)-1. */
static uint32_t map_get(const struct tracing_result *r, int64_t person)
{
    for (size_t i = hash64(person) & r->mask;; i = (i + 1) & r->mask) {
        if (r->keys[i] == person)
            return r->vals[i];
        if (!r->keys[i])
            return UINT32_MAX;
    }
}

static void map_grow(struct tracing_result *r);

static void map_put(struct tracing_result *r, int64_t person, uint32_t idx)
{
    if ((r->n + 1) * 2 > r->mask + 1)
        map_grow(r);
    size_t i = hash64(person) & r->mask;
    while (r->keys[i] && r->keys[i] != person)
        i = (i + 1) & r->mask;
    r->keys[i] = person;
    r->vals[i] = idx;
}

static void map_grow(struct tracing_result *r)
{
    size_t n = (r->mask + 1) * 2;
    int64_t *keys = r->keys;
    uint32_t *vals = r->vals;
    size_t old = r->mask + 1;
    r->keys = xmalloc(n * sizeof(*r->keys));
    r->vals = xmalloc(n * sizeof(*r->vals));
    memset(r->keys, 0, n * sizeof(*r->keys));
    r->mask = n - 1;
    for (size_t i = 0; i < old; i++) {
        if (!keys[i])
            continue;
        size_t j = hash64(keys[i]) & r->mask;
        while (r->keys[j])
            j = (j + 1) & r->mask;
        r->keys[j] = keys[i];
        r->vals[j] = vals[i];
    }
    free(keys);
    free(vals);
}

static double reason_p(const struct tracing_reason *w)
{
    switch (w->source) {
    case TRACING_SRC_HOUSEHOLD:
        return 0.6;
    case TRACING_SRC_INTERVIEW:
    case TRACING_SRC_VEHICLE: /* a shared car or coach: close and long */
        return 0.5;
    default: {
        int m = w->minutes > 120 ? 120 : w->minutes < 0 ? 0 : w->minutes;
        return 0.05 + 0.45 * m / 120.0;
    }
    }
}

struct trace_ctx {
    struct tracing_result *r;
    int degree;
    int64_t f0;
    double through_risk; /* 1 for F1; the F1's risk for F2 */
};

static void on_hit(void *p, int64_t person, const struct tracing_reason *why)
{
    struct trace_ctx *t = p;
    struct tracing_result *r = t->r;
    if (person == t->f0 || person <= 0)
        return;
    uint32_t idx = map_get(r, person);
    struct tracing_contact *c;
    if (idx == UINT32_MAX) {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 256;
            r->contacts = xrealloc(r->contacts, r->cap * sizeof(*r->contacts));
        }
        idx = (uint32_t)r->n++;
        map_put(r, person, idx);
        c = &r->contacts[idx];
        memset(c, 0, sizeof(*c));
        c->person = person;
        c->degree = t->degree;
        c->through = why->through;
        c->first_at = why->at;
        c->q = 1.0;
    } else {
        c = &r->contacts[idx];
        if (c->degree < t->degree)
            return; /* already an F1: an F2 reason adds nothing */
    }
    if (why->at < c->first_at) {
        c->first_at = why->at;
        c->through = why->through;
    }
    c->q *= 1.0 - reason_p(why) * t->through_risk;
    if (c->nreasons < TRACING_MAX_REASONS)
        c->reasons[c->nreasons] = *why;
    c->nreasons++;
}

/* Each source reports `through` as the index person it was asked about. */
static void find_all(const struct tracing_engine *e, int64_t person, int64_t from, int64_t until,
                     struct trace_ctx *t)
{
    for (int i = 0; i < TRACING_SRC_COUNT; i++)
        if (e->data[i])
            e->src[i]->find(e->data[i], &e->params, person, from, until, on_hit, t);
}

void tracing_trace(const struct tracing_engine *e, const struct tracing_case *c, struct tracing_result *r)
{
    r->n = r->nf1 = r->nf2 = 0;
    map_clear(r, 1024);
    int64_t from = c->from < e->from ? e->from : c->from;
    int64_t until = c->until > e->until ? e->until : c->until;
    if (from > until)
        return;
    struct trace_ctx t = {r, 1, c->person, 1.0};
    find_all(e, c->person, from, until, &t);
    r->nf1 = r->n;
    if (e->params.depth < 2)
        return;
    t.degree = 2;
    for (size_t i = 0; i < r->nf1; i++) {
        /* contacts may move when r->contacts grows: copy what we need first */
        int64_t person = r->contacts[i].person, start = r->contacts[i].first_at;
        t.through_risk = 1.0 - r->contacts[i].q;
        if (start < from)
            start = from;
        if (start <= until)
            find_all(e, person, start, until, &t);
    }
    r->nf2 = r->n - r->nf1;
}

/* ------------------------------------------------------------ batches */

struct batch {
    const struct tracing_engine *e;
    const struct tracing_case *cases;
    size_t n, next;
    pthread_mutex_t lock;
    void (*done)(void *ctx, size_t i, const struct tracing_result *r);
    void *ctx;
};

static void *batch_worker(void *p)
{
    struct batch *b = p;
    struct tracing_result r;
    tracing_result_init(&r);
    for (;;) {
        pthread_mutex_lock(&b->lock);
        size_t i = b->next++;
        pthread_mutex_unlock(&b->lock);
        if (i >= b->n)
            break;
        tracing_trace(b->e, &b->cases[i], &r);
        pthread_mutex_lock(&b->lock);
        b->done(b->ctx, i, &r);
        pthread_mutex_unlock(&b->lock);
    }
    tracing_result_free(&r);
    return NULL;
}

int tracing_trace_batch(const struct tracing_engine *e, const struct tracing_case *cases, size_t n, int threads,
                        void (*done)(void *ctx, size_t i, const struct tracing_result *r), void *ctx)
{
    struct batch b = {.e = e, .cases = cases, .n = n, .done = done, .ctx = ctx};
    pthread_mutex_init(&b.lock, NULL);
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    pthread_t tid[64];
    int started = 0;
    for (int i = 1; i < threads; i++)
        if (!pthread_create(&tid[started], NULL, batch_worker, &b))
            started++;
    batch_worker(&b); /* this thread works too */
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&b.lock);
    return 0;
}

/* ------------------------------------------------------------ the policy */

enum err tracing_policy_apply(json_t *body, struct tracing_policy *p, struct fault *f)
{
    int64_t v;
    bool has;
    enum err rc = ERR_OK;
    struct {
        const char *name;
        int64_t min, max;
        int *out;
    } ints[] = {{"quarantine_days", 1, 60, &p->quarantine_days},
                {"checkins_per_day", 1, 12, &p->checkins_per_day},
                {"radius_m", 10, 5000, &p->radius_m},
                {"grace_minutes", 0, 720, &p->grace_minutes},
                {"window_days_before", 0, 14, &p->window_days_before},
                {"window_max_days", 1, TRACING_MAX_WINDOW / TRACING_DAY, &p->window_max_days}};
    for (size_t i = 0; !rc && i < sizeof(ints) / sizeof(ints[0]); i++) {
        rc = jsonin_int(body, ints[i].name, false, ints[i].min, ints[i].max, &v, &has, f);
        if (!rc && has)
            *ints[i].out = (int)v;
    }
    const char *kind;
    if (!rc)
        rc = jsonin_str(body, "place_kind", false, 8, &kind, f);
    if (!rc && kind) {
        if (strcmp(kind, "home") && strcmp(kind, "centre"))
            rc = fault_set(f, ERR_INVALID_FIELD, "place_kind", "place_kind must be home or centre");
        else
            snprintf(p->place_kind, sizeof(p->place_kind), "%s", kind);
    }
    int enabled = -1;
    if (!rc)
        rc = jsonin_bool(body, "enabled", false, &enabled, f);
    if (!rc && enabled >= 0)
        p->enabled = enabled;
    json_t *days = rc ? NULL : json_object_get(body, "test_days");
    if (days && !json_is_null(days)) {
        if (!json_is_array(days) || json_array_size(days) > 10)
            return fault_set(f, ERR_INVALID_FIELD, "test_days", "test_days must be an array of at most 10 days");
        size_t i;
        json_t *d;
        char buf[128] = "";
        size_t len = 0;
        json_array_foreach(days, i, d) {
            if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 60)
                return fault_set(f, ERR_INVALID_FIELD, "test_days", "test_days holds day numbers from 1 to 60");
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld", i ? "," : "",
                                    (long long)json_integer_value(d));
        }
        snprintf(p->test_days, sizeof(p->test_days), "%s", buf);
    }
    /* a window holds at least the days before onset and the day itself */
    if (!rc && p->window_max_days <= p->window_days_before)
        rc = json_object_get(body, "window_max_days")
                 ? fault_set(f, ERR_INVALID_FIELD, "window_max_days", "window_max_days must exceed window_days_before")
                 : fault_set(f, ERR_INVALID_FIELD, "window_days_before",
                             "window_days_before must be below window_max_days");
    return rc;
}
