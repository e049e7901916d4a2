/* SPDX-License-Identifier: MIT */
/*
 * spa.c - pools: creating one on a set of devices, importing it from their labels, the
 * transaction-group commit that makes a set of changes durable atomically, export and destroy,
 * and the namespace of imported pools.
 *
 * The commit (spa_sync): release frees old enough to be reused; write every dirty dataset's
 * object set (copy-on-write: new blocks only); then write the MOS, again and again until the
 * space maps it contains stop changing (later passes rewrite this txg's own blocks in place, so
 * it converges); flush every device; write the new uberblock into every label's ring; flush.
 * Until that last flush the previous uberblock, and everything it points to, is intact.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

#include "dsl_impl.h"
#include "zap.h"

/* Dirty data that commits early: half the block cache's bound (the default cache holds it with
 * room for reads), and at least 256 MiB. As ZFS's limit it scales with memory: a larger open txg
 * means fewer commits for data rewritten within one, and one commit writes each dirty block once
 * however many times it changed. */
#define DIRTY_MIN (256ull << 20)

static uint64_t dirty_max(const struct spa *spa)
{
	return MAX(DIRTY_MIN, spa->arc.max / 2);
}

static pthread_mutex_t ns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct spa *ns_pools;

void spa_namespace_enter(void)
{
	pthread_mutex_lock(&ns_lock);
}

void spa_namespace_exit(void)
{
	pthread_mutex_unlock(&ns_lock);
}

struct spa *spa_lookup(const char *name)
{
	struct spa *spa;

	for (spa = ns_pools; spa; spa = spa->next)
		if (streq(spa->name, name))
			return spa;
	return NULL;
}

struct spa *spa_first(void)
{
	return ns_pools;
}

void spa_namespace_add(struct spa *spa)
{
	spa->next = ns_pools;
	ns_pools = spa;
}

void spa_namespace_remove(struct spa *spa)
{
	struct spa **pp;

	for (pp = &ns_pools; *pp; pp = &(*pp)->next)
		if (*pp == spa) {
			*pp = spa->next;
			return;
		}
}

void spa_enter(spa_t *spa)
{
	pthread_mutex_lock(&spa->lock);
}

void spa_exit(spa_t *spa)
{
	if (!spa->readonly && spa->dirty_bytes > dirty_max(spa))
		(void)spa_sync(spa);
	/* a write failed for space while frees wait in the open txg: commit them, so that the
	 * next write can have their space */
	if (!spa->readonly && spa->enospc && spa->defer_open_bytes)
		(void)spa_sync(spa);
	spa->enospc = false;
	arc_evict(&spa->arc); /* nothing holds a cached block between operations */
	pthread_mutex_unlock(&spa->lock);
}

const char *spa_name(spa_t *spa)
{
	return spa->name;
}

uint64_t spa_open_txg(spa_t *spa)
{
	return spa->txg;
}

uint64_t spa_last_synced_txg(spa_t *spa)
{
	return spa->ub.txg;
}

uint64_t spa_available(spa_t *spa)
{
	return dsl_pool_available(spa);
}

void spa_log_error(spa_t *spa, uint64_t dsobj, uint64_t obj)
{
	size_t i;

	for (i = 0; i < spa->nerrlog; i++)
		if (spa->errlog[i].dsobj == dsobj && spa->errlog[i].obj == obj)
			return;
	spa->errlog = bs_realloc(spa->errlog, (spa->nerrlog + 1) * sizeof(*spa->errlog));
	spa->errlog[spa->nerrlog].dsobj = dsobj;
	spa->errlog[spa->nerrlog].obj = obj;
	spa->nerrlog++;
}

/* ---- configuration ---- */

