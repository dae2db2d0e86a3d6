/*
 * photo.h - photos that pages send in JSON: base64, or a base64 data URL, of
 * a JPEG or a PNG, checked by its first bytes (never by what the client says)
 * and stored again as plain base64.
 */
#ifndef CORDON_CORE_PHOTO_H
#define CORDON_CORE_PHOTO_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* "image/jpeg" or "image/png" when the bytes start like one, else NULL. */
const char *photo_type(const unsigned char *p, size_t len);

/*
 * Reads photo text `in` of at most max bytes once decoded: *type and *b64 (normalised base64 in
 * a) on success; else a fault naming field: 400 not base64, 413 too large, 400 not JPEG or PNG.
 */
int photo_read(struct arena *a, const char *in, size_t max, const char *field, const char **type, const char **b64,
               struct fault *f);

/* The bytes of stored base64 b64, in a: 0, or -1 when it is not base64. */
int photo_decode(struct arena *a, const char *b64, unsigned char **out, size_t *len);

#endif
