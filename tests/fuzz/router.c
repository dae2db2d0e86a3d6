/*
 * Fuzz target: the router against the real route table (src/routes.c), no
 * server.  The input is "METHOD PATH" (path as microhttpd hands it over,
 * query string stripped).  A match must be exact: putting the captured
 * parameters back into the route's pattern gives the path again.
 */
#include "fuzz.h"
#include "routes.h"

/* Writes pattern with each {name} replaced by the next captured value; false if it does not fit. */
static bool rebuild(const char *pattern, const struct http_req *r, char *out, size_t cap)
{
    size_t o = 0;
    int k = 0;
    for (const char *p = pattern; *p;) {
        const char *piece = p;
        size_t n = 1;
        if (*p == '{' && strchr(p, '}')) {
            if (k >= r->nparams)
                return false;
            piece = r->param_values[k++];
            n = strlen(piece);
            p = strchr(p, '}') + 1;
        } else {
            p++;
        }
        if (o + n >= cap)
            return false;
        memcpy(out + o, piece, n);
        o += n;
    }
    out[o] = '\0';
    return k == r->nparams;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char *path = strchr(s, ' ');
    if (path) {
        *path++ = '\0';
        struct http_req r = {0};
        bool mismatch;
        arena_init(&r.arena);
        int i = http_route_match(cordon_routes, cordon_nroutes, s, path, &r, &mismatch);
        FUZZ_ASSERT(i >= -1 && i < cordon_nroutes && r.nparams >= 0 && r.nparams <= HTTP_MAX_PARAMS);
        if (i >= 0) {
            const struct http_route *rt = &cordon_routes[i];
            FUZZ_ASSERT(!strcmp(rt->method, s) || (!strcmp(s, "HEAD") && !strcmp(rt->method, "GET")));
            for (int k = 0; k < r.nparams; k++)
                FUZZ_ASSERT(*r.param_values[k] && !strchr(r.param_values[k], '/') && http_param(&r, r.param_names[k]));
            char *again = malloc(strlen(path) + 1);
            if (!again)
                abort();
            FUZZ_ASSERT(rebuild(rt->pattern, &r, again, strlen(path) + 1) && !strcmp(again, path));
            free(again);
        } else {
            FUZZ_ASSERT(r.nparams == 0);
        }
        arena_release(&r.arena);
    }
    free(s);
    return 0;
}
