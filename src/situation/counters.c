/*
 * counters.c - the situation's counts by day, kept per place, day and figure
 * in situation_counters by triggers on the counted tables, so every write,
 * correction and retention delete moves them in its own transaction and the
 * situation page sums a few counter rows instead of scanning the tables.
 *
 * One list below defines each counted figure (table, time column, condition
 * on the row); the triggers, the rebuild from the tables and the figures read
 * back are all made from it.  A row is counted on the local day of its time
 * column, at the place its located columns say when it is written; an update
 * of any column the figures read takes the old row out and puts the new in.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "situation/situation.h"
#include "store/store.h"

/* "$" in cond stands for the row (NEW, OLD, or the alias x when rebuilding). */
const struct sit_counter SIT_COUNTERS[] = {
    {"new_f0", "cases", "confirmed_at", "1 = 1"},
    {"f1_found", "tracing_contacts", "created_at", "$.degree = 1"},
    {"f1_reached", "tracing_contacts", "created_at", "$.degree = 1 AND $.status <> 'not_reached'"},
    {"f2_found", "tracing_contacts", "created_at", "$.degree = 2"},
    {"f2_reached", "tracing_contacts", "created_at", "$.degree = 2 AND $.status <> 'not_reached'"},
    {"samples_taken", "testing_samples", "collected_at", "1 = 1"},
    {"tests_resulted", "testing_samples", "resulted_at", "$.status <> 'pending'"},
    {"tests_positive", "testing_samples", "resulted_at", "$.status = 'positive'"},
    {"doses_given", "vaccine_doses", "administered_at", "1 = 1"},
    {"first_doses_given", "vaccine_doses", "administered_at", "$.dose_number = 1"},
    {"second_doses_given", "vaccine_doses", "administered_at", "$.dose_number = 2"},
    {"later_doses_given", "vaccine_doses", "administered_at", "$.dose_number > 2"},
    {"declarations_flagged", "declarations", "declared_at", "$.flagged = 1"},
    {"declarations_entry", "declarations", "declared_at", "$.kind = 'entry'"},
    {"declarations_travel", "declarations", "declared_at", "$.kind = 'domestic_travel'"},
    {"checkins", "checkins", "checked_in_at", "1 = 1"},
    {"feedback_received", "feedback", "created_at", "1 = 1"},
};
const size_t SIT_NCOUNTERS = sizeof(SIT_COUNTERS) / sizeof(SIT_COUNTERS[0]);

/* The counted tables and the columns their figures read (an update of others moves nothing). */
static const struct {
    const char *table, *columns;
} TABLES[] = {
    {"cases", "confirmed_at"},
    {"tracing_contacts", "created_at, degree, status"},
    {"testing_samples", "collected_at, resulted_at, status"},
    {"vaccine_doses", "administered_at, dose_number"},
    {"declarations", "declared_at, flagged, kind"},
    {"checkins", "checked_in_at"},
    {"feedback", "created_at"},
};
#define NTABLES (sizeof(TABLES) / sizeof(TABLES[0]))
#define LOCATED "province_code, district_code, commune_code"

/* Appends text with each "$" replaced by row. */
static int add_row(struct buf *b, const char *text, const char *row)
{
    for (const char *p = text; *p; p++)
        if (*p == '$' ? buf_adds(b, row) : buf_add(b, p, 1))
            return -1;
    return 0;
}

