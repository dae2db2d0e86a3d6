/*
 * people_int.h - what the files of the people domain share; no other module includes it.
 *
 * people.c holds the rules (input checks, identity, JSON), people_store.c
 * the queries, create.c the one way a person is recorded, merge.c merges and
 * claims, family_store.c the family link requests, otp.c the one-time
 * sign-in codes, card.c the printed card, people_http.c, citizen_http.c,
 * family_http.c and merge_http.c the handlers.
 */
#ifndef CORDON_PEOPLE_PEOPLE_INT_H
#define CORDON_PEOPLE_PEOPLE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/ids.h"
#include "people/people.h"
#include "store/store.h"

#define PEOPLE_FOLD_MAX 256       /* folded name buffer; a 100-character name folds to at most 100 bytes */
#define PEOPLE_STREET_MAX 200     /* characters */
#define PEOPLE_SEARCH_LIMIT_MAX 100
#define PEOPLE_NAME_IN_MAX 300    /* characters a name may arrive with: 100 letters, decomposed (NFD) */
#define PEOPLE_NAME_BUF 1204      /* the NFC name: never longer than what came in */

/* Person fields as a request gives them; NULL: absent.  Strings point into the JSON body or the buffers. */
struct people_input {
    const char *full_name, *date_of_birth, *sex, *phone, *cccd, *cmnd, *bhyt, *commune_code, *street, *client_id;
    char phone_buf[11];
    char bhyt_buf[IDS_BHYT_LEN + 1];
    char name_buf[PEOPLE_NAME_BUF]; /* full_name in NFC */
    char name_fold[PEOPLE_FOLD_MAX];
};

enum people_need {
    PEOPLE_NEED_NAME = 1 << 0,
    PEOPLE_NEED_DOB = 1 << 1,
    PEOPLE_NEED_COMMUNE = 1 << 2,
};

/* What POST /api/v1/people and people_create require. */
#define PEOPLE_CREATE_NEED (PEOPLE_NEED_NAME | PEOPLE_NEED_DOB | PEOPLE_NEED_COMMUNE)

/* The fields a person body may hold (NULL-terminated), with and without client_id. */
extern const char *const people__fields[];
extern const char *const people__fields_with_client_id[];

/*
 * Reads and checks the person fields of body: each present field is
 * validated (errors name it), the fields in `need` must be present, and at
 * most one of cccd and cmnd may be given (both: 400 on cmnd).  Name (NFC),
 * phone and BHYT are normalised into the buffers of *in; the name is folded
 * into name_fold.
 */
int people__read_input(json_t *body, unsigned need, int64_t now, struct people_input *in, struct fault *f);
/*
 * Reads the body of a person update (PUT /api/v1/people/{id} and the
 * citizen's PUT /api/v1/me): the person fields, at least one of them.
 */
struct http_req;
int people__read_update(struct http_req *r, struct people_input *in);
/*
 * The rules behind people__read_input, on plain strings (NULL: absent): each
 * present field is validated (errors name it), the fields in `need` must be
 * present, cccd and cmnd exclude each other.  Strings of *in point into raw
 * or into in's buffers.
 */
int people__check_input(const struct people_fields *raw, unsigned need, int64_t now, struct people_input *in,
                        struct fault *f);
/* Writes the NFC form of a name into in->name_buf and its fold into in->name_fold; full_name then points there. */
void people__set_name(struct people_input *in, const char *full_name);
/*
 * The identity rule: a recorded person found by `by` (cccd, cmnd, bhyt, or
 * phone for phone + name + birth date) is the person the input describes
 * only if nothing they both hold disagrees.  0, or ERR_CONFLICT with f
 * naming the field that disagrees (full_name, date_of_birth, cccd, cmnd, bhyt).
 */
int people__same_identity(const struct person *found, const char *by, const struct people_input *in,
                          struct fault *f);
/* Whether the recorded person lacks a field the input brings (a new cccd, a bhyt, a birth date...). */
bool people__input_adds(const struct person *found, const struct people_input *in);
/* Whether a member with this address joins the manager's household (same commune and same folded street). */
bool people__same_address(const struct person *manager, const struct people_input *member);

/* ---- queries (people_store.c); STORE_* codes ---- */

/* Inserts a person; STORE_DONE when a unique column (cccd, cmnd, bhyt, client_id, code) is already taken. */
enum store_rc people__insert(struct store *s, const struct people_input *in, int64_t created_by,
                             int64_t household_id, int64_t *id);
/*
 * Records the person described by checked input, or finds the one already
 * recorded (people__find_duplicate) and adds what the input brings:
 * STORE_OK with *out and *existing set, ERR_CONFLICT with f filled,
 * STORE_DONE when a concurrent writer took a unique column and the person
 * still cannot be found, or a store rc.  Call inside a transaction.
 */
