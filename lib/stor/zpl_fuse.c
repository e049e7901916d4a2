/* SPDX-License-Identifier: MIT */
/*
 * zpl_fuse.c - serves a file system to the kernel through FUSE (libfuse3's low-level API), with
 * a few threads per mount. Each request becomes one zpl_* call, which takes the pool lock for the
 * whole operation; this file only translates: inode numbers (see INO_* below: the head's
 * objects, the objects of the snapshots open under .zfs/snapshot, and the control directory),
 * attributes, readdir offsets and replies.
 *
 * .zfs in the head's root is a read-only directory holding "snapshot", which lists the
 * snapshots of the file system (zpl_ctldir.c); each is a directory serving that snapshot's
 * object set through the same zpl_* calls, read-only. .zfs is listed by readdir only with
 * snapdir=visible, and found by lookup always.
 *
 * The kernel checks permissions (default_permissions). Clearing setuid, setgid and
 * security.capability on write, truncate and chown is the file system's (FUSE_HANDLE_KILLPRIV_V2,
 * see fuse_server.c), as the kernel's flags on each WRITE and SETATTR ask; a kernel without it
 * clears the bits itself through ordinary setattr requests (FUSE_CAP_HANDLE_KILLPRIV, the older
 * form, stays off). O_TRUNC arrives as a setattr (FUSE_CAP_ATOMIC_O_TRUNC off).
 *
 * readdir offsets: 0 is the start, 1 follows ".", 2 follows "..", 3 follows ".zfs"; an entry's
 * offset is its ZAP cookie plus 3, which stays below 2^63, so telldir/seekdir work and entries
 * added or removed while a directory is read do not disturb the others.
 */
#define FUSE_USE_VERSION 35

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <basalt/base.h>

#include "fuse_server.h"
#include "zpl.h"
#include "zpl_impl.h"

#define ZPL_TIMEOUT 1.0

/*
 * FUSE inode numbers. The top 16 bits name a space, the low 48 an object in it:
 *   space 0               the head's objects (its root directory is FUSE_ROOT_ID);
 *   space 1..0xfffe       the objects of the snapshot open in that slot (zpl_ctldir.c);
 *   space 0xffff          the control directory: 1 is .zfs, 2 is .zfs/snapshot, and
 *                         INO_CTL_SNAP + the snapshot's dataset object is .zfs/snapshot/<name>,
 *                         the root directory of that snapshot, whichever slot it is open in.
 * Object numbers of 2^48 and more cannot be served (-EOVERFLOW).
 */
#define INO_SHIFT 48
#define INO_OBJ_MASK ((1ull << INO_SHIFT) - 1)
#define INO_SPACE_CTL 0xffffull
#define INO_CTL_ROOT (INO_SPACE_CTL << INO_SHIFT | 1)
#define INO_CTL_SNAPDIR (INO_SPACE_CTL << INO_SHIFT | 2)
#define INO_CTL_SNAP 0x100ull
#define CTL_NAME ".zfs"
#define SNAPDIR_NAME "snapshot"
#define RELEASE_WAIT_MS 1000
#define RD_FIRST 3 /* the readdir offset of the first directory entry */

struct zpl_mount {
	struct zpl_fs *fs;
	struct zpl_snapdir *sd; /* NULL: no .zfs (a snapshot or a read-only object set) */
	struct fuse_server srv;
};

enum node_kind { NODE_OBJ, NODE_CTL_ROOT, NODE_CTL_SNAPDIR };

/* What an inode number names. */
struct node {
	enum node_kind kind;
	struct zpl_fs *fs; /* NODE_OBJ: the head's or a snapshot's file system */
	uint64_t obj;
	unsigned slot; /* 0: the head */
};

static struct zpl_mount *mnt_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static int resolve(struct zpl_mount *m, fuse_ino_t ino, struct node *n)
{
	uint64_t space = (uint64_t)ino >> INO_SHIFT, low = (uint64_t)ino & INO_OBJ_MASK;

