/* SPDX-License-Identifier: MIT */
/*
 * stor_ds.c - datasets by name, for the zfs command: create, destroy (recursively, with
 * dependents), snapshot (atomically across descendants), clone, rollback, promote, rename,
 * list, properties and holds. Each call takes the pool's lock for its whole work.
 */
#include "basalt/json.h"
#include "basalt/stor.h"
#include "dsl_impl.h"
#include "zap.h"
#include "zpl_diff.h"
#include "zvol.h"

/*
 * What a call does to one dataset: run with the pool's lock held, on the dataset its name
 * resolved to.
 */
typedef int (*ds_fn)(struct spa *spa, struct dsl_dataset *ds, void *arg);

/*
 * Resolve name and take its pool's lock, run fn on the dataset, and if commit and fn succeeded,
 * sync the txg that holds the change. The lock is released on return.
 */
static int ds_run(const char *name, ds_fn fn, void *arg, bool commit)
{
	struct spa *spa;
	dsl_dataset_t *ds;
	int r;

	r = dsl_dataset_enter(name, &spa, &ds);
	if (r < 0)
		return r;
	r = fn(spa, ds, arg);
	if (r == 0 && commit)
		r = spa_sync(spa);
	dsl_pool_exit(spa);
	return r;
}

/* zfs create -p: every missing ancestor of name, as a file system. */
static int create_parents(struct spa *spa, const char *name)
{
	_cleanup_free_ char *p = bs_strdup(name);
	int r = 0;

	for (char *s = strchr(p, '/'); s && r == 0; s = strchr(s + 1, '/')) {
		dsl_dataset_t *ds;

		*s = 0;
		if (dsl_dataset_lookup(spa, p, &ds) < 0)
			r = dsl_dataset_create(spa, p, DMU_OST_ZFS, 0, NULL, NULL);
		*s = '/';
	}
	if (r == 0)
		bs_error_clear(); /* the lookups' "does not exist" */
	return r;
}

int stor_ds_create(const char *name, enum stor_ds_type type, uint64_t volsize,
		   const char *const *props, bool parents)
{
	_cleanup_free_ const char **all = NULL;
	_cleanup_free_ char *vs = NULL;
	struct spa *spa;
	size_t n = 0;
	int r;

	r = dsl_name_check(name, false);
	if (r < 0)
		return r;
	while (props && props[n])
		n++;
	all = bs_zalloc((n + 2) * sizeof(*all));
	if (n)
		memcpy(all, props, n * sizeof(*all));
	if (type == STOR_TYPE_VOLUME) {
		vs = bs_asprintf("volsize=%llu", (unsigned long long)volsize);
		all[n++] = vs;
	}
	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	if (parents)
		r = create_parents(spa, name);
	if (r == 0)
		r = dsl_dataset_create(spa, name,
				       type == STOR_TYPE_VOLUME ? DMU_OST_ZVOL : DMU_OST_ZFS, 0,
				       all, NULL);
	if (r == 0)
		r = spa_sync(spa);
	dsl_pool_exit(spa);
	if (r == 0 && type != STOR_TYPE_VOLUME)
		(void)stor_remount_dataset(name);
	return r;
}

/* ---- destroy ---- */

static void add_name(json_t *list, struct dsl_dataset *ds)
{
	char *n = dsl_dataset_name(ds);

	for (size_t i = 0; i < json_array_size(list); i++)
		if (streq(json_string_value(json_array_get(list, i)), n)) {
			free(n);
			return;
		}
	json_array_append_new(list, json_string(n));
	free(n);
}

/* Collect, children first, what destroying ds with these flags takes with it. */
static int collect(struct dsl_dataset *ds, int flags, json_t *list)
{
	struct dsl_dataset **v;
	size_t n, i;
	int r;

	if (dsl_dataset_is_snapshot(ds)) {
		if ((flags & STOR_DESTROY_DEPENDENTS) && ds->phys.clones_obj) {
			char key[ZAP_MAXNAMELEN];
			uint64_t cookie = 0, c;
			size_t len;

			while (zap_next(ds->spa->mos, ds->phys.clones_obj, &cookie, key, &c,
					sizeof(c), &len) > 0) {
				struct dsl_dataset *cl;

				r = dsl_dataset_hold_obj(ds->spa, c, &cl);
				if (r == 0)
					r = collect(cl, flags | STOR_DESTROY_RECURSIVE, list);
				if (r < 0)
					return r;
			}
		}
		add_name(list, ds);
		return 0;
	}
	if (flags & (STOR_DESTROY_RECURSIVE | STOR_DESTROY_DEPENDENTS)) {
		r = dsl_dataset_children(ds, &v, &n);
		if (r < 0)
			return r;
		for (i = 0; i < n && r == 0; i++)
			r = collect(v[i], flags, list);
		free(v);
		if (r < 0)
			return r;
		r = dsl_dataset_snapshots(ds, &v, &n);
		if (r < 0)
			return r;
		for (i = n; i-- > 0 && r == 0;)
			r = collect(v[i], flags, list);
		free(v);
		if (r < 0)
			return r;
	}
	add_name(list, ds);
	return 0;
}

