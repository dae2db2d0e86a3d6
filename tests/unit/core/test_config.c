/* Unit tests of core/config.c: defaults < file < environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static void precedence(void **state)
{
    (void)state;
    char path[64], err[256];
    snprintf(path, sizeof(path), "/tmp/cordon-test-%d.conf", (int)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("# comment\ndb = sqlite:/tmp/from-file.db\nlisten = 127.0.0.1:9000\nthreads=3\n", fp);
    fclose(fp);

    struct config c;
    unsetenv("CORDON_DB");
    unsetenv("CORDON_LISTEN");
    assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
    assert_string_equal(c.db, "sqlite:/tmp/from-file.db");
    assert_int_equal(c.threads, 3);
    assert_int_equal(c.session_ttl, 12 * 3600); /* default kept */

    setenv("CORDON_LISTEN", "127.0.0.1:9100", 1);
    assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "127.0.0.1:9100"); /* environment beats file */
    assert_string_equal(c.db, "sqlite:/tmp/from-file.db");
    unsetenv("CORDON_LISTEN");

    setenv("CORDON_THREADS", "zero", 1);
    assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
    unsetenv("CORDON_THREADS");

    fp = fopen(path, "w");
    fputs("no_such_key = 1\n", fp);
    fclose(fp);
    assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no_such_key"));
    unlink(path);

    assert_int_equal(config_load(&c, "/nonexistent/cordon.conf", err, sizeof(err)), -1);
}

/* The connection limits: defaults, environment, and values out of range refused. */
static void connection_limits(void **state)
{
    (void)state;
    char err[256];
    struct config c;
    assert_int_equal(config_load(&c, "/dev/null", err, sizeof(err)), 0);
    assert_int_equal(c.max_connections, 10000);
    assert_int_equal(c.max_connections_per_ip, 256);
    assert_int_equal(c.header_timeout, 10);
    assert_int_equal(c.body_timeout, 120);
    assert_int_equal(c.idle_timeout, 30);
    assert_int_equal(c.connection_memory, 3584);
    setenv("CORDON_MAX_CONNECTIONS_PER_IP", "0", 1);
    setenv("CORDON_HEADER_TIMEOUT", "3", 1);
    assert_int_equal(config_load(&c, "/dev/null", err, sizeof(err)), 0);
    assert_int_equal(c.max_connections_per_ip, 0);
    assert_int_equal(c.header_timeout, 3);
    unsetenv("CORDON_MAX_CONNECTIONS_PER_IP");
    unsetenv("CORDON_HEADER_TIMEOUT");
    assert_int_equal(config_set(&c, "max_connections", "0"), -1);
    assert_int_equal(config_set(&c, "header_timeout", "0"), -1);
    assert_int_equal(config_set(&c, "connection_memory", "1024"), -1); /* too small for any request */
    assert_int_equal(config_set(&c, "body_timeout", "60"), 0);
    assert_int_equal(c.body_timeout, 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(precedence), cmocka_unit_test(connection_limits)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
