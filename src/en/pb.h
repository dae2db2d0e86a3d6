/*
 * pb.h - the few protocol buffer encodings the export files use (proto2:
 * varint, zigzag sint32, fixed64, length-delimited), written by hand rather
 * than generated: four small messages do not need a code generator.
 */
#ifndef CORDON_EN_PB_H
#define CORDON_EN_PB_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum pb_wire { PB_VARINT = 0, PB_FIXED64 = 1, PB_LEN = 2, PB_FIXED32 = 5 };

/* Writers: each returns 0, or -1 when the buffer would pass its ceiling. */
int pb_put_varint(struct buf *b, int field, uint64_t v);
int pb_put_int32(struct buf *b, int field, int32_t v); /* negative: ten bytes, as protobuf does */
int pb_put_sint32(struct buf *b, int field, int32_t v);
int pb_put_fixed64(struct buf *b, int field, uint64_t v);
int pb_put_bytes(struct buf *b, int field, const void *p, size_t n);
int pb_put_string(struct buf *b, int field, const char *s);

/* A reader over one message; next() steps field by field. */
struct pb_reader {
    const uint8_t *p, *end;
};
struct pb_field {
    int number;
    enum pb_wire wire;
    uint64_t value;      /* PB_VARINT, PB_FIXED64, PB_FIXED32 */
    const uint8_t *data; /* PB_LEN */
    size_t len;
};
/* 1 with f filled, 0 at the end of the message, -1 on a malformed one. */
int pb_next(struct pb_reader *r, struct pb_field *f);
int32_t pb_zigzag32(uint64_t v);

#endif
