/*
 * bench_util.h - what the benchmark drivers share: the monotonic clock in
 * seconds and an ascending order of doubles (for medians and percentiles).
 */
#ifndef CORDON_BENCH_UTIL_H
#define CORDON_BENCH_UTIL_H

#include "core/clock.h"

/* Seconds on the monotonic clock (core's clock_mono). */
static inline double now_s(void)
{
    return clock_mono();
}

static inline int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
