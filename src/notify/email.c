/*
 * email.c - the e-mail transport: SMTP through libcurl, STARTTLS required
 * (CURLUSESSL_ALL: a server that does not offer it gets nothing), with
 * AUTH when a user is set.  One plain-text UTF-8 message per outbox row; the
 * subject follows the kind.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify/sender.h"

#define TIMEOUT_SECONDS 30
#define MAX_MAIL 65536

static const char *subject_of(const char *kind)
{
    if (!strcmp(kind, "otp"))
        return "Mã xác thực Cordon";
    if (!strcmp(kind, "account"))
        return "Tài khoản Cordon của bạn";
    if (!strcmp(kind, "report") || !strcmp(kind, "daily_report"))
        return "Báo cáo hằng ngày Cordon";
    return "Thông báo từ Cordon";
}

/* A header value outside ASCII as an RFC 2047 encoded word. */
static void encoded_word(const char *s, char *out, size_t outlen)
{
    char b64[256];
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, strlen(s), sodium_base64_VARIANT_ORIGINAL);
    if (snprintf(out, outlen, "=?UTF-8?B?%s?=", b64) >= (int)outlen)
        snprintf(out, outlen, "Cordon"); /* never a cut encoded word */
}

/* An address fit for the envelope and a header: one @, no spaces, controls or brackets. */
static bool plain_address(const char *a)
{
    const char *at = strchr(a, '@');
    if (!at || at == a || !at[1] || strchr(at + 1, '@') || strlen(a) > 254)
        return false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == '"' || *p == 0x7F)
            return false;
    return true;
}

struct upload {
    const char *data;
    size_t len, off;
};

static size_t read_mail(char *buf, size_t size, size_t n, void *ctx)
{
    struct upload *u = ctx;
    size_t room = size * n, left = u->len - u->off, k = left < room ? left : room;
    memcpy(buf, u->data + u->off, k);
    u->off += k;
    return k;
}

int notify_smtp_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen)
{
    const struct notify_smtp_cfg *cfg = t->cfg;
    if (!plain_address(m->recipient)) {
        snprintf(err, errlen, "not an e-mail address");
        return -1;
    }
    char subject[256], date[64], host[128] = "cordon", msgid[200];
    encoded_word(subject_of(m->kind), subject, sizeof(subject));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const char *at = strchr(cfg->from, '@');
    if (at)
        snprintf(host, sizeof(host), "%s", at + 1);
    snprintf(msgid, sizeof(msgid), "%lld.%ld@%s", (long long)m->id, (long)now, host);
    static __thread char mail[MAX_MAIL];
    int len = snprintf(mail, sizeof(mail),
                       "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
                       date, cfg->from, m->recipient, subject, msgid, m->text);
    if (len < 0 || (size_t)len >= sizeof(mail)) {
        snprintf(err, errlen, "the message is too long");
        return -1;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char from_env[300], curl_err[CURL_ERROR_SIZE] = "";
    snprintf(from_env, sizeof(from_env), "<%s>", cfg->from);
    struct curl_slist *rcpt = curl_slist_append(NULL, m->recipient);
    struct upload u = {mail, (size_t)len, 0};
    curl_easy_setopt(curl, CURLOPT_URL, cfg->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cfg->ca_file && *cfg->ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, cfg->ca_file);
    if (cfg->user && *cfg->user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->password);
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_env);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_mail);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)TIMEOUT_SECONDS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode cc = curl_easy_perform(curl);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    sodium_memzero(mail, (size_t)len); /* it held the text, a code perhaps */
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(cc));
        return -1;
    }
    snprintf(ref, reflen, "%s", msgid);
    return 0;
}
