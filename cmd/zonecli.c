// SPDX-License-Identifier: MIT
/*
 * zonecli.c - the one-line failures and usage errors of the zone commands.
 */
#include <basalt/base.h>

#include "zonecli.h"

int zonecli_fail(const char *tool, int r)
{
	fprintf(stderr, "%s: %s\n", tool, bs_strerror(r));
	return 1;
}

int zonecli_usage(const char *tool, const char *what, const char *usage)
{
	fprintf(stderr, "%s: %s; %s\n", tool, what, usage);
	return 2;
}
