/*
 * Unit tests of qr/: signing and verifying payloads on a migrated SQLite
 * database, tampering, unknown keys, malformed input, venue signatures,
 * offline verification with a public key, key creation (once, race-safe,
 * never cached from a rolled-back transaction) and public codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/kek.h"
#include "qr/qr.h"
#include "store/migrate.h"
#include "store/store.h"

static char path[64], url[96];
static int dbno;

static void unlink_db(void)
{
    char p[128];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

/* Each test gets a fresh database and an empty key cache. */
static int setup(void **state)
{
    snprintf(path, sizeof(path), "/tmp/cordon-test-qr-%d-%d.db", (int)getpid(), dbno++);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    unlink_db();
    char err[256];
    struct store *s;
    if (store_open(url, &s, err, sizeof(err)) || migrate_apply(s, NULL))
        return -1;
    qr_keys_forget();
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    qr_keys_forget();
    unlink_db();
    return 0;
}

static int64_t key_rows(struct store *s)
{
    int64_t n = -1;
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM signing_keys", ""), STORE_OK);
    return n;
}

static void sign_person(struct store *s, const char *code, const char *serial, char out[QR_PAYLOAD_MAX])
{
    const char *f[] = {code, serial};
    assert_int_equal(qr_sign(s, 'P', f, 2, out), 0);
}

static void round_trip(void **state)
{
    struct store *s = *state;
    assert_int_equal(key_rows(s), 0);
    char p[QR_PAYLOAD_MAX];
    sign_person(s, "K7M2QX9A4T", "3", p);
    assert_int_equal(key_rows(s), 1); /* the first signature made the key */
    assert_int_equal(strncmp(p, "CDN1.P.K7M2QX9A4T.3.k1.", 23), 0);
    assert_int_equal(strlen(p), 23 + QR_SIG_LEN);

    struct qr_parsed q;
    assert_int_equal(qr_verify(s, p, &q), QR_VALID);
    assert_int_equal(q.type, 'P');
    assert_int_equal(q.nfields, 2);
    assert_string_equal(q.fields[0], "K7M2QX9A4T");
    assert_string_equal(q.fields[1], "3");
    assert_string_equal(q.kid, "k1");

    /* Later signatures reuse the key, also after the cache is dropped. */
    char p2[QR_PAYLOAD_MAX], p3[QR_PAYLOAD_MAX];
    const char *d[] = {"TK-20261122-7Q4M2X"};
    assert_int_equal(qr_sign(s, 'D', d, 1, p2), 0);
    qr_keys_forget();
    sign_person(s, "K7M2QX9A4T", "4", p3);
    assert_int_equal(key_rows(s), 1);
    assert_int_equal(qr_verify(s, p2, &q), QR_VALID);
    assert_int_equal(q.type, 'D');
    assert_string_equal(q.fields[0], "TK-20261122-7Q4M2X");
    assert_int_equal(qr_verify(s, p3, &q), QR_VALID);
    assert_int_equal(qr_verify(s, p, &q), QR_VALID);
    /* Ed25519 is deterministic: the same message gives the same payload. */
    char again[QR_PAYLOAD_MAX];
    sign_person(s, "K7M2QX9A4T", "3", again);
    assert_string_equal(again, p);
    assert_string_equal(qr_status_name(QR_VALID), "valid");
    assert_string_equal(qr_status_name(QR_BAD_SIGNATURE), "bad_signature");
}

static void tampered(void **state)
{
    struct store *s = *state;
    char p[QR_PAYLOAD_MAX], t[QR_PAYLOAD_MAX];
    struct qr_parsed q;
    sign_person(s, "K7M2QX9A4T", "3", p);

    strcpy(t, p);
    t[7] = 'X'; /* the code */
    assert_int_equal(qr_verify(s, t, &q), QR_BAD_SIGNATURE);
    strcpy(t, p);
    t[18] = '4'; /* the serial */
    assert_int_equal(qr_verify(s, t, &q), QR_BAD_SIGNATURE);
    strcpy(t, p);
    t[5] = 'D'; /* the type, with one field too many for it */
    assert_int_equal(qr_verify(s, t, &q), QR_BAD_FORMAT);
    strcpy(t, p);
    char *sig = strrchr(t, '.') + 1;
    sig[10] = sig[10] == 'A' ? 'B' : 'A'; /* one signature character */
    assert_int_equal(qr_verify(s, t, &q), QR_BAD_SIGNATURE);

    /* A signature from another payload does not carry over. */
    char other[QR_PAYLOAD_MAX];
    sign_person(s, "K7M2QX9A4T", "4", other);
    strcpy(t, other);
    strcpy(strrchr(t, '.') + 1, strrchr(p, '.') + 1);
    assert_int_equal(qr_verify(s, t, &q), QR_BAD_SIGNATURE);
}

