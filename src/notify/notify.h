/*
 * notify.h - the notification outbox.
 *
 * Domains never send messages themselves: they queue them here, in the same
 * transaction as the change that causes them, so a message exists exactly
 * when its cause was stored.  A sender (SMS gateway, push) drains the outbox
 * later; until one is configured, messages stay queued and are visible to
 * national admins (GET /api/v1/outbox) and, in development mode, in the log.
 */
#ifndef CORDON_NOTIFY_NOTIFY_H
#define CORDON_NOTIFY_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct store;
struct http_req;

/* dev: also write each queued message to the log (development only: it holds personal data). */
void notify_configure(bool dev);

/* Queues a message. channel: "sms"; kind: "otp", "result", ...; recipient: phone number. */
int notify_queue(struct store *s, const char *channel, const char *recipient, const char *kind, const char *body,
                 int64_t *id);

/*
 * Queues one message per row of rows_sql in a single statement (for batches:
 * a row at a time costs a statement per message).  rows_sql is a SELECT of two
 * columns named recipient and body, with one parameter, arg.  *queued (may be
 * NULL) gets the number of messages.
 */
int notify_queue_rows(struct store *s, const char *channel, const char *kind, const char *rows_sql, int64_t arg,
                      int64_t *queued);

/* GET /api/v1/outbox?recipient=&kind=&limit= (national admin) */
enum err notify_handle_list(struct http_req *r);

#endif
