// SPDX-License-Identifier: MIT
/*
 * kvm.c - the kvm brand's one mapping: a VM manifest (ram, vcpus, disks, nics, kernel) to the
 * command line of the VMM, `basalt vmm run ...`, as the process inside the VM's zone runs it.
 * The zone holds the VMM binary at /basalt, the disks (volume files of the pool daemon) under
 * /disks, and the console and control sockets under /vm. The zone's memory cap is ram plus a
 * fixed overhead for the VMM itself (see docs/design-mgmt.md).
 */
#include <basalt/mgmt.h>
#include <basalt/stor.h>

#include <sys/stat.h>

#include "mgmt_impl.h"

/* What the VMM needs beyond the guest's memory: its own code and heap, device queues and
 * buffers, the page tables of the guest's memory, and the zone's few other processes. */
#define KVM_OVERHEAD_MIB 256

uint64_t mgmt_kvm_zone_memory(uint64_t ram_mib)
{
	return ram_mib + KVM_OVERHEAD_MIB;
}

struct argv_builder {
	char **v;
	size_t n;
};

static void push(struct argv_builder *b, char *s)
{
	b->v = bs_realloc(b->v, (b->n + 2) * sizeof(char *));
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

int mgmt_kvm_argv(json_t *m, char ***ret_argv)
{
	struct argv_builder b = { 0 };
	json_t *disks = json_object_get(m, "disks"), *nics = json_object_get(m, "nics"), *o;
	const char *kernel = json_string_value(json_object_get(m, "kernel"));
	const char *kargs = json_string_value(json_object_get(m, "kernel_args"));
	size_t i;

	if (!json_is_integer(json_object_get(m, "ram")))
		return bs_error(EINVAL, "a kvm VM needs ram");
	if (!kernel)
		return bs_error(EINVAL, "a kvm VM needs the kernel its VMM boots");
	push(&b, bs_strdup("/basalt"));
	push(&b, bs_strdup("vmm"));
	push(&b, bs_strdup("run"));
	push(&b, bs_strdup("--kernel"));
	push(&b, bs_strdup("/vm/kernel"));
	if (kargs) {
		push(&b, bs_strdup("--cmdline"));
		push(&b, bs_strdup(kargs));
	}
	push(&b, bs_strdup("--memory"));
	push(&b, bs_asprintf("%lldM", (long long)json_integer_value(json_object_get(m, "ram"))));
	push(&b, bs_strdup("--cpus"));
	push(&b, bs_asprintf("%lld",
			     (long long)(json_integer_value(json_object_get(m, "vcpus")) ?: 1)));
	json_array_foreach(disks, i, o) {
		push(&b, bs_strdup("--disk"));
		push(&b, bs_asprintf("/disks/disk%zu", i));
	}
	json_array_foreach(nics, i, o) {
		push(&b, bs_strdup("--net"));
		push(&b, bs_asprintf("tap=%s,mac=%s",
				     json_string_value(json_object_get(o, "interface")),
				     json_string_value(json_object_get(o, "mac"))));
	}
	push(&b, bs_strdup("--console"));
	push(&b, bs_strdup("unix:/vm/console.sock"));
	push(&b, bs_strdup("--control"));
	push(&b, bs_strdup("/vm/control.sock"));
	*ret_argv = b.v;
	return 0;
}

int mgmt_kvm_check(json_t *m)
{
	const char *kernel = json_string_value(json_object_get(m, "kernel"));
	struct stat st;
	size_t i;
	json_t *d;

	if (!streq(json_string_value(json_object_get(m, "brand")), "kvm"))
		return 0;
	if (!kernel)
		return bs_error(EINVAL,
				"a kvm VM needs kernel: the path of the kernel its VMM boots");
	if (stat(kernel, &st) < 0 || !S_ISREG(st.st_mode))
		return bs_error(ENOENT, "kernel %s is not a file", kernel);
	json_array_foreach(json_object_get(m, "disks"), i, d) {
		const char *image = json_string_value(json_object_get(d, "image_uuid"));
		_cleanup_json_ json_t *e = NULL;
		int r;

		if (!image)
			continue;
		r = mgmt_image_get(image, &e);
		if (r == -ENOENT)
			return bs_error(
				ENOENT,
				"disks.%zu: image %s is not installed; install it with imgadm "
				"import",
				i, image);
		if (r < 0)
			return r;
		if (!streq(json_string_value(
				   json_object_get(json_object_get(e, "manifest"), "type")),
			   "zvol"))
			return bs_error(EINVAL, "disks.%zu: image %s is not a zvol image", i,
					image);
	}
	return 0;
}

/* The dataset name POOL/UUID-diskN with the smallest N no disk of the VM has. */
static char *free_disk_name(json_t *m, const char *uuid)
{
	for (size_t n = 0;; n++) {
		char *ds = bs_asprintf("%s/%s-disk%zu", MGMT_POOL, uuid, n);
		bool taken = false;
		size_t i;
		json_t *d;

		json_array_foreach(json_object_get(m, "disks"), i, d)
			taken |= streq(
				json_string_value(json_object_get(d, "zfs_filesystem")) ?: "", ds);
		if (!taken)
			return ds;
		free(ds);
	}
}

int mgmt_kvm_disks_create(json_t *m)
{
	const char *uuid = json_string_value(json_object_get(m, "uuid"));
	size_t i;
	json_t *d;

	json_array_foreach(json_object_get(m, "disks"), i, d) {
		const char *image = json_string_value(json_object_get(d, "image_uuid"));
		_cleanup_free_ char *ds = NULL, *origin = NULL, *size = NULL, *path = NULL;
		int r;

		if (json_object_get(d, "zfs_filesystem"))
			continue;
		ds = free_disk_name(m, uuid);
		path = stor_zvol_path(ds);
		/* recorded first, so that a failure below is undone with the rest */
		json_object_set_new(d, "zfs_filesystem", json_string(ds));
		json_object_set_new(d, "path", json_string(path));
		if (image) {
			const char *argv[] = { "clone", NULL, ds, NULL };

			origin = bs_asprintf("%s/%s@final", MGMT_POOL, image);
			argv[1] = origin;
			r = mgmt_zfs(argv, -1, -1, NULL);
		} else {
			const char *argv[] = { "create", "-V", NULL, ds, NULL };

			size = bs_asprintf(
				"%lldM", (long long)json_integer_value(json_object_get(d, "size")));
			argv[2] = size;
			r = mgmt_zfs(argv, -1, -1, NULL);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int mgmt_kvm_disks_destroy(json_t *disks, json_t *keep)
{
	size_t i, k;
	json_t *d, *o;

	json_array_foreach(disks, i, d) {
		const char *ds = json_string_value(json_object_get(d, "zfs_filesystem"));
		const char *argv[] = { "destroy", "-r", ds, NULL };
		bool kept = false;
		int r;

		json_array_foreach(keep, k, o)
			kept |= o == d ||
				streq(json_string_value(json_object_get(o, "zfs_filesystem")) ?: "",
				      ds ?: "");
		if (!ds || kept || !mgmt_zfs_exists(ds))
			continue;
		r = mgmt_zfs(argv, -1, -1, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int mgmt_kvm_prepare(json_t *m, const char *root)
{
	static const char *const dirs[] = { "vm", "disks" };
	_cleanup_free_ char *vmm = bs_path_join(root, "basalt");
	_cleanup_free_ char *kernel = bs_path_join(root, "vm/kernel");
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = bs_path_join(root, dirs[i]);

		r = bs_mkdir_p(d, 0755);
		if (r < 0)
			return bs_error(-r, "cannot create %s: %s", d, strerror(-r));
	}
	r = mgmt_copy_file("/proc/self/exe", vmm, 0755);
	if (r >= 0)
		r = mgmt_copy_file(json_string_value(json_object_get(m, "kernel")), kernel, 0644);
	return r;
}
