/*
 * postgres/driver.c - the PostgreSQL engine (libpq).
 *
 * Placeholders: domain SQL is written with "?"; prepare() rewrites them to
 * $1, $2, ... outside string literals and quoted identifiers.  Parameters
 * travel as text, so integers are formatted here and parsed by the server.
 * Errors are classified by SQLSTATE: class 23 is a constraint (CONFLICT, or
 * INVALID for NOT NULL and CHECK), class 40 and 08 mean retry, class 22 is a
 * value the engine refused.
 *
 * Statements are prepared once per connection (PQprepare, named by a
 * counter) and cached by SQL text, like SQLite's, up to PG_STMT_CACHE texts;
 * later texts run unnamed.  A reset connection has lost them: the cache is
 * emptied with it.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_driver.h"

#define PG_STMT_CACHE 256

struct pg_cached {
    char *sql;     /* with $n placeholders */
    uint64_t hash; /* FNV-1a of sql */
    char name[16];
};

struct store {
    struct store_base base;
    PGconn *conn;
    struct pg_cached cache[PG_STMT_CACHE];
    int ncache;
    unsigned generation; /* names of prepared statements: "c<generation>_<n>" */
};

struct store_stmt {
    struct store_stmt_base base;
    char *sql;       /* with $n placeholders */
    int nparams;
    char **values;   /* owned copies; NULL means SQL NULL */
    PGresult *res;
    int row;         /* current row, -1 before the first step */
    int nrows;
    int64_t changes;
};

static void cache_clear(struct store *s)
{
    for (int i = 0; i < s->ncache; i++)
        free(s->cache[i].sql);
    s->ncache = 0;
    s->generation++;
}

static enum store_rc classify(struct store *s, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(s->conn) == CONNECTION_BAD) {
        log_warn("msg=\"postgres connection lost; resetting\"");
        PQreset(s->conn);
        cache_clear(s); /* a new session has no prepared statements */
        return STORE_RETRY;
    }
    if (state) {
        if (!strncmp(state, "23", 2))
            return (!strcmp(state, "23502") || !strcmp(state, "23514")) ? STORE_INVALID : STORE_CONFLICT;
        if (!strncmp(state, "40", 2) || !strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
            !strcmp(state, "55P03"))
            return STORE_RETRY;
        if (!strncmp(state, "22", 2))
            return STORE_INVALID;
    }
    store__count_error();
    log_error("msg=\"postgres error\" sqlstate=%s detail=\"%s\"", state ? state : "-", PQerrorMessage(s->conn));
    return STORE_ERROR;
}

static void notice_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg; /* NOTICEs such as "relation already exists, skipping" are not errors */
}

static enum store_rc pg_open(const char *url, struct store **out, char *err, int errlen)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, (size_t)errlen, "could not connect to PostgreSQL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return STORE_ERROR;
    }
    PQsetNoticeProcessor(conn, notice_quiet, NULL);
    PGresult *r = PQexec(conn, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
    PQclear(r);
    struct store *s = xcalloc(1, sizeof(*s));
    s->base.drv = &store_postgres_driver;
    s->conn = conn;
    store__count_connection();
    *out = s;
    return STORE_OK;
}

static void pg_close(struct store *s)
{
    cache_clear(s);
    PQfinish(s->conn);
    free(s);
}

static const char *pg_errmsg(struct store *s)
{
    return PQerrorMessage(s->conn);
}

static enum store_rc pg_exec(struct store *s, const char *sql)
{
    store__count_query();
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    enum store_rc rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? STORE_OK : classify(s, res);
    PQclear(res);
    return rc;
}

/* Rewrites ? to $n outside '...' and "..." and counts them. */
static char *translate(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    char *out = xmalloc(len * 4 + 1); /* "?" becomes at most "$NNN" */
    char *o = out;
    char quote = 0;
    int n = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?') {
            o += sprintf(o, "$%d", ++n);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    *nparams = n;
    return out;
}

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* The name of sql prepared on this connection, preparing it the first time; NULL to run it unnamed. */
static const char *prepared_name(struct store *s, const char *sql, int nparams)
{
    uint64_t hash = fnv1a(sql);
    for (int i = 0; i < s->ncache; i++)
        if (s->cache[i].hash == hash && !strcmp(s->cache[i].sql, sql))
            return s->cache[i].name;
    if (s->ncache == PG_STMT_CACHE || PQtransactionStatus(s->conn) == PQTRANS_INERROR)
        return NULL;
    struct pg_cached *c = &s->cache[s->ncache];
    snprintf(c->name, sizeof(c->name), "c%u_%d", s->generation % 100000, s->ncache);
    PGresult *res = PQprepare(s->conn, c->name, sql, nparams, NULL);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok)
        return NULL; /* run unnamed: the error, if real, comes from there with its SQLSTATE */
    c->sql = xstrdup(sql);
    c->hash = hash;
    s->ncache++;
    return c->name;
}

static enum store_rc pg_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
    struct store_stmt *st = xcalloc(1, sizeof(*st));
    st->base.drv = &store_postgres_driver;
    st->base.store = s;
    st->sql = translate(sql, &st->nparams);
    st->values = xcalloc((size_t)st->nparams + 1, sizeof(char *));
    st->row = -1;
    store__count_query();
    *out = st;
    return STORE_OK;
}

