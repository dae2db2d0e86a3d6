/*
 * prompt.c - the spoken prompts: espeak-ng's Vietnamese voice, brought to the
 * 8 kHz of a phone line.
 *
 * espeak-ng writes 22.05 kHz; baresip's file source takes only the codec's
 * 8 kHz and its resampler only whole ratios, so the prompt is resampled here
 * (windowed sinc, cut below 4 kHz).  Silence follows the words: the file
 * source ending is what tells the callbot that no key came in time.
 */
#include "callbot/callbot.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"

#define OUT_RATE 8000
#define TAPS 24 /* input samples each side of an output sample */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The 16-bit mono samples of a WAV file: malloc'd in *pcm, or -1. */
static int wav_read(const char *path, int16_t **pcm, size_t *n, int *rate)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char hdr[12], ck[8];
    int rc = -1, channels = 0, bits = 0;
    *rate = 0;
    if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
        goto out;
    while (fread(ck, 1, 8, f) == 8) {
        uint32_t len = le32(ck + 4);
        if (!memcmp(ck, "fmt ", 4) && len >= 16) {
            unsigned char fmt[16];
            if (fread(fmt, 1, 16, f) != 16 || fseek(f, (long)(len - 16 + (len & 1)), SEEK_CUR))
                goto out;
            channels = fmt[2] | fmt[3] << 8;
            *rate = (int)le32(fmt + 4);
            bits = fmt[14] | fmt[15] << 8;
        } else if (!memcmp(ck, "data", 4)) {
            /* espeak-ng writing to a file leaves the length of a stream it could not seek back in */
            if (channels != 1 || bits != 16 || *rate <= 0)
                goto out;
            size_t cap = len && len < 0x7ffffff0u ? len : 1u << 20, got = 0;
            unsigned char *b = malloc(cap);
            size_t r;
            while (b && (r = fread(b + got, 1, cap - got, f)) > 0) {
                got += r;
                if (got == cap) {
                    unsigned char *nb = realloc(b, cap * 2);
                    if (!nb)
                        break;
                    b = nb, cap *= 2;
                }
            }
            if (!b)
                goto out;
            *n = got / 2;
            *pcm = malloc(*n * sizeof(int16_t) + 1);
            if (*pcm) {
                for (size_t i = 0; i < *n; i++)
                    (*pcm)[i] = (int16_t)(b[2 * i] | b[2 * i + 1] << 8);
                rc = 0;
            }
            free(b);
            goto out;
        } else if (fseek(f, (long)(len + (len & 1)), SEEK_CUR)) {
            goto out;
        }
    }
out:
    fclose(f);
    return rc;
}

/* in (rate) resampled to OUT_RATE, then pad_seconds of silence, as a WAV file at path. */
static int wav_write_8k(const char *path, const int16_t *in, size_t n, int rate, int pad_seconds)
{
    double ratio = (double)rate / OUT_RATE;
    size_t words = (size_t)((double)n / ratio), total = words + (size_t)pad_seconds * OUT_RATE;
    unsigned char *out = calloc(total * 2 + 44, 1);
    if (!out)
        return -1;
    double fc = 0.45 / ratio; /* cut-off in cycles per input sample: just under 4 kHz */
    for (size_t j = 0; j < words; j++) {
        double t = (double)j * ratio, acc = 0, norm = 0;
        long c = (long)t;
        for (long k = c - TAPS + 1; k <= c + TAPS; k++) {
            if (k < 0 || (size_t)k >= n)
                continue;
            double x = t - (double)k, s = x == 0 ? 2 * fc : sin(2 * M_PI * fc * x) / (M_PI * x);
            double w = 0.5 + 0.5 * cos(M_PI * x / TAPS); /* Hann */
            acc += in[k] * s * w;
            norm += s * w;
        }
        double v = norm != 0 ? acc / norm : 0;
        int16_t sv = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lround(v));
        out[44 + 2 * j] = (unsigned char)(sv & 0xff);
        out[45 + 2 * j] = (unsigned char)((uint16_t)sv >> 8);
    }
    memcpy(out, "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\0\0\0\0\0\0\0\0\x02\0\x10\0data", 40);
    put32(out + 4, (uint32_t)(36 + total * 2));
    put32(out + 24, OUT_RATE);
    put32(out + 28, OUT_RATE * 2);
    put32(out + 40, (uint32_t)(total * 2));
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(out, 1, total * 2 + 44, f) == total * 2 + 44 ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    free(out);
    return rc;
}

/* espeak-ng -v vi -w path text, without a shell; 0 when it succeeded. */
static int speak(const char *text, const char *path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execlp("espeak-ng", "espeak-ng", "-v", "vi", "-s", "150", "-w", path, text, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int callbot_prompt(const char *dir, const char *text, int pad_seconds, char *out, size_t outlen)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char key[64];
    snprintf(key, sizeof(key), "|%d", pad_seconds);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)text, strlen(text));
    crypto_hash_sha256_update(&st, (const unsigned char *)key, strlen(key));
    crypto_hash_sha256_final(&st, h);
    char hex[17];
    sodium_bin2hex(hex, sizeof(hex), h, 8);
    if ((size_t)snprintf(out, outlen, "%s/prompt-%s.wav", dir, hex) >= outlen)
        return -1;
    struct stat sb;
    if (stat(out, &sb) == 0 && sb.st_size > 44)
        return 0; /* made before */
    char raw[600], tmp[600];
    snprintf(raw, sizeof(raw), "%s/speak-%s-%d.wav", dir, hex, (int)getpid());
    snprintf(tmp, sizeof(tmp), "%s.tmp", out);
    int16_t *pcm = NULL;
    size_t n = 0;
    int rate = 0, rc = -1;
    if (speak(text, raw))
        log_error("msg=\"espeak-ng could not speak a prompt\" file=%s", raw);
    else if (wav_read(raw, &pcm, &n, &rate))
        log_error("msg=\"espeak-ng wrote no 16-bit mono WAV\" file=%s", raw);
    else if (wav_write_8k(tmp, pcm, n, rate, pad_seconds) || rename(tmp, out))
        log_error("msg=\"a prompt could not be written\" file=%s", out);
    else
        rc = 0;
    free(pcm);
    unlink(raw);
    if (rc)
        unlink(tmp);
    return rc;
}
