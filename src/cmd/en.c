/*
 * en.c - `cordon en`: the exposure notification matching library from the
 * command line.  None of these commands opens the database.
 *
 *   cordon en derive --tek HEX --interval N [--count K] [--metadata HEX]
 *   cordon en export verify --public-key PEM FILE.zip
 *   cordon en export dump FILE.zip
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cmd/cmd.h"
#include "en/en.h"
#include "en/export.h"

static const char usage[] =
    "usage: cordon en derive --tek HEX --interval N [--count K] [--metadata HEX]\n"
    "       cordon en export verify --public-key PEM FILE.zip\n"
    "       cordon en export dump FILE.zip\n"
    "       cordon en simulate --phones N --days D --seed S [--cases-percent P]\n"
    "\n"
    "derive         prints one line per interval: ENIntervalNumber RPI AEM (lower-case hex).\n"
    "               --tek is the 16-byte Temporary Exposure Key (32 hex), --interval the first\n"
    "               ENIntervalNumber, --count how many intervals (default 1, at most 144),\n"
    "               --metadata the 4 bytes of BLE metadata (default 40080000: version 1.0,\n"
    "               TX power +8 dBm)\n"
    "export verify  checks export.sig against export.bin with the P-256 public key (a PEM\n"
    "               file, or the PEM text) and prints the number of keys; exit 1 when the\n"
    "               signature does not verify\n"
    "export dump    prints one JSON object per key (key_data in base64)\n";

int cmd_en_simulate(int argc, char **argv); /* en_simulate.c */

static int bad_usage(const char *why)
{
    if (why)
        fprintf(stderr, "cordon en: %s\n", why);
    fputs(usage, stderr);
    return 2;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > max || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static int derive(int argc, char **argv)
{
    static const struct option opts[] = {{"tek", required_argument, NULL, 't'},
                                         {"interval", required_argument, NULL, 'i'},
                                         {"count", required_argument, NULL, 'n'},
                                         {"metadata", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *tek_hex = NULL, *interval = NULL, *count = "1", *meta_hex = "40080000";
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': tek_hex = optarg; break;
        case 'i': interval = optarg; break;
        case 'n': count = optarg; break;
        case 'm': meta_hex = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return bad_usage(NULL);
        }
    }
    uint8_t tek[EN_KEY_LEN], meta[EN_METADATA_LEN];
    unsigned long first, n;
    if (optind != argc)
        return bad_usage("derive takes no other arguments");
    if (!tek_hex || en_unhex(tek_hex, tek, sizeof tek))
        return bad_usage("--tek must be 32 hex characters (16 bytes)");
    if (!interval || parse_uint(interval, UINT32_MAX, &first))
        return bad_usage("--interval must be an ENIntervalNumber (0 to 4294967295)");
    if (parse_uint(count, EN_MAX_PERIOD, &n) || n < 1 || first + n - 1 > UINT32_MAX)
        return bad_usage("--count must be 1 to 144");
    if (en_unhex(meta_hex, meta, sizeof meta))
        return bad_usage("--metadata must be 8 hex characters (4 bytes)");
    uint8_t rpik[EN_KEY_LEN], aemk[EN_KEY_LEN], rpis[EN_MAX_PERIOD][EN_RPI_LEN];
    if (en_rpik(tek, rpik) || en_aemk(tek, aemk) || en_rpis(rpik, (uint32_t)first, (unsigned)n, rpis)) {
        fprintf(stderr, "cordon en: the cryptographic library failed\n");
        return 1;
    }
    for (unsigned long i = 0; i < n; i++) {
        uint8_t aem[EN_METADATA_LEN];
        char rpi_hex[2 * EN_RPI_LEN + 1], aem_hex[2 * EN_METADATA_LEN + 1];
        if (en_aem(aemk, rpis[i], meta, sizeof meta, aem)) {
            fprintf(stderr, "cordon en: the cryptographic library failed\n");
            return 1;
        }
        en_hex(rpis[i], EN_RPI_LEN, rpi_hex);
        en_hex(aem, EN_METADATA_LEN, aem_hex);
        printf("%lu %s %s\n", first + i, rpi_hex, aem_hex);
    }
    return 0;
}

/* The PEM text of arg: the argument itself when it holds a PEM block, else the file it names. */
static char *read_pem(const char *arg, size_t *len)
{
    if (strstr(arg, "-----BEGIN")) {
        *len = strlen(arg);
        return strdup(arg);
    }
    FILE *f = fopen(arg, "rb");
    if (!f)
        return NULL;
    char *p = malloc(65536);
    *len = p ? fread(p, 1, 65535, f) : 0;
    fclose(f);
    return p;
}

static int load_export(const char *path, uint8_t **bin, size_t *binlen, uint8_t **sig, size_t *siglen,
                       struct en_export *e)
{
    char err[256];
    if (en_zip_read(path, bin, binlen, sig, siglen, err, sizeof err) ||
        en_export_decode(*bin, *binlen, e, err, sizeof err)) {
        fprintf(stderr, "cordon en: %s\n", err);
        free(*bin);
        free(*sig);
        return -1;
    }
    return 0;
}

static int export_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"public-key", required_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *key_arg = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'k')
            key_arg = optarg;
        else if (ch == 'h')
            return fputs(usage, stdout), 0;
        else
            return bad_usage(NULL);
    }
    if (!key_arg || argc - optind != 1)
        return bad_usage("export verify needs --public-key PEM and one FILE.zip");
    size_t pemlen;
    char *pem = read_pem(key_arg, &pemlen);
    EVP_PKEY *key = pem ? en_key_from_pem(pem, pemlen, false) : NULL;
    free(pem);
    if (!key)
        return bad_usage("--public-key must be a P-256 public key in PEM (a file or the text)");
    uint8_t *bin, *sig;
    size_t binlen, siglen;
    struct en_export e;
    if (load_export(argv[optind], &bin, &binlen, &sig, &siglen, &e)) {
        EVP_PKEY_free(key);
        return 1;
    }
    char err[256];
    struct en_tek_signature ts;
    int rc = 1;
    if (en_sig_decode(sig, siglen, &ts, err, sizeof err))
        fprintf(stderr, "cordon en: %s\n", err);
    else if (strcmp(ts.info.algorithm, EN_SIG_ALGORITHM))
        fprintf(stderr, "cordon en: export.sig names the algorithm \"%s\", not %s (ECDSA P-256 SHA-256)\n",
                ts.info.algorithm, EN_SIG_ALGORITHM);
    else if (en_verify(key, bin, binlen, ts.sig, ts.siglen))
        fprintf(stderr, "cordon en: the signature does not verify: export.bin was changed or another key signed it\n");
    else {
        printf("%zu\n", e.nkeys);
        rc = 0;
    }
    en_export_free(&e);
    free(bin);
    free(sig);
    EVP_PKEY_free(key);
    return rc;
}

