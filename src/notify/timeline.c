/*
 * timeline.c - the messages sent to a person's phone, for the person's
 * timeline (GET /api/v1/people/{id}/timeline): the record's phone and the
 * phone the citizen signs in with.  Each entry carries the message's status
 * and its text as stored, so a code shows masked (NOTIFY_MASK), never sent.
 */
#include "notify/notify.h"
#include "people/people.h"
#include "store/store.h"

enum store_rc notify_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries)
{
    struct store_stmt *st;
    /* one IN over both phones (not two ORed), so it is a semi-join on the outbox's (recipient, id) index */
    enum store_rc rc = store_query(
        s, &st,
        "SELECT o.created_at AS at, o.id, o.kind AS message_kind, o.channel, o.status, o.body, o.sent_at,"
        " o.delivered_at, o.failed_at FROM outbox o"
        " WHERE o.recipient IN (SELECT phone FROM persons WHERE id = ? AND phone IS NOT NULL"
        " UNION SELECT signin_phone FROM persons WHERE id = ? AND signin_phone IS NOT NULL)"
        " ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
        "iii", person_id, person_id, limit);
    return people_timeline_rows(st, rc, "message", "iissssiii", entries);
}
