/* SPDX-License-Identifier: MIT */
/*
 * zpl.c - the POSIX layer: files, directories, symlinks, special files and hard links as DMU
 * objects of a file-system object set, each with a struct znode_phys in its bonus buffer.
 *
 * A directory is a ZAP of name -> object | DT_* << 60; a file's bytes are its object's data; a
 * symlink's target is its data; a file's extended attributes are a ZAP of their own (below).
 * Every operation takes the pool lock once and makes all its changes under it, so a rename or
 * an unlink lands whole in one txg or not at all; steps that can fail (a directory insert) come
 * before those that cannot, so a failure leaves no half.
 *
 * An object whose last name goes away is freed at once unless the kernel still holds it (a
 * lookup reference or an open handle, counted in memory). Then it waits in the unlinked set, a
 * ZAP named by the master node's "DELETE_QUEUE", and is freed when the last reference drops; if
 * the process dies first, the next writable open of the file system frees it.
 *
 * What the pool image says is checked before use (znode types against object types, entry
 * values, link counts, parent chains): a damaged image gives -EIO, not a crash or a loop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include <basalt/base.h>

#include "dsl.h"
#include "spa.h"
#include "zap.h"
#include "zpl.h"
#include "zpl_acl.h"
#include "zpl_impl.h"

#define ZPL_DT_SHIFT 60
#define ZPL_OBJ_MASK ((1ull << ZPL_DT_SHIFT) - 1)
#define ZPL_MAX_DEPTH 4096 /* parent links followed before the chain counts as damaged */
#define ZPL_MAX_FILE_SIZE (1ull << 62)
#define ZPL_RELATIME_SEC (24 * 3600)
#define ZPL_STATFS_BSIZE 4096u

/* In-memory references the kernel holds on an object. */
struct zref {
	uint64_t obj;
	uint64_t lookups;
	uint64_t opens;
	struct zref *next;
};

struct zpl_fs {
	objset_t *os;
	spa_t *spa;
	bool readonly;
	bool atime; /* the dataset's atime property: off means reads never write */
	uint64_t root;
	uint64_t unlinked; /* the unlinked set's object, 0 on a read-only fs without one */
	struct zref **refs;
	size_t nbuckets;
	size_t nrefs;
};

/* A znode as read: its object, its bonus and its DMU attributes. */
struct znode {
	uint64_t obj;
	struct znode_phys p;
	struct dmu_object_info info;
};

/* ---- references ---- */

static size_t ref_hash(const struct zpl_fs *fs, uint64_t obj)
{
	return (size_t)((obj * 0x9e3779b97f4a7c15ull) >> 20) & (fs->nbuckets - 1);
}

static struct zref *ref_find(struct zpl_fs *fs, uint64_t obj)
{
	for (struct zref *r = fs->refs[ref_hash(fs, obj)]; r; r = r->next)
		if (r->obj == obj)
			return r;
	return NULL;
}

static void ref_rehash(struct zpl_fs *fs)
{
	size_t old = fs->nbuckets;
	struct zref **oldtab = fs->refs;

	fs->nbuckets = old * 2;
	fs->refs = bs_zalloc(fs->nbuckets * sizeof(*fs->refs));
	for (size_t i = 0; i < old; i++) {
		struct zref *r = oldtab[i], *next;

		for (; r; r = next) {
			size_t h = ref_hash(fs, r->obj);

			next = r->next;
			r->next = fs->refs[h];
			fs->refs[h] = r;
		}
	}
	free(oldtab);
}

static struct zref *ref_get(struct zpl_fs *fs, uint64_t obj)
{
	struct zref *r = ref_find(fs, obj);
	size_t h;

	if (r)
		return r;
	if (fs->nrefs >= 2 * fs->nbuckets)
		ref_rehash(fs);
	h = ref_hash(fs, obj);
	r = bs_zalloc(sizeof(*r));
	r->obj = obj;
	r->next = fs->refs[h];
	fs->refs[h] = r;
	fs->nrefs++;
	return r;
}

static void ref_remove(struct zpl_fs *fs, uint64_t obj)
{
	struct zref **pp = &fs->refs[ref_hash(fs, obj)];

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->obj == obj) {
			struct zref *r = *pp;

			*pp = r->next;
			free(r);
			fs->nrefs--;
			return;
		}
	}
}

static bool ref_held(struct zpl_fs *fs, uint64_t obj)
{
	struct zref *r = ref_find(fs, obj);

	return r && (r->lookups || r->opens);
}

/* ---- znodes ---- */

static void ts_now(uint64_t t[2])
{
	uint64_t ns = bs_now_ns();

	t[0] = ns / 1000000000u;
	t[1] = ns % 1000000000u;
}

static uint32_t dmu_type_of(uint64_t mode)
{
	if (S_ISDIR(mode))
		return DMU_OT_DIRECTORY;
	if (S_ISLNK(mode))
		return DMU_OT_SYMLINK;
	return DMU_OT_PLAIN_FILE;
}

static bool mode_valid(uint64_t mode)
{
	if (mode >> 16)
		return false;
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFLNK:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		return true;
	default:
		return false;
	}
}

static int zget(objset_t *os, uint64_t obj, struct znode *ret)
{
	struct znode zn = { .obj = obj };
	int r;

	if (obj == 0 || obj == ZPL_MASTER_OBJ || obj > ZPL_OBJ_MASK)
		return -ENOENT;
	r = dmu_object_info(os, obj, &zn.info);
	if (r < 0)
		return r;
	if (zn.info.bonustype != ZPL_BONUS_ZNODE || zn.info.bonuslen < sizeof(zn.p))
		return -EIO;
	r = dmu_bonus_read(os, obj, &zn.p, sizeof(zn.p));
	if (r < 0)
		return r;
	if (!mode_valid(zn.p.mode) || zn.info.type != dmu_type_of(zn.p.mode) ||
	    zn.p.size > ZPL_MAX_FILE_SIZE || zn.p.nlink > UINT32_MAX || zn.p.uid > UINT32_MAX ||
	    zn.p.gid > UINT32_MAX)
		return -EIO;
	*ret = zn;
	return 0;
}

/* An object a directory entry names: it must exist. */
static int zget_entry(objset_t *os, uint64_t obj, struct znode *ret)
{
	int r = zget(os, obj, ret);

	return r == -ENOENT ? -EIO : r;
}

static int zput(objset_t *os, const struct znode *zn)
{
	return dmu_bonus_write(os, zn->obj, &zn->p, sizeof(zn->p));
}

static struct timespec ts_of(const uint64_t t[2])
{
	return (struct timespec){ .tv_sec = (time_t)t[0],
				  .tv_nsec = (long)(t[1] < 1000000000u ? t[1] : 999999999u) };
}

static void zstat(struct zpl_fs *fs, const struct znode *zn, struct stat *st)
{
	uint64_t n = 0;

	memset(st, 0, sizeof(*st));
	st->st_ino = zn->obj;
	st->st_mode = (mode_t)zn->p.mode;
	st->st_nlink = (nlink_t)zn->p.nlink;
	st->st_uid = (uid_t)zn->p.uid;
	st->st_gid = (gid_t)zn->p.gid;
	st->st_rdev = (dev_t)zn->p.rdev;
	st->st_size = (off_t)zn->p.size;
	if (S_ISDIR(zn->p.mode) && zap_count(fs->os, zn->obj, &n) == 0)
		st->st_size = (off_t)(n + 2);
	st->st_blksize = zn->info.datablksz ? zn->info.datablksz : 4096;
	st->st_blocks = (blkcnt_t)DIV_ROUND_UP(zn->info.used, 512);
	st->st_atim = ts_of(zn->p.atime);
	st->st_mtim = ts_of(zn->p.mtime);
	st->st_ctim = ts_of(zn->p.ctime);
}

static unsigned dtype_of(uint64_t mode)
{
	return (unsigned)((mode & S_IFMT) >> 12);
}

static bool dtype_valid(unsigned dt)
{
	switch (dt) {
	case DT_REG:
	case DT_DIR:
	case DT_LNK:
	case DT_FIFO:
	case DT_SOCK:
	case DT_CHR:
	case DT_BLK:
		return true;
	default:
		return false;
	}
}

static int check_name(const char *name)
{
	size_t n = strnlen(name, ZAP_MAXNAMELEN);

	if (n == 0 || strchr(name, '/'))
		return -EINVAL;
	if (n >= ZAP_MAXNAMELEN)
		return -ENAMETOOLONG;
	return 0;
}

static bool is_dot(const char *name)
{
	return streq(name, ".") || streq(name, "..");
}

static int dir_lookup(objset_t *os, uint64_t dir, const char *name, uint64_t *ret_obj)
{
	uint64_t v, obj;
	size_t len;
	int r;

	r = zap_lookup(os, dir, name, &v, sizeof(v), &len);
	if (r == -EOVERFLOW)
		return -EIO;
	if (r < 0)
		return r;
	obj = v & ZPL_OBJ_MASK;
	if (len != sizeof(v) || !dtype_valid((unsigned)(v >> ZPL_DT_SHIFT)) || obj == 0 ||
	    obj == ZPL_MASTER_OBJ || obj == dir)
		return -EIO;
	*ret_obj = obj;
	return 0;
}

