// SPDX-License-Identifier: MIT
/*
 * image.c - the kernel and initrd files, mapped read-only and populated at once rather than
 * read into a buffer: a stock vmlinux is 60 MiB, and reading it meant copying it twice (into
 * the buffer, then into guest memory) and faulting in the buffer page by page, which cost the
 * slow nested test host about a second before the guest's first instruction.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "vmm_impl.h"

int vmm_image_map(const char *path, struct vmm_image *ret)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	void *p;

	*ret = (struct vmm_image){ NULL, 0 };
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size == 0)
		return 0; /* nothing to map; the loaders refuse an empty kernel */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*ret = (struct vmm_image){ p, (size_t)st.st_size };
	return 0;
}

void vmm_image_unmap(struct vmm_image *img)
{
	if (img->data)
		munmap((void *)img->data, img->len);
	*img = (struct vmm_image){ NULL, 0 };
}
