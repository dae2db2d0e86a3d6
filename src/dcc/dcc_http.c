/*
 * dcc_http.c - the public certificate verifier: POST /api/v1/certificates/verify.
 *
 * Owns the process's trust list (this server's issuer key plus the keys of
 * the configured trust file), built once by dcc_http_configure() before the
 * server answers and read-only afterwards, so request threads share it
 * without locks.  Promises: any payload string gets a 200 with the step that
 * failed (never a 5xx for what a client sends); the decoded contents are
 * shown even when the certificate is not valid, for the verifier to see what
 * it claims, and are never trusted for anything else.
 */
#include "dcc/dcc_http.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonin.h"
#include "core/log.h"
#include "dcc/dcc.h"
#include "dcc/schema.h"
#include "http/http.h"

#define PAYLOAD_MAX_CHARS DCC_VERIFY_BODY_MAX /* longer strings are refused as a field error */
#define ENTRIES_MAX 16                        /* v/t/r entries shown per certificate */

static struct dcc_trust *trust;           /* read-only after dcc_http_configure() */
static struct dcc_valuesets *valuesets;   /* the trust list's value sets, idem */

/* ---- Trust list ---------------------------------------------------------- */

int dcc_http_configure(struct store *s, const char *trust_file, const char *valuesets_file, char *err, size_t errlen)
{
    struct dcc_issuer *iss = NULL;
    struct dcc_trust *t = NULL;
    struct dcc_valuesets *vs = NULL;
    char why[256];
    int rc = -1;
    if (dcc_valuesets_configured(valuesets_file, &vs, err, errlen))
        goto out;
    if (dcc_issuer_load(s, "VN", &iss)) {
        snprintf(err, errlen, "could not load this server's certificate signing key (table dcc_keys)");
        goto out;
    }
    if (dcc_issuer_trust(iss, &t)) {
        snprintf(err, errlen, "could not add this server's signing key to the trust list");
        goto out;
    }
    dcc_trust_use_valuesets(t, vs);
    if (trust_file && *trust_file) {
        size_t before = dcc_trust_count(t);
        if (dcc_trust_load_file(t, trust_file, why, sizeof(why))) {
            snprintf(err, errlen, "bad DCC trust file %s: %s", trust_file, why);
            goto out;
        }
        log_info("msg=\"dcc trust list loaded\" file=%s keys=%zu", trust_file, dcc_trust_count(t) - before);
    }
    dcc_http_release();
    trust = t;
    valuesets = vs;
    t = NULL;
    vs = NULL;
    rc = 0;
out:
    dcc_trust_free(t);
    dcc_valuesets_free(vs);
    dcc_issuer_free(iss);
    return rc;
}

void dcc_http_release(void)
{
    dcc_trust_free(trust);
    dcc_valuesets_free(valuesets);
    trust = NULL;
    valuesets = NULL;
}

size_t dcc_http_trust_count(void)
{
    return trust ? dcc_trust_count(trust) : 0;
}

/* ---- Showing a certificate ----------------------------------------------- */

/* A C string as JSON, or null when it is empty or not UTF-8 (claims come from untrusted CBOR). */
static json_t *text(const char *s)
{
    json_t *v = s && *s ? json_string(s) : NULL;
    return v ? v : json_null();
}

/* A string field of untrusted JSON as a new JSON string, or null when absent or not a string. */
static json_t *str_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_stringn(json_string_value(v), json_string_length(v)) : json_null();
}

/* A code's display name from the value sets, or null when the set does not hold it. */
static json_t *name_of(const json_t *o, const char *key, const char *set)
{
    const char *name = dcc_valueset_display(valuesets, set, json_string_value(json_object_get(o, key)));
    return name ? json_string(name) : json_null();
}

/* The same ("Comirnaty" for EU/1/20/1528), else the code itself. */
static json_t *display_of(const json_t *o, const char *key, const char *set)
{
    json_t *name = name_of(o, key, set);
    return json_is_null(name) ? str_of(o, key) : name;
}

/* An integer field (dose numbers), or null. */
static json_t *int_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer(json_integer_value(v)) : json_null();
}

static const char *cstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_t *vaccination(const json_t *e)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "disease", str_of(e, "tg"),
                     "vaccine", str_of(e, "vp"), "product", str_of(e, "mp"), "product_name",
                     display_of(e, "mp", "vaccine-medicinal-product"), "manufacturer", str_of(e, "ma"), "dose_number",
                     int_of(e, "dn"), "total_doses", int_of(e, "sd"), "date", str_of(e, "dt"), "country",
                     str_of(e, "co"), "issuer", str_of(e, "is"), "uvci", str_of(e, "ci"), "booster",
                     json_boolean(json_is_integer(json_object_get(e, "dn")) &&
                                  json_is_integer(json_object_get(e, "sd")) &&
                                  json_integer_value(json_object_get(e, "dn")) >
                                      json_integer_value(json_object_get(e, "sd"))));
    if (o) {
        json_object_set_new(o, "manufacturer_name", name_of(e, "ma", "vaccine-mah-manf"));
        json_object_set_new(o, "country_name", name_of(e, "co", "country-2-codes"));
    }
    return o;
}

