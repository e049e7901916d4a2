// SPDX-License-Identifier: MIT
/*
 * copy.c - a file copied into a VM's directories (the static basalt binary for the mdata tools
 * and the VMM, a kvm VM's kernel): written to a temporary name and renamed, and skipped when the
 * copy there is as big and as new as the source.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "mgmt_impl.h"

int mgmt_copy_file(const char *src, const char *dst, int mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int in = -1, out = -1;
	struct stat a, b;
	char buf[1 << 16];
	ssize_t n;
	int r;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &a) < 0)
		return bs_error(errno, "cannot read %s: %s", src, strerror(errno));
	if (stat(dst, &b) == 0 && b.st_size == a.st_size && b.st_mtime >= a.st_mtime)
		return 0;
	tmp = bs_asprintf("%s.tmp", dst);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0)
		return bs_error(errno, "cannot create %s: %s", tmp, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		r = bs_write_full(out, buf, (size_t)n);
		if (r < 0)
			return bs_error(-r, "cannot write %s: %s", tmp, strerror(-r));
	}
	if (n < 0 || rename(tmp, dst) < 0) {
		r = -errno;
		unlink(tmp);
		return bs_error(-r, "cannot copy %s to %s: %s", src, dst, strerror(-r));
	}
	return 0;
}
