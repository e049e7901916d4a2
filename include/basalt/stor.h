/* SPDX-License-Identifier: MIT */
/*
 * stor.h - the storage engine's interface to commands and the pool daemon: pools, datasets,
 * snapshots, clones, properties, send/receive, scrub and mounts, addressed by name as the zpool
 * and zfs commands address them. Every call is safe from any thread of the daemon; each pool
 * serialises its own work. Listings are returned as jansson objects so that commands choose the
 * columns and the format (-H, -p, -o, --json) without the engine knowing about output.
 */
#ifndef BASALT_STOR_H
#define BASALT_STOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- pools ---- */
struct stor_pool_create_opts {
	unsigned ashift;	    /* 0: 12 (4 KiB sectors) */
	bool force;		    /* -f: use devices that hold another pool's label */
	const char *mountpoint;	    /* -m: root dataset's mountpoint, NULL for "/NAME" */
	const char *altroot;	    /* -R */
	const char *const *fsprops; /* -O name=value..., NULL-terminated, may be NULL */
};

/*
 * Create a pool on the devices named by a zpool-style vdev spec: "a b c" stripes over three
 * devices, "mirror a b" is a two-way mirror, "mirror a b mirror c d" stripes over two mirrors.
 * A device that is a regular file must exist (zpool create never grows files); its size is used.
 */
int stor_pool_create(const char *name, int nspec, char *const *spec,
		     const struct stor_pool_create_opts *opts);
/* Import a pool by name or numeric guid, searching dir (NULL: the daemon's device cache). */
int stor_pool_import(const char *name_or_guid, const char *dir);
/* The pools that could be imported from dir: [{name, guid, state, devices:[...]}, ...] */
int stor_pool_import_scan(const char *dir, json_t **ret);
int stor_pool_export(const char *name, bool force);
int stor_pool_destroy(const char *name, bool force);
/* Re-import every pool in the cache file ($BASALT_ROOT/zpool.cache); errors are logged. */
int stor_pool_import_cached(void);
/* Export every pool (daemon shutdown). */
void stor_pool_export_all(void);

/* [{name, size, alloc, free, ckpoint, expandsz, frag, cap, dedup, health, altroot, guid, txg}] */
int stor_pool_list(const char *name_or_null, json_t **ret);
/* {name, state, guid, txg, scan:{...}, config: vdev tree with read/write/cksum counters,
 *  errors: ["pool/ds:/path" ...]} */
int stor_pool_status(const char *name, json_t **ret);
/* Start a scrub; wait: run it to the end before returning. stop: cancel (zpool scrub -s). */
int stor_pool_scrub(const char *name, bool wait, bool stop);
/* Append to / read the pool's command history: [{time, command}] */
int stor_pool_history_log(const char *name, const char *command);
int stor_pool_history(const char *name, json_t **ret);
/* Pool properties: {prop: {value, source}} (size, capacity, health, guid, ashift, ...) */
int stor_pool_get_props(const char *name, json_t **ret);
/* Write every pool's open transaction group now and wait for it to be on disk. */
int stor_pool_sync(const char *name_or_null);
/*
 * Mirrors (zpool attach/detach/replace). A device is named by its path or its guid. attach makes
 * device, a plain top-level device or a side of a mirror, into or part of a mirror with new_dev
 * and resilvers it; replace attaches new_dev next to old and detaches old once the resilver is
 * done (old may be missing); detach takes one side out of a mirror. force: use a device that
 * holds another pool's label. wait: return when the resilver is done.
 */
int stor_pool_attach(const char *pool, const char *device, const char *new_dev, bool force,
		     bool wait);
int stor_pool_replace(const char *pool, const char *old, const char *new_dev, bool force,
		      bool wait);
int stor_pool_detach(const char *pool, const char *device);
/* Wait until no resilver runs on the pool. */
int stor_pool_wait_resilver(const char *pool);
/* I/O counters since import: {name, alloc, free, time, since, read_ops, write_ops, read_bytes,
 * write_bytes, children: [top-level vdevs, each with the same and children: [leaves]]} */
int stor_pool_iostat(const char *pool, json_t **ret);

/* ---- datasets ---- */
enum stor_ds_type {
	STOR_TYPE_FILESYSTEM = 1,
	STOR_TYPE_VOLUME = 2,
	STOR_TYPE_SNAPSHOT = 4,
	STOR_TYPE_BOOKMARK = 8,
	STOR_TYPE_ALL = 15,
};

/* props: NULL-terminated "name=value" strings. volsize: 0 for a file system. */
int stor_ds_create(const char *name, enum stor_ds_type type, uint64_t volsize,
		   const char *const *props, bool parents);
#define STOR_DESTROY_RECURSIVE 1  /* -r: children and snapshots */
#define STOR_DESTROY_DEPENDENTS 2 /* -R: also clones, anywhere */
#define STOR_DESTROY_DRYRUN 4	  /* -n */
/* Destroy a dataset or snapshot ("pool/fs@snap", "pool/fs@a%b" ranges not supported);
 * ret_destroyed (may be NULL) lists what was (or, with -n, would be) destroyed. */
