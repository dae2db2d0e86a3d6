/*
 * figures.c - the figures of the situation page, for a unit and the units
 * below it, read from situation_counts (counters.c): the rows whose parent is
 * the unit, for the 14 days, the total over all days and the days after the
 * date.  With raw, every figure is counted from the platforms' tables
 * instead, to check the counts against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "situation/situation.h"
#include "store/sql.h"
#include "store/store.h"

/*
 * A figure counted in each window: rows of `from` (aliased x) whose time
 * column falls in the window, narrowed by `where` (constant text, no binds).
 */
struct windowed {
    const char *name;
    const char *from;
    const char *time;
    const char *where;
};

static const struct windowed WINDOWED[] = {
    {"new_f0", "cases x", "x.confirmed_at", ""},
    {"new_f0_in_quarantine", "cases x", "x.confirmed_at", " AND " SIT_IN_QUARANTINE("x")},
    {"new_f0_community", "cases x", "x.confirmed_at", " AND NOT " SIT_IN_QUARANTINE("x")},
    {"f1_found", "tracing_contacts x", "x.created_at", " AND x.degree = 1"},
    {"f1_reached", "tracing_contacts x", "x.created_at", " AND x.degree = 1 AND x.status <> 'not_reached'"},
    {"f2_found", "tracing_contacts x", "x.created_at", " AND x.degree = 2"},
    {"f2_reached", "tracing_contacts x", "x.created_at", " AND x.degree = 2 AND x.status <> 'not_reached'"},
    {"samples_taken", "testing_samples x", "x.collected_at", ""},
    {"tests_resulted", "testing_samples x", "x.resulted_at", " AND x.status <> 'pending'"},
    {"tests_positive", "testing_samples x", "x.resulted_at", " AND x.status = 'positive'"},
    {"doses_given", "vaccine_doses x", "x.administered_at", ""},
    {"first_doses_given", "vaccine_doses x", "x.administered_at", " AND x.dose_number = 1"},
    {"second_doses_given", "vaccine_doses x", "x.administered_at", " AND x.dose_number = 2"},
    {"later_doses_given", "vaccine_doses x", "x.administered_at", " AND x.dose_number > 2"},
    {"declarations_flagged", "declarations x", "x.declared_at", " AND x.flagged = 1"},
    {"declarations_entry", "declarations x", "x.declared_at", " AND x.kind = 'entry'"},
    {"declarations_travel", "declarations x", "x.declared_at", " AND x.kind = 'domestic_travel'"},
    {"checkins", "checkins x", "x.checked_in_at", ""},
    {"feedback_received", "feedback x", "x.created_at", ""},
};
#define NWINDOWED (sizeof(WINDOWED) / sizeof(WINDOWED[0]))

/*
 * A figure as it stood at the end of the day: rows of `from` matching
 * `where`, whose binds are 'd' (the local day number) and 'e' (the end of
 * the day, epoch seconds), in order.
 */
struct snapshot {
    const char *name;
    const char *from;
    const char *where;
    const char *binds;
};