/* The upsert moving one row's figures of table by delta. */
static int add_upserts(struct buf *b, const char *table, const char *row, int delta)
{
    int rc = 0;
    for (size_t k = 0; k < SIT_NCOUNTERS && !rc; k++) {
        const struct sit_counter *c = &SIT_COUNTERS[k];
        if (strcmp(c->table, table))
            continue;
        char head[512];
        snprintf(head, sizeof head,
                 "INSERT INTO situation_counters (" LOCATED ", day, figure, n)"
                 " SELECT COALESCE($.province_code, ''), COALESCE($.district_code, ''), "
                 "COALESCE($.commune_code, ''),"
                 " ($.%s + " VN_OFFSET_SQL ") / 86400, '%s', %d WHERE $.%s IS NOT NULL AND (",
                 c->time, c->name, delta, c->time);
        rc = add_row(b, head, row) || add_row(b, c->cond, row) ||
             buf_adds(b, ") ON CONFLICT (commune_code, district_code, province_code, day, figure)"
                         " DO UPDATE SET n = situation_counters.n + excluded.n;\n");
    }
    return rc;
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
        rc = buf_adds(b, line) || add_upserts(b, tb, "OLD", -1) ||
             buf_adds(b, "END IF;\nIF TG_OP <> 'DELETE' THEN\n") || add_upserts(b, tb, "NEW", 1);
        snprintf(line, sizeof line,
                 "END IF;\nRETURN NULL;\nEND $fn$;\n"
                 "DROP TRIGGER IF EXISTS situation_count ON %s;\n"
                 "CREATE TRIGGER situation_count AFTER INSERT OR DELETE OR UPDATE OF " LOCATED ", %s ON %s"
                 " FOR EACH ROW EXECUTE FUNCTION situation_count_%s();\n",
                 tb, TABLES[t].columns, tb, tb);
        return rc || buf_adds(b, line);
    }
    snprintf(line, sizeof line,
             "DROP TRIGGER IF EXISTS situation_count_%s_i;\nDROP TRIGGER IF EXISTS situation_count_%s_d;\n"
             "DROP TRIGGER IF EXISTS situation_count_%s_u;\n"
             "CREATE TRIGGER situation_count_%s_i AFTER INSERT ON %s BEGIN\n",
             tb, tb, tb, tb, tb);
    rc = buf_adds(b, line) || add_upserts(b, tb, "NEW", 1);
    snprintf(line, sizeof line, "END;\nCREATE TRIGGER situation_count_%s_d AFTER DELETE ON %s BEGIN\n", tb,
             tb);
    rc = rc || buf_adds(b, line) || add_upserts(b, tb, "OLD", -1);
    snprintf(line, sizeof line,
             "END;\nCREATE TRIGGER situation_count_%s_u AFTER UPDATE OF " LOCATED ", %s ON %s BEGIN\n", tb,
             TABLES[t].columns, tb);
    rc = rc || buf_adds(b, line) || add_upserts(b, tb, "OLD", -1) || add_upserts(b, tb, "NEW", 1);
    return rc || buf_adds(b, "END;\n");
}

int situation_counters_install(struct store *s)
{
    struct buf b;
    buf_init(&b, 4 << 20);
    int rc = STORE_OK;
    for (size_t t = 0; t < NTABLES && !rc; t++)
        rc = trigger_sql(&b, store_engine(s), t) ? STORE_ERROR : STORE_OK;
    if (!rc)
        rc = store_exec(s, b.data);
    buf_release(&b);
    return rc;
}

int situation_counters_rebuild(struct store *s, void (*progress)(size_t done, size_t total))
{
    int rc = store_exec(s, "DELETE FROM situation_counters");
    for (size_t k = 0; k < SIT_NCOUNTERS && !rc; k++) {
        const struct sit_counter *c = &SIT_COUNTERS[k];
        struct buf b;
        buf_init(&b, 1 << 16);
        char head[512];
        snprintf(head, sizeof head,
                 "INSERT INTO situation_counters (" LOCATED ", day, figure, n)"
                 " SELECT COALESCE(x.province_code, ''), COALESCE(x.district_code, ''), "
                 "COALESCE(x.commune_code, ''),"
                 " (x.%s + " VN_OFFSET_SQL ") / 86400, '%s', COUNT(*) FROM %s x WHERE x.%s IS NOT NULL AND (",
                 c->time, c->name, c->table, c->time);
        if (buf_adds(&b, head) || add_row(&b, c->cond, "x") || buf_adds(&b, ") GROUP BY 1, 2, 3, 4"))
            rc = STORE_ERROR;
        if (!rc)
            rc = store_exec(s, b.data);
        buf_release(&b);
        if (progress)
            progress(k + 1, SIT_NCOUNTERS);
    }
    return rc;
}

int situation_counter_index(const char *name)
{
    for (size_t k = 0; k < SIT_NCOUNTERS; k++)
        if (!strcmp(SIT_COUNTERS[k].name, name))
            return (int)k;
    return -1;
}
