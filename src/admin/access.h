/*
 * access.h - what each role sees of each class of personal record.
 *
 * One table, the same as docs/access.md: role x record class -> view.  The
 * route table (src/routes.c) lets a role call a route only if the route's
 * records are visible to it; handlers render a record through the view the
 * table gives; every list of personal records is filtered by the caller's
 * area in the store (store_sql_area).  A unit sees itself and everything
 * below it.
 */
#ifndef CORDON_ADMIN_ACCESS_H
#define CORDON_ADMIN_ACCESS_H

#include <stddef.h>

enum record_class {
    REC_PERSON,      /* identity: name, birth date, ids, phone, address */
    REC_DECLARATION, /* health and travel declarations */
    REC_CHECKIN,     /* venue check-ins */
    REC_RESULT,      /* samples and test results */
    REC_DOSE,        /* vaccination doses and certificates */
    REC_CONTACT,     /* tracing contacts and cases */
    REC_ORDER,       /* quarantine orders, their check-ins, photos and alerts */
    REC_AUDIT,       /* the audit log */
    REC_COUNT
};

enum access_view {
    VIEW_NONE,   /* not at all */
    VIEW_OWN,    /* citizens: themselves and the members they manage */
    VIEW_FLAGS,  /* a status from a scan (checkpoint answers), never the record */
    VIEW_MASKED, /* name, birth year, masked identifiers: enough to find and serve the person */
    VIEW_FULL    /* everything, inside the caller's area */
};

/* How role sees records of class c (within its area, or its own for citizens). */
enum access_view access_view(int role, enum record_class c);
const char *access_view_name(enum access_view v);
const char *access_class_name(enum record_class c);

/* Masks an identifier for VIEW_MASKED: the last 3 characters stay ("*********012"). */
void access_mask(const char *s, char *out, size_t outlen);

#endif