static const struct snapshot SNAPSHOT[] = {
    {"f1_to_reach", "tracing_contacts x",
     " AND x.degree = 1 AND x.status = 'not_reached' AND x.created_at < ?", "e"},
    {"f2_to_reach", "tracing_contacts x",
     " AND x.degree = 2 AND x.status = 'not_reached' AND x.created_at < ?", "e"},
    {"in_quarantine", "quarantine_orders x",
     " AND x.status <> 'cancelled' AND x.start_day <= ? AND x.end_day >= ? AND x.created_at < ?"
     " AND (x.ended_at IS NULL OR x.ended_at >= ?)",
     "ddee"},
    {"open_alerts", "quarantine_alerts x",
     " AND x.created_at < ? AND (x.resolved_at IS NULL OR x.resolved_at >= ?)", "ee"},
    {"results_pending", "testing_samples x",
     " AND x.collected_at < ? AND (x.status = 'pending' OR x.resulted_at >= ?)", "ee"},
    {"vaccinated_dose1", "vaccine_doses x", " AND x.dose_number = 1 AND x.administered_at < ?", "e"},
    {"vaccinated_full", "vaccine_doses x", " AND x.completes = 1 AND x.administered_at < ?", "e"},
    /* a person's first booster, whatever the length of their primary series */
    {"vaccinated_booster", "vaccine_doses x",
     " AND x.booster = 1 AND NOT EXISTS (SELECT 1 FROM vaccine_doses y WHERE y.person_id = x.person_id"
     " AND y.booster = 1 AND y.dose_number < x.dose_number) AND x.administered_at < ?",
     "e"},
    {"vaccinated_dose1_18", "vaccine_doses x",
     " AND x.dose_number = 1 AND x.age_years >= 18 AND x.administered_at < ?", "e"},
    {"vaccinated_dose1_50", "vaccine_doses x",
     " AND x.dose_number = 1 AND x.age_years >= 50 AND x.administered_at < ?", "e"},
    {"vaccinated_dose1_65", "vaccine_doses x",
     " AND x.dose_number = 1 AND x.age_years >= 65 AND x.administered_at < ?", "e"},
    {"vaccinated_full_18", "vaccine_doses x",
     " AND x.completes = 1 AND x.age_years >= 18 AND x.administered_at < ?", "e"},
    {"vaccinated_full_50", "vaccine_doses x",
     " AND x.completes = 1 AND x.age_years >= 50 AND x.administered_at < ?", "e"},
    {"vaccinated_full_65", "vaccine_doses x",
     " AND x.completes = 1 AND x.age_years >= 65 AND x.administered_at < ?", "e"},
    /* citizens' feedback not yet answered or closed */
    {"feedback_open", "feedback x", " AND x.status IN ('new', 'forwarded') AND x.created_at < ?", "e"},
};
#define NSNAPSHOT (sizeof(SNAPSHOT) / sizeof(SNAPSHOT[0]))

/* The groups: the units below (or the commune itself), then unknown place, then the total. */
struct groups {
    const struct unit *u;
    const char *column; /* the located column one level below u */
    size_t n;           /* units below */
    const struct unit **units;
    const struct unit *self[1];
    int64_t (*win)[NWINDOWED][SIT_NWIN]; /* [n + 2] */
    int64_t daily[NWINDOWED][14];        /* the unit's counted figures by day, oldest first (the charts) */
    int64_t (*snap)[NSNAPSHOT];
    int64_t (*tat)[SIT_NWIN][SIT_TURNAROUND_MAX + 1]; /* results by whole hours of turnaround */
    const char *parent;                               /* the counts' parent: the unit, a commune's district */
    int64_t start[SIT_NWIN], end, day, first_day[SIT_NWIN];
    int64_t (*pop)[POP_NBANDS]; /* each group's own population, -1 unknown (unknown place: always) */
    bool raw;                   /* count every figure from the tables, not the counters */
};

#define G_UNKNOWN(g) ((g)->n)
#define G_TOTAL(g) ((g)->n + 1)

/* The group of a located code: a unit below (children are in code order), or unknown place. */
static size_t group_of(const struct groups *g, const char *code)
{
    if (!code || !*code)
        return G_UNKNOWN(g);
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->units[mid]->code, code);
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return G_UNKNOWN(g); /* a code not in the reference list is a place we do not know */
}

static void where_area(struct store_sql *q, const struct groups *g) { store_sql_area(q, "x", g->u->code); }

/* "FROM <table> WHERE <time> inside the 14 days ... <the figure's condition>" in the caller's area. */
static void from_window(struct store_sql *q, const struct windowed *w, const struct groups *g)
{
    store_sql_add(q, w->from, "");
    store_sql_add(q, " WHERE ", "");
    store_sql_add(q, w->time, "");
    store_sql_add(q, " >= ? AND ", "i", g->start[SIT_14D]);
    store_sql_add(q, w->time, "");
    store_sql_add(q, " < ?", "i", g->end);
    store_sql_add(q, w->where, "");
    where_area(q, g);
}

