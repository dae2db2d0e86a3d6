/*
 * jsonin.h - strict reading of JSON request bodies (jansson).
 *
 * A body must be a JSON object in UTF-8 with no field outside the endpoint's
 * list.  Each getter checks presence and type and fills a fault naming the
 * field on failure, so a handler reads its input in a few lines and every
 * bad request gets the same precise 400.
 */
#ifndef CORDON_CORE_JSONIN_H
#define CORDON_CORE_JSONIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/*
 * Makes jansson allocate through jsonin's functions: the values jsonin_parse makes then live in
 * the request's arena (no malloc per value on the request path), every other value on the heap.
 * Called once, first thing in main, before any jansson value exists; without it jansson keeps
 * using malloc and everything still works.
 */
void jsonin_setup(void);
/* Whether p lies in the memory of a parse on this thread whose arena is not yet released. */
bool jsonin_parsed_memory(const void *p);
/* Parses body into an object owned by the arena. Empty body counts as invalid. A parsed value
 * must not be kept past the arena (the arena holds its memory, not only its reference). */
int jsonin_parse(struct arena *a, const char *body, size_t len, json_t **out, struct fault *f);
/* Fails with ERR_UNKNOWN_FIELD if obj has a key not in the NULL-terminated list. */
int jsonin_allow(json_t *obj, const char *const *allowed, struct fault *f);
/*
 * Strings: *out is NULL when the field is absent or null and not required.
 * Length is counted in characters; strings must not be empty when present.
 */
int jsonin_str(json_t *obj, const char *name, bool required, size_t maxchars, const char **out, struct fault *f);
/* A client id (core/ids.h) under name: the one way handlers read one. */
int jsonin_client_id(json_t *obj, const char *name, bool required, const char **out, struct fault *f);
int jsonin_bool(json_t *obj, const char *name, bool required, int *out /* -1 absent, 0, 1 */, struct fault *f);
/* *out is left unchanged when the field is absent; present (may be NULL) says whether it was given. */
int jsonin_int(json_t *obj, const char *name, bool required, int64_t min, int64_t max, int64_t *out,
               bool *present, struct fault *f);

/* A coordinate in degrees within ±limit, as micro-degrees in *out_e6; *has says whether it was given. */
int jsonin_coord(json_t *obj, const char *name, bool required, double limit, bool *has, int64_t *out_e6,
                 struct fault *f);

#endif
