// SPDX-License-Identifier: MIT
/*
 * zonecfg.c - the `zonecfg` command: define a zone from a JSON file in vmadm's property names,
 * print its configuration, change its resource controls (live, when it runs) and delete it.
 * The configuration lives in the state directory (lib/zone's store).
 *
 *   zonecfg -z ZONE -f FILE             define ZONE from FILE
 *   zonecfg -z ZONE info                print the configuration as JSON
 *   zonecfg -z ZONE set PROP=VALUE...   change resource controls, applied at once if running
 *   zonecfg -z ZONE delete [-F]         remove the configuration (the zone must be installed
 *                                       at most; -F is accepted for SmartOS compatibility)
 */
#include <basalt/base.h>
#include <basalt/json.h>
#include <basalt/zone.h>

#include "tools.h"
#include "zonecli.h"

#define USAGE                                                                                      \
	"usage: zonecfg -z ZONE -f FILE | zonecfg -z ZONE info | "                                 \
	"zonecfg -z ZONE set PROP=VALUE... | zonecfg -z ZONE delete [-F]"

ZONECLI_DEFINE_ERRORS("zonecfg", USAGE)

static int define(const char *name, const char *file)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *j = NULL;
	_cleanup_zone_config_ struct zone_config *c = NULL;
	int r;

	r = bs_read_file(file, &text, NULL);
	if (r < 0) {
		fprintf(stderr, "zonecfg: cannot read %s: %s\n", file, strerror(-r));
		return 1;
	}
	r = bs_json_parse(text, file, &j);
	if (r == 0)
		r = zone_config_from_json(j, name, &c);
	if (r < 0) {
		fprintf(stderr, "zonecfg: %s: %s\n", file, bs_strerror(r));
		return 1;
	}
	r = zone_devices_check(c);
	if (r == 0)
		r = zone_store_create(c);
	return r < 0 ? fail(r) : 0;
}

static int info(const char *name)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	_cleanup_json_ json_t *j = NULL;
	int r;

	r = zone_store_load(name, &c);
	if (r < 0)
		return fail(r);
	j = zone_config_to_json(c);
	return bs_json_print(stdout, j) < 0 ? fail(-EIO) : 0;
}

static int set(const char *name, int argc, char **argv)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	enum zone_state st;
	int r;

	if (argc == 0)
		return usage_error("set needs PROP=VALUE");
	r = zone_store_load(name, &c);
	if (r < 0)
		return fail(r);
	r = zone_config_set(c, argv, (size_t)argc);
	if (r < 0)
		return fail(r);
	r = zone_state_get(name, &st, NULL);
	if (r == 0 && st == ZONE_STATE_RUNNING)
		r = zone_caps_apply(c);
	if (r == 0)
		r = zone_store_update(c);
	return r < 0 ? fail(r) : 0;
}

int tool_zonecfg_main(int argc, char **argv)
{
	const char *name = NULL, *file = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
			printf(USAGE "\n");
			return 0;
		}
	}
	if (argc >= 3 && streq(argv[1], "-z")) {
		name = argv[2];
		argv += 3;
		argc -= 3;
	} else {
		return usage_error("-z ZONE is required");
	}
	if (!zone_name_valid(name)) {
		fprintf(stderr, "zonecfg: '%s' is not a valid zone name\n", name);
		return 1;
	}
	if (argc == 2 && streq(argv[0], "-f")) {
		file = argv[1];
		return define(name, file);
	}
	if (argc == 1 && streq(argv[0], "info"))
		return info(name);
	if (argc >= 1 && streq(argv[0], "set"))
		return set(name, argc - 1, argv + 1);
	if ((argc == 1 || (argc == 2 && streq(argv[1], "-F"))) && streq(argv[0], "delete")) {
		r = zone_store_delete(name);
		return r < 0 ? fail(r) : 0;
	}
	return usage_error(argc ? "unknown subcommand" : "a subcommand is required");
}
