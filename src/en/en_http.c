/*
 * en_http.c - the key server's routes (en_http.h).
 *
 * A rule broken is a 400 whose message starts with the rule's name
 * (too_many_keys, key_too_old, ...), checked before anything is written:
 * an upload is stored whole or not at all.
 */
#include "en/en_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <sodium.h>

#include "area/scope.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/kek.h"
#include "core/secret.h"
#include "en/en.h"
#include "en/export.h"
#include "en/keyserver.h"
#include "http/http.h"
#include "store/store.h"

/* ------------------------------------------------------------ verify */

struct code_row {
    int64_t id, expires_at, long_expires_at, used_at;
    int used;
    char test_date[11], report_type[16];
    int is_long;
};

static void read_code(struct store_stmt *st, void *ctx)
{
    struct code_row *c = ctx;
    c->id = store_col_int(st, 0);
    c->expires_at = store_col_int(st, 1);
    c->long_expires_at = store_col_int(st, 2);
    c->used = !store_col_null(st, 3);
    snprintf(c->test_date, sizeof c->test_date, "%s", store_col_text(st, 4));
    snprintf(c->report_type, sizeof c->report_type, "%s", store_col_text(st, 5));
    c->is_long = (int)store_col_int(st, 6);
}

struct verify_ctx {
    struct http_req *r;
    const char *code, *ip;
    int64_t now;
    char token[SECRET_TOKEN_LEN + 1];
    struct code_row c;
    const char *rule; /* set when the code is refused: the failure is recorded, then the 400 */
};

static int verify_tx(struct store *s, void *ctx)
{
    struct verify_ctx *v = ctx;
    int64_t failures = 0;
    enum store_rc rc = store_int(s, &failures, "SELECT COUNT(*) FROM en_verify_failures WHERE client_ip = ? AND at >= ?",
                                 "si", v->ip, v->now - EN_VERIFY_WINDOW);
    if (rc)
        return rc;
    if (failures >= EN_VERIFY_FAILURES) {
        v->rule = "rate_limited";
        return 0;
    }
    char digest[SECRET_DIGEST_HEX_LEN + 1];
    secret_digest(v->code, digest);
    memset(&v->c, 0, sizeof v->c);
    rc = store_get(s, read_code, &v->c,
                   "SELECT id, expires_at, long_expires_at, used_at, test_date, report_type,"
                   " CASE WHEN long_digest = ? THEN 1 ELSE 0 END FROM en_codes WHERE code_digest = ? OR long_digest = ?",
                   "sss", digest, digest, digest);
    if (rc && rc != STORE_DONE)
        return rc;
    if (rc == STORE_DONE)
        v->rule = "code_invalid";
    else if (v->c.used)
        v->rule = "code_used";
    else if ((v->c.is_long ? v->c.long_expires_at : v->c.expires_at) <= v->now)
        v->rule = "code_expired";
    if (v->rule)
        return store_run(s, NULL, "INSERT INTO en_verify_failures (client_ip, at) VALUES (?, ?)", "si", v->ip, v->now);
    int64_t changed = 0;
    rc = store_run(s, &changed,
                   "UPDATE en_codes SET used_at = ?, code_sealed = NULL, kek_id = NULL WHERE id = ? AND used_at IS NULL",
                   "ii", v->now, v->c.id);
    if (rc)
        return rc;
    if (changed != 1) {
        v->rule = "code_used";
        return 0;
    }
    secret_token(v->token);
    secret_digest(v->token, digest);
    return store_run(s, NULL,
                     "INSERT INTO en_tokens (digest, kind, test_date, report_type, expires_at) VALUES (?, 'token', ?, ?, ?)",
                     "sssi", digest, v->c.test_date, v->c.report_type, v->now + EN_TOKEN_TTL);
}

