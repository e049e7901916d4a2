/* SPDX-License-Identifier: MIT */
/*
 * dsl_dataset.c - datasets and their directories. A dsl_dir is a node of the name tree (its
 * children, its properties, its origin if it is a clone); its head dataset is the live file
 * system or volume, and its snapshots form a chain behind the head, oldest first, each holding
 * the object set as it was. Snapshots and clones cost a few MOS records whatever the dataset's
 * size: the block tree is shared, and birth txgs say which dataset a block belongs to.
 */
#include <time.h>

#include "dsl_impl.h"
#include "zap.h"
#include "zpl.h"

/* ---- the dataset cache and records ---- */

int dsl_dir_read(struct spa *spa, uint64_t obj, struct dsl_dir_phys *ret)
{
	struct dmu_object_info doi;
	int r;

	r = dmu_object_info(spa->mos, obj, &doi);
	if (r < 0)
		return r;
	if (doi.type != DMU_OT_DSL_DIR || doi.bonuslen < sizeof(*ret))
		return bs_error(EIO, "pool '%s': damaged dataset directory", spa->name);
	return dmu_bonus_read(spa->mos, obj, ret, sizeof(*ret));
}

int dsl_dir_write(struct spa *spa, uint64_t obj, const struct dsl_dir_phys *d)
{
	return dmu_bonus_write(spa->mos, obj, d, sizeof(*d));
}

int dsl_dataset_write_phys(struct dsl_dataset *ds)
{
	return dmu_bonus_write(ds->spa->mos, ds->obj, &ds->phys, sizeof(ds->phys));
}

int dsl_dataset_hold_obj(struct spa *spa, uint64_t obj, struct dsl_dataset **ret)
{
	struct dmu_object_info doi;
	struct dsl_dataset *ds;
	int r;

	for (ds = spa->ds_cache; ds; ds = ds->next)
		if (ds->obj == obj) {
			*ret = ds;
			return 0;
		}
	r = dmu_object_info(spa->mos, obj, &doi);
	if (r < 0)
		return r == -ENOENT ? bs_error(EIO, "pool '%s': missing dataset", spa->name) : r;
	if (doi.type != DMU_OT_DSL_DATASET || doi.bonuslen < sizeof(ds->phys))
		return bs_error(EIO, "pool '%s': damaged dataset record", spa->name);
	ds = bs_zalloc(sizeof(*ds));
	ds->spa = spa;
	ds->obj = obj;
	r = dmu_bonus_read(spa->mos, obj, &ds->phys, sizeof(ds->phys));
	if (r < 0) {
		free(ds);
		return r;
	}
	ds->next = spa->ds_cache;
	spa->ds_cache = ds;
	*ret = ds;
	return 0;
}

static void ds_uncache(struct dsl_dataset *ds)
{
	struct spa *spa = ds->spa;
	struct dsl_dataset **pp;
	size_t i;

	for (pp = &spa->ds_cache; *pp; pp = &(*pp)->next)
		if (*pp == ds) {
			*pp = ds->next;
			break;
		}
	for (i = 0; i < spa->ndirty_ds; i++)
		if (spa->dirty_ds[i] == ds)
			spa->dirty_ds[i] = spa->dirty_ds[--spa->ndirty_ds];
	objset_close(ds->os);
	free(ds->dead);
	free(ds);
}

void dsl_dataset_evict_all(struct spa *spa)
{
	while (spa->ds_cache)
		ds_uncache(spa->ds_cache);
}

bool dsl_dataset_is_snapshot(dsl_dataset_t *ds)
{
	return ds->phys.flags & DS_FLAG_SNAPSHOT;
}

enum dmu_objset_type dsl_dataset_ostype(dsl_dataset_t *ds)
{
	return (enum dmu_objset_type)ds->phys.ostype;
}

uint64_t dsl_dataset_guid(dsl_dataset_t *ds)
{
	return ds->phys.guid;
}

uint64_t dsl_dataset_obj(dsl_dataset_t *ds)
{
	return ds->obj;
}

uint64_t dsl_dataset_referenced(dsl_dataset_t *ds)
{
	return ds->phys.referenced;
}

uint64_t dsl_dataset_creation_txg(dsl_dataset_t *ds)
{
	return ds->phys.creation_txg;
}

uint64_t dsl_dataset_creation_time(dsl_dataset_t *ds)
{
	return ds->phys.creation_time;
}

/* ---- block birth and death ---- */

static void ds_born(struct objset *os, const struct blkptr *bp)
{
	struct dsl_dataset *ds = os->ds;
	uint64_t a = bp_asize(bp);

	ds->phys.referenced += a;
	ds->phys.compressed += (uint64_t)bp->psize * bp->ncopies;
	ds->phys.uncompressed += (uint64_t)bp->lsize * bp->ncopies;
	ds->phys.unique += a;
}

static void ds_kill(struct objset *os, const struct blkptr *bp)
{
	struct dsl_dataset *ds = os->ds;
	uint64_t a = bp_asize(bp);

	ds->phys.referenced -= MIN(a, ds->phys.referenced);
	ds->phys.compressed -= MIN((uint64_t)bp->psize * bp->ncopies, ds->phys.compressed);
	ds->phys.uncompressed -= MIN((uint64_t)bp->lsize * bp->ncopies, ds->phys.uncompressed);
	if (bp->birth > ds->phys.prev_snap_txg) {
		ds->phys.unique -= MIN(a, ds->phys.unique);
		zio_free(ds->spa, bp);
		return;
	}
	/* an earlier snapshot still has it */
	if (ds->ndead == ds->dead_cap) {
		ds->dead_cap = ds->dead_cap ? ds->dead_cap * 2 : 64;
		ds->dead = bs_realloc(ds->dead, ds->dead_cap * sizeof(*ds->dead));
	}
	ds->dead[ds->ndead++] = *bp;
}

