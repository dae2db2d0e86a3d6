/*
 * store_fixture.h - a SQLite file for a unit test: opened (and, when asked,
 * migrated with the units loaded) before a test, deleted with its WAL files
 * after.  Header only: each test program includes it once.
 */
#ifndef CORDON_TESTS_STORE_FIXTURE_H
#define CORDON_TESTS_STORE_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "area/unit.h"
#include "store/migrate.h"
#include "store/store.h"

static char fixture_path[96];

/* Opens /tmp/cordon-test-NAME-PID.db into *state; migrated: schema applied and units loaded. */
static int fixture_store_open(void **state, const char *name, bool migrated)
{
    snprintf(fixture_path, sizeof(fixture_path), "/tmp/cordon-test-%s-%d.db", name, (int)getpid());
    char url[128], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", fixture_path);
    struct store *s;
    if (store_open(url, &s, err, sizeof(err)))
        return -1;
    if (migrated && (migrate_apply(s, NULL) || unit_reference_load(s, NULL) || unit_registry_load(s))) {
        store_close(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int fixture_store_close(void **state)
{
    store_close(*state);
    unit_registry_free();
    char p[128];
    unlink(fixture_path);
    snprintf(p, sizeof(p), "%s-wal", fixture_path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", fixture_path);
    unlink(p);
    return 0;
}

#endif
