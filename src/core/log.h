/*
 * log.h - structured log lines on stderr: "ts=... level=... msg=... k=v ...".
 *
 * Callers pass already-formatted key=value pairs; values that may hold spaces
 * are quoted by the caller with log_quote().  Personal data (names, phone
 * numbers, ids of people) never goes into a log line.
 */
#ifndef CORDON_CORE_LOG_H
#define CORDON_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An access line (level info), buffered: written within 50 ms, before the next other line, or at log_flush(). */
void log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_flush(void);

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
