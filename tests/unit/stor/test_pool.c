/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c - the engine end to end through its own interfaces: data survives export and
 * import; snapshots keep old data while the head moves on; rollback, clone and destroy free
 * exactly what they should; a power cut at a random point of a commit leaves the pool at its last
 * committed txg (or, when the cut hit the uberblock write itself, at the new one); a damaged copy
 * is read from its twin and repaired; bad devices are refused; blocks written ahead of their
 * commit are what the commit links in, and those changed or freed meanwhile lose nothing.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "basalt/base.h"
#include "basalt/stor.h"
#include "dsl.h"
#include "spa_impl.h"
#include "stor_test.h"

/* A scratch directory with a 256 MiB device file, and the name of the pool each test makes. */
struct fx {
	char dir[64];
	char *img;
	char pool[32];
};

static int setup(void **state)
{
	struct fx *f = bs_zalloc(sizeof(*f));

	*state = f;
	strcpy(f->dir, "/tmp/basalt-test-pool-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	setenv("BASALT_ROOT", f->dir, 1);
	snprintf(f->pool, sizeof(f->pool), "p%d", (int)getpid());
	return stor_test_image(f->dir, 256ull << 20, &f->img) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	(void)stor_pool_export(f->pool, true);
	if (stor_test_dir_remove(f->dir) < 0)
		return -1;
	free(f->img);
	free(f);
	return 0;
}

static void create(struct fx *f, const char *devprefix, const char *const *fsprops)
{
	_cleanup_free_ char *dev = bs_asprintf("%s%s", devprefix, f->img);
	char *spec[] = { dev };
	struct stor_pool_create_opts o = { .mountpoint = "none", .fsprops = fsprops };

	assert_int_equal(stor_pool_create(f->pool, 1, spec, &o), 0);
}

/* The data object of a volume, written and read through the DMU. */
static objset_t *vol(struct fx *f, const char *name, spa_t **ret_spa)
{
	_cleanup_free_ char *full = bs_asprintf("%s/%s", f->pool, name);

	return stor_test_objset(full, ret_spa);
}

static void test_roundtrip_and_snapshots(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ uint8_t *a = bs_malloc(1 << 20), *b = bs_malloc(1 << 20),
			       *c = bs_malloc(1 << 20);
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool), *snap = bs_asprintf("%s@s1", v);
	const char *snaps[] = { snap };
	objset_t *os;
	spa_t *spa;

	create(f, "", NULL);
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, 1 << 20, NULL, false), 0);
	stor_test_fill(a, 1 << 20, 1);
	stor_test_fill(b, 1 << 20, 2);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_write(os, 1, 0, 1 << 20, a), 0);
	dsl_pool_exit(spa);
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_write(os, 1, 0, 1 << 20, b), 0);
	assert_int_equal(spa_sync(spa), 0);
	dsl_pool_exit(spa);
	/* the snapshot still has a, the head has b, after export and import too */
	assert_int_equal(stor_pool_export(f->pool, false), 0);
	assert_int_equal(stor_pool_import(f->pool, f->dir), 0);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_read(os, 1, 0, 1 << 20, c), 0);
	assert_memory_equal(b, c, 1 << 20);
	dsl_pool_exit(spa);
	os = vol(f, "v@s1", &spa);
	assert_int_equal(dmu_read(os, 1, 0, 1 << 20, c), 0);
	assert_memory_equal(a, c, 1 << 20);
	assert_int_equal(dmu_write(os, 1, 0, 1, b), -EROFS);
	dsl_pool_exit(spa);
	/* rollback brings a back and frees b's blocks */
	assert_int_equal(stor_ds_rollback(snap, false), 0);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_read(os, 1, 0, 1 << 20, c), 0);
	assert_memory_equal(a, c, 1 << 20);
	dsl_pool_exit(spa);
	/* a snapshot with a clone cannot go; the error names the clone */
	{
		_cleanup_free_ char *cl = bs_asprintf("%s/clone", f->pool);

		assert_int_equal(stor_ds_clone(snap, cl, NULL, false), 0);
		assert_int_equal(stor_ds_destroy(snap, 0, NULL), -EBUSY);
		assert_non_null(strstr(bs_error_msg(), cl));
		os = vol(f, "clone", &spa);
		assert_int_equal(dmu_read(os, 1, 0, 1 << 20, c), 0);
		assert_memory_equal(a, c, 1 << 20);
		dsl_pool_exit(spa);
		assert_int_equal(stor_ds_destroy(cl, 0, NULL), 0);
	}
	assert_int_equal(stor_ds_destroy(v, STOR_DESTROY_RECURSIVE, NULL), 0);
}

