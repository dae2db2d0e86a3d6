/*
 * Fuzz target: the exposure key export decoders (en/export.h) on any bytes,
 * read as export.bin (with its header put in front when missing) and as
 * export.sig; an export.bin that decodes must encode back to bytes that decode
 * to the same keys.
 */
#include "en/export.h"
#include "fuzz.h"

static bool same_key(const struct en_key *a, const struct en_key *b)
{
    return !memcmp(a->key_data, b->key_data, EN_KEY_LEN) &&
           a->rolling_start_interval_number == b->rolling_start_interval_number &&
           a->rolling_period == b->rolling_period && a->has_report_type == b->has_report_type &&
           (!a->has_report_type || a->report_type == b->report_type) &&
           a->has_days_since_onset == b->has_days_since_onset &&
           (!a->has_days_since_onset || a->days_since_onset == b->days_since_onset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *bin = malloc(size + EN_EXPORT_HEADER_LEN);
    if (!bin)
        abort();
    size_t n = size;
    if (size >= EN_EXPORT_HEADER_LEN && !memcmp(data, EN_EXPORT_HEADER, EN_EXPORT_HEADER_LEN)) {
        memcpy(bin, data, size);
    } else {
        memcpy(bin, EN_EXPORT_HEADER, EN_EXPORT_HEADER_LEN);
        memcpy(bin + EN_EXPORT_HEADER_LEN, data, size);
        n += EN_EXPORT_HEADER_LEN;
    }
    char err[256];
    struct en_export e;
    if (en_export_decode(bin, n, &e, err, sizeof err) == 0) {
        struct buf again;
        buf_init(&again, 64u << 20);
        FUZZ_ASSERT(en_export_encode(&e, &again) == 0);
        struct en_export back;
        FUZZ_ASSERT(en_export_decode((const uint8_t *)again.data, again.len, &back, err, sizeof err) == 0);
        FUZZ_ASSERT(back.nkeys == e.nkeys && back.nrevised == e.nrevised);
        for (size_t i = 0; i < e.nkeys; i++)
            FUZZ_ASSERT(same_key(&e.keys[i], &back.keys[i]));
        en_export_free(&back);
        buf_release(&again);
        en_export_free(&e);
    }
    struct en_tek_signature ts;
    if (en_sig_decode(data, size, &ts, err, sizeof err) == 0)
        FUZZ_ASSERT(ts.sig >= data && ts.sig + ts.siglen <= data + size);
    free(bin);
    return 0;
}
