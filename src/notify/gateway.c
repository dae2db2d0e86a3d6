/*
 * gateway.c - the HTTP transport: each message is POSTed as JSON
 *
 *     {"id": 42, "channel": "sms", "to": "0912345678", "kind": "otp", "text": "..."}
 *
 * with "Authorization: Bearer TOKEN" when a token is set and
 * "X-Cordon-Signature: sha256=HEX" (HMAC-SHA256 of the body) when a secret
 * is.  A 2xx answer means the gateway took it; a JSON answer's "ref" is kept
 * to match its delivery receipt later.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "notify/sender.h"

#define TIMEOUT_SECONDS 30
#define MAX_ANSWER 4096

void notify_sign(const char *secret, const char *body, size_t len, char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof(mac));
}

struct answer {
    char buf[MAX_ANSWER];
    size_t len;
};

static size_t keep_answer(char *data, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * n, room = sizeof(a->buf) - 1 - a->len;
    memcpy(a->buf + a->len, data, len < room ? len : room);
    a->len += len < room ? len : room;
    a->buf[a->len] = 0;
    return len;
}

/* v as JSON string contents, appended to j. */
static void append_escaped(json_t *parts, const char *v)
{
    json_t *str = json_string(v);
    char *enc = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
    json_decref(str);
    if (enc) {
        size_t n = strlen(enc);
        enc[n - 1] = 0; /* drop the quotes */
        json_array_append_new(parts, json_string(enc + 1));
        sodium_memzero(enc, n);
        free(enc);
    }
}

char *notify_http_body(const char *tpl, const struct notify_msg *m)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)m->id);
    const struct {
        const char *name, *value;
    } fields[] = {{"{{id}}", id}, {"{{to}}", m->recipient}, {"{{kind}}", m->kind},
                  {"{{channel}}", m->channel}, {"{{text}}", m->text}};
    json_t *parts = json_array();
    const char *p = tpl;
    while (*p) {
        const char *next = strstr(p, "{{");
        size_t lit = next ? (size_t)(next - p) : strlen(p);
        if (lit) {
            char *chunk = strndup(p, lit);
            json_array_append_new(parts, json_string(chunk ? chunk : ""));
            free(chunk);
        }
        if (!next)
            break;
        p = next;
        bool found = false;
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !found; i++)
            if (!strncmp(p, fields[i].name, strlen(fields[i].name))) {
                append_escaped(parts, fields[i].value);
                p += strlen(fields[i].name);
                found = true;
            }
        if (!found) { /* not a field: kept as written */
            json_array_append_new(parts, json_string("{{"));
            p += 2;
        }
    }
    size_t len = 0, i;
    json_t *v;
    json_array_foreach(parts, i, v) len += strlen(json_string_value(v));
    char *out = malloc(len + 1);
    if (out) {
        out[0] = 0;
        size_t o = 0;
        json_array_foreach(parts, i, v)
        {
            size_t n = strlen(json_string_value(v));
            memcpy(out + o, json_string_value(v), n);
            o += n;
        }
        out[o] = 0;
    }
    /* the parts held the text: wiped before they go */
    json_array_foreach(parts, i, v) sodium_memzero((void *)json_string_value(v), strlen(json_string_value(v)));
    json_decref(parts);
    return out;
}

int notify_http_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen)
{
    const struct notify_http_cfg *cfg = t->cfg;
    char *body;
    if (cfg->body_template && *cfg->body_template) {
        body = notify_http_body(cfg->body_template, m);
    } else {
        json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)m->id, "channel", m->channel, "to",
                              m->recipient, "kind", m->kind, "text", m->text);
        body = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
    }
    CURL *curl = body ? curl_easy_init() : NULL;
    if (!curl) {
        free(body);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    char line[400];
    if (cfg->token && *cfg->token) {
        if (!cfg->token_header || !*cfg->token_header || !strcasecmp(cfg->token_header, "Authorization"))
            snprintf(line, sizeof(line), "Authorization: Bearer %s", cfg->token);
        else
            snprintf(line, sizeof(line), "%s: %s", cfg->token_header, cfg->token);
        h = curl_slist_append(h, line);
    }
    if (cfg->secret && *cfg->secret) {
        char sig[65];
        notify_sign(cfg->secret, body, strlen(body), sig);
        snprintf(line, sizeof(line), "X-Cordon-Signature: sha256=%s", sig);
        h = curl_slist_append(h, line);
    }
    struct answer a = {.len = 0};
    char curl_err[CURL_ERROR_SIZE] = "";
    char agent[48]; /* which server sent it, for the gateway's log */
    snprintf(agent, sizeof(agent), "cordon/%ld", (long)getpid());
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent);
    curl_easy_setopt(curl, CURLOPT_URL, cfg->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)TIMEOUT_SECONDS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode cc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    sodium_memzero(body, strlen(body)); /* it held the text, a code perhaps */
    free(body);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(cc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "gateway answered HTTP %ld", status);
        return -1;
    }
    json_t *ans = json_loads(a.buf, 0, NULL);
    const char *r = json_string_value(json_object_get(ans, "ref"));
    snprintf(ref, reflen, "%s", r ? r : "");
    json_decref(ans);
    return 0;
}
