/*
 * Unit tests of dcc/: issue a certificate and verify it back; the issued
 * payload is a standard zlib stream (0x78, windowBits 15); each failure
 * status from a crafted input (prefix, base45, zlib, CBOR, COSE, unknown key,
 * tampered signature or payload, expiry, key usage); the issuer key kept in
 * dcc_keys (one key per database, also when two connections race); trust
 * list loading; ECDSA r||s <-> DER; random mutations never crash the verifier.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/kek.h"
#include "dcc/base45.h"
#include "dcc/cbor.h"
#include "dcc/cose.h"
#include "dcc/dcc.h"
#include "store/store.h"

#define IAT 1700000000
#define EXP (IAT + 365 * 86400)

static char dbpath[64];
static struct store *db;
static struct dcc_issuer *issuer;
static struct dcc_trust *trust;
static json_t *payload;

static const char payload_json[] =
    "{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"Nguy\xe1\xbb\x85n\",\"fnt\":\"NGUYEN\",\"gn\":\"V\xc4\x83n An\","
    "\"gnt\":\"VAN<AN\"},\"dob\":\"1980-02-29\",\"v\":[{\"tg\":\"840539006\",\"vp\":\"J07BX03\","
    "\"mp\":\"EU/1/20/1528\",\"ma\":\"ORG-100030215\",\"dn\":2,\"sd\":2,\"dt\":\"2021-09-01\",\"co\":\"VN\","
    "\"is\":\"Ministry of Health\",\"ci\":\"URN:UVCI:01:VN:ABC123#X\"}]}";

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = calloc(1, 65536);
    size_t n = fread(s, 1, 65535, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dbpath, sizeof(dbpath), "/tmp/cordon-test-dcc-%d.db", (int)getpid());
    char url[96], err[256], mig[1200];
    snprintf(url, sizeof(url), "sqlite:%s", dbpath);
    if (store_open(url, &db, err, sizeof(err)))
        return -1;
    /* Only this module's table: the migration file itself, next to this test's tree. */
    snprintf(mig, sizeof(mig), "%s/src/store/migrations/009_dcc.sql", CORDON_SOURCE_DIR);
    char *sql = read_text(mig);
    if (!sql || store_exec(db, sql))
        return -1;
    free(sql);
    /* What 016_sealed_secrets.sql adds to it (the rest of that file alters other modules' tables). */
    if (store_exec(db, "ALTER TABLE dcc_keys ADD COLUMN kek_id TEXT"))
        return -1;
    if (dcc_issuer_load(db, "VN", &issuer) || dcc_issuer_trust(issuer, &trust))
        return -1;
    payload = json_loads(payload_json, 0, NULL);
    return payload ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(payload);
    dcc_trust_free(trust);
    dcc_issuer_free(issuer);
    store_close(db);
    char p[128];
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static int verify(const char *hc1, int64_t now, struct dcc_result *r)
{
    return dcc_verify(trust, hc1, now, r);
}

static void test_round_trip(void **state)
{
    (void)state;
    char *hc1;
    assert_int_equal(dcc_issue(issuer, payload, IAT, EXP, &hc1), 0);
    assert_memory_equal(hc1, "HC1:", 4);
    struct dcc_result r;
    assert_int_equal(verify(hc1, IAT + 10, &r), DCC_OK);
    assert_string_equal(dcc_status_str(r.status), "ok");
    assert_true(json_equal(r.payload, payload));
    assert_int_equal(r.iat, IAT);
    assert_int_equal(r.exp, EXP);
    assert_int_equal(r.alg, COSE_ES256);
    assert_string_equal(r.iss, "VN");
    assert_int_equal(r.kid_len, 8);
    assert_string_equal(r.kid_b64, dcc_issuer_kid_b64(issuer));
    dcc_result_release(&r);
    /* the boundaries are inclusive */
    assert_int_equal(verify(hc1, IAT, &r), DCC_OK);
    dcc_result_release(&r);
    assert_int_equal(verify(hc1, EXP, &r), DCC_OK);
    dcc_result_release(&r);
    assert_int_equal(verify(hc1, EXP + 1, &r), DCC_EXPIRED);
    assert_string_equal(dcc_status_str(r.status), "expired");
    assert_true(json_equal(r.payload, payload)); /* still shown */
    dcc_result_release(&r);
    assert_int_equal(verify(hc1, IAT - 1, &r), DCC_NOT_YET_VALID);
    dcc_result_release(&r);
    /* two signatures of the same content differ (ECDSA is randomised) but both verify */
    char *again;
    assert_int_equal(dcc_issue(issuer, payload, IAT, EXP, &again), 0);
    assert_string_not_equal(hc1, again);
    assert_int_equal(verify(again, IAT, &r), DCC_OK);
    dcc_result_release(&r);
    free(again);
    free(hc1);
}

