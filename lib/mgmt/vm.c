// SPDX-License-Identifier: MIT
/*
 * vm.c - the life of a VM: create (the zone root a clone of the image's @final, the quota, the
 * zone defined through lib/zone, booted when autoboot), load and list with the live state,
 * start, stop, reboot, update and delete. The manifest of each VM is kept in the pool (POOL/config
 * vms/UUID.json); the zone's configuration under the state directory is derived from it, and
 * made again when it is missing (a pool imported on another host), so the pool alone describes
 * its VMs. Every step of a create is undone when a later one fails.
 */
#include <basalt/mgmt.h>
#include <basalt/zone.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "mgmt_impl.h"

char *mgmt_vm_ds(const char *uuid)
{
	return bs_asprintf("%s/%s", MGMT_POOL, uuid);
}

int mgmt_vm_manifest_path(const char *uuid, char **ret)
{
	_cleanup_free_ char *rel = bs_asprintf("vms/%s.json", uuid);

	return mgmt_config_path(rel, ret);
}

int mgmt_vm_manifest_read(const char *uuid, json_t **ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;
	int r;

	if (!bs_uuid_valid(uuid))
		return bs_error(EINVAL, "'%s' is not a UUID", uuid);
	r = mgmt_vm_manifest_path(uuid, &path);
	if (r < 0)
		return r;
	r = bs_read_file(path, &text, &len);
	if (r == -ENOENT)
		return bs_error(ENOENT, "no VM with uuid %s", uuid);
	if (r < 0)
		return r;
	return bs_json_parse(text, path, ret);
}

int mgmt_vm_manifest_write(json_t *m)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *dir = NULL;
	int r;

	r = mgmt_vm_manifest_path(json_string_value(json_object_get(m, "uuid")), &path);
	if (r < 0)
		return r;
	dir = bs_strdup(path);
	*strrchr(dir, '/') = '\0';
	r = bs_mkdir_p(dir, 0755);
	if (r < 0)
		return r;
	text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS);
	return bs_write_file_atomic(path, text, strlen(text), 0644);
}

void mgmt_event(const char *uuid, const char *type, const char *detail)
{
	_cleanup_free_ char *path = mgmt_events_path(), *line = NULL, *dir = bs_root_path("log");
	_cleanup_json_ json_t *e = json_pack("{s:s, s:s, s:I}", "uuid", uuid, "type", type,
					     "timestamp", (json_int_t)(bs_now_ns() / 1000000));
	_cleanup_close_ int fd = -1;

	if (detail)
		json_object_set_new(e, "detail", json_string(detail));
	line = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	bs_mkdir_p(dir, 0755);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0 && line) {
		_cleanup_free_ char *l = bs_asprintf("%s\n", line);

		bs_write_full(fd, l, strlen(l));
	}
}

char *mgmt_events_path(void)
{
	return bs_root_path("log/vmadm.events");
}

/* ---- the VM's zone ---- */

static enum mgmt_brand brand_of(json_t *m)
{
	enum mgmt_brand b = MGMT_BRAND_JOYENT;

	mgmt_brand_parse(json_string_value(json_object_get(m, "brand")) ?: "", &b);
	return b;
}

/* The zone root of a VM: root/ in its dataset's mountpoint. */
int mgmt_vm_zoneroot(const char *uuid, char **ret)
{
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid), *mp = NULL;
	int r;

	r = mgmt_zfs_mountpoint(ds, &mp);
	if (r < 0)
		return r;
	*ret = bs_path_join(mp, "root");
	return 0;
}

