/* static.h - static files for the browser UI (internal to http/). */
#ifndef CORDON_HTTP_STATIC_H
#define CORDON_HTTP_STATIC_H

#include "http/http.h"

/* Replies with the file under root for r->path, or returns ERR_NOT_FOUND. */
int static_serve(struct http_req *r, const char *root);
/* Replies with one file (path given by the server, not the client), or returns ERR_NOT_FOUND. */
int static_serve_file(struct http_req *r, const char *file);

#endif
