/* SPDX-License-Identifier: MIT */
/*
 * zpl_fuse.c - serves a file system to the kernel through FUSE (libfuse3's low-level API), one
 * thread per mount. Each request becomes one zpl_* call, which takes the pool lock for the
 * whole operation; this file only translates: inode numbers (FUSE_ROOT_ID is the root
 * directory's object, every other inode number is its object number), attributes, readdir
 * offsets and replies.
 *
 * The kernel checks permissions (default_permissions) and clears setuid/setgid bits on write,
 * truncate and chown itself: the file system turns FUSE_CAP_HANDLE_KILLPRIV off so that the
 * kernel sends those changes as ordinary setattr requests. O_TRUNC also arrives as a setattr
 * (FUSE_CAP_ATOMIC_O_TRUNC off).
 *
 * readdir offsets: 0 is the start, 1 follows ".", 2 follows ".."; an entry's offset is its ZAP
 * cookie plus 2, which stays below 2^63, so telldir/seekdir work and entries added or removed
 * while a directory is read do not disturb the others.
 */
#define FUSE_USE_VERSION 35

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <basalt/base.h>

#include "zpl.h"
#include "zpl_impl.h"

#define ZPL_TIMEOUT 1.0
#define FUSECTL_DIR "/sys/fs/fuse/connections"

struct zpl_mount {
	struct zpl_fs *fs;
	struct fuse_session *se;
	char *mountpoint;
	pthread_t thread;
	bool thread_started;
	dev_t dev; /* of the mounted file system: names its FUSE connection */
};

static struct zpl_mount *mnt_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static uint64_t to_obj(struct zpl_mount *m, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? zpl_fs_root(m->fs) : (uint64_t)ino;
}

static fuse_ino_t to_ino(struct zpl_mount *m, uint64_t obj)
{
	return obj == zpl_fs_root(m->fs) ? FUSE_ROOT_ID : (fuse_ino_t)obj;
}

static void reply_err(fuse_req_t req, int r)
{
	fuse_reply_err(req, r < 0 ? -r : r);
}

static void reply_attr(fuse_req_t req, struct stat *st)
{
	st->st_ino = to_ino(mnt_of(req), st->st_ino);
	fuse_reply_attr(req, st, ZPL_TIMEOUT);
}

static void fill_entry(struct zpl_mount *m, struct fuse_entry_param *e, struct stat *st,
		       uint64_t gen)
{
	memset(e, 0, sizeof(*e));
	st->st_ino = to_ino(m, st->st_ino);
	e->ino = st->st_ino;
	e->generation = gen;
	e->attr = *st;
	e->attr_timeout = ZPL_TIMEOUT;
	e->entry_timeout = ZPL_TIMEOUT;
}

/* Reply with an entry the zpl call counted a lookup for; if the kernel never gets it, give the
 * reference back. */
static void reply_entry(fuse_req_t req, int r, struct stat *st, uint64_t gen)
{
	struct zpl_mount *m = mnt_of(req);
	struct fuse_entry_param e;
	uint64_t obj = st->st_ino;

	if (r < 0) {
		reply_err(req, r);
		return;
	}
	fill_entry(m, &e, st, gen);
	if (fuse_reply_entry(req, &e) != 0)
		zpl_forget(m->fs, obj, 1);
}

