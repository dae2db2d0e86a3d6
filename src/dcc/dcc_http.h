/*
 * dcc_http.h - POST /api/v1/certificates/verify: any "HC1:" payload checked
 * against the server's trust list (docs/api-vaccine.md, "Verifying a
 * certificate").
 *
 * The trust list is built once, before the server starts answering: this
 * server's own issuer key (table dcc_keys, created on first use) plus every
 * key of the trust file when one is configured (dcc_trust_file,
 * CORDON_DCC_TRUST_FILE).  With it go the EU value sets that coded fields
 * are checked against: the shipped ones, or those of dcc_valuesets_file
 * (CORDON_DCC_VALUESETS_FILE).  Both are read-only afterwards and shared by
 * all request threads.
 */
#ifndef CORDON_DCC_DCC_HTTP_H
#define CORDON_DCC_DCC_HTTP_H

#include <stddef.h>

#include "core/err.h"

struct store;
struct http_req;

#define DCC_VERIFY_BODY_MAX (16 * 1024) /* bytes of a verify request body */

/*
 * Builds the process's trust list: the issuer's key loaded from s, then the
 * keys of trust_file (NULL or "" for none), with the value sets of
 * valuesets_file (NULL or "": the shipped ones).  Call once, before serving.
 * Returns 0, or -1 with a sentence for people in err (missing or unreadable
 * file, bad JSON, a key that is neither a certificate nor a public key, the
 * issuer's key could not be loaded).  On failure nothing is kept.
 */
int dcc_http_configure(struct store *s, const char *trust_file, const char *valuesets_file, char *err, size_t errlen);
/* Frees the trust list (after the server stopped). */
void dcc_http_release(void);
/* Number of keys in the trust list (0 before dcc_http_configure). */
size_t dcc_http_trust_count(void);

/* POST /api/v1/certificates/verify {"payload":"HC1:..."} -> 200 {"valid",...}. Public. */
enum err dcc_handle_verify(struct http_req *r);

#endif
