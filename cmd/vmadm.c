// SPDX-License-Identifier: MIT
/*
 * vmadm.c - the `vmadm` command: VMs (zones of brand joyent and joyent-minimal, and kvm VMs)
 * with SmartOS's syntax and JSON. Thin: it reads payloads, parses the command line and prints;
 * lib/mgmt does the work.
 *
 *   vmadm validate create|update [BRAND] [-f FILE]
 */
#include <basalt/base.h>
#include <basalt/json.h>
#include <basalt/mgmt.h>

#include "tools.h"

#define USAGE "usage: vmadm validate create|update [BRAND] [-f FILE]; see 'vmadm help'"

static int fail(int r)
{
	fprintf(stderr, "vmadm: %s\n", bs_strerror(r));
	return 1;
}

static int usage_error(const char *what)
{
	fprintf(stderr, "vmadm: %s; %s\n", what, USAGE);
	return 2;
}

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
		fprintf(stderr, "vmadm: %s\n", bs_error_msg());
		return 1;
	}
	if (r < 0)
		return fail(r);
	printf("VALID '%s' payload%s%s%s.\n", argv[1], action == MGMT_CREATE ? " for " : "",
	       action == MGMT_CREATE ? json_string_value(json_object_get(p, "brand")) : "",
	       action == MGMT_CREATE ? " brand VMs" : "");
	return 0;
}

int tool_vmadm_main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given");
	if (streq(argv[1], "validate"))
		return cmd_validate(argc - 1, argv + 1);
	return usage_error("unknown command");
}
