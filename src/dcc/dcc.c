/*
 * dcc.c - issuing and verifying EU Digital COVID Certificates:
 * JSON -> CWT (CBOR) -> COSE_Sign1 (ES256) -> zlib -> base45 -> "HC1:", and back.
 *
 * The issuing path is the hot one for a vaccination day: an issuer keeps its
 * key, its signing context, its deflate stream and its buffers between
 * certificates, so one certificate costs one ECDSA signature plus a few
 * microseconds of encoding.
 */
#include "dcc/dcc.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dcc/base45.h"
#include "dcc/cbor.h"
#include "dcc/cose.h"
#include "dcc/dcc_int.h"
#include "dcc/schema.h"

#define CWT_ISS 1
#define CWT_EXP 4
#define CWT_IAT 6
#define CWT_HCERT -260
#define HCERT_EU_DCC_V1 1
#ifndef DCC_ZLIB_LEVEL
#define DCC_ZLIB_LEVEL Z_DEFAULT_COMPRESSION
#endif
#define DCC_ZLIB_WINDOW_BITS 15 /* the standard zlib stream: header byte 0x78 */

/* ---- Status -------------------------------------------------------------- */

static const struct {
    const char *code, *message;
} statuses[DCC_STATUS_LAST] = {
    [DCC_OK] = {"ok", "the certificate is valid"},
    [DCC_BAD_PREFIX] = {"bad_prefix", "the text does not start with HC1:"},
    [DCC_BAD_BASE45] = {"bad_base45", "the text is not valid base45"},
    [DCC_BAD_COMPRESSION] = {"bad_compression", "the data is not a valid zlib stream"},
    [DCC_BAD_CBOR] = {"bad_cbor", "the data is not valid CBOR or not a certificate"},
    [DCC_BAD_COSE] = {"bad_cose", "the data is not a valid COSE_Sign1 signed message"},
    [DCC_UNKNOWN_KEY] = {"unknown_key", "the signing key is not in the trust list"},
    [DCC_BAD_SIGNATURE] = {"bad_signature", "the signature does not match the key"},
    [DCC_EXPIRED] = {"expired", "the certificate has expired"},
    [DCC_NOT_YET_VALID] = {"not_yet_valid", "the certificate is not valid yet"},
    [DCC_WRONG_KEY_USAGE] = {"wrong_key_usage", "the signing key may not sign this type of certificate"},
    [DCC_INTERNAL] = {"internal", "the certificate could not be checked (internal error)"},
    [DCC_BAD_SCHEMA] = {"bad_schema", "the certificate's contents do not follow the DCC schema"},
};

const char *dcc_status_str(enum dcc_status s)
{
    return (unsigned)s < DCC_STATUS_LAST ? statuses[s].code : "unknown";
}

const char *dcc_status_message(enum dcc_status s)
{
    return (unsigned)s < DCC_STATUS_LAST ? statuses[s].message : "unknown status";
}

void dcc_result_release(struct dcc_result *r)
{
    json_decref(r->payload);
    memset(r, 0, sizeof(*r));
}

/* ---- Verify -------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int set_status(struct dcc_result *out, enum dcc_status s,
                                                              const char *fmt, ...)
{
    out->status = s;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
        va_end(ap);
    }
    return s;
}

/* Inflates a zlib stream that must end exactly at the end of in. */
static int inflate_all(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len, const char **why)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit(&z) != Z_OK) {
        *why = "zlib could not start";
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int zr = inflate(&z, Z_FINISH);
    int rc = 0;
    if (zr != Z_STREAM_END) {
        *why = zr == Z_BUF_ERROR && z.avail_out == 0 ? "inflates beyond the size limit"
               : zr == Z_BUF_ERROR                   ? "truncated zlib stream"
               : z.msg                               ? z.msg
                                                     : "corrupt zlib stream";
        rc = -1;
    } else if (z.avail_in) {
        *why = "bytes after the end of the zlib stream";
        rc = -1;
    }
    *out_len = z.total_out;
    inflateEnd(&z);
    return rc;
}

/* A time claim: an integer, an integral float, or either inside tag 1 (epoch time). */
static bool time_claim(const struct cbor_item *it, int64_t *v)
{
    if (it && it->type == CBOR_TAG && it->u == 1)
        it = it->items;
    if (!it)
        return false;
    if (cbor_get_int(it, v))
        return true;
    if (it->type == CBOR_FLOAT && it->f > -9.2e18 && it->f < 9.2e18) {
        *v = (int64_t)it->f;
        return true;
    }
    return false;
}

