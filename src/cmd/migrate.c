/*
 * migrate.c - `cordon migrate`: create or upgrade the schema, load reference data.
 */
#include <stdio.h>

#include "area/unit.h"
#include "cmd/cmd.h"
#include "core/kek.h"
#include "keys/keys.h"
#include "people/people.h"
#include "store/migrate.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon migrate [--db URL] [--config FILE]\n"
    "\n"
    "Creates or upgrades the database schema to this binary's version and loads\n"
    "the administrative units (provinces, districts, communes). With a key-encryption\n"
    "key (CORDON_KEK or kek_file), seals signing keys an older version kept in clear.\n"
    "Safe to run again.\n"
    "\n"
    "  --db URL        sqlite:PATH or postgres://... (default sqlite:cordon.db)\n"
    "  --config FILE   settings file (default ./cordon.conf if present)\n";

static void on_migration(int version, const char *name)
{
    fprintf(stderr, "migrate: applied %03d_%s\n", version, name);
}

static void on_units(size_t done, size_t total)
{
    cmd_progress("administrative units", done, total);
}

/* Seals signing keys an older version stored in clear, when a KEK is configured. */
static int seal_secrets(struct store *s)
{
    const struct kek *k = kek_current();
    int64_t sealed = 0;
    if (!k) {
        fprintf(stderr, "migrate: no key-encryption key configured (CORDON_KEK or kek_file): secrets stay as they are\n");
        return 0;
    }
    char err[300];
    if (keys_check(s, k, err, sizeof(err))) {
        fprintf(stderr, "cordon: %s\n", err);
        return -1;
    }
    if (keys_seal_plain(s, k, &sealed)) {
        fprintf(stderr, "cordon: could not seal the stored secrets: %s\n", store_errmsg(s));
        return -1;
    }
    if (sealed)
        fprintf(stderr, "migrate: sealed %lld secrets under key-encryption key %s\n", (long long)sealed, k->id);
    return 0;
}

int cmd_migrate(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    int exit_code = cmd_simple_options(argc, argv, usage, &c);
    if (exit_code >= 0)
        return exit_code;
    struct store *s;
    if (cmd_open(&c, false, &s))
        return 1;
    int before = 0;
    migrate_current(s, &before);
    int rc = migrate_apply(s, on_migration);
    if (!rc)
        rc = unit_reference_load(s, on_units);
    if (!rc && before > 0 && before < PEOPLE_NFC_SCHEMA) { /* names recorded before they were stored NFC */
        int64_t changed = 0;
        rc = people_renormalise_names(s, &changed);
        if (!rc)
            fprintf(stderr, "migrate: %lld names rewritten in NFC\n", (long long)changed);
    }
    if (rc) {
        fprintf(stderr, "cordon: migration failed: %s\n", store_errmsg(s));
        store_close(s);
        return 1;
    }
    if (seal_secrets(s)) {
        store_close(s);
        return 1;
    }
    fprintf(stderr, "migrate: %s is at schema version %d (was %d)\n", c.db, migrate_latest(), before);
    store_close(s);
    return 0;
}
