// SPDX-License-Identifier: MIT
/*
 * zpool.c - the `zpool` command: create, import, export and destroy pools, and show their space,
 * health, layout, scrubs and history, with the syntax and the output of OpenZFS. Like `zfs`, it
 * answers --help in the user's process and runs everything else in the pool daemon
 * (zpool_command()), where the pools are open.
 */
#include <basalt/base.h>
#include <basalt/json.h>
#include <basalt/stor.h>

#include <sys/stat.h>

#include "client.h"
#include "format.h"
#include "subcmd.h"
#include "tools.h"

/* ---- values ---- */

enum value_kind { V_TEXT, V_SIZE, V_PERCENT, V_RATIO, V_NUMBER };

static const char *number_text(uint64_t n, enum value_kind kind, bool parsable, char *buf,
			       size_t size)
{
	char sb[FMT_BUF];

	switch (kind) {
	case V_SIZE:
		snprintf(buf, size, "%s", fmt_size(sb, n, parsable));
		break;
	case V_PERCENT:
		snprintf(buf, size, parsable ? "%llu" : "%llu%%", (unsigned long long)n);
		break;
	case V_RATIO:
		snprintf(buf, size, "%.2fx", (double)n);
		break;
	default:
		snprintf(buf, size, "%llu", (unsigned long long)n);
	}
	return buf;
}

/* A pool value as zpool prints it: sizes as 1.50G, percentages as 12%, ratios as 1.00x;
 * parsable (-p) prints the exact numbers. Numbers may come as JSON numbers or as text; a guid
 * is unsigned even when JSON carries it as a negative integer. null is "-". */
static const char *pool_value(json_t *v, enum value_kind kind, bool parsable, char *buf,
			      size_t size)
{
	uint64_t n;

	if (json_is_integer(v))
		return number_text((uint64_t)json_integer_value(v), kind, parsable, buf, size);
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (kind == V_RATIO)
			snprintf(buf, size, "%.2fx", d);
		else if (kind == V_PERCENT && !parsable)
			snprintf(buf, size, "%.0f%%", d);
		else
			snprintf(buf, size, "%g", d);
		return buf;
	}
	if (json_is_string(v)) {
		if (kind != V_TEXT && bs_parse_u64(json_string_value(v), &n) == 0)
			return number_text(n, kind, parsable, buf, size);
		return json_string_value(v);
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "on" : "off";
	return "-";
}

/* A number as zpool prints counters and rates: 0, 12, 1.21K. */
static const char *nicenum(uint64_t n, bool parsable, char *buf, size_t size)
{
	char sb[BS_SIZE_BUF];

	if (parsable || n < 1024)
		snprintf(buf, size, "%llu", (unsigned long long)n);
	else
		snprintf(buf, size, "%s", bs_size_format(sb, n));
	return buf;
}

/* A counter as `zpool status` prints it. */
static const char *counter(json_t *v, bool parsable, char *buf, size_t size)
{
	uint64_t n = json_is_integer(v) && json_integer_value(v) > 0 ?
			     (uint64_t)json_integer_value(v) :
			     0;

	return nicenum(n, parsable, buf, size);
}

/* The columns of `zpool list` and the properties of `zpool get`: the full name, the short
 * name the engine's listing uses, and how the value prints. */
static const struct pool_col {
	const char *name, *key;
	enum value_kind kind;
} pool_cols[] = {
	{ "name", "name", V_TEXT },
	{ "size", "size", V_SIZE },
	{ "allocated", "alloc", V_SIZE },
	{ "free", "free", V_SIZE },
	{ "checkpoint", "ckpoint", V_SIZE },
	{ "expandsize", "expandsz", V_SIZE },
	{ "fragmentation", "frag", V_PERCENT },
	{ "capacity", "cap", V_PERCENT },
	{ "dedupratio", "dedup", V_RATIO },
	{ "health", "health", V_TEXT },
	{ "altroot", "altroot", V_TEXT },
	{ "guid", "guid", V_NUMBER },
	{ "txg", "txg", V_NUMBER },
	{ "freeing", "freeing", V_SIZE },
	{ "leaked", "leaked", V_SIZE },
};

static const struct pool_col *find_col(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(pool_cols); i++)
		if (streq(pool_cols[i].name, name) || streq(pool_cols[i].key, name))
			return &pool_cols[i];
	return NULL;
}

static enum value_kind prop_kind(const char *prop)
{
	const struct pool_col *c = find_col(prop);

	return c ? c->kind : V_TEXT;
}

/* ---- create, destroy, import, export ---- */

static bool vdev_keyword(const char *s)
{
	static const char *const words[] = { "mirror", "raidz",	  "raidz1", "raidz2",
					     "raidz3", "draid",	  "spare",  "log",
					     "cache",  "special", "dedup" };

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (streq(words[i], s))
			return true;
	return false;
}

/* A device given as a relative name: the file under the client's directory, or else the
 * device of that name under /dev, as `zpool create tank sdb` means. */
static char *device_path(struct subcmd_ctx *z, const char *dev)
{
	_cleanup_free_ char *devpath = NULL;
	char *path = cmd_abspath(z->io, dev);
	struct stat st;

	if (dev[0] == '/' || strchr(dev, '/') || stat(path, &st) == 0)
		return path;
	devpath = bs_asprintf("/dev/%s", dev);
	if (stat(devpath, &st) == 0) {
		free(path);
		return TAKE_PTR(devpath);
	}
	return path;
}

/* The root file system of a new or imported pool is mounted as `zpool create` mounts it. */
static int mount_pool(struct subcmd_ctx *z, const char *pool)
{
	int r = zfs_mount_created(pool);

	if (r < 0)
		return subcmd_fail(z, "pool '%s' created, but its file system is not mounted: %s",
				   pool, bs_strerror(r));
	return 0;
}

