/*
 * server.c - the HTTP server on GNU libmicrohttpd.
 *
 * Threads: microhttpd runs a pool of `threads` polling threads; a request is
 * handled start to finish on one of them, and each thread keeps its own store
 * connection (SQLite connections must not be shared between threads).
 *
 * A request's life: the first callback comes when the headers are in and no
 * byte of the body has been read.  It makes a struct http_req with its arena,
 * matches the route, checks the framing (one Content-Length, no
 * Transfer-Encoding beside it), authenticates, checks the role and the
 * route's body cap against Content-Length.  A refused request that announces
 * a body is answered there and then, its body never read into memory
 * (linger.c drains what the client still sends); one without a body is
 * answered on the next call, which keeps the connection alive.  Upload
 * callbacks append to the body (body.c: large ones go to a temporary file);
 * the last callback runs the handler and queues the response; the completion
 * callback logs the request, counts it and frees the arena.
 *
 * A handler may hand its work to another thread (http_defer): the connection
 * is suspended, its request thread serves others, and when that thread calls
 * http_resume() microhttpd calls on_request again, which runs the deferred
 * finish and queues the response as for any other request.
 *
 * Connections (conn.c): caps on connections in all and per address, answered
 * 503 with Retry-After beyond them, and deadlines for headers, body and idle
 * keep-alive.  Each connection's buffer for headers is small (the
 * connection_memory setting), so idle connections cost little.
 *
 * Shutdown: SIGTERM or SIGINT stops accepting connections, waits up to the
 * grace period for requests in flight to be answered, then stops.  Writes
 * happen in transactions, so a request cut off by the deadline leaves nothing
 * half-written.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/text.h"
#include "http/body.h"
#include "http/conn.h"
#include "http/http.h"
#include "http/linger.h"
#include "http/metrics.h"
#include "http/request_pool.h"
#include "http/static.h"
#include "store/store.h"

struct server {
    const struct http_server_opts *o;
    atomic_int in_flight;
    pthread_key_t store_key;
};

static void store_key_free(void *p)
{
    store_close(p);
}

static struct store *thread_store(struct server *srv)
{
    struct store *s = pthread_getspecific(srv->store_key);
    if (s)
        return s;
    char err[512];
    if (store_open(srv->o->db_url, &s, err, sizeof(err))) {
        log_error("msg=\"could not open store\" detail=\"%s\"", err);
        return NULL;
    }
    pthread_setspecific(srv->store_key, s);
    return s;
}

static bool request_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

static struct http_req *request_new(struct server *srv, struct MHD_Connection *conn, const char *url,
                                    const char *method)
{
    struct http_req *r = request_pool_take(HTTP_BODY_DEFAULT_MAX, 64u << 20);
    r->conn = conn;
    r->app = srv->o->app;
    r->started = clock_mono();
    r->method = arena_strdup(&r->arena, method);
    r->path = arena_strdup(&r->arena, url); /* microhttpd strips the query string */
    r->route_index = -1;
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (rid && request_id_ok(rid)) {
        r->request_id = arena_strdup(&r->arena, rid);
    } else {
        /* 8 random bytes per thread, then a counter: unique, and no getrandom() per request */
        static _Thread_local char prefix[17];
        static _Thread_local uint64_t seq;
        if (!prefix[0])
            secret_hex(prefix, 8);
        r->request_id = arena_printf(&r->arena, "%s%016llx", prefix, (unsigned long long)++seq);
    }
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char ip[INET6_ADDRSTRLEN] = "-";
    if (ci && ci->client_addr) {
        if (ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, ip, sizeof(ip));
        else if (ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, ip, sizeof(ip));
    }
    r->client_ip = arena_strdup(&r->arena, ip);
    bool mismatch;
    r->route_index = http_route_match(srv->o->routes, srv->o->nroutes, method, url, r, &mismatch);
    if (r->route_index >= 0) {
        r->route = &srv->o->routes[r->route_index];
        if (r->route->body_max)
            r->body.max = r->route->body_max;
    } else {
        if (mismatch)
            http_fail(r, ERR_METHOD_NOT_ALLOWED, NULL, "method %s is not allowed here", method);
    }
    return r;
}

static bool is_loopback(const char *ip)
{
    return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1");
}

enum err http_handle_healthz(struct http_req *r)
{
    int64_t one = 0;
    if (store_int(r->store, &one, "SELECT 1", "") != STORE_OK)
        return http_reply_json(r, 503, json_pack("{s:s}", "status", "unavailable"));
    return http_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "store", store_engine(r->store)));
}

