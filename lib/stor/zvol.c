/* SPDX-License-Identifier: MIT */
/*
 * zvol.c - volumes as byte ranges for the pool daemon's volume files: open by name with a long
 * hold, then read, write, flush and discard inside volsize, each request under the pool lock and
 * in one DMU call, which walks the volblocksize blocks of the range itself. Also the tree of
 * names those files live in: pools and file systems that hold volumes are directories, volumes
 * and their snapshots are files.
 *
 * An open volume keeps its dataset pointer: the long hold keeps the dataset in the pool's cache
 * (destroy and export refuse it), and rollback resets the object set in place, so each request
 * asks the dataset for its object set again rather than keeping one. volsize and readonly are
 * read again only when a property of the pool changed (spa->prop_gen).
 */
#include "dsl_impl.h"
#include "spa.h"
#include "zvol.h"

struct zvol {
	struct spa *spa;
	struct dsl_dataset *ds;
	bool snapshot;
	bool writable; /* opened for writing */
	uint32_t blksz;
	uint64_t volsize;
	bool ro_prop;
	uint64_t prop_gen; /* spa->prop_gen when volsize and ro_prop were read; 0: never */
};

/* Pool lock held. */
static int refresh(struct zvol *zv)
{
	_cleanup_free_ char *ro = NULL;
	uint64_t size;
	int r;

	if (zv->prop_gen && zv->prop_gen == zv->spa->prop_gen + 1)
		return 0;
	r = dsl_prop_get_u64(zv->ds, "volsize", &size);
	if (r == 0)
		r = dsl_prop_get_string(zv->ds, "readonly", &ro);
	if (r < 0)
		return r;
	zv->volsize = size;
	zv->ro_prop = streq(ro, "on");
	zv->prop_gen = zv->spa->prop_gen + 1;
	return 0;
}

static bool is_readonly(struct zvol *zv)
{
	return zv->snapshot || zv->spa->readonly || zv->ro_prop;
}

int zvol_open(const char *name, bool writable, uint64_t guid, struct zvol **ret)
{
	_cleanup_free_ struct zvol *zv = bs_zalloc(sizeof(*zv));
	struct dmu_object_info doi;
	struct spa *spa;
	dsl_dataset_t *ds;
	objset_t *os;
	int r;

	r = dsl_dataset_enter(name, &spa, &ds);
	if (r < 0)
		return r;
	if (guid && dsl_dataset_guid(ds) != guid)
		r = -ENOENT;
	else if (dsl_dataset_ostype(ds) != DMU_OST_ZVOL)
		r = bs_error(EINVAL, "'%s' is not a volume", name);
	if (r == 0)
		r = dsl_dataset_objset(ds, &os);
	if (r == 0)
		r = dmu_object_info(os, ZVOL_OBJ, &doi);
	if (r == 0 && doi.type != DMU_OT_ZVOL)
		r = bs_error(EIO, "volume '%s' is damaged: its data object is missing", name);
	if (r < 0)
		goto out;
	zv->spa = spa;
	zv->ds = ds;
	zv->snapshot = dsl_dataset_is_snapshot(ds);
	zv->writable = writable;
	zv->blksz = doi.datablksz;
	r = refresh(zv);
	if (r == 0 && writable && is_readonly(zv))
		r = -EROFS;
	if (r < 0)
		goto out;
	dsl_dataset_long_hold(ds);
	*ret = TAKE_PTR(zv);
out:
	dsl_pool_exit(spa);
	return r;
}

void zvol_close(struct zvol *zv)
{
	if (!zv)
		return;
	spa_enter(zv->spa);
	dsl_dataset_long_rele(zv->ds);
	spa_exit(zv->spa);
	free(zv);
}

int zvol_size(struct zvol *zv, uint64_t *ret)
{
	int r;

	spa_enter(zv->spa);
	r = refresh(zv);
	if (r == 0)
		*ret = zv->volsize;
	spa_exit(zv->spa);
	return r;
}

uint32_t zvol_blocksize(struct zvol *zv)
{
	return zv->blksz;
}

bool zvol_readonly(struct zvol *zv)
{
	bool ro;

	spa_enter(zv->spa);
	ro = refresh(zv) < 0 || is_readonly(zv);
	spa_exit(zv->spa);
	return ro;
}

