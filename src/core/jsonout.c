/*
 * jsonout.c - JSON written straight into a buffer (jsonout.h).
 */
#include "core/jsonout.h"

#include <stdio.h>
#include <string.h>

void jsonout_start(struct jsonout *o, struct buf *b) { *o = (struct jsonout){.b = b}; }

static void put(struct jsonout *o, const char *p, size_t n)
{
    if (!o->err && buf_add(o->b, p, n))
        o->err = -1;
}

/* "\"key\":" after a comma if one is due; the key is a name in the code, never escaped */
static void member(struct jsonout *o, const char *key)
{
    if (o->comma)
        put(o, ",", 1);
    o->comma = true;
    if (key) {
        put(o, "\"", 1);
        put(o, key, strlen(key));
        put(o, "\":", 2);
    }
}

static void escaped(struct jsonout *o, const char *s)
{
    put(o, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(o, run, (size_t)(s - run));
        run = s + 1;
        char esc[8];
        switch (c) {
        case '"':
            put(o, "\\\"", 2);
            break;
        case '\\':
            put(o, "\\\\", 2);
            break;
        case '\b':
            put(o, "\\b", 2);
            break;
        case '\f':
            put(o, "\\f", 2);
            break;
        case '\n':
            put(o, "\\n", 2);
            break;
        case '\r':
            put(o, "\\r", 2);
            break;
        case '\t':
            put(o, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04X", c);
            put(o, esc, 6);
        }
    }
    put(o, run, (size_t)(s - run));
    put(o, "\"", 1);
}

void jsonout_object(struct jsonout *o, const char *key)
{
    member(o, key);
    put(o, "{", 1);
    o->comma = false;
}

void jsonout_array(struct jsonout *o, const char *key)
{
    member(o, key);
    put(o, "[", 1);
    o->comma = false;
}

void jsonout_close_object(struct jsonout *o)
{
    put(o, "}", 1);
    o->comma = true;
}

void jsonout_close_array(struct jsonout *o)
{
    put(o, "]", 1);
    o->comma = true;
}

void jsonout_str(struct jsonout *o, const char *key, const char *v)
{
    member(o, key);
    if (v)
        escaped(o, v);
    else
        put(o, "null", 4);
}

void jsonout_int(struct jsonout *o, const char *key, int64_t v)
{
    member(o, key);
    char digits[24], *p = digits + sizeof(digits);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put(o, p, (size_t)(digits + sizeof(digits) - p));
}

void jsonout_int_or_null(struct jsonout *o, const char *key, int64_t v)
{
    if (v)
        jsonout_int(o, key, v);
    else
        jsonout_null(o, key);
}

void jsonout_null(struct jsonout *o, const char *key)
{
    member(o, key);
    put(o, "null", 4);
}

int jsonout_end(struct jsonout *o) { return o->err; }
