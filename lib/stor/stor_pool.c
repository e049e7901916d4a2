/* SPDX-License-Identifier: MIT */
/*
 * stor_pool.c - pools by name, for the zpool command: create on a vdev spec, import from
 * labels found in a directory or the device cache, export, destroy, list, status, history,
 * properties, sync; and the cache file that lets the daemon re-import its pools at start.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "basalt/stor.h"
#include "dsl_impl.h"
#include "zap.h"
#include "zpl.h"

static int pool_name_check(const char *name)
{
	static const char *const reserved[] = { "mirror", "raidz", "draid",   "spare",
						"log",	  "cache", "special", NULL };
	size_t i;

	if (!*name || strlen(name) >= DSL_MAXNAMELEN)
		return bs_error(EINVAL, "invalid pool name '%s'", name);
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return bs_error(EINVAL, "invalid pool name '%s': must begin with a letter", name);
	for (i = 0; reserved[i]; i++)
		if (bs_startswith(name, reserved[i]))
			return bs_error(EINVAL, "invalid pool name '%s': name is reserved", name);
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || strchr("_-.:", name[i])))
			return bs_error(EINVAL, "invalid pool name '%s': invalid character '%c'",
					name, name[i]);
	return 0;
}

/* ---- the cache file ---- */

/* Called with the namespace lock held; takes each pool's lock to read its devices. */
int spa_cache_write(void)
{
	_cleanup_free_ char *path = bs_root_path("zpool.cache");
	json_t *pools = json_array();
	struct spa *spa;
	char *text;
	int r;

	for (spa = spa_first(); spa; spa = spa->next) {
		json_t *p = json_object(), *devs = json_array();

		pthread_mutex_lock(&spa->lock);
		for (int v = 0; v < spa->nvdevs; v++)
			for (int i = 0; i < spa->vdev[v]->nchildren; i++)
				json_array_append_new(devs,
						      json_string(spa->vdev[v]->child[i]->path));
		pthread_mutex_unlock(&spa->lock);
		json_object_set_new(p, "name", json_string(spa->name));
		json_object_set_new(p, "guid", json_integer((json_int_t)spa->guid));
		json_object_set_new(p, "devices", devs);
		json_array_append_new(pools, p);
	}
	text = json_dumps(pools, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(pools);
	(void)bs_mkdir_p(bs_root_dir(), 0755);
	r = bs_write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return r;
}

/*
 * The end of create and import: lock the devices, build or load the MOS with prepare, commit,
 * and add the pool to the namespace and the cache file. Called with the namespace lock held,
 * which it releases; it owns spa (freed on failure).
 */
static int pool_publish(struct spa *spa, int (*prepare)(struct spa *spa, const void *arg),
			const void *arg)
{
	int r;

	spa->import_time = bs_now_ns();
	r = spa_lock_devices(spa);
	if (r == 0) {
		spa_enter(spa);
		r = prepare(spa, arg);
		if (r == 0)
			r = spa_sync(spa);
		spa_exit(spa);
	}
	if (r < 0) {
		spa_free(spa);
	} else {
		spa_namespace_add(spa);
		r = spa_cache_write();
	}
	spa_namespace_exit();
	return r;
}

static int create_mos(struct spa *spa, const void *props)
{
	return spa_create_mos(spa, props);
}

static int load_mos(struct spa *spa, const void *arg)
{
	int r = spa_load_mos(spa);

	(void)arg;
	spa->config_dirty = true; /* the labels say "active" again */
	return r;
}

/* ---- create ---- */

static int add_top(struct spa *spa, bool mirror, struct vdev_leaf **leaves, int n)
{
	struct vdev_top *vd = bs_zalloc(sizeof(*vd));
	uint64_t usable = UINT64_MAX;
	int i;

	vd->id = (unsigned)spa->nvdevs;
	vd->guid = bs_random_u64();
	vd->mirror = mirror;
	vd->nchildren = n;
	vd->child = bs_malloc(n * sizeof(*vd->child));
	for (i = 0; i < n; i++) {
		vd->child[i] = leaves[i];
		usable = MIN(usable, vdev_usable(leaves[i]->size, spa->ashift));
	}
	vd->asize = usable;
	spa->vdev = bs_realloc(spa->vdev, (spa->nvdevs + 1) * sizeof(*spa->vdev));
	spa->vdev[spa->nvdevs++] = vd;
	return 0;
}

int vdev_leaf_open_new(const char *path, bool force, struct vdev_leaf **ret)
{
	struct vdev_leaf *l;
	json_t *cfg = NULL;
	int r;

	r = vdev_leaf_open(path, false, &l);
	if (r < 0)
		return r;
	if (l->size < VDEV_MIN_SIZE) {
		r = bs_error(EINVAL, "device '%s' is too small: %llu bytes, at least %llu needed",
			     path, (unsigned long long)l->size, (unsigned long long)VDEV_MIN_SIZE);
		vdev_leaf_close(l);
		return r;
	}
	if (!force && vdev_leaf_read_label(l, &cfg, NULL) == 0) {
		const char *pname = json_string_value(json_object_get(cfg, "name"));
		const char *state = json_string_value(json_object_get(cfg, "state"));

		if (state && !streq(state, "destroyed")) {
			r = bs_error(EBUSY,
				     "device '%s' is part of pool '%s' (%s); use -f to "
				     "override",
				     path, pname ? pname : "?", state);
			json_decref(cfg);
			vdev_leaf_close(l);
			return r;
		}
		json_decref(cfg);
	}
	l->guid = bs_random_u64();
	*ret = l;
	return 0;
}

static int build_vdevs(struct spa *spa, int nspec, char *const *spec, bool force)
{
	struct vdev_leaf *group[16];
	bool mirror = false;
	int n = 0, i, r;

	for (i = 0; i <= nspec; i++) {
		bool end = i == nspec || streq(spec[i], "mirror");

		if (end && (n > 0 || mirror)) {
			if (mirror && n < 2)
				return bs_error(EINVAL, "a mirror needs at least two devices");
			if (mirror) {
				add_top(spa, true, group, n);
			} else {
				for (int k = 0; k < n; k++)
					add_top(spa, false, &group[k], 1);
			}
			n = 0;
		}
		if (i == nspec)
			break;
		if (streq(spec[i], "mirror")) {
			mirror = true;
			continue;
		}
		if (bs_startswith(spec[i], "raidz") || streq(spec[i], "draid"))
			return bs_error(ENOTSUP,
					"vdev type '%s' is not supported; use mirror or "
					"plain devices",
					spec[i]);
		if (n == (int)ARRAY_SIZE(group))
			return bs_error(EINVAL, "too many devices in one vdev");
		for (int v = 0; v < spa->nvdevs; v++)
			for (int k = 0; k < spa->vdev[v]->nchildren; k++)
				if (streq(spa->vdev[v]->child[k]->path, spec[i]))
					return bs_error(EINVAL, "device '%s' is named twice",
							spec[i]);
		for (int k = 0; k < n; k++)
			if (streq(group[k]->path, spec[i]))
				return bs_error(EINVAL, "device '%s' is named twice", spec[i]);
		r = vdev_leaf_open_new(spec[i], force, &group[n]);
		if (r < 0) {
			while (n-- > 0)
				vdev_leaf_close(group[n]);
			return r;
		}
		n++;
	}
	if (spa->nvdevs == 0)
		return bs_error(EINVAL, "no devices given");
	return 0;
}

int stor_pool_create(const char *name, int nspec, char *const *spec,
		     const struct stor_pool_create_opts *opts)
{
	struct spa *spa = NULL;
	_cleanup_free_ const char **props = NULL;
	_cleanup_free_ char *mp = NULL;
	size_t np = 0;
	int r;

	r = pool_name_check(name);
	if (r < 0)
		return r;
	if (opts->ashift && (opts->ashift < 9 || opts->ashift > 16))
		return bs_error(EINVAL, "invalid ashift %u: must be from 9 to 16", opts->ashift);
	for (np = 0; opts->fsprops && opts->fsprops[np]; np++)
		;
	props = bs_zalloc((np + 2) * sizeof(*props));
	if (np)
		memcpy(props, opts->fsprops, np * sizeof(*props));
	if (opts->mountpoint) {
		mp = bs_asprintf("mountpoint=%s", opts->mountpoint);
		props[np++] = mp;
	}
	r = dsl_prop_validate(props, DMU_OST_ZFS);
	if (r < 0)
		return r;
	spa_namespace_enter();
	if (spa_lookup(name)) {
		r = bs_error(EEXIST, "pool '%s' already exists", name);
		goto out;
	}
	spa = spa_alloc(name);
	spa->guid = bs_random_u64();
	spa->ashift = opts->ashift ? opts->ashift : 12;
	spa->altroot = opts->altroot ? bs_strdup(opts->altroot) : NULL;
	r = build_vdevs(spa, nspec, spec, opts->force);
	if (r == 0)
		return pool_publish(spa, create_mos, props);
	spa_free(spa);
out:
	spa_namespace_exit();
	return r;
}

/* ---- import ---- */

struct found_leaf {
	char *path;
	json_t *cfg;
	struct uberblock ub;
};

static void found_free(struct found_leaf *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		json_decref(f[i].cfg);
	}
	free(f);
}

