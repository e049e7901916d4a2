/* SPDX-License-Identifier: MIT */
/*
 * stor_test.c - the storage unit tests' fixture: real devices (sparse files), a real pool
 * created through the same calls the zpool command makes, and the helpers the tests share.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "basalt/base.h"
#include "basalt/stor.h"
#include "dsl.h"
#include "stor_test.h"

static const struct zpl_cred root_cred = { .uid = 0, .gid = 0 };

int stor_test_image(const char *dir, uint64_t size, char **ret_path)
{
	_cleanup_free_ char *img = bs_path_join(dir, "pool.img");
	int fd;

	fd = open(img, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return -errno;
	close(fd);
	*ret_path = TAKE_PTR(img);
	return 0;
}

/* Pool t->pool on t->dir/pool.img and file system t->fsname; t->spa and t->os. */
static int pool_create(struct stor_test *t)
{
	_cleanup_free_ char *img = NULL;
	struct stor_pool_create_opts o = { .mountpoint = "none" };
	dsl_dataset_t *ds;
	int r;

	setenv("BASALT_ROOT", t->dir, 1);
	r = stor_test_image(t->dir, 512ull << 20, &img);
	if (r < 0)
		return r;
	r = stor_pool_create(t->pool, 1, (char *[]){ img }, &o);
	if (r == 0)
		r = stor_ds_create(t->fsname, STOR_TYPE_FILESYSTEM, 0, NULL, false);
	if (r < 0)
		return r;
	r = dsl_pool_enter(t->fsname, &t->spa);
	if (r < 0)
		return r;
	r = dsl_dataset_lookup(t->spa, t->fsname, &ds);
	if (r == 0)
		r = dsl_dataset_objset(ds, &t->os);
	dsl_pool_exit(t->spa);
	return r;
}

int stor_test_begin(struct stor_test *t, const char *name, bool zpl)
{
	int r;

	snprintf(t->dir, sizeof(t->dir), "/tmp/basalt-test-%s-XXXXXX", name);
	snprintf(t->pool, sizeof(t->pool), "t%d", (int)getpid());
	snprintf(t->fsname, sizeof(t->fsname), "%s/test", t->pool);
	if (!mkdtemp(t->dir))
		return -errno;
	r = pool_create(t);
	if (r < 0 || !zpl)
		return r;
	r = zpl_fs_open(t->os, false, &t->fs);
	if (r < 0)
		return r;
	t->root = zpl_fs_root(t->fs);
	return 0;
}

int stor_test_end(struct stor_test *t)
{
	if (t->fs)
		zpl_fs_close(t->fs);
	VERIFY0(stor_pool_export(t->pool, false));
	return stor_test_dir_remove(t->dir);
}

int stor_test_setup(void **state, const char *name, bool zpl)
{
	struct stor_test *t = bs_zalloc(sizeof(*t));

	*state = t;
	return stor_test_begin(t, name, zpl) < 0 ? -1 : 0;
}

int stor_test_teardown(void **state)
{
	_cleanup_free_ struct stor_test *t = *state;

	return stor_test_end(t) < 0 ? -1 : 0;
}

int stor_test_dir_remove(const char *dir)
{
	_cleanup_free_ char *cmd = bs_asprintf("rm -rf '%s'", dir);

	return system(cmd) == 0 ? 0 : -EIO;
}

objset_t *stor_test_objset(const char *name, spa_t **ret_spa)
{
	dsl_dataset_t *ds;
	objset_t *os;

	assert_int_equal(dsl_pool_enter(name, ret_spa), 0);
	assert_int_equal(dsl_dataset_lookup(*ret_spa, name, &ds), 0);
	assert_int_equal(dsl_dataset_objset(ds, &os), 0);
	return os;
}

void stor_test_fill(uint8_t *buf, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(seed >> 56);
	}
}

uint64_t stor_test_mkfile(struct stor_test *t, uint64_t dir, const char *name, uint32_t mode)
{
	struct stat st;

	assert_int_equal(zpl_mknod(t->fs, dir, name, S_IFREG | mode, 0, &root_cred, &st, NULL), 0);
	zpl_forget(t->fs, st.st_ino, 1);
	return st.st_ino;
}

uint64_t stor_test_mkdir(struct stor_test *t, uint64_t dir, const char *name)
{
	struct stat st;

	assert_int_equal(zpl_mkdir(t->fs, dir, name, 0755, &root_cred, &st, NULL), 0);
	zpl_forget(t->fs, st.st_ino, 1);
	return st.st_ino;
}