/* The pool, entered (its lock held). */
static spa_t *pool_enter(struct fx *f)
{
	spa_t *spa;

	spa_namespace_enter();
	spa = spa_lookup(f->pool);
	spa_namespace_exit();
	spa_enter(spa);
	return spa;
}

/* The pool's allocated bytes, as zpool list shows them. */
static uint64_t pool_alloc(struct fx *f)
{
	json_t *l;
	uint64_t n;

	assert_int_equal(stor_pool_list(f->pool, &l), 0);
	n = (uint64_t)json_integer_value(json_object_get(json_array_get(l, 0), "alloc"));
	json_decref(l);
	return n;
}

/* A volume of size bytes, filled, committed, and destroyed: its blocks are deferred frees. */
static void volume_written_and_destroyed(struct fx *f, const char *name, uint64_t size,
					 const char *const *props, int seed)
{
	_cleanup_free_ uint8_t *a = bs_malloc(size);
	_cleanup_free_ char *v = bs_asprintf("%s/%s", f->pool, name);
	objset_t *os;
	spa_t *spa;

	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, size, props, false), 0);
	os = vol(f, name, &spa);
	stor_test_fill(a, size, seed);
	assert_int_equal(dmu_write(os, 1, 0, size, a), 0);
	assert_int_equal(spa_sync(spa), 0);
	dsl_pool_exit(spa);
	assert_int_equal(stor_ds_destroy(v, 0, NULL), 0);
}

/* Destroying everything gives back every byte (after the ring lets deferred frees go). */
static void test_space_returns(void **state)
{
	struct fx *f = *state;
	uint64_t before;
	spa_t *spa;

	create(f, "", (const char *const[]){ "compression=off", NULL });
	assert_int_equal(stor_pool_sync(f->pool), 0);
	before = pool_alloc(f);
	volume_written_and_destroyed(f, "v", 4 << 20, NULL, 3);
	spa = pool_enter(f);
	for (unsigned i = 0; i <= UB_RING; i++)
		assert_int_equal(spa_sync_force(spa), 0);
	spa_exit(spa);
	/* metadata churn may differ by a few blocks, never by the 4 MiB written */
	assert_true(pool_alloc(f) < before + (256 << 10));
}

/*
 * A volume written front to back in 64 KiB writes, leaving the pool between them as the file
 * system does: its finished blocks are written by the pool's early writer before the commit.
 * Some of them are then changed in part and some freed, while written or being written; the
 * commit, an export and an import later, every byte is as last written, and once the volume is
 * destroyed and the ring has turned the pool has its space back.
 */
static void test_early_writes(void **state)
{
	const uint64_t size = 8 << 20, bs = 128 << 10, chunk = 64 << 10;
	struct fx *f = *state;
	_cleanup_free_ uint8_t *a = bs_malloc(size), *got = bs_malloc(size);
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool);
	uint64_t before, early = 0, off;
	objset_t *os;
	spa_t *spa;

	create(f, "", (const char *const[]){ "compression=off", NULL });
	assert_int_equal(stor_pool_sync(f->pool), 0);
	before = pool_alloc(f);
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, size,
					(const char *const[]){ "volblocksize=128K", NULL }, false),
			 0);
	stor_test_fill(a, size, 11);
	for (off = 0; off < size; off += chunk) {
		os = vol(f, "v", &spa);
		assert_int_equal(dmu_write(os, 1, off, chunk, a + off), 0);
		dsl_pool_exit(spa);
	}
	/* the writer has had 8 MiB queued: wait (at most 10 s) until it has written some */
	for (int i = 0; i < 1000 && !early; i++) {
		spa = pool_enter(f);
		early = spa->early_allocated;
		spa_exit(spa);
		if (!early)
			usleep(10000);
	}
	assert_true(early > 0);
	os = vol(f, "v", &spa);
	stor_test_fill(a + 3 * bs + 100, 5000, 12);
	assert_int_equal(dmu_write(os, 1, 3 * bs + 100, 5000, a + 3 * bs + 100), 0);
	stor_test_fill(a + 40 * bs, bs, 13);
	assert_int_equal(dmu_write(os, 1, 40 * bs, bs, a + 40 * bs), 0);
	assert_int_equal(dmu_free_range(os, 1, 10 * bs, 2 * bs + 7), 0);
	memset(a + 10 * bs, 0, 2 * bs + 7);
	assert_int_equal(spa_sync(spa), 0);
	assert_int_equal(spa->early_allocated, 0);
	dsl_pool_exit(spa);
	assert_int_equal(stor_pool_export(f->pool, false), 0);
	assert_int_equal(stor_pool_import(f->pool, f->dir), 0);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_read(os, 1, 0, size, got), 0);
	dsl_pool_exit(spa);
	assert_memory_equal(got, a, size);
	assert_int_equal(stor_ds_destroy(v, 0, NULL), 0);
	spa = pool_enter(f);
	for (unsigned i = 0; i <= UB_RING; i++)
		assert_int_equal(spa_sync_force(spa), 0);
	spa_exit(spa);
	assert_true(pool_alloc(f) < before + (256 << 10));
}

