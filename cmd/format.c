// SPDX-License-Identifier: MIT
/*
 * format.c - option parsing and column output shared by `zfs` and `zpool`. Both commands run
 * inside the pool daemon, several at once, so nothing here keeps state outside the objects it is
 * given. Tables follow the layout of the OpenZFS commands that operators read every day: each
 * column as wide as its widest cell, two spaces between columns, text left-aligned, numbers
 * right-aligned, the last column unpadded; -H prints one tab between fields and no header.
 */
#include <basalt/base.h>

#include <ctype.h>
#include <strings.h>

#include "format.h"

/* ---- options ---- */

const struct cmd_longopt cmd_json_longopts[] = {
	{ "json", 'j', false },
	{ NULL, 0, false },
};

void cmd_args_init(struct cmd_args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->argc = argc;
	a->argv = argv;
	a->idx = 1;
	a->operands = bs_zalloc(sizeof(char *) * (argc + 1));
}

void cmd_args_free(struct cmd_args *a)
{
	free(a->operands);
	a->operands = NULL;
	a->noperands = 0;
}

static int next_long(struct cmd_args *a, const char *word, const struct cmd_longopt *longs)
{
	const char *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);

	for (const struct cmd_longopt *l = longs; l && l->name; l++) {
		if (strlen(l->name) != len || strncmp(l->name, word, len) != 0)
			continue;
		a->arg = NULL;
		if (l->has_arg) {
			if (eq) {
				a->arg = eq + 1;
			} else if (a->idx < a->argc) {
				a->arg = a->argv[a->idx++];
			} else {
				a->badlong = l->name;
				return ':';
			}
		} else if (eq) {
			a->badlong = l->name;
			return '?';
		}
		return l->val;
	}
	a->badlong = word;
	return '?';
}

int cmd_args_next(struct cmd_args *a, const char *optstring, const struct cmd_longopt *longs)
{
	const char *word, *spec;
	int c;

	a->arg = NULL;
	a->opt = 0;
	a->badlong = NULL;

	if (a->pos == 0) {
		for (;;) {
			if (a->idx >= a->argc)
				return -1;
			word = a->argv[a->idx];
			if (streq(word, "--")) {
				for (a->idx++; a->idx < a->argc; a->idx++)
					a->operands[a->noperands++] = a->argv[a->idx];
				return -1;
			}
			if (word[0] == '-' && word[1] == '-') {
				a->idx++;
				return next_long(a, word + 2, longs);
			}
			if (word[0] == '-' && word[1] != '\0')
				break;
			a->operands[a->noperands++] = a->argv[a->idx++];
		}
		a->pos = 1;
	}

	word = a->argv[a->idx];
	c = (unsigned char)word[a->pos++];
	spec = c != ':' ? strchr(optstring, c) : NULL;
	if (!spec) {
		a->opt = c;
		if (word[a->pos] == '\0') {
			a->idx++;
			a->pos = 0;
		}
		return '?';
	}
	if (spec[1] == ':') {
		if (word[a->pos] != '\0') {
			a->arg = word + a->pos;
			a->idx++;
		} else if (a->idx + 1 < a->argc) {
			a->arg = a->argv[a->idx + 1];
			a->idx += 2;
		} else {
			a->opt = c;
			a->idx++;
			a->pos = 0;
			return ':';
		}
		a->pos = 0;
		return c;
	}
	if (word[a->pos] == '\0') {
		a->idx++;
		a->pos = 0;
	}
	return c;
}

/* ---- tables ---- */

struct fmt_cell {
	char *text;
	char *raw;
};

struct fmt_table {
	int ncols;
	char **headers;
	enum fmt_align *align;
	bool *hidden;
	int nrows, cap;
	struct fmt_cell **rows; /* rows[r][c] */
	int *order;		/* print order, an index into rows */
};

struct fmt_table *fmt_table_new(int ncols)
{
	struct fmt_table *t = bs_zalloc(sizeof(*t));

	ASSERT(ncols > 0);
	t->ncols = ncols;
	t->headers = bs_zalloc(sizeof(char *) * ncols);
	t->align = bs_zalloc(sizeof(enum fmt_align) * ncols);
	t->hidden = bs_zalloc(sizeof(bool) * ncols);
	return t;
}