enum err http_handle_metrics(struct http_req *r)
{
    if (!is_loopback(r->client_ip))
        return http_fail(r, ERR_FORBIDDEN, NULL, "metrics are served on loopback only");
    struct buf out;
    buf_init(&out, 16u << 20);
    metrics_render(&out);
    int rc = http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
    buf_release(&out);
    return rc;
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                 const char *value, size_t value_size)
{
    (void)kind;
    return http_query_check(cls, key, key_size, value, value_size) ? MHD_NO : MHD_YES;
}

/* Counts the headers that frame the body: a request that could be read two ways is refused. */
struct framing {
    int content_length, transfer_encoding;
    bool chunked;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct framing *f = cls;
    if (!strcasecmp(key, "Content-Length")) {
        f->content_length++;
    } else if (!strcasecmp(key, "Transfer-Encoding")) {
        f->transfer_encoding++;
        f->chunked = value && !strcasecmp(value, "chunked");
    }
    return MHD_YES;
}

static int check_framing(struct http_req *r)
{
    struct framing f = {0, 0, false};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 1)
        return http_fail(r, ERR_BAD_REQUEST, "Content-Length", "the request has more than one Content-Length header");
    if (f.content_length && f.transfer_encoding)
        return http_fail(r, ERR_BAD_REQUEST, "Transfer-Encoding",
                         "the request has both Content-Length and Transfer-Encoding");
    if (f.transfer_encoding > 1 || (f.transfer_encoding && !f.chunked))
        return http_fail(r, ERR_BAD_REQUEST, "Transfer-Encoding", "the only transfer encoding accepted is chunked");
    return 0;
}

static int authorise(struct server *srv, struct http_req *r)
{
    if (!r->route->roles && (r->route->flags & HTTP_AUTH_OPTIONAL) && srv->o->authenticate) {
        if (srv->o->authenticate(r))
            fault_clear(&r->fault); /* bad or stale credentials: carry on as anonymous */
    } else if (r->route->roles) {
        int rc = srv->o->authenticate ? srv->o->authenticate(r) : ERR_UNAUTHENTICATED;
        if (rc)
            return rc;
        if (!r->who)
            return http_fail(r, ERR_UNAUTHENTICATED, NULL, "sign in first");
        if (!(r->route->roles & (1u << r->who->role)))
            return http_fail(r, ERR_FORBIDDEN, NULL, "your role may not do this");
    }
    return 0;
}

/*
 * Everything decided from the request line and headers, before any byte of
 * the body is read: a refusal here is answered at once and the body dropped.
 */
static int admit(struct server *srv, struct http_req *r)
{
    if (r->fault.code)
        return r->fault.code;
    int rc = check_framing(r);
    if (rc)
        return rc;
    /* A NUL or a byte that is not UTF-8 names no resource (the unescape callback turns %00 into 0xFF). */
    if (!text_utf8_valid(r->path, strlen(r->path)))
        return http_fail(r, ERR_NOT_FOUND, NULL, "no such resource");
    if (!r->route) {
        if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
            return http_fail(r, ERR_NOT_FOUND, NULL, "no such resource");
        return 0; /* static files and 404s are decided with the (empty) body read */
    }
    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, r);
    if (r->fault.code)
        return r->fault.code;
    r->store = thread_store(srv);
    if (!r->store)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "the database is not reachable; try again shortly");
    rc = authorise(srv, r);
    if (rc)
        return rc;
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > r->body.max)
        return http_fail(r, ERR_TOO_LARGE, NULL, "request body is larger than %zu bytes", r->body.max);
    return 0;
}

static int dispatch(struct server *srv, struct http_req *r)
{
    if (r->fault.code)
        return r->fault.code;
    if (!r->route) {
        for (int i = 0; i < srv->o->naliases; i++)
            if (!strcmp(r->path, srv->o->aliases[i].url_path))
                return static_serve_file(r, srv->o->aliases[i].file) ? http_fail(r, ERR_NOT_FOUND, NULL, "not installed")
                                                                     : 0;
        if (strncmp(r->path, "/api/", 5) != 0 && static_serve(r, srv->o->web_dir) == 0)
            return 0;
        return http_fail(r, ERR_NOT_FOUND, NULL, "no such resource");
    }
    if (r->body_too_large)
        return http_fail(r, ERR_TOO_LARGE, NULL, "request body is larger than %zu bytes", r->body.max);
    if (body_finish(r))
        return http_fail(r, ERR_UNAVAILABLE, NULL, "the request body could not be stored; try again shortly");
    if ((r->route->flags & HTTP_SETTLE) && srv->o->settle)
        srv->o->settle(r);
    return r->route->handler(r);
}

