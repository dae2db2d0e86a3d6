/*
 * Unit tests of en/: the specification's test vectors (RPIK, AEMK, 72 RPIs
 * and AEMs, metadata decrypted back), the reference export file (parsed,
 * signature verified, one flipped byte refused), export.bin and export.sig
 * written and read back through a signed zip, and matching with risk scores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "en/en.h"
#include "en/export.h"
#include "en/match.h"
#include "en/pb.h"

#define DATA CORDON_SOURCE_DIR "/tests/data/gaen/"

static const char tek_hex[] = "75c734c6dd1a782de7a965da5eb93125";

static void unhex(const char *h, uint8_t *out, size_t n)
{
    assert_int_equal(en_unhex(h, out, n), 0);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *p = malloc(1 << 20);
    *n = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

static void test_keys(void **state)
{
    (void)state;
    uint8_t tek[16], rpik[16], aemk[16];
    char hex[33];
    unhex(tek_hex, tek, 16);
    assert_int_equal(en_rpik(tek, rpik), 0);
    en_hex(rpik, 16, hex);
    assert_string_equal(hex, "185ad91db69ec7dd048960f1f3ba6175");
    assert_int_equal(en_aemk(tek, aemk), 0);
    en_hex(aemk, 16, hex);
    assert_string_equal(hex, "d57c46af7a1d83965b9bed8bd152936a");
    assert_int_equal(en_interval_number(1585785600), 2642976);
}

static void test_vectors(void **state)
{
    (void)state;
    uint8_t tek[16], rpik[16], aemk[16], rpis[EN_MAX_PERIOD][16], meta[4] = {0x40, 0x08, 0, 0};
    unhex(tek_hex, tek, 16);
    assert_int_equal(en_rpik(tek, rpik), 0);
    assert_int_equal(en_aemk(tek, aemk), 0);
    assert_int_equal(en_rpis(rpik, 2642976, 144, rpis), 0);
    FILE *f = fopen(DATA "vectors.txt", "r");
    assert_non_null(f);
    char line[256];
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned interval;
        char rpi_hex[40], aem_hex[16];
        if (line[0] == '#' || sscanf(line, "%u %39s %15s", &interval, rpi_hex, aem_hex) != 3)
            continue;
        unsigned i = interval - 2642976;
        char got[33];
        en_hex(rpis[i], 16, got);
        assert_string_equal(got, rpi_hex);
        uint8_t aem[4], back[4];
        assert_int_equal(en_aem(aemk, rpis[i], meta, 4, aem), 0);
        en_hex(aem, 4, got);
        assert_string_equal(got, aem_hex);
        /* decrypting the AEM gives the metadata back */
        assert_int_equal(en_aem(aemk, rpis[i], aem, 4, back), 0);
        assert_memory_equal(back, meta, 4);
        /* one interval at a time gives the same RPI as the batch */
        uint8_t one[1][16];
        assert_int_equal(en_rpis(rpik, interval, 1, one), 0);
        assert_memory_equal(one[0], rpis[i], 16);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 72);
    assert_int_equal(en_rpis(rpik, 0, 145, rpis), -1);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t b[2];
    assert_int_equal(en_unhex("0aFf", b, 2), 0);
    assert_int_equal(b[0], 0x0a);
    assert_int_equal(b[1], 0xff);
    assert_int_equal(en_unhex("0a", b, 2), -1);
    assert_int_equal(en_unhex("0g00", b, 2), -1);
}

static EVP_PKEY *reference_key(void)
{
    size_t n;
    uint8_t *pem = slurp(DATA "public.pem", &n);
    EVP_PKEY *k = en_key_from_pem((char *)pem, n, false);
    free(pem);
    assert_non_null(k);
    return k;
}