static void unknown_kid(void **state)
{
    struct store *s = *state;
    char p[QR_PAYLOAD_MAX], t[QR_PAYLOAD_MAX];
    struct qr_parsed q;
    sign_person(s, "K7M2QX9A4T", "3", p);
    strcpy(t, p);
    char *k = strstr(t, ".k1.");
    k[2] = '9';
    assert_int_equal(qr_verify(s, t, &q), QR_UNKNOWN_KEY);
    assert_string_equal(q.kid, "k9");
    assert_string_equal(qr_status_name(QR_UNKNOWN_KEY), "unknown_key");

    /* A payload of another database's key: same kid, different key. */
    char other_path[96], other_url[128], err[256];
    snprintf(other_path, sizeof(other_path), "%s-other", path);
    snprintf(other_url, sizeof(other_url), "sqlite:%s", other_path);
    unlink(other_path);
    struct store *o;
    assert_int_equal(store_open(other_url, &o, err, sizeof(err)), STORE_OK);
    assert_int_equal(migrate_apply(o, NULL), STORE_OK);
    qr_keys_forget();
    char foreign[QR_PAYLOAD_MAX];
    sign_person(o, "K7M2QX9A4T", "3", foreign);
    store_close(o);
    unlink(other_path);
    qr_keys_forget();
    assert_int_equal(qr_verify(s, foreign, &q), QR_BAD_SIGNATURE);
    assert_int_equal(qr_verify(s, p, &q), QR_VALID);
}

static void bad_formats(void **state)
{
    struct store *s = *state;
    char p[QR_PAYLOAD_MAX];
    sign_person(s, "K7M2QX9A4T", "3", p);
    const char *sig = strrchr(p, '.') + 1;
    char buf[600];
    const char *cases[] = {
        "",
        "CDN1",
        "CDN1.",
        "CDN1.P",
        "CDN1.P.K7M2QX9A4T.3.k1",
        "hello world",
        "https://example.org/",
        "CDN1.P.K7M2QX9A4T.3.k1.",
        "CDN1.P.K7M2QX9A4T.3.k1.!!!!",
        "CDN1.P..3.k1.x",
        "CDN1.X.A.k1.x",
        "CDN1.PP.A.3.k1.x",
        "CDN1.P.K7M2QX9A4T.k1.x",
        "CDN1.D.A.B.k1.x",
        "CDN1.V..k1.x",
    };
    struct qr_parsed q;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(qr_verify(s, cases[i], &q), QR_BAD_FORMAT);
        assert_int_equal(q.type, 0);
    }
    assert_int_equal(qr_verify(s, NULL, &q), QR_BAD_FORMAT);
    /* Right shape, wrong pieces. */
    const char *templ[] = {
        "CDN2.P.K7M2QX9A4T.3.k1.%s",       /* version */
        "cdn1.P.K7M2QX9A4T.3.k1.%s",       /* prefix case */
        "CDN1.P.K7M2QX9A4T.3x.k1.%s",      /* serial not a number */
        "CDN1.P.K7M2QX9A4T.3.k1.%s.extra", /* a part too many */
        "CDN1.P.K7M2QX9A4T.3.k1.%.85s",    /* signature one short */
        "CDN1.P.K7M2QX9A4T.3.k1.%sA",      /* one long */
        "CDN1.P.K7M2QX9A4T.3.kid-far-too-long.%s",
        "CDN1.P.K7M2 QX9A4T.3.k1.%s",  /* a space */
        "CDN1.P.Khôi.3.k1.%s",         /* not ASCII */
        "CDN1.P.K7M2QX9A4T.3.k1.%s\n", /* trailing newline */
    };
    for (size_t i = 0; i < sizeof(templ) / sizeof(templ[0]); i++) {
        snprintf(buf, sizeof(buf), templ[i], sig);
        assert_int_equal(qr_verify(s, buf, &q), QR_BAD_FORMAT);
    }
    /* Non-canonical base64url (trailing bits set) is refused, so one signature has one spelling. */
    snprintf(buf, sizeof(buf), "%s", p);
    char *last = buf + strlen(buf) - 1;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int idx = (int)(strchr(alphabet, *last) - alphabet);
    *last = alphabet[idx ^ 1]; /* flips a bit beyond the 512 of the signature */
    assert_int_equal(qr_verify(s, buf, &q), QR_BAD_FORMAT);
    /* Too long. */
    memset(buf, 'A', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    memcpy(buf, "CDN1.D.", 7);
    assert_int_equal(qr_verify(s, buf, &q), QR_BAD_FORMAT);
    assert_string_equal(qr_status_name(QR_BAD_FORMAT), "bad_format");

    /* Signing refuses what verification would refuse. */
    char out[QR_PAYLOAD_MAX];
    const char *one[] = {"A"}, *dot[] = {"A.B", "1"}, *empty[] = {"", "1"}, *sp[] = {"A B"};
    char longf[80];
    memset(longf, 'A', sizeof(longf) - 1);
    longf[sizeof(longf) - 1] = '\0';
    const char *lng[] = {longf};
    assert_int_equal(qr_sign(s, 'P', one, 1, out), ERR_INVALID_FIELD);
    assert_int_equal(qr_sign(s, 'X', one, 1, out), ERR_INVALID_FIELD);
    assert_int_equal(qr_sign(s, 'P', dot, 2, out), ERR_INVALID_FIELD);
    assert_int_equal(qr_sign(s, 'P', empty, 2, out), ERR_INVALID_FIELD);
    assert_int_equal(qr_sign(s, 'D', sp, 1, out), ERR_INVALID_FIELD);
    assert_int_equal(qr_sign(s, 'D', lng, 1, out), ERR_INVALID_FIELD);
    assert_string_equal(out, "");
}