/* Reads the CWT claims of a COSE payload into out.  Returns 0 or a status. */
static int read_claims(const uint8_t *p, size_t len, struct dcc_result *out)
{
    struct cbor_item *claims = NULL;
    char err[128];
    int rc = 0;
    if (cbor_decode(p, len, &claims, err, sizeof(err))) {
        rc = set_status(out, DCC_BAD_CBOR, "claims: %s", err);
        goto out;
    }
    if (claims->type != CBOR_MAP) {
        rc = set_status(out, DCC_BAD_CBOR, "the claims are not a CBOR map");
        goto out;
    }
    const struct cbor_item *iss = cbor_map_get_int(claims, CWT_ISS);
    if (iss && iss->type == CBOR_TEXT)
        snprintf(out->iss, sizeof(out->iss), "%.*s", (int)(iss->len < 63 ? iss->len : 63), (const char *)iss->data);
    const struct cbor_item *iat = cbor_map_get_int(claims, CWT_IAT), *exp = cbor_map_get_int(claims, CWT_EXP);
    if (!exp || !time_claim(exp, &out->exp)) {
        rc = set_status(out, DCC_BAD_CBOR, exp ? "exp (claim 4) is not a time" : "no exp claim (4)");
        goto out;
    }
    if (!iat || !time_claim(iat, &out->iat)) {
        rc = set_status(out, DCC_BAD_CBOR, iat ? "iat (claim 6) is not a time" : "no iat claim (6)");
        goto out;
    }
    const struct cbor_item *hcert = cbor_map_get_int(claims, CWT_HCERT);
    const struct cbor_item *dcc = cbor_map_get_int(hcert, HCERT_EU_DCC_V1);
    if (!dcc || dcc->type != CBOR_MAP) {
        rc = set_status(out, DCC_BAD_CBOR, hcert ? "no EU DCC (key 1) in the hcert claim" : "no hcert claim (-260)");
        goto out;
    }
    if (cbor_to_json(dcc, &out->payload, err, sizeof(err))) {
        rc = set_status(out, DCC_BAD_CBOR, "certificate payload: %s", err);
        goto out;
    }
out:
    cbor_free(claims);
    return rc;
}

/* Which certificate types a payload holds. */
static unsigned payload_types(const json_t *payload)
{
    unsigned u = 0;
    if (json_object_get(payload, "t"))
        u |= DCC_USAGE_TEST;
    if (json_object_get(payload, "v"))
        u |= DCC_USAGE_VACCINATION;
    if (json_object_get(payload, "r"))
        u |= DCC_USAGE_RECOVERY;
    return u;
}

