/*
 * ids.h - Vietnamese identity numbers and dates of birth, as people type them,
 * and the client ids that make every write safe to retry.
 *
 * CCCD (citizen identity card, 12 digits), CMND (the older identity card,
 * 9 digits), BHYT (health-insurance card, 15 characters) and a date of birth.
 * Each check returns 0, or fills the fault naming `field` (ERR_INVALID_FIELD)
 * and returns its code.  Only the shape is checked: nothing here asks a
 * registry whether the number was issued.
 */
#ifndef CORDON_CORE_IDS_H
#define CORDON_CORE_IDS_H

#include <stdint.h>

#include "core/err.h"

#define IDS_CCCD_LEN 12
#define IDS_CMND_LEN 9
#define IDS_BHYT_LEN 15
#define IDS_DATE_LEN 10 /* YYYY-MM-DD */

/* 12 digits; the first three a province code of birth registration, 001 to 096. */
int ids_check_cccd(const char *s, const char *field, struct fault *f);
/* 9 digits. */
int ids_check_cmnd(const char *s, const char *field, struct fault *f);
/*
 * 2 letters (object code), 1 digit (benefit level 1-5), 2 digits (province
 * 01-99), 10 digits.  Letters may come in lower case; out[16] receives the
 * upper-cased form to store.
 */
int ids_check_bhyt(const char *s, const char *field, char out[IDS_BHYT_LEN + 1], struct fault *f);
/* YYYY-MM-DD, a real calendar date, not before 1900-01-01 and not after the UTC day of `now` (epoch seconds). */
int ids_check_date_of_birth(const char *s, int64_t now, const char *field, struct fault *f);

/*
 * A client id: 8-64 characters of A-Z a-z 0-9 _ - (a UUID in practice), made
 * by the client once per write so that a retry finds the row it already made.
 * One rule for every domain.
 */
#define CLIENT_ID_MIN 8
#define CLIENT_ID_MAX 64
int client_id_check(const char *s, const char *field, struct fault *f);

#endif
