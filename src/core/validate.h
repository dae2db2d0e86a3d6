/*
 * validate.h - checks for values people type: usernames, names, phone numbers.
 *
 * Each returns 0 or fills the fault naming `field` and returns its code.
 */
#ifndef CORDON_CORE_VALIDATE_H
#define CORDON_CORE_VALIDATE_H

#include <stddef.h>

#include "core/err.h"

/* 3-64 characters of a-z 0-9 . _ - */
int validate_username(const char *s, const char *field, struct fault *f);
/* 8-128 characters, any UTF-8 */
int validate_password(const char *s, const char *field, struct fault *f);
/* A person's name: letters (Vietnamese included), spaces and . ' - ; 1-100 characters. */
int validate_person_name(const char *s, const char *field, struct fault *f);
/* Vietnamese mobile number: 0, +84 or 84, then 9 digits starting 3, 5, 7, 8 or 9.
 * Writes the national form (0xxxxxxxxx) into out[11]. */
int validate_phone(const char *s, const char *field, char out[11], struct fault *f);
/* An e-mail address: local@domain, at most 254 characters (64 before the @), no spaces, controls,
 * quotes, commas or brackets, a domain of dot-separated labels of letters, digits and -. */
int validate_email(const char *s, const char *field, struct fault *f);

#endif
