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

static int scrub_run(struct spa *spa)
{
	struct scrub_arg sa = { 0 };
	uint64_t obj = 0, before = repaired_total(spa);
	int r;

	spa->scrub_examined = spa->scrub_errors = spa->scrub_repaired = 0;
	spa->scrub_total = space_allocated(spa) - spa->defer_bytes;
	spa->scrub_start = bs_now_ns() / 1000000000ull;
	spa->scrub_end = 0;
	r = spa_sync(spa);
	if (r == 0)
		r = traverse_bp_tree(spa, &spa->ub.rootbp, 0, scrub_visit, &sa);
	if (r == -EIO) {
		spa->scrub_errors++;
		r = 0;
	}
	while (r == 0 && dmu_object_next(spa->mos, obj, &obj) == 0) {
		struct dmu_object_info doi;
		struct dsl_dataset_phys phys;

		if (dmu_object_info(spa->mos, obj, &doi) < 0 || doi.type != DMU_OT_DSL_DATASET)
			continue;
		if (dmu_bonus_read(spa->mos, obj, &phys, sizeof(phys)) < 0)
			continue;
		sa.dsobj = obj;
		r = traverse_bp_tree(spa, &phys.bp, phys.prev_snap_txg, scrub_visit, &sa);
		if (r == -EIO) {
			spa->scrub_errors++;
			r = 0;
		}
	}
	spa->scrub_repaired = repaired_total(spa) - before;
	spa->scrub_end = bs_now_ns() / 1000000000ull;
	spa->scrub_active = false;
	return r;
}

static void *scrub_thread(void *arg)
{
	struct spa *spa = arg;

	spa_enter(spa);
	(void)scrub_run(spa);
	spa_exit(spa);
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
	if (wait) {
		r = scrub_run(spa);
		dsl_pool_exit(spa);
		return r;
	}
	dsl_pool_exit(spa);
	r = pthread_create(&t, NULL, scrub_thread, spa);
	if (r != 0)
		return -r;
	pthread_detach(t);
	return 0;
}