static const struct objset_ops ds_objset_ops = { .born = ds_born, .kill = ds_kill };

int dsl_dataset_objset(dsl_dataset_t *ds, objset_t **ret)
{
	int r;

	if (!ds->os) {
		r = objset_open(ds->spa, &ds->phys.bp, &ds_objset_ops, &ds->os);
		if (r < 0)
			return r;
		ds->os->ds = ds;
		ds->os->snapshot = dsl_dataset_is_snapshot(ds);
		dsl_prop_apply(ds);
	}
	*ret = ds->os;
	return 0;
}

void spa_dirty_ds(struct spa *spa, struct dsl_dataset *ds)
{
	if (ds->on_dirty_list)
		return;
	if (spa->ndirty_ds == spa->dirty_ds_cap) {
		spa->dirty_ds_cap = spa->dirty_ds_cap ? spa->dirty_ds_cap * 2 : 16;
		spa->dirty_ds =
			bs_realloc(spa->dirty_ds, spa->dirty_ds_cap * sizeof(*spa->dirty_ds));
	}
	spa->dirty_ds[spa->ndirty_ds++] = ds;
	ds->on_dirty_list = true;
}

int dsl_dataset_sync(struct dsl_dataset *ds, uint64_t txg)
{
	int r;

	ds->on_dirty_list = false;
	if (ds->os && ds->os->dirty) {
		r = objset_sync(ds->os, txg, &ds->phys.bp);
		if (r < 0)
			return r;
	}
	if (ds->ndead) {
		r = deadlist_append(ds->spa, ds->phys.deadlist_obj, ds->dead, ds->ndead);
		if (r < 0)
			return r;
		ds->ndead = 0;
	}
	return dsl_dataset_write_phys(ds);
}

void dsl_dataset_long_hold(dsl_dataset_t *ds)
{
	ds->long_holds++;
}

void dsl_dataset_long_rele(dsl_dataset_t *ds)
{
	ds->long_holds--;
}

/* ---- names ---- */

static int zap_find_value(struct spa *spa, uint64_t zapobj, uint64_t value, char name[256])
{
	uint64_t cookie = 0, v;
	size_t len;
	int r;

	while ((r = zap_next(spa->mos, zapobj, &cookie, name, &v, sizeof(v), &len)) > 0)
		if (len == sizeof(v) && v == value)
			return 0;
	return r < 0 ? r : -ENOENT;
}

char *dsl_dir_name(struct spa *spa, uint64_t dirobj)
{
	struct dsl_dir_phys d;
	char comp[ZAP_MAXNAMELEN];
	char *parent, *name;

	if (dsl_dir_read(spa, dirobj, &d) < 0)
		return bs_strdup("?");
	if (d.parent_obj == 0)
		return bs_strdup(spa->name);
	parent = dsl_dir_name(spa, d.parent_obj);
	{
		struct dsl_dir_phys p;

		if (dsl_dir_read(spa, d.parent_obj, &p) < 0 ||
		    zap_find_value(spa, p.children_obj, dirobj, comp) < 0)
			strcpy(comp, "?");
	}
	name = bs_asprintf("%s/%s", parent, comp);
	free(parent);
	return name;
}

char *dsl_dataset_name(dsl_dataset_t *ds)
{
	char *dir = dsl_dir_name(ds->spa, ds->phys.dir_obj), *name;
	struct dsl_dataset *head;
	struct dsl_dir_phys d;
	char snap[ZAP_MAXNAMELEN];

	if (!dsl_dataset_is_snapshot(ds))
		return dir;
	if (dsl_dir_read(ds->spa, ds->phys.dir_obj, &d) < 0 ||
	    dsl_dataset_hold_obj(ds->spa, d.head_obj, &head) < 0 ||
	    zap_find_value(ds->spa, head->phys.snapnames_obj, ds->obj, snap) < 0)
		strcpy(snap, "?");
	name = bs_asprintf("%s@%s", dir, snap);
	free(dir);
	return name;
}

static bool valid_component_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || c == ' ';
}

int dsl_name_check(const char *name, bool allow_snapshot)
{
	const char *p, *at = strchr(name, '@');
	size_t complen = 0;

	if (!*name)
		return bs_error(EINVAL, "invalid dataset name: empty");
	if (strlen(name) >= DSL_MAXNAMELEN)
		return bs_error(ENAMETOOLONG, "invalid dataset name '%s': name is too long", name);
	if (at && !allow_snapshot)
		return bs_error(EINVAL,
				"invalid dataset name '%s': snapshot delimiter '@' is not "
				"expected here",
				name);
	if (at && strchr(at + 1, '@'))
		return bs_error(EINVAL, "invalid dataset name '%s': multiple '@' delimiters", name);
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return bs_error(EINVAL, "invalid dataset name '%s': must begin with a letter",
				name);
	for (p = name; *p; p++) {
		if (*p == '/' || *p == '@') {
			if (complen == 0 || (p[1] == 0))
				return bs_error(EINVAL,
						"invalid dataset name '%s': empty component", name);
			if (*p == '/' && at && p > at)
				return bs_error(EINVAL, "invalid dataset name '%s': '/' after '@'",
						name);
			complen = 0;
			continue;
		}
		if (!valid_component_char(*p))
			return bs_error(EINVAL, "invalid dataset name '%s': invalid character '%c'",
					name, *p);
		complen++;
	}
	return 0;
}

