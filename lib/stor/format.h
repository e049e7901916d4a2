/* SPDX-License-Identifier: MIT */
/*
 * format.h - Basalt's on-disk format, every structure as it lies on a device. Little-endian,
 * fixed-width fields, explicit padding; each structure's size is checked at compile time.
 *
 * A device holds four labels (two at the front, two at the end). A label holds the pool's
 * configuration (JSON text, checksummed) and a ring of uberblocks. The uberblock with the highest
 * valid txg points at the meta object set (MOS); every other block is reached from there through
 * block pointers that carry the checksum of the block they point to: the pool is a Merkle tree.
 */
#ifndef STOR_FORMAT_H
#define STOR_FORMAT_H

#include <stdint.h>

/* ---- labels ---- */
#define LABEL_SIZE (256u << 10)
#define LABEL_COUNT 4
#define LABEL_CONFIG_OFF 0 /* label_hdr followed by JSON config text */
#define LABEL_CONFIG_SIZE (64u << 10)
#define LABEL_RING_OFF (128u << 10)
#define UB_SLOT_SIZE 1024u
#define UB_RING 32u /* uberblocks kept; a freed block waits UB_RING txgs before reuse */
#define VDEV_DATA_START (2 * LABEL_SIZE)
#define VDEV_MIN_SIZE (64ull << 20)

#define LABEL_MAGIC 0x4c424c5442534c42ull /* "BLSBTLBL" */
#define UB_MAGIC 0x00bab10cull
/* Written: 2; read: 1 and 2. Version 2 keeps released records of the deferred-free list as
 * zeros at its front (space.c), which version 1 code cannot read; a version 1 pool is written as
 * version 2 from its first commit after import (its labels are rewritten then). */
#define FORMAT_VERSION 2
#define FORMAT_VERSION_MIN 1

struct label_hdr {
	uint64_t magic;
	uint64_t version;
	uint64_t txg;	     /* txg at which this config was written */
	uint64_t config_len; /* bytes of JSON text following the header */
	uint8_t cksum[32];   /* sha256 of the JSON text */
	uint8_t pad[64];
};

/* ---- block pointers ---- */
struct dva {
	uint32_t vdev;	 /* top-level vdev index */
	uint32_t asize;	 /* allocated bytes; 0 = this DVA is unused */
	uint64_t offset; /* byte offset on the vdev */
};

enum zio_checksum {
	ZIO_CKSUM_INHERIT = 0,
	ZIO_CKSUM_FLETCHER4 = 1,
	ZIO_CKSUM_SHA256 = 2,
	ZIO_CKSUM_OFF = 3
};
enum zio_compress {
	ZIO_COMPRESS_INHERIT = 0,
	ZIO_COMPRESS_OFF = 1,
	ZIO_COMPRESS_LZ4 = 2,
	ZIO_COMPRESS_ZSTD = 3
};

#define BP_MAX_COPIES 3
struct blkptr {
	struct dva dva[BP_MAX_COPIES];
	uint32_t lsize;	  /* logical (uncompressed) size */
	uint32_t psize;	  /* physical (compressed) size */
	uint8_t compress; /* enum zio_compress */
	uint8_t checksum; /* enum zio_checksum */
	uint8_t type;	  /* enum dmu_object_type of the object the block belongs to */
	uint8_t level;	  /* 0 data, >0 indirect */
	uint8_t ncopies;  /* DVAs in use */
	uint8_t pad0[3];
	uint64_t birth; /* logical birth txg; for a hole, the txg it was punched (0: never) */
	uint64_t fill;	/* non-hole level-0 blocks beneath (dnodes in use for dnode blocks) */
	uint8_t cksum[32];
	uint8_t pad1[16];
};
#define BP_IS_HOLE(bp) ((bp)->dva[0].asize == 0)

/* ---- uberblock ---- */
struct uberblock {
	uint64_t magic;
	uint64_t version;
	uint64_t txg;
	uint64_t guid_sum;    /* sum of every leaf vdev's guid: detects a missing device */
	uint64_t timestamp;   /* seconds */
	struct blkptr rootbp; /* the MOS objset_phys */
	uint8_t pad[UB_SLOT_SIZE - 40 - sizeof(struct blkptr) - 32];
	uint8_t cksum[32]; /* sha256 of everything before it */
};