struct collect_args {
	int flags;
	json_t *list;
};

static int collect_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	struct collect_args *c = arg;

	return collect(ds, c->flags, c->list);
}

static int destroy_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	return dsl_dataset_destroy(ds);
}

int stor_ds_destroy(const char *name, int flags, json_t **ret_destroyed)
{
	json_t *list = json_array();
	size_t i;
	int r;

	r = ds_run(name, collect_fn, &(struct collect_args){ flags, list }, false);
	if (r < 0 || (flags & STOR_DESTROY_DRYRUN))
		goto done;
	for (i = 0; i < json_array_size(list); i++) {
		const char *n = json_string_value(json_array_get(list, i));

		if (!strchr(n, '@')) {
			r = stor_unmount_dataset(n, false);
			if (r < 0)
				goto done;
		} else {
			/* browsed under .zfs/snapshot: busy if still in use (the destroy says so)
			 */
			(void)stor_snapdir_release(n);
		}
		r = ds_run(n, destroy_fn, NULL, true);
		if (r < 0)
			goto done;
	}
done:
	if (r == 0 && ret_destroyed)
		*ret_destroyed = json_incref(list);
	json_decref(list);
	return r;
}

/* ---- snapshots, clones, rollback, promote ---- */

static int snapshot_recursive(struct dsl_dataset *ds, const char *snap, json_t *done)
{
	struct dsl_dataset **v;
	size_t n, i;
	int r;

	r = dsl_dataset_snapshot(ds, snap, 0, NULL);
	if (r < 0)
		return r;
	add_name(done, ds);
	r = dsl_dataset_children(ds, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++)
		r = snapshot_recursive(v[i], snap, done);
	free(v);
	return r;
}

int stor_ds_snapshot(const char *const *names, int n, bool recursive, const char *const *props)
{
	struct spa *spa = NULL;
	json_t *done = json_array();
	int i, r = 0;

	if (props && props[0]) {
		json_decref(done);
		return bs_error(ENOTSUP, "properties on snapshots are not supported");
	}
	for (i = 0; i < n; i++) {
		r = dsl_name_check(names[i], true);
		if (r == 0 && !strchr(names[i], '@'))
			r = bs_error(EINVAL, "invalid snapshot name '%s': no '@'", names[i]);
		if (r < 0)
			goto out;
	}
	if (n == 0)
		goto out;
	r = dsl_pool_enter(names[0], &spa);
	if (r < 0)
		goto out;
	/* A snapshot captures what the last txg committed: a dataset with dirty data is synced
	 * first. Otherwise the snapshots join whatever the open txg already holds (MOS changes,
	 * deferred frees), and one txg commits it all. */
	if (spa->ndirty_ds)
		r = spa_sync(spa);
	for (i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *fs = bs_strdup(names[i]);
		char *at = strchr(fs, '@');
		dsl_dataset_t *ds;

		*at = 0;
		if (strncmp(names[i], spa->name, strlen(spa->name)) != 0 ||
		    !strchr("/@", names[i][strlen(spa->name)])) {
			r = bs_error(EXDEV, "cannot snapshot datasets of different pools at once");
			break;
		}
		r = dsl_dataset_lookup(spa, fs, &ds);
		if (r == 0)
			r = recursive ? snapshot_recursive(ds, at + 1, done) :
					dsl_dataset_snapshot(ds, at + 1, 0, NULL);
	}
	if (r == 0)
		r = spa_sync(spa);
	else
		log_warn("snapshot failed part-way; the txg commits what succeeded");
	dsl_pool_exit(spa);
out:
	json_decref(done);
	return r;
}

struct clone_args {
	const char *snapshot, *target;
	const char *const *props;
	bool parents;
};

