/*
 * body.h - request bodies, kept in memory or spooled to a file (internal to http/).
 */
#ifndef CORDON_HTTP_BODY_H
#define CORDON_HTTP_BODY_H

#include "http/http.h"

enum { BODY_OK = 0, BODY_TOO_LARGE = 1, BODY_NO_ROOM = 2 };

/* Appends upload data within r->body.max; returns BODY_*. */
int body_add(struct http_req *r, const char *p, size_t n);
/* Makes r->body the whole body (maps a spooled one); 0 or -1. */
int body_finish(struct http_req *r);
/* Closes and unmaps a spooled body; an in-memory one stays in r->body for the owner to release. */
void body_free(struct http_req *r);

#endif
