/*
 * base45.c - Base45 (RFC 9285): two bytes become three characters of
 * "0-9A-Z $%*+-./:", a final odd byte two characters, least significant first.
 */
#include "dcc/base45.h"

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* Character -> value + 1; 0 for characters outside the alphabet. */
static const uint8_t value_of[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18, ['I'] = 19,
    ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24, ['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28,
    ['S'] = 29, ['T'] = 30, ['U'] = 31, ['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36, [' '] = 37,
    ['$'] = 38, ['%'] = 39, ['*'] = 40, ['+'] = 41, ['-'] = 42, ['.'] = 43, ['/'] = 44, [':'] = 45,
};

void base45_encode(const uint8_t *in, size_t len, char *out)
{
    size_t i = 0;
    for (; i + 1 < len; i += 2) {
        unsigned n = (unsigned)in[i] << 8 | in[i + 1];
        *out++ = alphabet[n % 45];
        *out++ = alphabet[n / 45 % 45];
        *out++ = alphabet[n / 2025];
    }
    if (i < len) {
        *out++ = alphabet[in[i] % 45];
        *out++ = alphabet[in[i] / 45];
    }
    *out = '\0';
}

int base45_decode(const char *in, size_t n, uint8_t *out, size_t *out_len, size_t *bad_at)
{
    size_t o = 0, i = 0;
    for (; i < n; i += 3) {
        size_t group = n - i < 3 ? n - i : 3;
        unsigned v[3] = {0, 0, 0};
        for (size_t k = 0; k < group; k++) {
            v[k] = value_of[(uint8_t)in[i + k]];
            if (v[k]-- == 0) {
                if (bad_at)
                    *bad_at = i + k;
                return -1;
            }
        }
        unsigned val = v[0] + v[1] * 45 + v[2] * 2025;
        if (group == 1 || (group == 3 && val > 0xffff) || (group == 2 && val > 0xff)) {
            if (bad_at)
                *bad_at = i;
            return -1;
        }
        if (group == 3)
            out[o++] = (uint8_t)(val >> 8);
        out[o++] = (uint8_t)val;
    }
    *out_len = o;
    return 0;
}
