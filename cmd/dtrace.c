// SPDX-License-Identifier: MIT
/*
 * dtrace.c - the `dtrace` command, with DTrace's options: programs from -n, -s (and
 * #!/usr/sbin/dtrace -s scripts), -P/-m/-f; -l lists probes; -q, -o, -x, -w, -Z, -e, -v;
 * -F indents entries and returns; -S prints the BPF; -h writes a C header for the providers
 * of -s files; -C with -D/-I/-U runs the C preprocessor; -c starts a command and -p follows
 * a process ($target), tracing ends when it exits; $1..$n are the operands. Ctrl-C ends
 * tracing, runs END and prints the aggregations. -a and -G are refused with one line each.
 * lib/dt does the work; this file parses and prints once.
 */
#include <basalt/base.h>
#include <basalt/dt.h>

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tools.h"

enum { SRC_SCRIPT, SRC_SPEC };

struct source {
	int kind;
	char *name; /* the file or the -n text */
	char *text;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dtrace [-CeFhqSvwZ] [-c cmd] [-D name[=def]] [-I path] [-o output] [-p pid]\n"
		"\t[-U name] [-x opt[=val]] [-n probe-desc [program]] [-s script] [-P provider]\n"
		"\t[-m module] [-f function] [-l] [args ...]\n");
}

/* The C preprocessor over text, with the -D/-I/-U options in cppargs. */
static int preprocess(char **text, char **cppargs, int ncpp)
{
	int in[2], out[2];
	pid_t pid;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int status;

	if (pipe(in) < 0 || pipe(out) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char **argv = bs_zalloc(sizeof(char *) * (size_t)(ncpp + 4));
		char name[] = "cpp", plain[] = "-P";
		int n = 0;

		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		argv[n++] = name;
		argv[n++] = plain;
		for (int i = 0; i < ncpp; i++)
			argv[n++] = cppargs[i];
		execvp("cpp", argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* the preprocessor's output may be larger than a pipe: write from a child */
	if (fork() == 0) {
		close(out[0]);
		bs_write_full(in[1], *text, strlen(*text));
		_exit(0);
	}
	close(in[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = bs_realloc(buf, cap);
		}
		r = read(out[0], buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(out[0]);
	while (wait(&status) > 0)
		;
	if (!buf)
		buf = bs_zalloc(1);
	buf[len] = 0;
	free(*text);
	*text = buf;
	return 0;
}

/* The program's entry point (AT_ENTRY) of a process, from its auxiliary vector; 0 if unknown. */
static uint64_t entry_point(pid_t pid)
{
	_cleanup_free_ char *path = bs_asprintf("/proc/%d/auxv", (int)pid), *buf = NULL;
	size_t len = 0;
	uint64_t av[2];

	if (bs_read_file(path, &buf, &len) < 0)
		return 0;
	for (size_t off = 0; off + sizeof(av) <= len; off += sizeof(av)) {
		memcpy(av, buf + off, sizeof(av));
		if (av[0] == AT_ENTRY)
			return av[1];
		if (av[0] == AT_NULL)
			break;
	}
	return 0;
}

/*
 * Let a command held after its exec run to its program's entry point, where the dynamic
 * loader has mapped its libraries, so that pid$target names their functions too; it stays held
 * there. A breakpoint is put on the entry's first byte and taken out again, and the program
 * counter set back to it. 0, or -errno (the command is then held where it was, or gone).
 */
static int run_to_entry(pid_t pid)
{
	uint64_t entry = entry_point(pid);
	struct user_regs_struct regs;
	long orig, trap;
	int status;

	if (!entry)
		return -ENOENT;
	errno = 0;
	orig = ptrace(PTRACE_PEEKTEXT, pid, (void *)entry, NULL);
	if (errno)
		return -errno;
	trap = (long)(((unsigned long)orig & ~0xfful) | 0xcc);
	if (ptrace(PTRACE_POKETEXT, pid, (void *)entry, (void *)trap) < 0)
		return -errno;
	for (int sig = 0;;) {
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig) < 0 ||
		    waitpid(pid, &status, 0) != pid)
			return -ECHILD;
		if (!WIFSTOPPED(status))
			return -ECHILD;
		if (WSTOPSIG(status) == SIGTRAP)
			break;
		sig = WSTOPSIG(status); /* another signal: the command gets it */
	}
	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0 ||
	    ptrace(PTRACE_POKETEXT, pid, (void *)entry, (void *)orig) < 0)
		return -errno;
	if (regs.rip != entry + 1)
		return -EPROTO;
	regs.rip = entry;
	return ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0 ? -errno : 0;
}

/* Start cmd stopped just after its exec (ptrace), so that the pid provider sees its binary;
 * it runs when released with PTRACE_DETACH once the probes are enabled. */
static pid_t start_command(const char *cmd)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* as DTrace does, the command is split at blanks and executed itself, so that
		 * $target is its pid */
		char *copy = bs_strdup(cmd), *save = NULL, *w;
		char *args[256];
		int n = 0;

		for (w = strtok_r(copy, " \t", &save); w && n < 255;
		     w = strtok_r(NULL, " \t", &save))
			args[n++] = w;
		args[n] = NULL;
		if (n == 0)
			_exit(127);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			raise(SIGSTOP);
		execvp(args[0], args);
		fprintf(stderr, "dtrace: failed to execute %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		waitpid(pid, &status, WNOHANG);
		return -ECHILD;
	}
	/* traced: on to where its libraries are mapped (a command that could not be traced
	 * stopped itself, and is released as it is) */
	if (WSTOPSIG(status) == SIGTRAP && run_to_entry(pid) < 0 &&
	    waitpid(pid, &status, WNOHANG) == pid)
		return -ECHILD;
	return pid;
}

