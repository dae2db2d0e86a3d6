/*
 * http.h - the HTTP layer: requests, responses, routes, the server.
 *
 * This layer knows no domain.  A route names the roles allowed to call it as
 * an opaque bit mask; the server authenticates through a callback given at
 * start and refuses a request whose role is not in the mask before the
 * handler runs.  Area scope depends on the resource, so handlers check it.
 *
 * A handler either replies (http_reply_*) and returns 0, or returns an enum
 * err after filling r->fault (http_fail), and the server replies with the
 * JSON error model:  {"error":{"code":"...","message":"...","field":"..."}}.
 * Only microhttpd-facing files include <microhttpd.h>.
 */
#ifndef CORDON_HTTP_HTTP_H
#define CORDON_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/jsonout.h"
#include "core/err.h"

#define HTTP_BODY_DEFAULT_MAX (64 * 1024) /* bytes, for routes that do not say */
#define HTTP_BODY_SPOOL_AT (64 * 1024)    /* bodies larger than this go to a temporary file */
#define HTTP_MAX_PARAMS 8

struct store;
struct http_req;
struct conn;

/* Who is calling; set by the authenticate callback. Strings live in the request arena. */
struct http_principal {
    int64_t account_id;    /* staff account; 0 for a citizen */
    int64_t person_id;     /* citizen signed in by one-time code; 0 for staff */
    const char *username;
    int role;              /* index into the application's role list */
    const char *unit_code; /* scope: this unit and everything below it; NULL for citizens */
    const char *session_hash;
};

typedef enum err (*http_handler)(struct http_req *r);

struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/accounts/{id}": {name} matches one path segment */
    http_handler handler;
    uint32_t roles;      /* 0: public; else bit (1 << role) for each role allowed */
    size_t body_max;     /* 0: HTTP_BODY_DEFAULT_MAX */
    unsigned flags;      /* HTTP_AUTH_OPTIONAL */
};

/* A public route that still learns who calls when credentials come with the request. */
#define HTTP_AUTH_OPTIONAL 1u
/* The handler reads what a background writer writes (tracing runs): the server's settle callback runs
 * first; it may wait for the writer and add a header saying the answer is behind. */
#define HTTP_SETTLE 2u

struct http_header {
    const char *name, *value;
    struct http_header *next;
};

struct http_req {
    struct arena arena;
    const char *method;
    const char *path;      /* without the query string */
    const char *request_id;
    const char *client_ip;
    struct buf body;       /* the whole body when the handler runs, NUL-terminated */
    bool body_too_large;
    int spool_fd;          /* -1, or the unlinked temporary file a large body is written to */
    size_t spool_len;
    bool body_mapped;      /* body.data is the spool file mapped into memory */
    struct conn *cn;       /* the connection's entry in the registry (http/conn.h) */
    const struct http_route *route;
    int route_index;       /* -1 when no route matched */
    const char *param_names[HTTP_MAX_PARAMS];
    const char *param_values[HTTP_MAX_PARAMS];
    int nparams;
    struct store *store;   /* this thread's connection */
    struct http_principal *who; /* NULL: anonymous */
    struct fault fault;
    /* response */
    int status;
    const char *content_type;
    struct buf out;
    struct http_header *headers;
    bool replied;
    double started;
    void *conn;            /* the microhttpd connection */
    const void *app;       /* application context given to the server */
    /* a deferred answer (http_defer) */
    int deferred;          /* 0; 1 handed to another thread; 2 resumed */
    void (*defer_start)(struct http_req *r, void *ctx);
    int (*defer_finish)(struct http_req *r, void *ctx);
    void *defer_ctx;
};

/* Request accessors; NULL when absent. */
const char *http_param(struct http_req *r, const char *name);
const char *http_query(struct http_req *r, const char *name);
const char *http_header(struct http_req *r, const char *name);
const char *http_cookie(struct http_req *r, const char *name);

/* Parses the body as a JSON object with only the allowed fields (NULL-terminated). */
int http_read_json(struct http_req *r, const char *const *allowed, json_t **out);