json_t *spa_config(struct spa *spa, const char *state, uint64_t this_guid)
{
	json_t *c = json_object(), *tops = json_array();
	int v, i;

	json_object_set_new(c, "name", json_string(spa->name));
	json_object_set_new(c, "guid", json_integer((json_int_t)spa->guid));
	json_object_set_new(c, "version", json_integer(FORMAT_VERSION));
	json_object_set_new(c, "state", json_string(state));
	json_object_set_new(c, "txg", json_integer((json_int_t)spa->txg));
	json_object_set_new(c, "ashift", json_integer(spa->ashift));
	json_object_set_new(c, "this_guid", json_integer((json_int_t)this_guid));
	for (v = 0; v < spa->nvdevs; v++) {
		struct vdev_top *vd = spa->vdev[v];
		json_t *t = json_object(), *kids = json_array();

		json_object_set_new(t, "type", json_string(vd->mirror ? "mirror" : "leaf"));
		json_object_set_new(t, "id", json_integer(vd->id));
		json_object_set_new(t, "guid", json_integer((json_int_t)vd->guid));
		json_object_set_new(t, "asize", json_integer((json_int_t)vd->asize));
		for (i = 0; i < vd->nchildren; i++) {
			json_t *k = json_object();

			json_object_set_new(k, "path", json_string(vd->child[i]->path));
			json_object_set_new(k, "guid",
					    json_integer((json_int_t)vd->child[i]->guid));
			if (vd->child[i]->resilvering)
				json_object_set_new(k, "resilvering", json_true());
			if (vd->child[i]->replacing)
				json_object_set_new(
					k, "replacing",
					json_integer((json_int_t)vd->child[i]->replacing));
			json_array_append_new(kids, k);
		}
		json_object_set_new(t, "children", kids);
		json_array_append_new(tops, t);
	}
	json_object_set_new(c, "vdev_tree", tops);
	return c;
}

int spa_write_labels(struct spa *spa, const char *state)
{
	int v, i, r;

	for (v = 0; v < spa->nvdevs; v++)
		for (i = 0; i < spa->vdev[v]->nchildren; i++) {
			struct vdev_leaf *l = spa->vdev[v]->child[i];
			json_t *c;
			char *text;

			if (l->missing)
				continue;
			c = spa_config(spa, state, l->guid);
			text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(c);
			r = vdev_leaf_write_labels(l, text, spa->txg);
			free(text);
			if (r < 0)
				return r;
		}
	return 0;
}

/* ---- the commit ---- */

static bool spa_dirty(struct spa *spa)
{
	return spa->ndirty_ds || spa->mos->dirty || spa->defer_dirty || spa->config_dirty;
}

static int write_uberblock(struct spa *spa, uint64_t txg)
{
	struct uberblock ub = { 0 };
	int v, i, good = 0, r;

	ub.magic = UB_MAGIC;
	ub.version = FORMAT_VERSION;
	ub.txg = txg;
	ub.guid_sum = spa_guid_sum(spa);
	ub.timestamp = bs_now_ns() / 1000000000ull;
	ub.rootbp = spa->mos->bp;
	zio_checksum_compute(ZIO_CKSUM_SHA256, &ub, offsetof(struct uberblock, cksum), ub.cksum);
	r = spa_flush_all(spa);
	if (r < 0)
		return bs_error(EIO, "pool '%s': I/O error flushing devices", spa->name);
	for (v = 0; v < spa->nvdevs; v++)
		for (i = 0; i < spa->vdev[v]->nchildren; i++) {
			struct vdev_leaf *l = spa->vdev[v]->child[i];

			if (!l->missing && vdev_leaf_write_uberblock(l, &ub) == 0)
				good++;
		}
	if (!good)
		return bs_error(EIO, "pool '%s': cannot write uberblock", spa->name);
	r = spa_flush_all(spa);
	if (r < 0)
		return bs_error(EIO, "pool '%s': I/O error flushing devices", spa->name);
	spa->ub = ub;
	return 0;
}