static int lookup_dir(struct spa *spa, const char *path, uint64_t *ret_dir, bool *ret_missing_last)
{
	uint64_t dir = spa->root_dir_obj;
	const char *p = path, *slash;
	size_t plen = strlen(spa->name);
	int r;

	if (strncmp(path, spa->name, plen) != 0 || (path[plen] != 0 && path[plen] != '/'))
		return bs_error(ENOENT, "dataset '%s' does not exist", path);
	p = path + plen;
	while (*p == '/') {
		char comp[ZAP_MAXNAMELEN];
		struct dsl_dir_phys d;
		size_t n;

		p++;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = 0;
		r = dsl_dir_read(spa, dir, &d);
		if (r < 0)
			return r;
		r = zap_lookup_u64(spa->mos, d.children_obj, comp, &dir);
		if (r == -ENOENT) {
			if (ret_missing_last)
				*ret_missing_last = slash == NULL;
			return bs_error(ENOENT, "dataset '%s' does not exist", path);
		}
		if (r < 0)
			return r;
		p += n;
	}
	*ret_dir = dir;
	return 0;
}

int dsl_dataset_lookup(spa_t *spa, const char *name, dsl_dataset_t **ret)
{
	_cleanup_free_ char *fs = bs_strdup(name);
	char *at = strchr(fs, '@');
	struct dsl_dir_phys d;
	struct dsl_dataset *head;
	uint64_t dir, snapobj;
	int r;

	if (at)
		*at = 0;
	r = lookup_dir(spa, fs, &dir, NULL);
	if (r < 0)
		return r;
	r = dsl_dir_read(spa, dir, &d);
	if (r < 0)
		return r;
	r = dsl_dataset_hold_obj(spa, d.head_obj, &head);
	if (r < 0 || !at) {
		if (r == 0)
			*ret = head;
		return r;
	}
	r = zap_lookup_u64(spa->mos, head->phys.snapnames_obj, at + 1, &snapobj);
	if (r == -ENOENT)
		return bs_error(ENOENT, "snapshot '%s' does not exist", name);
	if (r < 0)
		return r;
	return dsl_dataset_hold_obj(spa, snapobj, ret);
}

int dsl_dataset_head(dsl_dataset_t *snap, dsl_dataset_t **ret)
{
	struct dsl_dir_phys d;
	int r;

	r = dsl_dir_read(snap->spa, snap->phys.dir_obj, &d);
	if (r < 0)
		return r;
	return dsl_dataset_hold_obj(snap->spa, d.head_obj, ret);
}

int dsl_dataset_prev_snap(dsl_dataset_t *ds, dsl_dataset_t **ret)
{
	if (!ds->phys.prev_snap_obj)
		return -ENOENT;
	return dsl_dataset_hold_obj(ds->spa, ds->phys.prev_snap_obj, ret);
}

