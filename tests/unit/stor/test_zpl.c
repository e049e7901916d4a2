/* SPDX-License-Identifier: MIT */
/*
 * test_zpl.c - the POSIX layer's semantics driven through its functions, on a real pool and
 * without FUSE: create, read, write, holes, truncate, rename in all its forms, hard links,
 * unlink of open files and the unlinked set, special files, attributes, readdir cookies, paths,
 * damaged znodes, the snapshots behind .zfs/snapshot, and extended attributes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <basalt/base.h>

#include "dsl.h"
#include "spa.h"
#include "stor_test.h"
#include "zap.h"
#include "zpl.h"
#include "zpl_impl.h"

static const struct zpl_cred root_cred = { .uid = 0, .gid = 0 };
static const struct zpl_cred user_cred = { .uid = 1000, .gid = 100 };

static int setup(void **state)
{
	return stor_test_setup(state, "zpl", true);
}

static uint64_t lookup(struct stor_test *f, uint64_t dir, const char *name)
{
	struct stat st;
	int r = zpl_lookup(f->fs, dir, name, &st, NULL);

	if (r < 0)
		return 0;
	zpl_forget(f->fs, st.st_ino, 1);
	return st.st_ino;
}

static bool exists(struct stor_test *f, uint64_t obj)
{
	struct dmu_object_info info;
	int r;

	spa_enter(f->spa);
	r = dmu_object_info(f->os, obj, &info);
	spa_exit(f->spa);
	return r == 0;
}

static struct stat getattr(struct stor_test *f, uint64_t obj)
{
	struct stat st;

	assert_int_equal(zpl_getattr(f->fs, obj, &st, NULL), 0);
	return st;
}

static void test_create_lookup(void **state)
{
	struct stor_test *f = *state;
	struct stat st;
	uint64_t gen, file, dir, sub;

	st = getattr(f, f->root);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_uid, 0);

	assert_int_equal(zpl_mknod(f->fs, f->root, "f", S_IFREG | 0640, 0, &user_cred, &st, &gen),
			 0);
	file = st.st_ino;
	zpl_forget(f->fs, file, 1);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 100);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_size, 0);
	assert_true(gen > 0);
	assert_int_equal(zpl_mknod(f->fs, f->root, "f", S_IFREG | 0640, 0, &user_cred, &st, NULL),
			 -EEXIST);
	assert_int_equal(lookup(f, f->root, "f"), file);
	assert_int_equal(zpl_lookup(f->fs, f->root, "nope", &st, NULL), -ENOENT);
	assert_int_equal(zpl_lookup(f->fs, file, "x", &st, NULL), -ENOTDIR);
	assert_int_equal(zpl_mknod(f->fs, f->root, "a/b", S_IFREG, 0, &root_cred, &st, NULL),
			 -EINVAL);

	dir = stor_test_mkdir(f, f->root, "d");
	assert_int_equal(getattr(f, f->root).st_nlink, 3);
	assert_int_equal(getattr(f, dir).st_nlink, 2);
	assert_int_equal(lookup(f, dir, ".."), f->root);
	assert_int_equal(lookup(f, dir, "."), dir);
	assert_int_equal(getattr(f, f->root).st_size, 2 + 2);

	/* a setgid directory hands its group down, and its setgid bit to subdirectories */
	struct zpl_setattr sa = { .valid = ZPL_SET_MODE | ZPL_SET_GID, .mode = 02775, .gid = 50 };
	assert_int_equal(zpl_setattr(f->fs, dir, &sa, NULL), 0);
	assert_int_equal(zpl_mkdir(f->fs, dir, "sub", 0700, &user_cred, &st, NULL), 0);
	sub = st.st_ino;
	zpl_forget(f->fs, sub, 1);
	assert_int_equal(st.st_gid, 50);
	assert_true(st.st_mode & S_ISGID);
	assert_int_equal(zpl_mknod(f->fs, dir, "g", S_IFREG | 0600, 0, &user_cred, &st, NULL), 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_int_equal(st.st_gid, 50);
	assert_false(st.st_mode & S_ISGID);

	/* special files */
	assert_int_equal(
		zpl_mknod(f->fs, f->root, "fifo", S_IFIFO | 0600, 0, &root_cred, &st, NULL), 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(zpl_mknod(f->fs, f->root, "null", S_IFCHR | 0666, makedev(1, 3),
				   &root_cred, &st, NULL),
			 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	st = getattr(f, lookup(f, f->root, "null"));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	assert_int_equal(zpl_mknod(f->fs, f->root, "blk", S_IFBLK | 0600, makedev(8, 1), &root_cred,
				   &st, NULL),
			 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_int_equal(
		zpl_mknod(f->fs, f->root, "sock", S_IFSOCK | 0600, 0, &root_cred, &st, NULL), 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(zpl_mknod(f->fs, f->root, "x", S_IFDIR | 0600, 0, &root_cred, &st, NULL),
			 -EINVAL);
}

static void test_symlink(void **state)
{
	struct stor_test *f = *state;
	_cleanup_free_ char *target = NULL;
	char longt[5000];
	struct stat st;

	assert_int_equal(zpl_symlink(f->fs, f->root, "l", "../some/where", &user_cred, &st, NULL),
			 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_size, strlen("../some/where"));
	assert_int_equal(zpl_readlink(f->fs, st.st_ino, &target), 0);
	assert_string_equal(target, "../some/where");
	assert_int_equal(zpl_readlink(f->fs, f->root, &target), -EINVAL);
	memset(longt, 'a', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	assert_int_equal(zpl_symlink(f->fs, f->root, "long", longt, &user_cred, &st, NULL),
			 -ENAMETOOLONG);
	assert_int_equal(lookup(f, f->root, "long"), 0);
}

static void test_read_write(void **state)
{
	struct stor_test *f = *state;
	_cleanup_free_ uint8_t *buf = bs_malloc(1 << 20);
	_cleanup_free_ uint8_t *out = bs_malloc(1 << 20);
	uint64_t file, off;
	struct stat st;

	file = stor_test_mkfile(f, f->root, "data", 0644);
	for (unsigned i = 0; i < (1u << 20); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(zpl_write(f->fs, file, 0, 1 << 20, buf, 0), 1 << 20);
	assert_int_equal(getattr(f, file).st_size, 1 << 20);
	assert_int_equal(zpl_read(f->fs, file, 0, 1 << 20, out), 1 << 20);
	assert_memory_equal(buf, out, 1 << 20);
	/* reads stop at the end */
	assert_int_equal(zpl_read(f->fs, file, (1 << 20) - 10, 100, out), 10);
	assert_int_equal(zpl_read(f->fs, file, 1 << 21, 100, out), 0);
	/* append */
	assert_int_equal(zpl_write(f->fs, file, 0, 5, "hello", ZPL_WRITE_APPEND), 5);
	assert_int_equal(getattr(f, file).st_size, (1 << 20) + 5);
	assert_int_equal(zpl_read(f->fs, file, 1 << 20, 5, out), 5);
	assert_memory_equal(out, "hello", 5);
	/* durable */
	assert_int_equal(zpl_fsync(f->fs), 0);
	assert_int_equal(zpl_read(f->fs, file, 12345, 1000, out), 1000);
	assert_memory_equal(buf + 12345, out, 1000);

	/* a write far past the end leaves a hole that reads as zeros */
	file = stor_test_mkfile(f, f->root, "sparse", 0644);
	assert_int_equal(zpl_write(f->fs, file, 100ull << 20, 4, "tail", 0), 4);
	assert_int_equal(getattr(f, file).st_size, (100 << 20) + 4);
	assert_int_equal(zpl_read(f->fs, file, 50 << 20, 4096, out), 4096);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(zpl_lseek(f->fs, file, 0, SEEK_DATA, &off), 0);
	assert_true(off <= 100ull << 20);
	assert_true(off > 50ull << 20);
	assert_int_equal(zpl_lseek(f->fs, file, 0, SEEK_HOLE, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(zpl_lseek(f->fs, file, (100 << 20) + 1, SEEK_HOLE, &off), 0);
	assert_int_equal(off, (100 << 20) + 4);
	assert_int_equal(zpl_lseek(f->fs, file, (100 << 20) + 4, SEEK_DATA, &off), -ENXIO);
	assert_int_equal(zpl_lseek(f->fs, file, 0, SEEK_END, &off), 0);
	assert_int_equal(off, (100 << 20) + 4);

	/* shrink then grow: the old bytes are gone */
	file = lookup(f, f->root, "data");
	struct zpl_setattr sa = { .valid = ZPL_SET_SIZE, .size = 1000 };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_size, 1000);
	sa.size = 1 << 20;
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(zpl_read(f->fs, file, 0, 1 << 20, out), 1 << 20);
	assert_memory_equal(out, buf, 1000);
	for (unsigned i = 1000; i < (1u << 20); i++)
		assert_int_equal(out[i], 0);
	sa.size = 0;
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(zpl_read(f->fs, file, 0, 100, out), 0);

	/* fallocate: mode 0 grows the size; punching a hole zeroes a range */
	assert_int_equal(zpl_fallocate(f->fs, file, 0, 0, 8192), 0);
	assert_int_equal(getattr(f, file).st_size, 8192);
	assert_int_equal(zpl_write(f->fs, file, 0, 300000, buf, 0), 300000);
	assert_int_equal(zpl_fallocate(f->fs, file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100,
				       200000),
			 0);
	assert_int_equal(getattr(f, file).st_size, 300000);
	assert_int_equal(zpl_read(f->fs, file, 0, 300000, out), 300000);
	assert_memory_equal(out, buf, 100);
	for (unsigned i = 100; i < 200100; i++)
		assert_int_equal(out[i], 0);
	assert_memory_equal(out + 200100, buf + 200100, 300000 - 200100);
	assert_int_equal(zpl_fallocate(f->fs, file, FALLOC_FL_COLLAPSE_RANGE, 0, 4096),
			 -EOPNOTSUPP);

	/* not on directories */
	assert_int_equal(zpl_write(f->fs, f->root, 0, 1, "x", 0), -EISDIR);
	assert_int_equal(zpl_read(f->fs, f->root, 0, 1, out), -EISDIR);
	sa.size = 0;
	assert_int_equal(zpl_setattr(f->fs, f->root, &sa, NULL), -EISDIR);
}

static void test_setattr(void **state)
{
	struct stor_test *f = *state;
	struct zpl_setattr sa = { 0 };
	uint64_t file;
	struct stat st, before;

	file = stor_test_mkfile(f, f->root, "f", 04755);
	before = getattr(f, file);
	assert_int_equal(before.st_mode, S_IFREG | 04755);

	sa.valid = ZPL_SET_MODE;
	sa.mode = S_IFDIR | 0600; /* the type stays */
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_true(st.st_ctim.tv_sec > before.st_ctim.tv_sec ||
		    (st.st_ctim.tv_sec == before.st_ctim.tv_sec &&
		     st.st_ctim.tv_nsec >= before.st_ctim.tv_nsec));

	sa.valid = ZPL_SET_UID | ZPL_SET_GID;
	sa.uid = 42;
	sa.gid = 43;
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_uid, 42);
	assert_int_equal(st.st_gid, 43);

	/* utimens with nanoseconds; UTIME_OMIT is an absent flag */
	sa.valid = ZPL_SET_ATIME | ZPL_SET_MTIME;
	sa.atime = (struct timespec){ 1000000000, 123456789 };
	sa.mtime = (struct timespec){ 1500000000, 987654321 };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000000000);
	assert_int_equal(st.st_atim.tv_nsec, 123456789);
	assert_int_equal(st.st_mtim.tv_sec, 1500000000);
	assert_int_equal(st.st_mtim.tv_nsec, 987654321);
	sa.valid = ZPL_SET_MTIME_NOW;
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000000000);
	assert_true(st.st_mtim.tv_sec > 1600000000);

	/* writing moves mtime and ctime */
	sa.valid = ZPL_SET_MTIME;
	sa.mtime = (struct timespec){ 5, 0 };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(zpl_write(f->fs, file, 0, 3, "abc", 0), 3);
	st = getattr(f, file);
	assert_true(st.st_mtim.tv_sec > 1600000000);
	/* relatime: a read after a write touches atime */
	char b[3];
	assert_int_equal(zpl_read(f->fs, file, 0, 3, b), 3);
	assert_true(getattr(f, file).st_atim.tv_sec > 1600000000);
}

/* Truncating marks mtime and ctime even to the same size: open(O_TRUNC) and ftruncate() arrive
 * as a size alone and the file system owns their times. */
static void test_truncate_times(void **state)
{
	struct stor_test *f = *state;
	struct zpl_setattr sa = { .valid = ZPL_SET_ATIME | ZPL_SET_MTIME };
	uint64_t file;
	struct stat st;

	file = stor_test_mkfile(f, f->root, "f", 0644);
	sa.atime = (struct timespec){ 1, 0 };
	sa.mtime = (struct timespec){ 1, 0 };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, NULL), 0);
	sa = (struct zpl_setattr){ .valid = ZPL_SET_SIZE, .size = 0 };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_true(st.st_mtim.tv_sec > 1600000000);
	assert_true(st.st_ctim.tv_sec > 1600000000);
	assert_int_equal(st.st_atim.tv_sec, 1);

	assert_int_equal(zpl_write(f->fs, file, 0, 5, "hello", 0), 5);
	sa = (struct zpl_setattr){ .valid = ZPL_SET_MTIME, .mtime = { 2, 0 } };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, NULL), 0);
	sa = (struct zpl_setattr){ .valid = ZPL_SET_SIZE, .size = 5 };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_size, 5);
	assert_true(st.st_mtim.tv_sec > 1600000000);

	/* an explicit mtime along with the size wins */
	sa = (struct zpl_setattr){ .valid = ZPL_SET_SIZE | ZPL_SET_MTIME,
				   .size = 2,
				   .mtime = { 3, 4 } };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(st.st_mtim.tv_sec, 3);
	assert_int_equal(st.st_mtim.tv_nsec, 4);
}

