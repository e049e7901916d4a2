// SPDX-License-Identifier: MIT
/*
 * cleanup.c - the release functions behind _cleanup_free_, _cleanup_close_ and _cleanup_fclose_.
 * They run on scope exit, often on an error path, so they must never clobber errno.
 */
#include <basalt/base.h>

void bs_freep(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}

void bs_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	errno = saved;
}

void bs_fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		fclose(*f);
	*f = NULL;
	errno = saved;
}
