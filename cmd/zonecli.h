/* SPDX-License-Identifier: MIT */
/*
 * zonecli.h - how the zone commands (zonecfg, zoneadm, zlogin, zonememstat) end: one line on
 * stderr, prefixed with the command's name, and the exit status that goes with it.
 */
#ifndef BASALT_CMD_ZONECLI_H
#define BASALT_CMD_ZONECLI_H

/* "TOOL: <the library's message for r>"; returns 1. */
int zonecli_fail(const char *tool, int r);
/* "TOOL: WHAT; USAGE"; returns 2. */
int zonecli_usage(const char *tool, const char *what, const char *usage);

#endif