void fmt_table_free(struct fmt_table *t)
{
	if (!t)
		return;
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			free(t->rows[r][c].text);
			free(t->rows[r][c].raw);
		}
		free(t->rows[r]);
	}
	for (int c = 0; c < t->ncols; c++)
		free(t->headers[c]);
	free(t->headers);
	free(t->align);
	free(t->hidden);
	free(t->rows);
	free(t->order);
	free(t);
}

void fmt_table_freep(struct fmt_table **t)
{
	fmt_table_free(*t);
	*t = NULL;
}

void fmt_table_header(struct fmt_table *t, int col, const char *header, enum fmt_align align)
{
	ASSERT(col >= 0 && col < t->ncols);
	free(t->headers[col]);
	t->headers[col] = bs_strdup(header);
	t->align[col] = align;
}

void fmt_table_hide(struct fmt_table *t, int col)
{
	ASSERT(col >= 0 && col < t->ncols);
	t->hidden[col] = true;
}

int fmt_table_add_row(struct fmt_table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = bs_realloc(t->rows, sizeof(*t->rows) * t->cap);
		t->order = bs_realloc(t->order, sizeof(*t->order) * t->cap);
	}
	t->rows[t->nrows] = bs_zalloc(sizeof(struct fmt_cell) * t->ncols);
	for (int c = 0; c < t->ncols; c++)
		t->rows[t->nrows][c].text = bs_strdup("-");
	t->order[t->nrows] = t->nrows;
	return t->nrows++;
}

void fmt_table_set(struct fmt_table *t, int row, int col, const char *text, const char *raw)
{
	struct fmt_cell *cell;

	ASSERT(row >= 0 && row < t->nrows && col >= 0 && col < t->ncols);
	cell = &t->rows[row][col];
	free(cell->text);
	free(cell->raw);
	cell->text = bs_strdup(text ? text : "-");
	cell->raw = raw ? bs_strdup(raw) : NULL;
}

int fmt_table_rows(const struct fmt_table *t)
{
	return t->nrows;
}

const char *fmt_table_cell(const struct fmt_table *t, int row, int col)
{
	ASSERT(row >= 0 && row < t->nrows && col >= 0 && col < t->ncols);
	return t->rows[t->order[row]][col].text;
}

/* A cell's value as a number, if all of it is one ("1024", "1.50", "12%", "1.00x"). */
static bool cell_number(const char *s, double *ret)
{
	char *end;
	double v;

	if (!s || !*s || !(isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '.'))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno)
		return false;
	if (*end == '%' || *end == 'x')
		end++;
	if (*end)
		return false;
	*ret = v;
	return true;
}

static int cell_compare(const struct fmt_cell *a, const struct fmt_cell *b)
{
	const char *sa = a->raw ? a->raw : a->text;
	const char *sb = b->raw ? b->raw : b->text;
	double na, nb;
	bool ha = cell_number(sa, &na), hb = cell_number(sb, &nb);

	if (ha && hb)
		return na < nb ? -1 : na > nb ? 1 : 0;
	/* numbers before text such as "-" or "none" */
	if (ha != hb)
		return ha ? -1 : 1;
	return strcmp(sa, sb);
}

static int row_compare(const struct fmt_table *t, int ra, int rb, const struct fmt_sortkey *keys,
		       int nkeys)
{
	for (int k = 0; k < nkeys; k++) {
		int d = cell_compare(&t->rows[ra][keys[k].col], &t->rows[rb][keys[k].col]);

		if (d)
			return keys[k].descending ? -d : d;
	}
	return 0;
}

