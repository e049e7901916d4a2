// SPDX-License-Identifier: MIT
/*
 * basalt.c - the entry point of the multi-call binary. `basalt zfs list` and a link named `zfs`
 * pointing to `basalt` run the same tool, so operators keep SmartOS's command names while one
 * binary carries them all.
 */
#include <basalt/base.h>

#include "tools.h"

static void usage(FILE *f)
{
	size_t width = 0;

	fprintf(f, "usage: basalt TOOL [ARGS...]\n"
		   "       basalt --help | --version\n"
		   "\n"
		   "A link named after a tool runs that tool: `zfs list` is `basalt zfs list`.\n"
		   "\n"
		   "tools:\n");
	for (size_t i = 0; i < basalt_tools_count; i++)
		width = MAX(width, strlen(basalt_tools[i].name));
	for (size_t i = 0; i < basalt_tools_count; i++)
		fprintf(f, "  %-*s  %s\n", (int)width, basalt_tools[i].name,
			basalt_tools[i].summary);
}

static int run_tool(const struct tool *t, int argc, char **argv)
{
	int r;

	bs_log_init(t->name);
	r = t->main(argc, argv);
	if (fflush(stdout) != 0 && r == 0) {
		fprintf(stderr, "%s: cannot write the output: %s\n", t->name, strerror(errno));
		r = 1;
	}
	return r;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? argv[0] : "basalt";
	const char *base = strrchr(self, '/');
	const struct tool *t;

	base = base ? base + 1 : self;
	bs_log_init("basalt");

	/* called through a link named after a tool */
	t = tool_find(base);
	if (t)
		return run_tool(t, argc, argv);

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (streq(argv[1], "--version") || streq(argv[1], "-V")) {
		printf("basalt %s\n", BASALT_VERSION);
		return 0;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "basalt: unknown option '%s'; run 'basalt --help'\n", argv[1]);
		return 2;
	}
	t = tool_find(argv[1]);
	if (!t) {
		fprintf(stderr, "basalt: unknown command '%s'; run 'basalt --help'\n", argv[1]);
		return 2;
	}
	return run_tool(t, argc - 1, argv + 1);
}
