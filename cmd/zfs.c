// SPDX-License-Identifier: MIT
/*
 * zfs.c - the `zfs` command: datasets, snapshots, clones, properties, mounts, holds, diff and
 * send/receive, with the syntax and output of OpenZFS so that operators' scripts keep working.
 * tool_zfs_main() runs in the user's process: it answers --help itself and forwards everything
 * else to the pool daemon, which runs zfs_command() in a thread with the user's stdio. The
 * engine (stor.h) does the work and says precisely what went wrong; this file parses, calls,
 * prints, and records what changed in the pool's history.
 */
#include <basalt/base.h>
#include <basalt/json.h>
#include <basalt/stor.h>

#include <ctype.h>

#include "client.h"
#include "format.h"
#include "subcmd.h"
#include "tools.h"

/* ---- history ---- */

/* The pool that holds a dataset or snapshot name; caller frees. */
static char *pool_of(const char *name)
{
	char *pool = bs_strdup(name);

	pool[strcspn(pool, "/@#")] = '\0';
	return pool;
}

/* Record a change in the history of the pool that holds name. */
static void log_history(struct subcmd_ctx *z, const char *name)
{
	_cleanup_free_ char *pool = pool_of(name);

	subcmd_log_history(z, pool);
}

/* The end of a change to name: the engine's error r, or the change recorded in the history. */
static int changed(struct subcmd_ctx *z, int r, const char *name)
{
	_cleanup_free_ char *pool = pool_of(name);

	return subcmd_changed(z, r, pool);
}

/* ---- values from the engine's listings ---- */

static const char *json_text(json_t *v, char *buf, size_t size)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, size, "%.2f", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "on";
	case JSON_FALSE:
		return "off";
	default:
		return "-";
	}
}

/* A property entry {value, raw, source}: the text to print, and the text to sort by. */
static const char *prop_text(json_t *p, bool parsable, char *buf, size_t size)
{
	json_t *v = NULL;

	if (!json_is_object(p))
		return json_text(p, buf, size);
	if (parsable)
		v = json_object_get(p, "raw");
	if (!v)
		v = json_object_get(p, "value");
	return json_text(v, buf, size);
}

static const char *prop_raw(json_t *p, char *buf, size_t size)
{
	json_t *v = json_is_object(p) ? json_object_get(p, "raw") : NULL;

	if (!v)
		return prop_text(p, false, buf, size);
	return json_text(v, buf, size);
}

static const char *prop_source(json_t *p)
{
	const char *s = json_is_object(p) ? json_string_value(json_object_get(p, "source")) : NULL;

	return s && *s ? s : "-";
}

/* A dataset's property by (canonical) name, with name and type taken from the entry itself
 * when the engine does not list them as properties. Returns a new reference or NULL. */
static json_t *ds_prop(json_t *ds, json_t *props, const char *prop)
{
	json_t *p = json_object_get(props, prop);

	if (p)
		return json_incref(p);
	if (streq(prop, "name") || streq(prop, "type")) {
		json_t *v = json_object_get(ds, prop);

		if (v)
			return json_pack("{sOsOss}", "value", v, "raw", v, "source", "-");
	}
	return NULL;
}

/* Split a comma-separated list into canonical dataset property names. */
static int split_props(struct subcmd_ctx *z, const char *list, char ***ret, int *ret_n,
		       bool allow_all)
{
	_cleanup_free_ char *copy = bs_strdup(list);
	char **v = NULL, *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *name = fmt_zfs_prop_canonical(tok);

		if (!(allow_all && streq(name, "all")) && !fmt_zfs_prop_valid(name)) {
			for (int i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return subcmd_usage_error(z, "invalid property '%s'", tok);
		}
		v = bs_realloc(v, sizeof(char *) * (n + 2));
		v[n++] = bs_strdup(name);
		v[n] = NULL;
	}
	if (n == 0)
		return subcmd_usage_error(z, "empty property list");
	*ret = v;
	*ret_n = n;
	return 0;
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void strv_freep(char ***v)
{
	strv_free(*v);
	*v = NULL;
}
#define _cleanup_strv_ _cleanup_(strv_freep)

/* -d DEPTH of list and get: recursive, down to DEPTH levels. Returns 0, or the exit status of
 * the usage error it printed. */
static int parse_depth(struct subcmd_ctx *z, const char *arg, int *depth, bool *recursive)
{
	uint64_t d;

	if (bs_parse_u64(arg, &d) < 0 || d > INT32_MAX)
		return subcmd_usage_error(z, "invalid depth '%s'", arg);
	*depth = (int)d;
	*recursive = true;
	return 0;
}

/* Parse a -t list into a type mask. */
static int parse_types(const char *list, int *ret)
{
	_cleanup_free_ char *copy = bs_strdup(list);
	char *save = NULL, *tok;
	int mask = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (streq(tok, "filesystem") || streq(tok, "fs"))
			mask |= STOR_TYPE_FILESYSTEM;
		else if (streq(tok, "volume") || streq(tok, "vol"))
			mask |= STOR_TYPE_VOLUME;
		else if (streq(tok, "snapshot") || streq(tok, "snap"))
			mask |= STOR_TYPE_SNAPSHOT;
		else if (streq(tok, "bookmark"))
			mask |= STOR_TYPE_BOOKMARK;
		else if (streq(tok, "all"))
			mask |= STOR_TYPE_ALL;
		else
			return -EINVAL;
	}
	if (!mask)
		return -EINVAL;
	*ret = mask;
	return 0;
}