int stor_ds_destroy(const char *name, int flags, json_t **ret_destroyed);
/* Snapshot names ("pool/fs@snap"), all taken in one transaction group. recursive: each name's
 * descendants get the same snapshot name, atomically. */
int stor_ds_snapshot(const char *const *names, int n, bool recursive, const char *const *props);
int stor_ds_clone(const char *snapshot, const char *target, const char *const *props, bool parents);
/* Roll back to a snapshot; recursive (-r) destroys later snapshots, otherwise they are an
 * error that names them. */
int stor_ds_rollback(const char *snapshot, bool recursive);
int stor_ds_promote(const char *clone);
int stor_ds_rename(const char *from, const char *to);

/*
 * List datasets: roots NULL-terminated (NULL or empty: every pool), recursive, depth (-1 all),
 * types a mask. Returns [{name, type, props: {prop: {value, raw, source}}}] in name order,
 * where value is formatted as zfs prints it, raw as -p prints it, and source is "default",
 * "local", "inherited from NAME", "temporary", "received" or "-".
 */
int stor_ds_list(const char *const *roots, bool recursive, int depth, int types, json_t **ret);
/* One dataset's properties in the same form, including user properties (with a colon). */
int stor_ds_get_props(const char *name, json_t **ret);
int stor_ds_set_prop(const char *name, const char *prop, const char *value);
int stor_ds_inherit_prop(const char *name, const char *prop, bool recursive);

/* User holds on snapshots. */
int stor_ds_hold(const char *snapshot, const char *tag, bool recursive);
int stor_ds_release(const char *snapshot, const char *tag, bool recursive);
/* [{name, tag, timestamp}] */
int stor_ds_holds(const char *snapshot, bool recursive, json_t **ret);

/*
 * zfs diff: the files that changed from snapshot from to the later snapshot or file system to
 * (NULL: from's own file system, as it is now), in object order: [{change: "+" | "-" | "M" |
 * "R", path, newpath (R only), type: "F" "/" "@" "|" "=" "B" "C", ctime, ctime_nsec}], paths
 * under the file system's mountpoint. to may be a clone of from's file system.
 */
int stor_ds_diff(const char *from, const char *to, json_t **ret);

/* ---- send and receive ---- */
struct stor_send_opts {
	const char *from;   /* -i (NULL: full); a snapshot of the same dataset or of its origin */
	bool intermediates; /* -I: also every snapshot between from and the target */
	bool replicate;	    /* -R: descendants and their snapshots */
	/* -t: resume the receive whose receive_resume_token this is (snapshot then unused) */
	const char *resume_token;
};
/* Write the stream of snapshot to fd. */
int stor_send(const char *snapshot, const struct stor_send_opts *opts, int fd);
struct stor_recv_opts {
	bool force;   /* -F: roll back the target to its latest snapshot first */
	bool nomount; /* -u */
	bool dryrun;  /* -n */
	bool verbose;
	bool resumable; /* -s: a receive that fails keeps what it got, to be resumed */
};
/* Read a stream from fd into target (a file system, or fs@snap to name the snapshot).
 * ret_received (may be NULL) names the snapshots created. */
int stor_recv(const char *target, const struct stor_recv_opts *opts, int fd, json_t **ret_received);
/* zfs receive -A: give up the partial receive kept in fs (destroyed if the receive created it,
 * rolled back to its latest snapshot otherwise). */
int stor_recv_abort(const char *fs);

/* ---- mounts ---- */
int stor_ds_mount(const char *name); /* mount at its mountpoint through FUSE */
int stor_ds_unmount(const char *name, bool force);
int stor_mount_all(void); /* zfs mount -a */
/* [{name, mountpoint}] of what is mounted now */
int stor_mount_list(json_t **ret);
bool stor_is_mounted(const char *name);
/* Let the mounted file system of "fs@snap" close that snapshot if only the kernel's caches
 * keep it open under .zfs/snapshot ("fs": every snapshot of fs); -EBUSY if it stays in use. */
int stor_snapdir_release(const char *name);
/* Unmount one dataset if it is mounted (nothing to do otherwise). */
int stor_unmount_dataset(const char *name, bool force);
/* Unmount and, with automount on, mount again where its properties now say. */
int stor_remount_dataset(const char *name);
/* Unmount a file system and its descendants, deepest first. */
int stor_unmount_tree(const char *name);
/* Unmount every dataset of a pool. */
int stor_unmount_pool(const char *pool, bool force);

/* ---- volumes as files ---- */
/* Serve every volume of every imported pool, and every volume snapshot, as a file under
 * $BASALT_ROOT/run/zvol ("zvol/tank/vms/disk0", "zvol/tank/vms/disk0@snap"), for as long as
 * the pool is imported (the pool daemon). An open file keeps its volume from being destroyed
 * and its pool from being exported. Stop cuts off files still open. */
int stor_zvol_start(void);
void stor_zvol_stop(void);
/* The file of a volume ("pool/vol" or "pool/vol@snap"), whether it exists or not; caller
 * frees. */
char *stor_zvol_path(const char *name);

/* ---- the engine as a whole ---- */
int stor_init(void); /* once per process: the namespace, caches, sync thread */
/* Mount file systems as they are created, cloned or changed (the daemon turns this on). */
void stor_automount(bool on);
void stor_fini(void);

#endif
