/* SPDX-License-Identifier: MIT */
/*
 * dmu.c - the object interface the upper layers use: allocate and free objects, read and write
 * their bytes and bonus buffers, punch holes, find data and holes, and walk what changed since
 * a txg. Writes land in cached blocks marked dirty in the open txg; nothing here touches a disk
 * except to read a block that is not cached yet.
 */
#include "dmu_impl.h"
#include "dsl.h"

spa_t *dmu_objset_spa(objset_t *os)
{
	return os->spa;
}

dsl_dataset_t *dmu_objset_ds(objset_t *os)
{
	return os->ds;
}

enum dmu_objset_type dmu_objset_type(objset_t *os)
{
	return (enum dmu_objset_type)os->phys.type;
}

bool dmu_objset_is_snapshot(objset_t *os)
{
	return os->snapshot;
}

static int writable(objset_t *os)
{
	if (os->snapshot || os->spa->readonly)
		return -EROFS;
	return 0;
}

static void dnode_init(struct dnode *dn, uint8_t type, uint32_t blksz, uint8_t bonustype,
		       uint16_t bonuslen)
{
	memset(&dn->phys, 0, sizeof(dn->phys));
	dn->phys.type = type;
	dn->phys.nlevels = 1;
	dn->phys.datablksz = blksz ? blksz : SPA_MINBLOCKSIZE;
	dn->phys.flags = blksz ? 0 : DN_FLAG_GROW;
	dn->phys.bonustype = bonustype;
	dn->phys.bonuslen = MIN(bonuslen, DN_BONUS_SIZE);
	dn->phys.gen = dn->os->spa->txg;
	dnode_dirty(dn);
}

static int check_blksz(uint32_t blksz)
{
	if (blksz && (blksz < SPA_MINBLOCKSIZE || blksz > SPA_MAXBLOCKSIZE || !IS_P2(blksz)))
		return -EINVAL;
	return 0;
}

int dmu_object_alloc(objset_t *os, uint8_t type, uint32_t blksz, uint8_t bonustype,
		     uint16_t bonuslen, uint64_t *ret_obj)
{
	struct dnode *dn;
	int r;

	r = writable(os);
	if (r == 0)
		r = check_blksz(blksz);
	if (r < 0)
		return r;
	for (;;) {
		uint64_t obj = os->next_obj++;

		r = dnode_hold(os, obj, true, &dn);
		if (r < 0)
			return r;
		if (dn->phys.type == 0)
			break;
	}
	dnode_init(dn, type, blksz, bonustype, bonuslen);
	*ret_obj = dn->object;
	return 0;
}

int dmu_object_claim(objset_t *os, uint64_t obj, uint8_t type, uint32_t blksz, uint8_t bonustype,
		     uint16_t bonuslen)
{
	struct dnode *dn;
	int r;

	r = writable(os);
	if (r == 0)
		r = check_blksz(blksz);
	if (r < 0)
		return r;
	if (obj == 0 || obj > (1ull << 48))
		return -EINVAL;
	r = dnode_hold(os, obj, true, &dn);
	if (r < 0)
		return r;
	if (dn->phys.type != 0)
		return -EEXIST;
	dnode_init(dn, type, blksz, bonustype, bonuslen);
	if (obj >= os->next_obj)
		os->next_obj = obj + 1;
	return 0;
}

int dmu_object_free(objset_t *os, uint64_t obj)
{
	struct dnode *dn;
	int r;

	r = writable(os);
	if (r == 0)
		r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	return dnode_free_all(dn);
}

int dmu_object_info(objset_t *os, uint64_t obj, struct dmu_object_info *ret)
{
	struct dnode *dn;
	int r;

	r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	ret->type = dn->phys.type;
	ret->bonustype = dn->phys.bonustype;
	ret->bonuslen = dn->phys.bonuslen;
	ret->nlevels = dn->phys.nlevels;
	ret->flags = dn->phys.flags;
	ret->datablksz = dn->phys.datablksz;
	ret->maxblkid = dn->phys.maxblkid;
	ret->used = dn->phys.used;
	ret->gen = dn->phys.gen;
	return 0;
}

int dmu_object_next(objset_t *os, uint64_t obj, uint64_t *ret_obj)
{
	uint64_t limit = (os->meta.phys.maxblkid + 1) * DNODES_PER_BLOCK;
	struct dnode *dn;
	int r;

	limit = MAX(limit, os->next_obj);
	for (obj++; obj < limit; obj++) {
		r = dnode_hold(os, obj, true, &dn);
		if (r < 0)
			return r;
		if (dn->phys.type != 0) {
			*ret_obj = obj;
			return 0;
		}
	}
	return -ESRCH;
}

int dmu_object_set_blksz(objset_t *os, uint64_t obj, uint32_t blksz)
{
	struct dnode *dn;
	int r;

	r = writable(os);
	if (r == 0)
		r = check_blksz(blksz);
	if (r == 0)
		r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	r = dnode_set_blksz(dn, blksz);
	if (r == 0)
		dn->phys.flags &= ~DN_FLAG_GROW;
	return r;
}

