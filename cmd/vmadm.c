// SPDX-License-Identifier: MIT
/*
 * vmadm.c - the `vmadm` command: VMs (zones of brand joyent and joyent-minimal, and kvm VMs)
 * with SmartOS's syntax and JSON. Thin: it reads payloads, parses the command line and prints;
 * lib/mgmt does the work. Every command but validate first boots the autoboot VMs the pool daemon
 * has not seen booted (see docs/vmadm.md).
 *
 *   vmadm create [-f FILE] | validate create|update [BRAND] [-f FILE]
 *   vmadm list [-pH] [-o COLS] [-s COLS] [FIELD=VALUE|FIELD=~REGEX...]
 *   vmadm lookup [-j|-1] [FIELD=VALUE|FIELD=~REGEX...] | get UUID | info UUID
 *   vmadm start UUID | stop UUID [-F] [-t SECS] | reboot UUID [-F] | delete UUID [-F]
 *   vmadm update UUID [-f FILE | PROP=VALUE...] | console UUID
 *   vmadm create-snapshot|rollback-snapshot|delete-snapshot UUID NAME
 *   vmadm send UUID | receive | events [-f]
 */
#include <basalt/base.h>
#include <basalt/json.h>
#include <basalt/mgmt.h>
#include <basalt/zone.h>

#include <ctype.h>
#include <regex.h>
#include <sys/inotify.h>

#include "tools.h"
#include "zonecli.h"

#define USAGE                                                                                      \
	"usage: vmadm create [-f FILE] | validate create|update [BRAND] [-f FILE] | "              \
	"list [-pH] [-o COLS] [-s COLS] [FILTER...] | lookup [-j|-1] [FILTER...] | get UUID | "    \
	"info UUID | start UUID | stop UUID [-F] [-t SECS] | reboot UUID [-F] | "                  \
	"delete UUID [-F] | update UUID [-f FILE | PROP=VALUE...] | console UUID | "               \
	"create-snapshot|rollback-snapshot|delete-snapshot UUID NAME | send UUID | receive | "     \
	"events [-f]"

ZONECLI_DEFINE_ERRORS("vmadm", USAGE)

/* The JSON payload of -f FILE, or of stdin. */
static int read_payload(const char *file, json_t **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = bs_read_file(file ? file : "/dev/stdin", &text, &len);
	if (r < 0)
		return bs_error(-r, "cannot read %s: %s", file ? file : "stdin", strerror(-r));
	return bs_json_parse(text, file ? file : "stdin", ret);
}

static int cmd_validate(int argc, char **argv)
{
	_cleanup_json_ json_t *p = NULL, *errors = NULL;
	const char *file = NULL;
	enum mgmt_action action;
	enum mgmt_brand brand = MGMT_BRAND_JOYENT;
	int i = 1, r;

	if (argc < 2)
		return usage_error("validate needs create or update");
	if (streq(argv[i], "create"))
		action = MGMT_CREATE;
	else if (streq(argv[i], "update"))
		action = MGMT_UPDATE;
	else
		return usage_error("validate needs create or update");
	for (i++; i < argc; i++) {
		if (streq(argv[i], "-f") && i + 1 < argc)
			file = argv[++i];
		else if (action == MGMT_UPDATE && mgmt_brand_parse(argv[i], &brand) == 0)
			continue;
		else
			return usage_error("validate takes [BRAND] [-f FILE]");
	}
	r = read_payload(file, &p);
	if (r < 0)
		return fail(r);
	r = mgmt_validate(action, p, action == MGMT_UPDATE ? (int)brand : -1, &errors);
	if (r == -EINVAL && errors) {
		bs_json_print(stdout, errors);
		fflush(stdout);
		return fail(r);
	}
	if (r < 0)
		return fail(r);
	if (action == MGMT_CREATE)
		printf("VALID 'create' payload for %s brand VMs.\n",
		       json_string_value(json_object_get(p, "brand")));
	else
		printf("VALID 'update' payload for %s brand VMs.\n", mgmt_brand_name(brand));
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	_cleanup_json_ json_t *p = NULL;
	_cleanup_free_ char *uuid = NULL;
	const char *file = NULL;
	int r;

	if (argc == 3 && streq(argv[1], "-f"))
		file = argv[2];
	else if (argc != 1)
		return usage_error("create takes [-f FILE]");
	r = read_payload(file, &p);
	if (r >= 0)
		r = mgmt_vm_create(p, &uuid);
	if (r < 0)
		return fail(r);
	printf("Successfully created VM %s\n", uuid);
	return 0;
}

