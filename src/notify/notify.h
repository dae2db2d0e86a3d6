/*
 * notify.h - the notification outbox.
 *
 * Domains never send messages themselves: they queue them here, in the same
 * transaction as the change that causes them, so a message exists exactly
 * when its cause was stored.  A sender (SMS gateway, push) drains the outbox
 * later; until one is configured, messages stay queued and are visible to
 * national admins (GET /api/v1/outbox) and, in development mode, in the log.
 * A secret a message carries (a sign-in code) is never stored readable: the
 * stored text is masked and only notify_render() fills it in, for a sender.
 */
#ifndef CORDON_NOTIFY_NOTIFY_H
#define CORDON_NOTIFY_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

struct store;
struct http_req;

/*
 * dev: development mode, where the log shows each queued message and the
 * outbox listing adds its rendered text, secrets included (that is how the
 * tests read sign-in codes; a production server shows neither).
 * retention_days: how long a delivered or given-up message is kept.
 */
void notify_configure(bool dev, int retention_days);

/* What a stored text shows in place of its secret. */
#define NOTIFY_MASK "******"

/* Queues a message. channel: "sms"; kind: "otp", "result", ...; recipient: phone number. */
enum store_rc notify_queue(struct store *s, const char *channel, const char *recipient, const char *kind,
                           const char *body, int64_t *id);
/* The same, naming its cause ("quarantine_order:12"): a message whose cause is
 * withdrawn before it is sent is withdrawn too (notify_withdraw). */
enum store_rc notify_queue_cause(struct store *s, const char *channel, const char *recipient, const char *kind,
                                 const char *body, const char *cause, int64_t *id);
/* Deletes the unsent messages of cause; *n (may be NULL) gets how many. */
enum store_rc notify_withdraw(struct store *s, const char *cause, int64_t *n);

/*
 * Queues one message per row of rows_sql in a single statement (for batches:
 * a row at a time costs a statement per message).  rows_sql is a SELECT of three
 * columns named recipient, body and cause (NULL when none), with one parameter, arg.  *queued (may be
 * NULL) gets the number of messages.
 */
enum store_rc notify_queue_rows(struct store *s, const char *channel, const char *kind, const char *rows_sql,
                                int64_t arg, int64_t *queued);

/*
 * Queues a message holding a secret (a one-time code): body holds NOTIFY_MASK
 * where the secret goes, and is stored as it is; the secret is stored sealed
 * under the key-encryption key (core/kek.h).  After expires_at the message is
 * worthless and deleted unsent.
 */
enum store_rc notify_queue_secret(struct store *s, const char *channel, const char *recipient,
                                  const char *kind, const char *body, const char *secret, int64_t expires_at,
                                  int64_t *id);

/*
 * The text a sender hands over for message id, its secret filled in: a
 * malloc'd string in *text, to be released with notify_text_free().  For
 * senders only: nothing a person reads may show it.  Returns 0, STORE_DONE
 * (no such message) or a store error (STORE_ERROR when the secret does not
 * open).
 */
enum store_rc notify_render(struct store *s, int64_t id, char **text);
void notify_text_free(char *text);

/* Job: deletes messages delivered (sent_at, set by the sender) or given up
 * (failed_at, likewise) more than retention_days ago, and unsent ones past
 * their expiry; forgets the secrets of delivered ones. */
int notify_job_retention(struct store *s, int64_t now, const char **detail);

/* GET /api/v1/outbox?recipient=&kind=&status=&limit= (national admin) */
enum err notify_handle_list(struct http_req *r);
/* POST /api/v1/outbox/{id}/retry (national admin): a dead (failed) message queued again. */
enum err notify_handle_retry(struct http_req *r);
/* POST /api/v1/outbox/receipts (public, signed by the gateway): {"ref", "status": delivered|failed}. */
enum err notify_handle_receipt(struct http_req *r);
/* POST /api/v1/notify/broadcast (admins): {"unit_code"?, "role", "text"} to the staff of an area. */
enum err notify_handle_broadcast(struct http_req *r);
/* false for the kinds a person may decline (notify_optout); a declined one is not queued. */
bool notify_essential(const char *kind);
/* GET and PUT /api/v1/me/notifications (citizen): {"opt_out": bool}. */
enum err notify_handle_optout_get(struct http_req *r);
enum err notify_handle_optout_put(struct http_req *r);
/*
 * The text of a message of kind in lang ("vi"; "en") from its template (the
 * national admins' text, else the shipped one), values[i] for its i-th field
 * (the kinds and their fields are in template.c; a secret, otp's code, is
 * written as NOTIFY_MASK whatever is given).  A value too long is cut.
 */
enum store_rc notify_template_render(struct store *s, const char *kind, const char *lang, const char *const *values,
                                     char *out, size_t outlen);
/*
 * The same text as an SQL expression, for a batch queued with notify_queue_rows:
 * exprs[i] is the SQL expression of the i-th field (a column of rows_sql's rows),
 * the template's own text is written as quoted literals.  STORE_ERROR when it
 * does not fit in out.
 */
enum store_rc notify_template_sql(struct store *s, const char *kind, const char *lang, const char *const *exprs,
                                  char *out, size_t outlen);
/* GET /api/v1/notify/templates, PUT /api/v1/notify/templates/{kind} (national admin). */
enum err notify_handle_templates(struct http_req *r);
enum err notify_handle_template_put(struct http_req *r);
/* Appends to entries the newest limit messages sent to person_id's phones (record and sign-in),
 * each {"kind": "message", at, id, message_kind, channel, status, body (codes masked), sent_at,
 * delivered_at, failed_at}: the person's timeline. */
enum store_rc notify_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries);
/* The key receipts are signed with ("" refuses every receipt). */
void notify_receipts_configure(const char *secret);

#endif
