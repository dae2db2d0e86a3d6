/*
 * keys.c - `cordon keys`: the key-encryption key and the signing keys.
 *
 *   rotate-kek  re-seals every stored secret under a new key-encryption key,
 *               in one transaction
 *   rotate      adds a new QR signing key and a new DCC signing generation;
 *               older keys stay, so what they signed keeps verifying
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/kek.h"
#include "dcc/dcc.h"
#include "keys/keys.h"
#include "qr/qr.h"
#include "store/store.h"
#include "en/keyserver.h"

static const char usage[] =
    "usage: cordon keys rotate-kek --new-kek-file FILE [--db URL] [--config FILE]\n"
    "       cordon keys rotate [--qr] [--dcc] [--en] [--country CC] [--db URL] [--config FILE]\n"
    "\n"
    "rotate-kek  re-seals every secret the database keeps (QR and DCC signing keys,\n"
    "            queued one-time codes) under the key-encryption key in FILE (64 hex\n"
    "            characters or 32 bytes), in one transaction: all or nothing.  The\n"
    "            current key comes from CORDON_KEK or kek_file as for every command.\n"
    "            Stop the servers first; start them again with the new key.\n"
    "rotate      adds a new signing key: a QR key (kid k<N+1>), a DCC key (the\n"
    "            next generation, certificate C=CC, default VN) and an exposure key\n"
    "            export key (version v<N+1>), or only those named by --qr, --dcc,\n"
    "            --en.  Old keys stay, so what they signed keeps verifying; servers\n"
    "            sign with the new keys once restarted (exports: at the next file).\n"
    "\n"
    "  --new-kek-file FILE  the new key-encryption key\n"
    "  --db URL             sqlite:PATH or postgres://... (default sqlite:cordon.db)\n"
    "  --config FILE        settings file (default ./cordon.conf if present)\n";

static void on_progress(size_t done, size_t total)
{
    cmd_progress("re-sealing secrets", done, total);
}

static int rotate_kek(struct store *s, const char *file)
{
    struct kek to;
    char err[400];
    if (kek_read_file(file, &to, err, sizeof(err))) {
        fprintf(stderr, "cordon: %s\n", err);
        return 1;
    }
    const struct kek *from = kek_current();
    if (from && !strcmp(from->id, to.id)) {
        fprintf(stderr, "cordon: %s holds the current key-encryption key (%s)\n", file, to.id);
        kek_wipe(&to);
        return 1;
    }
    int64_t total = 0, moved = 0;
    keys_count(s, &total);
    fprintf(stderr, "keys: re-sealing %lld secrets from key-encryption key %s to %s\n", (long long)total,
            from ? from->id : "(none)", to.id);
    int rc = keys_rekey(s, from, &to, on_progress, &moved, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "cordon: nothing changed: %s\n", err);
        kek_wipe(&to);
        return 1;
    }
    fprintf(stderr,
            "keys: %lld secrets are now sealed under key-encryption key %s; start servers with it"
            " (kek_file = %s)\n",
            (long long)moved, to.id, file);
    kek_wipe(&to);
    return 0;
}

static int rotate(struct store *s, bool qr, bool dcc, bool en, const char *country)
{
    if (!kek_current()) {
        fprintf(stderr, "cordon: no key-encryption key: set CORDON_KEK or kek_file\n");
        return 1;
    }
    if (qr) {
        char kid[QR_KID_MAX + 1];
        if (qr_key_rotate(s, kid)) {
            fprintf(stderr, "cordon: could not add a QR signing key: %s\n", store_errmsg(s));
            return 1;
        }
        fprintf(stderr, "keys: new QR signing key %s\n", kid);
    }
    if (dcc) {
        int64_t gen = 0;
        if (dcc_issuer_rotate(s, country, &gen)) {
            fprintf(stderr, "cordon: could not add a DCC signing key: %s\n", store_errmsg(s));
            return 1;
        }
        fprintf(stderr, "keys: new DCC signing key, generation %lld (publish it: cordon dcc keys)\n",
                (long long)gen);
    }
    if (en) {
        int64_t version = 0;
        if (en_signing_rotate(s, &version)) {
            fprintf(stderr, "cordon: could not add an export signing key: %s\n", store_errmsg(s));
            return 1;
        }
        fprintf(stderr, "keys: new exposure key export signing key v%lld (apps: GET /api/v1/en/export-key)\n",
                (long long)version);
    }
    return 0;
}

int cmd_keys(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {CMD_COMMON_OPTIONS,
                                         {"new-kek-file", required_argument, NULL, 'k'},
                                         {"qr", no_argument, NULL, 'q'},
                                         {"dcc", no_argument, NULL, 'e'},
                                         {"en", no_argument, NULL, 'n'},
                                         {"country", required_argument, NULL, 'C'},
                                         {0}};
    const char *new_kek = NULL, *country = "VN";
    bool only_qr = false, only_dcc = false, only_en = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'k':
            new_kek = optarg;
            break;
        case 'q':
            only_qr = true;
            break;
        case 'e':
            only_dcc = true;
            break;
        case 'n':
            only_en = true;
            break;
        case 'C':
            if (strlen(optarg) != 2) {
                fprintf(stderr, "cordon: --country must be a two-letter code\n");
                return 2;
            }
            country = optarg;
            break;
        default: {
            int code = cmd_common_exit(ch, usage, &c);
            if (code >= 0)
                return code;
        }
        }
    }
    const char *sub = optind + 1 == argc ? argv[optind] : "";
    bool is_rotate_kek = !strcmp(sub, "rotate-kek") && new_kek, is_rotate = !strcmp(sub, "rotate");
    if (!is_rotate_kek && !is_rotate) {
        fputs(usage, stderr);
        return 2;
    }
    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    int rc = is_rotate_kek ? rotate_kek(s, new_kek)
                           : rotate(s, only_qr || (!only_dcc && !only_en), only_dcc || (!only_qr && !only_en),
                                    only_en || (!only_qr && !only_dcc), country);
    store_close(s);
    return rc;
}