int people__create_checked(struct store *s, struct arena *a, const struct people_input *in, int64_t created_by,
                           struct person *out, bool *existing, struct fault *f);
/*
 * The one matching rule every creation path applies (POST /api/v1/people,
 * registration lists, family members, walk-ins): the live record this
 * input describes, by client_id (a retry), then cccd, cmnd, bhyt, then
 * phone + folded name + birth date (or a record of that phone and name with
 * no birth date yet); input with no birth date (a walk-in, a check-in) by
 * phone + folded name.  STORE_OK with *out, STORE_DONE when none, ERR_CONFLICT
 * (f names the field) when identifiers point at two people or at someone
 * whose name, birth date or other identifier disagrees; or a store rc.
 */
int people__find_duplicate(struct store *s, struct arena *a, const struct people_input *in, struct person *out,
                           struct fault *f);
/* Fills the fields the recorded person lacks from the input (never overwrites); STORE_CONFLICT if an id is taken. */
enum store_rc people__enrich(struct store *s, int64_t id, const struct people_input *in);
/* Another person (not `self`) holding the input's cccd, cmnd or bhyt: STORE_OK with *field set, or STORE_DONE. */
enum store_rc people__find_taken(struct store *s, int64_t self, const struct people_input *in,
                                 const char **field);
/* Gives a person who has no name yet this (NFC) name. */
enum store_rc people__set_name_of(struct store *s, int64_t id, const char *full_name);
/* Sets the fields present in `in` (phone excepted). */
enum store_rc people__update(struct store *s, int64_t id, const struct people_input *in);
enum store_rc people__set_household(struct store *s, int64_t id, int64_t household_id);
/* A staff correction of the phone (never the phone a citizen signs in with). */
enum store_rc people__set_phone(struct store *s, int64_t id, const char *phone);
/* The live members of household household_id inside unit_code (store_sql_area), at most max, by id. */
enum store_rc people__household(struct store *s, struct arena *a, int64_t household_id, const char *unit_code,
                                int max, struct person **out, int *n);
/*
 * The person signing in with this phone.  At a first sign-in naming the
 * person (full_name, may be NULL), the one unverified record of that phone
 * and name (a walk-in at a sampling site) becomes theirs; otherwise a record
 * holding the phone (and the name) is created.
 */
enum store_rc people__signin_person(struct store *s, struct arena *a, const char *phone,
                                    const char *full_name, struct person *out, bool *created);
/* The citizen managing person id, 0 if none. */
enum store_rc people__manager_of(struct store *s, int64_t id, int64_t *manager);
enum store_rc people__link(struct store *s, int64_t person_id, int64_t manager_id);
enum store_rc people__unlink(struct store *s, int64_t person_id, int64_t manager_id, int64_t *changes);
/* Bumps the QR serial; *serial gets the new one. */
enum store_rc people__qr_revoke(struct store *s, int64_t id, int64_t *serial);

struct people_search {
    const char *unit_code; /* caller's area */
    const char *name_fold; /* exactly one of these five */
    const char *phone, *id_number, *bhyt, *code;
    int64_t limit;
};
enum store_rc people__search(struct store *s, struct arena *a, const struct people_search *q,
                             struct person **out, int *n);

/* A JSON array of persons (citizen_http.c). */
json_t *people__list_json(const struct person *list, int n);

/* ---- merges (merge.c) ---- */

struct people_merge_in {
    int64_t keep, merged;
    const char *reason;    /* staff | claim */
    const char *client_id; /* NULL: none */
    int64_t created_by;    /* staff account, 0 for a claim */
};

struct people_merge_row {
    int64_t keep, merged;
    const char *moved_fields;
    bool undone;
};

/*
 * The rule for merging two records: not the same record, no identity number
 * that differs, not two people who both sign in.  0 or an enum err (f names
 * the field: merge_id, cccd, cmnd, bhyt).
 */
int people__merge_check(const struct person *keep, const struct person *merged, bool keep_signs_in,
                        bool merged_signs_in, struct fault *f);
/*
 * Merges in->merged into in->keep (both live, checked by the caller): moves
 * every row naming the merged person, gives the kept record the fields it
 * lacks, sets merged_into.  *merge_ref gets the merge's id.  ERR_CONFLICT when
 * one manages the other; STORE_CONFLICT when a moved row collides with one of
 * the kept person (both registered for vaccination, ...).  Call inside a transaction.
 */
