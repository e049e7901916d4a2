/* SPDX-License-Identifier: MIT */
/*
 * dmu.h - objects and object sets. An object set is an array of dnodes (the meta dnode's data);
 * an object is a dnode with a tree of blocks and a bonus buffer. Callers read and write bytes of
 * objects; the DMU keeps the touched blocks in memory (dbufs), marks what changed dirty in the
 * pool's open transaction group, and writes it all copy-on-write when the txg syncs.
 *
 * Contract: every function here is called with the pool lock held (spa_enter/spa_exit). All
 * changes made between spa_enter and spa_exit land in the same txg, so a caller that makes
 * several changes under one spa_enter makes them atomically.
 */
#ifndef STOR_DMU_H
#define STOR_DMU_H

#include <stdbool.h>
#include <stdint.h>

#include "format.h"

typedef struct spa spa_t;
typedef struct objset objset_t;
typedef struct dsl_dataset dsl_dataset_t;

struct dmu_object_info {
	uint8_t type;
	uint8_t bonustype;
	uint16_t bonuslen;
	uint8_t nlevels;
	uint8_t flags; /* DN_FLAG_* */
	uint32_t datablksz;
	uint64_t maxblkid;
	uint64_t used; /* bytes allocated on disk, all copies, as of the last sync */
	uint64_t gen;
};

/* Objects. blksz 0 means the dataset's recordsize (for the first block the size grows in
 * 512-byte steps up to it, as ZFS does for small files). */
int dmu_object_alloc(objset_t *os, uint8_t type, uint32_t blksz, uint8_t bonustype,
		     uint16_t bonuslen, uint64_t *ret_obj);
/* Create an object with a given number (receive); -EEXIST if in use. */
int dmu_object_claim(objset_t *os, uint64_t obj, uint8_t type, uint32_t blksz, uint8_t bonustype,
		     uint16_t bonuslen);
int dmu_object_free(objset_t *os, uint64_t obj);
int dmu_object_info(objset_t *os, uint64_t obj, struct dmu_object_info *ret);
/* The next allocated object after obj (0 to start); -ESRCH at the end. */
int dmu_object_next(objset_t *os, uint64_t obj, uint64_t *ret_obj);
/* Change an object's block size; only while it has at most one block. */
int dmu_object_set_blksz(objset_t *os, uint64_t obj, uint32_t blksz);

/* Bytes of an object. Holes and anything past the last block read as zeros. -EIO when a
 * block fails its checksum on every copy. */
int dmu_read(objset_t *os, uint64_t obj, uint64_t off, uint64_t len, void *buf);
int dmu_write(objset_t *os, uint64_t obj, uint64_t off, uint64_t len, const void *buf);
/* Mark the operation under way (under the pool lock) as one that frees space, such as a
 * removal: its writes (a directory's block, a znode) are not refused for a quota or for the
 * pool's slop, so that a full file system can always be cleaned up. Clear it at its end. */
void dmu_objset_netfree(objset_t *os, bool on);
/* Turn a range into a hole, freeing its blocks; len UINT64_MAX means to the end. */
int dmu_free_range(objset_t *os, uint64_t obj, uint64_t off, uint64_t len);
/* Whether [off, ...) starts in data or a hole: the next offset >= off that is data (hole=false)
 * or hole (hole=true), at block granularity; -ENXIO when there is no more data. */
int dmu_offset_next(objset_t *os, uint64_t obj, bool hole, uint64_t *off);

/* The bonus buffer (at most DN_BONUS_SIZE bytes). */
int dmu_bonus_read(objset_t *os, uint64_t obj, void *buf, uint16_t len);
int dmu_bonus_write(objset_t *os, uint64_t obj, const void *buf, uint16_t len);

/* Space the object set references, and the pool it lives in. */
spa_t *dmu_objset_spa(objset_t *os);
dsl_dataset_t *dmu_objset_ds(objset_t *os);
enum dmu_objset_type dmu_objset_type(objset_t *os);
bool dmu_objset_is_snapshot(objset_t *os);

/*
 * Traversal for send and scrub: visit, in object order, every object whose dnode block was born
 * after min_txg (dnode callback, dn->type 0 for a freed slot), and every level-0 block pointer of
 * such objects born after min_txg (block callback; a hole bp with birth > min_txg means that range
 * was freed). A callback's non-zero return stops the walk and is returned.
 */
struct dmu_traverse_cbs {
	int (*dnode)(objset_t *os, uint64_t obj, const struct dnode_phys *dn, void *arg);
	int (*block)(objset_t *os, uint64_t obj, uint64_t blkid, const struct blkptr *bp,
		     const struct dnode_phys *dn, void *arg);
	void *arg;
};
int dmu_traverse(objset_t *os, uint64_t min_txg, const struct dmu_traverse_cbs *cbs);
/* Read the logical content of a block pointer (lsize bytes), verified. */
int dmu_read_bp(spa_t *spa, const struct blkptr *bp, void *buf);

#endif