static int clone_fn(struct spa *spa, struct dsl_dataset *origin, void *arg)
{
	struct clone_args *c = arg;
	int r = 0;

	if (!dsl_dataset_is_snapshot(origin))
		r = bs_error(EINVAL, "'%s' is not a snapshot", c->snapshot);
	if (r == 0 && c->parents)
		r = create_parents(spa, c->target);
	if (r == 0)
		r = dsl_dataset_clone(origin, c->target, c->props, NULL);
	return r;
}

int stor_ds_clone(const char *snapshot, const char *target, const char *const *props, bool parents)
{
	int r;

	r = dsl_name_check(target, false);
	if (r < 0)
		return r;
	if (strcspn(snapshot, "/@") != strcspn(target, "/@") ||
	    strncmp(snapshot, target, strcspn(target, "/@")) != 0)
		return bs_error(EXDEV, "cannot clone '%s' into another pool", snapshot);
	r = ds_run(snapshot, clone_fn, &(struct clone_args){ snapshot, target, props, parents },
		   true);
	if (r == 0)
		(void)stor_remount_dataset(target);
	return r;
}

struct rollback_args {
	const char *snapshot;
	bool recursive;
};

static int rollback_fn(struct spa *spa, struct dsl_dataset *snap, void *arg)
{
	struct rollback_args *a = arg;
	dsl_dataset_t *head;
	struct dsl_dataset **v = NULL;
	size_t n = 0, i;
	int r;

	r = dsl_dataset_head(snap, &head);
	if (r == 0)
		r = dsl_dataset_snapshots(head, &v, &n);
	if (r < 0)
		goto out;
	for (i = 0; i < n && v[i] != snap; i++)
		;
	if (i + 1 < n && !a->recursive) {
		_cleanup_free_ char *later = dsl_dataset_name(v[n - 1]);

		r = bs_error(EEXIST,
			     "cannot rollback to '%s': more recent snapshots exist (%s); "
			     "use -r to destroy them",
			     a->snapshot, later);
		goto out;
	}
	/* every later snapshot must be destroyable before any is destroyed */
	for (size_t k = i + 1; k < n && r == 0; k++)
		r = dsl_snapshot_destroy_check(v[k]);
	for (size_t k = n; k-- > i + 1 && r == 0;)
		r = dsl_dataset_destroy(v[k]);
	if (r == 0)
		r = dsl_dataset_rollback(head);
out:
	free(v);
	return r;
}

int stor_ds_rollback(const char *snapshot, bool recursive)
{
	_cleanup_free_ char *fs = bs_strdup(snapshot);
	char *at = strchr(fs, '@');
	int r;

	if (!at)
		return bs_error(EINVAL, "'%s' is not a snapshot", snapshot);
	*at = 0;
	if (recursive)
		(void)stor_snapdir_release(fs);
	r = ds_run(snapshot, rollback_fn, &(struct rollback_args){ snapshot, recursive }, true);
	if (r == 0)
		(void)stor_remount_dataset(fs);
	return r;
}

static int promote_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	return dsl_dataset_promote(ds);
}

int stor_ds_promote(const char *clone)
{
	return ds_run(clone, promote_fn, NULL, true);
}

int stor_ds_rename(const char *from, const char *to)
{
	struct spa *spa;
	dsl_dataset_t *ds;
	bool snap = strchr(from, '@') != NULL;
	int r;

	r = dsl_name_check(from, true);
	if (r == 0)
		r = dsl_name_check(to, snap);
	if (r == 0 && snap != (strchr(to, '@') != NULL))
		r = bs_error(EINVAL, "cannot rename '%s' to '%s': a snapshot stays a snapshot",
			     from, to);
	if (r == 0 && (strcspn(from, "/@") != strcspn(to, "/@") ||
		       strncmp(from, to, strcspn(from, "/@")) != 0))
		r = bs_error(EXDEV,
			     "cannot rename '%s' to '%s': datasets cannot move between "
			     "pools",
			     from, to);
	if (r == 0 && !snap)
		r = stor_unmount_tree(from);
	if (r < 0)
		return r;
	r = dsl_dataset_enter(from, &spa, &ds);
	if (r < 0)
		return r;
	r = dsl_dataset_rename(ds, to);
	if (r == 0)
		r = spa_sync(spa);
	dsl_pool_exit(spa);
	if (!snap)
		(void)stor_remount_dataset(r == 0 ? to : from);
	return r;
}