static struct zpl_cred cred_of(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	return (struct zpl_cred){ .uid = ctx->uid, .gid = ctx->gid };
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->want &= ~(FUSE_CAP_HANDLE_KILLPRIV | FUSE_CAP_ATOMIC_O_TRUNC);
	conn->time_gran = 1;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = zpl_lookup(m->fs, to_obj(m, parent), name, &st, &gen);
	reply_entry(req, r, &st, gen);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct zpl_mount *m = mnt_of(req);

	zpl_forget(m->fs, to_obj(m, ino), nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct zpl_mount *m = mnt_of(req);

	for (size_t i = 0; i < count; i++)
		zpl_forget(m->fs, to_obj(m, forgets[i].ino), forgets[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct stat st;
	int r;

	r = zpl_getattr(m->fs, to_obj(m, ino), &st, NULL);
	if (r < 0)
		reply_err(req, r);
	else
		reply_attr(req, &st);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_setattr sa = { 0 };
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
	r = zpl_setattr(m->fs, to_obj(m, ino), &sa, &st);
	if (r < 0)
		reply_err(req, r);
	else
		reply_attr(req, &st);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct zpl_mount *m = mnt_of(req);
	_cleanup_free_ char *target = NULL;
	int r;

	r = zpl_readlink(m->fs, to_obj(m, ino), &target);
	if (r < 0)
		reply_err(req, r);
	else
		fuse_reply_readlink(req, target);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = zpl_mknod(m->fs, to_obj(m, parent), name, mode, rdev, &cred, &st, &gen);
	reply_entry(req, r, &st, gen);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = zpl_mkdir(m->fs, to_obj(m, parent), name, mode, &cred, &st, &gen);
	reply_entry(req, r, &st, gen);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = zpl_symlink(m->fs, to_obj(m, parent), name, link, &cred, &st, &gen);
	reply_entry(req, r, &st, gen);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct zpl_mount *m = mnt_of(req);
	struct stat st;
	uint64_t gen = 0;
	int r;

	r = zpl_link(m->fs, to_obj(m, ino), to_obj(m, newparent), newname, &st, &gen);
	reply_entry(req, r, &st, gen);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);

	reply_err(req, zpl_unlink(m->fs, to_obj(m, parent), name));
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct zpl_mount *m = mnt_of(req);

	reply_err(req, zpl_rmdir(m->fs, to_obj(m, parent), name));
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	struct zpl_mount *m = mnt_of(req);

	reply_err(req,
		  zpl_rename(m->fs, to_obj(m, parent), name, to_obj(m, newparent), newname, flags));
}

static bool open_writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	int r;

	r = zpl_open(m->fs, to_obj(m, ino), open_writes(fi->flags));
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	if (fuse_reply_open(req, fi) != 0)
		zpl_release(m->fs, to_obj(m, ino));
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct zpl_cred cred = cred_of(req);
	struct fuse_entry_param e;
	struct stat st;
	uint64_t gen = 0, obj;
	int r;

	r = zpl_mknod(m->fs, to_obj(m, parent), name, S_IFREG | (mode & 07777), 0, &cred, &st,
		      &gen);
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	obj = st.st_ino;
	r = zpl_open(m->fs, obj, open_writes(fi->flags));
	if (r < 0) {
		zpl_forget(m->fs, obj, 1);
		reply_err(req, r);
		return;
	}
	fill_entry(m, &e, &st, gen);
	if (fuse_reply_create(req, &e, fi) != 0) {
		zpl_release(m->fs, obj);
		zpl_forget(m->fs, obj, 1);
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	_cleanup_free_ void *buf = NULL;
	int64_t n;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	buf = bs_malloc(size);
	n = zpl_read(m->fs, to_obj(m, ino), (uint64_t)off, size, buf);
	if (n < 0)
		reply_err(req, (int)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	int64_t n;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	n = zpl_write(m->fs, to_obj(m, ino), (uint64_t)off, size, buf, false);
	if (n < 0)
		reply_err(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);

	zpl_release(m->fs, to_obj(m, ino));
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	reply_err(req, zpl_fsync(mnt_of(req)->fs));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	struct stat st;
	int r;

	r = zpl_getattr(m->fs, to_obj(m, ino), &st, NULL);
	if (r == 0 && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r == 0)
		r = zpl_open(m->fs, to_obj(m, ino), false);
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	if (fuse_reply_open(req, fi) != 0)
		zpl_release(m->fs, to_obj(m, ino));
}

struct readdir_buf {
	fuse_req_t req;
	struct zpl_mount *m;
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

	return rd_add(rd, name, to_ino(rd->m, obj), dtype, next_cookie + 2) ? 0 : 1;
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	_cleanup_free_ char *buf = bs_malloc(size);
	struct readdir_buf rd = { .req = req, .m = m, .buf = buf, .size = size };
	uint64_t dir = to_obj(m, ino), parent;
	int r = 0;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	if (off == 0 && !rd_add(&rd, ".", ino, DT_DIR, 1))
		goto reply;
	if (off <= 1) {
		r = zpl_parent(m->fs, dir, &parent);
		if (r < 0)
			goto reply;
		if (!rd_add(&rd, "..", to_ino(m, parent), DT_DIR, 2))
			goto reply;
	}
	r = zpl_readdir(m->fs, dir, off >= 2 ? (uint64_t)off - 2 : 0, rd_cb, &rd);
reply:
	if (r < 0 && rd.pos == 0)
		reply_err(req, r);
	else
		fuse_reply_buf(req, buf, rd.pos);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);

	zpl_release(m->fs, to_obj(m, ino));
	fuse_reply_err(req, 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	reply_err(req, zpl_fsync(mnt_of(req)->fs));
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;
	int r;

	r = zpl_statfs(mnt_of(req)->fs, &sv);
	if (r < 0)
		reply_err(req, r);
	else
		fuse_reply_statfs(req, &sv);
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
			 struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);

	if (offset < 0 || length <= 0) {
		reply_err(req, -EINVAL);
		return;
	}
	reply_err(req,
		  zpl_fallocate(m->fs, to_obj(m, ino), mode, (uint64_t)offset, (uint64_t)length));
}

static void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	struct zpl_mount *m = mnt_of(req);
	uint64_t res;
	int r;

	if (off < 0) {
		reply_err(req, -ENXIO);
		return;
	}
	r = zpl_lseek(m->fs, to_obj(m, ino), (uint64_t)off, whence, &res);
	if (r < 0)
		reply_err(req, r);
	else
		fuse_reply_lseek(req, (off_t)res);
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
	.flush = op_flush,
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
};

static void *serve(void *arg)
{
	struct zpl_mount *m = arg;

	(void)fuse_session_loop(m->se);
	return NULL;
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

/* Cut the FUSE connection, so that the serving thread ends even when the mount lives on in
 * another mount namespace or was detached while busy. */
static void abort_connection(dev_t dev)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), FUSECTL_DIR "/%u/abort", major(dev) << 20 | minor(dev));
	if (access(FUSECTL_DIR "/", F_OK) == 0 && access(path, F_OK) < 0 && errno == ENOENT)
		(void)mount("fusectl", FUSECTL_DIR, "fusectl", 0, NULL);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)!write(fd, "1", 1);
	close(fd);
}

