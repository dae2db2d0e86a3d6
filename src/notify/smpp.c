/* smpp.c - the SMPP transport: one session to the SMSC per sender thread. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "notify/sender.h"
#include "notify/smpp.h"
#include "store/store.h"

#define IO_TIMEOUT_SECONDS 10
#define ENQUIRE_SECONDS 30
#define MAX_RECEIPTS 256

struct receipt {
    char id[72];
    bool delivered;
};

struct smpp_session {
    struct smpp_url url;
    char source[21];
    bool ucs2;
    int fd; /* -1: not bound */
    uint32_t seq;
    uint8_t ref;
    int64_t last_io;
    struct receipt receipts[MAX_RECEIPTS]; /* read, not yet written to the store */
    int nreceipts;
    struct smpp_buf out, in;
};

static void drop(struct smpp_session *ss)
{
    if (ss->fd >= 0)
        close(ss->fd);
    ss->fd = -1;
}

static int write_pdu(struct smpp_session *ss, const struct smpp_buf *p)
{
    size_t off = 0;
    while (off < p->len) {
        ssize_t n = send(ss->fd, p->b + off, p->len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    ss->last_io = clock_now();
    return 0;
}

static int read_full(int fd, uint8_t *b, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t r = recv(fd, b + off, n - off, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        off += (size_t)r;
    }
    return 0;
}

static uint32_t u32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads one PDU into ss->in; its header in cmd, status, seq. */
static int read_pdu(struct smpp_session *ss, uint32_t *cmd, uint32_t *status, uint32_t *seq)
{
    if (read_full(ss->fd, ss->in.b, 16))
        return -1;
    uint32_t len = u32(ss->in.b);
    if (len < 16 || len > SMPP_MAX_PDU || read_full(ss->fd, ss->in.b + 16, len - 16))
        return -1;
    ss->in.len = len;
    *cmd = u32(ss->in.b + 4);
    *status = u32(ss->in.b + 8);
    *seq = u32(ss->in.b + 12);
    return 0;
}

/* Answers what the SMSC asks on its own: receipts, enquire_link, unbind.  -1 when the session ends. */
static int handle_request(struct smpp_session *ss, uint32_t cmd, uint32_t seq)
{
    struct smpp_buf *o = &ss->out;
    if (cmd == SMPP_DELIVER_SM) {
        struct receipt r;
        if (smpp_parse_receipt(ss->in.b + 16, ss->in.len - 16, r.id, sizeof(r.id), &r.delivered) &&
            ss->nreceipts < MAX_RECEIPTS)
            ss->receipts[ss->nreceipts++] = r;
        smpp_begin(o, SMPP_DELIVER_SM | SMPP_RESP, 0, seq);
        smpp_put_cstr(o, "");
    } else if (cmd == SMPP_ENQUIRE_LINK) {
        smpp_begin(o, SMPP_ENQUIRE_LINK | SMPP_RESP, 0, seq);
    } else if (cmd == SMPP_UNBIND) {
        smpp_begin(o, SMPP_UNBIND | SMPP_RESP, 0, seq);
        smpp_end(o);
        write_pdu(ss, o);
        return -1;
    } else if (cmd & SMPP_RESP) {
        return 0; /* a late answer to something given up on */
    } else {
        smpp_begin(o, SMPP_GENERIC_NACK, 0x00000003 /* ESME_RINVCMDID */, seq);
    }
    smpp_end(o);
    return write_pdu(ss, o);
}

/* Sends ss->out and waits for its answer, serving the SMSC's own requests meanwhile.
 * *status gets the answer's command_status; ss->in holds it. */
static int call(struct smpp_session *ss, uint32_t seq, uint32_t want, uint32_t *status)
{
    if (write_pdu(ss, &ss->out))
        return -1;
    for (;;) {
        uint32_t cmd, st, sq;
        if (read_pdu(ss, &cmd, &st, &sq))
            return -1;
        if (sq == seq && (cmd == want || cmd == SMPP_GENERIC_NACK)) {
            *status = cmd == want ? st : (st ? st : 0xFFFFFFFFu);
            return 0;
        }
        if (handle_request(ss, cmd, sq))
            return -1;
    }
}

static int bind_session(struct smpp_session *ss, char *err, size_t errlen)
{
    char port[8];
    snprintf(port, sizeof(port), "%d", ss->url.port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gai = getaddrinfo(ss->url.host, port, &hints, &ai);
    if (gai) {
        snprintf(err, errlen, "SMSC host: %s", gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = {IO_TIMEOUT_SECONDS, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, a->ai_addr, a->ai_addrlen)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        snprintf(err, errlen, "cannot reach the SMSC: %s", strerror(errno));
        return -1;
    }
    ss->fd = fd;
    uint32_t seq = ++ss->seq, status = 0;
    smpp_bind_transceiver(&ss->out, seq, ss->url.system_id, ss->url.password);
    if (call(ss, seq, SMPP_BIND_TRANSCEIVER | SMPP_RESP, &status) || status) {
        snprintf(err, errlen, status ? "the SMSC refused the bind (status 0x%08x)" : "the SMSC did not answer the bind%.0u",
                 status);
        drop(ss);
        return -1;
    }
    log_info("msg=\"bound to the SMSC\" host=%s port=%d system_id=%s", ss->url.host, ss->url.port, ss->url.system_id);
    return 0;
}

static int smpp_send(const struct notify_transport *t, const struct notify_msg *m, char *ref, size_t reflen,
                     char *err, size_t errlen)
{
    struct smpp_session *ss = t->state;
    struct smpp_segment segs[SMPP_MAX_SEGMENTS];
    uint8_t dc, esm;
    int n = smpp_segments(m->text, ss->ucs2, ++ss->ref, segs, &dc, &esm);
    if (n < 0) {
        snprintf(err, errlen, "the text is longer than %d SMS", SMPP_MAX_SEGMENTS);
        return -1;
    }
    if (ss->fd < 0 && bind_session(ss, err, errlen))
        return -1;
    ref[0] = 0;
    for (int i = 0; i < n; i++) {
        uint32_t seq = ++ss->seq, status = 0;
        smpp_submit_sm(&ss->out, seq, ss->source, m->recipient, esm, dc, &segs[i]);
        if (call(ss, seq, SMPP_SUBMIT_SM | SMPP_RESP, &status)) {
            snprintf(err, errlen, "the SMSC session broke");
            drop(ss); /* bound again on the next send */
            return -1;
        }
        if (status) {
            snprintf(err, errlen, "the SMSC refused the message (status 0x%08x)", status);
            return -1;
        }
        /* The first segment's id names the message, for its receipt. */
        if (i == 0 && ss->in.len > 16)
            snprintf(ref, reflen, "%.*s", (int)strnlen((const char *)ss->in.b + 16, ss->in.len - 16),
                     (const char *)ss->in.b + 16);
    }
    return 0;
}

/* Between sends: reads what the SMSC sent (receipts), keeps the link alive, records receipts. */
static void smpp_poll(const struct notify_transport *t, struct store *s, int64_t now)
{
    struct smpp_session *ss = t->state;
    while (ss->fd >= 0) {
        struct pollfd p = {ss->fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0)
            break;
        uint32_t cmd, st, sq;
        if (read_pdu(ss, &cmd, &st, &sq) || handle_request(ss, cmd, sq)) {
            log_warn("msg=\"SMSC session ended\" host=%s", ss->url.host);
            drop(ss);
        }
    }
    if (ss->fd >= 0 && now - ss->last_io >= ENQUIRE_SECONDS) {
        uint32_t seq = ++ss->seq, status = 0;
        smpp_begin(&ss->out, SMPP_ENQUIRE_LINK, 0, seq);
        smpp_end(&ss->out);
        if (call(ss, seq, SMPP_ENQUIRE_LINK | SMPP_RESP, &status))
            drop(ss);
    }
    int kept = 0;
    for (int i = 0; i < ss->nreceipts; i++) {
        struct receipt *r = &ss->receipts[i];
        int64_t changes = 0;
        enum store_rc rc =
            r->delivered
                ? store_run(s, &changes,
                            "UPDATE outbox SET status = 'delivered', delivered_at = ? WHERE gateway_ref = ?"
                            " AND channel = 'sms' AND status = 'sent'",
                            "is", now, r->id)
                : store_run(s, &changes,
                            "UPDATE outbox SET status = 'failed', failed_at = ?, last_error = ? WHERE gateway_ref = ?"
                            " AND channel = 'sms' AND status = 'sent'",
                            "iss", now, "the SMSC could not deliver it", r->id);
        if (rc) /* tried again next round */
            ss->receipts[kept++] = *r;
    }
    ss->nreceipts = kept;
}

static void smpp_close(const struct notify_transport *t)
{
    struct smpp_session *ss = t->state;
    if (ss->fd >= 0) {
        uint32_t seq = ++ss->seq, status = 0;
        smpp_begin(&ss->out, SMPP_UNBIND, 0, seq);
        smpp_end(&ss->out);
        call(ss, seq, SMPP_UNBIND | SMPP_RESP, &status);
        drop(ss);
    }
    free(ss);
}

int notify_smpp_transport(struct notify_transport *t, const char *url, const char *encoding, const char *source,
                          int rate)
{
    struct smpp_session *ss = calloc(1, sizeof(*ss));
    if (!ss || smpp_parse_url(url, &ss->url)) {
        free(ss);
        return -1;
    }
    ss->fd = -1;
    ss->ucs2 = strcmp(encoding, "gsm7") != 0;
    snprintf(ss->source, sizeof(ss->source), "%s", source);
    *t = (struct notify_transport){.channel = "sms", .rate_per_minute = rate, .send = smpp_send,
                                   .poll = smpp_poll, .close = smpp_close, .state = ss};
    return 0;
}