/* A merge sort of the order array: stable, as -s/-S promise. */
static void merge_sort(const struct fmt_table *t, int *v, int *tmp, int n,
		       const struct fmt_sortkey *keys, int nkeys)
{
	int mid = n / 2, i = 0, j, k = 0;

	if (n < 2)
		return;
	merge_sort(t, v, tmp, mid, keys, nkeys);
	merge_sort(t, v + mid, tmp, n - mid, keys, nkeys);
	j = mid;
	while (i < mid && j < n) {
		if (row_compare(t, v[j], v[i], keys, nkeys) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, sizeof(int) * n);
}

void fmt_table_sort(struct fmt_table *t, const struct fmt_sortkey *keys, int nkeys)
{
	_cleanup_free_ int *tmp = NULL;

	if (t->nrows < 2 || nkeys == 0)
		return;
	for (int k = 0; k < nkeys; k++)
		ASSERT(keys[k].col >= 0 && keys[k].col < t->ncols);
	tmp = bs_malloc(sizeof(int) * t->nrows);
	merge_sort(t, t->order, tmp, t->nrows, keys, nkeys);
}

/* Display width of UTF-8 text: count the bytes that start a character. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void put_padded(FILE *f, const char *s, size_t width, enum fmt_align align, bool last)
{
	size_t w = text_width(s), pad = width > w ? width - w : 0;

	if (align == FMT_RIGHT)
		fprintf(f, "%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, f);
	else
		fprintf(f, "%s%*s", s, (int)pad, "");
}

int fmt_table_print(FILE *f, const struct fmt_table *t, int flags)
{
	_cleanup_free_ size_t *width = bs_zalloc(sizeof(size_t) * t->ncols);
	bool header = !(flags & (FMT_SCRIPTED | FMT_NO_HEADER));
	int last = -1;

	for (int c = 0; c < t->ncols; c++) {
		if (t->hidden[c])
			continue;
		last = c;
		if (header && t->headers[c])
			width[c] = text_width(t->headers[c]);
		for (int r = 0; r < t->nrows; r++)
			width[c] = MAX(width[c], text_width(t->rows[r][c].text));
	}
	for (int r = header ? -1 : 0; r < t->nrows; r++) {
		bool first = true;

		for (int c = 0; c < t->ncols; c++) {
			const char *s = r < 0 ? t->headers[c] : fmt_table_cell(t, r, c);

			if (t->hidden[c])
				continue;
			if (!s)
				s = "";
			if (flags & FMT_SCRIPTED) {
				fprintf(f, "%s%s", first ? "" : "\t", s);
			} else {
				if (!first)
					fputs("  ", f);
				put_padded(f, s, width[c], t->align[c], c == last);
			}
			first = false;
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

/* ---- values ---- */

char *fmt_size(char buf[FMT_BUF], uint64_t n, bool parsable)
{
	char tmp[BS_SIZE_BUF];

	if (parsable)
		snprintf(buf, FMT_BUF, "%llu", (unsigned long long)n);
	else
		snprintf(buf, FMT_BUF, "%s", bs_size_format(tmp, n));
	return buf;
}

char *fmt_date(char buf[FMT_BUF], time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, FMT_BUF, "%a %b %e %H:%M %Y", &tm))
		snprintf(buf, FMT_BUF, "%lld", (long long)t);
	return buf;
}

char *fmt_history_time(char buf[FMT_BUF], time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, FMT_BUF, "%Y-%m-%d.%H:%M:%S", &tm))
		snprintf(buf, FMT_BUF, "%lld", (long long)t);
	return buf;
}

/* ---- properties ---- */

static const struct {
	const char *prop, *header;
} prop_headers[] = {
	/* datasets */
	{ "available", "AVAIL" },
	{ "referenced", "REFER" },
	{ "compressratio", "RATIO" },
	{ "refcompressratio", "REFRATIO" },
	{ "compression", "COMPRESS" },
	{ "recordsize", "RECSIZE" },
	{ "reservation", "RESERV" },
	{ "refreservation", "REFRESERV" },
	{ "usedbysnapshots", "USEDSNAP" },
	{ "usedbydataset", "USEDDS" },
	{ "usedbychildren", "USEDCHILD" },
	{ "usedbyrefreservation", "USEDREFRESERV" },
	{ "logicalused", "LUSED" },
	{ "logicalreferenced", "LREFER" },
	{ "volblocksize", "VOLBLOCK" },
	{ "filesystem_limit", "FSLIMIT" },
	{ "snapshot_limit", "SSLIMIT" },
	{ "filesystem_count", "FSCOUNT" },
	{ "snapshot_count", "SSCOUNT" },
	{ "readonly", "RDONLY" },
	/* pools */
	{ "allocated", "ALLOC" },
	{ "capacity", "CAP" },
	{ "checkpoint", "CKPOINT" },
	{ "expandsize", "EXPANDSZ" },
	{ "fragmentation", "FRAG" },
	{ "dedupratio", "DEDUP" },
};

char *fmt_prop_header(char *buf, size_t size, const char *prop)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prop_headers); i++) {
		if (streq(prop_headers[i].prop, prop)) {
			snprintf(buf, size, "%s", prop_headers[i].header);
			return buf;
		}
	}
	for (i = 0; prop[i] && i + 1 < size; i++)
		buf[i] = (char)toupper((unsigned char)prop[i]);
	buf[i] = '\0';
	return buf;
}

