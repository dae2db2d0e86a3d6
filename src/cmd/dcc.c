/*
 * dcc.c - `cordon dcc`: EU Digital COVID Certificates from the command line.
 *
 *   verify  decodes and checks an HC1: string against a trust list file or
 *           this database's issuer key; prints one JSON object
 *   keys    prints this issuer's trust list entry {kid: certificate PEM},
 *           creating the key on first use
 *   bench   certificates issued and verified per second (bench/dcc.sh)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/clock.h"
#include "dcc/dcc.h"
#include "dcc/schema.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon dcc verify [--trust FILE] [--at EPOCH] [--db URL] [--config FILE] HC1:...\n"
    "       cordon dcc keys [--country CC] [--db URL] [--config FILE]\n"
    "       cordon dcc bench [--seconds N]\n"
    "\n"
    "verify  decodes an EU Digital COVID Certificate and checks its signature\n"
    "        against --trust FILE ({\"<kid base64>\": \"<PEM or base64 DER>\"}) or,\n"
    "        without it, against this database's issuer key; --at sets the time\n"
    "        (default now), then the contents against the DCC JSON schema and the\n"
    "        EU value sets (shipped, or dcc_valuesets_file of the config).  Prints\n"
    "        {\"valid\",\"status\",\"message\",\"detail\",\"kid\",\"iss\",\"iat\",\"exp\",\n"
    "        \"payload\"}; exits 0 when valid, 1 when not.\n"
    "keys    prints this issuer's trust list entry, {\"<kid>\": \"<certificate PEM>\"},\n"
    "        creating the signing key (P-256, self-signed certificate, C=CC,\n"
    "        default VN) on first use.\n"
    "bench   measures certificates issued (CBOR + ES256 + zlib + base45) and\n"
    "        verified per second with an in-memory key (default 3 seconds each).\n";

/* CPU seconds of this process: `openssl speed` also divides by CPU (user) time,
 * so the ratio does not depend on what else the machine runs. */