/* Blocks the pool's devices have had written to them so far. */
static uint64_t writes_of(spa_t *spa)
{
	uint64_t n = 0;

	for (int v = 0; v < spa->nvdevs; v++)
		for (int c = 0; c < spa->vdev[v]->nchildren; c++)
			n += spa->vdev[v]->child[c]->write_ops;
	return n;
}

/* The pool's deferred frees, copied. */
static struct defer_rec *defer_copy(spa_t *spa, size_t *ret_n)
{
	struct defer_rec *d = bs_malloc(MAX(spa->ndefer, 1) * sizeof(*d));

	memcpy(d, spa->defer, spa->ndefer * sizeof(*d));
	*ret_n = spa->ndefer;
	return d;
}

/* Export and import the pool: its deferred frees come back as they were, but for what the
 * export's own commit released from the front (the oldest) and added at the end. */
static spa_t *reimport_same_defer(struct fx *f, spa_t *spa)
{
	size_t n, p = 0;
	_cleanup_free_ struct defer_rec *old = defer_copy(spa, &n);

	spa_exit(spa);
	assert_int_equal(stor_pool_export(f->pool, false), 0);
	assert_int_equal(stor_pool_import(f->pool, f->dir), 0);
	spa = pool_enter(f);
	assert_true(spa->ndefer > 0 || n == 0);
	while (p < n && memcmp(&old[p], &spa->defer[0], sizeof(*old)) != 0)
		p++;
	assert_true(p < 64 || p == n); /* (a commit's worth of old metadata) */
	assert_true(spa->ndefer >= n - p);
	assert_memory_equal(&old[p], spa->defer, (n - p) * sizeof(*old));
	return spa;
}

/*
 * After a large removal the deferred-free list is long for UB_RING txgs; the commits meanwhile
 * write what changed in it, not all of it; the list as kept on disk (released records zeroed at
 * its front) comes back whole at import.
 */
static void test_defer_incremental(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ uint8_t *a = bs_zalloc(4096);
	_cleanup_free_ char *small = bs_asprintf("%s/small", f->pool);
	const char *props[] = { "volblocksize=4096", NULL };
	uint64_t w;
	objset_t *os;
	spa_t *spa;

	create(f, "", (const char *const[]){ "compression=off", NULL });
	assert_int_equal(stor_ds_create(small, STOR_TYPE_VOLUME, 1 << 20, props, false), 0);
	/* 8192 blocks freed: a list of 192 KiB */
	volume_written_and_destroyed(f, "v", 32 << 20, props, 4);
	spa = pool_enter(f);
	assert_int_equal(spa_sync_force(spa), 0);
	assert_true(spa->ndefer >= 8192);
	spa_exit(spa);
	/* commits of a small change write a few blocks each, not the list (12 blocks, three
	 * copies each) */
	for (unsigned i = 0; i < UB_RING / 2; i++) {
		os = vol(f, "small", &spa);
		w = writes_of(spa);
		assert_int_equal(dmu_write(os, 1, i * 4096, 4096, a), 0);
		assert_int_equal(spa_sync(spa), 0);
		assert_true(writes_of(spa) - w < 70);
		dsl_pool_exit(spa);
	}
	spa = pool_enter(f);
	spa = reimport_same_defer(f, spa);
	/* past the ring: the removal's records are released, and the list shrinks */
	for (unsigned i = 0; i <= UB_RING; i++)
		assert_int_equal(spa_sync_force(spa), 0);
	assert_true(spa->ndefer < 1024);
	spa = reimport_same_defer(f, spa);
	spa_exit(spa);
}

