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

/* Loads the config (file, environment) before flags are applied; prints errors. */
int cmd_config(int argc, char **argv, struct config *c);
/* Opens the store at c->db; with need_schema, refuses a database older than this binary. */
int cmd_open(const struct config *c, bool need_schema, struct store **s);
/* Progress bar on stderr when it is a terminal, else a line per 25%. */
void cmd_progress(const char *what, size_t done, size_t total);

#endif
