/*
 * Unit tests of store/ on the SQLite driver: binds, rows, NULLs, conflicts,
 * transactions and rollback, migrations, and the admin unit registry built
 * on top (scope checks and search).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "area/unit.h"
#include "core/err.h"
#include "store/migrate.h"
#include "store/store.h"
#include "support/store_fixture.h"

static int setup(void **state)
{
    return fixture_store_open(state, "store", false);
}

static int teardown(void **state)
{
    return fixture_store_close(state);
}

static void binds_and_rows(void **state)
{
    struct store *s = *state;
    assert_int_equal(store_exec(s, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n BIGINT)"), STORE_OK);
    int64_t id = 0;
    assert_int_equal(store_int(s, &id, "INSERT INTO t (name, n) VALUES (?, ?) RETURNING id", "si", "Hà Nội",
                               (int64_t)1 << 40),
                     STORE_OK);
    assert_int_equal(id, 1);
    assert_int_equal(store_run(s, NULL, "INSERT INTO t (name, n) VALUES (?, ?)", "sn", "x"), STORE_OK);
    struct store_stmt *st;
    assert_int_equal(store_query(s, &st, "SELECT name, n FROM t ORDER BY id", ""), STORE_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "Hà Nội");
    assert_true(store_col_int(st, 1) == (int64_t)1 << 40);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_true(store_col_null(st, 1));
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    /* a unique violation is a conflict, on every engine */
    assert_int_equal(store_run(s, NULL, "INSERT INTO t (name) VALUES (?)", "s", "x"), STORE_CONFLICT);
    assert_int_equal(store_err(STORE_CONFLICT), ERR_CONFLICT);
    /* an insert's id without RETURNING; none made on a conflict ignored */
    int64_t made = 0;
    assert_int_equal(store_insert_id(s, &made, "INSERT INTO t (name) VALUES (?) ON CONFLICT (name) DO NOTHING", "s",
                                     "Huế"),
                     STORE_OK);
    assert_int_equal(made, 3);
    assert_int_equal(store_insert_id(s, &made, "INSERT INTO t (name) VALUES (?) ON CONFLICT (name) DO NOTHING", "s",
                                     "Huế"),
                     STORE_DONE);
    assert_int_equal(made, 0);
    assert_int_equal(store_run(s, NULL, "DELETE FROM t WHERE name = ?", "s", "Huế"), STORE_OK);
    int64_t changes = 0;
    assert_int_equal(store_run(s, &changes, "UPDATE t SET n = ? WHERE id > ?", "ii", (int64_t)5, (int64_t)0), STORE_OK);
    assert_int_equal(changes, 2);
}

/* Bind arguments of the wrong C type are refused before anything is read or run. */
static void binds_are_type_checked(void **state)
{
    struct store *s = *state;
    int64_t n = -1;
    int small = 7;
    size_t size = 7;
    const char *name = "x";
    assert_int_equal(store_int(s, &n, "SELECT ?", "d", small), STORE_OK);
    assert_int_equal(n, 7);
    assert_int_equal(store_int(s, &n, "SELECT ?", "i", (int64_t)small), STORE_OK);
    assert_int_equal(store_int(s, &n, "SELECT ?", "i", (long long)small), STORE_OK);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM t WHERE name = ?", "s", name), STORE_OK);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM t WHERE name = ?", "s", NULL), STORE_OK);
    /* an int where an int64_t was promised: undefined behaviour, refused */
    assert_int_equal(store_int(s, &n, "SELECT ?", "i", small), STORE_ERROR);
    assert_int_equal(store_int(s, &n, "SELECT ?", "i", size), STORE_ERROR);
    assert_int_equal(store_int(s, &n, "SELECT ?", "d", (int64_t)1), STORE_ERROR);
    assert_int_equal(store_int(s, &n, "SELECT ?", "s", small), STORE_ERROR);
    assert_int_equal(store_int(s, &n, "SELECT ?", "d", 1.5), STORE_ERROR);
    /* too few arguments */
    assert_int_equal(store_int(s, &n, "SELECT ? + ?", "ii", (int64_t)1), STORE_ERROR);
    struct store_stmt *st = (struct store_stmt *)&n;
    assert_int_equal(store_query(s, &st, "SELECT ?", "i", small), STORE_ERROR);
    assert_null(st);
    assert_int_equal(store_run(s, NULL, "UPDATE t SET n = ?", "i", small), STORE_ERROR);
    /* 'n' takes no argument; what follows the last letter is not read */
    assert_int_equal(store_int(s, &n, "SELECT COALESCE(?, 3)", "n"), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(store_int(s, &n, "SELECT COALESCE(?, 4)", "n", (int64_t)9), STORE_OK);
    assert_int_equal(n, 4);
}

static int insert_then_fail(struct store *s, void *ctx)
{
    (void)ctx;
    store_run(s, NULL, "INSERT INTO t (name) VALUES (?)", "s", "rolled back");
    return ERR_INVALID_FIELD;
}

