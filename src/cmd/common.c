#include <stdio.h>
#include <unistd.h>

#include "admin/unit.h"
#include "cmd/cmd.h"
#include "store/migrate.h"
#include "store/store.h"

int cmd_config(int argc, char **argv, struct config *c)
{
    char err[512];
    if (config_load(c, config_path_from_args(argc, argv), err, sizeof(err))) {
        fprintf(stderr, "cordon: %s\n", err);
        return -1;
    }
    return 0;
}

int cmd_open(const struct config *c, bool need_schema, struct store **s)
{
    char err[512];
    if (store_open(c->db, s, err, sizeof(err))) {
        fprintf(stderr, "cordon: %s\n", err);
        return -1;
    }
    if (!need_schema)
        return 0;
    int version = 0;
    if (migrate_current(*s, &version) || version < migrate_latest()) {
        fprintf(stderr, "cordon: the database %s has schema version %d, this binary needs %d: run `cordon migrate`\n",
                c->db, version, migrate_latest());
        store_close(*s);
        *s = NULL;
        return -1;
    }
    if (unit_registry_load(*s)) {
        fprintf(stderr, "cordon: could not load administrative units: %s\n", store_errmsg(*s));
        store_close(*s);
        *s = NULL;
        return -1;
    }
    return 0;
}

void cmd_progress(const char *what, size_t done, size_t total)
{
    static int last_quarter = -1;
    if (!total)
        return;
    int pct = (int)(done * 100 / total);
    if (isatty(STDERR_FILENO)) {
        int bar = pct / 4;
        fprintf(stderr, "\r%-24s [%.*s%*s] %3d%% (%zu/%zu)", what, bar, "#########################", 25 - bar, "",
                pct, done, total);
        if (done >= total)
            fputc('\n', stderr);
    } else if (pct / 25 != last_quarter || done >= total) {
        last_quarter = done >= total ? -1 : pct / 25;
        fprintf(stderr, "%s: %d%% (%zu/%zu)\n", what, pct, done, total);
    }
    fflush(stderr);
}
