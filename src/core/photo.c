#include "core/photo.h"

#include <sodium.h>
#include <string.h>

const char *photo_type(const unsigned char *p, size_t len)
{
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "image/jpeg";
    if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    return NULL;
}

int photo_read(struct arena *a, const char *in, size_t max, const char *field, const char **type, const char **b64,
               struct fault *f)
{
    const char *text = in;
    if (!strncmp(text, "data:", 5)) {
        const char *comma = strstr(text, ";base64,");
        if (!comma)
            return fault_set(f, ERR_INVALID_FIELD, field, "%s must be base64 (or a base64 data URL)", field);
        text = comma + 8;
    }
    size_t len = strlen(text), cap = len / 4 * 3 + 3, n = 0;
    if (cap > max + 3)
        return fault_set(f, ERR_TOO_LARGE, field, "%s must be at most %zu bytes", field, max);
    unsigned char *bin = arena_alloc(a, cap + 1);
    if (sodium_base642bin(bin, cap, text, len, " \r\n", &n, NULL, sodium_base64_VARIANT_ORIGINAL) || n == 0)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be base64 (or a base64 data URL)", field);
    if (!(*type = photo_type(bin, n)))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be a JPEG or PNG image", field);
    size_t out_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *norm = arena_alloc(a, out_len);
    sodium_bin2base64(norm, out_len, bin, n, sodium_base64_VARIANT_ORIGINAL);
    *b64 = norm;
    return 0;
}

int photo_decode(struct arena *a, const char *b64, unsigned char **out, size_t *len)
{
    size_t cap = strlen(b64) / 4 * 3 + 3;
    *out = arena_alloc(a, cap);
    return sodium_base642bin(*out, cap, b64, strlen(b64), NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL) ? -1 : 0;
}
