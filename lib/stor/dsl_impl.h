/* SPDX-License-Identifier: MIT */
/*
 * dsl_impl.h - the DSL's on-disk records (bonus buffers of MOS objects) and in-memory dataset,
 * shared by the dataset, property, destroy and space-accounting code. Private to lib/stor.
 */
#ifndef STOR_DSL_IMPL_H
#define STOR_DSL_IMPL_H

#include "dmu_impl.h"
#include "dsl.h"

#define DSL_BONUS_DIR 1
#define DSL_BONUS_DATASET 2
#define DS_FLAG_SNAPSHOT 1

/* The MOS object directory: well-known names -> MOS objects. */
#define MOS_DIRECTORY_OBJ 1
#define MOS_ROOT_DIR "root_dir"
#define MOS_HISTORY "history"
#define MOS_DEFER "defer"

struct dsl_dir_phys {
	uint64_t parent_obj;
	uint64_t head_obj;
	uint64_t children_obj; /* zap: child name -> dir object */
	uint64_t props_obj;    /* zap: property -> value text */
	uint64_t origin_obj;   /* snapshot this dir's head was cloned from, 0 if none */
	uint64_t creation_time;
	uint64_t pad[10];
};

struct dsl_dataset_phys {
	uint64_t dir_obj;
	uint64_t prev_snap_obj;
	uint64_t prev_snap_txg;
	uint64_t next_snap_obj; /* snapshots: the next snapshot, 0 = the head is next */
	uint64_t snapnames_obj; /* heads: zap snapshot name -> dataset object */
	uint64_t creation_time;
	uint64_t creation_txg;
	uint64_t deadlist_obj;
	uint64_t referenced;
	uint64_t compressed;
	uint64_t uncompressed;
	uint64_t unique; /* heads: bytes born after the previous snapshot */
	uint64_t guid;
	uint64_t flags;
	uint64_t userrefs_obj; /* snapshots: zap hold tag -> time */
	uint64_t clones_obj;   /* snapshots: zap of clone head objects */
	uint64_t written;      /* snapshots: bytes born since the previous snapshot */
	uint64_t ostype;
	uint64_t pad[2];
	struct blkptr bp;
};
_Static_assert(sizeof(struct dsl_dataset_phys) <= DN_BONUS_SIZE, "dataset phys");

struct dsl_dataset {
	struct spa *spa;
	uint64_t obj;
	struct dsl_dataset_phys phys;
	struct objset *os;
	struct blkptr *dead; /* killed in the open txg, to append to the dead list */
	size_t ndead, dead_cap;
	int long_holds;
	bool on_dirty_list;
	/* quota enforcement: room left under every limit as of quota_txg (and property
	 * generation quota_gen); what the open txg dirtied is counted against it */
	uint64_t quota_room, quota_txg, quota_gen;
	struct dsl_dataset *next;
};

int dsl_dataset_hold_obj(struct spa *spa, uint64_t obj, struct dsl_dataset **ret);
int dsl_dataset_write_phys(struct dsl_dataset *ds);
int dsl_dir_read(struct spa *spa, uint64_t obj, struct dsl_dir_phys *ret);
int dsl_dir_write(struct spa *spa, uint64_t obj, const struct dsl_dir_phys *d);
/* Write a dirty dataset's object set and records for the syncing txg. */
int dsl_dataset_sync(struct dsl_dataset *ds, uint64_t txg);
void dsl_dataset_evict_all(struct spa *spa);
/* Create the root file system of a new pool. */
int dsl_pool_create_root(struct spa *spa, const char *const *props);
/* Apply the write policy (compression, checksum, copies, recordsize) to an open objset. */
void dsl_prop_apply(struct dsl_dataset *ds);
/* The name of a dir ("pool/a/b"); caller frees. */
char *dsl_dir_name(struct spa *spa, uint64_t dirobj);

/* dead lists */
int deadlist_create(struct spa *spa, uint64_t *ret);
int deadlist_append(struct spa *spa, uint64_t obj, const struct blkptr *bps, size_t n);
int deadlist_read(struct spa *spa, uint64_t obj, struct blkptr **ret, size_t *ret_n);
int deadlist_rewrite(struct spa *spa, uint64_t obj, const struct blkptr *bps, size_t n);
/* bytes of entries born after min_txg */
int deadlist_space(struct spa *spa, uint64_t obj, uint64_t min_txg, uint64_t *ret);
/* The dead list's bytes born after txg, and born at or before it. */
int deadlist_space_split(struct spa *spa, uint64_t obj, uint64_t txg, uint64_t *ret_after,
			 uint64_t *ret_upto);

/* space accounting (dsl_space.c) */
struct dsl_space {
	uint64_t used, usedbydataset, usedbysnapshots, usedbychildren, usedbyrefreservation,
		referenced, available, written, logicalused, logicalreferenced, compressed,
		uncompressed;
};
int dsl_dataset_space(struct dsl_dataset *ds, struct dsl_space *ret);
int dsl_dir_used(struct spa *spa, uint64_t dirobj, uint64_t *ret);
uint64_t dsl_pool_available(struct spa *spa);

#endif
