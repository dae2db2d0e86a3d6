/*
 * wal_writes.c - a VFS over SQLite's default one that writes a transaction's
 * WAL frames to the file with one pwrite instead of two per page.
 *
 * SQLite writes each WAL frame as two writes, its 24-byte header and its
 * page, straight to the file.  A check-in batch changes some 30 pages: 60
 * system calls, each through the filesystem's write path, and under load
 * they were a fifth of the server's CPU (README, "Check-ins").  Here the
 * frames of a WAL file are gathered in memory while they follow one another
 * and written together:
 *   - when a commit frame's page has been written (the frame header names the
 *     database size after the commit, non-zero only on a commit frame), still
 *     inside that write, so its error is SQLite's error and the commit fails;
 *   - before any other operation on the file (read, sync, truncate, size,
 *     close, lock, file control), so SQLite never sees the file behind its
 *     own writes;
 *   - before a write elsewhere in the file, or when the buffer is full.
 * No connection can read a frame before its commit is published in the WAL
 * index, and SQLite publishes it after the commit frame's write returns: by
 * then the frames are in the file.  A crash before that loses frames that
 * were never committed, which is what a crash during SQLite's own writes
 * does.  The WAL index (shared memory) and the database file are written as
 * SQLite writes them; only WAL files are gathered.
 *
 * The other methods pass through to the default VFS.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/sqlite/wal_writes.h"

#define WAL_BUFFER (1u << 20) /* bytes gathered at most: a batch is ~120 KiB */
/* bytes handed to the default VFS per write: its unix write keeps only the low 17 bits of a
 * length (SQLite itself never writes more than a 64 KiB page at once) */
#define WAL_CHUNK (64u << 10)
#define WAL_FRAME_HEADER 24

struct wal_file {
    sqlite3_file base;  /* pMethods: &wal_io, or NULL if the real open failed */
    sqlite3_file *real; /* the default VFS's file, right after this struct */
    bool gather;        /* a WAL file */
    bool commit_next;   /* the last write was a commit frame's header: its page completes the commit */
    unsigned char *buf;
    sqlite3_int64 start; /* the file offset of buf[0] */
    size_t len;
};

static sqlite3_vfs *real_vfs;

static int flush(struct wal_file *f)
{
    int rc = SQLITE_OK;
    for (size_t at = 0; at < f->len && rc == SQLITE_OK; at += WAL_CHUNK) {
        size_t n = f->len - at < WAL_CHUNK ? f->len - at : WAL_CHUNK;
        rc = f->real->pMethods->xWrite(f->real, f->buf + at, (int)n, f->start + (sqlite3_int64)at);
    }
    f->len = 0;
    return rc;
}

static int wf_close(sqlite3_file *p)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    int rc2 = f->real->pMethods->xClose(f->real);
    sqlite3_free(f->buf);
    f->buf = NULL;
    return rc ? rc : rc2;
}

static int wf_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xRead(f->real, out, n, off);
}

static int wf_write(sqlite3_file *p, const void *in, int n, sqlite3_int64 off)
{
    struct wal_file *f = (struct wal_file *)p;
    if (!f->gather)
        return f->real->pMethods->xWrite(f->real, in, n, off);
    bool commit = f->commit_next;
    f->commit_next = false;
    if (f->len && (off != f->start + (sqlite3_int64)f->len || f->len + (size_t)n > WAL_BUFFER)) {
        int rc = flush(f);
        if (rc)
            return rc;
    }
    if ((size_t)n > WAL_CHUNK)
        return f->real->pMethods->xWrite(f->real, in, n, off);
    if (!f->buf && !(f->buf = sqlite3_malloc(WAL_BUFFER)))
        return f->real->pMethods->xWrite(f->real, in, n, off);
    if (!f->len)
        f->start = off;
    memcpy(f->buf + f->len, in, (size_t)n);
    f->len += (size_t)n;
    if (n == WAL_FRAME_HEADER) {
        const unsigned char *h = in; /* page number, then the database size after a commit (big-endian) */
        f->commit_next = h[4] | h[5] | h[6] | h[7];
    }
    return commit ? flush(f) : SQLITE_OK;
}

