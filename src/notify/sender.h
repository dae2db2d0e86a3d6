/*
 * sender.h - delivery of the outbox: one sender thread per configured channel.
 *
 * A sender claims due rows of its channel (sign-in codes first, then results
 * and alerts, then bulk invitations and reminders), hands each to its
 * transport, and records the outcome: sent, or a retry after an exponential
 * backoff, or dead (failed) after notify_max_attempts tries.  Claims use
 * FOR UPDATE SKIP LOCKED on PostgreSQL, so several servers over one database
 * never send a row twice; a claim that its server abandoned (a crash) lapses
 * after a while and the row is taken again.  The rate limit counts the sends
 * of every server in the last minute.
 */
#ifndef CORDON_NOTIFY_SENDER_H
#define CORDON_NOTIFY_SENDER_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

/* One message as a transport gets it: text has its secret filled in. */
struct notify_msg {
    int64_t id;
    const char *channel, *recipient, *kind, *text;
};

/* A way out for one channel.  send returns 0 when the gateway took the
 * message (ref, may stay empty, gets its id for the message), else nonzero
 * with a short reason in err (never the text). */
struct notify_transport {
    const char *channel;
    int rate_per_minute;
    int (*send)(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen, char *err,
                size_t errlen);
    const void *cfg;
    /* For a transport with a session (SMPP): called before each round, to
     * read what the gateway sent meanwhile (receipts) and keep the link up;
     * and once when the sender stops.  Both may be NULL. */
    void (*poll)(const struct notify_transport *t, struct store *s, int64_t now);
    void (*close)(const struct notify_transport *t);
    void *state;
};

/* Lower sends first: 0 codes (sign-in, family link, exposure notification), 1 results,
 * their corrections and quarantine alerts (also those about a managed member), 2 the rest. */
int notify_priority(const char *kind);

/* The backoff after the attempts-th failed try (attempts >= 1), capped at a day. */
int64_t notify_backoff(int base, int attempts);

/* Checks the channels' settings before anything starts: 0, or -1 with err. */
int notify_check_settings(const struct config *c, char *err, size_t errlen);

/* Starts a sender for each channel c configures (none: messages stay queued,
 * as in development).  Returns 0 or -1. */
int notify_senders_start(const struct config *c);
void notify_senders_stop(void);

/* One round of the sender of t on s: claims at most batch due rows and sends
 * them.  *sent gets how many went out.  For the thread and the tests.  Before
 * each send the round renews that row's claim, and sends only if the claim is
 * still its own: a batch sent slowly (many sends near the gateway's timeout)
 * outlives the first claim, and a row whose claim lapsed may have been taken
 * and sent by another server meanwhile. */
int notify_send_round(struct store *s, const struct notify_transport *t, int64_t now, int batch, int *sent);
/* The clock a round measures its own time by (seconds, monotonic: clock_mono);
 * now + the time since the round began is when each send happens.  Tests set it. */
extern double (*notify_mono)(void);

/* The HTTP gateway transport (notify/gateway.c). */
struct notify_http_cfg {
    const char *url, *token, *secret;
    /* The body: NULL for the JSON above; else a template whose {{id}}, {{to}},
     * {{kind}}, {{channel}} and {{text}} are replaced by the values written as
     * JSON string contents (escaped, without quotes). */
    const char *body_template;
    /* The header carrying the token: NULL or "Authorization" sends "Bearer TOKEN",
     * any other name (Zalo's "access_token") the token alone. */
    const char *token_header;
};
/* The body of m by template (see above): a malloc'd string, or NULL. */
char *notify_http_body(const char *tpl, const struct notify_msg *m);
int notify_http_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen);
/* The e-mail transport (notify/email.c): SMTP with STARTTLS required. */
struct notify_smtp_cfg {
    const char *url, *user, *password, *from, *ca_file;
};
int notify_smtp_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen);

/* The SMPP transport (notify/smpp.c) for smpp_url; encoding "ucs2" or "gsm7";
 * source: the sender name or number shown on phones.  0, or -1 for a bad URL. */
int notify_smpp_transport(struct notify_transport *t, const char *url, const char *encoding, const char *source,
                          int rate);
/* hex HMAC-SHA256 of body under secret, in out (65 bytes). */
void notify_sign(const char *secret, const char *body, size_t len, char out[65]);

#endif
