/* smpp_pdu.c - SMPP 3.4 PDUs and text segments, without I/O. */
#include "notify/smpp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* ---------------------------------------------------------------- URL */

static int pct_copy(char *dst, size_t n, const char *src, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%' && i + 2 < len + 0 && isxdigit((unsigned char)src[i + 1]) && isxdigit((unsigned char)src[i + 2])) {
            char hex[3] = {src[i + 1], src[i + 2], 0};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        if (o + 1 >= n)
            return -1;
        dst[o++] = c;
    }
    dst[o] = 0;
    return 0;
}

int smpp_parse_url(const char *url, struct smpp_url *out)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(url, "smpp://", 7))
        return -1;
    const char *p = url + 7, *at = strrchr(p, '@');
    if (!at)
        return -1;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!colon || pct_copy(out->system_id, sizeof(out->system_id), p, (size_t)(colon - p)) ||
        pct_copy(out->password, sizeof(out->password), colon + 1, (size_t)(at - colon - 1)) || !out->system_id[0])
        return -1;
    const char *host = at + 1, *pc = strrchr(host, ':');
    if (!pc || pc == host || (size_t)(pc - host) >= sizeof(out->host))
        return -1;
    memcpy(out->host, host, (size_t)(pc - host));
    char *end;
    long port = strtol(pc + 1, &end, 10);
    if (*end && strcmp(end, "/"))
        return -1;
    if (port < 1 || port > 65535)
        return -1;
    out->port = (int)port;
    return 0;
}

/* ---------------------------------------------------------------- text */

/* The GSM 03.38 septet(s) of an ASCII character: 1 or 2 (escape) written to out. */
static int gsm7(char c, uint8_t out[2])
{
    static const char ext[] = "^{}\\[~]|";
    static const uint8_t ext_code[] = {0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40};
    const char *e = c ? strchr(ext, c) : NULL;
    if (e) {
        out[0] = 0x1B;
        out[1] = ext_code[e - ext];
        return 2;
    }
    switch (c) {
    case '@': out[0] = 0x00; return 1;
    case '$': out[0] = 0x02; return 1;
    case '_': out[0] = 0x11; return 1;
    case '`': out[0] = 0x27; return 1; /* no grave accent in GSM: an apostrophe */
    case '\n': case '\r': out[0] = (uint8_t)c; return 1;
    default: break;
    }
    if (c >= 0x20 && c < 0x7F) {
        out[0] = (uint8_t)c;
        return 1;
    }
    out[0] = '?';
    return 1;
}

/* UTF-16 code units of utf8 (valid UTF-8), at most max; the count. */
static size_t to_utf16(const char *s, uint16_t *u, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < max) {
        uint32_t cp;
        if (p[0] < 0x80)
            cp = *p++;
        else if ((p[0] & 0xE0) == 0xC0 && p[1]) {
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
            cp = '?';
            p++;
        }
        if (cp > 0xFFFF) {
            if (n + 2 > max)
                break;
            cp -= 0x10000;
            u[n++] = (uint16_t)(0xD800 | (cp >> 10));
            u[n++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            u[n++] = (uint16_t)cp;
        }
    }
    return n;
}

