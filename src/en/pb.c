/*
 * pb.c - protocol buffer wire format: see pb.h.
 */
#include <string.h>

#include "en/pb.h"

static int put_raw_varint(struct buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    return buf_add(b, tmp, n);
}

static int put_tag(struct buf *b, int field, enum pb_wire w)
{
    return put_raw_varint(b, (uint64_t)field << 3 | (uint64_t)w);
}

int pb_put_varint(struct buf *b, int field, uint64_t v)
{
    return put_tag(b, field, PB_VARINT) || put_raw_varint(b, v) ? -1 : 0;
}

int pb_put_int32(struct buf *b, int field, int32_t v)
{
    return pb_put_varint(b, field, (uint64_t)(int64_t)v);
}

int pb_put_sint32(struct buf *b, int field, int32_t v)
{
    uint32_t z = ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
    return pb_put_varint(b, field, z);
}

int pb_put_fixed64(struct buf *b, int field, uint64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    return put_tag(b, field, PB_FIXED64) || buf_add(b, le, 8) ? -1 : 0;
}

int pb_put_bytes(struct buf *b, int field, const void *p, size_t n)
{
    return put_tag(b, field, PB_LEN) || put_raw_varint(b, n) || buf_add(b, p, n) ? -1 : 0;
}

int pb_put_string(struct buf *b, int field, const char *s)
{
    return pb_put_bytes(b, field, s, strlen(s));
}

static int get_varint(struct pb_reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t c = *r->p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

int pb_next(struct pb_reader *r, struct pb_field *f)
{
    if (r->p >= r->end)
        return 0;
    uint64_t tag;
    if (get_varint(r, &tag) || tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
        return -1;
    f->number = (int)(tag >> 3);
    f->wire = (enum pb_wire)(tag & 7);
    f->data = NULL;
    f->len = 0;
    f->value = 0;
    switch (f->wire) {
    case PB_VARINT:
        return get_varint(r, &f->value) ? -1 : 1;
    case PB_FIXED64:
    case PB_FIXED32: {
        size_t n = f->wire == PB_FIXED64 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return -1;
        for (size_t i = 0; i < n; i++)
            f->value |= (uint64_t)r->p[i] << (8 * i);
        r->p += n;
        return 1;
    }
    case PB_LEN: {
        uint64_t n;
        if (get_varint(r, &n) || n > (uint64_t)(r->end - r->p))
            return -1;
        f->data = r->p;
        f->len = (size_t)n;
        r->p += n;
        return 1;
    }
    default: /* groups are not used by these messages */
        return -1;
    }
}

int32_t pb_zigzag32(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    return (int32_t)(u >> 1) ^ -(int32_t)(u & 1);
}