static enum err refuse(struct http_req *r, const char *field, const char *rule)
{
    static const struct {
        const char *rule, *why;
    } whys[] = {
        {"rate_limited", "too many wrong codes from this address; try again in 10 minutes"},
        {"code_invalid", "no such verification code"},
        {"code_used", "this verification code was already used"},
        {"code_expired", "this verification code has expired; ask the health station for a new one"},
        {"token_invalid", "no such token"},
        {"token_used", "this token was already used"},
        {"token_expired", "this token has expired"},
        {"certificate_invalid", "no such certificate"},
        {"certificate_used", "this certificate was already used"},
        {"certificate_expired", "this certificate has expired"},
        {"hmac_mismatch", "the keys do not match the HMAC the certificate was issued for"},
    };
    const char *why = "";
    for (size_t i = 0; i < sizeof whys / sizeof whys[0]; i++)
        if (!strcmp(whys[i].rule, rule))
            why = whys[i].why;
    return http_fail(r, !strcmp(rule, "rate_limited") ? ERR_RATE_LIMITED : ERR_INVALID_FIELD, field, "%s: %s", rule,
                     why);
}

enum err en_handle_verify(struct http_req *r)
{
    static const char *const fields[] = {"code", NULL};
    json_t *body;
    struct verify_ctx v = {.r = r, .ip = r->client_ip ? r->client_ip : "", .now = clock_now()};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "code", true, 64, &v.code, &r->fault);
    if (rc)
        return rc;
    rc = store_tx(r->store, verify_tx, &v);
    if (rc)
        return http_fail(r, rc, NULL, "could not check the code");
    if (v.rule)
        return refuse(r, "code", v.rule);
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:s, s:n, s:I}", "token", v.token, "testtype", v.c.report_type,
                                     "testDate", v.c.test_date, "symptomDate", "expires_at",
                                     (json_int_t)(v.now + EN_TOKEN_TTL)));
}

/* ------------------------------------------------------------ tokens and certificates */

struct token_row {
    int64_t id, expires_at;
    int used;
    char test_date[11], report_type[16], ekeyhmac[64];
};

static void read_token(struct store_stmt *st, void *ctx)
{
    struct token_row *t = ctx;
    t->id = store_col_int(st, 0);
    t->expires_at = store_col_int(st, 1);
    t->used = !store_col_null(st, 2);
    snprintf(t->test_date, sizeof t->test_date, "%s", store_col_text(st, 3));
    snprintf(t->report_type, sizeof t->report_type, "%s", store_col_text(st, 4));
    const char *h = store_col_text(st, 5);
    snprintf(t->ekeyhmac, sizeof t->ekeyhmac, "%s", h ? h : "");
}

/* Takes the token or certificate value of kind (marks it used). *rule set when refused. */
static enum store_rc take(struct store *s, const char *kind, const char *value, int64_t now, struct token_row *t,
                          const char **rule)
{
    char digest[SECRET_DIGEST_HEX_LEN + 1];
    secret_digest(value, digest);
    memset(t, 0, sizeof *t);
    enum store_rc rc = store_get(s, read_token, t,
                                 "SELECT id, expires_at, used_at, test_date, report_type, ekeyhmac FROM en_tokens"
                                 " WHERE digest = ? AND kind = ?",
                                 "ss", digest, kind);
    int cert = !strcmp(kind, "certificate");
    if (rc == STORE_DONE) {
        *rule = cert ? "certificate_invalid" : "token_invalid";
        return STORE_OK;
    }
    if (rc)
        return rc;
    if (t->used || t->expires_at <= now) {
        *rule = t->used ? (cert ? "certificate_used" : "token_used") : (cert ? "certificate_expired" : "token_expired");
        return STORE_OK;
    }
    int64_t changed = 0;
    rc = store_run(s, &changed, "UPDATE en_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL", "ii", now, t->id);
    if (!rc && changed != 1)
        *rule = cert ? "certificate_used" : "token_used";
    return rc;
}

struct cert_ctx {
    const char *token, *ekeyhmac;
    int64_t now;
    const char *rule;
    struct token_row t;
    char cert[512];
};

/*
 * The certificate shows what it vouches for: base64url of its JSON claims, a
 * dot, then a random part; only the server's digest of the whole string makes
 * it worth anything, once.
 */
