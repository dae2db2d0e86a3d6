/*
 * request_pool.h - requests reused on their connection's thread (internal to http/).
 *
 * A request's struct, its arena's first block and its body and answer buffers are kept when it
 * ends and given to the next request on the same thread, so a keep-alive client's requests
 * allocate nothing of their own but what outgrows them.  Each thread keeps a few (the requests
 * its connections have in flight); the rest are freed, and so are a thread's when it exits.
 */
#ifndef CORDON_HTTP_REQUEST_POOL_H
#define CORDON_HTTP_REQUEST_POOL_H

#include "http/http.h"

/* A request with every field zero but its arena, body (cap body_max) and out (cap out_max), empty. */
struct http_req *request_pool_take(size_t body_max, size_t out_max);
/* Ends r: its arena is reset, its body unmapped or emptied; r is kept for reuse or freed. */
void request_pool_give(struct http_req *r);

#endif
