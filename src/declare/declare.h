/*
 * declare.h - health and travel declarations.
 *
 * A person (or staff on their behalf) declares their health, a trip inside
 * the country, or an entry from abroad.  Each declaration gets a reference
 * "TK-YYYYMMDD-XXXXXX" (local date, UTC+7, and 6 Crockford base32
 * characters) and a signed QR payload "CDN1.D.<reference>.<kid>.<sig>" that
 * a checkpoint or sampler scans.  A health declaration listing any symptom or
 * exposure is flagged, and the person appears on the flagged list of their
 * commune (the last 24 hours by default) until the commune health station
 * marks them handled: called, with a note (migration 024).
 *
 * Rows copy the person's province, district and commune codes at the time of
 * declaring, so area filters are one indexed comparison.  client_id is unique:
 * a client retry returns the first declaration instead of making a second.
 *
 * declare.c holds the rules (parsing and validation, no SQL, no HTTP),
 * declare_store.c the queries, declare_http.c the handlers.
 */
#ifndef CORDON_DECLARE_DECLARE_H
#define CORDON_DECLARE_DECLARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;

#define DECLARE_REF_LEN 18        /* "TK-20261122-7Q4M2X" */
#define DECLARE_DATE_WINDOW 30    /* days: travel and arrival dates lie within this of today */
#define DECLARE_FLAGGED_WINDOW 86400 /* seconds: the flagged list's default range ends now */

enum declare_kind { DECLARE_HEALTH, DECLARE_DOMESTIC_TRAVEL, DECLARE_ENTRY, DECLARE_KIND_COUNT };

/* Symptom and exposure bits; names in declare_symptom_names / declare_exposure_names order. */
enum declare_symptom {
    DECLARE_FEVER = 1u << 0,
    DECLARE_COUGH = 1u << 1,
    DECLARE_SHORTNESS_OF_BREATH = 1u << 2,
    DECLARE_SORE_THROAT = 1u << 3,
    DECLARE_LOSS_OF_TASTE_SMELL = 1u << 4,
    DECLARE_FATIGUE = 1u << 5,
    DECLARE_OTHER_SYMPTOM = 1u << 6
};
enum declare_exposure {
    DECLARE_CONTACT_WITH_CASE = 1u << 0,
    DECLARE_VISITED_OUTBREAK_AREA = 1u << 1,
    DECLARE_RETURNED_FROM_ABROAD = 1u << 2
};

struct declaration {
    int64_t id;
    const char *client_id;
    char reference[DECLARE_REF_LEN + 1];
    int64_t person_id;
    int kind;                   /* enum declare_kind */
    /* health */
    unsigned symptoms;          /* enum declare_symptom bits */
    unsigned exposure;          /* enum declare_exposure bits */
    const char *health_status;  /* well | unwell */
    /* domestic travel */
    const char *origin_commune, *destination_commune;
    const char *vehicle;        /* car, motorbike, bus, train, plane, ship, other */
    const char *vehicle_number; /* NULL when not given */
    const char *travel_date;    /* YYYY-MM-DD */
    /* entry */
    const char *from_country;   /* ISO 3166-1 alpha-2 */
    const char *entry_point;
    const char *flight_number;  /* NULL when not given */
    const char *arrival_date;   /* YYYY-MM-DD */
    /* set by the server */
    bool flagged;
    const char *province_code, *district_code, *commune_code; /* the person's, when declared; NULL if unknown */
    int64_t declared_at;
    int64_t declared_by;        /* staff account that filed it; 0 when the citizen did */
    /* handled by the commune health station (migration 024); 0 / NULL when not yet */
    int64_t handled_at;
    int64_t handled_by;         /* staff account */
    const char *handled_note;   /* NULL when none was written */
};

/*
 * Rules (declare.c): no SQL, no HTTP.
 */

const char *declare_kind_name(int kind);
/* Returns the kind for a name, or -1. */
int declare_kind_parse(const char *name);