static int scan_paths(char **paths, size_t npaths, struct found_leaf **ret, size_t *ret_n)
{
	struct found_leaf *f = NULL;
	size_t n = 0, i;

	for (i = 0; i < npaths; i++) {
		struct vdev_leaf *l;
		json_t *cfg;
		struct uberblock ub;

		if (vdev_leaf_open(paths[i], false, &l) < 0)
			continue;
		if (vdev_leaf_read_label(l, &cfg, &ub) == 0) {
			f = bs_realloc(f, (n + 1) * sizeof(*f));
			f[n].path = bs_strdup(paths[i]);
			f[n].cfg = cfg;
			f[n].ub = ub;
			n++;
		}
		vdev_leaf_close(l);
	}
	bs_error_clear();
	*ret = f;
	*ret_n = n;
	return 0;
}

/* "fault:DIR" lists DIR's devices as fault-injecting ones (crash tests). */
static int list_dir(const char *dir, char ***ret, size_t *ret_n)
{
	const char *prefix = bs_startswith(dir, "fault:") ? "fault:" : "";
	DIR *d = opendir(dir + strlen(prefix));
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (!d)
		return bs_error(errno, "cannot open directory '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		p = bs_path_join(dir + strlen(prefix), e->d_name);
		if (stat(p, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
			v = bs_realloc(v, (n + 1) * sizeof(*v));
			v[n++] = bs_asprintf("%s%s", prefix, p);
		}
		free(p);
	}
	closedir(d);
	*ret = v;
	*ret_n = n;
	return 0;
}

static int cache_paths(char ***ret, size_t *ret_n)
{
	_cleanup_free_ char *path = bs_root_path("zpool.cache"), *text = NULL;
	json_t *pools, *p, *d;
	size_t i, k, n = 0, len;
	char **v = NULL;

	*ret = NULL;
	*ret_n = 0;
	if (bs_read_file(path, &text, &len) < 0)
		return 0;
	pools = json_loads(text, 0, NULL);
	if (!json_is_array(pools)) {
		json_decref(pools);
		return 0;
	}
	json_array_foreach(pools, i, p) {
		json_array_foreach(json_object_get(p, "devices"), k, d) {
			if (!json_is_string(d))
				continue;
			v = bs_realloc(v, (n + 1) * sizeof(*v));
			v[n++] = bs_strdup(json_string_value(d));
		}
	}
	json_decref(pools);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int gather(const char *dir, struct found_leaf **ret, size_t *ret_n)
{
	char **paths = NULL;
	size_t np = 0;
	int r;

	r = dir ? list_dir(dir, &paths, &np) : cache_paths(&paths, &np);
	if (r < 0)
		return r;
	r = scan_paths(paths, np, ret, ret_n);
	strv_free(paths, np);
	return r;
}

static uint64_t cfg_u64(json_t *cfg, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(cfg, key));
}

static bool matches(json_t *cfg, const char *name_or_guid)
{
	const char *name = json_string_value(json_object_get(cfg, "name"));
	char guid[24];

	snprintf(guid, sizeof(guid), "%llu", (unsigned long long)cfg_u64(cfg, "guid"));
	return (name && streq(name, name_or_guid)) || streq(guid, name_or_guid);
}

/* Build the pool from the newest config among its leaves, finding each leaf by guid. */
static int assemble(struct found_leaf *f, size_t n, uint64_t pool_guid, struct spa **ret)
{
	json_t *cfg = NULL, *tops, *t;
	struct uberblock best = { 0 };
	struct spa *spa;
	size_t i, ti;
	int r;

	for (i = 0; i < n; i++) {
		if (cfg_u64(f[i].cfg, "guid") != pool_guid)
			continue;
		if (!cfg || cfg_u64(f[i].cfg, "txg") > cfg_u64(cfg, "txg"))
			cfg = f[i].cfg;
		if (f[i].ub.txg > best.txg && f[i].ub.guid_sum)
			best = f[i].ub;
	}
	if (!cfg)
		return -ENOENT;
	spa = spa_alloc(json_string_value(json_object_get(cfg, "name")));
	spa->guid = pool_guid;
	spa->ashift = (unsigned)cfg_u64(cfg, "ashift");
	if (spa->ashift < 9 || spa->ashift > 16) {
		spa_free(spa);
		return bs_error(EIO, "pool configuration is damaged (ashift)");
	}
	tops = json_object_get(cfg, "vdev_tree");
	json_array_foreach(tops, ti, t) {
		json_t *kids = json_object_get(t, "children"), *k;
		struct vdev_leaf *leaves[16];
		size_t ki, nk = json_array_size(kids), present = 0;
		uint64_t top_asize = cfg_u64(t, "asize");
		_cleanup_free_ char *shrunk = NULL;

		if (nk == 0 || nk > ARRAY_SIZE(leaves)) {
			spa_free(spa);
			return bs_error(EIO, "pool configuration is damaged (vdev tree)");
		}
		json_array_foreach(kids, ki, k) {
			uint64_t g = cfg_u64(k, "guid");
			const char *path = json_string_value(json_object_get(k, "path"));
			struct vdev_leaf *l = NULL;

			for (i = 0; i < n; i++)
				if (cfg_u64(f[i].cfg, "guid") == pool_guid &&
				    cfg_u64(f[i].cfg, "this_guid") == g &&
				    vdev_leaf_open(f[i].path, false, &l) == 0)
					break;
			/* a device cut short (its end labels gone) lacks blocks: not a copy */
			if (l && vdev_usable(l->size, spa->ashift) < top_asize) {
				free(shrunk);
				shrunk = bs_asprintf(
					"device '%s' is smaller than the pool recorded "
					"(%llu bytes usable, %llu needed)",
					l->path,
					(unsigned long long)vdev_usable(l->size, spa->ashift),
					(unsigned long long)top_asize);
				vdev_leaf_close(l);
				l = NULL;
			}
			if (!l) {
				l = bs_zalloc(sizeof(*l));
				l->fd = l->dfd = -1;
				l->missing = true;
				l->path = bs_strdup(path ? path : "?");
			} else {
				present++;
			}
			l->guid = g;
			l->resilvering = json_is_true(json_object_get(k, "resilvering"));
			l->replacing = cfg_u64(k, "replacing");
			if (l->resilvering && !l->missing)
				present--;
			leaves[ki] = l;
		}
		add_top(spa, streq(json_string_value(json_object_get(t, "type")) ?: "", "mirror"),
			leaves, (int)nk);
		spa->vdev[spa->nvdevs - 1]->guid = cfg_u64(t, "guid");
		spa->vdev[spa->nvdevs - 1]->asize = top_asize;
		if (!present) {
			r = shrunk ? bs_error(ENXIO, "pool '%s': %s", spa->name, shrunk) :
				     bs_error(ENXIO, "pool '%s': one or more devices is missing",
					      spa->name);
			spa_free(spa);
			return r;
		}
	}
	if (best.txg == 0) {
		r = bs_error(EIO, "pool '%s': no valid uberblock", spa->name);
		spa_free(spa);
		return r;
	}
	spa->ub = best;
	*ret = spa;
	return 0;
}

static int import_found(const char *name_or_guid, struct found_leaf *f, size_t n);

/* A pool exported while it resilvered resumes the resilver once imported; r is pool_publish()'s
 * result: spa is gone unless it is 0. */
static int resume_resilver(struct spa *spa, int r)
{
	_cleanup_free_ char *name = NULL;
	bool run = false;

	if (r < 0)
		return r;
	spa_namespace_enter();
	name = bs_strdup(spa->name);
	spa_namespace_exit();
	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	r = spa->readonly ? 0 : spa_resilver_start(spa, &run);
	dsl_pool_exit(spa);
	return run ? spa_resilver_run(spa, false) : r;
}

int stor_pool_import(const char *name_or_guid, const char *dir)
{
	struct found_leaf *f;
	size_t n;
	int r;

	r = gather(dir, &f, &n);
	if (r < 0)
		return r;
	return import_found(name_or_guid, f, n);
}

/* Import the pool named (or numbered) so from the labels found; frees f. */
static int import_found(const char *name_or_guid, struct found_leaf *f, size_t n)
{
	struct spa *spa = NULL;
	uint64_t guid = 0;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const char *state = json_string_value(json_object_get(f[i].cfg, "state"));

		if (!matches(f[i].cfg, name_or_guid) || (state && streq(state, "destroyed")))
			continue;
		if (guid && guid != cfg_u64(f[i].cfg, "guid")) {
			found_free(f, n);
			return bs_error(EINVAL, "more than one pool is named '%s'; import by guid",
					name_or_guid);
		}
		guid = cfg_u64(f[i].cfg, "guid");
	}
	if (!guid) {
		found_free(f, n);
		return bs_error(ENOENT, "no such pool available");
	}
	r = assemble(f, n, guid, &spa);
	found_free(f, n);
	if (r < 0)
		return r;
	spa_namespace_enter();
	if (spa_lookup(spa->name)) {
		r = bs_error(EEXIST, "a pool named '%s' is already imported", spa->name);
		spa_free(spa);
		spa_namespace_exit();
		return r;
	}
	return resume_resilver(spa, pool_publish(spa, load_mos, NULL));
}