/* Power cuts at random points of commits: the pool always comes back at its last txg. */
static void test_powercut(void **state)
{
	struct fx *f = *state;
	const size_t len = 512 << 10;
	_cleanup_free_ uint8_t *model = bs_zalloc(len), *work = bs_zalloc(len),
			       *got = bs_malloc(len);
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool);
	uint64_t seed = 42;
	objset_t *os;
	spa_t *spa;
	int round;

	create(f, "fault:", NULL);
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, len, NULL, false), 0);
	assert_int_equal(stor_pool_sync(f->pool), 0);
	for (round = 0; round < 24; round++) {
		bool committed;
		int k, r;

		os = vol(f, "v", &spa);
		for (k = 0; k < 6; k++) {
			uint64_t off, n;

			seed = seed * 6364136223846793005ull + 1;
			off = (seed >> 20) % len;
			n = MIN(len - off, ((seed >> 8) % (64 << 10)) + 1);
			stor_test_fill(work + off, n, seed);
			assert_int_equal(dmu_write(os, 1, off, n, work + off), 0);
		}
		vdev_fault_arm((long)((seed >> 33) % 120), seed);
		r = spa_sync(spa);
		committed = r == 0;
		dsl_pool_exit(spa);
		if (committed) {
			vdev_fault_powercut(seed); /* nothing unflushed: a no-op cut */
			memcpy(model, work, len);
		}
		assert_int_equal(stor_pool_export(f->pool, true), 0);
		vdev_fault_reset();
		{
			_cleanup_free_ char *fdir = bs_asprintf("fault:%s", f->dir);

			assert_int_equal(stor_pool_import(f->pool, fdir), 0);
		}
		os = vol(f, "v", &spa);
		assert_int_equal(dmu_read(os, 1, 0, len, got), 0);
		dsl_pool_exit(spa);
		/* a cut while the uberblock was being written may land either side of it */
		if (!committed && memcmp(work, got, len) == 0)
			memcpy(model, work, len);
		assert_memory_equal(model, got, len);
		memcpy(work, model, len);
		assert_int_equal(stor_pool_scrub(f->pool, true, false), 0);
	}
}

struct found_bps {
	struct blkptr bp[64];
	int n;
};

static int no_dnode(objset_t *os, uint64_t obj, const struct dnode_phys *dn, void *arg)
{
	return 0;
}

static int collect_bp(objset_t *os, uint64_t obj, uint64_t blkid, const struct blkptr *bp,
		      const struct dnode_phys *dn, void *arg)
{
	struct found_bps *fb = arg;

	if (obj == 1 && !BP_IS_HOLE(bp) && fb->n < 64)
		fb->bp[fb->n++] = *bp;
	return 0;
}

/* With copies=2 a zeroed copy is read from its twin; scrub finds nothing it cannot repair. */
static void test_ditto_heals(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ uint8_t *a = bs_malloc(1 << 20), *got = bs_malloc(1 << 20);
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool), *s = bs_asprintf("%s@s", v);
	const char *snaps[] = { s };
	struct found_bps fb = { .n = 0 };
	struct dmu_traverse_cbs cbs = { no_dnode, collect_bp, &fb };
	_cleanup_free_ uint8_t *z = bs_zalloc(1 << 20);
	objset_t *os;
	spa_t *spa;
	json_t *st;
	int fd, i;

	create(f, "", (const char *const[]){ "copies=2", NULL });
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, 1 << 20, NULL, false), 0);
	stor_test_fill(a, 1 << 20, 9);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_write(os, 1, 0, 1 << 20, a), 0);
	dsl_pool_exit(spa);
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	os = vol(f, "v@s", &spa);
	assert_int_equal(dmu_traverse(os, 0, &cbs), 0);
	dsl_pool_exit(spa);
	assert_true(fb.n > 0);
	assert_int_equal(stor_pool_export(f->pool, false), 0);
	fd = open(f->img, O_RDWR);
	assert_true(fd >= 0);
	for (i = 0; i < fb.n; i++) {
		assert_int_equal(fb.bp[i].ncopies, 2);
		assert_int_equal(
			bs_pwrite_full(fd, z, fb.bp[i].dva[0].asize, fb.bp[i].dva[0].offset), 0);
	}
	close(fd);
	assert_int_equal(stor_pool_import(f->pool, f->dir), 0);
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_read(os, 1, 0, 1 << 20, got), 0);
	assert_memory_equal(a, got, 1 << 20);
	dsl_pool_exit(spa);
	assert_int_equal(stor_pool_status(f->pool, &st), 0);
	assert_true(json_integer_value(json_object_get(
			    json_array_get(
				    json_object_get(json_object_get(st, "config"), "children"), 0),
			    "cksum")) > 0);
	json_decref(st);
	assert_int_equal(stor_pool_scrub(f->pool, true, false), 0);
	assert_int_equal(stor_pool_status(f->pool, &st), 0);
	assert_int_equal(json_array_size(json_object_get(st, "errors")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "scan"), "errors")),
			 0);
	json_decref(st);
}