/* ---- list and lookup ---- */

/* A field of a VM: a property by its name or dotted path (tags.role, nics.0.ips), or one of the
 * computed columns type and ram. */
static json_t *field(json_t *vm, const char *name)
{
	_cleanup_free_ char *path = bs_strdup(name);
	char *save = NULL, *part;
	json_t *v = vm;

	if (streq(name, "type"))
		return json_string(streq(json_string_value(json_object_get(vm, "brand")), "kvm") ?
					   "KVM" :
					   "OS");
	if (streq(name, "ram"))
		return json_incref(json_object_get(vm, "ram") ?:
					   json_object_get(vm, "max_physical_memory"));
	for (part = strtok_r(path, ".", &save); part && v; part = strtok_r(NULL, ".", &save)) {
		uint64_t idx;

		if (json_is_array(v) && bs_parse_u64(part, &idx) == 0)
			v = json_array_get(v, idx);
		else
			v = json_object_get(v, part);
	}
	return v ? json_incref(v) : NULL;
}

static char *field_text(json_t *vm, const char *name)
{
	_cleanup_json_ json_t *v = field(vm, name);

	if (!v || json_is_null(v))
		return bs_strdup("-");
	if (json_is_string(v))
		return bs_strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

/* FIELD=VALUE or FIELD=~REGEX. A filter on an array matches any element. */
static int filter_match(json_t *vm, const char *filter, bool *ret)
{
	_cleanup_free_ char *key = bs_strdup(filter);
	char *eq = strchr(key, '=');
	const char *want;
	_cleanup_json_ json_t *v = NULL;
	bool is_re;
	regex_t re;

	if (!eq || eq == key)
		return bs_error(EINVAL, "'%s' is not a FIELD=VALUE filter", filter);
	*eq = '\0';
	want = eq + 1;
	is_re = want[0] == '~';
	if (is_re && regcomp(&re, want + 1, REG_EXTENDED | REG_NOSUB) != 0)
		return bs_error(EINVAL, "'%s' is not a valid regular expression", want + 1);
	v = field(vm, key);
	*ret = false;
	for (size_t i = 0; v && i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		_cleanup_free_ char *text = json_is_string(e) ?
						    bs_strdup(json_string_value(e)) :
						    json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);

		if (is_re ? regexec(&re, text, 0, NULL, 0) == 0 : streq(text, want))
			*ret = true;
	}
	if (is_re)
		regfree(&re);
	return 0;
}

/* The VMs that match every filter. */
static int select_vms(char **filters, int n, json_t **ret)
{
	_cleanup_json_ json_t *all = NULL, *out = json_array();
	size_t i;
	json_t *vm;
	int r;

	r = mgmt_vm_list(&all);
	if (r < 0)
		return r;
	json_array_foreach(all, i, vm) {
		bool ok = true;

		for (int k = 0; k < n && ok; k++) {
			r = filter_match(vm, filters[k], &ok);
			if (r < 0)
				return r;
		}
		if (ok)
			json_array_append(out, vm);
	}
	*ret = TAKE_PTR(out);
	return 0;
}

static int compare_field(json_t *a, json_t *b, const char *col)
{
	_cleanup_json_ json_t *x = field(a, col), *y = field(b, col);
	_cleanup_free_ char *s = NULL, *t = NULL;

	if (json_is_number(x) && json_is_number(y))
		return json_number_value(x) < json_number_value(y) ? -1 :
		       json_number_value(x) > json_number_value(y) ? 1 :
								     0;
	s = field_text(a, col);
	t = field_text(b, col);
	return strcmp(s, t);
}

/* By the -s columns, each ascending or (-col) descending. */
static int by_columns(json_t *a, json_t *b, void *arg)
{
	_cleanup_free_ char *cols = bs_strdup(arg);
	char *save = NULL, *col;
	int c = 0;

	for (col = strtok_r(cols, ",", &save); col && c == 0; col = strtok_r(NULL, ",", &save)) {
		bool desc = col[0] == '-';

		c = compare_field(a, b, col + (desc || col[0] == '+'));
		if (desc)
			c = -c;
	}
	return c;
}