static void make_certificate(struct cert_ctx *c)
{
    char claims[256], random[SECRET_TOKEN_LEN + 1];
    snprintf(claims, sizeof claims, "{\"reportType\":\"%s\",\"testDate\":\"%s\",\"ekeyhmac\":\"%s\",\"exp\":%lld}",
             c->t.report_type, c->t.test_date, c->ekeyhmac, (long long)(c->now + EN_CERT_TTL));
    sodium_bin2base64(c->cert, sizeof c->cert - SECRET_TOKEN_LEN - 2, (const unsigned char *)claims, strlen(claims),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    secret_token(random);
    strcat(c->cert, ".");
    strcat(c->cert, random);
}

static int cert_tx(struct store *s, void *ctx)
{
    struct cert_ctx *c = ctx;
    c->rule = NULL;
    enum store_rc rc = take(s, "token", c->token, c->now, &c->t, &c->rule);
    if (rc || c->rule)
        return rc;
    make_certificate(c);
    char digest[SECRET_DIGEST_HEX_LEN + 1];
    secret_digest(c->cert, digest);
    return store_run(s, NULL,
                     "INSERT INTO en_tokens (digest, kind, test_date, report_type, ekeyhmac, expires_at)"
                     " VALUES (?, 'certificate', ?, ?, ?, ?)",
                     "ssssi", digest, c->t.test_date, c->t.report_type, c->ekeyhmac, c->now + EN_CERT_TTL);
}

/* 0 when s is standard base64 of exactly n bytes. */
static int base64_exact(const char *s, uint8_t *out, size_t n)
{
    size_t len = 0;
    return sodium_base642bin(out, n, s, strlen(s), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) || len != n
               ? -1
               : 0;
}

enum err en_handle_certificate(struct http_req *r)
{
    static const char *const fields[] = {"token", "ekeyhmac", NULL};
    json_t *body;
    struct cert_ctx c = {.now = clock_now()};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "token", true, 64, &c.token, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "ekeyhmac", true, 64, &c.ekeyhmac, &r->fault);
    if (rc)
        return rc;
    uint8_t mac[32];
    if (base64_exact(c.ekeyhmac, mac, sizeof mac))
        return http_fail(r, ERR_INVALID_FIELD, "ekeyhmac", "ekeyhmac must be the base64 of a 32-byte HMAC-SHA256");
    rc = store_tx(r->store, cert_tx, &c);
    if (rc)
        return http_fail(r, rc, NULL, "could not issue the certificate");
    if (c.rule)
        return refuse(r, "token", c.rule);
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:s, s:I}", "certificate", c.cert, "testtype", c.t.report_type,
                                     "testDate", c.t.test_date, "expires_at", (json_int_t)(c.now + EN_CERT_TTL)));
}

/* ------------------------------------------------------------ publish */

struct upload_key {
    uint8_t data[EN_KEY_LEN];
    const char *b64;
    int64_t start, period, risk, dsos;
    bool has_dsos;
};

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const struct upload_key *)a)->b64, ((const struct upload_key *)b)->b64);
}

/*
 * The HMAC the phone computed for its certificate request, as Google's
 * verification server defines it: keys sorted by their base64, each
 * "key.rollingStartNumber.rollingPeriod.transmissionRisk", joined by ",",
 * HMAC-SHA256 under hmacKey, in base64.
 */
static int keys_hmac(struct upload_key *keys, size_t n, const uint8_t *secret, size_t secretlen, uint8_t mac[32])
{
    qsort(keys, n, sizeof *keys, key_cmp);
    struct buf b;
    buf_init(&b, 1 << 16);
    for (size_t i = 0; i < n; i++)
        if (buf_addf(&b, "%s%s.%lld.%lld.%lld", i ? "," : "", keys[i].b64, (long long)keys[i].start,
                     (long long)keys[i].period, (long long)keys[i].risk)) {
            buf_release(&b);
            return -1;
        }
    unsigned int len = 0;
    int ok = HMAC(EVP_sha256(), secret, (int)secretlen, (const unsigned char *)b.data, b.len, mac, &len) && len == 32;
    buf_release(&b);
    return ok ? 0 : -1;
}

