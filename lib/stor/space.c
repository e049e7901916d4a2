/* SPDX-License-Identifier: MIT */
/*
 * space.c - space allocation. Each top-level vdev has a bitmap with one bit per sector, held in
 * memory and kept on disk as a MOS object (the vdev's space map), rewritten block by block as it
 * changes. Frees are deferred: a block freed in txg T stays allocated until txg T + UB_RING, by
 * which time no uberblock left in the label rings can still point at it, so rolling back to any
 * uberblock in the ring finds its blocks intact. The pending frees are a MOS object too.
 */
#include "dmu_impl.h"
#include "spa_impl.h"

#define SM_BLOCK_SIZE (16u << 10)
#define SM_BITS_PER_CHUNK ((uint64_t)SM_BLOCK_SIZE * 8)

static uint64_t vd_sector(struct spa *spa)
{
	return 1ull << spa->ashift;
}

/*
 * Where an allocation starts looking. Data goes forward from a rotor, so that what is written
 * together lies together and reads back in order. Metadata takes the first free run from the
 * start of a region of its own, a sixteenth of the device in: the MOS, rewritten every txg, keeps
 * reusing the sectors it freed UB_RING txgs earlier instead of spreading over the device, and
 * each txg dirties few space-map blocks. Each ditto copy (copy c of a block on one vdev) has
 * regions of its own, an eighth of the device further per copy.
 */
static uint64_t region_start(const struct vdev_top *vd, bool metadata, int c)
{
	uint64_t eighth = vd->nsectors / 8;

	return ((metadata ? eighth / 2 : 0) + (uint64_t)c * eighth) % MAX(vd->nsectors, 1);
}

int space_init(struct spa *spa, struct vdev_top *vd)
{
	uint64_t words, chunks;

	vd->nsectors = vd->asize >> spa->ashift;
	words = DIV_ROUND_UP(vd->nsectors, 64);
	chunks = DIV_ROUND_UP(vd->nsectors, SM_BITS_PER_CHUNK);
	vd->bitmap = bs_zalloc(words * 8);
	vd->dirty_chunks = bs_zalloc(DIV_ROUND_UP(chunks, 64) * 8);
	vd->alloc_bytes = 0;
	for (int c = 0; c < BP_MAX_COPIES; c++)
		vd->rotor[c] = region_start(vd, false, c);
	return 0;
}

static bool bit_test(const uint64_t *bm, uint64_t i)
{
	return bm[i / 64] & (1ull << (i % 64));
}

static void mark_range(struct vdev_top *vd, uint64_t start, uint64_t n, bool set)
{
	uint64_t i;

	for (i = start; i < start + n; i++) {
		if (set)
			vd->bitmap[i / 64] |= 1ull << (i % 64);
		else
			vd->bitmap[i / 64] &= ~(1ull << (i % 64));
	}
	for (i = start / SM_BITS_PER_CHUNK; i <= (start + n - 1) / SM_BITS_PER_CHUNK; i++)
		vd->dirty_chunks[i / 64] |= 1ull << (i % 64);
}

/* First fit of n free sectors in [from, to). */
static int64_t find_run(struct vdev_top *vd, uint64_t from, uint64_t to, uint64_t n)
{
	uint64_t i = from, run = 0;

	while (i < to) {
		if (run == 0 && i % 64 == 0 && vd->bitmap[i / 64] == ~0ull && i + 64 <= to) {
			i += 64;
			continue;
		}
		if (bit_test(vd->bitmap, i)) {
			run = 0;
		} else if (++run == n) {
			return (int64_t)(i + 1 - n);
		}
		i++;
	}
	return -1;
}

static int alloc_on(struct spa *spa, struct vdev_top *vd, uint64_t asize, bool metadata, int c,
		    struct dva *ret)
{
	uint64_t n = asize >> spa->ashift;
	uint64_t from = metadata ? region_start(vd, true, c) : vd->rotor[c];
	int64_t s;