int smpp_segments(const char *utf8, bool ucs2, uint8_t ref, struct smpp_segment *out, uint8_t *data_coding,
                  uint8_t *esm_class)
{
    enum { MAX_UNITS = SMPP_MAX_SEGMENTS * 160 + 2 };
    uint8_t units[MAX_UNITS * 2]; /* UCS-2 big-endian bytes, or septets */
    size_t nbytes = 0;
    size_t unit_size = ucs2 ? 2 : 1;
    if (ucs2) {
        uint16_t u[MAX_UNITS];
        size_t n = to_utf16(utf8, u, MAX_UNITS);
        for (size_t i = 0; i < n; i++) {
            units[nbytes++] = (uint8_t)(u[i] >> 8);
            units[nbytes++] = (uint8_t)(u[i] & 0xFF);
        }
    } else {
        char plain[MAX_UNITS];
        text_unaccent(utf8, plain, sizeof(plain));
        for (const char *c = plain; *c && nbytes + 2 <= sizeof(units); c++)
            nbytes += (size_t)gsm7(*c, units + nbytes);
    }
    *data_coding = ucs2 ? 0x08 : 0x00;
    size_t single = ucs2 ? 140 : 160, part = ucs2 ? 134 : 153; /* bytes of text per segment */
    if (nbytes <= single) {
        memcpy(out[0].data, units, nbytes);
        out[0].len = nbytes;
        *esm_class = 0;
        return 1;
    }
    /* Cut points: never inside a surrogate pair (UCS-2) or an escape pair (GSM). */
    size_t cuts[SMPP_MAX_SEGMENTS + 1];
    int count = 0;
    size_t at = 0;
    cuts[0] = 0;
    while (at < nbytes) {
        if (count == SMPP_MAX_SEGMENTS)
            return -1;
        size_t end = at + part < nbytes ? at + part : nbytes;
        if (end < nbytes) {
            if (ucs2 && (units[end - 2] & 0xFC) == 0xD8)
                end -= 2;
            else if (!ucs2 && units[end - 1] == 0x1B)
                end -= 1;
        }
        cuts[++count] = end;
        at = end;
    }
    (void)unit_size;
    for (int i = 0; i < count; i++) {
        uint8_t *d = out[i].data;
        d[0] = 0x05; /* UDH length */
        d[1] = 0x00; /* concatenated short message, 8-bit reference */
        d[2] = 0x03;
        d[3] = ref;
        d[4] = (uint8_t)count;
        d[5] = (uint8_t)(i + 1);
        memcpy(d + 6, units + cuts[i], cuts[i + 1] - cuts[i]);
        out[i].len = 6 + cuts[i + 1] - cuts[i];
    }
    *esm_class = 0x40; /* UDHI */
    return count;
}

/* ---------------------------------------------------------------- PDUs */

void smpp_put_bytes(struct smpp_buf *p, const void *d, size_t n)
{
    if (p->len + n > sizeof(p->b))
        n = sizeof(p->b) - p->len;
    memcpy(p->b + p->len, d, n);
    p->len += n;
}

void smpp_put_u8(struct smpp_buf *p, uint8_t v)
{
    smpp_put_bytes(p, &v, 1);
}

void smpp_put_u32(struct smpp_buf *p, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    smpp_put_bytes(p, b, 4);
}

void smpp_put_cstr(struct smpp_buf *p, const char *s)
{
    smpp_put_bytes(p, s, strlen(s) + 1);
}

void smpp_begin(struct smpp_buf *p, uint32_t cmd, uint32_t status, uint32_t seq)
{
    p->len = 0;
    smpp_put_u32(p, 0);
    smpp_put_u32(p, cmd);
    smpp_put_u32(p, status);
    smpp_put_u32(p, seq);
}

void smpp_end(struct smpp_buf *p)
{
    uint32_t n = (uint32_t)p->len;
    p->b[0] = (uint8_t)(n >> 24);
    p->b[1] = (uint8_t)(n >> 16);
    p->b[2] = (uint8_t)(n >> 8);
    p->b[3] = (uint8_t)n;
}

void smpp_bind_transceiver(struct smpp_buf *p, uint32_t seq, const char *system_id, const char *password)
{
    smpp_begin(p, SMPP_BIND_TRANSCEIVER, 0, seq);
    smpp_put_cstr(p, system_id);
    smpp_put_cstr(p, password);
    smpp_put_cstr(p, "");  /* system_type */
    smpp_put_u8(p, 0x34);  /* interface_version */
    smpp_put_u8(p, 0);     /* addr_ton */
    smpp_put_u8(p, 0);     /* addr_npi */
    smpp_put_cstr(p, ""); /* address_range */
    smpp_end(p);
}