/* -h: a header per -s file, to -o or to the script's name with .h for .d */
static int headers(struct source *src, int nsrc, const char *ofile)
{
	for (int i = 0; i < nsrc; i++) {
		_cleanup_free_ char *name = NULL;
		struct dt_diag diag;
		const char *base;
		FILE *f;
		size_t len;
		int r;

		if (src[i].kind != SRC_SCRIPT) {
			fprintf(stderr,
				"dtrace: -h requires a provider definition given with -s\n");
			return 1;
		}
		len = strlen(src[i].name);
		name = ofile ? bs_strdup(ofile) :
		       len > 2 && streq(src[i].name + len - 2, ".d") ?
			       bs_asprintf("%.*s.h", (int)(len - 2), src[i].name) :
			       bs_asprintf("%s.h", src[i].name);
		base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		f = fopen(name, "we");
		if (!f) {
			fprintf(stderr, "dtrace: failed to open header file '%s': %s\n", name,
				strerror(errno));
			return 1;
		}
		r = dt_header_write(src[i].text, base, f, &diag);
		if (fclose(f) != 0 && r == 0)
			r = -errno;
		if (r < 0) {
			unlink(name);
			if (diag.tag[0])
				fprintf(stderr,
					"dtrace: failed to compile script %s: [%s] line %d: %s\n",
					src[i].name, diag.tag, diag.line, diag.msg);
			else
				fprintf(stderr, "dtrace: failed to write %s: %s\n", name,
					strerror(-r));
			return 1;
		}
	}
	return 0;
}

