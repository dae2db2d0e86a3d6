/*
 * Fuzz target: dcc_verify(), the whole "HC1:" decoder.  The input is read
 * three ways so that mutations reach every step:
 *   "HC1:..."   verified as is (base45, zlib, CBOR, COSE, claims);
 *   "{..."      a DCC JSON payload, issued by a fixed issuer and verified
 *               with its key, reaching the signature, time and schema checks;
 *   anything    COSE bytes, compressed and base45-encoded here first, so the
 *               CBOR and COSE steps see mutations that zlib would refuse.
 */
#include <zlib.h>

#include "dcc/base45.h"
#include "dcc/dcc.h"
#include "dcc/schema.h"
#include "fuzz.h"

#define NOW 1640995200 /* 2022-01-01, inside the test data's validity */

static struct dcc_issuer *issuer;
static struct dcc_trust *trust;

static void setup_once(void)
{
    if (issuer)
        return;
    if (dcc_issuer_generate("VN", &issuer) || dcc_issuer_trust(issuer, &trust) || !dcc_valuesets_shipped())
        abort();
    dcc_trust_use_valuesets(trust, dcc_valuesets_shipped());
}

static void verify(const char *hc1)
{
    struct dcc_result res;
    int rc = dcc_verify(trust, hc1, NOW, &res);
    FUZZ_ASSERT(rc == (int)res.status && rc >= DCC_OK && rc < DCC_STATUS_LAST && rc != DCC_INTERNAL);
    FUZZ_ASSERT(res.kid_len <= DCC_KID_MAX && memchr(res.detail, '\0', sizeof(res.detail)));
    dcc_result_release(&res);
}

static void verify_issued(const char *text)
{
    json_t *payload = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    char *hc1 = NULL;
    if (payload && dcc_issue(issuer, payload, NOW - 60, NOW + 86400, &hc1) == 0) {
        struct dcc_result res;
        int rc = dcc_verify(trust, hc1, NOW, &res);
        /* What we sign we must read back: only the schema may object. */
        FUZZ_ASSERT(rc == DCC_OK || rc == DCC_BAD_SCHEMA);
        dcc_result_release(&res);
        free(hc1);
    }
    json_decref(payload);
}

static void verify_cose(const uint8_t *data, size_t size)
{
    uLongf zlen = compressBound(size);
    uint8_t *z = malloc(zlen);
    if (!z || compress2(z, &zlen, data, size, 1) != Z_OK)
        abort();
    char *hc1 = malloc(4 + BASE45_ENCODED_LEN(zlen) + 1);
    if (!hc1)
        abort();
    memcpy(hc1, "HC1:", 4);
    base45_encode(z, zlen, hc1 + 4);
    verify(hc1);
    free(hc1);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    char *s = fuzz_cstr(data, size);
    if (size >= 4 && !memcmp(data, "HC1:", 4))
        verify(s);
    else if (size >= 1 && data[0] == '{')
        verify_issued(s);
    else
        verify_cose(data, size);
    free(s);
    return 0;
}