/* The zone configuration (lib/zone's JSON) of a manifest, with the zone root root. */
static json_t *zone_json(json_t *m, const char *root)
{
	static const char *const copied[] = {
		"zonename",   "alias",
		"uuid",	      "hostname",
		"resolvers",  "max_physical_memory",
		"max_swap",   "max_locked_memory",
		"max_lwps",   "cpu_cap",
		"cpu_shares", "zfs_io_priority",
		"init_name",  "init_args",
	};
	static const char *const nic_keys[] = {
		"interface", "nic_tag", "gateways",	     "mac",
		"mtu",	     "vlan_id", "allow_ip_spoofing", "allow_mac_spoofing"
	};
	json_t *z = json_object(), *nics = json_array(), *fses = json_array(), *o;
	_cleanup_free_ char *mdata = mgmt_mdata_dir(json_string_value(json_object_get(m, "uuid")));
	enum mgmt_brand b = brand_of(m);
	size_t i;

	for (size_t k = 0; k < ARRAY_SIZE(copied); k++)
		if (json_object_get(m, copied[k]))
			json_object_set(z, copied[k], json_object_get(m, copied[k]));
	if (json_integer_value(json_object_get(m, "cpu_cap")) == 0)
		json_object_del(z, "cpu_cap");
	json_object_set_new(z, "zoneroot", json_string(root));
	json_object_set_new(z, "brand",
			    json_string(b == MGMT_BRAND_JOYENT ? "joyent" :
					b == MGMT_BRAND_KVM    ? "kvm" :
								 "joyent-minimal"));
	json_array_foreach(json_object_get(m, "nics"), i, o) {
		json_t *n = json_object(), *ips = json_array(), *ip;
		size_t k;

		for (size_t key = 0; key < ARRAY_SIZE(nic_keys); key++)
			if (json_object_get(o, nic_keys[key]))
				json_object_set(n, nic_keys[key],
						json_object_get(o, nic_keys[key]));
		json_array_foreach(json_object_get(o, "ips"), k, ip)
			if (!streq(json_string_value(ip), "dhcp"))
				json_array_append(ips, ip);
		json_object_set_new(n, "ips", ips);
		json_array_append_new(nics, n);
	}
	json_object_set_new(z, "nics", nics);
	json_array_foreach(json_object_get(m, "filesystems"), i, o) {
		bool ro = false;
		json_t *opt;
		size_t k;

		json_array_foreach(json_object_get(o, "options"), k, opt)
			ro |= streq(json_string_value(opt), "ro");
		json_array_append_new(fses, json_pack("{s:O, s:O, s:[s]}", "source",
						      json_object_get(o, "source"), "target",
						      json_object_get(o, "target"), "options",
						      ro ? "ro" : "rw"));
	}
	/* the metadata socket's directory */
	json_array_append_new(fses, json_pack("{s:s, s:s, s:[s]}", "source", mdata, "target",
					      MGMT_MDATA_ZONE_DIR, "options", "rw"));
	/* the delegated dataset, mounted beside the zone root (root/ and data/ of POOL/UUID) */
	if (json_array_size(json_object_get(m, "datasets"))) {
		_cleanup_free_ char *top = bs_strdup(root), *source = NULL, *target = NULL;

		*strrchr(top, '/') = '\0';
		source = bs_path_join(top, "data");
		target = bs_asprintf("/zones/%s/data",
				     json_string_value(json_object_get(m, "uuid")));
		json_array_append_new(fses, json_pack("{s:s, s:s, s:[s]}", "source", source,
						      "target", target, "options", "rw"));
	}
	if (b == MGMT_BRAND_KVM) {
		char **argv = NULL;
		json_t *args = json_array(), *d;

		/* the VMM's disks: the volumes' files */
		json_array_foreach(json_object_get(m, "disks"), i, d)
			json_array_append_new(fses, json_pack("{s:O, s:o, s:[s]}", "source",
							      json_object_get(d, "path"), "target",
							      json_sprintf("/disks/disk%zu", i),
							      "options", "rw"));

		/* the VMM's devices: KVM, and the tun device its NICs' taps are made with */
		json_object_set_new(z, "devices", json_pack("[{s:s}]", "path", "/dev/kvm"));
		if (json_array_size(json_object_get(m, "nics")))
			json_array_append_new(json_object_get(z, "devices"),
					      json_pack("{s:s}", "path", "/dev/net/tun"));
		if (mgmt_kvm_argv(m, &argv) == 0) {
			json_object_set_new(z, "init_name", json_string(argv[0]));
			for (char **a = argv + 1; *a; a++)
				json_array_append_new(args, json_string(*a));
			zone_strv_free(argv);
		}
		json_object_set_new(z, "init_args", args);
	}
	json_object_set_new(z, "filesystems", fses);
	return z;
}

