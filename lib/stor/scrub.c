/* SPDX-License-Identifier: MIT */
/*
 * scrub.c - the pool scans. zpool scrub reads every block of the pool, once, and verifies it; a
 * resilver (after zpool attach or replace) copies every block onto the sides of a mirror that
 * were attached since, from a copy that verifies. Both walk the MOS tree whole, then each
 * dataset's tree pruning blocks born at or before its previous snapshot (that snapshot's walk
 * covers them). A scrub reads every copy from every mirror side and rewrites the bad ones; a
 * block with no good copy is counted and its file named in the pool's error log.
 *
 * A resilvering side takes every write made after it was attached, so the walk only has to reach
 * the blocks that existed then: every one of them is either still in a tree the walk visits or
 * no longer needed. When it ends, the sides become readable and the devices they replace leave.
 */
#include <pthread.h>

#include "basalt/stor.h"
#include "dsl_impl.h"

struct scan_arg {
	uint64_t dsobj;
	bool write_failed; /* resilver: a new side did not take a block */
};

static int scrub_visit(struct spa *spa, const struct blkptr *bp, uint64_t obj, void *arg)
{
	struct scan_arg *sa = arg;
	uint64_t repaired;

	if (spa->scrub_cancel)
		return -ECANCELED;
	spa->scrub_examined += bp_asize(bp);
	if (zio_scrub(spa, bp, &repaired) < 0) {
		spa->scrub_errors++;
		spa_log_error(spa, sa->dsobj, obj);
	}
	return 0;
}

static int resilver_visit(struct spa *spa, const struct blkptr *bp, uint64_t obj, void *arg)
{
	struct scan_arg *sa = arg;
	uint64_t copied;
	int r;

	if (spa->scrub_cancel)
		return -ECANCELED;
	spa->scrub_examined += bp_asize(bp);
	r = zio_resilver(spa, bp, &copied);
	spa->scrub_repaired += copied;
	if (r == -ENXIO) {
		sa->write_failed = true;
	} else if (r < 0) {
		spa->scrub_errors++;
		spa_log_error(spa, sa->dsobj, obj);
	}
	return 0;
}
static uint64_t repaired_total(struct spa *spa)
{
	uint64_t n = 0;

	for (int v = 0; v < spa->nvdevs; v++)
		for (int i = 0; i < spa->vdev[v]->nchildren; i++)
			n += spa->vdev[v]->child[i]->repaired_bytes;
	return n;
}

