/* Unit tests of http/conn.c: caps in all and per address, and the reaper's deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/conn.h"

static struct sockaddr_in v4(const char *ip)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &sa.sin_addr);
    return sa;
}

static void caps(void **state)
{
    (void)state;
    struct conn_limits lim = {4, 2, 10, 10, 10};
    assert_int_equal(conns_start(&lim), 0);
    struct sockaddr_in a = v4("10.0.0.1"), b = v4("10.0.0.2"), c = v4("10.0.0.3");
    struct conn *a1 = conn_opened(-1, (struct sockaddr *)&a), *a2 = conn_opened(-1, (struct sockaddr *)&a);
    struct conn *a3 = conn_opened(-1, (struct sockaddr *)&a); /* third from one address */
    assert_false(a1->over);
    assert_false(a2->over);
    assert_true(a3->over);
    struct conn *b1 = conn_opened(-1, (struct sockaddr *)&b), *b2 = conn_opened(-1, (struct sockaddr *)&b);
    assert_false(b1->over);
    assert_false(b2->over);
    struct conn *c1 = conn_opened(-1, (struct sockaddr *)&c); /* fifth in all */
    assert_true(c1->over);
    assert_int_equal(conns_open(), 6);
    conn_closed(a1); /* room again, for any address */
    struct conn *c2 = conn_opened(-1, (struct sockaddr *)&c);
    assert_false(c2->over);
    conn_closed(a2);
    conn_closed(a3);
    conn_closed(b1);
    conn_closed(b2);
    conn_closed(c1);
    conn_closed(c2);
    assert_int_equal(conns_open(), 0);
    conns_stop();
}

/* A connection that keeps sending a byte now and then is still cut at its header deadline. */
static void header_deadline_is_absolute(void **state)
{
    (void)state;
    struct conn_limits lim = {10, 0, 1, 10, 10};
    assert_int_equal(conns_start(&lim), 0);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct conn *c = conn_opened(sv[0], NULL);
    long before = conns_reaped();
    struct timespec ts = {0, 300 * 1000000L};
    for (int i = 0; i < 2; i++) {
        conn_request_line(c); /* not idle: the deadline still runs from the accept */
        nanosleep(&ts, NULL);
    }
    assert_int_equal(conns_reaped(), before);
    for (int i = 0; i < 10 && conns_reaped() == before; i++)
        nanosleep(&ts, NULL);
    assert_int_equal(conns_reaped(), before + 1);
    char buf[1];
    assert_int_equal(read(sv[1], buf, 1), 0); /* the peer sees the end */
    conn_closed(c);
    close(sv[0]);
    close(sv[1]);
    conns_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caps),
        cmocka_unit_test(header_deadline_is_absolute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