/* Times keep their nanoseconds, and go past 2038 and before 1970, also once read back from the
 * pool after the file system is reopened; UTIME_NOW for one time leaves the other alone. */
static void test_times_range(void **state)
{
	struct stor_test *f = *state;
	struct zpl_setattr sa = { .valid = ZPL_SET_ATIME | ZPL_SET_MTIME };
	uint64_t file;
	struct stat st;

	file = stor_test_mkfile(f, f->root, "t", 0644);
	sa.atime = (struct timespec){ 4102444800, 1 };		/* 2100-01-01 */
	sa.mtime = (struct timespec){ -1000000000, 999999999 }; /* 1938 */
	assert_int_equal(zpl_setattr(f->fs, file, &sa, NULL), 0);
	zpl_fs_close(f->fs);
	assert_int_equal(zpl_fs_open(f->os, false, &f->fs), 0);
	st = getattr(f, file);
	assert_int_equal(st.st_atim.tv_sec, 4102444800);
	assert_int_equal(st.st_atim.tv_nsec, 1);
	assert_int_equal(st.st_mtim.tv_sec, -1000000000);
	assert_int_equal(st.st_mtim.tv_nsec, 999999999);

	/* relatime compares signed times: an atime in 2100 is after a 1938 mtime and stays */
	char b[1];
	assert_int_equal(zpl_read(f->fs, file, 0, 1, b), 0);
	assert_int_equal(getattr(f, file).st_atim.tv_sec, 4102444800);

	sa = (struct zpl_setattr){ .valid = ZPL_SET_ATIME_NOW };
	assert_int_equal(zpl_setattr(f->fs, file, &sa, &st), 0);
	assert_true(st.st_atim.tv_sec > 1600000000 && st.st_atim.tv_sec < 4102444800);
	assert_int_equal(st.st_mtim.tv_sec, -1000000000);
	assert_int_equal(st.st_mtim.tv_nsec, 999999999);
}

