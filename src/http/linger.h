/*
 * linger.h - reading and dropping what a client still sends after an early answer
 * (internal to http/).
 *
 * A request refused from its headers (401, 403, 413, ...) is answered before
 * its body is read, and microhttpd then closes the connection.  Closing a
 * socket with unread bytes makes the kernel reset it, and a client still
 * sending its body may lose the answer.  So the socket is kept (a duplicate
 * descriptor) and what arrives is read and dropped, never kept, up to the
 * bytes the request announced and the body deadline; then it is closed.
 */
#ifndef CORDON_HTTP_LINGER_H
#define CORDON_HTTP_LINGER_H

#include <stddef.h>

int linger_start(void);
void linger_stop(void);
/* Takes fd (closes it in every case): drains up to bytes, for at most seconds. */
void linger_add(int fd, size_t bytes, int seconds);

#endif
