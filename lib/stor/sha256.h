/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - SHA-256, whole or in parts, for block checksums and send streams (implemented in
 * checksum.c).
 */
#ifndef STOR_SHA256_H
#define STOR_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
	_Alignas(8) uint8_t opaque[112]; /* OpenSSL's SHA256_CTX, checked in checksum.c */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *buf, size_t n);
void sha256_final(struct sha256_ctx *ctx, uint8_t out[32]);
void sha256(const void *buf, size_t n, uint8_t out[32]);

#endif