/* Reads and checks one key; a broken rule fails with the rule's name and the key's position. */
static int read_key(struct http_req *r, json_t *o, size_t i, int64_t now_interval, struct upload_key *k)
{
    static const char *const fields[] = {"key", "rollingStartNumber", "rollingPeriod", "transmissionRisk",
                                         "daysSinceOnsetOfSymptoms", NULL};
    static char field[] = "temporaryExposureKeys";
    if (!json_is_object(o))
        return http_fail(r, ERR_INVALID_FIELD, field, "temporaryExposureKeys[%zu] must be an object", i);
    int rc = jsonin_allow(o, fields, &r->fault);
    int64_t v;
    bool present = false;
    if (!rc)
        rc = jsonin_str(o, "key", true, 64, &k->b64, &r->fault);
    if (!rc && base64_exact(k->b64, k->data, EN_KEY_LEN))
        return http_fail(r, ERR_INVALID_FIELD, field, "key_length: key %zu is not the base64 of 16 bytes", i);
    if (!rc)
        rc = jsonin_int(o, "rollingStartNumber", true, 0, UINT32_MAX, &k->start, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(o, "rollingPeriod", false, INT32_MIN, INT32_MAX, &v, &present, &r->fault);
    if (rc)
        return rc;
    k->period = present ? v : EN_MAX_PERIOD;
    if (k->period < 1 || k->period > EN_MAX_PERIOD)
        return http_fail(r, ERR_INVALID_FIELD, field, "rolling_period: key %zu has rollingPeriod %lld, not 1 to 144", i,
                         (long long)k->period);
    rc = jsonin_int(o, "transmissionRisk", false, INT32_MIN, INT32_MAX, &v, &present, &r->fault);
    if (rc)
        return rc;
    k->risk = present ? v : 0;
    if (k->risk < 0 || k->risk > 8)
        return http_fail(r, ERR_INVALID_FIELD, field, "transmission_risk: key %zu has transmissionRisk %lld, not 0 to 8",
                         i, (long long)k->risk);
    rc = jsonin_int(o, "daysSinceOnsetOfSymptoms", false, INT32_MIN, INT32_MAX, &k->dsos, &k->has_dsos, &r->fault);
    if (rc)
        return rc;
    if (k->has_dsos && (k->dsos < -14 || k->dsos > 14))
        return http_fail(r, ERR_INVALID_FIELD, field,
                         "days_since_onset: key %zu has daysSinceOnsetOfSymptoms %lld, not -14 to 14", i,
                         (long long)k->dsos);
    if (k->start > now_interval)
        return http_fail(r, ERR_INVALID_FIELD, field, "key_in_future: key %zu starts after the current interval", i);
    if (k->start + k->period < now_interval - EN_RETENTION_DAYS * EN_MAX_PERIOD)
        return http_fail(r, ERR_INVALID_FIELD, field, "key_too_old: key %zu ended more than 14 days ago", i);
    return 0;
}

struct publish_ctx {
    const char *cert;
    struct upload_key *keys;
    size_t n;
    const uint8_t *secret;
    size_t secretlen;
    int64_t now;
    const char *rule;
    struct token_row t;
    int64_t inserted, revised;
};

static int report_type_code(const char *name)
{
    return !strcmp(name, "likely") ? EN_REPORT_CONFIRMED_CLINICAL : EN_REPORT_CONFIRMED_TEST;
}

static int publish_tx(struct store *s, void *ctx)
{
    struct publish_ctx *p = ctx;
    p->rule = NULL;
    p->inserted = p->revised = 0;
    enum store_rc rc = take(s, "certificate", p->cert, p->now, &p->t, &p->rule);
    if (rc || p->rule)
        return rc;
    uint8_t mac[32], claimed[32];
    if (keys_hmac(p->keys, p->n, p->secret, p->secretlen, mac) || base64_exact(p->t.ekeyhmac, claimed, 32) ||
        sodium_memcmp(mac, claimed, 32)) {
        p->rule = "hmac_mismatch";
        return ERR_CONFLICT; /* rolls the certificate's use back: it may be tried again with the right keys */
    }
    int type = report_type_code(p->t.report_type);
    int64_t hour = p->now - p->now % 3600;
    for (size_t i = 0; i < p->n; i++) {
        const struct upload_key *k = &p->keys[i];
        int64_t changed = 0;
        rc = store_run(s, &changed,
                       "INSERT INTO en_keys (key_data, rolling_start, rolling_period, transmission_risk, report_type,"
                       " created_at, days_since_onset) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_data) DO NOTHING",
                       k->has_dsos ? "siiidii" : "siiidin", k->b64, k->start, k->period, k->risk, type, hour, k->dsos);
        if (rc)
            return rc;
        if (changed) {
            p->inserted++;
            continue;
        }
        /* The same key again: kept as it was when the type is the same; a key first uploaded with
         * another type is revised once, as the reference server does, and goes out again as revised. */
        rc = store_run(s, &changed,
                       "UPDATE en_keys SET revised_report_type = ?, revised_at = ?"
                       " WHERE key_data = ? AND report_type <> ? AND revised_report_type IS NULL",
                       "iisd", (int64_t)type, hour, k->b64, type);
        if (rc)
            return rc;
        p->revised += changed;
    }
    return 0;
}

enum err en_handle_publish(struct http_req *r)
{
    static const char *const fields[] = {"temporaryExposureKeys", "verificationPayload", "hmacKey", "padding",
                                         "healthAuthorityID", "traveler", "revisionToken", "symptomOnsetInterval",
                                         NULL};
    json_t *body;
    struct publish_ctx p = {.now = clock_now()};
    const char *hmac_key, *padding;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "verificationPayload", true, 1024, &p.cert, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "hmacKey", true, 128, &hmac_key, &r->fault);
    if (!rc) /* padding hides the upload's size on the wire; it is read and dropped */
        rc = jsonin_str(body, "padding", false, 1 << 16, &padding, &r->fault);
    if (rc)
        return rc;
    uint8_t secret[64];
    size_t secretlen = 0;
    if (sodium_base642bin(secret, sizeof secret, hmac_key, strlen(hmac_key), NULL, &secretlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        secretlen < 16)
        return http_fail(r, ERR_INVALID_FIELD, "hmacKey", "hmacKey must be the base64 of 16 to 64 bytes");
    json_t *arr = json_object_get(body, "temporaryExposureKeys");
    if (!arr)
        return http_fail(r, ERR_MISSING_FIELD, "temporaryExposureKeys", "temporaryExposureKeys is required");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return http_fail(r, ERR_INVALID_FIELD, "temporaryExposureKeys",
                         "no_keys: temporaryExposureKeys must be an array of 1 to %d keys", EN_PUBLISH_MAX_KEYS);
    p.n = json_array_size(arr);
    if (p.n > EN_PUBLISH_MAX_KEYS)
        return http_fail(r, ERR_INVALID_FIELD, "temporaryExposureKeys", "too_many_keys: %zu keys, at most %d", p.n,
                         EN_PUBLISH_MAX_KEYS);
    p.keys = arena_alloc(&r->arena, p.n * sizeof *p.keys);
    int64_t now_interval = en_interval_number(p.now);
    for (size_t i = 0; i < p.n; i++) {
        memset(&p.keys[i], 0, sizeof p.keys[i]);
        if ((rc = read_key(r, json_array_get(arr, i), i, now_interval, &p.keys[i])))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!memcmp(p.keys[j].data, p.keys[i].data, EN_KEY_LEN))
                return http_fail(r, ERR_INVALID_FIELD, "temporaryExposureKeys",
                                 "duplicate_key: keys %zu and %zu are the same key", j, i);
    }
    p.secret = secret;
    p.secretlen = secretlen;
    rc = store_tx(r->store, publish_tx, &p);
    if (p.rule)
        return refuse(r, "verificationPayload", p.rule);
    if (rc)
        return http_fail(r, rc, NULL, "could not store the keys");
    return http_reply_json(r, 200, json_pack("{s:I, s:I}", "insertedExposures", (json_int_t)p.inserted,
                                             "revisedExposures", (json_int_t)p.revised));
}