/*
 * The issued payload is the ordinary zlib stream (RFC 1950, 32 KiB window):
 * after base45 it starts with 0x78, its header checks, and zlib's plain
 * uncompress() (inflate with the default windowBits 15) reads it whole into
 * a tagged COSE_Sign1 (0xd2).
 */
static void test_standard_zlib_stream(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) { /* the issuer reuses its stream: the second and third too */
        char *hc1;
        assert_int_equal(dcc_issue(issuer, payload, IAT, EXP, &hc1), 0);
        size_t n = strlen(hc1 + 4), zlen = 0;
        uint8_t *z = malloc(BASE45_DECODED_MAX(n));
        assert_int_equal(base45_decode(hc1 + 4, n, z, &zlen, NULL), 0);
        assert_true(zlen > 2);
        assert_int_equal(z[0], 0x78);                /* CM 8 (deflate), CINFO 7 (32 KiB window) */
        assert_int_equal((z[0] << 8 | z[1]) % 31, 0); /* FCHECK */
        assert_int_equal(z[1] & 0x20, 0);             /* no preset dictionary */
        uint8_t cose[DCC_MAX_COSE];
        uLongf cose_len = sizeof(cose);
        assert_int_equal(uncompress(cose, &cose_len, z, (uLong)zlen), Z_OK);
        assert_true(cose_len > 64);
        assert_int_equal(cose[0], 0xd2); /* tag 18 */
        /* and an inflater told to expect exactly a 32 KiB zlib stream reads it too */
        z_stream zs;
        memset(&zs, 0, sizeof(zs));
        uint8_t again[DCC_MAX_COSE];
        assert_int_equal(inflateInit2(&zs, 15), Z_OK);
        zs.next_in = z;
        zs.avail_in = (uInt)zlen;
        zs.next_out = again;
        zs.avail_out = sizeof(again);
        assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
        assert_int_equal(zs.total_out, cose_len);
        assert_memory_equal(again, cose, cose_len);
        inflateEnd(&zs);
        free(z);
        free(hc1);
    }
}

static void test_issue_rejects(void **state)
{
    (void)state;
    char *hc1 = (char *)1;
    json_t *arr = json_array();
    assert_int_equal(dcc_issue(issuer, arr, IAT, EXP, &hc1), -1);
    assert_null(hc1);
    json_decref(arr);
}

/* {"ver": v} issued, or NULL when dcc_issue refuses it. */
static char *issue_ver(json_t *v)
{
    json_t *p = json_pack("{s:o}", "ver", v);
    char *hc1 = NULL;
    if (dcc_issue(issuer, p, IAT, EXP, &hc1))
        hc1 = NULL;
    json_decref(p);
    return hc1;
}

/* What dcc_verify would refuse as too deep, too many items or too long is not issued (found by fuzzing). */
static void test_issue_only_what_verifies(void **state)
{
    (void)state;
    for (int depth = 10; depth <= 14; depth++) { /* "ver" at depth 4 of the claims, then arrays */
        json_t *v = json_integer(1);
        for (int i = 0; i < depth; i++) {
            json_t *a = json_array();
            json_array_append_new(a, v);
            v = a;
        }
        char *hc1 = issue_ver(v);
        if (depth <= 12) {
            struct dcc_result r;
            assert_non_null(hc1);
            assert_int_not_equal(verify(hc1, IAT, &r), DCC_BAD_CBOR);
            dcc_result_release(&r);
        } else {
            assert_null(hc1);
        }
        free(hc1);
    }
    json_t *many = json_array();
    for (int i = 0; i < CBOR_MAX_ITEMS; i++)
        json_array_append_new(many, json_integer(0));
    assert_null(issue_ver(many));
    char text[10000]; /* random text hardly compresses: HC1 above DCC_MAX_HC1, COSE within DCC_MAX_COSE */
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof(text) - 1; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(x >> 16) % 36];
    }
    text[sizeof(text) - 1] = '\0';
    assert_null(issue_ver(json_string(text)));
}