static void strv_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int zpool_create(struct subcmd_ctx *z, int argc, char **argv)
{
	struct stor_pool_create_opts opts = { 0 };
	_cleanup_free_ char *mountpoint = NULL, *altroot = NULL;
	char **fsprops = NULL, **spec = NULL;
	int nfsprops = 0, nspec = 0, c, r = 0;
	struct cmd_args a;
	const char *name;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "fo:O:m:R:", NULL)) != -1) {
		switch (c) {
		case 'f':
			opts.force = true;
			break;
		case 'o': {
			uint64_t ashift;

			if (!bs_startswith(a.arg, "ashift=")) {
				r = subcmd_usage_error(z,
						       "property '%.*s' cannot be set at creation; "
						       "only ashift can",
						       (int)strcspn(a.arg, "="), a.arg);
				goto out;
			}
			if (bs_parse_u64(a.arg + 7, &ashift) < 0 || ashift < 9 || ashift > 16) {
				r = subcmd_usage_error(z, "invalid ashift '%s': must be 9 to 16",
						       a.arg + 7);
				goto out;
			}
			opts.ashift = (unsigned)ashift;
			break;
		}
		case 'O':
			if (!strchr(a.arg, '=') || a.arg[0] == '=') {
				r = subcmd_usage_error(z, "'%s' is not of the form property=value",
						       a.arg);
				goto out;
			}
			fsprops = bs_realloc(fsprops, sizeof(char *) * (nfsprops + 2));
			fsprops[nfsprops++] = bs_strdup(a.arg);
			fsprops[nfsprops] = NULL;
			break;
		case 'm':
			if (a.arg[0] != '/' && !streq(a.arg, "none") && !streq(a.arg, "legacy")) {
				r = subcmd_usage_error(
					z,
					"invalid mountpoint '%s': must be an absolute "
					"path, 'legacy', or 'none'",
					a.arg);
				goto out;
			}
			free(mountpoint);
			mountpoint = bs_strdup(a.arg);
			break;
		case 'R':
			free(altroot);
			altroot = cmd_abspath(z->io, a.arg);
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (a.noperands < 1) {
		r = subcmd_usage_error(z, "missing pool name");
		goto out;
	}
	if (a.noperands < 2) {
		r = subcmd_usage_error(z, "missing vdev specification");
		goto out;
	}
	name = a.operands[0];
	spec = bs_zalloc(sizeof(char *) * a.noperands);
	for (int k = 1; k < a.noperands; k++)
		spec[nspec++] = vdev_keyword(a.operands[k]) ? bs_strdup(a.operands[k]) :
							      device_path(z, a.operands[k]);
	opts.mountpoint = mountpoint;
	opts.altroot = altroot;
	opts.fsprops = (const char *const *)fsprops;

	r = subcmd_changed(z, stor_pool_create(name, nspec, spec, &opts), name);
	if (r == 0)
		r = mount_pool(z, name);
out:
	strv_free(spec, nspec);
	strv_free(fsprops, nfsprops);
	cmd_args_free(&a);
	return r;
}

static int zpool_destroy(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	bool force = false;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "f", (bool *const[]){ &force });
	if (r)
		goto out;
	if (a.noperands != 1) {
		r = subcmd_usage_error(z, a.noperands ? "too many arguments" : "missing pool name");
		goto out;
	}
	r = stor_pool_destroy(a.operands[0], force);
	r = r < 0 ? subcmd_fail_engine(z, r) : 0;
out:
	cmd_args_free(&a);
	return r;
}