/* ------------------------------------------------------------ codes by hand, and the person's own */

struct issue_ctx {
    struct http_req *r;
    int64_t case_id, now;
    struct en_issued out;
    char commune[16];
    int found;
};

static void read_commune(struct store_stmt *st, void *ctx)
{
    struct issue_ctx *c = ctx;
    snprintf(c->commune, sizeof c->commune, "%s", store_col_text(st, 0));
    c->found = 1;
}

static int issue_tx(struct store *s, void *ctx)
{
    struct issue_ctx *c = ctx;
    return en_code_issue(s, c->case_id, c->r->who->account_id, c->now, &c->out);
}

enum err en_handle_code_issue(struct http_req *r)
{
    static const char *const fields[] = {"case_id", NULL};
    json_t *body;
    struct issue_ctx c = {.r = r, .now = clock_now()};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "case_id", true, 1, INT64_MAX, &c.case_id, NULL, &r->fault);
    if (rc)
        return rc;
    rc = store_get(r->store, read_commune, &c, "SELECT commune_code FROM cases WHERE id = ?", "i", c.case_id);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "case_id", "no case has id %lld", (long long)c.case_id);
    if (rc)
        return http_fail(r, store_err(rc), NULL, "could not read the case");
    if ((rc = area_require(r, c.commune)))
        return rc;
    rc = store_tx(r->store, issue_tx, &c);
    if (rc)
        return http_fail(r, rc, NULL, "could not issue the code");
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)c.case_id);
    audit_request(r, "en.code.issue", "case", id, c.commune);
    return http_reply_json(r, 201,
                           json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "case_id", (json_int_t)c.case_id, "code",
                                     c.out.code, "long_code", c.out.long_code, "test_date", c.out.test_date,
                                     "expires_at", (json_int_t)c.out.expires_at, "long_expires_at",
                                     (json_int_t)c.out.long_expires_at));
}