/* Define (or redefine) the VM's zone from its manifest, installed. */
static int zone_define(json_t *m, bool create)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	_cleanup_free_ char *root = NULL, *mdata = mgmt_mdata_dir(uuid);
	_cleanup_zone_config_ struct zone_config *c = NULL;
	_cleanup_json_ json_t *z = NULL;
	int r;

	r = mgmt_vm_zoneroot(uuid, &root);
	if (r < 0)
		return r;
	r = bs_mkdir_p(mdata, 0755);
	if (r < 0)
		return bs_error(-r, "cannot create %s: %s", mdata, strerror(-r));
	z = zone_json(m, root);
	r = zone_config_from_json(z, uuid, &c);
	if (r < 0)
		return r;
	r = create ? zone_store_create(c) : zone_store_update(c);
	if (r == -EADDRINUSE)
		return bs_error(EADDRINUSE, "an IP address of the VM is in use by another zone");
	if (r < 0)
		return r;
	return zone_store_set_installed(uuid, true);
}

/* The zone of a VM whose manifest came with its pool: define it if this host does not know it,
 * or redefine it if its root moved (another state directory's mountpoint). */
static int zone_ensure(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	_cleanup_zone_config_ struct zone_config *c = NULL;
	_cleanup_free_ char *root = NULL;
	int r;

	r = zone_store_load(uuid, &c);
	if (r == -ENOENT)
		return zone_define(m, true);
	if (r < 0)
		return r;
	r = mgmt_vm_zoneroot(uuid, &root);
	if (r < 0)
		return r;
	if (!streq(root, c->zoneroot))
		return zone_define(m, false);
	return 0;
}

static bool zone_running(const char *uuid)
{
	enum zone_state st;

	return zone_state_get(uuid, &st, NULL) == 0 &&
	       (st == ZONE_STATE_RUNNING || st == ZONE_STATE_READY ||
		st == ZONE_STATE_SHUTTING_DOWN);
}

/* SmartOS's state for a zone state. */
static const char *vm_state(enum zone_state st)
{
	switch (st) {
	case ZONE_STATE_RUNNING:
		return "running";
	case ZONE_STATE_READY:
		return "provisioning";
	case ZONE_STATE_SHUTTING_DOWN:
		return "stopping";
	case ZONE_STATE_DOWN:
	case ZONE_STATE_FAILED:
		return "failed";
	default:
		return "stopped";
	}
}

static void add_live(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid);
	_cleanup_zone_config_ struct zone_config *c = NULL;
	enum zone_state st = ZONE_STATE_INSTALLED;
	pid_t init = 0;

	zone_state_get(uuid, &st, &init);
	json_object_set_new(m, "state", json_string(vm_state(st)));
	json_object_set_new(m, "zone_state", json_string(zone_state_name(st)));
	if (zone_store_load(uuid, &c) == 0) {
		/* the zone root is ZONEPATH/root */
		_cleanup_free_ char *zonepath = bs_strdup(c->zoneroot);
		char *slash = strrchr(zonepath, '/');

		if (slash && slash != zonepath)
			*slash = '\0';
		json_object_set_new(m, "zonepath", json_string(zonepath));
	}
	json_object_set_new(m, "zfs_filesystem", json_string(ds));
	json_object_set_new(m, "zpool", json_string(MGMT_POOL));
	if (init > 0)
		json_object_set_new(m, "pid", json_integer(init));
}

int mgmt_vm_load(const char *uuid, json_t **ret)
{
	_cleanup_json_ json_t *m = NULL;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	r = zone_ensure(m);
	if (r < 0)
		return r;
	add_live(m);
	*ret = TAKE_PTR(m);
	return 0;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static int by_creation(json_t *x, json_t *y, void *arg)
{
	return strcmp(json_string_value(json_object_get(x, "create_timestamp")) ?: "",
		      json_string_value(json_object_get(y, "create_timestamp")) ?: "");
}

int mgmt_vm_list(json_t **ret)
{
	_cleanup_json_ json_t *list = json_array();
	_cleanup_free_ char *dir = NULL;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	r = mgmt_config_path("vms", &dir);
	if (r < 0)
		return r;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *uuid = NULL;
		json_t *m;

		if (!bs_endswith(de->d_name, ".json"))
			continue;
		uuid = bs_strdup(de->d_name);
		uuid[strlen(uuid) - strlen(".json")] = '\0';
		if (mgmt_vm_load(uuid, &m) == 0)
			json_array_append_new(list, m);
	}
	/* by creation time, as vmadm lists them */
	mgmt_json_sort(list, by_creation, NULL);
	*ret = TAKE_PTR(list);
	return 0;
}