int stor_pool_import_scan(const char *dir, json_t **ret)
{
	struct found_leaf *f;
	json_t *out = json_array();
	size_t n, i, k;
	int r;

	r = gather(dir, &f, &n);
	if (r < 0) {
		json_decref(out);
		return r;
	}
	for (i = 0; i < n; i++) {
		uint64_t g = cfg_u64(f[i].cfg, "guid");
		const char *state = json_string_value(json_object_get(f[i].cfg, "state"));
		json_t *p = NULL, *e;

		if (state && streq(state, "destroyed"))
			continue;
		json_array_foreach(out, k, e)
			if ((uint64_t)json_integer_value(json_object_get(e, "guid")) == g)
				p = e;
		if (!p) {
			p = json_object();
			json_object_set_new(p, "name",
					    json_copy(json_object_get(f[i].cfg, "name")));
			json_object_set_new(p, "guid", json_integer((json_int_t)g));
			json_object_set_new(p, "state", json_string(state ? state : "?"));
			json_object_set_new(p, "devices", json_array());
			json_array_append_new(out, p);
		}
		json_array_append_new(json_object_get(p, "devices"), json_string(f[i].path));
	}
	found_free(f, n);
	*ret = out;
	return 0;
}

int stor_pool_import_cached(void)
{
	_cleanup_free_ char *path = bs_root_path("zpool.cache"), *text = NULL;
	json_t *pools, *p;
	size_t i, len;
	int r, first = 0;

	if (bs_read_file(path, &text, &len) < 0)
		return -ENOENT;
	pools = json_loads(text, 0, NULL);
	if (!json_is_array(pools)) {
		json_decref(pools);
		return bs_error(EINVAL, "pool cache '%s' is damaged", path);
	}
	/* every import rewrites the cache: read the devices of all pools first */
	json_array_foreach(pools, i, p) {
		struct found_leaf *f;
		size_t nf;
		char guid[24];
		char **paths = NULL;
		size_t np = 0, k;
		json_t *d;

		json_array_foreach(json_object_get(p, "devices"), k, d) {
			if (!json_is_string(d))
				continue;
			paths = bs_realloc(paths, (np + 1) * sizeof(*paths));
			paths[np++] = bs_strdup(json_string_value(d));
		}
		scan_paths(paths, np, &f, &nf);
		strv_free(paths, np);
		snprintf(guid, sizeof(guid), "%llu",
			 (unsigned long long)json_integer_value(json_object_get(p, "guid")));
		r = import_found(guid, f, nf);
		if (r < 0) {
			log_err("cannot import pool '%s': %s",
				json_string_value(json_object_get(p, "name")) ?: "?",
				bs_strerror(r));
			if (!first)
				first = r;
		}
	}
	json_decref(pools);
	return first;
}

