/* SPDX-License-Identifier: MIT */
/*
 * test_zvol.c - volumes through zvol.c, on a real pool and without FUSE: reads and writes at odd
 * offsets and across the end, discard (zeros, space given back), flush, growing volsize (and
 * shrinking refused), clones and snapshots, the long hold an open volume takes, and the tree of
 * names the volume files are served under.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <basalt/base.h>
#include <basalt/stor.h>

#include "dsl.h"
#include "spa.h"
#include "stor_test.h"
#include "zvol.h"

#define VOLSIZE (8u << 20)

/* The pool of stor_test.h with the volume vol (VOLSIZE, 8K blocks, uncompressed) in it. */
struct fixture {
	struct stor_test t;
	char vol[64];
};

static int setup(void **state)
{
	struct fixture *f = bs_zalloc(sizeof(*f));
	const char *props[] = { "volblocksize=8K", "compression=off", NULL };

	*state = f;
	if (stor_test_begin(&f->t, "zvol", false) < 0)
		return -1;
	snprintf(f->vol, sizeof(f->vol), "%s/vol", f->t.pool);
	return stor_ds_create(f->vol, STOR_TYPE_VOLUME, VOLSIZE, props, false) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	_cleanup_free_ struct fixture *f = *state;

	return stor_test_end(&f->t) < 0 ? -1 : 0;
}

static bool all_zero(const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i])
			return false;
	return true;
}

static uint64_t referenced(struct fixture *f, const char *name)
{
	dsl_dataset_t *ds;
	spa_t *spa;
	uint64_t r;

	assert_int_equal(dsl_dataset_enter(name, &spa, &ds), 0);
	assert_int_equal(spa_sync(spa), 0);
	r = dsl_dataset_referenced(ds);
	dsl_pool_exit(spa);
	return r;
}

static void test_read_write(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ uint8_t *a = bs_malloc(1 << 20), *b = bs_malloc(1 << 20);
	struct zvol *zv;
	uint64_t size;

	assert_int_equal(zvol_open(f->vol, true, 0, &zv), 0);
	assert_int_equal(zvol_size(zv, &size), 0);
	assert_int_equal(size, VOLSIZE);
	assert_int_equal(zvol_blocksize(zv), 8192);
	assert_false(zvol_readonly(zv));

	/* a fresh volume reads as zeros */
	memset(b, 0xff, 1 << 20);
	assert_int_equal(zvol_read(zv, 12345, 100000, b), 100000);
	assert_true(all_zero(b, 100000));

	/* odd offsets and lengths, inside a block, across blocks, and a large one */
	stor_test_fill(a, 1 << 20, 1);
	assert_int_equal(zvol_write(zv, 4095, 3, a), 3);
	assert_int_equal(zvol_write(zv, 8190, 20001, a + 3), 20001);
	assert_int_equal(zvol_write(zv, 3 << 20 | 777, 1 << 19, a + 20004), 1 << 19);
	assert_int_equal(zvol_read(zv, 4095, 3, b), 3);
	assert_memory_equal(a, b, 3);
	assert_int_equal(zvol_read(zv, 8190, 20001, b), 20001);
	assert_memory_equal(a + 3, b, 20001);
	assert_int_equal(zvol_read(zv, 3 << 20 | 777, 1 << 19, b), 1 << 19);
	assert_memory_equal(a + 20004, b, 1 << 19);
	/* the bytes around them are untouched */
	assert_int_equal(zvol_read(zv, 4094, 1, b), 1);
	assert_int_equal(b[0], 0);
	assert_int_equal(zvol_read(zv, 3 << 20 | 776, 1, b), 1);
	assert_int_equal(b[0], 0);

	/* the end: reads stop there, writes crossing it are cut, writes past it refused */
	assert_int_equal(zvol_write(zv, VOLSIZE - 100, 1000, a), 100);
	assert_int_equal(zvol_read(zv, VOLSIZE - 100, 1000, b), 100);
	assert_memory_equal(a, b, 100);
	assert_int_equal(zvol_read(zv, VOLSIZE, 10, b), 0);
	assert_int_equal(zvol_read(zv, UINT64_MAX - 5, 10, b), 0);
	assert_int_equal(zvol_write(zv, VOLSIZE, 1, a), -ENOSPC);
	assert_int_equal(zvol_write(zv, UINT64_MAX - 5, 10, a), -ENOSPC);
	zvol_close(zv);

	/* after export and import the data is still there */
	assert_int_equal(stor_pool_export(f->t.pool, false), 0);
	assert_int_equal(stor_pool_import(f->t.pool, f->t.dir), 0);
	assert_int_equal(dsl_pool_enter(f->t.pool, &f->t.spa), 0);
	dsl_pool_exit(f->t.spa);
	assert_int_equal(zvol_open(f->vol, false, 0, &zv), 0);
	assert_int_equal(zvol_read(zv, 8190, 20001, b), 20001);
	assert_memory_equal(a + 3, b, 20001);
	/* opened for reading: no writes */
	assert_int_equal(zvol_write(zv, 0, 1, a), -EBADF);
	assert_int_equal(zvol_discard(zv, 0, 1), -EBADF);
	zvol_close(zv);
}