static int cmd_list(int argc, char **argv)
{
	_cleanup_json_ json_t *list = NULL;
	const char *cols = "uuid,type,ram,state,alias", *sort = "ram,uuid";
	bool parsable = false, noheader = false;
	char *filters[64];
	int n = 0, r;
	size_t ncols = 0, widths[64] = { 0 };
	char *names[64];
	_cleanup_free_ char *colcopy = NULL;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && strchr(argv[i], '=') == NULL && i + 1 < argc &&
		    (streq(argv[i], "-o") || streq(argv[i], "-s"))) {
			if (argv[i][1] == 'o')
				cols = argv[++i];
			else
				sort = argv[++i];
		} else if (streq(argv[i], "-p")) {
			parsable = noheader = true;
		} else if (streq(argv[i], "-H")) {
			noheader = true;
		} else if (streq(argv[i], "-pH") || streq(argv[i], "-Hp")) {
			parsable = noheader = true;
		} else if (strchr(argv[i], '=') && n < 64) {
			filters[n++] = argv[i];
		} else {
			return usage_error("list takes -p, -H, -o COLS, -s COLS and filters");
		}
	}
	r = select_vms(filters, n, &list);
	if (r < 0)
		return fail(r);
	mgmt_json_sort(list, by_columns, (void *)sort);
	colcopy = bs_strdup(cols);
	for (char *save = NULL, *c = strtok_r(colcopy, ",", &save); c && ncols < 64;
	     c = strtok_r(NULL, ",", &save))
		names[ncols++] = c;
	/* widths from the content, as vmadm lays out its columns */
	for (size_t c = 0; c < ncols; c++) {
		widths[c] = noheader ? 0 : strlen(names[c]);
		for (size_t i = 0; i < json_array_size(list); i++) {
			_cleanup_free_ char *t = field_text(json_array_get(list, i), names[c]);

			widths[c] = MAX(widths[c], strlen(t));
		}
	}
	if (!noheader) {
		for (size_t c = 0; c < ncols; c++) {
			_cleanup_free_ char *h = bs_strdup(names[c]);

			for (char *p = h; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			printf("%-*s%s", c + 1 < ncols ? (int)widths[c] : 0, h,
			       c + 1 < ncols ? "  " : "");
		}
		printf("\n");
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		for (size_t c = 0; c < ncols; c++) {
			_cleanup_free_ char *t = field_text(json_array_get(list, i), names[c]);

			if (parsable)
				printf("%s%s", c ? ":" : "", t);
			else if (noheader)
				printf("%s%s", c ? "\t" : "", t);
			else
				printf("%-*s%s", c + 1 < ncols ? (int)widths[c] : 0, t,
				       c + 1 < ncols ? "  " : "");
		}
		printf("\n");
	}
	return 0;
}

static int cmd_lookup(int argc, char **argv)
{
	_cleanup_json_ json_t *list = NULL;
	bool json = false, one = false;
	char *filters[64];
	int n = 0, r;
	size_t i;
	json_t *vm;

	for (int k = 1; k < argc; k++) {
		if (streq(argv[k], "-j"))
			json = true;
		else if (streq(argv[k], "-1"))
			one = true;
		else if (strchr(argv[k], '=') && n < 64)
			filters[n++] = argv[k];
		else
			return usage_error("lookup takes -j, -1 and filters");
	}
	r = select_vms(filters, n, &list);
	if (r < 0)
		return fail(r);
	if (one && json_array_size(list) != 1)
		return fail(
			bs_error(ENOENT, "%zu VMs match, not exactly one", json_array_size(list)));
	if (json)
		return bs_json_print(stdout, list) < 0 ? 1 : 0;
	json_array_foreach(list, i, vm)
		printf("%s\n", json_string_value(json_object_get(vm, "uuid")));
	return 0;
}

static int cmd_get(int argc, char **argv)
{
	_cleanup_json_ json_t *vm = NULL;
	int r;

	if (argc != 2)
		return usage_error("get takes one UUID");
	r = mgmt_vm_load(argv[1], &vm);
	if (r < 0)
		return fail(r);
	return bs_json_print(stdout, vm) < 0 ? 1 : 0;
}

