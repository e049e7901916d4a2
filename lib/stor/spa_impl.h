/* SPDX-License-Identifier: MIT */
/*
 * spa_impl.h - the engine's private view of a pool: vdevs, the allocator, the I/O pipeline and the
 * pieces of the sync loop that the layers share. Not for use outside lib/stor.
 */
#ifndef STOR_SPA_IMPL_H
#define STOR_SPA_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "basalt/base.h"
#include "format.h"
#include "spa.h"

/* ---- leaf devices ---- */
struct vdev_leaf;
struct vdev_leaf_ops {
	int (*pread)(struct vdev_leaf *l, void *buf, size_t n, uint64_t off);
	int (*pwrite)(struct vdev_leaf *l, const void *buf, size_t n, uint64_t off);
	int (*flush)(struct vdev_leaf *l);
	void (*close)(struct vdev_leaf *l);
};

struct vdev_leaf {
	char *path;
	int fd;
	uint64_t guid;
	uint64_t size; /* bytes of the device */
	const struct vdev_leaf_ops *ops;
	void *priv;
	bool missing;	    /* not found at import: the mirror runs degraded */
	bool resilvering;   /* attached, not yet a full copy: written to, never read from */
	uint64_t replacing; /* guid of the leaf that replaces this one once it is resilvered */
	uint64_t read_errors, write_errors, cksum_errors, repaired_bytes;
	/* I/O since import (zpool iostat) */
	uint64_t read_ops, write_ops, read_bytes, write_bytes;
	uint64_t unkicked; /* bytes written since writeback was last started (vdev.c) */
	int dfd;	   /* the same device opened O_DIRECT, or -1 (vdev.c) */
	uint32_t dio_mem_align, dio_off_align; /* what an O_DIRECT transfer must be aligned to */
};

/* ---- top-level vdevs: a leaf, or a mirror of leaves; each has its own allocator ---- */
struct vdev_top {
	unsigned id;
	uint64_t guid;
	bool mirror;
	int nchildren;
	struct vdev_leaf **child;
	uint64_t asize; /* bytes usable for blocks: [VDEV_DATA_START, VDEV_DATA_START + asize) */
	/* allocator: one bit per (1 << ashift) sector of the usable range */
	uint64_t nsectors;
	uint64_t *bitmap;
	uint64_t *dirty_chunks;	       /* one bit per space-map block whose bytes changed */
	uint64_t alloc_bytes;	       /* allocated, deferred frees included */
	uint64_t rotor[BP_MAX_COPIES]; /* data: where copy c's next run is looked for */
	uint64_t sm_obj;	       /* MOS object holding the bitmap */
};

/* ---- deferred frees: blocks freed in txg T are reusable at T + UB_RING ---- */
struct defer_rec {
	uint64_t txg;
	uint32_t vdev;
	uint32_t asize;
	uint64_t offset;
};

struct spa_error {
	uint64_t dsobj, obj;
};

struct dsl_dataset;
struct objset;
struct dbuf;

/* The pool's cached blocks in order of use, and their bound (arc.c). */
struct arc {
	struct dbuf *mru, *lru;
	uint64_t bytes, max, evicted_bytes;
	uint64_t hits, misses; /* lookups served from memory; blocks read from disk */
};

struct zfetch;
struct early_writer;
struct spa {
	char *name;
	struct zfetch *zfetch; /* read-ahead of sequential readers (zfetch.c), NULL until used */
	struct early_writer *early; /* writes ahead of the commit (dbuf_early.c), NULL until used */
	bool early_failed;	    /* its thread could not start */
	uint64_t early_allocated;   /* allocated by early writes, counted in dirty_bytes too */
	uint64_t guid;
	unsigned ashift;
	char *altroot;
	pthread_mutex_t lock;
	/* the device tree: read-held by every block read and write, which may run without the
	 * pool's lock (zfs send, the early writer); write-held, under the pool's lock, while
	 * sides of a mirror come and go */
	pthread_rwlock_t vdev_lock;
	int nvdevs;
	struct vdev_top **vdev;