/* Fills r->fault and returns code, for "return http_fail(r, ...)" in handlers. */
enum err http_fail(struct http_req *r, enum err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replies. http_reply_json takes the reference to v. */
int http_reply_json(struct http_req *r, int status, json_t *v);
/* An answer written straight into the body (core/jsonout.h, for hot paths): http_json_start, the
 * values, then http_reply_jsonout. */
void http_json_start(struct http_req *r, struct jsonout *o);
int http_reply_jsonout(struct http_req *r, int status, struct jsonout *o);
int http_reply(struct http_req *r, int status, const char *content_type, const void *data, size_t len);
int http_reply_error(struct http_req *r, enum err code, const char *field, const char *message);
void http_add_header(struct http_req *r, const char *name, const char *value);

/*
 * Deferred answers, for work another thread does for many requests at once
 * (the check-in writer).  A handler calls http_defer() and returns its
 * result.  The server then parks the connection (its request thread goes on
 * serving others) and calls start(r, ctx), which hands the work over; that
 * thread owns r until it calls http_resume(r), exactly once.  The server
 * then calls finish(r, ctx) on a request thread, which replies or fails like
 * a handler.  start runs after the connection is parked, so http_resume() may
 * come at once, even from inside start.
 */
int http_defer(struct http_req *r, void (*start)(struct http_req *r, void *ctx),
               int (*finish)(struct http_req *r, void *ctx), void *ctx);
void http_resume(struct http_req *r);

/* Integer query parameter: absent gives def; a bad value fails naming the parameter. */
int http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out);

/*
 * The query-string steps on their own, without a connection (the server and
 * tests/fuzz/query.c use them).  http_unescape: the percent-decoding
 * microhttpd is given for paths and query keys and values, in place (%00
 * becomes 0xFF); the new length.  http_query_check: a query parameter as
 * decoded (key_size, value_size bytes; value NULL for "?key") must be UTF-8
 * without NUL; returns 0 or fails naming it.  http_query_int_value:
 * http_query_int() on a value already looked up.
 */
size_t http_unescape(char *s);
int http_query_check(struct http_req *r, const char *key, size_t key_size, const char *value, size_t value_size);
int http_query_int_value(struct http_req *r, const char *name, const char *v, int64_t min, int64_t max, int64_t def,
                         int64_t *out);
/* Positive integer id in a path parameter. */
int http_param_id(struct http_req *r, const char *name, int64_t *out);

/* A single file served at a fixed URL path (browser libraries installed by npm). */
struct http_alias {
    const char *url_path; /* "/vendor/jsQR.js" */
    const char *file;     /* absolute or working-directory-relative path */
};

struct http_server_opts {
    const char *listen; /* HOST:PORT; port 0 picks a free one */
    int threads;
    const char *web_dir;   /* static files; NULL: none */
    const struct http_alias *aliases;
    int naliases;
    const char *db_url;    /* each request thread opens its own connection */
    const struct http_route *routes;
    int nroutes;
    int shutdown_grace;    /* seconds */
    int max_connections;   /* connections served at once; more are answered 503 */
    int max_connections_per_ip; /* 0: no cap per client address */
    int header_timeout;    /* seconds from accept (or a request line) to the end of the headers */
    int body_timeout;      /* seconds from the headers to the end of the body */
    int idle_timeout;      /* seconds a keep-alive connection waits for its next request */
    int connection_memory; /* bytes per connection for request and response headers */
    /* Looks at cookies/bearer token; on success sets r->who. Returns 0 or ERR_UNAUTHENTICATED. */
    int (*authenticate)(struct http_req *r);
    /* An origin pages may load images from besides this server ("https://tiles.example.vn"), for
     * map tiles; NULL or "" for none. */
    const char *img_origin;
    const void *app;
    /* Called on shutdown once requests in flight are answered (or the grace is over), before
     * connections close: stops what resumes deferred requests.  NULL: nothing to stop. */
    void (*before_stop)(void);
    /* Runs before the handler of a route marked HTTP_SETTLE; NULL: nothing. */
    void (*settle)(struct http_req *r);
};

/* Built-in handlers for the application's route table: GET /healthz, GET /metrics (loopback only). */
enum err http_handle_healthz(struct http_req *r);
enum err http_handle_metrics(struct http_req *r);

/* Serves until SIGTERM or SIGINT, then drains in-flight requests. Returns 0 on a clean stop. */
int http_serve(const struct http_server_opts *o);

/* Route matching, exposed for unit tests: returns the route index or -1; *method_mismatch
 * is set when the path matched some route but not with this method. */
int http_route_match(const struct http_route *routes, int n, const char *method, const char *path,
                     struct http_req *r, bool *method_mismatch);

#endif
