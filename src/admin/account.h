/*
 * account.h - staff accounts: the rules, the queries, the handlers.
 *
 * Rules: an admin manages only accounts inside its own area; it may create
 * operational roles anywhere in its area and admin roles only of a lower
 * level than its own; an admin role sits at a unit of its own level.
 */
#ifndef CORDON_ADMIN_ACCOUNT_H
#define CORDON_ADMIN_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;

struct account {
    int64_t id;
    const char *username;
    const char *full_name;
    int role;
    const char *unit_code;
    const char *phone;      /* NULL if none */
    bool disabled;
    const char *email;      /* NULL if none */
    int64_t created_at;
    const char *password_hash; /* filled only by account_find_login */
};

struct account_new {
    const char *username, *password, *full_name, *unit_code, *phone;
    int role;
    const char *email; /* NULL: none */
    char phone_buf[11]; /* phone in national form, after account_check_new */
};

/* Model */
/* Validates in and normalises in->phone. */
int account_check_new(struct account_new *in, struct fault *f);
/* May an actor (role at unit) create or manage an account of role at unit? */
int account_may_manage(int actor_role, const char *actor_unit, int role, const char *unit, struct fault *f);
json_t *account_to_json(const struct account *a);

/* Queries; strings of results live in the arena. */
enum store_rc account_insert(struct store *s, const struct account_new *in, int64_t created_by, int64_t *id);
enum store_rc account_get(struct store *s, struct arena *a, int64_t id, struct account *out);
enum store_rc account_find_login(struct store *s, struct arena *a, const char *username, struct account *out);
enum store_rc account_list(struct store *s, struct arena *a, const char *unit_code, int64_t limit,
                           int64_t offset, struct account **out, int64_t *n, int64_t *total);
struct account_change {
    const char *full_name, *password_hash, *phone;
    int disabled; /* -1: unchanged */
    const char *email; /* NULL: unchanged; "": removed */
};
enum store_rc account_update(struct store *s, int64_t id, const struct account_change *c);

/*
 * Account notices by e-mail (notice.c), queued in the caller's transaction to the account's
 * address, if it has one: created (username, role, unit; never the password), password set by an
 * admin, disabled.
 */
enum store_rc account_notice_created(struct store *s, struct arena *a, int64_t id);
enum store_rc account_notice_changed(struct store *s, struct arena *a, int64_t id, const struct account_change *c,
                                     bool was_disabled);

/* Handlers */
enum err account_handle_list(struct http_req *r);
enum err account_handle_create(struct http_req *r);
enum err account_handle_get(struct http_req *r);
enum err account_handle_update(struct http_req *r);

#endif
