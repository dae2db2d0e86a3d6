/*
 * batch.c - signed export batches of the uploaded keys, their signing key,
 * and the index file (keyserver.h).
 *
 * Files are written to the export directory, each under a new name and
 * renamed into place, so a CDN or nginx serving that directory (or the
 * server's own GET /en/exports/{file}) never sees half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/kek.h"
#include "core/log.h"
#include "en/export.h"
#include "en/keyserver.h"

static char export_dir[512] = "en-exports";
static char region[16] = "VN";
static int min_batch = 1000;

void en_configure(const char *dir, const char *reg, int min)
{
    snprintf(export_dir, sizeof export_dir, "%s", dir);
    snprintf(region, sizeof region, "%s", reg);
    min_batch = min;
}

const char *en_export_dir(void)
{
    return export_dir;
}

const char *en_region(void)
{
    return region;
}

/* ------------------------------------------------------------ the signing key */

static char *bio_text(BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (out) {
        memcpy(out, p, (size_t)n);
        out[n] = '\0';
    }
    return out;
}

/* A new P-256 key as version: private PEM sealed, public PEM in clear. */
static enum store_rc signing_key_new(struct store *s, int64_t version)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
    char *priv_pem = NULL, *pub_pem = NULL, *sealed = NULL;
    enum store_rc rc = STORE_ERROR;
    if (k && priv && pub && PEM_write_bio_PrivateKey(priv, k, NULL, NULL, 0, NULL, NULL) &&
        PEM_write_bio_PUBKEY(pub, k) && (priv_pem = bio_text(priv)) && (pub_pem = bio_text(pub)) &&
        kek_current() && (sealed = kek_seal_current(priv_pem)))
        rc = store_run(s, NULL,
                       "INSERT INTO en_signing_keys (version, private_key, kek_id, public_key, created_at)"
                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       "isssi", version, sealed, kek_current()->id, pub_pem, clock_now());
    if (priv_pem)
        kek_free(priv_pem, strlen(priv_pem));
    free(pub_pem);
    free(sealed);
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(k);
    return rc;
}

struct key_row {
    int64_t version;
    char *private_pem, *public_pem;
    size_t private_len;
};

static void read_signing(struct store_stmt *st, void *ctx)
{
    struct key_row *k = ctx;
    k->version = store_col_int(st, 0);
    k->private_pem = kek_open_stored(store_col_text(st, 1), store_col_text(st, 2), &k->private_len);
    k->public_pem = strdup(store_col_text(st, 3));
}

static int signing_load(struct store *s, struct key_row *k)
{
    static const char sql[] =
        "SELECT version, private_key, kek_id, public_key FROM en_signing_keys ORDER BY version DESC LIMIT 1";
    memset(k, 0, sizeof *k);
    enum store_rc rc = store_get(s, read_signing, k, sql, "");
    if (rc == STORE_DONE && !(rc = signing_key_new(s, 1)))
        rc = store_get(s, read_signing, k, sql, "");
    if (rc || !k->private_pem || !k->public_pem) {
        if (k->private_pem)
            kek_free(k->private_pem, k->private_len);
        free(k->public_pem);
        return rc ? store_err(rc) : ERR_INTERNAL;
    }
    return 0;
}

int en_signing_rotate(struct store *s, int64_t *version)
{
    int64_t top = 0, changes = 0;
    enum store_rc rc = store_int(s, &top, "SELECT COALESCE(MAX(version), 0) FROM en_signing_keys", "");
    if (!rc)
        rc = signing_key_new(s, top + 1);
    if (!rc)
        rc = store_int(s, &changes, "SELECT COUNT(*) FROM en_signing_keys WHERE version = ?", "i", top + 1);
    *version = top + 1;
    return rc ? store_err(rc) : changes == 1 ? 0 : ERR_CONFLICT;
}

int en_signing_public(struct store *s, char **pem, int64_t *version)
{
    struct key_row k;
    int rc = signing_load(s, &k);
    if (rc)
        return rc;
    kek_free(k.private_pem, k.private_len);
    *pem = k.public_pem;
    *version = k.version;
    return 0;
}

/* ------------------------------------------------------------ the export job */

struct keys {
    struct en_key *k;
    size_t n, cap;
};