/* A new file system is mounted where its properties say, as `zfs create` and `zfs clone` do in
 * OpenZFS; canmount=off or noauto and mountpoint=none or legacy leave it unmounted. */
int zfs_mount_created(const char *name)
{
	json_t *props = NULL;
	const char *canmount, *mountpoint, *type;
	char buf[64];
	int r;

	r = stor_ds_get_props(name, &props);
	if (r < 0)
		return r;
	type = prop_text(json_object_get(props, "type"), false, buf, sizeof(buf));
	canmount = json_string_value(json_object_get(json_object_get(props, "canmount"), "value"));
	mountpoint =
		json_string_value(json_object_get(json_object_get(props, "mountpoint"), "value"));
	r = 0;
	if ((streq(type, "filesystem") || streq(type, "-")) &&
	    (!canmount || streq(canmount, "on")) && mountpoint && mountpoint[0] == '/') {
		r = stor_ds_mount(name);
		if (r == -EBUSY || r == -EALREADY)
			r = 0;
	}
	json_decref(props);
	return r;
}

static int mount_new(struct subcmd_ctx *z, const char *name)
{
	int r = zfs_mount_created(name);

	if (r < 0)
		return subcmd_fail(z, "%s created, but not mounted: %s", name, bs_strerror(r));
	return 0;
}

/* Collect "-o name=value" into a NULL-terminated vector. */
static int add_prop(struct subcmd_ctx *z, char ***props, int *n, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return subcmd_usage_error(z, "'%s' is not of the form property=value", arg);
	*props = bs_realloc(*props, sizeof(char *) * (*n + 2));
	(*props)[(*n)++] = bs_strdup(arg);
	(*props)[*n] = NULL;
	return 0;
}

/*
 * The options of zfs snapshot and zfs clone: one flag, opts[0] (-r, -p), and any number of
 * -o property=value.
 */
static int flag_and_props(struct subcmd_ctx *z, struct cmd_args *a, const char *opts, bool *flag,
			  char ***props, int *nprops)
{
	int c, r = 0;

	while ((c = cmd_args_next(a, opts, NULL)) != -1) {
		if (c == opts[0])
			*flag = true;
		else if (c == 'o')
			r = add_prop(z, props, nprops, a->arg);
		else
			r = subcmd_bad_option(z, c, a);
		if (r)
			return r;
	}
	return 0;
}

/* ---- create, destroy ---- */

static int zfs_create(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_strv_ char **props = NULL;
	struct cmd_args a;
	bool parents = false, sparse = false;
	uint64_t volsize = 0;
	int nprops = 0, c, r = 0;
	const char *name;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "po:V:sb:", NULL)) != -1) {
		switch (c) {
		case 'p':
			parents = true;
			break;
		case 's':
			sparse = true;
			break;
		case 'o':
			r = add_prop(z, &props, &nprops, a.arg);
			break;
		case 'b': {
			_cleanup_free_ char *p = bs_asprintf("volblocksize=%s", a.arg);

			r = add_prop(z, &props, &nprops, p);
			break;
		}
		case 'V':
			if (bs_size_parse(a.arg, &volsize) < 0 || volsize == 0)
				r = subcmd_usage_error(z, "bad volume size '%s'", a.arg);
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
		}
		if (r)
			goto out;
	}
	if (a.noperands != 1) {
		r = subcmd_usage_error(z,
				       a.noperands ? "too many arguments" : "missing dataset name");
		goto out;
	}
	if (sparse && !volsize) {
		r = subcmd_usage_error(z, "-s applies only to volumes (-V)");
		goto out;
	}
	if (sparse)
		r = add_prop(z, &props, &nprops, "refreservation=none");
	if (r)
		goto out;
	name = a.operands[0];
	r = changed(z,
		    stor_ds_create(name, volsize ? STOR_TYPE_VOLUME : STOR_TYPE_FILESYSTEM, volsize,
				   (const char *const *)props, parents),
		    name);
	if (r == 0 && !volsize)
		r = mount_new(z, name);
out:
	cmd_args_free(&a);
	return r;
}

static const char *json_name(json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	return json_string_value(json_object_get(v, "name"));
}

