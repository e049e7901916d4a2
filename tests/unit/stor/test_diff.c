/* SPDX-License-Identifier: MIT */
/*
 * test_diff.c - zfs diff through the engine on a real pool: files added, removed, modified in
 * content or attributes, renamed in place and across directories, directories whose entries
 * changed, unchanged files left out, the errors, and the cost: only the objects in dnode blocks
 * born after the snapshot are visited.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <basalt/base.h>
#include <basalt/stor.h>

#include "dsl.h"
#include "spa.h"
#include "stor_test.h"
#include "zpl.h"
#include "zpl_diff.h"
#include "zpl_impl.h"

static int setup(void **state)
{
	return stor_test_setup(state, "diff", true);
}

static void snapshot(struct stor_test *f, const char *name)
{
	spa_enter(f->spa);
	assert_int_equal(dsl_dataset_snapshot(dmu_objset_ds(f->os), name, 0, NULL), 0);
	spa_exit(f->spa);
}

/* stor_ds_diff from fs@snap to the file system (to NULL) or fs@to. */
static json_t *diff(struct stor_test *f, const char *snap, const char *to)
{
	_cleanup_free_ char *from = bs_asprintf("%s@%s", f->fsname, snap);
	_cleanup_free_ char *t = to ? bs_asprintf("%s@%s", f->fsname, to) : NULL;
	json_t *out = NULL;

	assert_int_equal(stor_ds_diff(from, t, &out), 0);
	return out;
}

/* The entry for path with change, or NULL. */
static json_t *find(json_t *out, const char *change, const char *path)
{
	json_t *e;
	size_t i;

	json_array_foreach(out, i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "change")), change) &&
		    !strcmp(json_string_value(json_object_get(e, "path")), path))
			return e;
	}
	return NULL;
}

/* The entry of out for change of path is there, and its member key is want. */
static void assert_member(json_t *out, const char *change, const char *path, const char *key,
			  const char *want)
{
	json_t *e = find(out, change, path);

	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, key)), want);
}

