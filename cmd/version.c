// SPDX-License-Identifier: MIT
/*
 * version.c - `basalt version [-j]`: the version of this build, as text or as JSON. The
 * smallest tool, and the one that proves the table and the link dispatch work.
 */
#include <basalt/base.h>
#include <basalt/json.h>

#include "tools.h"

int tool_version_main(int argc, char **argv)
{
	_cleanup_json_ json_t *j = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "-j") || streq(argv[i], "--json")) {
			json = true;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'; usage: %s [-j|--json]\n",
				argv[0], argv[i], argv[0]);
			return 2;
		}
	}

	if (!json) {
		printf("basalt %s\n", BASALT_VERSION);
		return 0;
	}
	j = json_pack("{s:s}", "version", BASALT_VERSION);
	if (!j || bs_json_print(stdout, j) < 0) {
		fprintf(stderr, "%s: cannot print the version\n", argv[0]);
		return 1;
	}
	return 0;
}
