/*
 * people.h - persons: citizens, their family members, anyone a platform records.
 *
 * Other domains (venues, check-ins, declarations, testing, vaccination) call
 * these functions; they never query the people tables themselves.
 */
#ifndef CORDON_PEOPLE_PEOPLE_H
#define CORDON_PEOPLE_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "admin/access.h"
#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;
struct unit;

#define PERSON_CODE_LEN 10

struct person {
    int64_t id;
    const char *code;          /* public id used in QR codes */
    const char *full_name;     /* NULL until a citizen completes the profile */
    const char *date_of_birth; /* YYYY-MM-DD or NULL */
    const char *sex;           /* male, female, other, or NULL */
    const char *phone, *cccd, *cmnd, *bhyt; /* NULL when absent */
    const char *commune_code;  /* NULL until known */
    const char *street;
    int64_t household_id;      /* 0: none */
    int64_t qr_serial;         /* current serial of the personal QR code */
    int64_t created_at;
};

/* Lookups: STORE_OK with *out filled, STORE_DONE if none, or a store error. Strings live in a. */
enum store_rc people_get(struct store *s, struct arena *a, int64_t id, struct person *out);
enum store_rc people_find_by_code(struct store *s, struct arena *a, const char *code, struct person *out);
enum store_rc people_find_by_cccd(struct store *s, struct arena *a, const char *cccd_or_cmnd,
                                  struct person *out);
enum store_rc people_find_by_bhyt(struct store *s, struct arena *a, const char *bhyt, struct person *out);
/* The unverified contact an anonymous check-in lands on (unverified.c): found by phone and name among
 * unverified contacts only, or made; never a verified citizen or a registered record. */
enum store_rc people_unverified_contact(struct store *s, struct arena *a, const char *phone,
                                        const char *full_name, struct person *out, bool *created);
/* PostgreSQL only: the contacts of n anonymous check-ins in one statement; ids[i] for phones[i], names[i]. */
enum store_rc people_unverified_contacts_pg(struct store *s, int n, const char *const *phones,
                                            const char *const *names, int64_t *ids);
/* The same, answering the id alone (the check-in writer needs no more). */
enum store_rc people_unverified_contact_id(struct store *s, const char *phone, const char *full_name, int64_t *id,
                                           bool *created);
/* Finds the person with this phone and (folded) name by the matching rule of people_create, or creates one
 * holding just those (the name stored NFC): sampling walk-ins. */
enum store_rc people_find_or_create_by_phone_name(struct store *s, struct arena *a, const char *phone,
                                                  const char *full_name, struct person *out, bool *created);

/* Members a citizen manages (family), not including the citizen. */
enum store_rc people_managed(struct store *s, struct arena *a, int64_t manager_id, struct person **out,
                             int *n);
bool people_manages(struct store *s, int64_t manager_id, int64_t person_id);
/* The citizen who manages person_id (family): STORE_OK, STORE_DONE if none. Strings live in a. */
enum store_rc people_manager(struct store *s, struct arena *a, int64_t person_id, struct person *out);
/* Where a message for person_id goes: their phone, or for a person without one (a child, an elder)
 * the phone of the citizen who manages them, and then *name names the person (else NULL).  *phone is
 * NULL when neither has one.  Strings live in a. */
enum store_rc people_reach(struct store *s, struct arena *a, int64_t person_id, const char **phone,
                           const char **name);

/*
 * Access check for handlers: a citizen may act for self and managed members;
 * staff for persons whose commune lies in their area.  Fills r->fault (403,
 * 404) and returns its code on refusal; on success *out holds the person.
 */
int people_require_access(struct http_req *r, int64_t person_id, struct person *out);

/*
 * people_require_access for a person named by a request field, who must have a
 * commune of residence (records that are located by it: cases, orders, ...):
 * unknown → 404 naming field, no commune yet → 400 naming field.  On success
 * *out holds the person and *commune its commune unit.
 */
int people_require_located(struct http_req *r, int64_t person_id, const char *field, struct person *out,
                           const struct unit **commune);

/* Answers QR verification for personal cards (qr_on_verify 'P'): called once by main at start. */
void people_follow_qr(void);
/* The person's current personal QR payload (CDN1.P...). */
enum err people_qr_payload(struct store *s, const struct person *p, char out[256]);
/* Resolves a scanned personal QR: verifies signature and serial. ERR_INVALID_FIELD (field) if bad. */
enum err people_from_qr(struct store *s, struct arena *a, const char *payload, const char *field,
                        struct person *out, struct fault *f);

json_t *people_to_json(const struct person *p);
/* The person as view shows it: in full (VIEW_FULL, VIEW_OWN); name, birth year and masked ids
 * (VIEW_MASKED); id and code only (any other view). */
json_t *people_to_json_view(const struct person *p, enum access_view view);
/* The view the caller has of people's records (access.h); citizens get VIEW_OWN. */
enum access_view people_view(const struct http_req *r);

/* Demo people for `cordon demo` (demo.c), in this order: in Phúc Xá a citizen, his two managed family
 * members, a neighbour; in Trúc Bạch (same district) a citizen, his managed son, a neighbour. */
#define PEOPLE_DEMO_COUNT 7
int people_demo(struct store *s, int64_t ids[PEOPLE_DEMO_COUNT]);

/*
 * Rewrites the names recorded before names were stored NFC (schema 017):
 * each name in NFC, its search fold again (combining marks fold to nothing).
 * Run once by `cordon migrate` when it upgrades past 017; *changed gets the
 * number of persons rewritten.
 */
