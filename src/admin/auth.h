/*
 * auth.h - staff sign-in: sessions, the request authenticator, area checks.
 *
 * A login gives a random token, sent back both as an HttpOnly SameSite=Strict
 * cookie (browsers) and in the body (API clients use "Authorization: Bearer").
 * Only the token's SHA-256 is stored.  Failed logins are counted per username
 * in the database, so the limit holds across several server processes.
 */
#ifndef CORDON_ADMIN_AUTH_H
#define CORDON_ADMIN_AUTH_H

#include <stdint.h>

#include "core/err.h"
#include "core/secret.h"

struct store;
struct http_req;

#define AUTH_COOKIE "cordon_session"

struct auth_settings {
    int session_ttl;        /* seconds */
    int max_failures;       /* failed logins allowed per window */
    int failure_window;     /* seconds */
    const char *public_url; /* cookie writes must come from its origin (or the Host's); https: Secure cookies */
};
void auth_configure(const struct auth_settings *s);

/* The server's authenticate callback: reads the cookie or bearer token, sets r->who. */
int auth_authenticate(struct http_req *r);

/* Creates a session for a staff account (person_id 0) or a citizen (account_id 0);
 * writes the token, to give to the client once. */
int auth_session_create(struct store *s, int64_t account_id, int64_t person_id, char token[SECRET_TOKEN_LEN + 1],
                        int64_t *expires_at);
/* Sets the session cookie (max_age 0 clears it). */
void auth_set_cookie(struct http_req *r, const char *token, int max_age);
/* Session lifetime in seconds, as configured. */
int auth_session_ttl(void);

/* Background job: deletes sessions that ended more than a day ago, and old failed-login rows. */
int auth_job_session_cleanup(struct store *s, int64_t now, const char **detail);

enum err auth_handle_login(struct http_req *r);
enum err auth_handle_logout(struct http_req *r);
enum err auth_handle_me(struct http_req *r);

#endif
