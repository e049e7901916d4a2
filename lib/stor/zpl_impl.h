/* SPDX-License-Identifier: MIT */
/*
 * zpl_impl.h - the POSIX layer's operations as plain functions, between the file system's
 * objects (zpl.c) and the FUSE glue (zpl_fuse.c), so that tests drive them without a kernel.
 * Also the ZAP's one tuning knob that only tests use.
 *
 * Every zpl_* operation below takes the pool lock itself, so each one lands in a single txg.
 * Objects are named by their object number; the FUSE glue maps FUSE_ROOT_ID to zpl_fs_root().
 * Operations that return an entry (lookup, create, mkdir, symlink, link) count one lookup
 * reference on it, as the kernel does; zpl_forget() drops them. An object whose last link is
 * removed is freed once no lookup or open reference is left; until then it sits in the file
 * system's unlinked set, which is drained when the file system is opened and closed.
 */
#ifndef STOR_ZPL_IMPL_H
#define STOR_ZPL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "dmu.h"

/* A ZAP whose hashes keep only the top hashbits bits (<= 48), so that tests can make names
 * collide. Everything else uses zap_create(). */
int zap_create_hashbits(objset_t *os, uint8_t type, unsigned hashbits, uint64_t *ret_obj);

#define ZPL_BONUS_ZNODE 1 /* bonustype of an object holding a struct znode_phys */
#define ZPL_MAX_LINKS 65000u
#define ZPL_MAX_SYMLINK 4095u

struct zpl_fs;

struct zpl_cred {
	uint32_t uid;
	uint32_t gid;
	uint32_t umask; /* creating: applied to the mode unless the directory has a default ACL */
};

/* Open the file system of an object set created by zpl_create_fs(). A writable one drains its
 * unlinked set (objects left by a crash while still open). */
int zpl_fs_open(objset_t *os, bool readonly, struct zpl_fs **ret);
/* Free what is still unlinked (the kernel is gone) and the in-memory state. */
void zpl_fs_close(struct zpl_fs *fs);
uint64_t zpl_fs_root(struct zpl_fs *fs);
bool zpl_fs_readonly(struct zpl_fs *fs);
/* Whether the kernel holds a lookup or open reference on any object; pool lock held. */
bool zpl_fs_referenced(struct zpl_fs *fs);

/* Attributes: st_ino is the object number; ret_gen (may be NULL) the znode's generation. */
int zpl_getattr(struct zpl_fs *fs, uint64_t obj, struct stat *ret_st, uint64_t *ret_gen);
int zpl_lookup(struct zpl_fs *fs, uint64_t dir, const char *name, struct stat *ret_st,
	       uint64_t *ret_gen);
void zpl_forget(struct zpl_fs *fs, uint64_t obj, uint64_t nlookup);

/* mode carries the file type (S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK); rdev for devices. */
int zpl_mknod(struct zpl_fs *fs, uint64_t dir, const char *name, uint32_t mode, uint64_t rdev,
	      const struct zpl_cred *cred, struct stat *ret_st, uint64_t *ret_gen);
int zpl_mkdir(struct zpl_fs *fs, uint64_t dir, const char *name, uint32_t mode,
	      const struct zpl_cred *cred, struct stat *ret_st, uint64_t *ret_gen);
int zpl_symlink(struct zpl_fs *fs, uint64_t dir, const char *name, const char *target,
		const struct zpl_cred *cred, struct stat *ret_st, uint64_t *ret_gen);
int zpl_link(struct zpl_fs *fs, uint64_t obj, uint64_t newdir, const char *newname,
	     struct stat *ret_st, uint64_t *ret_gen);
int zpl_unlink(struct zpl_fs *fs, uint64_t dir, const char *name);
int zpl_rmdir(struct zpl_fs *fs, uint64_t dir, const char *name);
/* flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE */
int zpl_rename(struct zpl_fs *fs, uint64_t dir, const char *name, uint64_t newdir,
	       const char *newname, unsigned flags);
