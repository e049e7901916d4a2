/* SPDX-License-Identifier: MIT */
/*
 * zio.c - the block I/O pipeline. Writing a block: compress, checksum, allocate its copies and
 * write each one. Reading a block: read a copy, verify its checksum against the block pointer,
 * fall back to the other copies (and the other sides of a mirror) on failure, repair the copies
 * that were bad, decompress. Every read is verified: a block that matches no copy is EIO.
 */
#include "spa_impl.h"

uint64_t zio_asize(struct spa *spa, uint64_t psize)
{
	return P2ROUNDUP(psize, 1ull << spa->ashift);
}

void *zio_buf_alloc(size_t n, bool zero)
{
	void *p = n >= ZIO_BUF_ALIGN ? bs_malloc_aligned(ZIO_BUF_ALIGN, n) : bs_malloc(n);

	arc_prefault_kick(n);

	if (zero)
		memset(p, 0, n);
	return p;
}

uint64_t bp_asize(const struct blkptr *bp)
{
	uint64_t a = 0;
	int i;

	for (i = 0; i < BP_MAX_COPIES; i++)
		a += bp->dva[i].asize;
	return a;
}

static bool fits(const struct blkptr *reuse, int copies, uint64_t asize)
{
	int i;

	if (!reuse || BP_IS_HOLE(reuse) || reuse->ncopies != copies)
		return false;
	for (i = 0; i < copies; i++)
		if (reuse->dva[i].asize < asize)
			return false;
	return true;
}

int zio_write_prepare(struct spa *spa, const void *data, uint32_t lsize, const struct zio_prop *zp,
		      uint64_t txg, struct blkptr *ret_bp, const uint8_t **ret_out,
		      uint8_t **ret_pbuf)
{
	struct blkptr bp = { 0 };
	uint8_t *pbuf = NULL;
	uint64_t psize;
	const uint8_t *out;

	bp.lsize = lsize;
	bp.type = zp->type;
	bp.level = zp->level;
	bp.birth = txg;
	*ret_out = *ret_pbuf = NULL;
	if (zp->compress != ZIO_COMPRESS_OFF && !zp->alloc_full && zio_is_zero(data, lsize)) {
		*ret_bp = bp; /* a hole born now */
		return 0;
	}
	if (zp->compress == ZIO_COMPRESS_OFF && zio_asize(spa, lsize) == lsize) {
		/* stored as it is, filling its sectors: written from the caller's buffer */
		psize = lsize;
		out = data;
	} else {
		/* the compressed or copied bytes, then zeros to the end of the sector */
		pbuf = bs_malloc(zio_asize(spa, lsize));
		psize = zio_compress(zp->compress, data, pbuf, lsize);
		if (!psize) {
			psize = lsize;
			memcpy(pbuf, data, lsize);
		}
		memset(pbuf + psize, 0, zio_asize(spa, psize) - psize);
		out = pbuf;
	}
	bp.compress = psize < lsize ? zp->compress : ZIO_COMPRESS_OFF;
	bp.psize = (uint32_t)psize;
	bp.checksum = zp->checksum ? zp->checksum : ZIO_CKSUM_FLETCHER4;
	zio_checksum_compute(bp.checksum, out, psize, bp.cksum);
	bp.ncopies = (uint8_t)MAX(1, MIN(zp->copies, BP_MAX_COPIES));
	*ret_bp = bp;
	*ret_out = out;
	*ret_pbuf = pbuf;
	return 0;
}

int zio_write_issue(struct spa *spa, const struct blkptr *bp, const void *out)
{
	uint64_t asize = zio_asize(spa, bp->psize);
	int i, r = 0;

	pthread_rwlock_rdlock(&spa->vdev_lock);
	for (i = 0; i < bp->ncopies && r == 0; i++)
		r = vdev_top_write(spa, spa->vdev[bp->dva[i].vdev], out, asize, bp->dva[i].offset);
	pthread_rwlock_unlock(&spa->vdev_lock);
	return r < 0 ? bs_error(EIO, "write error on pool '%s'", spa->name) : 0;
}

int zio_write(struct spa *spa, const void *data, uint32_t lsize, const struct zio_prop *zp,
	      uint64_t txg, const struct blkptr *reuse, struct blkptr *ret_bp)
{
	struct blkptr bp;
	_cleanup_free_ uint8_t *pbuf = NULL;
	const uint8_t *out;
	uint64_t asize;
	int r;

	r = zio_write_prepare(spa, data, lsize, zp, txg, &bp, &out, &pbuf);
	if (r < 0)
		return r;
	if (!out) { /* a hole */
		*ret_bp = bp;
		return 0;
	}
	asize = zio_asize(spa, bp.psize);
	if (fits(reuse, bp.ncopies, asize)) {
		memcpy(bp.dva, reuse->dva, sizeof(bp.dva));
	} else {
		r = space_alloc(spa, zp->alloc_full ? zio_asize(spa, lsize) : asize, bp.ncopies,
				bp.dva, zp->metadata);
		if (r < 0)
			return r;
	}
	r = zio_write_issue(spa, &bp, out);
	if (r < 0)
		return r;
	*ret_bp = bp;
	return 0;
}

