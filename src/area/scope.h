/*
 * scope.h - the caller's area: a staff account acts on its unit and every
 * unit below it (a district official on every commune of the district).
 *
 * Beneath every platform, with the unit tree: domains and shared machinery
 * (audit, exports) check a record's unit or a list's ?unit= here, and build
 * their queries with store_sql_area over the same unit.
 */
#ifndef CORDON_AREA_SCOPE_H
#define CORDON_AREA_SCOPE_H

struct http_req;
struct unit;

/* 0 if unit_code lies inside the caller's area, else fills a 403 fault and returns its code. */
int area_require(struct http_req *r, const char *unit_code);

/*
 * The unit a list asks for: query parameter `param` (default: the caller's own
 * unit), a known unit inside the caller's area (400 naming param when unknown
 * or malformed, 403 when outside, 403 for a caller without an area).
 */
int area_from_query(struct http_req *r, const char *param, const struct unit **out);

#endif
