/* SPDX-License-Identifier: MIT */
/*
 * scrub.c - zpool scrub: read every block of the pool, once, and verify it. The MOS tree is
 * walked whole; each dataset's tree is walked pruning blocks born at or before its previous
 * snapshot (that snapshot's walk covers them). Every copy of every block is read from every
 * mirror side and verified; a bad one is rewritten from a good one; a block with no good copy is
 * counted and its file named in the pool's error log.
 */
#include <pthread.h>

#include "basalt/stor.h"
#include "dsl_impl.h"

struct scrub_arg {
	uint64_t dsobj;
};

static int scrub_visit(struct spa *spa, const struct blkptr *bp, uint64_t obj, void *arg)
{
	struct scrub_arg *sa = arg;
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

/*
 * Walk the pool. The pool lock is taken for the MOS and then for one dataset at a time, so the
 * pool keeps serving between them; a dataset's record is read afresh under the lock, and what it
 * points at cannot be reused while the walk holds the lock.
 */
static int scrub_run(struct spa *spa)
{
	struct scrub_arg sa = { 0 };
	_cleanup_free_ uint64_t *objs = NULL;
	uint64_t before;
	size_t n = 0, i;
	int r;

	spa_enter(spa);
	before = repaired_total(spa);
	spa->scrub_examined = spa->scrub_errors = spa->scrub_repaired = 0;
	spa->scrub_total = space_allocated(spa) - spa->defer_bytes;
	spa->scrub_start = bs_now_ns() / 1000000000ull;
	spa->scrub_end = 0;
	r = spa_sync(spa);
	if (r == 0)
		r = traverse_bp_tree(spa, &spa->ub.rootbp, 0, scrub_visit, &sa);
	count_walk_error(spa, &r);
	if (r == 0)
		r = dataset_objects(spa, &objs, &n);
	spa_exit(spa);
	for (i = 0; i < n && r == 0; i++) {
		struct dmu_object_info doi;
		struct dsl_dataset_phys phys;

		spa_enter(spa);
		if (dmu_object_info(spa->mos, objs[i], &doi) == 0 &&
		    doi.type == DMU_OT_DSL_DATASET &&
		    dmu_bonus_read(spa->mos, objs[i], &phys, sizeof(phys)) == 0) {
			sa.dsobj = objs[i];
			r = traverse_bp_tree(spa, &phys.bp, phys.prev_snap_txg, scrub_visit, &sa);
			count_walk_error(spa, &r);
		}
		spa_exit(spa);
	}
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
		if (!spa->scrub_active)
			r = bs_error(ENOENT, "there is no active scrub on '%s'", name);
		spa->scrub_cancel = true;
		dsl_pool_exit(spa);
		return r;
	}
	if (spa->scrub_active) {
		dsl_pool_exit(spa);
		return bs_error(EBUSY, "a scrub is already running on '%s'", name);
	}
	spa->scrub_active = true;
	spa->scrub_cancel = false;
	dsl_pool_exit(spa);
	if (wait)
		return scrub_run(spa);
	r = pthread_create(&t, NULL, scrub_thread, spa);
	if (r != 0)
		return -r;
	pthread_detach(t);
	return 0;
}
