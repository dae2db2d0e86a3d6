#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int copy(char *dst, size_t n, const char *src)
{
    if (strlen(src) >= n)
        return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

int config_set(struct config *c, const char *key, const char *value)
{
    if (!strcmp(key, "db"))
        return copy(c->db, sizeof(c->db), value);
    if (!strcmp(key, "listen"))
        return copy(c->listen, sizeof(c->listen), value);
    if (!strcmp(key, "web_dir"))
        return copy(c->web_dir, sizeof(c->web_dir), value);
    if (!strcmp(key, "log_level"))
        return copy(c->log_level, sizeof(c->log_level), value);
    if (!strcmp(key, "threads"))
        return parse_int(value, 1, 256, &c->threads);
    if (!strcmp(key, "session_ttl"))
        return parse_int(value, 60, 30 * 86400, &c->session_ttl);
    if (!strcmp(key, "login_max_failures"))
        return parse_int(value, 1, 1000, &c->login_max_failures);
    if (!strcmp(key, "login_window"))
        return parse_int(value, 1, 86400, &c->login_window);
    if (!strcmp(key, "shutdown_grace"))
        return parse_int(value, 0, 600, &c->shutdown_grace);
    if (!strcmp(key, "max_connections"))
        return parse_int(value, 1, 1000000, &c->max_connections);
    if (!strcmp(key, "max_connections_per_ip"))
        return parse_int(value, 0, 1000000, &c->max_connections_per_ip);
    if (!strcmp(key, "header_timeout"))
        return parse_int(value, 1, 3600, &c->header_timeout);
    if (!strcmp(key, "body_timeout"))
        return parse_int(value, 1, 86400, &c->body_timeout);
    if (!strcmp(key, "idle_timeout"))
        return parse_int(value, 1, 3600, &c->idle_timeout);
    if (!strcmp(key, "connection_memory"))
        return parse_int(value, 2048, 1 << 20, &c->connection_memory);
    if (!strcmp(key, "public_url"))
        return copy(c->public_url, sizeof(c->public_url), value);
    if (!strcmp(key, "dev"))
        return parse_int(value, 0, 1, &c->dev);
    if (!strcmp(key, "checkin_retention_days"))
        return parse_int(value, 1, 3650, &c->checkin_retention_days);
    if (!strcmp(key, "en_export_dir"))
        return copy(c->en_export_dir, sizeof(c->en_export_dir), value);
    if (!strcmp(key, "en_region"))
        return copy(c->en_region, sizeof(c->en_region), value);
    if (!strcmp(key, "en_min_batch"))
        return parse_int(value, 1, 750000, &c->en_min_batch);
    if (!strcmp(key, "tracing_retention_days"))
        return parse_int(value, 1, 3650, &c->tracing_retention_days);
    if (!strcmp(key, "tracing_settle_ms"))
        return parse_int(value, 0, 60000, &c->tracing_settle_ms);
    if (!strcmp(key, "otp_ttl"))
        return parse_int(value, 1, 3600, &c->otp_ttl);
    if (!strcmp(key, "checkin_phone_limit"))
        return parse_int(value, 1, 100000, &c->checkin_phone_limit);
    if (!strcmp(key, "checkin_venue_limit"))
        return parse_int(value, 1, 1000000, &c->checkin_venue_limit);
    if (!strcmp(key, "checkin_writers"))
        return parse_int(value, 1, 16, &c->checkin_writers);
    if (!strcmp(key, "checkin_batch_max"))
        return parse_int(value, 1, 4096, &c->checkin_batch_max);
    if (!strcmp(key, "checkin_batch_wait_us"))
        return parse_int(value, 0, 1000000, &c->checkin_batch_wait_us);
    if (!strcmp(key, "job_interval"))
        return parse_int(value, 1, 86400, &c->job_interval);
    if (!strcmp(key, "dcc_trust_file"))
        return copy(c->dcc_trust_file, sizeof(c->dcc_trust_file), value);
    if (!strcmp(key, "dcc_valuesets_file"))
        return copy(c->dcc_valuesets_file, sizeof(c->dcc_valuesets_file), value);
    if (!strcmp(key, "kek_file"))
        return copy(c->kek_file, sizeof(c->kek_file), value);
    if (!strcmp(key, "outbox_retention_days"))
        return parse_int(value, 1, 3650, &c->outbox_retention_days);
    if (!strcmp(key, "map_tiles_url"))
        return copy(c->map_tiles_url, sizeof(c->map_tiles_url), value);
    if (!strcmp(key, "map_attribution"))
        return copy(c->map_attribution, sizeof(c->map_attribution), value);
    if (!strcmp(key, "smpp_url"))
        return strncmp(value, "smpp://", 7) && *value ? -1 : copy(c->smpp_url, sizeof(c->smpp_url), value);
    if (!strcmp(key, "smpp_encoding"))
        return strcmp(value, "ucs2") && strcmp(value, "gsm7") ? -1 : copy(c->smpp_encoding, sizeof(c->smpp_encoding), value);
    if (!strcmp(key, "smpp_source"))
        return copy(c->smpp_source, sizeof(c->smpp_source), value);
    if (!strcmp(key, "webhook_url"))
        return copy(c->webhook_url, sizeof(c->webhook_url), value);
    if (!strcmp(key, "webhook_token"))
        return copy(c->webhook_token, sizeof(c->webhook_token), value);
    if (!strcmp(key, "webhook_token_header"))
        return copy(c->webhook_token_header, sizeof(c->webhook_token_header), value);
    if (!strcmp(key, "webhook_secret"))
        return copy(c->webhook_secret, sizeof(c->webhook_secret), value);
    if (!strcmp(key, "webhook_template"))
        return copy(c->webhook_template, sizeof(c->webhook_template), value);
    if (!strcmp(key, "webhook_rate"))
        return parse_int(value, 1, 1000000, &c->webhook_rate);
    if (!strcmp(key, "smtp_url"))
        return copy(c->smtp_url, sizeof(c->smtp_url), value);
    if (!strcmp(key, "smtp_user"))
        return copy(c->smtp_user, sizeof(c->smtp_user), value);
    if (!strcmp(key, "smtp_password"))
        return copy(c->smtp_password, sizeof(c->smtp_password), value);
    if (!strcmp(key, "smtp_from"))
        return copy(c->smtp_from, sizeof(c->smtp_from), value);
    if (!strcmp(key, "smtp_ca_file"))
        return copy(c->smtp_ca_file, sizeof(c->smtp_ca_file), value);
    if (!strcmp(key, "sip_url"))
        return strncmp(value, "sip:", 4) && *value ? -1 : copy(c->sip_url, sizeof(c->sip_url), value);
    if (!strcmp(key, "sip_listen"))
        return copy(c->sip_listen, sizeof(c->sip_listen), value);
    if (!strcmp(key, "callbot_dial"))
        return copy(c->callbot_dial, sizeof(c->callbot_dial), value);
    if (!strcmp(key, "callbot_retry"))
        return copy(c->callbot_retry, sizeof(c->callbot_retry), value);
    if (!strcmp(key, "callbot_ring_seconds"))
        return parse_int(value, 1, 600, &c->callbot_ring_seconds);
    if (!strcmp(key, "callbot_answer_seconds"))
        return parse_int(value, 1, 120, &c->callbot_answer_seconds);
    if (!strcmp(key, "callbot_hours"))
        return copy(c->callbot_hours, sizeof(c->callbot_hours), value);
    if (!strcmp(key, "callbot_dir"))
        return copy(c->callbot_dir, sizeof(c->callbot_dir), value);
    if (!strcmp(key, "email_rate"))
        return parse_int(value, 1, 1000000, &c->email_rate);
    if (!strcmp(key, "sms_http_url"))
        return copy(c->sms_http_url, sizeof(c->sms_http_url), value);
    if (!strcmp(key, "sms_http_token"))
        return copy(c->sms_http_token, sizeof(c->sms_http_token), value);
    if (!strcmp(key, "sms_http_secret"))
        return copy(c->sms_http_secret, sizeof(c->sms_http_secret), value);
    if (!strcmp(key, "sms_rate"))
        return parse_int(value, 1, 1000000, &c->sms_rate);
    if (!strcmp(key, "notify_max_attempts"))
        return parse_int(value, 1, 100, &c->notify_max_attempts);
    if (!strcmp(key, "notify_retry_base"))
        return parse_int(value, 1, 86400, &c->notify_retry_base);
    if (!strcmp(key, "notify_batch"))
        return parse_int(value, 1, 1000, &c->notify_batch);
    if (!strcmp(key, "notify_poll_ms"))
        return parse_int(value, 10, 60000, &c->notify_poll_ms);
    if (!strcmp(key, "quarantine_monitor_page"))
        return parse_int(value, 1, 10000, &c->quarantine_monitor_page);
    return -1;
}

static void defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    copy(c->db, sizeof(c->db), "sqlite:cordon.db");
    copy(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    copy(c->log_level, sizeof(c->log_level), "info");
    c->threads = 8;
    c->session_ttl = 12 * 3600;
    c->login_max_failures = 5;
    c->login_window = 15 * 60;
    c->shutdown_grace = 10;
    c->max_connections = 10000;
    c->max_connections_per_ip = 256;
    c->header_timeout = 10;
    c->body_timeout = 120;
    c->idle_timeout = 30;
    c->connection_memory = 3584;
    copy(c->public_url, sizeof(c->public_url), "http://127.0.0.1:8080");
    c->checkin_retention_days = 28;
    c->job_interval = 60;
    c->otp_ttl = 300;
    c->checkin_phone_limit = 20;
    c->checkin_venue_limit = 600;
    c->checkin_writers = 1; /* more contend for the nation's count rows: README */
    c->checkin_batch_max = 512;
    c->checkin_batch_wait_us = 0;
    c->tracing_retention_days = 60;
    c->tracing_settle_ms = 2000;
    copy(c->en_export_dir, sizeof(c->en_export_dir), "en-exports");
    copy(c->en_region, sizeof(c->en_region), "VN");
    c->en_min_batch = 1000;
    c->outbox_retention_days = 7;
    c->sms_rate = 600;
    c->email_rate = 600;
    c->webhook_rate = 600;
    copy(c->webhook_token_header, sizeof(c->webhook_token_header), "Authorization");
    copy(c->smpp_encoding, sizeof(c->smpp_encoding), "ucs2");
    copy(c->smpp_source, sizeof(c->smpp_source), "Cordon");
    c->notify_max_attempts = 6;
    c->notify_retry_base = 30;
    c->notify_batch = 20;
    c->notify_poll_ms = 1000;
    c->quarantine_monitor_page = 500;
    copy(c->sip_listen, sizeof(c->sip_listen), "127.0.0.1:5070");
    copy(c->callbot_retry, sizeof(c->callbot_retry), "900,3600,14400");
    c->callbot_ring_seconds = 40;
    c->callbot_answer_seconds = 12;
    copy(c->callbot_hours, sizeof(c->callbot_hours), "7-21");
    copy(c->callbot_dir, sizeof(c->callbot_dir), "callbot");
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int load_file(struct config *c, const char *path, bool must_exist, char *err, int errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (!must_exist && errno == ENOENT)
            return 0;
        snprintf(err, (size_t)errlen, "could not open config file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof(line), fp)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, (size_t)errlen, "%s:%d: expected key = value", path, lineno);
            fclose(fp);
            return -1;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (config_set(c, key, value)) {
            snprintf(err, (size_t)errlen, "%s:%d: unknown key or bad value for \"%s\"", path, lineno, key);
            fclose(fp);
            return -1;
        }
    }
    fclose(fp);
    return 0;
}

static const struct {
    const char *env, *key;
} env_keys[] = {
    {"CORDON_DB", "db"},
    {"CORDON_LISTEN", "listen"},
    {"CORDON_WEB_DIR", "web_dir"},
    {"CORDON_THREADS", "threads"},
    {"CORDON_SESSION_TTL", "session_ttl"},
    {"CORDON_LOGIN_MAX_FAILURES", "login_max_failures"},
    {"CORDON_LOGIN_WINDOW", "login_window"},
    {"CORDON_SHUTDOWN_GRACE", "shutdown_grace"},
    {"CORDON_MAX_CONNECTIONS", "max_connections"},
    {"CORDON_MAX_CONNECTIONS_PER_IP", "max_connections_per_ip"},
    {"CORDON_HEADER_TIMEOUT", "header_timeout"},
    {"CORDON_BODY_TIMEOUT", "body_timeout"},
    {"CORDON_IDLE_TIMEOUT", "idle_timeout"},
    {"CORDON_CONNECTION_MEMORY", "connection_memory"},
    {"CORDON_LOG_LEVEL", "log_level"},
    {"CORDON_PUBLIC_URL", "public_url"},
    {"CORDON_DEV", "dev"},
    {"CORDON_CHECKIN_RETENTION_DAYS", "checkin_retention_days"},
    {"CORDON_JOB_INTERVAL", "job_interval"},
    {"CORDON_OTP_TTL", "otp_ttl"},
    {"CORDON_CHECKIN_PHONE_LIMIT", "checkin_phone_limit"},
    {"CORDON_CHECKIN_VENUE_LIMIT", "checkin_venue_limit"},
    {"CORDON_CHECKIN_WRITERS", "checkin_writers"},
    {"CORDON_CHECKIN_BATCH_MAX", "checkin_batch_max"},
    {"CORDON_CHECKIN_BATCH_WAIT_US", "checkin_batch_wait_us"},
    {"CORDON_TRACING_RETENTION_DAYS", "tracing_retention_days"},
    {"CORDON_TRACING_SETTLE_MS", "tracing_settle_ms"},
    {"CORDON_EN_EXPORT_DIR", "en_export_dir"},
    {"CORDON_EN_REGION", "en_region"},
    {"CORDON_EN_MIN_BATCH", "en_min_batch"},
    {"CORDON_DCC_TRUST_FILE", "dcc_trust_file"},
    {"CORDON_DCC_VALUESETS_FILE", "dcc_valuesets_file"},
    {"CORDON_KEK_FILE", "kek_file"},
    {"CORDON_OUTBOX_RETENTION_DAYS", "outbox_retention_days"},
    {"CORDON_MAP_TILES_URL", "map_tiles_url"},
    {"CORDON_SMPP_URL", "smpp_url"},
    {"CORDON_SMPP_ENCODING", "smpp_encoding"},
    {"CORDON_SMPP_SOURCE", "smpp_source"},
    {"CORDON_WEBHOOK_URL", "webhook_url"},
    {"CORDON_WEBHOOK_TOKEN", "webhook_token"},
    {"CORDON_WEBHOOK_TOKEN_HEADER", "webhook_token_header"},
    {"CORDON_WEBHOOK_SECRET", "webhook_secret"},
    {"CORDON_WEBHOOK_TEMPLATE", "webhook_template"},
    {"CORDON_WEBHOOK_RATE", "webhook_rate"},
    {"CORDON_SMTP_URL", "smtp_url"},
    {"CORDON_SMTP_USER", "smtp_user"},
    {"CORDON_SMTP_PASSWORD", "smtp_password"},
    {"CORDON_SMTP_FROM", "smtp_from"},
    {"CORDON_SMTP_CA_FILE", "smtp_ca_file"},
    {"CORDON_EMAIL_RATE", "email_rate"},
    {"CORDON_SIP_URL", "sip_url"},
    {"CORDON_SIP_LISTEN", "sip_listen"},
    {"CORDON_CALLBOT_DIAL", "callbot_dial"},
    {"CORDON_CALLBOT_RETRY", "callbot_retry"},
    {"CORDON_CALLBOT_RING_SECONDS", "callbot_ring_seconds"},
    {"CORDON_CALLBOT_ANSWER_SECONDS", "callbot_answer_seconds"},
    {"CORDON_CALLBOT_HOURS", "callbot_hours"},
    {"CORDON_CALLBOT_DIR", "callbot_dir"},
    {"CORDON_SMS_HTTP_URL", "sms_http_url"},
    {"CORDON_SMS_HTTP_TOKEN", "sms_http_token"},
    {"CORDON_SMS_HTTP_SECRET", "sms_http_secret"},
    {"CORDON_SMS_RATE", "sms_rate"},
    {"CORDON_NOTIFY_MAX_ATTEMPTS", "notify_max_attempts"},
    {"CORDON_NOTIFY_RETRY_BASE", "notify_retry_base"},
    {"CORDON_NOTIFY_BATCH", "notify_batch"},
    {"CORDON_NOTIFY_POLL_MS", "notify_poll_ms"},
    {"CORDON_MAP_ATTRIBUTION", "map_attribution"},
    {"CORDON_QUARANTINE_MONITOR_PAGE", "quarantine_monitor_page"},
};

int config_load(struct config *c, const char *path, char *err, int errlen)
{
    defaults(c);
    bool must_exist = path != NULL;
    if (!path)
        path = getenv("CORDON_CONFIG");
    if (path && *path)
        must_exist = true;
    else
        path = "cordon.conf";
    if (load_file(c, path, must_exist, err, errlen))
        return -1;
    for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
        const char *v = getenv(env_keys[i].env);
        if (v && *v && config_set(c, env_keys[i].key, v)) {
            snprintf(err, (size_t)errlen, "bad value in environment variable %s", env_keys[i].env);
            return -1;
        }
    }
    return 0;
}

const char *config_path_from_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            return argv[i + 1];
        if (!strncmp(argv[i], "--config=", 9))
            return argv[i] + 9;
    }
    return NULL;
}