static void test_discard(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ uint8_t *a = bs_malloc(4 << 20), *b = bs_malloc(4 << 20);
	uint64_t before, after;
	struct zvol *zv;

	stor_test_fill(a, 4 << 20, 2);
	assert_int_equal(zvol_open(f->vol, true, 0, &zv), 0);
	assert_int_equal(zvol_write(zv, 0, 4 << 20, a), 4 << 20);
	before = referenced(f, f->vol);
	assert_true(before >= 4u << 20);

	/* odd ends: the partial blocks at both ends are zeroed, the whole ones freed */
	assert_int_equal(zvol_discard(zv, (1 << 20) + 5, (2 << 20) - 10), 0);
	assert_int_equal(zvol_read(zv, 0, 4 << 20, b), 4 << 20);
	assert_memory_equal(a, b, (1 << 20) + 5);
	assert_true(all_zero(b + (1 << 20) + 5, (2 << 20) - 10));
	assert_memory_equal(a + (3 << 20) - 5, b + (3 << 20) - 5, (1 << 20) + 5);
	after = referenced(f, f->vol);
	assert_true(after + (2u << 20) - 2 * 8192 <= before);

	/* past the end: nothing to do; a range crossing it is cut */
	assert_int_equal(zvol_discard(zv, VOLSIZE, 1 << 20), 0);
	assert_int_equal(zvol_write(zv, VOLSIZE - 8192, 8192, a), 8192);
	assert_int_equal(zvol_discard(zv, VOLSIZE - 8192, UINT64_MAX / 2), 0);
	assert_int_equal(zvol_read(zv, VOLSIZE - 8192, 8192, b), 8192);
	assert_true(all_zero(b, 8192));
	zvol_close(zv);
}

static void test_flush(void **state)
{
	struct fixture *f = *state;
	uint8_t a[4096];
	struct zvol *zv;
	uint64_t txg;

	stor_test_fill(a, sizeof(a), 3);
	assert_int_equal(zvol_open(f->vol, true, 0, &zv), 0);
	assert_int_equal(zvol_write(zv, 100, sizeof(a), a), sizeof(a));
	spa_enter(f->t.spa);
	txg = spa_open_txg(f->t.spa);
	spa_exit(f->t.spa);
	assert_int_equal(zvol_flush(zv), 0);
	/* the txg holding the write is on disk when the flush returns */
	spa_enter(f->t.spa);
	assert_true(spa_last_synced_txg(f->t.spa) >= txg);
	spa_exit(f->t.spa);
	zvol_close(zv);
}

