/*
 * config.h - settings shared by every command.
 *
 * Precedence, highest first: command-line flags, environment variables
 * (CORDON_DB, CORDON_LISTEN, ...), the config file (--config FILE, else
 * $CORDON_CONFIG, else ./cordon.conf when it exists), built-in defaults.
 * The file holds "key = value" lines; '#' starts a comment.
 */
#ifndef CORDON_CORE_CONFIG_H
#define CORDON_CORE_CONFIG_H

#include <stdbool.h>

struct config {
    char db[512];         /* db = sqlite:cordon.db | postgres://... */
    char listen[128];     /* listen = 127.0.0.1:8080 */
    char web_dir[512];    /* web_dir = directory of the browser UI */
    int threads;          /* threads = request threads (each holds one store connection) */
    int session_ttl;      /* session_ttl = seconds a login stays valid */
    int login_max_failures; /* login_max_failures = failed logins allowed per window */
    int login_window;     /* login_window = seconds of the failed-login window */
    int shutdown_grace;   /* shutdown_grace = seconds in-flight requests get on SIGTERM */
    int max_connections;  /* max_connections = connections served at once; more get 503 */
    int max_connections_per_ip; /* max_connections_per_ip = connections per client address (0: no cap) */
    int header_timeout;   /* header_timeout = seconds to send a request's headers */
    int body_timeout;     /* body_timeout = seconds to send a request's body */
    int idle_timeout;     /* idle_timeout = seconds a keep-alive connection waits for its next request */
    int connection_memory; /* connection_memory = bytes per connection for request and response headers */
    char log_level[16];   /* log_level = debug|info|warn|error */
    char public_url[256]; /* public_url = address people reach the server at (QR posters link here) */
    int dev;              /* dev = 1: development mode (one-time codes also go to the log) */
    int checkin_retention_days; /* checkin_retention_days = days venue check-ins are kept */
    int job_interval;     /* job_interval = seconds between background job rounds */
    int otp_ttl;          /* otp_ttl = seconds a citizen's one-time sign-in code stays valid */
    int checkin_phone_limit; /* checkin_phone_limit = anonymous check-ins one phone may make per hour */
    int checkin_venue_limit; /* checkin_venue_limit = anonymous check-ins one venue takes per minute */
    int checkin_writers;   /* checkin_writers = check-in writer threads on PostgreSQL (SQLite: always 1) */
    int checkin_batch_max; /* checkin_batch_max = check-ins the writer commits together at most */
    int checkin_batch_wait_us; /* checkin_batch_wait_us = microseconds the writer waits for a batch to fill */
    int tracing_retention_days; /* tracing_retention_days = days a case's contacts and interviews are kept */
    int tracing_settle_ms;      /* tracing_settle_ms = how long a reader waits for queued tracing runs to be written */
    char en_export_dir[512];    /* en_export_dir = where exposure key export files are written and served from */
    char en_region[16];         /* en_region = the region of export files (default "VN") */
    int en_min_batch;           /* en_min_batch = keys an export file holds at least (fake keys fill it) */
    char dcc_trust_file[512]; /* dcc_trust_file = JSON {kid: PEM or base64 DER} of foreign DCC signers ("" none) */
    char dcc_valuesets_file[512]; /* dcc_valuesets_file = EU DCC value sets replacing the shipped ones ("" none) */
    char kek_file[512];   /* kek_file = the key-encryption key (64 hex or 32 bytes); $CORDON_KEK (hex) wins */
    int outbox_retention_days; /* outbox_retention_days = days a delivered (or given-up) message is kept */
    char map_tiles_url[512]; /* map_tiles_url = tile server for maps, {z}/{x}/{y} ("" draws the shipped province outlines) */
    char map_attribution[256]; /* map_attribution = credit shown on maps drawn from map_tiles_url */
    char smpp_url[512];   /* smpp_url = smpp://SYSTEM_ID:PASSWORD@HOST:PORT of the SMSC ("" none) */
    char smpp_encoding[8]; /* smpp_encoding = ucs2 (with diacritics) | gsm7 (without) */
    char smpp_source[21]; /* smpp_source = sender name or number shown on phones */
    char smtp_url[512];   /* smtp_url = smtp://HOST:PORT of the mail server (STARTTLS required) ("" no e-mail) */
    char smtp_user[256];  /* smtp_user = AUTH user ("" none) */
    char smtp_password[256]; /* smtp_password = AUTH password */
    char smtp_from[256];  /* smtp_from = the sender's address */
    char smtp_ca_file[512]; /* smtp_ca_file = CA certificates to check the server with ("" the system's) */
    int email_rate;       /* email_rate = e-mails sent per minute at most, all servers together */
    char webhook_url[512]; /* webhook_url = where the webhook channel (Zalo OA, any webhook) POSTs ("" none) */
    char webhook_token[512]; /* webhook_token = token sent with each POST ("" none) */
    char webhook_token_header[64]; /* webhook_token_header = its header: Authorization (Bearer) or a name such as access_token */
    char webhook_secret[256]; /* webhook_secret = key of the HMAC-SHA256 X-Cordon-Signature ("" unsigned) */
    char webhook_template[2048]; /* webhook_template = the body, with {{id}} {{to}} {{kind}} {{channel}} {{text}} ("" the JSON of sms_http_url) */
    int webhook_rate;     /* webhook_rate = webhook messages per minute at most, all servers together */
    char sms_http_url[512]; /* sms_http_url = SMS gateway taking each message as a signed JSON POST ("" none: messages stay queued) */
    char sms_http_token[256]; /* sms_http_token = bearer token sent to the SMS gateway ("" none) */
    char sms_http_secret[256]; /* sms_http_secret = key of the HMAC-SHA256 signature of each POST and of receipts ("" unsigned) */
    int sms_rate;          /* sms_rate = SMS messages sent per minute at most, all servers together */
    int notify_max_attempts; /* notify_max_attempts = tries before a message is dead (failed) */
    int notify_retry_base; /* notify_retry_base = seconds before the first retry; doubled after each failure */
    int notify_batch;      /* notify_batch = messages a sender claims at once */
    int notify_poll_ms;    /* notify_poll_ms = milliseconds a sender waits when nothing is due */
    char sip_url[512];     /* sip_url = sip:USER[:PASSWORD]@HOST[:PORT] the callbot calls from ("" no callbot) */
    char sip_listen[64];   /* sip_listen = IP:PORT the callbot's SIP user agent binds (SIP/TLS on PORT+1, control on 127.0.0.1:PORT+2) */
    char callbot_dial[256]; /* callbot_dial = SIP URI of a phone, {phone} replaced ("" sip:{phone}@ the host of sip_url) */
    char callbot_retry[128]; /* callbot_retry = seconds before each new try of an unanswered call, comma-separated */
    int callbot_ring_seconds; /* callbot_ring_seconds = seconds a call rings before it counts as unanswered */
    int callbot_answer_seconds; /* callbot_answer_seconds = seconds of silence after a question for its key */
    char callbot_hours[16]; /* callbot_hours = local hours calls are made in, "7-21" (from 07:00 to 21:00; "0-24" always) */
    char callbot_dir[512]; /* callbot_dir = where the user agent's settings and the spoken prompts are kept */
    int quarantine_monitor_page; /* quarantine_monitor_page = active orders the monitor reads per transaction */
};

/* Fills defaults, then the file (path may be NULL), then the environment. */
int config_load(struct config *c, const char *path, char *err, int errlen);
/* Sets one key from a string; returns -1 on an unknown key or a bad value. */
int config_set(struct config *c, const char *key, const char *value);
/* Finds "--config FILE" / "--config=FILE" in argv; NULL if absent. */
const char *config_path_from_args(int argc, char **argv);

#endif
