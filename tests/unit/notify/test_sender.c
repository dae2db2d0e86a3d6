/*
 * Unit tests of notify/sender: priority by kind, the backoff, and rounds of
 * a sender on a real SQLite store with a transport written here: order,
 * rate limit, retry, dead letter, expired codes left unsent, abandoned
 * claims taken again, a slow batch's lapsed claim taken by another server
 * and sent once.
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

#include "core/clock.h"
#include "core/config.h"
#include "core/kek.h"
#include "notify/notify.h"
#include "notify/sender.h"
#include "store/migrate.h"
#include "store/store.h"

static char path[64];
static char sent_log[1024]; /* "kind,kind,..." in the order handed over */
static int fail_next;       /* the transport refuses this many */

static int test_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen)
{
    (void)t;
    if (fail_next > 0) {
        fail_next--;
        snprintf(err, errlen, "refused");
        return -1;
    }
    size_t n = strlen(sent_log);
    snprintf(sent_log + n, sizeof(sent_log) - n, "%s%s", n ? "," : "", m->kind);
    snprintf(ref, reflen, "r%lld", (long long)m->id);
    return 0;
}

static struct notify_transport tr = {.channel = "sms", .rate_per_minute = 1000, .send = test_send};

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
    snprintf(path, sizeof(path), "/tmp/cordon-test-sender-%d.db", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", path);
    unlink_db();
    struct store *s;
    struct kek k;
    if (store_open(url, &s, err, sizeof(err)) || migrate_apply(s, NULL) ||
        kek_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &k))
        return -1;
    kek_use(&k);
    /* max_attempts 3, base 10 s (set the way `serve` does, with no sender started) */
    struct config c;
    memset(&c, 0, sizeof(c));
    c.notify_max_attempts = 3;
    c.notify_retry_base = 10;
    notify_senders_start(&c);
    sent_log[0] = 0;
    fail_next = 0;
    tr.rate_per_minute = 1000;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    notify_senders_stop();
    store_close(*state);
    unlink_db();
    return 0;
}

static void priority_and_backoff(void **state)
{
    (void)state;
    assert_int_equal(notify_priority("otp"), 0);
    assert_int_equal(notify_priority("family"), 0);
    assert_int_equal(notify_priority("en_code"), 0);
    assert_int_equal(notify_priority("result"), 1);
    assert_int_equal(notify_priority("result_correction"), 1);
    assert_int_equal(notify_priority("result_member"), 1);
    assert_int_equal(notify_priority("result_correction_member"), 1);
    assert_int_equal(notify_priority("quarantine_missed"), 1);
    assert_int_equal(notify_priority("quarantine_outside_member"), 1);
    assert_int_equal(notify_priority("quarantine_reminder"), 2); /* a daily reminder, not an alert */
    assert_int_equal(notify_priority("daily_report"), 2);
    assert_int_equal(notify_priority("broadcast"), 2);
    assert_int_equal(notify_priority("vaccine_invitation"), 2);
    assert_int_equal(notify_backoff(30, 1), 30);
    assert_int_equal(notify_backoff(30, 2), 60);
    assert_int_equal(notify_backoff(30, 5), 480);
    assert_int_equal(notify_backoff(30, 40), 86400);
}