static void test_reference_export(void **state)
{
    (void)state;
    uint8_t *bin, *sig;
    size_t binlen, siglen;
    char err[256] = "";
    assert_int_equal(en_zip_read(DATA "testExport-2-records-1-of-1.zip", &bin, &binlen, &sig, &siglen, err,
                                 sizeof err),
                     0);
    assert_int_equal(binlen, 135);
    assert_int_equal(siglen, 115);
    size_t n;
    uint8_t *loose = slurp(DATA "export.bin", &n);
    assert_int_equal(n, binlen);
    assert_memory_equal(loose, bin, n);
    free(loose);

    struct en_export e;
    assert_int_equal(en_export_decode(bin, binlen, &e, err, sizeof err), 0);
    assert_int_equal(e.start_timestamp, 1590159600);
    assert_int_equal(e.end_timestamp, 1590246000);
    assert_string_equal(e.region, "US");
    assert_int_equal(e.batch_num, 1);
    assert_int_equal(e.batch_size, 1);
    assert_true(e.has_info);
    assert_string_equal(e.info.key_version, "1");
    assert_string_equal(e.info.key_id, "some_id");
    assert_string_equal(e.info.algorithm, EN_SIG_ALGORITHM);
    assert_int_equal(e.nkeys, 2);
    assert_int_equal(e.nrevised, 0);
    uint8_t k0[16];
    unhex("172fc480e598490c34177604339b1543", k0, 16);
    assert_memory_equal(e.keys[0].key_data, k0, 16);
    assert_int_equal(e.keys[0].transmission_risk_level, 8);
    assert_int_equal(e.keys[0].rolling_start_interval_number, 2649980);
    assert_int_equal(e.keys[0].rolling_period, 1);
    assert_false(e.keys[0].has_report_type);
    assert_int_equal(e.keys[1].rolling_start_interval_number, 2649866);
    assert_int_equal(e.keys[1].rolling_period, 114);

    /* re-encoding the parsed export gives the same bytes */
    struct buf again;
    buf_init(&again, 1 << 20);
    assert_int_equal(en_export_encode(&e, &again), 0);
    assert_int_equal(again.len, binlen);
    assert_memory_equal(again.data, bin, binlen);
    buf_release(&again);

    struct en_tek_signature ts;
    assert_int_equal(en_sig_decode(sig, siglen, &ts, err, sizeof err), 0);
    assert_int_equal(ts.batch_num, 1);
    assert_int_equal(ts.batch_size, 1);
    assert_string_equal(ts.info.key_id, "some_id");
    char sighex[160];
    en_hex(ts.sig, ts.siglen, sighex);
    assert_string_equal(sighex, "30460221009eb6e9d5ad6a688fa970b0e67c0886345eefdd1819592edd84604a1ccf4d0247022100906d7fcdf"
                                "211c710f84a2a7917000573bef0ef27a4974129de2876ac6819f66a");
    EVP_PKEY *pub = reference_key();
    assert_int_equal(en_verify(pub, bin, binlen, ts.sig, ts.siglen), 0);
    /* flipping any byte of export.bin breaks the signature */
    for (size_t i = 0; i < binlen; i++) {
        bin[i] ^= 0x01;
        assert_int_equal(en_verify(pub, bin, binlen, ts.sig, ts.siglen), -1);
        bin[i] ^= 0x01;
    }
    EVP_PKEY_free(pub);
    en_export_free(&e);
    free(bin);
    free(sig);
}

static void test_malformed(void **state)
{
    (void)state;
    struct en_export e;
    char err[256];
    assert_int_equal(en_export_decode((const uint8_t *)"EK Export v2    ", 16, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "header"));
    /* a key whose length runs past the end */
    static const uint8_t cut[] = "EK Export v1    \x3a\x20\x0a\x10";
    assert_int_equal(en_export_decode(cut, sizeof cut - 1, &e, err, sizeof err), -1);
    /* a key with 15 bytes of key data */
    static const uint8_t short_key[] = "EK Export v1    \x3a\x11\x0a\x0f"
                                       "0123456789abcde";
    assert_int_equal(en_export_decode(short_key, sizeof short_key - 1, &e, err, sizeof err), -1);
    struct en_tek_signature ts;
    assert_int_equal(en_sig_decode((const uint8_t *)"", 0, &ts, err, sizeof err), -1);
    char path[] = "/tmp/cordon-en-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not a zip", 9), 9);
    close(fd);
    uint8_t *bin, *sig;
    size_t bl, sl;
    assert_int_equal(en_zip_read(path, &bin, &bl, &sig, &sl, err, sizeof err), -1);
    unlink(path);
}

