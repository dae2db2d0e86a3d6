#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/kek.h"
#include "store/store.h"

/* Every sealed column.  Its row's kek_id names the KEK; NULL means in clear. */
static const struct sealed_col {
    const char *table, *key, *col, *what;
} sealed_cols[] = {
    {"signing_keys", "kid", "secret_key", "QR signing keys"},
    {"dcc_keys", "kid", "private_key", "DCC signing keys"},
    {"outbox", "CAST(id AS TEXT)", "secret", "queued one-time codes"},
    {"en_codes", "CAST(id AS TEXT)", "code_sealed", "exposure notification codes"},
    {"en_signing_keys", "CAST(version AS TEXT)", "private_key", "exposure key export signing keys"},
};
#define NCOLS (sizeof(sealed_cols) / sizeof(sealed_cols[0]))

struct item {
    const struct sealed_col *c;
    char *key, *value, *kek_id;
};

struct walk {
    const struct kek *from, *to;
    int only_plain;
    void (*progress)(size_t, size_t);
    struct item *items;
    size_t n, cap;
    int64_t moved;
    char *err;
    size_t errlen;
};

static void items_free(struct walk *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->items[i].key);
        if (w->items[i].value) {
            memset(w->items[i].value, 0, strlen(w->items[i].value));
            free(w->items[i].value);
        }
        free(w->items[i].kek_id);
    }
    free(w->items);
    w->items = NULL;
    w->n = w->cap = 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Reads the rows of one column into w->items. */
static int collect(struct store *s, const struct sealed_col *c, struct walk *w)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT %s, %s, kek_id FROM %s WHERE %s IS NOT NULL%s", c->key, c->col, c->table,
             c->col, w->only_plain ? " AND kek_id IS NULL" : "");
    struct store_stmt *st;
    int rc = store_query(s, &st, sql, "");
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (w->n == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 16;
            struct item *p = realloc(w->items, cap * sizeof(*p));
            if (!p) {
                rc = STORE_ERROR;
                break;
            }
            w->items = p;
            w->cap = cap;
        }
        struct item *it = &w->items[w->n++];
        it->c = c;
        it->key = dup_or_null(store_col_text(st, 0));
        it->value = dup_or_null(store_col_text(st, 1));
        it->kek_id = dup_or_null(store_col_text(st, 2));
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* Opens one item with w->from (or takes it as it is when in clear) and seals it under w->to. */
static int reseal(struct store *s, struct walk *w, const struct item *it)
{
    char *plain;
    size_t len;
    if (!it->kek_id) {
        len = strlen(it->value);
        plain = malloc(len + 1);
        if (plain)
            memcpy(plain, it->value, len + 1);
    } else if (!w->from || strcmp(it->kek_id, w->from->id)) {
        snprintf(w->err, w->errlen, "%s are sealed under key-encryption key %s, not the current one (%s)",
                 it->c->what, it->kek_id, w->from ? w->from->id : "none configured");
        return ERR_CONFLICT;
    } else if (!(plain = kek_open(w->from, it->value, &len))) {
        snprintf(w->err, w->errlen, "a value of %s does not open with key-encryption key %s", it->c->what,
                 w->from->id);
        return ERR_CONFLICT;
    }
    char *sealed = plain ? kek_seal(w->to, plain, len) : NULL;
    kek_free(plain, len);
    if (!sealed)
        return ERR_INTERNAL;
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?, kek_id = ? WHERE %s = ?", it->c->table, it->c->col, it->c->key);
    int rc = store_run(s, NULL, sql, "sss", sealed, w->to->id, it->key);
    free(sealed);
    return rc;
}

static int rekey_tx(struct store *s, void *ctx)
{
    struct walk *w = ctx;
    items_free(w);
    w->moved = 0;
    int rc = STORE_OK;
    for (size_t i = 0; i < NCOLS && !rc; i++)
        rc = collect(s, &sealed_cols[i], w);
    for (size_t i = 0; i < w->n && !rc; i++) {
        rc = reseal(s, w, &w->items[i]);
        if (!rc) {
            w->moved++;
            if (w->progress)
                w->progress(i + 1, w->n);
        }
    }
    return rc;
}

int keys_rekey(struct store *s, const struct kek *from, const struct kek *to,
               void (*progress)(size_t done, size_t total), int64_t *moved, char *err, size_t errlen)
{
    struct walk w = {.from = from, .to = to, .progress = progress, .err = err, .errlen = errlen};
    err[0] = '\0';
    int rc = store_tx(s, rekey_tx, &w);
    items_free(&w);
    if (rc && !err[0])
        snprintf(err, errlen, "the database could not be updated (%s)", err_code(rc));
    *moved = rc ? 0 : w.moved;
    return rc;
}

int keys_seal_plain(struct store *s, const struct kek *k, int64_t *sealed)
{
    char err[256];
    struct walk w = {.from = k, .to = k, .only_plain = 1, .err = err, .errlen = sizeof(err)};
    int rc = store_tx(s, rekey_tx, &w);
    items_free(&w);
    if (sealed)
        *sealed = rc ? 0 : w.moved;
    return rc;
}

int keys_check(struct store *s, const struct kek *k, char *err, size_t errlen)
{
    for (size_t i = 0; i < NCOLS; i++) {
        const struct sealed_col *c = &sealed_cols[i];
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT kek_id, %s FROM %s WHERE kek_id IS NOT NULL ORDER BY kek_id <> ? DESC LIMIT 1",
                 c->col, c->table);
        struct store_stmt *st;
        int rc = store_query(s, &st, sql, "s", k->id);
        if (rc) {
            snprintf(err, errlen, "could not read %s", c->what);
            return -1;
        }
        rc = store_step(st);
        if (rc == STORE_ROW) {
            const char *id = store_col_text(st, 0), *v = store_col_text(st, 1);
            size_t len = 0;
            char *plain = NULL;
            if (strcmp(id, k->id))
                snprintf(err, errlen,
                         "%s in this database are sealed under key-encryption key %s, but the configured key is %s:"
                         " start with the key they were sealed under (CORDON_KEK or kek_file)",
                         c->what, id, k->id);
            else if (!v || !(plain = kek_open(k, v, &len)))
                snprintf(err, errlen, "%s do not open with key-encryption key %s: the database was altered",
                         c->what, k->id);
            else
                rc = STORE_DONE;
            kek_free(plain, len);
        }
        store_finalize(st);
        if (rc != STORE_DONE) {
            if (rc != STORE_ROW)
                snprintf(err, errlen, "could not read %s", c->what);
            return -1;
        }
    }
    return 0;
}

int keys_count(struct store *s, int64_t *total)
{
    *total = 0;
    for (size_t i = 0; i < NCOLS; i++) {
        char sql[160];
        int64_t n = 0;
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE %s IS NOT NULL", sealed_cols[i].table,
                 sealed_cols[i].col);
        int rc = store_int(s, &n, sql, "");
        if (rc)
            return rc;
        *total += n;
    }
    return STORE_OK;
}
