/*
 * ids.c - shape checks of CCCD, CMND and BHYT numbers, dates of birth and client ids.
 */
#include "core/ids.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int ids_check_cccd(const char *s, const char *field, struct fault *f)
{
    if (strlen(s) != IDS_CCCD_LEN || !all_digits(s, IDS_CCCD_LEN))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be 12 digits", field);
    int province = num(s, 3);
    if (province < 1 || province > 96)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must start with a province code from 001 to 096", field);
    return 0;
}

int ids_check_cmnd(const char *s, const char *field, struct fault *f)
{
    if (strlen(s) != IDS_CMND_LEN || !all_digits(s, IDS_CMND_LEN))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be 9 digits", field);
    return 0;
}

int ids_check_bhyt(const char *s, const char *field, char out[IDS_BHYT_LEN + 1], struct fault *f)
{
    if (strlen(s) != IDS_BHYT_LEN)
        goto bad;
    for (int i = 0; i < 2; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            goto bad;
        out[i] = c;
    }
    if (!all_digits(s + 2, IDS_BHYT_LEN - 2))
        goto bad;
    if (s[2] < '1' || s[2] > '5')
        return fault_set(f, ERR_INVALID_FIELD, field, "%s benefit level (third character) must be 1 to 5", field);
    if (num(s + 3, 2) < 1)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s province code (characters 4-5) must be 01 to 99", field);
    memcpy(out + 2, s + 2, IDS_BHYT_LEN - 2);
    out[IDS_BHYT_LEN] = '\0';
    return 0;
bad:
    return fault_set(f, ERR_INVALID_FIELD, field, "%s must be 2 letters followed by 13 digits, e.g. DN4010123456789",
                     field);
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ids_check_date_of_birth(const char *s, int64_t now, const char *field, struct fault *f)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != IDS_DATE_LEN || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2) ||
        !all_digits(s + 8, 2))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be a date written YYYY-MM-DD", field);
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap(y)))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s is not a real date", field);
    if (y < 1900)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must not be before 1900", field);
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    int today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (y * 10000 + m * 100 + d > today)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must not be in the future", field);
    return 0;
}

int client_id_check(const char *s, const char *field, struct fault *f)
{
    size_t n = s ? strlen(s) : 0;
    bool ok = n >= CLIENT_ID_MIN && n <= CLIENT_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
             s[i] == '_' || s[i] == '-';
    if (!ok)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be %d-%d characters of A-Z a-z 0-9 _ -", field,
                         CLIENT_ID_MIN, CLIENT_ID_MAX);
    return 0;
}
