/*
 * store.h - the one database API every domain uses.
 *
 * A store is one connection, chosen by URL: "sqlite:PATH" (embedded, WAL) or
 * "postgres://..." (libpq).  It is not shared between threads: the server
 * opens one per request thread.  SQL is written once, portably, with "?"
 * placeholders; the PostgreSQL driver renumbers them to $1, $2, ...
 *
 * Every function returns an enum store_rc; STORE_OK is 0.  Engine errors are
 * folded into this small set so callers handle, say, a unique violation the
 * same way on both engines (STORE_CONFLICT).  It is a type of its own, not an
 * enum err (core/err.h): store_err() is the one mapping from one to the other,
 * and the compiler (-Wenum-conversion, in -Wextra) refuses a silent mix.
 *
 *     struct store_stmt *st;
 *     int rc = store_query(s, &st, "SELECT name FROM units WHERE parent_code = ?", "s", code);
 *     if (rc)
 *         return rc;
 *     while ((rc = store_step(st)) == STORE_ROW)
 *         puts(store_col_text(st, 0));
 *     store_finalize(st);
 *     return rc == STORE_DONE ? STORE_OK : rc;
 */
#ifndef CORDON_STORE_STORE_H
#define CORDON_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store_kinds.h"

enum store_rc {
    STORE_OK = 0,
    /* Numbered apart from enum err (core/err.h): a transaction's callback may return either (store_tx). */
    STORE_ROW = 100,      /* store_step: a row is ready */
    STORE_DONE = 101,     /* store_step: no more rows */
    STORE_CONFLICT = 102, /* unique or foreign-key constraint violated */
    STORE_RETRY = 103,    /* busy, deadlock, serialization failure, lost connection: retry the transaction */
    STORE_INVALID = 104,  /* the engine refused a value (type, range, encoding) */
    STORE_ERROR = 105     /* anything else: a bug or a broken database */
};

/*
 * The one mapping to an enum err: OK -> ERR_OK, DONE (no row) -> ERR_NOT_FOUND,
 * CONFLICT -> ERR_CONFLICT, RETRY -> ERR_UNAVAILABLE, INVALID -> ERR_INVALID_FIELD,
 * ROW (a row nobody read) and ERROR -> ERR_INTERNAL.  A caller that means
 * something else by "no row" (a bad field, say) tests STORE_DONE itself first.
 */
enum err store_err(enum store_rc rc);

struct store;
struct store_stmt;

/* Opens a connection. On failure *out is NULL and err holds a message. */
enum store_rc store_open(const char *url, struct store **out, char *err, int errlen);
void store_close(struct store *s);
const char *store_engine(const struct store *s); /* "sqlite" or "postgres" */
const char *store_errmsg(struct store *s);       /* last engine message, for the log only */

/*
 * SQLite: a thread of this process copies the WAL back into the database (the check-in writer's
 * checkpointer), so connections opened from now on do not checkpoint on the commit that passes
 * 1000 pages of WAL (that copy and its fsync stalled whichever request made the commit), only
 * past 512 MiB: a safety net for writes so steady that the thread's copies never complete.
 */
void store_sqlite_checkpoints_elsewhere(void);

/*
 * SQLite: an fsync of the database file (not the WAL), outside any transaction.  SQLite syncs the
 * database only when a checkpoint copies the whole WAL; a thread whose checkpoints copy part of it
 * calls this after each, so that the pages they wrote do not all wait for that last sync.
 * STORE_OK and nothing done on PostgreSQL.
 */
enum store_rc store_sqlite_sync_database(struct store *s);

/*
 * The page cache of this connection, kib KiB, for a thread that works on one connection for long
 * (the tracing run writer): SQLite keeps a connection's cache from one of its transactions to the
 * next while no other connection writes.  Nothing on PostgreSQL, whose cache is the server's.
 */
void store_cache_size(struct store *s, int kib);

/* Runs SQL text with no parameters; may hold several statements (migrations). */
enum store_rc store_exec(struct store *s, const char *sql);

