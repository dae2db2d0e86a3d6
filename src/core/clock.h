/* clock.h - wall time in epoch seconds and a monotonic clock for durations. */
#ifndef CORDON_CORE_CLOCK_H
#define CORDON_CORE_CLOCK_H

#include <stdint.h>

int64_t clock_now(void);      /* epoch seconds, UTC */
double clock_mono(void);      /* seconds since an arbitrary start, never goes back */

#endif
