/*
 * qr_http.h - public endpoints of the QR module: the signing keys a scanner
 * downloads, and a server-side check of any scanned payload.
 */
#ifndef CORDON_QR_QR_HTTP_H
#define CORDON_QR_QR_HTTP_H

#include "core/err.h"

struct http_req;

/* GET /api/v1/keys -> {"keys":[{"kid","alg","public_key","created_at"}]} (anyone). */
enum err qr_handle_keys(struct http_req *r);
/*
 * POST /api/v1/qr/verify {"payload"} -> {"valid","type"?,"reason"?} (anyone).
 * The payload is a CDN1 string or a venue poster URL (.../c/<code>?k=&s=).
 * A personal payload is also checked against the person's current serial
 * ("revoked" when old); the answer never says who the person is.
 */
enum err qr_handle_verify(struct http_req *r);

#endif