static void venue(void **state)
{
    struct store *s = *state;
    char kid[16], sig[96];
    assert_int_equal(qr_sign_venue(s, "Q7M2XK4T", kid, sig), 0);
    assert_string_equal(kid, "k1");
    assert_int_equal(strlen(sig), QR_SIG_LEN);
    assert_int_equal(qr_verify_venue(s, "Q7M2XK4T", kid, sig), QR_VALID);
    assert_int_equal(qr_verify_venue(s, "Q7M2XK4U", kid, sig), QR_BAD_SIGNATURE);
    assert_int_equal(qr_verify_venue(s, "Q7M2XK4T", "k2", sig), QR_UNKNOWN_KEY);
    assert_int_equal(qr_verify_venue(s, "Q7M2XK4T", kid, "abc"), QR_BAD_FORMAT);
    assert_int_equal(qr_verify_venue(s, "Q7M2XK4T", kid, ""), QR_BAD_FORMAT);
    assert_int_equal(qr_verify_venue(s, "Q7M2.XK4T", kid, sig), QR_BAD_FORMAT);
    assert_int_equal(qr_verify_venue(s, NULL, kid, sig), QR_BAD_FORMAT);
    assert_int_equal(qr_sign_venue(s, "bad code", kid, sig), ERR_INVALID_FIELD);

    /* The same signature as a CDN1.V payload (what the poster URL stands for). */
    char p[QR_PAYLOAD_MAX];
    assert_int_equal(qr_sign_venue(s, "Q7M2XK4T", kid, sig), 0);
    snprintf(p, sizeof(p), "CDN1.V.Q7M2XK4T.%s.%s", kid, sig);
    struct qr_parsed q;
    assert_int_equal(qr_verify(s, p, &q), QR_VALID);
    assert_int_equal(q.type, 'V');
    assert_string_equal(q.fields[0], "Q7M2XK4T");
    const char *f[] = {"Q7M2XK4T"};
    char signed_v[QR_PAYLOAD_MAX];
    assert_int_equal(qr_sign(s, 'V', f, 1, signed_v), 0);
    assert_string_equal(signed_v, p);
}