	memset(n, 0, sizeof(*n));
	if (ino == FUSE_ROOT_ID) {
		n->fs = m->fs;
		n->obj = zpl_fs_root(m->fs);
		return 0;
	}
	if (space == 0) {
		n->fs = m->fs;
		n->obj = low;
		return 0;
	}
	if (!m->sd)
		return -ESTALE;
	if (space == INO_SPACE_CTL) {
		if (ino == INO_CTL_ROOT) {
			n->kind = NODE_CTL_ROOT;
			return 0;
		}
		if (ino == INO_CTL_SNAPDIR) {
			n->kind = NODE_CTL_SNAPDIR;
			return 0;
		}
		if (low < INO_CTL_SNAP)
			return -ESTALE;
		n->slot = zpl_snapdir_slot(m->sd, low - INO_CTL_SNAP);
		n->fs = zpl_snapdir_fs(m->sd, n->slot);
		if (!n->fs)
			return -ESTALE;
		n->obj = zpl_fs_root(n->fs);
		return 0;
	}
	n->slot = (unsigned)space;
	n->fs = zpl_snapdir_fs(m->sd, n->slot);
	if (!n->fs)
		return -ESTALE;
	n->obj = low;
	return 0;
}

/* The inode number of an object of the head (slot 0) or of a snapshot; 0 if it has none. */
static fuse_ino_t to_ino(struct zpl_mount *m, unsigned slot, uint64_t obj)
{
	struct zpl_fs *fs = slot ? zpl_snapdir_fs(m->sd, slot) : m->fs;

	if (!fs)
		return 0;
	if (obj == zpl_fs_root(fs)) {
		uint64_t dsobj = slot ? zpl_snapdir_dsobj(m->sd, slot) : 0;

		if (!slot)
			return FUSE_ROOT_ID;
		if (dsobj > INO_OBJ_MASK - INO_CTL_SNAP)
			return 0;
		return (fuse_ino_t)(INO_SPACE_CTL << INO_SHIFT | (INO_CTL_SNAP + dsobj));
	}
	if (obj > INO_OBJ_MASK)
		return 0;
	return (fuse_ino_t)((uint64_t)slot << INO_SHIFT | obj);
}

static bool is_head_root(struct zpl_mount *m, const struct node *n)
{
	return m->sd && n->kind == NODE_OBJ && n->slot == 0 && n->obj == zpl_fs_root(m->fs);
}

/* The name .zfs in the head's root is the control directory, whatever the root holds. */
static bool is_ctl_name(struct zpl_mount *m, const struct node *dir, const char *name)
{
	return is_head_root(m, dir) && streq(name, CTL_NAME);
}

/* A dropped reference to an object of a snapshot may let the snapshot close. */
static void put_node(struct zpl_mount *m, const struct node *n)
{
	if (n->slot)
		zpl_snapdir_put(m->sd, n->slot);
}

static void reply_err(fuse_req_t req, int r)
{
	fuse_reply_err(req, r < 0 ? -r : r);
}

/* Attributes of .zfs and .zfs/snapshot: a read-only directory with the head root's times. */
static int ctl_attr(struct zpl_mount *m, fuse_ino_t ino, struct stat *st)
{
	int r;

	r = zpl_getattr(m->fs, zpl_fs_root(m->fs), st, NULL);
	if (r < 0)
		return r;
	st->st_ino = ino;
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_size = 2;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_blocks = 0;
	return 0;
}

static void reply_attr(fuse_req_t req, unsigned slot, struct stat *st)
{
	fuse_ino_t ino = to_ino(mnt_of(req), slot, st->st_ino);

	if (!ino) {
		reply_err(req, -EOVERFLOW);
		return;
	}
	st->st_ino = ino;
	fuse_reply_attr(req, st, ZPL_TIMEOUT);
}

static void fill_entry(struct fuse_entry_param *e, struct stat *st, fuse_ino_t ino, uint64_t gen)
{
	memset(e, 0, sizeof(*e));
	st->st_ino = ino;
	e->ino = ino;
	e->generation = gen;
	e->attr = *st;
	e->attr_timeout = ZPL_TIMEOUT;
	e->entry_timeout = ZPL_TIMEOUT;
}

/* Give back the lookup a zpl call counted, for an entry the kernel did not get. */
static void unlookup(struct zpl_mount *m, struct zpl_fs *fs, unsigned slot, uint64_t obj)
{
	zpl_forget(fs, obj, 1);
	if (slot)
		zpl_snapdir_put(m->sd, slot);
}

/* Reply with an entry the zpl call counted a lookup for (in fs, the file system of slot); if
 * the kernel never gets it, give the reference back. fs NULL: a control directory. */
