/*
 * Fuzz target: signed QR payloads (CDN1...) as scanners read them: the format
 * (qr_parse) and the offline signature check (qr_verify_with_key) against a
 * fixed Ed25519 key.  tests/fuzz/seeds.js signs the seeds with the same key,
 * so mutations start from payloads that verify.
 */
#include <sodium.h>

#include "fuzz.h"
#include "qr/qr.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES];

static void key_once(void)
{
    static bool done;
    if (done)
        return;
    unsigned char seed[crypto_sign_SEEDBYTES], sk[crypto_sign_SECRETKEYBYTES];
    for (size_t i = 0; i < sizeof(seed); i++) /* the seed seeds.js uses: bytes 1, 2, ... 32 */
        seed[i] = (unsigned char)(i + 1);
    if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed))
        abort();
    done = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    key_once();
    char *s = fuzz_cstr(data, size);
    struct qr_parsed p, v;
    int format = qr_parse(s, &p);
    int verdict = qr_verify_with_key(pk, s, &v);
    FUZZ_ASSERT(format == QR_VALID || format == QR_BAD_FORMAT);
    FUZZ_ASSERT(verdict == QR_VALID || verdict == QR_BAD_FORMAT || verdict == QR_BAD_SIGNATURE);
    FUZZ_ASSERT(format == QR_VALID || verdict == QR_BAD_FORMAT); /* a non-canonical signature is a format fault too */
    if (format == QR_VALID) {
        FUZZ_ASSERT(p.type == 'P' || p.type == 'D' || p.type == 'V');
        FUZZ_ASSERT(p.nfields >= 1 && p.nfields <= 4 && memchr(p.kid, '\0', sizeof(p.kid)));
        for (int i = 0; i < p.nfields; i++)
            FUZZ_ASSERT(*p.fields[i] && memchr(p.fields[i], '\0', sizeof(p.fields[i])));
    }
    free(s);
    return 0;
}