#define PEOPLE_NFC_SCHEMA 17
enum store_rc people_renormalise_names(struct store *s, int64_t *changed);

/* Seconds a citizen's one-time code stays valid; called once by `cordon serve`. */
void people_configure(int otp_ttl);

/* ---- Additions (people domain) ---- */

struct buf;

/* true when the person has a name, a date of birth and a commune (a citizen's profile is done). */
bool people_profile_complete(const struct person *p);

/*
 * Checks a scanned personal QR without saying whose it is (for POST /api/v1/qr/verify).
 * Returns 0 and sets *valid and *reason: NULL when valid, else "bad_format",
 * "unknown_key", "bad_signature" or "revoked" (good signature, old serial or
 * unknown person).  A store failure returns a store rc.
 */
enum store_rc people_qr_status(struct store *s, const char *payload, bool *valid, const char **reason);

/*
 * Creating a person from plain fields (registration lists and other imports),
 * by the rules of POST /api/v1/people: full_name, date_of_birth and a
 * commune_code (commune or ward) are required; sex (male, female, other),
 * phone, cccd or cmnd (not both), bhyt, street and client_id are optional.
 * NULL means absent; an empty string is invalid.
 */
struct people_fields {
    const char *full_name, *date_of_birth, *sex, *phone, *cccd, *cmnd, *bhyt, *commune_code, *street;
    const char *client_id;
};

/* 0, or an enum err with f naming the first bad field (the same messages as POST /api/v1/people). */
int people_fields_check(const struct people_fields *in, int64_t now, struct fault *f);

/*
 * The person these fields describe if already recorded, matched as POST
 * /api/v1/people matches (client_id, cccd, cmnd, bhyt, then phone + folded
 * name + date of birth): STORE_OK with *out, STORE_DONE when none, an enum
 * err (f filled) when the fields are bad, or a store rc.
 */
int people_match(struct store *s, struct arena *a, const struct people_fields *in, struct person *out,
                 struct fault *f);

/*
 * Checks the fields, then returns the matching recorded person (*existing
 * true) or records a new one created by account created_by (0: none).
 * Call inside the caller's transaction (store_tx): nothing is audited here.
 * 0 with *out (strings in a); an enum err with f filled for bad fields, or
 * ERR_CONFLICT when a concurrent writer holds one of the ids; or a store rc.
 */
int people_create(struct store *s, struct arena *a, const struct people_fields *in, int64_t created_by,
                  struct person *out, bool *existing, struct fault *f);

/* Lays out the personal card (CR80, 85.6 x 54 mm): fmt is PRINT_PDF or PRINT_PNG (print/print.h). */
int people_card_render(const struct person *p, const char *payload, int fmt, struct buf *out);
/* Lays out n cards ten to an A4 page (PDF): payloads[i] is the QR payload of list[i]. */
#define PEOPLE_CARDS_PER_PAGE 10
#define PEOPLE_CARDS_MAX 200 /* cards one sheet request prints: 20 pages */
int people_card_sheet(const struct person *list, const char *const *payloads, int n, struct buf *out);

/*
 * A person's timeline (GET /api/v1/people/{id}/timeline): each platform adds
 * its own entries with a function of its own (checkin_timeline,
 * vaccine_timeline, tracing_timeline, quarantine_timeline), so the tables
 * stay in their domains.  people_timeline_rows appends one entry per row of
 * st: {"kind": kind, <column name>: value, ...}, columns typed by types
 * ('i' integer, 's' text, 'b' boolean), the first column named "at" (epoch
 * seconds).  It finalises st; rc is the rc of the query that prepared it.
 */
#define PEOPLE_TIMELINE_PER_KIND 100 /* newest entries of each kind a timeline shows */
enum store_rc people_timeline_rows(struct store_stmt *st, enum store_rc rc, const char *kind, const char *types,
                                   json_t *entries);

/* Handlers: staff (people_http.c) */
enum err people_handle_create(struct http_req *r);
enum err people_handle_search(struct http_req *r);
enum err people_handle_get(struct http_req *r);
enum err people_handle_qr_revoke(struct http_req *r);
enum err people_handle_card_png(struct http_req *r);
enum err people_handle_card_pdf(struct http_req *r);
enum err people_handle_update(struct http_req *r);    /* PATCH /api/v1/people/{id} */
enum err people_handle_cards_pdf(struct http_req *r); /* POST /api/v1/people/cards.pdf */
/* Handler: a person's timeline across the platforms (timeline.c) */
enum err people_handle_timeline(struct http_req *r);
/* Handlers: merging two records of one person (merge_http.c) */
enum err people_handle_merge(struct http_req *r);
enum err people_handle_merge_undo(struct http_req *r);

/* Handlers: citizens (citizen_http.c) */
enum err people_handle_otp_request(struct http_req *r);
enum err people_handle_login(struct http_req *r);
enum err people_handle_me_get(struct http_req *r);
enum err people_handle_me_put(struct http_req *r);
enum err people_handle_me_qr(struct http_req *r);
/* Handlers: family members and the proof that links an existing person (family_http.c) */
enum err people_handle_family_add(struct http_req *r);
enum err people_handle_family_confirm(struct http_req *r);
enum err people_handle_family_list(struct http_req *r);
enum err people_handle_family_delete(struct http_req *r);
enum err people_handle_family_requests(struct http_req *r);
enum err people_handle_family_approve(struct http_req *r);
enum err people_handle_family_refuse(struct http_req *r);

#endif
