/*
 * The EU DCC test data (dgc-testdata, in tests/data/dcc of the
 * repository, or $CORDON_DCC_TESTDATA): every file 2DCode/raw/NAME.json in it is run
 * through the decoder and verifier and each EXPECTEDRESULTS flag that names a
 * step we perform is checked, true meaning the step succeeds and false that
 * it fails:
 *   EXPECTEDUNPREFIX      PREFIX starts with "HC1:" and the rest is BASE45
 *   EXPECTEDB45DECODE     BASE45 decodes to COMPRESSED
 *   EXPECTEDCOMPRESSION   COMPRESSED inflates to COSE
 *   EXPECTEDDECODE        COSE is a COSE_Sign1 whose claims hold a DCC equal to CBOR
 *   EXPECTEDVALIDJSON     the whole chain from PREFIX yields a DCC equal to JSON
 *   EXPECTEDVERIFY        the signature verifies with TESTCTX.CERTIFICATE
 *   EXPECTEDKEYUSAGE      the certificate's extended key usage allows the certificate type
 *   EXPECTEDEXPIRATIONCHECK  iat <= TESTCTX.VALIDATIONCLOCK <= exp
 *   EXPECTEDPICTUREDECODE the 2DCODE image (a PNG) read by zbarimg gives PREFIX
 *   EXPECTEDSCHEMAVALIDATION the DCC in COSE follows the DCC JSON schema of its
 *                         version and the shipped EU value sets
 * Not checked (counted and printed): EXPECTEDVALIDOBJECT and EXPECTEDENCODE
 * (generation-side flags).
 *
 * The test data's own tests/known_issues.csv (test_name,country,test_set,
 * reason) lists expectations its authors know to be wrong, e.g. the NL
 * schema flags, which follow no release of the schema.  As upstream, those
 * are run but not held against us; how many agree is printed.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <unistd.h>
#include <zlib.h>

#include "dcc/base45.h"
#include "dcc/cbor.h"
#include "dcc/cose.h"
#include "dcc/dcc.h"
#include "dcc/schema.h"

static int files, checked, failed, skipped, known, upstream_known, upstream_agree;
static char dir[4096];                 /* the test data */
static struct dcc_valuesets *valuesets; /* the shipped value sets */

/*
 * Defects of the test data itself, checked to still be there (we must get
 * the opposite of the flag).  PL 1.3.0 files 1 and 5 carry a JSON field
 * (Akdi Omar) that is not the certificate their PREFIX, COSE and CBOR hold
 * (Rogaliński-Król Stanisław).  IS 3 is signed by a certificate whose
 * extended key usage holds only 2.23.136.1.1.14.2 (an ICAO document signer
 * OID), none of the DCC OIDs: the hcert specification ("Key Usage Policy
 * Identifiers") makes such a certificate valid for all three types, as
 * common/CO15 (an empty extended key usage) expects, and as the EU apps
 * verify; the file expects a refusal.
 */
static const struct {
    const char *suffix, *flag, *reason;
} known_issues[] = {
    {"PL/1.3.0/2DCode/raw/1.json", "EXPECTEDVALIDJSON", "JSON field differs from the signed payload and CBOR"},
    {"PL/1.3.0/2DCode/raw/5.json", "EXPECTEDVALIDJSON", "JSON field differs from the signed payload and CBOR"},
    {"IS/2DCode/raw/3.json", "EXPECTEDKEYUSAGE", "expects a refusal from an extended key usage without DCC OIDs"},
};

static const char *known_issue(const char *path, const char *flag)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof(known_issues) / sizeof(known_issues[0]); i++) {
        size_t m = strlen(known_issues[i].suffix);
        if (n >= m && !strcmp(path + n - m, known_issues[i].suffix) && !strcmp(flag, known_issues[i].flag))
            return known_issues[i].reason;
    }
    return NULL;
}
static char *paths[2048];
static int npaths;