/* ---- checks against the other VMs ---- */

/* The address part of "10.0.0.5/24". */
static char *ip_of(const char *cidr)
{
	char *s = bs_strdup(cidr), *slash = strchr(s, '/');

	if (slash)
		*slash = '\0';
	return s;
}

/* A duplicate alias, or an IP on a nic_tag another VM has there. */
static int check_conflicts(json_t *m, json_t *others)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	const char *alias = json_string_value(json_object_get(m, "alias"));
	size_t i, k, n, l;
	json_t *o, *nic, *onic, *ip, *oip;

	json_array_foreach(others, i, o) {
		const char *ouuid = json_string_value(json_object_get(o, "uuid"));

		if (streq(ouuid, uuid))
			continue;
		if (alias && streq(alias, json_string_value(json_object_get(o, "alias")) ?: ""))
			return bs_error(EEXIST, "alias '%s' is already used by VM %s", alias,
					ouuid);
		json_array_foreach(json_object_get(m, "nics"), k, nic)
			json_array_foreach(json_object_get(o, "nics"), n, onic) {
				if (!streq(json_string_value(json_object_get(nic, "nic_tag")),
					   json_string_value(json_object_get(onic, "nic_tag"))))
					continue;
				json_array_foreach(json_object_get(nic, "ips"), l, ip) {
					_cleanup_free_ char *a = ip_of(json_string_value(ip));
					size_t p;

					if (streq(a, "dhcp"))
						continue;
					json_array_foreach(json_object_get(onic, "ips"), p, oip) {
						_cleanup_free_ char *b =
							ip_of(json_string_value(oip));

						if (streq(a, b))
							return bs_error(
								EADDRINUSE,
								"IP %s on nic_tag %s is already used by "
								"VM %s",
								a,
								json_string_value(json_object_get(
									nic, "nic_tag")),
								ouuid);
					}
				}
			}
	}
	/* the same IP twice on one tag within the VM */
	json_array_foreach(json_object_get(m, "nics"), k, nic)
		json_array_foreach(json_object_get(m, "nics"), n, onic) {
			if (n <= k || !streq(json_string_value(json_object_get(nic, "nic_tag")),
					     json_string_value(json_object_get(onic, "nic_tag"))))
				continue;
			json_array_foreach(json_object_get(nic, "ips"), l, ip) {
				_cleanup_free_ char *a = ip_of(json_string_value(ip));
				size_t p;

				json_array_foreach(json_object_get(onic, "ips"), p, oip) {
					_cleanup_free_ char *b = ip_of(json_string_value(oip));

					if (!streq(a, "dhcp") && streq(a, b))
						return bs_error(
							EADDRINUSE,
							"IP %s is given twice on nic_tag %s", a,
							json_string_value(
								json_object_get(nic, "nic_tag")));
				}
			}
		}
	return 0;
}

static uint64_t pool_avail(json_t *children)
{
	size_t i;
	json_t *c;
	uint64_t v = 0;

	json_array_foreach(children, i, c)
		if (streq(json_string_value(json_object_get(c, "name")), MGMT_POOL))
			bs_parse_u64(json_string_value(json_object_get(c, "avail")), &v);
	return v;
}

/* The smallest free space a new zone needs to boot and write its first files. */
#define ZONE_MIN_FREE_MIB 16

/* The pool's free space against what the VM's new disks (those without a volume yet) need, and a
 * new zone's minimum. children: the pool's datasets, or NULL to list them. */
static int check_space(json_t *m, json_t *children)
{
	_cleanup_json_ json_t *listed = NULL;
	uint64_t avail, need = ZONE_MIN_FREE_MIB;
	size_t i;
	json_t *d;
	int r;

	if (!children) {
		r = mgmt_zfs_children(&listed);
		if (r < 0)
			return r;
		children = listed;
	}
	avail = pool_avail(children) >> 20;
	json_array_foreach(json_object_get(m, "disks"), i, d)
		if (!json_object_get(d, "image_uuid") && !json_object_get(d, "zfs_filesystem"))
			need += (uint64_t)json_integer_value(json_object_get(d, "size"));
	if (avail < need)
		return bs_error(ENOSPC,
				"insufficient space in pool %s: the VM needs %llu MiB, %llu MiB "
				"are available",
				MGMT_POOL, (unsigned long long)need, (unsigned long long)avail);
	return 0;
}

