/* SPDX-License-Identifier: MIT */
/*
 * zvol.h - volumes as byte ranges: open a volume (or a volume's snapshot) by name, read, write,
 * flush and discard inside its volsize; and the tree of names under which the pool daemon serves
 * every volume as a file (zvol_fuse.c). A volume's object set holds one object, ZVOL_OBJ, whose
 * block size is the volume's volblocksize; `volsize` is a property of the dataset.
 *
 * Every call takes the pool lock for the whole request, so a request is atomic with respect to
 * every other change of the pool and lands in one txg. An open volume holds its dataset
 * (dsl_dataset_long_hold): it cannot be destroyed, nor its pool exported, until it is closed.
 */
#ifndef STOR_ZVOL_H
#define STOR_ZVOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmu.h"

#define ZVOL_OBJ 1

struct zvol;

/* Open "pool/vol" or "pool/vol@snap". writable: -EROFS for snapshots, read-only pools and
 * readonly=on. -ENOENT if there is no such dataset, -EINVAL (with a message) if it is not a
 * volume. guid, when not 0, must be the dataset's: -ENOENT otherwise (a name reused). */
int zvol_open(const char *name, bool writable, uint64_t guid, struct zvol **ret);
void zvol_close(struct zvol *zv);
/* volsize as it is now (it can grow while the volume is open). */
int zvol_size(struct zvol *zv, uint64_t *ret);
uint32_t zvol_blocksize(struct zvol *zv);
bool zvol_readonly(struct zvol *zv);
/* Bytes read: fewer than len at the end of the volume, 0 at or past it. */
int64_t zvol_read(struct zvol *zv, uint64_t off, uint64_t len, void *buf);
/* Bytes written: fewer than len when the range crosses the end; -ENOSPC at or past it. */
int64_t zvol_write(struct zvol *zv, uint64_t off, uint64_t len, const void *buf);
/* Commit the pool's open txg and wait for it to be on disk. */
int zvol_flush(struct zvol *zv);
/* Make a range read as zeros and free the blocks it covers whole (clamped to volsize). */
int zvol_discard(struct zvol *zv, uint64_t off, uint64_t len);

/* Whether `zfs set volsize=value` may apply to ds: growing only. Pool lock held. */
int zvol_volsize_check(dsl_dataset_t *ds, const char *value);

/* ---- the tree of names: "" the root, "pool", "pool/fs", "pool/fs/vol", "pool/vol@snap" ---- */
enum zvol_kind { ZVOL_DIR = 1, ZVOL_VOLUME, ZVOL_SNAPSHOT };

struct zvol_node_info {
	enum zvol_kind kind;
	uint64_t guid;	     /* of the dataset; 0 for the root */
	uint64_t size;	     /* volsize, for volumes and snapshots */
	uint64_t referenced; /* bytes allocated, as of the last commit */
	uint64_t crtime;     /* creation time, seconds */
	bool readonly;
};

struct zvol_dirent {
	char *name; /* one component */
	struct zvol_node_info info;
};

/* What path names. Directories are the pools and file systems that have a volume somewhere
 * below them; -ENOENT for anything else. */
int zvol_stat(const char *path, struct zvol_node_info *ret);
/* The entries of a directory, in name order; free with zvol_dirents_free(). */
int zvol_list(const char *path, struct zvol_dirent **ret, size_t *ret_n);
void zvol_dirents_free(struct zvol_dirent *v, size_t n);

#endif