/* ---- listing and properties ---- */

/* Properties whose change the mounted file system must see: it is mounted again. */
static bool mount_prop(const char *prop)
{
	return streq(prop, "mountpoint") || streq(prop, "canmount") || streq(prop, "readonly") ||
	       streq(prop, "atime");
}

static int list_one(struct dsl_dataset *ds, bool recursive, int depth, int types, json_t *out)
{
	struct dsl_dataset **v;
	size_t n, i;
	json_t *e, *props;
	bool snap = dsl_dataset_is_snapshot(ds);
	int mask = snap					  ? STOR_TYPE_SNAPSHOT :
		   dsl_dataset_ostype(ds) == DMU_OST_ZVOL ? STOR_TYPE_VOLUME :
							    STOR_TYPE_FILESYSTEM;
	int r;

	if (types & mask) {
		char *name = dsl_dataset_name(ds);

		r = dsl_prop_get_all(ds, &props);
		if (r < 0) {
			free(name);
			return r;
		}
		e = json_object();
		json_object_set_new(e, "name", json_string(name));
		json_object_set_new(
			e, "type",
			json_copy(json_object_get(json_object_get(props, "type"), "value")));
		json_object_set_new(e, "props", props);
		json_array_append_new(out, e);
		free(name);
	}
	if (snap || !recursive || depth == 0)
		return 0;
	if (types & STOR_TYPE_SNAPSHOT) {
		r = dsl_dataset_snapshots(ds, &v, &n);
		if (r < 0)
			return r;
		for (i = 0; i < n && r == 0; i++)
			r = list_one(v[i], false, 0, types, out);
		free(v);
		if (r < 0)
			return r;
	}
	r = dsl_dataset_children(ds, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++)
		r = list_one(v[i], true, depth - 1, types, out);
	free(v);
	return r;
}

/* The "mounted" property comes from the mount table, read without any pool lock held. */
static void add_mounted(json_t *name, json_t *props)
{
	const char *type =
		json_string_value(json_object_get(json_object_get(props, "type"), "value"));
	const char *v = "-";
	json_t *p = json_object();

	if (type && streq(type, "filesystem"))
		v = stor_is_mounted(json_string_value(name)) ? "yes" : "no";
	json_object_set_new(p, "value", json_string(v));
	json_object_set_new(p, "raw", json_string(v));
	json_object_set_new(p, "source", json_string("-"));
	json_object_set_new(props, "mounted", p);
}

static int name_cmp(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));

	return strcmp(x, y);
}

static json_t *sorted(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v = bs_malloc(MAX(n, 1) * sizeof(*v)), *out = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), name_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(arr);
	return out;
}

struct list_args {
	bool recursive;
	int depth, types;
	json_t *out;
};

static int list_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	struct list_args *l = arg;

	return list_one(ds, l->recursive, l->depth, l->types, l->out);
}

static int list_root(const char *name, bool recursive, int depth, int types, json_t *out)
{
	return ds_run(name, list_fn, &(struct list_args){ recursive, depth, types, out }, false);
}

int stor_ds_list(const char *const *roots, bool recursive, int depth, int types, json_t **ret)
{
	json_t *out = json_array();
	int r = 0;

	if (roots && roots[0]) {
		for (size_t i = 0; roots[i] && r == 0; i++)
			r = list_root(roots[i], recursive, depth, types, out);
	} else {
		char **names = NULL;
		size_t n = 0;

		spa_namespace_enter();
		for (struct spa *spa = spa_first(); spa; spa = spa->next) {
			names = bs_realloc(names, (n + 1) * sizeof(*names));
			names[n++] = bs_strdup(spa->name);
		}
		spa_namespace_exit();
		for (size_t i = 0; i < n; i++) {
			if (r == 0)
				r = list_root(names[i], true, -1, types, out);
			free(names[i]);
		}
		free(names);
	}
	if (r < 0) {
		json_decref(out);
		return r;
	}
	{
		size_t i;
		json_t *e;

		json_array_foreach(out, i, e)
			add_mounted(json_object_get(e, "name"), json_object_get(e, "props"));
	}
	*ret = sorted(out);
	return 0;
}

static int get_props_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	return dsl_prop_get_all(ds, arg);
}

int stor_ds_get_props(const char *name, json_t **ret)
{
	int r;

	r = ds_run(name, get_props_fn, ret, false);
	if (r == 0)
		add_mounted(json_object_get(*ret, "name") ?
				    json_object_get(json_object_get(*ret, "name"), "value") :
				    NULL,
			    *ret);
	return r;
}