static int count_cb(void *arg, const char *name, uint64_t obj, unsigned dtype, uint64_t next_cookie)
{
	(*(unsigned *)arg)++;
	return 0;
}

/* Reading a directory marks its atime under the same relatime rule as reading a file. */
static void test_dir_atime(void **state)
{
	struct stor_test *f = *state;
	struct zpl_setattr sa = { .valid = ZPL_SET_ATIME | ZPL_SET_MTIME };
	unsigned n = 0;
	uint64_t dir;
	struct stat st;

	dir = stor_test_mkdir(f, f->root, "d");
	stor_test_mkfile(f, dir, "x", 0644);
	sa.atime = (struct timespec){ 1, 0 };
	sa.mtime = (struct timespec){ 2, 0 };
	assert_int_equal(zpl_setattr(f->fs, dir, &sa, NULL), 0);
	assert_int_equal(zpl_readdir(f->fs, dir, 0, count_cb, &n), 0);
	assert_int_equal(n, 1);
	st = getattr(f, dir);
	assert_true(st.st_atim.tv_sec > 1600000000);
	assert_int_equal(st.st_mtim.tv_sec, 2);

	/* atime after the last change and less than a day old: left alone */
	sa.atime = (struct timespec){ st.st_ctim.tv_sec + 1, 0 };
	sa.valid = ZPL_SET_ATIME | ZPL_SET_CTIME;
	sa.ctime = st.st_ctim;
	assert_int_equal(zpl_setattr(f->fs, dir, &sa, NULL), 0);
	assert_int_equal(zpl_readdir(f->fs, dir, 0, count_cb, &n), 0);
	assert_int_equal(getattr(f, dir).st_atim.tv_sec, st.st_ctim.tv_sec + 1);
	assert_int_equal(getattr(f, dir).st_atim.tv_nsec, 0);
}

/* Names of 255 bytes work everywhere; one byte more is ENAMETOOLONG for every operation. */
static void test_long_names(void **state)
{
	struct stor_test *f = *state;
	char n255[256], n256[257];
	uint64_t file, dir;
	struct stat st;

	memset(n255, 'n', 255);
	n255[255] = '\0';
	memset(n256, 'n', 256);
	n256[256] = '\0';

	file = stor_test_mkfile(f, f->root, n255, 0644);
	assert_int_equal(lookup(f, f->root, n255), file);
	dir = stor_test_mkdir(f, f->root, "d");
	assert_int_equal(zpl_rename(f->fs, f->root, n255, dir, n255, 0), 0);
	assert_int_equal(zpl_link(f->fs, file, f->root, n255, &st, NULL), 0);
	zpl_forget(f->fs, file, 1);

	assert_int_equal(zpl_mknod(f->fs, f->root, n256, S_IFREG | 0644, 0, &root_cred, &st, NULL),
			 -ENAMETOOLONG);
	assert_int_equal(zpl_mkdir(f->fs, f->root, n256, 0755, &root_cred, &st, NULL),
			 -ENAMETOOLONG);
	assert_int_equal(zpl_symlink(f->fs, f->root, n256, "x", &root_cred, &st, NULL),
			 -ENAMETOOLONG);
	assert_int_equal(zpl_link(f->fs, file, f->root, n256, &st, NULL), -ENAMETOOLONG);
	assert_int_equal(zpl_lookup(f->fs, f->root, n256, &st, NULL), -ENAMETOOLONG);
	assert_int_equal(zpl_rename(f->fs, f->root, n255, f->root, n256, 0), -ENAMETOOLONG);
	assert_int_equal(zpl_rename(f->fs, f->root, n256, f->root, "x", 0), -ENAMETOOLONG);
	assert_int_equal(zpl_unlink(f->fs, f->root, n256), -ENAMETOOLONG);
	assert_int_equal(zpl_rmdir(f->fs, f->root, n256), -ENAMETOOLONG);
	assert_int_equal(getattr(f, file).st_nlink, 2);

	/* device numbers beyond 8 bits of major and 16 of minor survive */
	assert_int_equal(zpl_mknod(f->fs, f->root, "c", S_IFCHR | 0600, makedev(300, 70000),
				   &root_cred, &st, NULL),
			 0);
	zpl_forget(f->fs, st.st_ino, 1);
	st = getattr(f, lookup(f, f->root, "c"));
	assert_int_equal(major(st.st_rdev), 300);
	assert_int_equal(minor(st.st_rdev), 70000);
}