/*
 * Bind arguments are described by types, one letter each:
 *   'i' int64_t, 'd' int, 's' const char * (NULL binds SQL NULL), 'n' SQL NULL (no argument).
 * They are checked: each call below is a macro that also passes the C type of
 * every argument (store_kinds.h), and a call whose letters do not fit them
 * (an int for 'i', a size_t, too few arguments) fails with STORE_ERROR and a
 * log line naming the SQL, before anything is read.  Arguments after the last
 * letter are not read.
 *
 * store_query(s, &st, sql, types, ...)    prepares and binds; on error st is NULL.
 * store_run(s, &changes, sql, types, ...)  runs a statement returning no rows;
 *                                          changes (may be NULL) gets the rows affected.
 * store_int(s, &out, sql, types, ...)      runs a statement returning one integer
 *                                          (INSERT ... RETURNING id, SELECT count(*));
 *                                          STORE_DONE if it returned no row.
 * store_get(s, read, ctx, sql, types, ...) runs a query returning at most one row and
 *                                          hands it to read(st, ctx); STORE_OK when a row
 *                                          was read, STORE_DONE when none.
 */
#define store_query(s, ...) store__query(STORE__KINDS(__VA_ARGS__) + 3, s, __VA_ARGS__)
#define store_run(s, ...) store__run(STORE__KINDS(__VA_ARGS__) + 3, s, __VA_ARGS__)
#define store_int(s, ...) store__int(STORE__KINDS(__VA_ARGS__) + 3, s, __VA_ARGS__)
#define store_get(s, ...) store__get(STORE__KINDS(__VA_ARGS__) + 4, s, __VA_ARGS__)
/*
 * store_insert_id(s, &id, sql, types, ...) runs an INSERT of one row, which may make none (ON
 * CONFLICT DO NOTHING), written without RETURNING: STORE_OK with the new row's id, STORE_DONE
 * when it made none.  SQLite reads the rowid (its RETURNING gathers the rows in a temporary
 * table first, a microsecond a row on the check-in writer); PostgreSQL adds RETURNING id.
 */
#define store_insert_id(s, ...) store__insert_id(STORE__KINDS(__VA_ARGS__) + 3, s, __VA_ARGS__)

/* What the macros call: kinds are the STORE__KIND letters of the bind arguments. */
enum store_rc store__query(const char *kinds, struct store *s, struct store_stmt **out, const char *sql,
                           const char *types, ...);
enum store_rc store__run(const char *kinds, struct store *s, int64_t *changes, const char *sql,
                         const char *types, ...);
enum store_rc store__int(const char *kinds, struct store *s, int64_t *out, const char *sql, const char *types,
                         ...);
enum store_rc store__get(const char *kinds, struct store *s, void (*read)(struct store_stmt *st, void *ctx),
                         void *ctx, const char *sql, const char *types, ...);
enum store_rc store__insert_id(const char *kinds, struct store *s, int64_t *id, const char *sql, const char *types,
                               ...);

enum store_rc store_step(struct store_stmt *st);
int store_ncols(struct store_stmt *st);
bool store_col_null(struct store_stmt *st, int i); /* columns count from 0 */
int64_t store_col_int(struct store_stmt *st, int i);
const char *store_col_text(struct store_stmt *st, int i); /* NULL for SQL NULL; valid until next step */
const char *store_col_name(struct store_stmt *st, int i);
void store_finalize(struct store_stmt *st);

/* Transactions. write=true takes the write lock up front on SQLite (BEGIN IMMEDIATE). */
enum store_rc store_begin(struct store *s, bool write);
enum store_rc store_commit(struct store *s);
enum store_rc store_rollback(struct store *s);

/*
 * Runs fn inside a transaction, retrying the whole transaction when the store
 * says STORE_RETRY (busy database, deadlock, serialization failure).  fn
 * returns 0 to commit, or an enum err or store rc to roll back (the one place
 * the two meet: their numbers never overlap).  The result is an enum err, a
 * store rc going through store_err().
 */
enum err store_tx(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx);

/*
 * Notifications between connections, where the engine has them (PostgreSQL
 * LISTEN/NOTIFY; on SQLite these do nothing and waiting only sleeps: readers
 * there poll).  channel is a constant identifier of the code, never input.
 * store_notify: a notification on channel, sent when the current transaction
 * commits (at once outside one).  store_listen: this connection receives
 * those of channel.  store_wait_notify: waits up to timeout_ms for any and
 * takes all that came: STORE_OK (some came), STORE_DONE (none in time),
 * STORE_RETRY (the connection was lost and reset: listen again).
 */
enum store_rc store_notify(struct store *s, const char *channel);
enum store_rc store_listen(struct store *s, const char *channel);
enum store_rc store_wait_notify(struct store *s, int timeout_ms);

/* Process-wide figures for /metrics. */
struct store_stats {
    uint64_t queries, errors, retries, connections;
};
void store_stats_get(struct store_stats *out);

#endif
