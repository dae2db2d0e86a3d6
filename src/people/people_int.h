/*
 * people_int.h - what the files of the people domain share; no other module includes it.
 *
 * people.c holds the rules (input checks, JSON), people_store.c the queries,
 * otp.c the one-time sign-in codes, card.c the printed card, people_http.c
 * and citizen_http.c the handlers.
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

/* Person fields as a request gives them; NULL: absent.  Strings point into the JSON body or the buffers. */
struct people_input {
    const char *full_name, *date_of_birth, *sex, *phone, *cccd, *cmnd, *bhyt, *commune_code, *street, *client_id;
    char phone_buf[11];
    char bhyt_buf[IDS_BHYT_LEN + 1];
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
 * most one of cccd and cmnd may be given (both: 400 on cmnd).  Phone and BHYT
 * are normalised into the buffers of *in; the name is folded into name_fold.
 */
int people__read_input(json_t *body, unsigned need, int64_t now, struct people_input *in, struct fault *f);
/*
 * The rules behind people__read_input, on plain strings (NULL: absent): each
 * present field is validated (errors name it), the fields in `need` must be
 * present, cccd and cmnd exclude each other.  Strings of *in point into raw
 * or into in's buffers.
 */
int people__check_input(const struct people_fields *raw, unsigned need, int64_t now, struct people_input *in,
                        struct fault *f);
/* Whether a member with this address joins the manager's household (same commune and same folded street). */
bool people__same_address(const struct person *manager, const struct people_input *member);

/* ---- queries (people_store.c); STORE_* codes ---- */

/* Inserts a person; STORE_DONE when a unique column (cccd, cmnd, bhyt, client_id, code) is already taken. */
enum store_rc people__insert(struct store *s, const struct people_input *in, int64_t created_by,
                             int64_t household_id, int64_t *id);
/*
 * Records the person described by checked input, or finds the one already
 * recorded (people__find_duplicate): STORE_OK with *out and *existing set,
 * STORE_DONE when a concurrent writer took a unique column and the person
 * still cannot be found, or a store rc.  Call inside a transaction.
 */
int people__create_checked(struct store *s, struct arena *a, const struct people_input *in, int64_t created_by,
                           struct person *out, bool *existing);
/* The person this input describes, if recorded: by client_id, cccd, cmnd, bhyt, then phone + folded name + birth date. */
enum store_rc people__find_duplicate(struct store *s, struct arena *a, const struct people_input *in,
                                     struct person *out);
/* Another person (not `self`) holding the input's cccd, cmnd or bhyt: STORE_OK with *field set, or STORE_DONE. */
enum store_rc people__find_taken(struct store *s, int64_t self, const struct people_input *in,
                                 const char **field);
/* Sets the fields present in `in` (phone excepted). */
enum store_rc people__update(struct store *s, int64_t id, const struct people_input *in);
enum store_rc people__set_household(struct store *s, int64_t id, int64_t household_id);
/* The person signing in with this phone; created (holding only the phone) when there is none. */
enum store_rc people__signin_person(struct store *s, struct arena *a, const char *phone, struct person *out,
                                    bool *created);
/* Whether the person signs in on their own (has a sign-in phone). */
enum store_rc people__is_citizen(struct store *s, int64_t id, bool *yes);
/* The citizen managing person id, 0 if none. */
enum store_rc people__manager_of(struct store *s, int64_t id, int64_t *manager);
enum store_rc people__link(struct store *s, int64_t person_id, int64_t manager_id);
enum store_rc people__unlink(struct store *s, int64_t person_id, int64_t manager_id, int64_t *changes);
/* Bumps the QR serial; *serial gets the new one. */
enum store_rc people__qr_revoke(struct store *s, int64_t id, int64_t *serial);

struct people_search {
    const char *unit_code; /* caller's area */
    const char *name_fold; /* exactly one of these four */
    const char *phone, *id_number, *bhyt;
    int64_t limit;
};
enum store_rc people__search(struct store *s, struct arena *a, const struct people_search *q,
                             struct person **out, int *n);

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