static void test_link_unlink(void **state)
{
	struct stor_test *f = *state;
	uint64_t file, dir;
	struct stat st;
	char b[4];

	file = stor_test_mkfile(f, f->root, "a", 0644);
	assert_int_equal(zpl_write(f->fs, file, 0, 4, "data", 0), 4);
	dir = stor_test_mkdir(f, f->root, "d");
	assert_int_equal(zpl_link(f->fs, file, dir, "b", &st, NULL), 0);
	zpl_forget(f->fs, file, 1);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(zpl_link(f->fs, file, dir, "b", &st, NULL), -EEXIST);
	assert_int_equal(zpl_link(f->fs, dir, f->root, "dirlink", &st, NULL), -EPERM);
	assert_int_equal(lookup(f, dir, "b"), file);
	assert_int_equal(zpl_unlink(f->fs, f->root, "a"), 0);
	assert_int_equal(getattr(f, file).st_nlink, 1);
	assert_int_equal(zpl_read(f->fs, file, 0, 4, b), 4);
	assert_memory_equal(b, "data", 4);

	assert_int_equal(zpl_unlink(f->fs, f->root, "d"), -EISDIR);
	assert_int_equal(zpl_rmdir(f->fs, f->root, "d"), -ENOTEMPTY);
	assert_int_equal(zpl_rmdir(f->fs, dir, "b"), -ENOTDIR);
	assert_int_equal(zpl_unlink(f->fs, f->root, "zz"), -ENOENT);

	/* unlinking an open file keeps it until the last close */
	assert_int_equal(zpl_open(f->fs, file, true), 0);
	assert_int_equal(zpl_unlink(f->fs, dir, "b"), 0);
	assert_true(exists(f, file));
	assert_int_equal(getattr(f, file).st_nlink, 0);
	assert_int_equal(zpl_write(f->fs, file, 4, 4, "more", 0), 4);
	assert_int_equal(zpl_read(f->fs, file, 0, 4, b), 4);
	zpl_release(f->fs, file);
	assert_false(exists(f, file));

	/* a lookup reference does the same */
	file = stor_test_mkfile(f, dir, "c", 0644);
	assert_int_equal(zpl_lookup(f->fs, dir, "c", &st, NULL), 0);
	assert_int_equal(zpl_unlink(f->fs, dir, "c"), 0);
	assert_true(exists(f, file));
	zpl_forget(f->fs, file, 1);
	assert_false(exists(f, file));

	/* without references an unlinked file is freed at once */
	file = stor_test_mkfile(f, dir, "e", 0644);
	assert_int_equal(zpl_unlink(f->fs, dir, "e"), 0);
	assert_false(exists(f, file));

	assert_int_equal(getattr(f, f->root).st_nlink, 3);
	assert_int_equal(zpl_rmdir(f->fs, f->root, "d"), 0);
	assert_false(exists(f, dir));
	assert_int_equal(getattr(f, f->root).st_nlink, 2);
}

static void test_unlinked_set(void **state)
{
	struct stor_test *f = *state;
	struct zpl_fs *again;
	uint64_t file, dir;

	file = stor_test_mkfile(f, f->root, "open", 0644);
	dir = stor_test_mkdir(f, f->root, "opendir");
	assert_int_equal(zpl_open(f->fs, file, false), 0);
	assert_int_equal(zpl_open(f->fs, dir, false), 0);
	assert_int_equal(zpl_unlink(f->fs, f->root, "open"), 0);
	assert_int_equal(zpl_rmdir(f->fs, f->root, "opendir"), 0);
	assert_int_equal(zpl_fsync(f->fs), 0);
	assert_true(exists(f, file));
	assert_true(exists(f, dir));
	/* a new opening of the file system (after a crash) frees what was left unlinked */
	assert_int_equal(zpl_fs_open(f->os, false, &again), 0);
	assert_false(exists(f, file));
	assert_false(exists(f, dir));
	zpl_fs_close(again);
	/* the first one's releases must not trip over the freed objects */
	zpl_release(f->fs, file);
	zpl_release(f->fs, dir);

	/* and closing the file system drains it too */
	file = stor_test_mkfile(f, f->root, "open2", 0644);
	assert_int_equal(zpl_open(f->fs, file, false), 0);
	assert_int_equal(zpl_unlink(f->fs, f->root, "open2"), 0);
	zpl_fs_close(f->fs);
	assert_false(exists(f, file));
	assert_int_equal(zpl_fs_open(f->os, false, &f->fs), 0);
}

