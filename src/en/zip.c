/*
 * zip.c - the export zip (export.bin + export.sig) through libzip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "en/export.h"

int en_zip_write(const char *path, const uint8_t *bin, size_t binlen, const uint8_t *sig, size_t siglen)
{
    /* libzip writes to a temporary file beside path and renames it on close */
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z)
        return -1;
    static const char *const names[] = {"export.bin", "export.sig"};
    const uint8_t *data[] = {bin, sig};
    size_t lens[] = {binlen, siglen};
    for (int i = 0; i < 2; i++) {
        zip_source_t *src = zip_source_buffer(z, data[i], lens[i], 0);
        zip_int64_t idx = src ? zip_file_add(z, names[i], src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            zip_discard(z);
            return -1;
        }
        zip_file_set_mtime(z, (zip_uint64_t)idx, 0, 0); /* same bytes for the same keys */
    }
    if (zip_close(z)) {
        zip_discard(z);
        return -1;
    }
    return 0;
}

static int member(zip_t *z, const char *name, uint8_t **out, size_t *len, char *err, size_t errlen)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) || !(st.valid & ZIP_STAT_SIZE)) {
        snprintf(err, errlen, "the zip has no %s", name);
        return -1;
    }
    if (st.size > 64u << 20) {
        snprintf(err, errlen, "%s is larger than 64 MiB", name);
        return -1;
    }
    zip_file_t *f = zip_fopen(z, name, 0);
    uint8_t *p = malloc(st.size ? st.size : 1);
    zip_int64_t got = f && p ? zip_fread(f, p, st.size) : -1;
    if (f)
        zip_fclose(f);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(p);
        snprintf(err, errlen, "%s could not be read from the zip", name);
        return -1;
    }
    *out = p;
    *len = (size_t)st.size;
    return 0;
}

int en_zip_read(const char *path, uint8_t **bin, size_t *binlen, uint8_t **sig, size_t *siglen, char *err,
                size_t errlen)
{
    int zerr = 0;
    *bin = *sig = NULL;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        snprintf(err, errlen, "%s is not a readable zip file", path);
        return -1;
    }
    int rc = member(z, "export.bin", bin, binlen, err, errlen) || member(z, "export.sig", sig, siglen, err, errlen);
    zip_discard(z);
    if (rc) {
        free(*bin);
        free(*sig);
        *bin = *sig = NULL;
        return -1;
    }
    return 0;
}
