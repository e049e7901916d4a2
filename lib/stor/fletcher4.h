/* SPDX-License-Identifier: MIT */
/*
 * fletcher4.h - fletcher-4, whole or in parts: four 64-bit running sums over the little-endian
 * 32-bit words of the data, the last partial word padded with zeros. The default block checksum
 * (as in ZFS) and the checksum of a send substream; several GB/s where SHA-256 gives a fraction
 * of that (implemented in checksum.c).
 */
#ifndef STOR_FLETCHER4_H
#define STOR_FLETCHER4_H

#include <stddef.h>
#include <stdint.h>

struct fletcher4_ctx {
	uint64_t a, b, c, d;
	uint8_t tail[4]; /* bytes of an incomplete word, waiting for the next part */
	unsigned ntail;
};

void fletcher4_init(struct fletcher4_ctx *ctx);
void fletcher4_update(struct fletcher4_ctx *ctx, const void *buf, size_t n);
/* The four sums, each 8 bytes little-endian. */
void fletcher4_final(struct fletcher4_ctx *ctx, uint8_t out[32]);
void fletcher4(const void *buf, size_t n, uint8_t out[32]);

#endif