static void test_rename(void **state)
{
	struct stor_test *f = *state;
	uint64_t a, b, d1, d2, sub, x;
	struct stat st;

	a = stor_test_mkfile(f, f->root, "a", 0644);
	b = stor_test_mkfile(f, f->root, "b", 0644);
	d1 = stor_test_mkdir(f, f->root, "d1");
	d2 = stor_test_mkdir(f, f->root, "d2");

	/* plain rename in one directory */
	assert_int_equal(zpl_rename(f->fs, f->root, "a", f->root, "a2", 0), 0);
	assert_int_equal(lookup(f, f->root, "a"), 0);
	assert_int_equal(lookup(f, f->root, "a2"), a);
	assert_int_equal(zpl_rename(f->fs, f->root, "nope", f->root, "x", 0), -ENOENT);

	/* replacing a file frees the one replaced */
	assert_int_equal(zpl_rename(f->fs, f->root, "a2", f->root, "b", RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(zpl_rename(f->fs, f->root, "a2", f->root, "b", 0), 0);
	assert_int_equal(lookup(f, f->root, "b"), a);
	assert_false(exists(f, b));

	/* a directory moves between directories with its ".." link */
	sub = stor_test_mkdir(f, d1, "sub");
	assert_int_equal(getattr(f, d1).st_nlink, 3);
	assert_int_equal(zpl_rename(f->fs, d1, "sub", d2, "sub", 0), 0);
	assert_int_equal(getattr(f, d1).st_nlink, 2);
	assert_int_equal(getattr(f, d2).st_nlink, 3);
	assert_int_equal(lookup(f, sub, ".."), d2);

	/* not under itself */
	assert_int_equal(zpl_rename(f->fs, f->root, "d2", sub, "d2", 0), -EINVAL);
	assert_int_equal(zpl_rename(f->fs, f->root, "d2", d2, "x", 0), -EINVAL);

	/* directory over directory: only when empty; directory and file do not mix */
	x = stor_test_mkfile(f, d1, "file", 0644);
	assert_int_equal(zpl_rename(f->fs, d2, "sub", f->root, "d1", 0), -ENOTEMPTY);
	assert_int_equal(zpl_rename(f->fs, d2, "sub", d1, "file", 0), -ENOTDIR);
	assert_int_equal(zpl_rename(f->fs, d1, "file", d2, "sub", 0), -EISDIR);
	assert_int_equal(zpl_mkdir(f->fs, d1, "empty", 0755, &root_cred, &st, NULL), 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_int_equal(getattr(f, d1).st_nlink, 3);
	assert_int_equal(zpl_rename(f->fs, d2, "sub", d1, "empty", 0), 0);
	assert_false(exists(f, st.st_ino));
	assert_int_equal(getattr(f, d1).st_nlink, 3);
	assert_int_equal(getattr(f, d2).st_nlink, 2);
	assert_int_equal(lookup(f, d1, "empty"), sub);

	/* exchange a file and a directory across directories */
	assert_int_equal(zpl_rename(f->fs, d1, "file", d2, "none", RENAME_EXCHANGE), -ENOENT);
	assert_int_equal(zpl_rename(f->fs, d1, "empty", f->root, "b", RENAME_EXCHANGE), 0);
	assert_int_equal(lookup(f, d1, "empty"), a);
	assert_int_equal(lookup(f, f->root, "b"), sub);
	assert_int_equal(lookup(f, sub, ".."), f->root);
	assert_int_equal(getattr(f, d1).st_nlink, 2);
	assert_int_equal(getattr(f, f->root).st_nlink, 5);
	/* a directory cannot be exchanged into itself */
	assert_int_equal(zpl_mkdir(f->fs, sub, "inner", 0755, &root_cred, &st, NULL), 0);
	zpl_forget(f->fs, st.st_ino, 1);
	assert_int_equal(zpl_rename(f->fs, sub, "inner", f->root, "b", RENAME_EXCHANGE), -EINVAL);

	/* two links to one file: nothing happens */
	assert_int_equal(zpl_link(f->fs, x, d1, "file2", &st, NULL), 0);
	zpl_forget(f->fs, x, 1);
	assert_int_equal(zpl_rename(f->fs, d1, "file", d1, "file2", 0), 0);
	assert_int_equal(lookup(f, d1, "file"), x);
	assert_int_equal(lookup(f, d1, "file2"), x);
	assert_int_equal(getattr(f, x).st_nlink, 2);

	/* replacing the last link of an open file keeps it alive until closed */
	assert_int_equal(zpl_open(f->fs, x, false), 0);
	assert_int_equal(zpl_unlink(f->fs, d1, "file2"), 0);
	assert_int_equal(zpl_rename(f->fs, d1, "empty", d1, "file", 0), 0);
	assert_true(exists(f, x));
	zpl_release(f->fs, x);
	assert_false(exists(f, x));

	assert_int_equal(zpl_rename(f->fs, f->root, "d1", f->root, "d1", RENAME_WHITEOUT), -EINVAL);
}

struct collect {
	uint8_t *seen;
	unsigned n;
	unsigned batch; /* entries taken per call, as a FUSE buffer would */
	unsigned taken;
	uint64_t cookie;
};

static int collect_cb(void *arg, const char *name, uint64_t obj, unsigned dtype,
		      uint64_t next_cookie)
{
	struct collect *c = arg;
	unsigned i;

	if (c->taken == c->batch)
		return 1;
	c->taken++;
	if (streq(name, "dir")) {
		assert_int_equal(dtype, DT_DIR);
	} else {
		assert_int_equal(dtype, DT_REG);
		i = (unsigned)strtoul(name + 1, NULL, 10);
		assert_true(i < c->n);
		assert_int_equal(c->seen[i], 0);
		c->seen[i] = 1;
	}
	assert_true(obj > 1);
	assert_true(next_cookie > c->cookie);
	assert_true(next_cookie < (1ull << 63) - 16);
	c->cookie = next_cookie;
	return 0;
}

static void test_readdir(void **state)
{
	struct stor_test *f = *state;
	struct collect c = { .n = 1500, .batch = 37 };
	uint64_t dir;
	char name[32];

	c.seen = bs_zalloc(c.n);
	dir = stor_test_mkdir(f, f->root, "big");
	for (unsigned i = 0; i < c.n; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		stor_test_mkfile(f, dir, name, 0644);
	}
	stor_test_mkdir(f, dir, "dir");
	assert_int_equal(getattr(f, dir).st_size, c.n + 1 + 2);
	for (;;) {
		uint64_t before = c.cookie;

		c.taken = 0;
		assert_int_equal(zpl_readdir(f->fs, dir, c.cookie, collect_cb, &c), 0);
		if (c.cookie == before)
			break;
		/* removals between calls do not disturb the walk */
		snprintf(name, sizeof(name), "f%u", c.n - 1);
		(void)zpl_unlink(f->fs, dir, name);
	}
	for (unsigned i = 0; i < c.n - 1; i++)
		assert_int_equal(c.seen[i], 1);
	free(c.seen);
	assert_int_equal(zpl_readdir(f->fs, lookup(f, dir, "f0"), 0, collect_cb, &c), -ENOTDIR);
}

static void test_obj_path(void **state)
{
	struct stor_test *f = *state;
	uint64_t a, b, file;
	char *path;

	a = stor_test_mkdir(f, f->root, "a");
	b = stor_test_mkdir(f, a, "b");
	file = stor_test_mkfile(f, b, "file", 0644);
	spa_enter(f->spa);
	assert_int_equal(zpl_obj_path(f->os, file, &path), 0);
	spa_exit(f->spa);
	assert_string_equal(path, "/a/b/file");
	free(path);
	assert_int_equal(zpl_rename(f->fs, b, "file", a, "moved", 0), 0);
	spa_enter(f->spa);
	assert_int_equal(zpl_obj_path(f->os, file, &path), 0);
	assert_string_equal(path, "/a/moved");
	free(path);
	assert_int_equal(zpl_obj_path(f->os, f->root, &path), 0);
	assert_string_equal(path, "/");
	free(path);
	spa_exit(f->spa);
}

static void test_statfs_readonly(void **state)
{
	struct stor_test *f = *state;
	struct zpl_fs *ro;
	struct statvfs sv;
	struct stat st;
	uint64_t file;

	assert_int_equal(zpl_statfs(f->fs, &sv), 0);
	assert_true(sv.f_bsize > 0);
	assert_true(sv.f_blocks >= sv.f_bfree);
	assert_true(sv.f_bavail > 0);
	assert_int_equal(sv.f_namemax, 255);

	file = stor_test_mkfile(f, f->root, "f", 0644);
	assert_int_equal(zpl_fs_open(f->os, true, &ro), 0);
	assert_true(zpl_fs_readonly(ro));
	assert_int_equal(zpl_lookup(ro, zpl_fs_root(ro), "f", &st, NULL), 0);
	assert_int_equal(st.st_ino, file);
	assert_int_equal(zpl_mknod(ro, zpl_fs_root(ro), "g", S_IFREG | 0644, 0, &root_cred, &st,
				   NULL),
			 -EROFS);
	assert_int_equal(zpl_write(ro, file, 0, 1, "x", 0), -EROFS);
	assert_int_equal(zpl_unlink(ro, zpl_fs_root(ro), "f"), -EROFS);
	assert_int_equal(zpl_rename(ro, zpl_fs_root(ro), "f", zpl_fs_root(ro), "g", 0), -EROFS);
	assert_int_equal(zpl_open(ro, file, true), -EROFS);
	assert_int_equal(zpl_statfs(ro, &sv), 0);
	assert_true(sv.f_flag & ST_RDONLY);
	zpl_fs_close(ro);
}

static void test_damage(void **state)
{
	struct stor_test *f = *state;
	struct znode_phys zp;
	uint64_t file, bad = 0x0f00000000000000ull | 999999, good;
	struct stat st;

	file = stor_test_mkfile(f, f->root, "f", 0644);
	spa_enter(f->spa);
	assert_int_equal(dmu_bonus_read(f->os, file, &zp, sizeof(zp)), 0);
	zp.mode = S_IFDIR | 0755; /* a directory type on a plain-file object */
	assert_int_equal(dmu_bonus_write(f->os, file, &zp, sizeof(zp)), 0);
	spa_exit(f->spa);
	assert_int_equal(zpl_getattr(f->fs, file, &st, NULL), -EIO);
	assert_int_equal(zpl_lookup(f->fs, f->root, "f", &st, NULL), -EIO);

	spa_enter(f->spa);
	zp.mode = 0170644; /* no such type */
	assert_int_equal(dmu_bonus_write(f->os, file, &zp, sizeof(zp)), 0);
	/* entries naming a missing object, or with a bad type */
	assert_int_equal(zap_add_u64(f->os, f->root, "ghost", (8ull << 60) | 999999), 0);
	assert_int_equal(zap_add_u64(f->os, f->root, "badtype", bad), 0);
	spa_exit(f->spa);
	good = stor_test_mkfile(f, f->root, "good", 0644);
	assert_int_equal(zpl_getattr(f->fs, file, &st, NULL), -EIO);
	assert_int_equal(zpl_lookup(f->fs, f->root, "ghost", &st, NULL), -EIO);
	assert_int_equal(zpl_lookup(f->fs, f->root, "badtype", &st, NULL), -EIO);
	assert_int_equal(zpl_unlink(f->fs, f->root, "ghost"), -EIO);
	/* the rest of the directory still works */
	assert_int_equal(lookup(f, f->root, "good"), good);
}

/* Take snapshot name of the fixture's file system. */
static void snapshot(struct stor_test *f, const char *name)
{
	spa_enter(f->spa);
	assert_int_equal(dsl_dataset_snapshot(dmu_objset_ds(f->os), name, 0, NULL), 0);
	spa_exit(f->spa);
}

/* Whether snapshot name of the fixture's file system could be destroyed now. */
static int snap_destroy_check(struct stor_test *f, const char *name)
{
	_cleanup_free_ char *full = NULL, *head = NULL;
	dsl_dataset_t *ds;
	int r;

	spa_enter(f->spa);
	head = dsl_dataset_name(dmu_objset_ds(f->os));
	full = bs_asprintf("%s@%s", head, name);
	r = dsl_dataset_lookup(f->spa, full, &ds);
	if (r == 0)
		r = dsl_snapshot_destroy_check(ds);
	spa_exit(f->spa);
	bs_error_clear();
	return r;
}

struct names {
	char list[256];
	uint64_t cookie;
};

static int names_cb(void *arg, const char *name, uint64_t obj, unsigned dtype, uint64_t next_cookie)
{
	struct names *n = arg;

	assert_int_equal(dtype, DT_DIR);
	assert_true(obj > 0);
	strcat(n->list, name);
	strcat(n->list, " ");
	n->cookie = next_cookie;
	return 0;
}

static void test_snapdir(void **state)
{
	struct stor_test *f = *state;
	struct zpl_snapdir *sd;
	struct zpl_fs *sfs, *other;
	struct names names = { 0 };
	struct stat st, st2;
	uint64_t file, dsobj, dsobj2, gen;
	unsigned slot, slot2;
	char buf[16] = { 0 };

	file = stor_test_mkfile(f, f->root, "f", 0644);
	assert_int_equal(zpl_write(f->fs, file, 0, 3, "old", 0), 3);
	snapshot(f, "a");
	assert_int_equal(zpl_write(f->fs, file, 0, 3, "new", 0), 3);
	snapshot(f, "b");

	assert_int_equal(zpl_snapdir_open(f->os, &sd), 0);
	assert_false(zpl_snapdir_visible(sd));
	assert_int_equal(zpl_snapdir_readdir(sd, 0, names_cb, &names), 0);
	assert_true(streq(names.list, "a b ") || streq(names.list, "b a "));
	assert_int_equal(zpl_snapdir_lookup(sd, "nope", &slot, &dsobj, &st, &gen), -ENOENT);

	/* a looked-up snapshot is open, long-held and read-only, with its old content */
	assert_int_equal(zpl_snapdir_lookup(sd, "a", &slot, &dsobj, &st, &gen), 0);
	assert_int_equal(slot, 1);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(zpl_snapdir_slot(sd, dsobj), slot);
	assert_int_equal(zpl_snapdir_dsobj(sd, slot), dsobj);
	sfs = zpl_snapdir_fs(sd, slot);
	assert_non_null(sfs);
	assert_true(zpl_fs_readonly(sfs));
	assert_int_equal(st.st_ino, zpl_fs_root(sfs));
	assert_int_equal(zpl_lookup(sfs, zpl_fs_root(sfs), "f", &st2, NULL), 0);
	assert_int_equal(st2.st_ino, file);
	assert_int_equal(zpl_read(sfs, file, 0, 3, buf), 3);
	assert_string_equal(buf, "old");
	assert_int_equal(zpl_write(sfs, file, 0, 1, "x", 0), -EROFS);
	assert_int_equal(zpl_unlink(sfs, zpl_fs_root(sfs), "f"), -EROFS);
	assert_int_equal(snap_destroy_check(f, "a"), -EBUSY);
	assert_int_equal(snap_destroy_check(f, "b"), 0);
	assert_true(zpl_snapdir_any_open(sd, "a"));
	assert_false(zpl_snapdir_any_open(sd, "b"));

	/* a second snapshot takes the next slot; a second lookup the same one */
	assert_int_equal(zpl_snapdir_lookup(sd, "b", &slot2, &dsobj2, &st, &gen), 0);
	assert_int_equal(slot2, 2);
	assert_true(dsobj2 != dsobj);
	other = zpl_snapdir_fs(sd, slot2);
	assert_int_equal(zpl_read(other, file, 0, 3, buf), 3);
	assert_string_equal(buf, "new");
	zpl_forget(other, zpl_fs_root(other), 1);
	zpl_snapdir_put(sd, slot2);
	assert_null(zpl_snapdir_fs(sd, slot2));
	assert_int_equal(zpl_snapdir_lookup(sd, "a", &slot2, &dsobj2, &st, &gen), 0);
	assert_int_equal(slot2, slot);
	zpl_forget(sfs, zpl_fs_root(sfs), 1);
	zpl_snapdir_put(sd, slot);

	/* it stays open while any object is referenced (f looked up above, then opened), and
	 * closes with the last reference */
	assert_true(zpl_fs_referenced(sfs));
	zpl_forget(sfs, zpl_fs_root(sfs), 1);
	zpl_snapdir_put(sd, slot);
	assert_non_null(zpl_snapdir_fs(sd, slot));
	assert_int_equal(zpl_open(sfs, file, false), 0);
	zpl_forget(sfs, file, 1);
	zpl_snapdir_put(sd, slot);
	assert_non_null(zpl_snapdir_fs(sd, slot));
	zpl_release(sfs, file);
	zpl_snapdir_put(sd, slot);
	assert_null(zpl_snapdir_fs(sd, slot));
	assert_int_equal(snap_destroy_check(f, "a"), 0);

	/* close drops the holds of what is still open */
	assert_int_equal(zpl_snapdir_lookup(sd, "b", &slot, &dsobj, &st, &gen), 0);
	assert_int_equal(snap_destroy_check(f, "b"), -EBUSY);
	zpl_snapdir_close(sd);
	assert_int_equal(snap_destroy_check(f, "b"), 0);

	/* the property, and no .zfs for a snapshot's own object set */
	spa_enter(f->spa);
	assert_int_equal(dsl_prop_set(dmu_objset_ds(f->os), "snapdir", "visible"), 0);
	spa_exit(f->spa);
	assert_int_equal(zpl_snapdir_open(f->os, &sd), 0);
	assert_true(zpl_snapdir_visible(sd));
	zpl_snapdir_close(sd);
	{
		objset_t *sos;
		dsl_dataset_t *ds;
		_cleanup_free_ char *full = NULL, *head = NULL;

		spa_enter(f->spa);
		head = dsl_dataset_name(dmu_objset_ds(f->os));
		full = bs_asprintf("%s@a", head);
		assert_int_equal(dsl_dataset_lookup(f->spa, full, &ds), 0);
		assert_int_equal(dsl_dataset_objset(ds, &sos), 0);
		spa_exit(f->spa);
		assert_int_equal(zpl_snapdir_open(sos, &sd), -EINVAL);
	}
}

/* The xattr ZAP a file's znode names (0 if none). */
static uint64_t xattr_obj(struct stor_test *f, uint64_t file)
{
	struct znode_phys zp;

	spa_enter(f->spa);
	assert_int_equal(dmu_bonus_read(f->os, file, &zp, sizeof(zp)), 0);
	spa_exit(f->spa);
	return zp.xattr;
}

/* set, get, list and remove; the flags; empty values; the sizes asked for and too small a
 * buffer; the namespaces; ctime. */
static void test_xattr(void **state)
{
	struct stor_test *f = *state;
	char buf[512], name[300];
	struct stat st0, st1;
	uint64_t file;
	int n;

	file = stor_test_mkfile(f, f->root, "x", 0644);
	assert_int_equal(xattr_obj(f, file), 0);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", buf, sizeof(buf), &root_cred),
			 -ENODATA);
	assert_int_equal(zpl_listxattr(f->fs, file, buf, sizeof(buf), &root_cred), 0);
	assert_int_equal(zpl_removexattr(f->fs, file, "user.a", &root_cred), -ENODATA);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.a", "1", 1, XATTR_REPLACE, &root_cred),
			 -ENODATA);
	assert_int_equal(xattr_obj(f, file), 0);

	st0 = getattr(f, file);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.a", "one", 3, XATTR_CREATE, &root_cred),
			 0);
	st1 = getattr(f, file);
	assert_true(st1.st_ctim.tv_sec > st0.st_ctim.tv_sec ||
		    (st1.st_ctim.tv_sec == st0.st_ctim.tv_sec &&
		     st1.st_ctim.tv_nsec > st0.st_ctim.tv_nsec));
	assert_int_equal(st1.st_mtim.tv_nsec, st0.st_mtim.tv_nsec);
	assert_int_not_equal(xattr_obj(f, file), 0);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.a", "two", 3, XATTR_CREATE, &root_cred),
			 -EEXIST);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.a", "three", 5, XATTR_REPLACE, &root_cred),
			 0);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", NULL, 0, &root_cred), 5);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", buf, 4, &root_cred), -ERANGE);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", buf, 5, &root_cred), 5);
	assert_memory_equal(buf, "three", 5);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.empty", "", 0, 0, &root_cred), 0);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.empty", buf, sizeof(buf), &root_cred), 0);
	assert_int_equal(zpl_setxattr(f->fs, file, "trusted.t", "T", 1, 0, &root_cred), 0);
	assert_int_equal(zpl_setxattr(f->fs, file, "security.s", "S", 1, 0, &root_cred), 0);

	/* the list: every name once, NUL-terminated; trusted.* only for root */
	n = zpl_listxattr(f->fs, file, NULL, 0, &root_cred);
	assert_int_equal(n, (int)sizeof("user.a"
					"user.empty"
					"trusted.t"
					"security.s") +
				    3);
	assert_int_equal(zpl_listxattr(f->fs, file, buf, (size_t)n - 1, &root_cred), -ERANGE);
	assert_int_equal(zpl_listxattr(f->fs, file, buf, sizeof(buf), &root_cred), n);
	assert_true(memmem(buf, (size_t)n, "user.a\0", 7));
	assert_true(memmem(buf, (size_t)n, "user.empty\0", 11));
	assert_true(memmem(buf, (size_t)n, "trusted.t\0", 10));
	assert_true(memmem(buf, (size_t)n, "security.s\0", 11));
	n = zpl_listxattr(f->fs, file, buf, sizeof(buf), &user_cred);
	assert_int_equal(n, (int)sizeof("user.a"
					"user.empty"
					"security.s") +
				    2);
	assert_null(memmem(buf, (size_t)n, "trusted", 7));
	assert_int_equal(zpl_getxattr(f->fs, file, "trusted.t", buf, sizeof(buf), &user_cred),
			 -ENODATA);
	assert_int_equal(zpl_setxattr(f->fs, file, "trusted.u", "U", 1, 0, &user_cred), -EPERM);
	assert_int_equal(zpl_removexattr(f->fs, file, "trusted.t", &user_cred), -EPERM);

	/* namespaces and name lengths */
	assert_int_equal(zpl_setxattr(f->fs, file, "system.x", "1", 1, 0, &root_cred), -EOPNOTSUPP);
	assert_int_equal(zpl_setxattr(f->fs, file, "foo", "1", 1, 0, &root_cred), -EOPNOTSUPP);
	assert_int_equal(zpl_getxattr(f->fs, file, "os2.x", buf, sizeof(buf), &root_cred),
			 -EOPNOTSUPP);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.", "1", 1, 0, &root_cred), -EINVAL);
	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	name[255] = '\0';
	assert_int_equal(zpl_setxattr(f->fs, file, name, "long", 4, 0, &root_cred), 0);
	assert_int_equal(zpl_getxattr(f->fs, file, name, buf, sizeof(buf), &root_cred), 4);
	assert_int_equal(zpl_removexattr(f->fs, file, name, &root_cred), 0);
	name[255] = 'n';
	name[256] = '\0';
	assert_int_equal(zpl_setxattr(f->fs, file, name, "long", 4, 0, &root_cred), -ERANGE);
	assert_int_equal(zpl_getxattr(f->fs, file, name, buf, sizeof(buf), &root_cred), -ERANGE);

	/* remove */
	st0 = getattr(f, file);
	assert_int_equal(zpl_removexattr(f->fs, file, "user.a", &root_cred), 0);
	st1 = getattr(f, file);
	assert_true(st1.st_ctim.tv_sec > st0.st_ctim.tv_sec ||
		    (st1.st_ctim.tv_sec == st0.st_ctim.tv_sec &&
		     st1.st_ctim.tv_nsec > st0.st_ctim.tv_nsec));
	assert_int_equal(zpl_removexattr(f->fs, file, "user.a", &root_cred), -ENODATA);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", buf, sizeof(buf), &root_cred),
			 -ENODATA);

	/* directories and symlinks have them too */
	uint64_t dir = stor_test_mkdir(f, f->root, "d");
	assert_int_equal(zpl_setxattr(f->fs, dir, "user.d", "dir", 3, 0, &root_cred), 0);
	assert_int_equal(zpl_getxattr(f->fs, dir, "user.d", buf, sizeof(buf), &root_cred), 3);
}

