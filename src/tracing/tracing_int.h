/*
 * tracing_int.h - what the files of src/tracing/ share and nobody else uses.
 */
#ifndef CORDON_TRACING_TRACING_INT_H
#define CORDON_TRACING_TRACING_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

struct store;

/* The one row of tracing_policy. */
struct tracing_policy {
    int quarantine_days;    /* 1..60 */
    char place_kind[16];    /* home | centre */
    int checkins_per_day;   /* 1..12 */
    int radius_m;           /* 10..5000 */
    int grace_minutes;      /* 0..720 */
    char test_days[128];    /* "1,7,14": days counted from the exposure day (day 1) */
    bool enabled;           /* false: F1 get no orders */
    int window_days_before; /* infectious window starts this many days before onset or test */
};

enum store_rc tracing_policy_get(struct store *s, struct tracing_policy *out);
enum store_rc tracing_policy_put(struct store *s, const struct tracing_policy *p, int64_t now);
json_t *tracing_policy_to_json(const struct tracing_policy *p);

/* A case a tracer enters (rows of table cases, status confirmed). */
struct tracing_case_new {
    const char *client_id;
    int64_t person_id;
    int64_t confirmed_at; /* test date */
    int64_t onset_at;     /* onset, or the test date when unknown */
    int64_t isolated_at;  /* 0: not yet (the window ends at confirmed_at) */
    const char *province_code, *district_code, *commune_code; /* the person's */
    int64_t entered_by;
};

/* Inserts unless client_id exists; *created says which; *id either way. */
enum store_rc tracing_case_insert(struct store *s, const struct tracing_case_new *in, int64_t now,
                                  int64_t *id, bool *created);
/* The commune of a case (in a). STORE_DONE if no such case. */
enum store_rc tracing_case_area(struct store *s, struct arena *a, int64_t case_id, const char **commune);

#endif