static void test_pb_negative(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(pb_put_sint32(&b, 6, -3), 0);
    assert_int_equal(pb_put_int32(&b, 2, -1), 0);
    assert_int_equal(b.len, 2 + 11);
    struct pb_reader r = {(const uint8_t *)b.data, (const uint8_t *)b.data + b.len};
    struct pb_field f;
    assert_int_equal(pb_next(&r, &f), 1);
    assert_int_equal(pb_zigzag32(f.value), -3);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_int_equal((int32_t)f.value, -1);
    assert_int_equal(pb_next(&r, &f), 0);
    buf_release(&b);
}

static EVP_PKEY *new_p256(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    return k;
}

static void test_sign_round_trip(void **state)
{
    (void)state;
    struct en_key keys[3];
    memset(keys, 0, sizeof keys);
    for (int i = 0; i < 3; i++) {
        memset(keys[i].key_data, 0x10 + i, 16);
        keys[i].rolling_start_interval_number = 2650000 + 144 * i;
        keys[i].rolling_period = 144;
        keys[i].has_report_type = true;
        keys[i].report_type = EN_REPORT_CONFIRMED_TEST;
        keys[i].has_days_since_onset = true;
        keys[i].days_since_onset = i - 1;
        keys[i].has_transmission_risk = i == 2;
        keys[i].transmission_risk_level = 4;
    }
    struct en_export e = {.start_timestamp = 1590000000, .end_timestamp = 1590003600, .region = "452",
                          .batch_num = 1, .batch_size = 1, .has_info = true, .keys = keys, .nkeys = 3};
    snprintf(e.info.key_version, sizeof e.info.key_version, "v1");
    snprintf(e.info.key_id, sizeof e.info.key_id, "452");
    snprintf(e.info.algorithm, sizeof e.info.algorithm, EN_SIG_ALGORITHM);
    struct buf bin, sig, sigfile;
    buf_init(&bin, 1 << 20);
    buf_init(&sig, 1024);
    buf_init(&sigfile, 4096);
    EVP_PKEY *priv = new_p256();
    assert_int_equal(en_export_encode(&e, &bin), 0);
    assert_int_equal(en_sign(priv, (uint8_t *)bin.data, bin.len, &sig), 0);
    assert_int_equal(en_sig_encode(&e.info, 1, 1, (uint8_t *)sig.data, sig.len, &sigfile), 0);
    char path[] = "/tmp/cordon-en-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(en_zip_write(path, (uint8_t *)bin.data, bin.len, (uint8_t *)sigfile.data, sigfile.len), 0);

    uint8_t *rbin, *rsig;
    size_t rbl, rsl;
    char err[256];
    assert_int_equal(en_zip_read(path, &rbin, &rbl, &rsig, &rsl, err, sizeof err), 0);
    unlink(path);
    struct en_export back;
    assert_int_equal(en_export_decode(rbin, rbl, &back, err, sizeof err), 0);
    assert_int_equal(back.nkeys, 3);
    for (int i = 0; i < 3; i++) {
        assert_memory_equal(back.keys[i].key_data, keys[i].key_data, 16);
        assert_int_equal(back.keys[i].days_since_onset, i - 1);
        assert_true(back.keys[i].has_days_since_onset);
        assert_int_equal(back.keys[i].report_type, EN_REPORT_CONFIRMED_TEST);
        assert_int_equal(back.keys[i].has_transmission_risk, i == 2);
    }
    assert_string_equal(back.region, "452");
    struct en_tek_signature ts;
    assert_int_equal(en_sig_decode(rsig, rsl, &ts, err, sizeof err), 0);
    assert_string_equal(ts.info.key_version, "v1");
    assert_int_equal(en_verify(priv, rbin, rbl, ts.sig, ts.siglen), 0);
    EVP_PKEY *other = new_p256();
    assert_int_equal(en_verify(other, rbin, rbl, ts.sig, ts.siglen), -1);
    EVP_PKEY_free(other);
    EVP_PKEY_free(priv);
    en_export_free(&back);
    free(rbin);
    free(rsig);
    buf_release(&bin);
    buf_release(&sig);
    buf_release(&sigfile);
}