	struct uberblock ub;  /* the last committed uberblock */
	uint64_t txg;	      /* the open txg */
	uint64_t syncing_txg; /* non-zero while spa_sync runs */
	int sync_pass;
	uint64_t config_txg; /* txg the labels' config was last written at */
	bool config_dirty;
	bool full_sm_rewrite; /* first sync after import rewrites every space-map block */
	bool readonly;

	struct objset *mos;
	uint64_t root_dir_obj; /* root dsl_dir in the MOS */
	uint64_t history_obj;
	uint64_t defer_obj;

	struct defer_rec *defer;
	size_t ndefer, defer_cap;
	bool defer_dirty;
	/* the list on disk (space.c): released records at its front, zeroed; records [0,
	 * defer_written) of the array follow them; defer_released more were released since */
	uint64_t defer_disk_dead;
	size_t defer_written, defer_released;
	bool defer_rewrite; /* the list on disk does not follow the array: write it whole */
	uint64_t defer_bytes;
	uint64_t defer_open_bytes; /* freed in the open txg: the last uberblock still needs them */

	uint64_t dirty_bytes; /* estimate of what the open txg will write */
	struct arc arc;
	uint64_t prop_gen; /* bumped by every property change: cached limits are stale */
	bool enospc;	   /* a write failed for space in this txg: age deferred frees */

	struct dsl_dataset **dirty_ds; /* datasets with dirty objsets in the open txg */
	size_t ndirty_ds, dirty_ds_cap;
	struct dsl_dataset *ds_cache; /* open dataset objects, by MOS object number */

	struct spa_error *errlog;
	size_t nerrlog;

	/* scan state: a scrub, or a resilver (scan_resilver) copying blocks onto new sides */
	bool scrub_active, scrub_cancel;
	bool scan_resilver;
	bool resilver_restart; /* a side was attached while a resilver ran: walk again */
	uint64_t scrub_start, scrub_end, scrub_examined, scrub_repaired, scrub_errors;
	uint64_t scrub_total;
	uint64_t import_time; /* ns, CLOCK_REALTIME: the start of the iostat counters */

	struct spa *next; /* the namespace */
};

/* ---- checksums and compression ---- */
void zio_checksum_compute(enum zio_checksum c, const void *buf, size_t n, uint8_t out[32]);

/* dst has room for n bytes; returns the compressed size, or 0 if it would not save 1/8. */
size_t zio_compress(enum zio_compress c, const void *src, void *dst, size_t n);
int zio_decompress(enum zio_compress c, const void *src, size_t psize, void *dst, size_t lsize);
bool zio_is_zero(const void *buf, size_t n);

/* ---- vdevs ---- */
int vdev_leaf_open(const char *path, bool create_ok, struct vdev_leaf **ret);
/* Open a device for a new leaf with a fresh guid: big enough, and without another pool's label
 * unless force. */
int vdev_leaf_open_new(const char *path, bool force, struct vdev_leaf **ret);
void vdev_leaf_close(struct vdev_leaf *l);
int vdev_leaf_read_label(struct vdev_leaf *l, json_t **ret_config, struct uberblock *ret_best);
int vdev_leaf_write_labels(struct vdev_leaf *l, const char *config, uint64_t txg);
int vdev_leaf_write_uberblock(struct vdev_leaf *l, const struct uberblock *ub);
int vdev_leaf_wipe_labels(struct vdev_leaf *l);
/* Leaf I/O that counts operations and bytes for zpool iostat. */
int vdev_leaf_pread(struct vdev_leaf *l, void *buf, size_t n, uint64_t off);
int vdev_leaf_pwrite(struct vdev_leaf *l, const void *buf, size_t n, uint64_t off);
/* A side that can serve reads: present and not being resilvered. */
/* Can n bytes at off move between the device and a buffer of zio_buf_alloc() without the page
 * cache? */
bool vdev_leaf_direct(const struct vdev_leaf *l, size_t n, uint64_t off);
static inline bool vdev_leaf_readable(const struct vdev_leaf *l)
{
	return !l->missing && !l->resilvering;
}
/* Read n bytes at off from a top-level vdev, trying each mirror side in turn until verify()
 * accepts the data (verify NULL: first success). Sides that returned bad data are rewritten
 * with the good copy and their counters bumped. */