static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int bench(double seconds, const struct dcc_valuesets *vs)
{
    static const char sample[] =
        "{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"Nguy\xe1\xbb\x85n\",\"fnt\":\"NGUYEN\",\"gn\":\"V\xc4\x83n An\","
        "\"gnt\":\"VAN<AN\"},\"dob\":\"1980-02-29\",\"v\":[{\"tg\":\"840539006\",\"vp\":\"J07BX03\","
        "\"mp\":\"EU/1/20/1528\",\"ma\":\"ORG-100030215\",\"dn\":2,\"sd\":2,\"dt\":\"2021-09-01\",\"co\":\"VN\","
        "\"is\":\"Ministry of Health\",\"ci\":\"URN:UVCI:01:VN:8F2K3JD9XQ#7\"}]}";
    struct dcc_issuer *iss;
    struct dcc_trust *trust;
    json_t *payload = json_loads(sample, 0, NULL);
    if (!payload || dcc_issuer_generate("VN", &iss) || dcc_issuer_trust(iss, &trust)) {
        fprintf(stderr, "cordon: could not set up the benchmark\n");
        return 1;
    }
    dcc_trust_use_valuesets(trust, vs); /* verifying includes the schema and value-set check */
    int64_t now = clock_now();
    enum { KEEP = 64 };
    char *kept[KEEP] = {0};
    long issued = 0, verified = 0;
    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    double issue_s;
    for (;;) {
        char *hc1;
        if (dcc_issue(iss, payload, now, now + 365 * 86400, &hc1)) {
            fprintf(stderr, "cordon: issuing failed\n");
            return 1;
        }
        free(kept[issued % KEEP]);
        kept[issued % KEEP] = hc1;
        issued++;
        if (issued % 256 == 0 && (issue_s = seconds_since(&t0)) >= seconds)
            break;
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    double verify_s;
    for (;;) {
        struct dcc_result r;
        int st = dcc_verify(trust, kept[verified % KEEP], now, &r);
        dcc_result_release(&r);
        if (st != DCC_OK) {
            fprintf(stderr, "cordon: a certificate did not verify: %s\n", dcc_status_str(st));
            return 1;
        }
        verified++;
        if (verified % 256 == 0 && (verify_s = seconds_since(&t0)) >= seconds)
            break;
    }
    printf("issue_per_s %.0f\nverify_per_s %.0f\nhc1_length %zu\n", (double)issued / issue_s,
           (double)verified / verify_s, strlen(kept[0]));
    for (int i = 0; i < KEEP; i++)
        free(kept[i]);
    dcc_trust_free(trust);
    dcc_issuer_free(iss);
    json_decref(payload);
    return 0;
}

static void print_result(const struct dcc_result *r)
{
    json_t *o = json_pack("{s:b,s:s,s:s,s:s}", "valid", r->status == DCC_OK, "status", dcc_status_str(r->status),
                          "message", dcc_status_message(r->status), "detail", r->detail);
    if (r->kid_len)
        json_object_set_new(o, "kid", json_string(r->kid_b64));
    if (r->iss[0])
        json_object_set_new(o, "iss", json_string(r->iss));
    if (r->iat)
        json_object_set_new(o, "iat", json_integer(r->iat));
    if (r->exp)
        json_object_set_new(o, "exp", json_integer(r->exp));
    if (r->payload)
        json_object_set(o, "payload", r->payload);
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    puts(s ? s : "{}");
    free(s);
    json_decref(o);
}

int cmd_dcc(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {{"trust", required_argument, NULL, 't'},
                                         {"at", required_argument, NULL, 'a'},
                                         {"country", required_argument, NULL, 'C'},
                                         {"seconds", required_argument, NULL, 's'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *trust_file = NULL, *country = "VN";
    int64_t at = clock_now();
    double seconds = 3;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 't':
            trust_file = optarg;
            break;
        case 'a':
            at = strtoll(optarg, &end, 10);
            if (*end || end == optarg) {
                fprintf(stderr, "cordon: --at must be epoch seconds\n");
                return 2;
            }
            break;
        case 'C':
            if (strlen(optarg) != 2) {
                fprintf(stderr, "cordon: --country must be a two-letter code\n");
                return 2;
            }
            country = optarg;
            break;
        case 's':
            seconds = strtod(optarg, &end);
            if (*end || !(seconds > 0 && seconds <= 600)) {
                fprintf(stderr, "cordon: --seconds must be between 0 and 600\n");
                return 2;
            }
            break;
        case 'd':
            if (config_set(&c, "db", optarg)) {
                fputs(usage, stderr);
                return 2;
            }
            break;
        case 'c':
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    int nargs = argc - optind;
    const char *sub = nargs ? argv[optind] : "";
    bool verify = !strcmp(sub, "verify") && nargs == 2, keys = !strcmp(sub, "keys") && nargs == 1;
    bool benchmark = !strcmp(sub, "bench") && nargs == 1;
    if (!verify && !keys && !benchmark) {
        fputs(usage, stderr);
        return 2;
    }
    char err[256];
    struct dcc_valuesets *vs = NULL;
    if (dcc_valuesets_configured(c.dcc_valuesets_file, &vs, err, sizeof(err))) {
        fprintf(stderr, "cordon: %s\n", err);
        return 2;
    }
    if (benchmark) {
        int rc = bench(seconds, vs);
        dcc_valuesets_free(vs);
        return rc;
    }
    struct dcc_trust *trust = NULL;
    struct dcc_issuer *iss = NULL;
    int rc = 0;
    if (verify && trust_file) {
        if (dcc_trust_new(&trust) || dcc_trust_load_file(trust, trust_file, err, sizeof(err))) {
            fprintf(stderr, "cordon: %s\n", err);
            rc = 2;
            goto out;
        }
    } else {
        struct store *s;
        if (cmd_open(&c, true, &s)) {
            rc = 1;
            goto out;
        }
        rc = dcc_issuer_load(s, country, &iss);
        store_close(s);
        if (rc || (verify && dcc_issuer_trust(iss, &trust))) {
            fprintf(stderr, "cordon: could not load the certificate signing key\n");
            rc = 1;
            goto out;
        }
    }
    if (trust)
        dcc_trust_use_valuesets(trust, vs);
    if (keys) {
        json_t *o = json_pack("{s:s}", dcc_issuer_kid_b64(iss), dcc_issuer_cert_pem(iss));
        char *s = json_dumps(o, JSON_INDENT(2));
        puts(s ? s : "{}");
        free(s);
        json_decref(o);
    } else {
        struct dcc_result r;
        rc = dcc_verify(trust, argv[optind + 1], at, &r) == DCC_OK ? 0 : 1;
        print_result(&r);
        dcc_result_release(&r);
    }
out:
    dcc_trust_free(trust);
    dcc_issuer_free(iss);
    dcc_valuesets_free(vs);
    return rc;
}
