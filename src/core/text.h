/*
 * text.h - UTF-8 checks, NFC for names and the Vietnamese search fold.
 *
 * text_fold() turns a name into the form stored for search: lower case ASCII,
 * Vietnamese diacritics removed (đ -> d), runs of space and punctuation turned
 * into one space.  "Tỉnh Đắk Lắk" folds to "tinh dak lak", so a search typed
 * on a keyboard without Vietnamese input still finds it.
 */
#ifndef CORDON_CORE_TEXT_H
#define CORDON_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* true if s[0..len) is well-formed UTF-8 with no NUL and no overlong forms. */
bool text_utf8_valid(const char *s, size_t len);
/* The longest prefix of at most max bytes of the UTF-8 text s[0..len) that does not split a character. */
size_t text_utf8_prefix(const char *s, size_t len, size_t max);
/* Number of code points in a valid UTF-8 string. */
size_t text_utf8_length(const char *s);
/* Writes the fold of s into out (at most outlen-1 bytes, NUL-terminated); combining marks fold to nothing. */
void text_fold(const char *s, char *out, size_t outlen);
/* Writes s without its Vietnamese diacritics, case and punctuation kept ("Đắk Lắk." -> "Dak Lak.");
 * other characters outside ASCII become '?'.  For SMS sent without diacritics. */
void text_unaccent(const char *s, char *out, size_t outlen);

/*
 * Writes the NFC form of the valid UTF-8 string s into out (NUL-terminated),
 * so "Nguyễn" typed with combining marks (NFD, as some phones send it) is
 * stored as the precomposed letters.  Composition covers the Latin blocks
 * Vietnamese uses (U+00C0..U+024F, U+1E00..U+1EFF) with the marks
 * U+0300..U+036F; other text passes unchanged.  The result is never longer
 * than s; false when it does not fit in outlen bytes.
 */
bool text_nfc(const char *s, char *out, size_t outlen);

#endif
