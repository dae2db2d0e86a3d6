/*
 * base45.h - Base45 (RFC 9285), the text encoding of DCC QR codes.
 *
 * Encoding is total; decoding is strict: a character outside the 45-symbol
 * alphabet, a dangling single character, or a group whose value is too large
 * for its bytes (> 65535 for three characters, > 255 for two) is an error.
 */
#ifndef CORDON_DCC_BASE45_H
#define CORDON_DCC_BASE45_H

#include <stddef.h>
#include <stdint.h>

/* Characters base45_encode() writes for len bytes (without the NUL). */
#define BASE45_ENCODED_LEN(len) ((len) / 2 * 3 + (len) % 2 * 2)
/* Upper bound of the bytes base45_decode() writes for n characters. */
#define BASE45_DECODED_MAX(n) ((n) / 3 * 2 + 1)

/* Writes BASE45_ENCODED_LEN(len) characters and a NUL to out. */
void base45_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decodes n characters of in into out (room for BASE45_DECODED_MAX(n) bytes);
 * *out_len gets the byte count.  Returns 0, or -1 on malformed input, with
 * *bad_at set (if not NULL) to the index of the offending character.
 */
int base45_decode(const char *in, size_t n, uint8_t *out, size_t *out_len, size_t *bad_at);

#endif