static uint64_t dir_value(const struct znode *zn)
{
	return zn->obj | (uint64_t)dtype_of(zn->p.mode) << ZPL_DT_SHIFT;
}

/* A directory to change: it exists, is a directory and has not been removed. */
static int zget_dir(struct zpl_fs *fs, uint64_t obj, struct znode *ret)
{
	int r;

	r = zget(fs->os, obj, ret);
	if (r < 0)
		return r;
	if (!S_ISDIR(ret->p.mode))
		return -ENOTDIR;
	return 0;
}

/* ---- extended attributes: storage ----
 *
 * A file's extended attributes are one ZAP (DMU_OT_XATTR_DIR) named by znode_phys.xattr,
 * created by the first setxattr and freed with the file. An entry maps the full name
 * ("user.foo") to a tag byte and a payload: XA_INLINE and the value itself (values up to
 * ZAP_MAXVALUELEN - 1 bytes), or XA_OBJECT and a struct xa_ref naming an object of its own
 * (DMU_OT_XATTR_VALUE) holding a longer value. A replaced or removed long value's object is
 * freed in the same txg as the change.
 */
#define XA_INLINE 0
#define XA_OBJECT 1
#define XA_INLINE_MAX (ZAP_MAXVALUELEN - 1)
#define XA_CAPS "security.capability"

struct xa_ref {
	uint64_t obj; /* 0 for an inline value */
	uint64_t len;
};

/* The attributes' ZAP of a znode: 0 if it has none, 1 if it has one, -EIO if damaged. */
static int xa_dir(objset_t *os, const struct znode *zn)
{
	struct dmu_object_info info;
	int r;

	if (!zn->p.xattr)
		return 0;
	if (zn->p.xattr == zn->obj || zn->p.xattr == ZPL_MASTER_OBJ || zn->p.xattr > ZPL_OBJ_MASK)
		return -EIO;
	r = dmu_object_info(os, zn->p.xattr, &info);
	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	return info.type == DMU_OT_XATTR_DIR ? 1 : -EIO;
}

/* Decode an entry's value as stored, checking it. */
static int xa_decode(objset_t *os, const uint8_t *raw, size_t len, struct xa_ref *ret)
{
	struct dmu_object_info info;
	struct xa_ref ref = { 0 };
	int r;

	if (len < 1)
		return -EIO;
	if (raw[0] == XA_INLINE) {
		ref.len = len - 1;
	} else if (raw[0] == XA_OBJECT && len == 1 + sizeof(ref)) {
		memcpy(&ref, raw + 1, sizeof(ref));
		if (ref.len <= XA_INLINE_MAX || ref.len > ZPL_XATTR_SIZE_MAX || ref.obj == 0 ||
		    ref.obj == ZPL_MASTER_OBJ || ref.obj > ZPL_OBJ_MASK)
			return -EIO;
		r = dmu_object_info(os, ref.obj, &info);
		if (r < 0)
			return r == -ENOENT ? -EIO : r;
		if (info.type != DMU_OT_XATTR_VALUE)
			return -EIO;
	} else {
		return -EIO;
	}
	*ret = ref;
	return 0;
}

/* Look an attribute up: -ENODATA if absent; raw gets the stored bytes. */
static int xa_lookup(objset_t *os, uint64_t xobj, const char *name, uint8_t *raw,
		     struct xa_ref *ret)
{
	size_t len;
	int r;

	r = zap_lookup(os, xobj, name, raw, ZAP_MAXVALUELEN, &len);
	if (r == -ENOENT)
		return -ENODATA;
	if (r == -EOVERFLOW)
		return -EIO;
	if (r < 0)
		return r;
	return xa_decode(os, raw, len, ret);
}

/* Remove a looked-up entry and the object of its value, if it has one. */
static int xa_remove_entry(objset_t *os, uint64_t xobj, const char *name, const struct xa_ref *ref)
{
	int r = zap_remove(os, xobj, name);

	if (r == 0 && ref->obj)
		r = dmu_object_free(os, ref->obj);
	return r;
}

/* Drop a file's security.capability, as the kernel does on write, truncate and chown (Linux's
 * file capabilities stop applying to a changed file). Pool lock held. */
static int drop_caps(struct zpl_fs *fs, const struct znode *zn)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	struct xa_ref ref;
	int r;

	r = xa_dir(fs->os, zn);
	if (r <= 0)
		return r;
	r = xa_lookup(fs->os, zn->p.xattr, XA_CAPS, raw, &ref);
	if (r < 0)
		return r == -ENODATA ? 0 : r;
	return xa_remove_entry(fs->os, zn->p.xattr, XA_CAPS, &ref);
}

/* Free an attributes' ZAP and every value object it names. */
static int xa_destroy(objset_t *os, uint64_t xobj)
{
	char name[ZAP_MAXNAMELEN];
	uint8_t raw[ZAP_MAXVALUELEN];
	uint64_t cookie = 0;
	size_t len;
	int r;

	while ((r = zap_next(os, xobj, &cookie, name, raw, sizeof(raw), &len)) == 1) {
		struct xa_ref ref;

		if (xa_decode(os, raw, len, &ref) == 0 && ref.obj) {
			r = dmu_object_free(os, ref.obj);
			if (r < 0)
				return r;
		}
	}
	if (r < 0)
		return r;
	return zap_destroy(os, xobj);
}

/* Free a file-system object with its extended attributes. */
static int zobj_free(objset_t *os, uint64_t obj)
{
	struct znode zn;
	int r;

	if (zget(os, obj, &zn) == 0 && xa_dir(os, &zn) == 1) {
		r = xa_destroy(os, zn.p.xattr);
		if (r < 0)
			return r;
	}
	return dmu_object_free(os, obj);
}

/* ---- the unlinked set and freeing ---- */

static void unlinked_name(char *buf, size_t sz, uint64_t obj)
{
	snprintf(buf, sz, "%" PRIx64, obj);
}