	if (vd->asize - vd->alloc_bytes < asize)
		return -ENOSPC;
	s = find_run(vd, from, vd->nsectors, n);
	if (s < 0)
		s = find_run(vd, 0, MIN(from + n, vd->nsectors), n);
	if (s < 0)
		return -ENOSPC;
	mark_range(vd, (uint64_t)s, n, true);
	vd->alloc_bytes += asize;
	if (!metadata)
		vd->rotor[c] = (uint64_t)s + n;
	ret->vdev = vd->id;
	ret->asize = (uint32_t)asize;
	ret->offset = VDEV_DATA_START + ((uint64_t)s << spa->ashift);
	return 0;
}

/*
 * Allocate copies DVAs of asize bytes: on different top-level vdevs while there are enough,
 * otherwise at different places of the same one (ditto blocks).
 */
int space_alloc(struct spa *spa, uint64_t asize, int copies, struct dva *ret, bool metadata)
{
	static unsigned next_vdev;
	int c, r, tries;

	ASSERT(asize % vd_sector(spa) == 0 && copies >= 1 && copies <= BP_MAX_COPIES);
	for (c = 0; c < copies; c++) {
		unsigned start = next_vdev++ % (unsigned)spa->nvdevs;

		r = -ENOSPC;
		for (tries = 0; tries < spa->nvdevs && r < 0; tries++) {
			struct vdev_top *vd = spa->vdev[(start + (unsigned)tries) % spa->nvdevs];
			int k;
			bool used = false;

			for (k = 0; k < c && spa->nvdevs >= copies; k++)
				if (ret[k].vdev == vd->id)
					used = true;
			if (used)
				continue;
			/* ditto copies on one vdev go to regions of their own */
			r = alloc_on(spa, vd, asize, metadata, spa->nvdevs < copies ? c : 0,
				     &ret[c]);
		}
		if (r < 0) {
			while (c-- > 0) {
				struct vdev_top *vd = spa->vdev[ret[c].vdev];

				mark_range(vd, (ret[c].offset - VDEV_DATA_START) >> spa->ashift,
					   ret[c].asize >> spa->ashift, false);
				vd->alloc_bytes -= ret[c].asize;
			}
			return bs_error(ENOSPC, "pool '%s' is out of space", spa->name);
		}
	}
	return 0;
}

static void release(struct spa *spa, uint32_t vdev, uint64_t offset, uint64_t asize)
{
	struct vdev_top *vd;

	VERIFY(vdev < (uint32_t)spa->nvdevs);
	vd = spa->vdev[vdev];
	mark_range(vd, (offset - VDEV_DATA_START) >> spa->ashift, asize >> spa->ashift, false);
	vd->alloc_bytes -= asize;
}

void space_free(struct spa *spa, const struct dva *dva, uint64_t birth)
{
	struct defer_rec *d;

	/* born in the open txg (by its commit, or written early by dbuf_early.c): nothing
	 * committed can reach it */
	if (birth == spa->txg) {
		release(spa, dva->vdev, dva->offset, dva->asize);
		return;
	}
	if (spa->ndefer == spa->defer_cap) {
		spa->defer_cap = spa->defer_cap ? spa->defer_cap * 2 : 256;
		spa->defer = bs_realloc(spa->defer, spa->defer_cap * sizeof(*spa->defer));
	}
	d = &spa->defer[spa->ndefer++];
	d->txg = spa->txg;
	d->vdev = dva->vdev;
	d->asize = dva->asize;
	d->offset = dva->offset;
	spa->defer_bytes += dva->asize;
	spa->defer_open_bytes += dva->asize;
	spa->defer_dirty = true;
}

uint64_t space_reclaimable(struct spa *spa)
{
	return spa->defer_bytes - MIN(spa->defer_bytes, spa->defer_open_bytes);
}

int space_collapse_ring(struct spa *spa)
{
	struct uberblock zero = { 0 };
	int v, c, r;

	for (v = 0; v < spa->nvdevs; v++)
		for (c = 0; c < spa->vdev[v]->nchildren; c++) {
			struct vdev_leaf *l = spa->vdev[v]->child[c];

			if (l->missing)
				continue;
			for (uint64_t t = spa->ub.txg + 1; t < spa->ub.txg + UB_RING; t++) {
				zero.txg = t; /* selects the slot; a zero magic makes it invalid */
				r = vdev_leaf_write_uberblock(l, &zero);
				if (r < 0)
					return r;
			}
		}
	r = spa_flush_all(spa);
	if (r < 0)
		return r;
	/* only the last committed uberblock is left, and it references none of these */
	space_release_deferred(spa, spa->ub.txg + UB_RING);
	return 0;
}

