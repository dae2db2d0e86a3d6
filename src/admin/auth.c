/*
 * auth.c - sessions, login rate limit, the request authenticator and the
 * /api/v1/auth handlers.
 */
#include "admin/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/validate.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "store/store.h"

static struct auth_settings settings = {12 * 3600, 5, 15 * 60, NULL};
static char public_origin[256]; /* scheme://host[:port] of public_url */

void auth_configure(const struct auth_settings *s)
{
    settings = *s;
    public_origin[0] = '\0';
    const char *u = s->public_url ? s->public_url : "";
    const char *host = strstr(u, "://");
    if (host) {
        size_t n = (size_t)(host + 3 - u) + strcspn(host + 3, "/?#");
        if (n < sizeof(public_origin)) {
            memcpy(public_origin, u, n);
            public_origin[n] = '\0';
        }
    }
    settings.public_url = NULL; /* only the origin is kept */
}

/* Whether url is origin itself or, unless exact, lies under it ("origin/..."). */
static bool url_has_origin(const char *url, const char *origin, bool exact)
{
    size_t n = strlen(origin);
    if (!n || strncasecmp(url, origin, n))
        return false;
    return url[n] == '\0' || (!exact && (url[n] == '/' || url[n] == '?'));
}

/*
 * A browser sends the session cookie with any request to this server, even
 * one a foreign page makes it send; such a write carries the foreign page's
 * Origin (or Referer).  Writes by cookie must come from public_url's origin
 * or the request's own Host.  Bearer tokens are never sent by themselves.
 */
static int check_origin(struct http_req *r)
{
    const char *m = r->method;
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS"))
        return 0;
    const char *origin = http_header(r, "Origin"), *host = http_header(r, "Host");
    char own[300] = "";
    if (host && *host && !strpbrk(host, "/\\@ "))
        snprintf(own, sizeof(own), "http://%s", host);
    bool exact = origin && *origin && strcmp(origin, "null");
    const char *from = exact ? origin : http_header(r, "Referer");
    if (from && (url_has_origin(from, public_origin, exact) || url_has_origin(from, own, exact)))
        return 0;
    return http_fail(r, ERR_BAD_ORIGIN, exact ? "Origin" : "Referer",
                     "a write signed in by cookie must come from this site's own pages");
}

int auth_session_ttl(void)
{
    return settings.session_ttl;
}

int auth_session_create(struct store *s, int64_t account_id, int64_t person_id, char token[SECRET_TOKEN_LEN + 1],
                        int64_t *expires_at)
{
    char digest[SECRET_DIGEST_HEX_LEN + 1];
    secret_token(token);
    secret_digest(token, digest);
    int64_t now = clock_now();
    *expires_at = now + settings.session_ttl;
    return store_run(s, NULL,
                     "INSERT INTO sessions (token_hash, account_id, person_id, created_at, expires_at)"
                     " VALUES (?, ?, ?, ?, ?)",
                     account_id ? "sinii" : "sniii", digest, account_id ? account_id : person_id, now, *expires_at);
}

static const char *request_token(struct http_req *r, bool *by_cookie)
{
    const char *h = http_header(r, "Authorization");
    *by_cookie = false;
    if (h && !strncasecmp(h, "Bearer ", 7))
        return h + 7;
    *by_cookie = true;
    return http_cookie(r, AUTH_COOKIE);
}

int auth_authenticate(struct http_req *r)
{
    bool by_cookie;
    const char *token = request_token(r, &by_cookie);
    if (!token || strlen(token) != SECRET_TOKEN_LEN)
        return http_fail(r, ERR_UNAUTHENTICATED, NULL, "sign in first");
    if (by_cookie) {
        int rc = check_origin(r);
        if (rc)
            return rc;
    }
    char digest[SECRET_DIGEST_HEX_LEN + 1];
    secret_digest(token, digest);
    struct store_stmt *st;
    int rc = store_query(r->store, &st,
                         "SELECT s.account_id, s.person_id, a.username, a.role, a.unit_code, a.disabled"
                         " FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id"
                         " WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
                         "si", digest, clock_now());
    if (rc)
        return store_err(rc);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        struct http_principal *who = arena_alloc(&r->arena, sizeof(*who));
        who->session_hash = arena_strdup(&r->arena, digest);
        if (!store_col_null(st, 0)) {
            who->account_id = store_col_int(st, 0);
            who->username = arena_strdup(&r->arena, store_col_text(st, 2));
            who->role = store_col_text(st, 3) ? role_parse(store_col_text(st, 3)) : -1;
            who->unit_code = arena_strdup(&r->arena, store_col_text(st, 4));
            if (who->role >= 0 && store_col_int(st, 5) == 0)
                r->who = who;
        } else if (!store_col_null(st, 1)) {
            who->person_id = store_col_int(st, 1);
            who->role = ROLE_CITIZEN;
            r->who = who;
        }
    }
    store_finalize(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        return store_err(rc);
    return r->who ? 0 : http_fail(r, ERR_UNAUTHENTICATED, NULL, "your session has ended; sign in again");
}

