/*
 * db.c - `cordon db stats`: row counts and content digests of every table.
 *
 * Two digests are equal exactly when the tables hold the same rows, so tests
 * and operators can prove that something did not change the database.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/migrate.h"
#include "store/store.h"

static const char usage[] = "usage: cordon db stats [--db URL] [--config FILE]\n"
                            "\n"
                            "Prints, as JSON, each table's row count and a digest of its content.\n";

static int table_stats(struct store *s, const char *table, int64_t *rows, char hex[65])
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1", table); /* table names are constants */
    struct store_stmt *st;
    int rc = store_query(s, &st, sql, "");
    if (rc)
        return rc;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    *rows = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        (*rows)++;
        for (int i = 0; i < store_ncols(st); i++) {
            const char *v = store_col_text(st, i);
            unsigned char mark = v ? 1 : 0;
            crypto_generichash_update(&h, &mark, 1);
            if (v)
                crypto_generichash_update(&h, (const unsigned char *)v, strlen(v) + 1);
        }
    }
    store_finalize(st);
    unsigned char out[32];
    crypto_generichash_final(&h, out, sizeof(out));
    sodium_bin2hex(hex, 65, out, sizeof(out));
    return rc == STORE_DONE ? STORE_OK : rc;
}

int cmd_db(int argc, char **argv)
{
    struct store *s;
    int exit_code = cmd_one_subcommand(argc, argv, usage, "stats", false, &s);
    if (exit_code >= 0)
        return exit_code;
    char tables[128][64];
    int ntables = migrate_tables(tables, 128);
    printf("{\"engine\":\"%s\",\"tables\":{", store_engine(s));
    int rc = 0;
    for (int i = 0; i < ntables && !rc; i++) {
        int64_t rows;
        char hex[65];
        rc = table_stats(s, tables[i], &rows, hex);
        if (!rc)
            printf("%s\"%s\":{\"rows\":%lld,\"digest\":\"%s\"}", i ? "," : "", tables[i], (long long)rows, hex);
    }
    printf("}}\n");
    if (rc)
        fprintf(stderr, "cordon db stats: %s\n", store_errmsg(s));
    store_close(s);
    return rc ? 1 : 0;
}