static int cmd_info(int argc, char **argv)
{
	_cleanup_json_ json_t *vm = NULL, *info = NULL, *vmm = NULL;
	struct zone_usage u;
	int r;

	if (argc != 2)
		return usage_error("info takes one UUID");
	r = mgmt_vm_load(argv[1], &vm);
	if (r < 0)
		return fail(r);
	info = json_pack("{s:O, s:O}", "state", json_object_get(vm, "state"), "brand",
			 json_object_get(vm, "brand"));
	if (streq(json_string_value(json_object_get(vm, "state")), "running") &&
	    zone_usage_get(argv[1], &u) == 0)
		json_object_set_new(info, "usage",
				    json_pack("{s:I, s:I, s:I, s:I, s:I}", "rss", (json_int_t)u.rss,
					      "memory_cap", (json_int_t)u.cap, "swap",
					      (json_int_t)u.swap, "lwps", (json_int_t)u.lwps,
					      "cpu_ns", (json_int_t)u.cpu_ns));
	if (streq(json_string_value(json_object_get(vm, "brand")), "kvm") &&
	    streq(json_string_value(json_object_get(vm, "state")), "running") &&
	    mgmt_vm_vmm(argv[1], "info", &vmm) == 0)
		json_object_set(info, "vmm", vmm);
	json_object_set_new(
		info, "console",
		json_pack("{s:s, s:[s, s, s]}", "type",
			  streq(json_string_value(json_object_get(vm, "brand")), "kvm") ? "serial" :
											  "zone",
			  "command", "zlogin", "-C", argv[1]));
	return bs_json_print(stdout, info) < 0 ? 1 : 0;
}

/* ---- lifecycle ---- */

static int cmd_uuid_flags(int argc, char **argv, const char *what, bool *force, unsigned *timeout)
{
	const char *uuid = NULL;

	for (int i = 1; i < argc; i++) {
		uint64_t t;

		if (streq(argv[i], "-F") && force)
			*force = true;
		else if (streq(argv[i], "-t") && timeout && i + 1 < argc &&
			 bs_parse_u64(argv[i + 1], &t) == 0 && t < 86400) {
			*timeout = (unsigned)t;
			i++;
		} else if (argv[i][0] != '-' && !uuid)
			uuid = argv[i];
		else
			return usage_error(what);
	}
	if (!uuid)
		return usage_error(what);
	return 0;
}

static const char *find_uuid(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && (i == 1 || !streq(argv[i - 1], "-t")))
			return argv[i];
	return NULL;
}

/* argv[0] is the subcommand */
static int cmd_lifecycle(int argc, char **argv)
{
	const char *cmd = argv[0];
	bool force = false;
	unsigned timeout = 60;
	const char *uuid;
	int r;

	if (streq(cmd, "start"))
		r = cmd_uuid_flags(argc, argv, "start takes one UUID", NULL, NULL);
	else if (streq(cmd, "stop"))
		r = cmd_uuid_flags(argc, argv, "stop takes UUID [-F] [-t SECS]", &force, &timeout);
	else
		r = cmd_uuid_flags(argc, argv, "takes UUID [-F]", &force, NULL);
	if (r)
		return r;
	uuid = find_uuid(argc, argv);
	if (streq(cmd, "start"))
		r = mgmt_vm_start(uuid);
	else if (streq(cmd, "stop"))
		r = mgmt_vm_stop(uuid, force, timeout);
	else if (streq(cmd, "reboot"))
		r = mgmt_vm_reboot(uuid, force);
	else
		r = mgmt_vm_delete(uuid, force);
	if (r < 0)
		return fail(r);
	printf("Successfully completed %s for VM %s\n", cmd, uuid);
	return 0;
}

/* PROP=VALUE as JSON: integers, true and false as themselves, anything else a string. */
static json_t *prop_value(const char *s)
{
	uint64_t n;

	if (streq(s, "true"))
		return json_true();
	if (streq(s, "false"))
		return json_false();
	if (bs_parse_u64(s, &n) == 0 && n <= INT64_MAX)
		return json_integer((json_int_t)n);
	return json_string(s);
}

static int cmd_update(int argc, char **argv)
{
	_cleanup_json_ json_t *p = NULL;
	int r;

	if (argc < 2)
		return usage_error("update takes UUID [-f FILE | PROP=VALUE...]");
	if (argc == 2 || (argc == 4 && streq(argv[2], "-f"))) {
		r = read_payload(argc == 4 ? argv[3] : NULL, &p);
		if (r < 0)
			return fail(r);
	} else {
		p = json_object();
		for (int i = 2; i < argc; i++) {
			_cleanup_free_ char *k = bs_strdup(argv[i]);
			char *eq = strchr(k, '=');

			if (!eq || eq == k)
				return usage_error("update takes PROP=VALUE pairs");
			*eq = '\0';
			json_object_set_new(p, k, prop_value(eq + 1));
		}
	}
	r = mgmt_vm_update(argv[1], p);
	if (r < 0)
		return fail(r);
	printf("Successfully updated VM %s\n", argv[1]);
	return 0;
}

