/*
 * unit.h - Vietnam's administrative units and area scope.
 *
 * The official list (63 provinces, 705 districts, 10,599 communes and wards,
 * GSO codes, as of 2021-08-01) ships inside the binary and is written to the
 * units table by `cordon migrate`.  At start the server reads the table into
 * a read-only registry in memory: scope checks, listing children and search
 * then need no query.  Every located record carries its province, district
 * and commune codes, so "inside my area" is one indexed column comparison.
 */
#ifndef CORDON_AREA_UNIT_H
#define CORDON_AREA_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

struct store;

#define UNIT_NATION "VN"

struct unit {
    char code[8];
    char parent[8];     /* "" for the nation */
    int level;          /* 0 nation, 1 province, 2 district, 3 commune */
    char type[16];
    char *name;
    char *name_with_type;
    char *search;       /* text_fold(name_with_type) */
    char province[4];   /* "" at level 0 */
    char district[4];   /* "" at levels 0-1 */
    const struct unit **children;
    size_t nchildren;
};

/* Writes the shipped reference list into the units table (skips when already loaded). */
int unit_reference_load(struct store *s, void (*progress)(size_t done, size_t total));
/* Loads the registry from the units table; call once before serving. */
int unit_registry_load(struct store *s);
void unit_registry_free(void);

const struct unit *unit_find(const char *code);
/* true if code is scope itself or lies below it. */
bool unit_within(const char *scope, const char *code);
/* Units whose folded name contains the folded query words, best first; returns the count. */
size_t unit_search(const char *q, const struct unit **out, size_t max);

/*
 * Validates a unit code from a request: NULL or empty -> ERR_MISSING_FIELD, malformed -> ERR_INVALID_FIELD,
 * well-formed but unknown -> unknown_err (ERR_INVALID_FIELD in bodies,
 * ERR_NOT_FOUND in paths).
 */
int unit_check(const char *code, const char *field, enum err unknown_err, const struct unit **out, struct fault *f);

/* The province/district/commune codes of a unit ("" where above its level). */
void unit_ancestors(const struct unit *u, const char **province, const char **district, const char **commune);

/* Handlers (unit_http.c) */
struct http_req;
json_t *unit_to_json(const struct unit *u);
enum err unit_handle_list(struct http_req *r);

/* Maps (map_http.c): the tile server a deployment set, else the shipped outlines. */
#define MAP_OUTLINES_PATH "/maps/provinces.geojson"
#define MAP_OUTLINES_CREDIT "geoBoundaries (CC BY 4.0)"
void area_map_configure(const char *tiles_url, const char *attribution);
/* "" (none), or an http(s) or server path URL holding {z}, {x} and {y}. */
bool area_map_tiles_url_valid(const char *url);
/* The origin (scheme://host[:port]) of a valid tile URL into out, "" for a path on this server. */
const char *area_map_tiles_origin(const char *url, char *out, size_t n);
enum err area_handle_map(struct http_req *r);
enum err unit_handle_search(struct http_req *r);
enum err unit_handle_get(struct http_req *r);

#endif