void smpp_submit_sm(struct smpp_buf *p, uint32_t seq, const char *source, const char *dest, uint8_t esm_class,
                    uint8_t data_coding, const struct smpp_segment *seg)
{
    bool alpha = false;
    for (const char *c = source; *c; c++)
        alpha = alpha || !isdigit((unsigned char)*c);
    smpp_begin(p, SMPP_SUBMIT_SM, 0, seq);
    smpp_put_cstr(p, "");               /* service_type */
    smpp_put_u8(p, alpha ? 5 : 1);      /* source_addr_ton: alphanumeric brand name, or international */
    smpp_put_u8(p, alpha ? 0 : 1);      /* source_addr_npi */
    smpp_put_cstr(p, source);
    smpp_put_u8(p, 0);                  /* dest_addr_ton: unknown (a national number) */
    smpp_put_u8(p, 1);                  /* dest_addr_npi: ISDN */
    smpp_put_cstr(p, dest);
    smpp_put_u8(p, esm_class);
    smpp_put_u8(p, 0);                  /* protocol_id */
    smpp_put_u8(p, 0);                  /* priority_flag */
    smpp_put_cstr(p, "");               /* schedule_delivery_time */
    smpp_put_cstr(p, "");               /* validity_period */
    smpp_put_u8(p, 1);                  /* registered_delivery: a receipt, delivered or not */
    smpp_put_u8(p, 0);                  /* replace_if_present_flag */
    smpp_put_u8(p, data_coding);
    smpp_put_u8(p, 0);                  /* sm_default_msg_id */
    smpp_put_u8(p, (uint8_t)seg->len);
    smpp_put_bytes(p, seg->data, seg->len);
    smpp_end(p);
}

/* Reads a C string at *off; false when it runs past len. */
static bool get_cstr(const uint8_t *b, size_t len, size_t *off, const char **s)
{
    const uint8_t *z = memchr(b + *off, 0, len - *off);
    if (*off >= len || !z)
        return false;
    *s = (const char *)b + *off;
    *off = (size_t)(z - b) + 1;
    return true;
}

/* The value of "key:" in a receipt's text ("id:123 sub:001 ... stat:DELIVRD"). */
static bool receipt_field(const char *text, size_t len, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen <= len; i++) {
        if ((i == 0 || text[i - 1] == ' ') && !strncasecmp(text + i, key, klen)) {
            size_t j = i + klen, o = 0;
            while (j < len && text[j] != ' ' && o + 1 < outlen)
                out[o++] = text[j++];
            out[o] = 0;
            return o > 0;
        }
    }
    return false;
}

bool smpp_parse_receipt(const uint8_t *b, size_t len, char *id, size_t idlen, bool *delivered)
{
    size_t off = 0;
    const char *s;
    if (!get_cstr(b, len, &off, &s)) /* service_type */
        return false;
    off += 2;
    if (!get_cstr(b, len, &off, &s)) /* source_addr */
        return false;
    off += 2;
    if (!get_cstr(b, len, &off, &s)) /* destination_addr */
        return false;
    if (off + 3 > len)
        return false;
    uint8_t esm = b[off];
    off += 3; /* esm_class, protocol_id, priority_flag */
    if (!get_cstr(b, len, &off, &s) || !get_cstr(b, len, &off, &s)) /* schedule, validity */
        return false;
    if (off + 5 > len)
        return false;
    size_t sm_len = b[off + 4];
    off += 5; /* registered_delivery, replace_if_present, data_coding, sm_default_msg_id, sm_length */
    if (!(esm & 0x04) || off + sm_len > len) /* not a delivery receipt */
        return false;
    const char *text = (const char *)b + off;
    char stat[16] = "";
    bool have_id = receipt_field(text, sm_len, "id:", id, idlen);
    receipt_field(text, sm_len, "stat:", stat, sizeof(stat));
    off += sm_len;
    /* Optional TLVs: receipted_message_id (0x001E) and message_state (0x0427) win over the text. */
    while (off + 4 <= len) {
        unsigned tag = (unsigned)(b[off] << 8 | b[off + 1]), tlen = (unsigned)(b[off + 2] << 8 | b[off + 3]);
        off += 4;
        if (off + tlen > len)
            break;
        if (tag == 0x001E && tlen > 1 && tlen <= idlen) {
            memcpy(id, b + off, tlen);
            id[tlen - 1] = 0;
            have_id = true;
        } else if (tag == 0x0427 && tlen == 1) {
            snprintf(stat, sizeof(stat), "%s", b[off] == 2 ? "DELIVRD" : "UNDELIV");
        }
        off += tlen;
    }
    *delivered = !strcmp(stat, "DELIVRD");
    return have_id && stat[0];
}
