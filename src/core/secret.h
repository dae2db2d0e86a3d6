/*
 * secret.h - random tokens, token digests and password hashes (libsodium).
 *
 * Session tokens are 32 random bytes in base64url; only their SHA-256 digest
 * is stored, so a copy of the database gives no usable session.  Passwords
 * are hashed with Argon2id at libsodium's "interactive" cost.
 */
#ifndef CORDON_CORE_SECRET_H
#define CORDON_CORE_SECRET_H

#include <stddef.h>

#define SECRET_TOKEN_LEN 43       /* base64url of 32 bytes, no padding */
#define SECRET_DIGEST_HEX_LEN 64  /* SHA-256 in hex */
#define SECRET_PWHASH_LEN 128     /* crypto_pwhash_STRBYTES */

int secret_init(void);
void secret_token(char out[SECRET_TOKEN_LEN + 1]);
void secret_hex(char *out, size_t nbytes); /* nbytes random bytes as 2*nbytes hex + NUL */
void secret_digest(const char *token, char out[SECRET_DIGEST_HEX_LEN + 1]);
/* 0 on success, -1 if the hash could not be computed (out of memory). */
int secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN]);
/* 1 if password matches hash, 0 otherwise. */
int secret_password_check(const char *hash, const char *password);
/* A random password of len characters from an unambiguous alphabet. */
void secret_password_generate(char *out, size_t len);

#endif
