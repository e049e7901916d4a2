/* SPDX-License-Identifier: MIT */
/*
 * format.h - what `zfs` and `zpool` share to read their command lines and print their answers:
 * a re-entrant option parser (commands run concurrently in threads of the pool daemon, so the
 * global state of getopt(3) is out), column tables laid out as OpenZFS lays them out (widths from
 * content, names left, sizes right, -H tab-separated, -p exact, sorted by -s/-S), property
 * headers and aliases, sizes, percentages and dates.
 */
#ifndef BASALT_CMD_FORMAT_H
#define BASALT_CMD_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* ---- options ---- */
struct cmd_longopt {
	const char *name; /* without the leading "--" */
	int val;	  /* returned as if it were a short option */
	bool has_arg;
};

/*
 * Parse options as GNU getopt does, without its globals: clustered flags ("-rH"), arguments
 * attached or separate ("-oname" "-o name"), "--" ending the options, and operands anywhere
 * (`zfs destroy pool/fs -r`). argv[0] is the command's name and is skipped.
 */
struct cmd_args {
	int argc;
	char **argv;
	int idx;	     /* next argv element to look at */
	int pos;	     /* position inside a cluster of short options, 0 if none */
	const char *arg;     /* the argument of the option just returned */
	int opt;	     /* the option character that was bad, for the error message */
	const char *badlong; /* the long option that was bad */
	char **operands;     /* the non-option arguments, in order, NULL-terminated */
	int noperands;
};

void cmd_args_init(struct cmd_args *a, int argc, char **argv);
/* The next option: its character; -1 when done (operands then complete); '?' for an unknown
 * option, ':' for a missing argument (a->opt or a->badlong say which). */
int cmd_args_next(struct cmd_args *a, const char *optstring, const struct cmd_longopt *longs);
void cmd_args_free(struct cmd_args *a);

/* The long options of a command whose only one is --json (-j). */
extern const struct cmd_longopt cmd_json_longopts[];

/* ---- tables ---- */
enum fmt_align { FMT_LEFT, FMT_RIGHT };

struct fmt_table;

struct fmt_table *fmt_table_new(int ncols);
void fmt_table_free(struct fmt_table *t);
void fmt_table_freep(struct fmt_table **t);
#define _cleanup_table_ __attribute__((cleanup(fmt_table_freep)))

void fmt_table_header(struct fmt_table *t, int col, const char *header, enum fmt_align align);
/* A column that sorts but does not print (zfs list -o name -s used). */
void fmt_table_hide(struct fmt_table *t, int col);
/* Append a row; returns its index. Cells start as "-". */
int fmt_table_add_row(struct fmt_table *t);
/* Set a cell's text; raw (may be NULL) is what sorting compares, so that "1.50G" sorts after
 * "512M": numbers compare as numbers, anything else as text. */
void fmt_table_set(struct fmt_table *t, int row, int col, const char *text, const char *raw);
int fmt_table_rows(const struct fmt_table *t);
const char *fmt_table_cell(const struct fmt_table *t, int row, int col);

struct fmt_sortkey {
	int col;
	bool descending;
};
/* Stable sort by the keys in order; rows equal on every key keep their order. */
void fmt_table_sort(struct fmt_table *t, const struct fmt_sortkey *keys, int nkeys);

#define FMT_SCRIPTED 1	/* -H: no header, one tab between fields, no padding */
#define FMT_NO_HEADER 2 /* padded columns without the header line */
/* Print the table: columns two spaces apart, each as wide as its widest cell; the last column is
 * not padded. Returns 0 or -EIO. */
int fmt_table_print(FILE *f, const struct fmt_table *t, int flags);

/* ---- values ---- */
#define FMT_BUF 32
/* A size in bytes as zfs prints it ("1.50G"), or exact with parsable. Returns buf. */
char *fmt_size(char buf[FMT_BUF], uint64_t n, bool parsable);
/* An OpenZFS-style date: "Tue Jan  2 10:04 2024" (zfs get creation, zfs holds). */
char *fmt_date(char buf[FMT_BUF], time_t t);
/* A history timestamp: "2024-01-02.10:04:05". */
char *fmt_history_time(char buf[FMT_BUF], time_t t);

/* The column header of a property: its name upper-cased, or the short form OpenZFS uses
 * ("available" -> "AVAIL", "referenced" -> "REFER", "allocated" -> "ALLOC"). Returns buf. */
char *fmt_prop_header(char *buf, size_t size, const char *prop);
/* Does the property hold a number, so that its column is right-aligned? */
bool fmt_prop_is_numeric(const char *prop);
/* The full name of a dataset property given in a short form (avail, refer, ratio, ...), or
 * prop itself. */
const char *fmt_zfs_prop_canonical(const char *prop);
/* Is prop one of the native dataset properties, or a user property (module:name)? */
bool fmt_zfs_prop_valid(const char *prop);

#endif