static void transaction_rolls_back(void **state)
{
    struct store *s = *state;
    assert_int_equal(store_tx(s, insert_then_fail, NULL), ERR_INVALID_FIELD);
    int64_t n = -1;
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM t WHERE name = ?", "s", "rolled back"), STORE_OK);
    assert_int_equal(n, 0);
}

/* A transaction whose lookup found nothing, returning the store's answer as is. */
static int find_nothing(struct store *s, void *ctx)
{
    (void)ctx;
    int64_t n;
    store_run(s, NULL, "INSERT INTO t (name) VALUES (?)", "s", "rolled back too");
    return store_int(s, &n, "SELECT id FROM t WHERE name = ?", "s", "nobody");
}

/* store rc -> enum err is one explicit mapping; "no row" is a not-found, never a success or a 500. */
static void store_results_map_to_errors(void **state)
{
    struct store *s = *state;
    assert_int_equal(store_err(STORE_OK), ERR_OK);
    assert_int_equal(store_err(STORE_DONE), ERR_NOT_FOUND);
    assert_int_equal(store_err(STORE_CONFLICT), ERR_CONFLICT);
    assert_int_equal(store_err(STORE_RETRY), ERR_UNAVAILABLE);
    assert_int_equal(store_err(STORE_INVALID), ERR_INVALID_FIELD);
    assert_int_equal(store_err(STORE_ROW), ERR_INTERNAL);
    assert_int_equal(store_err(STORE_ERROR), ERR_INTERNAL);
    assert_int_equal(store_tx(s, find_nothing, NULL), ERR_NOT_FOUND);
    int64_t n = -1;
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM t WHERE name = ?", "s", "rolled back too"),
                     STORE_OK);
    assert_int_equal(n, 0);
}

static void migrations_and_units(void **state)
{
    struct store *s = *state;
    int v = -1;
    assert_int_equal(migrate_current(s, &v), STORE_OK);
    assert_int_equal(v, 0);
    assert_int_equal(migrate_apply(s, NULL), STORE_OK);
    assert_int_equal(migrate_current(s, &v), STORE_OK);
    assert_int_equal(v, migrate_latest());
    assert_int_equal(migrate_apply(s, NULL), STORE_OK); /* idempotent */
    assert_int_equal(unit_reference_load(s, NULL), STORE_OK);
    assert_int_equal(unit_registry_load(s), STORE_OK);

    const struct unit *hn = unit_find("01"), *bd = unit_find("001"), *px = unit_find("00001");
    assert_non_null(hn);
    assert_non_null(bd);
    assert_non_null(px);
    assert_int_equal(unit_find("VN")->nchildren, 63);
    assert_string_equal(px->district, "001");
    assert_string_equal(px->province, "01");
    assert_true(unit_within("VN", "00001"));
    assert_true(unit_within("01", "00001"));
    assert_true(unit_within("001", "00001"));
    assert_true(unit_within("00001", "00001"));
    assert_false(unit_within("79", "00001"));
    assert_false(unit_within("00001", "001"));
    assert_false(unit_within("01", "nope"));

    const struct unit *hits[5];
    size_t n = unit_search("dak lak", hits, 5);
    assert_true(n >= 1);
    assert_string_equal(hits[0]->code, "66");
    n = unit_search("PHÚC XÁ", hits, 5);
    assert_true(n >= 1);
    assert_string_equal(hits[0]->code, "00001");

    struct fault f;
    assert_int_equal(unit_check("7", "unit", ERR_INVALID_FIELD, NULL, &f), ERR_INVALID_FIELD);
    assert_int_equal(unit_check("98", "unit", ERR_NOT_FOUND, NULL, &f), ERR_NOT_FOUND);
    assert_int_equal(unit_check("VN", "unit", ERR_NOT_FOUND, NULL, &f), 0);
}

/* Once a thread of the server copies the WAL, new connections checkpoint only past 32 MiB. */
static void checkpoints_left_to_a_thread(void **state)
{
    int64_t pages = 0;
    assert_int_equal(store_int(*state, &pages, "PRAGMA wal_autocheckpoint", ""), STORE_OK);
    assert_int_equal(pages, 1000); /* SQLite's own */
    store_sqlite_checkpoints_elsewhere();
    char url[160], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", fixture_path);
    struct store *s2;
    assert_int_equal(store_open(url, &s2, err, sizeof(err)), STORE_OK);
    assert_int_equal(store_int(s2, &pages, "PRAGMA wal_autocheckpoint", ""), STORE_OK);
    assert_int_equal(pages, 131072);
    assert_int_equal(store_sqlite_sync_database(s2), STORE_OK);
    store_close(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binds_and_rows),         cmocka_unit_test(binds_are_type_checked),
        cmocka_unit_test(transaction_rolls_back), cmocka_unit_test(store_results_map_to_errors),
        cmocka_unit_test(migrations_and_units),   cmocka_unit_test(checkpoints_left_to_a_thread),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
