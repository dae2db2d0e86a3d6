/*
 * migrate.h - numbered schema migrations, applied the same way on every engine.
 *
 * Migrations are the files src/store/migrations/NNN_name.sql, compiled into
 * the binary.  Each runs in its own transaction together with the row that
 * records it in schema_version, so a failed migration leaves no trace.
 */
#ifndef CORDON_STORE_MIGRATE_H
#define CORDON_STORE_MIGRATE_H

#include "store/store.h"

/* The schema version this binary expects (the highest migration number). */
int migrate_latest(void);
/* Current version of the database, 0 for an empty one. */
int migrate_current(struct store *s, int *version);
/* Applies every pending migration; progress (may be NULL) is told of each. */
int migrate_apply(struct store *s, void (*progress)(int version, const char *name));
/* The same, up to version `until` (an upgrade tested from an older schema). */
int migrate_apply_to(struct store *s, int until, void (*progress)(int version, const char *name));

/* Names of the tables the migrations create (each "CREATE TABLE name"), in order; returns the count. */
int migrate_tables(char names[][64], int max);

#endif