static int count_windowed(struct store *s, struct groups *g, size_t k)
{
    const struct windowed *w = &WINDOWED[k];
    struct store_sql q;
    store_sql_init(&q, "SELECT x.", "");
    store_sql_add(&q, g->column, "");
    store_sql_add(&q, ", SUM(CASE WHEN ", "");
    store_sql_add(&q, w->time, "");
    store_sql_add(&q, " >= ? THEN 1 ELSE 0 END), SUM(CASE WHEN ", "i", g->start[SIT_TODAY]);
    store_sql_add(&q, w->time, "");
    store_sql_add(&q, " >= ? THEN 1 ELSE 0 END), COUNT(*) FROM ", "i", g->start[SIT_7D]);
    from_window(&q, w, g);
    store_sql_add(&q, " GROUP BY x.", "");
    store_sql_add(&q, g->column, "");
    struct store_stmt *st;
    int rc = store_sql_query(s, &st, &q);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        size_t i = group_of(g, store_col_text(st, 0));
        for (int wi = 0; wi < SIT_NWIN; wi++) {
            int64_t v = store_col_int(st, 1 + wi);
            g->win[i][k][wi] += v;
            g->win[G_TOTAL(g)][k][wi] += v;
        }
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static int figure_index(const char *name, bool state)
{
    size_t n = state ? NSNAPSHOT : NWINDOWED;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(state ? SNAPSHOT[k].name : WINDOWED[k].name, name))
            return (int)k;
    return -1;
}

/* Which counts a read takes: the 14 days, the states' totals over all days, their changes after. */
enum pass { PASS_WINDOW, PASS_TOTAL, PASS_AFTER };

/* What a count's figure name is: the index of a state or windowed figure, or a turnaround's hours. */
struct figure_kind {
    char name[48];
    int state, windowed, hours; /* -1 where it is not that */
};

static void figure_kind(const char *name, struct figure_kind *f)
{
    snprintf(f->name, sizeof f->name, "%s", name);
    f->state = figure_index(name, true);
    f->windowed = figure_index(name, false);
    f->hours = -1;
    if (!strncmp(name, SIT_TURNAROUND, strlen(SIT_TURNAROUND))) {
        long h = strtol(name + strlen(SIT_TURNAROUND), NULL, 10);
        f->hours = h >= 0 && h <= SIT_TURNAROUND_MAX ? (int)h : -1;
    }
}

/* One read of the counts under the unit, summed into the groups' windows, states and turnarounds. */
static int read_counts(struct store *s, struct groups *g, enum pass pass)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT x.unit, x.figure, x.day, x.n FROM situation_counts x WHERE x.parent = ?", "s",
                   g->parent);
    if (pass == PASS_WINDOW)
        store_sql_add(&q, " AND x.day >= ? AND x.day <= ?", "ii", g->first_day[SIT_14D], g->day);
    else if (pass == PASS_TOTAL)
        store_sql_add(&q, " AND x.day = ?", "i", (int64_t)SIT_ALL_DAYS);
    else
        store_sql_add(&q, " AND x.day > ?", "i", g->day);
    if (g->u->level >= 3)
        store_sql_add(&q, " AND x.unit = ?", "s", g->u->code);
    struct store_stmt *st;
    struct figure_kind f = {.name = ""};
    int rc = store_sql_query(s, &st, &q);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        size_t i = group_of(g, store_col_text(st, 0));
        const char *fig = store_col_text(st, 1);
        int64_t day = store_col_int(st, 2), v = store_col_int(st, 3);
        if (strcmp(fig, f.name)) /* rows come by day, figure, unit: a figure's rows are together */
            figure_kind(fig, &f);
        if (pass != PASS_WINDOW) {
            if (f.state >= 0) {
                g->snap[i][f.state] += pass == PASS_TOTAL ? v : -v;
                g->snap[G_TOTAL(g)][f.state] += pass == PASS_TOTAL ? v : -v;
            }
            continue;
        }
        for (int wi = 0; wi < SIT_NWIN; wi++) {
            if (day < g->first_day[wi])
                continue;
            if (f.hours >= 0) {
                g->tat[i][wi][f.hours] += v;
                g->tat[G_TOTAL(g)][wi][f.hours] += v;
            } else if (f.windowed >= 0) {
                g->win[i][f.windowed][wi] += v;
                g->win[G_TOTAL(g)][f.windowed][wi] += v;
            }
        }
        if (f.windowed >= 0)
            g->daily[f.windowed][day - g->first_day[SIT_14D]] += v;
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* Appends sn->where with its placeholders bound ('d' the day, 'e' the end of the day), in order. */
static int add_snapshot_where(struct store_sql *q, const struct snapshot *sn, const struct groups *g)
{
    const char *p = sn->where;
    for (const char *b = sn->binds; *b; b++) {
        const char *qm = strchr(p, '?');
        char frag[512];
        size_t len = qm ? (size_t)(qm - p) + 1 : 0;
        if (!qm || len >= sizeof frag)
            return STORE_ERROR;
        memcpy(frag, p, len);
        frag[len] = 0;
        store_sql_add(q, frag, "i", *b == 'd' ? g->day : g->end);
        p = qm + 1;
    }
    store_sql_add(q, p, "");
    return STORE_OK;
}

