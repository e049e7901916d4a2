/* SPDX-License-Identifier: MIT */
/*
 * zvol_fuse.c - every volume of every imported pool as a file under $BASALT_ROOT/run/zvol, the
 * way /dev/zvol shows them on a system with ZFS: "zvol/tank/vms/disk0" is the volume
 * tank/vms/disk0, "zvol/tank/vms/disk0@snap" its snapshot (read-only). One FUSE file system
 * (libfuse3 low level) served by one thread; the VMM opens these files as its disks.
 *
 * The tree is not kept: every lookup and readdir asks zvol.c what the names mean now, with
 * entry and attribute timeouts of zero, so a volume that is created, cloned, renamed, destroyed
 * or grown shows at once. Inode numbers name (path, dataset guid) pairs for as long as the
 * kernel remembers them (lookup counts, given back by forget); a name that comes back for
 * another dataset gets another inode.
 *
 * Files are opened with direct I/O: no page cache, each read or write of the application is one
 * request of up to 1 MiB, and one zvol_* call. Opening a file takes a long hold on the volume
 * (destroy answers EBUSY, export too), released when the kernel releases the file, or when the
 * file system is stopped.
 */
#define FUSE_USE_VERSION 35

#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include <basalt/base.h>
#include <basalt/stor.h>

#include "fuse_server.h"
#include "zvol.h"

#define ZVOL_DIR_REL "run/zvol"

/* A name the kernel knows: path in the tree and the dataset it named when looked up. */
struct node {
	fuse_ino_t ino;
	char *path;
	uint64_t guid;
	uint64_t nlookup;
	struct node *next;
};

/* An open file. */
struct handle {
	struct zvol *zv;
	struct zvol_node_info info; /* as at open; the size is asked again */
	struct handle *prev, *next;
};

struct dir_handle {
	struct zvol_dirent *v;
	size_t n;
};

static struct {
	struct fuse_server srv;
	time_t started; /* the root directory's times */
	/* the serving thread's alone while it runs */
	struct node root;
	struct node *nodes;
	fuse_ino_t next_ino;
	/* open files, also walked by stor_zvol_stop() */
	pthread_mutex_t lock;
	struct handle *handles;
} zs = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void reply_err(fuse_req_t req, int r)
{
	fuse_reply_err(req, r < 0 ? -r : r);
}

/* ---- nodes ---- */

static struct node *node_by_ino(fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return &zs.root;
	for (struct node *n = zs.nodes; n; n = n->next)
		if (n->ino == ino)
			return n;
	return NULL;
}

/* The node for (path, guid), made if new; the caller counts the lookup. */
static struct node *node_get(const char *path, uint64_t guid)
{
	struct node *n;

	if (!path[0])
		return &zs.root;
	for (n = zs.nodes; n; n = n->next)
		if (n->guid == guid && streq(n->path, path))
			return n;
	n = bs_zalloc(sizeof(*n));
	n->ino = zs.next_ino++;
	n->path = bs_strdup(path);
	n->guid = guid;
	n->next = zs.nodes;
	zs.nodes = n;
	return n;
}

static void node_forget(struct node *n, uint64_t count)
{
	struct node **pp;

	if (n == &zs.root)
		return;
	n->nlookup -= MIN(count, n->nlookup);
	if (n->nlookup)
		return;
	for (pp = &zs.nodes; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	free(n->path);
	free(n);
}

static void nodes_free(void)
{
	while (zs.nodes) {
		struct node *n = zs.nodes;

		zs.nodes = n->next;
		free(n->path);
		free(n);
	}
}

static char *child_path(const struct node *parent, const char *name)
{
	return parent->path[0] ? bs_asprintf("%s/%s", parent->path, name) : bs_strdup(name);
}

/* The node's dataset as it is now; -ENOENT if the name has gone or names another dataset. */
static int node_stat(const struct node *n, struct zvol_node_info *ret)
{
	int r;

	r = zvol_stat(n->path, ret);
	if (r == 0 && ret->guid != n->guid)
		r = -ENOENT;
	return r;
}

static void fill_stat(struct stat *st, fuse_ino_t ino, const struct zvol_node_info *info)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (info->kind == ZVOL_DIR) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | (info->readonly ? 0400 : 0600);
		st->st_nlink = 1;
		st->st_size = (off_t)info->size;
		st->st_blocks = (blkcnt_t)(info->referenced / 512);
	}
	st->st_blksize = 1 << 20;
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec =
		ino == FUSE_ROOT_ID ? zs.started : (time_t)info->crtime;
}

static void fill_entry(struct fuse_entry_param *e, struct node *n,
		       const struct zvol_node_info *info)
{
	memset(e, 0, sizeof(*e));
	e->ino = n->ino;
	e->generation = 1;
	fill_stat(&e->attr, n->ino, info);
}