static void test_grow(void **state)
{
	struct fixture *f = *state;
	uint8_t a[512], b[512];
	struct zvol *zv;
	uint64_t size;

	stor_test_fill(a, sizeof(a), 4);
	assert_int_equal(zvol_open(f->vol, true, 0, &zv), 0);
	assert_int_equal(zvol_write(zv, VOLSIZE, sizeof(a), a), -ENOSPC);
	/* grows while open: the open volume sees the new size at once */
	assert_int_equal(stor_ds_set_prop(f->vol, "volsize", "16M"), 0);
	assert_int_equal(zvol_size(zv, &size), 0);
	assert_int_equal(size, 16u << 20);
	assert_int_equal(zvol_read(zv, VOLSIZE, sizeof(b), b), sizeof(b));
	assert_true(all_zero(b, sizeof(b)));
	assert_int_equal(zvol_write(zv, (16u << 20) - sizeof(a), sizeof(a), a), sizeof(a));
	assert_int_equal(zvol_read(zv, (16u << 20) - sizeof(b), sizeof(b), b), sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
	/* shrinking is refused, with a message */
	assert_int_equal(stor_ds_set_prop(f->vol, "volsize", "4M"), -EINVAL);
	assert_non_null(strstr(bs_error_msg(), "cannot shrink"));
	assert_int_equal(zvol_size(zv, &size), 0);
	assert_int_equal(size, 16u << 20);
	/* readonly=on stops writes to an open volume, and writable opens */
	assert_int_equal(stor_ds_set_prop(f->vol, "readonly", "on"), 0);
	assert_int_equal(zvol_write(zv, 0, 1, a), -EROFS);
	assert_true(zvol_readonly(zv));
	zvol_close(zv);
	assert_int_equal(zvol_open(f->vol, true, 0, &zv), -EROFS);
	assert_int_equal(stor_ds_set_prop(f->vol, "readonly", "off"), 0);
}

static void test_clone_snapshot(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ uint8_t *a = bs_malloc(1 << 20), *b = bs_malloc(1 << 20);
	_cleanup_free_ char *snap = bs_asprintf("%s@s", f->vol);
	_cleanup_free_ char *clone = bs_asprintf("%s/clone", f->t.pool);
	const char *snaps[] = { snap };
	struct zvol *zv, *zc, *zs;
	uint64_t size;

	stor_test_fill(a, 1 << 20, 5);
	assert_int_equal(zvol_open(f->vol, true, 0, &zv), 0);
	assert_int_equal(zvol_write(zv, 333, 1 << 20, a), 1 << 20);
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	assert_int_equal(stor_ds_clone(snap, clone, NULL, false), 0);
	/* the clone has the snapshot's content and size */
	assert_int_equal(zvol_open(clone, true, 0, &zc), 0);
	assert_int_equal(zvol_size(zc, &size), 0);
	assert_int_equal(size, VOLSIZE);
	assert_int_equal(zvol_read(zc, 333, 1 << 20, b), 1 << 20);
	assert_memory_equal(a, b, 1 << 20);
	/* and its own life from then on */
	memset(b, 0x5a, 4096);
	assert_int_equal(zvol_write(zc, 333, 4096, b), 4096);
	assert_int_equal(zvol_read(zv, 333, 4096, b), 4096);
	assert_memory_equal(a, b, 4096);
	/* the snapshot opens read-only only */
	assert_int_equal(zvol_open(snap, true, 0, &zs), -EROFS);
	assert_int_equal(zvol_open(snap, false, 0, &zs), 0);
	assert_true(zvol_readonly(zs));
	assert_int_equal(zvol_read(zs, 333, 1 << 20, b), 1 << 20);
	assert_memory_equal(a, b, 1 << 20);
	zvol_close(zs);
	zvol_close(zc);
	zvol_close(zv);
	/* a file system is no volume */
	{
		_cleanup_free_ char *fs = bs_asprintf("%s/test", f->t.pool);

		assert_int_equal(zvol_open(fs, false, 0, &zv), -EINVAL);
	}
}

static void test_long_hold(void **state)
{
	struct fixture *f = *state;
	struct zvol *zv;
	spa_t *spa;
	dsl_dataset_t *ds;
	uint64_t guid;

	assert_int_equal(zvol_open(f->vol, true, 0, &zv), 0);
	assert_int_equal(stor_ds_destroy(f->vol, 0, NULL), -EBUSY);
	assert_non_null(strstr(bs_error_msg(), "busy"));
	assert_int_equal(stor_pool_export(f->t.pool, false), -EBUSY);
	zvol_close(zv);

	/* a guid that is not the dataset's: the name was reused */
	assert_int_equal(dsl_dataset_enter(f->vol, &spa, &ds), 0);
	guid = dsl_dataset_guid(ds);
	dsl_pool_exit(spa);
	assert_int_equal(zvol_open(f->vol, false, guid + 1, &zv), -ENOENT);
	assert_int_equal(zvol_open(f->vol, false, guid, &zv), 0);
	zvol_close(zv);

	assert_int_equal(stor_ds_destroy(f->vol, 0, NULL), 0);
	assert_int_equal(zvol_open(f->vol, false, 0, &zv), -ENOENT);
}

static bool has_entry(struct zvol_dirent *v, size_t n, const char *name, enum zvol_kind kind)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].name, name))
			return v[i].info.kind == kind;
	return false;
}