int dcc_verify(const struct dcc_trust *trust, const char *hc1, int64_t now, struct dcc_result *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t *zbuf = NULL, *cose_buf = NULL;
    struct cbor_item *root = NULL;
    struct cose_sign1 cs;
    struct cbor_buf tbs;
    memset(&cs, 0, sizeof(cs));
    cbor_buf_init(&tbs, DCC_MAX_COSE + 64);
    char err[160];
    int rc;

    if (!hc1 || strncmp(hc1, "HC1:", 4)) {
        rc = set_status(out, DCC_BAD_PREFIX, "the text does not start with HC1:");
        goto out;
    }
    const char *b45 = hc1 + 4;
    size_t n = strnlen(b45, DCC_MAX_HC1 + 1);
    if (n > DCC_MAX_HC1 - 4) {
        rc = set_status(out, DCC_BAD_BASE45, "longer than %d characters", DCC_MAX_HC1);
        goto out;
    }
    zbuf = malloc(BASE45_DECODED_MAX(n));
    cose_buf = malloc(DCC_MAX_COSE);
    if (!zbuf || !cose_buf) {
        rc = set_status(out, DCC_INTERNAL, "out of memory");
        goto out;
    }
    size_t zlen, bad_at = 0;
    if (base45_decode(b45, n, zbuf, &zlen, &bad_at)) {
        uint8_t c = (uint8_t)b45[bad_at];
        rc = set_status(out, DCC_BAD_BASE45, c >= 0x20 && c < 0x7f ? "bad character or group at %zu ('%c')"
                                                                    : "bad character or group at %zu",
                        bad_at + 4, c);
        goto out;
    }
    size_t cose_len;
    const char *why = NULL;
    if (inflate_all(zbuf, zlen, cose_buf, DCC_MAX_COSE, &cose_len, &why)) {
        rc = set_status(out, DCC_BAD_COMPRESSION, "%s", why);
        goto out;
    }
    if (cbor_decode(cose_buf, cose_len, &root, err, sizeof(err))) {
        rc = set_status(out, DCC_BAD_CBOR, "%s", err);
        goto out;
    }
    if (cose_sign1_parse(root, &cs, err, sizeof(err))) {
        rc = set_status(out, DCC_BAD_COSE, "%s", err);
        goto out;
    }
    out->alg = (int)(cs.alg >= INT32_MIN && cs.alg <= INT32_MAX ? cs.alg : 0);
    if (cs.kid) {
        out->kid_len = cs.kid_len < DCC_KID_MAX ? cs.kid_len : DCC_KID_MAX;
        memcpy(out->kid, cs.kid, out->kid_len);
        dcc__b64_encode(out->kid, out->kid_len, out->kid_b64);
    }
    if (!cose_alg_supported(cs.alg)) {
        rc = set_status(out, DCC_BAD_COSE, "unsupported alg %lld", (long long)cs.alg);
        goto out;
    }
    if (!cs.kid || cs.kid_len == 0 || cs.kid_len > DCC_KID_MAX) {
        rc = set_status(out, DCC_BAD_COSE, cs.kid ? "kid has a bad length" : "no kid in the headers");
        goto out;
    }
    if ((rc = read_claims(cs.payload, cs.payload_len, out)))
        goto out;

    /* Signature: every trusted key with this kid is tried (kids may collide). */
    cose_sig_structure(&tbs, cs.protected_raw, cs.protected_len, cs.payload, cs.payload_len);
    if (tbs.failed) {
        rc = set_status(out, DCC_INTERNAL, "out of memory");
        goto out;
    }
    const struct dcc_trust_entry *signer = NULL;
    bool known = false;
    for (size_t i = 0; trust && i < trust->n && !signer; i++) {
        const struct dcc_trust_entry *e = &trust->entries[i];
        if (e->kid_len != cs.kid_len || memcmp(e->kid, cs.kid, cs.kid_len))
            continue;
        known = true;
        int v = cose_verify(e->key, cs.alg, tbs.data, tbs.len, cs.sig, cs.sig_len, err, sizeof(err));
        if (v < 0) {
            rc = set_status(out, DCC_INTERNAL, "%s", err);
            goto out;
        }
        if (v == 0)
            signer = e;
    }
    if (!known) {
        rc = set_status(out, DCC_UNKNOWN_KEY, "kid %s is not in the trust list", out->kid_b64);
        goto out;
    }
    if (!signer) {
        rc = set_status(out, DCC_BAD_SIGNATURE, "%s", err);
        goto out;
    }
    unsigned types = payload_types(out->payload);
    if (types & ~signer->usage) {
        rc = set_status(out, DCC_WRONG_KEY_USAGE, "the signer certificate does not allow %s certificates",
                        (types & ~signer->usage) & DCC_USAGE_VACCINATION ? "vaccination"
                        : (types & ~signer->usage) & DCC_USAGE_TEST      ? "test"
                                                                         : "recovery");
        goto out;
    }
    if (now < out->iat) {
        rc = set_status(out, DCC_NOT_YET_VALID, "issued at %lld, after now (%lld)", (long long)out->iat,
                        (long long)now);
        goto out;
    }
    if (now > out->exp) {
        rc = set_status(out, DCC_EXPIRED, "expired at %lld, before now (%lld)", (long long)out->exp, (long long)now);
        goto out;
    }
    char where[32], fault[112];
    if (dcc_schema_check(out->payload, trust ? trust->valuesets : NULL, where, sizeof(where), fault, sizeof(fault))) {
        rc = set_status(out, DCC_BAD_SCHEMA, "%s %s", where, fault);
        goto out;
    }
    rc = set_status(out, DCC_OK, NULL);
out:
    cose_sign1_release(&cs);
    cbor_free(root);
    cbor_buf_release(&tbs);
    free(zbuf);
    free(cose_buf);
    return rc;
}

/* ---- Issue --------------------------------------------------------------- */

struct dcc_issuer {
    pthread_mutex_t mu;           /* guards everything below that dcc_issue() writes */
    EVP_PKEY *key;
    char *cert_pem;
    uint8_t cert_der_kid[8];
    char kid_b64[16];
    char country[8];
    uint8_t prot[16];             /* encoded protected header {1: -7, 4: kid} */
    size_t prot_len;
    struct cose_signer signer;
    struct cbor_buf claims, tbs, cose;
    z_stream z;
    bool z_ready;
    uint8_t *zbuf;
    size_t zcap;
    uint8_t *cert_der;
    size_t cert_der_len;
};

