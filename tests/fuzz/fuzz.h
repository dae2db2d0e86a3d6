/*
 * fuzz.h - what every libFuzzer target here shares.
 *
 * A target defines LLVMFuzzerTestOneInput (declared here for
 * -Wmissing-prototypes) and must not keep state between inputs beyond what it
 * sets up once; ASan fails the run on any leak.
 */
#ifndef CORDON_FUZZ_H
#define CORDON_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a malloc'd C string (cut at the first NUL, as a C caller would see it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A check the code under test promises; a failure is a finding, like a crash. */
#define FUZZ_ASSERT(cond)                                                                                      \
    do {                                                                                                       \
        if (!(cond))                                                                                           \
            __builtin_trap();                                                                                  \
    } while (0)

#endif