/* The COSE bytes of an HC1 string. */
static uint8_t *unwrap(const char *hc1, size_t *len)
{
    size_t n = strlen(hc1 + 4), zlen;
    uint8_t *z = malloc(BASE45_DECODED_MAX(n));
    assert_int_equal(base45_decode(hc1 + 4, n, z, &zlen, NULL), 0);
    uLongf out = DCC_MAX_COSE;
    uint8_t *cose = malloc(out);
    assert_int_equal(uncompress(cose, &out, z, zlen), Z_OK);
    free(z);
    *len = out;
    return cose;
}

/* Compresses and encodes bytes as an HC1 string (compress=false: raw bytes in base45). */
static char *wrap(const uint8_t *data, size_t len, bool compress)
{
    uLongf zlen = compressBound(len);
    uint8_t *z = malloc(zlen);
    if (compress)
        assert_int_equal(compress2(z, &zlen, data, len, 9), Z_OK);
    else {
        memcpy(z, data, len);
        zlen = len;
    }
    char *s = malloc(4 + BASE45_ENCODED_LEN(zlen) + 1);
    memcpy(s, "HC1:", 4);
    base45_encode(z, zlen, s + 4);
    free(z);
    return s;
}

static void expect_status(const char *hc1, int want)
{
    struct dcc_result r;
    int st = verify(hc1, IAT + 1, &r);
    if (st != want)
        fprintf(stderr, "got %s (%s), want %s\n", dcc_status_str(st), r.detail, dcc_status_str(want));
    assert_int_equal(st, want);
    assert_int_equal(r.status, want);
    assert_true(st == DCC_OK || r.detail[0]);
    dcc_result_release(&r);
}

