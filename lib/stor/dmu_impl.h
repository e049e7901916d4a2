/* SPDX-License-Identifier: MIT */
/*
 * dmu_impl.h - the DMU's in-memory objects: object sets, dnodes and dbufs (cached blocks), and
 * the sync entry points the pool calls at txg commit. Private to lib/stor.
 */
#ifndef STOR_DMU_IMPL_H
#define STOR_DMU_IMPL_H

#include "dmu.h"
#include "spa_impl.h"

struct dnode;
struct early_write;

struct dbuf {
	struct dnode *dn;
	uint64_t blkid;
	uint8_t level;
	bool dirty;
	uint32_t size;
	uint8_t *data;
	struct blkptr bp;	/* the block as last written (a hole if never) */
	struct early_write *ew; /* written ahead of the commit (dbuf_early.c), or NULL */
	struct dbuf *hnext;
	struct dbuf *dnext;
	struct dbuf *lru_prev, *lru_next; /* the pool's cache, most recently used first */
};

struct dnode {
	struct objset *os;
	uint64_t object;
	struct dnode_phys phys;
	bool dirty;
	struct dbuf **hash;
	size_t nhash, nbufs;
	struct dbuf *dirty_list[DN_MAX_LEVELS];
	uint64_t seq_next;   /* the level-0 block a sequential reader would read next */
	uint64_t fetched_to; /* read-ahead was started for the blocks below this one */
	uint64_t write_next; /* the byte a sequential writer would write next */
	struct dnode *hnext;
	struct dnode *dnext;
};

/* What the owner of an object set does when one of its blocks is born or killed. */
struct objset_ops {
	void (*born)(struct objset *os, const struct blkptr *bp);
	void (*kill)(struct objset *os, const struct blkptr *bp);
};

struct objset {
	struct spa *spa;
	struct dsl_dataset *ds; /* NULL for the MOS */
	const struct objset_ops *ops;
	struct objset_phys phys;
	struct blkptr bp; /* where phys was last written */
	struct dnode meta;
	struct dnode **hash;
	size_t nhash, ndnodes;
	struct dnode *dirty_list;
	bool dirty;
	bool snapshot;
	bool netfree; /* the operation under way frees space: quotas and the slop do not apply */
	uint64_t next_obj;
	uint64_t dirty_bytes; /* blocks dirtied in the open txg, all copies */
	/* write policy, from the dataset's properties */
	uint8_t compress, checksum, copies;
	uint32_t recordsize;
};

/* arc.c */
uint64_t arc_default_max(void);
/* Keep freed blocks' memory in the process, up to the cache's bound, for the next blocks. */
void arc_malloc_setup(void);
void arc_insert(struct arc *a, struct dbuf *db);
void arc_touch(struct arc *a, struct dbuf *db);
void arc_remove(struct arc *a, struct dbuf *db);
void arc_resized(struct arc *a, uint32_t old_size, uint32_t new_size);
/* Drop least recently used clean blocks until the cache is under its bound. Only where no
 * pointer into the cache is held: at the end of an operation. */
void arc_evict(struct arc *a);

/* dbuf_early.c: level-0 blocks written before their txg commits, by a thread of the pool (see
 * also spa_impl.h); under the pool's lock. Queue a block a sequential writer finished (zp: how
 * to write it); forget the early write of a block about to change (its bytes move to a copy)
 * or, dropping, to be freed (db->data becomes NULL: the record frees the bytes); take the block
 * pointer a block was written at for txg, if it was. */
void early_queue(struct dbuf *db, const struct zio_prop *zp);
void early_forget(struct dbuf *db, bool dropping);
bool early_take(struct dbuf *db, uint64_t txg, struct blkptr *ret_bp);

/* dnode.c */
/* Drop one clean cached block (and its dnode, when that leaves the dnode empty and clean). */
void dnode_evict_dbuf(struct dbuf *db);
void dnode_drop_dbufs(struct dnode *dn, bool clean_only);
uint32_t dnode_blksz(const struct dnode *dn, uint8_t level);
void dnode_dirty(struct dnode *dn);
int dnode_hold_write(struct dnode *dn, uint64_t blkid, bool whole, struct dbuf **ret);
/* Whether the object is one block smaller than the recordsize, which grows as it is written. */
bool dnode_may_grow(const struct dnode *dn);
/* A sequential writer finished level-0 block db: write it early if it is file or volume data. */
void dnode_block_finished(struct dnode *dn, struct dbuf *db);
int dnode_hold_read(struct dnode *dn, uint64_t blkid, struct dbuf **ret);
int dnode_block_has_data(struct dnode *dn, uint64_t blkid, bool *ret);
int dnode_set_blksz(struct dnode *dn, uint32_t blksz);
int dnode_free_blocks(struct dnode *dn, uint64_t first, uint64_t last);
int dnode_free_all(struct dnode *dn);
int dnode_sync(struct dnode *dn, uint64_t txg);

/* objset.c */
int dnode_hold(struct objset *os, uint64_t obj, bool allow_free, struct dnode **ret);

int objset_open(struct spa *spa, const struct blkptr *bp, const struct objset_ops *ops,
		struct objset **ret);
/* A new, empty object set of the given type (dirty: it is written at the next sync). */
struct objset *objset_create(struct spa *spa, enum dmu_objset_type type,
			     const struct objset_ops *ops);
void objset_close(struct objset *os);
/* Write every dirty block of the object set for the syncing txg and return its new root. */
int objset_sync(struct objset *os, uint64_t txg, struct blkptr *ret_bp);
/* Drop clean cached blocks (called after sync to bound memory). */
/* Forget a clean dnode that has no cached blocks. */
void objset_evict_dnode(struct objset *os, struct dnode *dn);
/* Forget every cached block and dnode, dirty or not (rollback replaces the content). */
void objset_reset(struct objset *os, const struct blkptr *bp);

/* Walk every block pointer of the tree under bp (pruning what was born at or before
 * min_txg); the callback sees indirect and dnode blocks before their children, with the number
 * of the object each block belongs to (0 for the meta dnode's blocks). */
typedef int (*bp_visit_fn)(struct spa *spa, const struct blkptr *bp, uint64_t obj, void *arg);
int traverse_bp_tree(struct spa *spa, const struct blkptr *bp, uint64_t min_txg, bp_visit_fn fn,
		     void *arg);

#endif
