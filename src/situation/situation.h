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

#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

struct store;
struct unit;
struct http_req;

/* The windows every windowed figure is counted over: the day, 7 and 14 days up to it. */
enum { SIT_TODAY, SIT_7D, SIT_14D, SIT_NWIN };

/*
 * The figures of unit u on local day `day`: a JSON object with "total",
 * "rows" (one per unit below u; u itself for a commune) and "unknown_place".
 * Returns a store code (STORE_OK) and sets *out.
 */
int situation_figures(struct store *s, const struct unit *u, int64_t day, json_t **out);

/* `cordon demo`: cases on each of the last seven days in two districts of Hà Nội (Hoàn Kiếm, Đống Đa). */
int situation_demo(struct store *s);

/* GET /api/v1/situation?unit=CODE&date=YYYY-MM-DD */
enum err situation_handle_get(struct http_req *r);

#endif
