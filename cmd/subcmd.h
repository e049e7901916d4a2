/* SPDX-License-Identifier: MIT */
/*
 * subcmd.h - the subcommand machinery `zfs` and `zpool` share: a table of subcommands with their
 * usage, the context a subcommand runs in, its one-line messages (failures exit 1, usage errors
 * exit 2 with the usage on the same line), the pool history, the dispatch inside the pool daemon
 * and the help that the user's process answers itself. Everything is parameterised by the tool's
 * name, which prefixes every message and usage line.
 */
#ifndef BASALT_CMD_SUBCMD_H
#define BASALT_CMD_SUBCMD_H

#include <basalt/base.h>

#include <stddef.h>

#include "client.h"
#include "format.h"

struct subcmd_ctx;

struct subcmd {
	const char *name;
	const char *alias; /* another name it answers to, or NULL */
	int (*run)(struct subcmd_ctx *z, int argc, char **argv);
	const char *usage; /* after "TOOL ", one line per form; a leading space continues a form */
};

/* A tool made of subcommands. */
struct subcmd_tool {
	const char *name; /* "zfs": prefixes messages and usage; the manual is docs/NAME.md */
	const struct subcmd *cmds;
	size_t ncmds;
};

/* One command being run: where it prints, and the line as typed for the history. */
struct subcmd_ctx {
	const struct subcmd_tool *tool;
	struct cmd_io *io;
	const struct subcmd *cmd;
	const char *line;
};

/* "TOOL: message" on the command's stderr; returns 1, the exit status of a failure. */
_printf_(2, 3) int subcmd_fail(struct subcmd_ctx *z, const char *fmt, ...);
/* subcmd_fail() with the message of the engine's error r (negative errno). */
int subcmd_fail_engine(struct subcmd_ctx *z, int r);
/* A usage error: what is wrong and the usage, on one line; returns 2. */
_printf_(2, 3) int subcmd_usage_error(struct subcmd_ctx *z, const char *fmt, ...);
/* The usage error for what cmd_args_next() returned c ('?' or ':') for. */
int subcmd_bad_option(struct subcmd_ctx *z, int c, const struct cmd_args *a);
/* Check the number of a's operands: missing holds, in order, the message for each operand that
 * must be there (NULL-terminated), and max is how many there may be. Returns 0, or the exit
 * status of the usage error it printed: the message of the first one missing, or "too many
 * arguments". */
int subcmd_check_operands(struct subcmd_ctx *z, const struct cmd_args *a,
			  const char *const missing[], int max);
/* Start reading the options of a command that takes only flags: the flag at the index of each
 * option letter in letters is set (a NULL flag accepts the option and ignores it); flags may be
 * NULL when letters is empty. Then a holds the operands; the caller frees it with
 * cmd_args_free() in any case. Returns 0, or the exit status of the usage error it printed. */
int subcmd_parse_flags(struct subcmd_ctx *z, struct cmd_args *a, int argc, char **argv,
		       const char *letters, bool *const flags[]);
/* Record the command line in the history of pool; a failure is only logged. */
void subcmd_log_history(struct subcmd_ctx *z, const char *pool);
/* The end of a step that changed pool: the engine's error r (negative errno) reported as a
 * failure (returns 1), or else the change recorded in the pool's history (returns 0). */
int subcmd_changed(struct subcmd_ctx *z, int r, const char *pool);

/* Run `TOOL ARGS` inside the pool daemon for a client; argv[0] is the tool's name. Returns the
 * exit status. */
int subcmd_run(const struct subcmd_tool *t, struct cmd_io *io, int argc, char **argv);
/* `TOOL ARGS` in the user's process: answer --help and help here, send the rest to the daemon.
 * Returns the exit status. */
int subcmd_main(const struct subcmd_tool *t, int argc, char **argv);

#endif
