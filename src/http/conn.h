/*
 * conn.h - open connections: caps and deadlines (internal to http/).
 *
 * Every connection microhttpd accepts gets a struct conn as its socket
 * context.  The registry counts connections in all and per client address;
 * one accepted beyond a cap is marked `over` and answered 503 once its
 * headers are in.  A reaper thread closes connections that overstay the
 * deadline of their phase: headers, body, or idle between requests.  The
 * deadlines are absolute, so a client that sends a byte now and then does
 * not keep a connection forever.
 */
#ifndef CORDON_HTTP_CONN_H
#define CORDON_HTTP_CONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum conn_phase {
    CONN_HEADERS, /* waiting for a request's headers (deadline: header_timeout) */
    CONN_BODY,    /* headers in, reading the body (deadline: body_timeout) */
    CONN_BUSY,    /* the handler runs or the response is sent: no deadline of ours */
    CONN_IDLE,    /* between requests of a keep-alive connection (deadline: idle_timeout) */
};

struct conn_limits {
    int max_connections;        /* connections served at once; more are answered 503 */
    int max_connections_per_ip; /* 0: no cap per address */
    int header_timeout, body_timeout, idle_timeout; /* seconds */
};

struct conn {
    struct conn *prev, *next;
    int fd;
    unsigned char addr[16]; /* IPv4 or IPv6 address bytes, zero-padded */
    bool over;              /* accepted beyond a cap */
    bool reaped;            /* the reaper has shut the socket */
    size_t linger_bytes;    /* body bytes still to drain after an early answer (linger.h) */
    atomic_int phase;
    _Atomic int64_t since_ms; /* when the phase began, monotonic milliseconds */
};

/* Starts the reaper; returns 0 or -1. */
int conns_start(const struct conn_limits *l);
void conns_stop(void);

/* Socket context of a new connection (never NULL); closed frees it. */
struct conn *conn_opened(int fd, const struct sockaddr *sa);
void conn_closed(struct conn *c);

void conn_phase(struct conn *c, enum conn_phase p);
/* A request line arrived: an idle connection starts its header deadline now. */
void conn_request_line(struct conn *c);

/* Open connections and those closed by a deadline, for /metrics and tests. */
int conns_open(void);
long conns_reaped(void);

#endif
