// SPDX-License-Identifier: MIT
/*
 * tools.c - the table of tools the `basalt` binary dispatches to, by `basalt TOOL` or by the
 * name of a link to it. Registering a tool is one line here and its prototype in tools.h.
 */
#include <basalt/base.h>

#include "tools.h"

const struct tool basalt_tools[] = {
	{ "version", tool_version_main, "print the version of basalt" },
	{ "zfs", tool_zfs_main, "configure datasets: file systems, volumes, snapshots, clones" },
	{ "zpool", tool_zpool_main, "configure storage pools" },
	{ "zfsd", tool_zfsd_main, "the pool daemon that zfs and zpool talk to" },
	{ "vmm", tool_vmm_main, "run a virtual machine on /dev/kvm" },
};

const size_t basalt_tools_count = ARRAY_SIZE(basalt_tools);

const struct tool *tool_find(const char *name)
{
	for (size_t i = 0; i < basalt_tools_count; i++)
		if (streq(basalt_tools[i].name, name))
			return &basalt_tools[i];
	return NULL;
}