static int zfree(struct zpl_fs *fs, uint64_t obj)
{
	char name[24];
	int r;

	r = zobj_free(fs->os, obj);
	if (r < 0)
		return r;
	if (fs->unlinked) {
		unlinked_name(name, sizeof(name), obj);
		r = zap_remove(fs->os, fs->unlinked, name);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

/* The object lost its last link (already written): free it, or park it while referenced. */
static int zdrop(struct zpl_fs *fs, const struct znode *zn)
{
	char name[24];

	if (!ref_held(fs, zn->obj))
		return zfree(fs, zn->obj);
	if (!fs->unlinked)
		return 0;
	unlinked_name(name, sizeof(name), zn->obj);
	return zap_update_u64(fs->os, fs->unlinked, name, zn->obj);
}

/* A reference dropped: free the object if that was the last thing keeping it. */
static void zrele_check(struct zpl_fs *fs, uint64_t obj)
{
	struct znode zn;
	struct zref *ref = ref_find(fs, obj);

	if (!ref || ref->lookups || ref->opens)
		return;
	ref_remove(fs, obj);
	if (fs->readonly || zget(fs->os, obj, &zn) < 0 || zn.p.nlink != 0 || obj == fs->root)
		return;
	if (zfree(fs, obj) < 0)
		spa_log_error(fs->spa, 0, obj);
}

/* Free everything in the unlinked set that no reference holds. */
static int drain_unlinked(struct zpl_fs *fs)
{
	char name[ZAP_MAXNAMELEN];
	uint64_t cookie = 0, obj;
	size_t len;
	int r;

	if (!fs->unlinked)
		return 0;
	while ((r = zap_next(fs->os, fs->unlinked, &cookie, name, &obj, sizeof(obj), &len)) == 1) {
		struct znode zn;

		if (len != sizeof(obj) || ref_held(fs, obj))
			continue;
		r = zget(fs->os, obj, &zn);
		if (r == 0 && zn.p.nlink == 0 && obj != fs->root && obj != fs->unlinked) {
			r = zobj_free(fs->os, obj);
			if (r < 0)
				return r;
		}
		r = zap_remove(fs->os, fs->unlinked, name);
		if (r < 0)
			return r;
	}
	return r;
}

/* ---- creating and opening a file system ---- */

static int znode_init(objset_t *os, uint64_t obj, uint64_t mode, uint32_t uid, uint32_t gid,
		      uint64_t parent, uint64_t rdev, struct znode *ret)
{
	struct znode zn = { .obj = obj };
	int r;

	r = dmu_object_info(os, obj, &zn.info);
	if (r < 0)
		return r;
	zn.p.mode = mode;
	zn.p.uid = uid;
	zn.p.gid = gid;
	zn.p.nlink = S_ISDIR(mode) ? 2 : 1;
	zn.p.parent = parent;
	zn.p.rdev = rdev;
	ts_now(zn.p.crtime);
	memcpy(zn.p.atime, zn.p.crtime, sizeof(zn.p.atime));
	memcpy(zn.p.mtime, zn.p.crtime, sizeof(zn.p.mtime));
	memcpy(zn.p.ctime, zn.p.crtime, sizeof(zn.p.ctime));
	zn.p.gen = zn.info.gen;
	r = zput(os, &zn);
	if (r < 0)
		return r;
	*ret = zn;
	return 0;
}

int zpl_create_fs(objset_t *os)
{
	struct znode root;
	uint64_t root_obj, dq;
	int r;

	r = zap_create_claim(os, ZPL_MASTER_OBJ, DMU_OT_MASTER_NODE);
	if (r < 0)
		return r;
	r = zap_create_bonus(os, DMU_OT_DIRECTORY, ZPL_BONUS_ZNODE, sizeof(struct znode_phys),
			     &root_obj);
	if (r < 0)
		return r;
	r = znode_init(os, root_obj, S_IFDIR | 0755, 0, 0, root_obj, 0, &root);
	if (r < 0)
		return r;
	r = zap_create(os, DMU_OT_ZAP_OTHER, &dq);
	if (r < 0)
		return r;
	r = zap_add_u64(os, ZPL_MASTER_OBJ, "VERSION", ZPL_VERSION);
	if (r < 0)
		return r;
	r = zap_add_u64(os, ZPL_MASTER_OBJ, "ROOT", root_obj);
	if (r < 0)
		return r;
	return zap_add_u64(os, ZPL_MASTER_OBJ, "DELETE_QUEUE", dq);
}

static int fs_load(struct zpl_fs *fs)
{
	struct znode root;
	uint64_t version, dq;
	int r;

	r = zap_lookup_u64(fs->os, ZPL_MASTER_OBJ, "VERSION", &version);
	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	if (version != ZPL_VERSION)
		return -ENOTSUP;
	r = zap_lookup_u64(fs->os, ZPL_MASTER_OBJ, "ROOT", &fs->root);
	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	r = zget_entry(fs->os, fs->root, &root);
	if (r < 0)
		return r;
	if (!S_ISDIR(root.p.mode))
		return -EIO;

	r = zap_lookup_u64(fs->os, ZPL_MASTER_OBJ, "DELETE_QUEUE", &dq);
	if (r == -ENOENT && !fs->readonly) {
		r = zap_create(fs->os, DMU_OT_ZAP_OTHER, &dq);
		if (r < 0)
			return r;
		r = zap_add_u64(fs->os, ZPL_MASTER_OBJ, "DELETE_QUEUE", dq);
	}
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (dq == 0 || dq == ZPL_MASTER_OBJ || dq == fs->root)
		return -EIO;
	fs->unlinked = dq;
	if (!fs->readonly)
		return drain_unlinked(fs);
	return 0;
}

int zpl_fs_open(objset_t *os, bool readonly, struct zpl_fs **ret)
{
	struct zpl_fs *fs = bs_zalloc(sizeof(*fs));
	int r;

	fs->os = os;
	fs->spa = dmu_objset_spa(os);
	fs->readonly = readonly || dmu_objset_is_snapshot(os);
	fs->nbuckets = 256;
	fs->refs = bs_zalloc(fs->nbuckets * sizeof(*fs->refs));

	fs->atime = true;
	spa_enter(fs->spa);
	r = fs_load(fs);
	if (r == 0 && dmu_objset_ds(os)) {
		_cleanup_free_ char *atime = NULL;

		if (dsl_prop_get_string(dmu_objset_ds(os), "atime", &atime) == 0)
			fs->atime = !streq(atime, "off");
	}
	spa_exit(fs->spa);
	if (r < 0) {
		free(fs->refs);
		free(fs);
		return r;
	}
	*ret = fs;
	return 0;
}

void zpl_fs_close(struct zpl_fs *fs)
{
	if (!fs)
		return;
	spa_enter(fs->spa);
	for (size_t i = 0; i < fs->nbuckets; i++) {
		struct zref *r = fs->refs[i], *next;

		for (; r; r = next) {
			next = r->next;
			free(r);
		}
		fs->refs[i] = NULL;
	}
	fs->nrefs = 0;
	if (!fs->readonly && drain_unlinked(fs) < 0)
		spa_log_error(fs->spa, 0, fs->unlinked);
	spa_exit(fs->spa);
	free(fs->refs);
	free(fs);
}

uint64_t zpl_fs_root(struct zpl_fs *fs)
{
	return fs->root;
}

bool zpl_fs_readonly(struct zpl_fs *fs)
{
	return fs->readonly;
}

bool zpl_fs_referenced(struct zpl_fs *fs)
{
	for (size_t i = 0; i < fs->nbuckets; i++)
		for (struct zref *r = fs->refs[i]; r; r = r->next)
			if (r->lookups || r->opens)
				return true;
	return false;
}

/* ---- attributes and lookup ---- */

int zpl_getattr(struct zpl_fs *fs, uint64_t obj, struct stat *ret_st, uint64_t *ret_gen)
{
	struct znode zn;
	int r;

	spa_enter(fs->spa);
	r = zget(fs->os, obj, &zn);
	if (r == 0) {
		zstat(fs, &zn, ret_st);
		if (ret_gen)
			*ret_gen = zn.p.gen;
	}
	spa_exit(fs->spa);
	return r;
}

/* Reply with an entry: count the kernel's lookup reference and fill the attributes. */
static void entry_out(struct zpl_fs *fs, const struct znode *zn, struct stat *st, uint64_t *gen)
{
	ref_get(fs, zn->obj)->lookups++;
	zstat(fs, zn, st);
	if (gen)
		*gen = zn->p.gen;
}

static int lookup_locked(struct zpl_fs *fs, uint64_t dir, const char *name, struct stat *st,
			 uint64_t *gen)
{
	struct znode dzn, zn;
	uint64_t obj;
	int r;

	r = zget_dir(fs, dir, &dzn);
	if (r < 0)
		return r;
	if (streq(name, ".")) {
		obj = dir;
	} else if (streq(name, "..")) {
		obj = dzn.p.parent;
	} else {
		r = check_name(name);
		if (r < 0)
			return r;
		r = dir_lookup(fs->os, dir, name, &obj);
		if (r < 0)
			return r;
	}
	r = zget_entry(fs->os, obj, &zn);
	if (r < 0)
		return r;
	entry_out(fs, &zn, st, gen);
	return 0;
}

int zpl_lookup(struct zpl_fs *fs, uint64_t dir, const char *name, struct stat *ret_st,
	       uint64_t *ret_gen)
{
	int r;

	spa_enter(fs->spa);
	r = lookup_locked(fs, dir, name, ret_st, ret_gen);
	spa_exit(fs->spa);
	return r;
}

void zpl_forget(struct zpl_fs *fs, uint64_t obj, uint64_t nlookup)
{
	struct zref *ref;

	spa_enter(fs->spa);
	ref = ref_find(fs, obj);
	if (ref) {
		ref->lookups -= MIN(nlookup, ref->lookups);
		zrele_check(fs, obj);
	}
	spa_exit(fs->spa);
}

/* ---- creating ---- */

/* (POSIX ACLs, with the extended attributes below) */
static int acl_inherit(struct zpl_fs *fs, const struct znode *dzn, uint32_t *mode,
		       const struct zpl_cred *cred, uint8_t **ret_acl, size_t *ret_len);
static int acl_inherit_apply(struct zpl_fs *fs, struct znode *zn, const uint8_t *dacl, size_t len);
static int acl_chmod(struct zpl_fs *fs, struct znode *zn);

static int create_locked(struct zpl_fs *fs, uint64_t dir, const char *name, uint32_t mode,
			 uint64_t rdev, const char *target, const struct zpl_cred *cred,
			 struct stat *st, uint64_t *gen)
{
	struct znode dzn, zn;
	uint64_t obj, gid = cred->gid;
	size_t tlen = target ? strlen(target) : 0, acllen = 0;
	_cleanup_free_ uint8_t *acl = NULL;
	int r;

	if (fs->readonly)
		return -EROFS;
	r = zget_dir(fs, dir, &dzn);
	if (r < 0)
		return r;
	if (dzn.p.nlink == 0)
		return -ENOENT;
	if (is_dot(name))
		return -EEXIST;
	r = check_name(name);
	if (r < 0)
		return r;
	r = dir_lookup(fs->os, dir, name, &obj);
	if (r == 0)
		return -EEXIST;
	if (r != -ENOENT)
		return r;
	if (S_ISDIR(mode) && dzn.p.nlink >= ZPL_MAX_LINKS)
		return -EMLINK;
	if (target && tlen > ZPL_MAX_SYMLINK)
		return -ENAMETOOLONG;

	r = acl_inherit(fs, &dzn, &mode, cred, &acl, &acllen);
	if (r < 0)
		return r;
	/* BSD group semantics in a setgid directory, as Linux file systems do */
	if (dzn.p.mode & S_ISGID) {
		gid = dzn.p.gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}

	if (S_ISDIR(mode))
		r = zap_create_bonus(fs->os, DMU_OT_DIRECTORY, ZPL_BONUS_ZNODE,
				     sizeof(struct znode_phys), &obj);
	else
		r = dmu_object_alloc(fs->os, (uint8_t)dmu_type_of(mode), 0, ZPL_BONUS_ZNODE,
				     sizeof(struct znode_phys), &obj);
	if (r < 0)
		return r;
	r = znode_init(fs->os, obj, mode, cred->uid, (uint32_t)gid, dir, rdev, &zn);
	if (r == 0 && acl)
		r = acl_inherit_apply(fs, &zn, acl, acllen);
	if (r == 0 && target) {
		r = dmu_write(fs->os, obj, 0, tlen, target);
		zn.p.size = tlen;
		if (r == 0)
			r = zput(fs->os, &zn);
	}
	if (r == 0)
		r = zap_add_u64(fs->os, dir, name, dir_value(&zn));
	if (r < 0) {
		(void)dmu_object_free(fs->os, obj);
		return r;
	}

	if (S_ISDIR(mode))
		dzn.p.nlink++;
	memcpy(dzn.p.mtime, zn.p.ctime, sizeof(dzn.p.mtime));
	memcpy(dzn.p.ctime, zn.p.ctime, sizeof(dzn.p.ctime));
	r = zput(fs->os, &dzn);
	if (r < 0)
		return r;
	entry_out(fs, &zn, st, gen);
	return 0;
}

int zpl_mknod(struct zpl_fs *fs, uint64_t dir, const char *name, uint32_t mode, uint64_t rdev,
	      const struct zpl_cred *cred, struct stat *ret_st, uint64_t *ret_gen)
{
	int r;

	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		rdev = 0;
		break;
	case S_IFCHR:
	case S_IFBLK:
		break;
	case 0:
		mode |= S_IFREG;
		rdev = 0;
		break;
	default:
		return -EINVAL;
	}
	spa_enter(fs->spa);
	r = create_locked(fs, dir, name, mode & (S_IFMT | 07777), rdev, NULL, cred, ret_st,
			  ret_gen);
	spa_exit(fs->spa);
	return r;
}

int zpl_mkdir(struct zpl_fs *fs, uint64_t dir, const char *name, uint32_t mode,
	      const struct zpl_cred *cred, struct stat *ret_st, uint64_t *ret_gen)
{
	int r;

	spa_enter(fs->spa);
	r = create_locked(fs, dir, name, S_IFDIR | (mode & 07777), 0, NULL, cred, ret_st, ret_gen);
	spa_exit(fs->spa);
	return r;
}

int zpl_symlink(struct zpl_fs *fs, uint64_t dir, const char *name, const char *target,
		const struct zpl_cred *cred, struct stat *ret_st, uint64_t *ret_gen)
{
	int r;

	if (!target || !*target)
		return -ENOENT;
	spa_enter(fs->spa);
	r = create_locked(fs, dir, name, S_IFLNK | 0777, 0, target, cred, ret_st, ret_gen);
	spa_exit(fs->spa);
	return r;
}

int zpl_readlink(struct zpl_fs *fs, uint64_t obj, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	struct znode zn;
	int r;

	spa_enter(fs->spa);
	r = zget(fs->os, obj, &zn);
	if (r == 0 && !S_ISLNK(zn.p.mode))
		r = -EINVAL;
	if (r == 0 && (zn.p.size == 0 || zn.p.size > ZPL_MAX_SYMLINK))
		r = -EIO;
	if (r == 0) {
		buf = bs_zalloc(zn.p.size + 1);
		r = dmu_read(fs->os, obj, 0, zn.p.size, buf);
	}
	spa_exit(fs->spa);
	if (r < 0)
		return r;
	if (strlen(buf) != zn.p.size)
		return -EIO;
	*ret = TAKE_PTR(buf);
	return 0;
}

int zpl_link(struct zpl_fs *fs, uint64_t obj, uint64_t newdir, const char *newname,
	     struct stat *ret_st, uint64_t *ret_gen)
{
	struct znode zn, dzn;
	uint64_t other;
	int r;

	spa_enter(fs->spa);
	r = fs->readonly ? -EROFS : 0;
	if (r == 0)
		r = zget(fs->os, obj, &zn);
	if (r == 0 && S_ISDIR(zn.p.mode))
		r = -EPERM;
	if (r == 0 && zn.p.nlink == 0)
		r = -ENOENT;
	if (r == 0 && zn.p.nlink >= ZPL_MAX_LINKS)
		r = -EMLINK;
	if (r == 0)
		r = zget_dir(fs, newdir, &dzn);
	if (r == 0 && dzn.p.nlink == 0)
		r = -ENOENT;
	if (r == 0 && is_dot(newname))
		r = -EEXIST;
	if (r == 0)
		r = check_name(newname);
	if (r == 0) {
		r = dir_lookup(fs->os, newdir, newname, &other);
		r = r == 0 ? -EEXIST : r == -ENOENT ? 0 : r;
	}
	if (r == 0)
		r = zap_add_u64(fs->os, newdir, newname, dir_value(&zn));
	if (r == 0) {
		zn.p.nlink++;
		ts_now(zn.p.ctime);
		memcpy(dzn.p.mtime, zn.p.ctime, sizeof(dzn.p.mtime));
		memcpy(dzn.p.ctime, zn.p.ctime, sizeof(dzn.p.ctime));
		r = zput(fs->os, &zn);
		if (r == 0)
			r = zput(fs->os, &dzn);
		if (r == 0)
			entry_out(fs, &zn, ret_st, ret_gen);
	}
	spa_exit(fs->spa);
	return r;
}

/* ---- removing ---- */

static int remove_locked(struct zpl_fs *fs, uint64_t dir, const char *name, bool rmdir)
{
	struct znode dzn, zn;
	uint64_t obj, n;
	int r;

	if (fs->readonly)
		return -EROFS;
	r = zget_dir(fs, dir, &dzn);
	if (r < 0)
		return r;
	if (streq(name, "."))
		return -EINVAL;
	if (streq(name, ".."))
		return -ENOTEMPTY;
	r = check_name(name);
	if (r < 0)
		return r;
	r = dir_lookup(fs->os, dir, name, &obj);
	if (r < 0)
		return r;
	r = zget_entry(fs->os, obj, &zn);
	if (r < 0)
		return r;
	if (rmdir) {
		if (!S_ISDIR(zn.p.mode))
			return -ENOTDIR;
		if (obj == fs->root)
			return -EBUSY;
		r = zap_count(fs->os, obj, &n);
		if (r < 0)
			return r;
		if (n)
			return -ENOTEMPTY;
	} else if (S_ISDIR(zn.p.mode)) {
		return -EISDIR;
	}

	r = zap_remove(fs->os, dir, name);
	if (r < 0)
		return r;
	ts_now(zn.p.ctime);
	if (rmdir) {
		zn.p.nlink = 0;
		if (dzn.p.nlink > 2)
			dzn.p.nlink--;
	} else if (zn.p.nlink > 0) {
		zn.p.nlink--;
	}
	memcpy(dzn.p.mtime, zn.p.ctime, sizeof(dzn.p.mtime));
	memcpy(dzn.p.ctime, zn.p.ctime, sizeof(dzn.p.ctime));
	r = zput(fs->os, &dzn);
	if (r < 0)
		return r;
	r = zput(fs->os, &zn);
	if (r < 0)
		return r;
	if (zn.p.nlink == 0)
		return zdrop(fs, &zn);
	return 0;
}

int zpl_unlink(struct zpl_fs *fs, uint64_t dir, const char *name)
{
	int r;

	spa_enter(fs->spa);
	dmu_objset_netfree(fs->os, true);
	r = remove_locked(fs, dir, name, false);
	dmu_objset_netfree(fs->os, false);
	spa_exit(fs->spa);
	return r;
}

int zpl_rmdir(struct zpl_fs *fs, uint64_t dir, const char *name)
{
	int r;

	spa_enter(fs->spa);
	dmu_objset_netfree(fs->os, true);
	r = remove_locked(fs, dir, name, true);
	dmu_objset_netfree(fs->os, false);
	spa_exit(fs->spa);
	return r;
}

/* ---- rename ---- */

/* -EINVAL if dir is obj or lies beneath it (a directory cannot move under itself). */
static int check_not_under(struct zpl_fs *fs, uint64_t dir, uint64_t obj)
{
	for (unsigned depth = 0; depth < ZPL_MAX_DEPTH; depth++) {
		struct znode zn;
		int r;

		if (dir == obj)
			return -EINVAL;
		if (dir == fs->root)
			return 0;
		r = zget_entry(fs->os, dir, &zn);
		if (r < 0)
			return r;
		if (!S_ISDIR(zn.p.mode))
			return -EIO;
		dir = zn.p.parent;
	}
	return -EIO;
}

static int rename_locked(struct zpl_fs *fs, uint64_t sdir, const char *sname, uint64_t ddir,
			 const char *dname, unsigned flags)
{
	struct znode sd, dd, szn, dzn;
	struct znode *pd; /* the destination directory: &sd when it is the same */
	uint64_t sobj, dobj = 0, n, now[2];
	bool exchange = flags & RENAME_EXCHANGE, sisdir, disdir = false;
	int r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && exchange)
		return -EINVAL;
	if (fs->readonly)
		return -EROFS;
	if (is_dot(sname) || is_dot(dname))
		return -EBUSY;
	r = check_name(sname);
	if (r == 0)
		r = check_name(dname);
	if (r < 0)
		return r;
	r = zget_dir(fs, sdir, &sd);
	if (r < 0)
		return r;
	pd = &sd;
	if (ddir != sdir) {
		r = zget_dir(fs, ddir, &dd);
		if (r < 0)
			return r;
		pd = &dd;
	}
	if (pd->p.nlink == 0)
		return -ENOENT;

	r = dir_lookup(fs->os, sdir, sname, &sobj);
	if (r < 0)
		return r;
	r = zget_entry(fs->os, sobj, &szn);
	if (r < 0)
		return r;
	sisdir = S_ISDIR(szn.p.mode);
	r = dir_lookup(fs->os, ddir, dname, &dobj);
	if (r == -ENOENT) {
		if (exchange)
			return -ENOENT;
		dobj = 0;
	} else if (r < 0) {
		return r;
	} else {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (dobj == sobj)
			return 0; /* two links to one file: POSIX says do nothing */
		r = zget_entry(fs->os, dobj, &dzn);
		if (r < 0)
			return r;
		disdir = S_ISDIR(dzn.p.mode);
	}
	if (sobj == ddir || sobj == sdir)
		return -EINVAL;
	if (dobj == sdir || dobj == ddir) /* the target is an ancestor of the source */
		return exchange ? -EINVAL : -ENOTEMPTY;

	if (sisdir && ddir != sdir) {
		r = check_not_under(fs, ddir, sobj);
		if (r < 0)
			return r;
	}
	if (exchange && disdir && ddir != sdir) {
		r = check_not_under(fs, sdir, dobj);
		if (r < 0)
			return r;
	}
	if (dobj && !exchange) {
		if (sisdir && !disdir)
			return -ENOTDIR;
		if (!sisdir && disdir)
			return -EISDIR;
		if (disdir) {
			r = zap_count(fs->os, dobj, &n);
			if (r < 0)
				return r;
			if (n)
				return -ENOTEMPTY;
		}
	}
	if (sdir != ddir && !exchange && sisdir && !disdir && pd->p.nlink >= ZPL_MAX_LINKS)
		return -EMLINK;

	ts_now(now);
	if (exchange) {
		r = zap_update_u64(fs->os, sdir, sname, dir_value(&dzn));
		if (r < 0)
			return r;
		r = zap_update_u64(fs->os, ddir, dname, dir_value(&szn));
		if (r < 0)
			return r;
		if (sdir != ddir) {
			/* a directory that changes parent moves its ".." link along */
			if (sisdir && !disdir) {
				sd.p.nlink--;
				dd.p.nlink++;
			} else if (disdir && !sisdir) {
				dd.p.nlink--;
				sd.p.nlink++;
			}
			szn.p.parent = ddir;
			dzn.p.parent = sdir;
		}
		memcpy(dzn.p.ctime, now, sizeof(now));
		r = zput(fs->os, &dzn);
		if (r < 0)
			return r;
	} else {
		if (dobj)
			r = zap_update_u64(fs->os, ddir, dname, dir_value(&szn));
		else
			r = zap_add_u64(fs->os, ddir, dname, dir_value(&szn));
		if (r < 0)
			return r;
		r = zap_remove(fs->os, sdir, sname);
		if (r < 0)
			return r;
		if (sisdir && sdir != ddir) {
			sd.p.nlink--;
			dd.p.nlink++;
		}
		szn.p.parent = ddir;
		if (dobj) {
			if (disdir) {
				dzn.p.nlink = 0;
				pd->p.nlink--;
			} else if (dzn.p.nlink > 0) {
				dzn.p.nlink--;
			}
			memcpy(dzn.p.ctime, now, sizeof(now));
			r = zput(fs->os, &dzn);
			if (r < 0)
				return r;
		}
	}
	memcpy(szn.p.ctime, now, sizeof(now));
	r = zput(fs->os, &szn);
	if (r < 0)
		return r;
	memcpy(sd.p.mtime, now, sizeof(now));
	memcpy(sd.p.ctime, now, sizeof(now));
	r = zput(fs->os, &sd);
	if (r < 0)
		return r;
	if (pd != &sd) {
		memcpy(dd.p.mtime, now, sizeof(now));
		memcpy(dd.p.ctime, now, sizeof(now));
		r = zput(fs->os, &dd);
		if (r < 0)
			return r;
	}
	if (dobj && !exchange && dzn.p.nlink == 0)
		return zdrop(fs, &dzn);
	return 0;
}

