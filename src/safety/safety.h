/*
 * safety.h - the COVID-safety map ("An toàn COVID").
 *
 * A facility (a venue with coordinates) fills a daily self-assessment: the
 * checklist of table safety_checks (migration 026) with a weight per check;
 * the weights of the checks met make the score, and the levels of
 * safety_levels give the day's status (safe, at risk, unsafe); a venue with
 * no assessment today is "not assessed".  Commune staff inspect on site and
 * set the status with a note, which overrides the day's self-assessment.
 * The public map answers GeoJSON points.
 *
 * score.c holds the rule (no SQL, no HTTP), safety_store.c the queries,
 * safety_http.c the handlers, demo.c facilities of each colour.
 */
#ifndef CORDON_SAFETY_SAFETY_H
#define CORDON_SAFETY_SAFETY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct http_req;

#define SAFETY_MAX_CHECKS 24

struct safety_check {
    char code[32];
    int weight;
};

/* The checklist and the levels, as the store holds them. */
struct safety_rules {
    struct safety_check checks[SAFETY_MAX_CHECKS];
    int nchecks;
    int min_safe, min_at_risk; /* lowest scores of safe and at_risk */
};

/* ---------------------------------------------------------------- the rule (score.c) */

/* Score 0..100: the weights of the checks met over the weights of all checks. */
int safety_score(const struct safety_rules *r, const bool *met);
/* "safe", "at_risk" or "unsafe" for a score. */
const char *safety_status(const struct safety_rules *r, int score);
bool safety_status_valid(const char *s);

/* ---------------------------------------------------------------- queries (safety_store.c) */

enum store_rc safety_rules_load(struct store *s, struct safety_rules *out);
enum store_rc safety_place_set(struct store *s, int64_t venue_id, int64_t lat_e6, int64_t lon_e6, int64_t now);

struct safety_assessment {
    int64_t venue_id, day, by;
    const char *kind, *checks, *status, *note;
    int score; /* -1 for an inspection */
    const char *province_code, *district_code, *commune_code;
    int64_t created_at;
};
/* The day's assessment of its kind, replaced when made again the same day. */
enum store_rc safety_assessment_put(struct store *s, const struct safety_assessment *a);

/* Public map rows: approved venues with a place inside unit, with the day's status. */
enum store_rc safety_map(struct store *s, const char *unit, int64_t day, json_t **features);
/* Approved venues inside area with no assessment on day (with or without a place). */
enum store_rc safety_missing(struct store *s, const char *area, int64_t day, json_t **venues);
/* Their count, for the pending work of GET /api/v1/work. */
enum store_rc safety_count_missing(struct store *s, const char *area, int64_t day, int64_t *n);

/* ---------------------------------------------------------------- demo */

/* venues: the demo market and noodle shop, then the four facilities of venue_demo_facilities. */
int safety_demo(struct store *s, int64_t owner, int64_t official, const int64_t *venues, int n);

/* ---------------------------------------------------------------- handlers */

enum err safety_handle_checklist(struct http_req *r);  /* GET /api/v1/safety/checklist */
enum err safety_handle_assess(struct http_req *r);     /* POST /api/v1/venues/{id}/safety */
enum err safety_handle_inspect(struct http_req *r);    /* POST /api/v1/venues/{id}/safety/inspection */
enum err safety_handle_public(struct http_req *r);     /* GET /api/v1/public/safety?unit= (GeoJSON) */
enum err safety_handle_missing(struct http_req *r);    /* GET /api/v1/safety/missing?unit= */

#endif