static void reply_entry(fuse_req_t req, int r, struct zpl_fs *fs, unsigned slot, struct stat *st,
			uint64_t gen)
{
	struct zpl_mount *m = mnt_of(req);
	struct fuse_entry_param e;
	uint64_t obj = st->st_ino;
	fuse_ino_t ino;

	if (r < 0) {
		reply_err(req, r);
		return;
	}
	ino = fs ? to_ino(m, slot, obj) : (fuse_ino_t)obj;
	if (!ino) {
		unlookup(m, fs, slot, obj);
		reply_err(req, -EOVERFLOW);
		return;
	}
	fill_entry(&e, st, ino, gen);
	if (fuse_reply_entry(req, &e) != 0 && fs)
		unlookup(m, fs, slot, obj);
}

static struct zpl_cred cred_of(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	return (struct zpl_cred){ .uid = ctx->uid, .gid = ctx->gid, .umask = ctx->umask & 0777 };
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->want &= ~(FUSE_CAP_HANDLE_KILLPRIV | FUSE_CAP_ATOMIC_O_TRUNC);
	(void)fuse_server_handle_killpriv_v2();
	/* POSIX ACLs: the kernel checks them and leaves the umask to the file system, which
	 * applies it only where no default ACL says otherwise */
	if ((conn->capable & FUSE_CAP_POSIX_ACL) && (conn->capable & FUSE_CAP_DONT_MASK))
		conn->want |= FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
	conn->time_gran = 1;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);
	struct node d;
	struct stat st;
	uint64_t gen = 0, dsobj;
	unsigned slot;
	int r;

	r = resolve(m, parent, &d);
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	if (d.kind == NODE_CTL_ROOT) {
		r = streq(name, SNAPDIR_NAME) ? ctl_attr(m, INO_CTL_SNAPDIR, &st) : -ENOENT;
		reply_entry(req, r, NULL, 0, &st, 0);
	} else if (d.kind == NODE_CTL_SNAPDIR) {
		r = zpl_snapdir_lookup(m->sd, name, &slot, &dsobj, &st, &gen);
		reply_entry(req, r, r == 0 ? zpl_snapdir_fs(m->sd, slot) : NULL, slot, &st, gen);
	} else if (is_ctl_name(m, &d, name)) {
		r = ctl_attr(m, INO_CTL_ROOT, &st);
		reply_entry(req, r, NULL, 0, &st, 0);
	} else if (d.slot && d.obj == zpl_fs_root(d.fs) && streq(name, "..")) {
		r = ctl_attr(m, INO_CTL_SNAPDIR, &st);
		reply_entry(req, r, NULL, 0, &st, 0);
	} else {
		r = zpl_lookup(d.fs, d.obj, name, &st, &gen);
		reply_entry(req, r, d.fs, d.slot, &st, gen);
	}
}

