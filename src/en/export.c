/*
 * export.c - encoding and decoding export.bin and export.sig (export.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "en/export.h"
#include "en/pb.h"

static int put_info(struct buf *b, int field, const struct en_signature_info *s)
{
    struct buf m;
    buf_init(&m, 4096);
    int rc = (s->key_version[0] && pb_put_string(&m, 3, s->key_version)) ||
             (s->key_id[0] && pb_put_string(&m, 4, s->key_id)) || pb_put_string(&m, 5, s->algorithm) ||
             pb_put_bytes(b, field, m.data, m.len);
    buf_release(&m);
    return rc ? -1 : 0;
}

static int put_key(struct buf *b, int field, const struct en_key *k)
{
    uint8_t tmp[64];
    struct buf m = {.data = (char *)tmp, .len = 0, .cap = sizeof tmp, .max = sizeof tmp - 1};
    /* a key is at most ~50 bytes; a stack buffer keeps 750,000 of them cheap */
    int rc = pb_put_bytes(&m, 1, k->key_data, EN_KEY_LEN) ||
             (k->has_transmission_risk && pb_put_int32(&m, 2, k->transmission_risk_level)) ||
             pb_put_int32(&m, 3, k->rolling_start_interval_number) || pb_put_int32(&m, 4, k->rolling_period) ||
             (k->has_report_type && pb_put_int32(&m, 5, k->report_type)) ||
             (k->has_days_since_onset && pb_put_sint32(&m, 6, k->days_since_onset));
    return rc || pb_put_bytes(b, field, m.data, m.len) ? -1 : 0;
}

int en_export_encode(const struct en_export *e, struct buf *out)
{
    if (buf_add(out, EN_EXPORT_HEADER, EN_EXPORT_HEADER_LEN) || pb_put_fixed64(out, 1, e->start_timestamp) ||
        pb_put_fixed64(out, 2, e->end_timestamp) || pb_put_string(out, 3, e->region) ||
        pb_put_int32(out, 4, e->batch_num) || pb_put_int32(out, 5, e->batch_size) ||
        (e->has_info && put_info(out, 6, &e->info)))
        return -1;
    for (size_t i = 0; i < e->nkeys; i++)
        if (put_key(out, 7, &e->keys[i]))
            return -1;
    for (size_t i = 0; i < e->nrevised; i++)
        if (put_key(out, 8, &e->revised[i]))
            return -1;
    return 0;
}

static void copy_str(char *dst, size_t cap, const struct pb_field *f)
{
    size_t n = f->len < cap - 1 ? f->len : cap - 1;
    memcpy(dst, f->data, n);
    dst[n] = '\0';
}

static int decode_info(const uint8_t *p, size_t n, struct en_signature_info *s)
{
    memset(s, 0, sizeof *s);
    struct pb_reader r = {p, p + n};
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.wire != PB_LEN)
            continue;
        if (f.number == 3)
            copy_str(s->key_version, sizeof s->key_version, &f);
        else if (f.number == 4)
            copy_str(s->key_id, sizeof s->key_id, &f);
        else if (f.number == 5)
            copy_str(s->algorithm, sizeof s->algorithm, &f);
    }
    return rc;
}

static int decode_key(const uint8_t *p, size_t n, struct en_key *k)
{
    memset(k, 0, sizeof *k);
    k->rolling_period = EN_MAX_PERIOD;
    struct pb_reader r = {p, p + n};
    struct pb_field f;
    int rc, have_data = 0;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number == 1 && f.wire == PB_LEN) {
            if (f.len != EN_KEY_LEN)
                return -1;
            memcpy(k->key_data, f.data, EN_KEY_LEN);
            have_data = 1;
        } else if (f.wire != PB_VARINT) {
            continue;
        } else if (f.number == 2) {
            k->transmission_risk_level = (int32_t)f.value;
            k->has_transmission_risk = true;
        } else if (f.number == 3) {
            k->rolling_start_interval_number = (int32_t)f.value;
        } else if (f.number == 4) {
            k->rolling_period = (int32_t)f.value;
        } else if (f.number == 5) {
            k->report_type = (int32_t)f.value;
            k->has_report_type = true;
        } else if (f.number == 6) {
            k->days_since_onset = pb_zigzag32(f.value);
            k->has_days_since_onset = true;
        }
    }
    return rc < 0 || !have_data ? -1 : 0;
}

