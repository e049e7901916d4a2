/* SPDX-License-Identifier: MIT */
/*
 * zap.c - name -> value objects as an extendible hash in one DMU object of 16 KiB blocks.
 *
 * Block 0 holds the header and, while it has at most 2^10 entries, the pointer table; a bigger
 * table lives in a run of blocks of its own, moved to a fresh run each time it doubles. The
 * table maps the top `depth` bits of a name's 48-bit hash to a bucket block. A bucket holds the
 * entries whose hashes share its `prefix` (its local depth's worth of top bits), packed and
 * sorted by key = hash48 << 15 | cd, where the collision differentiator cd tells apart names
 * with equal hashes. A full bucket splits in two on the next hash bit, doubling the table first
 * when its local depth equals the global one. Buckets never merge; empty ones stay.
 *
 * Because keys are unique and sorted, and every bucket covers one contiguous key range, the key
 * is the iteration cookie: zap_next returns the smallest key >= the cookie, so an entry present
 * for the whole walk is seen exactly once whatever is added or removed meanwhile.
 *
 * Everything read from disk is checked before use (magic, depths, block numbers, lengths, order)
 * and damage is -EIO: a pool image is untrusted input.
 */
#include <errno.h>
#include <string.h>

#include <basalt/base.h>

#include "zap.h"
#include "zpl_impl.h"

#define ZAP_BLKSZ (16u << 10)
#define ZAP_MAGIC 0x315041544c534142ull	       /* "BASLTAP1" */
#define ZAP_BUCKET_MAGIC 0x4b4342544c534142ull /* "BASLTBCK" */
#define ZAP_VERSION 1
#define ZAP_HASH_BITS 48
#define ZAP_CD_BITS 15
#define ZAP_MAX_CD 0x7ff0u /* keeps every cookie below 2^63 - 16 */
#define ZAP_MAX_DEPTH 30
#define ZAP_TBL_INLINE_OFF 8192u
#define ZAP_TBL_INLINE_SHIFT 10
#define ZAP_TBL_PER_BLK (ZAP_BLKSZ / sizeof(uint64_t))
#define ZAP_MAX_BLOCKS (1ull << 36)

struct zap_hdr {
	uint64_t magic;
	uint64_t version;
	uint64_t nentries;
	uint64_t nblocks; /* blocks 0 .. nblocks-1 have been handed out */
	uint64_t salt;
	uint64_t tbl_blk; /* first block of the out-of-line pointer table; 0 while inline */
	uint8_t depth;	  /* global depth: the table has 2^depth entries */
	uint8_t hashbits; /* significant hash bits, 48 but in tests */
	uint8_t pad0[6];
	uint64_t pad[9];
};

struct zap_bucket_hdr {
	uint64_t magic;
	uint64_t prefix; /* the top `depth` hash bits every entry shares */
	uint16_t depth;
	uint16_t nentries;
	uint16_t used; /* bytes of entries after this header */
	uint16_t pad0;
	uint32_t pad1;
	uint64_t pad[4];
};

struct zap_ent {
	uint64_t key;	  /* hash48 << 15 | cd */
	uint16_t namelen; /* without a NUL, none stored */
	uint16_t vallen;
	uint32_t pad;
	/* name, then value */
};

#define ZAP_BUCKET_SPACE (ZAP_BLKSZ - sizeof(struct zap_bucket_hdr))

_Static_assert(sizeof(struct zap_hdr) == 128, "zap_hdr");
_Static_assert(sizeof(struct zap_bucket_hdr) == 64, "zap_bucket_hdr");
_Static_assert(sizeof(struct zap_ent) == 16, "zap_ent");
_Static_assert(ZAP_TBL_INLINE_OFF + (8u << ZAP_TBL_INLINE_SHIFT) <= ZAP_BLKSZ, "inline table");

/* An open ZAP: its header as read (and as it will be written back). */
struct zap {
	objset_t *os;
	uint64_t obj;
	struct zap_hdr hdr;
};

/* A bucket in memory. */
struct zap_bucket {
	uint64_t blk;
	uint64_t idx; /* the table index it was reached through */
	struct zap_bucket_hdr hdr;
	uint8_t *data; /* ZAP_BLKSZ bytes: the block */
};

static void bucket_free(struct zap_bucket *b)
{
	free(b->data);
	b->data = NULL;
}
#define _cleanup_bucket_ _cleanup_(bucket_free)

