/*
 * migrate.c - `cordon migrate`: create or upgrade the schema, load reference data.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "area/unit.h"
#include "cmd/cmd.h"
#include "core/kek.h"
#include "keys/keys.h"
#include "people/people.h"
#include "store/migrate.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon migrate [--db URL] [--config FILE] [--to VERSION]\n"
    "\n"
    "Creates or upgrades the database schema to this binary's version and loads\n"
    "the administrative units (provinces, districts, communes). With a key-encryption\n"
    "key (CORDON_KEK or kek_file), seals signing keys an older version kept in clear.\n"
    "Safe to run again.\n"
    "\n"
    "  --db URL        sqlite:PATH or postgres://... (default sqlite:cordon.db)\n"
    "  --config FILE   settings file (default ./cordon.conf if present)\n"
    "  --to VERSION    stop after that schema version (default: this binary's latest); for\n"
    "                  testing an upgrade from an older schema\n";

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
    static const struct option opts[] = {CMD_COMMON_OPTIONS, {"to", required_argument, NULL, 't'}, {0}};
    int until = migrate_latest(), ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 't') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > migrate_latest()) {
                fprintf(stderr, "cordon migrate: --to takes a version from 1 to %d, not \"%s\"\n%s",
                        migrate_latest(), optarg, usage);
                return 2;
            }
            until = (int)v;
            continue;
        }
        int code = cmd_common_exit(ch, usage, &c);
        if (code >= 0)
            return code;
    }
    struct store *s;
    if (cmd_open(&c, false, &s))
        return 1;
    int before = 0;
    migrate_current(s, &before);
    int rc = migrate_apply_to(s, until, on_migration);
    if (!rc)
        rc = unit_reference_load(s, on_units);
    if (!rc && before > 0 && before < PEOPLE_NFC_SCHEMA && until >= PEOPLE_NFC_SCHEMA) { /* names recorded before they were stored NFC */
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
    fprintf(stderr, "migrate: %s is at schema version %d (was %d)\n", c.db, before > until ? before : until, before);
    store_close(s);
    return 0;
}
