/* SPDX-License-Identifier: MIT */
/*
 * dnode.c - dnodes and their cached blocks (dbufs). A dnode's blocks form a tree: level-0 blocks
 * hold data, indirect blocks hold BPS_PER_INDIRECT block pointers, and the root block pointer
 * lives in the dnode. Blocks are read on demand and kept; a changed block is marked dirty
 * together with every indirect block above it, and dnode_sync writes them bottom-up, each
 * parent receiving its children's new block pointers, copy-on-write.
 */
#include "dmu_impl.h"

#define HASH_MIN 16

static uint64_t dbuf_key(uint8_t level, uint64_t blkid)
{
	return (blkid * 0x9e3779b97f4a7c15ull) ^ level;
}

static void dbuf_hash_grow(struct dnode *dn)
{
	size_t n = dn->nhash ? dn->nhash * 2 : HASH_MIN, i;
	struct dbuf **h = bs_zalloc(n * sizeof(*h));

	for (i = 0; i < dn->nhash; i++) {
		struct dbuf *db = dn->hash[i], *next;

		for (; db; db = next) {
			size_t b = dbuf_key(db->level, db->blkid) & (n - 1);

			next = db->hnext;
			db->hnext = h[b];
			h[b] = db;
		}
	}
	free(dn->hash);
	dn->hash = h;
	dn->nhash = n;
}

static struct dbuf *dbuf_find(struct dnode *dn, uint8_t level, uint64_t blkid)
{
	struct dbuf *db;

	if (!dn->nhash)
		return NULL;
	for (db = dn->hash[dbuf_key(level, blkid) & (dn->nhash - 1)]; db; db = db->hnext)
		if (db->level == level && db->blkid == blkid) {
			arc_touch(&dn->os->spa->arc, db);
			dn->os->spa->arc.hits++;
			return db;
		}
	return NULL;
}

static void dbuf_insert(struct dnode *dn, struct dbuf *db)
{
	size_t b;

	if (dn->nbufs + 1 > dn->nhash)
		dbuf_hash_grow(dn);
	b = dbuf_key(db->level, db->blkid) & (dn->nhash - 1);
	db->hnext = dn->hash[b];
	dn->hash[b] = db;
	dn->nbufs++;
	arc_insert(&dn->os->spa->arc, db);
}

static void dbuf_unlink_dirty(struct dnode *dn, struct dbuf *db)
{
	struct dbuf **pp;

	if (!db->dirty)
		return;
	for (pp = &dn->dirty_list[db->level]; *pp; pp = &(*pp)->dnext)
		if (*pp == db) {
			*pp = db->dnext;
			break;
		}
	db->dirty = false;
}

static void dbuf_remove(struct dnode *dn, struct dbuf *db)
{
	struct dbuf **pp;

	dbuf_unlink_dirty(dn, db);
	for (pp = &dn->hash[dbuf_key(db->level, db->blkid) & (dn->nhash - 1)]; *pp;
	     pp = &(*pp)->hnext)
		if (*pp == db) {
			*pp = db->hnext;
			break;
		}
	dn->nbufs--;
	arc_remove(&dn->os->spa->arc, db);
	early_forget(db, true);
	free(db->data);
	free(db);
}

void dnode_evict_dbuf(struct dbuf *db)
{
	struct dnode *dn = db->dn;

	dbuf_remove(dn, db);
	if (dn->nbufs == 0 && !dn->dirty && dn != &dn->os->meta)
		objset_evict_dnode(dn->os, dn);
}

void dnode_drop_dbufs(struct dnode *dn, bool clean_only)
{
	size_t i;

	for (i = 0; i < dn->nhash; i++) {
		struct dbuf *db = dn->hash[i], *next;

		for (; db; db = next) {
			next = db->hnext;
			if (!clean_only || !db->dirty)
				dbuf_remove(dn, db);
		}
	}
	if (!clean_only) {
		free(dn->hash);
		dn->hash = NULL;
		dn->nhash = 0;
	}
}

uint32_t dnode_blksz(const struct dnode *dn, uint8_t level)
{
	return level ? INDIRECT_SIZE : dn->phys.datablksz;
}

