/*
 * mem.h - allocation wrappers with one out-of-memory policy: abort.
 *
 * Inputs to the server are bounded (request bodies, query sizes), so an
 * allocation failure means the machine is out of memory; there is no useful
 * recovery, and checking every call site would hide real errors.
 */
#ifndef CORDON_CORE_MEM_H
#define CORDON_CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Overwrites n bytes at p with zeros in a way the compiler may not remove. */
void mem_wipe(void *p, size_t n);

#endif