/* ---- export, destroy ---- */

static int pool_close(const char *name, bool force, const char *state)
{
	struct spa *spa;
	int r;

	r = stor_unmount_pool(name, force);
	if (r < 0)
		return r;
	spa_namespace_enter();
	spa = spa_lookup(name);
	if (!spa) {
		spa_namespace_exit();
		return bs_error(ENOENT, "no such pool '%s'", name);
	}
	spa_enter(spa);
	while (spa->scrub_active) { /* a scrub walks without the lock: stop it first */
		spa->scrub_cancel = true;
		spa_exit(spa);
		usleep(10000);
		spa_enter(spa);
	}
	for (struct dsl_dataset *ds = spa->ds_cache; ds; ds = ds->next)
		if (ds->long_holds) {
			spa_exit(spa);
			spa_namespace_exit();
			return bs_error(
				EBUSY,
				"pool '%s' is busy: a send, a mount or an open volume is using it",
				name);
		}
	r = spa->readonly ? 0 : spa_sync(spa);
	if (r == 0 && !spa->readonly)
		r = spa_write_labels(spa, state);
	spa_exit(spa);
	if (r < 0 && !force) {
		spa_namespace_exit();
		return r;
	}
	spa_namespace_remove(spa);
	spa_free(spa);
	r = spa_cache_write();
	spa_namespace_exit();
	return r;
}

