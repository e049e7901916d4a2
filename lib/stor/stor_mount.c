/* SPDX-License-Identifier: MIT */
/*
 * stor_mount.c - which datasets are mounted where. File systems with canmount=on and a path
 * mountpoint are mounted through FUSE (zpl_mount) when created, imported or changed, while the
 * pool daemon has automounting on; snapshots are not mounted here. The table is the daemon's.
 *
 * Nothing here touches a mount path while holding a pool lock: a mountpoint inside another file
 * system of the same pool is served by that pool's FUSE thread, which needs the lock.
 */
#include <pthread.h>
#include <sys/stat.h>

#include "basalt/stor.h"
#include "dsl_impl.h"
#include "recv_resume.h"
#include "zpl.h"

struct mount_ent {
	char *name;
	char *mountpoint;
	struct zpl_mount *m;
	struct mount_ent *next;
};

static pthread_mutex_t mount_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mount_ent *mounts;
static bool automount;

void stor_automount(bool on)
{
	automount = on;
}

static struct mount_ent *find(const char *name)
{
	for (struct mount_ent *e = mounts; e; e = e->next)
		if (streq(e->name, name))
			return e;
	return NULL;
}

bool stor_is_mounted(const char *name)
{
	bool r;

	pthread_mutex_lock(&mount_lock);
	r = find(name) != NULL;
	pthread_mutex_unlock(&mount_lock);
	return r;
}

int stor_ds_mount(const char *name)
{
	_cleanup_free_ char *mp = NULL, *canmount = NULL, *ro = NULL;
	struct zpl_mount *m = NULL;
	struct spa *spa;
	dsl_dataset_t *ds;
	objset_t *os;
	int r;

	pthread_mutex_lock(&mount_lock);
	if (find(name)) {
		pthread_mutex_unlock(&mount_lock);
		return bs_error(EBUSY, "filesystem '%s' is already mounted", name);
	}
	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		goto out;
	r = dsl_dataset_lookup(spa, name, &ds);
	if (r == 0 && (dsl_dataset_is_snapshot(ds) || dsl_dataset_ostype(ds) != DMU_OST_ZFS))
		r = bs_error(EINVAL, "'%s' is not a filesystem", name);
	if (r == 0)
		r = dsl_prop_get_string(ds, "mountpoint", &mp);
	if (r == 0)
		r = dsl_prop_get_string(ds, "canmount", &canmount);
	if (r == 0)
		r = dsl_prop_get_string(ds, "readonly", &ro);
	if (r == 0 && (streq(mp, "none") || streq(mp, "legacy")))
		r = bs_error(EINVAL, "cannot mount '%s': mountpoint is '%s'", name, mp);
	if (r == 0 && streq(canmount, "off"))
		r = bs_error(EINVAL, "cannot mount '%s': canmount is off", name);
	if (r == 0 && recv_resume_pending(ds))
		r = bs_error(
			EBUSY,
			"cannot mount '%s': it holds a partial receive; resume it (zfs send -t) "
			"or abort it (zfs receive -A)",
			name);
	if (r == 0)
		r = dsl_dataset_objset(ds, &os);
	if (r == 0)
		dsl_dataset_long_hold(ds);
	dsl_pool_exit(spa);
	if (r < 0)
		goto out;
	r = zpl_mount(os, name, mp, streq(ro, "on"), &m);
	if (r < 0) {
		spa_enter(spa);
		dsl_dataset_long_rele(ds);
		spa_exit(spa);
		goto out;
	}
	{
		struct mount_ent *e = bs_zalloc(sizeof(*e));

		e->name = bs_strdup(name);
		e->mountpoint = TAKE_PTR(mp);
		e->m = m;
		e->next = mounts;
		mounts = e;
	}
out:
	pthread_mutex_unlock(&mount_lock);
	return r;
}

static int unmount_ent(struct mount_ent **pp, bool force)
{
	struct mount_ent *e = *pp;
	struct spa *spa;
	dsl_dataset_t *ds;
	int r;

	r = zpl_unmount(e->m, force);
	if (r < 0)
		return r;
	*pp = e->next;
	if (dsl_pool_enter(e->name, &spa) == 0) {
		if (dsl_dataset_lookup(spa, e->name, &ds) == 0)
			dsl_dataset_long_rele(ds);
		dsl_pool_exit(spa);
	}
	free(e->name);
	free(e->mountpoint);
	free(e);
	return 0;
}

int stor_ds_unmount(const char *name, bool force)
{
	struct mount_ent **pp;
	int r;

	pthread_mutex_lock(&mount_lock);
	for (pp = &mounts; *pp; pp = &(*pp)->next)
		if (streq((*pp)->name, name) || streq((*pp)->mountpoint, name))
			break;
	if (!*pp) {
		pthread_mutex_unlock(&mount_lock);
		return bs_error(EINVAL, "cannot unmount '%s': not currently mounted", name);
	}
	r = unmount_ent(pp, force);
	pthread_mutex_unlock(&mount_lock);
	if (r < 0)
		return bs_error(-r, "cannot unmount '%s': %s", name,
				r == -EBUSY ? "target is busy" : strerror(-r));
	return 0;
}

