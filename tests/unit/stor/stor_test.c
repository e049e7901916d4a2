/* SPDX-License-Identifier: MIT */
/*
 * stor_test.c - the storage unit tests' pool fixture: real devices (sparse files), a real pool
 * created through the same calls the zpool command makes.
 */
#include <fcntl.h>

#include "basalt/base.h"
#include "basalt/stor.h"
#include "dsl.h"
#include "stor_test.h"

int stor_test_pool(const char *dir, spa_t **ret_spa, objset_t **ret_os)
{
	_cleanup_free_ char *img = bs_path_join(dir, "pool.img");
	_cleanup_free_ char *pool = bs_asprintf("t%d", (int)getpid());
	_cleanup_free_ char *fs = bs_asprintf("%s/test", pool);
	char *spec[] = { img };
	struct stor_pool_create_opts o = { .mountpoint = "none" };
	dsl_dataset_t *ds;
	spa_t *spa;
	int fd, r;

	setenv("BASALT_ROOT", dir, 1);
	fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 512ll << 20) < 0)
		return -errno;
	close(fd);
	r = stor_pool_create(pool, 1, spec, &o);
	if (r == 0)
		r = stor_ds_create(fs, STOR_TYPE_FILESYSTEM, 0, NULL, false);
	if (r < 0)
		return r;
	r = dsl_pool_enter(fs, &spa);
	if (r < 0)
		return r;
	r = dsl_dataset_lookup(spa, fs, &ds);
	if (r == 0)
		r = dsl_dataset_objset(ds, ret_os);
	dsl_pool_exit(spa);
	if (r == 0)
		*ret_spa = spa;
	return r;
}

void stor_test_pool_close(spa_t *spa)
{
	_cleanup_free_ char *name = bs_strdup(spa_name(spa));

	VERIFY0(stor_pool_export(name, false));
}

int stor_test_open(const char *name, char *dir, size_t size, spa_t **ret_spa, objset_t **ret_os)
{
	snprintf(dir, size, "/tmp/basalt-test-%s-XXXXXX", name);
	if (!mkdtemp(dir))
		return -errno;
	return stor_test_pool(dir, ret_spa, ret_os);
}

int stor_test_dir_remove(const char *dir)
{
	_cleanup_free_ char *cmd = bs_asprintf("rm -rf '%s'", dir);

	return system(cmd) == 0 ? 0 : -EIO;
}

int stor_test_close(spa_t *spa, const char *dir)
{
	stor_test_pool_close(spa);
	return stor_test_dir_remove(dir);
}