static int zpool_export(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	bool force = false;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "f", (bool *const[]){ &force });
	if (r)
		goto out;
	if (a.noperands < 1) {
		r = subcmd_usage_error(z, "missing pool name");
		goto out;
	}
	for (int k = 0; k < a.noperands; k++) {
		json_t *list = NULL;

		/* the history lives in the pool: record the export while it is still here */
		r = stor_pool_list(a.operands[k], &list);
		json_decref(list);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		subcmd_log_history(z, a.operands[k]);
		r = stor_pool_export(a.operands[k], force);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

/* One line of a vdev tree, then its children, indented two more. */
struct tree_opts {
	int width;     /* the name column, indentation included */
	bool counters; /* READ WRITE CKSUM (status) or only STATE (import) */
	bool parsable;
};

static const char *vdev_name(json_t *v, int index, char *buf, size_t size)
{
	const char *name = json_string_value(json_object_get(v, "name"));
	const char *type = json_string_value(json_object_get(v, "type"));

	if (!name)
		name = json_string_value(json_object_get(v, "path"));
	if (name)
		return name;
	if (json_is_string(v))
		return json_string_value(v);
	snprintf(buf, size, "%s-%d", type ? type : "vdev", index);
	return buf;
}

static int tree_width(json_t *v, int depth, int index)
{
	json_t *child;
	size_t i;
	char buf[64];
	int w = depth * 2 + (int)strlen(vdev_name(v, index, buf, sizeof(buf)));

	json_array_foreach(json_object_get(v, "children"), i, child)
		w = MAX(w, tree_width(child, depth + 1, (int)i));
	return w;
}

static void print_tree(FILE *f, json_t *v, int depth, int index, const struct tree_opts *o)
{
	const char *state = json_string_value(json_object_get(v, "state"));
	const char *msg = json_string_value(json_object_get(v, "message"));
	char name[64], b1[FMT_BUF], b2[FMT_BUF], b3[FMT_BUF];
	json_t *child;
	size_t i;

	fprintf(f, "\t%*s%-*s  %-8s", depth * 2, "", o->width - depth * 2,
		vdev_name(v, index, name, sizeof(name)), state ? state : "ONLINE");
	if (o->counters)
		fprintf(f, " %5s %5s %5s",
			counter(json_object_get(v, "read"), o->parsable, b1, sizeof(b1)),
			counter(json_object_get(v, "write"), o->parsable, b2, sizeof(b2)),
			counter(json_object_get(v, "cksum"), o->parsable, b3, sizeof(b3)));
	if (msg)
		fprintf(f, "  %s", msg);
	fputc('\n', f);
	json_array_foreach(json_object_get(v, "children"), i, child)
		print_tree(f, child, depth + 1, (int)i, o);
}

static void print_importable(FILE *f, json_t *p)
{
	const char *name = json_string_value(json_object_get(p, "name"));
	const char *state = json_string_value(json_object_get(p, "state"));
	json_t *config = json_object_get(p, "config"), *devs = json_object_get(p, "devices"), *d;
	struct tree_opts o = { .width = 10 };
	const char *health = "ONLINE";
	char buf[FMT_BUF];
	size_t i;

	fprintf(f, "   pool: %s\n", name ? name : "-");
	fprintf(f, "     id: %s\n",
		pool_value(json_object_get(p, "guid"), V_NUMBER, true, buf, sizeof(buf)));
	/* the engine reports the health, or the state its labels record */
	if (state && !streq(state, "exported") && !streq(state, "active") &&
	    !streq(state, "ONLINE"))
		health = state;
	fprintf(f, "  state: %s\n", health);
	if (state && streq(state, "active")) {
		fprintf(f, " status: The pool was last accessed by another system.\n");
		fprintf(f, " action: The pool can be imported using its name or numeric "
			   "identifier and the '-f' flag.\n");
	} else if (streq(health, "ONLINE")) {
		fprintf(f, " action: The pool can be imported using its name or numeric "
			   "identifier.\n");
	} else {
		fprintf(f, " action: The pool cannot be imported in this state.\n");
	}
	fprintf(f, " config:\n\n");
	if (config) {
		o.width = MAX(o.width, tree_width(config, 0, 0));
		print_tree(f, config, 0, 0, &o);
		return;
	}
	o.width = MAX(o.width, (int)strlen(name ? name : ""));
	json_array_foreach(devs, i, d)
		o.width = MAX(o.width, 2 + (int)strlen(vdev_name(d, (int)i, buf, sizeof(buf))));
	fprintf(f, "\t%-*s  %s\n", o.width, name ? name : "-", health);
	json_array_foreach(devs, i, d) {
		const char *ds = json_string_value(json_object_get(d, "state"));

		fprintf(f, "\t  %-*s  %s\n", o.width - 2, vdev_name(d, (int)i, buf, sizeof(buf)),
			ds ? ds : health);
	}
}

/* Is a pool of this guid imported here already? Such a pool is not offered for import. */
static bool imported_here(json_t *guid)
{
	json_t *list = NULL, *p;
	char b1[FMT_BUF], b2[FMT_BUF];
	bool found = false;
	size_t i;

	if (!guid || stor_pool_list(NULL, &list) < 0)
		return false;
	pool_value(guid, V_NUMBER, true, b1, sizeof(b1));
	json_array_foreach(list, i, p)
		if (streq(pool_value(json_object_get(p, "guid"), V_NUMBER, true, b2, sizeof(b2)),
			  b1))
			found = true;
	json_decref(list);
	return found;
}

static int zpool_import(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_free_ char *dir = NULL;
	json_t *found = NULL, *p;
	struct cmd_args a;
	bool every = false, nomount = false;
	int c, r = 0;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "d:afN", NULL)) != -1) {
		switch (c) {
		case 'd':
			if (dir) {
				r = subcmd_usage_error(z, "-d may be given once");
				goto out;
			}
			dir = cmd_abspath(z->io, a.arg);
			break;
		case 'a':
			every = true;
			break;
		case 'f':
			break; /* a pool is open in one daemon only; nothing to force */
		case 'N':
			nomount = true;
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (a.noperands > 1) {
		r = subcmd_usage_error(z, a.noperands == 2 ?
						  "importing under a new name is not supported" :
						  "too many arguments");
		goto out;
	}
	if (every && a.noperands) {
		r = subcmd_usage_error(z, "-a imports every pool found: give no pool name");
		goto out;
	}

	if (a.noperands == 0) {
		r = stor_pool_import_scan(dir, &found);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		for (i = json_array_size(found); i-- > 0;)
			if (imported_here(json_object_get(json_array_get(found, i), "guid")))
				json_array_remove(found, i);
		if (json_array_size(found) == 0) {
			fprintf(z->io->err, "no pools available to import\n");
			r = 0;
			goto out;
		}
		json_array_foreach(found, i, p) {
			const char *name = json_string_value(json_object_get(p, "name"));

			if (!every) {
				if (i)
					fputc('\n', z->io->out);
				print_importable(z->io->out, p);
				continue;
			}
			r = name ? stor_pool_import(name, dir) : -EINVAL;
			if (r < 0) {
				r = subcmd_fail(z, "cannot import '%s': %s", name ? name : "?",
						bs_strerror(r));
				goto out;
			}
			subcmd_log_history(z, name);
		}
		r = 0;
		if (every && !nomount) {
			r = stor_mount_all();
			r = r < 0 ? subcmd_fail(z,
						"pools imported, but not every file system is "
						"mounted: %s",
						bs_strerror(r)) :
				    0;
		}
		goto out;
	}

	r = stor_pool_import(a.operands[0], dir);
	if (r < 0) {
		r = subcmd_fail(z, "cannot import '%s': %s", a.operands[0], bs_strerror(r));
		goto out;
	}
	/* history goes to the pool by name; an import by guid looks the name up */
	{
		json_t *list = NULL, *pool;
		size_t k;

		if (stor_pool_list(NULL, &list) >= 0) {
			json_array_foreach(list, k, pool) {
				const char *name = json_string_value(json_object_get(pool, "name"));
				char buf[FMT_BUF];

				if (name && (streq(name, a.operands[0]) ||
					     streq(pool_value(json_object_get(pool, "guid"),
							      V_NUMBER, true, buf, sizeof(buf)),
						   a.operands[0])))
					subcmd_log_history(z, name);
			}
			json_decref(list);
		}
	}
	r = 0;
	if (!nomount) {
		r = stor_mount_all();
		r = r < 0 ? subcmd_fail(z,
					"pool imported, but not every file system is mounted: %s",
					bs_strerror(r)) :
			    0;
	}
out:
	json_decref(found);
	cmd_args_free(&a);
	return r;
}

/* ---- list, get ---- */

static int pool_name_cmp(const void *a, const void *b)
{
	const char *na = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *nb = json_string_value(json_object_get(*(json_t *const *)b, "name"));

	return strcmp(na ? na : "", nb ? nb : "");
}

/* The entries of a pool listing in name order, as OpenZFS lists pools. */
static json_t *sort_by_name(json_t *list)
{
	size_t i, n = json_array_size(list);
	_cleanup_free_ json_t **v = bs_zalloc(sizeof(*v) * (n + 1));
	json_t *out = json_array(), *e;

	json_array_foreach(list, i, e)
		v[i] = e;
	qsort(v, n, sizeof(*v), pool_name_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	return out;
}

static int zpool_list(struct subcmd_ctx *z, int argc, char **argv)
{
	const struct pool_col *cols[ARRAY_SIZE(pool_cols) * 4];
	_cleanup_table_ struct fmt_table *t = NULL;
	const char *collist = "name,size,alloc,free,ckpoint,expandsz,frag,cap,dedup,health,altroot";
	bool scripted = false, parsable = false, json = false;
	json_t *all = json_array(), *list, *p;
	struct cmd_args a;
	int ncols = 0, c, r = 0;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "Hpo:j", cmd_json_longopts)) != -1) {
		switch (c) {
		case 'H':
			scripted = true;
			break;
		case 'p':
			parsable = true;
			break;
		case 'o':
			collist = a.arg;
			break;
		case 'j':
			json = true;
			break;
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	{
		_cleanup_free_ char *copy = bs_strdup(collist);
		char *save = NULL, *tok;

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			const struct pool_col *col = find_col(tok);

			if (!col || ncols == (int)ARRAY_SIZE(cols)) {
				r = subcmd_usage_error(z, "invalid property '%s'", tok);
				goto out;
			}
			cols[ncols++] = col;
		}
		if (ncols == 0) {
			r = subcmd_usage_error(z, "empty property list");
			goto out;
		}
	}

	for (int k = 0; k < MAX(a.noperands, 1); k++) {
		r = stor_pool_list(a.noperands ? a.operands[k] : NULL, &list);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		if (!a.noperands) {
			p = sort_by_name(list);
			json_decref(list);
			list = p;
		}
		json_array_extend(all, list);
		json_decref(list);
	}
	if (json) {
		r = bs_json_print(z->io->out, all) < 0 ? 1 : 0;
		goto out;
	}
	if (json_array_size(all) == 0) {
		fprintf(z->io->err, "no pools available\n");
		r = 0;
		goto out;
	}
	t = fmt_table_new(ncols);
	for (int k = 0; k < ncols; k++) {
		char hdr[32];

		fmt_table_header(t, k, fmt_prop_header(hdr, sizeof(hdr), cols[k]->name),
				 cols[k]->kind == V_TEXT ? FMT_LEFT : FMT_RIGHT);
	}
	json_array_foreach(all, i, p) {
		int row = fmt_table_add_row(t);

		for (int k = 0; k < ncols; k++) {
			json_t *v = json_object_get(p, cols[k]->key);
			char buf[FMT_BUF];

			if (!v)
				v = json_object_get(p, cols[k]->name);
			fmt_table_set(t, row, k,
				      pool_value(v, cols[k]->kind, parsable, buf, sizeof(buf)),
				      NULL);
		}
	}
	r = fmt_table_print(z->io->out, t, scripted ? FMT_SCRIPTED : 0) < 0 ? 1 : 0;
out:
	json_decref(all);
	cmd_args_free(&a);
	return r;
}