int dsl_dataset_snapshots(dsl_dataset_t *head, dsl_dataset_t ***ret, size_t *ret_n)
{
	struct dsl_dataset **v = NULL, *s = head;
	size_t n = 0, i;
	int r;

	/* walk back from the head; stop at the dir boundary (a clone's origin) */
	while (s->phys.prev_snap_obj) {
		struct dsl_dataset *p;

		r = dsl_dataset_hold_obj(head->spa, s->phys.prev_snap_obj, &p);
		if (r < 0) {
			free(v);
			return r;
		}
		if (p->phys.dir_obj != head->phys.dir_obj)
			break;
		v = bs_realloc(v, (n + 1) * sizeof(*v));
		v[n++] = p;
		s = p;
	}
	for (i = 0; i < n / 2; i++) {
		struct dsl_dataset *t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int dsl_dataset_children(dsl_dataset_t *head, dsl_dataset_t ***ret, size_t *ret_n)
{
	struct dsl_dataset **v = NULL;
	struct dsl_dir_phys d;
	char name[ZAP_MAXNAMELEN];
	uint64_t cookie = 0, child;
	size_t n = 0, len;
	int r;

	r = dsl_dir_read(head->spa, head->phys.dir_obj, &d);
	if (r < 0)
		return r;
	while ((r = zap_next(head->spa->mos, d.children_obj, &cookie, name, &child, sizeof(child),
			     &len)) > 0) {
		struct dsl_dir_phys cd;
		struct dsl_dataset *c;

		if (len != sizeof(child))
			r = -EIO;
		if (r > 0)
			r = dsl_dir_read(head->spa, child, &cd);
		if (r >= 0)
			r = dsl_dataset_hold_obj(head->spa, cd.head_obj, &c);
		if (r < 0)
			break;
		v = bs_realloc(v, (n + 1) * sizeof(*v));
		v[n++] = c;
	}
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- creation ---- */

static int ds_alloc(struct spa *spa, uint64_t dirobj, enum dmu_objset_type type, uint64_t guid,
		    struct dsl_dataset **ret)
{
	struct dsl_dataset_phys phys = { 0 };
	struct dsl_dataset *ds;
	uint64_t obj;
	int r;

	phys.dir_obj = dirobj;
	phys.creation_time = bs_now_ns() / 1000000000ull;
	phys.creation_txg = spa->txg;
	phys.guid = guid ? guid : bs_random_u64();
	phys.ostype = type;
	r = deadlist_create(spa, &phys.deadlist_obj);
	if (r < 0)
		return r;
	r = zap_create(spa->mos, DMU_OT_DSL_SNAPNAMES, &phys.snapnames_obj);
	if (r < 0)
		return r;
	r = dmu_object_alloc(spa->mos, DMU_OT_DSL_DATASET, SPA_MINBLOCKSIZE, DSL_BONUS_DATASET,
			     sizeof(phys), &obj);
	if (r < 0)
		return r;
	r = dmu_bonus_write(spa->mos, obj, &phys, sizeof(phys));
	if (r < 0)
		return r;
	r = dsl_dataset_hold_obj(spa, obj, &ds);
	if (r < 0)
		return r;
	*ret = ds;
	return 0;
}

static int dir_alloc(struct spa *spa, uint64_t parent, const char *comp, uint64_t *ret)
{
	struct dsl_dir_phys d = { 0 }, pd;
	uint64_t obj;
	int r;

	d.parent_obj = parent;
	d.creation_time = bs_now_ns() / 1000000000ull;
	r = zap_create(spa->mos, DMU_OT_DSL_CHILDREN, &d.children_obj);
	if (r == 0)
		r = zap_create(spa->mos, DMU_OT_DSL_PROPS, &d.props_obj);
	if (r == 0)
		r = dmu_object_alloc(spa->mos, DMU_OT_DSL_DIR, SPA_MINBLOCKSIZE, DSL_BONUS_DIR,
				     sizeof(d), &obj);
	if (r == 0)
		r = dsl_dir_write(spa, obj, &d);
	if (r < 0)
		return r;
	if (parent) {
		r = dsl_dir_read(spa, parent, &pd);
		if (r == 0)
			r = zap_add_u64(spa->mos, pd.children_obj, comp, obj);
		if (r < 0)
			return r;
	}
	*ret = obj;
	return 0;
}

static int set_props(struct dsl_dataset *ds, const char *const *props)
{
	size_t i;
	int r;

	for (i = 0; props && props[i]; i++) {
		_cleanup_free_ char *kv = bs_strdup(props[i]);
		char *eq = strchr(kv, '=');

		if (!eq)
			return bs_error(EINVAL, "invalid property '%s': expected name=value", kv);
		*eq = 0;
		r = dsl_prop_set(ds, kv, eq + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int new_head(struct spa *spa, uint64_t dirobj, enum dmu_objset_type type, uint64_t guid,
		    struct dsl_dataset **ret)
{
	struct dsl_dir_phys d;
	struct dsl_dataset *ds;
	int r;

	r = ds_alloc(spa, dirobj, type, guid, &ds);
	if (r < 0)
		return r;
	r = dsl_dir_read(spa, dirobj, &d);
	if (r < 0)
		return r;
	d.head_obj = ds->obj;
	r = dsl_dir_write(spa, dirobj, &d);
	if (r < 0)
		return r;
	*ret = ds;
	return 0;
}

static int init_objset(struct dsl_dataset *ds, enum dmu_objset_type type)
{
	uint64_t volblocksize, obj;
	int r;

	ds->os = objset_create(ds->spa, type, &ds_objset_ops);
	ds->os->ds = ds;
	dsl_prop_apply(ds);
	spa_dirty_ds(ds->spa, ds);
	if (type == DMU_OST_ZFS)
		return zpl_create_fs(ds->os);
	r = dsl_prop_get_u64(ds, "volblocksize", &volblocksize);
	if (r < 0)
		return r;
	r = dmu_object_alloc(ds->os, DMU_OT_ZVOL, (uint32_t)volblocksize, 0, 0, &obj);
	return r;
}

int dsl_pool_create_root(struct spa *spa, const char *const *props)
{
	struct dsl_dataset *ds;
	uint64_t dir;
	int r;

	r = dir_alloc(spa, 0, NULL, &dir);
	if (r < 0)
		return r;
	spa->root_dir_obj = dir;
	r = zap_add_u64(spa->mos, MOS_DIRECTORY_OBJ, MOS_ROOT_DIR, dir);
	if (r < 0)
		return r;
	r = new_head(spa, dir, DMU_OST_ZFS, 0, &ds);
	if (r == 0)
		r = set_props(ds, props);
	if (r == 0)
		r = init_objset(ds, DMU_OST_ZFS);
	return r;
}

static int split_parent(const char *name, char **ret_parent, const char **ret_comp)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		return bs_error(EEXIST, "dataset '%s' already exists", name);
	*ret_parent = strndup(name, (size_t)(slash - name));
	*ret_comp = slash + 1;
	return 0;
}

static int check_new_name(struct spa *spa, const char *name, uint64_t *ret_parent_dir,
			  const char **ret_comp)
{
	_cleanup_free_ char *parent = NULL;
	dsl_dataset_t *existing;
	uint64_t pdir;
	int r;

	r = dsl_name_check(name, false);
	if (r < 0)
		return r;
	if (dsl_dataset_lookup(spa, name, &existing) == 0)
		return bs_error(EEXIST, "dataset '%s' already exists", name);
	r = split_parent(name, &parent, ret_comp);
	if (r < 0)
		return r;
	r = lookup_dir(spa, parent, &pdir, NULL);
	if (r < 0)
		return bs_error(ENOENT, "parent '%s' does not exist", parent);
	*ret_parent_dir = pdir;
	return 0;
}

int dsl_dataset_create(spa_t *spa, const char *name, enum dmu_objset_type type, uint64_t guid,
		       const char *const *props, dsl_dataset_t **ret)
{
	const char *comp;
	struct dsl_dataset *ds;
	uint64_t pdir, dir;
	int r;

	r = check_new_name(spa, name, &pdir, &comp);
	if (r == 0)
		r = dsl_prop_validate(props, type);
	if (r < 0)
		return r;
	r = dir_alloc(spa, pdir, comp, &dir);
	if (r == 0)
		r = new_head(spa, dir, type, guid, &ds);
	if (r == 0)
		r = set_props(ds, props);
	if (r == 0)
		r = init_objset(ds, type);
	if (r < 0)
		return r;
	if (ret)
		*ret = ds;
	return 0;
}

/* ---- snapshots ---- */

int dsl_dataset_snapshot(dsl_dataset_t *head, const char *snap, uint64_t guid, dsl_dataset_t **ret)
{
	struct spa *spa = head->spa;
	struct dsl_dataset *s, *prev;
	uint64_t existing;
	_cleanup_free_ char *full = NULL;
	int r;

	if (dsl_dataset_is_snapshot(head))
		return bs_error(EINVAL, "cannot snapshot a snapshot");
	full = bs_asprintf("x@%s", snap);
	r = dsl_name_check(full, true);
	if (r < 0)
		return bs_error(EINVAL, "invalid snapshot name '%s'", snap);
	if (zap_lookup_u64(spa->mos, head->phys.snapnames_obj, snap, &existing) == 0) {
		_cleanup_free_ char *hn = dsl_dataset_name(head);

		return bs_error(EEXIST, "snapshot '%s@%s' already exists", hn, snap);
	}
	if (head->os && head->os->dirty) {
		r = spa_sync(spa);
		if (r < 0)
			return r;
	}
	r = ds_alloc(spa, head->phys.dir_obj, dsl_dataset_ostype(head), guid, &s);
	if (r < 0)
		return r;
	/* the snapshot takes the head's state and its dead list; the head starts a new one */
	{
		uint64_t dl = s->phys.deadlist_obj, g = s->phys.guid, ctime = s->phys.creation_time;

		(void)zap_destroy(spa->mos, s->phys.snapnames_obj);
		s->phys = head->phys;
		s->phys.guid = g;
		s->phys.creation_time = ctime;
		s->phys.creation_txg = spa->ub.txg;
		s->phys.flags |= DS_FLAG_SNAPSHOT;
		s->phys.snapnames_obj = 0;
		s->phys.next_snap_obj = 0;
		s->phys.written = head->phys.unique;
		s->phys.unique = 0;
		head->phys.deadlist_obj = dl;
	}
	if (head->phys.prev_snap_obj) {
		r = dsl_dataset_hold_obj(spa, head->phys.prev_snap_obj, &prev);
		if (r < 0)
			return r;
		if (prev->phys.dir_obj == head->phys.dir_obj) {
			prev->phys.next_snap_obj = s->obj;
			r = dsl_dataset_write_phys(prev);
			if (r < 0)
				return r;
		}
	}
	head->phys.prev_snap_obj = s->obj;
	head->phys.prev_snap_txg = s->phys.creation_txg;
	head->phys.unique = 0;
	r = zap_add_u64(spa->mos, head->phys.snapnames_obj, snap, s->obj);
	if (r == 0)
		r = dsl_dataset_write_phys(s);
	if (r == 0)
		r = dsl_dataset_write_phys(head);
	if (r == 0 && ret)
		*ret = s;
	return r;
}

/* ---- freeing what a head alone holds ---- */

static int free_visit(struct spa *spa, const struct blkptr *bp, uint64_t obj, void *arg)
{
	zio_free(spa, bp);
	return 0;
}

/* Free every block of the head born after its previous snapshot. The head must be clean. */
static int free_head_blocks(struct dsl_dataset *head)
{
	return traverse_bp_tree(head->spa, &head->phys.bp, head->phys.prev_snap_txg, free_visit,
				NULL);
}

static int sync_if_dirty(struct dsl_dataset *ds)
{
	if ((ds->os && ds->os->dirty) || ds->ndead)
		return spa_sync(ds->spa);
	return 0;
}

int dsl_dataset_rollback(dsl_dataset_t *head)
{
	struct spa *spa = head->spa;
	struct dsl_dataset *snap;
	int r;

	if (dsl_dataset_is_snapshot(head))
		return bs_error(EINVAL, "cannot roll back a snapshot's own state");
	r = dsl_dataset_prev_snap(head, &snap);
	if (r < 0 || snap->phys.dir_obj != head->phys.dir_obj) {
		_cleanup_free_ char *n = dsl_dataset_name(head);

		return bs_error(ENOENT, "'%s' has no snapshot to roll back to", n);
	}
	r = sync_if_dirty(head);
	if (r < 0)
		return r;
	r = free_head_blocks(head);
	if (r < 0)
		return r;
	head->phys.bp = snap->phys.bp;
	head->phys.referenced = snap->phys.referenced;
	head->phys.compressed = snap->phys.compressed;
	head->phys.uncompressed = snap->phys.uncompressed;
	head->phys.unique = 0;
	r = deadlist_rewrite(spa, head->phys.deadlist_obj, NULL, 0);
	if (r < 0)
		return r;
	if (head->os)
		objset_reset(head->os, &snap->phys.bp);
	return dsl_dataset_write_phys(head);
}

/* ---- destroy ---- */

static int zap_nonempty(struct spa *spa, uint64_t obj, bool *ret)
{
	uint64_t n = 0;
	int r;

	if (!obj) {
		*ret = false;
		return 0;
	}
	r = zap_count(spa->mos, obj, &n);
	*ret = n > 0;
	return r;
}

/* Whether a snapshot can go: no clones (the error names them), no holds, no reader. */
int dsl_snapshot_destroy_check(dsl_dataset_t *s)
{
	struct spa *spa = s->spa;
	bool busy;
	int r;

	r = zap_nonempty(spa, s->phys.clones_obj, &busy);
	if (r < 0)
		return r;
	if (busy) {
		_cleanup_free_ char *n = dsl_dataset_name(s);
		char cname[ZAP_MAXNAMELEN];
		uint64_t cookie = 0, v;
		size_t len;
		_cleanup_free_ char *list = bs_strdup("");

		while (zap_next(spa->mos, s->phys.clones_obj, &cookie, cname, &v, sizeof(v), &len) >
		       0) {
			struct dsl_dataset *c;

			if (dsl_dataset_hold_obj(spa, v, &c) == 0) {
				_cleanup_free_ char *cn = dsl_dataset_name(c);
				char *nl = bs_asprintf("%s%s%s", list, *list ? ", " : "", cn);

				free(list);
				list = nl;
			}
		}
		return bs_error(EBUSY, "cannot destroy '%s': snapshot has dependent clones: %s", n,
				list);
	}
	r = zap_nonempty(spa, s->phys.userrefs_obj, &busy);
	if (r < 0)
		return r;
	if (busy || s->long_holds) {
		_cleanup_free_ char *n = dsl_dataset_name(s);

		return bs_error(EBUSY, "cannot destroy '%s': %s", n,
				busy ? "snapshot is held" : "dataset is busy");
	}
	return 0;
}

static int destroy_snapshot(struct dsl_dataset *s)
{
	struct spa *spa = s->spa;
	struct dsl_dataset *next, *prev = NULL, *head;
	_cleanup_free_ struct blkptr *nd = NULL, *sd = NULL;
	size_t nn, sn, i, k = 0;
	uint64_t dl_sum = 0;
	int r;

	r = dsl_snapshot_destroy_check(s);
	if (r < 0)
		return r;
	r = dsl_dataset_head(s, &head);
	if (r < 0)
		return r;
	r = sync_if_dirty(head);
	if (r < 0)
		return r;
	if (s->phys.next_snap_obj)
		r = dsl_dataset_hold_obj(spa, s->phys.next_snap_obj, &next);
	else
		next = head;
	if (r == 0 && s->phys.prev_snap_obj)
		r = dsl_dataset_hold_obj(spa, s->phys.prev_snap_obj, &prev);
	if (r == 0)
		r = deadlist_read(spa, next->phys.deadlist_obj, &nd, &nn);
	if (r == 0)
		r = deadlist_read(spa, s->phys.deadlist_obj, &sd, &sn);
	if (r < 0)
		return r;
	/* what only s held was killed by next and born after s's predecessor */
	for (i = 0; i < nn; i++) {
		if (nd[i].birth > s->phys.prev_snap_txg)
			zio_free(spa, &nd[i]);
		else
			nd[k++] = nd[i];
	}
	nd = bs_realloc(nd, (k + sn + 1) * sizeof(*nd));
	memcpy(nd + k, sd, sn * sizeof(*sd));
	k += sn;
	r = deadlist_rewrite(spa, next->phys.deadlist_obj, nd, k);
	if (r < 0)
		return r;
	next->phys.prev_snap_obj = s->phys.prev_snap_obj;
	next->phys.prev_snap_txg = s->phys.prev_snap_txg;
	if (next == head) {
		for (i = 0; i < k; i++)
			dl_sum += bp_asize(&nd[i]);
		head->phys.unique =
			head->phys.referenced + dl_sum -
			MIN(head->phys.referenced + dl_sum, prev ? prev->phys.referenced : 0);
	}
	r = dsl_dataset_write_phys(next);
	if (r < 0)
		return r;
	if (prev && prev->phys.dir_obj == s->phys.dir_obj) {
		prev->phys.next_snap_obj = s->phys.next_snap_obj;
		r = dsl_dataset_write_phys(prev);
		if (r < 0)
			return r;
	}
	{
		_cleanup_free_ char *n = dsl_dataset_name(s);
		const char *at = strchr(n, '@');

		r = zap_remove(spa->mos, head->phys.snapnames_obj, at ? at + 1 : n);
		if (r < 0)
			return r;
	}
	(void)dmu_object_free(spa->mos, s->phys.deadlist_obj);
	if (s->phys.userrefs_obj)
		(void)zap_destroy(spa->mos, s->phys.userrefs_obj);
	if (s->phys.clones_obj)
		(void)zap_destroy(spa->mos, s->phys.clones_obj);
	r = dmu_object_free(spa->mos, s->obj);
	ds_uncache(s);
	return r;
}

static int destroy_head(struct dsl_dataset *head)
{
	struct spa *spa = head->spa;
	struct dsl_dir_phys d, pd;
	char comp[ZAP_MAXNAMELEN];
	bool busy;
	int r;

	r = dsl_dir_read(spa, head->phys.dir_obj, &d);
	if (r < 0)
		return r;
	if (d.parent_obj == 0)
		return bs_error(EINVAL, "cannot destroy a pool's root dataset; use zpool destroy");
	r = zap_nonempty(spa, d.children_obj, &busy);
	if (r == 0 && !busy)
		r = zap_nonempty(spa, head->phys.snapnames_obj, &busy);
	if (r < 0)
		return r;
	if (!busy && head->long_holds) {
		_cleanup_free_ char *n = dsl_dataset_name(head);

		return bs_error(EBUSY, "cannot destroy '%s': dataset is busy", n);
	}
	if (busy) {
		_cleanup_free_ char *n = dsl_dataset_name(head);

		return bs_error(EBUSY,
				"cannot destroy '%s': filesystem has children or snapshots; "
				"use -r",
				n);
	}
	r = sync_if_dirty(head);
	if (r < 0)
		return r;
	r = free_head_blocks(head);
	if (r < 0)
		return r;
	if (d.origin_obj) {
		struct dsl_dataset *origin;
		char key[32];

		r = dsl_dataset_hold_obj(spa, d.origin_obj, &origin);
		if (r < 0)
			return r;
		snprintf(key, sizeof(key), "%llx", (unsigned long long)head->obj);
		(void)zap_remove(spa->mos, origin->phys.clones_obj, key);
	}
	r = dsl_dir_read(spa, d.parent_obj, &pd);
	if (r == 0)
		r = zap_find_value(spa, pd.children_obj, head->phys.dir_obj, comp);
	if (r == 0)
		r = zap_remove(spa->mos, pd.children_obj, comp);
	if (r < 0)
		return r;
	(void)zap_destroy(spa->mos, d.children_obj);
	(void)zap_destroy(spa->mos, d.props_obj);
	(void)zap_destroy(spa->mos, head->phys.snapnames_obj);
	(void)dmu_object_free(spa->mos, head->phys.deadlist_obj);
	(void)dmu_object_free(spa->mos, head->phys.dir_obj);
	r = dmu_object_free(spa->mos, head->obj);
	ds_uncache(head);
	return r;
}

int dsl_dataset_destroy(dsl_dataset_t *ds)
{
	return dsl_dataset_is_snapshot(ds) ? destroy_snapshot(ds) : destroy_head(ds);
}

/* ---- rename ---- */

static int rename_snapshot(struct dsl_dataset *s, const char *to)
{
	struct spa *spa = s->spa;
	_cleanup_free_ char *old = dsl_dataset_name(s);
	const char *oat = strchr(old, '@'), *nat = strchr(to, '@');
	struct dsl_dataset *head;
	uint64_t existing;
	int r;

	if ((size_t)(oat - old) != (size_t)(nat - to) || strncmp(old, to, (size_t)(oat - old)))
		return bs_error(EINVAL,
				"cannot rename '%s' to '%s': snapshots are renamed within "
				"their file system",
				old, to);
	r = dsl_dataset_head(s, &head);
	if (r < 0)
		return r;
	if (zap_lookup_u64(spa->mos, head->phys.snapnames_obj, nat + 1, &existing) == 0)
		return bs_error(EEXIST, "cannot rename to '%s': snapshot exists", to);
	r = zap_remove(spa->mos, head->phys.snapnames_obj, oat + 1);
	if (r == 0)
		r = zap_add_u64(spa->mos, head->phys.snapnames_obj, nat + 1, s->obj);
	return r;
}

int dsl_dataset_rename(dsl_dataset_t *ds, const char *to)
{
	struct spa *spa = ds->spa;
	_cleanup_free_ char *old = NULL;
	struct dsl_dir_phys d, op, np;
	char comp[ZAP_MAXNAMELEN];
	const char *newcomp;
	uint64_t newparent, walk;
	int r;

	if (dsl_dataset_is_snapshot(ds))
		return rename_snapshot(ds, to);
	old = dsl_dataset_name(ds);
	r = check_new_name(spa, to, &newparent, &newcomp);
	if (r < 0)
		return r;
	r = dsl_dir_read(spa, ds->phys.dir_obj, &d);
	if (r < 0)
		return r;
	if (d.parent_obj == 0)
		return bs_error(EINVAL, "cannot rename a pool's root dataset");
	for (walk = newparent; walk; walk = op.parent_obj) {
		if (walk == ds->phys.dir_obj)
			return bs_error(EINVAL,
					"cannot rename '%s' to '%s': a dataset cannot move "
					"beneath itself",
					old, to);
		r = dsl_dir_read(spa, walk, &op);
		if (r < 0)
			return r;
	}
	r = dsl_dir_read(spa, d.parent_obj, &op);
	if (r == 0)
		r = zap_find_value(spa, op.children_obj, ds->phys.dir_obj, comp);
	if (r == 0)
		r = zap_remove(spa->mos, op.children_obj, comp);
	if (r == 0)
		r = dsl_dir_read(spa, newparent, &np);
	if (r == 0)
		r = zap_add_u64(spa->mos, np.children_obj, newcomp, ds->phys.dir_obj);
	if (r < 0)
		return r;
	d.parent_obj = newparent;
	return dsl_dir_write(spa, ds->phys.dir_obj, &d);
}

/* ---- clones and promotion ---- */

int dsl_dataset_clone(dsl_dataset_t *origin, const char *name, const char *const *props,
		      dsl_dataset_t **ret)
{
	struct spa *spa = origin->spa;
	struct dsl_dir_phys d;
	struct dsl_dataset *ds;
	const char *comp;
	uint64_t pdir, dir;
	char key[32];
	int r;

	if (!dsl_dataset_is_snapshot(origin))
		return bs_error(EINVAL, "clone origin must be a snapshot");
	r = check_new_name(spa, name, &pdir, &comp);
	if (r == 0)
		r = dsl_prop_validate(props, dsl_dataset_ostype(origin));
	if (r == 0)
		r = dir_alloc(spa, pdir, comp, &dir);
	if (r == 0)
		r = new_head(spa, dir, dsl_dataset_ostype(origin), 0, &ds);
	if (r < 0)
		return r;
	ds->phys.bp = origin->phys.bp;
	ds->phys.prev_snap_obj = origin->obj;
	ds->phys.prev_snap_txg = origin->phys.creation_txg;
	ds->phys.referenced = origin->phys.referenced;
	ds->phys.compressed = origin->phys.compressed;
	ds->phys.uncompressed = origin->phys.uncompressed;
	ds->phys.unique = 0;
	r = dsl_dataset_write_phys(ds);
	if (r == 0)
		r = dsl_dir_read(spa, dir, &d);
	if (r < 0)
		return r;
	d.origin_obj = origin->obj;
	r = dsl_dir_write(spa, dir, &d);
	if (r == 0 && !origin->phys.clones_obj) {
		r = zap_create(spa->mos, DMU_OT_CLONES, &origin->phys.clones_obj);
		if (r == 0)
			r = dsl_dataset_write_phys(origin);
	}
	snprintf(key, sizeof(key), "%llx", (unsigned long long)ds->obj);
	if (r == 0)
		r = zap_add_u64(spa->mos, origin->phys.clones_obj, key, ds->obj);
	/* a volume's size and block size belong to its data: the clone starts with the origin's */
	for (size_t i = 0; r == 0 && dsl_dataset_ostype(origin) == DMU_OST_ZVOL && i < 2; i++) {
		static const char *const vol_props[] = { "volsize", "volblocksize" };
		_cleanup_free_ char *v = NULL;

		r = dsl_prop_get_string(origin, vol_props[i], &v);
		if (r == 0)
			r = dsl_prop_set(ds, vol_props[i], v);
	}
	if (r == 0)
		r = set_props(ds, props);
	if (r == 0 && ret)
		*ret = ds;
	return r;
}

static int clones_move(struct spa *spa, struct dsl_dataset *origin, uint64_t from, uint64_t to)
{
	char key[32];
	int r;

	snprintf(key, sizeof(key), "%llx", (unsigned long long)from);
	r = zap_remove(spa->mos, origin->phys.clones_obj, key);
	if (r < 0)
		return r;
	snprintf(key, sizeof(key), "%llx", (unsigned long long)to);
	return zap_add_u64(spa->mos, origin->phys.clones_obj, key, to);
}

int dsl_dataset_promote(dsl_dataset_t *clone)
{
	struct spa *spa = clone->spa;
	struct dsl_dir_phys cd, od;
	struct dsl_dataset *origin, *ohead, *s, *first_clone_snap = NULL;
	_cleanup_free_ struct dsl_dataset **moved = NULL;
	size_t nmoved = 0, i;
	char name[ZAP_MAXNAMELEN];
	int r;

	if (dsl_dataset_is_snapshot(clone))
		return bs_error(EINVAL, "cannot promote a snapshot");
	r = dsl_dir_read(spa, clone->phys.dir_obj, &cd);
	if (r < 0)
		return r;
	if (!cd.origin_obj) {
		_cleanup_free_ char *n = dsl_dataset_name(clone);

		return bs_error(EINVAL, "cannot promote '%s': not a cloned filesystem", n);
	}
	r = dsl_dataset_hold_obj(spa, cd.origin_obj, &origin);
	if (r == 0)
		r = dsl_dataset_head(origin, &ohead);
	if (r == 0)
		r = dsl_dir_read(spa, origin->phys.dir_obj, &od);
	if (r < 0)
		return r;
	/* the origin's snapshots up to and including the origin move to the clone */
	for (s = origin;;) {
		moved = bs_realloc(moved, (nmoved + 1) * sizeof(*moved));
		moved[nmoved++] = s;
		if (!s->phys.prev_snap_obj)
			break;
		r = dsl_dataset_hold_obj(spa, s->phys.prev_snap_obj, &s);
		if (r < 0)
			return r;
		if (s->phys.dir_obj != origin->phys.dir_obj)
			break;
	}
	for (i = 0; i < nmoved; i++) {
		uint64_t dummy;

		r = zap_find_value(spa, ohead->phys.snapnames_obj, moved[i]->obj, name);
		if (r < 0)
			return r;
		if (zap_lookup_u64(spa->mos, clone->phys.snapnames_obj, name, &dummy) == 0) {
			_cleanup_free_ char *n = dsl_dataset_name(clone);

			return bs_error(EEXIST, "cannot promote '%s': snapshot name '%s' conflicts",
					n, name);
		}
	}
	/* the clone's own oldest snapshot (or the clone itself) follows the origin now */
	for (s = clone; s->phys.prev_snap_obj != origin->obj;) {
		r = dsl_dataset_hold_obj(spa, s->phys.prev_snap_obj, &s);
		if (r < 0)
			return r;
	}
	if (s != clone)
		first_clone_snap = s;
	origin->phys.next_snap_obj = first_clone_snap ? first_clone_snap->obj : 0;
	for (i = 0; i < nmoved; i++) {
		r = zap_find_value(spa, ohead->phys.snapnames_obj, moved[i]->obj, name);
		if (r == 0)
			r = zap_remove(spa->mos, ohead->phys.snapnames_obj, name);
		if (r == 0)
			r = zap_add_u64(spa->mos, clone->phys.snapnames_obj, name, moved[i]->obj);
		if (r < 0)
			return r;
		moved[i]->phys.dir_obj = clone->phys.dir_obj;
		r = dsl_dataset_write_phys(moved[i]);
		if (r < 0)
			return r;
	}
	/* the old head becomes a clone of the origin; the clone inherits the old origin */
	r = clones_move(spa, origin, clone->obj, ohead->obj);
	if (r < 0)
		return r;
	if (od.origin_obj) {
		struct dsl_dataset *oo;

		r = dsl_dataset_hold_obj(spa, od.origin_obj, &oo);
		if (r == 0)
			r = clones_move(spa, oo, ohead->obj, clone->obj);
		if (r < 0)
			return r;
	}
	cd.origin_obj = od.origin_obj;
	od.origin_obj = origin->obj;
	r = dsl_dir_write(spa, clone->phys.dir_obj, &cd);
	if (r == 0)
		r = dsl_dir_write(spa, ohead->phys.dir_obj, &od);
	return r;
}