static void forget_one(struct zpl_mount *m, fuse_ino_t ino, uint64_t nlookup)
{
	struct node n;

	if (resolve(m, ino, &n) < 0 || n.kind != NODE_OBJ)
		return;
	zpl_forget(n.fs, n.obj, nlookup);
	put_node(m, &n);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	forget_one(mnt_of(req), ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct zpl_mount *m = mnt_of(req);

	for (size_t i = 0; i < count; i++)
		forget_one(m, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;
	struct stat st;
	int r;

	r = resolve(m, ino, &n);
	if (r == 0 && n.kind != NODE_OBJ) {
		r = ctl_attr(m, ino, &st);
		if (r == 0) {
			fuse_reply_attr(req, &st, ZPL_TIMEOUT);
			return;
		}
	} else if (r == 0) {
		r = zpl_getattr(n.fs, n.obj, &st, NULL);
	}
	if (r < 0)
		reply_err(req, r);
	else
		reply_attr(req, n.slot, &st);
}

/* An object to change: the control directories are read-only. */
static int resolve_obj(struct zpl_mount *m, fuse_ino_t ino, struct node *n)
{
	int r = resolve(m, ino, n);

	if (r == 0 && n->kind != NODE_OBJ)
		r = -EROFS;
	return r;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_setattr sa = { 0 };
	struct node n;
	struct stat st;
	int r;

	if (to_set & FUSE_SET_ATTR_MODE) {
		sa.valid |= ZPL_SET_MODE;
		sa.mode = attr->st_mode;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		sa.valid |= ZPL_SET_UID;
		sa.uid = attr->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		sa.valid |= ZPL_SET_GID;
		sa.gid = attr->st_gid;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (attr->st_size < 0) {
			reply_err(req, -EINVAL);
			return;
		}
		sa.valid |= ZPL_SET_SIZE;
		sa.size = (uint64_t)attr->st_size;
	}
	if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
		sa.valid |= ZPL_SET_ATIME_NOW;
	} else if (to_set & FUSE_SET_ATTR_ATIME) {
		sa.valid |= ZPL_SET_ATIME;
		sa.atime = attr->st_atim;
	}
	if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
		sa.valid |= ZPL_SET_MTIME_NOW;
	} else if (to_set & FUSE_SET_ATTR_MTIME) {
		sa.valid |= ZPL_SET_MTIME;
		sa.mtime = attr->st_mtim;
	}
	if (to_set & FUSE_SET_ATTR_CTIME) {
		sa.valid |= ZPL_SET_CTIME;
		sa.ctime = attr->st_ctim;
	}
	if (fuse_server_kill_suidgid())
		sa.valid |= ZPL_SET_KILL_SUIDGID;
	r = resolve_obj(m, ino, &n);
	if (r == 0)
		r = zpl_setattr(n.fs, n.obj, &sa, &st);
	if (r < 0)
		reply_err(req, r);
	else
		reply_attr(req, n.slot, &st);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct zpl_mount *m = mnt_of(req);
	_cleanup_free_ char *target = NULL;
	struct node n;
	int r;

	r = resolve(m, ino, &n);
	if (r == 0 && n.kind != NODE_OBJ)
		r = -EINVAL;
	if (r == 0)
		r = zpl_readlink(n.fs, n.obj, &target);
	if (r < 0)
		reply_err(req, r);
	else
		fuse_reply_readlink(req, target);
}

/* A directory to create a name in, or remove one from. */
static int resolve_dir(struct zpl_mount *m, fuse_ino_t ino, const char *name, struct node *n)
{
	int r = resolve_obj(m, ino, n);

	if (r == 0 && is_ctl_name(m, n, name))
		r = -EROFS;
	return r;
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct node d;
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = resolve_dir(m, parent, name, &d);
	if (r == 0)
		r = zpl_mknod(d.fs, d.obj, name, mode, rdev, &cred, &st, &gen);
	reply_entry(req, r, d.fs, d.slot, &st, gen);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct node d;
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = resolve_dir(m, parent, name, &d);
	if (r == 0)
		r = zpl_mkdir(d.fs, d.obj, name, mode, &cred, &st, &gen);
	reply_entry(req, r, d.fs, d.slot, &st, gen);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct node d;
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = resolve_dir(m, parent, name, &d);
	if (r == 0)
		r = zpl_symlink(d.fs, d.obj, name, link, &cred, &st, &gen);
	reply_entry(req, r, d.fs, d.slot, &st, gen);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n, d = { 0 };
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = resolve_obj(m, ino, &n);
	if (r == 0)
		r = resolve_dir(m, newparent, newname, &d);
	if (r == 0 && n.fs != d.fs)
		r = -EXDEV;
	if (r == 0)
		r = zpl_link(d.fs, n.obj, d.obj, newname, &st, &gen);
	reply_entry(req, r, d.fs, d.slot, &st, gen);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);
	struct node d;
	int r;

	r = resolve_dir(m, parent, name, &d);
	if (r == 0)
		r = zpl_unlink(d.fs, d.obj, name);
	reply_err(req, r);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);
	struct node d;
	int r;

	r = resolve_dir(m, parent, name, &d);
	if (r == 0)
		r = zpl_rmdir(d.fs, d.obj, name);
	reply_err(req, r);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	struct zpl_mount *m = mnt_of(req);
	struct node s, d = { 0 };
	int r;

	r = resolve_dir(m, parent, name, &s);
	if (r == 0)
		r = resolve_dir(m, newparent, newname, &d);
	if (r == 0 && s.fs != d.fs)
		r = -EXDEV;
	if (r == 0)
		r = zpl_rename(s.fs, s.obj, name, d.obj, newname, flags);
	reply_err(req, r);
}

