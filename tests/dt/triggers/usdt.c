// SPDX-License-Identifier: MIT
/*
 * usdt.c - a trigger for D tests of the usdt provider: a program with static probes declared
 * with sys/sdt.h, provider basalt_test: "start" (no arguments), "work" (i, i * i, a string)
 * for i in 1..N (default 3), and "done__now" (named done-now in D) with the sum. The string
 * is read once first: copyinstr() cannot bring a page in.
 */
#include <stdlib.h>
#include <sys/sdt.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	long sum = 0;
	const char *msg = "working";
	const char *volatile page = msg; /* the string's page is read, for copyinstr() */
	volatile char first = page[0];

	(void)first;
	DTRACE_PROBE(basalt_test, start);
	for (int i = 1; i <= n; i++) {
		long sq = (long)i * i;

		DTRACE_PROBE3(basalt_test, work, i, sq, msg);
		sum += sq;
	}
	DTRACE_PROBE1(basalt_test, done__now, sum);
	return 0;
}
