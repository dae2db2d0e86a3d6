/*
 * store.c - driver choice by URL, typed binds, transactions with retry.
 */
#include "store/store.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store_driver.h"

#define DRV(s) (((struct store_base *)(s))->drv)
#define SDRV(st) (((struct store_stmt_base *)(st))->drv)
#define STORE_TX_ATTEMPTS 8

static atomic_uint_fast64_t stat_queries, stat_errors, stat_retries, stat_connections;

void store__count_query(void)
{
    atomic_fetch_add(&stat_queries, 1);
}

void store__count_error(void)
{
    atomic_fetch_add(&stat_errors, 1);
}

void store__count_connection(void)
{
    atomic_fetch_add(&stat_connections, 1);
}

void store_stats_get(struct store_stats *out)
{
    out->queries = atomic_load(&stat_queries);
    out->errors = atomic_load(&stat_errors);
    out->retries = atomic_load(&stat_retries);
    out->connections = atomic_load(&stat_connections);
}

enum store_rc store_open(const char *url, struct store **out, char *err, int errlen)
{
    *out = NULL;
    if (!strncmp(url, "sqlite:", 7)) {
        if (!url[7]) {
            snprintf(err, (size_t)errlen, "sqlite: needs a file path, as in sqlite:cordon.db");
            return STORE_ERROR;
        }
        return store_sqlite_driver.open(url + 7, out, err, errlen);
    }
    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
        return store_postgres_driver.open(url, out, err, errlen);
    snprintf(err, (size_t)errlen, "unknown database URL \"%s\": use sqlite:PATH or postgres://...", url);
    return STORE_ERROR;
}

void store_close(struct store *s)
{
    if (s)
        DRV(s)->close(s);
}

const char *store_engine(const struct store *s)
{
    return ((const struct store_base *)s)->drv->name;
}

const char *store_errmsg(struct store *s)
{
    return DRV(s)->errmsg(s);
}

void store_cache_size(struct store *s, int kib)
{
    if (strcmp(store_engine(s), "sqlite"))
        return;
    char sql[48];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
    store_exec(s, sql);
}

enum store_rc store_exec(struct store *s, const char *sql)
{
    return DRV(s)->exec(s, sql);
}

enum store_rc store_notify(struct store *s, const char *channel)
{
    if (!DRV(s)->listen)
        return STORE_OK;
    char sql[96];
    snprintf(sql, sizeof(sql), "NOTIFY %s", channel);
    return DRV(s)->exec(s, sql);
}

enum store_rc store_listen(struct store *s, const char *channel)
{
    return DRV(s)->listen ? DRV(s)->listen(s, channel) : STORE_OK;
}

enum store_rc store_wait_notify(struct store *s, int timeout_ms)
{
    if (DRV(s)->wait_notify)
        return DRV(s)->wait_notify(s, timeout_ms);
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    return STORE_DONE;
}

/* borrowed: the statement runs to its end before the caller's strings can go (store_run and the
 * one-row reads), so drivers may bind them without a copy; store_query's caller steps it later. */
static enum store_rc bind_args(struct store_stmt *st, const char *types, va_list ap, bool borrowed)
{
    const struct store_driver *d = SDRV(st);
    enum store_rc rc = STORE_OK;
    for (int i = 0; types[i] && rc == STORE_OK; i++) {
        switch (types[i]) {
        case 'i':
            rc = d->bind_int(st, i + 1, va_arg(ap, int64_t));
            break;
        case 'd':
            rc = d->bind_int(st, i + 1, va_arg(ap, int));
            break;
        case 's': {
            const char *v = va_arg(ap, const char *);
            rc = v ? d->bind_text(st, i + 1, v, borrowed) : d->bind_null(st, i + 1);
            break;
        }
        case 'n':
            rc = d->bind_null(st, i + 1);
            break;
        default:
            log_error("msg=\"bad bind type\" type=%c", types[i]);
            rc = STORE_ERROR;
        }
    }
    return rc;
}

/*
 * Whether the arguments' C kinds (STORE__KIND letters) are what types promises;
 * logs when not.  Arguments after the last letter are never read, and callers
 * rely on it (a trailing value dropped by writing 'n' for it; one argument
 * list for queries that use fewer of them), so they are not checked.
 */
static bool kinds_fit(const char *kinds, const char *types, const char *sql)
{
    size_t k = 0;
    for (const char *t = types; *t; t++) {
        if (*t == 'n')
            continue; /* binds NULL, takes no argument */
        if (kinds[k] != *t) {
            log_error("msg=\"bind argument of the wrong C type\" position=%zu type=%c argument=%c sql=\"%.120s\"",
                      k + 1, *t, kinds[k] ? kinds[k] : '-', sql);
            return false;
        }
        k++;
    }
    return true;
}

static enum store_rc vquery(const char *kinds, struct store *s, struct store_stmt **out, const char *sql,
                            const char *types, va_list ap, bool borrowed)
{
    if (!kinds_fit(kinds, types, sql)) {
        *out = NULL;
        return STORE_ERROR;
    }
    enum store_rc rc = DRV(s)->prepare(s, sql, out);
    if (rc != STORE_OK) {
        *out = NULL;
        return rc;
    }
    rc = bind_args(*out, types, ap, borrowed);
    if (rc != STORE_OK) {
        DRV(s)->finalize(*out);
        *out = NULL;
    }
    return rc;
}

enum store_rc store__query(const char *kinds, struct store *s, struct store_stmt **out, const char *sql,
                           const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    enum store_rc rc = vquery(kinds, s, out, sql, types, ap, false);
    va_end(ap);
    return rc;
}