static bool open_writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/*
 * Files opened only for writing, and files opened for appending, are written directly, not
 * through the page cache: the kernel then sends each write(2) whole (up to 1 MiB), where through
 * the cache it ends a request at a page it holds only in part, so that a snapshot taken between
 * the two halves of a log record would keep half of it. Opens for reading and writing keep the
 * cache: their reads are served from it, and shared mappings of them need it.
 */
static void set_direct_write(struct fuse_file_info *fi)
{
	int acc = fi->flags & O_ACCMODE;

	if (acc == O_WRONLY || ((fi->flags & O_APPEND) && acc != O_RDONLY)) {
		fi->direct_io = 1;
		fi->keep_cache = 0;
	}
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;
	int r;

	r = resolve(m, ino, &n);
	if (r == 0 && n.kind != NODE_OBJ)
		r = open_writes(fi->flags) ? -EISDIR : 0;
	else if (r == 0)
		r = zpl_open(n.fs, n.obj, open_writes(fi->flags));
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	fi->keep_cache = n.kind == NODE_OBJ;
	set_direct_write(fi);
	if (fuse_reply_open(req, fi) != 0 && n.kind == NODE_OBJ) {
		zpl_release(n.fs, n.obj);
		put_node(m, &n);
	}
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct fuse_entry_param e;
	struct node d;
	struct stat st;
	uint64_t gen = 0, obj;
	fuse_ino_t ino;
	int r;

	r = resolve_dir(m, parent, name, &d);
	if (r == 0)
		r = zpl_mknod(d.fs, d.obj, name, S_IFREG | (mode & 07777), 0, &cred, &st, &gen);
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	obj = st.st_ino;
	ino = to_ino(m, d.slot, obj);
	r = ino ? zpl_open(d.fs, obj, open_writes(fi->flags)) : -EOVERFLOW;
	if (r < 0) {
		unlookup(m, d.fs, d.slot, obj);
		reply_err(req, r);
		return;
	}
	fill_entry(&e, &st, ino, gen);
	fi->keep_cache = 1;
	set_direct_write(fi);
	if (fuse_reply_create(req, &e, fi) != 0) {
		zpl_release(d.fs, obj);
		unlookup(m, d.fs, d.slot, obj);
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	_cleanup_free_ void *buf = NULL;
	struct node n;
	int64_t r;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	r = resolve(m, ino, &n);
	if (r == 0 && n.kind != NODE_OBJ)
		r = -EISDIR;
	if (r == 0) {
		buf = bs_malloc(size);
		r = zpl_read(n.fs, n.obj, (uint64_t)off, size, buf);
	}
	if (r < 0)
		reply_err(req, (int)r);
	else
		fuse_reply_buf(req, buf, (size_t)r);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;
	int64_t r;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	r = resolve_obj(m, ino, &n);
	/* a write by a process without CAP_FSETID: the kernel leaves setuid/setgid to us, and
	 * keeps the old mode in its cache unless told */
	if (r == 0 && fuse_server_kill_suidgid() && zpl_kill_suidgid(n.fs, n.obj) > 0)
		(void)fuse_lowlevel_notify_inval_inode(m->srv.se, ino, -1, 0);
	if (r == 0)
		r = zpl_write(n.fs, n.obj, (uint64_t)off, size, buf, 0);
	if (r < 0)
		reply_err(req, (int)r);
	else
		fuse_reply_write(req, (size_t)r);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;

	if (resolve(m, ino, &n) == 0 && n.kind == NODE_OBJ) {
		zpl_release(n.fs, n.obj);
		put_node(m, &n);
	}
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	reply_err(req, zpl_fsync(mnt_of(req)->fs));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;
	struct stat st;
	int r;

	r = resolve(m, ino, &n);
	if (r == 0 && n.kind != NODE_OBJ) {
		fuse_reply_open(req, fi);
		return;
	}
	if (r == 0)
		r = zpl_getattr(n.fs, n.obj, &st, NULL);
	if (r == 0 && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r == 0)
		r = zpl_open(n.fs, n.obj, false);
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	if (fuse_reply_open(req, fi) != 0) {
		zpl_release(n.fs, n.obj);
		put_node(m, &n);
	}
}

struct readdir_buf {
	fuse_req_t req;
	struct zpl_mount *m;
	unsigned slot;	/* whose objects the entries name */
	bool snapnames; /* entries are snapshots: obj is the dataset's object */
	bool skip_ctl;	/* the head's root: an entry named .zfs is hidden by the control dir */
	char *buf;
	size_t size;
	size_t pos;
};

/* Add one entry; false when the buffer is full. */
static bool rd_add(struct readdir_buf *rd, const char *name, fuse_ino_t ino, unsigned dtype,
		   uint64_t next_off)
{
	struct stat st = { .st_ino = ino, .st_mode = (mode_t)dtype << 12 };
	size_t need = fuse_add_direntry(rd->req, NULL, 0, name, NULL, 0);

	if (rd->pos + need > rd->size)
		return false;
	fuse_add_direntry(rd->req, rd->buf + rd->pos, rd->size - rd->pos, name, &st,
			  (off_t)next_off);
	rd->pos += need;
	return true;
}

static int rd_cb(void *arg, const char *name, uint64_t obj, unsigned dtype, uint64_t next_cookie)
{
	struct readdir_buf *rd = arg;
	fuse_ino_t ino;

	if (rd->skip_ctl && streq(name, CTL_NAME))
		return 0;
	if (rd->snapnames)
		ino = obj <= INO_OBJ_MASK - INO_CTL_SNAP ?
			      (fuse_ino_t)(INO_SPACE_CTL << INO_SHIFT | (INO_CTL_SNAP + obj)) :
			      0;
	else
		ino = to_ino(rd->m, rd->slot, obj);
	if (!ino)
		return 0;
	return rd_add(rd, name, ino, dtype, next_cookie + RD_FIRST) ? 0 : 1;
}

/*
 * readdir offsets: 0 is the start, 1 follows ".", 2 follows "..", 3 follows ".zfs" (listed in
 * the head's root with snapdir=visible), and an entry's offset is its ZAP cookie plus 3.
 */
static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	_cleanup_free_ char *buf = bs_malloc(size);
	struct readdir_buf rd = { .req = req, .m = m, .buf = buf, .size = size };
	uint64_t parent;
	fuse_ino_t pino;
	struct node n;
	int r;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	r = resolve(m, ino, &n);
	if (r < 0)
		goto reply;
	if (off == 0 && !rd_add(&rd, ".", ino, DT_DIR, 1))
		goto reply;
	if (n.kind == NODE_CTL_ROOT) {
		if (off <= 1 && !rd_add(&rd, "..", FUSE_ROOT_ID, DT_DIR, 2))
			goto reply;
		if (off <= 2)
			(void)rd_add(&rd, SNAPDIR_NAME, INO_CTL_SNAPDIR, DT_DIR, RD_FIRST);
		goto reply;
	}
	if (n.kind == NODE_CTL_SNAPDIR) {
		if (off <= 1 && !rd_add(&rd, "..", INO_CTL_ROOT, DT_DIR, 2))
			goto reply;
		rd.snapnames = true;
		r = zpl_snapdir_readdir(m->sd, off > RD_FIRST ? (uint64_t)off - RD_FIRST : 0, rd_cb,
					&rd);
		goto reply;
	}
	if (off <= 1) {
		if (n.slot && n.obj == zpl_fs_root(n.fs)) {
			pino = INO_CTL_SNAPDIR;
		} else {
			r = zpl_parent(n.fs, n.obj, &parent);
			if (r < 0)
				goto reply;
			pino = to_ino(m, n.slot, parent);
		}
		if (!rd_add(&rd, "..", pino, DT_DIR, 2))
			goto reply;
	}
	if (is_head_root(m, &n)) {
		rd.skip_ctl = true;
		if (off <= 2 && zpl_snapdir_visible(m->sd) &&
		    !rd_add(&rd, CTL_NAME, INO_CTL_ROOT, DT_DIR, RD_FIRST))
			goto reply;
	}
	rd.slot = n.slot;
	r = zpl_readdir(n.fs, n.obj, off > RD_FIRST ? (uint64_t)off - RD_FIRST : 0, rd_cb, &rd);
reply:
	if (r < 0 && rd.pos == 0)
		reply_err(req, r);
	else
		fuse_reply_buf(req, buf, rd.pos);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	op_release(req, ino, fi);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	reply_err(req, zpl_fsync(mnt_of(req)->fs));
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct zpl_mount *m = mnt_of(req);
	struct statvfs sv;
	struct node n;
	int r;

	/* a snapshot's objects report it read-only; everything else the head */
	r = resolve(m, ino, &n);
	if (r < 0 || n.kind != NODE_OBJ)
		n.fs = m->fs;
	r = zpl_statfs(n.fs, &sv);
	if (r < 0)
		reply_err(req, r);
	else
		fuse_reply_statfs(req, &sv);
}

