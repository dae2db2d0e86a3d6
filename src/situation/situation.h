/*
 * situation.h - the situation of an area: for a unit and each unit below it,
 * the figures of the day and of the 7 and 14 days up to it (new cases,
 * contacts, quarantine, testing, vaccination, declarations, check-ins).
 *
 * Figures are counts over the located columns every platform's rows carry
 * (province_code, district_code, commune_code), grouped by the level below
 * the unit.  Rows inside the unit whose place below it is unknown are counted
 * in an "unknown place" row, never dropped.
 */
#ifndef CORDON_SITUATION_H
#define CORDON_SITUATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/err.h"

struct store;
struct unit;
struct http_req;

/* The windows every windowed figure is counted over: the day, 7 and 14 days up to it. */
enum { SIT_TODAY, SIT_7D, SIT_14D, SIT_NWIN };

#define SITUATION_UPLOAD_MAX (4u << 20) /* bytes of one population file */

/*
 * The figures of unit u on local day `day`: a JSON object with "total",
 * "rows" (one per unit below u; u itself for a commune) and "unknown_place".
 * Returns a store code (STORE_OK) and sets *out.
 */
int situation_figures(struct store *s, const struct unit *u, int64_t day, json_t **out);
/* The same, with "daily" when with_series: {"days": [14 dates], "<figure>": [14 counts], ...}. */
int situation_figures_series(struct store *s, const struct unit *u, int64_t day, bool with_series, json_t **out);

/*
 * The counts (counters.c): kept in situation_counts by triggers on the counted
 * tables, in the writing transaction, at three levels (nation by province,
 * province by district, district by commune).  A count adds `sign` on the
 * local day `day` (SQL over the row "$") for each row matching `cond`; a
 * state's counts (in quarantine, vaccinated) are its changes by day, with
 * their total over all days kept at day SIT_ALL_DAYS.
 */
struct sit_counter {
    const char *name, *table, *day, *cond;
    int sign;   /* +1, or -1 where a row leaves a state */
    bool state; /* the figure on day D is every change up to D */
};
extern const struct sit_counter SIT_COUNTERS[];
extern const size_t SIT_NCOUNTERS;
#define SIT_ALL_DAYS (-1)
/* Turnaround by whole hours: figures "turnaround_h0" .. "turnaround_h336" (336: 14 days or more). */
#define SIT_TURNAROUND "turnaround_h"
#define SIT_TURNAROUND_MAX 336
/* A case (row r) found in quarantine: an order covered the day it was confirmed when it was. */
#define SIT_IN_QUARANTINE(r)                                                                                 \
    "EXISTS (SELECT 1 FROM quarantine_orders o WHERE o.person_id = " r ".person_id"                          \
    " AND o.status <> 'cancelled' AND o.created_at <= " r ".confirmed_at"                                    \
    " AND o.start_day <= (" r ".confirmed_at + " VN_OFFSET_SQL ") / 86400"                                   \
    " AND o.end_day >= (" r ".confirmed_at + " VN_OFFSET_SQL ") / 86400)"
/* Makes (or remakes) the triggers that keep the counts; call inside a transaction. */
#define SITUATION_COUNTERS_MIGRATION 32 /* the migration that made situation_counts */
int situation_counters_install(struct store *s);
/* Recomputes every counter from the tables; progress(done, total) after each figure. */
int situation_counters_rebuild(struct store *s, void (*progress)(size_t done, size_t total));
/*
 * New check-ins are counted by the code that stores them, in its transaction (no trigger: see
 * counters.c): n rows on local day `day` at a place (codes may be NULL, an unknown place).  The
 * writer passes a batch's places; a bulk load counts every check-in from an id on.
 */
struct sit_checkins {
    const char *province, *district, *commune;
    int64_t day, n;
};
int situation_count_checkins(struct store *s, const struct sit_checkins *in, size_t n);
int situation_count_checkins_from(struct store *s, int64_t first_id);
/*
 * New tracing contacts, too: a run inserts hundreds, and the trigger per row was three quarters
 * of the time to store them.  Counts the rows of `table` (one whose inserts are not counted by a
 * trigger) with `key_column` = key and an id past after_id: the rows this transaction inserted,
 * when after_id was the table's largest id before it inserted any.
 */
int situation_count_inserted(struct store *s, const char *table, const char *key_column, int64_t key,
                             int64_t after_id);
/* The figures counted from the tables themselves (source=raw), to check the counters against. */
int situation_figures_raw(struct store *s, const struct unit *u, int64_t day, bool with_series, bool raw,
                          json_t **out);

/* Population age bands: everyone, and people of 18, 50 and 65 and over. */
enum { POP_NBANDS = 4 };
extern const char *const POP_BANDS[POP_NBANDS]; /* "all", "18", "50", "65" */

/* A unit's own population by band, -1 where unknown. */
int situation_population(struct store *s, const char *unit_code, int64_t out[POP_NBANDS]);
/* {"all": n|null, "18": ..., "50": ..., "65": ...} */
json_t *situation_population_json(const int64_t v[POP_NBANDS]);

/* `cordon demo`: cases on each of the last seven days in two districts of Hà Nội (Hoàn Kiếm, Đống Đa). */
int situation_demo(struct store *s);

/* GET /api/v1/situation?unit=CODE&date=YYYY-MM-DD */
enum err situation_handle_get(struct http_req *r);
/* POST /api/v1/populations/upload (the body is a CSV or XLSX file) */
enum err situation_handle_population_upload(struct http_req *r);
/* GET /api/v1/populations?unit=CODE */
enum err situation_handle_populations(struct http_req *r);
/* The level (1-4, 0 unknown) of a unit from its figures of day, raises included. */
int situation_level(struct store *s, const char *code, json_t *fig, int64_t day, int *level);
/* GET /api/v1/reports/daily?unit=&date=&format=pdf|xlsx (report.c) */
enum err situation_handle_daily_report(struct http_req *r);
/* The morning job (daily_job.c): queues the day before's report to each unit's officials. */
int situation_job_daily_report(struct store *s, int64_t now, const char **detail);
/* Epidemic levels (levels.c) */
enum err situation_handle_public_levels(struct http_req *r);    /* GET /api/v1/public/levels */
enum err situation_handle_level_rules(struct http_req *r);      /* GET /api/v1/levels/rules */
enum err situation_handle_level_rules_put(struct http_req *r);  /* PUT /api/v1/levels/rules */
enum err situation_handle_level_raise(struct http_req *r);      /* POST /api/v1/levels/raises */
void situation_levels_changed(void); /* rules, raises or populations changed: public answers kept are stale */

#endif
