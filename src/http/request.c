/*
 * request.c - what a handler reads from a request and how it replies.
 */
#include <errno.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonin.h"
#include "core/text.h"
#include "http/http.h"

#define HTTP_OUT_MAX (64u << 20) /* largest response body, bytes */

const char *http_param(struct http_req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (!strcmp(r->param_names[i], name))
            return r->param_values[i];
    return NULL;
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

enum err http_fail(struct http_req *r, enum err code, const char *field, const char *fmt, ...)
{
    r->fault.code = code;
    r->fault.field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fault.message, sizeof(r->fault.message), fmt, ap);
    va_end(ap);
    return code;
}

/* "application/json", any case, alone or followed by parameters ("; charset=utf-8"). */
static bool is_json_type(const char *ct)
{
    if (!ct || strncasecmp(ct, "application/json", 16) != 0)
        return false;
    const char *p = ct + 16;
    p += strspn(p, " \t");
    return *p == '\0' || *p == ';';
}

int http_read_json(struct http_req *r, const char *const *allowed, json_t **out)
{
    if (!is_json_type(http_header(r, "Content-Type")))
        return http_fail(r, ERR_MEDIA_TYPE, NULL, "request body must be sent as Content-Type: application/json");
    int rc = jsonin_parse(&r->arena, r->body.data, r->body.len, out, &r->fault);
    if (!rc)
        rc = jsonin_allow(*out, allowed, &r->fault);
    return rc;
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    struct http_header *h = arena_alloc(&r->arena, sizeof(*h));
    h->name = arena_strdup(&r->arena, name);
    h->value = arena_strdup(&r->arena, value);
    h->next = r->headers;
    r->headers = h;
}

int http_reply(struct http_req *r, int status, const char *content_type, const void *data, size_t len)
{
    buf_reset(&r->out);
    if (buf_add(&r->out, data, len))
        return http_fail(r, ERR_INTERNAL, NULL, "response too large");
    r->status = status;
    r->content_type = content_type;
    r->replied = true;
    return 0;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return buf_add(data, buffer, size);
}

int http_reply_json(struct http_req *r, int status, json_t *v)
{
    buf_reset(&r->out);
    /* 12 significant digits: a Ct of 30.1 is written 30.1, not 30.100000000000001 */
    int rc = json_dump_callback(v, dump_cb, &r->out, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(v);
    if (rc)
        return http_fail(r, ERR_INTERNAL, NULL, "response too large");
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    r->replied = true;
    return 0;
}

void http_json_start(struct http_req *r, struct jsonout *o)
{
    buf_reset(&r->out);
    jsonout_start(o, &r->out);
}

int http_reply_jsonout(struct http_req *r, int status, struct jsonout *o)
{
    if (jsonout_end(o))
        return http_fail(r, ERR_INTERNAL, NULL, "response too large");
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    r->replied = true;
    return 0;
}

int http_reply_error(struct http_req *r, enum err code, const char *field, const char *message)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err_code(code), "message", message && *message ? message : err_code(code));
    if (field)
        json_object_set_new(e, "field", json_string(field));
    return http_reply_json(r, err_status(code), json_pack("{s:o}", "error", e));
}

/* Query parameters must be UTF-8 without NUL: handlers read them as C strings. */
int http_query_check(struct http_req *r, const char *key, size_t key_size, const char *value, size_t value_size)
{
    if (text_utf8_valid(key, key_size) && (!value || text_utf8_valid(value, value_size)))
        return 0;
    const char *name = text_utf8_valid(key, key_size) ? arena_strndup(&r->arena, key, key_size) : "query";
    return http_fail(r, ERR_INVALID_FIELD, name, "query parameter %s must be UTF-8 text without NUL characters", name);
}

int http_query_int_value(struct http_req *r, const char *name, const char *v, int64_t min, int64_t max, int64_t def,
                         int64_t *out)
{
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    const char *digits = v + (*v == '-'); /* strtoll would also take " \t\n+" first */
    if (*digits < '0' || *digits > '9' || *end || errno || n < min || n > max)
        return http_fail(r, ERR_INVALID_FIELD, name, "%s must be an integer between %lld and %lld", name,
                         (long long)min, (long long)max);
    *out = n;
    return 0;
}

int http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out)
{
    return http_query_int_value(r, name, http_query(r, name), min, max, def, out);
}

int http_param_id(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_param(r, name);
    char *end;
    errno = 0;
    long long n = v ? strtoll(v, &end, 10) : 0;
    if (!v || !*v || *end || errno || n < 1 || v[strspn(v, "0123456789")])
        return http_fail(r, ERR_INVALID_FIELD, name, "%s must be a positive integer", name);
    /* One spelling per resource: "01" is not another name of 1. */
    if (v[0] == '0')
        return http_fail(r, ERR_NOT_FOUND, NULL, "no such resource");
    *out = n;
    return 0;
}