static int cmd_console(int argc, char **argv)
{
	_cleanup_json_ json_t *vm = NULL;
	int r;

	if (argc != 2)
		return usage_error("console takes one UUID");
	r = mgmt_vm_load(argv[1], &vm);
	if (r < 0)
		return fail(r);
	fflush(NULL);
	execl("/proc/self/exe", "basalt", "zlogin", "-C", argv[1], (char *)NULL);
	return fail(-errno);
}

/* argv[0] is the subcommand */
static int cmd_snapshot(int argc, char **argv)
{
	const char *cmd = argv[0];
	int r;

	if (argc != 3)
		return usage_error("takes UUID NAME");
	r = mgmt_vm_snapshot(argv[1], argv[2], cmd[0]);
	if (r < 0)
		return fail(r);
	printf("Successfully completed %s %s for VM %s\n", cmd, argv[2], argv[1]);
	return 0;
}

static int cmd_events(int argc, char **argv)
{
	_cleanup_free_ char *path = mgmt_events_path();
	bool follow = argc == 2 && streq(argv[1], "-f");
	_cleanup_fclose_ FILE *f = NULL;
	char line[4096];
	int ino = -1;

	if (argc > 2 || (argc == 2 && !follow))
		return usage_error("events takes only -f");
	if (follow) {
		ino = inotify_init1(IN_CLOEXEC);
		if (ino < 0 || inotify_add_watch(ino, path, IN_MODIFY) < 0) {
			FILE *c = fopen(path, "a");

			if (c)
				fclose(c);
			if (ino < 0 || inotify_add_watch(ino, path, IN_MODIFY) < 0)
				return fail(-errno);
		}
	}
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : fail(-errno);
	for (;;) {
		char ev[4096];

		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fflush(stdout);
		if (!follow || read(ino, ev, sizeof(ev)) <= 0)
			break;
		clearerr(f);
	}
	if (ino >= 0)
		close(ino);
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	int r;

	if (argc != 2)
		return usage_error("send takes one UUID");
	if (isatty(STDOUT_FILENO))
		return fail(
			bs_error(EINVAL, "the stream must go to a pipe or a file, not a terminal"));
	r = mgmt_vm_send(argv[1], STDOUT_FILENO);
	return r < 0 ? fail(r) : 0;
}

static int cmd_receive(int argc, char **argv)
{
	_cleanup_free_ char *uuid = NULL;
	int r;

	if (argc != 1)
		return usage_error("receive takes no arguments");
	r = mgmt_vm_receive(STDIN_FILENO, &uuid);
	if (r < 0)
		return fail(r);
	printf("Successfully received VM %s\n", uuid);
	return 0;
}

/* Every subcommand but validate: root only, after the autoboot VMs are booted. */
static int prepare(const char *cmd)
{
	int r;

	if (streq(cmd, "validate"))
		return 0;
	if (geteuid() != 0)
		return fail(bs_error(EPERM, "only root may manage VMs"));
	r = mgmt_vm_autoboot();
	return r < 0 ? fail(r) : 0;
}

static const struct zonecli_cmd vmadm_cmds[] = {
	{ "validate", cmd_validate },
	{ "create", cmd_create },
	{ "list", cmd_list },
	{ "lookup", cmd_lookup },
	{ "get", cmd_get },
	{ "info", cmd_info },
	{ "start", cmd_lifecycle },
	{ "stop", cmd_lifecycle },
	{ "reboot", cmd_lifecycle },
	{ "delete", cmd_lifecycle },
	{ "update", cmd_update },
	{ "console", cmd_console },
	{ "create-snapshot", cmd_snapshot },
	{ "rollback-snapshot", cmd_snapshot },
	{ "delete-snapshot", cmd_snapshot },
	{ "send", cmd_send },
	{ "receive", cmd_receive },
	{ "recv", cmd_receive },
	{ "events", cmd_events },
};

static const struct zonecli_tool vmadm = {
	.name = "vmadm",
	.usage = USAGE,
	.cmds = vmadm_cmds,
	.ncmds = ARRAY_SIZE(vmadm_cmds),
	.prepare = prepare,
};

int tool_vmadm_main(int argc, char **argv)
{
	return zonecli_dispatch(&vmadm, argc, argv);
}
