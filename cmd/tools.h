/* SPDX-License-Identifier: MIT */
/*
 * tools.h - the tools the `basalt` multi-call binary serves. Each tool is one file in cmd/ with
 * one entry point, `int tool_<name>_main(int argc, char **argv)`, called with argv[0] set to the
 * tool's name; it returns the process exit status (0 success, 1 failure, 2 usage error).
 */
#ifndef BASALT_CMD_TOOLS_H
#define BASALT_CMD_TOOLS_H

#include <stddef.h>

struct tool {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary; /* one line for `basalt --help` */
};

/* The table, in tools.c. */
extern const struct tool basalt_tools[];
extern const size_t basalt_tools_count;

/* The tool called name, or NULL. */
const struct tool *tool_find(const char *name);

/* ---- entry points, one per tool ---- */
int tool_version_main(int argc, char **argv);
int tool_zfs_main(int argc, char **argv);
int tool_zpool_main(int argc, char **argv);
int tool_zfsd_main(int argc, char **argv);
int tool_zonecfg_main(int argc, char **argv);
int tool_zoneadm_main(int argc, char **argv);
int tool_zlogin_main(int argc, char **argv);
int tool_zonememstat_main(int argc, char **argv);
int tool_vmadm_main(int argc, char **argv);
int tool_imgadm_main(int argc, char **argv);
int tool_mdata_get_main(int argc, char **argv);
int tool_mdata_put_main(int argc, char **argv);
int tool_mdata_list_main(int argc, char **argv);
int tool_mdata_delete_main(int argc, char **argv);
int tool_dtrace_main(int argc, char **argv);
int tool_vmm_main(int argc, char **argv);

#endif
