/*
 * plate.c - Vietnamese vehicle plates, checked and written one way.
 *
 * Officers type plates as they read them ("47a 12345", "47A-123.45",
 * "29-B1 123.45"); a plate search must find every passage of a vehicle, so
 * each is stored in one form: province and series, a dash, the number with
 * a dot before its last two digits when it has five ("47A-123.45",
 * "29B1-123.45", "30E-1234").  Diplomatic and military plates are not
 * accepted: they do not pass civil checkpoints' records.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "checkpoint/checkpoint.h"

/* Series letters Việt Nam issues (I, J, O, Q and W are not, for their likeness to digits and others). */
static bool series_letter(char c)
{
    return c >= 'A' && c <= 'Z' && !strchr("IJOQW", c);
}

int checkpoint_plate_normalise(const char *in, const char *field, char out[CHECKPOINT_PLATE_MAX], struct fault *f)
{
    char s[16];
    bool sep[16] = {false}; /* sep[i]: a separator came before s[i] */
    size_t n = 0;
    if (!in)
        return fault_set(f, ERR_MISSING_FIELD, field, "%s is required", field);
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '.') {
            if (n < sizeof(s))
                sep[n] = true;
            continue;
        }
        if (!isalnum((unsigned char)*p) || n + 1 >= sizeof(s))
            return fault_set(f, ERR_INVALID_FIELD, field, "%s is not a Vietnamese plate (such as 47A-123.45)", field);
        s[n++] = (char)toupper((unsigned char)*p);
    }
    s[n] = 0;
    /* province: two digits, 11-99 */
    if (n < 7 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || (s[0] - '0') * 10 + (s[1] - '0') < 11)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must start with a province number 11-99 (such as 47A-123.45)",
                         field);
    /* series: a letter, then optionally a letter or a digit */
    size_t k = 2;
    if (!series_letter(s[k]))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must have a series letter after the province (such as 47A)",
                         field);
    k++;
    /* A second series character: a letter, or a digit that belongs to the series (motorbikes,
     * "29B1").  Without separators "29B11234" could be 29B1-1234 or 29B-112.34: a separator
     * after the digit ("29-B1 1234") says series, one before it ("29B 112.34") number; with
     * none, six digits left mean a series digit and five, fewer a car's number. */
    if (series_letter(s[k]))
        k++;
    else if (isdigit((unsigned char)s[k]) && !sep[k] && (sep[k + 1] || n - k == 6))
        k++;
    size_t num = n - k;
    if (num != 4 && num != 5)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must end with 4 or 5 digits (such as 47A-123.45)", field);
    for (size_t i = k; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return fault_set(f, ERR_INVALID_FIELD, field, "%s must end with 4 or 5 digits (such as 47A-123.45)", field);
    if (num == 5)
        snprintf(out, CHECKPOINT_PLATE_MAX, "%.*s-%.3s.%.2s", (int)k, s, s + k, s + k + 3);
    else
        snprintf(out, CHECKPOINT_PLATE_MAX, "%.*s-%.4s", (int)k, s, s + k);
    return 0;
}
