// SPDX-License-Identifier: MIT
/*
 * zonecli.c - the one-line failures and usage errors of the SmartOS-style commands, and the
 * dispatch of their subcommands.
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

int zonecli_dispatch(const struct zonecli_tool *t, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int r;

	if (!cmd)
		return zonecli_usage(t->name, "no command given", t->usage);
	if (streq(cmd, "help") || streq(cmd, "--help") || streq(cmd, "-h")) {
		printf("%s\n", t->usage);
		return 0;
	}
	if (t->prepare) {
		r = t->prepare(cmd);
		if (r)
			return r;
	}
	for (size_t i = 0; i < t->ncmds; i++)
		if (streq(cmd, t->cmds[i].name))
			return t->cmds[i].run(argc - 1, argv + 1);
	return zonecli_usage(t->name, "unknown command", t->usage);
}
