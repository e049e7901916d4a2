// SPDX-License-Identifier: MIT
/*
 * subcmd.c - the subcommand machinery of `zfs` and `zpool` (subcmd.h): messages, usage, history,
 * dispatch and help, written once for both tools with the tool's name as a parameter, so that
 * the two report errors and print usage in exactly the same way, as OpenZFS's commands do.
 */
#include <basalt/base.h>
#include <basalt/stor.h>

#include <stdarg.h>

#include "subcmd.h"

_printf_(2, 0) static void vprint_message(struct subcmd_ctx *z, const char *fmt, va_list ap)
{
	fprintf(z->io->err, "%s: ", z->tool->name);
	vfprintf(z->io->err, fmt, ap);
}

int subcmd_fail(struct subcmd_ctx *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_message(z, fmt, ap);
	va_end(ap);
	fputc('\n', z->io->err);
	return 1;
}

int subcmd_fail_engine(struct subcmd_ctx *z, int r)
{
	return subcmd_fail(z, "%s", bs_strerror(r));
}

static void print_usage(FILE *f, const struct subcmd_tool *t, const struct subcmd *c)
{
	/* continuation lines line up under the first word after "usage: TOOL " */
	int indent = (int)(strlen("usage: ") + strlen(t->name));
	const char *u = c->usage;

	for (bool first = true; *u; first = false) {
		size_t n = strcspn(u, "\n");

		if (*u == ' ')
			fprintf(f, "%*s%.*s\n", indent, "", (int)n, u);
		else
			fprintf(f, "%s %s %.*s\n", first ? "usage:" : "      ", t->name, (int)n, u);
		u += n;
		if (*u)
			u++;
	}
}

/* The first form of a command's usage on one line, its continuation lines joined to it. */
static void print_short_usage(FILE *f, const struct subcmd_tool *t, const char *u)
{
	size_t n = strcspn(u, "\n");

	fprintf(f, "%s %.*s", t->name, (int)n, u);
	for (u += n; *u == '\n' && u[1] == ' ';) {
		u++;
		n = strcspn(u, "\n");
		fprintf(f, "%.*s", (int)n, u);
		u += n;
	}
}

int subcmd_usage_error(struct subcmd_ctx *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_message(z, fmt, ap);
	va_end(ap);
	fputs("; usage: ", z->io->err);
	print_short_usage(z->io->err, z->tool, z->cmd->usage);
	fputc('\n', z->io->err);
	return 2;
}

int subcmd_bad_option(struct subcmd_ctx *z, int c, const struct cmd_args *a)
{
	if (a->badlong)
		return subcmd_usage_error(
			z, c == ':' ? "option '--%s' needs an argument" : "invalid option '--%s'",
			a->badlong);
	if (c == ':')
		return subcmd_usage_error(z, "option '-%c' needs an argument", a->opt);
	return subcmd_usage_error(z, "invalid option '-%c'", a->opt);
}

int subcmd_check_operands(struct subcmd_ctx *z, const struct cmd_args *a,
			  const char *const missing[], int max)
{
	for (int i = 0; missing[i]; i++)
		if (a->noperands <= i)
			return subcmd_usage_error(z, "%s", missing[i]);
	if (a->noperands > max)
		return subcmd_usage_error(z, "too many arguments");
	return 0;
}

int subcmd_parse_flags(struct subcmd_ctx *z, struct cmd_args *a, int argc, char **argv,
		       const char *letters, bool *const flags[])
{
	int c;

	cmd_args_init(a, argc, argv);
	while ((c = cmd_args_next(a, letters, NULL)) != -1) {
		/* cmd_args_next() returns only the letters asked for, or '?' or ':' */
		const char *l = c != '?' && c != ':' ? strchr(letters, c) : NULL;

		if (!l || !c)
			return subcmd_bad_option(z, c, a);
		if (flags[l - letters])
			*flags[l - letters] = true;
	}
	return 0;
}

void subcmd_log_history(struct subcmd_ctx *z, const char *pool)
{
	if (stor_pool_history_log(pool, z->line) < 0)
		log_warn("cannot log '%s' to the history of %s: %s", z->line, pool, bs_error_msg());
}

int subcmd_changed(struct subcmd_ctx *z, int r, const char *pool)
{
	if (r < 0)
		return subcmd_fail_engine(z, r);
	subcmd_log_history(z, pool);
	return 0;
}

/* ---- dispatch and help ---- */

static const struct subcmd *find_subcmd(const struct subcmd_tool *t, const char *name)
{
	for (size_t i = 0; i < t->ncmds; i++)
		if (streq(t->cmds[i].name, name) ||
		    (t->cmds[i].alias && streq(t->cmds[i].alias, name)))
			return &t->cmds[i];
	return NULL;
}

static void full_usage(FILE *f, const struct subcmd_tool *t)
{
	fprintf(f, "usage: %s command [args...]\nwhere 'command' is one of the following:\n\n",
		t->name);
	for (size_t i = 0; i < t->ncmds; i++) {
		const char *u = t->cmds[i].usage;

		while (*u) {
			size_t n = strcspn(u, "\n");

			fprintf(f, "\t%s%.*s\n", *u == ' ' ? "    " : "", (int)n, u);
			u += n;
			if (*u)
				u++;
		}
	}
	fprintf(f, "\nEach command's usage: %s COMMAND --help. Manual: docs/%s.md.\n", t->name,
		t->name);
}

static void unknown_command(FILE *f, const struct subcmd_tool *t, const char *name)
{
	fprintf(f, "%s: unknown command '%s'; run '%s --help'\n", t->name, name, t->name);
}

int subcmd_run(const struct subcmd_tool *t, struct cmd_io *io, int argc, char **argv)
{
	_cleanup_free_ char *line = cmd_line(argc, argv);
	struct subcmd_ctx z = { .tool = t, .io = io, .line = line };

	if (argc < 2) {
		full_usage(io->err, t);
		return 2;
	}
	z.cmd = find_subcmd(t, argv[1]);
	if (!z.cmd) {
		unknown_command(io->err, t, argv[1]);
		return 2;
	}
	return z.cmd->run(&z, argc - 1, argv + 1);
}

int subcmd_main(const struct subcmd_tool *t, int argc, char **argv)
{
	const struct subcmd *c;

	if (argc < 2) {
		full_usage(stderr, t);
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "-?") ||
	    streq(argv[1], "help")) {
		c = argc > 2 && streq(argv[1], "help") ? find_subcmd(t, argv[2]) : NULL;
		if (c)
			print_usage(stdout, t, c);
		else
			full_usage(stdout, t);
		return 0;
	}
	c = find_subcmd(t, argv[1]);
	if (!c) {
		unknown_command(stderr, t, argv[1]);
		return 2;
	}
	for (int i = 2; i < argc && !streq(argv[i], "--"); i++) {
		if (streq(argv[i], "--help") || streq(argv[i], "-?")) {
			print_usage(stdout, t, c);
			return 0;
		}
	}
	argv[0] = (char *)t->name;
	return zfsd_client_run(argc, argv);
}
