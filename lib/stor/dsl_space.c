/*
 * dsl_space.c - exact space accounting, worked out from the datasets' counters and dead lists.
 * Every block born in a dir (after the dir's origin: older ones belong to the origin) is either
 * live in the head or in exactly one dead list of the dir's datasets (killed, but still in a
 * snapshot). So the head's share (ZFS's usedbydataset) is what it references less what it
 * still shares with its origin, and snapshots' space is the sum of the dead lists, counting
 * only blocks born after the origin. A snapshot's own used is what its successor's dead list
 * holds that was born after its predecessor; children add theirs.
 *
 * Reservations are charged as if written: a dir with a reservation counts in its parent as the
 * larger of its used and its reservation, and a refreservation counts in its own dir for what
 * the head has not written since its latest snapshot. Available is worked out from the root
 * down: the pool's free space less every reservation nobody uses yet, plus the unused
 * reservations on the way down to the dataset (they are its own), limited by every quota on
 * the way and the dataset's refquota.
 */
#include "dsl_impl.h"
#include "zap.h"

uint64_t dsl_pool_available(struct spa *spa)
{
	uint64_t total = space_total(spa), used = space_used_before_open(spa);
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

/*
 * The dir's dead space: ret_snaps, what its snapshots alone hold (dead-list entries born after
 * the origin), and ret_head, what the head references that was born in the dir: its
 * referenced bytes less the origin's blocks it still shares (the origin's referenced bytes
 * less those of them any dataset of the dir has killed).
 */
static int dir_split_space(struct spa *spa, uint64_t dirobj, const struct dsl_dir_phys *d,
			   uint64_t *ret_snaps, uint64_t *ret_head)
{
	struct dsl_dataset *head, *s, *origin = NULL;
	uint64_t otxg, snaps = 0, killed_old = 0, after, upto, shared = 0;
	int r;

	r = origin_txg(spa, d, &otxg);
	if (r == 0)
		r = dsl_dataset_hold_obj(spa, d->head_obj, &head);
	if (r == 0 && d->origin_obj)
		r = dsl_dataset_hold_obj(spa, d->origin_obj, &origin);
	if (r < 0)
		return r;
	for (s = head;;) {
		r = deadlist_space_split(spa, s->phys.deadlist_obj, otxg, &after, &upto);
		if (r < 0)
			return r;
		snaps += after;
		killed_old += upto;
		if (s == head)
			for (size_t i = 0; i < head->ndead; i++) {
				if (head->dead[i].birth > otxg)
					snaps += bp_asize(&head->dead[i]);
				else
					killed_old += bp_asize(&head->dead[i]);
			}
		if (!s->phys.prev_snap_obj)
			break;
		r = dsl_dataset_hold_obj(spa, s->phys.prev_snap_obj, &s);
		if (r < 0)
			return r;
		if (s->phys.dir_obj != dirobj)
			break;
	}
	if (origin)
		shared = origin->phys.referenced - MIN(killed_old, origin->phys.referenced);
	*ret_snaps = snaps;
	*ret_head = head->phys.referenced - MIN(shared, head->phys.referenced);
	return 0;
}

static uint64_t prop_u64(struct dsl_dataset *head, const char *prop)
{
	uint64_t v = 0;

	if (dsl_prop_get_u64(head, prop, &v) < 0) {
		bs_error_clear();
		return 0;
	}
	return v;
}

/* What a head's refreservation holds beyond what the head has written. */
static uint64_t refres_unused(struct dsl_dataset *head)
{
	uint64_t refres = prop_u64(head, "refreservation");

	return refres > head->phys.unique ? refres - head->phys.unique : 0;
}

struct dir_space {
	uint64_t used;	  /* as charged: reservations below count in full */
	uint64_t unres;	  /* of that, reservations not yet used by anything */
	uint64_t reserve; /* the dir's own reservation */
	uint64_t head;	  /* of used, the head's own (usedbydataset) */
	uint64_t snaps;	  /* of used, what only snapshots hold (usedbysnapshots) */
};

static int dir_space(struct spa *spa, uint64_t dirobj, struct dir_space *ret)
{
	struct dsl_dir_phys d;
	struct dsl_dataset *head;
	char name[ZAP_MAXNAMELEN];
	uint64_t cookie = 0, child;
	struct dir_space sp = { 0 };
	size_t len;
	int r;

	r = dsl_dir_read(spa, dirobj, &d);
	if (r == 0)
		r = dsl_dataset_hold_obj(spa, d.head_obj, &head);
	if (r == 0)
		r = dir_split_space(spa, dirobj, &d, &sp.snaps, &sp.head);
	if (r < 0)
		return r;
	sp.unres = refres_unused(head);
	sp.used = sp.head + sp.snaps + sp.unres;
	sp.reserve = prop_u64(head, "reservation");
	while ((r = zap_next(spa->mos, d.children_obj, &cookie, name, &child, sizeof(child),
			     &len)) > 0) {
		struct dir_space c;
		uint64_t charged;

		r = dir_space(spa, child, &c);
		if (r < 0)
			return r;
		charged = MAX(c.used, c.reserve);
		sp.used += charged;
		sp.unres += charged - c.used + c.unres;
	}
	if (r < 0)
		return r;
	*ret = sp;
	return 0;
}

int dsl_dir_used(struct spa *spa, uint64_t dirobj, uint64_t *ret)
{
	struct dir_space sp;
	int r;

	r = dir_space(spa, dirobj, &sp);
	if (r == 0)
		*ret = sp.used;
	return r;
}

/* What the dataset can still write: pool space less others' reservations, plus the unused
 * reservations that are its own, within every quota from the root down. */
static int available(struct dsl_dataset *ds, uint64_t *ret)
{
	struct spa *spa = ds->spa;
	uint64_t path[64], avail, refquota;
	size_t n = 0;
	int r;

	for (uint64_t dir = ds->phys.dir_obj; dir;) {
		struct dsl_dir_phys d;

		if (n == ARRAY_SIZE(path))
			return bs_error(EIO, "pool '%s': dataset tree too deep", spa->name);
		path[n++] = dir;
		r = dsl_dir_read(spa, dir, &d);
		if (r < 0)
			return r;
		dir = d.parent_obj;
	}
	avail = dsl_pool_available(spa);
	while (n-- > 0) {
		struct dir_space sp;
		struct dsl_dir_phys d;
		struct dsl_dataset *head;
		uint64_t quota;

		r = dir_space(spa, path[n], &sp);
		if (r == 0)
			r = dsl_dir_read(spa, path[n], &d);
		if (r == 0)
			r = dsl_dataset_hold_obj(spa, d.head_obj, &head);
		if (r < 0)
			return r;
		if (d.parent_obj == 0) /* the root: nobody may take a reservation's space */
			avail -= MIN(avail, sp.unres);
		else if (sp.reserve > sp.used)
			avail += sp.reserve - sp.used;
		quota = prop_u64(head, "quota");
		if (quota)
			avail = MIN(avail, quota > sp.used ? quota - sp.used : 0);
		if (n == 0)
			avail += refres_unused(head);
	}
	refquota = prop_u64(ds, "refquota");
	if (refquota)
		avail = MIN(avail,
			    refquota > ds->phys.referenced ? refquota - ds->phys.referenced : 0);
	*ret = avail;
	return 0;
}

int dsl_dataset_quota_check(dsl_dataset_t *ds, uint64_t len)
{
	struct spa *spa = ds->spa;
	int r;

	/* the figures move when a txg commits or a property changes: recompute then */
	if (ds->quota_txg != spa->txg || ds->quota_gen != spa->prop_gen) {
		uint64_t room;

		r = available(ds, &room);
		if (r < 0)
			return r;
		ds->quota_room = room;
		ds->quota_txg = spa->txg;
		ds->quota_gen = spa->prop_gen;
	}
	/* what the open txg already dirtied, and at most len more */
	if ((ds->os ? ds->os->dirty_bytes : 0) + len > ds->quota_room) {
		_cleanup_free_ char *n = dsl_dataset_name(ds);

		return bs_error(EDQUOT,
				"'%s' is over its quota, or the space left is reserved "
				"for other datasets",
				n);
	}
	return 0;
}

int dsl_dataset_available(dsl_dataset_t *ds, uint64_t *ret)
{
	return available(ds, ret);
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
		struct dir_space dsp;
		uint64_t total;

		/* (one walk of the dir's dead lists gives the total and its parts) */
		r = dir_space(spa, ds->phys.dir_obj, &dsp);
		if (r < 0)
			return r;
		total = dsp.used;
		sp.usedbydataset = dsp.head;
		sp.usedbysnapshots = dsp.snaps;
		sp.usedbyrefreservation = refres_unused(ds);
		sp.used = total;
		sp.usedbychildren = total - MIN(total, sp.usedbydataset + sp.usedbysnapshots +
							       sp.usedbyrefreservation);
		sp.written = ds->phys.unique;
		sp.logicalused = sp.used;
	}
	r = dsl_dataset_available(ds, &sp.available);
	if (r < 0)
		return r;
	*ret = sp;
	return 0;
}
