// SPDX-License-Identifier: MIT
/*
 * mem.c - allocation wrappers that abort on out-of-memory. A daemon that cannot allocate a few
 * bytes cannot do useful work, and unwinding every small allocation would hide the real errors.
 */
#include <basalt/base.h>

_noreturn_ static void oom(void)
{
	log_err("out of memory");
	abort();
}

void *bs_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *bs_zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *bs_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

void *bs_malloc_aligned(size_t align, size_t n)
{
	void *p;

	if (posix_memalign(&p, align, n ? n : 1) != 0)
		oom();
	return p;
}

char *bs_strdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *bs_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}