/* ---- create and delete ---- */

/* The lock that makes the checks against the other VMs and the changes they allow one step:
 * two creates cannot both take an alias or an IP. Released before a zone is booted, as the
 * zone's supervisor is forked from this process and would keep it. */
static int vms_lock(void)
{
	_cleanup_free_ char *path = bs_root_path("run/vmadm.lock"), *dir = bs_root_path("run");
	int fd;

	bs_mkdir_p(dir, 0700);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return bs_error(errno, "cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* Remove whatever of the VM exists: its zone (halted), datasets, manifest, metadata dir. */
static int vm_destroy(const char *uuid, json_t *m)
{
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid), *mpath = NULL;
	const char *argv[] = { "destroy", "-r", ds, NULL };
	int r;

	if (zone_running(uuid)) {
		r = zone_halt(uuid);
		if (r < 0)
			return r;
	}
	r = zone_store_delete(uuid);
	if (r < 0 && r != -ENOENT)
		return r;
	if (mgmt_zfs_exists(ds)) {
		r = mgmt_zfs(argv, -1, -1, NULL);
		if (r < 0)
			return r;
	}
	r = mgmt_kvm_disks_destroy(json_object_get(m, "disks"), NULL);
	if (r < 0)
		return r;
	mgmt_mdata_remove(uuid);
	r = mgmt_vm_manifest_path(uuid, &mpath);
	if (r >= 0 && unlink(mpath) < 0 && errno != ENOENT)
		r = bs_error(errno, "cannot remove %s: %s", mpath, strerror(errno));
	return r < 0 ? r : 0;
}

/* delegate_dataset: POOL/UUID/data, recorded in the manifest's datasets (as SmartOS lists it),
 * and mounted in the zone at /zones/UUID/data (zone_json). */
static int delegated_create(json_t *m, const char *ds)
{
	_cleanup_free_ char *data = bs_asprintf("%s/data", ds);
	const char *argv[] = { "create", data, NULL };
	int r;

	if (!json_is_true(json_object_get(m, "delegate_dataset")))
		return 0;
	r = mgmt_zfs(argv, -1, -1, NULL);
	if (r < 0)
		return r;
	json_object_set_new(m, "datasets", json_pack("[s]", data));
	return 0;
}

/* The VM's datasets: the zone root (a clone of the image, or new for kvm) with its quota, and
 * the delegated dataset below it. */
static int datasets_create(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	const char *image = json_string_value(json_object_get(m, "image_uuid"));
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid), *origin = NULL, *root = NULL;
	_cleanup_free_ char *quota = bs_asprintf(
		"quota=%lldG", (long long)json_integer_value(json_object_get(m, "quota")));
	int r;

	if (image) {
		const char *argv[] = { "clone", "-o", quota, NULL, ds, NULL };

		origin = bs_asprintf("%s/%s@final", MGMT_POOL, image);
		argv[3] = origin;
		if (json_integer_value(json_object_get(m, "quota")) == 0)
			argv[1] = argv[2] = "-p";
		r = mgmt_zfs(argv, -1, -1, NULL);
	} else {
		const char *argv[] = { "create", "-o", quota, ds, NULL };

		if (json_integer_value(json_object_get(m, "quota")) == 0)
			argv[1] = argv[2] = "-p";
		r = mgmt_zfs(argv, -1, -1, NULL);
	}
	if (r >= 0)
		r = delegated_create(m, ds);
	if (r < 0)
		return r;
	r = mgmt_vm_zoneroot(uuid, &root);
	if (r < 0)
		return r;
	r = bs_mkdir_p(root, 0755);
	if (r < 0)
		return bs_error(-r, "cannot create %s: %s", root, strerror(-r));
	if (brand_of(m) == MGMT_BRAND_KVM)
		return mgmt_kvm_prepare(m, root);
	return 0;
}

static int image_check(json_t *m)
{
	const char *image = json_string_value(json_object_get(m, "image_uuid"));
	_cleanup_json_ json_t *e = NULL;
	const char *type;
	int r;

	if (!image)
		return 0;
	r = mgmt_image_get(image, &e);
	if (r == -ENOENT)
		return bs_error(ENOENT, "image %s is not installed; install it with imgadm import",
				image);
	if (r < 0)
		return r;
	type = json_string_value(json_object_get(json_object_get(e, "manifest"), "type"));
	if (!streq(type, "zone-dataset"))
		return bs_error(EINVAL, "image %s is a %s image, not a zone-dataset", image, type);
	return 0;
}

