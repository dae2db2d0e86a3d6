/*
 * counters.c - the situation's counts, kept by triggers on the counted tables
 * in situation_counts so that every write, correction and retention delete
 * moves them in its own transaction and a page reads a few rows per unit
 * below it instead of scanning the tables.
 *
 * One list below defines every count: the table, the local day a row counts
 * on, the condition, and +1 or -1.  The triggers, the rebuild from the tables
 * and the reading back are all made from it.  Each row counts three times,
 * once per level: under the nation by its province, under its province by
 * its district, under its district by its commune ('' where that place is
 * unknown), so a page reads only the rows of its own unit's children.
 *
 * A windowed figure (cases confirmed, doses given) is summed over the days
 * of a window.  A state at the end of a day (in quarantine, results pending,
 * people vaccinated) is kept as its changes: +1 on the day a row enters the
 * state and -1 on the day it leaves, plus their total over all days (day
 * SIT_ALL_DAYS); the state on day D is that total minus the changes after D.
 * An update of a column the counts read takes the old row out and puts the
 * new one in.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/mem.h"
#include "situation/situation.h"
#include "store/store.h"

/* The local day of a time column of the row ("$"). */
#define DAY_OF(col) "($." col " + " VN_OFFSET_SQL ") / 86400"

/* An order covers day D from the later of its start and the day it was made, up to the earlier of
 * its last day and the day it was ended (exclusive). */
#define ORDER_FROM "CASE WHEN $.start_day > " DAY_OF("created_at") " THEN $.start_day ELSE " DAY_OF("created_at") " END"
#define ORDER_UNTIL                                                                                           \
    "CASE WHEN $.ended_at IS NOT NULL AND " DAY_OF("ended_at") " < $.end_day + 1 THEN " DAY_OF("ended_at")   \
    " ELSE $.end_day + 1 END"

/* A turnaround's whole hours (collection to result), 0 to SIT_TURNAROUND_MAX. */
#define TURNAROUND_HOURS                                                                                      \
    "CASE WHEN $.resulted_at < $.collected_at THEN 0 WHEN $.resulted_at - $.collected_at >= 336 * 3600"      \
    " THEN 336 ELSE ($.resulted_at - $.collected_at) / 3600 END"

#define W false /* windowed: counted on its day */
#define S true  /* a state: changes by day and their total */