/* The target of a symlink, NUL-terminated; caller frees. */
int zpl_readlink(struct zpl_fs *fs, uint64_t obj, char **ret);

#define ZPL_SET_MODE (1u << 0)
#define ZPL_SET_UID (1u << 1)
#define ZPL_SET_GID (1u << 2)
#define ZPL_SET_SIZE (1u << 3)
#define ZPL_SET_ATIME (1u << 4)
#define ZPL_SET_MTIME (1u << 5)
#define ZPL_SET_ATIME_NOW (1u << 6)
#define ZPL_SET_MTIME_NOW (1u << 7)
#define ZPL_SET_CTIME (1u << 8)
/* clear setuid, and setgid if group execute is set (the kernel's FATTR_KILL_SUIDGID) */
#define ZPL_SET_KILL_SUIDGID (1u << 9)
struct zpl_setattr {
	unsigned valid; /* ZPL_SET_* */
	uint32_t mode;	/* permission bits (and S_ISUID, S_ISGID, S_ISVTX); the type is kept */
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	struct timespec atime;
	struct timespec mtime;
	struct timespec ctime;
};
/* A change of size, owner or group of a file other than a directory drops security.capability. */
int zpl_setattr(struct zpl_fs *fs, uint64_t obj, const struct zpl_setattr *sa, struct stat *ret_st);

/* Open references keep an unlinked object alive. write: the open is for writing (-EROFS on a
 * read-only file system). */
int zpl_open(struct zpl_fs *fs, uint64_t obj, bool write);
void zpl_release(struct zpl_fs *fs, uint64_t obj);

/* Read up to len bytes at off (fewer at end of file); returns the count. */
int64_t zpl_read(struct zpl_fs *fs, uint64_t obj, uint64_t off, uint64_t len, void *buf);
/* How zpl_write writes: ZPL_WRITE_APPEND, at the end of the file whatever off says. */
enum zpl_write_flags {
	ZPL_WRITE_APPEND = 1,
};
/* Write (flags: enum zpl_write_flags); drops security.capability, as every write does. Returns
 * the count. */
int64_t zpl_write(struct zpl_fs *fs, uint64_t obj, uint64_t off, uint64_t len, const void *buf,
		  unsigned flags);
/* Clear setuid, and setgid if group execute is set, as a write by a process without CAP_FSETID
 * does when the kernel leaves that to the server. 1 if the mode changed, 0 if not. */
int zpl_kill_suidgid(struct zpl_fs *fs, uint64_t obj);
/* mode: 0 (extend the size), FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE.
 * Drops security.capability, as a write does. */
int zpl_fallocate(struct zpl_fs *fs, uint64_t obj, int mode, uint64_t off, uint64_t len);
/* SEEK_DATA / SEEK_HOLE (and SEEK_SET, SEEK_CUR and SEEK_END trivially). */
int zpl_lseek(struct zpl_fs *fs, uint64_t obj, uint64_t off, int whence, uint64_t *ret_off);
/* Make everything done so far durable. */
int zpl_fsync(struct zpl_fs *fs);
int zpl_statfs(struct zpl_fs *fs, struct statvfs *ret);

/* Directory entries from cookie (0 to start) in cookie order: cb gets each with the cookie
 * that resumes after it, and returns 0 to go on or non-zero to stop (that entry is then not
 * consumed). Cookies are below 2^63 - 16, so a reader may offset them by a few. */
typedef int (*zpl_dirent_cb)(void *arg, const char *name, uint64_t obj, unsigned dtype,
			     uint64_t next_cookie);
int zpl_readdir(struct zpl_fs *fs, uint64_t dir, uint64_t cookie, zpl_dirent_cb cb, void *arg);
/* The parent of a directory (itself for the root). */
int zpl_parent(struct zpl_fs *fs, uint64_t dir, uint64_t *ret_parent);