static const char *const numeric_props[] = {
	"used", "available", "referenced", "compressratio", "refcompressratio", "quota", "refquota",
	"reservation", "refreservation", "volsize", "volblocksize", "recordsize", "usedbysnapshots",
	"usedbydataset", "usedbychildren", "usedbyrefreservation", "logicalused",
	"logicalreferenced", "written", "userrefs", "createtxg", "filesystem_count",
	"snapshot_count", "filesystem_limit", "snapshot_limit", "copies",
	/* pools, by full and by short name */
	"size", "allocated", "alloc", "free", "freeing", "leaked", "checkpoint", "ckpoint",
	"expandsize", "expandsz", "fragmentation", "frag", "capacity", "cap", "dedupratio", "dedup"
};

bool fmt_prop_is_numeric(const char *prop)
{
	for (size_t i = 0; i < ARRAY_SIZE(numeric_props); i++)
		if (streq(numeric_props[i], prop))
			return true;
	return false;
}

static const struct {
	const char *alias, *prop;
} zfs_aliases[] = {
	{ "avail", "available" },	   { "refer", "referenced" },
	{ "ratio", "compressratio" },	   { "refratio", "refcompressratio" },
	{ "compress", "compression" },	   { "recsize", "recordsize" },
	{ "reserv", "reservation" },	   { "refreserv", "refreservation" },
	{ "usedsnap", "usedbysnapshots" }, { "usedds", "usedbydataset" },
	{ "usedchild", "usedbychildren" }, { "usedrefreserv", "usedbyrefreservation" },
	{ "lused", "logicalused" },	   { "lrefer", "logicalreferenced" },
	{ "volblock", "volblocksize" },	   { "fslimit", "filesystem_limit" },
	{ "sslimit", "snapshot_limit" },   { "fscount", "filesystem_count" },
	{ "sscount", "snapshot_count" },   { "rdonly", "readonly" },
};

const char *fmt_zfs_prop_canonical(const char *prop)
{
	for (size_t i = 0; i < ARRAY_SIZE(zfs_aliases); i++)
		if (streq(zfs_aliases[i].alias, prop))
			return zfs_aliases[i].prop;
	return prop;
}

static const char *const zfs_native_props[] = { "name",
						"type",
						"creation",
						"used",
						"available",
						"referenced",
						"compressratio",
						"refcompressratio",
						"mounted",
						"origin",
						"clones",
						"quota",
						"refquota",
						"reservation",
						"refreservation",
						"recordsize",
						"mountpoint",
						"sharenfs",
						"sharesmb",
						"checksum",
						"compression",
						"atime",
						"relatime",
						"devices",
						"exec",
						"setuid",
						"readonly",
						"zoned",
						"snapdir",
						"aclmode",
						"aclinherit",
						"acltype",
						"createtxg",
						"canmount",
						"xattr",
						"copies",
						"version",
						"utf8only",
						"normalization",
						"casesensitivity",
						"vscan",
						"nbmand",
						"guid",
						"primarycache",
						"secondarycache",
						"usedbysnapshots",
						"usedbydataset",
						"usedbychildren",
						"usedbyrefreservation",
						"logbias",
						"objsetid",
						"dedup",
						"mlslabel",
						"sync",
						"dnodesize",
						"written",
						"logicalused",
						"logicalreferenced",
						"volmode",
						"volsize",
						"volblocksize",
						"filesystem_limit",
						"snapshot_limit",
						"filesystem_count",
						"snapshot_count",
						"snapdev",
						"context",
						"fscontext",
						"defcontext",
						"rootcontext",
						"redundant_metadata",
						"overlay",
						"encryption",
						"keylocation",
						"keyformat",
						"pbkdf2iters",
						"encryptionroot",
						"keystatus",
						"special_small_blocks",
						"userrefs",
						"defer_destroy",
						"receive_resume_token",
						"prefetch" };

bool fmt_zfs_prop_valid(const char *prop)
{
	const char *colon = strchr(prop, ':');

	/* user properties: module:name, the module part non-empty */
	if (colon)
		return colon != prop;
	prop = fmt_zfs_prop_canonical(prop);
	for (size_t i = 0; i < ARRAY_SIZE(zfs_native_props); i++)
		if (streq(zfs_native_props[i], prop))
			return true;
	return false;
}