/* ---- requests ---- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	/* O_TRUNC arrives as an open flag, which a volume ignores, as a block device does */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* readdir counts its entries as lookups: always readdirplus */
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct node *p = node_by_ino(parent), *n;
	_cleanup_free_ char *path = NULL;
	struct zvol_node_info info;
	struct fuse_entry_param e;
	int r;

	if (!p) {
		reply_err(req, -ESTALE);
		return;
	}
	path = child_path(p, name);
	r = zvol_stat(path, &info);
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	n = node_get(path, info.guid);
	n->nlookup++;
	fill_entry(&e, n, &info);
	if (fuse_reply_entry(req, &e) != 0)
		node_forget(n, 1);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct node *n = node_by_ino(ino);

	if (n)
		node_forget(n, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++) {
		struct node *n = node_by_ino(forgets[i].ino);

		if (n)
			node_forget(n, forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
	struct node *n = node_by_ino(ino);
	struct zvol_node_info info;
	struct stat st;
	int r;

	if (h) {
		/* an open file: its volume, whatever its name is now */
		info = h->info;
		r = zvol_size(h->zv, &info.size);
	} else {
		r = n ? node_stat(n, &info) : -ESTALE;
	}
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	fill_stat(&st, ino, &info);
	fuse_reply_attr(req, &st, 0);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct node *n = node_by_ino(ino);
	struct zvol_node_info info;
	struct stat st;
	int r;

	r = n ? node_stat(n, &info) : -ESTALE;
	if (r == 0 && (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		r = -EPERM;
	/* a volume's size is its volsize property; truncating to it changes nothing */
	if (r == 0 && (to_set & FUSE_SET_ATTR_SIZE) &&
	    (info.kind == ZVOL_DIR || (uint64_t)attr->st_size != info.size))
		r = -EINVAL;
	/* times are the dataset's creation time: setting them is accepted and changes nothing */
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	fill_stat(&st, ino, &info);
	fuse_reply_attr(req, &st, 0);
}

static void refuse(fuse_req_t req)
{
	reply_err(req, -EPERM);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	refuse(req);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	refuse(req);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	refuse(req);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	refuse(req);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	refuse(req);
}

static void handles_add(struct handle *h)
{
	pthread_mutex_lock(&zs.lock);
	h->next = zs.handles;
	if (zs.handles)
		zs.handles->prev = h;
	zs.handles = h;
	pthread_mutex_unlock(&zs.lock);
}

static void handles_remove(struct handle *h)
{
	pthread_mutex_lock(&zs.lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		zs.handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&zs.lock);
}

static void handle_close(struct handle *h)
{
	handles_remove(h);
	zvol_close(h->zv);
	free(h);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node *n = node_by_ino(ino);
	struct handle *h;
	struct zvol_node_info info;
	struct zvol *zv;
	int r;

	r = n ? node_stat(n, &info) : -ESTALE;
	if (r == 0 && info.kind == ZVOL_DIR)
		r = -EISDIR;
	if (r == 0)
		r = zvol_open(n->path, (fi->flags & O_ACCMODE) != O_RDONLY, n->guid, &zv);
	bs_error_clear();
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	h = bs_zalloc(sizeof(*h));
	h->zv = zv;
	h->info = info;
	handles_add(h);
	fi->fh = (uintptr_t)h;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi) != 0)
		handle_close(h);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	_cleanup_free_ void *buf = NULL;
	int64_t n;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	buf = bs_malloc(size ? size : 1);
	n = zvol_read(h->zv, (uint64_t)off, size, buf);
	if (n < 0)
		reply_err(req, (int)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int64_t n;

	if (off < 0) {
		reply_err(req, -EINVAL);
		return;
	}
	n = zvol_write(h->zv, (uint64_t)off, size, buf);
	bs_error_clear();
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
	handle_close((struct handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int r;

	r = zvol_flush(h->zv);
	bs_error_clear();
	reply_err(req, r);
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	uint64_t size;
	int r;

	if (off < 0 || len <= 0) {
		reply_err(req, -EINVAL);
		return;
	}
	switch (mode & ~FALLOC_FL_KEEP_SIZE) {
	case FALLOC_FL_PUNCH_HOLE:
	case FALLOC_FL_ZERO_RANGE:
		/* a discarded range reads as zeros: both are a discard */
		if (mode == FALLOC_FL_PUNCH_HOLE) {
			r = -EINVAL; /* punching a hole needs KEEP_SIZE */
			break;
		}
		r = zvol_discard(h->zv, (uint64_t)off, (uint64_t)len);
		break;
	case 0:
		/* every block of the volume is there to be written: nothing to reserve, but a
		 * volume does not grow past its volsize */
		r = zvol_size(h->zv, &size);
		if (r == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && (uint64_t)off + (uint64_t)len > size)
			r = -EFBIG;
		break;
	default:
		r = -EOPNOTSUPP;
	}
	bs_error_clear();
	reply_err(req, r);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node *n = node_by_ino(ino);
	struct dir_handle *d;
	struct zvol_node_info info;
	int r;

	r = n ? node_stat(n, &info) : -ESTALE;
	if (r == 0 && info.kind != ZVOL_DIR)
		r = -ENOTDIR;
	if (r < 0) {
		reply_err(req, r);
		return;
	}
	d = bs_zalloc(sizeof(*d));
	r = zvol_list(n->path, &d->v, &d->n);
	bs_error_clear();
	if (r < 0) {
		free(d);
		reply_err(req, r);
		return;
	}
	fi->fh = (uintptr_t)d;
	if (fuse_reply_open(req, fi) != 0) {
		zvol_dirents_free(d->v, d->n);
		free(d);
	}
}

/* Offsets: 0 is the start, 1 follows ".", 2 follows "..", i + 3 follows entry i. */
static void readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi, bool plus)
{
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;
	struct node *dir = node_by_ino(ino);
	_cleanup_free_ char *buf = bs_malloc(size);
	size_t pos = 0;

	if (!dir || off < 0) {
		reply_err(req, dir ? -EINVAL : -ESTALE);
		return;
	}
	for (uint64_t i = (uint64_t)off; i < d->n + 2; i++) {
		const char *name = i == 0 ? "." : i == 1 ? ".." : d->v[i - 2].name;
		struct fuse_entry_param e = { 0 };
		struct node *n = NULL;
		size_t need;

		need = plus ? fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0) :
			      fuse_add_direntry(req, NULL, 0, name, NULL, 0);
		if (pos + need > size)
			break;
		if (i < 2) {
			/* the kernel takes no reference on these */
			e.ino = i == 0 ? ino : FUSE_ROOT_ID;
			e.attr.st_ino = e.ino;
			e.attr.st_mode = S_IFDIR;
		} else {
			_cleanup_free_ char *path = child_path(dir, name);

			n = node_get(path, d->v[i - 2].info.guid);
			fill_entry(&e, n, &d->v[i - 2].info);
		}
		if (plus) {
			if (n)
				n->nlookup++;
			fuse_add_direntry_plus(req, buf + pos, size - pos, name, &e, (off_t)i + 1);
		} else {
			fuse_add_direntry(req, buf + pos, size - pos, name, &e.attr, (off_t)i + 1);
			if (n && !n->nlookup)
				node_forget(n, 0);
		}
		pos += need;
	}
	fuse_reply_buf(req, buf, pos);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	readdir_common(req, ino, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	readdir_common(req, ino, size, off, fi, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;

	zvol_dirents_free(d->v, d->n);
	free(d);
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops zvol_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.rename = op_rename,
	.create = op_create,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.fallocate = op_fallocate,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
};

/* ---- starting and stopping ---- */

int stor_zvol_start(void)
{
	_cleanup_free_ char *dir = NULL;
	struct stat st;
	int r;

	if (zs.srv.se)
		return 0;
	dir = bs_root_path(ZVOL_DIR_REL);
	/* a mount left by a daemon that died answers nothing: take it away first */
	if (stat(dir, &st) < 0 && errno == ENOTCONN)
		(void)umount2(dir, MNT_DETACH);
	r = bs_mkdir_p(dir, 0755);
	if (r < 0)
		return bs_error(-r, "cannot create '%s': %s", dir, strerror(-r));
	zs.root = (struct node){ .ino = FUSE_ROOT_ID, .path = (char *)"" };
	zs.next_ino = FUSE_ROOT_ID + 1;
	zs.started = time(NULL);
	r = fuse_server_start(&zs.srv, dir,
			      "default_permissions,allow_other,fsname=zvol,subtype=basalt",
			      &zvol_ops, sizeof(zvol_ops), NULL, 1, NULL, "the volumes");
	if (r < 0)
		nodes_free();
	return r;
}

void stor_zvol_stop(void)
{
	if (!zs.srv.se)
		return;
	(void)fuse_server_stop(&zs.srv, true);
	/* files still open when the connection was cut get no release: give their holds back */
	while (zs.handles)
		handle_close(zs.handles);
	nodes_free();
}

char *stor_zvol_path(const char *name)
{
	_cleanup_free_ char *rel = bs_asprintf(ZVOL_DIR_REL "/%s", name);

	return bs_root_path(rel);
}
