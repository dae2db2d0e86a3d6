/*
 * cbor.h - a small CBOR (RFC 8949) encoder and a strict, bounded decoder.
 *
 * Encoder: appends to a growable buffer with a ceiling; after any failure
 * (out of room) the buffer is marked failed and further appends do nothing,
 * so callers check once at the end.
 *
 * Decoder: parses a whole item into a tree.  It is meant for hostile input:
 * nesting is limited to CBOR_MAX_DEPTH, the number of items to
 * CBOR_MAX_ITEMS, a declared length is checked against the bytes left before
 * anything is allocated, reserved encodings, stray breaks, ill-formed
 * indefinite strings and invalid UTF-8 in text strings are rejected.  It
 * accepts definite and indefinite lengths and non-shortest integer heads
 * (real DCCs use them).  Byte and text strings point into the input (except
 * indefinite ones, which are joined into owned memory), so the input must
 * outlive the tree.
 */
#ifndef CORDON_DCC_CBOR_H
#define CORDON_DCC_CBOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Encoder ------------------------------------------------------------- */

struct cbor_buf {
    uint8_t *data; /* malloc'd; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;    /* ceiling on len */
    bool failed;   /* an append failed: contents are incomplete */
};

/* Starts an empty buffer that may grow to max bytes. */
void cbor_buf_init(struct cbor_buf *b, size_t max);
/* Empties the buffer, keeping its memory (for reuse on a hot path). */
void cbor_buf_reset(struct cbor_buf *b);
void cbor_buf_release(struct cbor_buf *b);

void cbor_put_uint(struct cbor_buf *b, uint64_t v);
void cbor_put_int(struct cbor_buf *b, int64_t v);
void cbor_put_bytes(struct cbor_buf *b, const void *p, size_t len);
void cbor_put_text(struct cbor_buf *b, const char *s, size_t len);
void cbor_put_array(struct cbor_buf *b, uint64_t n);
void cbor_put_map(struct cbor_buf *b, uint64_t n); /* n pairs follow */
void cbor_put_tag(struct cbor_buf *b, uint64_t tag);
void cbor_put_bool(struct cbor_buf *b, bool v);
void cbor_put_null(struct cbor_buf *b);
void cbor_put_double(struct cbor_buf *b, double v); /* float32 when exact, else float64 */
/* Appends bytes that are already CBOR. */
void cbor_put_raw(struct cbor_buf *b, const void *p, size_t len);
/*
 * Appends a JSON value: object -> map with text keys (in the object's order),
 * array, string, integer, real, true, false, null.  Returns 0, or -1 when
 * nesting exceeds CBOR_MAX_DEPTH (the buffer is then marked failed).
 */
int cbor_put_json(struct cbor_buf *b, const json_t *v);

/* ---- Decoder ------------------------------------------------------------- */

#define CBOR_MAX_DEPTH 16    /* containers and tags inside one another */
#define CBOR_MAX_ITEMS 4096  /* items in one decoded tree */

enum cbor_type {
    CBOR_UINT,   /* u */
    CBOR_NINT,   /* value is -1 - u */
    CBOR_BYTES,  /* data, len */
    CBOR_TEXT,   /* data, len: valid UTF-8, not NUL-terminated */
    CBOR_ARRAY,  /* n items */
    CBOR_MAP,    /* n pairs: items[2i] key, items[2i+1] value */
    CBOR_TAG,    /* tag number u, one item */
    CBOR_FALSE,
    CBOR_TRUE,
    CBOR_NULL,
    CBOR_UNDEFINED,
    CBOR_SIMPLE, /* other simple value u */
    CBOR_FLOAT   /* f (half, single or double on the wire) */
};

struct cbor_item {
    enum cbor_type type;
    uint64_t u;
    double f;
    const uint8_t *data;
    size_t len;
    size_t n;
    struct cbor_item *items;
    bool owned;          /* data is malloc'd (joined indefinite string) */
    size_t nslots;       /* internal: entries allocated in items */
};

/*
 * Decodes exactly one item filling in[0..len) (trailing bytes are an error).
 * On success *out is the tree (free with cbor_free()).  On failure returns
 * -1, *out is NULL and err (if not NULL) says what and at which offset.
 */
int cbor_decode(const uint8_t *in, size_t len, struct cbor_item **out, char *err, size_t errlen);
void cbor_free(struct cbor_item *it);

/* The value of a map entry whose key is the integer key, or NULL. */
const struct cbor_item *cbor_map_get_int(const struct cbor_item *map, int64_t key);
/* The value of a map entry whose key is the text key, or NULL. */
const struct cbor_item *cbor_map_get_text(const struct cbor_item *map, const char *key);
/* True when it is an integer (major 0 or 1) that fits int64_t; stores it in *v. */
bool cbor_get_int(const struct cbor_item *it, int64_t *v);

/*
 * Converts an item to JSON: maps need text keys (no duplicates), byte strings,
 * undefined and other simple values are refused, tags are dropped (their
 * content converted), integers must fit int64_t.  Returns 0 and a new
 * reference in *out, or -1 with err.
 */
int cbor_to_json(const struct cbor_item *it, json_t **out, char *err, size_t errlen);

#endif
