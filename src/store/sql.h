/*
 * sql.h - queries built from constant fragments, with typed binds and the
 * area predicate.
 *
 * List queries take optional filters; writing one SQL text per combination
 * does not scale and invites hand-made area checks.  A struct store_sql
 * collects fragments and their bind values, checked like store_query's:
 *
 *     struct store_sql q;
 *     store_sql_init(&q, "SELECT id FROM quarantine_orders o WHERE o.status = ?", "s", status);
 *     store_sql_area(&q, "o", scope);           // the caller's area: always
 *     if (f->person_id)
 *         store_sql_add(&q, " AND o.person_id = ?", "i", f->person_id);
 *     store_sql_add(&q, " ORDER BY o.id DESC LIMIT ?", "i", f->limit);
 *     rc = store_sql_query(s, &st, &q);
 *
 * Fragments must be constants of the code, never request text: values go
 * through binds only.  A builder that overflows fails at run time with
 * STORE_ERROR, never with a cut query.
 */
#ifndef CORDON_STORE_SQL_H
#define CORDON_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_SQL_TEXT 4096
#define STORE_SQL_ARGS 32

struct store_sql {
    char text[STORE_SQL_TEXT];
    size_t len;
    char types[STORE_SQL_ARGS + 1];
    int64_t ints[STORE_SQL_ARGS];
    const char *strs[STORE_SQL_ARGS];
    int nargs;
    bool broken; /* overflow or a bind of the wrong C type: running it fails */
};

/* Starts the query with fragment text (and binds for its placeholders). */
#define store_sql_init(q, ...) store_sql__init(STORE__KINDS(__VA_ARGS__) + 2, q, __VA_ARGS__)
/* Appends a fragment and the binds for its placeholders. */
#define store_sql_add(q, ...) store_sql__add(STORE__KINDS(__VA_ARGS__) + 2, q, __VA_ARGS__)

void store_sql__init(const char *kinds, struct store_sql *q, const char *text, const char *types, ...);
void store_sql__add(const char *kinds, struct store_sql *q, const char *text, const char *types, ...);

/*
 * The area predicate: rows whose located columns (alias.province_code,
 * alias.district_code, alias.commune_code) lie inside unit `scope`, a GSO code
 * of 2 (province), 3 (district) or 5 (commune) digits, or "VN" for the whole
 * nation.  NULL or anything else matches no row: a caller without an area
 * sees nothing.  alias may be NULL for unqualified columns.
 */
void store_sql_area(struct store_sql *q, const char *alias, const char *scope);
/* The same over columns named with a prefix (prefix "site_": site_province_code, ...). */
void store_sql_area_prefixed(struct store_sql *q, const char *alias, const char *prefix, const char *scope);
/* The same over alias.commune_code alone, for a table indexed by commune only: a district or a
 * province is the list of its communes (from units). */
void store_sql_area_by_commune(struct store_sql *q, const char *alias, const char *scope);

enum store_rc store_sql_query(struct store *s, struct store_stmt **out, const struct store_sql *q);
enum store_rc store_sql_run(struct store *s, int64_t *changes, const struct store_sql *q);
enum store_rc store_sql_int(struct store *s, int64_t *out, const struct store_sql *q);

#endif