static json_t *test_entry(const json_t *e)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "disease", str_of(e, "tg"),
                          "test_type", str_of(e, "tt"), "test_name", str_of(e, "nm"), "manufacturer", str_of(e, "ma"),
                          "collected_at", str_of(e, "sc"), "result", str_of(e, "tr"), "centre", str_of(e, "tc"),
                          "country", str_of(e, "co"), "issuer", str_of(e, "is"), "uvci", str_of(e, "ci"));
    if (o) {
        json_object_set_new(o, "test_type_name", name_of(e, "tt", "test-type"));
        json_object_set_new(o, "manufacturer_name", name_of(e, "ma", "test-manf"));
        json_object_set_new(o, "result_name", name_of(e, "tr", "test-result"));
        json_object_set_new(o, "country_name", name_of(e, "co", "country-2-codes"));
    }
    return o;
}

static json_t *recovery(const json_t *e)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "disease", str_of(e, "tg"), "first_positive",
                          str_of(e, "fr"), "country", str_of(e, "co"), "issuer", str_of(e, "is"), "valid_from",
                          str_of(e, "df"), "valid_until", str_of(e, "du"), "uvci", str_of(e, "ci"));
    if (o)
        json_object_set_new(o, "country_name", name_of(e, "co", "country-2-codes"));
    return o;
}

static json_t *entries(const json_t *payload, const char *key, json_t *(*one)(const json_t *))
{
    json_t *out = json_array();
    const json_t *arr = json_object_get(payload, key);
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr) && i < ENTRIES_MAX; i++) {
        const json_t *e = json_array_get(arr, i);
        if (json_is_object(e))
            json_array_append_new(out, one(e));
    }
    return out;
}

/* "NGUYỄN Văn An": family name first, as Vietnamese and the DCC both write it. */
static json_t *full_name(const json_t *nam)
{
    const char *fam = cstr(nam, "fn"), *giv = cstr(nam, "gn");
    if (!fam && !giv) {
        fam = cstr(nam, "fnt");
        giv = cstr(nam, "gnt");
    }
    if (!fam && !giv)
        return json_null();
    char buf[512];
    snprintf(buf, sizeof(buf), "%s%s%s", fam ? fam : "", fam && giv ? " " : "", giv ? giv : "");
    return text(buf); /* not UTF-8 after truncation: no name */
}

/* The certificate's contents for people; NULL payload gives null. */
static json_t *certificate_json(const json_t *p)
{
    if (!json_is_object(p))
        return json_null();
    const json_t *nam = json_object_get(p, "nam");
    json_t *v = entries(p, "v", vaccination), *t = entries(p, "t", test_entry), *r = entries(p, "r", recovery);
    const char *type = json_array_size(v) ? "vaccination" : json_array_size(t) ? "test"
                                                        : json_array_size(r) ? "recovery"
                                                                             : "unknown";
    return json_pack("{s:o, s:s, s:{s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:o, s:o}", "version", str_of(p, "ver"), "type",
                     type, "name", "family", str_of(nam, "fn"), "given", str_of(nam, "gn"), "family_icao",
                     str_of(nam, "fnt"), "given_icao", str_of(nam, "gnt"), "full_name", full_name(nam),
                     "date_of_birth", str_of(p, "dob"), "doses", v, "tests", t, "recoveries", r);
}

/* ---- Handler ------------------------------------------------------------- */

enum err dcc_handle_verify(struct http_req *r)
{
    static const char *const fields[] = {"payload", NULL};
    json_t *body;
    const char *payload;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "payload", true, PAYLOAD_MAX_CHARS, &payload, &r->fault);
    if (rc)
        return rc;
    if (strlen(payload) != json_string_length(json_object_get(body, "payload")))
        return http_fail(r, ERR_INVALID_FIELD, "payload", "payload must not contain NUL characters");

    struct dcc_result res;
    enum dcc_status st = (enum dcc_status)dcc_verify(trust, payload, clock_now(), &res);
    if (st == DCC_INTERNAL) {
        /* Memory or the crypto library failed: not the payload's fault, and worth retrying. */
        log_error("msg=\"dcc verify failed\" detail=\"%s\"", res.detail);
        dcc_result_release(&res);
        return http_fail(r, ERR_UNAVAILABLE, NULL, "the certificate could not be checked now; try again");
    }
    json_t *out = json_pack("{s:b, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "valid", st == DCC_OK, "status",
                            dcc_status_str(st), "message", dcc_status_message(st), "detail", text(res.detail),
                            "country", text(res.iss), "issued_at", res.iat ? json_integer(res.iat) : json_null(),
                            "expires_at", res.exp ? json_integer(res.exp) : json_null(), "kid",
                            res.kid_len ? text(res.kid_b64) : json_null(), "certificate",
                            certificate_json(res.payload));
    dcc_result_release(&res);
    if (!out)
        return http_fail(r, ERR_INTERNAL, NULL, "out of memory");
    return http_reply_json(r, 200, out);
}