static void test_statuses(void **state)
{
    (void)state;
    char *hc1;
    assert_int_equal(dcc_issue(issuer, payload, IAT, EXP, &hc1), 0);
    expect_status(hc1, DCC_OK);
    /* prefix */
    expect_status(hc1 + 4, DCC_BAD_PREFIX);
    expect_status("", DCC_BAD_PREFIX);
    expect_status("hc1:6BF", DCC_BAD_PREFIX);
    char *p = calloc(1, strlen(hc1) + 3); /* room for two more characters */
    strcpy(p, hc1);
    p[2] = '2';
    expect_status(p, DCC_BAD_PREFIX);
    /* base45 */
    strcpy(p, hc1);
    p[10] = 'a';
    expect_status(p, DCC_BAD_BASE45);
    strcpy(p, hc1);
    /* a dangling character: base45 groups are 3 or (last) 2 characters, so one left over is invalid */
    strcat(p, (strlen(hc1) - 4) % 3 == 0 ? "A" : "AA");
    expect_status(p, DCC_BAD_BASE45);
    expect_status("HC1:GGW", DCC_BAD_BASE45);
    char *huge = malloc(DCC_MAX_HC1 + 8);
    memcpy(huge, "HC1:", 4);
    memset(huge + 4, '0', DCC_MAX_HC1);
    huge[DCC_MAX_HC1 + 4] = '\0';
    expect_status(huge, DCC_BAD_BASE45);
    free(huge);
    /* compression: not zlib, truncated, trailing bytes */
    size_t cose_len;
    uint8_t *cose = unwrap(hc1, &cose_len);
    char *s = wrap(cose, cose_len, false);
    expect_status(s, DCC_BAD_COMPRESSION);
    free(s);
    {
        uLongf zlen = compressBound(cose_len) + 4;
        uint8_t *z = malloc(zlen);
        compress2(z, &zlen, cose, cose_len, 9);
        char *t = malloc(4 + BASE45_ENCODED_LEN(zlen + 2) + 1);
        memcpy(t, "HC1:", 4);
        base45_encode(z, zlen - 6, t + 4);
        expect_status(t, DCC_BAD_COMPRESSION);
        z[zlen] = 0;
        z[zlen + 1] = 1;
        base45_encode(z, zlen + 2, t + 4);
        expect_status(t, DCC_BAD_COMPRESSION);
        free(t);
        free(z);
    }
    /* CBOR: garbage, trailing bytes, truncated */
    static const uint8_t garbage[] = {0xff, 0x00, 0x13};
    s = wrap(garbage, sizeof(garbage), true);
    expect_status(s, DCC_BAD_CBOR);
    free(s);
    uint8_t *longer = malloc(cose_len + 1);
    memcpy(longer, cose, cose_len);
    longer[cose_len] = 0x00;
    s = wrap(longer, cose_len + 1, true);
    expect_status(s, DCC_BAD_CBOR);
    free(s);
    s = wrap(cose, cose_len - 1, true);
    expect_status(s, DCC_BAD_CBOR);
    free(s);
    free(longer);
    /* COSE: well-formed CBOR of the wrong shape; wrong tag; unsupported alg; no kid */
    static const uint8_t not_cose[] = {0x83, 0x01, 0x02, 0x03};
    s = wrap(not_cose, sizeof(not_cose), true);
    expect_status(s, DCC_BAD_COSE);
    free(s);
    uint8_t *m = malloc(cose_len);
    memcpy(m, cose, cose_len);
    assert_int_equal(m[0], 0xd2); /* tag 18 */
    m[0] = 0xd1;                  /* tag 17: COSE_Mac0 */
    s = wrap(m, cose_len, true);
    expect_status(s, DCC_BAD_COSE);
    free(s);
    /* protected header bytes: 84 4d a2 01 26 04 48 <kid> */
    assert_memory_equal(m + 1, "\x84\x4d\xa2\x01\x26\x04\x48", 7);
    memcpy(m, cose, cose_len);
    m[5] = 0x27; /* alg -8 (EdDSA): not supported */
    s = wrap(m, cose_len, true);
    expect_status(s, DCC_BAD_COSE);
    free(s);
    memcpy(m, cose, cose_len);
    m[6] = 0x05; /* header 5 (IV) instead of 4 (kid): no kid */
    s = wrap(m, cose_len, true);
    expect_status(s, DCC_BAD_COSE);
    free(s);
    /* unknown key: the kid changed (the signature covers it too, but the key lookup comes first) */
    memcpy(m, cose, cose_len);
    m[8] ^= 0x01;
    s = wrap(m, cose_len, true);
    expect_status(s, DCC_UNKNOWN_KEY);
    free(s);
    /* bad signature: one bit of the signature, one letter of the name */
    memcpy(m, cose, cose_len);
    m[cose_len - 1] ^= 0x01;
    s = wrap(m, cose_len, true);
    expect_status(s, DCC_BAD_SIGNATURE);
    free(s);
    memcpy(m, cose, cose_len);
    uint8_t *name = memmem(m, cose_len, "NGUYEN", 6);
    assert_non_null(name);
    name[5] = 'M';
    s = wrap(m, cose_len, true);
    expect_status(s, DCC_BAD_SIGNATURE);
    free(s);
    /* unknown key with an empty trust list, or none */
    struct dcc_trust *empty;
    assert_int_equal(dcc_trust_new(&empty), 0);
    struct dcc_result r;
    assert_int_equal(dcc_verify(empty, hc1, IAT, &r), DCC_UNKNOWN_KEY);
    assert_non_null(strstr(r.detail, dcc_issuer_kid_b64(issuer)));
    dcc_result_release(&r);
    assert_int_equal(dcc_verify(NULL, hc1, IAT, &r), DCC_UNKNOWN_KEY);
    dcc_result_release(&r);
    dcc_trust_free(empty);
    free(m);
    free(cose);
    free(p);
    free(hc1);
    for (int st = 0; st < DCC_STATUS_LAST; st++) {
        assert_string_not_equal(dcc_status_str(st), "unknown");
        assert_string_not_equal(dcc_status_message(st), "unknown status");
    }
}

/* A P-256 key and a self-signed certificate, with an extended key usage when eku is set ("" for an
 * empty one, "!" for one that does not decode). */