int stor_pool_export(const char *name, bool force)
{
	return pool_close(name, force, "exported");
}

int stor_pool_destroy(const char *name, bool force)
{
	return pool_close(name, force, "destroyed");
}

void stor_pool_export_all(void)
{
	for (;;) {
		char *name;

		spa_namespace_enter();
		name = spa_first() ? bs_strdup(spa_first()->name) : NULL;
		spa_namespace_exit();
		if (!name)
			return;
		if (stor_pool_export(name, true) < 0)
			log_err("export of '%s' failed: %s", name, bs_error_msg());
		free(name);
	}
}

/* ---- listing ---- */

static const char *pool_health(struct spa *spa)
{
	bool degraded = false;

	for (int v = 0; v < spa->nvdevs; v++) {
		const char *s = vdev_top_state(spa->vdev[v]);

		if (streq(s, "UNAVAIL"))
			return "UNAVAIL";
		if (!streq(s, "ONLINE"))
			degraded = true;
	}
	if (spa->readonly)
		return "SUSPENDED";
	return degraded ? "DEGRADED" : "ONLINE";
}

static json_t *pool_summary(struct spa *spa)
{
	json_t *o = json_object();
	uint64_t size = space_total(spa), alloc = space_allocated(spa) - spa->defer_bytes;
	char buf[32];

	json_object_set_new(o, "name", json_string(spa->name));
	json_object_set_new(o, "size", json_integer((json_int_t)size));
	json_object_set_new(o, "alloc", json_integer((json_int_t)alloc));
	json_object_set_new(o, "free", json_integer((json_int_t)(size - alloc)));
	json_object_set_new(o, "ckpoint", json_null());
	json_object_set_new(o, "expandsz", json_null());
	json_object_set_new(o, "frag", json_null());
	json_object_set_new(o, "cap", json_integer((json_int_t)(size ? alloc * 100 / size : 0)));
	json_object_set_new(o, "dedup", json_string("1.00x"));
	json_object_set_new(o, "health", json_string(pool_health(spa)));
	json_object_set_new(o, "altroot", spa->altroot ? json_string(spa->altroot) : json_null());
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)spa->guid);
	json_object_set_new(o, "guid", json_string(buf));
	json_object_set_new(o, "txg", json_integer((json_int_t)spa->ub.txg));
	json_object_set_new(o, "ashift", json_integer(spa->ashift));
	return o;
}

