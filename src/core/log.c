#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048
#define ACCESS_BUF (64 * 1024)  /* access lines held before one write */
#define ACCESS_FLUSH_MS 50      /* and never longer than this */

static enum log_level log_min = LOG_INFO;
static const char *const log_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lvl)
{
    log_min = lvl;
}

/* "ts=... level=... " then the caller's text; the length written (without a newline). */
static size_t format_line(char *line, size_t size, enum log_level lvl, const char *fmt, va_list ap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, size, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                     log_names[lvl]);
    if (n > 0 && (size_t)n < size)
        n += vsnprintf(line + n, size - (size_t)n, fmt, ap);
    return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* ---------------------------------------------------------------- the access log, buffered */

/*
 * One line per request would be one write(2) per request.  Access lines go to
 * a buffer written out when it fills, by a thread every ACCESS_FLUSH_MS, and
 * before any other log line (so lines keep their order).  A process killed
 * with SIGKILL loses at most the last ACCESS_FLUSH_MS of access lines.
 */
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;
static char access_buf[ACCESS_BUF];
static size_t access_len;
static pthread_once_t access_once = PTHREAD_ONCE_INIT;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Caller holds access_lock. */
static void access_flush_locked(void)
{
    if (!access_len)
        return;
    fflush(stderr);
    write_all(access_buf, access_len);
    access_len = 0;
}

void log_flush(void)
{
    pthread_mutex_lock(&access_lock);
    access_flush_locked();
    pthread_mutex_unlock(&access_lock);
}

static void *access_flusher(void *arg)
{
    (void)arg;
    struct timespec ts = {0, ACCESS_FLUSH_MS * 1000000L};
    for (;;) {
        nanosleep(&ts, NULL);
        log_flush();
    }
    return NULL;
}

static void access_start(void)
{
    pthread_t t;
    if (!pthread_create(&t, NULL, access_flusher, NULL))
        pthread_detach(t);
}

void log_access(const char *fmt, ...)
{
    if (LOG_INFO < log_min)
        return;
    pthread_once(&access_once, access_start);
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t n = format_line(line, sizeof(line) - 1, LOG_INFO, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    pthread_mutex_lock(&access_lock);
    if (access_len + n > sizeof(access_buf))
        access_flush_locked();
    memcpy(access_buf + access_len, line, n);
    access_len += n;
    pthread_mutex_unlock(&access_lock);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    if (lvl < log_min)
        return;
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_line(line, sizeof(line), lvl, fmt, ap);
    va_end(ap);
    log_flush(); /* the access lines before this one come first */
    /* One fputs per line: stdio locks the stream, so lines from threads never interleave. */
    fprintf(stderr, "%s\n", line);
}
