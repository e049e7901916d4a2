/* SPDX-License-Identifier: MIT */
/*
 * objset.c - object sets: the meta dnode whose data is the array of dnodes, the cache of open
 * dnodes, and the sync that writes a whole object set out (every dirty object's blocks, then the
 * dnodes that changed into the meta dnode's blocks, then the objset block itself).
 */
#include "dmu_impl.h"

static size_t dn_hash(uint64_t obj, size_t n)
{
	return (obj * 0x9e3779b97f4a7c15ull >> 17) & (n - 1);
}

static void dn_hash_grow(struct objset *os)
{
	size_t n = os->nhash ? os->nhash * 2 : 64, i;
	struct dnode **h = bs_zalloc(n * sizeof(*h));

	for (i = 0; i < os->nhash; i++) {
		struct dnode *dn = os->hash[i], *next;

		for (; dn; dn = next) {
			size_t b = dn_hash(dn->object, n);

			next = dn->hnext;
			dn->hnext = h[b];
			h[b] = dn;
		}
	}
	free(os->hash);
	os->hash = h;
	os->nhash = n;
}

static void dn_hash_remove(struct objset *os, struct dnode *dn)
{
	struct dnode **pp;

	for (pp = &os->hash[dn_hash(dn->object, os->nhash)]; *pp; pp = &(*pp)->hnext)
		if (*pp == dn) {
			*pp = dn->hnext;
			break;
		}
	os->ndnodes--;
}

static void dnode_destroy(struct dnode *dn)
{
	dnode_drop_dbufs(dn, false);
	free(dn);
}

int dnode_hold(struct objset *os, uint64_t obj, bool allow_free, struct dnode **ret)
{
	struct dnode *dn;
	struct dbuf *db;
	size_t b;
	int r;

	if (obj == 0)
		return -ENOENT;
	if (os->nhash)
		for (dn = os->hash[dn_hash(obj, os->nhash)]; dn; dn = dn->hnext)
			if (dn->object == obj) {
				if (!allow_free && dn->phys.type == 0)
					return -ENOENT;
				*ret = dn;
				return 0;
			}
	if (obj / DNODES_PER_BLOCK > os->meta.phys.maxblkid && !allow_free)
		return -ENOENT;
	dn = bs_zalloc(sizeof(*dn));
	dn->os = os;
	dn->object = obj;
	if (os->meta.phys.nlevels && obj / DNODES_PER_BLOCK <= os->meta.phys.maxblkid) {
		r = dnode_hold_read(&os->meta, obj / DNODES_PER_BLOCK, &db);
		if (r < 0) {
			free(dn);
			return r;
		}
		memcpy(&dn->phys, db->data + (obj % DNODES_PER_BLOCK) * DNODE_SIZE, DNODE_SIZE);
	}
	if (dn->phys.type != 0 &&
	    (dn->phys.nlevels == 0 || dn->phys.nlevels > DN_MAX_LEVELS ||
	     dn->phys.datablksz < SPA_MINBLOCKSIZE || dn->phys.datablksz > SPA_MAXBLOCKSIZE ||
	     dn->phys.bonuslen > DN_BONUS_SIZE)) {
		free(dn);
		return bs_error(EIO, "pool '%s': damaged dnode %llu", os->spa->name,
				(unsigned long long)obj);
	}
	if (!allow_free && dn->phys.type == 0) {
		free(dn);
		return -ENOENT;
	}
	if (os->ndnodes + 1 > os->nhash)
		dn_hash_grow(os);
	b = dn_hash(obj, os->nhash);
	dn->hnext = os->hash[b];
	os->hash[b] = dn;
	os->ndnodes++;
	*ret = dn;
	return 0;
}

static void meta_init(struct objset *os)
{
	os->meta.os = os;
	os->meta.object = 0;
	os->meta.phys = os->phys.meta_dnode;
}

struct objset *objset_create(struct spa *spa, enum dmu_objset_type type,
			     const struct objset_ops *ops)
{
	struct objset *os = bs_zalloc(sizeof(*os));

	os->spa = spa;
	os->ops = ops;
	os->phys.type = type;
	os->phys.meta_dnode.type = DMU_OT_DNODE;
	os->phys.meta_dnode.nlevels = 1;
	os->phys.meta_dnode.datablksz = DNODE_BLOCK_SIZE;
	meta_init(os);
	os->next_obj = 1;
	os->compress = ZIO_COMPRESS_LZ4;
	os->checksum = ZIO_CKSUM_FLETCHER4;
	os->copies = 1;
	os->recordsize = 128 << 10;
	dnode_dirty(&os->meta);
	return os;
}

int objset_open(struct spa *spa, const struct blkptr *bp, const struct objset_ops *ops,
		struct objset **ret)
{
	struct objset *os;
	int r;

