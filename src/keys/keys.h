/*
 * keys.h - the secrets the database keeps sealed under the key-encryption
 * key (core/kek.h), taken together: QR signing keys (signing_keys), DCC
 * signing keys (dcc_keys), the one-time codes waiting in the outbox and the
 * exposure notification codes kept for their person's result page.
 *
 * Each domain seals and opens its own values; this module only walks all of
 * them, to seal what an older version stored in clear, to check that the
 * configured KEK is the one they are sealed under, and to move them to a new
 * KEK in one transaction.
 */
#ifndef CORDON_KEYS_KEYS_H
#define CORDON_KEYS_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct kek;

/* Seals every value still in clear under k. *sealed (may be NULL) gets how many. Returns 0 or an enum err. */
int keys_seal_plain(struct store *s, const struct kek *k, int64_t *sealed);

/* 0 if every sealed value is under k and opens with it; else -1 with err saying which KEK they need. */
int keys_check(struct store *s, const struct kek *k, char *err, size_t errlen);

/*
 * Re-seals every value (sealed under from, or in clear) under to, all in one
 * transaction.  progress (may be NULL) is called after each value.  *moved
 * gets how many.  Returns 0, or an enum err with err filled; on error nothing
 * changed.
 */
int keys_rekey(struct store *s, const struct kek *from, const struct kek *to,
               void (*progress)(size_t done, size_t total), int64_t *moved, char *err, size_t errlen);

/* How many values the database keeps sealed (or still in clear), for progress output. */
int keys_count(struct store *s, int64_t *total);

#endif
