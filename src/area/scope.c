/*
 * scope.c - the caller's area (scope.h).
 */
#include "area/scope.h"

#include "area/unit.h"
#include "http/http.h"

int area_require(struct http_req *r, const char *unit_code)
{
    if (r->who && r->who->unit_code && unit_within(r->who->unit_code, unit_code))
        return 0;
    return http_fail(r, ERR_FORBIDDEN, NULL, "unit %s lies outside your area", unit_code);
}

int area_from_query(struct http_req *r, const char *param, const struct unit **out)
{
    if (!r->who || !r->who->unit_code)
        return http_fail(r, ERR_FORBIDDEN, NULL, "only staff with an area may list these records");
    const char *code = http_query(r, param);
    int rc = unit_check(code ? code : r->who->unit_code, param, ERR_INVALID_FIELD, out, &r->fault);
    return rc ? rc : area_require(r, (*out)->code);
}
