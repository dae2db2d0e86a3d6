/*
 * en_http.h - the routes of the exposure notification key server
 * (keyserver.h; contract in docs/api-en.md).
 */
#ifndef CORDON_EN_EN_HTTP_H
#define CORDON_EN_EN_HTTP_H

#include "core/err.h"

struct http_req;

enum err en_handle_verify(struct http_req *r);      /* POST /api/v1/en/verify (public) */
enum err en_handle_certificate(struct http_req *r); /* POST /api/v1/en/certificate (public) */
enum err en_handle_publish(struct http_req *r);     /* POST /api/v1/en/publish (public) */
enum err en_handle_code_issue(struct http_req *r);  /* POST /api/v1/en/codes (health staff) */
enum err en_handle_me_code(struct http_req *r);     /* GET /api/v1/me/en-code (citizen) */
enum err en_handle_export_file(struct http_req *r); /* GET /en/exports/{file} (public) */
enum err en_handle_export_key(struct http_req *r);  /* GET /api/v1/en/export-key (public) */

#endif
