// SPDX-License-Identifier: MIT
/*
 * no_dlopen.c - linked into the static `basalt` binary only. libfuse can load file-system
 * modules with dlopen(); Basalt never asks it to, and a static binary cannot load shared objects
 * reliably anyway. The link wraps dlopen (-Wl,--wrap=dlopen) to this refusal, so that glibc's
 * static dlopen, and the link-time warning that comes with it, stay out of the binary.
 */
#include <stddef.h>

void *__wrap_dlopen(const char *file, int mode);

void *__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}