/* level-0 blocks the tree can address with n levels */
static uint64_t dnode_span(unsigned nlevels)
{
	uint64_t span = 1;
	unsigned i;

	for (i = 1; i < nlevels; i++) {
		if (span > UINT64_MAX / BPS_PER_INDIRECT)
			return UINT64_MAX;
		span *= BPS_PER_INDIRECT;
	}
	return span;
}

static unsigned level_shift(uint8_t level)
{
	return (unsigned)level * (INDIRECT_SHIFT - BP_SHIFT);
}

static int dbuf_hold(struct dnode *dn, uint8_t level, uint64_t blkid, bool read, struct dbuf **ret);

/* The block pointer for (level, blkid), from its parent or the dnode. */
static int dbuf_parent_bp(struct dnode *dn, uint8_t level, uint64_t blkid, struct blkptr *ret,
			  struct dbuf **ret_parent)
{
	struct dbuf *parent;
	int r;

	*ret_parent = NULL;
	if (level >= dn->phys.nlevels) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	if (level == dn->phys.nlevels - 1) {
		if (blkid != 0) {
			memset(ret, 0, sizeof(*ret));
			return 0;
		}
		*ret = dn->phys.bp;
		return 0;
	}
	r = dbuf_hold(dn, level + 1, blkid >> (INDIRECT_SHIFT - BP_SHIFT), true, &parent);
	if (r < 0)
		return r;
	*ret = ((struct blkptr *)parent->data)[blkid & (BPS_PER_INDIRECT - 1)];
	*ret_parent = parent;
	return 0;
}

static bool bp_plausible(const struct blkptr *bp, uint8_t level, uint32_t size)
{
	if (BP_IS_HOLE(bp))
		return true;
	return bp->level == level && bp->lsize <= size && bp->lsize > 0;
}

/* How many level-0 blocks ahead of a sequential reader are read in the background (zfetch.c). */
#define ZFETCH_DEPTH 8

/* Block blkid of level 0 was just read from the device: if the object is read in order, start
 * reading the blocks that follow, those not cached and not started already. */
static void dbuf_prefetch(struct dnode *dn, uint64_t blkid)
{
	uint64_t b;

	if (blkid != dn->seq_next) {
		dn->seq_next = blkid + 1;
		return;
	}
	dn->seq_next = blkid + 1;
	for (b = MAX(blkid + 1, dn->fetched_to);
	     b <= blkid + ZFETCH_DEPTH && b <= dn->phys.maxblkid; b++) {
		struct dbuf *parent;
		struct blkptr bp;

		if (dbuf_find(dn, 0, b))
			continue;
		if (dbuf_parent_bp(dn, 0, b, &bp, &parent) < 0)
			break;
		zfetch_start(dn->os->spa, &bp);
	}
	dn->fetched_to = b;
}

static int dbuf_hold(struct dnode *dn, uint8_t level, uint64_t blkid, bool read, struct dbuf **ret)
{
	struct dbuf *db = dbuf_find(dn, level, blkid), *parent;
	struct blkptr bp;
	uint32_t size = dnode_blksz(dn, level);
	int r;

	if (db) {
		*ret = db;
		return 0;
	}
	r = dbuf_parent_bp(dn, level, blkid, &bp, &parent);
	if (r < 0)
		return r;
	if (!bp_plausible(&bp, level, size))
		return bs_error(EIO, "pool '%s': damaged block pointer in object %llu",
				dn->os->spa->name, (unsigned long long)dn->object);
	db = bs_zalloc(sizeof(*db));
	db->dn = dn;
	db->level = level;
	db->blkid = blkid;
	db->size = size;
	db->bp = bp;
	/* a block read ahead is taken as it is */
	if (read && level == 0 && bp.lsize == size)
		db->data = zfetch_take(dn->os->spa, &bp);
	if (db->data) {
		dn->os->spa->arc.misses++;
		dbuf_prefetch(dn, blkid);
	} else if (read && !BP_IS_HOLE(&bp)) {
		_cleanup_free_ uint8_t *tmp = bp.lsize == size ? NULL : bs_malloc(bp.lsize);

		/* (zeroed unless the read fills it whole) */
		db->data = zio_buf_alloc(size, bp.lsize != size);
		dn->os->spa->arc.misses++;
		r = zio_read(dn->os->spa, &bp, tmp ? tmp : db->data);
		if (r < 0) {
			free(db->data);
			free(db);
			return r;
		}
		if (tmp)
			memcpy(db->data, tmp, bp.lsize);
		if (level == 0)
			dbuf_prefetch(dn, blkid);
	} else {
		db->data = zio_buf_alloc(size, true);
	}
	dbuf_insert(dn, db);
	*ret = db;
	return 0;
}

