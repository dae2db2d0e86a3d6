#include "core/kek.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"

#define SEALED_MAX 8192 /* a PEM key is under 300 bytes; anything larger is not ours */

static struct kek current;
static bool have_current;

const struct kek *kek_current(void)
{
    return have_current ? &current : NULL;
}

void kek_use(const struct kek *k)
{
    current = *k;
    have_current = true;
}

void kek_wipe(struct kek *k)
{
    sodium_memzero(k, sizeof(*k));
}

/* The id: a digest keyed by the KEK itself, so it names the key without revealing it. */
static void set_id(struct kek *k)
{
    static const char label[] = "cordon key-encryption key id";
    unsigned char h[KEK_ID_LEN / 2];
    crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1, k->key, KEK_BYTES);
    sodium_bin2hex(k->id, sizeof(k->id), h, sizeof(h));
}

int kek_from_hex(const char *hex, struct kek *k)
{
    size_t got = 0;
    const char *end = NULL;
    size_t len = strlen(hex);
    while (len && (hex[len - 1] == '\n' || hex[len - 1] == '\r' || hex[len - 1] == ' '))
        len--;
    if (len != KEK_BYTES * 2 || sodium_hex2bin(k->key, KEK_BYTES, hex, len, NULL, &got, &end) || got != KEK_BYTES ||
        end != hex + len)
        return -1;
    set_id(k);
    return 0;
}

int kek_read_file(const char *path, struct kek *k, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "could not read the key-encryption key file %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[80];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    int rc = -1;
    if (n == KEK_BYTES && kek_from_hex(buf, k)) { /* 32 raw bytes (that are not by chance hex) */
        memcpy(k->key, buf, KEK_BYTES);
        set_id(k);
        rc = 0;
    } else if (n >= KEK_BYTES * 2 && !kek_from_hex(buf, k))
        rc = 0;
    sodium_memzero(buf, sizeof(buf));
    if (rc)
        snprintf(err, errlen, "the key-encryption key file %s must hold 64 hex characters or 32 bytes", path);
    return rc;
}

void kek_dev_path(const char *db_url, char *out, size_t outlen)
{
    if (!strncmp(db_url, "sqlite:", 7))
        snprintf(out, outlen, "%s.kek", db_url + 7);
    else
        snprintf(out, outlen, "cordon-dev.kek");
}

/* Development only: reads the key beside the database, making it the first time. */
static int dev_key(const char *db_url, struct kek *k, char *err, size_t errlen)
{
    char path[600];
    kek_dev_path(db_url, path, sizeof(path));
    if (!access(path, F_OK))
        return kek_read_file(path, k, err, errlen);
    unsigned char raw[KEK_BYTES];
    char hex[KEK_BYTES * 2 + 2];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    strcat(hex, "\n");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    bool ok = fd >= 0 && write(fd, hex, strlen(hex)) == (ssize_t)strlen(hex);
    if (fd >= 0)
        ok = !close(fd) && ok;
    sodium_memzero(hex, sizeof(hex));
    if (!ok) {
        snprintf(err, errlen, "could not write the development key-encryption key %s: %s", path, strerror(errno));
        return -1;
    }
    log_warn("msg=\"development mode: made a key-encryption key; production servers need CORDON_KEK or kek_file\""
             " file=%s",
             path);
    return kek_read_file(path, k, err, errlen);
}

int kek_load(const struct config *c, char *err, size_t errlen)
{
    struct kek k;
    int rc = 0;
    const char *hex = getenv("CORDON_KEK");
    if (hex && *hex) {
        rc = kek_from_hex(hex, &k);
        if (rc)
            snprintf(err, errlen, "CORDON_KEK must be 64 hex characters (a 32-byte key)");
    } else if (c->kek_file[0])
        rc = kek_read_file(c->kek_file, &k, err, errlen);
    else if (c->dev)
        rc = dev_key(c->db, &k, err, errlen);
    else
        return 0;
    if (!rc) {
        current = k;
        have_current = true;
    }
    kek_wipe(&k);
    return rc;
}

char *kek_seal(const struct kek *k, const void *plain, size_t len)
{
    if (len > SEALED_MAX)
        return NULL;
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    unsigned char *box = malloc(blen);
    size_t slen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(slen);
    if (box && out) {
        randombytes_buf(box, crypto_secretbox_NONCEBYTES);
        crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, len, box, k->key);
        sodium_bin2base64(out, slen, box, blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    } else {
        free(out);
        out = NULL;
    }
    free(box);
    return out;
}

char *kek_open(const struct kek *k, const char *sealed, size_t *len)
{
    size_t slen = strlen(sealed), blen = 0;
    if (slen > SEALED_MAX * 2)
        return NULL;
    unsigned char *box = malloc(slen);
    char *plain = NULL;
    if (!box || sodium_base642bin(box, slen, sealed, slen, NULL, &blen, NULL,
                                  sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        goto out;
    *len = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    plain = malloc(*len + 1);
    if (plain && crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
                                            blen - crypto_secretbox_NONCEBYTES, box, k->key)) {
        free(plain);
        plain = NULL;
    }
    if (plain)
        plain[*len] = '\0';
out:
    free(box);
    return plain;
}

void kek_free(char *plain, size_t len)
{
    if (plain) {
        sodium_memzero(plain, len);
        free(plain);
    }
}

char *kek_open_stored(const char *value, const char *kek_id, size_t *len)
{
    if (!value)
        return NULL;
    if (!kek_id) {
        *len = strlen(value);
        char *copy = malloc(*len + 1);
        if (copy)
            memcpy(copy, value, *len + 1);
        return copy;
    }
    if (!have_current) {
        log_error("msg=\"no key-encryption key: set CORDON_KEK or kek_file\" sealed_under=%s", kek_id);
        return NULL;
    }
    if (strcmp(kek_id, current.id)) {
        log_error("msg=\"a stored secret is sealed under another key-encryption key\" sealed_under=%s configured=%s",
                  kek_id, current.id);
        return NULL;
    }
    return kek_open(&current, value, len);
}

char *kek_seal_current(const char *plain)
{
    if (!have_current) {
        log_error("msg=\"no key-encryption key: set CORDON_KEK or kek_file (see README, Secrets)\"");
        return NULL;
    }
    return kek_seal(&current, plain, strlen(plain));
}
