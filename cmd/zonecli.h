/* SPDX-License-Identifier: MIT */
/*
 * zonecli.h - what the SmartOS-style commands (zonecfg, zoneadm, zlogin, zonememstat, imgadm,
 * vmadm) share: how they end, with one line on stderr prefixed with the command's name and the
 * exit status that goes with it, and the dispatch of `TOOL SUBCOMMAND ARGS...` to a table.
 */
#ifndef BASALT_CMD_ZONECLI_H
#define BASALT_CMD_ZONECLI_H

#include <stddef.h>

/* "TOOL: <the library's message for r>"; returns 1. */
int zonecli_fail(const char *tool, int r);
/* "TOOL: WHAT; USAGE"; returns 2. */
int zonecli_usage(const char *tool, const char *what, const char *usage);

/* Defines the file's static fail(r) and usage_error(what): zonecli_fail() and zonecli_usage()
 * for the command TOOL whose usage line is USAGE. */
#define ZONECLI_DEFINE_ERRORS(tool, usage)                                                         \
	static int fail(int r)                                                                     \
	{                                                                                          \
		return zonecli_fail(tool, r);                                                      \
	}                                                                                          \
                                                                                                   \
	static int usage_error(const char *what)                                                   \
	{                                                                                          \
		return zonecli_usage(tool, what, usage);                                           \
	}

/* A subcommand: run gets the arguments from the subcommand's own name (argv[0]) on. */
struct zonecli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
};

/* A command made of subcommands. */
struct zonecli_tool {
	const char *name;
	const char *usage;
	const struct zonecli_cmd *cmds;
	size_t ncmds;
	/* Called before any subcommand but help runs (unknown ones included), with its name:
	 * returns 0 to go on or the exit status to end with; NULL for none. */
	int (*prepare)(const char *cmd);
};

/* `TOOL SUBCOMMAND ARGS...`: help, --help and -h print the usage on stdout; no subcommand or an
 * unknown one is a usage error; else the subcommand runs. Returns the exit status. */
int zonecli_dispatch(const struct zonecli_tool *t, int argc, char **argv);

#endif