int dcc_issuer_new(const char *key_pem, const char *cert_pem, const char *country, struct dcc_issuer **out,
                   char *err, size_t errlen)
{
    *out = NULL;
    struct dcc_issuer *iss = calloc(1, sizeof(*iss));
    BIO *kb = NULL, *cb = NULL;
    X509 *cert = NULL;
    unsigned char *der = NULL;
    int rc = -1;
    if (!iss) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&iss->mu, NULL);
    cbor_buf_init(&iss->claims, DCC_MAX_COSE);
    cbor_buf_init(&iss->tbs, DCC_MAX_COSE + 64);
    cbor_buf_init(&iss->cose, DCC_MAX_COSE + 128);
    if (!country || strlen(country) >= sizeof(iss->country)) {
        snprintf(err, errlen, "bad country code");
        goto out;
    }
    snprintf(iss->country, sizeof(iss->country), "%s", country);
    kb = BIO_new_mem_buf(key_pem, -1);
    cb = BIO_new_mem_buf(cert_pem, -1);
    if (!kb || !cb || !(iss->key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL))) {
        snprintf(err, errlen, "unreadable private key");
        goto out;
    }
    if (!(cert = PEM_read_bio_X509(cb, NULL, NULL, NULL))) {
        snprintf(err, errlen, "unreadable certificate");
        goto out;
    }
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    if (!pub || EVP_PKEY_eq(pub, iss->key) != 1) {
        snprintf(err, errlen, "the certificate is not for this key");
        goto out;
    }
    if (cose_signer_init(&iss->signer, iss->key)) {
        snprintf(err, errlen, "the key is not an EC P-256 private key");
        goto out;
    }
    int der_len = i2d_X509(cert, &der);
    if (der_len <= 0 || dcc__kid_of(der, (size_t)der_len, iss->cert_der_kid)) {
        snprintf(err, errlen, "could not encode the certificate");
        goto out;
    }
    iss->cert_der = malloc((size_t)der_len);
    iss->cert_pem = strdup(cert_pem);
    if (!iss->cert_der || !iss->cert_pem) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    memcpy(iss->cert_der, der, (size_t)der_len);
    iss->cert_der_len = (size_t)der_len;
    dcc__b64_encode(iss->cert_der_kid, 8, iss->kid_b64);

    /* {1: -7, 4: h'kid'} is the same for every certificate: encode it once. */
    struct cbor_buf ph;
    cbor_buf_init(&ph, sizeof(iss->prot));
    cbor_put_map(&ph, 2);
    cbor_put_int(&ph, COSE_HDR_ALG);
    cbor_put_int(&ph, COSE_ES256);
    cbor_put_int(&ph, COSE_HDR_KID);
    cbor_put_bytes(&ph, iss->cert_der_kid, 8);
    if (ph.failed) {
        cbor_buf_release(&ph);
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    memcpy(iss->prot, ph.data, ph.len);
    iss->prot_len = ph.len;
    cbor_buf_release(&ph);

    /* The ordinary zlib stream that every verifier expects: a 32 KiB window
     * (windowBits 15), so the stream starts with the header byte 0x78 (some
     * verifiers, the @pathcheck/dcc-sdk among them, inflate only then).
     * Z_RLE (runs plus Huffman coding) compresses these few hundred bytes as
     * well as full matching does, faster, and never reads the hash table;
     * memLevel 4 keeps that table at 4 KiB, which deflateReset() clears per
     * certificate (zlib's default clears 64 KiB), while its 1024-symbol
     * block still holds a whole certificate (memLevel 1 splits it in blocks). */
    if (deflateInit2(&iss->z, DCC_ZLIB_LEVEL, Z_DEFLATED, DCC_ZLIB_WINDOW_BITS, 4, Z_RLE) != Z_OK) {
        snprintf(err, errlen, "zlib could not start");
        goto out;
    }
    iss->z_ready = true;
    rc = 0;
out:
    OPENSSL_free(der);
    X509_free(cert);
    BIO_free(kb);
    BIO_free(cb);
    if (rc)
        dcc_issuer_free(iss);
    else
        *out = iss;
    return rc;
}

void dcc_issuer_free(struct dcc_issuer *iss)
{
    if (!iss)
        return;
    cose_signer_release(&iss->signer);
    EVP_PKEY_free(iss->key);
    free(iss->cert_pem);
    free(iss->cert_der);
    cbor_buf_release(&iss->claims);
    cbor_buf_release(&iss->tbs);
    cbor_buf_release(&iss->cose);
    if (iss->z_ready)
        deflateEnd(&iss->z);
    free(iss->zbuf);
    pthread_mutex_destroy(&iss->mu);
    free(iss);
}

const char *dcc_issuer_kid_b64(const struct dcc_issuer *iss)
{
    return iss->kid_b64;
}