int spa_sync_force(struct spa *spa)
{
	uint64_t txg = spa->txg;
	struct blkptr rootbp;
	int pass, r = 0;

	if (spa->readonly)
		return -EROFS;
	early_quiesce(spa);
	spa->syncing_txg = txg;
	space_release_deferred(spa, txg);
	if (space_total(spa) - (space_allocated(spa) - spa->early_allocated) <
		    spa->dirty_bytes + space_slop(spa) / 2 &&
	    space_reclaimable(spa)) {
		r = space_collapse_ring(spa);
		if (r < 0)
			goto out;
	}
	while (spa->ndirty_ds) {
		struct dsl_dataset *ds = spa->dirty_ds[--spa->ndirty_ds];

		r = dsl_dataset_sync(ds, txg);
		if (r < 0) {
			spa->ndirty_ds++;
			goto out;
		}
	}
	for (pass = 1;; pass++) {
		bool changed;

		spa->sync_pass = pass;
		r = space_sync(spa, &changed);
		if (r < 0)
			goto out;
		if (!spa->mos->dirty)
			break;
		VERIFY(pass < 64);
		r = objset_sync(spa->mos, txg, &rootbp);
		if (r < 0)
			goto out;
	}
	if (spa->config_dirty) {
		r = spa_write_labels(spa, "active");
		if (r < 0)
			goto out;
		spa->config_dirty = false;
	}
	r = write_uberblock(spa, txg);
	if (r < 0)
		goto out;
	spa->txg = txg + 1;
	spa->dirty_bytes = 0;
	spa->defer_open_bytes = 0;
out:
	spa->syncing_txg = 0;
	spa->sync_pass = 0;
	if (r < 0) {
		log_err("pool '%s': txg %llu did not commit: %s; the pool is now read-only",
			spa->name, (unsigned long long)txg, bs_strerror(r));
		spa->readonly = true;
	}
	return r;
}

int spa_sync(spa_t *spa)
{
	if (spa->readonly)
		return 0;
	if (!spa_dirty(spa))
		return 0;
	return spa_sync_force(spa);
}

/* ---- the MOS ---- */

static void mos_born(struct objset *os, const struct blkptr *bp)
{
	(void)os;
	(void)bp;
}

static void mos_kill(struct objset *os, const struct blkptr *bp)
{
	zio_free(os->spa, bp);
}

const struct objset_ops spa_mos_ops = { .born = mos_born, .kill = mos_kill };

void spa_free(struct spa *spa)
{
	int v;

	if (!spa)
		return;
	zfetch_fini(spa);
	early_stop(spa);
	dsl_dataset_evict_all(spa);
	objset_close(spa->mos);
	early_fini(spa);
	for (v = 0; v < spa->nvdevs; v++)
		vdev_top_free(spa->vdev[v]);
	free(spa->vdev);
	free(spa->defer);
	free(spa->dirty_ds);
	free(spa->errlog);
	free(spa->altroot);
	free(spa->name);
	pthread_mutex_destroy(&spa->lock);
	pthread_rwlock_destroy(&spa->vdev_lock);
	free(spa);
}

struct spa *spa_alloc(const char *name)
{
	struct spa *spa = bs_zalloc(sizeof(*spa));
	pthread_mutexattr_t a;
	pthread_rwlockattr_t ra;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&spa->lock, &a);
	pthread_mutexattr_destroy(&a);
	/* writers first: a stream of readers must not keep a detach waiting */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&spa->vdev_lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	spa->name = bs_strdup(name);
	spa->arc.max = arc_default_max();
	return spa;
}

uint64_t vdev_usable(uint64_t devsize, unsigned ashift)
{
	uint64_t end = P2ALIGN(devsize, (uint64_t)LABEL_SIZE) - 2ull * LABEL_SIZE;

	if (end <= VDEV_DATA_START)
		return 0;
	return P2ALIGN(end - VDEV_DATA_START, 1ull << ashift);
}

/* Lock every leaf so that no other process can open the pool while we have it. */
int spa_lock_devices(struct spa *spa)
{
	int v, i;

	for (v = 0; v < spa->nvdevs; v++)
		for (i = 0; i < spa->vdev[v]->nchildren; i++) {
			struct vdev_leaf *l = spa->vdev[v]->child[i];

			if (l->missing || l->fd < 0)
				continue;
			if (flock(l->fd, LOCK_EX | LOCK_NB) < 0)
				return bs_error(EBUSY,
						"pool '%s' is in use by another process "
						"(device '%s' is locked)",
						spa->name, l->path);
		}
	return 0;
}

