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
#include <stdbool.h>
#include <string.h>
#ifdef __x86_64__
#include <immintrin.h>
#endif

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

#ifdef __x86_64__
/*
 * Fletcher-4 in four lanes of AVX2: lane j sums the words j, j + 4, j + 8... of n bytes (a
 * multiple of 16) as fletcher-4 does, and the lanes combine into the sums of the whole, which
 * then extend the running ones. For N = 4m words, word i = 4k + j has weight 1, N - i = 4t - j,
 * C(N - i + 1, 2) and C(N - i + 2, 3) in a, b, c and d, with t = m - k; a lane's sums weigh it
 * by 1, t, C(t + 1, 2) and C(t + 2, 3), and the weights of the whole are these combinations of
 * those (exact for every t >= 1, so modulo 2^64 as well).
 */
__attribute__((target("avx2"))) static void fletcher4_avx2(struct fletcher4_ctx *ctx,
							   const uint8_t *p, size_t n)
{
	static const uint64_t cb[4] = { 6, 10, 14, 18 }, cc[4] = { 0, 0, 1, 3 };
	static const uint64_t dc[4] = { 48, 64, 80, 96 }, db[4] = { 4, 10, 20, 34 };
	static const uint64_t da[4] = { 0, 0, 0, UINT64_MAX };
	__m256i va = _mm256_setzero_si256(), vb = va, vc = va, vd = va;
	uint64_t la[4], lb[4], lc[4], ld[4], A = 0, B = 0, C = 0, D = 0, N = n / 4, t2, t3;

	for (size_t i = 0; i < n; i += 16) {
		__m256i w = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(p + i)));

		va = _mm256_add_epi64(va, w);
		vb = _mm256_add_epi64(vb, va);
		vc = _mm256_add_epi64(vc, vb);
		vd = _mm256_add_epi64(vd, vc);
	}
	_mm256_storeu_si256((__m256i *)la, va);
	_mm256_storeu_si256((__m256i *)lb, vb);
	_mm256_storeu_si256((__m256i *)lc, vc);
	_mm256_storeu_si256((__m256i *)ld, vd);
	for (int j = 0; j < 4; j++) {
		A += la[j];
		B += 4 * lb[j] - (uint64_t)j * la[j];
		C += 16 * lc[j] - cb[j] * lb[j] + cc[j] * la[j];
		D += 64 * ld[j] - dc[j] * lc[j] + db[j] * lb[j] + da[j] * la[j];
	}
	/* the running sums carried over N more words */
	t2 = (uint64_t)((unsigned __int128)N * (N + 1) / 2);
	t3 = (uint64_t)((unsigned __int128)N * (N + 1) * (N + 2) / 6);
	ctx->d += N * ctx->c + t2 * ctx->b + t3 * ctx->a + D;
	ctx->c += N * ctx->b + t2 * ctx->a + C;
	ctx->b += N * ctx->a + B;
	ctx->a += A;
}

static bool have_avx2(void)
{
	static int have = -1;

	if (have < 0)
		have = __builtin_cpu_supports("avx2") ? 1 : 0;
	return have;
}
#endif

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
#ifdef __x86_64__
	/* in pieces of at most 1 MiB: the carry-over's products stay within 128 bits */
	while (n >= 64 && have_avx2()) {
		size_t k = MIN(n, (size_t)1 << 20) & ~(size_t)15;

		fletcher4_avx2(ctx, p, k);
		p += k;
		n -= k;
	}
#endif
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
