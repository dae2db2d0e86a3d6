/*
 * Fuzz target: a COSE_Sign1 as a DCC carries it.  Any bytes are decoded as
 * CBOR and read as a COSE_Sign1; a structure that parses has its
 * Sig_structure built and its signature checked against fixed keys of every
 * kind (EC and RSA), the way dcc_verify() does.  The signature bytes are also
 * fed to the r||s <-> DER converters.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "dcc/cose.h"
#include "fuzz.h"

static EVP_PKEY *ec_key, *rsa_key;

static void keys_once(void)
{
    if (!ec_key)
        ec_key = EVP_EC_gen("P-256");
    if (!rsa_key)
        rsa_key = EVP_RSA_gen(2048);
    if (!ec_key || !rsa_key)
        abort();
}

static void converters(const uint8_t *sig, size_t len)
{
    uint8_t der[COSE_ECDSA_DER_MAX], raw[132];
    size_t der_len;
    if (cose_ecdsa_raw_to_der(sig, len, der, &der_len) == 0) {
        FUZZ_ASSERT(der_len <= sizeof(der));
        FUZZ_ASSERT(cose_ecdsa_der_to_raw(der, der_len, raw, len / 2) == 0 && !memcmp(raw, sig, len));
    }
    static const size_t coords[] = {32, 48, 66}; /* P-256, P-384, P-521 */
    for (size_t i = 0; i < sizeof(coords) / sizeof(coords[0]); i++)
        (void)cose_ecdsa_der_to_raw(sig, len, raw, coords[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keys_once();
    struct cbor_item *root = NULL;
    char err[160];
    if (cbor_decode(data, size, &root, err, sizeof(err)))
        return 0;
    struct cose_sign1 s;
    if (cose_sign1_parse(root, &s, err, sizeof(err)) == 0) {
        struct cbor_buf tbs;
        cbor_buf_init(&tbs, 1u << 20);
        cose_sig_structure(&tbs, s.protected_raw, s.protected_len, s.payload, s.payload_len);
        if (!tbs.failed && cose_alg_supported(s.alg)) {
            EVP_PKEY *key = s.alg == COSE_ES256 || s.alg == COSE_ES384 || s.alg == COSE_ES512 ? ec_key : rsa_key;
            int rc = cose_verify(key, s.alg, tbs.data, tbs.len, s.sig, s.sig_len, err, sizeof(err));
            FUZZ_ASSERT(rc == 1); /* nobody forges a signature by chance */
            rc = cose_verify(key == ec_key ? rsa_key : ec_key, s.alg, tbs.data, tbs.len, s.sig, s.sig_len, err,
                             sizeof(err));
            FUZZ_ASSERT(rc == 1);
        }
        cbor_buf_release(&tbs);
        converters(s.sig, s.sig_len);
    }
    cose_sign1_release(&s);
    cbor_free(root);
    return 0;
}
