/*
 * wal_writes.h - the VFS that gathers a transaction's WAL writes (wal_writes.c).
 */
#ifndef CORDON_STORE_SQLITE_WAL_WRITES_H
#define CORDON_STORE_SQLITE_WAL_WRITES_H

/* The VFS's name for sqlite3_open_v2, registered on first call; NULL when the default VFS is not
 * SQLite's "unix" (the connection then opens on the default). */
const char *store_sqlite_vfs(void);

#endif