/* Whether the process making a request holds CAP_FSETID; libfuse passes only its ids, so this
 * reads its effective capabilities from /proc (none if it cannot tell: the bits then go). */
static bool caller_has_fsetid(fuse_req_t req)
{
	char path[64], line[128];
	unsigned long long caps = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)fuse_req_ctx(req)->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ull << CAP_FSETID);
}

/* The kernel leaves clearing setuid/setgid on fallocate to the server too (with
 * FUSE_HANDLE_KILLPRIV_V2), with no flag to say whether the caller may keep them. */
static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
			 struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;
	int r;

	if (offset < 0 || length <= 0) {
		reply_err(req, -EINVAL);
		return;
	}
	r = resolve_obj(m, ino, &n);
	if (r == 0 && !caller_has_fsetid(req) && zpl_kill_suidgid(n.fs, n.obj) > 0)
		(void)fuse_lowlevel_notify_inval_inode(m->srv.se, ino, -1, 0);
	if (r == 0)
		r = zpl_fallocate(n.fs, n.obj, mode, (uint64_t)offset, (uint64_t)length);
	reply_err(req, r);
}

static void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct node n;
	uint64_t res;
	int r;

	if (off < 0) {
		reply_err(req, -ENXIO);
		return;
	}
	r = resolve(m, ino, &n);
	if (r == 0 && n.kind != NODE_OBJ)
		r = -EINVAL;
	if (r == 0)
		r = zpl_lseek(n.fs, n.obj, (uint64_t)off, whence, &res);
	if (r < 0)
		reply_err(req, r);
	else
		fuse_reply_lseek(req, (off_t)res);
}