void dnode_dirty(struct dnode *dn)
{
	struct objset *os = dn->os;

	if (dn->dirty)
		return;
	dn->dirty = true;
	if (dn != &os->meta) {
		dn->dnext = os->dirty_list;
		os->dirty_list = dn;
	}
	if (!os->dirty) {
		os->dirty = true;
		if (os->ds)
			spa_dirty_ds(os->spa, os->ds);
	}
}

static void dbuf_mark_dirty(struct dbuf *db)
{
	struct dnode *dn = db->dn;

	if (db->dirty)
		return;
	db->dirty = true;
	db->dnext = dn->dirty_list[db->level];
	dn->dirty_list[db->level] = db;
	dn->os->spa->dirty_bytes += (uint64_t)db->size * MAX(dn->os->copies, 1);
	dn->os->dirty_bytes += (uint64_t)db->size * MAX(dn->os->copies, 1);
}

/* Dirty a block and every ancestor up to the first one already dirty. The ancestors are all
 * held first: a read that fails leaves nothing dirtied. */
static int dbuf_dirty(struct dbuf *db)
{
	struct dnode *dn = db->dn;
	struct dbuf *chain[DN_MAX_LEVELS + 1], *b = db;
	size_t n = 0;
	int r;

	chain[n++] = db;
	while (b->level + 1 < dn->phys.nlevels && n < ARRAY_SIZE(chain)) {
		r = dbuf_hold(dn, b->level + 1, b->blkid >> (INDIRECT_SHIFT - BP_SHIFT), true, &b);
		if (r < 0)
			return r;
		if (b->dirty)
			break;
		chain[n++] = b;
	}
	for (size_t i = 0; i < n; i++)
		dbuf_mark_dirty(chain[i]);
	dnode_dirty(dn);
	return 0;
}

