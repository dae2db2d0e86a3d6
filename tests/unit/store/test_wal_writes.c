/*
 * Unit tests of store/sqlite/wal_writes.c, the VFS that writes a
 * transaction's WAL frames together: fewer write calls than SQLite's own
 * VFS, frames in the file when the commit returns (a connection on the
 * default VFS reads them), large and spilling transactions with a savepoint
 * rolled back stay whole, and a process that dies before its commit leaves
 * nothing of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite/wal_writes.h"

/* the integers 1..N as rows of column value (the library has no generate_series) */
#define SERIES(n)                                                                                            \
    "(WITH RECURSIVE g(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM g WHERE value < " #n ")"          \
    " SELECT value FROM g)"

static char dir[64];
static char path[96];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cordon-walw-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static sqlite3 *open_db(const char *vfs)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
}

static int64_t int_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void integrity_ok(sqlite3 *db)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
}

/* The write system calls this process has made (/proc/self/io). */
static long write_calls(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    assert_non_null(f);
    char line[128];
    long n = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "syscw: %ld", &n) == 1)
            break;
    fclose(f);
    assert_true(n >= 0);
    return n;
}

/* Write calls made by one transaction that changes 30 pages (30 rows of 3,000 bytes). */
static long commit_writes(sqlite3 *db)
{
    exec_ok(db, "BEGIN IMMEDIATE");
    long before = write_calls();
    exec_ok(db, "INSERT INTO t (v) SELECT randomblob(3000) FROM " SERIES(30));
    exec_ok(db, "COMMIT");
    return write_calls() - before;
}

static void gathers_frames(void **state)
{
    (void)state;
    assert_non_null(store_sqlite_vfs());
    sqlite3 *plain = open_db(NULL);
    exec_ok(plain, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    long by_sqlite = commit_writes(plain);
    sqlite3_close(plain);
    sqlite3 *db = open_db(store_sqlite_vfs());
    long gathered = commit_writes(db);
    /* SQLite: a header and a page per frame, 60 and more; gathered: 64 KiB at a time */
    assert_true(by_sqlite >= 60);
    assert_true(gathered <= 4);
    assert_int_equal(int_of(db, "SELECT COUNT(*) FROM t"), 60);
    integrity_ok(db);
    sqlite3_close(db);
}

static void frames_in_file_at_commit(void **state)
{
    (void)state;
    sqlite3 *db = open_db(store_sqlite_vfs());
    sqlite3 *reader =
        open_db(NULL); /* SQLite's own VFS: it reads the WAL file, never the gatherer's memory */
    exec_ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    for (int i = 1; i <= 20; i++) {
        exec_ok(db, "INSERT INTO t (v) SELECT randomblob(500) FROM " SERIES(7));
        assert_int_equal(int_of(reader, "SELECT COUNT(*) FROM t"), 7 * i);
    }
    integrity_ok(reader);
    sqlite3_close(reader);
    sqlite3_close(db);
}

static void large_spilling_transaction(void **state)
{
    (void)state;
    sqlite3 *db = open_db(store_sqlite_vfs());
    /* ten pages of cache: the transaction spills frames to the WAL and writes some of them again */
    exec_ok(db, "PRAGMA cache_size=10; CREATE TABLE t (id INTEGER PRIMARY KEY, k INT, v BLOB);"
                " CREATE INDEX t_k ON t (k)");
    exec_ok(db, "BEGIN");
    exec_ok(db, "INSERT INTO t (k, v) SELECT abs(random()) % 1000, randomblob(700) FROM " SERIES(3000));
    exec_ok(db, "SAVEPOINT s");
    exec_ok(db, "INSERT INTO t (k, v) SELECT value, randomblob(2000) FROM " SERIES(1500));
    exec_ok(db, "UPDATE t SET v = randomblob(100) WHERE id % 3 = 0");
    exec_ok(db, "ROLLBACK TO s");
    exec_ok(db, "UPDATE t SET k = k + 1 WHERE id % 7 = 0");
    exec_ok(db, "COMMIT");
    sqlite3 *reader = open_db(NULL);
    assert_int_equal(int_of(reader, "SELECT COUNT(*) FROM t"), 3000);
    assert_int_equal(int_of(reader, "SELECT COUNT(*) FROM t WHERE length(v) = 700"), 3000);
    integrity_ok(reader);
    sqlite3_close(reader);
    exec_ok(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
    db = open_db(NULL);
    assert_int_equal(int_of(db, "SELECT COUNT(*) FROM t"), 3000);
    integrity_ok(db);
    sqlite3_close(db);
}

/* A child writes through the VFS and dies (no close, no checkpoint), before or after its COMMIT. */
static void child_dies(bool commit)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db = open_db(store_sqlite_vfs());
        if (sqlite3_exec(db,
                         "PRAGMA cache_size=10; BEGIN;"
                         " INSERT INTO t (v) SELECT randomblob(900) FROM " SERIES(2000),
                         NULL, NULL, NULL) != SQLITE_OK)
            _exit(2);
        if (commit && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            _exit(3);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void death_before_commit_leaves_nothing(void **state)
{
    (void)state;
    sqlite3 *db = open_db(NULL);
    exec_ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    exec_ok(db, "INSERT INTO t (v) SELECT randomblob(900) FROM " SERIES(10));
    sqlite3_close(db);
    child_dies(false);
    db = open_db(NULL);
    assert_int_equal(int_of(db, "SELECT COUNT(*) FROM t"), 10);
    integrity_ok(db);
    sqlite3_close(db);
    child_dies(true);
    db = open_db(NULL);
    assert_int_equal(int_of(db, "SELECT COUNT(*) FROM t"), 2010);
    integrity_ok(db);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(gathers_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(frames_in_file_at_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(large_spilling_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(death_before_commit_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
