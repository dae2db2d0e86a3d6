/*
 * audit.h - the audit trail of who read or changed whose personal data.
 *
 * Entries carry the area of the record touched (its province, district and
 * commune codes), so an admin reads the trail of its own area by index.
 * Entries are never updated or deleted by the application.
 */
#ifndef CORDON_AUDIT_AUDIT_H
#define CORDON_AUDIT_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

struct store;
struct http_req;

struct audit_entry {
    int64_t actor_id;           /* 0: the system or an anonymous caller */
    const char *actor_username;
    const char *action;         /* "account.read", ... */
    const char *subject_type;   /* "account", "person", ... */
    const char *subject_id;
    const char *unit_code;      /* area of the subject; NULL if none */
    const char *request_id;
};

enum store_rc audit_record(struct store *s, const struct audit_entry *e);
/* Records an entry for the caller of r. */
enum store_rc audit_request(struct http_req *r, const char *action, const char *subject_type,
                            const char *subject_id, const char *unit_code);

struct audit_query {
    const char *unit_code; /* area; required */
    int64_t since, until;  /* epoch seconds, inclusive; 0: open */
    int64_t limit;
};
/* Newest first, as a JSON array. */
int audit_list(struct store *s, const struct audit_query *q, json_t **out);

enum err audit_handle_list(struct http_req *r);

#endif