int zpl_rename(struct zpl_fs *fs, uint64_t dir, const char *name, uint64_t newdir,
	       const char *newname, unsigned flags)
{
	int r;

	spa_enter(fs->spa);
	r = rename_locked(fs, dir, name, newdir, newname, flags);
	spa_exit(fs->spa);
	return r;
}

/* ---- data ---- */

static uint64_t roundup_to(uint64_t x, uint64_t bs)
{
	return x > UINT64_MAX - bs ? UINT64_MAX / bs * bs : DIV_ROUND_UP(x, bs) * bs;
}

static uint64_t blksz_of(const struct znode *zn)
{
	return zn->info.datablksz ? zn->info.datablksz : SPA_MINBLOCKSIZE;
}

static int write_zeros(struct zpl_fs *fs, uint64_t obj, uint64_t start, uint64_t end)
{
	static const uint8_t zeros[64 << 10];

	for (uint64_t off = start; off < end;) {
		uint64_t n = MIN(end - off, (uint64_t)sizeof(zeros));
		int r = dmu_write(fs->os, obj, off, n, zeros);

		if (r < 0)
			return r;
		off += n;
	}
	return 0;
}

/* Make [start, end) of an object read as zeros, freeing the whole blocks inside it. (A file of
 * one block may have a block size that is not a power of two, hence the divisions.) */