/*
 * The figures k0 .. k1 - 1 of SNAPSHOT, which count rows of the same table:
 * one pass over it, a SUM(CASE ...) per figure (the nine vaccination figures
 * were nine scans of every dose).
 */
static int count_snapshot(struct store *s, struct groups *g, size_t k0, size_t k1)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT x.", "");
    store_sql_add(&q, g->column, "");
    for (size_t k = k0; k < k1; k++) {
        store_sql_add(&q, ", SUM(CASE WHEN 1 = 1", "");
        if (add_snapshot_where(&q, &SNAPSHOT[k], g))
            return STORE_ERROR;
        store_sql_add(&q, " THEN 1 ELSE 0 END)", "");
    }
    store_sql_add(&q, " FROM ", "");
    store_sql_add(&q, SNAPSHOT[k0].from, "");
    store_sql_add(&q, " WHERE 1 = 1", "");
    where_area(&q, g);
    store_sql_add(&q, " GROUP BY x.", "");
    store_sql_add(&q, g->column, "");
    struct store_stmt *st;
    int rc = store_sql_query(s, &st, &q);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        size_t i = group_of(g, store_col_text(st, 0));
        for (size_t k = k0; k < k1; k++) {
            int64_t v = store_col_int(st, (int)(1 + k - k0));
            g->snap[i][k] += v;
            g->snap[G_TOTAL(g)][k] += v;
        }
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* Turnaround (collection to result) of the samples resulted in the 14 days, by group and window, in
 * whole hours as the counts keep it. */
static int collect_turnaround(struct store *s, struct groups *g)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT x.", "");
    store_sql_add(&q, g->column, "");
    store_sql_add(&q,
                  ", x.resulted_at, x.resulted_at - x.collected_at FROM testing_samples x"
                  " WHERE x.resulted_at >= ? AND x.resulted_at < ? AND x.status <> 'pending'"
                  " AND x.collected_at IS NOT NULL",
                  "ii", g->start[SIT_14D], g->end);
    where_area(&q, g);
    struct store_stmt *st;
    int rc = store_sql_query(s, &st, &q);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        size_t i = group_of(g, store_col_text(st, 0));
        int64_t at = store_col_int(st, 1), d = store_col_int(st, 2);
        int64_t h = d < 0 ? 0 : d >= SIT_TURNAROUND_MAX * 3600 ? SIT_TURNAROUND_MAX : d / 3600;
        for (int wi = 0; wi < SIT_NWIN; wi++)
            if (at >= g->start[wi]) {
                g->tat[i][wi][h]++;
                g->tat[G_TOTAL(g)][wi][h]++;
            }
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* The median in whole hours (or a half between two), null with no result. */
static json_t *median_hours(const int64_t h[SIT_TURNAROUND_MAX + 1])
{
    int64_t n = 0;
    for (int x = 0; x <= SIT_TURNAROUND_MAX; x++)
        n += h[x];
    if (n <= 0)
        return json_null();
    /* the values at the middle positions (n - 1) / 2 and n / 2, counting from 0 */
    int64_t seen = 0, lo = -1, hi = -1;
    for (int x = 0; x <= SIT_TURNAROUND_MAX && hi < 0; x++) {
        seen += h[x];
        if (lo < 0 && seen > (n - 1) / 2)
            lo = x;
        if (seen > n / 2)
            hi = x;
    }
    return json_real((double)(lo + hi) / 2.0);
}

/*
 * Coverage as a share of the population: people vaccinated / the group's own
 * population of the band; null when that population is unknown (or zero).
 */