struct me_code {
    char *code;
    size_t len;
    int64_t expires_at;
    char test_date[11];
};

static void read_me_code(struct store_stmt *st, void *ctx)
{
    struct me_code *m = ctx;
    m->code = kek_open_stored(store_col_text(st, 0), store_col_text(st, 1), &m->len);
    m->expires_at = store_col_int(st, 2);
    snprintf(m->test_date, sizeof m->test_date, "%s", store_col_text(st, 3));
}

enum err en_handle_me_code(struct http_req *r)
{
    struct me_code m = {0};
    int rc = store_get(r->store, read_me_code, &m,
                       "SELECT code_sealed, kek_id, expires_at, test_date FROM en_codes"
                       " WHERE person_id = ? AND used_at IS NULL AND expires_at > ? AND code_sealed IS NOT NULL"
                       " ORDER BY id DESC LIMIT 1",
                       "ii", r->who->person_id, clock_now());
    if (rc == STORE_DONE)
        return http_reply_json(r, 200, json_pack("{s:n}", "code"));
    if (rc || !m.code) {
        if (m.code)
            kek_free(m.code, m.len);
        return http_fail(r, rc ? store_err(rc) : ERR_INTERNAL, NULL, "could not read the code");
    }
    json_t *o = json_pack("{s:s%, s:I, s:s}", "code", m.code, m.len, "expires_at", (json_int_t)m.expires_at,
                          "test_date", m.test_date);
    kek_free(m.code, m.len);
    http_add_header(r, "Cache-Control", "no-store");
    return http_reply_json(r, 200, o);
}

/* ------------------------------------------------------------ export files */

/* GET /en/exports/{file}: index.txt and the zips, as a CDN or nginx would serve the directory. */
enum err en_handle_export_file(struct http_req *r)
{
    const char *name = http_param(r, "file");
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 96 || name[0] == '.' || strstr(name, ".tmp") ||
        strspn(name, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._-") != n)
        return http_fail(r, ERR_NOT_FOUND, "file", "no such export file");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", en_export_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return http_fail(r, ERR_NOT_FOUND, "file", "no such export file");
    struct buf b;
    buf_init(&b, 64u << 20);
    char chunk[65536];
    size_t got;
    int bad = 0;
    while (!bad && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        bad = buf_add(&b, chunk, got);
    bad |= ferror(f);
    fclose(f);
    if (bad) {
        buf_release(&b);
        return http_fail(r, ERR_INTERNAL, NULL, "could not read the export file");
    }
    int index = !strcmp(name, "index.txt");
    http_add_header(r, "Cache-Control", index ? "public, max-age=300" : "public, max-age=86400, immutable");
    int rc = http_reply(r, 200, index ? "text/plain; charset=utf-8" : "application/zip", b.data, b.len);
    buf_release(&b);
    return rc ? ERR_INTERNAL : ERR_OK;
}

/* GET /api/v1/en/export-key: the public key apps verify export files with. */
enum err en_handle_export_key(struct http_req *r)
{
    char *pem;
    int64_t version;
    int rc = en_signing_public(r->store, &pem, &version);
    if (rc)
        return http_fail(r, rc, NULL, "could not read the export signing key");
    char v[24];
    snprintf(v, sizeof v, "v%lld", (long long)version);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "public_key", pem, "verification_key_version", v,
                          "verification_key_id", en_region(), "signature_algorithm", EN_SIG_ALGORITHM);
    free(pem);
    http_add_header(r, "Cache-Control", "public, max-age=300");
    return http_reply_json(r, 200, o);
}