static int zfs_destroy(struct subcmd_ctx *z, int argc, char **argv)
{
	json_t *list = NULL, *v;
	struct cmd_args a;
	bool dryrun = false, verbose = false, parsable = false;
	int flags = 0, c, r = 0;
	const char *name;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "rRnvpf", NULL)) != -1) {
		switch (c) {
		case 'r':
			flags |= STOR_DESTROY_RECURSIVE;
			break;
		case 'R':
			flags |= STOR_DESTROY_RECURSIVE | STOR_DESTROY_DEPENDENTS;
			break;
		case 'n':
			dryrun = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'p':
			parsable = true;
			break;
		case 'f':
			break; /* unmounting is forced anyway: the file system is going away */
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (a.noperands != 1) {
		r = subcmd_usage_error(z,
				       a.noperands ? "too many arguments" : "missing dataset name");
		goto out;
	}
	name = a.operands[0];

	if (verbose || parsable || dryrun) {
		r = stor_ds_destroy(name, flags | STOR_DESTROY_DRYRUN, &list);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		json_array_foreach(list, i, v) {
			if (parsable)
				fprintf(z->io->out, "destroy\t%s\n", json_name(v));
			else if (verbose)
				fprintf(z->io->out, "%s destroy %s\n", dryrun ? "would" : "will",
					json_name(v));
		}
		json_decref(list);
		fflush(z->io->out);
		if (dryrun) {
			r = 0;
			goto out;
		}
	}
	r = changed(z, stor_ds_destroy(name, flags, NULL), name);
out:
	cmd_args_free(&a);
	return r;
}

/* ---- snapshots, clones ---- */

static int zfs_snapshot(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_strv_ char **props = NULL;
	struct cmd_args a;
	bool recursive = false;
	int nprops = 0, r;

	cmd_args_init(&a, argc, argv);
	r = flag_and_props(z, &a, "ro:", &recursive, &props, &nprops);
	if (r)
		goto out;
	if (a.noperands == 0) {
		r = subcmd_usage_error(z, "missing snapshot name");
		goto out;
	}
	for (int i = 0; i < a.noperands; i++) {
		const char *at = strchr(a.operands[i], '@');

		if (!at || at == a.operands[i] || !at[1]) {
			r = subcmd_usage_error(z, "'%s' is not a snapshot name (dataset@snapshot)",
					       a.operands[i]);
			goto out;
		}
	}
	r = changed(z,
		    stor_ds_snapshot((const char *const *)a.operands, a.noperands, recursive,
				     (const char *const *)props),
		    a.operands[0]);
out:
	cmd_args_free(&a);
	return r;
}

static int zfs_clone(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_strv_ char **props = NULL;
	struct cmd_args a;
	bool parents = false;
	int nprops = 0, r;

	cmd_args_init(&a, argc, argv);
	r = flag_and_props(z, &a, "po:", &parents, &props, &nprops);
	if (r)
		goto out;
	if (a.noperands != 2) {
		r = subcmd_usage_error(z, a.noperands < 2 ? "missing snapshot or target name" :
							    "too many arguments");
		goto out;
	}
	if (!strchr(a.operands[0], '@')) {
		r = subcmd_usage_error(z, "'%s' is not a snapshot name", a.operands[0]);
		goto out;
	}
	r = changed(
		z, stor_ds_clone(a.operands[0], a.operands[1], (const char *const *)props, parents),
		a.operands[1]);
	if (r == 0)
		r = mount_new(z, a.operands[1]);
out:
	cmd_args_free(&a);
	return r;
}

static int zfs_rollback(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	bool recursive = false;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "rRf",
			       (bool *const[]){ &recursive, &recursive, NULL });
	if (r)
		goto out;
	if (a.noperands != 1) {
		r = subcmd_usage_error(z, a.noperands ? "too many arguments" :
							"missing snapshot name");
		goto out;
	}
	if (!strchr(a.operands[0], '@')) {
		r = subcmd_usage_error(z, "'%s' is not a snapshot name", a.operands[0]);
		goto out;
	}
	r = changed(z, stor_ds_rollback(a.operands[0], recursive), a.operands[0]);
out:
	cmd_args_free(&a);
	return r;
}

/* Commands of the form `zfs VERB NAME` with no options. */
static int one_name(struct subcmd_ctx *z, int argc, char **argv, int nargs, struct cmd_args *a)
{
	int r;

	r = subcmd_parse_flags(z, a, argc, argv, "", NULL);
	if (r)
		return r;
	if (a->noperands != nargs)
		return subcmd_usage_error(z, a->noperands < nargs ? "missing dataset name" :
								    "too many arguments");
	return 0;
}

static int zfs_promote(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	int r;

	r = one_name(z, argc, argv, 1, &a);
	if (r == 0)
		r = changed(z, stor_ds_promote(a.operands[0]), a.operands[0]);
	cmd_args_free(&a);
	return r;
}

static int zfs_rename(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	int r;

	r = one_name(z, argc, argv, 2, &a);
	if (r == 0)
		r = changed(z, stor_ds_rename(a.operands[0], a.operands[1]), a.operands[1]);
	cmd_args_free(&a);
	return r;
}

/* ---- list, get, set, inherit ---- */