static void test_tree(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *snap = bs_asprintf("%s@s", f->vol);
	_cleanup_free_ char *deep = bs_asprintf("%s/a/b/disk", f->t.pool);
	_cleanup_free_ char *a = bs_asprintf("%s/a", f->t.pool),
			    *fs = bs_asprintf("%s/test", f->t.pool);
	const char *snaps[] = { snap };
	struct zvol_node_info info;
	struct zvol_dirent *v;
	size_t n;

	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	assert_int_equal(stor_ds_create(deep, STOR_TYPE_VOLUME, 1 << 20, NULL, true), 0);

	assert_int_equal(zvol_stat("", &info), 0);
	assert_int_equal(info.kind, ZVOL_DIR);
	assert_int_equal(zvol_list("", &v, &n), 0);
	assert_true(has_entry(v, n, f->t.pool, ZVOL_DIR));
	zvol_dirents_free(v, n);

	/* the pool: volumes, their snapshots, and file systems that hold volumes */
	assert_int_equal(zvol_list(f->t.pool, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "a");
	assert_int_equal(v[0].info.kind, ZVOL_DIR);
	assert_string_equal(v[1].name, "vol");
	assert_int_equal(v[1].info.kind, ZVOL_VOLUME);
	assert_int_equal(v[1].info.size, VOLSIZE);
	assert_false(v[1].info.readonly);
	assert_string_equal(v[2].name, "vol@s");
	assert_int_equal(v[2].info.kind, ZVOL_SNAPSHOT);
	assert_true(v[2].info.readonly);
	zvol_dirents_free(v, n);

	assert_int_equal(zvol_stat(deep, &info), 0);
	assert_int_equal(info.kind, ZVOL_VOLUME);
	assert_int_equal(info.size, 1 << 20);
	assert_int_equal(zvol_stat(a, &info), 0);
	assert_int_equal(info.kind, ZVOL_DIR);
	assert_int_equal(zvol_stat(snap, &info), 0);
	assert_int_equal(info.kind, ZVOL_SNAPSHOT);
	/* a file system without volumes is not in the tree, nor are names that resolve to nothing
	 */
	assert_int_equal(zvol_stat(fs, &info), -ENOENT);
	assert_int_equal(zvol_stat("nosuchpool/x", &info), -ENOENT);
	assert_int_equal(zvol_stat("bad name!", &info), -ENOENT);
	assert_int_equal(zvol_list(f->vol, &v, &n), -ENOTDIR);

	/* where the pool daemon serves a volume */
	{
		_cleanup_free_ char *path = stor_zvol_path(f->vol);
		_cleanup_free_ char *want = bs_asprintf("%s/run/zvol/%s", f->t.dir, f->vol);

		assert_string_equal(path, want);
	}

	/* a rename moves the volume in the tree */
	{
		_cleanup_free_ char *to = bs_asprintf("%s/a/moved", f->t.pool);

		assert_int_equal(stor_ds_rename(deep, to), 0);
		assert_int_equal(zvol_stat(deep, &info), -ENOENT);
		assert_int_equal(zvol_stat(to, &info), 0);
		assert_int_equal(info.kind, ZVOL_VOLUME);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
