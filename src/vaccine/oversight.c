/*
 * oversight.c - figures for officials, over their own area:
 *   GET /api/v1/vaccine/oversight/coverage?by=commune|day|age_group|priority_group|product&unit=&from=&to=
 *   GET /api/v1/vaccine/oversight/sites?unit=&from=&to=      doses per site per day against capacity
 *   GET /api/v1/vaccine/oversight/adverse-events?unit=&from=&to=   adverse events by severity
 * Coverage counts people by where they live (the dose row keeps the
 * residence); site figures by where the site is.  Days are local dates.
 */
#include <string.h>

#include "audit/audit.h"
#include "http/http.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

/* Reads from/to (YYYY-MM-DD, both optional). */
static int read_range(struct http_req *r, const char **from, const char **to)
{
    int64_t t;
    *from = http_query(r, "from");
    *to = http_query(r, "to");
    if (*from && !vaccine__parse_day(*from, NULL, &t))
        return http_fail(r, ERR_INVALID_FIELD, "from", "from must be YYYY-MM-DD");
    if (*to && !vaccine__parse_day(*to, NULL, &t))
        return http_fail(r, ERR_INVALID_FIELD, "to", "to must be YYYY-MM-DD");
    return 0;
}

/* Appends area and day filters (text arguments, in order) to sql. */
static void filters(char *sql, const char *column, const char *code, const char *prefix, const char *day_col,
                    const char *from, const char *to, const char **sv, int *ns)
{
    if (column) {
        strcat(sql, vaccine__area_clause(column, prefix));
        sv[(*ns)++] = code;
    }
    if (from) {
        strcat(sql, " AND ");
        strcat(sql, day_col);
        strcat(sql, " >= ?");
        sv[(*ns)++] = from;
    }
    if (to) {
        strcat(sql, " AND ");
        strcat(sql, day_col);
        strcat(sql, " <= ?");
        sv[(*ns)++] = to;
    }
}

enum err vaccine_handle_oversight_coverage(struct http_req *r)
{
    static const char *const keys[] = {"commune", "commune_code", "day", "day", "age_group", "age_group",
                                       "priority_group", "priority_group", "product", "product", NULL};
    const char *by = http_query(r, "by"), *key = NULL;
    const char *column, *code, *from, *to;
    if (!by)
        by = "commune";
    for (int i = 0; keys[i]; i += 2)
        if (!strcmp(keys[i], by))
            key = keys[i + 1];
    if (!key)
        return http_fail(r, ERR_INVALID_FIELD, "by", "by must be commune, day, age_group, priority_group or product");
    int rc = vaccine__area_query(r, "unit", &column, &code);
    if (!rc)
        rc = read_range(r, &from, &to);
    if (rc)
        return rc;
    char sql[1024];
    const char *sv[4];
    int ns = 0;
    /* key comes from the constant table above, never from the request. */
    snprintf(sql, sizeof(sql),
             "SELECT %s AS key, COUNT(*) AS doses, COUNT(DISTINCT person_id) AS people,"
             " SUM(CASE WHEN dose_number = 1 THEN 1 ELSE 0 END) AS first_doses,"
             " SUM(completes) AS completed, SUM(booster) AS boosters FROM vaccine_doses WHERE 1 = 1",
             key);
    filters(sql, column, code, "", "day", from, to, sv, &ns);
    strcat(sql, " GROUP BY ");
    strcat(sql, key);
    strcat(sql, " ORDER BY 1");
    struct store_stmt *st;
    rc = vaccine__query(r->store, &st, sql, sv, ns, NULL, 0);
    json_t *rows;
    rc = vaccine__rows(st, rc, "siiiii", &rows);
    if (rc)
        return store_err(rc);
    audit_request(r, "vaccine_oversight.coverage", "vaccine_dose", NULL, code);
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "by", by, "unit", code, "rows", rows));
}

enum err vaccine_handle_oversight_sites(struct http_req *r)
{
    const char *column, *code, *from, *to;
    int rc = vaccine__area_query(r, "unit", &column, &code);
    if (!rc)
        rc = read_range(r, &from, &to);
    if (rc)
        return rc;
    char sql[1400];
    const char *sv[4];
    int ns = 0;
    strcpy(sql, "SELECT d.site_id, si.name AS site_name, d.day, d.product, COUNT(*) AS doses,"
                " c.daily_capacity AS capacity FROM vaccine_doses d JOIN vaccine_sites si ON si.id = d.site_id"
                " LEFT JOIN vaccine_site_capacity c ON c.site_id = d.site_id AND c.product = d.product WHERE 1 = 1");
    filters(sql, column, code, "site_", "d.day", from, to, sv, &ns);
    strcat(sql, " GROUP BY d.site_id, si.name, d.day, d.product, c.daily_capacity ORDER BY d.day, d.site_id, d.product");
    struct store_stmt *st;
    rc = vaccine__query(r->store, &st, sql, sv, ns, NULL, 0);
    json_t *rows;
    rc = vaccine__rows(st, rc, "isssii", &rows);
    if (rc)
        return store_err(rc);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        int64_t cap = vaccine__int(row, "capacity");
        json_object_set_new(row, "over_capacity", json_boolean(cap && vaccine__int(row, "doses") > cap));
        json_object_set_new(row, "utilisation",
                            cap ? json_real((double)vaccine__int(row, "doses") / (double)cap) : json_null());
    }
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "unit", code, "rows", rows));
}

enum err vaccine_handle_oversight_adverse(struct http_req *r)
{
    const char *column, *code, *from, *to;
    int rc = vaccine__area_query(r, "unit", &column, &code);
    if (!rc)
        rc = read_range(r, &from, &to);
    if (rc)
        return rc;
    char sql[1024];
    const char *sv[4];
    int ns = 0;
    strcpy(sql, "SELECT e.severity, d.product, COUNT(*) AS events FROM vaccine_adverse_events e"
                " JOIN vaccine_doses d ON d.id = e.dose_id WHERE 1 = 1");
    filters(sql, column, code, "e.", "d.day", from, to, sv, &ns);
    strcat(sql, " GROUP BY e.severity, d.product ORDER BY e.severity, d.product");
    struct store_stmt *st;
    rc = vaccine__query(r->store, &st, sql, sv, ns, NULL, 0);
    json_t *rows;
    rc = vaccine__rows(st, rc, "ssi", &rows);
    if (rc)
        return store_err(rc);
    json_t *by = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *sev = vaccine__str(row, "severity");
        json_object_set_new(by, sev, json_integer(vaccine__int(by, sev) + vaccine__int(row, "events")));
    }
    return http_reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "unit", code, "by_severity", by, "rows", rows));
}