/* Seconds until the oldest failure in the window leaves it; 0 if logins are allowed. */
static int login_blocked_for(struct store *s, const char *username, int64_t now, int64_t *wait)
{
    int64_t count = 0, oldest = 0;
    int64_t since = now - settings.failure_window;
    int rc = store_int(s, &count, "SELECT COUNT(*) FROM login_attempts WHERE username = ? AND at > ?", "si",
                       username, since);
    if (!rc && count >= settings.max_failures)
        rc = store_int(s, &oldest,
                       "SELECT at FROM login_attempts WHERE username = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                       "sii", username, since, (int64_t)settings.max_failures - 1);
    *wait = count >= settings.max_failures ? oldest + settings.failure_window - now : 0;
    if (*wait < 1 && count >= settings.max_failures)
        *wait = 1;
    return rc;
}

void auth_set_cookie(struct http_req *r, const char *token, int max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", AUTH_COOKIE, token,
             max_age, !strncasecmp(public_origin, "https://", 8) ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", cookie);
}

static char dummy_hash[SECRET_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    char pw[17];
    secret_password_generate(pw, 16);
    secret_password_hash(pw, dummy_hash);
}

/* POST /api/v1/auth/login */
enum err auth_handle_login(struct http_req *r)
{
    static const char *const fields[] = {"username", "password", NULL};
    json_t *body;
    const char *username, *password;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "username", true, 64, &username, &r->fault);
    if (!rc)
        rc = validate_username(username, "username", &r->fault);
    if (!rc)
        rc = jsonin_str(body, "password", true, 128, &password, &r->fault);
    if (rc)
        return rc;
    int64_t now = clock_now(), wait;
    rc = login_blocked_for(r->store, username, now, &wait);
    if (rc)
        return store_err(rc);
    if (wait > 0) {
        char secs[24];
        snprintf(secs, sizeof(secs), "%lld", (long long)wait);
        http_add_header(r, "Retry-After", secs);
        return http_fail(r, ERR_RATE_LIMITED, NULL, "too many failed sign-ins; try again in %lld seconds",
                         (long long)wait);
    }
    struct account a;
    rc = account_find_login(r->store, &r->arena, username, &a);
    if (rc != STORE_OK && rc != STORE_DONE)
        return store_err(rc);
    /* Unknown users cost a hash check too, so timing does not reveal which usernames exist. */
    pthread_once(&dummy_once, make_dummy_hash);
    bool ok = secret_password_check(rc == STORE_OK ? a.password_hash : dummy_hash, password) && rc == STORE_OK &&
              !a.disabled && a.role >= 0;
    if (!ok) {
        store_run(r->store, NULL, "INSERT INTO login_attempts (username, at) VALUES (?, ?)", "si", username, now);
        log_info("msg=\"failed login\" id=%s", r->request_id);
        return http_fail(r, ERR_UNAUTHENTICATED, NULL, "wrong username or password");
    }
    char token[SECRET_TOKEN_LEN + 1];
    int64_t expires;
    rc = auth_session_create(r->store, a.id, 0, token, &expires);
    if (!rc)
        rc = store_run(r->store, NULL, "DELETE FROM login_attempts WHERE username = ?", "s", username);
    if (rc)
        return store_err(rc);
    struct http_principal who = {.account_id = a.id, .username = a.username, .role = a.role, .unit_code = a.unit_code};
    r->who = &who;
    audit_request(r, "auth.login", "account", NULL, a.unit_code);
    r->who = NULL;
    auth_set_cookie(r, token, settings.session_ttl);
    int reply = http_reply_json(r, 200, json_pack("{s:s, s:I, s:o}", "token", token, "expires_at", (json_int_t)expires,
                                                  "account", account_to_json(&a)));
    mem_wipe(token, sizeof(token));
    return reply;
}

int auth_job_session_cleanup(struct store *s, int64_t now, const char **detail)
{
    int rc = store_run(s, NULL, "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?", "ii", now - 86400,
                       now - 86400);
    if (!rc)
        rc = store_run(s, NULL, "DELETE FROM login_attempts WHERE at < ?", "i", now - settings.failure_window);
    *detail = NULL;
    return rc;
}

/* POST /api/v1/auth/logout */
enum err auth_handle_logout(struct http_req *r)
{
    int rc = store_run(r->store, NULL, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ?", "is", clock_now(),
                       r->who->session_hash);
    if (rc)
        return store_err(rc);
    if (r->who->account_id)
        audit_request(r, "auth.logout", "account", NULL, r->who->unit_code);
    auth_set_cookie(r, "", 0);
    return http_reply(r, 204, NULL, "", 0);
}

/* GET /api/v1/auth/me (staff) */
enum err auth_handle_me(struct http_req *r)
{
    struct account a;
    int rc = account_get(r->store, &r->arena, r->who->account_id, &a);
    if (rc)
        return rc == STORE_DONE ? http_fail(r, ERR_UNAUTHENTICATED, NULL, "sign in first") : store_err(rc);
    return http_reply_json(r, 200, account_to_json(&a));
}