/* The dataset records of the pool (MOS objects), to walk one at a time. */
static int dataset_objects(struct spa *spa, uint64_t **ret, size_t *ret_n)
{
	uint64_t obj = 0, *v = NULL;
	size_t n = 0;

	while (dmu_object_next(spa->mos, obj, &obj) == 0) {
		struct dmu_object_info doi;

		if (dmu_object_info(spa->mos, obj, &doi) < 0 || doi.type != DMU_OT_DSL_DATASET)
			continue;
		v = bs_realloc(v, (n + 1) * sizeof(*v));
		v[n++] = obj;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void count_walk_error(struct spa *spa, int *r)
{
	if (*r == -EIO) { /* a block the walk itself needed was unreadable */
		spa->scrub_errors++;
		*r = 0;
	}
}

static bool contains(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/*
 * Walk the pool. The pool lock is taken for the MOS and then for one dataset at a time, so the
 * pool keeps serving between them; a dataset's record is read afresh under the lock, and what it
 * points at cannot be reused while the walk holds the lock. Datasets that appeared during the
 * walk (a snapshot taken of a dataset not yet walked prunes that dataset's walk) are walked too.
 */
static int scan_walk(struct spa *spa, bp_visit_fn fn, struct scan_arg *sa)
{
	_cleanup_free_ uint64_t *done = NULL;
	size_t ndone = 0;
	bool more = true;
	int r;

	spa_enter(spa);
	r = spa_sync(spa);
	if (r == 0)
		r = traverse_bp_tree(spa, &spa->ub.rootbp, 0, fn, sa);
	count_walk_error(spa, &r);
	spa_exit(spa);
	while (r == 0 && more) {
		_cleanup_free_ uint64_t *objs = NULL;
		size_t n = 0, i;

		spa_enter(spa);
		r = dataset_objects(spa, &objs, &n);
		spa_exit(spa);
		more = false;
		for (i = 0; i < n && r == 0; i++) {
			struct dmu_object_info doi;
			struct dsl_dataset_phys phys;

			if (contains(done, ndone, objs[i]))
				continue;
			more = true;
			done = bs_realloc(done, (ndone + 1) * sizeof(*done));
			done[ndone++] = objs[i];
			spa_enter(spa);
			if (dmu_object_info(spa->mos, objs[i], &doi) == 0 &&
			    doi.type == DMU_OT_DSL_DATASET &&
			    dmu_bonus_read(spa->mos, objs[i], &phys, sizeof(phys)) == 0) {
				sa->dsobj = objs[i];
				r = traverse_bp_tree(spa, &phys.bp, phys.prev_snap_txg, fn, sa);
				count_walk_error(spa, &r);
			}
			spa_exit(spa);
		}
	}
	return r;
}

static void scan_begin(struct spa *spa)
{
	spa->scrub_examined = spa->scrub_errors = spa->scrub_repaired = 0;
	spa->scrub_total = space_allocated(spa) - spa->defer_bytes;
	spa->scrub_start = bs_now_ns() / 1000000000ull;
	spa->scrub_end = 0;
}

static int scrub_run(struct spa *spa)
{
	struct scan_arg sa = { 0 };
	uint64_t before;
	int r;

	spa_enter(spa);
	before = repaired_total(spa);
	scan_begin(spa);
	spa_exit(spa);
	r = scan_walk(spa, scrub_visit, &sa);
	spa_enter(spa);
	spa->scrub_repaired = repaired_total(spa) - before;
	spa->scrub_end = bs_now_ns() / 1000000000ull;
	spa->scrub_active = false;
	spa_exit(spa);
	return r;
}

static void *scrub_thread(void *arg)
{
	(void)scrub_run(arg);
	return NULL;
}

int stor_pool_scrub(const char *name, bool wait, bool stop)
{
	struct spa *spa;
	pthread_t t;
	int r;

	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	if (stop) {
		if (!spa->scrub_active || spa->scan_resilver)
			r = bs_error(ENOENT, "there is no active scrub on '%s'", name);
		else
			spa->scrub_cancel = true;
		dsl_pool_exit(spa);
		return r;
	}
	if (spa->scrub_active) {
		dsl_pool_exit(spa);
		if (spa->scan_resilver)
			return bs_error(EBUSY, "cannot scrub '%s': currently resilvering", name);
		return bs_error(EBUSY, "a scrub is already running on '%s'", name);
	}
	spa->scrub_active = true;
	spa->scrub_cancel = false;
	spa->scan_resilver = false;
	dsl_pool_exit(spa);
	if (wait)
		return scrub_run(spa);
	r = pthread_create(&t, NULL, scrub_thread, spa);
	if (r != 0) {
		spa_enter(spa);
		spa->scrub_active = false;
		spa_exit(spa);
		return -r;
	}
	pthread_detach(t);
	return 0;
}

/* ---- resilver ---- */

static bool any_resilvering(struct spa *spa)
{
	for (int v = 0; v < spa->nvdevs; v++)
		for (int i = 0; i < spa->vdev[v]->nchildren; i++)
			if (spa->vdev[v]->child[i]->resilvering)
				return true;
	return false;
}

/* The resilver is whole: the new sides serve reads, and the devices they replace leave. */
static int resilver_done(struct spa *spa)
{
	struct vdev_leaf *gone[64];
	int ngone = 0, r;

	pthread_rwlock_wrlock(&spa->vdev_lock);
	for (int v = 0; v < spa->nvdevs; v++)
		for (int i = 0; i < spa->vdev[v]->nchildren; i++)
			if (!spa->vdev[v]->child[i]->missing)
				spa->vdev[v]->child[i]->resilvering = false;
	pthread_rwlock_unlock(&spa->vdev_lock);
	for (int v = 0; v < spa->nvdevs; v++) {
		struct vdev_top *vd = spa->vdev[v];

		for (int i = vd->nchildren - 1; i >= 0 && ngone < (int)ARRAY_SIZE(gone); i--)
			if (vd->child[i]->replacing && vd->nchildren > 1)
				gone[ngone++] = spa_vdev_remove_leaf(spa, vd, i);
	}
	spa->config_dirty = true;
	r = spa_sync(spa);
	for (int i = 0; i < ngone; i++)
		spa_vdev_release_leaf(gone[i], r == 0);
	return r;
}

static int resilver_run(struct spa *spa)
{
	struct scan_arg sa;
	bool done = false;
	int r;

	for (;;) {
		memset(&sa, 0, sizeof(sa));
		r = scan_walk(spa, resilver_visit, &sa);
		spa_enter(spa);
		if (r == 0 && spa->resilver_restart && !spa->scrub_cancel) {
			spa->resilver_restart = false;
			scan_begin(spa);
			spa_exit(spa);
			continue;
		}
		break;
	}
	/* the pool lock is held */
	spa->resilver_restart = false;
	if (r == 0 && !sa.write_failed && !spa->readonly && any_resilvering(spa)) {
		r = resilver_done(spa);
		done = true;
	}
	if (r == 0 && sa.write_failed)
		r = bs_error(EIO, "pool '%s': the resilver could not write to a new device",
			     spa->name);
	spa->scrub_end = bs_now_ns() / 1000000000ull;
	spa->scrub_active = false;
	spa_exit(spa);
	if (done) { /* the replaced devices left: the cache file names the new ones */
		spa_namespace_enter();
		(void)spa_cache_write();
		spa_namespace_exit();
	}
	return r;
}

static void *resilver_thread(void *arg)
{
	struct spa *spa = arg;
	int r = resilver_run(spa);

	if (r < 0 && r != -ECANCELED)
		log_err("resilver: %s", bs_strerror(r));
	return NULL;
}

int spa_resilver_start(struct spa *spa, bool *ret_run)
{
	*ret_run = false;
	if (spa->scrub_active && spa->scan_resilver) {
		spa->resilver_restart = true;
		return 0;
	}
	if (spa->scrub_active)
		return bs_error(EBUSY,
				"pool '%s': a scrub is in progress; stop it with 'zpool "
				"scrub -s %s' first",
				spa->name, spa->name);
	if (!any_resilvering(spa))
		return 0;
	spa->scrub_active = true;
	spa->scan_resilver = true;
	spa->scrub_cancel = false;
	spa->resilver_restart = false;
	scan_begin(spa);
	*ret_run = true;
	return 0;
}

int spa_resilver_run(struct spa *spa, bool wait)
{
	pthread_t t;
	int r;

	if (wait)
		return resilver_run(spa);
	r = pthread_create(&t, NULL, resilver_thread, spa);
	if (r != 0) {
		spa_enter(spa);
		spa->scrub_active = false;
		spa_exit(spa);
		return bs_error(r, "cannot start the resilver: %s", strerror(r));
	}
	pthread_detach(t);
	return 0;
}

int stor_pool_wait_resilver(const char *name)
{
	for (;;) {
		struct spa *spa;
		bool active;
		int r = dsl_pool_enter(name, &spa);

		if (r < 0)
			return r;
		active = spa->scrub_active && spa->scan_resilver;
		dsl_pool_exit(spa);
		if (!active)
			return 0;
		usleep(50000);
	}
}