int stor_snapdir_release(const char *name)
{
	_cleanup_free_ char *fs = bs_strdup(name);
	char *at = strchr(fs, '@');
	struct mount_ent *e;
	int r = 0;

	if (at)
		*at++ = 0;
	pthread_mutex_lock(&mount_lock);
	e = find(fs);
	if (e)
		r = zpl_mount_release_snapshots(e->m, at);
	pthread_mutex_unlock(&mount_lock);
	return r;
}

/* Unmount if mounted (destroy); nothing to do otherwise. */
int stor_unmount_dataset(const char *name, bool force)
{
	bool mounted;

	pthread_mutex_lock(&mount_lock);
	mounted = find(name) != NULL;
	pthread_mutex_unlock(&mount_lock);
	return mounted ? stor_ds_unmount(name, force) : 0;
}

static bool should_mount(json_t *e)
{
	json_t *p = json_object_get(e, "props");
	const char *mp =
		json_string_value(json_object_get(json_object_get(p, "mountpoint"), "value"));
	const char *cm =
		json_string_value(json_object_get(json_object_get(p, "canmount"), "value"));
	const char *resume = json_string_value(
		json_object_get(json_object_get(p, "receive_resume_token"), "value"));

	/* (a file system holding a partial receive stays unmounted until it is resumed) */
	return mp && mp[0] == '/' && (!cm || streq(cm, "on")) && (!resume || streq(resume, "-"));
}

/*
 * After a change that moves or replaces a file system (and so its descendants, which inherit
 * their mountpoints): unmount them deepest first, then mount again, parents first, where their
 * properties now say.
 */
static int unmount_list(json_t *list)
{
	size_t i;
	int r = 0;

	for (i = json_array_size(list); i-- > 0 && r == 0;)
		r = stor_unmount_dataset(
			json_string_value(json_object_get(json_array_get(list, i), "name")), true);
	return r;
}

int stor_unmount_tree(const char *name)
{
	const char *roots[] = { name, NULL };
	json_t *list;
	int r;

	r = stor_ds_list(roots, true, -1, STOR_TYPE_FILESYSTEM, &list);
	if (r < 0)
		return r;
	r = unmount_list(list);
	json_decref(list);
	return r;
}

int stor_remount_dataset(const char *name)
{
	const char *roots[] = { name, NULL };
	json_t *list, *e;
	size_t i;
	int r;

	r = stor_ds_list(roots, true, -1, STOR_TYPE_FILESYSTEM, &list);
	if (r < 0)
		return r;
	r = unmount_list(list);
	json_array_foreach(list, i, e) {
		if (r < 0 || !automount)
			break;
		if (should_mount(e))
			(void)stor_ds_mount(json_string_value(json_object_get(e, "name")));
	}
	json_decref(list);
	bs_error_clear();
	return r;
}

int stor_unmount_pool(const char *pool, bool force)
{
	struct mount_ent **pp;
	size_t n = strlen(pool);
	int r = 0;

	pthread_mutex_lock(&mount_lock);
	for (pp = &mounts; *pp;) {
		const char *nm = (*pp)->name;

		if (strncmp(nm, pool, n) == 0 && (nm[n] == 0 || nm[n] == '/')) {
			r = unmount_ent(pp, force);
			if (r < 0)
				break;
			continue;
		}
		pp = &(*pp)->next;
	}
	pthread_mutex_unlock(&mount_lock);
	return r < 0 ? bs_error(-r, "cannot unmount datasets of pool '%s': %s", pool,
				strerror(-r)) :
		       0;
}

int stor_mount_all(void)
{
	json_t *list, *e;
	size_t i;
	int r, first = 0;

	r = stor_ds_list(NULL, true, -1, STOR_TYPE_FILESYSTEM, &list);
	if (r < 0)
		return r;
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		if (!should_mount(e))
			continue;
		pthread_mutex_lock(&mount_lock);
		r = find(name) ? 0 : 1;
		pthread_mutex_unlock(&mount_lock);
		if (r == 1) {
			r = stor_ds_mount(name);
			if (r < 0 && !first)
				first = r;
		}
	}
	json_decref(list);
	return first;
}

int stor_mount_list(json_t **ret)
{
	json_t *out = json_array();

	pthread_mutex_lock(&mount_lock);
	for (struct mount_ent *e = mounts; e; e = e->next) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "mountpoint", json_string(e->mountpoint));
		json_array_append_new(out, o);
	}
	pthread_mutex_unlock(&mount_lock);
	*ret = out;
	return 0;
}