struct prop_args {
	const char *prop, *value;
	bool recursive;
};

static int set_prop_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	struct prop_args *p = arg;
	int r;

	r = streq(p->prop, "volsize") ? zvol_volsize_check(ds, p->value) : 0;
	if (r == 0)
		r = dsl_prop_set(ds, p->prop, p->value);
	return r;
}

int stor_ds_set_prop(const char *name, const char *prop, const char *value)
{
	int r;

	r = ds_run(name, set_prop_fn, &(struct prop_args){ .prop = prop, .value = value }, true);
	if (r == 0 && mount_prop(prop))
		(void)stor_remount_dataset(name);
	return r;
}

static int inherit_prop_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	struct prop_args *p = arg;
	int r;

	r = dsl_prop_inherit(ds, p->prop);
	if (r == 0 && p->recursive) {
		struct dsl_dataset **v;
		size_t n;

		r = dsl_dataset_children(ds, &v, &n);
		for (size_t i = 0; r == 0 && i < n; i++)
			r = dsl_prop_inherit(v[i], p->prop);
		if (r == 0)
			free(v);
	}
	return r;
}

int stor_ds_inherit_prop(const char *name, const char *prop, bool recursive)
{
	int r;

	r = ds_run(name, inherit_prop_fn,
		   &(struct prop_args){ .prop = prop, .recursive = recursive }, true);
	if (r == 0 && mount_prop(prop))
		(void)stor_remount_dataset(name);
	return r;
}

/* ---- holds ---- */

struct hold_args {
	const char *snapshot, *tag;
	bool recursive, add;
};

static int hold_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	struct hold_args *h = arg;
	const char *snapshot = h->snapshot, *tag = h->tag;
	bool add = h->add;
	int r = 0;

	if (!dsl_dataset_is_snapshot(ds))
		r = bs_error(EINVAL, "'%s' is not a snapshot", snapshot);
	if (r == 0)
		r = add ? dsl_dataset_hold_tag(ds, tag) : dsl_dataset_release_tag(ds, tag);
	if (r == 0 && h->recursive) {
		_cleanup_free_ char *fs = bs_strdup(snapshot);
		char *at = strchr(fs, '@');
		dsl_dataset_t *head;
		struct dsl_dataset **v;
		size_t n;

		*at = 0;
		r = dsl_dataset_head(ds, &head);
		if (r == 0)
			r = dsl_dataset_children(head, &v, &n);
		for (size_t i = 0; r == 0 && i < n; i++) {
			char *cn = dsl_dataset_name(v[i]);
			char *sn = bs_asprintf("%s@%s", cn, at + 1);
			dsl_dataset_t *cs;

			if (dsl_dataset_lookup(spa, sn, &cs) == 0)
				r = add ? dsl_dataset_hold_tag(cs, tag) :
					  dsl_dataset_release_tag(cs, tag);
			free(cn);
			free(sn);
		}
		if (r == 0)
			free(v);
	}
	return r;
}

static int hold_op(const char *snapshot, const char *tag, bool recursive, bool add)
{
	return ds_run(snapshot, hold_fn, &(struct hold_args){ snapshot, tag, recursive, add },
		      true);
}

int stor_ds_hold(const char *snapshot, const char *tag, bool recursive)
{
	return hold_op(snapshot, tag, recursive, true);
}

int stor_ds_release(const char *snapshot, const char *tag, bool recursive)
{
	return hold_op(snapshot, tag, recursive, false);
}

static int holds_fn(struct spa *spa, struct dsl_dataset *ds, void *arg)
{
	return dsl_dataset_holds(ds, arg);
}

int stor_ds_holds(const char *snapshot, bool recursive, json_t **ret)
{
	json_t *h = NULL, *out, *e;
	size_t i;
	int r;

	(void)recursive;
	r = ds_run(snapshot, holds_fn, &h, false);
	if (r < 0)
		return r;
	out = json_array();
	json_array_foreach(h, i, e) {
		json_object_set_new(e, "name", json_string(snapshot));
		json_array_append(out, e);
	}
	json_decref(h);
	*ret = out;
	return 0;
}

/* ---- diff ---- */

/* Whether snap is to itself or a snapshot before it, on its own file system's chain or on the
 * chain of the snapshot it was cloned from. */