const struct sit_counter SIT_COUNTERS[] = {
    {"new_f0", "cases", DAY_OF("confirmed_at"), "1 = 1", 1, W},
    {"new_f0_in_quarantine", "cases", DAY_OF("confirmed_at"), SIT_IN_QUARANTINE("$"), 1, W},
    {"new_f0_community", "cases", DAY_OF("confirmed_at"), "NOT " SIT_IN_QUARANTINE("$"), 1, W},
    {"f1_found", "tracing_contacts", DAY_OF("created_at"), "$.degree = 1", 1, W},
    {"f1_reached", "tracing_contacts", DAY_OF("created_at"), "$.degree = 1 AND $.status <> 'not_reached'", 1, W},
    {"f2_found", "tracing_contacts", DAY_OF("created_at"), "$.degree = 2", 1, W},
    {"f2_reached", "tracing_contacts", DAY_OF("created_at"), "$.degree = 2 AND $.status <> 'not_reached'", 1, W},
    {"f1_to_reach", "tracing_contacts", DAY_OF("created_at"), "$.degree = 1 AND $.status = 'not_reached'", 1, S},
    {"f2_to_reach", "tracing_contacts", DAY_OF("created_at"), "$.degree = 2 AND $.status = 'not_reached'", 1, S},
    {"samples_taken", "testing_samples", DAY_OF("collected_at"), "1 = 1", 1, W},
    {"tests_resulted", "testing_samples", DAY_OF("resulted_at"), "$.status <> 'pending'", 1, W},
    {"tests_positive", "testing_samples", DAY_OF("resulted_at"), "$.status = 'positive'", 1, W},
    {"results_pending", "testing_samples", DAY_OF("collected_at"),
     "$.status = 'pending' OR $.resulted_at >= $.collected_at", 1, S},
    {"results_pending", "testing_samples", DAY_OF("resulted_at"),
     "$.status <> 'pending' AND $.resulted_at >= $.collected_at", -1, S},
    {SIT_TURNAROUND, "testing_samples", DAY_OF("resulted_at"), "$.status <> 'pending' AND $.collected_at IS NOT NULL",
     1, W},
    {"doses_given", "vaccine_doses", DAY_OF("administered_at"), "1 = 1", 1, W},
    {"first_doses_given", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number = 1", 1, W},
    {"second_doses_given", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number = 2", 1, W},
    {"later_doses_given", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number > 2", 1, W},
    {"vaccinated_dose1", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number = 1", 1, S},
    {"vaccinated_full", "vaccine_doses", DAY_OF("administered_at"), "$.completes = 1", 1, S},
    /* a person's first booster, whatever the length of their primary series (doses are not deleted
     * by Cordon; a dose deleted by hand needs `cordon situation rebuild`) */
    {"vaccinated_booster", "vaccine_doses", DAY_OF("administered_at"),
     "$.booster = 1 AND NOT EXISTS (SELECT 1 FROM vaccine_doses y WHERE y.person_id = $.person_id"
     " AND y.booster = 1 AND y.dose_number < $.dose_number)",
     1, S},
    {"vaccinated_dose1_18", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number = 1 AND $.age_years >= 18", 1, S},
    {"vaccinated_dose1_50", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number = 1 AND $.age_years >= 50", 1, S},
    {"vaccinated_dose1_65", "vaccine_doses", DAY_OF("administered_at"), "$.dose_number = 1 AND $.age_years >= 65", 1, S},
    {"vaccinated_full_18", "vaccine_doses", DAY_OF("administered_at"), "$.completes = 1 AND $.age_years >= 18", 1, S},
    {"vaccinated_full_50", "vaccine_doses", DAY_OF("administered_at"), "$.completes = 1 AND $.age_years >= 50", 1, S},
    {"vaccinated_full_65", "vaccine_doses", DAY_OF("administered_at"), "$.completes = 1 AND $.age_years >= 65", 1, S},
    {"in_quarantine", "quarantine_orders", ORDER_FROM, "$.status <> 'cancelled' AND " ORDER_UNTIL " > " ORDER_FROM, 1, S},
    {"in_quarantine", "quarantine_orders", ORDER_UNTIL, "$.status <> 'cancelled' AND " ORDER_UNTIL " > " ORDER_FROM, -1, S},
    {"open_alerts", "quarantine_alerts", DAY_OF("created_at"), "$.resolved_at IS NULL OR $.resolved_at >= $.created_at",
     1, S},
    {"open_alerts", "quarantine_alerts", DAY_OF("resolved_at"), "$.resolved_at >= $.created_at", -1, S},
    {"declarations_flagged", "declarations", DAY_OF("declared_at"), "$.flagged = 1", 1, W},
    {"declarations_entry", "declarations", DAY_OF("declared_at"), "$.kind = 'entry'", 1, W},
    {"declarations_travel", "declarations", DAY_OF("declared_at"), "$.kind = 'domestic_travel'", 1, W},
    {"checkins", "checkins", DAY_OF("checked_in_at"), "1 = 1", 1, W},
    {"feedback_received", "feedback", DAY_OF("created_at"), "1 = 1", 1, W},
    {"feedback_open", "feedback", DAY_OF("created_at"), "$.status IN ('new', 'forwarded')", 1, S},
};
const size_t SIT_NCOUNTERS = sizeof(SIT_COUNTERS) / sizeof(SIT_COUNTERS[0]);

/*
 * The counted tables and the columns their counts read (an update of others moves nothing).  New
 * check-ins are counted by the code that stores them (situation_count_checkins), a batch at a
 * time: a trigger per row cost a fifth of the check-in writer's rate.  New tracing contacts are
 * counted by the run that stores them (situation_count_inserted), for the same reason.  Their
 * deletes and updates are counted by triggers as every other table's.  The columns must name
 * every column a count reads: a run's inserted rows are grouped by them before they are counted.
 */
static const struct {
    const char *table, *columns;
    bool inserts_counted_by_writer;
} TABLES[] = {
    {"cases", "confirmed_at", false},
    {"tracing_contacts", "created_at, degree, status", true},
    {"testing_samples", "collected_at, resulted_at, status", false},
    {"vaccine_doses", "administered_at, dose_number, completes, booster, age_years", false},
    {"quarantine_orders", "status, start_day, end_day, created_at, ended_at", false},
    {"quarantine_alerts", "created_at, resolved_at", false},
    {"declarations", "declared_at, flagged, kind", false},
    {"checkins", "checked_in_at", true},
    {"feedback", "created_at, status", false},
};
#define NTABLES (sizeof(TABLES) / sizeof(TABLES[0]))
#define LOCATED "province_code, district_code, commune_code"

/* The three levels a row is counted at: the parent's and the unit's code, and when it counts. */
static const struct {
    const char *parent, *unit, *known;
} LEVELS[] = {
    {"'VN'", "COALESCE($.province_code, '')", "1 = 1"},
    {"$.province_code", "COALESCE($.district_code, '')", "COALESCE($.province_code, '') <> ''"},
    {"$.district_code", "COALESCE($.commune_code, '')", "COALESCE($.district_code, '') <> ''"},
};
#define NLEVELS (sizeof(LEVELS) / sizeof(LEVELS[0]))

/* Appends text with each "$" replaced by row. */
static int add_row(struct buf *b, const char *text, const char *row)
{
    for (const char *p = text; *p; p++)
        if (*p == '$' ? buf_adds(b, row) : buf_add(b, p, 1))
            return -1;
    return 0;
}

/* The figure's name as SQL: the turnaround's carries its hours. */
static int add_figure(struct buf *b, const struct sit_counter *c, const char *row)
{
    if (strcmp(c->name, SIT_TURNAROUND))
        return buf_addf(b, "'%s'", c->name);
    return buf_adds(b, "'" SIT_TURNAROUND "' || CAST(") || add_row(b, TURNAROUND_HOURS, row) ||
           buf_adds(b, " AS TEXT)");
}

#define COUNTS_INSERT "INSERT INTO situation_counts (parent, unit, day, figure, n) "
#define UPSERT " ON CONFLICT (parent, day, figure, unit) DO UPDATE SET n = situation_counts.n + excluded.n"
#define UPSERT_TAIL UPSERT ";\n"

/*
 * The counts of table that hold for row, one branch each (UNION ALL): columns, then day, figure
 * and n (the count's sign times delta, times the column `times` when there is one), from `from`
 * (none for a trigger's NEW or OLD).
 */
static int add_counts(struct buf *b, const char *table, const char *row, const char *columns, const char *from,
                      int delta, const char *times)
{
    int rc = 0;
    bool first = true;
    for (size_t k = 0; k < SIT_NCOUNTERS && !rc; k++) {
        const struct sit_counter *c = &SIT_COUNTERS[k];
        if (strcmp(c->table, table))
            continue;
        for (int all = 0; all <= (int)c->state && !rc; all++, first = false)
            rc = buf_adds(b, first ? "SELECT " : " UNION ALL SELECT ") || buf_adds(b, columns) ||
                 (all ? buf_addf(b, "%d", SIT_ALL_DAYS) : add_row(b, c->day, row)) || buf_adds(b, " AS day, ") ||
                 add_figure(b, c, row) || buf_addf(b, " AS figure, %d", c->sign * delta) ||
                 (times && (buf_adds(b, " * ") || buf_adds(b, times))) || buf_adds(b, " AS n") ||
                 buf_adds(b, from) || buf_adds(b, " WHERE (") || add_row(b, c->day, row) ||
                 buf_adds(b, ") IS NOT NULL AND (") || add_row(b, c->cond, row) || buf_adds(b, ")");
    }
    return rc;
}

/*
 * The statement moving every count of one row (NEW or OLD) of table by delta (+1, or -1: taken
 * out): the levels the row is counted at, crossed with each count that holds for it.  One
 * statement, not one per count and level, since every connection keeps the triggers' parsed
 * text (the doses' took 2 MB a connection that way).
 */
static int add_upsert(struct buf *b, const char *table, const char *row, int delta)
{
    int rc = buf_adds(b, COUNTS_INSERT "SELECT l.parent, l.unit, c.day, c.figure, SUM(c.n) FROM (");
    for (size_t l = 0; l < NLEVELS && !rc; l++)
        rc = buf_adds(b, l ? " UNION ALL SELECT " : "SELECT ") || add_row(b, LEVELS[l].parent, row) ||
             buf_adds(b, " AS parent, ") || add_row(b, LEVELS[l].unit, row) || buf_adds(b, " AS unit WHERE ") ||
             add_row(b, LEVELS[l].known, row);
    rc = rc || buf_adds(b, ") l, (") || add_counts(b, table, row, "", "", delta, NULL);
    return rc || buf_adds(b, ") c WHERE 1 = 1 GROUP BY 1, 2, 3, 4" UPSERT_TAIL);
}

static int trigger_sql(struct buf *b, const char *engine, size_t t)
{
    const char *tb = TABLES[t].table;
    char line[512];
    int rc = 0;
    if (!strcmp(engine, "postgres")) {
        snprintf(
            line, sizeof line,
            "CREATE OR REPLACE FUNCTION situation_count_%s() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN\n"
            "IF TG_OP <> 'INSERT' THEN\n",
            tb);
        rc = buf_adds(b, line) || add_upsert(b, tb, "OLD", -1) ||
             buf_adds(b, "END IF;\nIF TG_OP <> 'DELETE' THEN\n") || add_upsert(b, tb, "NEW", 1);
        snprintf(line, sizeof line,
                 "END IF;\nRETURN NULL;\nEND $fn$;\n"
                 "DROP TRIGGER IF EXISTS situation_count ON %s;\n"
                 "CREATE TRIGGER situation_count AFTER %sDELETE OR UPDATE OF " LOCATED ", %s ON %s"
                 " FOR EACH ROW EXECUTE FUNCTION situation_count_%s();\n",
                 tb, TABLES[t].inserts_counted_by_writer ? "" : "INSERT OR ", TABLES[t].columns, tb, tb);
        return rc || buf_adds(b, line);
    }
    snprintf(line, sizeof line,
             "DROP TRIGGER IF EXISTS situation_count_%s_i;\nDROP TRIGGER IF EXISTS situation_count_%s_d;\n"
             "DROP TRIGGER IF EXISTS situation_count_%s_u;\n",
             tb, tb, tb);
    rc = buf_adds(b, line);
    if (!TABLES[t].inserts_counted_by_writer) {
        snprintf(line, sizeof line, "CREATE TRIGGER situation_count_%s_i AFTER INSERT ON %s BEGIN\n", tb, tb);
        rc = rc || buf_adds(b, line) || add_upsert(b, tb, "NEW", 1) || buf_adds(b, "END;\n");
    }
    snprintf(line, sizeof line, "CREATE TRIGGER situation_count_%s_d AFTER DELETE ON %s BEGIN\n", tb, tb);
    rc = rc || buf_adds(b, line) || add_upsert(b, tb, "OLD", -1);
    snprintf(line, sizeof line,
             "END;\nCREATE TRIGGER situation_count_%s_u AFTER UPDATE OF " LOCATED ", %s ON %s BEGIN\n", tb,
             TABLES[t].columns, tb);
    rc = rc || buf_adds(b, line) || add_upsert(b, tb, "OLD", -1) || add_upsert(b, tb, "NEW", 1);
    return rc || buf_adds(b, "END;\n");
}

int situation_counters_install(struct store *s)
{
    struct buf b;
    buf_init(&b, 16 << 20);
    int rc = STORE_OK;
    for (size_t t = 0; t < NTABLES && !rc; t++)
        rc = trigger_sql(&b, store_engine(s), t) ? STORE_ERROR : STORE_OK;
    if (!rc)
        rc = store_exec(s, b.data);
    buf_release(&b);
    return rc;
}

/* Where count_rows() groups a table's rows before adding them to each level. */
#define STAGE_TABLE                                                                                          \
    "CREATE TEMP TABLE IF NOT EXISTS situation_stage (province_code TEXT, district_code TEXT,"               \
    " commune_code TEXT, day BIGINT, figure TEXT, n BIGINT)"

/*
 * Count c from its table (the rows that also match `only`, SQL over the row "x"): its rows by
 * place, day and figure into situation_stage (one scan of the table), then each level's counts
 * from those few rows, added to what is counted already.
 */
static int count_rows(struct store *s, const struct sit_counter *c, const char *only)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    int rc = buf_adds(&b, "INSERT INTO situation_stage SELECT x.province_code, x.district_code, x.commune_code, (") ||
             add_row(&b, c->day, "x") || buf_adds(&b, "), ") || add_figure(&b, c, "x") ||
             buf_adds(&b, ", COUNT(*) FROM ") || buf_adds(&b, c->table) || buf_adds(&b, " x WHERE (") ||
             add_row(&b, c->day, "x") || buf_adds(&b, ") IS NOT NULL AND (") || add_row(&b, c->cond, "x") ||
             buf_adds(&b, ") AND ") || buf_adds(&b, only) || buf_adds(&b, " GROUP BY 1, 2, 3, 4, 5")
                 ? STORE_ERROR
                 : store_exec(s, "DELETE FROM situation_stage");
    if (!rc)
        rc = store_exec(s, b.data);
    for (size_t l = 0; l < NLEVELS && !rc; l++)
        for (int all = 0; all <= (int)c->state && !rc; all++) {
            buf_reset(&b);
            if (buf_adds(&b, COUNTS_INSERT "SELECT ") || add_row(&b, LEVELS[l].parent, "x") ||
                buf_adds(&b, ", ") || add_row(&b, LEVELS[l].unit, "x") ||
                (all ? buf_addf(&b, ", %d", SIT_ALL_DAYS) : buf_adds(&b, ", x.day")) ||
                buf_addf(&b, ", x.figure, %d * SUM(x.n) FROM situation_stage x WHERE ", c->sign) ||
                add_row(&b, LEVELS[l].known, "x") || buf_adds(&b, " GROUP BY 1, 2, 3, 4") || buf_adds(&b, UPSERT_TAIL))
                rc = STORE_ERROR;
            if (!rc)
                rc = store_exec(s, b.data);
        }
    buf_release(&b);
    return rc;
}

int situation_counters_rebuild(struct store *s, void (*progress)(size_t done, size_t total))
{
    int rc = store_exec(s, "DELETE FROM situation_counts");
    if (!rc)
        rc = store_exec(s, STAGE_TABLE);
    for (size_t k = 0; k < SIT_NCOUNTERS && !rc; k++) {
        rc = count_rows(s, &SIT_COUNTERS[k], "1 = 1");
        if (progress)
            progress(k + 1, SIT_NCOUNTERS);
    }
    if (!rc)
        rc = store_exec(s, "DELETE FROM situation_stage");
    return rc;
}

/* ---------------------------------------------------------------- check-ins, counted by their writer */

static const struct sit_counter *counter_named(const char *name)
{
    for (size_t k = 0; k < SIT_NCOUNTERS; k++)
        if (!strcmp(SIT_COUNTERS[k].name, name))
            return &SIT_COUNTERS[k];
    return NULL;
}

int situation_count_checkins_from(struct store *s, int64_t first_id)
{
    char only[48];
    snprintf(only, sizeof only, "x.id >= %lld", (long long)first_id);
    int rc = store_exec(s, STAGE_TABLE);
    if (!rc)
        rc = count_rows(s, counter_named("checkins"), only);
    if (!rc)
        rc = store_exec(s, "DELETE FROM situation_stage");
    return rc;
}

struct count_key {
    const char *parent, *unit;
    int64_t day, n;
};

static int key_order(const void *pa, const void *pb)
{
    const struct count_key *a = pa, *b = pb;
    int c = strcmp(a->parent, b->parent);
    if (!c)
        c = strcmp(a->unit, b->unit);
    return c ? c : (a->day > b->day) - (a->day < b->day);
}

int situation_count_checkins(struct store *s, const struct sit_checkins *in, size_t n)
{
    /* each place's rows at the three levels (as LEVELS), then one row per key */
    struct count_key *k = xcalloc(3 * n + 1, sizeof(*k));
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in[i].n)
            continue;
        const char *p = in[i].province ? in[i].province : "", *d = in[i].district ? in[i].district : "";
        const char *c = in[i].commune ? in[i].commune : "";
        k[nk++] = (struct count_key){"VN", p, in[i].day, in[i].n};
        if (*p)
            k[nk++] = (struct count_key){p, d, in[i].day, in[i].n};
        if (*d)
            k[nk++] = (struct count_key){d, c, in[i].day, in[i].n};
    }
    /* in one order for every writer: on PostgreSQL a count row stays locked until the commit */
    qsort(k, nk, sizeof(*k), key_order);
    json_t *rows = json_array();
    for (size_t i = 0; i < nk; i++) {
        int64_t sum = k[i].n;
        while (i + 1 < nk && !key_order(&k[i], &k[i + 1]))
            sum += k[++i].n;
        json_array_append_new(rows, json_pack("[s, s, I, I]", k[i].parent, k[i].unit, (json_int_t)k[i].day,
                                              (json_int_t)sum));
    }
    free(k);
    int rc = STORE_OK;
    if (json_array_size(rows)) {
        char *text = json_dumps(rows, JSON_COMPACT);
        bool pg = !strcmp(store_engine(s), "postgres");
        rc = store_run(s, NULL,
                       pg ? COUNTS_INSERT "SELECT x->>0, x->>1, CAST(x->>2 AS BIGINT), 'checkins', CAST(x->>3 AS BIGINT)"
                            " FROM json_array_elements(CAST(? AS JSON)) x" UPSERT
                          : COUNTS_INSERT "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
                            " json_extract(value, '$[2]'), 'checkins', json_extract(value, '$[3]')"
                            " FROM json_each(?) WHERE 1 = 1" UPSERT,
                       "s", text);
        free(text);
    }
    json_decref(rows);
    return rc;
}

/* ---------------------------------------------------------------- rows a transaction inserted */

/*
 * One statement for every count of the table: the rows inserted, grouped by their place and the
 * columns the counts read (a run's contacts share a time, so some 1,800 rows become 600), then
 * each count's matching groups (a branch each), crossed with the three levels, summed into one
 * upsert.  Its text is the same on every call, so the connection keeps it prepared.
 */
int situation_count_inserted(struct store *s, const char *table, const char *key_column, int64_t key,
                             int64_t after_id)
{
    const char *columns = NULL;
    for (size_t t = 0; t < NTABLES; t++)
        if (!strcmp(TABLES[t].table, table))
            columns = TABLES[t].columns;
    if (!columns)
        return STORE_ERROR;
    struct buf b;
    buf_init(&b, 1 << 16);
    int rc = buf_addf(&b,
                      "WITH x AS (SELECT " LOCATED ", %s, COUNT(*) AS k FROM %s WHERE %s = ? AND id > ?"
                      " GROUP BY " LOCATED ", %s) " COUNTS_INSERT "SELECT ",
                      columns, table, key_column, columns);
    for (int col = 0; col < 2 && !rc; col++) {
        rc = buf_adds(&b, col ? ", CASE v.l" : "CASE v.l");
        for (size_t l = 0; l < NLEVELS && !rc; l++)
            rc = buf_addf(&b, " WHEN %zu THEN ", l) || add_row(&b, col ? LEVELS[l].unit : LEVELS[l].parent, "c");
        rc = rc || buf_adds(&b, " END");
    }
    rc = rc || buf_adds(&b, ", c.day, c.figure, SUM(c.n) FROM (") ||
         add_counts(&b, table, "x", "x.province_code, x.district_code, x.commune_code, ", " FROM x", 1, "x.k");
    rc = rc || buf_adds(&b, ") c, (SELECT 0 AS l UNION ALL SELECT 1 UNION ALL SELECT 2) v WHERE ");
    for (size_t l = 0; l < NLEVELS && !rc; l++)
        rc = buf_addf(&b, "%s(v.l = %zu AND ", l ? " OR " : "", l) || add_row(&b, LEVELS[l].known, "c") ||
             buf_adds(&b, ")");
    rc = rc || buf_adds(&b, " GROUP BY 1, 2, 3, 4" UPSERT);
    rc = rc ? STORE_ERROR : store_run(s, NULL, b.data, "ii", key, after_id);
    buf_release(&b);
    return rc;
}