	if (BP_IS_HOLE(bp) || bp->lsize != OBJSET_PHYS_SIZE || bp->type != DMU_OT_OBJSET)
		return bs_error(EIO, "pool '%s': damaged object set pointer", spa->name);
	os = bs_zalloc(sizeof(*os));
	os->spa = spa;
	os->ops = ops;
	r = zio_read(spa, bp, &os->phys);
	if (r < 0) {
		free(os);
		return bs_error(EIO, "pool '%s': object set unreadable on every copy", spa->name);
	}
	if (os->phys.meta_dnode.type != DMU_OT_DNODE || os->phys.meta_dnode.nlevels == 0 ||
	    os->phys.meta_dnode.nlevels > DN_MAX_LEVELS ||
	    os->phys.meta_dnode.datablksz != DNODE_BLOCK_SIZE) {
		free(os);
		return bs_error(EIO, "pool '%s': damaged object set", spa->name);
	}
	os->bp = *bp;
	meta_init(os);
	os->next_obj = (os->meta.phys.maxblkid + 1) * DNODES_PER_BLOCK;
	os->compress = ZIO_COMPRESS_LZ4;
	os->checksum = ZIO_CKSUM_FLETCHER4;
	os->copies = 1;
	os->recordsize = 128 << 10;
	*ret = os;
	return 0;
}

static void drop_all_dnodes(struct objset *os, bool clean_only)
{
	size_t i;

	for (i = 0; i < os->nhash; i++) {
		struct dnode *dn = os->hash[i], *next;

		for (; dn; dn = next) {
			next = dn->hnext;
			if (clean_only && dn->dirty)
				continue;
			dn_hash_remove(os, dn);
			dnode_destroy(dn);
		}
	}
}

void objset_close(struct objset *os)
{
	if (!os)
		return;
	drop_all_dnodes(os, false);
	dnode_drop_dbufs(&os->meta, false);
	free(os->hash);
	free(os);
}

void objset_evict_dnode(struct objset *os, struct dnode *dn)
{
	dn_hash_remove(os, dn);
	dnode_destroy(dn);
}

void objset_reset(struct objset *os, const struct blkptr *bp)
{
	drop_all_dnodes(os, false);
	dnode_drop_dbufs(&os->meta, false);
	memset(os->meta.dirty_list, 0, sizeof(os->meta.dirty_list));
	os->meta.dirty = false;
	os->dirty_list = NULL;
	os->dirty = false;
	VERIFY0(zio_read(os->spa, bp, &os->phys));
	os->bp = *bp;
	meta_init(os);
	os->next_obj = (os->meta.phys.maxblkid + 1) * DNODES_PER_BLOCK;
}

static int write_back_dnode(struct objset *os, struct dnode *dn)
{
	struct dbuf *db;
	int r;

	r = dnode_hold_write(&os->meta, dn->object / DNODES_PER_BLOCK, false, &db);
	if (r < 0)
		return r;
	memcpy(db->data + (dn->object % DNODES_PER_BLOCK) * DNODE_SIZE, &dn->phys, DNODE_SIZE);
	return 0;
}

static int dnode_obj_cmp(const void *a, const void *b)
{
	const struct dnode *x = *(struct dnode *const *)a, *y = *(struct dnode *const *)b;

	return x->object < y->object ? -1 : x->object > y->object;
}

/* Write every dirty object, in object order (files created together land together). */
static int sync_dnodes(struct objset *os, uint64_t txg)
{
	_cleanup_free_ struct dnode **v = NULL;
	struct dnode *dn;
	size_t n = 0, i;
	int r = 0;

	for (dn = os->dirty_list; dn; dn = dn->dnext)
		n++;
	if (!n)
		return 0;
	v = bs_malloc(n * sizeof(*v));
	for (i = 0, dn = os->dirty_list; dn; dn = dn->dnext)
		v[i++] = dn;
	qsort(v, n, sizeof(*v), dnode_obj_cmp);
	os->dirty_list = NULL;
	for (i = 0; i < n; i++) {
		dn = v[i];
		dn->dnext = NULL;
		if (r == 0)
			r = dnode_sync(dn, txg);
		if (r == 0)
			r = write_back_dnode(os, dn);
		if (r < 0) { /* what is not written stays dirty */
			dn->dirty = true;
			dn->dnext = os->dirty_list;
			os->dirty_list = dn;
			continue;
		}
		if (dn->phys.type == 0) {
			dn_hash_remove(os, dn);
			dnode_destroy(dn);
		}
	}
	return r;
}

int objset_sync(struct objset *os, uint64_t txg, struct blkptr *ret_bp)
{
	struct zio_prop zp = { .type = DMU_OT_OBJSET,
			       .metadata = true,
			       .compress = ZIO_COMPRESS_LZ4,
			       .checksum = os->checksum,
			       .copies = (uint8_t)(os->ds ? MIN(os->copies + 1, BP_MAX_COPIES) :
							    BP_MAX_COPIES) };
	struct blkptr nbp, old = os->bp;
	const struct blkptr *reuse = old.birth == txg && !BP_IS_HOLE(&old) ? &old : NULL;
	int r;

	r = sync_dnodes(os, txg);
	if (r == 0)
		r = dnode_sync(&os->meta, txg);
	if (r < 0)
		return r;
	os->phys.meta_dnode = os->meta.phys;
	r = zio_write(os->spa, &os->phys, OBJSET_PHYS_SIZE, &zp, txg, reuse, &nbp);
	if (r < 0)
		return r;
	nbp.fill = 1;
	if (!(reuse && memcmp(nbp.dva, old.dva, sizeof(old.dva)) == 0)) {
		if (!BP_IS_HOLE(&old))
			os->ops->kill(os, &old);
		os->ops->born(os, &nbp);
	}
	os->bp = nbp;
	os->dirty = false;
	os->dirty_bytes = 0;
	*ret_bp = nbp;
	return 0;
}