static int zfs_list(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_strv_ char **cols = NULL, **sortcols = NULL;
	_cleanup_free_ struct fmt_sortkey *keys = NULL;
	_cleanup_table_ struct fmt_table *t = NULL;
	json_t *list = NULL, *ds;
	struct cmd_args a;
	bool recursive = false, scripted = false, parsable = false, json = false, userprops = false;
	bool typed = false;
	int ncols = 0, nsort = 0, depth = -1, types = STOR_TYPE_FILESYSTEM | STOR_TYPE_VOLUME;
	int c, r = 0, col;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "rd:t:o:s:S:Hpj", cmd_json_longopts)) != -1) {
		switch (c) {
		case 'r':
			recursive = true;
			break;
		case 'd':
			r = parse_depth(z, a.arg, &depth, &recursive);
			if (r)
				goto out;
			break;
		case 't':
			if (parse_types(a.arg, &types) < 0) {
				r = subcmd_usage_error(z, "invalid type list '%s'", a.arg);
				goto out;
			}
			typed = true;
			break;
		case 'o':
			strv_free(cols);
			cols = NULL;
			r = split_props(z, a.arg, &cols, &ncols, false);
			if (r)
				goto out;
			break;
		case 's':
		case 'S': {
			const char *p = fmt_zfs_prop_canonical(a.arg);

			if (!fmt_zfs_prop_valid(p)) {
				r = subcmd_usage_error(z, "invalid sort property '%s'", a.arg);
				goto out;
			}
			sortcols = bs_realloc(sortcols, sizeof(char *) * (nsort + 2));
			sortcols[nsort] = bs_strdup(p);
			sortcols[nsort + 1] = NULL;
			keys = bs_realloc(keys, sizeof(*keys) * (nsort + 1));
			keys[nsort].descending = c == 'S';
			nsort++;
			break;
		}
		case 'H':
			scripted = true;
			break;
		case 'p':
			parsable = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (!cols) {
		r = split_props(z, "name,used,available,referenced,mountpoint", &cols, &ncols,
				false);
		if (r)
			goto out;
	}
	if (!typed) {
		for (int k = 0; k < a.noperands; k++)
			if (strchr(a.operands[k], '@'))
				types |= STOR_TYPE_SNAPSHOT;
	}
	if (a.noperands == 0) {
		recursive = true;
	} else if (typed && !recursive && !(types & (STOR_TYPE_FILESYSTEM | STOR_TYPE_VOLUME))) {
		/* `zfs list -t snapshot pool/fs`: the snapshots of pool/fs */
		recursive = true;
		depth = 1;
	}

	r = stor_ds_list(a.noperands ? (const char *const *)a.operands : NULL, recursive, depth,
			 types, &list);
	if (r < 0) {
		r = subcmd_fail_engine(z, r);
		goto out;
	}
	if (json) {
		r = bs_json_print(z->io->out, list) < 0 ? 1 : 0;
		goto out;
	}

	for (int k = 0; k < ncols; k++)
		if (strchr(cols[k], ':'))
			userprops = true;
	for (int k = 0; k < nsort; k++)
		if (strchr(sortcols[k], ':'))
			userprops = true;

	t = fmt_table_new(ncols + nsort);
	for (col = 0; col < ncols + nsort; col++) {
		const char *p = col < ncols ? cols[col] : sortcols[col - ncols];
		char hdr[64];

		fmt_table_header(t, col, fmt_prop_header(hdr, sizeof(hdr), p),
				 fmt_prop_is_numeric(p) ? FMT_RIGHT : FMT_LEFT);
		if (col >= ncols)
			fmt_table_hide(t, col);
	}
	for (int k = 0; k < nsort; k++)
		keys[k].col = ncols + k;

	json_array_foreach(list, i, ds) {
		json_t *props = json_object_get(ds, "props"), *all = NULL;
		int row = fmt_table_add_row(t);

		if (userprops &&
		    stor_ds_get_props(json_string_value(json_object_get(ds, "name")), &all) >= 0)
			props = all;
		for (col = 0; col < ncols + nsort; col++) {
			const char *p = col < ncols ? cols[col] : sortcols[col - ncols];
			json_t *v = ds_prop(ds, props, p);
			char b1[64], b2[64];

			fmt_table_set(t, row, col, prop_text(v, parsable, b1, sizeof(b1)),
				      prop_raw(v, b2, sizeof(b2)));
			json_decref(v);
		}
		json_decref(all);
	}
	fmt_table_sort(t, keys, nsort);
	if (fmt_table_rows(t) == 0 && a.noperands == 0) {
		fprintf(z->io->err, "no datasets available\n");
		r = 0;
		goto out;
	}
	r = fmt_table_print(z->io->out, t, scripted ? FMT_SCRIPTED : 0) < 0 ? 1 : 0;
out:
	json_decref(list);
	cmd_args_free(&a);
	return r;
}

/* Does a property's source pass `zfs get -s`? */
static bool source_matches(const char *filter, const char *source)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *tok;

	if (!filter)
		return true;
	copy = bs_strdup(filter);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (streq(tok, "inherited") && bs_startswith(source, "inherited"))
			return true;
		if (streq(tok, "none") && streq(source, "-"))
			return true;
		if (streq(tok, source))
			return true;
	}
	return false;
}

static bool valid_sources(const char *filter)
{
	static const char *const ok[] = { "local",     "default",  "inherited",
					  "temporary", "received", "none" };
	_cleanup_free_ char *copy = bs_strdup(filter);
	char *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(ok); i++)
			if (streq(ok[i], tok))
				break;
		if (i == ARRAY_SIZE(ok))
			return false;
	}
	return true;
}

enum get_field { F_NAME, F_PROPERTY, F_VALUE, F_RECEIVED, F_SOURCE };

static int parse_fields(const char *list, enum get_field *fields, int *ret_n)
{
	static const char *const names[] = { "name", "property", "value", "received", "source" };
	_cleanup_free_ char *copy = bs_strdup(list);
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (streq(names[i], tok))
				break;
		if (i == ARRAY_SIZE(names) || n == 5)
			return -EINVAL;
		fields[n++] = (enum get_field)i;
	}
	if (n == 0)
		return -EINVAL;
	*ret_n = n;
	return 0;
}

static void get_row(struct fmt_table *t, const enum get_field *fields, int nfields,
		    const char *dsname, const char *prop, json_t *v, bool parsable)
{
	int row = fmt_table_add_row(t);
	char buf[64];

	for (int f = 0; f < nfields; f++) {
		switch (fields[f]) {
		case F_NAME:
			fmt_table_set(t, row, f, dsname, NULL);
			break;
		case F_PROPERTY:
			fmt_table_set(t, row, f, prop, NULL);
			break;
		case F_VALUE:
			fmt_table_set(t, row, f, prop_text(v, parsable, buf, sizeof(buf)), NULL);
			break;
		case F_RECEIVED:
			fmt_table_set(t, row, f, "-", NULL);
			break;
		case F_SOURCE:
			fmt_table_set(t, row, f, v ? prop_source(v) : "-", NULL);
			break;
		}
	}
}