static int wf_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wf_sync(sqlite3_file *p, int flags)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wf_size(sqlite3_file *p, sqlite3_int64 *size)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wf_lock(sqlite3_file *p, int level)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xLock(f->real, level);
}

static int wf_unlock(sqlite3_file *p, int level)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xUnlock(f->real, level);
}

static int wf_reserved(sqlite3_file *p, int *out)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wf_control(sqlite3_file *p, int op, void *arg)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    if (rc)
        return rc;
    rc = f->real->pMethods->xFileControl(f->real, op, arg);
    if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK)
        *(char **)arg = sqlite3_mprintf("cordon-wal/%z", *(char **)arg);
    return rc;
}

static int wf_sector(sqlite3_file *p)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int wf_device(sqlite3_file *p)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Shared memory belongs to the database file, which gathers nothing: these pass through. */
static int wf_shm_map(sqlite3_file *p, int page, int size, int extend, void volatile **out)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int wf_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void wf_shm_barrier(sqlite3_file *p)
{
    struct wal_file *f = (struct wal_file *)p;
    f->real->pMethods->xShmBarrier(f->real);
}

static int wf_shm_unmap(sqlite3_file *p, int del)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xShmUnmap(f->real, del);
}

static int wf_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
    struct wal_file *f = (struct wal_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xFetch(f->real, off, n, out);
}

static int wf_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
    struct wal_file *f = (struct wal_file *)p;
    return f->real->pMethods->xUnfetch(f->real, off, page);
}

static const sqlite3_io_methods wal_io = {
    .iVersion = 3,
    .xClose = wf_close,
    .xRead = wf_read,
    .xWrite = wf_write,
    .xTruncate = wf_truncate,
    .xSync = wf_sync,
    .xFileSize = wf_size,
    .xLock = wf_lock,
    .xUnlock = wf_unlock,
    .xCheckReservedLock = wf_reserved,
    .xFileControl = wf_control,
    .xSectorSize = wf_sector,
    .xDeviceCharacteristics = wf_device,
    .xShmMap = wf_shm_map,
    .xShmLock = wf_shm_lock,
    .xShmBarrier = wf_shm_barrier,
    .xShmUnmap = wf_shm_unmap,
    .xFetch = wf_fetch,
    .xUnfetch = wf_unfetch,
};

static int wf_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *p, int flags, int *out_flags)
{
    (void)vfs;
    struct wal_file *f = (struct wal_file *)p;
    memset(f, 0, sizeof(*f));
    f->real = (sqlite3_file *)(f + 1);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    /* the unix VFS's files (wal_vfs_register) have version 3 methods, shared memory among them */
    if (f->real->pMethods)
        f->base.pMethods = &wal_io;
    f->gather = (flags & SQLITE_OPEN_WAL) != 0;
    return rc;
}

static sqlite3_vfs wal_vfs;
static pthread_once_t wal_vfs_once = PTHREAD_ONCE_INIT;

static void wal_vfs_register(void)
{
    sqlite3_vfs *d = sqlite3_vfs_find(NULL);
    if (!d || d->iVersion < 3 || strcmp(d->zName, "unix"))
        return; /* not the default VFS this knows: connections open without this one */
    real_vfs = d;
    wal_vfs = *d; /* its other methods do not depend on which VFS they are called through */
    wal_vfs.szOsFile = (int)sizeof(struct wal_file) + d->szOsFile;
    wal_vfs.zName = "cordon-wal";
    wal_vfs.pNext = NULL;
    wal_vfs.xOpen = wf_open;
    if (sqlite3_vfs_register(&wal_vfs, 0) != SQLITE_OK)
        real_vfs = NULL;
}

const char *store_sqlite_vfs(void)
{
    pthread_once(&wal_vfs_once, wal_vfs_register);
    return real_vfs ? wal_vfs.zName : NULL;
}
