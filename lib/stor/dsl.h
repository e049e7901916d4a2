/* SPDX-License-Identifier: MIT */
/*
 * dsl.h - datasets: the named tree of file systems and volumes (dsl_dir), each with a head
 * dataset and a chain of snapshots (dsl_dataset), clones hanging off snapshots, properties with
 * inheritance, and the space accounting that birth txgs and dead lists make exact.
 *
 * Locking: every function here needs the pool lock (spa_enter), except where it says otherwise.
 * Find the pool of a dataset name with dsl_pool_enter(), which takes its lock.
 */
#ifndef STOR_DSL_H
#define STOR_DSL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "dmu.h"

#define DSL_MAXNAMELEN 256

/* Find the pool of "pool/fs@snap" and take its lock; -ENOENT with a message if no such pool. */
int dsl_pool_enter(const char *name, spa_t **ret_spa);
/* Release it. */
void dsl_pool_exit(spa_t *spa);
/* Check a dataset or snapshot name, take its pool's lock and resolve it; on failure nothing is
 * held. Release with dsl_pool_exit(). */
int dsl_dataset_enter(const char *name, spa_t **ret_spa, dsl_dataset_t **ret_ds);

/* Resolve a dataset or snapshot name. */
int dsl_dataset_lookup(spa_t *spa, const char *name, dsl_dataset_t **ret);
/* The dataset's object set (opened on first use, kept while the dataset is cached). */
int dsl_dataset_objset(dsl_dataset_t *ds, objset_t **ret);
bool dsl_dataset_is_snapshot(dsl_dataset_t *ds);
enum dmu_objset_type dsl_dataset_ostype(dsl_dataset_t *ds);
uint64_t dsl_dataset_guid(dsl_dataset_t *ds);
uint64_t dsl_dataset_obj(dsl_dataset_t *ds);
/* Bytes the dataset's object set references (as of the last commit). */
uint64_t dsl_dataset_referenced(dsl_dataset_t *ds);
/* The txg a snapshot was taken in (its blocks were all born at or before it). */
uint64_t dsl_dataset_creation_txg(dsl_dataset_t *ds);
uint64_t dsl_dataset_creation_time(dsl_dataset_t *ds);
/* Full name ("pool/fs" or "pool/fs@snap"); caller frees. */
char *dsl_dataset_name(dsl_dataset_t *ds);
/* The snapshot before ds (for a head: its latest snapshot; for a clone with no snapshots of its
 * own: its origin); -ENOENT if none. */
int dsl_dataset_prev_snap(dsl_dataset_t *ds, dsl_dataset_t **ret);
/* The head dataset of a snapshot's file system. */
int dsl_dataset_head(dsl_dataset_t *snap, dsl_dataset_t **ret);
/* Snapshots of a head, oldest first: an array of n datasets, caller frees the array. */
int dsl_dataset_snapshots(dsl_dataset_t *head, dsl_dataset_t ***ret, size_t *ret_n);
/* Child file systems/volumes of a head, caller frees the array. */
int dsl_dataset_children(dsl_dataset_t *head, dsl_dataset_t ***ret, size_t *ret_n);

/* Create a file system or volume head named name (parent must exist), empty. guid 0: random.
 * For volumes volblocksize is taken from props (NULL-terminated "k=v", may be NULL). */
int dsl_dataset_create(spa_t *spa, const char *name, enum dmu_objset_type type, uint64_t guid,
		       const char *const *props, dsl_dataset_t **ret);
/* Snapshot a head as name@snap (commits the open txg first). guid 0: random. */
int dsl_dataset_snapshot(dsl_dataset_t *head, const char *snap, uint64_t guid, dsl_dataset_t **ret);
/* Throw away a head's changes since its latest snapshot. */
int dsl_dataset_rollback(dsl_dataset_t *head);
/* Whether a snapshot can be destroyed: -EBUSY, with a message naming its clones or saying it
 * is held, if not. */
int dsl_snapshot_destroy_check(dsl_dataset_t *snap);
/* Destroy one dataset or snapshot that has no children, clones, snapshots or holds. */
int dsl_dataset_destroy(dsl_dataset_t *ds);

/* Rename a head (to a new name in the same pool, under an existing parent, not beneath itself)
 * or a snapshot (to another snapshot name of the same file system). */
int dsl_dataset_rename(dsl_dataset_t *ds, const char *to);
/* Clone a snapshot as a new head named name. */
int dsl_dataset_clone(dsl_dataset_t *origin, const char *name, const char *const *props,
		      dsl_dataset_t **ret);
/* Make a clone the owner of its origin's history; the old head becomes its clone. */
int dsl_dataset_promote(dsl_dataset_t *clone);

/* User holds (dsl_userhold.c). */
int dsl_dataset_hold_tag(dsl_dataset_t *snap, const char *tag);
int dsl_dataset_release_tag(dsl_dataset_t *snap, const char *tag);
/* [{tag, timestamp}] */
int dsl_dataset_holds(dsl_dataset_t *snap, json_t **ret);

/* Keep a snapshot from being destroyed while it is read without the pool lock (send). */
void dsl_dataset_long_hold(dsl_dataset_t *ds);
void dsl_dataset_long_rele(dsl_dataset_t *ds);

/* Whether a dataset may write len more bytes under its refquota and every quota above it:
 * -EDQUOT with a message if not. Pool lock held. */
int dsl_dataset_quota_check(dsl_dataset_t *ds, uint64_t len);
/* Bytes the dataset can still write: pool space and quotas (what df shows as available). */
int dsl_dataset_available(dsl_dataset_t *ds, uint64_t *ret);

/* Properties (dsl_prop.c). */
int dsl_prop_set(dsl_dataset_t *ds, const char *prop, const char *value);
int dsl_prop_inherit(dsl_dataset_t *ds, const char *prop);
/* The effective string value of a property (inherited or default), caller frees. */
int dsl_prop_get_string(dsl_dataset_t *ds, const char *prop, char **ret);
int dsl_prop_get_u64(dsl_dataset_t *ds, const char *prop, uint64_t *ret);
/* All properties as {prop: {value, raw, source}} */
int dsl_prop_get_all(dsl_dataset_t *ds, json_t **ret);
/* Validate "name=value" strings for a dataset of the given type before creating it. */
int dsl_prop_validate(const char *const *props, enum dmu_objset_type type);
/* The engine's own entries in a dataset's properties: names beginning with '%', which no
 * property can take, never listed nor inherited. get: -ENOENT when absent. */
int dsl_prop_internal_get(dsl_dataset_t *ds, const char *name, char **ret);
int dsl_prop_internal_set(dsl_dataset_t *ds, const char *name, const char *value);
int dsl_prop_internal_remove(dsl_dataset_t *ds, const char *name);

/* Names: valid pool, dataset and snapshot names, as ZFS defines them. */
int dsl_name_check(const char *name, bool allow_snapshot);

#endif