/* The names of the pools given, or of every pool. */
static int pool_names(struct subcmd_ctx *z, struct cmd_args *a, int first, json_t **ret)
{
	json_t *names = json_array(), *list = NULL, *p;
	size_t i;
	int r;

	if (a->noperands > first) {
		for (int k = first; k < a->noperands; k++)
			json_array_append_new(names, json_string(a->operands[k]));
		*ret = names;
		return 0;
	}
	r = stor_pool_list(NULL, &p);
	if (r < 0) {
		json_decref(names);
		return subcmd_fail_engine(z, r);
	}
	list = sort_by_name(p);
	json_decref(p);
	json_array_foreach(list, i, p)
		json_array_append(names, json_object_get(p, "name"));
	json_decref(list);
	*ret = names;
	return 0;
}

/* The key under which a pool's properties hold prop, typed in its full or its short form
 * ("allocated" or "alloc"), or NULL. */
static const char *pool_prop_key(json_t *props, const char *prop)
{
	const struct pool_col *col = find_col(prop);

	if (json_object_get(props, prop))
		return prop;
	if (col && json_object_get(props, col->name))
		return col->name;
	if (col && json_object_get(props, col->key))
		return col->key;
	return NULL;
}

static int zpool_get(struct subcmd_ctx *z, int argc, char **argv)
{
	static const char *const field_names[] = { "name", "property", "value", "source" };
	static const char *const field_headers[] = { "NAME", "PROPERTY", "VALUE", "SOURCE" };
	int fields[4] = { 0, 1, 2, 3 }, nfields = 4, nprops = 0, c, r = 0;
	_cleanup_table_ struct fmt_table *t = NULL;
	_cleanup_free_ char *proplist = NULL;
	json_t *names = NULL, *name, *out = NULL;
	bool scripted = false, parsable = false, json = false;
	char *props[64], *save = NULL, *tok;
	struct cmd_args a;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "Hpo:j", cmd_json_longopts)) != -1) {
		switch (c) {
		case 'H':
			scripted = true;
			break;
		case 'p':
			parsable = true;
			break;
		case 'j':
			json = true;
			break;
		case 'o': {
			_cleanup_free_ char *copy = bs_strdup(a.arg);
			char *fs = NULL, *f;

			nfields = 0;
			for (f = strtok_r(copy, ",", &fs); f; f = strtok_r(NULL, ",", &fs)) {
				int k;

				for (k = 0; k < 4; k++)
					if (streq(field_names[k], f))
						break;
				if (k == 4 || nfields == 4) {
					r = subcmd_usage_error(
						z,
						"invalid field '%s' (name, property, "
						"value, source)",
						f);
					goto out;
				}
				fields[nfields++] = k;
			}
			if (nfields == 0) {
				r = subcmd_usage_error(z, "empty field list");
				goto out;
			}
			break;
		}
		default:
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	if (a.noperands < 1) {
		r = subcmd_usage_error(z, "missing property list");
		goto out;
	}
	proplist = bs_strdup(a.operands[0]);
	for (tok = strtok_r(proplist, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nprops == (int)ARRAY_SIZE(props)) {
			r = subcmd_usage_error(z, "too many properties");
			goto out;
		}
		props[nprops++] = tok;
	}
	if (nprops == 0) {
		r = subcmd_usage_error(z, "empty property list");
		goto out;
	}
	r = pool_names(z, &a, 1, &names);
	if (r)
		goto out;

	t = fmt_table_new(nfields);
	for (int f = 0; f < nfields; f++)
		fmt_table_header(t, f, field_headers[fields[f]], FMT_LEFT);
	if (json)
		out = json_object();
	json_array_foreach(names, i, name) {
		const char *pool = json_string_value(name);
		json_t *pprops = NULL, *jp = NULL;

		r = stor_pool_get_props(pool, &pprops);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		if (out) {
			jp = json_object();
			json_object_set_new(out, pool, jp);
		}
		for (int k = 0; k < nprops; k++) {
			bool every = streq(props[k], "all");
			const char *want = pool_prop_key(pprops, props[k]), *key;
			json_t *v;

			if (!every && !want && !strchr(props[k], ':')) {
				json_decref(pprops);
				r = subcmd_usage_error(z, "invalid property '%s'", props[k]);
				goto out;
			}
			json_object_foreach(pprops, key, v) {
				const char *src = json_string_value(json_object_get(v, "source"));
				int row;

				if (!every && !(want && streq(key, want)))
					continue;
				if (jp)
					json_object_set(jp, key, v);
				row = fmt_table_add_row(t);
				for (int f = 0; f < nfields; f++) {
					char buf[FMT_BUF];
					const char *text =
						fields[f] == 0 ?
							pool :
						fields[f] == 1 ?
							key :
						fields[f] == 2 ?
							pool_value(json_object_get(v, "value"),
								   prop_kind(key), parsable, buf,
								   sizeof(buf)) :
							(src && *src ? src : "-");

					fmt_table_set(t, row, f, text, NULL);
				}
			}
			if (!every && !want) {
				int row = fmt_table_add_row(t);

				for (int f = 0; f < nfields; f++)
					fmt_table_set(t, row, f,
						      fields[f] == 0 ? pool :
						      fields[f] == 1 ? props[k] :
								       "-",
						      NULL);
			}
		}
		json_decref(pprops);
	}
	if (json)
		r = bs_json_print(z->io->out, out) < 0 ? 1 : 0;
	else
		r = fmt_table_print(z->io->out, t, scripted ? FMT_SCRIPTED : 0) < 0 ? 1 : 0;
out:
	json_decref(out);
	json_decref(names);
	cmd_args_free(&a);
	return r;
}

/* ---- status ---- */

static void print_duration(FILE *f, uint64_t secs)
{
	uint64_t days = secs / 86400;

	secs %= 86400;
	if (days)
		fprintf(f, "%llu days ", (unsigned long long)days);
	fprintf(f, "%02llu:%02llu:%02llu", (unsigned long long)(secs / 3600),
		(unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
}

static const char *long_date(json_t *v, char *buf, size_t size)
{
	time_t t = json_is_integer(v) ? (time_t)json_integer_value(v) : 0;
	struct tm tm;

	if (!t || !localtime_r(&t, &tm) || !strftime(buf, size, "%a %b %e %H:%M:%S %Y", &tm))
		snprintf(buf, size, "-");
	return buf;
}

static uint64_t json_u64(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) :
								 0;
}

/* A member of an object under either of two names (the engine's short one, or the long one). */
static json_t *get2(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return v ? v : json_object_get(o, b);
}

/* The scan line: none, in progress, finished or canceled. The state comes from "state"
 * ("scanning", "finished", "canceled", "none") or, failing that, from "active" and the times. */
static void print_scan(FILE *f, json_t *scan)
{
	const char *func = json_string_value(json_object_get(scan, "function"));
	const char *state = json_string_value(json_object_get(scan, "state"));
	json_t *tstart = get2(scan, "start_time", "start"), *tend = get2(scan, "end_time", "end");
	uint64_t start = json_u64(tstart), end = json_u64(tend);
	uint64_t examined = json_u64(json_object_get(scan, "examined"));
	uint64_t total = json_u64(get2(scan, "to_examine", "total"));
	uint64_t repaired = json_u64(json_object_get(scan, "repaired"));
	uint64_t errors = json_u64(json_object_get(scan, "errors"));
	char date[64], s1[BS_SIZE_BUF], s2[BS_SIZE_BUF], s3[BS_SIZE_BUF];

	if (!func)
		func = "scrub";
	if (!state && scan)
		state = json_is_true(json_object_get(scan, "active")) ? "scanning" :
			end					      ? "finished" :
									"none";
	fputs("  scan: ", f);
	if (!state || streq(state, "none")) {
		fputs("none requested\n", f);
		return;
	}
	if (streq(state, "finished") && streq(func, "resilver")) {
		fprintf(f, "resilvered %s in ", bs_size_format(s1, repaired));
		print_duration(f, end > start ? end - start : 0);
		fprintf(f, " with %llu errors on %s\n", (unsigned long long)errors,
			long_date(tend, date, sizeof(date)));
	} else if (streq(state, "finished")) {
		fprintf(f, "%s repaired %s in ", func, bs_size_format(s1, repaired));
		print_duration(f, end > start ? end - start : 0);
		fprintf(f, " with %llu errors on %s\n", (unsigned long long)errors,
			long_date(tend, date, sizeof(date)));
	} else if (streq(state, "canceled")) {
		fprintf(f, "%s canceled on %s\n", func, long_date(tend, date, sizeof(date)));
	} else {
		fprintf(f, "%s in progress since %s\n", func,
			long_date(tstart, date, sizeof(date)));
		fprintf(f, "\t%s scanned of %s total\n", bs_size_format(s1, examined),
			bs_size_format(s2, total));
		fprintf(f, "\t%s %s, %.2f%% done\n", bs_size_format(s3, repaired),
			streq(func, "resilver") ? "resilvered" : "repaired",
			total ? 100.0 * (double)MIN(examined, total) / (double)total : 0.0);
	}
}

static bool vdev_healthy(json_t *v)
{
	const char *state = json_string_value(json_object_get(v, "state"));
	json_t *child;
	size_t i;

	if (state && !streq(state, "ONLINE"))
		return false;
	if (json_u64(json_object_get(v, "read")) || json_u64(json_object_get(v, "write")) ||
	    json_u64(json_object_get(v, "cksum")))
		return false;
	json_array_foreach(json_object_get(v, "children"), i, child)
		if (!vdev_healthy(child))
			return false;
	return true;
}

static bool pool_healthy(json_t *st)
{
	const char *state = json_string_value(json_object_get(st, "state"));

	return (!state || streq(state, "ONLINE")) &&
	       json_array_size(json_object_get(st, "errors")) == 0 &&
	       vdev_healthy(json_object_get(st, "config"));
}

static void print_status(FILE *f, json_t *st, bool verbose)
{
	const char *name = json_string_value(json_object_get(st, "name"));
	const char *state = json_string_value(json_object_get(st, "state"));
	const char *status = json_string_value(json_object_get(st, "status"));
	const char *action = json_string_value(json_object_get(st, "action"));
	json_t *config = json_object_get(st, "config"), *errors = json_object_get(st, "errors");
	struct tree_opts o = { .width = 10, .counters = true };
	json_t *e;
	size_t i;

	fprintf(f, "  pool: %s\n", name ? name : "-");
	fprintf(f, " state: %s\n", state ? state : "-");
	if (status)
		fprintf(f, "status: %s\n", status);
	if (action)
		fprintf(f, "action: %s\n", action);
	print_scan(f, json_object_get(st, "scan"));
	fprintf(f, "config:\n\n");
	if (config) {
		o.width = MAX(o.width, tree_width(config, 0, 0));
		fprintf(f, "\t%-*s  %-8s %5s %5s %5s\n", o.width, "NAME", "STATE", "READ", "WRITE",
			"CKSUM");
		print_tree(f, config, 0, 0, &o);
	}
	fputc('\n', f);
	if (json_array_size(errors) == 0) {
		fprintf(f, "errors: No known data errors\n");
	} else if (!verbose) {
		fprintf(f, "errors: %zu data errors, use '-v' for a list\n",
			json_array_size(errors));
	} else {
		fprintf(f,
			"errors: Permanent errors have been detected in the following files:\n\n");
		json_array_foreach(errors, i, e)
			fprintf(f, "        %s\n", json_is_string(e) ? json_string_value(e) : "?");
	}
}

static int zpool_status(struct subcmd_ctx *z, int argc, char **argv)
{
	bool verbose = false, unhealthy = false, json = false, shown = false;
	json_t *names = NULL, *name, *out = NULL;
	struct cmd_args a;
	int c, r = 0;
	size_t i;

	cmd_args_init(&a, argc, argv);
	while ((c = cmd_args_next(&a, "vxj", cmd_json_longopts)) != -1) {
		if (c == 'v')
			verbose = true;
		else if (c == 'x')
			unhealthy = true;
		else if (c == 'j')
			json = true;
		else {
			r = subcmd_bad_option(z, c, &a);
			goto out;
		}
	}
	r = pool_names(z, &a, 0, &names);
	if (r)
		goto out;
	if (json)
		out = json_object();
	if (json_array_size(names) == 0 && !json) {
		fprintf(z->io->out, "no pools available\n");
		goto out;
	}
	json_array_foreach(names, i, name) {
		json_t *st = NULL;

		r = stor_pool_status(json_string_value(name), &st);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		if (unhealthy && pool_healthy(st)) {
			json_decref(st);
			continue;
		}
		if (out) {
			json_object_set_new(out, json_string_value(name), st);
			continue;
		}
		if (shown)
			fputc('\n', z->io->out);
		print_status(z->io->out, st, verbose);
		shown = true;
		json_decref(st);
	}
	if (out) {
		r = bs_json_print(z->io->out, out) < 0 ? 1 : 0;
	} else if (unhealthy && !shown) {
		if (a.noperands == 1)
			fprintf(z->io->out, "pool '%s' is healthy\n", a.operands[0]);
		else
			fprintf(z->io->out, "all pools are healthy\n");
	}
out:
	json_decref(out);
	json_decref(names);
	cmd_args_free(&a);
	return r;
}

/* ---- scrub, history, sync ---- */

static int zpool_scrub(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	bool stop = false, wait = false;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "sw", (bool *const[]){ &stop, &wait });
	if (r)
		goto out;
	if (a.noperands < 1) {
		r = subcmd_usage_error(z, "missing pool name");
		goto out;
	}
	if (stop && wait) {
		r = subcmd_usage_error(z, "-s and -w cannot be combined");
		goto out;
	}
	for (int k = 0; k < a.noperands; k++) {
		r = subcmd_changed(z, stor_pool_scrub(a.operands[k], wait, stop), a.operands[k]);
		if (r)
			goto out;
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

static int zpool_history(struct subcmd_ctx *z, int argc, char **argv)
{
	json_t *names = NULL, *name;
	struct cmd_args a;
	int r = 0;
	size_t i;

	r = subcmd_parse_flags(z, &a, argc, argv, "", NULL);
	if (r)
		goto out;
	r = pool_names(z, &a, 0, &names);
	if (r)
		goto out;
	if (json_array_size(names) == 0) {
		fprintf(z->io->out, "no pools available\n");
		goto out;
	}
	json_array_foreach(names, i, name) {
		json_t *hist = NULL, *e;
		size_t k;

		r = stor_pool_history(json_string_value(name), &hist);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
		fprintf(z->io->out, "History for '%s':\n", json_string_value(name));
		json_array_foreach(hist, k, e) {
			json_t *tv = json_object_get(e, "time");
			const char *cmd = json_string_value(json_object_get(e, "command"));
			char buf[FMT_BUF];

			fprintf(z->io->out, "%s %s\n", fmt_history_time(buf, (time_t)json_u64(tv)),
				cmd ? cmd : "");
		}
		fputc('\n', z->io->out);
		json_decref(hist);
	}
out:
	json_decref(names);
	cmd_args_free(&a);
	return r;
}

static int zpool_sync(struct subcmd_ctx *z, int argc, char **argv)
{
	struct cmd_args a;
	int r = 0;

	r = subcmd_parse_flags(z, &a, argc, argv, "", NULL);
	if (r)
		goto out;
	for (int k = 0; k < MAX(a.noperands, 1); k++) {
		r = stor_pool_sync(a.noperands ? a.operands[k] : NULL);
		if (r < 0) {
			r = subcmd_fail_engine(z, r);
			goto out;
		}
	}
	r = 0;
out:
	cmd_args_free(&a);
	return r;
}

/* ---- iostat ---- */

struct iostat_opts {
	int width;
	bool verbose, parsable;
	double secs; /* the span the counters cover */
};

static int iostat_width(json_t *st, int depth)
{
	json_t *c;
	size_t i;
	int w = depth * 2 + (int)strlen(json_string_value(json_object_get(st, "name")) ?: "");

	json_array_foreach(json_object_get(st, "children"), i, c)
		w = MAX(w, iostat_width(c, depth + 1));
	return w;
}

static void iostat_dashes(FILE *f, int width)
{
	for (int i = 0; i < width; i++)
		fputc('-', f);
	fputs("  -----  -----  -----  -----  -----  -----\n", f);
}

static void iostat_header(FILE *f, int width)
{
	fprintf(f, "%*s%s\n", width + 4, "", "capacity     operations     bandwidth");
	fprintf(f, "%-*s  %5s  %5s  %5s  %5s  %5s  %5s\n", width, "pool", "alloc", "free", "read",
		"write", "read", "write");
	iostat_dashes(f, width);
}

/* The rate of counter key over the span: now's value less prev's (the last report's, or none). */
static const char *iostat_rate(json_t *now, json_t *prev, const char *key,
			       const struct iostat_opts *o, char *buf, size_t size)
{
	uint64_t a = json_u64(json_object_get(now, key));
	uint64_t b = prev ? json_u64(json_object_get(prev, key)) : 0;
	double rate = o->secs > 0 ? (double)(a - MIN(a, b)) / o->secs : 0;

	return nicenum((uint64_t)(rate + 0.5), o->parsable, buf, size);
}

static void iostat_line(FILE *f, json_t *now, json_t *prev, int depth, bool capacity,
			const struct iostat_opts *o)
{
	char b[6][FMT_BUF];
	json_t *c;
	size_t i;

	fprintf(f, "%*s%-*s  %5s  %5s  %5s  %5s  %5s  %5s\n", depth * 2, "", o->width - depth * 2,
		json_string_value(json_object_get(now, "name")) ?: "-",
		capacity ? fmt_size(b[0], json_u64(json_object_get(now, "alloc")), o->parsable) :
			   "-",
		capacity ? fmt_size(b[1], json_u64(json_object_get(now, "free")), o->parsable) :
			   "-",
		iostat_rate(now, prev, "read_ops", o, b[2], FMT_BUF),
		iostat_rate(now, prev, "write_ops", o, b[3], FMT_BUF),
		iostat_rate(now, prev, "read_bytes", o, b[4], FMT_BUF),
		iostat_rate(now, prev, "write_bytes", o, b[5], FMT_BUF));
	if (!o->verbose)
		return;
	json_array_foreach(json_object_get(now, "children"), i, c)
		iostat_line(f, c,
			    prev ? json_array_get(json_object_get(prev, "children"), i) : NULL,
			    depth + 1, depth == 0, o);
}

/* Whether s is a whole number (an interval or a count rather than a pool name). */
static bool is_number(const char *s, double *ret)
{
	char *end;

	errno = 0;
	*ret = strtod(s, &end);
	return *s && !*end && errno == 0 && *ret >= 0;
}

static int zpool_iostat(struct subcmd_ctx *z, int argc, char **argv)
{
	struct iostat_opts o = { 0 };
	json_t *names = NULL, *prev = NULL;
	double interval = 0, count = 0, x;
	struct cmd_args a;
	int r, nops;

	r = subcmd_parse_flags(z, &a, argc, argv, "vp", (bool *const[]){ &o.verbose, &o.parsable });
	if (r)
		goto out;
	/* trailing numbers: [interval [count]] */
	nops = a.noperands;
	if (nops > 0 && is_number(a.operands[nops - 1], &x)) {
		interval = x;
		nops--;
		if (nops > 0 && is_number(a.operands[nops - 1], &x)) {
			count = interval;
			interval = x;
			nops--;
		}
	}
	if (a.noperands > nops && interval <= 0) {
		r = subcmd_usage_error(z, "invalid interval '%s': must be a positive number",
				       a.operands[nops]);
		goto out;
	}
	a.noperands = nops;
	r = pool_names(z, &a, 0, &names);
	if (r)
		goto out;
	if (json_array_size(names) == 0) {
		fprintf(z->io->out, "no pools available\n");
		goto out;
	}
	for (unsigned long n = 0; count == 0 || n < (unsigned long)count; n++) {
		json_t *now = json_array(), *name, *st;
		size_t i;

		if (n > 0 && cmd_client_gone(z->io, (int)(interval * 1000)))
			break;
		o.width = 10;
		json_array_foreach(names, i, name) {
			r = stor_pool_iostat(json_string_value(name), &st);
			if (r < 0) {
				json_decref(now);
				r = subcmd_fail_engine(z, r);
				goto out;
			}
			if (o.verbose)
				o.width = MAX(o.width, iostat_width(st, 0));
			else
				o.width = MAX(o.width, (int)strlen(json_string_value(name)));
			json_array_append_new(now, st);
		}
		/* one pool, not verbose: one header, then one line per report */
		if (n == 0 || o.verbose || json_array_size(now) > 1)
			iostat_header(z->io->out, o.width);
		json_array_foreach(now, i, st) {
			json_t *p = prev ? json_array_get(prev, i) : NULL;
			uint64_t t1 = json_u64(json_object_get(st, "time"));
			uint64_t t0 = json_u64(json_object_get(p ? p : st, p ? "time" : "since"));

			o.secs = t1 > t0 ? (double)(t1 - t0) / 1e9 : 0;
			iostat_line(z->io->out, st, p, 0, true, &o);
			if (o.verbose)
				iostat_dashes(z->io->out, o.width);
		}
		json_decref(prev);
		prev = now;
		if (interval <= 0)
			break;
		if (o.verbose || json_array_size(now) > 1)
			fputc('\n', z->io->out);
		if (fflush(z->io->out) != 0)
			break; /* the client is gone */
	}
	r = 0;
out:
	json_decref(prev);
	json_decref(names);
	cmd_args_free(&a);
	return r;
}

/* ---- attach, detach, replace ---- */

/* A device of the pool as the user names it: a path, or a guid as zpool status -g shows. */
static char *member_path(struct subcmd_ctx *z, const char *dev)
{
	uint64_t guid;
	struct stat st;
	_cleanup_free_ char *path = device_path(z, dev);

	if (bs_parse_u64(dev, &guid) == 0 && stat(path, &st) < 0)
		return bs_strdup(dev);
	return TAKE_PTR(path);
}

/* The messages for the missing operands of attach (all three), replace and detach (the first
 * two). */
static const char *const pool_device[] = { "missing pool name argument",
					   "missing <device> specification", NULL };
static const char *const pool_device_new[] = { "missing pool name argument",
					       "missing <device> specification",
					       "missing <new_device> specification", NULL };

static int zpool_attach_replace(struct subcmd_ctx *z, int argc, char **argv, bool replace)
{
	_cleanup_free_ char *dev = NULL, *new_dev = NULL;
	bool force = false, wait = false, seq = false;
	struct cmd_args a;
	const char *pool;
	int r;

	r = subcmd_parse_flags(z, &a, argc, argv, replace ? "fw" : "fsw",
			       replace ? (bool *const[]){ &force, &wait } :
					 (bool *const[]){ &force, &seq, &wait });
	if (r)
		goto out;
	r = subcmd_check_operands(z, &a, replace ? pool_device : pool_device_new, 3);
	if (r)
		goto out;
	pool = a.operands[0];
	dev = member_path(z, a.operands[1]);
	if (a.noperands == 3)
		new_dev = device_path(z, a.operands[2]);
	if (replace)
		r = stor_pool_replace(pool, dev, new_dev, force, wait);
	else
		r = stor_pool_attach(pool, dev, new_dev, force, wait);
	r = subcmd_changed(z, r, pool);
out:
	cmd_args_free(&a);
	return r;
}

static int zpool_attach(struct subcmd_ctx *z, int argc, char **argv)
{
	return zpool_attach_replace(z, argc, argv, false);
}

static int zpool_replace(struct subcmd_ctx *z, int argc, char **argv)
{
	return zpool_attach_replace(z, argc, argv, true);
}

static int zpool_detach(struct subcmd_ctx *z, int argc, char **argv)
{
	_cleanup_free_ char *dev = NULL;
	struct cmd_args a;
	int r;

	r = subcmd_parse_flags(z, &a, argc, argv, "", NULL);
	if (r)
		goto out;
	r = subcmd_check_operands(z, &a, pool_device, 2);
	if (r)
		goto out;
	dev = member_path(z, a.operands[1]);
	r = subcmd_changed(z, stor_pool_detach(a.operands[0], dev), a.operands[0]);
out:
	cmd_args_free(&a);
	return r;
}

/* ---- the table ---- */

static const struct subcmd subcmds[] = {
	{ "create", NULL, zpool_create,
	  "create [-f] [-o ashift=N] [-O property=value]... [-m mountpoint] [-R root]\n"
	  " pool [mirror] device..." },
	{ "destroy", NULL, zpool_destroy, "destroy [-f] pool" },
	{ "list", NULL, zpool_list, "list [-Hpj] [-o property[,property]...] [pool]..." },
	{ "status", NULL, zpool_status, "status [-vxj] [pool]..." },
	{ "import", NULL, zpool_import,
	  "import [-d dir] [-a] [-N]\n"
	  "import [-d dir] [-N] pool|id" },
	{ "export", NULL, zpool_export, "export [-f] pool..." },
	{ "scrub", NULL, zpool_scrub, "scrub [-s | -w] pool..." },
	{ "history", NULL, zpool_history, "history [pool]..." },
	{ "get", NULL, zpool_get,
	  "get [-Hpj] [-o field[,field]...] all | property[,property]... [pool]..." },
	{ "sync", NULL, zpool_sync, "sync [pool]..." },
	{ "attach", NULL, zpool_attach, "attach [-fsw] pool device new_device" },
	{ "detach", NULL, zpool_detach, "detach pool device" },
	{ "replace", NULL, zpool_replace, "replace [-fw] pool device [new_device]" },
	{ "iostat", NULL, zpool_iostat, "iostat [-vp] [pool]... [interval [count]]" },
};

static const struct subcmd_tool zpool_tool = {
	.name = "zpool",
	.cmds = subcmds,
	.ncmds = ARRAY_SIZE(subcmds),
};

int zpool_command(struct cmd_io *io, int argc, char **argv)
{
	return subcmd_run(&zpool_tool, io, argc, argv);
}

/* `zpool ...` in the user's process: help here, the rest in the daemon. */
int tool_zpool_main(int argc, char **argv)
{
	return subcmd_main(&zpool_tool, argc, argv);
}