/* ---- dnodes and object sets ---- */
#define DNODE_SIZE 512u
#define DNODE_SHIFT 9
#define DNODE_BLOCK_SIZE (16u << 10)
#define DNODES_PER_BLOCK (DNODE_BLOCK_SIZE / DNODE_SIZE)
#define INDIRECT_SHIFT 15
#define INDIRECT_SIZE (1u << INDIRECT_SHIFT) /* 32 KiB of block pointers */
#define BP_SHIFT 7
#define BPS_PER_INDIRECT (INDIRECT_SIZE / sizeof(struct blkptr))
#define DN_MAX_LEVELS 8
#define DN_BONUS_SIZE (DNODE_SIZE - 64 - sizeof(struct blkptr))
#define SPA_MINBLOCKSIZE 512u
#define SPA_MAXBLOCKSIZE (1u << 20)

struct dnode_phys {
	uint8_t type;	 /* enum dmu_object_type; 0 = free slot */
	uint8_t nlevels; /* levels of the block tree, 1 = the root bp is the only data block */
	uint8_t bonustype;
	uint8_t flags; /* DN_FLAG_* */
	uint16_t bonuslen;
	uint16_t pad0;
	uint32_t datablksz; /* size of every level-0 block */
	uint32_t pad1;
	uint64_t maxblkid; /* highest level-0 block ever written (0 when none) */
	uint64_t used;	   /* bytes allocated for this object's blocks (all copies) */
	uint64_t gen;	   /* txg the object was allocated in */
	uint8_t pad2[24];
	struct blkptr bp; /* root of the block tree */
	uint8_t bonus[DN_BONUS_SIZE];
};

#define DN_FLAG_GROW 1 /* block size follows the data until it reaches recordsize */

enum dmu_object_type {
	DMU_OT_NONE = 0,
	DMU_OT_OBJECT_DIRECTORY, /* MOS: zap of well-known objects */
	DMU_OT_DNODE,		 /* the meta dnode's blocks */
	DMU_OT_OBJSET,
	DMU_OT_SPACE_MAP, /* MOS: allocation bitmap of a top-level vdev */
	DMU_OT_DEFER,	  /* MOS: frees waiting for the ring to forget them */
	DMU_OT_DSL_DIR,
	DMU_OT_DSL_DATASET,
	DMU_OT_DSL_PROPS,     /* zap */
	DMU_OT_DSL_CHILDREN,  /* zap: child name -> dsl_dir object */
	DMU_OT_DSL_SNAPNAMES, /* zap: snapshot name -> dataset object */
	DMU_OT_DEADLIST,      /* array of block pointers */
	DMU_OT_USERREFS,      /* zap: hold tag -> time */
	DMU_OT_HISTORY,
	DMU_OT_ERRLOG,
	DMU_OT_CLONES,		 /* zap: clone dataset objects of a snapshot */
	DMU_OT_MASTER_NODE = 32, /* zpl */
	DMU_OT_PLAIN_FILE,
	DMU_OT_DIRECTORY,
	DMU_OT_SYMLINK,
	DMU_OT_XATTR_DIR,
	DMU_OT_ZVOL,
	DMU_OT_ZVOL_PROP,
	DMU_OT_ZAP_OTHER,
	DMU_OT_XATTR_VALUE, /* zpl: an extended attribute's value too long for its ZAP entry */
	DMU_OT_NUMTYPES
};

enum dmu_objset_type { DMU_OST_NONE = 0, DMU_OST_META, DMU_OST_ZFS, DMU_OST_ZVOL };

#define OBJSET_PHYS_SIZE 1024u
struct objset_phys {
	struct dnode_phys meta_dnode;
	uint64_t type; /* enum dmu_objset_type */
	uint64_t flags;
	uint8_t pad[OBJSET_PHYS_SIZE - DNODE_SIZE - 16];
};

_Static_assert(sizeof(struct label_hdr) == 128, "label_hdr");
_Static_assert(sizeof(struct dva) == 16, "dva");
_Static_assert(sizeof(struct blkptr) == 128, "blkptr");
_Static_assert(sizeof(struct uberblock) == UB_SLOT_SIZE, "uberblock");
_Static_assert(sizeof(struct dnode_phys) == DNODE_SIZE, "dnode_phys");
_Static_assert(sizeof(struct objset_phys) == OBJSET_PHYS_SIZE, "objset_phys");

#endif