static void mount_free(struct zpl_mount *m)
{
	if (m->se)
		fuse_session_destroy(m->se);
	zpl_fs_close(m->fs);
	free(m->mountpoint);
	free(m);
}

int zpl_mount(objset_t *os, const char *dsname, const char *mountpoint, bool readonly,
	      struct zpl_mount **ret)
{
	_cleanup_free_ char *name = NULL, *opts = NULL;
	struct zpl_mount *m;
	struct stat st;
	sigset_t all, old;
	int r;

	r = bs_mkdir_p(mountpoint, 0755);
	if (r < 0)
		return bs_error(-r, "cannot create mountpoint '%s': %s", mountpoint, strerror(-r));

	m = bs_zalloc(sizeof(*m));
	m->mountpoint = bs_strdup(mountpoint);
	r = zpl_fs_open(os, readonly, &m->fs);
	if (r < 0) {
		free(m->mountpoint);
		free(m);
		return bs_error(-r, "cannot open the file system of '%s': %s", dsname,
				strerror(-r));
	}
	readonly = zpl_fs_readonly(m->fs);

	name = opt_escape(dsname);
	opts = bs_asprintf("default_permissions,allow_other,fsname=%s,subtype=basalt%s", name,
			   readonly ? ",ro" : "");
	char *argv[] = { (char *)"basalt", (char *)"-o", opts, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);

	m->se = fuse_session_new(&args, &zpl_ops, sizeof(zpl_ops), m);
	fuse_opt_free_args(&args);
	if (!m->se) {
		mount_free(m);
		return bs_error(EIO, "cannot start a FUSE session for '%s'", dsname);
	}
	if (fuse_session_mount(m->se, mountpoint) != 0) {
		mount_free(m);
		return bs_error(EIO, "cannot mount '%s' on '%s' through FUSE", dsname, mountpoint);
	}

	/* the serving thread takes no signals: they belong to the daemon's own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&m->thread, NULL, serve, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		fuse_session_unmount(m->se);
		mount_free(m);
		return bs_error(-r, "cannot start the thread serving '%s'", dsname);
	}
	m->thread_started = true;

	/* (answered by the serving thread, so only now) */
	if (stat(mountpoint, &st) == 0)
		m->dev = st.st_dev;
	*ret = m;
	return 0;
}

int zpl_unmount(struct zpl_mount *m, bool force)
{
	if (umount2(m->mountpoint, force ? MNT_DETACH : 0) < 0 && errno != EINVAL) {
		int err = errno;

		if (!force)
			return bs_error(err, "cannot unmount '%s': %s", m->mountpoint,
					strerror(err));
	}
	if (m->dev)
		abort_connection(m->dev);
	fuse_session_exit(m->se);
	if (m->thread_started)
		pthread_join(m->thread, NULL);
	fuse_session_unmount(m->se);
	mount_free(m);
	return 0;
}
