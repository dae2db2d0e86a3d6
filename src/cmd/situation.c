/*
 * situation.c - `cordon situation rebuild`: recompute the situation's counters
 * (situation_counts) from the counted tables, and remake the triggers that
 * keep them, in one transaction: readers see the old counters until it commits.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "situation/situation.h"
#include "store/store.h"

static const char usage[] = "usage: cordon situation rebuild [--db URL] [--config FILE]\n"
                            "\n"
                            "Recomputes the situation's counts by place, day and figure from the\n"
                            "tables they count (cases, samples, doses, check-ins, declarations,\n"
                            "contacts, feedback) and remakes the triggers that keep them; for a\n"
                            "database whose counters were damaged or restored from elsewhere.\n";

static void progress(size_t done, size_t total) { cmd_progress("counting figures", done, total); }

int cmd_situation(int argc, char **argv)
{
    struct store *s;
    int exit_code = cmd_one_subcommand(argc, argv, usage, "rebuild", true, &s);
    if (exit_code >= 0)
        return exit_code;
    int rc = store_begin(s, true);
    if (!rc)
        rc = situation_counters_install(s);
    if (!rc)
        rc = situation_counters_rebuild(s, progress);
    int64_t rows = 0;
    if (!rc)
        rc = store_int(s, &rows, "SELECT COUNT(*) FROM situation_counts", "");
    if (rc == STORE_DONE)
        rc = STORE_OK;
    if (!rc)
        rc = store_commit(s);
    if (rc) {
        fprintf(stderr, "cordon situation rebuild: %s\n", store_errmsg(s));
        store_rollback(s);
    } else {
        printf("{\"counters\":%lld,\"counts\":%zu}\n", (long long)rows, SIT_NCOUNTERS);
    }
    store_close(s);
    return rc ? 1 : 0;
}