int stor_pool_list(const char *name_or_null, json_t **ret)
{
	json_t *out = json_array();
	struct spa *spa;
	bool found = false;

	spa_namespace_enter();
	for (spa = spa_first(); spa; spa = spa->next) {
		if (name_or_null && !streq(spa->name, name_or_null))
			continue;
		found = true;
		spa_enter(spa);
		json_array_append_new(out, pool_summary(spa));
		spa_exit(spa);
	}
	spa_namespace_exit();
	if (name_or_null && !found) {
		json_decref(out);
		return bs_error(ENOENT, "no such pool '%s'", name_or_null);
	}
	*ret = out;
	return 0;
}

int stor_pool_get_props(const char *name, json_t **ret)
{
	json_t *list, *s, *o = json_object();
	const char *k;
	json_t *v;
	int r;

	r = stor_pool_list(name, &list);
	if (r < 0) {
		json_decref(o);
		return r;
	}
	s = json_array_get(list, 0);
	json_object_foreach(s, k, v) {
		json_t *p = json_object();
		char buf[32];
		const char *pname = streq(k, "alloc") ? "allocated" :
				    streq(k, "cap")   ? "capacity" :
							k;

		if (json_is_integer(v)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
			json_object_set_new(p, "value", json_string(buf));
		} else {
			json_object_set_new(p, "value",
					    json_is_null(v) ? json_string("-") : json_copy(v));
		}
		json_object_set_new(p, "source", json_string(streq(k, "ashift") ? "local" : "-"));
		json_object_set_new(o, pname, p);
	}
	json_decref(list);
	*ret = o;
	return 0;
}

static json_t *vdev_json(const char *name, const char *state, uint64_t rd, uint64_t wr, uint64_t ck)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "read", json_integer((json_int_t)rd));
	json_object_set_new(o, "write", json_integer((json_int_t)wr));
	json_object_set_new(o, "cksum", json_integer((json_int_t)ck));
	return o;
}

/* The index of the leaf that replaces l, or -1. */
static int replacement_of(struct vdev_top *vd, struct vdev_leaf *l)
{
	if (!l->replacing)
		return -1;
	for (int k = 0; k < vd->nchildren; k++)
		if (vd->child[k]->guid == l->replacing)
			return k;
	return -1;
}

/* Whether l is the new device of a replacement in vd. */
static bool replaced_one(struct vdev_top *vd, struct vdev_leaf *l)
{
	for (int k = 0; k < vd->nchildren; k++)
		if (vd->child[k]->replacing == l->guid)
			return true;
	return false;
}

static bool any_missing(struct vdev_top *vd)
{
	for (int k = 0; k < vd->nchildren; k++)
		if (vd->child[k]->missing)
			return true;
	return false;
}

static json_t *leaf_json(struct spa *spa, struct vdev_leaf *l)
{
	json_t *lj = vdev_json(l->path, l->missing ? "UNAVAIL" : "ONLINE", l->read_errors,
			       l->write_errors, l->cksum_errors);

	json_object_set_new(lj, "guid", json_sprintf("%llu", (unsigned long long)l->guid));
	json_object_set_new(lj, "repaired", json_integer((json_int_t)l->repaired_bytes));
	if (l->missing)
		json_object_set_new(lj, "message", json_string("cannot open"));
	else if (l->resilvering && spa->scrub_active && spa->scan_resilver)
		json_object_set_new(lj, "message", json_string("(resilvering)"));
	else if (l->resilvering)
		json_object_set_new(lj, "message", json_string("(awaiting resilver)"));
	if (l->resilvering)
		json_object_set_new(lj, "resilvering", json_true());
	return lj;
}

/* Find the pool named name and take its lock; NULL if there is none. */
static struct spa *pool_enter(const char *name)
{
	struct spa *spa;

	spa_namespace_enter();
	spa = spa_lookup(name);
	if (spa)
		spa_enter(spa);
	spa_namespace_exit();
	return spa;
}