static int zero_range(struct zpl_fs *fs, const struct znode *zn, uint64_t start, uint64_t end)
{
	uint64_t bs = blksz_of(zn);
	uint64_t a = roundup_to(start, bs), b = end / bs * bs;
	int r;

	if (start >= end)
		return 0;
	if (a >= b)
		return write_zeros(fs, zn->obj, start, end);
	r = dmu_free_range(fs->os, zn->obj, a, b - a);
	if (r < 0)
		return r;
	r = write_zeros(fs, zn->obj, start, a);
	if (r < 0)
		return r;
	return write_zeros(fs, zn->obj, b, end);
}

/* Change a file's size: shrinking frees the blocks past the new end and zeroes the rest of the
 * last one, so that growing again shows a hole, not old bytes. */
static int truncate_locked(struct zpl_fs *fs, struct znode *zn, uint64_t size)
{
	int r;

	if (size > ZPL_MAX_FILE_SIZE)
		return -EFBIG;
	if (size < zn->p.size) {
		uint64_t next = roundup_to(size, blksz_of(zn));

		r = write_zeros(fs, zn->obj, size, MIN(zn->p.size, next));
		if (r < 0)
			return r;
		r = dmu_free_range(fs->os, zn->obj, next, UINT64_MAX);
		if (r < 0)
			return r;
	}
	zn->p.size = size;
	return 0;
}

/* The kernel's rule for clearing setuid and setgid: setgid without group execute is mandatory
 * locking, kept. */
static uint64_t mode_without_suidgid(uint64_t mode)
{
	mode &= ~(uint64_t)S_ISUID;
	if (mode & S_IXGRP)
		mode &= ~(uint64_t)S_ISGID;
	return mode;
}

int zpl_setattr(struct zpl_fs *fs, uint64_t obj, const struct zpl_setattr *sa, struct stat *ret_st)
{
	struct znode zn;
	uint64_t now[2];
	int r;

	spa_enter(fs->spa);
	r = fs->readonly ? -EROFS : zget(fs->os, obj, &zn);
	if (r == 0 && (sa->valid & ZPL_SET_SIZE)) {
		if (S_ISDIR(zn.p.mode))
			r = -EISDIR;
		else if (!S_ISREG(zn.p.mode))
			r = -EINVAL;
	}
	if (r < 0)
		goto out;

	ts_now(now);
	/*
	 * Setting the size marks mtime even when the size stays the same: for open(O_TRUNC) and
	 * ftruncate() the kernel sends no time and leaves that to the file system, and POSIX
	 * wants O_TRUNC of an existing file to mark mtime whatever its size was.
	 */
	if (sa->valid & ZPL_SET_SIZE) {
		r = truncate_locked(fs, &zn, sa->size);
		if (r < 0)
			goto out;
		if (!(sa->valid & (ZPL_SET_MTIME | ZPL_SET_MTIME_NOW)))
			memcpy(zn.p.mtime, now, sizeof(now));
	}
	if (sa->valid & ZPL_SET_MODE) {
		zn.p.mode = (zn.p.mode & S_IFMT) | (sa->mode & 07777);
		r = acl_chmod(fs, &zn);
		if (r < 0)
			goto out;
	}
	if (sa->valid & ZPL_SET_UID)
		zn.p.uid = sa->uid;
	if (sa->valid & ZPL_SET_GID)
		zn.p.gid = sa->gid;
	if (sa->valid & ZPL_SET_KILL_SUIDGID)
		zn.p.mode = mode_without_suidgid(zn.p.mode);
	if ((sa->valid & (ZPL_SET_SIZE | ZPL_SET_UID | ZPL_SET_GID)) && !S_ISDIR(zn.p.mode)) {
		r = drop_caps(fs, &zn);
		if (r < 0)
			goto out;
	}
	if (sa->valid & ZPL_SET_ATIME_NOW) {
		memcpy(zn.p.atime, now, sizeof(now));
	} else if (sa->valid & ZPL_SET_ATIME) {
		zn.p.atime[0] = (uint64_t)sa->atime.tv_sec;
		zn.p.atime[1] = (uint64_t)sa->atime.tv_nsec;
	}
	if (sa->valid & ZPL_SET_MTIME_NOW) {
		memcpy(zn.p.mtime, now, sizeof(now));
	} else if (sa->valid & ZPL_SET_MTIME) {
		zn.p.mtime[0] = (uint64_t)sa->mtime.tv_sec;
		zn.p.mtime[1] = (uint64_t)sa->mtime.tv_nsec;
	}
	if (sa->valid & ZPL_SET_CTIME) {
		zn.p.ctime[0] = (uint64_t)sa->ctime.tv_sec;
		zn.p.ctime[1] = (uint64_t)sa->ctime.tv_nsec;
	} else {
		memcpy(zn.p.ctime, now, sizeof(now));
	}
	r = zput(fs->os, &zn);
	if (r == 0 && ret_st) {
		r = dmu_object_info(fs->os, obj, &zn.info);
		if (r == 0)
			zstat(fs, &zn, ret_st);
	}
out:
	spa_exit(fs->spa);
	return r;
}