typedef bool (*vdev_verify_fn)(const void *buf, size_t n, void *arg);
int vdev_top_read(struct spa *spa, struct vdev_top *vd, void *buf, size_t n, uint64_t off,
		  vdev_verify_fn verify, void *arg);
int vdev_top_write(struct spa *spa, struct vdev_top *vd, const void *buf, size_t n, uint64_t off);
int spa_flush_all(struct spa *spa);
uint64_t spa_guid_sum(struct spa *spa);
void vdev_top_free(struct vdev_top *vd);
const char *vdev_top_state(struct vdev_top *vd);

/* fault-injecting leaf for crash tests ("fault:" path prefix) */
int vdev_fault_open(const char *path, struct vdev_leaf *l);
/* Power cut: every fault leaf keeps a random subset of its unflushed writes (some torn) and
 * fails all further I/O. */
void vdev_fault_powercut(uint64_t seed);
/* Cut the power by itself after that many more writes (the crash lands mid-commit). */
void vdev_fault_arm(long writes, uint64_t seed);
/* Reset the failed state (the machine came back). */
void vdev_fault_reset(void);

/* ---- allocation ---- */
int space_init(struct spa *spa, struct vdev_top *vd);
int space_alloc(struct spa *spa, uint64_t asize, int copies, struct dva *ret, bool metadata);
/* Free a block's copy: at once when born in the open txg, else after the uberblock ring. */
void space_free(struct spa *spa, const struct dva *dva, uint64_t birth);
uint64_t space_total(struct spa *spa);
uint64_t space_allocated(struct spa *spa);
/* What the open txg's dirty data comes on top of: allocated space but what blocks written early
 * in it hold, less frees that become reusable when it commits. */
uint64_t space_used_before_open(struct spa *spa);
uint64_t space_slop(struct spa *spa);
void space_release_deferred(struct spa *spa, uint64_t txg);
/* Deferred bytes that the last committed uberblock no longer references. */
uint64_t space_reclaimable(struct spa *spa);
/* Under space pressure: forget every uberblock in the rings but the last committed one, then
 * release every deferred free it does not reference. */
int space_collapse_ring(struct spa *spa);
int space_sync(struct spa *spa, bool *ret_dirtied);
int space_load(struct spa *spa);
int space_create_objects(struct spa *spa);

/* ---- block I/O ---- */
struct zio_prop {
	uint8_t type, level;
	uint8_t compress, checksum;
	uint8_t copies;
	/* allocate for the uncompressed size (and never make a hole), so that the block can be
	 * rewritten in place whatever it compresses to: for blocks rewritten until sync converges
	 */
	bool alloc_full;
	bool metadata; /* allocated apart from file data (see space_alloc) */
};
uint64_t zio_asize(struct spa *spa, uint64_t psize);
/* Blocks of a page or more start on a page, so that a leaf opened with O_DIRECT (vdev.c) moves
 * them between the device and memory without the page cache; smaller ones are not worth the
 * alignment's waste. */
#define ZIO_BUF_ALIGN 4096
/* Does buf hold the block bp points to (its checksum)? */
bool zio_verify(const struct blkptr *bp, const void *buf);
/* A block's buffer, aligned for the devices' direct I/O when it is a page or more (zeroed if
 * zero); freed with free(). */
void *zio_buf_alloc(size_t n, bool zero);
/* arc_prefault.c: a thread that makes the heap's new memory present before blocks use it.
 * Start and stop it (with the engine); tell it n more bytes were allocated for blocks. */
void arc_prefault_start(void);
void arc_prefault_stop(void);
void arc_prefault_kick(size_t n);
/* Write a block for txg. reuse (may be NULL): a bp born in this txg whose DVAs are overwritten in
 * place when the new data fits them (ret_bp then has the same DVAs). An all-zero block becomes a
 * hole (no allocation) unless compression is off or the block is allocated full. Only the
 * compressed bytes are written. */
int zio_write(struct spa *spa, const void *data, uint32_t lsize, const struct zio_prop *zp,
	      uint64_t txg, const struct blkptr *reuse, struct blkptr *ret_bp);
/* zio_write in two steps, for a writer that allocates in between (dbuf_early.c): compress and
 * checksum (ret_bp without its addresses; *ret_out the bytes to write, NULL for a hole: data
 * itself or *ret_pbuf, the caller's to free); then write every copy where ret_bp's DVAs say. */
