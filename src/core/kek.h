/*
 * kek.h - the key-encryption key that seals secrets kept in the database.
 *
 * Signing keys and the one-time codes waiting in the outbox are stored
 * sealed (libsodium crypto_secretbox) under a 32-byte key that never enters
 * the database: it comes from $CORDON_KEK (64 hex characters) or from the
 * file named by kek_file / $CORDON_KEK_FILE (64 hex characters or 32 raw
 * bytes).  In development mode (dev = 1) without either, a key is made once
 * into a file beside the database (mode 0600) and read from there after.
 *
 * A sealed value is base64url (no padding) of nonce || ciphertext, stored
 * with the KEK's id: 16 hex characters of a keyed digest of the KEK, so a
 * server can tell that it holds the wrong key before it fails to open one.
 */
#ifndef CORDON_CORE_KEK_H
#define CORDON_CORE_KEK_H

#include <stdbool.h>
#include <stddef.h>

struct config;

#define KEK_BYTES 32
#define KEK_ID_LEN 16

struct kek {
    unsigned char key[KEK_BYTES];
    char id[KEK_ID_LEN + 1];
};

/*
 * Sets this process's KEK from the environment, kek_file or (dev) the
 * development key file.  Having none is not an error here: callers that need
 * one ask kek_current().  -1 with err filled when a configured key is bad.
 */
int kek_load(const struct config *c, char *err, size_t errlen);
/* Makes k the process's KEK (tests; commands use kek_load). */
void kek_use(const struct kek *k);
/* The process's KEK, or NULL when none is configured. */
const struct kek *kek_current(void);
/* Where a development KEK for db_url lives (dev mode only). */
void kek_dev_path(const char *db_url, char *out, size_t outlen);
/* Reads a KEK file (64 hex characters, optionally a newline, or 32 raw bytes). */
int kek_read_file(const char *path, struct kek *k, char *err, size_t errlen);
/* Parses 64 hex characters into k. */
int kek_from_hex(const char *hex, struct kek *k);
void kek_wipe(struct kek *k);

/* Seals len bytes under k: a malloc'd base64url string, or NULL (out of memory). */
char *kek_seal(const struct kek *k, const void *plain, size_t len);
/* Opens a sealed string: a malloc'd NUL-terminated copy of the plain bytes (*len
 * without the NUL), or NULL when it was not sealed under k or was altered.
 * Free it with kek_free. */
char *kek_open(const struct kek *k, const char *sealed, size_t *len);
/* A value as a table stores it, with its row's kek_id: opened under the
 * process's KEK, or copied when kek_id is NULL (written in clear by an older
 * version).  NULL when it cannot be opened.  Free it with kek_free. */
char *kek_open_stored(const char *value, const char *kek_id, size_t *len);
/* Seals a string under the process's KEK; NULL when there is none (or out of memory). */
char *kek_seal_current(const char *plain);
/* Wipes and frees what kek_open returned. */
void kek_free(char *plain, size_t len);

#endif
