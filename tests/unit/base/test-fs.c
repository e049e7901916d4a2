// SPDX-License-Identifier: MIT
/*
 * test-fs.c - unit tests of lib/base/fs.c and root.c: whole-buffer I/O, whole-file reads, the
 * atomic replace, directory creation, path joining and the state directory.
 */
#include <basalt/base.h>

#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static char *tmpdir;

static int setup(void **state)
{
	char tmpl[] = "/tmp/basalt-test-fs.XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	tmpdir = bs_strdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = bs_asprintf("rm -rf '%s'", tmpdir);
	int r = system(cmd);

	free(tmpdir);
	return r == 0 ? 0 : -1;
}

static char *tmp_path(const char *rel)
{
	return bs_path_join(tmpdir, rel);
}

static void test_read_write_full(void **state)
{
	char buf[16] = { 0 };
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(bs_write_full(p[1], "hello", 5), 0);
	assert_int_equal(bs_read_full(p[0], buf, 5), 0);
	assert_string_equal(buf, "hello");
	/* EOF before the count: a short read is an error */
	assert_int_equal(bs_write_full(p[1], "ab", 2), 0);
	close(p[1]);
	assert_int_equal(bs_read_full(p[0], buf, 5), -EIO);
	close(p[0]);
	assert_int_equal(bs_read_full(-1, buf, 1), -EBADF);
}

static void test_pread_pwrite_full(void **state)
{
	_cleanup_free_ char *path = tmp_path("pio");
	_cleanup_close_ int fd = -1;
	char buf[8] = { 0 };

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(bs_pwrite_full(fd, "4096", 4, 4096), 0);
	assert_int_equal(bs_pread_full(fd, buf, 4, 4096), 0);
	assert_string_equal(buf, "4096");
	/* a hole reads as zeros; past EOF is an error, not zero-filled */
	assert_int_equal(bs_pread_full(fd, buf, 4, 0), 0);
	assert_int_equal(buf[0], 0);
	assert_int_equal(bs_pread_full(fd, buf, 8, 4096), -EIO);
	assert_int_equal(bs_pread_full(fd, buf, 1, UINT64_MAX), -EINVAL);
}

static void test_read_file(void **state)
{
	_cleanup_free_ char *path = tmp_path("file");
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *big = NULL;
	_cleanup_free_ char *proc = NULL;
	size_t len = 0;
	char *untouched = (char *)"x";

	assert_int_equal(bs_write_file_atomic(path, "abc", 3, 0644), 0);
	assert_int_equal(bs_read_file(path, &buf, &len), 0);
	assert_int_equal(len, 3);
	assert_string_equal(buf, "abc");

	/* files that report size 0 are read to their end all the same */
	assert_int_equal(bs_read_file("/proc/self/status", &proc, &len), 0);
	assert_int_equal(strlen(proc), len);
	assert_non_null(strstr(proc, "Name:"));

	big = bs_malloc(100000);
	memset(big, 'z', 100000);
	assert_int_equal(bs_write_file_atomic(path, big, 100000, 0644), 0);
	free(buf);
	buf = NULL;
	assert_int_equal(bs_read_file(path, &buf, &len), 0);
	assert_int_equal(len, 100000);
	assert_memory_equal(buf, big, 100000);

	assert_int_equal(bs_read_file(tmpdir, &untouched, NULL), -EISDIR);
	assert_int_equal(bs_read_file("/nonexistent/x", &untouched, NULL), -ENOENT);
	assert_string_equal(untouched, "x");
}

static void test_write_file_atomic(void **state)
{
	_cleanup_free_ char *path = tmp_path("state.json");
	_cleanup_free_ char *buf = NULL;
	struct dirent *de;
	struct stat st;
	DIR *d;

	assert_int_equal(bs_write_file_atomic(path, "old", 3, 0600), 0);
	assert_int_equal(bs_write_file_atomic(path, "new!", 4, 0640), 0);
	assert_int_equal(bs_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, "new!");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	/* no temporary file is left behind */
	d = opendir(tmpdir);
	assert_non_null(d);
	while ((de = readdir(d)))
		assert_null(strstr(de->d_name, ".tmp."));
	closedir(d);

	assert_int_equal(bs_write_file_atomic("/nonexistent/dir/f", "x", 1, 0644), -ENOENT);
}

static void test_replace_file(void **state)
{
	_cleanup_free_ char *path = tmp_path("run.state");
	_cleanup_free_ char *buf = NULL;
	struct stat st;

	assert_int_equal(bs_replace_file(path, "first", 5, 0600), 0);
	assert_int_equal(bs_replace_file(path, "2nd", 3, 0644), 0);
	assert_int_equal(bs_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, "2nd");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(bs_replace_file("/nonexistent/dir/f", "x", 1, 0644), -ENOENT);
}

static void test_mkdir_p(void **state)
{
	_cleanup_free_ char *deep = tmp_path("a/b//c/");
	_cleanup_free_ char *file = tmp_path("plain");
	_cleanup_free_ char *under = tmp_path("plain/sub");
	struct stat st;

	assert_int_equal(bs_mkdir_p(deep, 0755), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(bs_mkdir_p(deep, 0755), 0); /* exists: fine */
	assert_int_equal(bs_mkdir_p("/", 0755), 0);

	assert_int_equal(bs_write_file_atomic(file, "", 0, 0644), 0);
	assert_int_equal(bs_mkdir_p(file, 0755), -ENOTDIR);
	assert_int_equal(bs_mkdir_p(under, 0755), -ENOTDIR);
	assert_int_equal(bs_mkdir_p("", 0755), -EINVAL);
}

static void check_join(const char *a, const char *b, const char *want)
{
	_cleanup_free_ char *p = bs_path_join(a, b);

	assert_string_equal(p, want);
}

static void test_path_join(void **state)
{
	check_join("/var/lib/basalt", "zones.pool", "/var/lib/basalt/zones.pool");
	check_join("/var/lib/basalt/", "/zones.pool", "/var/lib/basalt/zones.pool");
	check_join("/", "x", "/x");
	check_join("", "x", "x");
	check_join("a", "", "a");
	check_join("a//", "", "a");
	check_join("/", "", "/");
	check_join("a", "b/c", "a/b/c");
}

static void test_root_dir(void **state)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_free_ char *q = NULL;

	unsetenv("BASALT_ROOT");
	assert_string_equal(bs_root_dir(), "/var/lib/basalt");
	setenv("BASALT_ROOT", "", 1);
	assert_string_equal(bs_root_dir(), "/var/lib/basalt");
	setenv("BASALT_ROOT", "/tmp/r/", 1);
	assert_string_equal(bs_root_dir(), "/tmp/r/");
	p = bs_root_path("zones.pool");
	assert_string_equal(p, "/tmp/r/zones.pool");
	unsetenv("BASALT_ROOT");
	q = bs_root_path("zones.pool");
	assert_string_equal(q, "/var/lib/basalt/zones.pool");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write_full), cmocka_unit_test(test_pread_pwrite_full),
		cmocka_unit_test(test_read_file),	cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_replace_file),	cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_path_join),	cmocka_unit_test(test_root_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
