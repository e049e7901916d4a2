// SPDX-License-Identifier: MIT
/*
 * imgadm.c - the `imgadm` command: install, import, list and delete images (IMGAPI v2
 * manifests; an image is a dataset with an @final snapshot), with SmartOS's syntax. Thin: lib/mgmt
 * does the work.
 *
 *   imgadm install -m MANIFEST -f FILE | import UUID | sources [-a DIR|URL | -d DIR|URL]
 *   imgadm list [-jH] [-o COLS] [FIELD=VALUE...] | avail [-jH] [-o COLS] [FIELD=VALUE...]
 *   imgadm get UUID | show UUID | delete UUID
 *   imgadm vacuum [-f] | ancestry UUID | create [-i] [-o DIR] VM_UUID FIELD=VALUE...
 */
#include <basalt/base.h>
#include <basalt/json.h>
#include <basalt/mgmt.h>

#include <ctype.h>

#include "tools.h"
#include "zonecli.h"

#define USAGE                                                                                      \
	"usage: imgadm install -m MANIFEST -f FILE | import UUID | "                               \
	"sources [-a DIR|URL | -d DIR|URL] | list [-jH] [-o COLS] [FIELD=VALUE...] | "             \
	"avail [-jH] [-o COLS] [FIELD=VALUE...] | get UUID | show UUID | delete UUID | "           \
	"vacuum [-f] | ancestry UUID | create [-i] [-o DIR] VM_UUID name=NAME version=VERSION "    \
	"[FIELD=VALUE...]"

ZONECLI_DEFINE_ERRORS("imgadm", USAGE)

static int cmd_install(int argc, char **argv)
{
	_cleanup_json_ json_t *m = NULL;
	_cleanup_free_ char *text = NULL;
	const char *mfile = NULL, *file = NULL;
	size_t len;
	int r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "-m") && i + 1 < argc)
			mfile = argv[++i];
		else if (streq(argv[i], "-f") && i + 1 < argc)
			file = argv[++i];
		else
			return usage_error("install takes -m MANIFEST -f FILE");
	}
	if (!mfile || !file)
		return usage_error("install needs -m MANIFEST and -f FILE");
	r = bs_read_file(mfile, &text, &len);
	if (r < 0)
		return fail(bs_error(-r, "cannot read %s: %s", mfile, strerror(-r)));
	r = bs_json_parse(text, mfile, &m);
	if (r >= 0)
		r = mgmt_image_install(m, file);
	if (r < 0)
		return fail(r);
	printf("Installed image %s (%s@%s)\n", json_string_value(json_object_get(m, "uuid")),
	       json_string_value(json_object_get(m, "name")),
	       json_string_value(json_object_get(m, "version")));
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	int r;

	if (argc != 2)
		return usage_error("import takes one UUID");
	r = mgmt_image_import(argv[1]);
	if (r < 0)
		return fail(r);
	printf("Imported image %s\n", argv[1]);
	return 0;
}

static int cmd_sources(int argc, char **argv)
{
	_cleanup_json_ json_t *s = NULL;
	size_t i;
	json_t *v;
	int r;

	if (argc == 3 && streq(argv[1], "-a"))
		r = mgmt_image_source_add(argv[2]);
	else if (argc == 3 && streq(argv[1], "-d"))
		r = mgmt_image_source_del(argv[2]);
	else if (argc == 1)
		r = 0;
	else
		return usage_error("sources takes -a DIR|URL or -d DIR|URL");
	if (r >= 0)
		r = mgmt_image_sources(&s);
	if (r < 0)
		return fail(r);
	json_array_foreach(s, i, v)
		printf("%s\n", json_string_value(v));
	return 0;
}

/* A column's text for an image entry: a manifest field, or clones. */
static char *column(json_t *e, const char *col)
{
	json_t *m = json_object_get(e, "manifest");
	json_t *v = streq(col, "clones") ? json_object_get(e, "clones") : json_object_get(m, col);

	if (streq(col, "pub"))
		v = json_object_get(m, "published_at");
	if (json_is_string(v))
		return bs_strdup(json_string_value(v));
	if (json_is_integer(v))
		return bs_asprintf("%lld", (long long)json_integer_value(v));
	if (v)
		return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return bs_strdup("-");
}

static bool matches(json_t *e, char **filters, int n)
{
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *key = bs_strdup(filters[i]), *val = NULL;
		char *eq = strchr(key, '=');

		*eq = '\0';
		val = column(e, key);
		if (!streq(val, eq + 1))
			return false;
	}
	return true;
}

/* list (the installed images) and avail (the sources' images): one table of entries
 * {manifest, ...} from lister. */
