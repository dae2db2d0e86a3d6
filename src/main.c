/*
 * main.c - the cordon binary: one command table, one function per command.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/jsonin.h"
#include "core/secret.h"
#include "people/people.h"
#include "quarantine/quarantine.h"
#include "tracing/tracing.h"

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", cmd_serve, "serve the HTTP API and web UI"},
    {"migrate", cmd_migrate, "create or upgrade the schema and load administrative units"},
    {"user", cmd_user, "add, list or disable staff accounts"},
    {"demo", cmd_demo, "load demo data and print the demo logins"},
    {"db", cmd_db, "database figures (row counts and content digests)"},
    {"qr", cmd_qr, "verify a signed QR payload offline"},
    {"jobs", cmd_jobs, "run the background jobs once (retention, cleanup)"},
    {"dcc", cmd_dcc, "verify an EU Digital COVID Certificate (HC1:), print the signing key"},
    {"keys", cmd_keys, "new signing keys; re-seal stored secrets under a new key-encryption key"},
    {"situation", cmd_situation, "situation figures: rebuild the counters from the tables"},
    {"en", cmd_en, "exposure notification: derive RPIs, verify and dump key export files"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: cordon COMMAND [OPTIONS]   (cordon COMMAND --help for details)\n\n"
                 "Cordon: one system for epidemic response.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\nEvery command that opens the database takes --db URL (default sqlite:cordon.db)\n"
                 "and --config FILE; CORDON_DB and other CORDON_* variables also apply.\n");
}

int main(int argc, char **argv)
{
    jsonin_setup(); /* before any jansson value exists */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (secret_init()) {
        fprintf(stderr, "cordon: could not initialise libsodium\n");
        return 1;
    }
    /* Domains follow what the layers beneath them decide, wired here once before any thread runs. */
    quarantine_follow_tracing(); /* new F1 get their quarantine orders */
    people_follow_qr();          /* QR verification asks whether a personal card is revoked */
    tracing_follow_checkins();   /* the live contact index follows every check-in write */
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "cordon: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