int zio_write_prepare(struct spa *spa, const void *data, uint32_t lsize, const struct zio_prop *zp,
		      uint64_t txg, struct blkptr *ret_bp, const uint8_t **ret_out,
		      uint8_t **ret_pbuf);
int zio_write_issue(struct spa *spa, const struct blkptr *bp, const void *out);
int zio_read(struct spa *spa, const struct blkptr *bp, void *buf);

/* dbuf_early.c: the pool's early writer. Quiesce, under the pool's lock, at the start of a
 * commit: no early write is under way after it, nor starts before the lock is released. Stop its
 * thread (without the lock) and free it, when the pool goes. */
void early_quiesce(struct spa *spa);
void early_stop(struct spa *spa);
void early_fini(struct spa *spa);

/* zfetch.c: read-ahead. Start reading the block bp points to, in the background, if its device
 * is read directly; take the buffer it was read into (verified, the caller's to free), or NULL
 * when there is none; stop the thread and free the buffers. */
void zfetch_start(struct spa *spa, const struct blkptr *bp);
void *zfetch_take(struct spa *spa, const struct blkptr *bp);
void zfetch_fini(struct spa *spa);
/* Verify every copy of a block on every mirror side and rewrite the bad ones from a good one. */
int zio_scrub(struct spa *spa, const struct blkptr *bp, uint64_t *ret_repaired);
/* Copy a block onto the resilvering sides of the mirrors its copies are on, from a verified
 * copy. 0 (*ret_copied: bytes written), -EIO when no copy verifies, -ENXIO when a write onto a
 * resilvering side failed. */
int zio_resilver(struct spa *spa, const struct blkptr *bp, uint64_t *ret_copied);

/* ---- attach, detach, resilver ---- */
/* With the pool lock: claim the scan for a resilver of the resilvering sides. *ret_run: the
 * caller must then call spa_resilver_run() (after spa_exit); false when there is nothing to
 * resilver or a running resilver was told to walk again. -EBUSY while a scrub runs. */
int spa_resilver_start(struct spa *spa, bool *ret_run);
/* Without the pool lock: run the claimed resilver here to its end (wait) or in a thread. */
int spa_resilver_run(struct spa *spa, bool wait);
/* Take child c out of vd (a mirror left with one side becomes a plain leaf); the caller marks
 * the config dirty, commits, then releases the leaf. */
struct vdev_leaf *spa_vdev_remove_leaf(struct spa *spa, struct vdev_top *vd, int c);
/* Close a removed leaf; wipe: clear its labels, so that it no longer imports as the pool. */
void spa_vdev_release_leaf(struct vdev_leaf *l, bool wipe);
/* Free a block's DVAs: at once if born in the syncing/open txg, otherwise deferred. */
void zio_free(struct spa *spa, const struct blkptr *bp);
uint64_t bp_asize(const struct blkptr *bp);

/* ---- the pool namespace ---- */
struct spa *spa_lookup(const char *name); /* namespace lock held by caller */
void spa_namespace_enter(void);
void spa_namespace_exit(void);
void spa_dirty_ds(struct spa *spa, struct dsl_dataset *ds);
struct spa *spa_first(void);
void spa_namespace_add(struct spa *spa);
void spa_namespace_remove(struct spa *spa);
/* Rewrite the cache file of imported pools and their devices; the namespace lock is held. */
int spa_cache_write(void);
struct spa *spa_alloc(const char *name);
void spa_free(struct spa *spa);
/* Commit the open txg even if nothing is dirty. */
int spa_sync_force(struct spa *spa);
json_t *spa_config(struct spa *spa, const char *state, uint64_t this_guid);
int spa_write_labels(struct spa *spa, const char *state);
uint64_t vdev_usable(uint64_t devsize, unsigned ashift);
int spa_lock_devices(struct spa *spa);
int spa_history_append(struct spa *spa, const char *line);
int spa_history_read(struct spa *spa, char **ret);
int spa_create_mos(struct spa *spa, const char *const *fsprops);
int spa_load_mos(struct spa *spa);

#endif