static int keys_add(struct keys *ks, const struct en_key *k)
{
    if (ks->n == ks->cap) {
        size_t c = ks->cap ? 2 * ks->cap : 1024;
        struct en_key *p = realloc(ks->k, c * sizeof *p);
        if (!p)
            return -1;
        ks->k = p;
        ks->cap = c;
    }
    ks->k[ks->n++] = *k;
    return 0;
}

/* Reads keys uploaded (or revised, revised = 1) in [from, to). */
static enum store_rc read_keys(struct store *s, int64_t from, int64_t to, int revised, struct keys *out)
{
    struct store_stmt *st;
    enum store_rc rc =
        store_query(s, &st,
                    revised ? "SELECT key_data, rolling_start, rolling_period, transmission_risk, revised_report_type,"
                              " days_since_onset FROM en_keys WHERE revised_at >= ? AND revised_at < ?"
                            : "SELECT key_data, rolling_start, rolling_period, transmission_risk, report_type,"
                              " days_since_onset FROM en_keys WHERE created_at >= ? AND created_at < ?",
                    "ii", from, to);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        struct en_key k = {0};
        size_t len = 0;
        const char *b64 = store_col_text(st, 0);
        if (sodium_base642bin(k.key_data, sizeof k.key_data, b64, strlen(b64), NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) ||
            len != EN_KEY_LEN)
            continue;
        k.rolling_start_interval_number = (int32_t)store_col_int(st, 1);
        k.rolling_period = (int32_t)store_col_int(st, 2);
        k.transmission_risk_level = (int32_t)store_col_int(st, 3);
        k.has_transmission_risk = true;
        k.report_type = (int32_t)store_col_int(st, 4);
        k.has_report_type = true;
        k.has_days_since_onset = !store_col_null(st, 5);
        k.days_since_onset = (int32_t)store_col_int(st, 5);
        if (keys_add(out, &k)) {
            rc = STORE_ERROR;
            break;
        }
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* Fake keys look like real ones: random data, a day of the last 14, a full period. */
static int pad_keys(struct keys *ks, size_t target, int64_t now)
{
    uint32_t today = en_interval_number(now) / EN_MAX_PERIOD * EN_MAX_PERIOD;
    while (ks->n < target) {
        struct en_key k = {0};
        randombytes_buf(k.key_data, sizeof k.key_data);
        k.rolling_start_interval_number = (int32_t)(today - EN_MAX_PERIOD * (1 + randombytes_uniform(EN_RETENTION_DAYS)));
        k.rolling_period = EN_MAX_PERIOD;
        k.has_transmission_risk = k.has_report_type = true;
        k.report_type = EN_REPORT_CONFIRMED_TEST;
        if (keys_add(ks, &k))
            return -1;
    }
    return 0;
}

/* Keys in byte order: neither upload order nor which are fake shows. */
static int key_order(const void *a, const void *b)
{
    return memcmp(((const struct en_key *)a)->key_data, ((const struct en_key *)b)->key_data, EN_KEY_LEN);
}

static int write_file(const char *name, const void *data, size_t len)
{
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/%s", export_dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        remove(tmp);
        return -1;
    }
    return 0;
}

/* One signed zip: keys[0..n) (and the revised ones in the first batch). */
static int write_batch(const char *name, EVP_PKEY *key, int64_t version, int64_t start, int64_t end, int num,
                       int size, struct en_key *keys, size_t n, struct en_key *revised, size_t nrevised)
{
    struct en_export e = {.start_timestamp = (uint64_t)start, .end_timestamp = (uint64_t)end, .batch_num = num,
                          .batch_size = size, .has_info = true, .keys = keys, .nkeys = n, .revised = revised,
                          .nrevised = nrevised};
    snprintf(e.region, sizeof e.region, "%s", region);
    snprintf(e.info.key_version, sizeof e.info.key_version, "v%lld", (long long)version);
    snprintf(e.info.key_id, sizeof e.info.key_id, "%s", region);
    snprintf(e.info.algorithm, sizeof e.info.algorithm, EN_SIG_ALGORITHM);
    struct buf bin, sig, sigfile;
    buf_init(&bin, 64u << 20);
    buf_init(&sig, 256);
    buf_init(&sigfile, 1024);
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/%s", export_dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp.zip", path);
    int rc = en_export_encode(&e, &bin) || en_sign(key, (uint8_t *)bin.data, bin.len, &sig) ||
             en_sig_encode(&e.info, num, size, (uint8_t *)sig.data, sig.len, &sigfile) ||
             en_zip_write(tmp, (uint8_t *)bin.data, bin.len, (uint8_t *)sigfile.data, sigfile.len) ||
             rename(tmp, path);
    if (rc)
        remove(tmp);
    buf_release(&bin);
    buf_release(&sig);
    buf_release(&sigfile);
    return rc ? -1 : 0;
}

