#include "core/text.h"

#include <stdint.h>
#include <string.h>

bool text_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t n;
        uint32_t cp;
        if (c == 0)
            return false;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

size_t text_utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) /* s[max] continues a character: drop it whole */
        max--;
    return max;
}

size_t text_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Each line: the ASCII base letter, then every Vietnamese letter that folds to it; the capitals
 * from the capital base letter on (text_unaccent keeps the case). */
static const char *const fold_groups[] = {
    "aàáảãạăằắẳẵặâầấẩẫậAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
    "dđDĐ",
    "eèéẻẽẹêềếểễệEÈÉẺẼẸÊỀẾỂỄỆ",
    "iìíỉĩịIÌÍỈĨỊ",
    "oòóỏõọôồốổỗộơờớởỡợOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
    "uùúủũụưừứửữựUÙÚỦŨỤƯỪỨỬỮỰ",
    "yỳýỷỹỵYỲÝỶỸỴ",
};

static uint32_t utf8_next(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    uint32_t cp;
    if (p[0] < 0x80) {
        cp = p[0];
        p += 1;
    } else if ((p[0] & 0xE0) == 0xC0 && p[1]) {
        cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        p += 2;
    } else if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
        cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        p += 3;
    } else if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
        cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
             (p[3] & 0x3F);
        p += 4;
    } else {
        cp = 0xFFFD;
        p += 1;
    }
    *pp = p;
    return cp;
}

static char fold_char(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            return (char)(cp - 'A' + 'a');
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            return (char)cp;
        return ' ';
    }
    for (size_t g = 0; g < sizeof(fold_groups) / sizeof(fold_groups[0]); g++) {
        const unsigned char *p = (const unsigned char *)fold_groups[g];
        char base = (char)p[0];
        while (*p)
            if (utf8_next(&p) == cp)
                return base;
    }
    return ' ';
}

void text_fold(const char *s, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    bool space = true; /* drop leading spaces */
    while (*p && n + 1 < outlen) {
        uint32_t cp = utf8_next(&p);
        if (cp >= 0x300 && cp <= 0x36F) /* a combining mark: the letter before it already folded */
            continue;
        char c = fold_char(cp);
        if (c == ' ') {
            if (!space)
                out[n++] = ' ';
            space = true;
        } else {
            out[n++] = c;
            space = false;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

void text_unaccent(const char *s, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n + 1 < outlen) {
        uint32_t cp = utf8_next(&p);
        if (cp >= 0x300 && cp <= 0x36F)
            continue;
        char c = '?';
        if (cp < 0x80)
            c = (char)cp;
        for (size_t g = 0; cp >= 0x80 && g < sizeof(fold_groups) / sizeof(fold_groups[0]); g++) {
            const unsigned char *q = (const unsigned char *)fold_groups[g];
            char base = (char)q[0];
            bool capital = false;
            while (*q) {
                uint32_t x = utf8_next(&q);
                capital = capital || x == (uint32_t)(base - 'a' + 'A');
                if (x == cp) {
                    c = capital ? (char)(base - 'a' + 'A') : base;
                    break;
                }
            }
            if (c != '?')
                break;
        }
        out[n++] = c;
    }
    out[n] = '\0';
}

/* ---- NFC ---- */

#include "core/nfc_table.h"

#define NFC_MARKS_MAX 32 /* combining marks kept on one letter; more are written uncomposed */

static int mark_class(uint32_t cp)
{
    if (cp < 0x300 || cp > 0x36F)
        return 0;
    for (size_t i = 0; i < sizeof(nfc_classes) / sizeof(nfc_classes[0]); i++)
        if (nfc_classes[i].cp == cp)
            return nfc_classes[i].ccc;
    return 0;
}

/* The precomposed letter for first + second, or 0. */
static uint32_t compose(uint32_t first, uint32_t second)
{
    size_t lo = 0, hi = sizeof(nfc_pairs) / sizeof(nfc_pairs[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct nfc_pair *e = &nfc_pairs[mid];
        if (e->first == first && e->second == second)
            return e->composed;
        if (e->first < first || (e->first == first && e->second < second))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The pair cp decomposes into, or false. */
static bool decompose(uint32_t cp, uint32_t *first, uint32_t *second)
{
    if (cp < 0xC0)
        return false;
    for (size_t i = 0; i < sizeof(nfc_pairs) / sizeof(nfc_pairs[0]); i++)
        if (nfc_pairs[i].composed == cp) {
            *first = nfc_pairs[i].first;
            *second = nfc_pairs[i].second;
            return true;
        }
    return false;
}

struct nfc_out {
    char *out;
    size_t len, cap;
    bool ok;
};

static void put_cp(struct nfc_out *o, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (o->len + n >= o->cap) {
        o->ok = false;
        return;
    }
    memcpy(o->out + o->len, b, n);
    o->len += n;
}

/* One letter and its marks: canonical order, then composition as far as it goes. */
struct nfc_seg {
    uint32_t starter; /* 0: marks with no letter before them */
    uint32_t marks[NFC_MARKS_MAX];
    int n;
};

static void seg_flush(struct nfc_seg *g, struct nfc_out *o)
{
    for (int i = 1; i < g->n; i++) /* stable insertion sort by combining class */
        for (int j = i; j > 0 && mark_class(g->marks[j - 1]) > mark_class(g->marks[j]); j--) {
            uint32_t t = g->marks[j];
            g->marks[j] = g->marks[j - 1];
            g->marks[j - 1] = t;
        }
    uint32_t kept[NFC_MARKS_MAX];
    int nk = 0, last = 0;
    for (int i = 0; i < g->n; i++) {
        int c = mark_class(g->marks[i]);
        uint32_t comp = g->starter && (nk == 0 || last < c) ? compose(g->starter, g->marks[i]) : 0;
        if (comp) {
            g->starter = comp;
        } else {
            kept[nk++] = g->marks[i];
            last = c;
        }
    }
    if (g->starter)
        put_cp(o, g->starter);
    for (int i = 0; i < nk; i++)
        put_cp(o, kept[i]);
    g->starter = 0;
    g->n = 0;
}

/* Feeds one code point, fully decomposed, into the segment. */
static void seg_add(struct nfc_seg *g, struct nfc_out *o, uint32_t cp)
{
    if (cp == 0x340 || cp == 0x341) /* the old tone marks are the grave and acute accents */
        cp -= 0x40;
    uint32_t first, second;
    if (decompose(cp, &first, &second)) {
        seg_add(g, o, first);
        seg_add(g, o, second);
        return;
    }
    if (!mark_class(cp) || g->n == NFC_MARKS_MAX) {
        seg_flush(g, o);
        if (!mark_class(cp)) {
            g->starter = cp;
            return;
        }
    }
    g->marks[g->n++] = cp;
}

bool text_nfc(const char *s, char *out, size_t outlen)
{
    struct nfc_out o = {out, 0, outlen, outlen > 0};
    struct nfc_seg g = {0};
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o.ok)
        seg_add(&g, &o, utf8_next(&p));
    if (o.ok)
        seg_flush(&g, &o);
    if (outlen)
        out[o.ok ? o.len : 0] = '\0';
    return o.ok;
}
