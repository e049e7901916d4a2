/* SPDX-License-Identifier: MIT */
/*
 * zpl_ctldir.c - the snapshots behind a mounted file system's .zfs/snapshot directory. The
 * list of snapshots is read from the head dataset's snapshot names on every lookup and readdir,
 * under the pool lock, so snapshots taken, renamed or destroyed while mounted show at once.
 *
 * A snapshot the kernel reaches is opened in a slot: the snapshot's dataset gets a long hold
 * (so that `zfs destroy` of it fails with "dataset is busy") and its object set a read-only
 * struct zpl_fs, through which every read path of zpl.c serves it. The slot lives while the
 * kernel holds any reference (lookup or open) on an object of that file system; when the last
 * one goes (zpl_snapdir_put), the file system is closed and the hold dropped. Slots are
 * numbered from 1 and reused; the FUSE glue puts the slot number in the high bits of the
 * inode numbers it hands out.
 *
 * Only the serving thread opens and closes slots; it does so under the pool lock, so another
 * thread may look at them under the pool lock too.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>

#include <basalt/base.h>

#include "dsl_impl.h"
#include "zap.h"
#include "zpl.h"
#include "zpl_impl.h"

struct snap_slot {
	dsl_dataset_t *ds; /* NULL: the slot is free */
	struct zpl_fs *fs;
};

struct zpl_snapdir {
	spa_t *spa;
	dsl_dataset_t *head;
	struct snap_slot *slots; /* slot n is slots[n - 1] */
	unsigned nslots;
};

int zpl_snapdir_open(objset_t *os, struct zpl_snapdir **ret)
{
	struct zpl_snapdir *sd;

	if (!dmu_objset_ds(os) || dmu_objset_is_snapshot(os))
		return -EINVAL;
	sd = bs_zalloc(sizeof(*sd));
	sd->spa = dmu_objset_spa(os);
	sd->head = dmu_objset_ds(os);
	*ret = sd;
	return 0;
}

void zpl_snapdir_close(struct zpl_snapdir *sd)
{
	if (!sd)
		return;
	for (unsigned i = 0; i < sd->nslots; i++) {
		struct snap_slot *s = &sd->slots[i];

		if (!s->ds)
			continue;
		zpl_fs_close(s->fs);
		spa_enter(sd->spa);
		dsl_dataset_long_rele(s->ds);
		spa_exit(sd->spa);
	}
	free(sd->slots);
	free(sd);
}

bool zpl_snapdir_visible(struct zpl_snapdir *sd)
{
	_cleanup_free_ char *v = NULL;
	bool visible;

	spa_enter(sd->spa);
	visible = dsl_prop_get_string(sd->head, "snapdir", &v) == 0 && streq(v, "visible");
	spa_exit(sd->spa);
	return visible;
}

int zpl_snapdir_readdir(struct zpl_snapdir *sd, uint64_t cookie, zpl_dirent_cb cb, void *arg)
{
	char name[ZAP_MAXNAMELEN];
	uint64_t dsobj;
	size_t len;
	int r;

	spa_enter(sd->spa);
	for (;;) {
		uint64_t next = cookie;

		r = zap_next(sd->spa->mos, sd->head->phys.snapnames_obj, &next, name, &dsobj,
			     sizeof(dsobj), &len);
		if (r == -EOVERFLOW || (r > 0 && len != sizeof(dsobj)))
			r = -EIO;
		if (r <= 0)
			break;
		if (cb(arg, name, dsobj, DT_DIR, next) != 0) {
			r = 0;
			break;
		}
		cookie = next;
	}
	spa_exit(sd->spa);
	return r;
}

static unsigned slot_of(struct zpl_snapdir *sd, uint64_t dsobj)
{
	for (unsigned i = 0; i < sd->nslots; i++)
		if (sd->slots[i].ds && dsl_dataset_obj(sd->slots[i].ds) == dsobj)
			return i + 1;
	return 0;
}

/* Put an open snapshot in a free slot; pool lock held. 0 if every slot is taken. */
static unsigned slot_add(struct zpl_snapdir *sd, dsl_dataset_t *ds, struct zpl_fs *fs)
{
	unsigned i;

	for (i = 0; i < sd->nslots; i++)
		if (!sd->slots[i].ds)
			break;
	if (i == sd->nslots) {
		unsigned n;

		if (sd->nslots >= ZPL_SNAP_SLOTS)
			return 0;
		n = MIN(MAX(sd->nslots * 2, 8u), (unsigned)ZPL_SNAP_SLOTS);
		sd->slots = bs_realloc(sd->slots, n * sizeof(*sd->slots));
		memset(sd->slots + sd->nslots, 0, (n - sd->nslots) * sizeof(*sd->slots));
		sd->nslots = n;
	}
	sd->slots[i].ds = ds;
	sd->slots[i].fs = fs;
	return i + 1;
}

