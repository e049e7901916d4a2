/* SPDX-License-Identifier: MIT */
/*
 * compress.c - per-block compression: lz4 (the default: cheap enough to leave on everywhere) and
 * zstd. A block is stored compressed only when that saves at least an eighth of it, as ZFS does,
 * so incompressible data costs one failed attempt and nothing on read.
 */
#include <lz4.h>
#include <zstd.h>

#include "spa_impl.h"

bool zio_is_zero(const void *buf, size_t n)
{
	const uint64_t *p = buf;
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (p[i])
			return false;
	for (i = n & ~(size_t)7; i < n; i++)
		if (((const uint8_t *)buf)[i])
			return false;
	return true;
}

size_t zio_compress(enum zio_compress c, const void *src, void *dst, size_t n)
{
	size_t limit = n - n / 8;
	size_t r;

	switch (c) {
	case ZIO_COMPRESS_LZ4: {
		int k = LZ4_compress_default(src, dst, (int)n, (int)limit);

		return k > 0 ? (size_t)k : 0;
	}
	case ZIO_COMPRESS_ZSTD:
		r = ZSTD_compress(dst, limit, src, n, 3);
		return ZSTD_isError(r) ? 0 : r;
	default:
		return 0;
	}
}

int zio_decompress(enum zio_compress c, const void *src, size_t psize, void *dst, size_t lsize)
{
	size_t r;

	switch (c) {
	case ZIO_COMPRESS_LZ4: {
		int k = LZ4_decompress_safe(src, dst, (int)psize, (int)lsize);

		return k == (int)lsize ? 0 : -EIO;
	}
	case ZIO_COMPRESS_ZSTD:
		r = ZSTD_decompress(dst, lsize, src, psize);
		return (!ZSTD_isError(r) && r == lsize) ? 0 : -EIO;
	case ZIO_COMPRESS_OFF:
		if (psize != lsize)
			return -EIO;
		memcpy(dst, src, lsize);
		return 0;
	default:
		return -EIO;
	}
}
