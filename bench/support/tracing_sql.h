/*
 * tracing_sql.h - the SQL reference of the tracing benchmarks: F1 and F2 of
 * one case as a single statement of self-joins of check-ins at the same venue,
 * with the engine's rules (default and longest stay, slack and skew, a whole
 * day at markets, households by a join of persons).  SQLite.  Included by
 * bench/tracing_bench.c and bench/tracing_api.c.
 */
#ifndef CORDON_BENCH_TRACING_SQL_H
#define CORDON_BENCH_TRACING_SQL_H

#include <stdio.h>

#include "store/store.h"
#include "tracing/tracing.h"

/* The end of a presence, as SQL: missing or earlier check-out -> in + default stay; at most max stay. */
#define END(c)                                                                                                      \
    "(CASE WHEN " c ".checked_out_at IS NULL OR " c ".checked_out_at < " c ".checked_in_at THEN " c                 \
    ".checked_in_at + %d WHEN " c ".checked_out_at - " c ".checked_in_at > %d THEN " c ".checked_in_at + %d ELSE " c  \
    ".checked_out_at END)"

/*
 * The index the reference's statement needs: a person's check-ins by time.  Cordon's own schema
 * has none since migration 035 (its uniqueness (person_id, client_id) serves a person's few
 * rows), and without it SQLite's planner walks checkins_at for the time range instead.  Made
 * before the reference is timed, so that it is the best plain SQL can do.
 */
static inline int sql_reference_index(struct store *s)
{
    return store_exec(s, "CREATE INDEX IF NOT EXISTS reference_checkins_person ON checkins (person_id, checked_in_at)");
}

/* The reference: F1 and F2 counts of one case as a single SQL statement of self-joins (SQLite). */
static inline int sql_trace(struct store *s, const struct tracing_params *p, const struct tracing_case *c, int64_t *f1,
                     int64_t *f2)
{
    int D = p->default_stay, M = p->max_stay, S = p->slack + p->skew;
    long long P = (long long)c->person, F = (long long)c->from, U = (long long)c->until;
    char sql[8192];
    snprintf(sql, sizeof(sql),
             "WITH a AS (SELECT c.venue_id AS venue_id, MAX(c.checked_in_at, %lld) AS ci, MIN(" END("c")
             ", %lld) AS co, v.type = 'market' AS wd FROM checkins c JOIN venues v ON v.id = c.venue_id"
             " WHERE c.person_id = %lld AND c.checked_in_at >= %lld AND c.checked_in_at <= %lld AND " END("c")
             " >= %lld),"
             " aw AS (SELECT venue_id, ci, co,"
             " CASE WHEN wd THEN ((ci + 25200) / 86400) * 86400 - 25200 ELSE ci - %d END AS lo,"
             " CASE WHEN wd THEN ((co + 25200) / 86400 + 1) * 86400 - 25200 - 1 ELSE co + %d END AS hi FROM a),"
             " f1v AS (SELECT b.person_id AS pid, MIN(MIN(MAX(aw.ci, b.checked_in_at), aw.co)) AS first_at"
             " FROM aw JOIN checkins b ON b.venue_id = aw.venue_id AND b.checked_in_at >= aw.lo - %d"
             " AND b.checked_in_at <= aw.hi WHERE b.person_id <> %lld AND " END("b") " >= aw.lo GROUP BY b.person_id),"
             " hh AS (SELECT p.id AS pid, %lld AS first_at FROM persons me JOIN persons p"
             " ON p.household_id = me.household_id WHERE me.id = %lld AND p.id <> %lld),"
             " f1 AS (SELECT pid, MIN(first_at) AS first_at FROM (SELECT * FROM f1v UNION ALL SELECT * FROM hh)"
             " GROUP BY pid),"
             " a2 AS (SELECT c.venue_id AS venue_id, MAX(c.checked_in_at, f1.first_at) AS ci, MIN(" END("c")
             ", %lld) AS co, v.type = 'market' AS wd FROM f1 JOIN checkins c ON c.person_id = f1.pid"
             " AND c.checked_in_at >= f1.first_at - %d AND c.checked_in_at <= %lld JOIN venues v ON v.id = c.venue_id"
             " WHERE " END("c") " >= f1.first_at),"
             " aw2 AS (SELECT venue_id, ci, co,"
             " CASE WHEN wd THEN ((ci + 25200) / 86400) * 86400 - 25200 ELSE ci - %d END AS lo,"
             " CASE WHEN wd THEN ((co + 25200) / 86400 + 1) * 86400 - 25200 - 1 ELSE co + %d END AS hi FROM a2),"
             " f2 AS (SELECT b.person_id AS pid FROM aw2 JOIN checkins b ON b.venue_id = aw2.venue_id"
             " AND b.checked_in_at >= aw2.lo - %d AND b.checked_in_at <= aw2.hi WHERE " END("b") " >= aw2.lo"
             " UNION SELECT p.id FROM f1 JOIN persons me ON me.id = f1.pid JOIN persons p"
             " ON p.household_id = me.household_id)"
             " SELECT (SELECT COUNT(*) FROM f1) * 100000000 + (SELECT COUNT(*) FROM f2 WHERE pid <> %lld"
             " AND pid NOT IN (SELECT pid FROM f1))",
             /* a */ F, D, M, M, U, P, F - M, U, D, M, M, F,
             /* aw */ S, S,
             /* f1v */ M, P, D, M, M,
             /* hh */ F, P, P,
             /* a2 */ D, M, M, U, M, U, D, M, M,
             /* aw2 */ S, S,
             /* f2 */ M, D, M, M, P);
    int64_t v = 0;
    int rc = store_int(s, &v, sql, "");
    *f1 = v / 100000000;
    *f2 = v % 100000000;
    return rc;
}

#endif