static inline uint64_t key_hash(uint64_t key)
{
	return key >> ZAP_CD_BITS;
}

static inline uint64_t key_cd(uint64_t key)
{
	return key & ((1u << ZAP_CD_BITS) - 1);
}

/* 64-bit FNV-1a over the salt and the name, then a finalizer that spreads it into the top bits
 * (FNV alone mixes its high bits poorly). */
static uint64_t zap_hash(const struct zap *z, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t salt = z->hdr.salt;

	for (unsigned i = 0; i < 8; i++) {
		h ^= (salt >> (i * 8)) & 0xff;
		h *= 0x100000001b3ull;
	}
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;

	h >>= 64 - ZAP_HASH_BITS;
	if (z->hdr.hashbits < ZAP_HASH_BITS)
		h &= ~((1ull << (ZAP_HASH_BITS - z->hdr.hashbits)) - 1);
	return h;
}

static inline uint64_t hash_prefix(uint64_t hash, unsigned depth)
{
	return depth == 0 ? 0 : hash >> (ZAP_HASH_BITS - depth);
}

static int check_name(const char *name, size_t *ret_len)
{
	size_t n;

	if (!name)
		return -EINVAL;
	n = strnlen(name, ZAP_MAXNAMELEN);
	if (n == 0)
		return -EINVAL;
	if (n >= ZAP_MAXNAMELEN)
		return -ENAMETOOLONG;
	*ret_len = n;
	return 0;
}

static uint64_t tbl_blocks(unsigned depth)
{
	if (depth <= ZAP_TBL_INLINE_SHIFT)
		return 0;
	return (1ull << depth) / ZAP_TBL_PER_BLK;
}

static int zap_open(objset_t *os, uint64_t obj, struct zap *ret)
{
	struct zap_hdr h;
	int r;

	r = dmu_read(os, obj, 0, sizeof(h), &h);
	if (r < 0)
		return r;
	if (h.magic != ZAP_MAGIC || h.version != ZAP_VERSION || h.depth > ZAP_MAX_DEPTH ||
	    h.hashbits > ZAP_HASH_BITS || h.nblocks < 2 || h.nblocks > ZAP_MAX_BLOCKS)
		return -EIO;
	if (h.depth <= ZAP_TBL_INLINE_SHIFT) {
		if (h.tbl_blk != 0)
			return -EIO;
	} else if (h.tbl_blk == 0 || h.tbl_blk > h.nblocks ||
		   tbl_blocks(h.depth) > h.nblocks - h.tbl_blk) {
		return -EIO;
	}
	ret->os = os;
	ret->obj = obj;
	ret->hdr = h;
	return 0;
}

static int zap_write_hdr(struct zap *z)
{
	return dmu_write(z->os, z->obj, 0, sizeof(z->hdr), &z->hdr);
}

static uint64_t tbl_off(const struct zap *z, uint64_t idx)
{
	if (z->hdr.tbl_blk == 0)
		return ZAP_TBL_INLINE_OFF + idx * sizeof(uint64_t);
	return z->hdr.tbl_blk * ZAP_BLKSZ + idx * sizeof(uint64_t);
}

static bool blk_is_bucket(const struct zap *z, uint64_t blk)
{
	if (blk == 0 || blk >= z->hdr.nblocks)
		return false;
	if (z->hdr.tbl_blk && blk >= z->hdr.tbl_blk &&
	    blk - z->hdr.tbl_blk < tbl_blocks(z->hdr.depth))
		return false;
	return true;
}

static int tbl_get(struct zap *z, uint64_t idx, uint64_t *ret_blk)
{
	uint64_t blk;
	int r;

	r = dmu_read(z->os, z->obj, tbl_off(z, idx), sizeof(blk), &blk);
	if (r < 0)
		return r;
	if (!blk_is_bucket(z, blk))
		return -EIO;
	*ret_blk = blk;
	return 0;
}

