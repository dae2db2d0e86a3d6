/*
 * sqlite/driver.c - the embedded engine.
 *
 * Each connection runs in WAL mode (readers never block the writer) with
 * synchronous=FULL, so a committed transaction survives a power cut, and a
 * busy timeout: a writer waiting for the lock sleeps instead of failing.
 * Prepared statements are cached per connection by SQL text, so a hot query
 * is compiled once per thread.  Files are opened through wal_writes.c, which
 * writes a transaction's WAL frames together.
 */
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/sqlite/wal_writes.h"
#include "store/store_driver.h"

#define SQLITE_BUSY_MS 5000
#define SQLITE_STMT_CACHE 64

struct sqlite_cached;

struct store_stmt {
    struct store_stmt_base base;
    sqlite3_stmt *stmt;
    struct sqlite_cached *cached; /* NULL if not from the cache */
};

struct sqlite_cached {
    char *sql;     /* own copy of the text */
    uint64_t hash; /* FNV-1a of sql, checked before strcmp */
    sqlite3_stmt *stmt;
    int in_use;
    struct store_stmt handle; /* handed out while in use: a cached statement allocates nothing */
};

struct store {
    struct store_base base;
    sqlite3 *db;
    struct sqlite_cached cache[SQLITE_STMT_CACHE];
    int ncache;
};

static enum store_rc map_rc(struct store *s, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return STORE_OK;
    case SQLITE_ROW:
        return STORE_ROW;
    case SQLITE_DONE:
        return STORE_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_RETRY;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_NOTNULL || rc == SQLITE_CONSTRAINT_CHECK)
            return STORE_INVALID;
        return STORE_CONFLICT;
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
        return STORE_INVALID;
    default:
        store__count_error();
        log_error("msg=\"sqlite error\" rc=%d detail=\"%s\"", rc, s ? sqlite3_errmsg(s->db) : "");
        return STORE_ERROR;
    }
}

static atomic_bool checkpoints_elsewhere;

void store_sqlite_checkpoints_elsewhere(void)
{
    atomic_store(&checkpoints_elsewhere, true);
}

enum store_rc store_sqlite_sync_database(struct store *s)
{
    if (strcmp(store_engine(s), "sqlite"))
        return STORE_OK;
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods)
        return STORE_ERROR;
    return map_rc(s, f->pMethods->xSync(f, SQLITE_SYNC_NORMAL));
}

static enum store_rc sq_open(const char *path, struct store **out, char *err, int errlen)
{
    struct store *s = xcalloc(1, sizeof(*s));
    s->base.drv = &store_sqlite_driver;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             store_sqlite_vfs());
    if (rc != SQLITE_OK) {
        snprintf(err, (size_t)errlen, "could not open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "no memory");
        sqlite3_close(s->db);
        free(s);
        return STORE_ERROR;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, SQLITE_BUSY_MS);
    char *msg = NULL;
    rc = sqlite3_exec(s->db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                      "PRAGMA temp_store=MEMORY;",
                      NULL, NULL, &msg);
    /* past twice the WAL at which the check-in writer starts it over (checkin_writer.c): a request
     * thread copies only if other writes keep the WAL from ever being started over */
    if (rc == SQLITE_OK && atomic_load(&checkpoints_elsewhere))
        rc = sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint=131072", NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, (size_t)errlen, "could not set up %s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(s->db);
        free(s);
        return STORE_ERROR;
    }
    store__count_connection();
    *out = s;
    return STORE_OK;
}

static void sq_close(struct store *s)
{
    for (int i = 0; i < s->ncache; i++) {
        sqlite3_finalize(s->cache[i].stmt);
        free(s->cache[i].sql);
    }
    sqlite3_close(s->db);
    free(s);
}

static const char *sq_errmsg(struct store *s)
{
    return sqlite3_errmsg(s->db);
}

