/*
 * arena.h - a region allocator: many allocations, one free.
 *
 * Each HTTP request owns an arena; everything a handler allocates for the
 * request (parsed input, query results, JSON output) lives there and goes away
 * with arena_release().  Cleanups hang foreign resources (jansson values,
 * statements) on the arena so they are released at the same moment.
 */
#ifndef CORDON_CORE_ARENA_H
#define CORDON_CORE_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *head;       /* newest block; allocations come from here */
    struct arena_cleanup *cleanups; /* run in reverse order of registration */
};

void arena_init(struct arena *a);
/* Frees every block and runs every cleanup; the arena is empty and reusable. */
void arena_release(struct arena *a);

/* As arena_release, but keeps the first block (if of the usual size) for the arena's next use. */
void arena_reset(struct arena *a);

/* Never returns NULL (aborts on out of memory). Memory is zeroed, 16-byte aligned. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/*
 * A place in an arena's allocations.  What was allocated between two marks lies in the blocks
 * between them, however many the arena gets before or after: arena_owns_between looks there only.
 * A mark stays good until the arena is reset or released.
 */
struct arena_mark {
    const struct arena_block *block; /* the newest block then; NULL: the arena had none */
};
struct arena_mark arena_mark(const struct arena *a);
/* Whether p lies in a block from `to` (the later mark) back to `from`, both included. */
bool arena_owns_between(struct arena_mark from, struct arena_mark to, const void *p);

/* Registers fn(p) to run at arena_release(). */
void arena_on_release(struct arena *a, void (*fn)(void *), void *p);

#endif
