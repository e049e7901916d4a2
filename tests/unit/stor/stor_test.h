/* SPDX-License-Identifier: MIT */
/*
 * stor_test.h - the storage unit tests' shared fixture and helpers: a real pool on a sparse file
 * in a scratch directory, a fresh file system on it (optionally opened by the file system
 * layer), and the few steps several of the tests take on them.
 */
#ifndef STOR_TEST_H
#define STOR_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmu.h"
#include "spa.h"
#include "zpl_impl.h"

/* One test's pool: the scratch directory /tmp/basalt-test-<name>-XXXXXX (also BASALT_ROOT), pool
 * "t<pid>" on a sparse 512 MiB pool.img in it and file system "t<pid>/test". */
struct stor_test {
	char dir[64];
	char pool[32];
	char fsname[64];
	spa_t *spa;	   /* the pool, unlocked */
	objset_t *os;	   /* the file system's object set */
	struct zpl_fs *fs; /* with zpl: the file system opened on os; else NULL */
	uint64_t root;	   /* with zpl: its root directory */
};

/* Make t's directory, pool and file system for the test binary name; with zpl, open the file
 * system. Returns 0 or a negative errno. */
int stor_test_begin(struct stor_test *t, const char *name, bool zpl);
/* Close the file system, export the pool and remove the directory. */
int stor_test_end(struct stor_test *t);

/* A cmocka setup: a new struct stor_test begun with stor_test_begin() into *state. */
int stor_test_setup(void **state, const char *name, bool zpl);
/* The cmocka teardown of stor_test_setup(). */
int stor_test_teardown(void **state);

/* Create the sparse file dir/pool.img of size bytes for a pool's device; its path in
 * *ret_path. */
int stor_test_image(const char *dir, uint64_t size, char **ret_path);
/* Remove a scratch directory and everything in it. */
int stor_test_dir_remove(const char *dir);

/* Enter the pool of the dataset name and find the dataset's object set (asserted); the caller
 * leaves the pool (spa_exit() or dsl_pool_exit() of *ret_spa). */
objset_t *stor_test_objset(const char *name, spa_t **ret_spa);
/* n pseudo-random bytes determined by seed. */
void stor_test_fill(uint8_t *buf, size_t n, uint64_t seed);

/* As root, in t's opened file system: a regular file of mode, or a directory (0755), created
 * in dir (asserted) and without the lookup reference the kernel would hold. Returns its inode. */
uint64_t stor_test_mkfile(struct stor_test *t, uint64_t dir, const char *name, uint32_t mode);
uint64_t stor_test_mkdir(struct stor_test *t, uint64_t dir, const char *name);

#endif
