/*
 * work.h - the pending work of a staff member, counted for the menu.
 *
 * After sign-in each role lands on its tasks with a count beside each menu
 * entry.  Every count is one query over the existing tables, inside the
 * caller's area (store_sql_area); a role is given only the counts of the
 * work it does.  No personal data leaves: numbers only.
 *
 * work_store.c holds the queries, work_http.c the handler.
 */
#ifndef CORDON_WORK_WORK_H
#define CORDON_WORK_WORK_H

#include <stdint.h>

#include "store/store.h"

struct http_req;

/* Venues waiting for approval inside area. */
enum store_rc work_count_venues_pending(struct store *s, const char *area, int64_t *n);
/* Samples to take again: test orders pending and retest orders open, inside area. */
enum store_rc work_count_test_orders(struct store *s, const char *area, int64_t *n);
/* Tubes a lab received and has not resulted: by the lab's unit (lab), or inside area (officials). */
enum store_rc work_count_results_pending_lab(struct store *s, const char *lab_unit, int64_t *n);
enum store_rc work_count_results_pending_area(struct store *s, const char *area, int64_t *n);
/* Vaccination appointments whose person asked for another time, at sites inside area. */
enum store_rc work_count_reschedules(struct store *s, const char *area, int64_t *n);
/*
 * People living inside area due for a dose at `now`: their latest dose names a
 * next dose (next_earliest > 0) whose earliest time has come, and no later
 * dose is recorded.
 */
enum store_rc work_count_doses_due(struct store *s, const char *area, int64_t now, int64_t *n);

enum err work_handle_get(struct http_req *r); /* GET /api/v1/work */

#endif
