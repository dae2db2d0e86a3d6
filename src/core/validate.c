#include "core/validate.h"

#include <stdint.h>
#include <string.h>

#include "core/text.h"

int validate_username(const char *s, const char *field, struct fault *f)
{
    size_t n = strlen(s);
    if (n < 3 || n > 64)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be 3 to 64 characters long", field);
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return fault_set(f, ERR_INVALID_FIELD, field, "%s may hold only a-z, 0-9, '.', '_' and '-'", field);
    return 0;
}

int validate_password(const char *s, const char *field, struct fault *f)
{
    size_t n = text_utf8_length(s);
    if (n < 8 || n > 128)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be 8 to 128 characters long", field);
    return 0;
}

static uint32_t next_cp(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    uint32_t cp;
    int n;
    if (p[0] < 0x80) {
        cp = p[0];
        n = 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1F;
        n = 2;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0F;
        n = 3;
    } else {
        cp = p[0] & 0x07;
        n = 4;
    }
    for (int i = 1; i < n; i++) {
        if (!p[i])
            return 0xFFFD;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *pp = p + n;
    return cp;
}

static int name_char_ok(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ' || c == '.' || c == '\'' || c == '-';
    return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x300 && c <= 0x36F) ||
           (c >= 0x1E00 && c <= 0x1EFF);
}

int validate_person_name(const char *s, const char *field, struct fault *f)
{
    size_t n = text_utf8_length(s);
    if (n < 1 || n > 100)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be 1 to 100 characters long", field);
    const unsigned char *p = (const unsigned char *)s;
    int letters = 0;
    while (*p) {
        uint32_t c = next_cp(&p);
        if (!name_char_ok(c))
            return fault_set(f, ERR_INVALID_FIELD, field, "%s may hold only letters, spaces, '.', '\\'' and '-'",
                             field);
        if (c != ' ' && c != '.' && c != '\'' && c != '-')
            letters++;
    }
    if (!letters)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must contain letters", field);
    return 0;
}

int validate_phone(const char *s, const char *field, char out[11], struct fault *f)
{
    const char *digits;
    if (!strncmp(s, "+84", 3))
        digits = s + 3;
    else if (s[0] == '0')
        digits = s + 1;
    else if (!strncmp(s, "84", 2) && strlen(s) == 11)
        digits = s + 2; /* +84 typed without the plus, as phones and spreadsheets often store it */
    else
        digits = NULL;
    if (!digits || strlen(digits) != 9 || !strchr("35789", digits[0]))
        goto bad;
    for (const char *p = digits; *p; p++)
        if (*p < '0' || *p > '9')
            goto bad;
    out[0] = '0';
    memcpy(out + 1, digits, 10); /* 9 digits and the NUL */
    return 0;
bad:
    return fault_set(f, ERR_INVALID_FIELD, field,
                     "%s must be a Vietnamese mobile number: 0, +84 or 84 followed by 9 digits starting with 3, 5, 7, 8 or 9",
                     field);
}

int validate_email(const char *s, const char *field, struct fault *f)
{
    const char *at = strchr(s, '@');
    size_t len = strlen(s);
    if (!at || at == s || at - s > 64 || len > 254 || strchr(at + 1, '@'))
        return fault_set(f, ERR_INVALID_FIELD, field, "an e-mail address is name@domain");
    for (const unsigned char *p = (const unsigned char *)s; p < (const unsigned char *)at; p++)
        if (*p <= ' ' || *p >= 0x7F || strchr("<>,;:\"()[]\\", *p))
            return fault_set(f, ERR_INVALID_FIELD, field, "the name before the @ has a character an address cannot have");
    const char *d = at + 1;
    size_t label = 0, labels = 0;
    for (const char *p = d;; p++) {
        if (*p == '.' || !*p) {
            if (!label || p[-1] == '-' || p[-label] == '-')
                return fault_set(f, ERR_INVALID_FIELD, field, "the domain after the @ is not a domain");
            labels++;
            label = 0;
            if (!*p)
                break;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-') {
            label++;
        } else {
            return fault_set(f, ERR_INVALID_FIELD, field, "the domain after the @ is not a domain");
        }
    }
    if (labels < 2)
        return fault_set(f, ERR_INVALID_FIELD, field, "the domain after the @ needs a dot (example.vn)");
    return 0;
}