/* Values around the inline limit and up to 64 KiB: stored, replaced both ways, kept across a
 * reopening of the file system, read-only in a read-only one, and freed with the file. */
static void test_xattr_large(void **state)
{
	struct stor_test *f = *state;
	static const size_t sizes[] = { 1023, 1024, 1025, 4096, 65535, 65536 };
	_cleanup_free_ char *val = bs_malloc(ZPL_XATTR_SIZE_MAX + 1);
	_cleanup_free_ char *buf = bs_malloc(ZPL_XATTR_SIZE_MAX + 1);
	uint8_t raw[ZAP_MAXVALUELEN];
	uint64_t file, xobj, vobj;
	struct dmu_object_info info;
	struct zpl_fs *ro;
	size_t len;

	for (size_t i = 0; i <= ZPL_XATTR_SIZE_MAX; i++)
		val[i] = (char)(i * 7 + i / 251);
	file = stor_test_mkfile(f, f->root, "big", 0644);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		char name[32];

		snprintf(name, sizeof(name), "user.v%zu", sizes[i]);
		assert_int_equal(zpl_setxattr(f->fs, file, name, val, sizes[i], 0, &root_cred), 0);
		assert_int_equal(zpl_getxattr(f->fs, file, name, NULL, 0, &root_cred),
				 (int)sizes[i]);
		assert_int_equal(zpl_getxattr(f->fs, file, name, buf, sizes[i] - 1, &root_cred),
				 -ERANGE);
	}
	assert_int_equal(zpl_setxattr(f->fs, file, "user.toobig", val, ZPL_XATTR_SIZE_MAX + 1, 0,
				      &root_cred),
			 -E2BIG);
	/* long -> short -> long again, in place */
	assert_int_equal(zpl_setxattr(f->fs, file, "user.flip", val, 5000, 0, &root_cred), 0);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.flip", val + 1, 10, 0, &root_cred), 0);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.flip", buf, 100, &root_cred), 10);
	assert_memory_equal(buf, val + 1, 10);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.flip", val + 2, 3000, 0, &root_cred), 0);

	/* kept across a reopening */
	assert_int_equal(zpl_fsync(f->fs), 0);
	zpl_fs_close(f->fs);
	assert_int_equal(zpl_fs_open(f->os, false, &f->fs), 0);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		char name[32];

		snprintf(name, sizeof(name), "user.v%zu", sizes[i]);
		memset(buf, 0, ZPL_XATTR_SIZE_MAX);
		assert_int_equal(zpl_getxattr(f->fs, file, name, buf, ZPL_XATTR_SIZE_MAX,
					      &root_cred),
				 (int)sizes[i]);
		assert_memory_equal(buf, val, sizes[i]);
	}
	assert_int_equal(
		zpl_getxattr(f->fs, file, "user.flip", buf, ZPL_XATTR_SIZE_MAX, &root_cred), 3000);
	assert_memory_equal(buf, val + 2, 3000);

	/* a read-only file system reads them and refuses changes */
	assert_int_equal(zpl_fs_open(f->os, true, &ro), 0);
	assert_int_equal(zpl_getxattr(ro, file, "user.v65536", buf, ZPL_XATTR_SIZE_MAX, &root_cred),
			 65536);
	assert_int_equal(zpl_listxattr(ro, file, NULL, 0, &root_cred),
			 (int)(6 * sizeof("user.v1023") + 2 + sizeof("user.flip")));
	assert_int_equal(zpl_setxattr(ro, file, "user.n", "1", 1, 0, &root_cred), -EROFS);
	assert_int_equal(zpl_removexattr(ro, file, "user.v1023", &root_cred), -EROFS);
	zpl_fs_close(ro);

	/* a removed long value's object is freed */
	xobj = xattr_obj(f, file);
	spa_enter(f->spa);
	assert_int_equal(zap_lookup(f->os, xobj, "user.v4096", raw, sizeof(raw), &len), 0);
	spa_exit(f->spa);
	assert_int_equal(len, 17);
	memcpy(&vobj, raw + 1, sizeof(vobj));
	assert_true(exists(f, vobj));
	assert_int_equal(zpl_removexattr(f->fs, file, "user.v4096", &root_cred), 0);
	assert_false(exists(f, vobj));

	/* and the file takes its attributes with it */
	spa_enter(f->spa);
	assert_int_equal(zap_lookup(f->os, xobj, "user.v65536", raw, sizeof(raw), &len), 0);
	assert_int_equal(dmu_object_info(f->os, xobj, &info), 0);
	assert_int_equal(info.type, DMU_OT_XATTR_DIR);
	spa_exit(f->spa);
	memcpy(&vobj, raw + 1, sizeof(vobj));
	assert_true(exists(f, vobj));
	assert_int_equal(zpl_unlink(f->fs, f->root, "big"), 0);
	assert_false(exists(f, file));
	assert_false(exists(f, xobj));
	assert_false(exists(f, vobj));

	/* also when the file waited in the unlinked set */
	file = stor_test_mkfile(f, f->root, "open", 0644);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.big", val, 20000, 0, &root_cred), 0);
	xobj = xattr_obj(f, file);
	assert_int_equal(zpl_open(f->fs, file, false), 0);
	assert_int_equal(zpl_unlink(f->fs, f->root, "open"), 0);
	assert_true(exists(f, xobj));
	assert_int_equal(zpl_getxattr(f->fs, file, "user.big", NULL, 0, &root_cred), 20000);
	zpl_release(f->fs, file);
	assert_false(exists(f, file));
	assert_false(exists(f, xobj));
}