enum store_rc store__run(const char *kinds, struct store *s, int64_t *changes, const char *sql,
                         const char *types, ...)
{
    struct store_stmt *st;
    va_list ap;
    va_start(ap, types);
    enum store_rc rc = vquery(kinds, s, &st, sql, types, ap, true);
    va_end(ap);
    if (rc != STORE_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW || rc == STORE_DONE) {
        if (changes)
            *changes = SDRV(st)->changes(st);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

/* One-row query: hands the row, if any, to read(st, ctx). */
static enum store_rc vget(const char *kinds, struct store *s, void (*read)(struct store_stmt *st, void *ctx),
                          void *ctx, const char *sql, const char *types, va_list ap)
{
    struct store_stmt *st;
    enum store_rc rc = vquery(kinds, s, &st, sql, types, ap, true);
    if (rc != STORE_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        read(st, ctx);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

enum store_rc store__get(const char *kinds, struct store *s, void (*read)(struct store_stmt *st, void *ctx),
                         void *ctx, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    enum store_rc rc = vget(kinds, s, read, ctx, sql, types, ap);
    va_end(ap);
    return rc;
}

static void read_int(struct store_stmt *st, void *out)
{
    *(int64_t *)out = store_col_int(st, 0);
}

enum store_rc store__int(const char *kinds, struct store *s, int64_t *out, const char *sql, const char *types,
                         ...)
{
    va_list ap;
    va_start(ap, types);
    enum store_rc rc = vget(kinds, s, read_int, out, sql, types, ap);
    va_end(ap);
    return rc;
}

enum store_rc store__insert_id(const char *kinds, struct store *s, int64_t *id, const char *sql, const char *types,
                               ...)
{
    va_list ap;
    va_start(ap, types);
    enum store_rc rc;
    *id = 0;
    if (SDRV(s)->last_id) {
        struct store_stmt *st;
        rc = vquery(kinds, s, &st, sql, types, ap, true);
        if (rc == STORE_OK) {
            rc = store_step(st);
            if (rc == STORE_DONE && SDRV(st)->changes(st) > 0) {
                *id = SDRV(st)->last_id(st);
                rc = STORE_OK;
            }
            store_finalize(st);
        }
    } else {
        char stack[2048], *text = stack;
        size_t n = strlen(sql) + sizeof(" RETURNING id");
        if (n > sizeof(stack))
            text = xmalloc(n);
        snprintf(text, n, "%s RETURNING id", sql);
        rc = vget(kinds, s, read_int, id, text, types, ap);
        if (text != stack)
            free(text);
    }
    va_end(ap);
    return rc;
}

enum store_rc store_step(struct store_stmt *st)
{
    return SDRV(st)->step(st);
}

int store_ncols(struct store_stmt *st)
{
    return SDRV(st)->ncols(st);
}

bool store_col_null(struct store_stmt *st, int i)
{
    return SDRV(st)->col_null(st, i);
}

int64_t store_col_int(struct store_stmt *st, int i)
{
    return SDRV(st)->col_int(st, i);
}

const char *store_col_text(struct store_stmt *st, int i)
{
    return SDRV(st)->col_text(st, i);
}

const char *store_col_name(struct store_stmt *st, int i)
{
    return SDRV(st)->col_name(st, i);
}

void store_finalize(struct store_stmt *st)
{
    if (st)
        SDRV(st)->finalize(st);
}

enum store_rc store_begin(struct store *s, bool write)
{
    return DRV(s)->begin(s, write);
}

enum store_rc store_commit(struct store *s)
{
    return store_exec(s, "COMMIT");
}

enum store_rc store_rollback(struct store *s)
{
    return store_exec(s, "ROLLBACK");
}

static void backoff(int attempt)
{
    struct timespec ts = {0, (long)(1 + attempt * attempt) * 2000000L}; /* 2 ms, 4 ms, 10 ms, ... */
    nanosleep(&ts, NULL);
}

enum err store_err(enum store_rc rc)
{
    switch (rc) {
    case STORE_OK:
        return ERR_OK;
    case STORE_DONE:
        return ERR_NOT_FOUND;
    case STORE_CONFLICT:
        return ERR_CONFLICT;
    case STORE_RETRY:
        return ERR_UNAVAILABLE;
    case STORE_INVALID:
        return ERR_INVALID_FIELD;
    case STORE_ROW:
    case STORE_ERROR:
        return ERR_INTERNAL;
    }
    log_error("msg=\"not a store result\" rc=%d", (int)rc);
    return ERR_INTERNAL;
}

/* A transaction callback's result: a store rc (numbered from STORE_ROW) or an enum err. */
static enum err tx_outcome(int rc)
{
    if (rc >= STORE_ROW && rc <= STORE_ERROR)
        return store_err((enum store_rc)rc);
    if (rc >= 0 && rc < ERR_LAST)
        return (enum err)rc;
    log_error("msg=\"transaction failed with an unknown code\" rc=%d", rc);
    return ERR_INTERNAL;
}

enum err store_tx(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx)
{
    for (int attempt = 0; attempt < STORE_TX_ATTEMPTS; attempt++) {
        enum store_rc src = store_begin(s, true);
        if (src == STORE_RETRY) {
            atomic_fetch_add(&stat_retries, 1);
            backoff(attempt);
            continue;
        }
        if (src != STORE_OK)
            return store_err(src);
        int rc = fn(s, ctx);
        if (rc == 0) {
            src = store_commit(s);
            if (src == STORE_OK)
                return ERR_OK;
            rc = (int)src;
        }
        store_rollback(s);
        if (rc != STORE_RETRY)
            return tx_outcome(rc);
        atomic_fetch_add(&stat_retries, 1);
        backoff(attempt);
    }
    log_warn("msg=\"transaction gave up after retries\"");
    return ERR_UNAVAILABLE;
}
