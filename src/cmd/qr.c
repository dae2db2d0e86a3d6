/*
 * qr.c - `cordon qr verify`: checks a signed QR payload offline.
 *
 * With --public-key the check needs nothing but the key (as GET /api/v1/keys
 * lists it); otherwise the key is looked up by kid in the database, and a
 * personal payload is also checked against the person's current serial.
 * Prints one JSON object; exit status 0 when valid, 1 when not, 2 on misuse.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/arena.h"
#include "people/people.h"
#include "qr/qr.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon qr verify [--public-key BASE64URL | --db URL] [--config FILE] PAYLOAD\n"
    "\n"
    "Checks the signature of a QR payload (CDN1.<type>.<fields>.<kid>.<signature>).\n"
    "\n"
    "  --public-key KEY  verify offline with this Ed25519 public key (base64url, as\n"
    "                    GET /api/v1/keys lists it); no database is opened\n"
    "  --db URL          look the key up by kid in this database (default: the configured\n"
    "                    one) and, for a personal code, check that its serial is current\n"
    "\n"
    "Prints {\"valid\":true|false,\"type\",\"fields\",\"kid\",\"reason\"} and exits 0 when\n"
    "the payload is valid, 1 when it is not, 2 on a usage error.\n";

static const char *type_name(char type)
{
    return type == 'P' ? "person" : type == 'D' ? "declaration" : type == 'V' ? "venue" : NULL;
}

/* Fields are [A-Za-z0-9_-] by the format, so they need no JSON escaping. */
static void print_result(const struct qr_parsed *p, const char *reason)
{
    printf("{\"valid\":%s", reason ? "false" : "true");
    if (type_name(p->type)) {
        printf(",\"type\":\"%s\",\"fields\":[", type_name(p->type));
        for (int i = 0; i < p->nfields; i++)
            printf("%s\"%s\"", i ? "," : "", p->fields[i]);
        printf("],\"kid\":\"%s\"", p->kid);
    }
    if (reason)
        printf(",\"reason\":\"%s\"", reason);
    printf("}\n");
}

/* The serial check of a personal payload: NULL when current, "revoked", or NULL with *failed set. */
static const char *person_reason(struct store *s, const struct qr_parsed *p, int *failed)
{
    struct arena a;
    arena_init(&a);
    struct person per;
    const char *reason = NULL;
    int rc = people_find_by_code(s, &a, p->fields[0], &per);
    if (rc == STORE_DONE || (rc == STORE_OK && per.qr_serial != strtoll(p->fields[1], NULL, 10)))
        reason = "revoked";
    else if (rc)
        *failed = 1;
    arena_release(&a);
    return reason;
}

int cmd_qr(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {
        CMD_COMMON_OPTIONS, {"public-key", required_argument, NULL, 'k'}, {0}};
    const char *key = NULL;
    int have_db = 0, ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'k') {
            key = optarg;
            continue;
        }
        have_db |= ch == 'd';
        int code = cmd_common_exit(ch, usage, &c);
        if (code >= 0)
            return code;
    }
    if (argc - optind != 2 || strcmp(argv[optind], "verify") || (key && have_db)) {
        fputs(usage, stderr);
        return 2;
    }
    const char *payload = argv[optind + 1];
    struct qr_parsed parsed;
    int st;
    if (key) {
        unsigned char pk[32];
        if (qr_public_key_decode(key, pk)) {
            fprintf(stderr, "cordon: --public-key must be 43 characters of base64url (32 bytes)\n");
            return 2;
        }
        st = qr_verify_with_key(pk, payload, &parsed);
        print_result(&parsed, st == QR_VALID ? NULL : qr_status_name(st));
        return st == QR_VALID ? 0 : 1;
    }
    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    st = qr_verify(s, payload, &parsed);
    const char *reason = st == QR_VALID ? NULL : qr_status_name(st);
    int failed = st == QR_ERROR;
    if (st == QR_VALID && parsed.type == 'P')
        reason = person_reason(s, &parsed, &failed);
    if (failed)
        fprintf(stderr, "cordon: could not read the database: %s\n", store_errmsg(s));
    store_close(s);
    if (failed)
        return 1;
    print_result(&parsed, reason);
    return reason ? 1 : 0;
}