/* Take the pool lock and find the object set; on failure the lock is not held. */
static int zv_enter(struct zvol *zv, objset_t **ret_os)
{
	int r;

	spa_enter(zv->spa);
	r = refresh(zv);
	if (r == 0)
		r = dsl_dataset_objset(zv->ds, ret_os);
	if (r < 0)
		spa_exit(zv->spa);
	return r;
}

int64_t zvol_read(struct zvol *zv, uint64_t off, uint64_t len, void *buf)
{
	objset_t *os;
	int r;

	r = zv_enter(zv, &os);
	if (r < 0)
		return r;
	len = off >= zv->volsize ? 0 : MIN(len, zv->volsize - off);
	if (len)
		r = dmu_read(os, ZVOL_OBJ, off, len, buf);
	spa_exit(zv->spa);
	return r < 0 ? r : (int64_t)len;
}

int64_t zvol_write(struct zvol *zv, uint64_t off, uint64_t len, const void *buf)
{
	objset_t *os;
	int r;

	if (!zv->writable)
		return -EBADF;
	r = zv_enter(zv, &os);
	if (r < 0)
		return r;
	if (is_readonly(zv))
		r = -EROFS;
	else if (off >= zv->volsize && len)
		r = -ENOSPC;
	if (r == 0) {
		len = MIN(len, zv->volsize - off);
		if (len)
			r = dmu_write(os, ZVOL_OBJ, off, len, buf);
	}
	spa_exit(zv->spa);
	return r < 0 ? r : (int64_t)len;
}

int zvol_flush(struct zvol *zv)
{
	int r = 0;

	spa_enter(zv->spa);
	if (!zv->spa->readonly)
		r = spa_sync(zv->spa);
	spa_exit(zv->spa);
	return r;
}

int zvol_discard(struct zvol *zv, uint64_t off, uint64_t len)
{
	objset_t *os;
	int r;

	if (!zv->writable)
		return -EBADF;
	r = zv_enter(zv, &os);
	if (r < 0)
		return r;
	if (is_readonly(zv))
		r = -EROFS;
	else if (off < zv->volsize && len)
		r = dmu_free_range(os, ZVOL_OBJ, off, MIN(len, zv->volsize - off));
	spa_exit(zv->spa);
	return r;
}

int zvol_volsize_check(dsl_dataset_t *ds, const char *value)
{
	char was[BS_SIZE_BUF], want[BS_SIZE_BUF];
	uint64_t n, cur;
	int r;

	/* anything else is for dsl_prop_set to refuse, with its own message */
	if (dsl_dataset_ostype(ds) != DMU_OST_ZVOL || dsl_dataset_is_snapshot(ds) ||
	    bs_size_parse(value, &n) < 0)
		return 0;
	r = dsl_prop_get_u64(ds, "volsize", &cur);
	if (r < 0)
		return r;
	if (n < cur) {
		_cleanup_free_ char *name = dsl_dataset_name(ds);

		return bs_error(EINVAL,
				"cannot shrink volume '%s' from %s to %s: volumes can only grow",
				name, bs_size_format(was, cur), bs_size_format(want, n));
	}
	return 0;
}

/* ---- the tree of names ---- */

/* Is there a volume at or below ds (a head)? Pool lock held. */
static int has_volume(dsl_dataset_t *ds, bool *ret)
{
	_cleanup_free_ dsl_dataset_t **v = NULL;
	size_t n, i;
	int r;

	if (dsl_dataset_ostype(ds) == DMU_OST_ZVOL) {
		*ret = true;
		return 0;
	}
	r = dsl_dataset_children(ds, &v, &n);
	for (i = 0; r == 0 && i < n; i++) {
		r = has_volume(v[i], ret);
		if (r == 0 && *ret)
			return 0;
	}
	if (r == 0)
		*ret = false;
	return r;
}

/* What ds is in the tree, if anything (-ENOENT). Pool lock held. */
static int node_info(dsl_dataset_t *ds, struct zvol_node_info *ret)
{
	struct zvol_node_info info = {
		.guid = dsl_dataset_guid(ds),
		.referenced = dsl_dataset_referenced(ds),
		.crtime = dsl_dataset_creation_time(ds),
	};
	_cleanup_free_ char *ro = NULL;
	bool vol;
	int r;

	if (dsl_dataset_ostype(ds) != DMU_OST_ZVOL) {
		if (dsl_dataset_is_snapshot(ds))
			return -ENOENT;
		r = has_volume(ds, &vol);
		if (r < 0)
			return r;
		if (!vol)
			return -ENOENT;
		info.kind = ZVOL_DIR;
		*ret = info;
		return 0;
	}
	r = dsl_prop_get_u64(ds, "volsize", &info.size);
	if (r == 0)
		r = dsl_prop_get_string(ds, "readonly", &ro);
	if (r < 0)
		return r;
	info.kind = dsl_dataset_is_snapshot(ds) ? ZVOL_SNAPSHOT : ZVOL_VOLUME;
	info.readonly = info.kind == ZVOL_SNAPSHOT || streq(ro, "on") || ds->spa->readonly;
	*ret = info;
	return 0;
}