static void make_key(const char *eku, char **key_pem, char **cert_pem)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC, (const unsigned char *)"t", -1, -1,
                               0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    X509_set_pubkey(cert, key);
    if (eku && !strcmp(eku, "!")) { /* an extended key usage extension that is not a SEQUENCE of OIDs */
        ASN1_OCTET_STRING *bad = ASN1_OCTET_STRING_new();
        assert_int_equal(ASN1_OCTET_STRING_set(bad, (const unsigned char *)"\x04\x01x", 3), 1);
        X509_EXTENSION *ext = X509_EXTENSION_create_by_NID(NULL, NID_ext_key_usage, 0, bad);
        assert_non_null(ext);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(bad);
    } else if (eku && !*eku) { /* an extended key usage extension listing nothing */
        EXTENDED_KEY_USAGE *none = sk_ASN1_OBJECT_new_null();
        assert_int_equal(X509_add1_ext_i2d(cert, NID_ext_key_usage, none, 0, X509V3_ADD_DEFAULT), 1);
        EXTENDED_KEY_USAGE_free(none);
    } else if (eku) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, eku);
        assert_non_null(ext);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL);
    PEM_write_bio_X509(cb, cert);
    char *p;
    long n = BIO_get_mem_data(kb, &p);
    *key_pem = strndup(p, (size_t)n);
    n = BIO_get_mem_data(cb, &p);
    *cert_pem = strndup(p, (size_t)n);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_key_usage(void **state)
{
    (void)state;
    static const struct {
        const char *eku;
        int want;
    } cases[] = {
        {NULL, DCC_OK},                                              /* no EKU: any type */
        {"", DCC_OK},                                                /* an empty EKU: any type (EU common CO15) */
        {"1.3.6.1.4.1.1847.2021.1.2", DCC_OK},                       /* vaccination */
        {"1.3.6.1.4.1.0.1847.2021.1.2", DCC_OK},                     /* the variant with ".0" */
        {"1.3.6.1.4.1.1847.2021.1.1", DCC_WRONG_KEY_USAGE},          /* test only */
        {"1.3.6.1.4.1.0.1847.2021.1.3", DCC_WRONG_KEY_USAGE},        /* recovery only, ".0" variant */
        {"1.3.6.1.4.1.1847.2021.1.1,1.3.6.1.4.1.1847.2021.1.3", DCC_WRONG_KEY_USAGE},
        {"clientAuth,1.3.6.1.4.1.1847.2021.1.1", DCC_WRONG_KEY_USAGE}, /* other purposes do not widen the DCC ones */
        {"clientAuth", DCC_OK},                                      /* none of the DCC OIDs: any type */
        {"1.3.6.1.4.1.1847.2021.1.4", DCC_OK},                       /* not a DCC type OID */
        {"anyExtendedKeyUsage", DCC_OK},
        {"!", DCC_WRONG_KEY_USAGE},                                  /* an unreadable EKU allows nothing */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *kp, *cp, err[160], *hc1;
        make_key(cases[i].eku, &kp, &cp);
        struct dcc_issuer *iss;
        struct dcc_trust *t;
        assert_int_equal(dcc_issuer_new(kp, cp, "VN", &iss, err, sizeof(err)), 0);
        assert_int_equal(dcc_trust_new(&t), 0);
        assert_int_equal(dcc_trust_add_text(t, NULL, 0, cp, err, sizeof(err)), 0); /* kid computed */
        assert_int_equal(dcc_issue(iss, payload, IAT, EXP, &hc1), 0);
        struct dcc_result r;
        assert_int_equal(dcc_verify(t, hc1, IAT, &r), cases[i].want);
        dcc_result_release(&r);
        free(hc1);
        dcc_trust_free(t);
        dcc_issuer_free(iss);
        /* a certificate that is not for the key is refused */
        char *kp2, *cp2;
        make_key(NULL, &kp2, &cp2);
        assert_int_equal(dcc_issuer_new(kp2, cp, "VN", &iss, err, sizeof(err)), -1);
        assert_null(iss);
        free(kp2);
        free(cp2);
        free(kp);
        free(cp);
    }
}

