/*
 * body.c - request bodies: in memory while small, in a temporary file when large.
 *
 * A body up to HTTP_BODY_SPOOL_AT bytes stays in r->body.  A larger one is
 * written to an unlinked file in $TMPDIR (else /tmp) as it arrives, so a slow
 * upload holds disk, not memory, and the file is gone however the request
 * ends.  Before the handler runs the file is mapped, with a NUL after the
 * last byte, so handlers read r->body the same way in both cases.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "http/body.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int spool_start(struct http_req *r)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/cordon-body-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    if (write_all(fd, r->body.data, r->body.len)) {
        close(fd);
        return -1;
    }
    r->spool_fd = fd;
    r->spool_len = r->body.len;
    buf_release(&r->body);
    return 0;
}

int body_add(struct http_req *r, const char *p, size_t n)
{
    size_t have = r->spool_fd >= 0 ? r->spool_len : r->body.len;
    if (n > r->body.max - have)
        return BODY_TOO_LARGE;
    if (r->spool_fd < 0 && have + n <= HTTP_BODY_SPOOL_AT)
        return buf_add(&r->body, p, n) ? BODY_TOO_LARGE : BODY_OK;
    if (r->spool_fd < 0 && spool_start(r)) {
        log_error("msg=\"could not spool a request body\" id=%s errno=%d", r->request_id, errno);
        return BODY_NO_ROOM;
    }
    if (write_all(r->spool_fd, p, n)) {
        log_error("msg=\"could not spool a request body\" id=%s errno=%d", r->request_id, errno);
        return BODY_NO_ROOM;
    }
    r->spool_len += n;
    return BODY_OK;
}

int body_finish(struct http_req *r)
{
    if (r->spool_fd < 0)
        return 0;
    if (write_all(r->spool_fd, "", 1))
        return -1;
    /* Private and writable: a handler may change its copy; the file stays as written. */
    void *m = mmap(NULL, r->spool_len + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE, r->spool_fd, 0);
    if (m == MAP_FAILED)
        return -1;
    r->body.data = m;
    r->body.len = r->spool_len;
    r->body.cap = 0; /* never freed by buf_release */
    r->body_mapped = true;
    return 0;
}

void body_free(struct http_req *r)
{
    if (r->body_mapped) {
        munmap(r->body.data, r->spool_len + 1);
        buf_init(&r->body, r->body.max);
    }
    if (r->spool_fd >= 0)
        close(r->spool_fd);
    r->spool_fd = -1;
    r->body_mapped = false;
}
