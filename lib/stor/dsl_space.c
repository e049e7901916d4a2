/* SPDX-License-Identifier: MIT */
/*
 * dsl_space.c - exact space accounting. A head's own space is what it wrote since its latest
 * snapshot (kept as it happens); snapshots' space is the sum of the dead lists of the dir's
 * datasets, counting only blocks born after the dir's origin (older ones belong to the origin);
 * a snapshot's own used is what its successor's dead list holds that was born after its
 * predecessor; children add theirs. Available is the pool's free space, less the metadata
 * reserve, limited by every quota on the way up.
 */
#include "dsl_impl.h"
#include "zap.h"

uint64_t dsl_pool_available(struct spa *spa)
{
	uint64_t total = space_total(spa), used = space_allocated(spa) - space_reclaimable(spa);
	uint64_t reserve = space_slop(spa) + spa->dirty_bytes;

	return used + reserve >= total ? 0 : total - used - reserve;
}

static int origin_txg(struct spa *spa, const struct dsl_dir_phys *d, uint64_t *ret)
{
	struct dsl_dataset *o;
	int r;

	*ret = 0;
	if (!d->origin_obj)
		return 0;
	r = dsl_dataset_hold_obj(spa, d->origin_obj, &o);
	if (r == 0)
		*ret = o->phys.creation_txg;
	return r;
}

static int dir_snap_space(struct spa *spa, uint64_t dirobj, const struct dsl_dir_phys *d,
			  uint64_t *ret)
{
	struct dsl_dataset *head, *s;
	uint64_t otxg, sum = 0, n;
	int r;

	r = origin_txg(spa, d, &otxg);
	if (r == 0)
		r = dsl_dataset_hold_obj(spa, d->head_obj, &head);
	if (r < 0)
		return r;
	for (s = head;;) {
		r = deadlist_space(spa, s->phys.deadlist_obj, otxg, &n);
		if (r < 0)
			return r;
		sum += n;
		if (s == head)
			for (size_t i = 0; i < head->ndead; i++)
				sum += head->dead[i].birth > otxg ? bp_asize(&head->dead[i]) : 0;
		if (!s->phys.prev_snap_obj)
			break;
		r = dsl_dataset_hold_obj(spa, s->phys.prev_snap_obj, &s);
		if (r < 0)
			return r;
		if (s->phys.dir_obj != dirobj)
			break;
	}
	*ret = sum;
	return 0;
}

int dsl_dir_used(struct spa *spa, uint64_t dirobj, uint64_t *ret)
{
	struct dsl_dir_phys d;
	struct dsl_dataset *head;
	char name[ZAP_MAXNAMELEN];
	uint64_t cookie = 0, child, snaps, sum, cu;
	size_t len;
	int r;

	r = dsl_dir_read(spa, dirobj, &d);
	if (r == 0)
		r = dsl_dataset_hold_obj(spa, d.head_obj, &head);
	if (r == 0)
		r = dir_snap_space(spa, dirobj, &d, &snaps);
	if (r < 0)
		return r;
	sum = head->phys.unique + snaps;
	while ((r = zap_next(spa->mos, d.children_obj, &cookie, name, &child, sizeof(child),
			     &len)) > 0) {
		r = dsl_dir_used(spa, child, &cu);
		if (r < 0)
			return r;
		sum += cu;
	}
	if (r < 0)
		return r;
	*ret = sum;
	return 0;
}

/* Limit *avail by the dataset's refquota and every quota on the way up. */
static int quota_limit(struct dsl_dataset *ds, uint64_t *avail)
{
	struct spa *spa = ds->spa;
	uint64_t dir = ds->phys.dir_obj, refquota;

	if (dsl_prop_get_u64(ds, "refquota", &refquota) == 0 && refquota)
		*avail = MIN(*avail,
			     refquota > ds->phys.referenced ? refquota - ds->phys.referenced : 0);
	while (dir) {
		struct dsl_dir_phys d;
		struct dsl_dataset *h;
		uint64_t quota, used;
		int r;

		r = dsl_dir_read(spa, dir, &d);
		if (r == 0)
			r = dsl_dataset_hold_obj(spa, d.head_obj, &h);
		if (r == 0 && dsl_prop_get_u64(h, "quota", &quota) == 0 && quota) {
			r = dsl_dir_used(spa, dir, &used);
			if (r == 0)
				*avail = MIN(*avail, used >= quota ? 0 : quota - used);
		}
		if (r < 0)
			return r;
		dir = d.parent_obj;
	}
	bs_error_clear();
	return 0;
}

int dsl_dataset_quota_check(dsl_dataset_t *ds, uint64_t len)
{
	struct spa *spa = ds->spa;
	int r;

	/* the figures move when a txg commits or a property changes: recompute then */
	if (ds->quota_txg != spa->txg || ds->quota_gen != spa->prop_gen) {
		uint64_t room = UINT64_MAX;

		r = quota_limit(ds, &room);
		if (r < 0)
			return r;
		ds->quota_room = room;
		ds->quota_txg = spa->txg;
		ds->quota_gen = spa->prop_gen;
		ds->quota_written = 0;
	}
	if (ds->quota_room != UINT64_MAX && ds->quota_written + len > ds->quota_room) {
		_cleanup_free_ char *n = dsl_dataset_name(ds);

		return bs_error(EDQUOT, "'%s' is over its quota", n);
	}
	ds->quota_written += len;
	return 0;
}

int dsl_dataset_available(dsl_dataset_t *ds, uint64_t *ret)
{
	uint64_t avail = dsl_pool_available(ds->spa);
	int r;

	r = quota_limit(ds, &avail);
	if (r == 0)
		*ret = avail;
	return r;
}

int dsl_dataset_space(struct dsl_dataset *ds, struct dsl_space *ret)
{
	struct spa *spa = ds->spa;
	struct dsl_space sp = { 0 };
	int r;

	sp.referenced = ds->phys.referenced;
	sp.compressed = ds->phys.compressed;
	sp.uncompressed = ds->phys.uncompressed;
	sp.logicalreferenced = ds->phys.uncompressed;
	if (dsl_dataset_is_snapshot(ds)) {
		struct dsl_dataset *next;

		sp.written = ds->phys.written;
		if (ds->phys.next_snap_obj)
			r = dsl_dataset_hold_obj(spa, ds->phys.next_snap_obj, &next);
		else
			r = dsl_dataset_head(ds, &next);
		if (r == 0)
			r = deadlist_space(spa, next->phys.deadlist_obj, ds->phys.prev_snap_txg,
					   &sp.used);
		if (r < 0)
			return r;
		sp.logicalused = sp.used;
		*ret = sp;
		return 0;
	}
	{
		struct dsl_dir_phys d;
		uint64_t total;

		r = dsl_dir_read(spa, ds->phys.dir_obj, &d);
		if (r == 0)
			r = dir_snap_space(spa, ds->phys.dir_obj, &d, &sp.usedbysnapshots);
		if (r == 0)
			r = dsl_dir_used(spa, ds->phys.dir_obj, &total);
		if (r < 0)
			return r;
		sp.usedbydataset = ds->phys.unique;
		sp.used = total;
		sp.usedbychildren = total - MIN(total, sp.usedbydataset + sp.usedbysnapshots);
		sp.written = ds->phys.unique;
		sp.logicalused = sp.used;
	}
	r = dsl_dataset_available(ds, &sp.available);
	if (r < 0)
		return r;
	*ret = sp;
	return 0;
}
