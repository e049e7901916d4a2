// SPDX-License-Identifier: MIT
/*
 * hdrprobe.c - a trigger for the test of `dtrace -h`: fires the probes of provider.h (made from
 * provider.d by dtrace -h at build time) N times (default 3), then "done" with how many of the
 * query-start firings found their probe enabled (its semaphore counted up by the tracer).
 */
#include <stdlib.h>

#include "provider.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, enabled = 0;
	const char *volatile query = "select 1";
	volatile char first = query[0]; /* the string's page is read, for copyinstr() */

	(void)first;
	for (int i = 0; i < n; i++) {
		if (BASALT_HDR_QUERY_START_ENABLED())
			enabled++;
		BASALT_HDR_QUERY_START(query, i);
		BASALT_HDR_TICK();
	}
	BASALT_HDR_DONE(enabled);
	return 0;
}