int mgmt_vm_create(json_t *payload, char **ret_uuid)
{
	_cleanup_json_ json_t *m = NULL, *all = NULL, *children = NULL;
	_cleanup_close_ int lock = -1;
	const char *uuid;
	int r;

	r = mgmt_manifest_normalize(payload, &m);
	if (r < 0)
		return r;
	uuid = json_string_value(json_object_get(m, "uuid"));
	lock = vms_lock();
	if (lock < 0)
		return lock;
	r = mgmt_vm_list(&all);
	if (r >= 0)
		r = mgmt_zfs_children(&children);
	if (r < 0)
		return r;
	{
		_cleanup_free_ char *ds = mgmt_vm_ds(uuid);
		_cleanup_zone_config_ struct zone_config *c = NULL;
		size_t i;
		json_t *o;

		json_array_foreach(all, i, o)
			if (streq(json_string_value(json_object_get(o, "uuid")), uuid))
				return bs_error(EEXIST, "a VM with uuid %s exists", uuid);
		json_array_foreach(children, i, o)
			if (streq(json_string_value(json_object_get(o, "name")), ds))
				return bs_error(EEXIST, "dataset %s exists", ds);
		if (zone_store_load(uuid, &c) == 0)
			return bs_error(EEXIST, "a zone named %s exists", uuid);
	}
	r = check_conflicts(m, all);
	if (r >= 0)
		r = image_check(m);
	if (r >= 0)
		r = mgmt_kvm_check(m);
	if (r >= 0)
		r = check_space(m, children);
	if (r < 0)
		return r;

	r = datasets_create(m);
	if (r >= 0)
		r = mgmt_kvm_disks_create(m);
	if (r >= 0)
		r = zone_define(m, true);
	if (r >= 0)
		r = mgmt_vm_manifest_write(m);
	close(TAKE_FD(lock));
	if (r >= 0 && json_is_true(json_object_get(m, "autoboot")))
		r = mgmt_vm_start(uuid);
	if (r < 0) {
		_cleanup_free_ char *msg = bs_strdup(bs_strerror(r));

		vm_destroy(uuid, m);
		return bs_error(-r, "%s", msg);
	}
	mgmt_event(uuid, "create", NULL);
	*ret_uuid = bs_strdup(uuid);
	return 0;
}

int mgmt_vm_delete(const char *uuid, bool force)
{
	_cleanup_json_ json_t *m = NULL;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	if (zone_running(uuid) && !force)
		return bs_error(EBUSY, "VM %s is running; stop it first, or delete it with -F",
				uuid);
	r = vm_destroy(uuid, m);
	if (r < 0)
		return r;
	mgmt_event(uuid, "delete", NULL);
	return 0;
}

/* ---- lifecycle ---- */

int mgmt_vm_start(const char *uuid)
{
	_cleanup_json_ json_t *m = NULL;
	_cleanup_free_ char *root = NULL;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r >= 0)
		r = zone_ensure(m);
	if (r < 0)
		return r;
	if (zone_running(uuid))
		return bs_error(EALREADY, "VM %s is already running", uuid);
	if (brand_of(m) == MGMT_BRAND_KVM) {
		/* the kernel (maybe updated since) and the VMM as this host has them */
		r = mgmt_vm_zoneroot(uuid, &root);
		if (r >= 0)
			r = mgmt_kvm_prepare(m, root);
		if (r < 0)
			return r;
	}
	r = mgmt_mdata_start(m);
	if (r < 0)
		return r;
	r = zone_boot(uuid, 0, NULL);
	if (r < 0) {
		mgmt_mdata_stop(uuid);
		return r;
	}
	r = mgmt_mdata_first_boot(m);
	if (r < 0)
		return r;
	mgmt_event(uuid, "start", NULL);
	return 0;
}

int mgmt_vm_vmm(const char *uuid, const char *command, json_t **ret_reply)
{
	_cleanup_free_ char *root = NULL;
	int r;

	if (!zone_running(uuid))
		return bs_error(ESRCH, "VM %s is not running", uuid);
	r = mgmt_vm_zoneroot(uuid, &root);
	if (r < 0)
		return r;
	return mgmt_kvm_control(root, command, ret_reply);
}