/*
 * Reads the kind-specific fields of a request body into d (kind and
 * client_id must already be set), checking every value against the
 * contract; fields of another kind are refused as unknown.  today is the
 * local date in days since 1970-01-01 (vn_day, core/clock.h).  Strings live in
 * a or in body.  On failure fills f naming the field and returns its code;
 * d is then partly filled and must not be stored.  Sets d->flagged.
 */
int declare_parse(struct arena *a, json_t *body, int64_t today, struct declaration *d, struct fault *f);

/* The flag of a health declaration: any symptom or exposure (also for declarations made by phone, callbot/). */
bool declare_health_flagged(unsigned symptoms, unsigned exposure);

/* "TK-" 8 digits "-" 6 Crockford base32 characters. */
bool declare_reference_valid(const char *s);
/* Writes a fresh reference for the local date of now into out. */
void declare_reference_make(int64_t now, char out[DECLARE_REF_LEN + 1]);

/* true if code is an assigned ISO 3166-1 alpha-2 country code. */
bool declare_country_known(const char *code);

/* Symptom / exposure lists as stored: names joined by ',' ("" for none). */
const char *declare_bits_join(struct arena *a, unsigned bits, bool symptoms);
unsigned declare_bits_split(const char *joined, bool symptoms);
/* JSON array of the names of the set bits. */
json_t *declare_bits_to_json(unsigned bits, bool symptoms);

/* The declaration object of docs/api.md; qr may be NULL (then omitted). */
json_t *declare_to_json(const struct declaration *d, const char *qr);

/*
 * Queries (declare_store.c).  Each returns STORE_OK, STORE_DONE (nothing
 * found) or a store error; strings of the results live in a.
 */

/*
 * Inserts d (with its reference) unless its client_id is taken.  *created is
 * true when a row was written and d->id set; false when a declaration with
 * this client_id exists (read it with declare_get_by_client_id).  A
 * reference collision gives STORE_CONFLICT so the caller draws a new one.
 */
enum store_rc declare_insert(struct store *s, struct declaration *d, bool *created);
enum store_rc declare_get_by_client_id(struct store *s, struct arena *a, const char *client_id,
                                       struct declaration *out);
enum store_rc declare_get_by_reference(struct store *s, struct arena *a, const char *reference,
                                       struct declaration *out);
/* A person's declarations, newest first, at most limit. */
enum store_rc declare_list_person(struct store *s, struct arena *a, int64_t person_id, int64_t limit,
                                  struct declaration **out, int *n);
/*
 * Flagged declarations inside area (a unit code; store_sql_area) declared in
 * [from, to), ordered by person then time.
 */
enum store_rc declare_list_flagged(struct store *s, struct arena *a, const char *area, int64_t from,
                                   int64_t to, int64_t limit, struct declaration **out, int *n);
/*
 * Marks d handled by account at `at` with note (may be NULL), and with it
 * every earlier unhandled flagged declaration of the same person: one call
 * answers them all.  *marked is the number of rows marked (0 when d was
 * already handled: the first mark stays).
 */
enum store_rc declare_mark_handled(struct store *s, const struct declaration *d, int64_t account, int64_t at,
                                   const char *note, int64_t *marked);
/* Persons inside area with a flagged, unhandled declaration in [from, to). */
enum store_rc declare_count_unhandled(struct store *s, const char *area, int64_t from, int64_t to, int64_t *n);

/*
 * Handlers (declare_http.c), routes in src/routes.c.
 */
enum err declare_handle_create(struct http_req *r);  /* POST /api/v1/declarations */
enum err declare_handle_get(struct http_req *r);     /* GET  /api/v1/declarations/{ref} */
enum err declare_handle_list(struct http_req *r);    /* GET  /api/v1/declarations?person_id= */
enum err declare_handle_flagged(struct http_req *r); /* GET  /api/v1/declarations/flagged?unit=&date= */
enum err declare_handle_scan(struct http_req *r);    /* POST /api/v1/declarations/scan */
enum err declare_handle_handled(struct http_req *r); /* POST /api/v1/declarations/{ref}/handled */
enum err declare_handle_qr_png(struct http_req *r);  /* GET  /api/v1/declarations/{ref}/qr.png */

#endif
