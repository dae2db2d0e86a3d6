/*
 * sql.c - the query builder of sql.h.
 */
#include "store/sql.h"

#include <stdarg.h>
#include <string.h>

#include "core/log.h"
#include "store/store_driver.h"

static void append_text(struct store_sql *q, const char *text)
{
    size_t n = strlen(text);
    if (q->len + n >= sizeof(q->text)) {
        q->broken = true;
        return;
    }
    memcpy(q->text + q->len, text, n + 1);
    q->len += n;
}

/* Takes the arguments described by types, checking their C kinds as store.c does. */
static void append_binds(struct store_sql *q, const char *kinds, const char *types, va_list ap)
{
    size_t k = 0;
    for (const char *t = types; *t && !q->broken; t++) {
        if (q->nargs >= STORE_SQL_ARGS) {
            q->broken = true;
            break;
        }
        int i = q->nargs;
        if (*t == 'n') {
            q->types[i] = 'n';
        } else if (*t != kinds[k]) {
            log_error("msg=\"bind argument of the wrong C type\" position=%zu type=%c argument=%c sql=\"%.120s\"",
                      k + 1, *t, kinds[k] ? kinds[k] : '-', q->text);
            q->broken = true;
            break;
        } else if (*t == 'i') {
            q->ints[i] = va_arg(ap, int64_t);
            k++;
        } else if (*t == 'd') {
            q->ints[i] = va_arg(ap, int);
            k++;
        } else if (*t == 's') {
            q->strs[i] = va_arg(ap, const char *);
            k++;
        } else {
            q->broken = true;
            break;
        }
        q->types[i] = *t == 'd' ? 'i' : *t;
        q->nargs++;
        q->types[q->nargs] = '\0';
    }
}

void store_sql__init(const char *kinds, struct store_sql *q, const char *text, const char *types, ...)
{
    q->len = 0;
    q->text[0] = '\0';
    q->types[0] = '\0';
    q->nargs = 0;
    q->broken = false;
    append_text(q, text);
    va_list ap;
    va_start(ap, types);
    append_binds(q, kinds, types, ap);
    va_end(ap);
}

void store_sql__add(const char *kinds, struct store_sql *q, const char *text, const char *types, ...)
{
    append_text(q, text);
    va_list ap;
    va_start(ap, types);
    append_binds(q, kinds, types, ap);
    va_end(ap);
}

/* The located column a unit code of this length filters on; NULL for none. */
static const char *area_column(const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = scope; *p; p++)
        if (*p < '0' || *p > '9')
            return NULL;
    return n == 2 ? "province_code" : n == 3 ? "district_code" : n == 5 ? "commune_code" : NULL;
}

void store_sql_area(struct store_sql *q, const char *alias, const char *scope)
{
    store_sql_area_prefixed(q, alias, NULL, scope);
}

void store_sql_area_prefixed(struct store_sql *q, const char *alias, const char *prefix, const char *scope)
{
    if (scope && !strcmp(scope, "VN"))
        return;
    const char *col = scope ? area_column(scope) : NULL;
    if (!col) {
        append_text(q, " AND 1 = 0");
        return;
    }
    append_text(q, " AND ");
    if (alias) {
        append_text(q, alias);
        append_text(q, ".");
    }
    if (prefix)
        append_text(q, prefix);
    append_text(q, col);
    store_sql_add(q, " = ?", "s", scope);
}

void store_sql_area_by_commune(struct store_sql *q, const char *alias, const char *scope)
{
    const char *col = scope ? area_column(scope) : NULL;
    if (!col || !strcmp(col, "commune_code")) {
        store_sql_area(q, alias, scope);
        return;
    }
    append_text(q, " AND ");
    if (alias) {
        append_text(q, alias);
        append_text(q, ".");
    }
    /* a commune's parent is its district, a district's its province: through units_parent */
    if (!strcmp(col, "district_code"))
        store_sql_add(q, "commune_code IN (SELECT code FROM units WHERE parent_code = ?)", "s", scope);
    else
        store_sql_add(q,
                      "commune_code IN (SELECT c.code FROM units d JOIN units c ON c.parent_code = d.code"
                      " WHERE d.parent_code = ?)",
                      "s", scope);
}

enum store_rc store_sql_query(struct store *s, struct store_stmt **out, const struct store_sql *q)
{
    *out = NULL;
    if (q->broken) {
        log_error("msg=\"query builder overflow or bad bind\" sql=\"%.120s\"", q->text);
        return STORE_ERROR;
    }
    const struct store_driver *d = ((struct store_base *)s)->drv;
    enum store_rc rc = d->prepare(s, q->text, out);
    if (rc != STORE_OK) {
        *out = NULL;
        return rc;
    }
    for (int i = 0; i < q->nargs && rc == STORE_OK; i++) {
        switch (q->types[i]) {
        case 'i':
            rc = d->bind_int(*out, i + 1, q->ints[i]);
            break;
        case 's':
            rc = q->strs[i] ? d->bind_text(*out, i + 1, q->strs[i], false) : d->bind_null(*out, i + 1);
            break;
        default:
            rc = d->bind_null(*out, i + 1);
        }
    }
    if (rc != STORE_OK) {
        d->finalize(*out);
        *out = NULL;
    }
    return rc;
}

enum store_rc store_sql_run(struct store *s, int64_t *changes, const struct store_sql *q)
{
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, q);
    if (rc != STORE_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW || rc == STORE_DONE) {
        if (changes)
            *changes = ((struct store_stmt_base *)st)->drv->changes(st);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

enum store_rc store_sql_int(struct store *s, int64_t *out, const struct store_sql *q)
{
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, q);
    if (rc != STORE_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *out = store_col_int(st, 0);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}