int zpl_snapdir_lookup(struct zpl_snapdir *sd, const char *name, unsigned *ret_slot,
		       uint64_t *ret_dsobj, struct stat *ret_st, uint64_t *ret_gen)
{
	dsl_dataset_t *ds = NULL;
	struct zpl_fs *fs = NULL;
	objset_t *os = NULL;
	uint64_t dsobj;
	unsigned slot;
	int r;

	if (strnlen(name, ZAP_MAXNAMELEN) >= ZAP_MAXNAMELEN)
		return -ENAMETOOLONG;
	spa_enter(sd->spa);
	r = zap_lookup_u64(sd->spa->mos, sd->head->phys.snapnames_obj, name, &dsobj);
	if (r == -EOVERFLOW)
		r = -EIO;
	slot = r == 0 ? slot_of(sd, dsobj) : 0;
	if (r == 0 && !slot) {
		r = dsl_dataset_hold_obj(sd->spa, dsobj, &ds);
		if (r == 0 &&
		    (!dsl_dataset_is_snapshot(ds) || dsl_dataset_ostype(ds) != DMU_OST_ZFS))
			r = -EIO;
		if (r == 0)
			r = dsl_dataset_objset(ds, &os);
		if (r == 0)
			dsl_dataset_long_hold(ds);
	}
	spa_exit(sd->spa);
	if (r < 0)
		return r;

	if (!slot) {
		/* the long hold keeps the snapshot while the lock is dropped to open it */
		r = zpl_fs_open(os, true, &fs);
		spa_enter(sd->spa);
		if (r == 0) {
			slot = slot_add(sd, ds, fs);
			if (!slot)
				r = -ENFILE;
		}
		if (r < 0)
			dsl_dataset_long_rele(ds);
		spa_exit(sd->spa);
		if (r < 0) {
			zpl_fs_close(fs);
			return r;
		}
	}
	fs = sd->slots[slot - 1].fs;
	r = zpl_lookup(fs, zpl_fs_root(fs), ".", ret_st, ret_gen);
	if (r < 0) {
		zpl_snapdir_put(sd, slot);
		return r;
	}
	*ret_slot = slot;
	*ret_dsobj = dsobj;
	return 0;
}

struct zpl_fs *zpl_snapdir_fs(struct zpl_snapdir *sd, unsigned slot)
{
	if (slot == 0 || slot > sd->nslots || !sd->slots[slot - 1].ds)
		return NULL;
	return sd->slots[slot - 1].fs;
}

uint64_t zpl_snapdir_dsobj(struct zpl_snapdir *sd, unsigned slot)
{
	if (slot == 0 || slot > sd->nslots || !sd->slots[slot - 1].ds)
		return 0;
	return dsl_dataset_obj(sd->slots[slot - 1].ds);
}

unsigned zpl_snapdir_slot(struct zpl_snapdir *sd, uint64_t dsobj)
{
	return slot_of(sd, dsobj);
}

void zpl_snapdir_put(struct zpl_snapdir *sd, unsigned slot)
{
	struct snap_slot *s;
	struct zpl_fs *fs = NULL;

	if (slot == 0 || slot > sd->nslots)
		return;
	s = &sd->slots[slot - 1];
	spa_enter(sd->spa);
	if (s->ds && !zpl_fs_referenced(s->fs)) {
		dsl_dataset_long_rele(s->ds);
		fs = s->fs;
		s->ds = NULL;
		s->fs = NULL;
	}
	spa_exit(sd->spa);
	zpl_fs_close(fs);
}

int zpl_snapdir_open_names(struct zpl_snapdir *sd, const char *name, char ***ret, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0;
	uint64_t dsobj = 0;
	int r = 0;

	spa_enter(sd->spa);
	if (name) {
		r = zap_lookup_u64(sd->spa->mos, sd->head->phys.snapnames_obj, name, &dsobj);
		if (r == -ENOENT)
			r = 0;
		if (r == 0 && dsobj && slot_of(sd, dsobj)) {
			v = bs_malloc(sizeof(*v));
			v[n++] = bs_strdup(name);
		}
	} else {
		for (unsigned i = 0; i < sd->nslots; i++) {
			char *full, *at;

			if (!sd->slots[i].ds)
				continue;
			full = dsl_dataset_name(sd->slots[i].ds);
			at = strchr(full, '@');
			v = bs_realloc(v, (n + 1) * sizeof(*v));
			v[n++] = bs_strdup(at ? at + 1 : full);
			free(full);
		}
	}
	spa_exit(sd->spa);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

bool zpl_snapdir_any_open(struct zpl_snapdir *sd, const char *name)
{
	uint64_t dsobj;
	bool open = false;

	spa_enter(sd->spa);
	if (!name) {
		for (unsigned i = 0; i < sd->nslots && !open; i++)
			open = sd->slots[i].ds != NULL;
	} else if (zap_lookup_u64(sd->spa->mos, sd->head->phys.snapnames_obj, name, &dsobj) == 0) {
		open = slot_of(sd, dsobj) != 0;
	}
	spa_exit(sd->spa);
	return open;
}
