/* SPDX-License-Identifier: MIT */
/*
 * stream.h - the send stream: the byte format `zfs send` writes and `zfs receive` reads, shared
 * by send.c (the writer) and recv.c (the reader, which validates every record before anything
 * acts on it). docs/design-send.md describes the format in prose.
 *
 * A stream is one or more substreams, each the changes that turn one snapshot (or nothing) into
 * the next: a BEGIN record, OBJECT/FREEOBJECTS/WRITE/FREE records, and an END record carrying
 * the checksum (fletcher-4; SHA-256 in version 1) of every byte of the substream before it.
 * Every record is a fixed 128-byte header, checksummed on its own so that a damaged length is
 * caught before anything is allocated, followed by payload_len bytes of payload. All integers
 * are little-endian.
 *
 * A replication stream (`zfs send -R`) opens with one REPL record whose JSON payload lists the
 * datasets of the tree, their properties and the snapshots each receives, in the order of the
 * substreams that follow; each substream's BEGIN names its dataset relative to the top.
 */
#ifndef STOR_STREAM_H
#define STOR_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "fletcher4.h"
#include "format.h"
#include "sha256.h"

#define STREAM_MAGIC 0x4d52545354534142ull /* "BASTSTRM" */
/* Written: 2. Read: 1 and 2, which differ only in the END record's checksum (stream_cksum). */
#define STREAM_VERSION 2
#define STREAM_VERSION_MIN 1
#define STREAM_REC_SIZE 128u
#define STREAM_MAX_BEGIN_PAYLOAD (64u << 10) /* the BEGIN record's JSON */
#define STREAM_MAX_REPL_PAYLOAD (1u << 20)   /* the REPL record's JSON */
/* Substreams a replication stream may announce. */
#define STREAM_MAX_SUBSTREAMS (1ull << 32)
/* Object numbers a stream may name: those dmu_object_claim accepts. */
#define STREAM_MAX_OBJECT (1ull << 48)
/* Largest byte offset a WRITE or FREE may reach (the DMU's limit on object size). */
#define STREAM_MAX_OFFSET (1ull << 62)

enum stream_rec_type {
	STREAM_BEGIN = 1,
	STREAM_OBJECT = 2,
	STREAM_FREEOBJECTS = 3,
	STREAM_WRITE = 4,
	STREAM_FREE = 5,
	STREAM_END = 6,
	STREAM_REPL = 7,
};

/* OBJECT flags */
#define STREAM_OBJ_NEW 1u  /* allocated after the from snapshot: replace whatever has its number */
#define STREAM_OBJ_GROW 2u /* its block size still follows its data (DN_FLAG_GROW) */
#define STREAM_OBJ_FLAGS (STREAM_OBJ_NEW | STREAM_OBJ_GROW)

/* BEGIN flags */
#define STREAM_BEGIN_FLAGS 0u

struct stream_begin {
	uint64_t magic;
	uint32_t version;
	uint32_t ostype;   /* enum dmu_objset_type: DMU_OST_ZFS or DMU_OST_ZVOL */
	uint64_t guid;	   /* of the snapshot the substream produces */
	uint64_t fromguid; /* of the snapshot it applies to; 0 for a full stream */
	uint64_t creation_time;
	uint64_t creation_txg; /* informational: the sending pool's txg */
	uint8_t pad[32];
};

struct stream_object {
	uint64_t object;
	uint32_t blksz;
	uint8_t type;
	uint8_t bonustype;
	uint16_t bonuslen; /* payload_len must equal it */
	uint64_t maxblkid;
	uint32_t flags; /* STREAM_OBJ_* */
	uint8_t pad[52];
};

struct stream_freeobjects {
	uint64_t first;
	uint64_t count; /* objects [first, first + count) are free */
	uint8_t pad[64];
};

/* WRITE (payload: length bytes) and FREE (no payload; length UINT64_MAX: to the end) */
struct stream_range {
	uint64_t object;
	uint64_t offset;
	uint64_t length;
	uint8_t pad[56];
};

struct stream_end {
	uint8_t cksum[32]; /* stream_cksum of every byte of the substream before this record */
	uint64_t records;  /* records of the substream before this one, BEGIN included */
	uint8_t pad[40];
};

/* REPL: the first record of a replication stream; payload: the tree as JSON */
struct stream_repl {
	uint64_t magic;	  /* STREAM_MAGIC */
	uint32_t version; /* STREAM_VERSION */
	uint32_t pad0;
	uint64_t substreams; /* substreams that follow, 1 .. STREAM_MAX_SUBSTREAMS */
	uint8_t sha256[32];  /* of the payload */
	uint8_t pad[24];
};

struct stream_rec {
	uint32_t type;	      /* enum stream_rec_type */
	uint32_t flags;	      /* 0: reserved */
	uint64_t payload_len; /* bytes that follow the header */
	union {
		struct stream_begin begin;
		struct stream_object object;
		struct stream_freeobjects freeobjects;
		struct stream_range write;
		struct stream_range free;
		struct stream_end end;
		struct stream_repl repl;
	} u;
	uint8_t hdr_cksum[32]; /* SHA-256 of the 96 bytes before it */
};

_Static_assert(sizeof(struct stream_begin) == 80, "stream_begin");
_Static_assert(sizeof(struct stream_object) == 80, "stream_object");
_Static_assert(sizeof(struct stream_freeobjects) == 80, "stream_freeobjects");
_Static_assert(sizeof(struct stream_range) == 80, "stream_range");
_Static_assert(sizeof(struct stream_end) == 80, "stream_end");
_Static_assert(sizeof(struct stream_repl) == 80, "stream_repl");
_Static_assert(sizeof(struct stream_rec) == STREAM_REC_SIZE, "stream_rec");

/*
 * The checksum of a substream, carried by its END record: SHA-256 in version 1 streams, fletcher-4
 * from version 2 (the same protection against damage in transit, as in ZFS's streams, at a tenth
 * of the cost: SHA-256 was 40% of a send's time). BEGIN's version chooses.
 */
struct stream_cksum {
	uint32_t version;
	union {
		struct sha256_ctx sha;
		struct fletcher4_ctx f4;
	} u;
};

void stream_cksum_init(struct stream_cksum *c, uint32_t version);
void stream_cksum_update(struct stream_cksum *c, const void *buf, size_t n);
void stream_cksum_final(struct stream_cksum *c, uint8_t out[32]);

/* Fill rec->hdr_cksum (writer) / check it (reader). */
void stream_rec_seal(struct stream_rec *rec);
bool stream_rec_sealed(const struct stream_rec *rec);

/*
 * The reader: pulls records from an fd, checks each header's checksum and every field that can be
 * checked without the destination (types, lengths, bounds, block sizes, record order), keeps the
 * running checksum and verifies it at END. A REPL record is only accepted first; its payload's
 * checksum is verified, and the input may then end only after as many substreams as it announces. A
 * failure is a negative errno with a bs_error message; after one the reader is finished.
 */
struct stream_reader;
int stream_reader_new(int fd, struct stream_reader **ret);
void stream_reader_free(struct stream_reader *rd);
/*
 * The next record. *ret_payload points at payload_len bytes owned by the reader, valid until the
 * next call. At the end of the input (only allowed right after an END record or before any
 * record) returns 0 with ret->type 0; otherwise returns 1.
 */
int stream_read_record(struct stream_reader *rd, struct stream_rec *ret, const void **ret_payload);
/* Bytes consumed so far. */
uint64_t stream_reader_offset(const struct stream_reader *rd);

#endif
