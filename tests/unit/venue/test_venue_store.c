/*
 * Unit tests of venue/venue_store.c: the in-memory cache of venues by code that the
 * check-in path reads.  The rows are deleted from the database after a first look, so a
 * second look that still finds a venue can only have come from the cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "support/store_fixture.h"
#include "venue/venue_int.h"

#define VENUES 200 /* enough that with one slot per code (1,024 slots) some 35 would share theirs */

static int setup(void **state)
{
    /* The rows name no real account: this test reads venues only. */
    if (fixture_store_open(state, "venue-store", true) || store_exec(*state, "PRAGMA foreign_keys = OFF"))
        return -1;
    return 0;
}

/* The i-th of a fixed list of codes spread as real ones are (random letters and digits). */
static void code_of(int i, char code[9])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint64_t x = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
    for (int k = 0; k < 8; k++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ULL;
        code[k] = alphabet[(x >> 59) & 31];
    }
    code[8] = '\0';
}

static void add_venues(struct store *s)
{
    for (int i = 0; i < VENUES; i++) {
        char code[9];
        code_of(i, code);
        assert_int_equal(store_run(s, NULL,
                                   "INSERT INTO venues (code, name, type, street, capacity, status, owner_account_id,"
                                   " province_code, district_code, commune_code, created_at, updated_at)"
                                   " VALUES (?, ?, 'restaurant', '1 Phố Huế', 50, 'approved', 1, '01', '001', '00001',"
                                   " 1, 1)",
                                   "ss", code, code),
                         0);
    }
}

/* Every venue looked up once is found again without the database, however their codes hash. */
static void every_busy_venue_stays_cached(void **state)
{
    struct store *s = *state;
    struct arena a;
    arena_init(&a);
    venue__cache_forget();
    add_venues(s);
    struct venue v;
    char code[9];
    for (int i = 0; i < VENUES; i++) {
        code_of(i, code);
        assert_int_equal(venue_find_by_code_cached(s, &a, code, &v), STORE_OK);
        assert_string_equal(v.name, code);
    }
    assert_int_equal(store_exec(s, "DELETE FROM venues"), 0);
    for (int i = 0; i < VENUES; i++) {
        code_of(i, code);
        assert_int_equal(venue_find_by_code_cached(s, &a, code, &v), STORE_OK);
        assert_string_equal(v.code, code);
        assert_string_equal(v.status, "approved");
    }
    /* A status change forgets them all: the database is read again, and the rows are gone. */
    venue__cache_forget();
    code_of(7, code);
    assert_int_equal(venue_find_by_code_cached(s, &a, code, &v), STORE_DONE);
    assert_int_equal(venue_find_by_code_cached(s, &a, "VC99", &v), STORE_DONE); /* no code has that length */
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_busy_venue_stays_cached, setup, fixture_store_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
