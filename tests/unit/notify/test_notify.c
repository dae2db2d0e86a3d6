/*
 * Unit tests of core/kek and notify/: sealing and opening under a
 * key-encryption key, key files, and the outbox keeping a code masked,
 * rendering it for a sender only under the right key, and forgetting old
 * messages (outbox_retention).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/kek.h"
#include "notify/notify.h"
#include "store/migrate.h"
#include "store/store.h"

static const char hex1[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char hex2[] = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
static char path[64];

static void unlink_db(void)
{
    char p[128];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static int setup(void **state)
{
    char url[96], err[256];
    snprintf(path, sizeof(path), "/tmp/cordon-test-notify-%d.db", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", path);
    unlink_db();
    struct store *s;
    struct kek k;
    if (store_open(url, &s, err, sizeof(err)) || migrate_apply(s, NULL) || kek_from_hex(hex1, &k))
        return -1;
    kek_use(&k);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    unlink_db();
    return 0;
}

static void seal_open(void **state)
{
    (void)state;
    struct kek a, b;
    assert_int_equal(kek_from_hex(hex1, &a), 0);
    assert_int_equal(kek_from_hex(hex2, &b), 0);
    assert_int_equal(strlen(a.id), KEK_ID_LEN);
    assert_string_not_equal(a.id, b.id);
    assert_int_equal(kek_from_hex("abc", &b), -1);
    assert_int_equal(kek_from_hex(hex2, &b), 0);

    char *sealed = kek_seal(&a, "secret text", 11), *again = kek_seal(&a, "secret text", 11);
    assert_non_null(sealed);
    assert_null(strstr(sealed, "secret"));
    assert_string_not_equal(sealed, again); /* a fresh nonce each time */
    size_t len = 0;
    char *plain = kek_open(&a, sealed, &len);
    assert_non_null(plain);
    assert_int_equal(len, 11);
    assert_string_equal(plain, "secret text");
    kek_free(plain, len);
    assert_null(kek_open(&b, sealed, &len));
    sealed[5] = sealed[5] == 'A' ? 'B' : 'A';
    assert_null(kek_open(&a, sealed, &len));
    assert_null(kek_open(&a, "not base64!", &len));
    free(sealed);
    free(again);
}

static void key_files(void **state)
{
    (void)state;
    char f[64], err[256];
    struct kek k, want;
    snprintf(f, sizeof(f), "/tmp/cordon-test-kek-%d", (int)getpid());
    FILE *fp = fopen(f, "w");
    fprintf(fp, "%s\n", hex1);
    fclose(fp);
    assert_int_equal(kek_read_file(f, &k, err, sizeof(err)), 0);
    kek_from_hex(hex1, &want);
    assert_string_equal(k.id, want.id);
    fp = fopen(f, "wb");
    fwrite(want.key, 1, KEK_BYTES, fp); /* the same key as 32 raw bytes */
    fclose(fp);
    assert_int_equal(kek_read_file(f, &k, err, sizeof(err)), 0);
    assert_string_equal(k.id, want.id);
    fp = fopen(f, "w");
    fputs("too short\n", fp);
    fclose(fp);
    assert_int_equal(kek_read_file(f, &k, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "64 hex characters or 32 bytes"));
    unlink(f);
    assert_int_equal(kek_read_file(f, &k, err, sizeof(err)), -1);
}

static void outbox_masked(void **state)
{
    struct store *s = *state;
    int64_t id = 0, now = clock_now();
    assert_int_equal(notify_queue_secret(s, "sms", "0912345678", "otp", "Ma: " NOTIFY_MASK ". Het.", "123456",
                                         now + 300, &id),
                     0);
    struct store_stmt *st;
    assert_int_equal(store_query(s, &st, "SELECT body, secret FROM outbox WHERE id = ?", "i", id), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "Ma: ******. Het.");
    assert_null(strstr(store_col_text(st, 1), "123456"));
    store_finalize(st);

    char *text;
    assert_int_equal(notify_render(s, id, &text), 0);
    assert_string_equal(text, "Ma: 123456. Het.");
    notify_text_free(text);
    assert_int_equal(notify_render(s, id + 1000, &text), STORE_DONE);

    /* Under another KEK the code does not open. */
    struct kek other, mine;
    kek_from_hex(hex2, &other);
    kek_from_hex(hex1, &mine);
    kek_use(&other);
    assert_int_equal(notify_render(s, id, &text), STORE_ERROR);
    assert_null(text);
    kek_use(&mine);

    /* A message without a secret renders as stored. */
    int64_t plain_id;
    assert_int_equal(notify_queue(s, "sms", "0912345678", "result", "Cordon: ok", &plain_id), 0);
    assert_int_equal(notify_render(s, plain_id, &text), 0);
    assert_string_equal(text, "Cordon: ok");
    notify_text_free(text);
}

static void retention(void **state)
{
    struct store *s = *state;
    int64_t code, sent_old, sent_new, pending, n, now = clock_now();
    const char *detail;
    notify_configure(false, 7);
    assert_int_equal(notify_queue_secret(s, "sms", "0912345678", "otp", NOTIFY_MASK, "654321", now + 300, &code), 0);
    assert_int_equal(notify_queue(s, "sms", "0912345678", "result", "old", &sent_old), 0);
    assert_int_equal(notify_queue_secret(s, "sms", "0912345678", "otp", NOTIFY_MASK, "111111", now + 300, &sent_new),
                     0);
    assert_int_equal(notify_queue(s, "sms", "0912345678", "result", "pending", &pending), 0);
    assert_int_equal(store_run(s, NULL, "UPDATE outbox SET sent_at = ? WHERE id = ?", "ii", now - 8 * 86400, sent_old),
                     0);
    assert_int_equal(store_run(s, NULL, "UPDATE outbox SET sent_at = ? WHERE id = ?", "ii", now - 60, sent_new), 0);

    assert_int_equal(notify_job_retention(s, now, &detail), 0);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE id = ?", "i", sent_old), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox", ""), 0);
    assert_int_equal(n, 3);
    /* A delivered code's secret is forgotten; its masked text stays for the record. */
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE id = ? AND secret IS NULL", "i", sent_new), 0);
    assert_int_equal(n, 1);

    assert_int_equal(notify_job_retention(s, now + 301, &detail), 0);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE id = ?", "i", code), 0);
    assert_int_equal(n, 0); /* expired unsent */
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox", ""), 0);
    assert_int_equal(n, 2);
    assert_int_equal(notify_job_retention(s, now + 7 * 86400, &detail), 0);
    assert_int_equal(store_int(s, &n, "SELECT id FROM outbox", ""), 0);
    assert_int_equal(n, pending);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seal_open),
        cmocka_unit_test(key_files),
        cmocka_unit_test_setup_teardown(outbox_masked, setup, teardown),
        cmocka_unit_test_setup_teardown(retention, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