/* Extended attributes. The control directories have none and refuse changes. */
static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	struct zpl_cred cred = cred_of(req);
	struct node n;
	int r;

	r = resolve_obj(mnt_of(req), ino, &n);
	if (r == 0)
		r = zpl_setxattr(n.fs, n.obj, name, value, size, flags, &cred);
	reply_err(req, r < 0 ? r : 0);
}

/* Reply to getxattr or listxattr: the size alone when asked for it, else the bytes. */
static void reply_xattr(fuse_req_t req, int r, const char *buf)
{
	if (r < 0)
		reply_err(req, r);
	else if (!buf)
		fuse_reply_xattr(req, (size_t)r);
	else
		fuse_reply_buf(req, buf, (size_t)r);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct zpl_cred cred = cred_of(req);
	_cleanup_free_ char *buf = NULL;
	struct node n;
	int r;

	r = resolve(mnt_of(req), ino, &n);
	if (r == 0 && n.kind != NODE_OBJ)
		r = -ENODATA;
	if (r == 0 && size)
		buf = bs_malloc(MIN(size, (size_t)ZPL_XATTR_SIZE_MAX));
	if (r == 0)
		r = zpl_getxattr(n.fs, n.obj, name, buf, MIN(size, (size_t)ZPL_XATTR_SIZE_MAX),
				 &cred);
	reply_xattr(req, r, buf);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct zpl_cred cred = cred_of(req);
	_cleanup_free_ char *buf = NULL;
	struct node n;
	int r;

	r = resolve(mnt_of(req), ino, &n);
	if (r == 0 && size)
		buf = bs_malloc(size);
	if (r == 0 && n.kind != NODE_OBJ)
		r = 0;
	else if (r == 0)
		r = zpl_listxattr(n.fs, n.obj, buf, size, &cred);
	reply_xattr(req, r, buf);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct zpl_cred cred = cred_of(req);
	struct node n;
	int r;

	r = resolve_obj(mnt_of(req), ino, &n);
	if (r == 0)
		r = zpl_removexattr(n.fs, n.obj, name, &cred);
	reply_err(req, r < 0 ? r : 0);
}

static const struct fuse_lowlevel_ops zpl_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.release = op_release,
	.fsync = op_fsync,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.statfs = op_statfs,
	.create = op_create,
	.fallocate = op_fallocate,
	.lseek = op_lseek,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
};