static bool process_gone(pid_t pid, bool child, int *status)
{
	if (child)
		return waitpid(pid, status, WNOHANG) == pid;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

int tool_dtrace_main(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'H' },
						  { NULL, 0, NULL, 0 } };
	struct dt_options opts;
	struct source src[64];
	int nsrc = 0, ncpp = 0, c, r, status = 0, list_field = -1;
	bool held = false;
	char *cppargs[64];
	const char *ofile = NULL, *command = NULL, *list_desc = NULL;
	bool list = false, cpp = false, exec = true, quiet_flag = false, header = false;
	pid_t target = 0;
	_cleanup_free_ char *all = NULL;
	struct dt_program *prog = NULL;
	struct dt_diag diag;
	FILE *out = stdout;
	int ret = 1, margc = 0;
	char **margv = NULL;
	uint64_t pidarg;

	dt_options_init(&opts);
	/* DTrace's test suites set this to get output without CPU numbers and probe ids */
	opts.testing = getenv("_DTRACE_TESTING") != NULL;
	while ((c = getopt_long(argc, argv, "+n:s:P:m:f:lqc:p:o:x:wZeCD:I:U:vhFSaG", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
		case 'P':
		case 'm':
		case 'f':
		case 's':
			if (nsrc == (int)ARRAY_SIZE(src)) {
				fprintf(stderr, "dtrace: too many programs\n");
				return 2;
			}
			src[nsrc].kind = c == 's' ? SRC_SCRIPT : SRC_SPEC;
			src[nsrc].name = optarg;
			if (c == 's') {
				size_t len;

				if (bs_read_file(optarg, &src[nsrc].text, &len) < 0) {
					fprintf(stderr, "dtrace: failed to open %s: %s\n", optarg,
						strerror(errno ? errno : ENOENT));
					return 1;
				}
			} else if (c == 'n') {
				src[nsrc].text = bs_strdup(optarg);
			} else {
				src[nsrc].text = bs_asprintf(c == 'P' ? "%s:::" :
							     c == 'm' ? ":%s::" :
									"::%s:",
							     optarg);
				if (list) {
					list_desc = optarg;
					list_field = c == 'P' ? 0 : c == 'm' ? 1 : 2;
				}
			}
			if (c == 'n' && list)
				list_desc = optarg;
			nsrc++;
			break;
		case 'l':
			list = true;
			break;
		case 'q':
			quiet_flag = true;
			opts.quiet = true;
			break;
		case 'c':
			command = optarg;
			break;
		case 'p':
			if (bs_parse_u64(optarg, &pidarg) < 0 || pidarg == 0 ||
			    pidarg > INT32_MAX || kill((pid_t)pidarg, 0) < 0) {
				fprintf(stderr, "dtrace: failed to grab pid %s: %s\n", optarg,
					"No such process");
				return 1;
			}
			target = (pid_t)pidarg;
			break;
		case 'o':
			ofile = optarg;
			break;
		case 'x': {
			_cleanup_free_ char *name = bs_strdup(optarg);
			char *eq = strchr(name, '=');

			if (eq)
				*eq++ = 0;
			if (dt_options_set(&opts, name, eq) < 0) {
				fprintf(stderr,
					"dtrace: failed to set -x %s: Invalid option name or "
					"value\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'w':
			opts.destructive = true;
			break;
		case 'Z':
			opts.zdefs = true;
			break;
		case 'e':
			exec = false;
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'C':
			cpp = true;
			break;
		case 'D':
		case 'I':
		case 'U':
			if (ncpp < (int)ARRAY_SIZE(cppargs))
				cppargs[ncpp++] = bs_asprintf("-%c%s", c, optarg);
			break;
		case 'h':
			header = true;
			break;
		case 'F':
			opts.flowindent = true;
			break;
		case 'S':
			opts.listing = stderr;
			break;
		case 'a':
			fprintf(stderr,
				"dtrace: -a is not supported: there is no anonymous tracing "
				"state to claim (the kernel keeps no enablings across boots)\n");
			return 2;
		case 'G':
			fprintf(stderr, "dtrace: -G is not supported: no ELF object is needed, the "
					"probes of a header from -h are sys/sdt.h notes\n");
			return 2;
		case 'H':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (list && list_desc && nsrc == 1 && src[0].kind == SRC_SPEC && !strchr(list_desc, '$') &&
	    !bs_startswith(list_desc, "pid")) {
		r = dt_probes_list(stdout, list_desc, list_field);
		if (r < 0)
			fprintf(stderr, "dtrace: %s\n", bs_strerror(r));
		return r < 0 ? 1 : 0;
	}
	if (list && nsrc == 0)
		return dt_probes_list(stdout, NULL, -1) < 0 ? 1 : 0;
	if (nsrc == 0) {
		usage(stderr);
		return 2;
	}
	if (header) {
		ret = headers(src, nsrc, ofile);
		goto out;
	}
	/* $0 is the script's name, $1.. the operands */
	margc = argc - optind + 1;
	margv = bs_zalloc(sizeof(char *) * (size_t)(margc + 1));

	margv[0] = src[0].name;
	for (int i = optind; i < argc; i++)
		margv[i - optind + 1] = argv[i];
	if (command) {
		target = start_command(command);
		held = target > 0;
		if (target < 0) {
			fprintf(stderr, "dtrace: failed to execute %s: %s\n", command,
				strerror((int)-target));
			goto out;
		}
	}
	for (int i = 0; i < nsrc; i++) {
		if (cpp && (r = preprocess(&src[i].text, cppargs, ncpp)) < 0) {
			fprintf(stderr, "dtrace: failed to preprocess %s: %s\n", src[i].name,
				strerror(-r));
			goto out;
		}
		/* each source alone first, so that an error names its source */
		r = dt_program_compile(src[i].text, src[i].kind == SRC_SPEC, &opts, margc, margv,
				       (int)target, &diag, &prog);
		if (r < 0) {
			if (src[i].kind == SRC_SCRIPT)
				fprintf(stderr,
					"dtrace: failed to compile script %s: [%s] line %d: "
					"%s\n",
					src[i].name, diag.tag, diag.line, diag.msg);
			else
				fprintf(stderr,
					"dtrace: invalid probe specifier %s: [%s] line %d: "
					"%s\n",
					src[i].name, diag.tag, diag.line, diag.msg);
			goto out;
		}
		if (!quiet_flag && !list && exec)
			fprintf(stderr, "dtrace: %s '%s' matched %u probe%s\n",
				src[i].kind == SRC_SCRIPT ? "script" : "description", src[i].name,
				dt_program_matches(prog), dt_program_matches(prog) == 1 ? "" : "s");
		dt_program_free(prog);
		prog = NULL;
		/* a -n without a body gets the default action */
		char *piece = src[i].kind == SRC_SPEC && !strchr(src[i].text, '{') ?
				      bs_asprintf("%s\n{}\n", src[i].text) :
				      bs_asprintf("%s\n", src[i].text);
		char *joined = bs_asprintf("%s%s", all ? all : "", piece);

		free(piece);
		free(all);
		all = joined;
	}
	r = dt_program_compile(all, nsrc == 1 && src[0].kind == SRC_SPEC, &opts, margc, margv,
			       (int)target, &diag, &prog);
	if (r < 0) {
		fprintf(stderr, "dtrace: failed to compile the programs: [%s] line %d: %s\n",
			diag.tag, diag.line, diag.msg);
		goto out;
	}
	if (list) {
		dt_program_list(prog, stdout);
		ret = 0;
		goto out;
	}
	if (!exec) {
		ret = 0;
		if (opts.listing && (r = dt_program_listing(prog, stderr)) < 0) {
			fprintf(stderr, "dtrace: %s\n", bs_strerror(r));
			ret = 1;
		}
		goto out;
	}
	if (dt_program_matches(prog) == 0) {
		fprintf(stderr, "dtrace: no probes specified\n");
		goto out;
	}
	if (ofile) {
		out = fopen(ofile, "a");
		if (!out) {
			fprintf(stderr, "dtrace: failed to open output file '%s': %s\n", ofile,
				strerror(errno));
			out = stdout;
			goto out;
		}
	}
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	r = dt_program_enable(prog, out);
	if (r < 0) {
		fprintf(stderr, "dtrace: could not enable tracing: %s\n", bs_strerror(r));
		goto out;
	}
	if (dt_program_options(prog)->destructive && !quiet_flag)
		fprintf(stderr, "dtrace: allowing destructive actions\n");
	if (held) {
		/* whether it stopped in ptrace or with SIGSTOP, this lets it run */
		ptrace(PTRACE_DETACH, target, NULL, NULL);
		kill(target, SIGCONT);
		held = false;
	}
	while (!interrupted) {
		r = dt_program_work(prog);
		if (r < 0) {
			fprintf(stderr, "dtrace: processing aborted: %s\n", bs_strerror(r));
			break;
		}
		if (r == 1)
			break;
		if (target && process_gone(target, command != NULL, &status)) {
			if (!quiet_flag && command)
				fprintf(stderr, "dtrace: pid %d has exited\n", (int)target);
			break;
		}
	}
	r = dt_program_stop(prog, true);
	if (r < 0) {
		fprintf(stderr, "dtrace: %s\n", bs_strerror(r));
		goto out;
	}
	ret = dt_program_exit_status(prog);
out:
	if (held)
		ptrace(PTRACE_DETACH, target, NULL, NULL);
	if (command && target > 0) {
		if (!process_gone(target, true, &status)) {
			kill(target, SIGTERM);
			waitpid(target, &status, 0);
		}
	}
	if (out != stdout)
		fclose(out);
	dt_program_free(prog);
	for (int i = 0; i < nsrc; i++)
		free(src[i].text);
	for (int i = 0; i < ncpp; i++)
		free(cppargs[i]);
	free(margv);
	return ret;
}
