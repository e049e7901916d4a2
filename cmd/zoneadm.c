// SPDX-License-Identifier: MIT
/*
 * zoneadm.c - the `zoneadm` command: a zone's lifecycle (install, boot, halt, reboot, shutdown,
 * uninstall) and the list of zones, with SmartOS's syntax. Booting forks the zone's supervisor,
 * which outlives this command; -W keeps it in the foreground until the zone halts and exits
 * with the status of the zone's first process.
 *
 *   zoneadm list [-cvp]
 *   zoneadm -z ZONE install | uninstall [-F] | boot [-W] | halt | reboot | shutdown [-t SECS]
 */
#include <basalt/base.h>
#include <basalt/zone.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "tools.h"
#include "zonecli.h"

#define USAGE                                                                                      \
	"usage: zoneadm list [-cvp] | zoneadm -z ZONE "                                            \
	"install|uninstall [-F]|boot [-W]|halt|reboot|shutdown [-t SECONDS]"

ZONECLI_DEFINE_ERRORS("zoneadm", USAGE)

static int list(int argc, char **argv)
{
	bool all = false, verbose = false, parsable = false;
	char **names = NULL;
	int id = 0;

	for (int i = 0; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1])
			return usage_error("list takes only -c, -v and -p");
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'c')
				all = true;
			else if (*p == 'v')
				verbose = true;
			else if (*p == 'p')
				parsable = true;
			else if (*p != 'i')
				return usage_error("list takes only -c, -v and -p");
		}
	}
	zone_store_list(&names);
	if (verbose && !parsable)
		printf("%4s %-20s %-14s %-30s %-15s %s\n", "ID", "NAME", "STATUS", "PATH", "BRAND",
		       "IP");
	for (char **n = names; *n; n++) {
		_cleanup_zone_config_ struct zone_config *c = NULL;
		enum zone_state st;
		pid_t init;
		char ids[16];

		if (zone_store_load(*n, &c) < 0 || zone_state_get(*n, &st, &init) < 0)
			continue;
		if (!all && st != ZONE_STATE_RUNNING && st != ZONE_STATE_READY &&
		    st != ZONE_STATE_SHUTTING_DOWN)
			continue;
		id++;
		snprintf(ids, sizeof(ids), "%s", "-");
		if (init > 0)
			snprintf(ids, sizeof(ids), "%d", id);
		if (parsable)
			printf("%s:%s:%s:%s:%s:%s:excl\n", ids, c->zonename, zone_state_name(st),
			       c->zoneroot, c->uuid, zone_brand_name(c->brand));
		else if (verbose)
			printf("%4s %-20s %-14s %-30s %-15s %s\n", ids, c->zonename,
			       zone_state_name(st), c->zoneroot, zone_brand_name(c->brand), "excl");
		else
			printf("%s\n", c->zonename);
	}
	zone_strv_free(names);
	return 0;
}

static int install(const char *name, bool installed)
{
	_cleanup_zone_config_ struct zone_config *c = NULL;
	enum zone_state st;
	struct stat sb;
	int r;

	r = zone_store_load(name, &c);
	if (r == 0)
		r = zone_state_get(name, &st, NULL);
	if (r < 0)
		return fail(r);
	if (installed && st != ZONE_STATE_CONFIGURED) {
		fprintf(stderr, "zoneadm: zone '%s' is already %s\n", name, zone_state_name(st));
		return 1;
	}
	if (!installed && st != ZONE_STATE_INSTALLED) {
		fprintf(stderr, "zoneadm: zone '%s' is %s, not installed\n", name,
			zone_state_name(st));
		return 1;
	}
	if (installed && (stat(c->zoneroot, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		fprintf(stderr, "zoneadm: zone '%s': its root %s is not a directory\n", name,
			c->zoneroot);
		return 1;
	}
	r = zone_store_set_installed(name, installed);
	return r < 0 ? fail(r) : 0;
}

int tool_zoneadm_main(int argc, char **argv)
{
	const char *name, *cmd;
	int r, status;

	if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		printf(USAGE "\n");
		return 0;
	}
	if (argc >= 2 && streq(argv[1], "list"))
		return list(argc - 2, argv + 2);
	if (argc < 4 || !streq(argv[1], "-z"))
		return usage_error(argc < 2 ? "a subcommand is required" : "-z ZONE is required");
	name = argv[2];
	cmd = argv[3];
	argc -= 4;
	argv += 4;
	if (streq(cmd, "install") && argc == 0)
		return install(name, true);
	if (streq(cmd, "uninstall") && (argc == 0 || (argc == 1 && streq(argv[0], "-F"))))
		return install(name, false);
	if (streq(cmd, "boot") && (argc == 0 || (argc == 1 && streq(argv[0], "-W")))) {
		r = zone_boot(name, argc ? ZONE_BOOT_WAIT : 0, &status);
		if (r < 0)
			return fail(r);
		if (!argc)
			return 0;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (streq(cmd, "halt") && argc == 0)
		r = zone_halt(name);
	else if (streq(cmd, "reboot") && argc == 0)
		r = zone_reboot(name);
	else if (streq(cmd, "shutdown") && argc == 0)
		r = zone_shutdown(name, 30);
	else if (streq(cmd, "shutdown") && argc == 2 && streq(argv[0], "-t")) {
		uint64_t t;

		if (bs_parse_u64(argv[1], &t) < 0 || t == 0 || t > 3600)
			return usage_error("-t takes 1 to 3600 seconds");
		r = zone_shutdown(name, (unsigned)t);
	} else
		return usage_error("unknown subcommand or arguments");
	return r < 0 ? fail(r) : 0;
}
