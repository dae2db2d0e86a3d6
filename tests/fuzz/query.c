/*
 * Fuzz target: query strings.  microhttpd splits them (on '&' and the first
 * '='), turns '+' into a space and decodes %XX with the server's
 * http_unescape(); this target does the same, then runs what the server and
 * the handlers do with each parameter: the UTF-8 check of every request
 * (http_query_check), integers (http_query_int_value), path-style ids
 * (http_param_id) and dates (vn_date_parse, which must agree with
 * vn_date_format).
 */
#include "core/clock.h"
#include "fuzz.h"
#include "http/http.h"

static void plus_to_space(char *s)
{
    for (; *s; s++)
        if (*s == '+')
            *s = ' ';
}

static void one(struct http_req *r, char *key, char *value)
{
    plus_to_space(key);
    size_t klen = http_unescape(key), vlen = 0;
    if (value) {
        plus_to_space(value);
        vlen = http_unescape(value);
    }
    if (http_query_check(r, key, klen, value, vlen)) {
        FUZZ_ASSERT(r->fault.code == ERR_INVALID_FIELD && r->fault.field);
        fault_clear(&r->fault);
        return;
    }
    FUZZ_ASSERT(strlen(key) == klen && (!value || strlen(value) == vlen));
    int64_t n = 0, day;
    if (http_query_int_value(r, key, value, -500, 500, 100, &n))
        fault_clear(&r->fault);
    else /* an integer is an optional minus and digits, nothing else */
        FUZZ_ASSERT(n >= -500 && n <= 500 && (!value || strspn(value + (*value == '-'), "0123456789") == strlen(value + (*value == '-'))));
    r->nparams = 1;
    r->param_names[0] = key;
    r->param_values[0] = value;
    if (http_param_id(r, key, &n))
        fault_clear(&r->fault);
    else
        FUZZ_ASSERT(n >= 1 && strspn(value, "0123456789") == strlen(value)); /* an id is digits, nothing else */
    r->nparams = 0;
    if (value && vn_date_parse(value, &day)) {
        char back[11];
        vn_date_format(day, back);
        FUZZ_ASSERT(!strcmp(back, value));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *args = fuzz_cstr(data, size);
    struct http_req r = {0};
    arena_init(&r.arena);
    for (char *p = args; p && *p;) {
        char *amp = strchr(p, '&'), *eq = strchr(p, '=');
        if (amp)
            *amp = '\0';
        if (eq && (!amp || eq < amp))
            *eq++ = '\0';
        else
            eq = NULL;
        one(&r, p, eq);
        p = amp ? amp + 1 : NULL;
    }
    arena_release(&r.arena);
    free(args);
    return 0;
}