static void coverage(json_t *f, const int64_t pop[POP_NBANDS])
{
    static const struct {
        const char *name, *count;
        int band;
    } RATES[] = {
        {"coverage_dose1", "vaccinated_dose1", 0},       {"coverage_full", "vaccinated_full", 0},
        {"coverage_booster", "vaccinated_booster", 0},   {"coverage_dose1_18", "vaccinated_dose1_18", 1},
        {"coverage_dose1_50", "vaccinated_dose1_50", 2}, {"coverage_dose1_65", "vaccinated_dose1_65", 3},
        {"coverage_full_18", "vaccinated_full_18", 1},   {"coverage_full_50", "vaccinated_full_50", 2},
        {"coverage_full_65", "vaccinated_full_65", 3},
    };
    json_object_set_new(f, "population", situation_population_json(pop));
    for (size_t k = 0; k < sizeof RATES / sizeof RATES[0]; k++) {
        int64_t n = json_integer_value(json_object_get(f, RATES[k].count)), p = pop[RATES[k].band];
        json_object_set_new(f, RATES[k].name, p > 0 ? json_real((double)n / (double)p) : json_null());
    }
}

static const char *const WIN_NAMES[SIT_NWIN] = {"today", "7d", "14d"};

static json_t *group_json(struct groups *g, size_t i)
{
    json_t *f = json_object();
    for (size_t k = 0; k < NWINDOWED; k++) {
        json_t *w = json_object();
        for (int wi = 0; wi < SIT_NWIN; wi++)
            json_object_set_new(w, WIN_NAMES[wi], json_integer(g->win[i][k][wi]));
        json_object_set_new(f, WINDOWED[k].name, w);
    }
    /* positivity: positive / resulted, null when nothing resulted */
    size_t kres = 0, kpos = 0;
    for (size_t k = 0; k < NWINDOWED; k++) {
        if (!strcmp(WINDOWED[k].name, "tests_resulted"))
            kres = k;
        if (!strcmp(WINDOWED[k].name, "tests_positive"))
            kpos = k;
    }
    json_t *pos = json_object(), *tat = json_object();
    for (int wi = 0; wi < SIT_NWIN; wi++) {
        int64_t n = g->win[i][kres][wi], p = g->win[i][kpos][wi];
        json_object_set_new(pos, WIN_NAMES[wi], n ? json_real((double)p / (double)n) : json_null());
        json_object_set_new(tat, WIN_NAMES[wi], median_hours(g->tat[i][wi]));
    }
    json_object_set_new(f, "positivity", pos);
    json_object_set_new(f, "turnaround_median_hours", tat);
    for (size_t k = 0; k < NSNAPSHOT; k++)
        json_object_set_new(f, SNAPSHOT[k].name, json_integer(g->snap[i][k]));
    coverage(f, g->pop[i]);
    return f;
}

/* The series of the charts: per day of the 14, the unit's count of each figure named. */
static const char *const SERIES[] = {"new_f0",           "new_f0_in_quarantine", "new_f0_community",
                                     "tests_resulted",   "tests_positive",       "doses_given",
                                     "first_doses_given"};
#define NSERIES (sizeof(SERIES) / sizeof(SERIES[0]))

static int daily_series(struct store *s, const struct groups *g, json_t **out)
{
    json_t *o = json_object();
    int rc = STORE_OK;
    for (size_t k = 0; k < NSERIES && !rc; k++) {
        const struct windowed *w = NULL;
        for (size_t i = 0; i < NWINDOWED; i++)
            if (!strcmp(WINDOWED[i].name, SERIES[k]))
                w = &WINDOWED[i];
        int64_t counts[14] = {0};
        if (!g->raw) {
            memcpy(counts, g->daily[w - WINDOWED], sizeof counts);
        } else {
            struct store_sql q;
            store_sql_init(&q, "SELECT (", "");
            store_sql_add(&q, w->time, "");
            store_sql_add(&q, " + " VN_OFFSET_SQL ") / 86400, COUNT(*) FROM ", "");
            from_window(&q, w, g);
            store_sql_add(&q, " GROUP BY 1", "");
            struct store_stmt *st;
            rc = store_sql_query(s, &st, &q);
            while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
                rc = STORE_OK;
                int64_t i = store_col_int(st, 0) - (g->day - 13);
                if (i >= 0 && i < 14)
                    counts[i] += store_col_int(st, 1);
            }
            store_finalize(st);
            rc = rc == STORE_DONE ? STORE_OK : rc;
        }
        json_t *a = json_array();
        for (int i = 0; i < 14; i++)
            json_array_append_new(a, json_integer(counts[i]));
        json_object_set_new(o, SERIES[k], a);
    }
    json_t *days = json_array();
    for (int i = 0; i < 14; i++) {
        char d[11];
        vn_date_format(g->day - 13 + i, d);
        json_array_append_new(days, json_string(d));
    }
    json_object_set_new(o, "days", days);
    *out = o;
    return rc;
}