int zpl_open(struct zpl_fs *fs, uint64_t obj, bool write)
{
	struct znode zn;
	int r;

	spa_enter(fs->spa);
	r = zget(fs->os, obj, &zn);
	if (r == 0 && write && fs->readonly)
		r = -EROFS;
	if (r == 0 && write && S_ISDIR(zn.p.mode))
		r = -EISDIR;
	if (r == 0)
		ref_get(fs, obj)->opens++;
	spa_exit(fs->spa);
	return r;
}

void zpl_release(struct zpl_fs *fs, uint64_t obj)
{
	struct zref *ref;

	spa_enter(fs->spa);
	ref = ref_find(fs, obj);
	if (ref && ref->opens) {
		ref->opens--;
		zrele_check(fs, obj);
	}
	spa_exit(fs->spa);
}

/* Seconds are stored as the bits of a signed time_t: times before 1970 are negative. */
static bool ts_before_eq(const uint64_t a[2], const uint64_t b[2])
{
	return (int64_t)a[0] < (int64_t)b[0] || (a[0] == b[0] && a[1] <= b[1]);
}

/* relatime: a read marks atime only when atime is not after the last change, or is a day old.
 * Pool lock held; writes the znode when it marks. */
static int touch_atime(struct zpl_fs *fs, struct znode *zn)
{
	uint64_t now[2];

	if (fs->readonly || !fs->atime)
		return 0;
	ts_now(now);
	if (!ts_before_eq(zn->p.atime, zn->p.mtime) && !ts_before_eq(zn->p.atime, zn->p.ctime) &&
	    (int64_t)zn->p.atime[0] >= (int64_t)now[0] - ZPL_RELATIME_SEC)
		return 0;
	memcpy(zn->p.atime, now, sizeof(now));
	return zput(fs->os, zn);
}

int64_t zpl_read(struct zpl_fs *fs, uint64_t obj, uint64_t off, uint64_t len, void *buf)
{
	struct znode zn;
	uint64_t n = 0;
	int r;

	spa_enter(fs->spa);
	r = zget(fs->os, obj, &zn);
	if (r == 0 && S_ISDIR(zn.p.mode))
		r = -EISDIR;
	if (r == 0 && !S_ISREG(zn.p.mode))
		r = -EINVAL;
	if (r == 0 && off < zn.p.size) {
		n = MIN(len, zn.p.size - off);
		r = dmu_read(fs->os, obj, off, n, buf);
	}
	if (r == 0)
		r = touch_atime(fs, &zn);
	spa_exit(fs->spa);
	return r < 0 ? r : (int64_t)n;
}

int64_t zpl_write(struct zpl_fs *fs, uint64_t obj, uint64_t off, uint64_t len, const void *buf,
		  unsigned flags)
{
	struct znode zn;
	int r;

	spa_enter(fs->spa);
	r = fs->readonly ? -EROFS : zget(fs->os, obj, &zn);
	if (r == 0 && S_ISDIR(zn.p.mode))
		r = -EISDIR;
	if (r == 0 && !S_ISREG(zn.p.mode))
		r = -EINVAL;
	if (r < 0)
		goto out;
	if (flags & ZPL_WRITE_APPEND)
		off = zn.p.size;
	if (off > ZPL_MAX_FILE_SIZE || len > ZPL_MAX_FILE_SIZE - off) {
		r = -EFBIG;
		goto out;
	}
	r = drop_caps(fs, &zn);
	if (r < 0)
		goto out;
	if (len) {
		r = dmu_write(fs->os, obj, off, len, buf);
		if (r < 0)
			goto out;
	}
	zn.p.size = MAX(zn.p.size, off + len);
	ts_now(zn.p.mtime);
	memcpy(zn.p.ctime, zn.p.mtime, sizeof(zn.p.ctime));
	r = zput(fs->os, &zn);
out:
	spa_exit(fs->spa);
	return r < 0 ? r : (int64_t)len;
}

int zpl_kill_suidgid(struct zpl_fs *fs, uint64_t obj)
{
	struct znode zn;
	uint64_t mode;
	int r;

	spa_enter(fs->spa);
	r = fs->readonly ? -EROFS : zget(fs->os, obj, &zn);
	if (r == 0) {
		mode = mode_without_suidgid(zn.p.mode);
		if (mode != zn.p.mode) {
			zn.p.mode = mode;
			ts_now(zn.p.ctime);
			r = zput(fs->os, &zn);
			if (r == 0)
				r = 1;
		}
	}
	spa_exit(fs->spa);
	return r;
}

int zpl_fallocate(struct zpl_fs *fs, uint64_t obj, int mode, uint64_t off, uint64_t len)
{
	struct znode zn;
	int r;

	if (len == 0)
		return -EINVAL;
	if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE &&
	    mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	spa_enter(fs->spa);
	r = fs->readonly ? -EROFS : zget(fs->os, obj, &zn);
	if (r == 0 && S_ISDIR(zn.p.mode))
		r = -EISDIR;
	if (r == 0 && !S_ISREG(zn.p.mode))
		r = -ENODEV;
	if (r == 0 && (off > ZPL_MAX_FILE_SIZE || len > ZPL_MAX_FILE_SIZE - off))
		r = -EFBIG;
	if (r == 0)
		r = drop_caps(fs, &zn);
	if (r < 0)
		goto out;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		r = zero_range(fs, &zn, off, MIN(off + len, zn.p.size));
		if (r < 0)
			goto out;
	} else if (mode == 0 && off + len > zn.p.size) {
		zn.p.size = off + len;
	} else {
		goto out;
	}
	ts_now(zn.p.mtime);
	memcpy(zn.p.ctime, zn.p.mtime, sizeof(zn.p.ctime));
	r = zput(fs->os, &zn);
out:
	spa_exit(fs->spa);
	return r;
}

int zpl_lseek(struct zpl_fs *fs, uint64_t obj, uint64_t off, int whence, uint64_t *ret_off)
{
	struct znode zn;
	uint64_t o = off;
	int r;

	spa_enter(fs->spa);
	r = zget(fs->os, obj, &zn);
	if (r < 0)
		goto out;
	switch (whence) {
	case SEEK_SET:
	case SEEK_CUR:
		break;
	case SEEK_END:
		o = zn.p.size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (!S_ISREG(zn.p.mode)) {
			r = -EINVAL;
			break;
		}
		if (off >= zn.p.size) {
			r = -ENXIO;
			break;
		}
		r = dmu_offset_next(fs->os, obj, whence == SEEK_HOLE, &o);
		if (whence == SEEK_HOLE) {
			/* no data after off, or a hole past the end: the end is a hole */
			if (r == -ENXIO || (r == 0 && o > zn.p.size)) {
				o = zn.p.size;
				r = 0;
			}
			if (r == 0 && o < off)
				o = off;
		} else if (r == 0 && o >= zn.p.size) {
			r = -ENXIO;
		} else if (r == 0 && o < off) {
			o = off;
		}
		break;
	default:
		r = -EINVAL;
	}
	if (r == 0)
		*ret_off = o;
out:
	spa_exit(fs->spa);
	return r;
}

int zpl_fsync(struct zpl_fs *fs)
{
	int r = 0;

	spa_enter(fs->spa);
	if (!fs->readonly)
		r = spa_sync(fs->spa);
	spa_exit(fs->spa);
	return r;
}

int zpl_statfs(struct zpl_fs *fs, struct statvfs *ret)
{
	uint64_t avail, used, files;

	/* df: what the dataset references, and what it can still write (pool space, quotas) */
	spa_enter(fs->spa);
	avail = spa_available(fs->spa);
	used = 0;
	if (dmu_objset_ds(fs->os)) {
		used = dsl_dataset_referenced(dmu_objset_ds(fs->os));
		(void)dsl_dataset_available(dmu_objset_ds(fs->os), &avail);
	}
	spa_exit(fs->spa);

	files = MIN(avail / 512, 1ull << 48);
	memset(ret, 0, sizeof(*ret));
	ret->f_bsize = ZPL_STATFS_BSIZE;
	ret->f_frsize = ZPL_STATFS_BSIZE;
	ret->f_blocks = (avail + used) / ZPL_STATFS_BSIZE;
	ret->f_bfree = avail / ZPL_STATFS_BSIZE;
	ret->f_bavail = avail / ZPL_STATFS_BSIZE;
	ret->f_files = files;
	ret->f_ffree = files;
	ret->f_favail = files;
	ret->f_namemax = ZAP_MAXNAMELEN - 1;
	ret->f_flag = fs->readonly ? ST_RDONLY : 0;
	return 0;
}