/* A phone that saw key 0 for 20 minutes close by, key 1 far away, and never key 2. */
static void test_match_and_score(void **state)
{
    (void)state;
    struct en_key keys[3];
    memset(keys, 0, sizeof keys);
    uint32_t day = 2650032; /* a UTC midnight: 2650032 * 600 % 86400 == 0 */
    for (int i = 0; i < 3; i++) {
        memset(keys[i].key_data, 0xa0 + i, 16);
        keys[i].rolling_start_interval_number = (int32_t)day;
        keys[i].rolling_period = 144;
    }
    keys[1].has_report_type = true;
    keys[1].report_type = EN_REPORT_SELF_REPORT;
    struct en_observation obs[64];
    size_t n = 0;
    uint8_t rpik[16], rpis[EN_MAX_PERIOD][16];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(en_rpik(keys[k].key_data, rpik), 0);
        assert_int_equal(en_rpis(rpik, day, 144, rpis), 0);
        for (int j = 60; j < 62; j++)
            for (int s = 0; s < 2; s++) /* two scans of each RPI, five minutes apart */
                obs[n++] = (struct en_observation){.time = (int64_t)(day + j) * 600 + 300 * s,
                                                   .attenuation = k ? 80 : 60, .seconds = 300};
        for (size_t i = n - 4; i < n; i++)
            memcpy(obs[i].rpi, rpis[60 + (int)(i - (n - 4)) / 2], 16);
    }
    /* an RPI of key 0 seen a day late: outside the two-hour tolerance */
    assert_int_equal(en_rpik(keys[0].key_data, rpik), 0);
    assert_int_equal(en_rpis(rpik, day, 144, rpis), 0);
    obs[n] = (struct en_observation){.time = (int64_t)(day + 144 + 60) * 600, .attenuation = 40, .seconds = 300};
    memcpy(obs[n++].rpi, rpis[10], 16);
    /* noise */
    for (int i = 0; i < 20; i++) {
        obs[n] = (struct en_observation){.time = (int64_t)(day + 60) * 600, .attenuation = 40, .seconds = 300};
        memset(obs[n].rpi, i, 16);
        n++;
    }
    struct en_matcher *m = en_matcher_new(obs, n);
    assert_non_null(m);
    struct en_hit *hits = NULL;
    size_t nhits = 0;
    assert_int_equal(en_match(m, keys, 3, &hits, &nhits), 0);
    assert_int_equal(nhits, 8);
    struct en_risk_config c;
    en_risk_defaults(&c);
    struct en_window *w;
    size_t nw;
    assert_int_equal(en_windows(&c, keys, obs, hits, nhits, &w, &nw), 0);
    assert_int_equal(nw, 2);
    assert_int_equal(w[0].key, 0);
    assert_int_equal(w[0].scans, 4);
    assert_int_equal(w[0].min_attenuation, 60);
    /* 4 scans x 300 s x near (1.0) x confirmed test (1.0) x standard infectiousness (1.0) */
    assert_true(w[0].score > 1199.9 && w[0].score < 1200.1);
    assert_int_equal(w[0].day, (int64_t)day * 600);
    /* key 1: attenuation 80 is in the "other" bucket, weight 0 */
    assert_int_equal(w[1].key, 1);
    assert_int_equal(w[1].report_type, EN_REPORT_SELF_REPORT);
    assert_true(w[1].score < 0.001);
    int64_t d;
    double best = en_max_daily_score(w, nw, &d);
    assert_true(best >= c.daily_threshold);
    assert_int_equal(d, (int64_t)day * 600);
    /* days since onset weigh: day +2 is highly infectious, +12 not at all */
    keys[0].has_days_since_onset = true;
    keys[0].days_since_onset = 2;
    free(w);
    assert_int_equal(en_windows(&c, keys, obs, hits, nhits, &w, &nw), 0);
    assert_true(w[0].score > 1799.9 && w[0].score < 1800.1);
    free(w);
    keys[0].days_since_onset = 12;
    assert_int_equal(en_windows(&c, keys, obs, hits, nhits, &w, &nw), 0);
    assert_true(w[0].score < 0.001);
    free(w);
    free(hits);
    en_matcher_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_hex),         cmocka_unit_test(test_reference_export),
        cmocka_unit_test(test_malformed),   cmocka_unit_test(test_pb_negative),
        cmocka_unit_test(test_sign_round_trip), cmocka_unit_test(test_match_and_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