static int zfs_get(struct subcmd_ctx *z, int argc, char **argv)
{
	static const char *const field_headers[] = { "NAME", "PROPERTY", "VALUE", "RECEIVED",
						     "SOURCE" };
	enum get_field fields[5] = { F_NAME, F_PROPERTY, F_VALUE, F_SOURCE };
	_cleanup_strv_ char **props = NULL;
	_cleanup_table_ struct fmt_table *t = NULL;
	json_t *list = NULL, *ds, *out = NULL;
	const char *sources = NULL;
	struct cmd_args a;
	bool recursive = false, scripted = false, parsable = false, json = false, all = false;
	int nfields = 4, nprops = 0, depth = -1, types = STOR_TYPE_ALL, c, r = 0;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "rd:Hpo:s:t:j", cmd_json_longopts)) != -1) {
		switch (c) {
		case 'r':
			recursive = true;
			break;
		case 'd':
			r = parse_depth(z, a.arg, &depth, &recursive);
			if (r)
				goto out;
			break;
		case 'H':
			scripted = true;
			break;
		case 'p':
			parsable = true;
			break;
		case 'j':
			json = true;
			break;
		case 'o':
			if (parse_fields(a.arg, fields, &nfields) < 0) {
				r = subcmd_usage_error(
					z,
					"invalid field list '%s' (name, property, value, "
					"received, source)",
					a.arg);
				goto out;
			}
			break;
		case 's':
			if (!valid_sources(a.arg)) {
				r = subcmd_usage_error(z,
						       "invalid source list '%s' (local, default, "
						       "inherited, temporary, received, none)",
						       a.arg);
				goto out;
			}
			sources = a.arg;
			break;
		case 't':
			if (parse_types(a.arg, &types) < 0) {
				r = subcmd_usage_error(z, "invalid type list '%s'", a.arg);
				goto out;
			}
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (a.noperands < 1) {
		r = subcmd_usage_error(z, "missing property list");
		goto out;
	}
	r = split_props(z, a.operands[0], &props, &nprops, true);
	if (r)
		goto out;
	for (int k = 0; k < nprops; k++)
		if (streq(props[k], "all"))
			all = true;

	r = stor_ds_list(a.noperands > 1 ? (const char *const *)a.operands + 1 : NULL,
			 recursive || a.noperands == 1, depth, types, &list);
	if (r < 0) {
		r = subcmd_fail_engine(z, r);
		goto out;
	}

	t = fmt_table_new(nfields);
	for (int f = 0; f < nfields; f++)
		fmt_table_header(t, f, field_headers[fields[f]], FMT_LEFT);
	if (json)
		out = json_object();

	json_array_foreach(list, i, ds) {
		const char *name = json_string_value(json_object_get(ds, "name"));
		json_t *dsprops = NULL, *jds = NULL;
		const char *key;
		json_t *v;

		if (!name)
			continue;
		r = stor_ds_get_props(name, &dsprops);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		if (json) {
			jds = json_object();
			json_object_set_new(out, name, jds);
		}
		for (int k = 0; k < nprops; k++) {
			if (streq(props[k], "all")) {
				/* the type first, as OpenZFS lists it */
				json_t *tv = json_object_get(dsprops, "type") ?
						     NULL :
						     ds_prop(ds, dsprops, "type");

				if (tv && source_matches(sources, "-")) {
					get_row(t, fields, nfields, name, "type", tv, parsable);
					if (jds)
						json_object_set(jds, "type", tv);
				}
				json_decref(tv);
				json_object_foreach(dsprops, key, v) {
					if (!source_matches(sources, prop_source(v)))
						continue;
					get_row(t, fields, nfields, name, key, v, parsable);
					if (jds)
						json_object_set(jds, key, v);
				}
				continue;
			}
			v = ds_prop(ds, dsprops, props[k]);
			if (source_matches(sources, v ? prop_source(v) : "-")) {
				if (v || !all)
					get_row(t, fields, nfields, name, props[k], v, parsable);
				if (jds && v)
					json_object_set(jds, props[k], v);
			}
			json_decref(v);
		}
		json_decref(dsprops);
	}
	if (json)
		r = bs_json_print(z->io->out, out) < 0 ? 1 : 0;
	else
		r = fmt_table_print(z->io->out, t, scripted ? FMT_SCRIPTED : 0) < 0 ? 1 : 0;
out:
	json_decref(out);
	json_decref(list);
	cmd_args_free(&a);
	return r;
}

static int zfs_set(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	int r = 0, nprops = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "", NULL);
	if (r)
		goto out;
	while (nprops < a.noperands && strchr(a.operands[nprops], '='))
		nprops++;
	if (nprops == 0) {
		r = subcmd_usage_error(z,
				       a.noperands ? "'%s' is not of the form property=value" :
						     "missing property=value",
				       a.noperands ? a.operands[0] : "");
		goto out;
	}
	if (nprops == a.noperands) {
		r = subcmd_usage_error(z, "missing dataset name");
		goto out;
	}
	for (int k = 0; k < nprops; k++) {
		if (a.operands[k][0] == '=') {
			r = subcmd_usage_error(z, "missing property name in '%s'", a.operands[k]);
			goto out;
		}
	}
	for (int d = nprops; d < a.noperands; d++) {
		for (int k = 0; k < nprops; k++) {
			_cleanup_free_ char *prop = bs_strdup(a.operands[k]);
			char *value = strchr(prop, '=');

			*value++ = '\0';
			r = stor_ds_set_prop(a.operands[d], fmt_zfs_prop_canonical(prop), value);
			if (r < 0) {
				r = subcmd_fail_engine(z, r);
				goto out;
			}
		}
		log_history(z, a.operands[d]);
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

static int zfs_inherit(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	bool recursive = false;
	const char *prop;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "r", (bool *const[]){ &recursive });
	if (r)
		goto out;
	if (a.noperands < 2) {
		r = subcmd_usage_error(z, a.noperands ? "missing dataset name" :
							"missing property name");
		goto out;
	}
	prop = fmt_zfs_prop_canonical(a.operands[0]);
	if (!fmt_zfs_prop_valid(prop)) {
		r = subcmd_usage_error(z, "invalid property '%s'", a.operands[0]);
		goto out;
	}
	for (int d = 1; d < a.noperands; d++) {
		r = changed(z, stor_ds_inherit_prop(a.operands[d], prop, recursive), a.operands[d]);
		if (r)
			goto out;
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

/* ---- mounts ---- */

static int zfs_mount(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_table_ struct fmt_table *t = NULL;
	json_t *list = NULL, *m;
	struct cmd_args a;
	bool every = false;
	int r = 0;
	size_t i;

	r = subcmd_parse_flags(z, &a, argc, argv, "a", (bool *const[]){ &every });
	if (r)
		goto out;
	if (every) {
		if (a.noperands) {
			r = subcmd_usage_error(z, "-a takes no dataset name");
			goto out;
		}
		r = stor_mount_all();
		r = r < 0 ? subcmd_fail_engine(z, r) : 0;
		goto out;
	}
	if (a.noperands > 1) {
		r = subcmd_usage_error(z, "too many arguments");
		goto out;
	}
	if (a.noperands == 1) {
		r = stor_ds_mount(a.operands[0]);
		r = r < 0 ? subcmd_fail_engine(z, r) : 0;
		goto out;
	}

	r = stor_mount_list(&list);
	if (r < 0) {
		r = subcmd_fail_engine(z, r);
		goto out;
	}
	t = fmt_table_new(2);
	json_array_foreach(list, i, m) {
		int row = fmt_table_add_row(t);

		fmt_table_set(t, row, 0, json_string_value(json_object_get(m, "name")), NULL);
		fmt_table_set(t, row, 1, json_string_value(json_object_get(m, "mountpoint")), NULL);
	}
	r = fmt_table_print(z->io->out, t, FMT_NO_HEADER) < 0 ? 1 : 0;
out:
	json_decref(list);
	cmd_args_free(&a);
	return r;
}

static int mount_depth_cmp(const void *a, const void *b)
{
	const char *ma = json_string_value(json_object_get(*(json_t *const *)a, "mountpoint"));
	const char *mb = json_string_value(json_object_get(*(json_t *const *)b, "mountpoint"));

	return (int)strlen(mb ? mb : "") - (int)strlen(ma ? ma : "");
}

static int zfs_unmount(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_free_ json_t **v = NULL;
	json_t *list = NULL, *m;
	struct cmd_args a;
	bool force = false, every = false;
	const char *name;
	int r = 0;
	size_t i, n;

	r = subcmd_parse_flags(z, &a, argc, argv, "fa", (bool *const[]){ &force, &every });
	if (r)
		goto out;
	if (every ? a.noperands != 0 : a.noperands != 1) {
		r = subcmd_usage_error(z, every	      ? "-a takes no dataset name" :
					  a.noperands ? "too many arguments" :
							"missing dataset name or mountpoint");
		goto out;
	}
	r = stor_mount_list(&list);
	if (r < 0) {
		r = subcmd_fail_engine(z, r);
		goto out;
	}
	if (every) {
		n = json_array_size(list);
		v = bs_zalloc(sizeof(*v) * (n + 1));
		json_array_foreach(list, i, m)
			v[i] = m;
		qsort(v, n, sizeof(*v), mount_depth_cmp);
		for (i = 0; i < n; i++) {
			name = json_string_value(json_object_get(v[i], "name"));
			r = name ? stor_ds_unmount(name, force) : 0;
			if (r < 0) {
				r = subcmd_fail_engine(z, r);
				goto out;
			}
		}
		r = 0;
		goto out;
	}

	/* a mountpoint names the file system mounted there */
	name = a.operands[0];
	if (strchr(name, '/') && (name[0] == '/' || name[0] == '.')) {
		_cleanup_free_ char *path = cmd_abspath(z->io, name);
		_cleanup_free_ char *real = realpath(path, NULL);
		bool found = false;

		json_array_foreach(list, i, m) {
			const char *mp = json_string_value(json_object_get(m, "mountpoint"));

			if (mp && (streq(mp, path) || (real && streq(mp, real)))) {
				name = json_string_value(json_object_get(m, "name"));
				found = true;
				break;
			}
		}
		if (!found) {
			r = subcmd_fail(z, "cannot unmount '%s': not a mounted file system",
					a.operands[0]);
			goto out;
		}
	}
	r = stor_ds_unmount(name, force);
	r = r < 0 ? subcmd_fail_engine(z, r) : 0;
out:
	json_decref(list);
	cmd_args_free(&a);
	return r;
}

/* ---- send, receive ---- */

static int zfs_send(struct subcmd_ctx *z, int argc, char **argv)
{
	struct stor_send_opts opts = { 0 };
	_cleanup_free_ char *from = NULL;
	const char *fromarg = NULL, *snap;
	struct cmd_args a;
	int c, r = 0;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "i:I:Rt:", NULL)) != -1) {
		switch (c) {
		case 't':
			opts.resume_token = a.arg;
			break;
		case 'i':
		case 'I':
			if (fromarg) {
				r = subcmd_usage_error(z,
						       "only one of -i and -I may be given, once");
				goto out;
			}
			fromarg = a.arg;
			opts.intermediates = c == 'I';
			break;
		case 'R':
			opts.replicate = true;
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (opts.resume_token && (fromarg || opts.replicate || a.noperands)) {
		r = subcmd_usage_error(z, "-t takes no snapshot and no other option: the token "
					  "names what to send");
		goto out;
	}
	if (!opts.resume_token && a.noperands != 1) {
		r = subcmd_usage_error(z, a.noperands ? "too many arguments" :
							"missing snapshot name");
		goto out;
	}
	snap = opts.resume_token ? "" : a.operands[0];
	if (opts.resume_token)
		goto send;
	if (!strchr(snap, '@')) {
		r = subcmd_usage_error(z, "'%s' is not a snapshot name", snap);
		goto out;
	}
	if (fromarg) {
		/* "-i @a" and "-i a" name a snapshot of the same file system */
		if (fromarg[0] == '@' || !strpbrk(fromarg, "@#"))
			from = bs_asprintf("%.*s%s%s", (int)(strchr(snap, '@') - snap), snap,
					   fromarg[0] == '@' ? "" : "@", fromarg);
		else
			from = bs_strdup(fromarg);
		opts.from = from;
	}
send:
	if (isatty(z->io->out_fd)) {
		r = subcmd_fail(
			z, "refusing to write a stream to a terminal; redirect the output to a "
			   "file or a pipe");
		goto out;
	}
	fflush(z->io->out);
	r = stor_send(snap, &opts, z->io->out_fd);
	if (r == -EPIPE)
		r = 1; /* the reader went away: nothing useful to say to it */
	else if (r < 0)
		r = subcmd_fail_engine(z, r);
	else
		r = 0;
out:
	cmd_args_free(&a);
	return r;
}

static int zfs_receive(struct subcmd_ctx *z, int argc, char **argv)
{
	struct stor_recv_opts opts = { 0 };
	json_t *received = NULL, *v;
	bool abort_partial = false;
	struct cmd_args a;
	int c, r = 0;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "AFnsuv", NULL)) != -1) {
		switch (c) {
		case 'A':
			abort_partial = true;
			break;
		case 'F':
			opts.force = true;
			break;
		case 's':
			opts.resumable = true;
			break;
		case 'u':
			opts.nomount = true;
			break;
		case 'n':
			opts.dryrun = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (a.noperands != 1) {
		r = subcmd_usage_error(z,
				       a.noperands ? "too many arguments" : "missing target name");
		goto out;
	}
	if (abort_partial) {
		if (opts.force || opts.resumable || opts.nomount || opts.dryrun) {
			r = subcmd_usage_error(z, "-A takes no other option");
			goto out;
		}
		r = stor_recv_abort(a.operands[0]);
		if (r < 0)
			r = subcmd_fail_engine(z, r);
		else
			log_history(z, a.operands[0]);
		goto out;
	}
	if (isatty(z->io->in_fd)) {
		r = subcmd_fail(
			z, "refusing to read a stream from a terminal; redirect the input from a "
			   "file or a pipe");
		goto out;
	}
	r = stor_recv(a.operands[0], &opts, z->io->in_fd, &received);
	if (r < 0) {
		r = subcmd_fail_engine(z, r);
		goto out;
	}
	if (opts.verbose) {
		json_array_foreach(received, i, v)
			fprintf(z->io->out, "%s %s\n", opts.dryrun ? "would receive" : "received",
				json_name(v));
	}
	if (!opts.dryrun)
		log_history(z, a.operands[0]);
	r = 0;
out:
	json_decref(received);
	cmd_args_free(&a);
	return r;
}

/* ---- holds ---- */

static int hold_or_release(struct subcmd_ctx *z, int argc, char **argv, bool hold)
{
	struct cmd_args a;
	bool recursive = false;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "r", (bool *const[]){ &recursive });
	if (r)
		goto out;
	if (a.noperands < 2) {
		r = subcmd_usage_error(z, a.noperands ? "missing snapshot name" : "missing tag");
		goto out;
	}
	for (int k = 1; k < a.noperands; k++) {
		if (!strchr(a.operands[k], '@')) {
			r = subcmd_usage_error(z, "'%s' is not a snapshot name", a.operands[k]);
			goto out;
		}
	}
	for (int k = 1; k < a.noperands; k++) {
		r = hold ? stor_ds_hold(a.operands[k], a.operands[0], recursive) :
			   stor_ds_release(a.operands[k], a.operands[0], recursive);
		r = changed(z, r, a.operands[k]);
		if (r)
			goto out;
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

static int zfs_hold(struct subcmd_ctx *z, int argc, char **argv)
{
	return hold_or_release(z, argc, argv, true);
}

static int zfs_release(struct subcmd_ctx *z, int argc, char **argv)
{
	return hold_or_release(z, argc, argv, false);
}

static int zfs_holds(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_table_ struct fmt_table *t = fmt_table_new(3);
	struct cmd_args a;
	bool recursive = false, scripted = false, parsable = false;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "rHp",
			       (bool *const[]){ &recursive, &scripted, &parsable });
	if (r)
		goto out;
	if (a.noperands < 1) {
		r = subcmd_usage_error(z, "missing snapshot name");
		goto out;
	}
	fmt_table_header(t, 0, "NAME", FMT_LEFT);
	fmt_table_header(t, 1, "TAG", FMT_LEFT);
	fmt_table_header(t, 2, "TIMESTAMP", FMT_LEFT);
	for (int k = 0; k < a.noperands; k++) {
		json_t *list = NULL, *h;
		size_t i;

		r = stor_ds_holds(a.operands[k], recursive, &list);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		json_array_foreach(list, i, h) {
			json_t *ts = json_object_get(h, "timestamp");
			int row = fmt_table_add_row(t);
			char buf[FMT_BUF];

			fmt_table_set(t, row, 0, json_string_value(json_object_get(h, "name")),
				      NULL);
			fmt_table_set(t, row, 1, json_string_value(json_object_get(h, "tag")),
				      NULL);
			if (json_is_integer(ts) && !parsable)
				fmt_date(buf, (time_t)json_integer_value(ts));
			else
				json_text(ts, buf, sizeof(buf));
			fmt_table_set(t, row, 2, json_is_string(ts) ? json_string_value(ts) : buf,
				      NULL);
		}
		json_decref(list);
	}
	r = fmt_table_print(z->io->out, t, scripted ? FMT_SCRIPTED : 0) < 0 ? 1 : 0;
out:
	cmd_args_free(&a);
	return r;
}

/* ---- the table ---- */

/* A path as zfs diff prints it: bytes outside printable ASCII, spaces and backslashes as
 * backslash and four octal digits, so that every line splits on tabs and spaces. */
static void diff_path(FILE *out, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c > ' ' && c != '\\' && c < 0177)
			fputc(c, out);
		else
			fprintf(out, "\\%04o", c);
	}
}

