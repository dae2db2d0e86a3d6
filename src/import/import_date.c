/*
 * import_date.c - dates as spreadsheets hold them: typed in the Vietnamese
 * way (DD/MM/YYYY), ISO, or a date cell's day number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "import/import.h"

const char *import_date(struct arena *a, const char *s)
{
    int y, m, d, used = 0;
    if (strlen(s) == 10 && s[4] == '-')
        return s;
    char copy[16];
    snprintf(copy, sizeof(copy), "%s", s);
    size_t cl = strlen(copy);
    if (cl > 2 && !strcmp(copy + cl - 2, ".0"))
        copy[cl -= 2] = '\0';
    if (cl > 0 && cl <= 6 && strspn(copy, "0123456789") == cl) {
        long serial = strtol(copy, NULL, 10);
        if (serial < 1 || serial > 2958465)
            return NULL;
        civil_from_days(serial - 25569, &y, &m, &d); /* 25569: 1899-12-30 to 1970-01-01 */
        return arena_printf(a, "%04d-%02d-%02d", y, m, d);
    }
    char s1, s2;
    if (sscanf(s, "%2d%c%2d%c%4d%n", &d, &s1, &m, &s2, &y, &used) == 5 && (size_t)used == strlen(s) &&
        s1 == s2 && (s1 == '/' || s1 == '-' || s1 == '.') && y >= 1000)
        return arena_printf(a, "%04d-%02d-%02d", y, m, d);
    return NULL;
}
