/*
 * store_driver.h - what a database engine implements.  Only store.c and the
 * drivers include this file; domains see store.h alone.
 */
#ifndef CORDON_STORE_DRIVER_H
#define CORDON_STORE_DRIVER_H

#include <stdarg.h>

#include "store/store.h"

struct store_driver {
    const char *name;   /* "sqlite", "postgres" */
    const char *serial; /* DDL replacing "{{serial}}" in migrations: an auto-numbered primary key */
    const char *txid;   /* "{{txid}}": the writing transaction's id as a BIGINT expression (0 where none) */
    const char *without_rowid; /* "{{without_rowid}}" after a table whose primary key is all it is read by */
    /* "{{carry_serial OLD NEW}}", a format of OLD (%1$s) and NEW (%2$s): table NEW, made again from
     * OLD with the same ids, numbers its next row where OLD would have */
    const char *carry_serial;
    enum store_rc (*open)(const char *url, struct store **out, char *err, int errlen);
    void (*close)(struct store *s);
    const char *(*errmsg)(struct store *s);
    enum store_rc (*exec)(struct store *s, const char *sql);
    enum store_rc (*prepare)(struct store *s, const char *sql, struct store_stmt **out);
    enum store_rc (*bind_int)(struct store_stmt *st, int i, int64_t v); /* i counts from 1 */
    /* borrowed: v stays valid until the statement is finalized, so the driver need not copy it */
    enum store_rc (*bind_text)(struct store_stmt *st, int i, const char *v, bool borrowed);
    enum store_rc (*bind_null)(struct store_stmt *st, int i);
    enum store_rc (*step)(struct store_stmt *st);
    int64_t (*changes)(struct store_stmt *st);
    int (*ncols)(struct store_stmt *st);
    bool (*col_null)(struct store_stmt *st, int i);
    int64_t (*col_int)(struct store_stmt *st, int i);
    const char *(*col_text)(struct store_stmt *st, int i);
    const char *(*col_name)(struct store_stmt *st, int i);
    void (*finalize)(struct store_stmt *st);
    enum store_rc (*begin)(struct store *s, bool write);
    /* The id of the row the statement just inserted, for store_insert_id (NULL: RETURNING id) */
    int64_t (*last_id)(struct store_stmt *st);
    /* Notifications (NULL where the engine has none: callers poll) */
    enum store_rc (*listen)(struct store *s, const char *channel);
    enum store_rc (*wait_notify)(struct store *s, int timeout_ms);
};

/* Every driver's struct store and struct store_stmt start with these. */
struct store_base {
    const struct store_driver *drv;
};
struct store_stmt_base {
    const struct store_driver *drv;
    struct store *store;
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_postgres_driver;

/* Counters shared by the drivers (atomic). */
void store__count_query(void);
void store__count_error(void);
void store__count_connection(void);

#endif
