/*
 * account_store.c - queries on the accounts table.
 */
#include <stdio.h>
#include <string.h>

#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "core/clock.h"
#include "core/secret.h"
#include "store/sql.h"
#include "store/store.h"

#define ACCOUNT_COLUMNS "id, username, full_name, role, unit_code, phone, disabled, created_at, password_hash, email"

static void read_row(struct store_stmt *st, struct arena *a, struct account *out)
{
    out->id = store_col_int(st, 0);
    out->username = arena_strdup(a, store_col_text(st, 1));
    out->full_name = arena_strdup(a, store_col_text(st, 2));
    out->role = role_parse(store_col_text(st, 3));
    out->unit_code = arena_strdup(a, store_col_text(st, 4));
    out->phone = arena_strdup(a, store_col_text(st, 5));
    out->disabled = store_col_int(st, 6) != 0;
    out->created_at = store_col_int(st, 7);
    out->password_hash = NULL;
    out->email = arena_strdup(a, store_col_text(st, 9));
}

enum store_rc account_insert(struct store *s, const struct account_new *in, int64_t created_by, int64_t *id)
{
    char hash[SECRET_PWHASH_LEN];
    if (secret_password_hash(in->password, hash))
        return STORE_ERROR;
    const struct unit *u = unit_find(in->unit_code);
    const char *province = NULL, *district = NULL, *commune = NULL;
    if (u)
        unit_ancestors(u, &province, &district, &commune);
    int64_t now = clock_now();
    /* created_by is NULL for accounts made from the command line */
    return store_int(s, id,
                     "INSERT INTO accounts (username, password_hash, full_name, role, unit_code, province_code,"
                     " district_code, commune_code, phone, disabled, created_at, updated_at, created_by, email)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?) RETURNING id",
                     "sssssssssiiis", in->username, hash, in->full_name,
                     role_name(in->role), in->unit_code, province, district, commune, in->phone, now, now, created_by,
                     in->email);
}

struct read_ctx {
    struct arena *a;
    struct account *out;
    bool with_hash;
};

static void read_one(struct store_stmt *st, void *p)
{
    struct read_ctx *c = p;
    read_row(st, c->a, c->out);
    if (c->with_hash)
        c->out->password_hash = arena_strdup(c->a, store_col_text(st, 8));
}

enum store_rc account_get(struct store *s, struct arena *a, int64_t id, struct account *out)
{
    struct read_ctx c = {a, out, false};
    return store_get(s, read_one, &c, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?", "i", id);
}

enum store_rc account_find_login(struct store *s, struct arena *a, const char *username, struct account *out)
{
    struct read_ctx c = {a, out, true};
    return store_get(s, read_one, &c, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE username = ?", "s", username);
}

enum store_rc account_list(struct store *s, struct arena *a, const char *unit_code, int64_t limit,
                           int64_t offset, struct account **out, int64_t *n, int64_t *total)
{
    struct store_sql count, list;
    store_sql_init(&count, "SELECT COUNT(*) FROM accounts WHERE 1 = 1", "");
    store_sql_area(&count, NULL, unit_code);
    store_sql_init(&list, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE 1 = 1", "");
    store_sql_area(&list, NULL, unit_code);
    store_sql_add(&list, " ORDER BY id LIMIT ? OFFSET ?", "ii", limit, offset);
    enum store_rc rc = store_sql_int(s, total, &count);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = store_sql_query(s, &st, &list);
    if (rc)
        return rc;
    *out = arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW && *n < limit)
        read_row(st, a, &(*out)[(*n)++]);
    store_finalize(st);
    return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

enum store_rc account_update(struct store *s, int64_t id, const struct account_change *c)
{
    int64_t now = clock_now();
    enum store_rc rc = STORE_OK;
    if (c->full_name)
        rc = store_run(s, NULL, "UPDATE accounts SET full_name = ?, updated_at = ? WHERE id = ?", "sii", c->full_name,
                       now, id);
    if (!rc && c->phone)
        rc = store_run(s, NULL, "UPDATE accounts SET phone = ?, updated_at = ? WHERE id = ?", "sii", c->phone, now, id);
    if (!rc && c->email)
        rc = store_run(s, NULL, "UPDATE accounts SET email = NULLIF(?, ''), updated_at = ? WHERE id = ?", "sii",
                       c->email, now, id);
    if (!rc && c->password_hash)
        rc = store_run(s, NULL, "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?", "sii",
                       c->password_hash, now, id);
    if (!rc && c->disabled >= 0)
        rc = store_run(s, NULL, "UPDATE accounts SET disabled = ?, updated_at = ? WHERE id = ?", "dii", c->disabled,
                       now, id);
    /* A disabled account or a new password ends every open session. */
    if (!rc && (c->disabled == 1 || c->password_hash))
        rc = store_run(s, NULL, "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", "ii",
                       now, id);
    return rc;
}
