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

enum err vaccine_handle_oversight_coverage(struct http_req *r)
{
    static const char *const keys[] = {"commune", "commune_code", "day", "day", "age_group", "age_group",
                                       "priority_group", "priority_group", "product", "product", NULL};
    const char *by = http_query(r, "by"), *key = NULL;
    const char *code, *from, *to;
    if (!by)
        by = "commune";
    for (int i = 0; keys[i]; i += 2)
        if (!strcmp(keys[i], by))
            key = keys[i + 1];
    if (!key)
        return http_fail(r, ERR_INVALID_FIELD, "by", "by must be commune, day, age_group, priority_group or product");
    int rc = vaccine__area_query(r, "unit", &code);
    if (!rc)
        rc = read_range(r, &from, &to);
    if (rc)
        return rc;
    json_t *rows;
    rc = vaccine__coverage(r->store, key, code, from, to, &rows);
    if (rc)
        return store_err(rc);
    audit_request(r, "vaccine_oversight.coverage", "vaccine_dose", NULL, code);
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "by", by, "unit", code, "rows", rows));
}

enum err vaccine_handle_oversight_sites(struct http_req *r)
{
    const char *code, *from, *to;
    int rc = vaccine__area_query(r, "unit", &code);
    if (!rc)
        rc = read_range(r, &from, &to);
    if (rc)
        return rc;
    json_t *rows;
    rc = vaccine__site_days(r->store, code, from, to, &rows);
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
    const char *code, *from, *to;
    int rc = vaccine__area_query(r, "unit", &code);
    if (!rc)
        rc = read_range(r, &from, &to);
    if (rc)
        return rc;
    json_t *rows;
    rc = vaccine__adverse_counts(r->store, code, from, to, &rows);
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
