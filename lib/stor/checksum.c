/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - block checksums: fletcher4 (four 64-bit running sums over 32-bit words, fast and
 * the default, as in ZFS) and SHA-256 (through OpenSSL, for those who want a cryptographic hash).
 * Both fill the 32-byte checksum field of a block pointer. The SHA-256 helpers serve the send
 * streams too. They use OpenSSL's SHA-256 functions directly (deprecated in OpenSSL 3 in favour
 * of EVP, but the same code): EVP would pull OpenSSL's provider and configuration machinery
 * into the statically linked binary, and fetch the digest on every call.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <string.h>

#include "sha256.h"
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

_Static_assert(sizeof(struct sha256_ctx) >= sizeof(SHA256_CTX), "sha256_ctx too small");

void sha256_init(struct sha256_ctx *ctx)
{
	VERIFY(SHA256_Init((SHA256_CTX *)ctx) == 1);
}

void sha256_update(struct sha256_ctx *ctx, const void *buf, size_t n)
{
	VERIFY(SHA256_Update((SHA256_CTX *)ctx, buf, n) == 1);
}

void sha256_final(struct sha256_ctx *ctx, uint8_t out[32])
{
	VERIFY(SHA256_Final(out, (SHA256_CTX *)ctx) == 1);
}

void sha256(const void *buf, size_t n, uint8_t out[32])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, buf, n);
	sha256_final(&ctx, out);
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
