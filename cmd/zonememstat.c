// SPDX-License-Identifier: MIT
/*
 * zonememstat.c - the `zonememstat` command: each running zone's memory (RSS, cap, times over
 * the cap, memory+swap and its cap), its processes and CPU time, read from its cgroups, in the
 * manner of SmartOS's zonememstat.
 *
 *   zonememstat [-z ZONE]
 */
#include <basalt/base.h>
#include <basalt/zone.h>

#include "tools.h"
#include "zonecli.h"

static void print_mb(uint64_t v)
{
	if (v >= (UINT64_MAX >> 1))
		printf(" %10s", "-");
	else
		printf(" %10llu", (unsigned long long)(v >> 20));
}

static int show(const char *name, bool required)
{
	struct zone_usage u;
	int r = zone_usage_get(name, &u);

	if (r < 0) {
		if (!required)
			return 0;
		return zonecli_fail("zonememstat", r);
	}
	printf("%-20s", name);
	print_mb(u.rss);
	print_mb(u.cap);
	printf(" %8llu", (unsigned long long)u.nover);
	print_mb(u.swap);
	print_mb(u.swap_cap);
	printf(" %6llu %10.2f\n", (unsigned long long)u.lwps, (double)u.cpu_ns / 1e9);
	return 0;
}

int tool_zonememstat_main(int argc, char **argv)
{
	char **names = NULL;
	enum zone_state st;
	int r = 0;

	if (argc == 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		printf("usage: zonememstat [-z ZONE]\n");
		return 0;
	}
	if (argc != 1 && !(argc == 3 && streq(argv[1], "-z"))) {
		fprintf(stderr, "zonememstat: unknown arguments; usage: zonememstat [-z ZONE]\n");
		return 2;
	}
	if (argc == 3) {
		r = zone_state_get(argv[2], &st, NULL);
		if (r < 0) {
			return zonecli_fail("zonememstat", r);
		}
	}
	printf("%-20s %10s %10s %8s %10s %10s %6s %10s\n", "ZONE", "RSS(MB)", "CAP(MB)", "NOVER",
	       "SWAP(MB)", "SWCAP(MB)", "LWPS", "CPU(s)");
	if (argc == 3)
		return show(argv[2], true);
	zone_store_list(&names);
	for (char **n = names; *n; n++)
		if (zone_state_get(*n, &st, NULL) == 0 && st == ZONE_STATE_RUNNING)
			r |= show(*n, false);
	zone_strv_free(names);
	return r;
}