int dmu_read(objset_t *os, uint64_t obj, uint64_t off, uint64_t len, void *buf)
{
	struct dnode *dn;
	uint8_t *p = buf;
	int r;

	r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	while (len > 0) {
		uint32_t bs = dn->phys.datablksz;
		uint64_t blkid = off / bs, boff = off % bs, n = MIN(len, bs - boff);
		struct dbuf *db;

		if (blkid > dn->phys.maxblkid) {
			memset(p, 0, len);
			return 0;
		}
		r = dnode_hold_read(dn, blkid, &db);
		if (r < 0) {
			if (r == -EIO && os->ds)
				spa_log_error(os->spa, dsl_dataset_obj(os->ds), obj);
			return r;
		}
		memcpy(p, db->data + boff, n);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static uint32_t grown_blksz(uint32_t cur, uint64_t end, uint32_t recordsize)
{
	uint32_t n = cur;

	if (end >= recordsize)
		return recordsize;
	while (n < end)
		n <<= 1;
	return MIN(n, recordsize);
}

/* Whether the pool, and the dataset's quotas, can take len more bytes of user data in the
 * open txg. An operation that frees space may use the slop and ignores quotas. */
static int space_check(objset_t *os, uint64_t len)
{
	struct spa *spa = os->spa;
	uint64_t total = space_total(spa);
	uint64_t used = space_used_before_open(spa);
	uint64_t want = spa->dirty_bytes + len * MAX(os->copies, 1);

	if (!os->ds)
		return 0;
	if (!os->netfree)
		used += space_slop(spa);
	if (used >= total || total - used < want) {
		spa->enospc = true;
		return bs_error(ENOSPC, "pool '%s' is out of space", spa->name);
	}
	return os->netfree ? 0 : dsl_dataset_quota_check(os->ds, len * MAX(os->copies, 1));
}

void dmu_objset_netfree(objset_t *os, bool on)
{
	os->netfree = on;
}

int dmu_write(objset_t *os, uint64_t obj, uint64_t off, uint64_t len, const void *buf)
{
	const uint8_t *p = buf;
	struct dnode *dn;
	int r;

	r = writable(os);
	if (r == 0)
		r = dnode_hold(os, obj, false, &dn);
	if (r == 0)
		r = space_check(os, len);
	if (r < 0)
		return r;
	if (len == 0)
		return 0;
	if (off + len < off || off + len > (1ull << 62))
		return -EFBIG;
	if (dnode_may_grow(dn) && off + len > dn->phys.datablksz) {
		r = dnode_set_blksz(dn, grown_blksz(dn->phys.datablksz, off + len, os->recordsize));
		if (r < 0)
			return r;
	}
	while (len > 0) {
		uint32_t bs = dn->phys.datablksz;
		uint64_t blkid = off / bs, boff = off % bs, n = MIN(len, bs - boff);
		struct dbuf *db;

		r = dnode_hold_write(dn, blkid, boff == 0 && n == bs, &db);
		if (r < 0)
			return r;
		memcpy(db->data + boff, p, n);
		/* a block written to its end, whole or after the previous write: done with */
		if (boff + n == bs && (boff == 0 || off == dn->write_next))
			dnode_block_finished(dn, db);
		p += n;
		off += n;
		len -= n;
		dn->write_next = off;
	}
	return 0;
}

static int zero_range(objset_t *os, uint64_t obj, uint64_t off, uint64_t len)
{
	_cleanup_free_ uint8_t *z = NULL;

	if (!len)
		return 0;
	z = bs_zalloc(len);
	return dmu_write(os, obj, off, len, z);
}

int dmu_free_range(objset_t *os, uint64_t obj, uint64_t off, uint64_t len)
{
	struct dnode *dn;
	uint64_t end, bs, first, last, head, tail;
	int r;

	r = writable(os);
	if (r == 0)
		r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	bs = dn->phys.datablksz;
	end = (len == UINT64_MAX || off + len < off) ? UINT64_MAX : off + len;
	if (off >= (dn->phys.maxblkid + 1) * bs)
		return 0;
	end = MIN(end, (dn->phys.maxblkid + 1) * bs);
	first = DIV_ROUND_UP(off, bs);
	last = end / bs; /* exclusive */
	head = MIN(end, first * bs) - off;
	tail = end > last * bs && last >= first ? end - last * bs : 0;
	if (first * bs > end) { /* within a single block */
		return zero_range(os, obj, off, end - off);
	}
	r = zero_range(os, obj, off, head);
	if (r == 0 && tail)
		r = zero_range(os, obj, last * bs, tail);
	if (r == 0 && last > first)
		r = dnode_free_blocks(dn, first, last - 1);
	if (r == 0 && len == UINT64_MAX && first <= dn->phys.maxblkid)
		dn->phys.maxblkid = first ? first - 1 : 0;
	if (r == 0)
		dnode_dirty(dn);
	return r;
}

int dmu_offset_next(objset_t *os, uint64_t obj, bool hole, uint64_t *off)
{
	struct dnode *dn;
	uint64_t blkid;
	bool data;
	int r;

	r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	for (blkid = *off / dn->phys.datablksz; blkid <= dn->phys.maxblkid; blkid++) {
		r = dnode_block_has_data(dn, blkid, &data);
		if (r < 0)
			return r;
		if (data != hole) {
			*off = MAX(*off, blkid * dn->phys.datablksz);
			return 0;
		}
	}
	if (hole) {
		*off = MAX(*off, (dn->phys.maxblkid + 1) * dn->phys.datablksz);
		return 0;
	}
	return -ENXIO;
}

int dmu_bonus_read(objset_t *os, uint64_t obj, void *buf, uint16_t len)
{
	struct dnode *dn;
	int r;

	r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	if (len > DN_BONUS_SIZE)
		return -EINVAL;
	memcpy(buf, dn->phys.bonus, len);
	return 0;
}

int dmu_bonus_write(objset_t *os, uint64_t obj, const void *buf, uint16_t len)
{
	struct dnode *dn;
	int r;

	r = writable(os);
	if (r == 0)
		r = dnode_hold(os, obj, false, &dn);
	if (r < 0)
		return r;
	if (len > DN_BONUS_SIZE)
		return -EINVAL;
	memcpy(dn->phys.bonus, buf, len);
	if (len > dn->phys.bonuslen)
		dn->phys.bonuslen = len;
	dnode_dirty(dn);
	return 0;
}

int dmu_read_bp(spa_t *spa, const struct blkptr *bp, void *buf)
{
	return zio_read(spa, bp, buf);
}

/* Level-0 block pointers of one object born after min_txg, in block order. */
static int walk_blocks(objset_t *os, uint64_t obj, const struct dnode_phys *dn,
		       const struct blkptr *bp, unsigned level, uint64_t blkid, uint64_t min_txg,
		       const struct dmu_traverse_cbs *cbs)
{
	_cleanup_free_ struct blkptr *kids = NULL;
	uint64_t i;
	int r;

	if (bp->birth <= min_txg)
		return 0;
	if (level == 0 || BP_IS_HOLE(bp))
		return cbs->block(os, obj, blkid, bp, dn, cbs->arg);
	if (bp->lsize != INDIRECT_SIZE || bp->level != level)
		return -EIO;
	kids = bs_malloc(INDIRECT_SIZE);
	r = zio_read(os->spa, bp, kids);
	if (r < 0)
		return r;
	for (i = 0; i < BPS_PER_INDIRECT; i++) {
		r = walk_blocks(os, obj, dn, &kids[i], level - 1,
				(blkid << (INDIRECT_SHIFT - BP_SHIFT)) + i, min_txg, cbs);
		if (r != 0)
			return r;
	}
	return 0;
}

struct traverse_state {
	objset_t *os;
	uint64_t min_txg;
	const struct dmu_traverse_cbs *cbs;
};

static int traverse_dnode_block(objset_t *os, uint64_t metaobj, uint64_t blkid,
				const struct blkptr *bp, const struct dnode_phys *meta, void *arg)
{
	struct traverse_state *st = arg;
	_cleanup_free_ uint8_t *buf = bs_zalloc(DNODE_BLOCK_SIZE);
	uint64_t i;
	int r;

	(void)meta;
	(void)metaobj;
	if (!BP_IS_HOLE(bp)) {
		if (bp->lsize != DNODE_BLOCK_SIZE)
			return -EIO;
		r = zio_read(os->spa, bp, buf);
		if (r < 0)
			return r;
	}
	for (i = 0; i < DNODES_PER_BLOCK; i++) {
		const struct dnode_phys *dn = (const void *)(buf + i * DNODE_SIZE);
		uint64_t obj = blkid * DNODES_PER_BLOCK + i;

		if (obj == 0)
			continue;
		if (dn->type != 0 && (dn->nlevels == 0 || dn->nlevels > DN_MAX_LEVELS))
			return -EIO;
		r = st->cbs->dnode(os, obj, dn, st->cbs->arg);
		if (r != 0)
			return r;
		if (dn->type == 0)
			continue;
		r = walk_blocks(os, obj, dn, &dn->bp, dn->nlevels - 1, 0, st->min_txg, st->cbs);
		if (r != 0)
			return r;
	}
	return 0;
}

int dmu_traverse(objset_t *os, uint64_t min_txg, const struct dmu_traverse_cbs *cbs)
{
	struct traverse_state st = { os, min_txg, cbs };
	struct dmu_traverse_cbs meta_cbs = { NULL, traverse_dnode_block, &st };
	const struct dnode_phys *meta = &os->phys.meta_dnode;

	return walk_blocks(os, 0, meta, &meta->bp, meta->nlevels - 1, 0, min_txg, &meta_cbs);
}
