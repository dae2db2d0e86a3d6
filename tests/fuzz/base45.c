/* Fuzz target: base45_decode() on any text; what decodes must encode back to the same text. */
#include "dcc/base45.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = malloc(BASE45_DECODED_MAX(size));
    size_t n = 0, bad = 0;
    if (!out)
        abort();
    if (base45_decode((const char *)data, size, out, &n, &bad) == 0) {
        FUZZ_ASSERT(n <= BASE45_DECODED_MAX(size));
        char *text = malloc(BASE45_ENCODED_LEN(n) + 1);
        if (!text)
            abort();
        base45_encode(out, n, text);
        FUZZ_ASSERT(BASE45_ENCODED_LEN(n) == size && !memcmp(text, data, size));
        free(text);
    } else {
        FUZZ_ASSERT(bad < size);
    }
    free(out);
    return 0;
}