static void print_key(const struct en_key *k)
{
    char b64[32];
    EVP_EncodeBlock((unsigned char *)b64, k->key_data, EN_KEY_LEN);
    printf("{\"key_data\":\"%s\",\"rolling_start_interval_number\":%d,\"rolling_period\":%d", b64,
           k->rolling_start_interval_number, k->rolling_period);
    if (k->has_transmission_risk)
        printf(",\"transmission_risk_level\":%d", k->transmission_risk_level);
    else
        printf(",\"transmission_risk_level\":null");
    if (k->has_report_type)
        printf(",\"report_type\":%d", k->report_type);
    else
        printf(",\"report_type\":null");
    if (k->has_days_since_onset)
        printf(",\"days_since_onset_of_symptoms\":%d}\n", k->days_since_onset);
    else
        printf(",\"days_since_onset_of_symptoms\":null}\n");
}

static int export_dump(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return fputs(usage, stdout), 0;
    if (argc != 2)
        return bad_usage("export dump needs one FILE.zip");
    uint8_t *bin, *sig;
    size_t binlen, siglen;
    struct en_export e;
    if (load_export(argv[1], &bin, &binlen, &sig, &siglen, &e))
        return 1;
    for (size_t i = 0; i < e.nkeys; i++)
        print_key(&e.keys[i]);
    en_export_free(&e);
    free(bin);
    free(sig);
    return 0;
}

int cmd_en(int argc, char **argv)
{
    /* argv[0] is "en" */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "simulate"))
        return cmd_en_simulate(argc - 1, argv + 1);
    if (!strcmp(argv[1], "derive"))
        return derive(argc - 1, argv + 1);
    if (!strcmp(argv[1], "export") && argc >= 3 && !strcmp(argv[2], "verify"))
        return export_verify(argc - 2, argv + 2);
    if (!strcmp(argv[1], "export") && argc >= 3 && !strcmp(argv[2], "dump"))
        return export_dump(argc - 2, argv + 2);
    return bad_usage("unknown subcommand");
}