int stor_pool_status(const char *name, json_t **ret)
{
	struct spa *spa;
	json_t *o, *root, *kids, *errs;
	bool missing = false, resilvering = false;
	int v, i;

	spa = pool_enter(name);
	if (!spa)
		return bs_error(ENOENT, "no such pool '%s'", name);
	o = pool_summary(spa);
	json_object_set_new(o, "state", json_string(pool_health(spa)));
	root = vdev_json(spa->name, pool_health(spa), 0, 0, 0);
	kids = json_array();
	for (v = 0; v < spa->nvdevs; v++) {
		struct vdev_top *vd = spa->vdev[v];
		json_t *leaves = json_array(), *t;
		char tn[32];

		for (i = 0; i < vd->nchildren; i++) {
			struct vdev_leaf *l = vd->child[i];
			int k = replacement_of(vd, l);

			if (replaced_one(vd, l))
				continue; /* shown under the device it replaces */
			if (k < 0) {
				json_array_append_new(leaves, leaf_json(spa, l));
				continue;
			}
			/* a replacement in progress: old and new under "replacing-N" */
			snprintf(tn, sizeof(tn), "replacing-%d", i);
			t = vdev_json(tn, vdev_leaf_readable(vd->child[k]) ? "ONLINE" : "DEGRADED",
				      0, 0, 0);
			json_object_set_new(t, "children", json_array());
			json_array_append_new(json_object_get(t, "children"), leaf_json(spa, l));
			json_array_append_new(json_object_get(t, "children"),
					      leaf_json(spa, vd->child[k]));
			json_array_append_new(leaves, t);
		}
		if (vd->mirror && vd->nchildren == 2 && json_array_size(leaves) == 1) {
			/* a plain device being replaced: the replacing vdev is the top */
			t = json_incref(json_array_get(leaves, 0));
			snprintf(tn, sizeof(tn), "replacing-%u", vd->id);
			json_object_set_new(t, "name", json_string(tn));
			json_array_append_new(kids, t);
			json_decref(leaves);
		} else if (vd->mirror) {
			snprintf(tn, sizeof(tn), "mirror-%u", vd->id);
			t = vdev_json(tn, vdev_top_state(vd), 0, 0, 0);
			json_object_set_new(t, "children", leaves);
			json_array_append_new(kids, t);
		} else {
			json_array_extend(kids, leaves);
			json_decref(leaves);
		}
		if (any_missing(vd))
			missing = true;
		for (i = 0; i < vd->nchildren; i++)
			if (vd->child[i]->resilvering)
				resilvering = true;
	}
	if (resilvering && spa->scrub_active && spa->scan_resilver) {
		json_object_set_new(o, "status",
				    json_string("One or more devices is currently being "
						"resilvered.  The pool will\n\tcontinue to "
						"function, possibly in a degraded state."));
		json_object_set_new(o, "action", json_string("Wait for the resilver to complete."));
	} else if (missing) {
		json_object_set_new(o, "status",
				    json_string("One or more devices could not be opened.  "
						"Sufficient replicas exist for\n\tthe pool to "
						"continue functioning in a degraded state."));
		json_object_set_new(o, "action",
				    json_string("Attach the missing device, or replace it "
						"using 'zpool replace'."));
	}
	json_object_set_new(root, "children", kids);
	json_object_set_new(o, "config", root);
	errs = json_array();
	for (size_t e = 0; e < spa->nerrlog; e++) {
		struct spa_error *er = &spa->errlog[e];
		struct dsl_dataset *ds = NULL;
		_cleanup_free_ char *dsname = NULL, *path = NULL;

		if (er->dsobj && dsl_dataset_hold_obj(spa, er->dsobj, &ds) == 0)
			dsname = dsl_dataset_name(ds);
		if (ds && ds->os && dsl_dataset_ostype(ds) == DMU_OST_ZFS &&
		    zpl_obj_path(ds->os, er->obj, &path) == 0)
			json_array_append_new(errs, json_sprintf("%s:%s", dsname, path));
		else
			json_array_append_new(errs, json_sprintf("%s:<0x%llx>",
								 dsname ? dsname : "<metadata>",
								 (unsigned long long)er->obj));
	}
	json_object_set_new(o, "errors", errs);
	{
		json_t *scan = json_object();

		json_object_set_new(scan, "function",
				    json_string(spa->scan_resilver ? "resilver" : "scrub"));
		json_object_set_new(scan, "active", json_boolean(spa->scrub_active));
		json_object_set_new(scan, "start", json_integer((json_int_t)spa->scrub_start));
		json_object_set_new(scan, "end", json_integer((json_int_t)spa->scrub_end));
		json_object_set_new(scan, "examined",
				    json_integer((json_int_t)spa->scrub_examined));
		json_object_set_new(scan, "total", json_integer((json_int_t)spa->scrub_total));
		json_object_set_new(scan, "repaired",
				    json_integer((json_int_t)spa->scrub_repaired));
		json_object_set_new(scan, "errors", json_integer((json_int_t)spa->scrub_errors));
		json_object_set_new(o, "scan", scan);
	}
	spa_exit(spa);
	*ret = o;
	return 0;
}

/* ---- iostat ---- */

static void io_add(json_t *o, const char *key, uint64_t n)
{
	json_object_set_new(
		o, key, json_integer(json_integer_value(json_object_get(o, key)) + (json_int_t)n));
}

static json_t *io_node(const char *name)
{
	json_t *o = json_object();
	static const char *const keys[] = { "read_ops", "write_ops", "read_bytes", "write_bytes" };

	json_object_set_new(o, "name", json_string(name));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_set_new(o, keys[i], json_integer(0));
	return o;
}

static void io_sum(json_t *to, json_t *from)
{
	io_add(to, "read_ops", json_integer_value(json_object_get(from, "read_ops")));
	io_add(to, "write_ops", json_integer_value(json_object_get(from, "write_ops")));
	io_add(to, "read_bytes", json_integer_value(json_object_get(from, "read_bytes")));
	io_add(to, "write_bytes", json_integer_value(json_object_get(from, "write_bytes")));
}

static void io_space(json_t *o, uint64_t size, uint64_t alloc)
{
	json_object_set_new(o, "alloc", json_integer((json_int_t)alloc));
	json_object_set_new(o, "free", json_integer((json_int_t)(size - MIN(size, alloc))));
}

