/*
 * cbor.c - CBOR encoder into a capped buffer, strict decoder into a tree,
 * and the conversions between CBOR and JSON that DCC payloads need.
 */
#include "dcc/cbor.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Encoder ------------------------------------------------------------- */

void cbor_buf_init(struct cbor_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void cbor_buf_reset(struct cbor_buf *b)
{
    b->len = 0;
    b->failed = false;
}

void cbor_buf_release(struct cbor_buf *b)
{
    free(b->data);
    cbor_buf_init(b, b->max);
}

/* Makes room for n more bytes; false (and failed set) when over the ceiling or out of memory. */
static bool reserve(struct cbor_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (n > b->max - b->len) {
        b->failed = true;
        return false;
    }
    if (b->len + n <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void cbor_put_raw(struct cbor_buf *b, const void *p, size_t len)
{
    if (!reserve(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
}

/* Writes an initial byte and its argument in the shortest form. */
static void put_head(struct cbor_buf *b, unsigned major, uint64_t v)
{
    if (!reserve(b, 9))
        return;
    uint8_t *p = b->data + b->len;
    uint8_t m = (uint8_t)(major << 5);
    int n;
    if (v < 24) {
        p[0] = m | (uint8_t)v;
        n = 0;
    } else if (v <= 0xff) {
        p[0] = m | 24;
        n = 1;
    } else if (v <= 0xffff) {
        p[0] = m | 25;
        n = 2;
    } else if (v <= 0xffffffffu) {
        p[0] = m | 26;
        n = 4;
    } else {
        p[0] = m | 27;
        n = 8;
    }
    for (int i = 0; i < n; i++)
        p[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    b->len += 1 + (size_t)n;
}

void cbor_put_uint(struct cbor_buf *b, uint64_t v)
{
    put_head(b, 0, v);
}

void cbor_put_int(struct cbor_buf *b, int64_t v)
{
    if (v >= 0)
        put_head(b, 0, (uint64_t)v);
    else
        put_head(b, 1, (uint64_t)(-1 - v));
}

void cbor_put_bytes(struct cbor_buf *b, const void *p, size_t len)
{
    put_head(b, 2, len);
    cbor_put_raw(b, p, len);
}

void cbor_put_text(struct cbor_buf *b, const char *s, size_t len)
{
    put_head(b, 3, len);
    cbor_put_raw(b, s, len);
}

void cbor_put_array(struct cbor_buf *b, uint64_t n)
{
    put_head(b, 4, n);
}

void cbor_put_map(struct cbor_buf *b, uint64_t n)
{
    put_head(b, 5, n);
}

void cbor_put_tag(struct cbor_buf *b, uint64_t tag)
{
    put_head(b, 6, tag);
}

void cbor_put_bool(struct cbor_buf *b, bool v)
{
    uint8_t c = v ? 0xf5 : 0xf4;
    cbor_put_raw(b, &c, 1);
}

void cbor_put_null(struct cbor_buf *b)
{
    uint8_t c = 0xf6;
    cbor_put_raw(b, &c, 1);
}

void cbor_put_double(struct cbor_buf *b, double v)
{
    uint8_t out[9];
    float f = (float)v;
    if ((double)f == v) {
        uint32_t bits;
        memcpy(&bits, &f, 4);
        out[0] = 0xfa;
        for (int i = 0; i < 4; i++)
            out[1 + i] = (uint8_t)(bits >> (24 - 8 * i));
        cbor_put_raw(b, out, 5);
        return;
    }
    uint64_t bits;
    memcpy(&bits, &v, 8);
    out[0] = 0xfb;
    for (int i = 0; i < 8; i++)
        out[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
    cbor_put_raw(b, out, 9);
}

static int put_json(struct cbor_buf *b, const json_t *v, int depth)
{
    if (depth > CBOR_MAX_DEPTH) {
        b->failed = true;
        return -1;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        cbor_put_map(b, json_object_size(v));
        json_object_foreach((json_t *)v, key, val)
        {
            cbor_put_text(b, key, strlen(key));
            if (put_json(b, val, depth + 1))
                return -1;
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *val;
        cbor_put_array(b, json_array_size(v));
        json_array_foreach(v, i, val)
        {
            if (put_json(b, val, depth + 1))
                return -1;
        }
        break;
    }
    case JSON_STRING:
        cbor_put_text(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        cbor_put_int(b, json_integer_value(v));
        break;
    case JSON_REAL:
        cbor_put_double(b, json_real_value(v));
        break;
    case JSON_TRUE:
        cbor_put_bool(b, true);
        break;
    case JSON_FALSE:
        cbor_put_bool(b, false);
        break;
    case JSON_NULL:
        cbor_put_null(b);
        break;
    }
    return b->failed ? -1 : 0;
}

int cbor_put_json(struct cbor_buf *b, const json_t *v)
{
    return put_json(b, v, 1);
}

/* ---- Decoder ------------------------------------------------------------- */

struct dec {
    const uint8_t *start, *p, *end;
    size_t items;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct dec *d, const char *fmt, ...)
{
    if (d->err && d->errlen) {
        char msg[128];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(d->err, d->errlen, "%s at byte %zu", msg, (size_t)(d->p - d->start));
    }
    return -1;
}

/* Reads an initial byte and its argument; *indef for additional info 31. */
static int read_head(struct dec *d, unsigned *major, unsigned *ai, uint64_t *arg, bool *indef)
{
    if (d->p >= d->end)
        return fail(d, "truncated");
    uint8_t ib = *d->p++;
    *major = ib >> 5;
    *ai = ib & 31;
    *indef = false;
    *arg = 0;
    if (*ai < 24) {
        *arg = *ai;
    } else if (*ai <= 27) {
        size_t n = (size_t)1 << (*ai - 24);
        if ((size_t)(d->end - d->p) < n)
            return fail(d, "truncated");
        for (size_t i = 0; i < n; i++)
            *arg = *arg << 8 | d->p[i];
        d->p += n;
    } else if (*ai <= 30) {
        d->p--;
        return fail(d, "reserved additional information %u", *ai);
    } else {
        if (*major == 0 || *major == 1 || *major == 6) {
            d->p--;
            return fail(d, "indefinite length on major type %u", *major);
        }
        *indef = true;
    }
    return 0;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static double half_to_double(uint16_t h)
{
    int exp = (h >> 10) & 0x1f;
    int mant = h & 0x3ff;
    double v;
    if (exp == 0)
        v = ldexp(mant, -24);
    else if (exp != 31)
        v = ldexp(mant + 1024, exp - 25);
    else
        v = mant == 0 ? INFINITY : NAN;
    return (h & 0x8000) ? -v : v;
}

/* Appends one empty slot to a container growing by indefinite length. */
static struct cbor_item *grow(struct dec *d, struct cbor_item *it)
{
    if (it->nslots % 16 == 0) {
        struct cbor_item *p = realloc(it->items, (it->nslots + 16) * sizeof(*p));
        if (!p) {
            fail(d, "out of memory");
            return NULL;
        }
        memset(p + it->nslots, 0, 16 * sizeof(*p));
        it->items = p;
    }
    return &it->items[it->nslots++];
}

static bool at_break(struct dec *d)
{
    if (d->p < d->end && *d->p == 0xff) {
        d->p++;
        return true;
    }
    return false;
}

static int parse(struct dec *d, struct cbor_item *it, int depth);

static int parse_string(struct dec *d, struct cbor_item *it, unsigned major, uint64_t arg, bool indef)
{
    it->type = major == 2 ? CBOR_BYTES : CBOR_TEXT;
    if (!indef) {
        if (arg > (uint64_t)(d->end - d->p))
            return fail(d, "string longer than the input");
        it->data = d->p;
        it->len = (size_t)arg;
        d->p += arg;
    } else {
        /* Chunks are definite strings of the same major type; the total is
         * bounded by the input size, so one buffer of that size suffices. */
        uint8_t *buf = malloc((size_t)(d->end - d->p) + 1);
        if (!buf)
            return fail(d, "out of memory");
        it->data = buf;
        it->owned = true;
        it->len = 0;
        for (;;) {
            if (at_break(d))
                break;
            unsigned m = 0, ai = 0;
            uint64_t n = 0;
            bool ind = false;
            if (read_head(d, &m, &ai, &n, &ind))
                return -1;
            if (m != major || ind)
                return fail(d, "bad chunk in indefinite-length string");
            if (n > (uint64_t)(d->end - d->p))
                return fail(d, "string longer than the input");
            if (major == 3 && !utf8_valid(d->p, (size_t)n))
                return fail(d, "invalid UTF-8 in text string");
            memcpy(buf + it->len, d->p, (size_t)n);
            it->len += (size_t)n;
            d->p += n;
        }
    }
    if (major == 3 && !utf8_valid(it->data, it->len))
        return fail(d, "invalid UTF-8 in text string");
    return 0;
}

static int parse_container(struct dec *d, struct cbor_item *it, unsigned major, uint64_t arg, bool indef, int depth)
{
    it->type = major == 4 ? CBOR_ARRAY : CBOR_MAP;
    size_t per = major == 4 ? 1 : 2;
    if (!indef) {
        /* Every item takes at least one byte: refuse counts the input cannot hold. */
        if (arg > (uint64_t)(d->end - d->p) / per)
            return fail(d, "%s count larger than the input", major == 4 ? "array" : "map");
        size_t slots = (size_t)arg * per;
        if (slots) {
            it->items = calloc(slots, sizeof(*it->items));
            if (!it->items)
                return fail(d, "out of memory");
        }
        it->nslots = slots;
        it->n = (size_t)arg;
        for (size_t i = 0; i < slots; i++)
            if (parse(d, &it->items[i], depth + 1))
                return -1;
        return 0;
    }
    for (;;) {
        if (at_break(d))
            break;
        for (size_t k = 0; k < per; k++) {
            if (k && d->p < d->end && *d->p == 0xff)
                return fail(d, "break after a map key");
            struct cbor_item *c = grow(d, it);
            if (!c || parse(d, c, depth + 1))
                return -1;
        }
        it->n++;
    }
    return 0;
}

static int parse(struct dec *d, struct cbor_item *it, int depth)
{
    if (++d->items > CBOR_MAX_ITEMS)
        return fail(d, "more than %d items", CBOR_MAX_ITEMS);
    if (depth > CBOR_MAX_DEPTH)
        return fail(d, "nested deeper than %d", CBOR_MAX_DEPTH);
    unsigned major = 0, ai = 0;
    uint64_t arg = 0;
    bool indef = false;
    if (read_head(d, &major, &ai, &arg, &indef))
        return -1;
    switch (major) {
    case 0:
        it->type = CBOR_UINT;
        it->u = arg;
        return 0;
    case 1:
        it->type = CBOR_NINT;
        it->u = arg;
        return 0;
    case 2:
    case 3:
        return parse_string(d, it, major, arg, indef);
    case 4:
    case 5:
        return parse_container(d, it, major, arg, indef, depth);
    case 6:
        it->type = CBOR_TAG;
        it->u = arg;
        it->items = calloc(1, sizeof(*it->items));
        if (!it->items)
            return fail(d, "out of memory");
        it->nslots = 1;
        it->n = 1;
        return parse(d, it->items, depth + 1);
    default:
        break;
    }
    /* Major type 7. */
    if (indef) {
        d->p--;
        return fail(d, "unexpected break");
    }
    switch (ai) {
    case 20:
        it->type = CBOR_FALSE;
        return 0;
    case 21:
        it->type = CBOR_TRUE;
        return 0;
    case 22:
        it->type = CBOR_NULL;
        return 0;
    case 23:
        it->type = CBOR_UNDEFINED;
        return 0;
    case 24:
        if (arg < 32)
            return fail(d, "two-byte simple value below 32");
        it->type = CBOR_SIMPLE;
        it->u = arg;
        return 0;
    case 25:
        it->type = CBOR_FLOAT;
        it->f = half_to_double((uint16_t)arg);
        return 0;
    case 26: {
        uint32_t bits = (uint32_t)arg;
        float f;
        memcpy(&f, &bits, 4);
        it->type = CBOR_FLOAT;
        it->f = f;
        return 0;
    }
    case 27:
        it->type = CBOR_FLOAT;
        memcpy(&it->f, &arg, 8);
        return 0;
    default:
        it->type = CBOR_SIMPLE;
        it->u = arg;
        return 0;
    }
}

static void release(struct cbor_item *it)
{
    for (size_t i = 0; i < it->nslots; i++)
        release(&it->items[i]);
    free(it->items);
    if (it->owned)
        free((void *)it->data);
}

void cbor_free(struct cbor_item *it)
{
    if (!it)
        return;
    release(it);
    free(it);
}

int cbor_decode(const uint8_t *in, size_t len, struct cbor_item **out, char *err, size_t errlen)
{
    struct dec d = {.start = in, .p = in, .end = in + len, .err = err, .errlen = errlen};
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    struct cbor_item *it = calloc(1, sizeof(*it));
    if (!it)
        return fail(&d, "out of memory");
    if (parse(&d, it, 1)) {
        cbor_free(it);
        return -1;
    }
    if (d.p != d.end) {
        cbor_free(it);
        return fail(&d, "%zu trailing bytes", (size_t)(d.end - d.p));
    }
    *out = it;
    return 0;
}

/* ---- Access -------------------------------------------------------------- */

bool cbor_get_int(const struct cbor_item *it, int64_t *v)
{
    if (!it || (it->type != CBOR_UINT && it->type != CBOR_NINT) || it->u > INT64_MAX)
        return false;
    *v = it->type == CBOR_UINT ? (int64_t)it->u : -1 - (int64_t)it->u;
    return true;
}

const struct cbor_item *cbor_map_get_int(const struct cbor_item *map, int64_t key)
{
    if (!map || map->type != CBOR_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        int64_t k;
        if (cbor_get_int(&map->items[2 * i], &k) && k == key)
            return &map->items[2 * i + 1];
    }
    return NULL;
}

const struct cbor_item *cbor_map_get_text(const struct cbor_item *map, const char *key)
{
    if (!map || map->type != CBOR_MAP)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < map->n; i++) {
        const struct cbor_item *k = &map->items[2 * i];
        if (k->type == CBOR_TEXT && k->len == n && !memcmp(k->data, key, n))
            return &map->items[2 * i + 1];
    }
    return NULL;
}

/* ---- CBOR to JSON -------------------------------------------------------- */

static int to_json(const struct cbor_item *it, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    switch (it->type) {
    case CBOR_UINT:
    case CBOR_NINT: {
        int64_t v;
        if (!cbor_get_int(it, &v)) {
            snprintf(err, errlen, "integer out of range");
            return -1;
        }
        *out = json_integer(v);
        break;
    }
    case CBOR_TEXT:
        *out = json_stringn((const char *)it->data, it->len);
        break;
    case CBOR_ARRAY:
        *out = json_array();
        for (size_t i = 0; *out && i < it->n; i++) {
            json_t *v;
            if (to_json(&it->items[i], &v, err, errlen)) {
                json_decref(*out);
                *out = NULL;
                return -1;
            }
            json_array_append_new(*out, v);
        }
        break;
    case CBOR_MAP:
        *out = json_object();
        for (size_t i = 0; *out && i < it->n; i++) {
            const struct cbor_item *k = &it->items[2 * i];
            json_t *v;
            if (k->type != CBOR_TEXT) {
                snprintf(err, errlen, "map key is not a text string");
                goto bad;
            }
            /* JSON keys are C strings to everyone who reads them (jansson's
             * iteration too): a NUL would silently cut one. */
            if (memchr(k->data, 0, k->len)) {
                snprintf(err, errlen, "map key contains a NUL character");
                goto bad;
            }
            if (json_object_getn(*out, (const char *)k->data, k->len)) {
                snprintf(err, errlen, "duplicate map key \"%.*s\"", (int)(k->len > 40 ? 40 : k->len),
                         (const char *)k->data);
                goto bad;
            }
            if (to_json(&it->items[2 * i + 1], &v, err, errlen))
                goto bad;
            json_object_setn_new(*out, (const char *)k->data, k->len, v);
            continue;
        bad:
            json_decref(*out);
            *out = NULL;
            return -1;
        }
        break;
    case CBOR_TAG:
        return to_json(it->items, out, err, errlen);
    case CBOR_FALSE:
        *out = json_false();
        break;
    case CBOR_TRUE:
        *out = json_true();
        break;
    case CBOR_NULL:
        *out = json_null();
        break;
    case CBOR_FLOAT:
        if (!isfinite(it->f)) {
            snprintf(err, errlen, "non-finite number");
            return -1;
        }
        *out = json_real(it->f);
        break;
    case CBOR_BYTES:
        snprintf(err, errlen, "byte string where JSON is expected");
        return -1;
    default:
        snprintf(err, errlen, "simple value where JSON is expected");
        return -1;
    }
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int cbor_to_json(const struct cbor_item *it, json_t **out, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    return to_json(it, out, err, errlen);
}