const char *dcc_issuer_cert_pem(const struct dcc_issuer *iss)
{
    return iss->cert_pem;
}

int dcc_issuer_trust(const struct dcc_issuer *iss, struct dcc_trust **out)
{
    if (dcc_trust_new(out))
        return -1;
    if (dcc_trust_add_der(*out, iss->cert_der_kid, 8, iss->cert_der, iss->cert_der_len, NULL, 0)) {
        dcc_trust_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/*
 * Whether the decoder's bounds (cbor.h) admit v at this depth, counting its
 * items into *items: dcc_verify() must read back whatever dcc_issue() signs.
 */
static bool within_decoder_bounds(const json_t *v, int depth, size_t *items)
{
    if (depth > CBOR_MAX_DEPTH || ++*items > CBOR_MAX_ITEMS)
        return false;
    const char *key;
    json_t *val;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, val)
        {
            (void)key;
            ++*items;
            if (!within_decoder_bounds(val, depth + 1, items))
                return false;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, val)
        {
            if (!within_decoder_bounds(val, depth + 1, items))
                return false;
        }
    }
    return true;
}

/* Builds, signs, compresses and encodes one certificate; called under iss->mu. */
static int issue_locked(struct dcc_issuer *iss, const json_t *payload, int64_t iat, int64_t exp, char **hc1_out)
{
    /* The payload sits at depth 3 (claims map, hcert map), after 10 items: the claims map,
     * its 4 keys, iss, iat and exp, the hcert map and its key. */
    size_t items = 10;
    if (!within_decoder_bounds(payload, 3, &items))
        return -1;
    struct cbor_buf *c = &iss->claims;
    cbor_buf_reset(c);
    cbor_put_map(c, 4);
    cbor_put_int(c, CWT_ISS);
    cbor_put_text(c, iss->country, strlen(iss->country));
    cbor_put_int(c, CWT_IAT);
    cbor_put_int(c, iat);
    cbor_put_int(c, CWT_EXP);
    cbor_put_int(c, exp);
    cbor_put_int(c, CWT_HCERT);
    cbor_put_map(c, 1);
    cbor_put_int(c, HCERT_EU_DCC_V1);
    if (cbor_put_json(c, payload) || c->failed)
        return -1;

    cbor_buf_reset(&iss->tbs);
    cose_sig_structure(&iss->tbs, iss->prot, iss->prot_len, c->data, c->len);
    uint8_t sig[64];
    if (iss->tbs.failed || cose_signer_sign(&iss->signer, iss->tbs.data, iss->tbs.len, sig))
        return -1;

    struct cbor_buf *m = &iss->cose;
    static const uint8_t empty_map = 0xa0;
    cbor_buf_reset(m);
    cbor_put_tag(m, COSE_TAG_SIGN1);
    cbor_put_array(m, 4);
    cbor_put_bytes(m, iss->prot, iss->prot_len);
    cbor_put_raw(m, &empty_map, 1);
    cbor_put_bytes(m, c->data, c->len);
    cbor_put_bytes(m, sig, sizeof(sig));
    if (m->failed || m->len > DCC_MAX_COSE)
        return -1;

    size_t bound = deflateBound(&iss->z, (uLong)m->len);
    if (bound > iss->zcap) {
        uint8_t *p = realloc(iss->zbuf, bound);
        if (!p)
            return -1;
        iss->zbuf = p;
        iss->zcap = bound;
    }
    if (deflateReset(&iss->z) != Z_OK)
        return -1;
    iss->z.next_in = m->data;
    iss->z.avail_in = (uInt)m->len;
    iss->z.next_out = iss->zbuf;
    iss->z.avail_out = (uInt)iss->zcap;
    if (deflate(&iss->z, Z_FINISH) != Z_STREAM_END)
        return -1;
    size_t zlen = iss->z.total_out;
    if (BASE45_ENCODED_LEN(zlen) > DCC_MAX_HC1 - 4)
        return -1;

    char *hc1 = malloc(4 + BASE45_ENCODED_LEN(zlen) + 1);
    if (!hc1)
        return -1;
    memcpy(hc1, "HC1:", 4);
    base45_encode(iss->zbuf, zlen, hc1 + 4);
    *hc1_out = hc1;
    return 0;
}

int dcc_issue(struct dcc_issuer *iss, const json_t *payload, int64_t iat, int64_t exp, char **hc1_out)
{
    *hc1_out = NULL;
    if (!json_is_object(payload))
        return -1;
    pthread_mutex_lock(&iss->mu);
    int rc = issue_locked(iss, payload, iat, exp, hc1_out);
    pthread_mutex_unlock(&iss->mu);
    return rc;
}