/*
 * Requests on the head's objects run side by side: each zpl call takes the pool lock, and this
 * file keeps no state of its own for them. The slots of .zfs/snapshot are opened and closed
 * without a lock of their own, so requests on the control directory and on snapshots' objects
 * (by their inode numbers' space), forgets (which may close a slot), and the requests that name a
 * second directory in their arguments are served one at a time.
 */
static bool request_exclusive(uint32_t opcode, uint64_t nodeid)
{
	switch (opcode) {
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_RENAME:
	case FUSE_RENAME2:
	case FUSE_LINK:
		return true;
	default:
		return nodeid >> INO_SHIFT != 0;
	}
}

/* Option values are comma-separated: escape commas and backslashes in the dataset's name. */
static char *opt_escape(const char *s)
{
	char *out = bs_malloc(2 * strlen(s) + 1), *p = out;

	for (; *s; s++) {
		if (*s == ',' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

static void mount_free(struct zpl_mount *m)
{
	zpl_snapdir_close(m->sd);
	zpl_fs_close(m->fs);
	free(m);
}

/* One serving thread per CPU, at least two (one reads the next request while another writes a
 * reply) and at most FUSE_SERVER_MAX_THREADS. More threads than CPUs only take turns at waking:
 * on the 2-CPU test machine three threads served 42,000-47,000 4 KiB random writes a second,
 * two 60,000-66,000, and four 40,000. */
static unsigned serving_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return (unsigned)MIN(MAX(n, 2), FUSE_SERVER_MAX_THREADS);
}

int zpl_mount(objset_t *os, const char *dsname, const char *mountpoint, bool readonly,
	      struct zpl_mount **ret)
{
	_cleanup_free_ char *name = NULL, *opts = NULL, *what = NULL;
	struct zpl_mount *m;
	int r;

	r = bs_mkdir_p(mountpoint, 0755);
	if (r < 0)
		return bs_error(-r, "cannot create mountpoint '%s': %s", mountpoint, strerror(-r));

	m = bs_zalloc(sizeof(*m));
	r = zpl_fs_open(os, readonly, &m->fs);
	if (r < 0) {
		free(m);
		return bs_error(-r, "cannot open the file system of '%s': %s", dsname,
				strerror(-r));
	}
	readonly = zpl_fs_readonly(m->fs);
	if (!dmu_objset_is_snapshot(os) && dmu_objset_ds(os))
		(void)zpl_snapdir_open(os, &m->sd);

	name = opt_escape(dsname);
	opts = bs_asprintf("default_permissions,allow_other,fsname=%s,subtype=basalt%s", name,
			   readonly ? ",ro" : "");
	what = bs_asprintf("'%s'", dsname);
	r = fuse_server_start(&m->srv, mountpoint, opts, &zpl_ops, sizeof(zpl_ops), m,
			      serving_threads(), request_exclusive, what);
	if (r < 0) {
		mount_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

int zpl_unmount(struct zpl_mount *m, bool force)
{
	int r;

	r = fuse_server_stop(&m->srv, force);
	if (r < 0)
		return r;
	mount_free(m);
	return 0;
}

int zpl_mount_release_snapshots(struct zpl_mount *m, const char *snap)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	if (!m->sd)
		return 0;
	r = zpl_snapdir_open_names(m->sd, snap, &names, &n);
	if (r < 0 || n == 0)
		return r;
	/*
	 * The kernel drops what nothing uses and sends the forgets that close the snapshot. A
	 * lookup first puts back a dentry an earlier, refused release left unhashed while in use,
	 * which would otherwise escape the invalidation with the children it pins.
	 */
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = bs_asprintf("%s/" CTL_NAME "/" SNAPDIR_NAME "/%s",
							m->srv.mountpoint, names[i]);
		struct stat st;

		(void)stat(path, &st);
		(void)fuse_lowlevel_notify_inval_entry(m->srv.se, INO_CTL_SNAPDIR, names[i],
						       strlen(names[i]));
		free(names[i]);
	}
	free(names);
	for (unsigned ms = 0; ms < RELEASE_WAIT_MS; ms += 10) {
		if (!zpl_snapdir_any_open(m->sd, snap))
			return 0;
		usleep(10000);
	}
	return -EBUSY;
}
