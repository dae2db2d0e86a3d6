/*
 * report_http.c - GET /api/v1/reports/checkins: check-in volumes per local
 * day (UTC+7) and child unit, for the officials of an area.
 *
 * Figures are counts only (venues with check-ins, check-ins), no personal
 * data, so the report is not written to the audit log.  Only days and units
 * that had check-ins appear.
 */
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "core/clock.h"
#include "http/http.h"
#include "store/store.h"
#include "venue/checkin.h"

#define REPORT_DEFAULT_DAYS 7

/* Reads a YYYY-MM-DD query parameter as a local day; absent gives def. */
static int query_day(struct http_req *r, const char *name, int64_t def, int64_t *out)
{
    const char *v = http_query(r, name);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!vn_date_parse(v, out))
        return http_fail(r, ERR_INVALID_FIELD, name, "%s must be a date YYYY-MM-DD", name);
    return 0;
}

enum err checkin_handle_report(struct http_req *r)
{
    const char *code = http_query(r, "unit");
    if (!code)
        code = r->who->unit_code;
    const struct unit *u;
    int64_t from, to, today = vn_day(clock_now());
    int rc = unit_check(code, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc)
        rc = query_day(r, "to", today, &to);
    if (!rc)
        rc = query_day(r, "from", to - (REPORT_DEFAULT_DAYS - 1), &from);
    if (rc)
        return rc;
    if (from > to)
        return http_fail(r, ERR_INVALID_FIELD, "from", "from must not be after to");
    if (to - from + 1 > CHECKIN_REPORT_MAX_DAYS)
        return http_fail(r, ERR_INVALID_FIELD, "to", "a report covers at most %d days", CHECKIN_REPORT_MAX_DAYS);
    if ((rc = area_require(r, u->code)))
        return rc;

    struct checkin_report_row *rows;
    int n;
    rc = checkin_report(r->store, &r->arena, u, from, to, &rows, &n);
    if (rc)
        return store_err(rc);
    json_t *days = json_array();
    for (int i = 0; i < n; i++) {
        char date[11];
        vn_date_format(rows[i].day, date);
        json_array_append_new(days, json_pack("{s:s, s:s, s:I, s:I}", "date", date, "unit_code",
                                              rows[i].unit_code ? rows[i].unit_code : "", "venues",
                                              (json_int_t)rows[i].venues, "checkins", (json_int_t)rows[i].checkins));
    }
    char from_s[11], to_s[11];
    vn_date_format(from, from_s);
    vn_date_format(to, to_s);
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:s, s:o}", "unit", u->code, "from", from_s, "to", to_s, "days", days));
}
