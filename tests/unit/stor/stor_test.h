/* SPDX-License-Identifier: MIT */
/*
 * stor_test.h - a real pool for the storage unit tests: a sparse file in a scratch directory,
 * a pool on it, and a fresh file system whose object set the test works on.
 */
#ifndef STOR_TEST_H
#define STOR_TEST_H

#include <stddef.h>

#include "dmu.h"
#include "spa.h"

/* Create pool "t<pid>" on dir/pool.img (512 MiB, sparse) and file system "t<pid>/test".
 * Returns the pool (unlocked) and the file system's object set. */
int stor_test_pool(const char *dir, spa_t **ret_spa, objset_t **ret_os);
/* Export the pool. */
void stor_test_pool_close(spa_t *spa);

/* Make the scratch directory /tmp/basalt-test-<name>-XXXXXX (its path into dir, size bytes) and
 * a pool in it with stor_test_pool(). */
int stor_test_open(const char *name, char *dir, size_t size, spa_t **ret_spa, objset_t **ret_os);
/* Export the pool and remove the scratch directory. */
int stor_test_close(spa_t *spa, const char *dir);
/* Remove a scratch directory and everything in it. */
int stor_test_dir_remove(const char *dir);

#endif