/* Grow the tree until it can address level-0 block blkid. */
static int dnode_grow_levels(struct dnode *dn, uint64_t blkid)
{
	while (blkid >= dnode_span(dn->phys.nlevels)) {
		struct dbuf *top;
		int r;

		struct blkptr old_root = dn->phys.bp;

		if (dn->phys.nlevels >= DN_MAX_LEVELS)
			return -EFBIG;
		memset(&dn->phys.bp, 0, sizeof(dn->phys.bp));
		dn->phys.nlevels++;
		r = dbuf_hold(dn, dn->phys.nlevels - 1, 0, false, &top);
		if (r < 0)
			return r;
		/* the old root becomes the first entry of the new root */
		((struct blkptr *)top->data)[0] = old_root;
		r = dbuf_dirty(top);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Level-0 block blkid, held for writing (read first unless the caller overwrites all of it). */
int dnode_hold_write(struct dnode *dn, uint64_t blkid, bool whole, struct dbuf **ret)
{
	struct dbuf *db;
	int r;

	r = dnode_grow_levels(dn, blkid);
	if (r < 0)
		return r;
	r = dbuf_hold(dn, 0, blkid, !whole, &db);
	if (r < 0)
		return r;
	early_forget(db, false);
	r = dbuf_dirty(db);
	if (r < 0)
		return r;
	if (blkid > dn->phys.maxblkid)
		dn->phys.maxblkid = blkid;
	*ret = db;
	return 0;
}

int dnode_hold_read(struct dnode *dn, uint64_t blkid, struct dbuf **ret)
{
	return dbuf_hold(dn, 0, blkid, true, ret);
}

/* Whether level-0 block blkid holds data (cached or on disk). */
int dnode_block_has_data(struct dnode *dn, uint64_t blkid, bool *ret)
{
	struct dbuf *db = dbuf_find(dn, 0, blkid), *parent;
	struct blkptr bp;
	int r;

	if (db) {
		*ret = db->dirty || !BP_IS_HOLE(&db->bp);
		return 0;
	}
	r = dbuf_parent_bp(dn, 0, blkid, &bp, &parent);
	if (r < 0)
		return r;
	*ret = !BP_IS_HOLE(&bp);
	return 0;
}

/* Change the size of every level-0 block; only while there is at most block 0. */
int dnode_set_blksz(struct dnode *dn, uint32_t blksz)
{
	struct dbuf *db;
	uint8_t *data;
	int r;

	if (dn->phys.maxblkid > 0 || dn->phys.nlevels > 1)
		return -ENOTSUP;
	if (blksz == dn->phys.datablksz)
		return 0;
	r = dbuf_hold(dn, 0, 0, true, &db);
	if (r < 0)
		return r;
	early_forget(db, false);
	data = zio_buf_alloc(blksz, blksz > db->size);
	memcpy(data, db->data, MIN(blksz, db->size));
	free(db->data);
	db->data = data;
	arc_resized(&dn->os->spa->arc, db->size, blksz);
	db->size = blksz;
	dn->phys.datablksz = blksz;
	if (!db->dirty && BP_IS_HOLE(&db->bp)) {
		dnode_dirty(dn); /* nothing written yet: only the dnode changes */
		return 0;
	}
	return dbuf_dirty(db);
}

static void kill_bp(struct dnode *dn, const struct blkptr *bp)
{
	if (BP_IS_HOLE(bp))
		return;
	dn->phys.used -= MIN(dn->phys.used, bp_asize(bp));
	dn->os->ops->kill(dn->os, bp);
}

static struct blkptr hole_now(struct dnode *dn, uint8_t level)
{
	struct blkptr h = { 0 };

	h.birth = dn->os->spa->txg;
	h.level = level;
	h.type = dn->phys.type;
	return h;
}

/*
 * Free level-0 blocks [first, last] under the block (level, blkid): kill what is on disk, leave
 * holes born now in the parents, drop cached copies.
 */
static int free_level(struct dnode *dn, uint8_t level, uint64_t blkid, uint64_t first,
		      uint64_t last)
{
	unsigned sh = level_shift(level);
	uint64_t lo = blkid << sh, hi = lo + (1ull << sh) - 1, c;
	struct dbuf *db, *parent;
	struct blkptr bp;
	int r;

	if (hi < first || lo > last)
		return 0;
	db = dbuf_find(dn, level, blkid);
	if (!db) {
		r = dbuf_parent_bp(dn, level, blkid, &bp, &parent);
		if (r < 0)
			return r;
		if (BP_IS_HOLE(&bp))
			return 0; /* nothing below */
	}
	if (level == 0) {
		struct blkptr old;

		r = dbuf_parent_bp(dn, 0, blkid, &old, &parent);
		if (r < 0)
			return r;
		if (db) {
			old = db->bp;
			dbuf_remove(dn, db);
		}
		kill_bp(dn, &old);
		if (parent) {
			((struct blkptr *)parent->data)[blkid & (BPS_PER_INDIRECT - 1)] =
				hole_now(dn, 0);
			return dbuf_dirty(parent);
		}
		dn->phys.bp = hole_now(dn, 0);
		dnode_dirty(dn);
		return 0;
	}
	r = dbuf_hold(dn, level, blkid, true, &db);
	if (r < 0)
		return r;
	for (c = 0; c < BPS_PER_INDIRECT; c++) {
		uint64_t child = (blkid << (INDIRECT_SHIFT - BP_SHIFT)) + c;

		r = free_level(dn, level - 1, child, first, last);
		if (r < 0)
			return r;
	}
	return 0;
}

int dnode_free_blocks(struct dnode *dn, uint64_t first, uint64_t last)
{
	if (dn->phys.nlevels == 0)
		return 0;
	last = MIN(last, dn->phys.maxblkid);
	if (first > last)
		return 0;
	return free_level(dn, dn->phys.nlevels - 1, 0, first, last);
}

/* Kill every block the dnode has on disk (the object is being freed). */
int dnode_free_all(struct dnode *dn)
{
	size_t i;
	int r;

	r = dnode_free_blocks(dn, 0, UINT64_MAX);
	if (r < 0)
		return r;
	/* every non-hole indirect is cached now: kill the on-disk copies */
	for (i = 0; i < dn->nhash; i++)
		for (struct dbuf *db = dn->hash[i]; db; db = db->hnext)
			if (db->level > 0)
				kill_bp(dn, &db->bp);
	dnode_drop_dbufs(dn, false);
	memset(dn->dirty_list, 0, sizeof(dn->dirty_list));
	memset(&dn->phys, 0, sizeof(dn->phys));
	dnode_dirty(dn);
	return 0;
}

static uint64_t block_fill(const struct dbuf *db)
{
	const struct blkptr *bps = (const struct blkptr *)db->data;
	uint64_t fill = 0, i;

	if (db->level > 0) {
		for (i = 0; i < BPS_PER_INDIRECT; i++)
			fill += BP_IS_HOLE(&bps[i]) ? 0 : bps[i].fill;
		return fill;
	}
	if (db->dn->phys.type == DMU_OT_DNODE) {
		const struct dnode_phys *d = (const void *)db->data;

		for (i = 0; i < db->size / DNODE_SIZE; i++)
			fill += d[i].type != 0;
		return fill;
	}
	return 1;
}

/* What is metadata, as in ZFS: everything but the contents of files, volumes and extended
 * attribute values. Metadata gets an extra copy, is always compressed and is allocated apart. */
static bool type_is_metadata(uint8_t type)
{
	switch (type) {
	case DMU_OT_PLAIN_FILE:
	case DMU_OT_ZVOL:
	case DMU_OT_XATTR_VALUE:
		return false;
	default:
		return true;
	}
}

static void zio_prop_for(struct dnode *dn, uint8_t level, struct zio_prop *zp)
{
	struct objset *os = dn->os;
	bool meta = level > 0 || type_is_metadata(dn->phys.type) || os->ds == NULL;

	zp->type = dn->phys.type;
	zp->level = level;
	zp->checksum = os->checksum;
	zp->compress = os->compress;
	zp->copies = os->copies;
	zp->metadata = meta;
	if (meta) {
		zp->copies = MIN(os->copies + 1, BP_MAX_COPIES);
		if (os->ds == NULL)
			zp->copies = BP_MAX_COPIES;
		if (zp->compress == ZIO_COMPRESS_OFF)
			zp->compress = ZIO_COMPRESS_LZ4;
	}
	/* the space map and defer objects are rewritten in place until sync converges */
	zp->alloc_full = dn->phys.type == DMU_OT_SPACE_MAP || dn->phys.type == DMU_OT_DEFER;
}

static int dbuf_sync(struct dnode *dn, struct dbuf *db, uint64_t txg)
{
	struct zio_prop zp;
	struct blkptr nbp, old = db->bp;
	const struct blkptr *reuse = old.birth == txg && !BP_IS_HOLE(&old) ? &old : NULL;
	struct dbuf *parent;
	int r;

	zio_prop_for(dn, db->level, &zp);
	if (!early_take(db, txg, &nbp)) {
		r = zio_write(dn->os->spa, db->data, db->size, &zp, txg, reuse, &nbp);
		if (r < 0)
			return r;
	}
	nbp.fill = BP_IS_HOLE(&nbp) ? 0 : block_fill(db);
	if (!(reuse && !BP_IS_HOLE(&nbp) && memcmp(nbp.dva, old.dva, sizeof(old.dva)) == 0)) {
		kill_bp(dn, &old);
		if (!BP_IS_HOLE(&nbp)) {
			dn->phys.used += bp_asize(&nbp);
			dn->os->ops->born(dn->os, &nbp);
		}
	}
	db->bp = nbp;
	db->dirty = false;
	if (db->level == dn->phys.nlevels - 1) {
		dn->phys.bp = nbp;
		return 0;
	}
	r = dbuf_hold(dn, db->level + 1, db->blkid >> (INDIRECT_SHIFT - BP_SHIFT), true, &parent);
	if (r < 0)
		return r;
	ASSERT(parent->dirty);
	((struct blkptr *)parent->data)[db->blkid & (BPS_PER_INDIRECT - 1)] = nbp;
	return 0;
}

bool dnode_may_grow(const struct dnode *dn)
{
	return (dn->phys.flags & DN_FLAG_GROW) && dn->phys.maxblkid == 0 && dn->phys.nlevels == 1 &&
	       dn->phys.datablksz < dn->os->recordsize;
}

void dnode_block_finished(struct dnode *dn, struct dbuf *db)
{
	struct objset *os = dn->os;
	struct zio_prop zp;

	if (!os->ds || os->snapshot || db->level != 0 ||
	    (dn->phys.type != DMU_OT_PLAIN_FILE && dn->phys.type != DMU_OT_ZVOL))
		return;
	if (dnode_may_grow(dn)) /* left for the commit */
		return;
	zio_prop_for(dn, 0, &zp);
	early_queue(db, &zp);
}

static int dbuf_blkid_cmp(const void *a, const void *b)
{
	const struct dbuf *x = *(struct dbuf *const *)a, *y = *(struct dbuf *const *)b;

	return x->blkid < y->blkid ? -1 : x->blkid > y->blkid;
}

/*
 * Write one level's dirty blocks in block order, so that a file written front to back is laid
 * out front to back (the allocator moves forward) and reads back sequentially.
 */
static int sync_level(struct dnode *dn, int level, uint64_t txg)
{
	_cleanup_free_ struct dbuf **v = NULL;
	struct dbuf *db;
	size_t n = 0, i;
	int r = 0;

	for (db = dn->dirty_list[level]; db; db = db->dnext)
		n++;
	if (!n)
		return 0;
	v = bs_malloc(n * sizeof(*v));
	for (i = 0, db = dn->dirty_list[level]; db; db = db->dnext)
		v[i++] = db;
	qsort(v, n, sizeof(*v), dbuf_blkid_cmp);
	dn->dirty_list[level] = NULL;
	for (i = 0; i < n; i++) {
		v[i]->dnext = NULL;
		if (r == 0)
			r = dbuf_sync(dn, v[i], txg);
		if (r < 0) { /* what is not written stays dirty */
			v[i]->dirty = true;
			v[i]->dnext = dn->dirty_list[level];
			dn->dirty_list[level] = v[i];
		}
	}
	return r;
}

int dnode_sync(struct dnode *dn, uint64_t txg)
{
	int level, r;

	for (level = 0; level < dn->phys.nlevels; level++) {
		r = sync_level(dn, level, txg);
		if (r < 0)
			return r;
	}
	dn->dirty = false;
	return 0;
}

/*
 * Visit the tree under bp, parents first, pruning blocks born at or before min_txg. obj is the
 * object the blocks belong to (0: the meta dnode's), blkid the block's index at its level.
 */
static int traverse(struct spa *spa, const struct blkptr *bp, uint64_t min_txg, uint64_t obj,
		    uint64_t blkid, bp_visit_fn fn, void *arg)
{
	_cleanup_free_ uint8_t *buf = NULL;
	uint64_t i, n;
	int r;

	if (BP_IS_HOLE(bp) || bp->birth <= min_txg)
		return 0;
	r = fn(spa, bp, obj, arg);
	if (r != 0)
		return r;
	if (bp->level == 0 && bp->type != DMU_OT_DNODE && bp->type != DMU_OT_OBJSET)
		return 0;
	if (bp->lsize > SPA_MAXBLOCKSIZE)
		return -EIO;
	buf = bs_malloc(bp->lsize);
	r = zio_read(spa, bp, buf);
	if (r < 0)
		return r;
	if (bp->level > 0) {
		n = bp->lsize / sizeof(struct blkptr);
		for (i = 0; i < n; i++) {
			r = traverse(spa, &((struct blkptr *)buf)[i], min_txg, obj,
				     (blkid << (INDIRECT_SHIFT - BP_SHIFT)) + i, fn, arg);
			if (r != 0)
				return r;
		}
	} else if (bp->type == DMU_OT_OBJSET) {
		if (bp->lsize < sizeof(struct objset_phys))
			return -EIO;
		r = traverse(spa, &((struct objset_phys *)buf)->meta_dnode.bp, min_txg, 0, 0, fn,
			     arg);
	} else {
		n = bp->lsize / DNODE_SIZE;
		for (i = 0; i < n; i++) {
			const struct dnode_phys *d = (const void *)(buf + i * DNODE_SIZE);

			if (d->type == 0 || d->nlevels == 0 || d->nlevels > DN_MAX_LEVELS)
				continue;
			r = traverse(spa, &d->bp, min_txg, blkid * (bp->lsize / DNODE_SIZE) + i, 0,
				     fn, arg);
			if (r != 0)
				return r;
		}
	}
	return r;
}

int traverse_bp_tree(struct spa *spa, const struct blkptr *bp, uint64_t min_txg, bp_visit_fn fn,
		     void *arg)
{
	return traverse(spa, bp, min_txg, 0, 0, fn, arg);
}