struct verify_arg {
	const struct blkptr *bp;
};

bool zio_verify(const struct blkptr *bp, const void *buf)
{
	uint8_t ck[32];

	if (bp->checksum == ZIO_CKSUM_OFF)
		return true;
	zio_checksum_compute(bp->checksum, buf, bp->psize, ck);
	return memcmp(ck, bp->cksum, 32) == 0;
}

static bool verify_block(const void *buf, size_t n, void *arg)
{
	(void)n;
	return zio_verify(((struct verify_arg *)arg)->bp, buf);
}

static bool dva_sane(struct spa *spa, const struct dva *d, uint64_t psize)
{
	struct vdev_top *vd;

	if (d->vdev >= (uint32_t)spa->nvdevs || d->asize < psize)
		return false;
	vd = spa->vdev[d->vdev];
	return d->offset >= VDEV_DATA_START && d->offset + d->asize <= VDEV_DATA_START + vd->asize;
}

static int zio_read_locked(struct spa *spa, const struct blkptr *bp, void *buf)
{
	struct verify_arg va = { bp };
	_cleanup_free_ uint8_t *pbuf = NULL;
	uint8_t *dst;
	bool bad[BP_MAX_COPIES] = { false };
	int i, good = -1, r;
	uint64_t n;

	if (BP_IS_HOLE(bp)) {
		memset(buf, 0, bp->lsize);
		return 0;
	}
	if (bp->psize == 0 || bp->psize > bp->lsize || bp->lsize > SPA_MAXBLOCKSIZE ||
	    bp->ncopies < 1 || bp->ncopies > BP_MAX_COPIES)
		return -EIO;
	/* only the checksummed bytes are read, not the padding of the last sector: a small block
	 * costs its size, not its allocation */
	n = bp->psize;
	/* a block stored as it is goes straight into the caller's buffer */
	if (bp->compress == ZIO_COMPRESS_OFF && bp->psize == bp->lsize)
		dst = buf;
	else
		dst = pbuf = bs_malloc(n);
	for (i = 0; i < bp->ncopies; i++) {
		if (!dva_sane(spa, &bp->dva[i], zio_asize(spa, n))) {
			bad[i] = true;
			continue;
		}
		r = vdev_top_read(spa, spa->vdev[bp->dva[i].vdev], dst, n, bp->dva[i].offset,
				  verify_block, &va);
		if (r == 0) {
			good = i;
			break;
		}
		bad[i] = true;
	}
	if (good < 0)
		return -EIO;
	/* repair the ditto copies that failed */
	for (i = 0; i < good; i++)
		if (bad[i] && !spa->readonly && dva_sane(spa, &bp->dva[i], zio_asize(spa, n)))
			(void)vdev_top_write(spa, spa->vdev[bp->dva[i].vdev], dst, n,
					     bp->dva[i].offset);
	if (dst == buf)
		return 0;
	if (bp->compress == ZIO_COMPRESS_OFF) {
		if (bp->psize != bp->lsize)
			return -EIO;
		memcpy(buf, pbuf, bp->lsize);
		return 0;
	}
	return zio_decompress(bp->compress, pbuf, bp->psize, buf, bp->lsize);
}

int zio_read(struct spa *spa, const struct blkptr *bp, void *buf)
{
	int r;

	pthread_rwlock_rdlock(&spa->vdev_lock);
	r = zio_read_locked(spa, bp, buf);
	pthread_rwlock_unlock(&spa->vdev_lock);
	return r;
}

struct copy_state {
	struct vdev_leaf *leaf;
	uint64_t offset;
	bool bad;
};

/*
 * Scrub a block: read every copy from every side of its mirror, verify each one, and rewrite
 * those that fail with one that passes. 0 when a good copy exists (*ret_repaired: bytes
 * rewritten), -EIO when none does.
 */