static int diff_related(dsl_dataset_t *snap, dsl_dataset_t *to, bool *ret)
{
	dsl_dataset_t *cur = to;
	int r;

	*ret = false;
	while (!*ret) {
		if (dsl_dataset_obj(cur) == dsl_dataset_obj(snap)) {
			*ret = true;
			break;
		}
		r = dsl_dataset_prev_snap(cur, &cur);
		if (r == -ENOENT)
			break;
		if (r < 0)
			return r;
	}
	return 0;
}

static int diff_check(spa_t *spa, const char *from, const char *to, dsl_dataset_t *fds,
		      dsl_dataset_t **ret_tds)
{
	dsl_dataset_t *tds, *fhead, *thead;
	bool related;
	int r;

	if (!dsl_dataset_is_snapshot(fds))
		return bs_error(EINVAL, "'%s' is not a snapshot", from);
	if (dsl_dataset_ostype(fds) != DMU_OST_ZFS)
		return bs_error(EINVAL, "'%s' is not a file system snapshot", from);
	r = dsl_dataset_lookup(spa, to, &tds);
	if (r < 0)
		return r;
	if (dsl_dataset_ostype(tds) != DMU_OST_ZFS)
		return bs_error(EINVAL, "'%s' is not a file system or a file system snapshot", to);
	r = diff_related(fds, tds, &related);
	if (r < 0)
		return r;
	if (!related) {
		r = dsl_dataset_head(fds, &fhead);
		if (r == 0 && dsl_dataset_is_snapshot(tds))
			r = dsl_dataset_head(tds, &thead);
		else
			thead = tds;
		if (r < 0)
			return r;
		if (dsl_dataset_obj(fhead) == dsl_dataset_obj(thead))
			return bs_error(EINVAL, "'%s' is not an earlier snapshot than '%s'", from,
					to);
		return bs_error(EXDEV,
				"'%s' and '%s' are not related: '%s' is not a snapshot of the "
				"same file system or of its origin",
				from, to, from);
	}
	*ret_tds = tds;
	return 0;
}

int stor_ds_diff(const char *from, const char *to, json_t **ret)
{
	_cleanup_free_ char *fs = NULL, *mnt = NULL;
	_cleanup_json_ json_t *out = json_array();
	dsl_dataset_t *fds, *tds = NULL, *head;
	objset_t *fos, *tos;
	json_t *e;
	size_t i;
	spa_t *spa;
	char *at;
	int r;

	if (!strchr(from, '@'))
		return bs_error(EINVAL, "'%s' is not a snapshot", from);
	fs = bs_strdup(from);
	at = strchr(fs, '@');
	*at = 0;
	if (!to)
		to = fs;
	if (strcspn(from, "/@") != strcspn(to, "/@") || strncmp(from, to, strcspn(from, "/@")))
		return bs_error(EXDEV, "'%s' and '%s' are in different pools", from, to);
	r = dsl_dataset_enter(from, &spa, &fds);
	if (r < 0)
		return r;
	r = diff_check(spa, from, to, fds, &tds);
	/* the file system itself: commit what is open so that its object set is all on disk */
	if (r == 0 && !dsl_dataset_is_snapshot(tds))
		r = spa_sync(spa);
	if (r == 0)
		r = dsl_dataset_objset(fds, &fos);
	if (r == 0)
		r = dsl_dataset_objset(tds, &tos);
	head = tds;
	if (r == 0 && dsl_dataset_is_snapshot(tds))
		r = dsl_dataset_head(tds, &head);
	if (r == 0)
		r = dsl_prop_get_string(head, "mountpoint", &mnt);
	if (r == 0 && dsl_dataset_obj(fds) != dsl_dataset_obj(tds))
		r = zpl_diff(fos, tos, dsl_dataset_creation_txg(fds), out, NULL);
	dsl_pool_exit(spa);
	if (r < 0)
		return r;
	/* paths as mounted: under the mountpoint when it is a directory */
	json_array_foreach(out, i, e) {
		const char *keys[] = { "path", "newpath" };

		for (size_t k = 0; mnt[0] == '/' && k < ARRAY_SIZE(keys); k++) {
			const char *p = json_string_value(json_object_get(e, keys[k]));

			if (p)
				json_object_set_new(e, keys[k],
						    json_sprintf("%s%s",
								 strcmp(mnt, "/") ? mnt : "", p));
		}
	}
	*ret = TAKE_PTR(out);
	return 0;
}
