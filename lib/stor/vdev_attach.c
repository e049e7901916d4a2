/* SPDX-License-Identifier: MIT */
/*
 * vdev_attach.c - changing a pool's mirrors while it is imported: zpool attach makes a plain
 * top-level device or a mirror one side larger, zpool replace attaches a device next to another
 * that leaves once the new one is resilvered, zpool detach takes a side out. Every change is
 * committed with the new vdev tree in every label, so that an import finds it, and the cache
 * file follows. The copying itself is the resilver (scrub.c).
 */
#include <sys/file.h>

#include "basalt/stor.h"
#include "dsl_impl.h"

/* A leaf by path or by guid (in decimal). */
static bool find_leaf(struct spa *spa, const char *dev, int *ret_v, int *ret_c)
{
	uint64_t guid = 0;
	bool by_guid = bs_parse_u64(dev, &guid) == 0;

	for (int v = 0; v < spa->nvdevs; v++)
		for (int c = 0; c < spa->vdev[v]->nchildren; c++) {
			struct vdev_leaf *l = spa->vdev[v]->child[c];

			if (streq(l->path, dev) || (by_guid && l->guid == guid)) {
				*ret_v = v;
				*ret_c = c;
				return true;
			}
		}
	return false;
}

struct vdev_leaf *spa_vdev_remove_leaf(struct spa *spa, struct vdev_top *vd, int c)
{
	struct vdev_leaf *l = vd->child[c];

	ASSERT(vd->nchildren > 1);
	pthread_rwlock_wrlock(&spa->vdev_lock);
	memmove(&vd->child[c], &vd->child[c + 1], (vd->nchildren - c - 1) * sizeof(*vd->child));
	vd->nchildren--;
	if (vd->nchildren == 1)
		vd->mirror = false;
	for (int i = 0; i < vd->nchildren; i++)
		if (vd->child[i]->replacing == l->guid)
			vd->child[i]->replacing = 0;
	pthread_rwlock_unlock(&spa->vdev_lock);
	return l;
}

void spa_vdev_release_leaf(struct vdev_leaf *l, bool wipe)
{
	if (wipe && !l->missing)
		(void)vdev_leaf_wipe_labels(l);
	vdev_leaf_close(l);
}

static void cache_update(void)
{
	spa_namespace_enter();
	if (spa_cache_write() < 0)
		log_err("cannot update the pool cache file: %s", bs_error_msg());
	spa_namespace_exit();
}

static int readable_sides(struct vdev_top *vd, int except)
{
	int n = 0;

	for (int i = 0; i < vd->nchildren; i++)
		if (i != except && vdev_leaf_readable(vd->child[i]))
			n++;
	return n;
}

/*
 * Put the new leaf next to vd's child c, resilvering; replace: c leaves once it is resilvered.
 * With the pool lock. The device is checked and its old labels cleared (a ring of another pool's
 * uberblocks must not outlive the attach), then the new tree is committed.
 */
static int attach_leaf(struct spa *spa, struct vdev_top *vd, int c, const char *new_dev, bool force,
		       bool replace)
{
	struct vdev_leaf *old = vd->child[c], *l;
	_cleanup_free_ char *what =
		replace ? bs_asprintf("cannot replace %s with %s", old->path, new_dev) :
			  bs_asprintf("cannot attach %s to %s", new_dev, old->path);
	int r, v, k;

	if (vd->nchildren >= 16)
		return bs_error(EINVAL, "%s: a mirror has at most 16 sides", what);
	if (!readable_sides(vd, -1))
		return bs_error(ENXIO, "%s: no valid replicas", what);
	if (replace && old->replacing)
		return bs_error(EBUSY, "%s: %s is already being replaced", what, old->path);
	if (find_leaf(spa, new_dev, &v, &k) &&
	    !(replace && v == (int)vd->id && k == c && old->missing))
		return bs_error(EBUSY, "%s: %s is part of pool '%s'", what, new_dev, spa->name);
	r = vdev_leaf_open_new(new_dev, force, &l);
	if (r < 0)
		return r;
	if (vdev_usable(l->size, spa->ashift) < vd->asize) {
		r = bs_error(EOVERFLOW, "%s: device is too small", what);
		goto fail;
	}
	if (l->fd >= 0 && flock(l->fd, LOCK_EX | LOCK_NB) < 0) {
		r = bs_error(EBUSY, "%s: %s is in use by another process", what, new_dev);
		goto fail;
	}
	r = vdev_leaf_wipe_labels(l);
	if (r < 0) {
		r = bs_error(EIO, "%s: cannot write to %s: %s", what, new_dev, bs_strerror(r));
		goto fail;
	}
	l->resilvering = true;
	if (replace)
		old->replacing = l->guid;
	pthread_rwlock_wrlock(&spa->vdev_lock);
	vd->child = bs_realloc(vd->child, (vd->nchildren + 1) * sizeof(*vd->child));
	vd->child[vd->nchildren++] = l;
	vd->mirror = true;
	pthread_rwlock_unlock(&spa->vdev_lock);
	spa->config_dirty = true;
	return spa_sync(spa);
fail:
	vdev_leaf_close(l);
	return r;
}