/* xattr=off turns every call off; the property is read at each call. */
static void test_xattr_prop(void **state)
{
	struct stor_test *f = *state;
	char buf[16];
	uint64_t file;

	file = stor_test_mkfile(f, f->root, "p", 0644);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.a", "1", 1, 0, &root_cred), 0);
	spa_enter(f->spa);
	assert_int_equal(dsl_prop_set(dmu_objset_ds(f->os), "xattr", "off"), 0);
	spa_exit(f->spa);
	assert_int_equal(zpl_setxattr(f->fs, file, "user.b", "1", 1, 0, &root_cred), -EOPNOTSUPP);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", buf, sizeof(buf), &root_cred),
			 -EOPNOTSUPP);
	assert_int_equal(zpl_listxattr(f->fs, file, buf, sizeof(buf), &root_cred), -EOPNOTSUPP);
	assert_int_equal(zpl_removexattr(f->fs, file, "user.a", &root_cred), -EOPNOTSUPP);
	spa_enter(f->spa);
	assert_int_equal(dsl_prop_set(dmu_objset_ds(f->os), "xattr", "on"), 0);
	spa_exit(f->spa);
	assert_int_equal(zpl_getxattr(f->fs, file, "user.a", buf, sizeof(buf), &root_cred), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_lookup, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_read_write, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_setattr, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_truncate_times, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_times_range, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_dir_atime, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_long_names, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_link_unlink, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_unlinked_set, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_readdir, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_obj_path, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_statfs_readonly, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_damage, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_snapdir, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_xattr, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_xattr_large, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_xattr_prop, setup, stor_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
