/*
 * testing.c - the rules of the testing domain: names, values people type,
 * tube codes, and what a tube's result means for its members.  No SQL, no HTTP.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "qr/qr.h"
#include "testing/testing.h"

static const char *const type_names[] = {"rt_pcr", "rapid_antigen"};
static const char *const result_names[] = {"negative", "positive", "invalid"};

const char *testing_type_name(int type)
{
    return type >= 0 && type < 2 ? type_names[type] : "unknown";
}

int testing_type_parse(const char *s)
{
    for (int i = 0; s && i < 2; i++)
        if (!strcmp(s, type_names[i]))
            return i;
    return -1;
}

int testing_default_pool(int type)
{
    return type == TESTING_RT_PCR ? TESTING_POOL_MAX : 1;
}

const char *testing_result_name(int result)
{
    return result >= 0 && result < 3 ? result_names[result] : NULL;
}

int testing_result_parse(const char *s)
{
    if (!s)
        return -1;
    char fold[64];
    size_t n = strlen(s);
    if (n == 0 || n >= 48)
        return -1;
    text_fold(s, fold, sizeof(fold));
    /* trim */
    char *p = fold;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == ' ')
        p[--len] = '\0';
    static const struct {
        const char *word;
        int result;
    } words[] = {
        {"negative", TESTING_NEGATIVE}, {"positive", TESTING_POSITIVE}, {"invalid", TESTING_INVALID},
        {"am tinh", TESTING_NEGATIVE},  {"duong tinh", TESTING_POSITIVE}, {"khong hop le", TESTING_INVALID},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcasecmp(p, words[i].word))
            return words[i].result;
    return -1;
}

bool testing_ct_parse(const char *s, int *out)
{
    *out = -1;
    while (*s == ' ')
        s++;
    if (!*s)
        return true;
    int whole = 0, tenths = 0, digits = 0;
    const char *p = s;
    for (; isdigit((unsigned char)*p); p++) {
        if (++digits > 2)
            return false;
        whole = whole * 10 + (*p - '0');
    }
    if (!digits)
        return false;
    if (*p == '.' || *p == ',') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        tenths = *p++ - '0';
        if (isdigit((unsigned char)*p)) /* hundredths: round half up */
            tenths += (*p++ - '0') >= 5;
        while (isdigit((unsigned char)*p))
            p++;
    }
    while (*p == ' ')
        p++;
    if (*p)
        return false;
    int v = whole * 10 + tenths;
    if (v > TESTING_CT_MAX)
        return false;
    *out = v;
    return true;
}

static bool crockford(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
}

bool testing_tube_code_valid(const char *s)
{
    if (!s || strlen(s) != TESTING_TUBE_CODE_LEN || s[0] != 'T')
        return false;
    for (int i = 1; i < TESTING_TUBE_CODE_LEN; i++)
        if (!crockford(s[i]))
            return false;
    return true;
}

void testing_tube_code_make(char out[TESTING_TUBE_CODE_LEN + 1])
{
    out[0] = 'T';
    qr_code_generate(out + 1, TESTING_TUBE_CODE_LEN - 1);
}

bool testing_date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

const char *testing_member_status(int result, int64_t members)
{
    switch (result) {
    case TESTING_NEGATIVE:
        return "negative";
    case TESTING_POSITIVE:
        return members > 1 ? "pool_positive_retest" : "positive";
    case TESTING_INVALID:
        return "invalid";
    default:
        return "pending";
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t testing_median(int64_t *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_i64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