static enum store_rc write_index(struct store *s, int64_t now)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, "SELECT filename FROM en_exports WHERE end_ts >= ? ORDER BY end_ts, batch_num",
                                   "i", now - EN_RETENTION_DAYS * 86400);
    if (rc)
        return rc;
    struct buf b;
    buf_init(&b, 16u << 20);
    while ((rc = store_step(st)) == STORE_ROW)
        if (buf_addf(&b, "%s\n", store_col_text(st, 0))) {
            rc = STORE_ERROR;
            break;
        }
    store_finalize(st);
    if (rc == STORE_DONE)
        rc = write_file("index.txt", b.data, b.len) ? STORE_ERROR : STORE_OK;
    buf_release(&b);
    return rc;
}

int en_job_export(struct store *s, int64_t now, const char **detail)
{
    static char msg[160];
    int64_t end = now - now % 3600, start = 0;
    enum store_rc rc = store_int(s, &start, "SELECT COALESCE(MAX(end_ts), 0) FROM en_exports", "");
    if (rc)
        return -1;
    if (start == 0)
        start = end - EN_RETENTION_DAYS * 86400;
    *detail = "nothing new";
    if (start >= end)
        return 0;
    struct keys ks = {0}, rev = {0};
    struct key_row sk = {0};
    EVP_PKEY *key = NULL;
    int failed = -1;
    int64_t files = 0;
    if (read_keys(s, start, end, 0, &ks) || read_keys(s, start, end, 1, &rev) ||
        store_int(s, &files, "SELECT COUNT(*) FROM en_exports", ""))
        goto out;
    /* no keys: only files aging out of the index change it, and a server that never had keys writes nothing */
    if (ks.n == 0 && rev.n == 0) {
        failed = files && write_index(s, now) ? -1 : 0;
        goto out;
    }
    if (mkdir(export_dir, 0755) && errno != EEXIST) {
        log_error("msg=\"cannot make the export directory\" dir=\"%s\"", export_dir);
        goto out;
    }
    size_t real = ks.n;
    if (pad_keys(&ks, (size_t)min_batch, now))
        goto out;
    qsort(ks.k, ks.n, sizeof *ks.k, key_order);
    if (signing_load(s, &sk) || !(key = en_key_from_pem(sk.private_pem, sk.private_len, true)))
        goto out;
    int size = (int)((ks.n + EN_EXPORT_MAX_KEYS - 1) / EN_EXPORT_MAX_KEYS);
    if (size == 0)
        size = 1;
    if (store_begin(s, true))
        goto out;
    for (int num = 1; num <= size; num++) {
        size_t from = (size_t)(num - 1) * EN_EXPORT_MAX_KEYS;
        size_t n = ks.n - from < EN_EXPORT_MAX_KEYS ? ks.n - from : EN_EXPORT_MAX_KEYS;
        char name[96];
        snprintf(name, sizeof name, "%lld-%lld-%05d.zip", (long long)start, (long long)end, num);
        if (write_batch(name, key, sk.version, start, end, num, size, ks.k + from, n, num == 1 ? rev.k : NULL,
                        num == 1 ? rev.n : 0) ||
            store_run(s, NULL,
                      "INSERT INTO en_exports (filename, start_ts, end_ts, batch_num, batch_size, keys, signing_version,"
                      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      "siiddiii", name, start, end, num, size, (int64_t)(num == 1 ? real : 0), sk.version, now)) {
            store_rollback(s);
            goto out;
        }
    }
    if (store_commit(s) || write_index(s, now))
        goto out;
    snprintf(msg, sizeof msg, "files=%d keys=%zu revised=%zu fake=%zu", size, real, rev.n, ks.n - real);
    *detail = msg;
    failed = 0;
out:
    EVP_PKEY_free(key);
    if (sk.private_pem)
        kek_free(sk.private_pem, sk.private_len);
    free(sk.public_pem);
    free(ks.k);
    free(rev.k);
    return failed;
}
