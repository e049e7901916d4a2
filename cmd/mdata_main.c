// SPDX-License-Identifier: MIT
/*
 * mdata_main.c - basalt-mdata: the mdata tools as a binary of their own, chosen by the name it is
 * called by (mdata-get, mdata-put, mdata-list, mdata-delete), for zones to run.
 */
#include <basalt/base.h>

#include "tools.h"

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (streq(name, "mdata-get"))
		return tool_mdata_get_main(argc, argv);
	if (streq(name, "mdata-put"))
		return tool_mdata_put_main(argc, argv);
	if (streq(name, "mdata-list"))
		return tool_mdata_list_main(argc, argv);
	if (streq(name, "mdata-delete"))
		return tool_mdata_delete_main(argc, argv);
	fprintf(stderr,
		"basalt-mdata: call it as mdata-get, mdata-put, mdata-list or mdata-delete\n");
	return 2;
}