/* Upstream known issues: the upstream test function names the flag it checks. */
static const struct {
    const char *test, *flag;
} upstream_tests[] = {
    {"test_compression", "EXPECTEDCOMPRESSION"},     {"test_cose_schema", "EXPECTEDSCHEMAVALIDATION"},
    {"test_cose_json", "EXPECTEDDECODE"},            {"test_cose_cbor", "EXPECTEDDECODE"},
    {"test_cbor_json", "EXPECTEDVALIDJSON"},         {"test_verification_check", "EXPECTEDVERIFY"},
    {"test_expiration_check", "EXPECTEDEXPIRATIONCHECK"}, {"test_expected_key_usage", "EXPECTEDKEYUSAGE"},
    {"test_b45decode", "EXPECTEDB45DECODE"},         {"test_un_prefix", "EXPECTEDUNPREFIX"},
    {"test_picture_decode", "EXPECTEDPICTUREDECODE"},
};
static struct {
    char flag[40], country[32], set[64];
} upstream[256];
static int nupstream;

static void load_upstream_known_issues(void)
{
    char path[4200], line[1024];
    snprintf(path, sizeof(path), "%s/tests/known_issues.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f) && nupstream < (int)(sizeof(upstream) / sizeof(upstream[0]))) {
        char test[64] = "", country[32] = "", set[64] = "";
        if (sscanf(line, "%63[^,],%31[^,],%63[^,]", test, country, set) < 2 &&
            sscanf(line, ",%31[^,],%63[^,]", country, set) < 1)
            continue;
        if (!strcmp(test, "test_name"))
            continue; /* the header */
        country[strcspn(country, "\r\n")] = '\0';
        set[strcspn(set, "\r\n")] = '\0';
        const char *flag = test[0] ? NULL : "";
        for (size_t i = 0; i < sizeof(upstream_tests) / sizeof(upstream_tests[0]) && !flag; i++)
            if (!strcmp(upstream_tests[i].test, test))
                flag = upstream_tests[i].flag;
        if (!flag)
            continue;
        snprintf(upstream[nupstream].flag, sizeof(upstream[0].flag), "%s", flag);
        snprintf(upstream[nupstream].country, sizeof(upstream[0].country), "%s", country);
        snprintf(upstream[nupstream].set, sizeof(upstream[0].set), "%s", set);
        nupstream++;
    }
    fclose(f);
}

/* Whether the test data lists flag of this file (<dir>/<country>/.../<set>.json) as a known issue. */
static bool upstream_known_issue(const char *path, const char *flag)
{
    size_t dn = strlen(dir);
    const char *rel = path + dn + (path[dn] == '/');
    const char *slash = strchr(rel, '/'), *base = strrchr(path, '/') + 1;
    size_t clen = slash ? (size_t)(slash - rel) : 0, blen = strlen(base) - 5; /* ".json" */
    for (int i = 0; i < nupstream; i++)
        if ((!upstream[i].flag[0] || !strcmp(upstream[i].flag, flag)) && strlen(upstream[i].country) == clen &&
            !strncmp(upstream[i].country, rel, clen) &&
            (!upstream[i].set[0] || (strlen(upstream[i].set) == blen && !strncmp(upstream[i].set, base, blen))))
            return true;
    return false;
}

static uint8_t *unhex(const char *h, size_t *n)
{
    size_t len = strlen(h) / 2;
    uint8_t *out = malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)v;
    }
    *n = len;
    return out;
}

/* "2021-05-25T02:00:00+02:00", "...Z", "...123Z" -> epoch seconds. */
static int parse_clock(const char *s, int64_t *out)
{
    struct tm tm = {0};
    int used = 0;
    if (sscanf(s, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
               &used) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t t = (int64_t)timegm(&tm);
    const char *p = s + used;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p == '+' || *p == '-') {
        int hh = 0, mm = 0;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) < 1 && sscanf(p + 1, "%2d%2d", &hh, &mm) < 1)
            return -1;
        t -= (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
    }
    *out = t;
    return 0;
}

