/* SPDX-License-Identifier: MIT */
/*
 * deadlist.c - dead lists: the blocks a dataset stopped referencing that an earlier snapshot
 * still does. A MOS object: a 128-byte header {count} and then the block pointers. Destroying a
 * snapshot walks its successor's dead list to find what only that snapshot held (born after the
 * snapshot before it), frees that, and keeps the rest.
 */
#include "dsl_impl.h"

#define DL_HDR 128u
#define DL_BLKSZ (128u << 10)

int deadlist_create(struct spa *spa, uint64_t *ret)
{
	uint64_t zero = 0;
	int r;

	r = dmu_object_alloc(spa->mos, DMU_OT_DEADLIST, DL_BLKSZ, 0, 0, ret);
	if (r < 0)
		return r;
	return dmu_write(spa->mos, *ret, 0, 8, &zero);
}

static int dl_count(struct spa *spa, uint64_t obj, uint64_t *ret)
{
	int r = dmu_read(spa->mos, obj, 0, 8, ret);

	if (r == 0 && *ret > (1ull << 32))
		return bs_error(EIO, "pool '%s': damaged dead list", spa->name);
	return r;
}

int deadlist_append(struct spa *spa, uint64_t obj, const struct blkptr *bps, size_t n)
{
	uint64_t count;
	int r;

	if (!n)
		return 0;
	r = dl_count(spa, obj, &count);
	if (r < 0)
		return r;
	r = dmu_write(spa->mos, obj, DL_HDR + count * sizeof(*bps), n * sizeof(*bps), bps);
	if (r < 0)
		return r;
	count += n;
	return dmu_write(spa->mos, obj, 0, 8, &count);
}

int deadlist_read(struct spa *spa, uint64_t obj, struct blkptr **ret, size_t *ret_n)
{
	struct blkptr *bps;
	uint64_t count;
	int r;

	r = dl_count(spa, obj, &count);
	if (r < 0)
		return r;
	bps = bs_malloc(MAX(count, 1) * sizeof(*bps));
	r = dmu_read(spa->mos, obj, DL_HDR, count * sizeof(*bps), bps);
	if (r < 0) {
		free(bps);
		return r;
	}
	*ret = bps;
	*ret_n = count;
	return 0;
}

int deadlist_rewrite(struct spa *spa, uint64_t obj, const struct blkptr *bps, size_t n)
{
	uint64_t count = n;
	int r;

	r = dmu_free_range(spa->mos, obj, 0, UINT64_MAX);
	if (r == 0)
		r = dmu_write(spa->mos, obj, 0, 8, &count);
	if (r == 0 && n)
		r = dmu_write(spa->mos, obj, DL_HDR, n * sizeof(*bps), bps);
	return r;
}

int deadlist_space(struct spa *spa, uint64_t obj, uint64_t min_txg, uint64_t *ret)
{
	uint64_t older;

	return deadlist_space_split(spa, obj, min_txg, ret, &older);
}

int deadlist_space_split(struct spa *spa, uint64_t obj, uint64_t txg, uint64_t *ret_after,
			 uint64_t *ret_upto)
{
	_cleanup_free_ struct blkptr *bps = NULL;
	uint64_t after = 0, upto = 0;
	size_t n, i;
	int r;

	r = deadlist_read(spa, obj, &bps, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (bps[i].birth > txg)
			after += bp_asize(&bps[i]);
		else
			upto += bp_asize(&bps[i]);
	}
	*ret_after = after;
	*ret_upto = upto;
	return 0;
}
