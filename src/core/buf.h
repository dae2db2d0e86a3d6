/*
 * buf.h - a growable byte buffer with a ceiling.
 *
 * Invariants: data is never NULL after buf_init, always NUL-terminated, and
 * len never exceeds max.  An append that would pass max fails with -1 and
 * leaves the buffer as it was, so no request body or output grows uncapped.
 */
#ifndef CORDON_CORE_BUF_H
#define CORDON_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* largest len allowed */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Empties b for another use with a new max, keeping its memory unless it holds more than keep. */
void buf_reuse(struct buf *b, size_t max, size_t keep);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (free() it); the buffer is re-initialised empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
