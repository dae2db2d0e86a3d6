/*
 * account_http.c - /api/v1/accounts handlers.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/jsonin.h"
#include "core/secret.h"
#include "core/validate.h"
#include "http/http.h"
#include "store/store.h"

/* GET /api/v1/accounts?unit=&limit=&offset= */
enum err account_handle_list(struct http_req *r)
{
    const char *unit = http_query(r, "unit");
    if (!unit)
        unit = r->who->unit_code;
    int64_t limit, offset;
    int rc = unit_check(unit, "unit", ERR_INVALID_FIELD, NULL, &r->fault);
    if (!rc)
        rc = area_require(r, unit);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 500, 100, &limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, 0, &offset);
    if (rc)
        return rc;
    struct account *list;
    int64_t n, total;
    rc = account_list(r->store, &r->arena, unit, limit, offset, &list, &n, &total);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(arr, account_to_json(&list[i]));
    audit_request(r, "account.list", "account", NULL, unit);
    return http_reply_json(r, 200, json_pack("{s:o, s:I}", "accounts", arr, "total", (json_int_t)total));
}

struct create_ctx {
    struct http_req *r;
    struct account_new *in;
    int64_t id;
};

static int create_tx(struct store *s, void *p)
{
    struct create_ctx *c = p;
    int rc = account_insert(s, c->in, c->r->who->account_id, &c->id);
    if (rc == STORE_CONFLICT)
        return http_fail(c->r, ERR_CONFLICT, "username", "username %s is already taken", c->in->username);
    if (!rc)
        rc = account_notice_created(s, &c->r->arena, c->id);
    if (rc)
        return rc;
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)c->id);
    return audit_request(c->r, "account.create", "account", id, c->in->unit_code);
}

/* POST /api/v1/accounts */
enum err account_handle_create(struct http_req *r)
{
    static const char *const fields[] = {"username", "password", "full_name", "role", "unit_code", "phone", "email",
                                         NULL};
    json_t *body;
    struct account_new in = {0};
    const char *role;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "username", true, 64, &in.username, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "password", true, 128, &in.password, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "full_name", true, 100, &in.full_name, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "role", true, 32, &role, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "unit_code", true, 8, &in.unit_code, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "phone", false, 16, &in.phone, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "email", false, 254, &in.email, &r->fault);
    if (rc)
        return rc;
    in.role = role_parse(role); /* staff roles only */
    if (in.role < 0)
        return http_fail(r, ERR_INVALID_FIELD, "role", "role must be one of national_admin, province_admin, "
                         "district_admin, commune_admin, sampler, lab, vaccinator, tracer, checkpoint_officer, venue_owner");
    rc = account_check_new(&in, &r->fault);
    if (!rc)
        rc = account_may_manage(r->who->role, r->who->unit_code, in.role, in.unit_code, &r->fault);
    if (rc)
        return rc;
    struct create_ctx ctx = {r, &in, 0};
    rc = store_tx(r->store, create_tx, &ctx);
    if (rc)
        return rc;
    struct account a;
    rc = account_get(r->store, &r->arena, ctx.id, &a);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 201, account_to_json(&a));
}

/* Loads the account of path parameter {id} if it lies inside the caller's area. */
static int load_target(struct http_req *r, struct account *a)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = account_get(r->store, &r->arena, id, a);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no account has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    return area_require(r, a->unit_code);
}

/* GET /api/v1/accounts/{id} */
enum err account_handle_get(struct http_req *r)
{
    struct account a;
    int rc = load_target(r, &a);
    if (rc)
        return rc;
    audit_request(r, "account.read", "account", http_param(r, "id"), a.unit_code);
    return http_reply_json(r, 200, account_to_json(&a));
}

struct update_ctx {
    struct http_req *r;
    int64_t id;
    const char *unit_code;
    struct account_change change;
    bool was_disabled;
};

static int update_tx(struct store *s, void *p)
{
    struct update_ctx *c = p;
    int rc = account_update(s, c->id, &c->change);
    if (!rc)
        rc = account_notice_changed(s, &c->r->arena, c->id, &c->change, c->was_disabled);
    if (!rc)
        rc = audit_request(c->r, "account.update", "account", http_param(c->r, "id"), c->unit_code);
    return rc;
}

/* PATCH /api/v1/accounts/{id} */
enum err account_handle_update(struct http_req *r)
{
    static const char *const fields[] = {"full_name", "password", "disabled", "phone", "email", NULL};
    struct account a;
    json_t *body;
    const char *password, *phone;
    char phone_buf[11], hash[SECRET_PWHASH_LEN];
    struct update_ctx ctx = {.r = r};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "full_name", false, 100, &ctx.change.full_name, &r->fault);
    if (!rc && ctx.change.full_name)
        rc = validate_person_name(ctx.change.full_name, "full_name", &r->fault);
    if (!rc)
        rc = jsonin_str(body, "password", false, 128, &password, &r->fault);
    if (!rc && password)
        rc = validate_password(password, "password", &r->fault);
    if (!rc)
        rc = jsonin_str(body, "phone", false, 16, &phone, &r->fault);
    if (!rc && phone) {
        rc = validate_phone(phone, "phone", phone_buf, &r->fault);
        ctx.change.phone = phone_buf;
    }
    if (!rc)
        rc = jsonin_str(body, "email", false, 254, &ctx.change.email, &r->fault);
    if (!rc && ctx.change.email)
        rc = validate_email(ctx.change.email, "email", &r->fault);
    if (!rc && json_is_null(json_object_get(body, "email")))
        ctx.change.email = ""; /* null removes the address */
    if (!rc)
        rc = jsonin_bool(body, "disabled", false, &ctx.change.disabled, &r->fault);
    if (!rc && json_object_size(body) == 0)
        rc = http_fail(r, ERR_MISSING_FIELD, NULL, "give at least one of full_name, password, disabled, phone, email");
    if (!rc)
        rc = load_target(r, &a);
    if (!rc)
        rc = account_may_manage(r->who->role, r->who->unit_code, a.role, a.unit_code, &r->fault);
    if (!rc && a.id == r->who->account_id && ctx.change.disabled == 1)
        rc = http_fail(r, ERR_FORBIDDEN, "disabled", "you cannot disable your own account");
    if (rc)
        return rc;
    if (password) {
        if (secret_password_hash(password, hash))
            return ERR_INTERNAL;
        ctx.change.password_hash = hash;
    }
    ctx.id = a.id;
    ctx.unit_code = a.unit_code;
    ctx.was_disabled = a.disabled;
    rc = store_tx(r->store, update_tx, &ctx);
    if (rc)
        return rc;
    rc = account_get(r->store, &r->arena, a.id, &a);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, account_to_json(&a));
}