static enum store_rc set_param(struct store_stmt *st, int i, char *v)
{
    if (i < 1 || i > st->nparams) {
        free(v);
        log_error("msg=\"bind index out of range\" index=%d params=%d", i, st->nparams);
        return STORE_ERROR;
    }
    free(st->values[i - 1]);
    st->values[i - 1] = v;
    return STORE_OK;
}

static enum store_rc pg_bind_int(struct store_stmt *st, int i, int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    return set_param(st, i, xstrdup(tmp));
}

static enum store_rc pg_bind_text(struct store_stmt *st, int i, const char *v, bool borrowed)
{
    (void)borrowed; /* every parameter is copied: the statement frees them all */
    return set_param(st, i, xstrdup(v));
}

static enum store_rc pg_bind_null(struct store_stmt *st, int i)
{
    return set_param(st, i, NULL);
}

static enum store_rc pg_step(struct store_stmt *st)
{
    if (!st->res) {
        struct store *s = st->base.store;
        const char *name = prepared_name(s, st->sql, st->nparams);
        if (name)
            st->res = PQexecPrepared(s->conn, name, st->nparams, (const char *const *)st->values, NULL, NULL, 0);
        else
            st->res = PQexecParams(s->conn, st->sql, st->nparams, NULL, (const char *const *)st->values, NULL, NULL,
                                   0);
        ExecStatusType status = PQresultStatus(st->res);
        if (status == PGRES_TUPLES_OK) {
            st->nrows = PQntuples(st->res);
            const char *ct = PQcmdTuples(st->res);
            st->changes = *ct ? strtoll(ct, NULL, 10) : 0;
        } else if (status == PGRES_COMMAND_OK) {
            st->nrows = 0;
            const char *ct = PQcmdTuples(st->res);
            st->changes = *ct ? strtoll(ct, NULL, 10) : 0;
        } else {
            enum store_rc rc = classify(st->base.store, st->res);
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
    }
    st->row++;
    return st->row < st->nrows ? STORE_ROW : STORE_DONE;
}

static int64_t pg_changes(struct store_stmt *st)
{
    return st->changes;
}

static int pg_ncols(struct store_stmt *st)
{
    return st->res ? PQnfields(st->res) : 0;
}

static bool pg_col_null(struct store_stmt *st, int i)
{
    return PQgetisnull(st->res, st->row, i);
}

static int64_t pg_col_int(struct store_stmt *st, int i)
{
    if (PQgetisnull(st->res, st->row, i))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (!strcmp(v, "t"))
        return 1;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct store_stmt *st, int i)
{
    return PQgetisnull(st->res, st->row, i) ? NULL : PQgetvalue(st->res, st->row, i);
}

static const char *pg_col_name(struct store_stmt *st, int i)
{
    return PQfname(st->res, i);
}

static void pg_finalize(struct store_stmt *st)
{
    PQclear(st->res);
    for (int i = 0; i < st->nparams; i++)
        free(st->values[i]);
    free(st->values);
    free(st->sql);
    free(st);
}

static enum store_rc pg_begin(struct store *s, bool write)
{
    (void)write; /* READ COMMITTED; writers serialise on the rows they touch */
    return pg_exec(s, "BEGIN");
}

static enum store_rc pg_listen(struct store *s, const char *channel)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "LISTEN %s", channel);
    return pg_exec(s, sql);
}

/* Takes the notifications libpq holds: whether there were any. */
static bool take_notifies(struct store *s)
{
    bool got = false;
    PGnotify *n;
    while ((n = PQnotifies(s->conn))) {
        PQfreemem(n);
        got = true;
    }
    return got;
}

static enum store_rc pg_wait_notify(struct store *s, int timeout_ms)
{
    if (!PQconsumeInput(s->conn))
        return classify(s, NULL);
    if (take_notifies(s))
        return STORE_OK;
    struct pollfd p = {PQsocket(s->conn), POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0)
        return errno == EINTR ? STORE_DONE : STORE_ERROR;
    if (r == 0)
        return STORE_DONE;
    if (!PQconsumeInput(s->conn))
        return classify(s, NULL);
    return take_notifies(s) ? STORE_OK : STORE_DONE;
}

const struct store_driver store_postgres_driver = {
    .name = "postgres",
    .serial = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .txid = "(pg_current_xact_id()::text::bigint)",
    .without_rowid = "",
    .carry_serial = "SELECT setval(pg_get_serial_sequence('%2$s', 'id'), GREATEST(v, 1), v > 0) FROM"
                    " (SELECT GREATEST(COALESCE(pg_sequence_last_value(pg_get_serial_sequence('%1$s', 'id')::regclass),"
                    " 0), (SELECT COALESCE(MAX(id), 0) FROM %2$s)) AS v) AS last;",
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .changes = pg_changes,
    .ncols = pg_ncols,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_name = pg_col_name,
    .finalize = pg_finalize,
    .begin = pg_begin,
    .listen = pg_listen,
    .wait_notify = pg_wait_notify,
};
