/* SPDX-License-Identifier: MIT */
/*
 * stream_cksum.c - the running checksum of a send substream (stream.h), by the stream's
 * version: SHA-256 for version 1, fletcher-4 from version 2. The writer and the reader share it
 * so that both sides agree on which bytes it covers.
 */
#include "stream.h"

void stream_cksum_init(struct stream_cksum *c, uint32_t version)
{
	c->version = version;
	if (version == 1)
		sha256_init(&c->u.sha);
	else
		fletcher4_init(&c->u.f4);
}

void stream_cksum_update(struct stream_cksum *c, const void *buf, size_t n)
{
	if (c->version == 1)
		sha256_update(&c->u.sha, buf, n);
	else
		fletcher4_update(&c->u.f4, buf, n);
}

void stream_cksum_final(struct stream_cksum *c, uint8_t out[32])
{
	if (c->version == 1)
		sha256_final(&c->u.sha, out);
	else
		fletcher4_final(&c->u.f4, out);
}