void space_release_deferred(struct spa *spa, uint64_t txg)
{
	size_t i, j = 0, n;
	bool prefix = true;

	for (i = 0; i < spa->ndefer; i++) {
		struct defer_rec *d = &spa->defer[i];

		if (d->txg + UB_RING <= txg && d->txg <= spa->ub.txg) {
			release(spa, d->vdev, d->offset, d->asize);
			spa->defer_bytes -= d->asize;
			spa->defer_dirty = true;
			prefix = prefix && j == 0;
		} else {
			spa->defer[j++] = *d;
		}
	}
	/* records are appended in txg order, so those released are the oldest, at the front: on
	 * disk they are only zeroed */
	n = spa->ndefer - j;
	if (n && prefix && n <= spa->defer_written) {
		spa->defer_written -= n;
		spa->defer_released += n;
	} else if (n) {
		spa->defer_rewrite = true;
	}
	spa->ndefer = j;
}

uint64_t space_total(struct spa *spa)
{
	uint64_t t = 0;
	int v;

	for (v = 0; v < spa->nvdevs; v++)
		t += spa->vdev[v]->asize;
	return t;
}

uint64_t space_allocated(struct spa *spa)
{
	uint64_t t = 0;
	int v;

	for (v = 0; v < spa->nvdevs; v++)
		t += spa->vdev[v]->alloc_bytes;
	return t;
}

/* Kept back from user data so that a sync (and deleting files) always has room. */
uint64_t space_used_before_open(struct spa *spa)
{
	return space_allocated(spa) - spa->early_allocated - space_reclaimable(spa);
}

uint64_t space_slop(struct spa *spa)
{
	uint64_t t = space_total(spa);

	return MIN(MAX(t / 32, 16ull << 20), t / 2);
}

int space_create_objects(struct spa *spa)
{
	int v, r;

	for (v = 0; v < spa->nvdevs; v++) {
		r = dmu_object_alloc(spa->mos, DMU_OT_SPACE_MAP, SM_BLOCK_SIZE, 0, 0,
				     &spa->vdev[v]->sm_obj);
		if (r < 0)
			return r;
	}
	r = dmu_object_alloc(spa->mos, DMU_OT_DEFER, SM_BLOCK_SIZE, 0, 0, &spa->defer_obj);
	if (r < 0)
		return r;
	spa->full_sm_rewrite = true;
	return 0;
}

#define DEFER_REC ((uint64_t)sizeof(struct defer_rec))

/*
 * The deferred frees on disk: a count n, then n records, of which the first are zeros where
 * records were released (tombstones; a hole reads as zeros) and the rest the array. A commit
 * writes what changed, not the list: the records appended since the last one, the released ones
 * zeroed (their whole blocks freed), and the count. After a large removal the list holds tens of
 * thousands of records for UB_RING txgs, and writing it whole made every commit meanwhile (a
 * snapshot, a clone) write hundreds of blocks. It is written whole, without tombstones, when it
 * empties, when tombstones outnumber records, and after a release that was not a prefix.
 * Tombstones are what makes this FORMAT_VERSION 2: version 1 code cannot read them.
 */
static int defer_sync(struct spa *spa)
{
	uint64_t dead = spa->defer_disk_dead + spa->defer_released, hdr, end;
	/* (freeing the object's blocks appends records: they go in the next pass) */
	size_t n = spa->ndefer;
	int r;

	if (spa->defer_rewrite || n == 0 || (dead > 1024 && dead > n)) {
		end = 8 + n * DEFER_REC;
		hdr = n;
		r = dmu_write(spa->mos, spa->defer_obj, 0, 8, &hdr);
		if (r == 0 && n)
			r = dmu_write(spa->mos, spa->defer_obj, 8, end - 8, spa->defer);
		if (r == 0)
			r = dmu_free_range(spa->mos, spa->defer_obj,
					   P2ROUNDUP(end, (uint64_t)SM_BLOCK_SIZE), UINT64_MAX);
		if (r < 0)
			return r;
		spa->defer_disk_dead = 0;
		spa->defer_written = n;
		spa->defer_released = 0;
		spa->defer_rewrite = false;
		return 0;
	}
	if (spa->defer_released) {
		r = dmu_free_range(spa->mos, spa->defer_obj, 8 + spa->defer_disk_dead * DEFER_REC,
				   spa->defer_released * DEFER_REC);
		if (r < 0)
			return r;
		spa->defer_disk_dead = dead;
		spa->defer_released = 0;
	}
	n = spa->ndefer;
	if (spa->defer_written < n) {
		r = dmu_write(spa->mos, spa->defer_obj, 8 + (dead + spa->defer_written) * DEFER_REC,
			      (n - spa->defer_written) * DEFER_REC,
			      spa->defer + spa->defer_written);
		if (r < 0)
			return r;
		spa->defer_written = n;
	}
	hdr = dead + n;
	return dmu_write(spa->mos, spa->defer_obj, 0, 8, &hdr);
}

