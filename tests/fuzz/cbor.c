/*
 * Fuzz target: cbor_decode() on any bytes, then what DCC verification does
 * with a tree (map look-ups, conversion to JSON).  JSON that came out of CBOR
 * must go back through the encoder and decode to the same JSON.
 */
#include "dcc/cbor.h"
#include "fuzz.h"

static void round_trip(const json_t *j)
{
    struct cbor_buf b;
    cbor_buf_init(&b, 1u << 20);
    FUZZ_ASSERT(cbor_put_json(&b, j) == 0 && !b.failed);
    struct cbor_item *again = NULL;
    char err[128];
    FUZZ_ASSERT(cbor_decode(b.data, b.len, &again, err, sizeof(err)) == 0);
    json_t *j2 = NULL;
    FUZZ_ASSERT(cbor_to_json(again, &j2, err, sizeof(err)) == 0);
    FUZZ_ASSERT(json_equal(j, j2));
    json_decref(j2);
    cbor_free(again);
    cbor_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cbor_item *root = NULL;
    char err[128];
    if (cbor_decode(data, size, &root, err, sizeof(err))) {
        FUZZ_ASSERT(root == NULL);
        return 0;
    }
    int64_t v;
    (void)cbor_get_int(root, &v);
    (void)cbor_map_get_int(root, -260);
    (void)cbor_map_get_text(root, "ver");
    json_t *j = NULL;
    if (cbor_to_json(root, &j, err, sizeof(err)) == 0) {
        round_trip(j);
        json_decref(j);
    }
    cbor_free(root);
    return 0;
}