/* A kvm VM: the VMM's stop asks the guest to end (Ctrl-Alt-Del on its keyboard, which a Linux
 * guest's init answers by shutting down and rebooting; the VMM then ends) and, if the guest
 * has not ended within timeout_s, stops it. Wait for the VMM's end (a little longer than it
 * waits itself), then halt the zone, which kills whatever is left and removes it. Forced: the
 * zone is halted at once. */
static int kvm_stop(const char *uuid, bool force, unsigned timeout_s)
{
	_cleanup_json_ json_t *reply = NULL;
	_cleanup_free_ char *command = bs_asprintf("stop %u", timeout_s);
	uint64_t deadline = bs_monotonic_ns() + ((uint64_t)timeout_s + 5) * 1000000000ull;
	int r;

	if (!force && mgmt_vm_vmm(uuid, command, &reply) == 0) {
		while (zone_running(uuid) && bs_monotonic_ns() < deadline)
			usleep(50 * 1000);
	}
	r = zone_halt(uuid);
	if (r < 0 && !zone_running(uuid))
		r = 0; /* it went down by itself meanwhile */
	return r;
}

int mgmt_vm_stop(const char *uuid, bool force, unsigned timeout_s)
{
	_cleanup_json_ json_t *m = NULL;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	if (!zone_running(uuid))
		return bs_error(ESRCH, "VM %s is not running", uuid);
	if (brand_of(m) == MGMT_BRAND_KVM)
		r = kvm_stop(uuid, force, timeout_s);
	else
		r = force ? zone_halt(uuid) : zone_shutdown(uuid, timeout_s);
	mgmt_mdata_stop(uuid);
	if (r < 0)
		return r;
	mgmt_event(uuid, "stop", NULL);
	return 0;
}

int mgmt_vm_reboot(const char *uuid, bool force)
{
	int r;

	r = mgmt_vm_stop(uuid, force, 30);
	if (r < 0)
		return r;
	return mgmt_vm_start(uuid);
}

/* ---- update ---- */

int mgmt_vm_update(const char *uuid, json_t *payload)
{
	_cleanup_json_ json_t *m = NULL, *old = NULL, *all = NULL;
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid);
	_cleanup_close_ int lock = -1;
	bool disks_change;
	int r;

	lock = vms_lock();
	if (lock < 0)
		return lock;
	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	old = json_deep_copy(m);
	disks_change = json_object_get(payload, "add_disks") ||
		       json_object_get(payload, "remove_disks");
	if (disks_change && zone_running(uuid))
		return bs_error(EBUSY, "VM %s is running; stop it to add or remove disks", uuid);
	r = mgmt_manifest_update(m, payload);
	if (r >= 0)
		r = mgmt_vm_list(&all);
	if (r >= 0)
		r = check_conflicts(m, all);
	if (r >= 0 && disks_change)
		r = check_space(m, NULL);
	if (r >= 0 && !disks_change &&
	    (json_object_get(payload, "kernel") || json_object_get(payload, "kernel_boot") ||
	     json_object_get(payload, "initrd")))
		r = mgmt_kvm_check(m); /* the new kernel is copied in at the next start */
	if (r < 0)
		return r;
	if (disks_change) {
		r = mgmt_kvm_check(m);
		if (r >= 0)
			r = mgmt_kvm_disks_create(m);
		if (r < 0) {
			_cleanup_free_ char *msg = bs_strdup(bs_strerror(r));

			mgmt_kvm_disks_destroy(json_object_get(m, "disks"),
					       json_object_get(old, "disks"));
			return bs_error(-r, "%s", msg);
		}
	}
	if (json_object_get(payload, "quota")) {
		_cleanup_free_ char *q = bs_asprintf(
			"quota=%lldG", (long long)json_integer_value(json_object_get(m, "quota")));
		const char *argv[] = { "set", q, ds, NULL };

		if (json_integer_value(json_object_get(m, "quota")) == 0)
			argv[1] = "quota=none";
		r = mgmt_zfs(argv, -1, -1, NULL);
		if (r < 0)
			return r;
	}
	r = zone_define(m, false);
	if (r >= 0 && zone_running(uuid)) {
		_cleanup_zone_config_ struct zone_config *c = NULL;

		r = zone_store_load(uuid, &c);
		if (r >= 0)
			r = zone_caps_apply(c);
	}
	if (r >= 0)
		r = mgmt_vm_manifest_write(m);
	if (r < 0) {
		_cleanup_free_ char *msg = bs_strdup(bs_strerror(r));

		zone_define(old, false);
		if (disks_change)
			mgmt_kvm_disks_destroy(json_object_get(m, "disks"),
					       json_object_get(old, "disks"));
		return bs_error(-r, "%s", msg);
	}
	/* the removed disks go once the manifest no longer names them */
	if (disks_change)
		mgmt_kvm_disks_destroy(json_object_get(old, "disks"), json_object_get(m, "disks"));
	mgmt_event(uuid, "update", NULL);
	return 0;
}