static void test_trust_loading(void **state)
{
    (void)state;
    char *kp, *cp, err[160];
    make_key(NULL, &kp, &cp);
    struct dcc_issuer *iss;
    assert_int_equal(dcc_issuer_new(kp, cp, "VN", &iss, err, sizeof(err)), 0);
    /* the public key alone, as base64 DER of the SubjectPublicKeyInfo, under the issuer's kid */
    BIO *b = BIO_new_mem_buf(kp, -1);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    unsigned char *der = NULL;
    int der_len = i2d_PUBKEY(key, &der);
    char *b64 = malloc((size_t)der_len * 2 + 4);
    EVP_EncodeBlock((unsigned char *)b64, der, der_len);
    json_t *obj = json_pack("{s:s}", dcc_issuer_kid_b64(iss), b64);
    struct dcc_trust *t;
    assert_int_equal(dcc_trust_new(&t), 0);
    assert_int_equal(dcc_trust_load_json(t, obj, err, sizeof(err)), 0);
    assert_int_equal(dcc_trust_count(t), 1);
    char *hc1;
    assert_int_equal(dcc_issue(iss, payload, IAT, EXP, &hc1), 0);
    struct dcc_result r;
    assert_int_equal(dcc_verify(t, hc1, IAT, &r), DCC_OK);
    dcc_result_release(&r);
    /* a file with the certificate PEM and the kid left for us to compute */
    char path[64];
    snprintf(path, sizeof(path), "/tmp/cordon-test-dcc-trust-%d.json", (int)getpid());
    json_t *file = json_pack("{s:s}", "", cp);
    json_dump_file(file, path, 0);
    struct dcc_trust *t2;
    assert_int_equal(dcc_trust_new(&t2), 0);
    assert_int_equal(dcc_trust_load_file(t2, path, err, sizeof(err)), 0);
    assert_int_equal(dcc_verify(t2, hc1, IAT, &r), DCC_OK);
    dcc_result_release(&r);
    unlink(path);
    /* bad entries are refused with a reason naming the kid */
    static const char *bad[] = {"{\"a2lk\": 5}", "{\"a2lk\": \"bm90IGEga2V5\"}", "{\"***\": \"MII=\"}", "[]",
                                "{\"a2lk\": \"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIA==\\n-----END PRIVATE KEY-----\\n\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_non_null(j);
        err[0] = '\0';
        assert_int_equal(dcc_trust_load_json(t2, j, err, sizeof(err)), -1);
        assert_true(err[0] != '\0');
        json_decref(j);
    }
    assert_int_equal(dcc_trust_load_file(t2, "/nonexistent/trust.json", err, sizeof(err)), -1);
    dcc_trust_free(t2);
    json_decref(file);
    free(hc1);
    json_decref(obj);
    free(b64);
    OPENSSL_free(der);
    EVP_PKEY_free(key);
    BIO_free(b);
    dcc_trust_free(t);
    dcc_issuer_free(iss);
    free(kp);
    free(cp);
}

static void test_key_kept_in_store(void **state)
{
    (void)state;
    /* A second connection gets the same key; the table holds one row. */
    char url[96], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", dbpath);
    struct store *s2;
    assert_int_equal(store_open(url, &s2, err, sizeof(err)), 0);
    struct dcc_issuer *again;
    assert_int_equal(dcc_issuer_load(s2, "VN", &again), 0);
    assert_string_equal(dcc_issuer_kid_b64(again), dcc_issuer_kid_b64(issuer));
    assert_string_equal(dcc_issuer_cert_pem(again), dcc_issuer_cert_pem(issuer));
    int64_t n = 0;
    assert_int_equal(store_int(s2, &n, "SELECT count(*) FROM dcc_keys", ""), 0);
    assert_int_equal(n, 1);
    /* the stored kid is the one the DCC rules define: SHA-256 of the certificate DER, 8 bytes */
    struct store_stmt *st;
    assert_int_equal(store_query(s2, &st, "SELECT kid, alg, country FROM dcc_keys", ""), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), dcc_issuer_kid_b64(issuer));
    assert_string_equal(store_col_text(st, 1), "ES256");
    assert_string_equal(store_col_text(st, 2), "VN");
    store_finalize(st);
    BIO *b = BIO_new_mem_buf(dcc_issuer_cert_pem(issuer), -1);
    X509 *cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
    unsigned char *der = NULL, h[32];
    int len = i2d_X509(cert, &der);
    unsigned hl;
    EVP_Digest(der, (size_t)len, h, &hl, EVP_sha256(), NULL);
    char b64[16];
    EVP_EncodeBlock((unsigned char *)b64, h, 8);
    assert_string_equal(b64, dcc_issuer_kid_b64(issuer));
    OPENSSL_free(der);
    X509_free(cert);
    BIO_free(b);
    dcc_issuer_free(again);
    store_close(s2);
}

