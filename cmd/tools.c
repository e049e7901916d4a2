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
	{ "zonecfg", tool_zonecfg_main, "define, show, change and delete zones" },
	{ "zoneadm", tool_zoneadm_main, "install, boot, halt and list zones" },
	{ "zlogin", tool_zlogin_main, "run a command, a shell or the console in a zone" },
	{ "zonememstat", tool_zonememstat_main, "memory, processes and CPU time of zones" },
	{ "vmadm", tool_vmadm_main, "create, list, start, stop, update and delete VMs" },
	{ "imgadm", tool_imgadm_main, "install, import, list and delete images" },
	{ "mdata-get", tool_mdata_get_main, "read a metadata key, inside a zone" },
	{ "mdata-put", tool_mdata_put_main, "set a customer_metadata key, inside a zone" },
	{ "mdata-list", tool_mdata_list_main, "list the customer_metadata keys, inside a zone" },
	{ "mdata-delete", tool_mdata_delete_main, "remove a customer_metadata key, inside a zone" },
	{ "dtrace", tool_dtrace_main, "trace the system with D programs compiled to BPF" },
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