/* ---- snapshots ---- */

int mgmt_vm_snapshot(const char *uuid, const char *snap, int op)
{
	_cleanup_json_ json_t *m = NULL;
	_cleanup_free_ char *ds = mgmt_vm_ds(uuid), *name = NULL;
	bool running;
	int r;

	r = mgmt_vm_manifest_read(uuid, &m);
	if (r < 0)
		return r;
	if (!snap[0] || strlen(snap) > 64 || strpbrk(snap, "@/ \t"))
		return bs_error(EINVAL, "'%s' is not a valid snapshot name", snap);
	name = bs_asprintf("%s@vmsnap-%s", ds, snap);
	if (op == 'c') {
		const char *argv[] = { "snapshot", name, NULL };

		r = mgmt_zfs(argv, -1, -1, NULL);
	} else if (op == 'd') {
		const char *argv[] = { "destroy", name, NULL };

		if (!mgmt_zfs_exists(name))
			return bs_error(ENOENT, "VM %s has no snapshot %s", uuid, snap);
		r = mgmt_zfs(argv, -1, -1, NULL);
	} else {
		const char *argv[] = { "rollback", "-r", name, NULL };

		if (!mgmt_zfs_exists(name))
			return bs_error(ENOENT, "VM %s has no snapshot %s", uuid, snap);
		/* a zone runs on its root: stop it for the rollback, start it again after */
		running = zone_running(uuid);
		if (running) {
			r = mgmt_vm_stop(uuid, true, 0);
			if (r < 0)
				return r;
		}
		r = mgmt_zfs(argv, -1, -1, NULL);
		if (running) {
			int s = mgmt_vm_start(uuid);

			r = r < 0 ? r : s;
		}
	}
	if (r < 0)
		return r;
	mgmt_event(uuid,
		   op == 'c' ? "create-snapshot" :
		   op == 'd' ? "delete-snapshot" :
			       "rollback-snapshot",
		   snap);
	return 0;
}

/* ---- autoboot ---- */

int mgmt_vm_autoboot(void)
{
	_cleanup_free_ char *pidfile = bs_root_path("run/zfsd.pid"), *marker = NULL,
			    *lockpath = NULL;
	_cleanup_free_ char *pid = NULL, *seen = NULL;
	_cleanup_json_ json_t *all = NULL;
	_cleanup_close_ int lock = -1;
	size_t len, i;
	json_t *m;
	int r;

	/* the daemon runs once the config dataset is there */
	r = mgmt_config_path(NULL, &marker);
	if (r < 0)
		return r;
	free(marker);
	marker = bs_root_path("run/vmadm.autoboot");
	lockpath = bs_root_path("run/vmadm.autoboot.lock");
	if (bs_read_file(pidfile, &pid, &len) < 0)
		return 0;
	/* two commands arriving together: the first claims the boot, under a lock it releases
	 * before booting (the zones' supervisors, forked from this process, would hold it) */
	lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return 0;
	if (bs_read_file(marker, &seen, &len) == 0 && streq(seen, pid))
		return 0;
	r = bs_write_file_atomic(marker, pid, strlen(pid), 0600);
	if (r < 0)
		return r;
	close(TAKE_FD(lock));
	r = mgmt_vm_list(&all);
	if (r < 0)
		return r;
	json_array_foreach(all, i, m) {
		const char *uuid = json_string_value(json_object_get(m, "uuid"));

		if (json_is_true(json_object_get(m, "autoboot")) && !zone_running(uuid))
			mgmt_vm_start(uuid);
	}
	return 0;
}