/* A name that does not resolve is simply not in the tree. */
static int not_found(int r)
{
	bs_error_clear();
	return r == -EIO ? r : -ENOENT;
}

int zvol_stat(const char *path, struct zvol_node_info *ret)
{
	struct spa *spa;
	dsl_dataset_t *ds;
	int r;

	if (!path[0]) {
		*ret = (struct zvol_node_info){ .kind = ZVOL_DIR };
		return 0;
	}
	r = dsl_dataset_enter(path, &spa, &ds);
	if (r < 0)
		return not_found(r);
	r = node_info(ds, ret);
	dsl_pool_exit(spa);
	return r;
}

struct dirents {
	struct zvol_dirent *v;
	size_t n, cap;
};

static void dirents_add(struct dirents *d, const char *name, const struct zvol_node_info *info)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = bs_realloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n].name = bs_strdup(name);
	d->v[d->n].info = *info;
	d->n++;
}

void zvol_dirents_free(struct zvol_dirent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int dirent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zvol_dirent *)a)->name, ((const struct zvol_dirent *)b)->name);
}

/* Add ds (a head) under its last name component, and a volume's snapshots after it. */
static int list_child(struct dirents *d, dsl_dataset_t *ds)
{
	_cleanup_free_ dsl_dataset_t **snaps = NULL;
	_cleanup_free_ char *name = dsl_dataset_name(ds);
	struct zvol_node_info info;
	const char *comp = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t n, i;
	int r;

	r = node_info(ds, &info);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	dirents_add(d, comp, &info);
	if (info.kind != ZVOL_VOLUME)
		return 0;
	r = dsl_dataset_snapshots(ds, &snaps, &n);
	for (i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *sn = dsl_dataset_name(snaps[i]);

		r = node_info(snaps[i], &info);
		if (r == 0)
			dirents_add(d, strrchr(sn, '/') ? strrchr(sn, '/') + 1 : sn, &info);
	}
	return r;
}

static int list_pools(struct dirents *d)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0, i;
	int r = 0;

	spa_namespace_enter();
	for (struct spa *spa = spa_first(); spa; spa = spa->next) {
		names = bs_realloc(names, (n + 1) * sizeof(*names));
		names[n++] = bs_strdup(spa->name);
	}
	spa_namespace_exit();
	for (i = 0; i < n; i++) {
		struct spa *spa;
		dsl_dataset_t *ds;

		/* a pool exported meanwhile is simply not listed */
		if (r == 0 && dsl_dataset_enter(names[i], &spa, &ds) == 0) {
			r = list_child(d, ds);
			dsl_pool_exit(spa);
		}
		free(names[i]);
	}
	bs_error_clear();
	return r;
}

int zvol_list(const char *path, struct zvol_dirent **ret, size_t *ret_n)
{
	_cleanup_free_ dsl_dataset_t **v = NULL;
	struct dirents d = { 0 };
	struct spa *spa;
	dsl_dataset_t *ds;
	size_t n, i;
	int r;

	if (!path[0]) {
		r = list_pools(&d);
	} else {
		r = dsl_dataset_enter(path, &spa, &ds);
		if (r < 0)
			return not_found(r);
		if (dsl_dataset_is_snapshot(ds) || dsl_dataset_ostype(ds) == DMU_OST_ZVOL)
			r = -ENOTDIR;
		if (r == 0)
			r = dsl_dataset_children(ds, &v, &n);
		for (i = 0; r == 0 && i < n; i++)
			r = list_child(&d, v[i]);
		dsl_pool_exit(spa);
	}
	if (r < 0) {
		zvol_dirents_free(d.v, d.n);
		return r;
	}
	if (d.n)
		qsort(d.v, d.n, sizeof(*d.v), dirent_cmp);
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}
