/*
 * smpp.h - SMS over SMPP 3.4 to a carrier's or brand-name gateway's SMSC.
 *
 * The PDU code is our own (smpp_pdu.c): bind_transceiver, submit_sm with
 * delivery receipts asked for, deliver_sm (receipts) answered, enquire_link
 * both ways, unbind.  Text goes as UCS-2 (data_coding 8, diacritics kept) or
 * as GSM 7-bit without diacritics (data_coding 0, one septet per octet, as
 * SMPP carries it); a long text is split into concatenated segments with a
 * UDH (esm_class 0x40).  smpp.c keeps one session per sender thread and
 * binds again after a failure (the message waits for its retry).
 */
#ifndef CORDON_NOTIFY_SMPP_H
#define CORDON_NOTIFY_SMPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMPP_BIND_TRANSCEIVER 0x00000009u
#define SMPP_SUBMIT_SM 0x00000004u
#define SMPP_DELIVER_SM 0x00000005u
#define SMPP_UNBIND 0x00000006u
#define SMPP_ENQUIRE_LINK 0x00000015u
#define SMPP_GENERIC_NACK 0x80000000u
#define SMPP_RESP 0x80000000u

#define SMPP_MAX_SEGMENTS 10
#define SMPP_MAX_PDU 65536

/* smpp://SYSTEM_ID:PASSWORD@HOST:PORT (user and password percent-decoded). 0 or -1. */
struct smpp_url {
    char system_id[16], password[9], host[256];
    int port;
};
int smpp_parse_url(const char *url, struct smpp_url *out);

struct smpp_segment {
    uint8_t data[160]; /* UDH (when concatenated) then the text */
    size_t len;
};

/* Splits utf8 into segments: ucs2 or GSM 7-bit.  *data_coding and *esm_class
 * get the values for submit_sm; ref numbers the concatenation.  The count,
 * or -1 when the text needs more than SMPP_MAX_SEGMENTS. */
int smpp_segments(const char *utf8, bool ucs2, uint8_t ref, struct smpp_segment *out, uint8_t *data_coding,
                  uint8_t *esm_class);

/* A growing PDU; bodies are built with these and framed by smpp_frame. */
struct smpp_buf {
    uint8_t b[SMPP_MAX_PDU];
    size_t len;
};
void smpp_put_u8(struct smpp_buf *p, uint8_t v);
void smpp_put_u32(struct smpp_buf *p, uint32_t v);
void smpp_put_cstr(struct smpp_buf *p, const char *s);
void smpp_put_bytes(struct smpp_buf *p, const void *d, size_t n);
/* Starts a PDU: the header with a length fixed later by smpp_end. */
void smpp_begin(struct smpp_buf *p, uint32_t cmd, uint32_t status, uint32_t seq);
void smpp_end(struct smpp_buf *p);

void smpp_bind_transceiver(struct smpp_buf *p, uint32_t seq, const char *system_id, const char *password);
void smpp_submit_sm(struct smpp_buf *p, uint32_t seq, const char *source, const char *dest, uint8_t esm_class,
                    uint8_t data_coding, const struct smpp_segment *seg);

/* A delivery receipt read from a deliver_sm body: the SMSC's message id and
 * whether it reached the phone.  false when the body is no receipt. */
bool smpp_parse_receipt(const uint8_t *body, size_t len, char *id, size_t idlen, bool *delivered);

#endif