/* ---- extended attributes: operations ---- */

/* The namespace of a name: -EOPNOTSUPP outside user., trusted. and security. */
static int xa_check_name(const char *name, bool *ret_trusted)
{
	static const char *const spaces[] = { "user.", "trusted.", "security." };
	size_t len = strlen(name);

	if (len > ZPL_XATTR_NAME_MAX)
		return -ERANGE;
	for (size_t i = 0; i < ARRAY_SIZE(spaces); i++) {
		size_t plen = strlen(spaces[i]);

		if (strncmp(name, spaces[i], plen) != 0)
			continue;
		if (len == plen)
			return -EINVAL;
		*ret_trusted = i == 1;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* The dataset's xattr property: only "off" turns them off. Read at each call, so that zfs set
 * acts at once. Pool lock held. */
static bool xa_enabled(struct zpl_fs *fs)
{
	_cleanup_free_ char *v = NULL;

	if (!dmu_objset_ds(fs->os) || dsl_prop_get_string(dmu_objset_ds(fs->os), "xattr", &v) < 0)
		return true;
	return !streq(v, "off");
}

/* Common checks of every xattr call: the property, the file, and for a change read-only. */
static int xa_begin(struct zpl_fs *fs, uint64_t obj, const char *name, bool change,
		    struct znode *ret)
{
	/* (ACLs do not depend on the property: the kernel asks for them to check permissions) */
	if (!(name && zpl_acl_kind(name)) && !xa_enabled(fs))
		return -EOPNOTSUPP;
	if (change && fs->readonly)
		return -EROFS;
	return zget(fs->os, obj, ret);
}

/* Read a looked-up value (raw: its stored entry) into buf, which has ref->len bytes. */
static int xa_read_value(objset_t *os, const uint8_t *raw, const struct xa_ref *ref, void *buf)
{
	if (ref->obj)
		return dmu_read(os, ref->obj, 0, ref->len, buf);
	if (ref->len)
		memcpy(buf, raw + 1, ref->len);
	return 0;
}

/* Store value under name in a new entry; the replaced value's object, if any, is in old. */
static int xa_store(struct zpl_fs *fs, struct znode *zn, const char *name, const void *value,
		    size_t size, const struct xa_ref *old)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	struct xa_ref ref = { .len = size };
	bool created = false;
	size_t rawlen;
	int r;

	if (size <= XA_INLINE_MAX) {
		raw[0] = XA_INLINE;
		if (size)
			memcpy(raw + 1, value, size);
		rawlen = 1 + size;
	} else {
		r = dmu_object_alloc(fs->os, DMU_OT_XATTR_VALUE, 0, 0, 0, &ref.obj);
		if (r < 0)
			return r;
		r = dmu_write(fs->os, ref.obj, 0, size, value);
		if (r < 0)
			goto undo;
		raw[0] = XA_OBJECT;
		memcpy(raw + 1, &ref, sizeof(ref));
		rawlen = 1 + sizeof(ref);
	}
	if (!zn->p.xattr) {
		r = zap_create(fs->os, DMU_OT_XATTR_DIR, &zn->p.xattr);
		if (r < 0)
			goto undo;
		created = true;
	}
	r = zap_update(fs->os, zn->p.xattr, name, raw, rawlen);
	if (r < 0)
		goto undo;
	if (old->obj) {
		r = dmu_object_free(fs->os, old->obj);
		if (r < 0)
			return r;
	}
	return 0;
undo:
	if (created) {
		(void)zap_destroy(fs->os, zn->p.xattr);
		zn->p.xattr = 0;
	}
	if (ref.obj)
		(void)dmu_object_free(fs->os, ref.obj);
	return r;
}

/* ---- POSIX ACLs: the attributes system.posix_acl_access and _default (zpl_acl.c) ---- */

/* A file's ACL called name, in a buffer of its own: -ENODATA when it has none, -EIO when the
 * stored list is damaged. Pool lock held. */
static int acl_get(struct zpl_fs *fs, const struct znode *zn, const char *name, uint8_t **ret,
		   size_t *ret_len)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	_cleanup_free_ uint8_t *buf = NULL;
	struct xa_ref ref;
	int r;

	r = xa_dir(fs->os, zn);
	if (r == 0)
		return -ENODATA;
	if (r < 0)
		return r;
	r = xa_lookup(fs->os, zn->p.xattr, name, raw, &ref);
	if (r < 0)
		return r;
	buf = bs_malloc(ref.len ? ref.len : 1);
	r = xa_read_value(fs->os, raw, &ref, buf);
	if (r == 0 && zpl_acl_check(buf, ref.len) < 0)
		r = -EIO;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(buf);
	*ret_len = ref.len;
	return 0;
}

/* Store a file's ACL, or remove it (value NULL). Pool lock held; the caller writes the znode. */
static int acl_put(struct zpl_fs *fs, struct znode *zn, const char *name, const void *value,
		   size_t len)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	struct xa_ref old = { 0 };
	int r;

	r = xa_dir(fs->os, zn);
	if (r == 1)
		r = xa_lookup(fs->os, zn->p.xattr, name, raw, &old);
	else if (r == 0)
		r = -ENODATA;
	if (r < 0 && r != -ENODATA)
		return r;
	if (value)
		return xa_store(fs, zn, name, value, len, &old);
	return r == -ENODATA ? 0 : xa_remove_entry(fs->os, zn->p.xattr, name, &old);
}

/* chmod of a file with an access ACL: the list follows the new mode. Pool lock held. */
static int acl_chmod(struct zpl_fs *fs, struct znode *zn)
{
	_cleanup_free_ uint8_t *acl = NULL;
	size_t len;
	int r;

	r = acl_get(fs, zn, ZPL_ACL_ACCESS, &acl, &len);
	if (r == -ENODATA)
		return 0;
	if (r < 0)
		return r;
	zpl_acl_chmod(acl, len, (uint32_t)zn->p.mode);
	return acl_put(fs, zn, ZPL_ACL_ACCESS, acl, len);
}

/* Set one of a file's ACLs through its attribute name: an access ACL sets the mode's
 * permission bits, and one that says no more than they do is not kept. (Reading and removing
 * them is what it is for any attribute.) */
static int acl_xattr_set(struct zpl_fs *fs, uint64_t obj, int kind, const void *value, size_t size,
			 int flags)
{
	const char *name = kind == 1 ? ZPL_ACL_ACCESS : ZPL_ACL_DEFAULT;
	_cleanup_free_ uint8_t *cur = NULL;
	struct znode zn;
	size_t curlen;
	int r;

	if (zpl_acl_check(value, size) < 0)
		return -EINVAL;
	spa_enter(fs->spa);
	r = fs->readonly ? -EROFS : zget(fs->os, obj, &zn);
	if (r == 0 && kind == 2 && !S_ISDIR(zn.p.mode))
		r = -EACCES;
	if (r == 0) {
		r = acl_get(fs, &zn, name, &cur, &curlen);
		if (r == 0 && (flags & XATTR_CREATE))
			r = -EEXIST;
		else if (r == -ENODATA && !(flags & XATTR_REPLACE))
			r = 0;
	}
	if (r == 0 && kind == 1) {
		zn.p.mode = (zn.p.mode & ~(uint64_t)0777) | zpl_acl_mode(value, size);
		if (zpl_acl_is_minimal(value, size))
			value = NULL;
	}
	if (r == 0)
		r = acl_put(fs, &zn, name, value, size);
	if (r == 0) {
		ts_now(zn.p.ctime);
		r = zput(fs->os, &zn);
	}
	spa_exit(fs->spa);
	return r;
}

/*
 * Creating in dir: with a default ACL, the new file's access ACL is the default narrowed by
 * the mode asked for (and a directory inherits the default too); without one, the umask
 * applies. *mode is updated; *ret_acl (NULL: none) is the list to give the new file.
 */
