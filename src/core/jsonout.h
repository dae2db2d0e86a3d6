/*
 * jsonout.h - JSON written straight into a buffer.
 *
 * For answers on hot paths (a check-in is answered some 20,000 times a
 * second): no tree of json_t to allocate, dump and free.  Compact output,
 * strings escaped as jansson escapes them (quote, backslash and control
 * characters; UTF-8 as it is), so a client sees the same bytes either way.
 * A key is given for each member of an object and NULL inside an array.
 * Errors (the buffer's ceiling) are kept and reported once by jsonout_end.
 */
#ifndef CORDON_CORE_JSONOUT_H
#define CORDON_CORE_JSONOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

struct jsonout {
    struct buf *b;
    bool comma; /* a value was written at this level: the next one needs a comma */
    int err;
};

void jsonout_start(struct jsonout *o, struct buf *b);
void jsonout_object(struct jsonout *o, const char *key);
void jsonout_array(struct jsonout *o, const char *key);
void jsonout_close_object(struct jsonout *o);
void jsonout_close_array(struct jsonout *o);
/* A NULL string is written null. */
void jsonout_str(struct jsonout *o, const char *key, const char *v);
void jsonout_int(struct jsonout *o, const char *key, int64_t v);
/* An id or a time where 0 means none: 0 is written null. */
void jsonout_int_or_null(struct jsonout *o, const char *key, int64_t v);
void jsonout_null(struct jsonout *o, const char *key);
/* 0, or -1 if the buffer's ceiling was reached somewhere. */
int jsonout_end(struct jsonout *o);

#endif
