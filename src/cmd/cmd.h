/*
 * cmd.h - the subcommands of the cordon binary and what they share.
 */
#ifndef CORDON_CMD_CMD_H
#define CORDON_CMD_CMD_H

#include <stdbool.h>

#include "core/config.h"

struct store;

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_qr(int argc, char **argv);
int cmd_dcc(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_en(int argc, char **argv);
int cmd_situation(int argc, char **argv);

/* The long options every command takes; list a command's own after these. */
#define CMD_COMMON_OPTIONS                                                                                            \
    {"db", required_argument, NULL, 'd'}, {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}

enum cmd_opt { CMD_OPT_NEXT, CMD_OPT_EXIT_OK, CMD_OPT_EXIT_USAGE, CMD_OPT_OTHER };
/* Handles one getopt_long result for the common options: --db sets c->db, --config was read
 * by cmd_config, --help prints usage (CMD_OPT_EXIT_OK), '?' prints usage to stderr. */
enum cmd_opt cmd_common_option(int ch, const char *usage, struct config *c);
/* The same for a command's own getopt loop: -1 to go on, else the exit code (0 after --help, 2 after
 * a bad or unknown option). */
int cmd_common_exit(int ch, const char *usage, struct config *c);
/* Whole option parsing for commands that take only the common options.
 * Returns -1 to go on, else the exit code. */
int cmd_simple_options(int argc, char **argv, const char *usage, struct config *c);

/* A command with one subcommand `name` and the common options: reads them and opens the store.
 * Returns -1 to go on with *s open, else the exit code. */
int cmd_one_subcommand(int argc, char **argv, const char *usage, const char *name, bool need_schema,
                       struct store **s);

/* Loads the config (file, environment) before flags are applied; prints errors. */
int cmd_config(int argc, char **argv, struct config *c);
/* Loads the key-encryption key (core/kek.h) and opens the store at c->db; with
 * need_schema, refuses a database older than this binary. */
int cmd_open(const struct config *c, bool need_schema, struct store **s);
/* Progress bar on stderr when it is a terminal, else a line per 25%. */
void cmd_progress(const char *what, size_t done, size_t total);

#endif