static int acl_inherit(struct zpl_fs *fs, const struct znode *dzn, uint32_t *mode,
		       const struct zpl_cred *cred, uint8_t **ret_acl, size_t *ret_len)
{
	uint8_t *acl = NULL;
	size_t len;
	int r;

	*ret_acl = NULL;
	if (S_ISLNK(*mode))
		return 0;
	r = acl_get(fs, dzn, ZPL_ACL_DEFAULT, &acl, &len);
	if (r == -ENODATA) {
		*mode &= ~cred->umask;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_acl = acl;
	*ret_len = len;
	return 0;
}

/* Give a new file what acl_inherit found. Pool lock held; writes the znode. */
static int acl_inherit_apply(struct zpl_fs *fs, struct znode *zn, const uint8_t *dacl, size_t len)
{
	_cleanup_free_ uint8_t *acl = bs_malloc(len);
	int r = 0;

	memcpy(acl, dacl, len);
	zn->p.mode = (zn->p.mode & ~(uint64_t)0777) |
		     zpl_acl_create_masq(acl, len, (uint32_t)zn->p.mode);
	if (!zpl_acl_is_minimal(acl, len))
		r = acl_put(fs, zn, ZPL_ACL_ACCESS, acl, len);
	if (r == 0 && S_ISDIR(zn->p.mode))
		r = acl_put(fs, zn, ZPL_ACL_DEFAULT, dacl, len);
	if (r == 0)
		r = zput(fs->os, zn);
	return r;
}

int zpl_setxattr(struct zpl_fs *fs, uint64_t obj, const char *name, const void *value, size_t size,
		 int flags, const struct zpl_cred *cred)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	struct xa_ref old = { 0 };
	struct znode zn;
	bool trusted = false;
	int r;

	if (zpl_acl_kind(name))
		return acl_xattr_set(fs, obj, zpl_acl_kind(name), value, size, flags);
	r = xa_check_name(name, &trusted);
	if (r < 0)
		return r;
	if (size > ZPL_XATTR_SIZE_MAX)
		return -E2BIG;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (trusted && cred->uid != 0)
		return -EPERM;

	spa_enter(fs->spa);
	r = xa_begin(fs, obj, name, true, &zn);
	if (r < 0)
		goto out;
	r = xa_dir(fs->os, &zn);
	if (r == 1)
		r = xa_lookup(fs->os, zn.p.xattr, name, raw, &old);
	else if (r == 0)
		r = -ENODATA;
	if (r == 0 && (flags & XATTR_CREATE))
		r = -EEXIST;
	else if (r == -ENODATA && !(flags & XATTR_REPLACE))
		r = 0;
	if (r < 0)
		goto out;
	r = xa_store(fs, &zn, name, value, size, &old);
	if (r < 0)
		goto out;
	ts_now(zn.p.ctime);
	r = zput(fs->os, &zn);
out:
	spa_exit(fs->spa);
	return r;
}

/* The file's attribute called name (its znode, stored record and value reference); -ENODATA
 * when it has none. write: for a change (EROFS on a read-only file system). Pool lock held. */
static int xa_find(struct zpl_fs *fs, uint64_t obj, const char *name, bool write, struct znode *zn,
		   uint8_t raw[ZAP_MAXVALUELEN], struct xa_ref *ref)
{
	int r;

	r = xa_begin(fs, obj, name, write, zn);
	if (r < 0)
		return r;
	r = xa_dir(fs->os, zn);
	if (r == 0)
		return -ENODATA;
	if (r < 0)
		return r;
	return xa_lookup(fs->os, zn->p.xattr, name, raw, ref);
}

int zpl_getxattr(struct zpl_fs *fs, uint64_t obj, const char *name, void *buf, size_t size,
		 const struct zpl_cred *cred)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	struct xa_ref ref;
	struct znode zn;
	bool trusted = false;
	int r;

	r = zpl_acl_kind(name) ? 0 : xa_check_name(name, &trusted);
	if (r < 0)
		return r;
	if (trusted && cred->uid != 0)
		return -ENODATA;

	spa_enter(fs->spa);
	r = xa_find(fs, obj, name, false, &zn, raw, &ref);
	if (r < 0)
		goto out;
	if (size == 0) {
		r = (int)ref.len;
	} else if (ref.len > size) {
		r = -ERANGE;
	} else {
		r = xa_read_value(fs->os, raw, &ref, buf);
		if (r == 0)
			r = (int)ref.len;
	}
out:
	spa_exit(fs->spa);
	return r;
}

int zpl_listxattr(struct zpl_fs *fs, uint64_t obj, char *buf, size_t size,
		  const struct zpl_cred *cred)
{
	char name[ZAP_MAXNAMELEN];
	uint8_t raw[ZAP_MAXVALUELEN];
	uint64_t cookie = 0;
	struct znode zn;
	size_t total = 0, len;
	int r;

	spa_enter(fs->spa);
	r = xa_begin(fs, obj, NULL, false, &zn);
	if (r < 0)
		goto out;
	r = xa_dir(fs->os, &zn);
	if (r <= 0)
		goto out;
	while ((r = zap_next(fs->os, zn.p.xattr, &cookie, name, raw, sizeof(raw), &len)) == 1) {
		size_t nlen = strlen(name) + 1;
		bool trusted = false;

		if (!zpl_acl_kind(name) && xa_check_name(name, &trusted) < 0)
			continue;
		if (trusted && cred->uid != 0)
			continue;
		if (size && total + nlen > size) {
			r = -ERANGE;
			goto out;
		}
		if (size)
			memcpy(buf + total, name, nlen);
		total += nlen;
	}
	if (r == 0)
		r = total > INT32_MAX ? -E2BIG : (int)total;
out:
	spa_exit(fs->spa);
	return r;
}

int zpl_removexattr(struct zpl_fs *fs, uint64_t obj, const char *name, const struct zpl_cred *cred)
{
	uint8_t raw[ZAP_MAXVALUELEN];
	struct xa_ref ref;
	struct znode zn;
	bool trusted = false;
	int r;

	r = zpl_acl_kind(name) ? 0 : xa_check_name(name, &trusted);
	if (r < 0)
		return r;
	if (trusted && cred->uid != 0)
		return -EPERM;

	spa_enter(fs->spa);
	r = xa_find(fs, obj, name, true, &zn, raw, &ref);
	if (r < 0)
		goto out;
	r = xa_remove_entry(fs->os, zn.p.xattr, name, &ref);
	if (r < 0)
		goto out;
	ts_now(zn.p.ctime);
	r = zput(fs->os, &zn);
out:
	spa_exit(fs->spa);
	return r;
}

/* ---- directories ---- */

int zpl_readdir(struct zpl_fs *fs, uint64_t dir, uint64_t cookie, zpl_dirent_cb cb, void *arg)
{
	char name[ZAP_MAXNAMELEN];
	struct znode dzn;
	uint64_t v;
	size_t len;
	int r;

	spa_enter(fs->spa);
	r = zget_dir(fs, dir, &dzn);
	/* reading a directory marks its atime, as reading a file does */
	if (r == 0)
		r = touch_atime(fs, &dzn);
	while (r == 0) {
		uint64_t next = cookie, obj;
		unsigned dt;

		r = zap_next(fs->os, dir, &next, name, &v, sizeof(v), &len);
		if (r == -EOVERFLOW)
			r = -EIO;
		if (r <= 0)
			break;
		obj = v & ZPL_OBJ_MASK;
		dt = (unsigned)(v >> ZPL_DT_SHIFT);
		if (len != sizeof(v) || !dtype_valid(dt) || obj == 0 || obj == ZPL_MASTER_OBJ ||
		    strchr(name, '/') || is_dot(name)) {
			r = -EIO;
			break;
		}
		if (cb(arg, name, obj, dt, next) != 0) {
			r = 0;
			break;
		}
		cookie = next;
		r = 0;
	}
	spa_exit(fs->spa);
	return r;
}

int zpl_parent(struct zpl_fs *fs, uint64_t dir, uint64_t *ret_parent)
{
	struct znode zn;
	int r;

	spa_enter(fs->spa);
	r = zget_dir(fs, dir, &zn);
	if (r == 0 && (zn.p.parent == 0 || zn.p.parent == ZPL_MASTER_OBJ))
		r = -EIO;
	if (r == 0)
		*ret_parent = zn.p.parent;
	spa_exit(fs->spa);
	return r;
}

/* ---- naming objects for error reports ---- */

/* The name under which dir lists obj. */
static int name_in_dir(objset_t *os, uint64_t dir, uint64_t obj, char name[ZAP_MAXNAMELEN])
{
	uint64_t cookie = 0, v;
	size_t len;
	int r;

	while ((r = zap_next(os, dir, &cookie, name, &v, sizeof(v), &len)) == 1)
		if (len == sizeof(v) && (v & ZPL_OBJ_MASK) == obj)
			return 0;
	if (r == -EOVERFLOW)
		return -EIO;
	return r < 0 ? r : -ENOENT;
}

int zpl_obj_path(objset_t *os, uint64_t obj, char **ret)
{
	_cleanup_free_ char *path = bs_strdup("");
	uint64_t root, cur = obj;
	int r;

	r = zap_lookup_u64(os, ZPL_MASTER_OBJ, "ROOT", &root);
	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	for (unsigned depth = 0; cur != root; depth++) {
		char name[ZAP_MAXNAMELEN];
		struct znode zn, pzn;
		char *p;

		if (depth >= ZPL_MAX_DEPTH)
			return -EIO;
		r = zget(os, cur, &zn);
		if (r < 0)
			return r;
		if (zn.p.nlink == 0)
			return -ENOENT;
		r = zget(os, zn.p.parent, &pzn);
		if (r < 0)
			return r == -ENOENT ? -EIO : r;
		if (!S_ISDIR(pzn.p.mode))
			return -EIO;
		r = name_in_dir(os, pzn.obj, cur, name);
		if (r < 0)
			return r;
		p = bs_asprintf("/%s%s", name, path);
		free(path);
		path = p;
		cur = pzn.obj;
	}
	if (!*path) {
		free(path);
		path = bs_strdup("/");
	}
	*ret = TAKE_PTR(path);
	return 0;
}
