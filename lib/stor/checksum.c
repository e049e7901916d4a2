/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - block checksums: fletcher4 (four 64-bit running sums over 32-bit words, fast and
 * the default, as in ZFS) and SHA-256 (through OpenSSL, for those who want a cryptographic hash).
 * Both fill the 32-byte checksum field of a block pointer.
 */
#include <openssl/evp.h>
#include <string.h>

#include "spa_impl.h"

static void fletcher4(const void *buf, size_t n, uint8_t out[32])
{
	const uint8_t *p = buf;
	uint64_t a = 0, b = 0, c = 0, d = 0;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		a += w;
		b += a;
		c += b;
		d += c;
	}
	if (i < n) {
		uint32_t w = 0;

		memcpy(&w, p + i, n - i);
		a += w;
		b += a;
		c += b;
		d += c;
	}
	memcpy(out, &a, 8);
	memcpy(out + 8, &b, 8);
	memcpy(out + 16, &c, 8);
	memcpy(out + 24, &d, 8);
}

static void sha256(const void *buf, size_t n, uint8_t out[32])
{
	unsigned len = 32;

	VERIFY(EVP_Digest(buf, n, out, &len, EVP_sha256(), NULL) == 1);
}

void zio_checksum_compute(enum zio_checksum c, const void *buf, size_t n, uint8_t out[32])
{
	switch (c) {
	case ZIO_CKSUM_SHA256:
		sha256(buf, n, out);
		break;
	case ZIO_CKSUM_OFF:
		memset(out, 0, 32);
		break;
	default:
		fletcher4(buf, n, out);
		break;
	}
}