/* JSON equality where numbers compare by value (CBOR may carry 1 as 1.0). */
static bool same_json(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            if (!same_json(v, json_object_get(b, k)))
                return false;
        }
        return true;
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_json(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static void expect(const char *path, const json_t *er, const char *key, bool got, const char *detail)
{
    json_t *want = json_object_get(er, key);
    if (!json_is_boolean(want))
        return;
    const char *issue = known_issue(path, key);
    if (issue) {
        known++;
        checked++;
        if (json_is_true(want) == got) {
            failed++;
            fprintf(stderr, "FAIL %s: %s listed as a known issue (%s) but passes: remove the entry\n", path, key, issue);
        }
        return;
    }
    if (upstream_known_issue(path, key)) {
        upstream_known++;
        upstream_agree += json_is_true(want) == got;
        return;
    }
    checked++;
    if (json_is_true(want) != got) {
        failed++;
        fprintf(stderr, "FAIL %s: %s expected %s, got %s (%s)\n", path, key, json_is_true(want) ? "true" : "false",
                got ? "true" : "false", detail ? detail : "");
    }
}

static bool eq_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return a && b && an == bn && !memcmp(a, b, an);
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Whether zbarimg reads the base64 PNG b64 back to exactly want. */
static bool picture_decodes(const char *b64, const char *want, char *detail, size_t dlen)
{
    size_t cap = strlen(b64) / 4 * 3 + 3, n = 0;
    unsigned char *png = malloc(cap);
    bool ok = false;
    char path[] = "/tmp/cordon-dcc-picture-XXXXXX";
    int fd = -1;
    if (!png || sodium_base642bin(png, cap, b64, strlen(b64), " \r\n", &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        (fd = mkstemp(path)) < 0 || write(fd, png, n) != (ssize_t)n) {
        snprintf(detail, dlen, "2DCODE is not base64 or could not be written");
        goto out;
    }
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sdisable -Sqrcode.enable %s 2>/dev/null", path);
    FILE *zb = popen(cmd, "r");
    size_t cap_out = strlen(want) + 64, got = 0;
    char *text = calloc(1, cap_out + 1);
    if (zb) {
        got = fread(text, 1, cap_out, zb);
        pclose(zb);
    }
    while (got && (text[got - 1] == '\n' || text[got - 1] == '\r'))
        text[--got] = '\0';
    ok = !strcmp(text, want);
    if (!ok)
        snprintf(detail, dlen, "zbarimg read %.40s...", text);
    free(text);
out:
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    free(png);
    return ok;
}

static void run_file(const char *path)
{
    json_error_t je;
    json_t *d = json_load_file(path, 0, &je);
    assert_non_null(d);
    files++;
    const json_t *er = json_object_get(d, "EXPECTEDRESULTS"), *ctx = json_object_get(d, "TESTCTX");
    const char *prefix = str(d, "PREFIX"), *b45 = str(d, "BASE45");
    size_t zlen = 0, coselen = 0, cborlen = 0;
    uint8_t *z = unhex(str(d, "COMPRESSED"), &zlen), *cose = unhex(str(d, "COSE"), &coselen),
            *cbor = unhex(str(d, "CBOR"), &cborlen);

    if (json_object_get(er, "EXPECTEDPICTUREDECODE") && !json_object_get(d, "2DCODE")) {
        skipped++; /* no image to read (common/B1) */
    } else if (json_object_get(er, "EXPECTEDPICTUREDECODE")) {
        char detail[80] = "";
        bool read_ok = picture_decodes(str(d, "2DCODE"), prefix, detail, sizeof(detail));
        expect(path, er, "EXPECTEDPICTUREDECODE", read_ok, detail);
    }
    for (const char *const *k = (const char *const[]){"EXPECTEDVALIDOBJECT", "EXPECTEDENCODE", NULL};
         *k; k++)
        if (json_object_get(er, *k))
            skipped++;

    /* Step by step on the intermediate fields. */
    expect(path, er, "EXPECTEDUNPREFIX", !strncmp(prefix, "HC1:", 4) && !strcmp(prefix + 4, b45), NULL);
    uint8_t *dec = malloc(BASE45_DECODED_MAX(strlen(b45)));
    size_t declen = 0;
    bool b45_ok = !base45_decode(b45, strlen(b45), dec, &declen, NULL) && eq_bytes(dec, declen, z, zlen);
    expect(path, er, "EXPECTEDB45DECODE", b45_ok, NULL);
    uLongf inflen = DCC_MAX_COSE;
    uint8_t *inf = malloc(inflen);
    bool z_ok = uncompress(inf, &inflen, z, zlen) == Z_OK && eq_bytes(inf, inflen, cose, coselen);
    expect(path, er, "EXPECTEDCOMPRESSION", z_ok, NULL);

    /* EXPECTEDDECODE (upstream step 6): the DCC inside the COSE payload
     * equals the CBOR field, compared after decoding both. */
    bool decode_ok = false;
    char err[160] = "";
    struct cbor_item *root = NULL, *claims = NULL, *cb = NULL;
    struct cose_sign1 cs = {0};
    json_t *from_cose = NULL, *from_cbor = NULL;
    const json_t *want = json_object_get(d, "JSON");
    /* CBOR is the DCC itself in most files, the whole claims map in some (NL). */
    if (cose && !cbor_decode(cose, coselen, &root, err, sizeof(err)) &&
        !cose_sign1_parse(root, &cs, err, sizeof(err)) &&
        !cbor_decode(cs.payload, cs.payload_len, &claims, err, sizeof(err)) &&
        !cbor_to_json(cbor_map_get_int(cbor_map_get_int(claims, -260), 1), &from_cose, err, sizeof(err)) && cbor &&
        !cbor_decode(cbor, cborlen, &cb, err, sizeof(err)) &&
        !cbor_to_json(cbor_map_get_int(cb, -260) ? cbor_map_get_int(cbor_map_get_int(cb, -260), 1) : cb, &from_cbor,
                      err, sizeof(err)))
        decode_ok = same_json(from_cose, from_cbor);
    expect(path, er, "EXPECTEDDECODE", decode_ok, err);

    /* EXPECTEDSCHEMAVALIDATION: the DCC the COSE payload holds, as upstream
     * validates it; files without COSE (common/DGC*) carry the DCC as CBOR only. */
    if (json_object_get(er, "EXPECTEDSCHEMAVALIDATION")) {
        bool has_cose = json_object_get(d, "COSE") != NULL;
        if (!has_cose && !from_cbor && cborlen && !cbor_decode(cbor, cborlen, &cb, err, sizeof(err)))
            cbor_to_json(cbor_map_get_int(cb, -260) ? cbor_map_get_int(cbor_map_get_int(cb, -260), 1) : cb, &from_cbor,
                         err, sizeof(err));
        const json_t *dcc = has_cose ? from_cose : from_cbor;
        char where[32] = "", why[112] = "", detail[160] = "no DCC in COSE or CBOR";
        bool schema_ok = dcc && !dcc_schema_check(dcc, valuesets, where, sizeof(where), why, sizeof(why));
        if (dcc)
            snprintf(detail, sizeof(detail), "%s %s", where, why);
        expect(path, er, "EXPECTEDSCHEMAVALIDATION", schema_ok, detail);
    }

    /* End to end from PREFIX with the test certificate as the only trusted key,
     * under its own kid (the first 8 bytes of its SHA-256), as a trust list
     * holds it: a certificate naming another kid is not verified (common/CO22). */
    struct dcc_trust *trust;
    assert_int_equal(dcc_trust_new(&trust), 0);
    dcc_trust_use_valuesets(trust, valuesets);
    int have_key = !dcc_trust_add_text(trust, NULL, 0, str(ctx, "CERTIFICATE"), err, sizeof(err));
    int64_t now = 0;
    bool have_clock = !parse_clock(str(ctx, "VALIDATIONCLOCK"), &now);
    struct dcc_result r;
    int st = dcc_verify(have_key ? trust : NULL, prefix, have_clock ? now : 0, &r);
    bool chain_ok = st == DCC_OK || st >= DCC_UNKNOWN_KEY;
    /* EXPECTEDVALIDJSON (step 7): the whole chain yields the JSON field. */
    bool json_ok = chain_ok && r.payload && same_json(r.payload, want);
    expect(path, er, "EXPECTEDVALIDJSON", json_ok, r.detail); /* PL 1.3.0 1 and 5: known data defects */
    /* The verifier's last step agrees with the schema flag. */
    if (json_is_false(json_object_get(er, "EXPECTEDSCHEMAVALIDATION")) &&
        !upstream_known_issue(path, "EXPECTEDSCHEMAVALIDATION") && st == DCC_OK) {
        checked++;
        failed++;
        fprintf(stderr, "FAIL %s: the verifier accepted a certificate whose schema check must fail\n", path);
    }
    bool verify_ok = have_key && chain_ok && st != DCC_UNKNOWN_KEY && st != DCC_BAD_SIGNATURE && st != DCC_INTERNAL;
    expect(path, er, "EXPECTEDVERIFY", verify_ok, r.detail);
    if (json_object_get(er, "EXPECTEDKEYUSAGE")) {
        if (verify_ok)
            expect(path, er, "EXPECTEDKEYUSAGE", st != DCC_WRONG_KEY_USAGE, r.detail);
        else
            skipped++; /* usage is only judged for a signature that verifies */
    }
    if (json_object_get(er, "EXPECTEDEXPIRATIONCHECK")) {
        bool in_time = have_clock && chain_ok && r.iat <= now && now <= r.exp;
        expect(path, er, "EXPECTEDEXPIRATIONCHECK", in_time, r.detail);
        /* and the verifier's verdict agrees whenever it got as far as the clock */
        if (st == DCC_OK || st == DCC_BAD_SCHEMA || st == DCC_EXPIRED || st == DCC_NOT_YET_VALID) {
            checked++;
            if ((st == DCC_OK || st == DCC_BAD_SCHEMA) != in_time) {
                failed++;
                fprintf(stderr, "FAIL %s: verifier said %s at %lld (iat %lld, exp %lld)\n", path, dcc_status_str(st),
                        (long long)now, (long long)r.iat, (long long)r.exp);
            }
        }
    }
    dcc_result_release(&r);
    dcc_trust_free(trust);
    json_decref(from_cose);
    json_decref(from_cbor);
    cbor_free(cb);
    cbor_free(claims);
    cose_sign1_release(&cs);
    cbor_free(root);
    free(inf);
    free(dec);
    free(z);
    free(cose);
    free(cbor);
    json_decref(d);
}

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    size_t n = strlen(path);
    if (type == FTW_F && n > 5 && !strcmp(path + n - 5, ".json") && strstr(path, "/2DCode/raw/") &&
        npaths < (int)(sizeof(paths) / sizeof(paths[0])))
        paths[npaths++] = strdup(path);
    return 0;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_testdata(void **state)
{
    (void)state;
    const char *env = getenv("CORDON_DCC_TESTDATA");
    if (env) {
        snprintf(dir, sizeof(dir), "%s", env);
    } else {
        snprintf(dir, sizeof(dir), "%s/tests/data/dcc", CORDON_SOURCE_DIR);
    }
    if (nftw(dir, collect, 16, FTW_PHYS)) {
        fprintf(stderr, "DCC test data not found at %s (set CORDON_DCC_TESTDATA)\n", dir);
        fail();
    }
    qsort(paths, (size_t)npaths, sizeof(paths[0]), cmp_paths);
    load_upstream_known_issues();
    assert_int_equal(dcc_valuesets_default(&valuesets), 0);
    for (int i = 0; i < npaths; i++) {
        run_file(paths[i]);
        free(paths[i]);
    }
    printf("dcc testdata: %d files, %d expectations checked (%d of them known data defects, confirmed), "
           "%d failed, %d not checked (generation side); %d listed as known issues upstream (%d of them agree)\n",
           files, checked, known, failed, skipped, upstream_known, upstream_agree);
    dcc_valuesets_free(valuesets);
    assert_true(files > 0);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_testdata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