static void with_key(void **state)
{
    struct store *s = *state;
    char p[QR_PAYLOAD_MAX];
    sign_person(s, "K7M2QX9A4T", "3", p);
    struct arena a;
    arena_init(&a);
    struct qr_key *keys;
    int n;
    assert_int_equal(qr_keys_list(s, &a, &keys, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0].kid, "k1");
    assert_string_equal(keys[0].alg, "Ed25519");
    assert_int_equal(strlen(keys[0].public_key), QR_PUBLIC_KEY_LEN);
    assert_true(keys[0].created_at > 1600000000);
    unsigned char pk[32], other_pk[32], other_sk[64];
    assert_int_equal(qr_public_key_decode(keys[0].public_key, pk), 0);
    arena_release(&a);

    struct qr_parsed q;
    assert_int_equal(qr_verify_with_key(pk, p, &q), QR_VALID);
    assert_string_equal(q.fields[0], "K7M2QX9A4T");
    char t[QR_PAYLOAD_MAX];
    strcpy(t, p);
    t[18] = '9';
    assert_int_equal(qr_verify_with_key(pk, t, &q), QR_BAD_SIGNATURE);
    assert_int_equal(qr_verify_with_key(pk, "CDN1.nope", &q), QR_BAD_FORMAT);
    crypto_sign_keypair(other_pk, other_sk);
    assert_int_equal(qr_verify_with_key(other_pk, p, &q), QR_BAD_SIGNATURE);
    assert_int_equal(qr_public_key_decode("short", pk), -1);
    assert_int_equal(qr_public_key_decode("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", pk), -1);

    /* A fresh database lists its key before anything was signed. */
    qr_keys_forget();
    assert_int_equal(store_exec(s, "DELETE FROM signing_keys"), STORE_OK);
    arena_init(&a);
    assert_int_equal(qr_keys_list(s, &a, &keys, &n), 0);
    assert_int_equal(n, 1);
    arena_release(&a);
}

/* A key made inside a transaction that rolls back is never used afterwards. */
static void rollback_key(void **state)
{
    struct store *s = *state;
    char lost[QR_PAYLOAD_MAX], kept[QR_PAYLOAD_MAX];
    assert_int_equal(store_begin(s, true), STORE_OK);
    sign_person(s, "K7M2QX9A4T", "1", lost);
    assert_int_equal(store_rollback(s), STORE_OK);
    assert_int_equal(key_rows(s), 0);
    sign_person(s, "K7M2QX9A4T", "1", kept);
    assert_int_equal(key_rows(s), 1);
    struct qr_parsed q;
    assert_int_equal(qr_verify(s, kept, &q), QR_VALID);
    assert_int_equal(qr_verify(s, lost, &q), QR_BAD_SIGNATURE);
    assert_string_not_equal(lost, kept);
}

#define RACERS 6

struct racer {
    char payload[QR_PAYLOAD_MAX];
    int rc;
};

static void *race(void *p)
{
    struct racer *r = p;
    struct store *s;
    char err[256];
    r->rc = store_open(url, &s, err, sizeof(err));
    if (r->rc)
        return NULL;
    const char *f[] = {"RACE000001", "1"};
    r->rc = qr_sign(s, 'P', f, 2, r->payload);
    store_close(s);
    return NULL;
}

/* Threads with their own connections make the first key at once: one key wins for all. */
static void racing_first_key(void **state)
{
    struct store *s = *state;
    pthread_t t[RACERS];
    struct racer r[RACERS];
    memset(r, 0, sizeof(r));
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    for (int i = 0; i < RACERS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(key_rows(s), 1);
    qr_keys_forget();
    struct qr_parsed q;
    for (int i = 0; i < RACERS; i++) {
        assert_int_equal(r[i].rc, 0);
        assert_int_equal(qr_verify(s, r[i].payload, &q), QR_VALID);
        assert_string_equal(r[i].payload, r[0].payload);
    }
}

static void codes(void **state)
{
    (void)state;
    char a[11], b[11], big[200];
    qr_code_generate(a, 10);
    qr_code_generate(b, 10);
    assert_int_equal(strlen(a), 10);
    assert_string_not_equal(a, b);
    qr_code_generate(big, 150);
    assert_int_equal(strlen(big), 150);
    int seen[256] = {0};
    for (int round = 0; round < 50; round++) {
        qr_code_generate(big, 150);
        for (int i = 0; i < 150; i++)
            seen[(unsigned char)big[i]]++;
    }
    const char *alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    int distinct = 0;
    for (int c = 0; c < 256; c++) {
        if (!seen[c])
            continue;
        assert_non_null(strchr(alphabet, c));
        distinct++;
    }
    assert_int_equal(distinct, 32); /* 7500 draws: every symbol shows up */
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
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_kid, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(venue, setup, teardown),
        cmocka_unit_test_setup_teardown(with_key, setup, teardown),
        cmocka_unit_test_setup_teardown(rollback_key, setup, teardown),
        cmocka_unit_test_setup_teardown(racing_first_key, setup, teardown),
        cmocka_unit_test(codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
