/* SPDX-License-Identifier: MIT */
/*
 * zpl_diff.h - what changed in a file system between a snapshot and a later snapshot or the
 * file system itself (zfs diff), found by walking only the dnodes born after the earlier one.
 */
#ifndef STOR_ZPL_DIFF_H
#define STOR_ZPL_DIFF_H

#include <jansson.h>
#include <stdint.h>

#include "dmu.h"

struct zpl_diff_stats {
	uint64_t visited;  /* dnodes the traversal handed over (changed dnode blocks only) */
	uint64_t compared; /* file-system objects looked up in both object sets */
};

/*
 * Append to out, in object order, one entry per file-system object that differs between from
 * (the earlier snapshot, taken in min_txg) and to: {change: "+" | "-" | "M" | "R", path,
 * newpath (R only), type: "F" "/" "@" "|" "=" "B" "C", ctime, ctime_nsec}. Paths are from the
 * file system's root ("/dir/file"). stats may be NULL. Pool lock held; to is committed.
 */
int zpl_diff(objset_t *from, objset_t *to, uint64_t min_txg, json_t *out,
	     struct zpl_diff_stats *stats);

#endif