int stor_pool_iostat(const char *name, json_t **ret)
{
	struct spa *spa;
	json_t *o, *tops;
	int r;

	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	o = io_node(spa->name);
	tops = json_array();
	io_space(o, space_total(spa), space_allocated(spa) - spa->defer_bytes);
	json_object_set_new(o, "time", json_integer((json_int_t)bs_now_ns()));
	json_object_set_new(o, "since", json_integer((json_int_t)spa->import_time));
	for (int v = 0; v < spa->nvdevs; v++) {
		struct vdev_top *vd = spa->vdev[v];
		json_t *t, *leaves = json_array();
		uint64_t deferred = 0;
		char tn[32];

		for (size_t d = 0; d < spa->ndefer; d++)
			if (spa->defer[d].vdev == vd->id)
				deferred += spa->defer[d].asize;
		snprintf(tn, sizeof(tn), "mirror-%u", vd->id);
		t = io_node(vd->mirror ? tn : vd->child[0]->path);
		io_space(t, vd->asize, vd->alloc_bytes - MIN(vd->alloc_bytes, deferred));
		for (int i = 0; i < vd->nchildren; i++) {
			struct vdev_leaf *l = vd->child[i];
			json_t *lj = io_node(l->path);

			io_add(lj, "read_ops", __atomic_load_n(&l->read_ops, __ATOMIC_RELAXED));
			io_add(lj, "write_ops", __atomic_load_n(&l->write_ops, __ATOMIC_RELAXED));
			io_add(lj, "read_bytes", __atomic_load_n(&l->read_bytes, __ATOMIC_RELAXED));
			io_add(lj, "write_bytes",
			       __atomic_load_n(&l->write_bytes, __ATOMIC_RELAXED));
			io_sum(t, lj);
			json_array_append_new(leaves, lj);
		}
		io_sum(o, t);
		if (vd->mirror)
			json_object_set_new(t, "children", leaves);
		else
			json_decref(leaves);
		json_array_append_new(tops, t);
	}
	json_object_set_new(o, "children", tops);
	dsl_pool_exit(spa);
	*ret = o;
	return 0;
}

/* ---- history and sync ---- */

int stor_pool_history_log(const char *name, const char *command)
{
	struct spa *spa;
	int r;

	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	r = spa_history_append(spa, command);
	dsl_pool_exit(spa);
	return r;
}

int stor_pool_history(const char *name, json_t **ret)
{
	_cleanup_free_ char *text = NULL;
	struct spa *spa;
	json_t *out;
	char *line, *save = NULL;
	int r;

	r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	r = spa_history_read(spa, &text);
	dsl_pool_exit(spa);
	if (r < 0)
		return r;
	out = json_array();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		json_t *e = json_object();

		if (!tab) {
			json_decref(e);
			continue;
		}
		*tab = 0;
		json_object_set_new(e, "time", json_integer(strtoll(line, NULL, 10)));
		json_object_set_new(e, "command", json_string(tab + 1));
		json_array_append_new(out, e);
	}
	*ret = out;
	return 0;
}

int stor_pool_sync(const char *name_or_null)
{
	char **names = NULL;
	size_t n = 0, i;
	int r = 0;

	/* one pool at a time, so that a busy pool does not hold up the others */
	spa_namespace_enter();
	for (struct spa *spa = spa_first(); spa; spa = spa->next) {
		if (name_or_null && !streq(spa->name, name_or_null))
			continue;
		names = bs_realloc(names, (n + 1) * sizeof(*names));
		names[n++] = bs_strdup(spa->name);
	}
	spa_namespace_exit();
	if (name_or_null && n == 0)
		r = bs_error(ENOENT, "no such pool '%s'", name_or_null);
	for (i = 0; i < n; i++) {
		struct spa *spa;

		if (dsl_pool_enter(names[i], &spa) == 0) { /* it may have gone meanwhile */
			if (spa_sync(spa) < 0 && r == 0)
				r = -EIO;
			dsl_pool_exit(spa);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* ---- locking by dataset name ---- */

int dsl_pool_enter(const char *name, spa_t **ret_spa)
{
	char pool[DSL_MAXNAMELEN];
	size_t n = strcspn(name, "/@");
	struct spa *spa;

	if (n >= sizeof(pool) || n == 0)
		return bs_error(EINVAL, "invalid dataset name '%s'", name);
	memcpy(pool, name, n);
	pool[n] = 0;
	spa = pool_enter(pool);
	if (!spa)
		return bs_error(ENOENT, "pool '%s' does not exist", pool);
	*ret_spa = spa;
	return 0;
}

int dsl_dataset_enter(const char *name, spa_t **ret_spa, dsl_dataset_t **ret_ds)
{
	struct spa *spa;
	int r;

	r = dsl_name_check(name, true);
	if (r == 0)
		r = dsl_pool_enter(name, &spa);
	if (r < 0)
		return r;
	r = dsl_dataset_lookup(spa, name, ret_ds);
	if (r < 0) {
		dsl_pool_exit(spa);
		return r;
	}
	*ret_spa = spa;
	return 0;
}

void dsl_pool_exit(spa_t *spa)
{
	spa_exit(spa);
}
