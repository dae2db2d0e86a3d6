/*
 * testing_int.h - shared by the testing handler files only.
 */
#ifndef CORDON_TESTING_TESTING_INT_H
#define CORDON_TESTING_TESTING_INT_H

#include <jansson.h>

#include "core/err.h"
#include "testing/testing.h"

struct http_req;

/* 0 when the caller may act on the session: officials in its area, its samplers, its lab. */
int testing__session_access(struct http_req *r, const struct testing_session *s);
/* Loads session id (missing: that error on field) and checks access. */
int testing__load_session(struct http_req *r, int64_t id, const char *field, enum err missing,
                          struct testing_session *s);

#endif
