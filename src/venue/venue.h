/*
 * venue.h - public venues (shops, markets, schools, offices...) and their check-ins.
 *
 * Venue registration, approval, posters, visitor logs: venue.c, venue_store.c,
 * venue_http.c, poster.c.  Check-ins: checkin.c, checkin_store.c,
 * checkin_http.c, retention in checkin_job.c.
 */
#ifndef CORDON_VENUE_VENUE_H
#define CORDON_VENUE_VENUE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct store;
struct http_req;

#define VENUE_CODE_LEN 8

struct venue {
    int64_t id;
    const char *code;          /* public code printed in the poster URL */
    const char *name;
    const char *type;
    const char *commune_code;
    const char *street;
    int64_t capacity;
    const char *status;        /* pending, approved, rejected */
    int64_t owner_account_id;
    int64_t created_at;
};

enum store_rc venue_get(struct store *s, struct arena *a, int64_t id, struct venue *out);
enum store_rc venue_find_by_code(struct store *s, struct arena *a, const char *code, struct venue *out);
/* The same from memory when read less than a few seconds ago (venue_store.c says how it stays true). */
enum store_rc venue_find_by_code_cached(struct store *s, struct arena *a, const char *code, struct venue *out);
/* 0 if the caller owns the venue or is an official whose area holds it; else fills a 403. */
int venue_require_manage(struct http_req *r, const struct venue *v);
/* Loads the venue of path parameter {id} if the caller may manage it (404 or 403 otherwise). */
int venue_load_managed(struct http_req *r, struct venue *v);
json_t *venue_to_json(const struct venue *v);

/* Demo venues for `cordon demo` (demo.c): approved, in Phúc Xá, owned by owner_id. */
#define VENUE_DEMO_COUNT 2
int venue_demo(struct store *s, int64_t owner_id, int64_t reviewer_id, int64_t ids[VENUE_DEMO_COUNT]);
/* The safety map's demo facilities in Trúc Bạch: a school, a clinic, a factory, an office. */
#define VENUE_FACILITY_COUNT 4
int venue_demo_facilities(struct store *s, int64_t owner_id, int64_t reviewer_id, int64_t ids[VENUE_FACILITY_COUNT]);

/* The address people read on a poster: "street, commune, district, province" (unit names). In a. */
const char *venue_address(struct arena *a, const struct venue *v);
/*
 * Call once before serving: public_url is where poster QR URLs point
 * ("<public_url>/c/<code>..."); web_dir holds checkin.html for GET /c/{code}
 * (NULL: a small built-in page).  Both are copied.
 */
void venue_configure(const char *public_url, const char *web_dir);
/* The signed poster URL of a venue: <public_url>/c/<code>?k=<kid>&s=<sig>. 0 or a store/err code. */
enum err venue_poster_url(struct store *s, struct arena *a, const struct venue *v, const char **out);

/* Handlers (venue_http.c, poster.c) */
enum err venue_handle_create(struct http_req *r);
enum err venue_handle_list(struct http_req *r);
enum err venue_handle_get(struct http_req *r);
enum err venue_handle_approve(struct http_req *r);
enum err venue_handle_reject(struct http_req *r);
enum err venue_handle_by_code(struct http_req *r);
enum err venue_handle_visitors(struct http_req *r);
enum err venue_handle_poster_pdf(struct http_req *r);
enum err venue_handle_poster_png(struct http_req *r);
enum err venue_handle_checkin_page(struct http_req *r); /* GET /c/{code}: the check-in page (HTML) */

#endif