int zio_scrub(struct spa *spa, const struct blkptr *bp, uint64_t *ret_repaired)
{
	struct verify_arg va = { bp };
	struct copy_state st[BP_MAX_COPIES * 16];
	_cleanup_free_ uint8_t *buf = NULL, *good = NULL;
	uint64_t n, repaired = 0;
	size_t ns = 0, i;
	int d, c;

	*ret_repaired = 0;
	if (BP_IS_HOLE(bp))
		return 0;
	if (bp->psize == 0 || bp->psize > bp->lsize || bp->lsize > SPA_MAXBLOCKSIZE ||
	    bp->ncopies < 1 || bp->ncopies > BP_MAX_COPIES)
		return -EIO;
	n = zio_asize(spa, bp->psize);
	buf = bs_malloc(n);
	for (d = 0; d < bp->ncopies; d++) {
		struct vdev_top *vd;

		if (!dva_sane(spa, &bp->dva[d], n))
			continue;
		vd = spa->vdev[bp->dva[d].vdev];
		for (c = 0; c < vd->nchildren && ns < ARRAY_SIZE(st); c++) {
			struct vdev_leaf *l = vd->child[c];
			bool ok;

			if (!vdev_leaf_readable(l))
				continue;
			ok = vdev_leaf_pread(l, buf, n, bp->dva[d].offset) == 0;
			if (!ok)
				__atomic_add_fetch(&l->read_errors, 1, __ATOMIC_RELAXED);
			else if (!verify_block(buf, n, &va)) {
				__atomic_add_fetch(&l->cksum_errors, 1, __ATOMIC_RELAXED);
				ok = false;
			}
			if (ok && !good) {
				good = bs_malloc(n);
				memcpy(good, buf, n);
			}
			st[ns].leaf = l;
			st[ns].offset = bp->dva[d].offset;
			st[ns].bad = !ok;
			ns++;
		}
	}
	if (!good)
		return -EIO;
	for (i = 0; i < ns; i++) {
		if (!st[i].bad || spa->readonly)
			continue;
		if (vdev_leaf_pwrite(st[i].leaf, good, n, st[i].offset) == 0) {
			__atomic_add_fetch(&st[i].leaf->repaired_bytes, n, __ATOMIC_RELAXED);
			repaired += n;
		}
	}
	*ret_repaired = repaired;
	return 0;
}

static bool has_resilvering(struct vdev_top *vd)
{
	for (int c = 0; c < vd->nchildren; c++)
		if (vd->child[c]->resilvering && !vd->child[c]->missing)
			return true;
	return false;
}

/*
 * Resilver a block: find a copy that verifies on a side that serves reads (any copy will do: they
 * hold the same bytes), then write it at each copy's offset onto every resilvering side of that
 * copy's mirror.
 */
int zio_resilver(struct spa *spa, const struct blkptr *bp, uint64_t *ret_copied)
{
	struct verify_arg va = { bp };
	_cleanup_free_ uint8_t *buf = NULL;
	bool wanted = false, found = false;
	uint64_t n, copied = 0;
	int d, c, r = 0;

	*ret_copied = 0;
	if (BP_IS_HOLE(bp))
		return 0;
	if (bp->psize == 0 || bp->psize > bp->lsize || bp->lsize > SPA_MAXBLOCKSIZE ||
	    bp->ncopies < 1 || bp->ncopies > BP_MAX_COPIES)
		return -EIO;
	n = zio_asize(spa, bp->psize);
	for (d = 0; d < bp->ncopies; d++)
		if (dva_sane(spa, &bp->dva[d], n) && has_resilvering(spa->vdev[bp->dva[d].vdev]))
			wanted = true;
	if (!wanted)
		return 0;
	buf = bs_malloc(n);
	for (d = 0; d < bp->ncopies && !found; d++)
		found = dva_sane(spa, &bp->dva[d], n) &&
			vdev_top_read(spa, spa->vdev[bp->dva[d].vdev], buf, n, bp->dva[d].offset,
				      verify_block, &va) == 0;
	if (!found)
		return -EIO;
	for (d = 0; d < bp->ncopies; d++) {
		struct vdev_top *vd;

		if (!dva_sane(spa, &bp->dva[d], n))
			continue;
		vd = spa->vdev[bp->dva[d].vdev];
		for (c = 0; c < vd->nchildren; c++) {
			struct vdev_leaf *l = vd->child[c];

			if (!l->resilvering || l->missing)
				continue;
			if (vdev_leaf_pwrite(l, buf, n, bp->dva[d].offset) < 0) {
				__atomic_add_fetch(&l->write_errors, 1, __ATOMIC_RELAXED);
				r = -EIO;
				continue;
			}
			copied += n;
		}
	}
	*ret_copied = copied;
	return r;
}

void zio_free(struct spa *spa, const struct blkptr *bp)
{
	int i;

	if (BP_IS_HOLE(bp))
		return;
	for (i = 0; i < bp->ncopies; i++)
		space_free(spa, &bp->dva[i], bp->birth);
}