/* Built once by http_serve: a map tile server's origin may join img-src. */
static char csp[512] = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                       "style-src 'self'; script-src 'self'; frame-ancestors 'none'";

static void csp_build(const char *img_origin)
{
    if (!img_origin || !*img_origin)
        return;
    snprintf(csp, sizeof(csp),
             "default-src 'self'; img-src 'self' data: blob: %s; media-src 'self' blob:; "
             "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
             img_origin);
}

static void add_common_headers(struct MHD_Response *resp, struct http_req *r)
{
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    if (!strncmp(r->path, "/api/", 5))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (struct http_header *h = r->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
}

static enum MHD_Result respond(struct MHD_Connection *conn, struct http_req *r)
{
    /* r->out lives until on_completed, after the response is sent: microhttpd need not copy it */
    struct MHD_Response *resp = MHD_create_response_from_buffer(r->out.len, r->out.data, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    add_common_headers(resp, r);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void finish(struct http_req *r, int rc)
{
    if (!r->replied) {
        if (!rc || !r->fault.code) {
            /* A handler returned an error without a fault: say so in the log, not to the client. */
            if (rc)
                log_error("msg=\"handler failed without detail\" id=%s rc=%d", r->request_id, rc);
            /* A store rc that skipped store_err(): no row is a 404, not a 500. */
            if (rc >= STORE_ROW && rc <= STORE_ERROR)
                r->fault.code = store_err((enum store_rc)rc);
            else
                r->fault.code = rc > 0 && rc < ERR_LAST ? (enum err)rc : ERR_INTERNAL;
            r->fault.field = NULL;
            snprintf(r->fault.message, sizeof(r->fault.message), "%s",
                     r->fault.code == ERR_INTERNAL ? "internal error; the request id is in the server log"
                                                   : err_code(r->fault.code));
        }
        http_reply_error(r, r->fault.code, r->fault.field, r->fault.message);
    }
}

int http_defer(struct http_req *r, void (*start)(struct http_req *r, void *ctx),
               int (*done)(struct http_req *r, void *ctx), void *ctx)
{
    r->deferred = 1;
    r->defer_start = start;
    r->defer_finish = done;
    r->defer_ctx = ctx;
    return 0;
}

void http_resume(struct http_req *r)
{
    r->deferred = 2;
    MHD_resume_connection(r->conn); /* microhttpd calls on_request again, on a request thread */
}

static struct conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Headers are in, the body is not read yet: admit the request or answer it now. */
static enum MHD_Result on_headers(struct server *srv, struct MHD_Connection *conn, struct http_req *r)
{
    r->cn = conn_of(conn);
    conn_phase(r->cn, CONN_BODY);
    if (r->cn && r->cn->over) {
        http_fail(r, ERR_UNAVAILABLE, NULL, "the server is at its connection limit; try again shortly");
        http_add_header(r, "Retry-After", "5");
        http_add_header(r, "Connection", "close");
    } else {
        admit(srv, r);
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
    size_t announced = cl ? (size_t)strtoull(cl, NULL, 10) : te ? (size_t)1 << 20 : 0;
    /* Without a body the answer comes on the next call, and the connection stays open. */
    if (!r->fault.code || !announced)
        return MHD_YES;
    conn_phase(r->cn, CONN_BUSY);
    if (r->cn)
        r->cn->linger_bytes = announced;
    finish(r, r->fault.code);
    return respond(conn, r); /* microhttpd skips the unread body and closes; linger.c drains it */
}

static void on_upload(struct http_req *r, const char *data, size_t n)
{
    if (r->body_too_large || r->fault.code)
        return; /* read and dropped, so the client gets its answer */
    int rc = body_add(r, data, n);
    if (rc == BODY_TOO_LARGE)
        r->body_too_large = true;
    else if (rc == BODY_NO_ROOM)
        http_fail(r, ERR_UNAVAILABLE, NULL, "no room to store the request body; try again shortly");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct server *srv = cls;
    struct http_req *r = *con_cls;
    if (!r) {
        r = request_new(srv, conn, url, method);
        *con_cls = r;
        atomic_fetch_add(&srv->in_flight, 1);
        return on_headers(srv, conn, r);
    }
    if (*upload_data_size) {
        on_upload(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    conn_phase(r->cn, CONN_BUSY);
    int rc;
    if (r->deferred == 2) {
        r->deferred = 0;
        rc = r->defer_finish(r, r->defer_ctx);
    } else {
        rc = dispatch(srv, r);
        if (r->deferred == 1 && !rc && !r->replied) {
            /* parked first, handed over second: the resume can never come before the suspend */
            MHD_suspend_connection(conn);
            r->defer_start(r, r->defer_ctx);
            return MHD_YES;
        }
        r->deferred = 0;
    }
    finish(r, rc);
    return respond(conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct server *srv = cls;
    struct http_req *r = *con_cls;
    if (!r)
        return;
    conn_phase(r->cn, CONN_IDLE);
    double took = clock_mono() - r->started;
    int status = r->replied ? r->status : 0;
    metrics_observe(r->route_index, status, took);
    log_access("msg=request id=%s method=%s route=\"%s\" path=\"%.128s\" status=%d ms=%.1f account=%lld%s",
             r->request_id, r->method, r->route ? r->route->pattern : "-", r->path, status, took * 1000,
             r->who ? (long long)r->who->account_id : 0LL, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    request_pool_give(r);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ad = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        *socket_context = conn_opened(fd ? fd->connect_fd : -1, ad ? ad->client_addr : NULL);
    } else {
        struct conn *c = *socket_context;
        /* microhttpd closes its descriptor after this call; a duplicate keeps the socket to drain. */
        if (c && c->linger_bytes && c->fd >= 0)
            linger_add(dup(c->fd), c->linger_bytes, srv->o->body_timeout);
        conn_closed(c);
        *socket_context = NULL;
    }
}

/* Called when a request line is in, before its headers. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)uri;
    conn_request_line(conn_of(conn));
    return NULL;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/*
 * Percent-decoding of paths and query values.  %00 becomes 0xFF, a byte that
 * is never UTF-8, so "/people/1%00" cannot pass for "/people/1" once the
 * path is read as a C string, and a query value with it is refused like one
 * with a raw NUL.
 */
size_t http_unescape(char *s)
{
    char *w = s;
    for (const char *p = s; *p;) {
        int hi, lo;
        if (p[0] == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0) {
            int byte = hi << 4 | lo;
            *w++ = (char)(byte ? byte : 0xFF);
            p += 3;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return http_unescape(s);
}

/* Every connection needs a descriptor: raise the soft limit toward the hard one when short. */
static void raise_fd_limit(int want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= (rlim_t)want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)want ? (rlim_t)want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl))
        log_warn("msg=\"could not raise the open file limit\" want=%d", want);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int http_serve(const struct http_server_opts *o)
{
    struct server srv = {.o = o};
    csp_build(o->img_origin);
    atomic_init(&srv.in_flight, 0);
    pthread_key_create(&srv.store_key, store_key_free);
    struct sockaddr_in sa;
    if (parse_listen(o->listen, &sa)) {
        log_error("msg=\"bad listen address; use HOST:PORT with an IPv4 host\" listen=%s", o->listen);
        return 2;
    }
    metrics_init(o->routes, o->nroutes);

    /* Signals go to this thread only, through sigwait below. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Connections beyond max_connections are still accepted, up to this headroom, to be told 503. */
    unsigned headroom = (unsigned)o->max_connections / 8 + 16;
    raise_fd_limit(o->max_connections + (int)headroom + 256);
    struct conn_limits lim = {o->max_connections, o->max_connections_per_ip, o->header_timeout, o->body_timeout,
                              o->idle_timeout};
    if (conns_start(&lim) || linger_start()) {
        conns_stop();
        metrics_free();
        return 1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request,
        &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_request_line, &srv, MHD_OPTION_UNESCAPE_CALLBACK, unescape, &srv,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->idle_timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections + headroom,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->connection_memory,
        MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)512, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!d) {
        log_error("msg=\"could not listen\" listen=%s", o->listen);
        linger_stop();
        conns_stop();
        metrics_free();
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
    fprintf(stderr, "cordon: listening on http://%s:%u\n", host, info ? info->port : ntohs(sa.sin_port));
    fflush(stderr);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("msg=\"shutting down\" signal=%d in_flight=%d", sig, atomic_load(&srv.in_flight));
    MHD_quiesce_daemon(d); /* no new connections; open ones finish their requests */
    double deadline = clock_mono() + o->shutdown_grace;
    while (atomic_load(&srv.in_flight) > 0 && clock_mono() < deadline) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (o->before_stop)
        o->before_stop(); /* what would resume a parked request stops before the connections go */
    int left = atomic_load(&srv.in_flight);
    MHD_stop_daemon(d);
    linger_stop();
    conns_stop();
    metrics_free();
    struct store *s = pthread_getspecific(srv.store_key);
    if (s)
        store_close(s);
    pthread_key_delete(srv.store_key);
    log_info("msg=\"stopped\" unanswered=%d", left);
    log_flush();
    return 0;
}
