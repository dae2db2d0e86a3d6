/*
 * clock.h - wall time in epoch seconds, a monotonic clock for durations, and
 * Việt Nam's calendar.
 *
 * Everything Cordon dates by day (check-in volumes, declarations, quarantine
 * days, vaccination sessions) uses the local day in Việt Nam: UTC+7 all year,
 * no daylight saving.  A local day is numbered as days since 1970-01-01.
 */
#ifndef CORDON_CORE_CLOCK_H
#define CORDON_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define VN_UTC_OFFSET 25200 /* seconds: Asia/Ho_Chi_Minh, UTC+7 */
#define VN_DAY 86400
#define VN_OFFSET_SQL "25200" /* VN_UTC_OFFSET for SQL text */

int64_t clock_now(void);      /* epoch seconds, UTC */
double clock_mono(void);      /* seconds since an arbitrary start, never goes back */

/* The wall-clock instant `us` microseconds from now: the deadline pthread_cond_timedwait takes. */
struct timespec clock_deadline_us(int64_t us);

/* The local day number of instant t, and the instant local day `day` starts. */
int64_t vn_day(int64_t t);
int64_t vn_day_start(int64_t day);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t days_from_civil(int64_t y, int m, int d);
void civil_from_days(int64_t day, int *y, int *m, int *d);

/* Parses a real calendar date YYYY-MM-DD (years 1900-2999) into a day number; false if not one. */
bool vn_date_parse(const char *s, int64_t *day);
/* Writes YYYY-MM-DD for a day number. */
void vn_date_format(int64_t day, char out[11]);
/* Writes DD/MM/YYYY, the way a date is written in Vietnamese text (an SMS), for a YYYY-MM-DD date;
 * anything else is copied as it is. */
void vn_date_text(const char *iso, char out[11]);

#endif
