/*
 * situation_http.c - GET /api/v1/situation: the figures of an area for a day.
 * Counts only, no personal record: the read is not audited.
 */
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "core/clock.h"
#include "http/http.h"
#include "situation/situation.h"
#include "store/store.h"

enum err situation_handle_get(struct http_req *r)
{
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    int64_t today = vn_day(clock_now()), day = today;
    const char *date = http_query(r, "date");
    if (date && *date && !vn_date_parse(date, &day))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date YYYY-MM-DD");
    if (day > today)
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must not be after today");
    /* source=raw counts from the tables instead of the counters: a check, at the old cost */
    const char *source = http_query(r, "source");
    bool raw = source && !strcmp(source, "raw");
    if (source && *source && !raw && strcmp(source, "counters"))
        return http_fail(r, ERR_INVALID_FIELD, "source", "source must be counters or raw");
    json_t *fig;
    rc = situation_figures_raw(r->store, u, day, true, raw, &fig);
    if (rc)
        return store_err(rc);
    char d[11];
    vn_date_format(day, d);
    json_object_set_new(fig, "unit", json_pack("{s:s, s:s, s:i}", "code", u->code, "name", u->name_with_type,
                                               "level", u->level));
    json_object_set_new(fig, "date", json_string(d));
    json_object_set_new(fig, "windows", json_pack("[s, s, s]", "today", "7d", "14d"));
    return http_reply_json(r, 200, fig);
}
