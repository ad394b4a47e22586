/* SPDX-License-Identifier: MIT */
/*
 * time.c - the one place that does deadline arithmetic.
 *
 * Timeouts are uint64_t nanoseconds with UINT64_MAX meaning "never"; times
 * are CLOCK_MONOTONIC nanoseconds. Additions saturate at UINT64_MAX, and a
 * timeout becomes a struct timespec only here, where a 32-bit time_t
 * (armhf) cannot hold every value.
 */
#include <time.h>

#include "internal.h"

UDRV_API uint64_t udrv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

UDRV_API uint64_t udrv_deadline_ns(uint64_t timeout_ns)
{
	return udrv__add_sat(udrv_now_ns(), timeout_ns);
}

UDRV_API uint64_t udrv_left_ns(uint64_t deadline_ns)
{
	uint64_t now;

	if (deadline_ns == UINT64_MAX)
		return UINT64_MAX;
	now = udrv_now_ns();
	return deadline_ns > now ? deadline_ns - now : 0;
}

struct timespec *udrv__timespec(uint64_t ns, struct timespec *ts)
{
	/* The largest time_t, whatever its width (it is signed). */
	const uint64_t max_sec = ((uint64_t)1 << (sizeof(time_t) * 8 - 1)) - 1;
	uint64_t sec = ns / 1000000000u;

	if (ns == UINT64_MAX || sec > max_sec)
		return NULL;	/* longer than the clock can count: forever */
	ts->tv_sec = (time_t)sec;
	ts->tv_nsec = (long)(ns % 1000000000u);
	return ts;
}