static void test_ecdsa_formats(void **state)
{
    (void)state;
    /* coordinates with leading zero bytes survive both directions */
    uint8_t raw[64], back[64];
    memset(raw, 0, 32);
    raw[31] = 0x05;
    memset(raw + 32, 0xff, 32);
    raw[32] = 0x00;
    uint8_t der[COSE_ECDSA_DER_MAX];
    size_t der_len;
    assert_int_equal(cose_ecdsa_raw_to_der(raw, 64, der, &der_len), 0);
    assert_int_equal(cose_ecdsa_der_to_raw(der, der_len, back, 32), 0);
    assert_memory_equal(raw, back, 64);
    /* the same DER as OpenSSL writes */
    ECDSA_SIG *es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL));
    unsigned char *ossl = NULL;
    int ossl_len = i2d_ECDSA_SIG(es, &ossl);
    assert_int_equal((size_t)ossl_len, der_len);
    assert_memory_equal(ossl, der, der_len);
    OPENSSL_free(ossl);
    ECDSA_SIG_free(es);
    /* P-521 coordinates: the sequence length takes the long form */
    uint8_t raw521[132], back521[132];
    memset(raw521, 0xA5, sizeof(raw521));
    assert_int_equal(cose_ecdsa_raw_to_der(raw521, 132, der, &der_len), 0);
    assert_int_equal(der[1], 0x81);
    assert_int_equal(cose_ecdsa_der_to_raw(der, der_len, back521, 66), 0);
    assert_memory_equal(raw521, back521, 132);
    assert_int_equal(cose_ecdsa_raw_to_der(raw, 63, der, &der_len), -1);
    assert_int_equal(cose_ecdsa_raw_to_der(raw, 0, der, &der_len), -1);
    assert_int_equal(cose_ecdsa_raw_to_der(raw521, 134, der, &der_len), -1);
    assert_int_equal(cose_ecdsa_der_to_raw((const uint8_t *)"\x30\x00", 2, back, 32), -1);
}

/* Random mutations of a real certificate: never a crash, never OK unless unchanged. */
static void test_fuzz_verify(void **state)
{
    (void)state;
    char *hc1;
    assert_int_equal(dcc_issue(issuer, payload, IAT, EXP, &hc1), 0);
    size_t cose_len;
    uint8_t *cose = unwrap(hc1, &cose_len);
    uint8_t *m = malloc(cose_len);
    unsigned x = 99;
    for (int round = 0; round < 3000; round++) {
        memcpy(m, cose, cose_len);
        int changes = 1 + round % 4;
        bool changed = false;
        for (int k = 0; k < changes; k++) {
            x = x * 1103515245 + 12345;
            size_t at = (x >> 8) % cose_len;
            uint8_t v = (uint8_t)(x >> 20);
            changed |= m[at] != v;
            m[at] = v;
        }
        x = x * 1103515245 + 12345;
        size_t len = round % 3 == 0 ? cose_len - (x >> 16) % cose_len : cose_len;
        char *s = wrap(m, len, true);
        struct dcc_result r;
        int st = verify(s, IAT + 1, &r);
        if (changed || len != cose_len)
            assert_int_not_equal(st, DCC_OK);
        dcc_result_release(&r);
        free(s);
    }
    /* random text after the prefix */
    char text[200];
    memcpy(text, "HC1:", 4);
    for (int round = 0; round < 3000; round++) {
        size_t n = 4 + round % 190;
        for (size_t i = 4; i < n; i++) {
            x = x * 1103515245 + 12345;
            text[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[(x >> 16) % 45];
        }
        text[n] = '\0';
        struct dcc_result r;
        assert_int_not_equal(verify(text, IAT, &r), DCC_OK);
        dcc_result_release(&r);
    }
    free(m);
    free(cose);
    free(hc1);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    /* Signing keys are stored sealed under a key-encryption key (core/kek.h). */
    struct kek kek;
    if (kek_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &kek))
        return 1;
    kek_use(&kek);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_standard_zlib_stream),
        cmocka_unit_test(test_issue_rejects),
        cmocka_unit_test(test_issue_only_what_verifies),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_key_usage),
        cmocka_unit_test(test_trust_loading),
        cmocka_unit_test(test_key_kept_in_store),
        cmocka_unit_test(test_ecdsa_formats),
        cmocka_unit_test(test_fuzz_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