/* Check a bucket read through table index idx: every length, the order and the prefix. */
static int bucket_check(const struct zap *z, const struct zap_bucket *b)
{
	const struct zap_bucket_hdr *h = &b->hdr;
	size_t pos = sizeof(*h);
	uint64_t prev = 0;

	if (h->magic != ZAP_BUCKET_MAGIC || h->depth > z->hdr.depth || h->used > ZAP_BUCKET_SPACE)
		return -EIO;
	if (h->depth < 64 && (h->prefix >> h->depth) != 0)
		return -EIO;
	if ((b->idx >> (z->hdr.depth - h->depth)) != h->prefix)
		return -EIO;
	for (unsigned i = 0; i < h->nentries; i++) {
		struct zap_ent e;

		if (pos + sizeof(e) > sizeof(*h) + h->used)
			return -EIO;
		memcpy(&e, b->data + pos, sizeof(e));
		if (e.namelen == 0 || e.namelen >= ZAP_MAXNAMELEN || e.vallen > ZAP_MAXVALUELEN)
			return -EIO;
		if (pos + sizeof(e) + e.namelen + e.vallen > sizeof(*h) + h->used)
			return -EIO;
		if (e.key >> 63 || key_cd(e.key) > ZAP_MAX_CD || (i > 0 && e.key <= prev))
			return -EIO;
		if (hash_prefix(key_hash(e.key), h->depth) != h->prefix)
			return -EIO;
		if (memchr(b->data + pos + sizeof(e), 0, e.namelen))
			return -EIO;
		prev = e.key;
		pos += sizeof(e) + e.namelen + e.vallen;
	}
	if (pos != sizeof(*h) + h->used)
		return -EIO;
	return 0;
}

static int bucket_read(struct zap *z, uint64_t idx, struct zap_bucket *ret)
{
	struct zap_bucket b = { .idx = idx };
	int r;

	r = tbl_get(z, idx, &b.blk);
	if (r < 0)
		return r;
	b.data = bs_malloc(ZAP_BLKSZ);
	r = dmu_read(z->os, z->obj, b.blk * ZAP_BLKSZ, ZAP_BLKSZ, b.data);
	if (r < 0) {
		free(b.data);
		return r;
	}
	memcpy(&b.hdr, b.data, sizeof(b.hdr));
	r = bucket_check(z, &b);
	if (r < 0) {
		free(b.data);
		return r;
	}
	*ret = b;
	return 0;
}

static int bucket_write(struct zap *z, struct zap_bucket *b)
{
	memcpy(b->data, &b->hdr, sizeof(b->hdr));
	memset(b->data + sizeof(b->hdr) + b->hdr.used, 0, ZAP_BUCKET_SPACE - b->hdr.used);
	return dmu_write(z->os, z->obj, b->blk * ZAP_BLKSZ, ZAP_BLKSZ, b->data);
}

static uint64_t hash_idx(const struct zap *z, uint64_t hash)
{
	return hash_prefix(hash, z->hdr.depth);
}

/* Where an entry lives in a bucket (found) or where one with that key would go. */
struct zap_pos {
	size_t off; /* offset in the block */
	struct zap_ent ent;
	bool found;
};

/* Look name up in a (checked) bucket. */
static void bucket_find(const struct zap_bucket *b, uint64_t hash, const char *name, size_t len,
			struct zap_pos *ret)
{
	size_t pos = sizeof(b->hdr);

	for (unsigned i = 0; i < b->hdr.nentries; i++) {
		struct zap_ent e;

		memcpy(&e, b->data + pos, sizeof(e));
		if (key_hash(e.key) > hash)
			break;
		if (key_hash(e.key) == hash && e.namelen == len &&
		    memcmp(b->data + pos + sizeof(e), name, len) == 0) {
			*ret = (struct zap_pos){ .off = pos, .ent = e, .found = true };
			return;
		}
		pos += sizeof(e) + e.namelen + e.vallen;
	}
	*ret = (struct zap_pos){ .off = pos, .found = false };
}

/* The lowest free cd for hash in the bucket, and where its entry goes. -ENOSPC if none. */
static int bucket_new_key(const struct zap_bucket *b, uint64_t hash, uint64_t *ret_key,
			  size_t *ret_off)
{
	size_t pos = sizeof(b->hdr);
	uint64_t cd = 0;

	for (unsigned i = 0; i < b->hdr.nentries; i++) {
		struct zap_ent e;

		memcpy(&e, b->data + pos, sizeof(e));
		if (key_hash(e.key) > hash)
			break;
		if (key_hash(e.key) == hash) {
			if (key_cd(e.key) != cd)
				break;
			cd++;
		}
		pos += sizeof(e) + e.namelen + e.vallen;
	}
	if (cd > ZAP_MAX_CD)
		return -ENOSPC;
	*ret_key = hash << ZAP_CD_BITS | cd;
	*ret_off = pos;
	return 0;
}