static enum store_rc sq_exec(struct store *s, const char *sql)
{
    store__count_query();
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && msg)
        log_debug("msg=\"sqlite exec failed\" detail=\"%s\"", msg);
    sqlite3_free(msg);
    return map_rc(s, rc);
}

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static enum store_rc sq_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
    struct sqlite_cached *c = NULL;
    uint64_t hash = fnv1a(sql);
    for (int i = 0; i < s->ncache; i++) {
        if (s->cache[i].hash == hash && !s->cache[i].in_use && !strcmp(s->cache[i].sql, sql)) {
            c = &s->cache[i];
            break;
        }
    }
    sqlite3_stmt *stmt;
    if (c) {
        stmt = c->stmt;
    } else {
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
        if (rc != SQLITE_OK) {
            log_error("msg=\"sqlite prepare failed\" detail=\"%s\"", sqlite3_errmsg(s->db));
            store__count_error();
            return STORE_ERROR;
        }
        if (s->ncache < SQLITE_STMT_CACHE) {
            c = &s->cache[s->ncache++];
            c->sql = xstrdup(sql);
            c->hash = hash;
            c->stmt = stmt;
        }
    }
    if (c)
        c->in_use = 1;
    struct store_stmt *st = c ? &c->handle : xcalloc(1, sizeof(*st));
    st->base.drv = &store_sqlite_driver;
    st->base.store = s;
    st->stmt = stmt;
    st->cached = c;
    store__count_query();
    *out = st;
    return STORE_OK;
}

static enum store_rc sq_bind_int(struct store_stmt *st, int i, int64_t v)
{
    return map_rc(st->base.store, sqlite3_bind_int64(st->stmt, i, v));
}

static enum store_rc sq_bind_text(struct store_stmt *st, int i, const char *v, bool borrowed)
{
    /* sq_finalize clears the bindings, so a borrowed string is never read after its statement */
    return map_rc(st->base.store, sqlite3_bind_text(st->stmt, i, v, -1, borrowed ? SQLITE_STATIC : SQLITE_TRANSIENT));
}

static enum store_rc sq_bind_null(struct store_stmt *st, int i)
{
    return map_rc(st->base.store, sqlite3_bind_null(st->stmt, i));
}

static enum store_rc sq_step(struct store_stmt *st)
{
    return map_rc(st->base.store, sqlite3_step(st->stmt));
}

static int64_t sq_changes(struct store_stmt *st)
{
    return sqlite3_changes64(st->base.store->db);
}

static int64_t sq_last_id(struct store_stmt *st)
{
    return sqlite3_last_insert_rowid(st->base.store->db);
}

static int sq_ncols(struct store_stmt *st)
{
    return sqlite3_column_count(st->stmt);
}

static bool sq_col_null(struct store_stmt *st, int i)
{
    return sqlite3_column_type(st->stmt, i) == SQLITE_NULL;
}

static int64_t sq_col_int(struct store_stmt *st, int i)
{
    return sqlite3_column_int64(st->stmt, i);
}

static const char *sq_col_text(struct store_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st->stmt, i);
}

static const char *sq_col_name(struct store_stmt *st, int i)
{
    return sqlite3_column_name(st->stmt, i);
}

static void sq_finalize(struct store_stmt *st)
{
    if (st->cached) {
        sqlite3_reset(st->stmt);
        sqlite3_clear_bindings(st->stmt);
        st->cached->in_use = 0; /* st is the entry's handle */
    } else {
        sqlite3_finalize(st->stmt);
        free(st);
    }
}

static enum store_rc sq_begin(struct store *s, bool write)
{
    return sq_exec(s, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .serial = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .txid = "0",
    .without_rowid = " WITHOUT ROWID",
    /* AUTOINCREMENT keeps its counter in sqlite_sequence: OLD's, not the largest id copied, so that
     * the ids of rows deleted at the end are never given again */
    .carry_serial = "DELETE FROM sqlite_sequence WHERE name = '%2$s';"
                    " INSERT INTO sqlite_sequence (name, seq) SELECT '%2$s', seq FROM sqlite_sequence"
                    " WHERE name = '%1$s';",
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .changes = sq_changes,
    .ncols = sq_ncols,
    .col_null = sq_col_null,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_name = sq_col_name,
    .finalize = sq_finalize,
    .begin = sq_begin,
    .last_id = sq_last_id,
};
