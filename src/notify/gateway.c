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
#include <string.h>
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

int notify_http_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen)
{
    const struct notify_http_cfg *cfg = t->cfg;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)m->id, "channel", m->channel, "to",
                          m->recipient, "kind", m->kind, "text", m->text);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    CURL *curl = body ? curl_easy_init() : NULL;
    if (!curl) {
        free(body);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    char line[400];
    if (cfg->token && *cfg->token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", cfg->token);
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
