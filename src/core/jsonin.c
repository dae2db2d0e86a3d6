#include "core/jsonin.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"

static void json_decref_cb(void *p)
{
    json_decref(p);
}

/*
 * The values jsonin_parse makes come from the request's arena; every other block jansson asks for
 * (a field a handler adds, a hashtable growing, json_dumps' text) comes from malloc as usual, so
 * what jansson hands out stays free()-able.  jansson frees blocks one by one, so its free function
 * must tell the two apart: each thread keeps its parses whose arenas are not yet released (a few:
 * the requests its connections have in flight), each with the blocks its values went to, and a
 * block inside one of those is left to its arena.  An arena is released on the thread that parsed
 * into it (a request lives on its connection's thread), and no parsed value outlives its arena.
 */
#define PARSES_MAX 64
/* Bytes of body: a larger one parses on the heap, where the lexer's outgrown buffers go back at once. */
#define PARSE_IN_ARENA_MAX 65536

/* A parse whose values are in an arena: between two marks of it (`to` unset while it runs). */
struct parse {
    struct arena *arena;
    struct arena_mark from, to;
    bool done;
};

static _Thread_local struct arena *parse_arena; /* set while jsonin_parse runs */
static _Thread_local struct parse *parses[PARSES_MAX];
static _Thread_local int nparses;

static void *json_block_alloc(size_t n)
{
    return parse_arena ? arena_alloc(parse_arena, n) : malloc(n);
}

bool jsonin_parsed_memory(const void *p)
{
    for (int i = nparses - 1; i >= 0; i--) {
        const struct parse *x = parses[i];
        if (arena_owns_between(x->from, x->done ? x->to : arena_mark(x->arena), p))
            return true;
    }
    return false;
}

static void json_block_free(void *p)
{
    if (!jsonin_parsed_memory(p))
        free(p);
}

void jsonin_setup(void)
{
    json_set_alloc_funcs(json_block_alloc, json_block_free);
}

/* Runs after the parsed value's json_decref (cleanups run in reverse order of registration). */
static void parse_forget(void *p)
{
    for (int i = nparses - 1; i >= 0; i--)
        if (parses[i] == p) {
            parses[i] = parses[--nparses];
            return;
        }
    abort(); /* released on another thread than the one that parsed into it */
}

/* Remembers a parse into a about to begin; NULL when the thread remembers too many (the heap, then). */
static struct parse *parse_begin(struct arena *a)
{
    if (nparses == PARSES_MAX)
        return NULL;
    struct parse *x = arena_alloc(a, sizeof(*x));
    x->arena = a;
    x->from = arena_mark(a);
    arena_on_release(a, parse_forget, x);
    parses[nparses++] = x;
    return x;
}

int jsonin_parse(struct arena *a, const char *body, size_t len, json_t **out, struct fault *f)
{
    if (len == 0)
        return fault_set(f, ERR_INVALID_JSON, NULL, "request body is empty; a JSON object is expected");
    if (!text_utf8_valid(body, len))
        return fault_set(f, ERR_INVALID_JSON, NULL, "request body is not valid UTF-8");
    json_error_t je;
    struct parse *x = len <= PARSE_IN_ARENA_MAX ? parse_begin(a) : NULL; /* else on the heap */
    parse_arena = x ? a : NULL;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    parse_arena = NULL;
    if (x) {
        x->to = arena_mark(a);
        x->done = true;
    }
    if (!v)
        return fault_set(f, ERR_INVALID_JSON, NULL, "invalid JSON at line %d column %d: %s", je.line, je.column,
                         je.text);
    arena_on_release(a, json_decref_cb, v);
    if (!json_is_object(v))
        return fault_set(f, ERR_INVALID_JSON, NULL, "request body must be a JSON object");
    *out = v;
    return 0;
}

int jsonin_allow(json_t *obj, const char *const *allowed, struct fault *f)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        (void)val;
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (!*a) /* key lives as long as obj, which the request arena holds */
            return fault_set(f, ERR_UNKNOWN_FIELD, key, "unknown field \"%.64s\"", key);
    }
    return 0;
}

int jsonin_str(json_t *obj, const char *name, bool required, size_t maxchars, const char **out, struct fault *f)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? fault_set(f, ERR_MISSING_FIELD, name, "%s is required", name) : 0;
    if (!json_is_string(v))
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must be a string", name);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must not contain NUL characters", name);
    if (!*s)
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must not be empty", name);
    if (text_utf8_length(s) > maxchars)
        return fault_set(f, ERR_INVALID_FIELD, name, "%s is longer than %zu characters", name, maxchars);
    *out = s;
    return 0;
}

int jsonin_client_id(json_t *obj, const char *name, bool required, const char **out, struct fault *f)
{
    /* No length cap here: a long id gets the client id rule's message, not the generic one. */
    int rc = jsonin_str(obj, name, required, SIZE_MAX, out, f);
    if (!rc && *out)
        rc = client_id_check(*out, name, f);
    if (rc)
        *out = NULL;
    return rc;
}

int jsonin_bool(json_t *obj, const char *name, bool required, int *out, struct fault *f)
{
    json_t *v = json_object_get(obj, name);
    *out = -1;
    if (!v || json_is_null(v))
        return required ? fault_set(f, ERR_MISSING_FIELD, name, "%s is required", name) : 0;
    if (!json_is_boolean(v))
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must be true or false", name);
    *out = json_is_true(v);
    return 0;
}

int jsonin_int(json_t *obj, const char *name, bool required, int64_t min, int64_t max, int64_t *out,
               bool *present, struct fault *f)
{
    json_t *v = json_object_get(obj, name);
    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return required ? fault_set(f, ERR_MISSING_FIELD, name, "%s is required", name) : 0;
    if (!json_is_integer(v))
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must be an integer", name);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must be between %lld and %lld", name, (long long)min,
                         (long long)max);
    *out = n;
    if (present)
        *present = true;
    return 0;
}

int jsonin_coord(json_t *obj, const char *name, bool required, double limit, bool *has, int64_t *out_e6,
                 struct fault *f)
{
    json_t *v = json_object_get(obj, name);
    *has = false;
    if (!v || json_is_null(v))
        return required ? fault_set(f, ERR_MISSING_FIELD, name, "%s is required", name) : 0;
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || fabs(json_number_value(v)) > limit)
        return fault_set(f, ERR_INVALID_FIELD, name, "%s must be a number from -%g to %g", name, limit, limit);
    *out_e6 = (int64_t)llround(json_number_value(v) * 1e6);
    *has = true;
    return 0;
}
