// SPDX-License-Identifier: MIT
/*
 * time.c - clocks in nanoseconds: the wall clock for timestamps users read (creation times,
 * manifests) and the monotonic clock for intervals and timeouts.
 */
#include <basalt/base.h>

#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	VERIFY0(clock_gettime(id, &ts));
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t bs_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t bs_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
