/*
 * router.c - matches a method and path against the route table.
 *
 * Patterns are split on '/'; a segment "{name}" matches any one non-empty
 * segment and records it as a path parameter.  The table holds some two hundred
 * routes; a linear scan stays the clearest, with each route's literal start
 * compared first, byte by byte, before its segments are split.
 */
#include <string.h>

#include "http/http.h"

static bool segment_match(const char *pat, size_t plen, const char *seg, size_t slen, struct http_req *r)
{
    if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
        if (slen == 0 || r->nparams >= HTTP_MAX_PARAMS)
            return false;
        r->param_names[r->nparams] = arena_strndup(&r->arena, pat + 1, plen - 2);
        r->param_values[r->nparams] = arena_strndup(&r->arena, seg, slen);
        r->nparams++;
        return true;
    }
    return plen == slen && !memcmp(pat, seg, slen);
}

static bool path_match(const char *pattern, const char *path, struct http_req *r)
{
    r->nparams = 0;
    const char *p = pattern, *s = path;
    for (;;) {
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t slen = se ? (size_t)(se - s) : strlen(s);
        if (!segment_match(p, plen, s, slen, r))
            return false;
        if (!pe || !se)
            return !pe && !se;
        p = pe + 1;
        s = se + 1;
    }
}

/* Whether path can match pattern as far as its literal start goes (up to its first "{"): one pass
 * that stops at the first differing byte, so most routes are passed over without splitting them. */
static bool prefix_may_match(const char *pattern, const char *path)
{
    while (*pattern && *pattern != '{' && *pattern == *path) {
        pattern++;
        path++;
    }
    return *pattern == '{' || (!*pattern && !*path);
}

int http_route_match(const struct http_route *routes, int n, const char *method, const char *path,
                     struct http_req *r, bool *method_mismatch)
{
    *method_mismatch = false;
    for (int i = 0; i < n; i++) {
        if (!prefix_may_match(routes[i].pattern, path) || !path_match(routes[i].pattern, path, r))
            continue;
        if (!strcmp(routes[i].method, method) || (!strcmp(method, "HEAD") && !strcmp(routes[i].method, "GET")))
            return i;
        *method_mismatch = true;
    }
    r->nparams = 0;
    return -1;
}