int spa_history_append(struct spa *spa, const char *line)
{
	uint64_t len;
	_cleanup_free_ char *rec = NULL;
	int r;

	if (!spa->history_obj)
		return 0;
	r = dmu_read(spa->mos, spa->history_obj, 0, 8, &len);
	if (r < 0)
		return r;
	rec = bs_asprintf("%llu\t%s\n", (unsigned long long)(bs_now_ns() / 1000000000ull), line);
	r = dmu_write(spa->mos, spa->history_obj, 8 + len, strlen(rec), rec);
	if (r < 0)
		return r;
	len += strlen(rec);
	return dmu_write(spa->mos, spa->history_obj, 0, 8, &len);
}

int spa_history_read(struct spa *spa, char **ret)
{
	uint64_t len;
	char *buf;
	int r;

	r = dmu_read(spa->mos, spa->history_obj, 0, 8, &len);
	if (r < 0)
		return r;
	if (len > (64ull << 20))
		return -EIO;
	buf = bs_malloc(len + 1);
	r = dmu_read(spa->mos, spa->history_obj, 8, len, buf);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = 0;
	*ret = buf;
	return 0;
}

/* Lay out the MOS of a new pool whose vdevs are set up; leaves the first txg to sync. */
int spa_create_mos(struct spa *spa, const char *const *fsprops)
{
	uint64_t zero = 0;
	char key[32];
	int v, r;

	spa->txg = 1;
	spa->mos = objset_create(spa, DMU_OST_META, &spa_mos_ops);
	r = zap_create_claim(spa->mos, MOS_DIRECTORY_OBJ, DMU_OT_OBJECT_DIRECTORY);
	if (r < 0)
		return r;
	for (v = 0; v < spa->nvdevs; v++)
		space_init(spa, spa->vdev[v]);
	r = space_create_objects(spa);
	if (r < 0)
		return r;
	for (v = 0; v < spa->nvdevs; v++) {
		snprintf(key, sizeof(key), "space_map_%d", v);
		r = zap_add_u64(spa->mos, MOS_DIRECTORY_OBJ, key, spa->vdev[v]->sm_obj);
		if (r < 0)
			return r;
	}
	r = zap_add_u64(spa->mos, MOS_DIRECTORY_OBJ, MOS_DEFER, spa->defer_obj);
	if (r == 0)
		r = dmu_object_alloc(spa->mos, DMU_OT_HISTORY, 16u << 10, 0, 0, &spa->history_obj);
	if (r == 0)
		r = dmu_write(spa->mos, spa->history_obj, 0, 8, &zero);
	if (r == 0)
		r = zap_add_u64(spa->mos, MOS_DIRECTORY_OBJ, MOS_HISTORY, spa->history_obj);
	if (r == 0)
		r = dsl_pool_create_root(spa, fsprops);
	spa->config_dirty = true;
	return r;
}

/* Open the MOS of an imported pool from its uberblock. */
int spa_load_mos(struct spa *spa)
{
	char key[32];
	int v, r;

	r = objset_open(spa, &spa->ub.rootbp, &spa_mos_ops, &spa->mos);
	if (r < 0)
		return r;
	r = zap_lookup_u64(spa->mos, MOS_DIRECTORY_OBJ, MOS_ROOT_DIR, &spa->root_dir_obj);
	if (r == 0)
		r = zap_lookup_u64(spa->mos, MOS_DIRECTORY_OBJ, MOS_DEFER, &spa->defer_obj);
	if (r == 0)
		r = zap_lookup_u64(spa->mos, MOS_DIRECTORY_OBJ, MOS_HISTORY, &spa->history_obj);
	for (v = 0; r == 0 && v < spa->nvdevs; v++) {
		space_init(spa, spa->vdev[v]);
		snprintf(key, sizeof(key), "space_map_%d", v);
		r = zap_lookup_u64(spa->mos, MOS_DIRECTORY_OBJ, key, &spa->vdev[v]->sm_obj);
	}
	if (r == 0)
		r = space_load(spa);
	if (r < 0)
		return bs_error(EIO, "pool '%s': metadata is damaged and cannot be read",
				spa->name);
	spa->txg = spa->ub.txg + 1;
	return 0;
}