/* Write what changed in the bitmaps and the deferred frees into the MOS. */
int space_sync(struct spa *spa, bool *ret_dirtied)
{
	bool dirtied = false;
	int v, r;

	for (v = 0; v < spa->nvdevs; v++) {
		struct vdev_top *vd = spa->vdev[v];
		uint64_t bytes = DIV_ROUND_UP(vd->nsectors, 64) * 8;
		uint64_t nchunks = DIV_ROUND_UP(vd->nsectors, SM_BITS_PER_CHUNK), c;

		for (c = 0; c < nchunks; c++) {
			uint64_t off = c * SM_BLOCK_SIZE;

			if (!spa->full_sm_rewrite &&
			    !(vd->dirty_chunks[c / 64] & (1ull << (c % 64))))
				continue;
			vd->dirty_chunks[c / 64] &= ~(1ull << (c % 64));
			r = dmu_write(spa->mos, vd->sm_obj, off, MIN(SM_BLOCK_SIZE, bytes - off),
				      (uint8_t *)vd->bitmap + off);
			if (r < 0)
				return r;
			dirtied = true;
		}
	}
	spa->full_sm_rewrite = false;
	if (spa->defer_dirty) {
		spa->defer_dirty = false;
		r = defer_sync(spa);
		if (r < 0)
			return r;
		dirtied = true;
	}
	*ret_dirtied = dirtied;
	return 0;
}

int space_load(struct spa *spa)
{
	uint64_t n;
	int v, r;

	for (v = 0; v < spa->nvdevs; v++) {
		struct vdev_top *vd = spa->vdev[v];
		uint64_t bytes = DIV_ROUND_UP(vd->nsectors, 64) * 8, i;

		r = dmu_read(spa->mos, vd->sm_obj, 0, bytes, vd->bitmap);
		if (r < 0)
			return r;
		vd->alloc_bytes = 0;
		for (i = 0; i < bytes / 8; i++)
			vd->alloc_bytes += (uint64_t)__builtin_popcountll(vd->bitmap[i])
					   << spa->ashift;
	}
	r = dmu_read(spa->mos, spa->defer_obj, 0, 8, &n);
	if (r < 0)
		return r;
	if (n > (1ull << 28))
		return -EIO;
	spa->defer_cap = n;
	spa->defer = bs_malloc(MAX(n, 1) * sizeof(struct defer_rec));
	r = dmu_read(spa->mos, spa->defer_obj, 8, n * sizeof(struct defer_rec), spa->defer);
	if (r < 0)
		return r;
	/* tombstones (released records, zeros) lead the list; one elsewhere is not of this
	 * code's making: the list is then written whole at the next commit */
	spa->defer_bytes = 0;
	spa->ndefer = 0;
	spa->defer_disk_dead = 0;
	spa->defer_rewrite = false;
	for (size_t i = 0; i < n; i++) {
		struct defer_rec *d = &spa->defer[i];

		if (d->asize == 0) {
			if (spa->ndefer)
				spa->defer_rewrite = true;
			else
				spa->defer_disk_dead++;
			continue;
		}
		if (d->vdev >= (uint32_t)spa->nvdevs)
			return -EIO;
		spa->defer_bytes += d->asize;
		spa->defer[spa->ndefer++] = *d;
	}
	spa->defer_written = spa->ndefer;
	spa->defer_released = 0;
	spa->defer_dirty = spa->defer_rewrite;
	spa->full_sm_rewrite = true;
	return 0;
}