static const char *status_of(struct store *s, int64_t id, char *buf)
{
    struct store_stmt *st;
    assert_int_equal(store_query(s, &st, "SELECT status FROM outbox WHERE id = ?", "i", id), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    strcpy(buf, store_col_text(st, 0));
    store_finalize(st);
    return buf;
}

static void order_and_rate(void **state)
{
    struct store *s = *state;
    int64_t id;
    assert_int_equal(notify_queue(s, "sms", "0911111111", "vaccine_invitation", "a", &id), 0);
    assert_int_equal(notify_queue(s, "sms", "0911111111", "result", "b", &id), 0);
    assert_int_equal(notify_queue(s, "email", "x@example.org", "otp", "c", &id), 0); /* another channel */
    assert_int_equal(notify_queue(s, "sms", "0911111111", "quarantine_missed", "q", &id), 0);
    assert_int_equal(notify_queue_secret(s, "sms", "0911111111", "otp", "code " NOTIFY_MASK, "123456", 2000000000,
                                         &id),
                     0);
    tr.rate_per_minute = 3;
    int sent = 0;
    assert_int_equal(notify_send_round(s, &tr, 1000000, 10, &sent), 0);
    assert_int_equal(sent, 3);
    assert_string_equal(sent_log, "otp,result,quarantine_missed"); /* a quarantine alert before bulk */
    /* The minute's three are spent; a minute on, the rest. */
    assert_int_equal(notify_send_round(s, &tr, 1000030, 10, &sent), 0);
    assert_int_equal(sent, 0);
    assert_int_equal(notify_send_round(s, &tr, 1000061, 10, &sent), 0);
    assert_int_equal(sent, 1);
    assert_string_equal(sent_log, "otp,result,quarantine_missed,vaccine_invitation");
}

static void retry_then_dead(void **state)
{
    struct store *s = *state;
    char buf[16];
    int64_t id, gone;
    assert_int_equal(notify_queue(s, "sms", "0922222222", "reminder", "r", &id), 0);
    assert_int_equal(notify_queue_secret(s, "sms", "0933333333", "otp", NOTIFY_MASK, "654321", 500, &gone), 0);
    fail_next = 100;
    int sent = 0;
    assert_int_equal(notify_send_round(s, &tr, 1000, 10, &sent), 0); /* the code expired at 500: not tried */
    assert_string_equal(status_of(s, id, buf), "queued");
    assert_int_equal(notify_send_round(s, &tr, 1005, 10, &sent), 0); /* waits 10 s */
    int64_t attempts = 0;
    assert_int_equal(store_int(s, &attempts, "SELECT attempts FROM outbox WHERE id = ?", "i", id), 0);
    assert_int_equal(attempts, 1);
    assert_int_equal(notify_send_round(s, &tr, 1010, 10, &sent), 0); /* second try; then 20 s */
    assert_int_equal(notify_send_round(s, &tr, 1029, 10, &sent), 0);
    assert_int_equal(store_int(s, &attempts, "SELECT attempts FROM outbox WHERE id = ?", "i", id), 0);
    assert_int_equal(attempts, 2);
    assert_int_equal(notify_send_round(s, &tr, 1030, 10, &sent), 0); /* third: dead */
    assert_string_equal(status_of(s, id, buf), "failed");
    assert_string_equal(status_of(s, gone, buf), "queued");
    assert_int_equal(notify_send_round(s, &tr, 9999, 10, &sent), 0);
    assert_string_equal(status_of(s, id, buf), "failed");
    assert_int_equal(fail_next, 97);
}

static void abandoned_claim(void **state)
{
    struct store *s = *state;
    char buf[16];
    int64_t id;
    assert_int_equal(notify_queue(s, "sms", "0944444444", "reminder", "r", &id), 0);
    /* A server claimed it and died. */
    assert_int_equal(store_run(s, NULL, "UPDATE outbox SET status = 'sending', claimed_until = 2000 WHERE id = ?",
                               "i", id),
                     0);
    int sent = 0;
    assert_int_equal(notify_send_round(s, &tr, 1500, 10, &sent), 0);
    assert_int_equal(sent, 0);
    assert_int_equal(notify_send_round(s, &tr, 2001, 10, &sent), 0);
    assert_int_equal(sent, 1);
    assert_string_equal(status_of(s, id, buf), "sent");
}

static void declined(void **state)
{
    struct store *s = *state;
    int64_t id = -1, n = 0;
    assert_int_equal(store_run(s, NULL, "INSERT INTO notify_optout (phone, created_at) VALUES ('0955555555', 1)", ""), 0);
    assert_false(notify_essential("vaccine_invitation"));
    assert_true(notify_essential("otp"));
    assert_true(notify_essential("quarantine_reminder"));
    /* Declined kinds are not queued for that phone; essential ones are, and others' are. */
    assert_int_equal(notify_queue(s, "sms", "0955555555", "vaccine_invitation", "moi tiem", &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(notify_queue(s, "sms", "0955555555", "otp", "ma", &id), 0);
    assert_true(id > 0);
    assert_int_equal(notify_queue(s, "sms", "0966666666", "vaccine_invitation", "moi tiem", &id), 0);
    assert_true(id > 0);
    assert_int_equal(notify_queue_rows(s, "sms", "reminder",
                                       "SELECT '0955555555' AS recipient, 'nhac' AS body, NULL AS cause WHERE 1 = ?"
                                       " UNION ALL SELECT '0977777777', 'nhac', NULL",
                                       1, &n),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE recipient = '0955555555'", ""), 0);
    assert_int_equal(n, 1);
}

/*
 * Two servers over one database.  Server A claims a batch of six and each of
 * its sends takes 30 s (its clock, notify_mono, moves on by that much per
 * send).  While A sends the fifth, at +140 s, server B runs a round: the
 * sixth's first claim (until +120) has lapsed, so B takes it and sends it.
 * A, reaching the sixth, finds the claim no longer its own and leaves it:
 * every message goes out once.  (Without the renewal before each send, B
 * would take the fifth and sixth and A would send them again.)
 */
static double fake_mono;
static double fake_clock(void) { return fake_mono; }
static struct store *server_b;
static char b_log[256];
static int a_sends;

static int b_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen, char *err,
                  size_t errlen)
{
    (void)t, (void)err, (void)errlen;
    size_t n = strlen(b_log);
    snprintf(b_log + n, sizeof(b_log) - n, "%s%s", n ? "," : "", m->text);
    snprintf(ref, reflen, "b%lld", (long long)m->id);
    return 0;
}

static struct notify_transport tr_b = {.channel = "sms", .rate_per_minute = 1000, .send = b_send};

static int slow_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen)
{
    (void)t, (void)err, (void)errlen;
    size_t n = strlen(sent_log);
    snprintf(sent_log + n, sizeof(sent_log) - n, "%s%s", n ? "," : "", m->text);
    snprintf(ref, reflen, "a%lld", (long long)m->id);
    if (++a_sends == 5) { /* B's round, 20 s into A's fifth send */
        int sent = 0;
        assert_int_equal(notify_send_round(server_b, &tr_b, 1000000 + 140, 20, &sent), 0);
        assert_int_equal(sent, 1);
    }
    fake_mono += 30;
    return 0;
}

static void slow_batch_sent_once(void **state)
{
    struct store *s = *state;
    char url[96], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    assert_int_equal(store_open(url, &server_b, err, sizeof(err)), 0);
    const char *bodies[] = {"m1", "m2", "m3", "m4", "m5", "m6"};
    for (int i = 0; i < 6; i++)
        assert_int_equal(notify_queue(s, "sms", "0988888888", "reminder", bodies[i], NULL), 0);
    notify_mono = fake_clock;
    fake_mono = 0;
    a_sends = 0;
    b_log[0] = 0;
    struct notify_transport tr_a = {.channel = "sms", .rate_per_minute = 1000, .send = slow_send};
    int sent = 0;
    assert_int_equal(notify_send_round(s, &tr_a, 1000000, 20, &sent), 0);
    notify_mono = clock_mono;
    store_close(server_b);
    assert_string_equal(sent_log, "m1,m2,m3,m4,m5");
    assert_string_equal(b_log, "m6");
    assert_int_equal(sent, 5);
    int64_t n = 0;
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'", ""), 0);
    assert_int_equal(n, 6);
    assert_int_equal(store_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE gateway_ref = 'b6'", ""), 0);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(priority_and_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(order_and_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(retry_then_dead, setup, teardown),
        cmocka_unit_test_setup_teardown(abandoned_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(declined, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_batch_sent_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