static int add_key(struct en_key **arr, size_t *n, size_t *cap, const struct pb_field *f)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct en_key *a = realloc(*arr, c * sizeof *a);
        if (!a)
            return -1;
        *arr = a;
        *cap = c;
    }
    if (decode_key(f->data, f->len, &(*arr)[*n]))
        return -1;
    (*n)++;
    return 0;
}

int en_export_decode(const uint8_t *p, size_t n, struct en_export *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    if (n < EN_EXPORT_HEADER_LEN || memcmp(p, EN_EXPORT_HEADER, EN_EXPORT_HEADER_LEN)) {
        snprintf(err, errlen, "export.bin does not start with the header \"EK Export v1\"");
        return -1;
    }
    struct pb_reader r = {p + EN_EXPORT_HEADER_LEN, p + n};
    struct pb_field f;
    size_t kcap = 0, rcap = 0;
    int rc;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number == 1 && f.wire == PB_FIXED64) {
            e->start_timestamp = f.value;
        } else if (f.number == 2 && f.wire == PB_FIXED64) {
            e->end_timestamp = f.value;
        } else if (f.number == 3 && f.wire == PB_LEN) {
            copy_str(e->region, sizeof e->region, &f);
        } else if (f.number == 4 && f.wire == PB_VARINT) {
            e->batch_num = (int32_t)f.value;
        } else if (f.number == 5 && f.wire == PB_VARINT) {
            e->batch_size = (int32_t)f.value;
        } else if (f.number == 6 && f.wire == PB_LEN) {
            if (!e->has_info && decode_info(f.data, f.len, &e->info) < 0)
                break;
            e->has_info = true;
        } else if ((f.number == 7 || f.number == 8) && f.wire == PB_LEN) {
            int bad = f.number == 7 ? add_key(&e->keys, &e->nkeys, &kcap, &f)
                                    : add_key(&e->revised, &e->nrevised, &rcap, &f);
            if (bad) {
                snprintf(err, errlen, "export.bin has a malformed key (key %zu)", e->nkeys + e->nrevised + 1);
                en_export_free(e);
                return -1;
            }
        }
    }
    if (rc) {
        snprintf(err, errlen, "export.bin is not a valid TemporaryExposureKeyExport");
        en_export_free(e);
        return -1;
    }
    return 0;
}

void en_export_free(struct en_export *e)
{
    free(e->keys);
    free(e->revised);
    e->keys = e->revised = NULL;
    e->nkeys = e->nrevised = 0;
}

int en_sig_encode(const struct en_signature_info *info, int32_t batch_num, int32_t batch_size, const uint8_t *sig,
                  size_t siglen, struct buf *out)
{
    struct buf m;
    buf_init(&m, 8192);
    int rc = put_info(&m, 1, info) || pb_put_int32(&m, 2, batch_num) || pb_put_int32(&m, 3, batch_size) ||
             pb_put_bytes(&m, 4, sig, siglen) || pb_put_bytes(out, 1, m.data, m.len);
    buf_release(&m);
    return rc ? -1 : 0;
}

int en_sig_decode(const uint8_t *p, size_t n, struct en_tek_signature *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    struct pb_reader r = {p, p + n};
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&r, &f)) == 1)
        if (f.number == 1 && f.wire == PB_LEN)
            break;
    if (rc != 1) {
        snprintf(err, errlen, "export.sig holds no TEKSignature");
        return -1;
    }
    struct pb_reader m = {f.data, f.data + f.len};
    while ((rc = pb_next(&m, &f)) == 1) {
        if (f.number == 1 && f.wire == PB_LEN)
            rc = decode_info(f.data, f.len, &s->info) < 0 ? -1 : 1;
        else if (f.number == 2 && f.wire == PB_VARINT)
            s->batch_num = (int32_t)f.value;
        else if (f.number == 3 && f.wire == PB_VARINT)
            s->batch_size = (int32_t)f.value;
        else if (f.number == 4 && f.wire == PB_LEN) {
            s->sig = f.data;
            s->siglen = f.len;
        }
        if (rc < 0)
            break;
    }
    if (rc < 0 || !s->sig) {
        snprintf(err, errlen, "export.sig is not a valid TEKSignatureList");
        return -1;
    }
    return 0;
}
