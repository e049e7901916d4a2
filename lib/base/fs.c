// SPDX-License-Identifier: MIT
/*
 * fs.c - whole-buffer I/O and path helpers. read(2) and write(2) may return early on signals
 * and short counts; the storage engine and the manifests need "all of it or an error", and
 * state files must never be seen half-written, hence the atomic replace.
 */
#include <basalt/base.h>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

/* The loop behind the four *_full calls: all n bytes or an error, retrying on EINTR and short
 * counts; off < 0 reads or writes at the file offset, else at off (pread/pwrite). */
static int io_full(int fd, char *p, size_t n, int64_t off, bool writing)
{
	while (n > 0) {
		ssize_t k;

		if (off < 0)
			k = writing ? write(fd, p, n) : read(fd, p, n);
		else
			k = writing ? pwrite(fd, p, n, (off_t)off) : pread(fd, p, n, (off_t)off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		p += k;
		n -= k;
		if (off >= 0)
			off += k;
	}
	return 0;
}

int bs_read_full(int fd, void *buf, size_t n)
{
	return io_full(fd, buf, n, -1, false);
}

int bs_write_full(int fd, const void *buf, size_t n)
{
	return io_full(fd, (char *)buf, n, -1, true);
}

int bs_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	if (off > INT64_MAX || n > INT64_MAX - off)
		return -EINVAL;
	return io_full(fd, buf, n, (int64_t)off, false);
}

int bs_pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
	if (off > INT64_MAX || n > INT64_MAX - off)
		return -EINVAL;
	return io_full(fd, (char *)buf, n, (int64_t)off, true);
}

int bs_read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t cap, len = 0;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;

	/* st_size is a hint only: files under /proc and /sys report 0 */
	cap = (st.st_size > 0 ? (size_t)st.st_size : 4096) + 1;
	buf = bs_malloc(cap);
	for (;;) {
		ssize_t k;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = bs_realloc(buf, cap);
		}
		k = read(fd, buf + len, cap - len - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		len += k;
	}
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

static int fsync_parent(const char *path)
{
	_cleanup_free_ char *dir = bs_strdup(path);
	_cleanup_close_ int fd = -1;
	char *slash = strrchr(dir, '/');

	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

static int write_and_rename(const char *path, const void *buf, size_t len, int mode, bool durable)
{
	_cleanup_free_ char *tmp = bs_asprintf("%s.tmp.XXXXXX", path);
	_cleanup_close_ int fd = -1;
	int r;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;

	if (fchmod(fd, mode) < 0) {
		r = -errno;
		goto fail;
	}
	r = bs_write_full(fd, buf, len);
	if (r < 0)
		goto fail;
	if (durable && fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
	return durable ? fsync_parent(path) : 0;

fail:
	unlink(tmp);
	return r;
}

int bs_write_file_atomic(const char *path, const void *buf, size_t len, int mode)
{
	return write_and_rename(path, buf, len, mode, true);
}

int bs_replace_file(const char *path, const void *buf, size_t len, int mode)
{
	return write_and_rename(path, buf, len, mode, false);
}

int bs_mkdir_p(const char *path, int mode)
{
	_cleanup_free_ char *p = NULL;
	struct stat st;

	if (!*path)
		return -EINVAL;
	p = bs_strdup(path);

	/* create each prefix that ends before a '/', then the whole path */
	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			break;
	}
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

char *bs_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (*b == '/')
		b++;
	while (la > 1 && a[la - 1] == '/')
		la--;
	if (!*b)
		return bs_asprintf("%.*s", (int)la, a);
	if (la == 0)
		return bs_strdup(b);
	if (la == 1 && a[0] == '/')
		return bs_asprintf("/%s", b);
	return bs_asprintf("%.*s/%s", (int)la, a, b);
}
