/* SPDX-License-Identifier: MIT */
/*
 * dt.h - Basalt's DTrace: D programs compiled to BPF instructions, loaded into the kernel and
 * consumed with DTrace's output formats. A program goes through dt_program_compile() (lexer,
 * parser, semantic checks; errors land in a diagnostics record with a D_* tag), then
 * dt_program_enable() (code generation, maps, loading, attachment), then dt_program_work() until
 * it is done, and dt_program_stop() (END clauses, the final aggregation printout).
 */
#ifndef BASALT_DT_H
#define BASALT_DT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct dt_program;

/* A compile error as DTrace reports it: "[D_TAG] line N: message". */
struct dt_diag {
	char tag[32];
	int line;
	char msg[512];
};

/* Options the command sets (the -x names, -q, -w, -Z) before compiling. */
struct dt_options {
	bool quiet;
	bool destructive; /* -w */
	bool zdefs;	  /* -Z: clauses matching no probe are allowed */
	bool verbose;	  /* -v: the raw verifier log on a rejection */
	bool testing;	  /* no CPU and ID columns: output that tests can compare */
	bool flowindent;  /* -F: entry and return lines indented by call depth */
	FILE *listing;	  /* -S: the BPF of each attachment is printed there */
	uint64_t strsize;
	uint64_t bufsize;
	uint64_t switchrate_ns;
	uint64_t aggrate_ns;
	uint64_t dynvarsize;
	int aggsortkey, aggsortrev, aggsortpos;
};

void dt_options_init(struct dt_options *o);
/* Set an option by its -x name ("quiet", "strsize=512"); -EINVAL for an unknown name. */
int dt_options_set(struct dt_options *o, const char *name, const char *value);

/* Compile source (a script, or -n text when probe_spec). argv holds the macro arguments
 * $1..$n (argv[0] is $0); target is $target (0 when none). On a D error, fills diag and returns
 * -EINVAL. */
int dt_program_compile(const char *source, bool probe_spec, const struct dt_options *opts, int argc,
		       char **argv, int target, struct dt_diag *diag, struct dt_program **ret_prog);
void dt_program_free(struct dt_program *p);

/* The number of probes the program's clauses match. */
unsigned dt_program_matches(const struct dt_program *p);
/* The options after the script's pragmas. */
const struct dt_options *dt_program_options(const struct dt_program *p);

/* -S with -e: generate the BPF of each attachment and print it to out, loading nothing. */
int dt_program_listing(struct dt_program *p, FILE *out);

/* Generate, load and attach; BEGIN runs here. Output goes to out. */
int dt_program_enable(struct dt_program *p, FILE *out);
/* Consume what the probes produced, waiting up to the switch rate. Returns 1 when the program
 * asked to exit (exit() action), 0 otherwise, negative errno on failure. */
int dt_program_work(struct dt_program *p);
/* The exit status exit() was given. */
int dt_program_exit_status(const struct dt_program *p);
/* Detach the probes, run END, drain, print the aggregations not printed yet. */
int dt_program_stop(struct dt_program *p, bool print_aggs);

/* List the probes that match a description (NULL: all) to out as `dtrace -l` does. */
int dt_probes_list(FILE *out, const char *desc, int field);

/* List the probes a compiled program's clauses match, as `dtrace -l` does. */
int dt_program_list(const struct dt_program *p, FILE *out);

/* `dtrace -h`: write a C header for the providers defined in src (provider NAME { probe
 * NAME(types); ... };), its include guard made from guard. A syntax error fills diag and
 * returns -EINVAL. */
int dt_header_write(const char *src, const char *guard, FILE *out, struct dt_diag *diag);

/* Mount tracefs at /sys/kernel/tracing when it is not mounted. */
int dt_tracefs_mount(void);

#endif