static void test_changes(void **state)
{
	struct stor_test *f = *state;
	struct zpl_setattr sa = { .valid = ZPL_SET_MODE, .mode = 0600 };
	uint64_t a, b, mod, chm;
	json_t *out;

	a = stor_test_mkdir(f, f->root, "a");
	b = stor_test_mkdir(f, f->root, "b");
	stor_test_mkfile(f, a, "keep", 0644);
	mod = stor_test_mkfile(f, a, "mod", 0644);
	chm = stor_test_mkfile(f, a, "chmod", 0644);
	stor_test_mkfile(f, a, "mv", 0644);
	stor_test_mkfile(f, a, "gone", 0644);
	stor_test_mkfile(f, b, "across", 0644);
	stor_test_mkdir(f, f->root, "untouched");
	snapshot(f, "s1");

	assert_int_equal(zpl_write(f->fs, mod, 0, 5, "hello", 0), 5);
	assert_int_equal(zpl_setattr(f->fs, chm, &sa, NULL), 0);
	assert_int_equal(zpl_rename(f->fs, a, "mv", a, "moved", 0), 0);
	assert_int_equal(zpl_rename(f->fs, b, "across", a, "across", 0), 0);
	assert_int_equal(zpl_unlink(f->fs, a, "gone"), 0);
	stor_test_mkfile(f, b, "new", 0644);

	out = diff(f, "s1", NULL);
	assert_non_null(find(out, "M", "/a/mod"));
	assert_non_null(find(out, "M", "/a/chmod"));
	assert_member(out, "R", "/a/mv", "newpath", "/a/moved");
	assert_member(out, "R", "/b/across", "newpath", "/a/across");
	assert_non_null(find(out, "-", "/a/gone"));
	assert_member(out, "+", "/b/new", "type", "F");
	/* directories whose entries changed */
	assert_member(out, "M", "/a", "type", "/");
	assert_non_null(find(out, "M", "/b"));
	/* 8 changes; keep and untouched are not among them */
	assert_int_equal(json_array_size(out), 8);
	assert_null(find(out, "M", "/a/keep"));
	assert_null(find(out, "M", "/untouched"));
	json_decref(out);

	/* snapshot to snapshot gives the same; nothing changed after s2 gives nothing */
	snapshot(f, "s2");
	out = diff(f, "s1", "s2");
	assert_int_equal(json_array_size(out), 8);
	json_decref(out);
	out = diff(f, "s2", NULL);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

static void test_errors(void **state)
{
	struct stor_test *f = *state;
	_cleanup_free_ char *s1 = bs_asprintf("%s@s1", f->fsname);
	_cleanup_free_ char *s2 = bs_asprintf("%s@s2", f->fsname);
	_cleanup_free_ char *other = bs_asprintf("t%d/other", (int)getpid());
	_cleanup_free_ char *other_snap = bs_asprintf("%s@o", other);
	_cleanup_free_ char *clone = bs_asprintf("t%d/clone", (int)getpid());
	_cleanup_free_ char *vol = bs_asprintf("t%d/vol", (int)getpid());
	_cleanup_free_ char *vol_snap = bs_asprintf("%s@v", vol);
	const char *snaps[1];
	json_t *out = NULL;

	snapshot(f, "s1");
	stor_test_mkfile(f, f->root, "f", 0644);
	snapshot(f, "s2");
	assert_int_equal(stor_ds_create(other, STOR_TYPE_FILESYSTEM, 0, NULL, false), 0);
	snaps[0] = other_snap;
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);
	assert_int_equal(stor_ds_create(vol, STOR_TYPE_VOLUME, 1 << 20, NULL, false), 0);
	snaps[0] = vol_snap;
	assert_int_equal(stor_ds_snapshot(snaps, 1, false, NULL), 0);

	assert_int_equal(stor_ds_diff(s2, s1, &out), -EINVAL);		/* second older */
	assert_int_equal(stor_ds_diff(s1, other_snap, &out), -EXDEV);	/* unrelated */
	assert_int_equal(stor_ds_diff(f->fsname, NULL, &out), -EINVAL); /* not a snapshot */
	assert_int_equal(stor_ds_diff(vol_snap, NULL, &out), -EINVAL);	/* volume */
	assert_true(stor_ds_diff("nosuch/fs@x", NULL, &out) < 0);
	assert_true(stor_ds_diff(s1, "nosuchpool/fs", &out) < 0);
	assert_null(out);

	/* a clone of s1 is related to it */
	assert_int_equal(stor_ds_clone(s1, clone, NULL, false), 0);
	assert_int_equal(stor_ds_diff(s1, clone, &out), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

#define NFILES 3000

/* A file system of thousands of files with one of them changed: the diff visits only the
 * dnodes of the blocks that changed, not the thousands. */
static void test_cost(void **state)
{
	struct stor_test *f = *state;
	struct zpl_diff_stats stats;
	_cleanup_free_ char *snap = bs_asprintf("%s@big", f->fsname);
	uint64_t dir = stor_test_mkdir(f, f->root, "d"), target = 0;
	dsl_dataset_t *sds;
	objset_t *sos;
	json_t *out;

	for (int i = 0; i < NFILES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%d", i);
		target = stor_test_mkfile(f, dir, name, 0644);
	}
	snapshot(f, "big");
	assert_int_equal(zpl_write(f->fs, target, 0, 3, "abc", 0), 3);

	out = json_array();
	spa_enter(f->spa);
	assert_int_equal(spa_sync(f->spa), 0);
	assert_int_equal(dsl_dataset_lookup(f->spa, snap, &sds), 0);
	assert_int_equal(dsl_dataset_objset(sds, &sos), 0);
	assert_int_equal(zpl_diff(sos, f->os, dsl_dataset_creation_txg(sds), out, &stats), 0);
	spa_exit(f->spa);
	assert_int_equal(json_array_size(out), 1);
	assert_non_null(find(out, "M", "/d/f2999"));
	/* one dnode block's worth (and not the thousands of files) */
	assert_true(stats.visited > 0 && stats.visited <= 64);
	assert_true(stats.compared <= 64);
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_changes, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_cost, setup, stor_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
