/* SPDX-License-Identifier: MIT */
/*
 * zpl.h - the POSIX layer: files, directories, links and attributes stored as objects of a
 * file-system object set, and served to the kernel through FUSE.
 *
 * Layout of a file-system object set: object 1 is the master node (a ZAP holding "ROOT" -> the
 * root directory's object and "VERSION"); every file is an object whose bonus buffer is a
 * struct znode_phys; a directory is a ZAP of name -> (object | DT_* type << 60); a symlink keeps
 * its target in its data. A file's extended attributes live in a ZAP of their own, named by
 * znode_phys.xattr (see zpl.c).
 */
#ifndef STOR_ZPL_H
#define STOR_ZPL_H

#include <stdbool.h>
#include <stdint.h>

#include "dmu.h"

#define ZPL_MASTER_OBJ 1
#define ZPL_VERSION 1

struct znode_phys {
	uint64_t mode; /* S_IFMT | permissions */
	uint64_t uid;
	uint64_t gid;
	uint64_t nlink;
	uint64_t size;
	uint64_t parent; /* the directory it was created in (for naming it in error reports) */
	uint64_t rdev;
	uint64_t flags;
	uint64_t atime[2]; /* seconds, nanoseconds */
	uint64_t mtime[2];
	uint64_t ctime[2];
	uint64_t crtime[2];
	uint64_t gen;
	uint64_t xattr; /* the extended attributes' ZAP (DMU_OT_XATTR_DIR), 0 if never set */
	uint64_t pad[2];
};

/* Lay out a new, empty file system (master node, root directory owned by root, mode 0755) in
 * an object set just created. Pool lock held. */
int zpl_create_fs(objset_t *os);

/* Path of an object from its parent links, for `zpool status -v` ("/dir/file"); pool lock held.
 * Caller frees. */
int zpl_obj_path(objset_t *os, uint64_t obj, char **ret);

struct zpl_mount;
/* Serve the file system at mountpoint (created if missing) through FUSE, from a thread of its
 * own. The object set stays held until unmount. readonly for snapshots and readonly=on. */
int zpl_mount(objset_t *os, const char *dsname, const char *mountpoint, bool readonly,
	      struct zpl_mount **ret);
/* Make the kernel let go of the snapshot snap (every snapshot, if NULL) of the mounted file
 * system, as seen under .zfs/snapshot, and wait up to a second for it to close: -EBUSY if it is
 * still in use (a process has a file open or its working directory there). Pool lock NOT
 * held. */
int zpl_mount_release_snapshots(struct zpl_mount *m, const char *snap);
/* Unmount (lazily when force) and wait for the serving thread to end. Pool lock NOT held. */
int zpl_unmount(struct zpl_mount *m, bool force);

#endif