/*
 * Extended attributes in the user., trusted. and security. namespaces (others: -EOPNOTSUPP;
 * every call: -EOPNOTSUPP when the dataset's xattr property is off). trusted.* is for uid 0
 * only: others get -EPERM on changes, -ENODATA on reads, and do not see it listed. Names are
 * up to ZPL_XATTR_NAME_MAX bytes (-ERANGE past that), values up to ZPL_XATTR_SIZE_MAX (-E2BIG).
 */
#define ZPL_XATTR_NAME_MAX 255u
#define ZPL_XATTR_SIZE_MAX 65536u
/* flags: 0, XATTR_CREATE (-EEXIST if present) or XATTR_REPLACE (-ENODATA if absent). Updates
 * ctime. */
int zpl_setxattr(struct zpl_fs *fs, uint64_t obj, const char *name, const void *value, size_t size,
		 int flags, const struct zpl_cred *cred);
/* The value's length; with size 0 only the length, and -ERANGE if it does not fit in size. */
int zpl_getxattr(struct zpl_fs *fs, uint64_t obj, const char *name, void *buf, size_t size,
		 const struct zpl_cred *cred);
/* The names, each NUL-terminated, one after another; the total length, as for getxattr. */
int zpl_listxattr(struct zpl_fs *fs, uint64_t obj, char *buf, size_t size,
		  const struct zpl_cred *cred);
/* -ENODATA if absent. Updates ctime. */
int zpl_removexattr(struct zpl_fs *fs, uint64_t obj, const char *name, const struct zpl_cred *cred);

/*
 * The snapshots behind .zfs/snapshot of a mounted file system (zpl_ctldir.c). A snapshot the
 * kernel looks up is opened read-only in a slot (1 to ZPL_SNAP_SLOTS) and long-held, until the
 * kernel drops its last reference to the snapshot's objects. Every function takes the pool
 * lock itself; only one thread (the serving one) may open and close slots.
 */
#define ZPL_SNAP_SLOTS 0xfffeu
struct zpl_snapdir;
/* For the head object set of a file system; -EINVAL for a snapshot or an object set without
 * a dataset. */
int zpl_snapdir_open(objset_t *os, struct zpl_snapdir **ret);
/* Close every open snapshot and drop its hold. */
void zpl_snapdir_close(struct zpl_snapdir *sd);
/* The snapdir property is "visible". */
bool zpl_snapdir_visible(struct zpl_snapdir *sd);
/* The snapshots' names, as zpl_readdir gives entries: obj is the snapshot's dataset object. */
int zpl_snapdir_readdir(struct zpl_snapdir *sd, uint64_t cookie, zpl_dirent_cb cb, void *arg);
/* Look a snapshot up by name, opening it if it is not open yet, and count one lookup on its
 * root directory (released by zpl_forget on the slot's file system, then zpl_snapdir_put). */
int zpl_snapdir_lookup(struct zpl_snapdir *sd, const char *name, unsigned *ret_slot,
		       uint64_t *ret_dsobj, struct stat *ret_st, uint64_t *ret_gen);
/* The file system open in a slot (NULL if none) and its snapshot's dataset object (0). */
struct zpl_fs *zpl_snapdir_fs(struct zpl_snapdir *sd, unsigned slot);
uint64_t zpl_snapdir_dsobj(struct zpl_snapdir *sd, unsigned slot);
/* The slot a snapshot's dataset object is open in, 0 if none. */
unsigned zpl_snapdir_slot(struct zpl_snapdir *sd, uint64_t dsobj);
/* After a reference to a slot's objects was dropped: close the snapshot if none is left. */
void zpl_snapdir_put(struct zpl_snapdir *sd, unsigned slot);
/* The names of the open snapshots (only name's, if name is not NULL); caller frees. */
int zpl_snapdir_open_names(struct zpl_snapdir *sd, const char *name, char ***ret, size_t *ret_n);
/* Whether snapshot name (any snapshot, if NULL) is open. */
bool zpl_snapdir_any_open(struct zpl_snapdir *sd, const char *name);

#endif
