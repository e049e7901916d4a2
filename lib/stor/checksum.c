/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - block checksums: fletcher4 (four 64-bit running sums over 32-bit words, fast and
 * the default, as in ZFS) and SHA-256 (through OpenSSL, for those who want a cryptographic hash).
 * Both fill the 32-byte checksum field of a block pointer, and both serve the send streams too
 * (stream_cksum.c), fletcher4 in parts as well. The SHA-256 helpers use OpenSSL's SHA-256 functions
 * directly (deprecated in OpenSSL 3 in favour of EVP, but the same code): EVP would pull OpenSSL's
 * provider and configuration machinery into the statically linked binary, and fetch the digest on
 * every call.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <endian.h>
#include <string.h>

#include "fletcher4.h"
#include "sha256.h"
#include "spa_impl.h"

static inline void fletcher4_word(struct fletcher4_ctx *ctx, uint32_t w)
{
	ctx->a += w;
	ctx->b += ctx->a;
	ctx->c += ctx->b;
	ctx->d += ctx->c;
}

void fletcher4_init(struct fletcher4_ctx *ctx)
{
	*ctx = (struct fletcher4_ctx){ 0 };
}

void fletcher4_update(struct fletcher4_ctx *ctx, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	uint64_t a, b, c, d;
	size_t i;
	uint32_t w;

	while (ctx->ntail && n) {
		ctx->tail[ctx->ntail++] = *p++;
		n--;
		if (ctx->ntail == 4) {
			memcpy(&w, ctx->tail, 4);
			fletcher4_word(ctx, le32toh(w));
			ctx->ntail = 0;
		}
	}
	if (ctx->ntail)
		return; /* all of buf went into the incomplete word */
	/* the sums in registers for the loop, which is the whole cost */
	a = ctx->a;
	b = ctx->b;
	c = ctx->c;
	d = ctx->d;
	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(&w, p + i, 4);
		a += le32toh(w);
		b += a;
		c += b;
		d += c;
	}
	ctx->a = a;
	ctx->b = b;
	ctx->c = c;
	ctx->d = d;
	memcpy(ctx->tail, p + i, n - i);
	ctx->ntail = (unsigned)(n - i);
}

void fletcher4_final(struct fletcher4_ctx *ctx, uint8_t out[32])
{
	uint64_t v[4];
	int i;

	if (ctx->ntail) {
		uint32_t w = 0;

		memcpy(&w, ctx->tail, ctx->ntail);
		fletcher4_word(ctx, le32toh(w));
		ctx->ntail = 0;
	}
	v[0] = htole64(ctx->a);
	v[1] = htole64(ctx->b);
	v[2] = htole64(ctx->c);
	v[3] = htole64(ctx->d);
	for (i = 0; i < 4; i++)
		memcpy(out + 8 * i, &v[i], 8);
}

void fletcher4(const void *buf, size_t n, uint8_t out[32])
{
	struct fletcher4_ctx ctx;

	fletcher4_init(&ctx);
	fletcher4_update(&ctx, buf, n);
	fletcher4_final(&ctx, out);
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