static int attach_common(const char *pool, const char *device, const char *new_dev, bool force,
			 bool wait, bool replace)
{
	const char *what = replace ? "replace" : "attach";
	struct spa *spa;
	bool run = false;
	int r, v, c;

	r = dsl_pool_enter(pool, &spa);
	if (r < 0)
		return r;
	if (spa->readonly) {
		r = bs_error(EROFS, "cannot %s %s: pool '%s' is read-only", what, device, pool);
		goto out;
	}
	if (!find_leaf(spa, device, &v, &c)) {
		r = bs_error(ENODEV, "cannot %s %s: no such device in pool '%s'", what, device,
			     pool);
		goto out;
	}
	if (spa->scrub_active && !spa->scan_resilver) {
		r = bs_error(EBUSY,
			     "cannot %s %s: a scrub is in progress; stop it with 'zpool "
			     "scrub -s %s'",
			     what, device, pool);
		goto out;
	}
	r = attach_leaf(spa, spa->vdev[v], c, new_dev, force, replace);
	if (r == 0)
		r = spa_resilver_start(spa, &run);
out:
	dsl_pool_exit(spa);
	if (r < 0)
		return r;
	cache_update();
	if (run)
		return spa_resilver_run(spa, wait);
	return wait ? stor_pool_wait_resilver(pool) : 0;
}

int stor_pool_attach(const char *pool, const char *device, const char *new_dev, bool force,
		     bool wait)
{
	return attach_common(pool, device, new_dev, force, wait, false);
}

int stor_pool_replace(const char *pool, const char *old, const char *new_dev, bool force, bool wait)
{
	return attach_common(pool, old, new_dev ? new_dev : old, force, wait, true);
}

int stor_pool_detach(const char *pool, const char *device)
{
	struct vdev_leaf *l = NULL;
	struct vdev_top *vd;
	struct spa *spa;
	int r, v, c;

	r = dsl_pool_enter(pool, &spa);
	if (r < 0)
		return r;
	if (spa->readonly) {
		r = bs_error(EROFS, "cannot detach %s: pool '%s' is read-only", device, pool);
		goto out;
	}
	if (!find_leaf(spa, device, &v, &c)) {
		r = bs_error(ENODEV, "cannot detach %s: no such device in pool '%s'", device, pool);
		goto out;
	}
	vd = spa->vdev[v];
	if (!vd->mirror || vd->nchildren < 2) {
		r = bs_error(ENOTSUP,
			     "cannot detach %s: only applicable to mirror and replacing vdevs",
			     device);
		goto out;
	}
	if (!readable_sides(vd, c)) {
		r = bs_error(EBUSY, "cannot detach %s: no valid replicas", device);
		goto out;
	}
	l = spa_vdev_remove_leaf(spa, vd, c);
	spa->config_dirty = true;
	r = spa_sync(spa);
out:
	dsl_pool_exit(spa);
	if (l) {
		spa_vdev_release_leaf(l, r == 0);
		cache_update();
	}
	return r;
}
