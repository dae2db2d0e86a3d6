/*
 * venue_int.h - internals shared by the venue files (registration, posters,
 * visitor logs); check-ins and other domains use venue.h only.
 */
#ifndef CORDON_VENUE_VENUE_INT_H
#define CORDON_VENUE_VENUE_INT_H

#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"
#include "venue/venue.h"

#define VENUE_NAME_MAX 200     /* characters */
#define VENUE_STREET_MAX 200   /* characters */
#define VENUE_CAPACITY_MAX 100000

struct venue_new {
    const char *client_id; /* NULL: none given */
    const char *name, *type, *commune_code, *street;
    int64_t capacity;
    int64_t owner_account_id;
};

struct venue_filter {
    const char *unit_code;      /* area; NULL: no area filter */
    int64_t owner_account_id;   /* 0: any owner */
    const char *status;         /* NULL: any */
    int64_t limit, offset;
};

/* One row of a visitor log. */
struct venue_visit {
    int64_t checkin_id;
    int64_t checked_in_at;
    int64_t checked_out_at;     /* 0: still inside */
    const char *full_name;      /* NULL if the person gave none */
    const char *phone;          /* NULL if none */
    const char *method;
};

/* Model (venue.c) */
bool venue__type_valid(const char *type);
extern const char *const venue__types[];
/* Checks a registration; fills f naming the field on refusal. */
int venue__check_new(const struct venue_new *in, struct fault *f);
/* Parses YYYY-MM-DD into the epoch second of that day's Vietnam midnight. -1 if malformed. */
int venue__parse_day(const char *s, int64_t *start);
/* "0912***678": keeps the first four and last three digits. Writes into out[16]. */
void venue__mask_phone(const char *phone, char out[16]);
extern const char *venue__public_url;
extern const char *venue__web_dir;

/* Queries (venue_store.c). STORE_OK, STORE_DONE (not found), STORE_CONFLICT or a store error. */
enum store_rc venue__insert(struct store *s, const struct venue_new *in, int64_t *id);
enum store_rc venue__find_by_client_id(struct store *s, struct arena *a, const char *client_id,
                                       struct venue *out);
enum store_rc venue__list(struct store *s, struct arena *a, const struct venue_filter *q, struct venue **out,
                          int64_t *n, int64_t *total);
/* Drops every venue kept in memory by venue_find_by_code_cached (a status changed). */
void venue__cache_forget(void);
enum store_rc venue__set_status(struct store *s, int64_t id, const char *status, int64_t reviewer,
                                const char *reason);
enum store_rc venue__visits(struct store *s, struct arena *a, int64_t venue_id, int64_t from, int64_t to,
                            struct venue_visit **out, int64_t *n);

#endif
