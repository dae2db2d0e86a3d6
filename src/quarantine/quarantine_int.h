/*
 * quarantine_int.h - what the files of src/quarantine/ share.
 */
#ifndef CORDON_QUARANTINE_QUARANTINE_INT_H
#define CORDON_QUARANTINE_QUARANTINE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

struct store;

struct quarantine_order {
    int64_t id, person_id, case_id;
    char kind[16];
    char address[256];
    bool has_place;
    int64_t lat_e6, lon_e6;
    int64_t start_day, end_day;
    int checkins_per_day, radius_m, grace_minutes;
    char status[16];
    char province_code[8], district_code[8], commune_code[8];
    int64_t created_at;
};

int quarantine__order_get(struct store *s, int64_t id, struct quarantine_order *out);
/* Orders matching `where` (one parameter: a string when types is "s", else an int64_t pointed to by arg), newest
 * first. */
int quarantine__orders_query(struct store *s, struct arena *a, const char *where, const char *types, int64_t limit,
                             const char *arg, struct quarantine_order **out, int *n);
/* Inserts the alert unless it exists; a new one queues a reminder to the person. */
int quarantine__alert(struct store *s, const struct quarantine_order *o, const char *kind, int64_t slot_start,
                      const char *detail, int64_t now, bool *raised);

#endif