int situation_figures_raw(struct store *s, const struct unit *u, int64_t day, bool with_series, bool raw,
                          json_t **out)
{
    struct groups g = {.u = u, .day = day, .raw = raw};
    *out = NULL;
    if (u->level >= 3) {
        g.self[0] = u;
        g.units = g.self;
        g.n = 1;
    } else {
        g.units = u->children;
        g.n = u->nchildren;
    }
    g.column = u->level == 0 ? "province_code" : u->level == 1 ? "district_code" : "commune_code";
    g.parent = u->level >= 3 ? u->district : u->code;
    g.first_day[SIT_TODAY] = day;
    g.first_day[SIT_7D] = day - 6;
    g.first_day[SIT_14D] = day - 13;
    g.end = vn_day_start(day + 1);
    g.start[SIT_TODAY] = vn_day_start(day);
    g.start[SIT_7D] = vn_day_start(day - 6);
    g.start[SIT_14D] = vn_day_start(day - 13);
    g.win = calloc(g.n + 2, sizeof *g.win);
    g.snap = calloc(g.n + 2, sizeof *g.snap);
    g.tat = calloc(g.n + 2, sizeof *g.tat);
    g.pop = calloc(g.n + 2, sizeof *g.pop);
    int rc = g.win && g.snap && g.tat && g.pop ? STORE_OK : STORE_ERROR;
    /* each unit's own figure; the total is the unit's, never the sum of the units below */
    for (size_t i = 0; i < g.n && !rc; i++)
        rc = situation_population(s, g.units[i]->code, g.pop[i]);
    if (!rc)
        rc = situation_population(s, u->code, g.pop[G_TOTAL(&g)]);
    for (int b = 0; b < POP_NBANDS && g.pop; b++)
        g.pop[G_UNKNOWN(&g)][b] = -1;
    if (!raw) {
        for (enum pass p = PASS_WINDOW; p <= PASS_AFTER && !rc; p++)
            rc = read_counts(s, &g, p);
    } else {
        for (size_t k = 0; k < NWINDOWED && !rc; k++)
            rc = count_windowed(s, &g, k);
        for (size_t k0 = 0, k1; k0 < NSNAPSHOT && !rc; k0 = k1) {
            for (k1 = k0 + 1; k1 < NSNAPSHOT && !strcmp(SNAPSHOT[k1].from, SNAPSHOT[k0].from); k1++)
                ;
            rc = count_snapshot(s, &g, k0, k1);
        }
        if (!rc)
            rc = collect_turnaround(s, &g);
    }
    if (!rc) {
        json_t *rows = json_array();
        for (size_t i = 0; i < g.n; i++) {
            const struct unit *c = g.units[i];
            json_array_append_new(rows, json_pack("{s:s, s:s, s:i, s:o}", "code", c->code, "name",
                                                  c->name_with_type, "level", c->level, "figures",
                                                  group_json(&g, i)));
        }
        *out = json_pack("{s:o, s:o, s:o}", "total", group_json(&g, G_TOTAL(&g)), "rows", rows,
                         "unknown_place", group_json(&g, G_UNKNOWN(&g)));
    }
    if (!rc && with_series) {
        json_t *series;
        rc = daily_series(s, &g, &series);
        json_object_set_new(*out, "daily", series);
    }
    free(g.win);
    free(g.snap);
    free(g.tat);
    free(g.pop);
    return rc;
}

int situation_figures_series(struct store *s, const struct unit *u, int64_t day, bool with_series,
                             json_t **out)
{
    return situation_figures_raw(s, u, day, with_series, false, out);
}

int situation_figures(struct store *s, const struct unit *u, int64_t day, json_t **out)
{
    return situation_figures_series(s, u, day, false, out);
}
