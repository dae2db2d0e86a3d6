/*
 * case_http.h - the cases list and a case's days corrected (case_http.c).
 */
#ifndef CORDON_TRACING_CASE_HTTP_H
#define CORDON_TRACING_CASE_HTTP_H

#include "core/err.h"

struct http_req;

/* GET /api/v1/tracing/cases?unit=&status=&limit=&offset= */
enum err tracing_handle_case_list(struct http_req *r);
/* PATCH /api/v1/tracing/cases/{id} {"onset"?, "sample_at"?, "isolated_at"?} */
enum err tracing_handle_case_patch(struct http_req *r);

#endif