static int zfs_diff(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_json_ json_t *list = NULL;
	bool classify = false, scripted = false, timestamped = false;
	struct cmd_args a;
	json_t *e;
	size_t i;
	int r;

	r = subcmd_parse_flags(z, &a, argc, argv, "FHt",
			       (bool *const[]){ &classify, &scripted, &timestamped });
	if (r)
		goto out;
	if (a.noperands < 1 || a.noperands > 2) {
		r = subcmd_usage_error(z, a.noperands ? "too many arguments" :
							"missing snapshot name");
		goto out;
	}
	r = stor_ds_diff(a.operands[0], a.noperands > 1 ? a.operands[1] : NULL, &list);
	if (r < 0) {
		r = subcmd_fail_engine(z, r);
		goto out;
	}
	json_array_foreach(list, i, e) {
		const char *change = json_string_value(json_object_get(e, "change"));
		const char *newpath = json_string_value(json_object_get(e, "newpath"));
		FILE *o = z->io->out;

		if (timestamped)
			fprintf(o, "%10lld.%09lld\t",
				(long long)json_integer_value(json_object_get(e, "ctime")),
				(long long)json_integer_value(json_object_get(e, "ctime_nsec")));
		fprintf(o, "%s\t", change);
		if (classify)
			fprintf(o, "%s\t", json_string_value(json_object_get(e, "type")));
		diff_path(o, json_string_value(json_object_get(e, "path")));
		if (newpath) {
			fputs(scripted ? "\t" : " -> ", o);
			diff_path(o, newpath);
		}
		fputc('\n', o);
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

static const struct subcmd subcmds[] = {
	{ "create", NULL, zfs_create,
	  "create [-p] [-o property=value]... filesystem\n"
	  "create [-ps] [-b blocksize] [-o property=value]... -V size volume" },
	{ "destroy", NULL, zfs_destroy, "destroy [-fnpRrv] filesystem|volume|snapshot" },
	{ "snapshot", "snap", zfs_snapshot,
	  "snapshot [-r] [-o property=value]... filesystem@snapname|volume@snapname..." },
	{ "rollback", NULL, zfs_rollback, "rollback [-rRf] snapshot" },
	{ "clone", NULL, zfs_clone,
	  "clone [-p] [-o property=value]... snapshot filesystem|volume" },
	{ "promote", NULL, zfs_promote, "promote clone-filesystem" },
	{ "rename", NULL, zfs_rename,
	  "rename filesystem|volume|snapshot filesystem|volume|snapshot" },
	{ "list", NULL, zfs_list,
	  "list [-Hpj] [-r|-d max] [-o property[,property]...] [-s property]... [-S property]...\n"
	  " [-t type[,type]...] [filesystem|volume|snapshot]..." },
	{ "set", NULL, zfs_set,
	  "set property=value [property=value]... filesystem|volume|snapshot..." },
	{ "get", NULL, zfs_get,
	  "get [-rHpj] [-d max] [-o field[,field]...] [-t type[,type]...] [-s source[,source]...]\n"
	  " all | property[,property]... [filesystem|volume|snapshot]..." },
	{ "inherit", NULL, zfs_inherit, "inherit [-r] property filesystem|volume|snapshot..." },
	{ "mount", NULL, zfs_mount, "mount\nmount -a | filesystem" },
	{ "unmount", "umount", zfs_unmount, "unmount [-f] -a | filesystem|mountpoint" },
	{ "send", NULL, zfs_send, "send [-R] [-i|-I snapshot] snapshot | send -t token" },
	{ "receive", "recv", zfs_receive,
	  "receive [-Fnsuv] filesystem|volume|snapshot | receive -A filesystem|volume" },
	{ "hold", NULL, zfs_hold, "hold [-r] tag snapshot..." },
	{ "release", NULL, zfs_release, "release [-r] tag snapshot..." },
	{ "holds", NULL, zfs_holds, "holds [-rHp] snapshot..." },
	{ "diff", NULL, zfs_diff, "diff [-FHt] snapshot [snapshot|filesystem]" },
};

static const struct subcmd_tool zfs_tool = {
	.name = "zfs",
	.cmds = subcmds,
	.ncmds = ARRAY_SIZE(subcmds),
};

int zfs_command(struct cmd_io *io, int argc, char **argv)
{
	return subcmd_run(&zfs_tool, io, argc, argv);
}

/* `zfs ...` in the user's process: help here, the rest in the daemon. */
int tool_zfs_main(int argc, char **argv)
{
	return subcmd_main(&zfs_tool, argc, argv);
}