static void bucket_insert(struct zap_bucket *b, size_t off, uint64_t key, const char *name,
			  size_t namelen, const void *val, size_t vallen)
{
	struct zap_ent e = { .key = key, .namelen = namelen, .vallen = vallen };
	size_t need = sizeof(e) + namelen + vallen;
	size_t end = sizeof(b->hdr) + b->hdr.used;

	ASSERT(b->hdr.used + need <= ZAP_BUCKET_SPACE);
	memmove(b->data + off + need, b->data + off, end - off);
	memcpy(b->data + off, &e, sizeof(e));
	memcpy(b->data + off + sizeof(e), name, namelen);
	if (vallen)
		memcpy(b->data + off + sizeof(e) + namelen, val, vallen);
	b->hdr.used += need;
	b->hdr.nentries++;
}

static void bucket_delete(struct zap_bucket *b, const struct zap_pos *p)
{
	size_t sz = sizeof(p->ent) + p->ent.namelen + p->ent.vallen;
	size_t end = sizeof(b->hdr) + b->hdr.used;

	memmove(b->data + p->off, b->data + p->off + sz, end - p->off - sz);
	b->hdr.used -= sz;
	b->hdr.nentries--;
}

/* Write table entries [start, start + n) to blk. */
static int tbl_fill(struct zap *z, uint64_t start, uint64_t n, uint64_t blk)
{
	_cleanup_free_ uint64_t *chunk = NULL;
	uint64_t per = MIN(n, (uint64_t)ZAP_TBL_PER_BLK);
	int r;

	chunk = bs_malloc(per * sizeof(uint64_t));
	for (uint64_t i = 0; i < per; i++)
		chunk[i] = blk;
	for (uint64_t done = 0; done < n; done += per) {
		uint64_t k = MIN(per, n - done);

		r = dmu_write(z->os, z->obj, tbl_off(z, start + done), k * sizeof(uint64_t), chunk);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Double the pointer table: entry i becomes entries 2i and 2i+1. */
static int tbl_double(struct zap *z)
{
	unsigned depth = z->hdr.depth;
	uint64_t n = 1ull << depth;
	_cleanup_free_ uint64_t *src = NULL, *dst = NULL;
	uint64_t per = MIN(n, (uint64_t)ZAP_TBL_PER_BLK / 2);
	uint64_t old_blk = z->hdr.tbl_blk, new_blk = 0, new_nblocks = z->hdr.nblocks;
	int r;

	if (depth >= ZAP_MAX_DEPTH)
		return -ENOSPC;
	if (depth + 1 > ZAP_TBL_INLINE_SHIFT) {
		new_blk = z->hdr.nblocks;
		new_nblocks = new_blk + tbl_blocks(depth + 1);
		if (new_nblocks > ZAP_MAX_BLOCKS)
			return -ENOSPC;
	}
	src = bs_malloc(per * sizeof(uint64_t));
	dst = bs_malloc(2 * per * sizeof(uint64_t));

	if (new_blk == 0) {
		/* inline to inline: a small table, done in one piece */
		r = dmu_read(z->os, z->obj, tbl_off(z, 0), n * sizeof(uint64_t), src);
		if (r < 0)
			return r;
		for (uint64_t i = 0; i < n; i++)
			dst[2 * i] = dst[2 * i + 1] = src[i];
		r = dmu_write(z->os, z->obj, tbl_off(z, 0), 2 * n * sizeof(uint64_t), dst);
		if (r < 0)
			return r;
		z->hdr.depth++;
		return 0;
	}

	for (uint64_t done = 0; done < n; done += per) {
		r = dmu_read(z->os, z->obj, tbl_off(z, done), per * sizeof(uint64_t), src);
		if (r < 0)
			return r;
		for (uint64_t i = 0; i < per; i++)
			dst[2 * i] = dst[2 * i + 1] = src[i];
		r = dmu_write(z->os, z->obj, new_blk * ZAP_BLKSZ + 2 * done * sizeof(uint64_t),
			      2 * per * sizeof(uint64_t), dst);
		if (r < 0)
			return r;
	}
	if (old_blk) {
		r = dmu_free_range(z->os, z->obj, old_blk * ZAP_BLKSZ,
				   tbl_blocks(depth) * (uint64_t)ZAP_BLKSZ);
		if (r < 0)
			return r;
	} else {
		static const uint64_t zero[1u << ZAP_TBL_INLINE_SHIFT];

		r = dmu_write(z->os, z->obj, ZAP_TBL_INLINE_OFF, sizeof(zero), zero);
		if (r < 0)
			return r;
	}
	z->hdr.tbl_blk = new_blk;
	z->hdr.nblocks = new_nblocks;
	z->hdr.depth++;
	return 0;
}

/*
 * Make room for an entry of hash `hash` in the full bucket b by splitting it. -ENOSPC when no
 * split can separate its entries (all of them and the new one share ZAP_MAX_DEPTH hash bits).
 * The caller looks the bucket up again afterwards.
 */
static int bucket_split(struct zap *z, struct zap_bucket *b, uint64_t hash)
{
	_cleanup_bucket_ struct zap_bucket nb = { 0 };
	uint64_t lo = hash, hi = hash, split_bit, start, count;
	unsigned depth = b->hdr.depth, common = 0;
	size_t pos, keep;
	int r;

	if (b->hdr.nentries) {
		struct zap_ent first, last;
		size_t p = sizeof(b->hdr), lastpos = p;

		memcpy(&first, b->data + p, sizeof(first));
		for (unsigned i = 0; i < b->hdr.nentries; i++) {
			struct zap_ent e;

			memcpy(&e, b->data + p, sizeof(e));
			lastpos = p;
			p += sizeof(e) + e.namelen + e.vallen;
		}
		memcpy(&last, b->data + lastpos, sizeof(last));
		lo = MIN(lo, key_hash(first.key));
		hi = MAX(hi, key_hash(last.key));
	}
	while (common < ZAP_HASH_BITS && hash_prefix(lo, common + 1) == hash_prefix(hi, common + 1))
		common++;
	if (common >= ZAP_MAX_DEPTH || depth >= ZAP_MAX_DEPTH)
		return -ENOSPC;

	if (depth == z->hdr.depth) {
		r = tbl_double(z);
		if (r < 0)
			return r;
	}
	if (z->hdr.nblocks + 1 > ZAP_MAX_BLOCKS)
		return -ENOSPC;

	nb.blk = z->hdr.nblocks++;
	nb.data = bs_zalloc(ZAP_BLKSZ);
	nb.hdr = (struct zap_bucket_hdr){
		.magic = ZAP_BUCKET_MAGIC,
		.prefix = b->hdr.prefix << 1 | 1,
		.depth = depth + 1,
	};
	b->hdr.prefix <<= 1;
	b->hdr.depth = depth + 1;

	/* Entries are sorted by hash, so those with the split bit set form the tail. */
	split_bit = 1ull << (ZAP_HASH_BITS - depth - 1);
	pos = sizeof(b->hdr);
	keep = 0;
	for (unsigned i = 0; i < b->hdr.nentries; i++) {
		struct zap_ent e;

		memcpy(&e, b->data + pos, sizeof(e));
		if (key_hash(e.key) & split_bit)
			break;
		keep++;
		pos += sizeof(e) + e.namelen + e.vallen;
	}
	nb.hdr.used = sizeof(b->hdr) + b->hdr.used - pos;
	nb.hdr.nentries = b->hdr.nentries - keep;
	memcpy(nb.data + sizeof(nb.hdr), b->data + pos, nb.hdr.used);
	b->hdr.used -= nb.hdr.used;
	b->hdr.nentries = keep;

	r = bucket_write(z, b);
	if (r < 0)
		return r;
	r = bucket_write(z, &nb);
	if (r < 0)
		return r;

	count = 1ull << (z->hdr.depth - depth - 1);
	start = nb.hdr.prefix << (z->hdr.depth - depth - 1);
	r = tbl_fill(z, start, count, nb.blk);
	if (r < 0)
		return r;
	return zap_write_hdr(z);
}

static int zap_init(objset_t *os, uint64_t obj, unsigned hashbits)
{
	struct zap z = {
		.os = os,
		.obj = obj,
		.hdr = {
			.magic = ZAP_MAGIC,
			.version = ZAP_VERSION,
			.nblocks = 2,
			.salt = hashbits == ZAP_HASH_BITS ? bs_random_u64() : 0,
			.hashbits = hashbits,
		},
	};
	_cleanup_bucket_ struct zap_bucket b = { .blk = 1 };
	uint64_t first = 1;
	int r;

	r = zap_write_hdr(&z);
	if (r < 0)
		return r;
	r = dmu_write(os, obj, ZAP_TBL_INLINE_OFF, sizeof(first), &first);
	if (r < 0)
		return r;
	b.data = bs_zalloc(ZAP_BLKSZ);
	b.hdr = (struct zap_bucket_hdr){ .magic = ZAP_BUCKET_MAGIC };
	return bucket_write(&z, &b);
}

static int zap_create_impl(objset_t *os, uint8_t type, uint8_t bonustype, uint16_t bonuslen,
			   unsigned hashbits, uint64_t *ret_obj)
{
	uint64_t obj;
	int r;

	if (hashbits > ZAP_HASH_BITS)
		return -EINVAL;
	r = dmu_object_alloc(os, type, ZAP_BLKSZ, bonustype, bonuslen, &obj);
	if (r < 0)
		return r;
	r = zap_init(os, obj, hashbits);
	if (r < 0) {
		(void)dmu_object_free(os, obj);
		return r;
	}
	*ret_obj = obj;
	return 0;
}

int zap_create(objset_t *os, uint8_t type, uint64_t *ret_obj)
{
	return zap_create_impl(os, type, 0, 0, ZAP_HASH_BITS, ret_obj);
}

int zap_create_bonus(objset_t *os, uint8_t type, uint8_t bonustype, uint16_t bonuslen,
		     uint64_t *ret_obj)
{
	return zap_create_impl(os, type, bonustype, bonuslen, ZAP_HASH_BITS, ret_obj);
}

int zap_create_hashbits(objset_t *os, uint8_t type, unsigned hashbits, uint64_t *ret_obj)
{
	return zap_create_impl(os, type, 0, 0, hashbits, ret_obj);
}

int zap_create_claim(objset_t *os, uint64_t obj, uint8_t type)
{
	int r;

	r = dmu_object_claim(os, obj, type, ZAP_BLKSZ, 0, 0);
	if (r < 0)
		return r;
	r = zap_init(os, obj, ZAP_HASH_BITS);
	if (r < 0)
		(void)dmu_object_free(os, obj);
	return r;
}

int zap_destroy(objset_t *os, uint64_t obj)
{
	return dmu_object_free(os, obj);
}

static int zap_put(objset_t *os, uint64_t obj, const char *name, const void *val, size_t len,
		   bool replace)
{
	struct zap z;
	size_t namelen;
	uint64_t hash;
	int r;

	r = check_name(name, &namelen);
	if (r < 0)
		return r;
	if (len > ZAP_MAXVALUELEN || (len && !val))
		return -EINVAL;
	r = zap_open(os, obj, &z);
	if (r < 0)
		return r;
	hash = zap_hash(&z, name, namelen);

	for (;;) {
		_cleanup_bucket_ struct zap_bucket b = { 0 };
		size_t need = sizeof(struct zap_ent) + namelen + len;
		struct zap_pos p;
		uint64_t key;
		size_t off;

		r = bucket_read(&z, hash_idx(&z, hash), &b);
		if (r < 0)
			return r;
		bucket_find(&b, hash, name, namelen, &p);
		if (p.found) {
			size_t old = sizeof(p.ent) + p.ent.namelen + p.ent.vallen;

			if (!replace)
				return -EEXIST;
			if (b.hdr.used - old + need <= ZAP_BUCKET_SPACE) {
				bucket_delete(&b, &p);
				bucket_insert(&b, p.off, p.ent.key, name, namelen, val, len);
				return bucket_write(&z, &b);
			}
		} else if (b.hdr.used + need <= ZAP_BUCKET_SPACE) {
			r = bucket_new_key(&b, hash, &key, &off);
			if (r < 0)
				return r;
			bucket_insert(&b, off, key, name, namelen, val, len);
			r = bucket_write(&z, &b);
			if (r < 0)
				return r;
			z.hdr.nentries++;
			return zap_write_hdr(&z);
		}
		r = bucket_split(&z, &b, hash);
		if (r < 0)
			return r;
	}
}

int zap_add(objset_t *os, uint64_t obj, const char *name, const void *val, size_t len)
{
	return zap_put(os, obj, name, val, len, false);
}

int zap_update(objset_t *os, uint64_t obj, const char *name, const void *val, size_t len)
{
	return zap_put(os, obj, name, val, len, true);
}

/* Open the ZAP, read the bucket name hashes to and find its entry there: -ENOENT if absent. */
static int zap_find(objset_t *os, uint64_t obj, const char *name, struct zap *z,
		    struct zap_bucket *b, struct zap_pos *p)
{
	size_t namelen;
	uint64_t hash;
	int r;

	r = check_name(name, &namelen);
	if (r < 0)
		return r;
	r = zap_open(os, obj, z);
	if (r < 0)
		return r;
	hash = zap_hash(z, name, namelen);
	r = bucket_read(z, hash_idx(z, hash), b);
	if (r < 0)
		return r;
	bucket_find(b, hash, name, namelen, p);
	return p->found ? 0 : -ENOENT;
}

int zap_lookup(objset_t *os, uint64_t obj, const char *name, void *val, size_t len, size_t *ret_len)
{
	_cleanup_bucket_ struct zap_bucket b = { 0 };
	struct zap_pos p;
	struct zap z;
	int r;

	r = zap_find(os, obj, name, &z, &b, &p);
	if (r < 0)
		return r;
	if (p.ent.vallen > len) {
		if (ret_len)
			*ret_len = p.ent.vallen;
		return -EOVERFLOW;
	}
	if (p.ent.vallen)
		memcpy(val, b.data + p.off + sizeof(p.ent) + p.ent.namelen, p.ent.vallen);
	if (ret_len)
		*ret_len = p.ent.vallen;
	return 0;
}

int zap_remove(objset_t *os, uint64_t obj, const char *name)
{
	_cleanup_bucket_ struct zap_bucket b = { 0 };
	struct zap_pos p;
	struct zap z;
	int r;

	r = zap_find(os, obj, name, &z, &b, &p);
	if (r < 0)
		return r;
	if (z.hdr.nentries == 0)
		return -EIO;
	bucket_delete(&b, &p);
	r = bucket_write(&z, &b);
	if (r < 0)
		return r;
	z.hdr.nentries--;
	return zap_write_hdr(&z);
}

int zap_count(objset_t *os, uint64_t obj, uint64_t *ret)
{
	struct zap z;
	int r;

	r = zap_open(os, obj, &z);
	if (r < 0)
		return r;
	*ret = z.hdr.nentries;
	return 0;
}

int zap_next(objset_t *os, uint64_t obj, uint64_t *cookie, char name[ZAP_MAXNAMELEN], void *val,
	     size_t len, size_t *ret_len)
{
	uint64_t c = *cookie;
	struct zap z;
	int r;

	r = zap_open(os, obj, &z);
	if (r < 0)
		return r;
	if (c >> 63)
		return 0;

	for (;;) {
		_cleanup_bucket_ struct zap_bucket b = { 0 };
		size_t pos;
		uint64_t next;

		r = bucket_read(&z, hash_idx(&z, key_hash(c)), &b);
		if (r < 0)
			return r;
		pos = sizeof(b.hdr);
		for (unsigned i = 0; i < b.hdr.nentries; i++) {
			struct zap_ent e;

			memcpy(&e, b.data + pos, sizeof(e));
			if (e.key >= c) {
				const uint8_t *p = b.data + pos + sizeof(e);

				if (e.vallen > len) {
					if (ret_len)
						*ret_len = e.vallen;
					return -EOVERFLOW;
				}
				memcpy(name, p, e.namelen);
				name[e.namelen] = '\0';
				if (e.vallen)
					memcpy(val, p + e.namelen, e.vallen);
				if (ret_len)
					*ret_len = e.vallen;
				*cookie = e.key + 1;
				return 1;
			}
			pos += sizeof(e) + e.namelen + e.vallen;
		}
		/* Nothing left here: go on at the start of the next bucket's key range. */
		if (b.hdr.depth == 0)
			return 0;
		next = b.hdr.prefix + 1;
		if (next >> b.hdr.depth)
			return 0;
		c = next << (ZAP_HASH_BITS - b.hdr.depth) << ZAP_CD_BITS;
	}
}