/* Send snap to a temporary file and receive it as target. */
static void send_recv(struct fx *f, const char *snap, const char *target)
{
	struct stor_recv_opts ro = { .nomount = true };
	int fd = open(f->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(stor_send(snap, NULL, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(stor_recv(target, &ro, fd, NULL), 0);
	close(fd);
}

/* A receive is on disk when it returns: a power cut right after it keeps the snapshot. */
static void test_recv_durable(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool), *s = bs_asprintf("%s@s", v),
			    *r = bs_asprintf("%s/r", f->pool), *rs = bs_asprintf("%s@s", r),
			    *fdir = bs_asprintf("fault:%s", f->dir);
	const char *snaps[] = { s };
	json_t *l;

	create(f, "fault:", NULL);
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, 1 << 20, NULL, false), 0);
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	send_recv(f, s, r);
	vdev_fault_powercut(7);
	assert_int_equal(stor_pool_export(f->pool, true), 0);
	vdev_fault_reset();
	assert_int_equal(stor_pool_import(f->pool, fdir), 0);
	assert_int_equal(stor_ds_get_props(rs, &l), 0);
	json_decref(l);
}

/* A clone of a volume has its origin's size and block size, also once promoted, and its
 * snapshots can be sent. */
static void test_clone_volsize(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool), *s = bs_asprintf("%s@s", v),
			    *c = bs_asprintf("%s/c", f->pool), *cs = bs_asprintf("%s@s", c),
			    *r = bs_asprintf("%s/r", f->pool);
	const char *snaps[] = { s };
	const char *props[] = { "volblocksize=8192", NULL };
	dsl_dataset_t *ds;
	uint64_t size, bs;
	spa_t *spa;

	create(f, "", NULL);
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, 1 << 20, props, false), 0);
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	assert_int_equal(stor_ds_clone(s, c, NULL, false), 0);
	assert_int_equal(dsl_dataset_enter(c, &spa, &ds), 0);
	assert_int_equal(dsl_prop_get_u64(ds, "volsize", &size), 0);
	assert_int_equal(dsl_prop_get_u64(ds, "volblocksize", &bs), 0);
	dsl_pool_exit(spa);
	assert_int_equal(size, 1 << 20);
	assert_int_equal(bs, 8192);
	assert_int_equal(stor_ds_promote(c), 0);
	assert_int_equal(dsl_dataset_enter(cs, &spa, &ds), 0);
	assert_int_equal(dsl_prop_get_u64(ds, "volsize", &size), 0);
	dsl_pool_exit(spa);
	assert_int_equal(size, 1 << 20);
	send_recv(f, cs, r);
}

/* rollback -r checks every later snapshot before destroying any of them */
static void test_rollback_all_or_nothing(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool), *s1 = bs_asprintf("%s@s1", v),
			    *s2 = bs_asprintf("%s@s2", v), *s3 = bs_asprintf("%s@s3", v),
			    *cl = bs_asprintf("%s/clone", f->pool);
	const char *snaps[] = { s1, s2, s3 };
	json_t *l;

	create(f, "", NULL);
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, 1 << 20, NULL, false), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(stor_ds_snapshot(&snaps[i], 1, false, NULL), 0);
	assert_int_equal(stor_ds_clone(s2, cl, NULL, false), 0);
	assert_int_equal(stor_ds_rollback(s1, true), -EBUSY);
	assert_non_null(strstr(bs_error_msg(), cl));
	assert_int_equal(stor_ds_list((const char *const[]){ v, NULL }, true, -1,
				      STOR_TYPE_SNAPSHOT, &l),
			 0);
	assert_int_equal(json_array_size(l), 3); /* s2 and s3 are still there */
	json_decref(l);
	assert_int_equal(stor_ds_destroy(cl, 0, NULL), 0);
	assert_int_equal(stor_ds_rollback(s1, true), 0);
	assert_int_equal(stor_ds_list((const char *const[]){ v, NULL }, true, -1,
				      STOR_TYPE_SNAPSHOT, &l),
			 0);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
}

