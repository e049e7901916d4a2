/* SPDX-License-Identifier: MIT */
/*
 * zpl_diff.c - zfs diff: the objects whose dnodes were born after the earlier snapshot are the
 * only ones that can differ, so the later object set is traversed from that txg and each object
 * it yields is looked up in both object sets and classified by its znode and its path.
 */
#include <basalt/base.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "zpl.h"
#include "zpl_diff.h"
#include "zpl_impl.h"

/* One side of an object: its znode and path, if it is a live file there. */
struct side {
	bool exists;
	struct znode_phys zp;
	char *path;
};

struct diff_state {
	objset_t *from, *to;
	json_t *out;
	struct zpl_diff_stats *stats;
};

static int side_load(objset_t *os, uint64_t obj, struct side *s)
{
	struct dmu_object_info info;
	int r;

	s->exists = false;
	r = dmu_object_info(os, obj, &info);
	if (r == -ENOENT || (r == 0 && (info.type == 0 || info.bonustype != ZPL_BONUS_ZNODE)))
		return 0;
	if (r < 0)
		return r;
	r = dmu_bonus_read(os, obj, &s->zp, sizeof(s->zp));
	if (r < 0)
		return r;
	if (s->zp.nlink == 0)
		return 0; /* unlinked, waiting to be freed */
	r = zpl_obj_path(os, obj, &s->path);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	s->exists = true;
	return 0;
}

static const char *type_of(uint64_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "/";
	case S_IFLNK:
		return "@";
	case S_IFIFO:
		return "|";
	case S_IFSOCK:
		return "=";
	case S_IFBLK:
		return "B";
	case S_IFCHR:
		return "C";
	default:
		return "F";
	}
}

/* One entry: the znode s gives the type and change time; newpath only for a rename. */
static void emit(struct diff_state *st, const char *change, const struct side *s, const char *path,
		 const char *newpath)
{
	json_t *e = json_object();

	json_object_set_new(e, "change", json_string(change));
	json_object_set_new(e, "path", json_string(path));
	if (newpath)
		json_object_set_new(e, "newpath", json_string(newpath));
	json_object_set_new(e, "type", json_string(type_of(s->zp.mode)));
	json_object_set_new(e, "ctime", json_integer((json_int_t)s->zp.ctime[0]));
	json_object_set_new(e, "ctime_nsec", json_integer((json_int_t)s->zp.ctime[1]));
	json_array_append_new(st->out, e);
}

/* Whether anything but the access time differs. */
static bool znode_changed(const struct znode_phys *a, const struct znode_phys *b)
{
	struct znode_phys x = *a, y = *b;

	memset(x.atime, 0, sizeof(x.atime));
	memset(y.atime, 0, sizeof(y.atime));
	return memcmp(&x, &y, sizeof(x)) != 0;
}

static int diff_dnode(objset_t *os, uint64_t obj, const struct dnode_phys *dn, void *arg)
{
	struct diff_state *st = arg;
	struct side f = { 0 }, t = { 0 };
	int r;

	(void)os;
	st->stats->visited++;
	if (obj == ZPL_MASTER_OBJ)
		return 0;
	if (dn->type != 0 && dn->bonustype != ZPL_BONUS_ZNODE) {
		/* not a file now; a file freed and its number reused for another object? */
		struct dmu_object_info info;

		r = dmu_object_info(st->from, obj, &info);
		if (r == -ENOENT || (r == 0 && info.bonustype != ZPL_BONUS_ZNODE))
			return 0;
	}
	st->stats->compared++;
	r = side_load(st->from, obj, &f);
	if (r == 0 && dn->type != 0)
		r = side_load(st->to, obj, &t);
	if (r < 0)
		goto out;
	if (f.exists && t.exists && f.zp.gen == t.zp.gen) {
		if (strcmp(f.path, t.path) != 0)
			emit(st, "R", &t, f.path, t.path);
		else if (znode_changed(&f.zp, &t.zp))
			emit(st, "M", &t, t.path, NULL);
		goto out;
	}
	if (f.exists)
		emit(st, "-", &f, f.path, NULL);
	if (t.exists)
		emit(st, "+", &t, t.path, NULL);
out:
	free(f.path);
	free(t.path);
	return r;
}

static int diff_block(objset_t *os, uint64_t obj, uint64_t blkid, const struct blkptr *bp,
		      const struct dnode_phys *dn, void *arg)
{
	(void)os, (void)obj, (void)blkid, (void)bp, (void)dn, (void)arg;
	return 0;
}

int zpl_diff(objset_t *from, objset_t *to, uint64_t min_txg, json_t *out,
	     struct zpl_diff_stats *stats)
{
	struct zpl_diff_stats local = { 0 };
	struct diff_state st = { from, to, out, stats ? stats : &local };
	struct dmu_traverse_cbs cbs = { diff_dnode, diff_block, &st };

	*st.stats = (struct zpl_diff_stats){ 0 };
	return dmu_traverse(to, min_txg, &cbs);
}
