/*
 * safety_store.c - the safety tables of migration 026.  The map and the
 * missing list read the venues table (read only, approved venues of an
 * area): a bulk read venue's header does not offer.
 */
#include <stdio.h>
#include <string.h>

#include "safety/safety.h"
#include "store/sql.h"
#include "store/store.h"

enum store_rc safety_rules_load(struct store *s, struct safety_rules *out)
{
    memset(out, 0, sizeof(*out));
    out->min_safe = 80;
    out->min_at_risk = 50;
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT code, weight FROM safety_checks WHERE enabled = 1 ORDER BY position, code", "");
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (out->nchecks >= SAFETY_MAX_CHECKS)
            continue;
        struct safety_check *c = &out->checks[out->nchecks++];
        snprintf(c->code, sizeof(c->code), "%s", store_col_text(st, 0));
        c->weight = (int)store_col_int(st, 1);
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        return rc;
    rc = store_query(s, &st, "SELECT status, min_score FROM safety_levels", "");
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *status = store_col_text(st, 0);
        if (status && !strcmp(status, "safe"))
            out->min_safe = (int)store_col_int(st, 1);
        else if (status && !strcmp(status, "at_risk"))
            out->min_at_risk = (int)store_col_int(st, 1);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc safety_place_set(struct store *s, int64_t venue_id, int64_t lat_e6, int64_t lon_e6, int64_t now)
{
    return store_run(s, NULL,
                     "INSERT INTO safety_places (venue_id, lat_e6, lon_e6, updated_at) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (venue_id) DO UPDATE SET lat_e6 = excluded.lat_e6, lon_e6 = excluded.lon_e6,"
                     " updated_at = excluded.updated_at",
                     "iiii", venue_id, lat_e6, lon_e6, now);
}

enum store_rc safety_assessment_put(struct store *s, const struct safety_assessment *a)
{
    if (a->score >= 0)
        return store_run(s, NULL,
                         "INSERT INTO safety_assessments (venue_id, day, kind, checks, score, status, note, by_account,"
                         " province_code, district_code, commune_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (venue_id, day, kind) DO UPDATE SET checks = excluded.checks, score = excluded.score,"
                         " status = excluded.status, note = excluded.note, by_account = excluded.by_account,"
                         " created_at = excluded.created_at",
                         "iissdssisssi", a->venue_id, a->day, a->kind, a->checks, a->score, a->status, a->note, a->by,
                         a->province_code, a->district_code, a->commune_code, a->created_at);
    return store_run(s, NULL,
                     "INSERT INTO safety_assessments (venue_id, day, kind, checks, status, note, by_account,"
                     " province_code, district_code, commune_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (venue_id, day, kind) DO UPDATE SET status = excluded.status, note = excluded.note,"
                     " by_account = excluded.by_account, created_at = excluded.created_at",
                     "iissssisssi", a->venue_id, a->day, a->kind, a->checks, a->status, a->note, a->by,
                     a->province_code, a->district_code, a->commune_code, a->created_at);
}

/* The day's status of each venue: an inspection over a self-assessment. */
#define DAY_STATUS                                                                                                    \
    " LEFT JOIN safety_assessments si ON si.venue_id = v.id AND si.day = ? AND si.kind = 'inspection'"               \
    " LEFT JOIN safety_assessments ss ON ss.venue_id = v.id AND ss.day = ? AND ss.kind = 'self'"

enum store_rc safety_map(struct store *s, const char *unit, int64_t day, json_t **features)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT v.id, v.name, v.type, v.commune_code, p.lat_e6, p.lon_e6, COALESCE(si.status, ss.status),"
                   " ss.score, si.status IS NOT NULL, si.note FROM venues v JOIN safety_places p ON p.venue_id = v.id" DAY_STATUS
                   " WHERE v.status = 'approved'",
                   "ii", day, day);
    store_sql_area(&q, "v", unit);
    store_sql_add(&q, " ORDER BY v.id LIMIT 20000", "");
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    if (rc)
        return rc;
    *features = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *status = store_col_text(st, 6);
        json_t *props = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b}", "venue_id", (json_int_t)store_col_int(st, 0),
                                  "name", store_col_text(st, 1), "type", store_col_text(st, 2), "commune_code",
                                  store_col_text(st, 3), "status", status ? status : "not_assessed", "score",
                                  store_col_null(st, 7) ? json_null() : json_integer(store_col_int(st, 7)), "inspected",
                                  store_col_int(st, 8) != 0);
        json_array_append_new(*features,
                              json_pack("{s:s, s:{s:s, s:[f, f]}, s:o}", "type", "Feature", "geometry", "type", "Point",
                                        "coordinates", (double)store_col_int(st, 5) / 1e6,
                                        (double)store_col_int(st, 4) / 1e6, "properties", props));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(*features);
        *features = NULL;
        return rc;
    }
    return STORE_OK;
}

enum store_rc safety_count_missing(struct store *s, const char *area, int64_t day, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT count(*) FROM venues v" DAY_STATUS " WHERE v.status = 'approved' AND si.id IS NULL AND ss.id IS NULL",
                   "ii", day, day);
    store_sql_area(&q, "v", area);
    return store_sql_int(s, n, &q);
}

enum store_rc safety_missing(struct store *s, const char *area, int64_t day, json_t **venues)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT v.id, v.name, v.type, v.street, v.commune_code, p.venue_id IS NOT NULL FROM venues v"
                   " LEFT JOIN safety_places p ON p.venue_id = v.id" DAY_STATUS
                   " WHERE v.status = 'approved' AND si.id IS NULL AND ss.id IS NULL",
                   "ii", day, day);
    store_sql_area(&q, "v", area);
    store_sql_add(&q, " ORDER BY v.commune_code, v.name, v.id LIMIT 5000", "");
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    if (rc)
        return rc;
    *venues = json_array();
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(*venues, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)store_col_int(st, 0),
                                                 "name", store_col_text(st, 1), "type", store_col_text(st, 2), "street",
                                                 store_col_text(st, 3), "commune_code", store_col_text(st, 4),
                                                 "has_place", store_col_int(st, 5) != 0));
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(*venues);
        *venues = NULL;
        return rc;
    }
    return STORE_OK;
}