/* The cache stays within its bound under a larger workload, and serves a re-read working set
 * from memory. */
static void test_cache_bounded(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ uint8_t *buf = bs_malloc(1 << 20), *got = bs_malloc(1 << 20);
	_cleanup_free_ char *v = bs_asprintf("%s/v", f->pool);
	uint64_t max, misses;
	objset_t *os;
	spa_t *spa;
	int i, pass;

	setenv("BASALT_CACHE_SIZE", "8M", 1);
	create(f, "", (const char *const[]){ "compression=off", NULL });
	unsetenv("BASALT_CACHE_SIZE");
	assert_int_equal(stor_ds_create(v, STOR_TYPE_VOLUME, 48 << 20, NULL, false), 0);
	for (i = 0; i < 48; i++) {
		os = vol(f, "v", &spa);
		stor_test_fill(buf, 1 << 20, (uint64_t)i);
		assert_int_equal(dmu_write(os, 1, (uint64_t)i << 20, 1 << 20, buf), 0);
		if (i % 8 == 7)
			assert_int_equal(spa_sync(spa), 0);
		dsl_pool_exit(spa);
	}
	os = vol(f, "v", &spa);
	assert_int_equal(spa_sync(spa), 0);
	max = spa->arc.max;
	assert_int_equal(max, 8 << 20);
	dsl_pool_exit(spa);
	/* read everything: six times the cache */
	for (i = 0; i < 48; i++) {
		os = vol(f, "v", &spa);
		assert_int_equal(dmu_read(os, 1, (uint64_t)i << 20, 1 << 20, got), 0);
		stor_test_fill(buf, 1 << 20, (uint64_t)i);
		assert_memory_equal(buf, got, 1 << 20);
		dsl_pool_exit(spa);
		assert_true(spa->arc.bytes <= max); /* checked between operations */
	}
	/* a 4 MiB working set read twice: the second pass reads nothing from disk */
	for (pass = 0; pass < 2; pass++) {
		os = vol(f, "v", &spa);
		misses = spa->arc.misses;
		dsl_pool_exit(spa);
		for (i = 0; i < 4; i++) {
			os = vol(f, "v", &spa);
			assert_int_equal(dmu_read(os, 1, (uint64_t)i << 20, 1 << 20, got), 0);
			dsl_pool_exit(spa);
		}
		os = vol(f, "v", &spa);
		if (pass == 1)
			assert_int_equal(spa->arc.misses, misses);
		dsl_pool_exit(spa);
	}
	/* with a block of it dirty, the volume read whole still cycles through the cache */
	os = vol(f, "v", &spa);
	assert_int_equal(dmu_write(os, 1, (48 << 20) - 4096, 4096, buf), 0);
	dsl_pool_exit(spa);
	for (i = 0; i < 48; i++) {
		os = vol(f, "v", &spa);
		assert_int_equal(dmu_read(os, 1, (uint64_t)i << 20, 1 << 20, got), 0);
		dsl_pool_exit(spa);
		assert_true(spa->arc.bytes <= max);
	}
}

static void test_bad_devices(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *small = bs_asprintf("%s/small.img", f->dir);
	char *spec[] = { small };
	struct stor_pool_create_opts o = { 0 };
	int fd = open(small, O_CREAT | O_RDWR, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	assert_int_equal(stor_pool_create(f->pool, 1, spec, &o), -EINVAL);
	/* garbage is not a pool */
	assert_int_equal(stor_pool_import(f->pool, f->dir), -ENOENT);
	/* a device in use by another pool is refused without -f */
	create(f, "", NULL);
	assert_int_equal(stor_pool_export(f->pool, false), 0);
	{
		char *s2[] = { f->img };

		assert_int_equal(stor_pool_create("other", 1, s2, &o), -EBUSY);
	}
	assert_int_equal(stor_pool_import(f->pool, f->dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_and_snapshots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_space_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_incremental, setup, teardown),
		cmocka_unit_test_setup_teardown(test_powercut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ditto_heals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recv_durable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_volsize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_devices, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