static int cmd_table(int argc, char **argv, int (*lister)(json_t **), const char *cols)
{
	_cleanup_json_ json_t *list = NULL, *out = json_array();
	bool json = false, noheader = false;
	char *filters[64];
	int nfilters = 0, r;
	size_t i;
	json_t *e;

	for (int k = 1; k < argc; k++) {
		if (streq(argv[k], "-j"))
			json = true;
		else if (streq(argv[k], "-H"))
			noheader = true;
		else if (streq(argv[k], "-o") && k + 1 < argc)
			cols = argv[++k];
		else if (strchr(argv[k], '=') && argv[k][0] != '=' && nfilters < 64)
			filters[nfilters++] = argv[k];
		else
			return usage_error(
				"list and avail take -j, -H, -o COLS and FIELD=VALUE filters");
	}
	r = lister(&list);
	if (r < 0)
		return fail(r);
	json_array_foreach(list, i, e)
		if (matches(e, filters, nfilters))
			json_array_append(out, e);
	if (json)
		return bs_json_print(stdout, out) < 0 ? 1 : 0;
	for (int pass = noheader ? 1 : 0; pass < 2; pass++) {
		size_t n = pass == 0 ? 1 : json_array_size(out);

		for (size_t row = 0; row < n; row++) {
			_cleanup_free_ char *c = bs_strdup(cols);
			char *save = NULL, *col;
			bool first = true;

			for (col = strtok_r(c, ",", &save); col; col = strtok_r(NULL, ",", &save)) {
				_cleanup_free_ char *text =
					pass == 0 ? bs_strdup(col) :
						    column(json_array_get(out, row), col);

				if (pass == 0)
					for (char *p = text; *p; p++)
						*p = (char)toupper((unsigned char)*p);
				printf("%s%-*s",
				       first	? "" :
				       noheader ? "\t" :
						  "  ",
				       noheader		  ? 0 :
				       streq(col, "uuid") ? 36 :
							    12,
				       text);
				first = false;
			}
			printf("\n");
		}
	}
	return 0;
}

/* get (the entry, manifest and all) and show (the manifest alone) */
static int get_image(int argc, char **argv, bool manifest_only)
{
	_cleanup_json_ json_t *e = NULL;
	int r;

	if (argc != 2)
		return usage_error("takes one UUID");
	r = mgmt_image_get(argv[1], &e);
	if (r < 0)
		return fail(r);
	json_object_del(e, "cloned_by");
	return bs_json_print(stdout, manifest_only ? json_object_get(e, "manifest") : e) < 0 ? 1 :
											       0;
}

static int cmd_delete(int argc, char **argv)
{
	int r;

	if (argc != 2)
		return usage_error("delete takes one UUID");
	r = mgmt_image_delete(argv[1]);
	if (r < 0)
		return fail(r);
	printf("Deleted image %s\n", argv[1]);
	return 0;
}

static int cmd_vacuum(int argc, char **argv)
{
	_cleanup_json_ json_t *deleted = NULL;
	size_t i;
	json_t *v;
	int r;

	for (int k = 1; k < argc; k++)
		if (!streq(argv[k], "-f"))
			return usage_error("vacuum takes only -f");
	r = mgmt_image_vacuum(&deleted);
	if (r < 0)
		return fail(r);
	json_array_foreach(deleted, i, v)
		printf("Deleted image %s\n", json_string_value(v));
	printf("Deleted %zu unused images\n", json_array_size(deleted));
	return 0;
}

static int cmd_ancestry(int argc, char **argv)
{
	_cleanup_json_ json_t *a = NULL;
	size_t i;
	json_t *v;
	int r;

	if (argc != 2)
		return usage_error("ancestry takes one UUID");
	r = mgmt_image_ancestry(argv[1], &a);
	if (r < 0)
		return fail(r);
	json_array_foreach(a, i, v)
		printf("%s\n", json_string_value(v));
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	_cleanup_json_ json_t *props = json_object(), *m = NULL;
	const char *vm = NULL, *outdir = ".";
	bool incremental = false;
	int r;

	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (streq(argv[i], "-i")) {
			incremental = true;
		} else if (streq(argv[i], "-o") && i + 1 < argc) {
			outdir = argv[++i];
		} else if (eq && eq != argv[i]) {
			_cleanup_free_ char *k = bs_strdup(argv[i]);

			k[eq - argv[i]] = '\0';

			json_object_set_new(props, k, json_string(eq + 1));
		} else if (argv[i][0] != '-' && !vm) {
			vm = argv[i];
		} else {
			return usage_error("create takes [-i] [-o DIR] VM_UUID FIELD=VALUE...");
		}
	}
	if (!vm)
		return usage_error("create needs the VM's uuid");
	r = mgmt_image_create(vm, props, outdir, incremental, &m);
	if (r < 0)
		return fail(r);
	printf("Created image %s (%s@%s) in %s/%s-%s.json and .zfs\n",
	       json_string_value(json_object_get(m, "uuid")),
	       json_string_value(json_object_get(m, "name")),
	       json_string_value(json_object_get(m, "version")), outdir,
	       json_string_value(json_object_get(m, "name")),
	       json_string_value(json_object_get(m, "version")));
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	return cmd_table(argc, argv, mgmt_image_list, "uuid,name,version,os,type,clones");
}

static int cmd_avail(int argc, char **argv)
{
	return cmd_table(argc, argv, mgmt_image_avail, "uuid,name,version,os,type,pub");
}

static int cmd_get(int argc, char **argv)
{
	return get_image(argc, argv, false);
}

static int cmd_show(int argc, char **argv)
{
	return get_image(argc, argv, true);
}

static const struct zonecli_cmd imgadm_cmds[] = {
	{ "install", cmd_install },   { "import", cmd_import }, { "sources", cmd_sources },
	{ "list", cmd_list },	      { "avail", cmd_avail },	{ "get", cmd_get },
	{ "show", cmd_show },	      { "delete", cmd_delete }, { "vacuum", cmd_vacuum },
	{ "ancestry", cmd_ancestry }, { "create", cmd_create },
};

static const struct zonecli_tool imgadm = {
	.name = "imgadm",
	.usage = USAGE,
	.cmds = imgadm_cmds,
	.ncmds = ARRAY_SIZE(imgadm_cmds),
};

int tool_imgadm_main(int argc, char **argv)
{
	return zonecli_dispatch(&imgadm, argc, argv);
}
