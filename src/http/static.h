/* static.h - static files for the browser UI (internal to http/). */
#ifndef CORDON_HTTP_STATIC_H
#define CORDON_HTTP_STATIC_H

#include "http/http.h"

/* Replies with the file under root for r->path, or returns ERR_NOT_FOUND. */
int static_serve(struct http_req *r, const char *root);

#endif
