/*
 * qr_http.c - GET /api/v1/keys and POST /api/v1/qr/verify.
 *
 * Both are public: a scanner app downloads the keys once and verifies
 * offline; the verify endpoint serves those who cannot.  For a personal
 * payload the answer is only valid or revoked; it never names the person.
 */
#include "qr/qr_http.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonin.h"
#include "http/http.h"
#include "qr/qr.h"
#include "store/store.h"

#define QR_VERIFY_INPUT_MAX                                                                                  \
    2048 /* characters: longer is never a payload, but still "bad_format" up to this */

/* GET /api/v1/keys */
enum err qr_handle_keys(struct http_req *r)
{
    struct qr_key *keys;
    int n;
    int rc = qr_keys_list(r->store, &r->arena, &keys, &n);
    if (rc)
        return http_fail(r, rc == ERR_INTERNAL ? ERR_INTERNAL : ERR_UNAVAILABLE, NULL,
                         "could not read the keys");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I}", "kid", keys[i].kid, "alg", keys[i].alg,
                                             "public_key", keys[i].public_key, "created_at",
                                             (json_int_t)keys[i].created_at));
    http_add_header(r, "Cache-Control", "public, max-age=300");
    return http_reply_json(r, 200, json_pack("{s:o}", "keys", arr));
}

/* Copies the value of query parameter name (up to '&' or the end) from q into out; 0 or -1. */
static int url_param(const char *q, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = q;
    while (p && *p) {
        if (!strncmp(p, name, nlen) && p[nlen] == '=') {
            const char *v = p + nlen + 1;
            size_t len = strcspn(v, "&#");
            if (len == 0 || len >= outlen)
                return -1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 0;
        }
        p = strchr(p, '&');
        if (p)
            p++;
    }
    return -1;
}

/*
 * A venue poster URL "<public_url>/c/<code>?k=<kid>&s=<sig>".  Returns
 * QR_VALID with code/kid/sig filled, or QR_BAD_FORMAT.
 */
static int parse_venue_url(const char *url, char code[QR_FIELD_MAX + 1], char kid[QR_KID_MAX + 1],
                           char sig[QR_SIG_LEN + 1])
{
    if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
        return QR_BAD_FORMAT;
    const char *c = strstr(url, "/c/");
    if (!c)
        return QR_BAD_FORMAT;
    c += 3;
    const char *q = strchr(c, '?');
    if (!q || q == c || (size_t)(q - c) > QR_FIELD_MAX || memchr(c, '/', (size_t)(q - c)))
        return QR_BAD_FORMAT;
    memcpy(code, c, (size_t)(q - c));
    code[q - c] = '\0';
    if (url_param(q + 1, "k", kid, QR_KID_MAX + 1) || url_param(q + 1, "s", sig, QR_SIG_LEN + 1))
        return QR_BAD_FORMAT;
    return QR_VALID;
}

static const char *type_name(char type)
{
    switch (type) {
    case 'P':
        return "person";
    case 'D':
        return "declaration";
    case 'V':
        return "venue";
    default:
        return NULL;
    }
}

/* POST /api/v1/qr/verify */
static struct {
    char type;
    qr_current_fn fn;
} current_fns[4];

void qr_on_verify(char type, qr_current_fn fn)
{
    for (size_t i = 0; i < sizeof(current_fns) / sizeof(current_fns[0]); i++)
        if (!current_fns[i].type || current_fns[i].type == type) {
            current_fns[i].type = type;
            current_fns[i].fn = fn;
            return;
        }
}

static qr_current_fn current_fn(char type)
{
    for (size_t i = 0; i < sizeof(current_fns) / sizeof(current_fns[0]); i++)
        if (current_fns[i].type == type)
            return current_fns[i].fn;
    return NULL;
}

enum err qr_handle_verify(struct http_req *r)
{
    static const char *const fields[] = {"payload", NULL};
    json_t *body;
    const char *payload;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "payload", true, QR_VERIFY_INPUT_MAX, &payload, &r->fault);
    if (rc)
        return rc;

    struct qr_parsed parsed = {0};
    int st;
    char code[QR_FIELD_MAX + 1], kid[QR_KID_MAX + 1], sig[QR_SIG_LEN + 1];
    if (!strncmp(payload, "http", 4)) {
        st = parse_venue_url(payload, code, kid, sig);
        if (st == QR_VALID) {
            st = qr_verify_venue(r->store, code, kid, sig);
            parsed.type = st == QR_BAD_FORMAT ? 0 : 'V';
        }
    } else {
        st = qr_verify(r->store, payload, &parsed);
    }
    if (st == QR_ERROR)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "could not check the payload now; try again");

    const char *reason = st == QR_VALID ? NULL : qr_status_name(st);
    qr_current_fn current = st == QR_VALID ? current_fn(parsed.type) : NULL;
    if (current) {
        /* The signature is good; the payload may still be an old one (a revoked card). */
        int now_current = current(r->store, &parsed);
        if (now_current < 0)
            return http_fail(r, ERR_UNAVAILABLE, NULL, "could not check the payload now; try again");
        if (!now_current)
            reason = "revoked";
    }
    json_t *out = json_pack("{s:b}", "valid", reason == NULL);
    const char *tn = type_name(parsed.type);
    if (tn)
        json_object_set_new(out, "type", json_string(tn));
    if (reason)
        json_object_set_new(out, "reason", json_string(reason));
    return http_reply_json(r, 200, out);
}