int people__merge(struct store *s, struct arena *a, const struct people_merge_in *in, int64_t *merge_ref);
/* Reads merge merge_ref: STORE_OK, or STORE_DONE if none. */
int people__merge_row(struct store *s, struct arena *a, int64_t merge_ref, struct people_merge_row *out);
/* The merge a client_id made; STORE_DONE when none. */
enum store_rc people__merge_find_client(struct store *s, const char *client_id, int64_t *merge_ref);
/* Records which account undid a merge. */
enum store_rc people__merge_undone_by(struct store *s, int64_t merge_ref, int64_t account_id);
/* Undoes merge merge_ref (unless *out says it was undone already): STORE_OK, STORE_DONE if no such merge. */
int people__merge_undo(struct store *s, struct arena *a, int64_t merge_ref, int64_t undone_by,
                       struct people_merge_row *out);
/*
 * A signed-in citizen claims the unverified records of their phone and name
 * (walk-ins at sampling sites, anonymous check-ins): each is merged into
 * theirs unless a birth date or identity number says it is someone else.
 * *claimed gets how many, refs their merge ids.  Run in a transaction of its
 * own: a claim that cannot be made is left to staff.
 */
#define PEOPLE_CLAIM_MAX 16 /* records one claim takes at most */
int people__claim(struct store *s, struct arena *a, const struct person *me, int64_t refs[PEOPLE_CLAIM_MAX],
                  int *claimed);
/* Whether id is a recorded person's own id (not one merged into another): STORE_OK with *merged_into 0 when live. */
enum store_rc people__raw_state(struct store *s, int64_t id, int64_t *merged_into);
/* Whether person id signs in on their own; the phone a proof code goes to (sign-in phone, else phone) or "". */
enum store_rc people__proof_phone(struct store *s, int64_t id, bool *signs_in, char phone[11]);

/* ---- family link requests (family_store.c) ---- */

struct people_link_request {
    int64_t id, person_id, manager_id;
    const char *proof;  /* code_sent | staff_approval */
    char phone[11];     /* where the code went; "" for staff approval */
    char code_hash[65];
    int64_t attempts;
    const char *commune_code; /* the person's commune ("" if none) */
    const char *status;       /* pending | linked | refused | void */
    int64_t created_at, expires_at;
};

enum store_rc people__link_request_get(struct store *s, struct arena *a, int64_t id,
                                       struct people_link_request *out);
/*
 * Opens a request for in->person_id by in->manager_id: with in->phone a new
 * code goes to that phone (through the outbox; only its hash is stored; 3
 * per phone per 15 minutes, else ERR_RATE_LIMITED), without one it waits for
 * staff of in->commune_code (an open one is reused).  *id gets its id.
 */
int people__link_request_open(struct store *s, const struct people_link_request *in, int64_t now, int64_t *id,
                              int64_t *retry_after);
/* Counts a wrong code; the fifth voids the request. */
enum store_rc people__link_request_wrong_code(struct store *s, int64_t id);
/* Ends a pending request (linked, refused, void); *changes 0 when it was no longer pending. */
enum store_rc people__link_request_close(struct store *s, int64_t id, const char *status, int64_t decided_by,
                                         int64_t now, int64_t *changes);
/* Live pending requests: of one citizen (manager_id), or waiting for staff within unit_code (manager_id 0). */
enum store_rc people__link_requests_pending(struct store *s, struct arena *a, const char *unit_code,
                                            int64_t manager_id, int64_t now, struct people_link_request **out,
                                            int *n);

/* ---- one-time codes (otp.c) ---- */

#define OTP_DIGITS 6
#define OTP_TTL_DEFAULT 300   /* seconds a code stays valid; the otp_ttl setting overrides */
#define OTP_MAX_ATTEMPTS 5    /* wrong codes that void the phone's live codes */
#define OTP_PER_WINDOW 3      /* codes a phone may request per window */
#define OTP_WINDOW 900        /* seconds */

/* Seconds a code stays valid (setting otp_ttl, default 300). */
int people__otp_ttl(void);
/* SHA-256 hex of "phone:code". */
void people__otp_hash(const char *phone, const char *code, char out[65]);
/*
 * Creates a code and queues its SMS in the outbox; call inside a transaction.
 * ERR_RATE_LIMITED with *retry_after (seconds) when the phone had its 3 codes in the window.
 */
int people__otp_issue(struct store *s, const char *phone, int64_t now, int64_t *retry_after);
/*
 * Uses a code: *ok true when a live code matched (it and the phone's other live
 * codes are then spent).  A wrong code counts an attempt against every live
 * code of the phone and voids those that reach 5.  Call inside a transaction.
 */
int people__otp_consume(struct store *s, const char *phone, const char *code, int64_t now, bool *ok);

#endif
