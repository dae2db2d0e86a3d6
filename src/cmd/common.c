#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "area/unit.h"
#include "cmd/cmd.h"
#include "core/kek.h"
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

enum cmd_opt cmd_common_option(int ch, const char *usage, struct config *c)
{
    switch (ch) {
    case 'd':
        if (config_set(c, "db", optarg)) {
            fprintf(stderr, "cordon: --db value is too long\n");
            return CMD_OPT_EXIT_USAGE;
        }
        return CMD_OPT_NEXT;
    case 'c':
        return CMD_OPT_NEXT; /* read earlier by cmd_config */
    case 'h':
        fputs(usage, stdout);
        return CMD_OPT_EXIT_OK;
    case '?':
        fputs(usage, stderr);
        return CMD_OPT_EXIT_USAGE;
    default:
        return CMD_OPT_OTHER;
    }
}

int cmd_common_exit(int ch, const char *usage, struct config *c)
{
    switch (cmd_common_option(ch, usage, c)) {
    case CMD_OPT_NEXT:
        return -1;
    case CMD_OPT_EXIT_OK:
        return 0;
    default:
        return 2;
    }
}

int cmd_simple_options(int argc, char **argv, const char *usage, struct config *c)
{
    static const struct option opts[] = {CMD_COMMON_OPTIONS, {0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (cmd_common_option(ch, usage, c)) {
        case CMD_OPT_NEXT:
            break;
        case CMD_OPT_EXIT_OK:
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    return -1;
}

int cmd_one_subcommand(int argc, char **argv, const char *usage, const char *name, bool need_schema,
                       struct store **s)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    int exit_code = cmd_simple_options(argc, argv, usage, &c);
    if (exit_code >= 0)
        return exit_code;
    if (optind >= argc || strcmp(argv[optind], name)) {
        fputs(usage, stderr);
        return 2;
    }
    return cmd_open(&c, need_schema, s) ? 1 : -1;
}

int cmd_open(const struct config *c, bool need_schema, struct store **s)
{
    char err[512];
    if (kek_load(c, err, sizeof(err))) {
        fprintf(stderr, "cordon: %s\n", err);
        return -1;
    }
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
