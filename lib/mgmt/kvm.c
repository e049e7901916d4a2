// SPDX-License-Identifier: MIT
/*
 * kvm.c - the kvm brand's one mapping: a VM manifest (ram, vcpus, disks, nics, kernel, initrd)
 * to the command line of the VMM, `basalt vmm run ...`, as the process inside the VM's zone
 * runs it. The zone holds the VMM binary at /basalt, the kernel, its initrd and the control
 * socket under /vm, the disks (volume files of the pool daemon) under /disks, and the devices
 * /dev/kvm and /dev/net/tun; the VMM's serial console is the zone's console, and each NIC is
 * the zone's tap vtapN. The zone's memory cap is ram plus a fixed overhead for the VMM itself
 * (see docs/design-mgmt.md). The host talks to the VMM through its control socket, reached
 * without following any link the zone made.
 */
#include <basalt/mgmt.h>
#include <basalt/stor.h>
#include <basalt/vmm.h>
#include <basalt/zone.h>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "mgmt_impl.h"

/* What the VMM needs beyond the guest's memory: its own code and heap, device queues and
 * buffers, the page tables of the guest's memory, and the zone's few other processes. */
#define KVM_OVERHEAD_MIB 256
/* The VMM's control socket: as the zone sees it, and below the zone's root */
#define KVM_CONTROL_DIR "vm"
#define KVM_CONTROL_NAME "control.sock"
#define KVM_CONTROL "/" KVM_CONTROL_DIR "/" KVM_CONTROL_NAME
/* The other end of the guest's second serial port, where the host's metadata service speaks */
#define KVM_METADATA "/" KVM_CONTROL_DIR "/" MGMT_KVM_METADATA_NAME

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
	const char *boot = json_string_value(json_object_get(m, "kernel_boot"));
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
	if (json_string_value(json_object_get(m, "initrd"))) {
		push(&b, bs_strdup("--initrd"));
		push(&b, bs_strdup("/vm/initrd"));
	}
	if (boot) {
		push(&b, bs_strdup("--boot"));
		push(&b, bs_strdup(boot));
	}
	if (kargs) {
		push(&b, bs_strdup("--cmdline"));
		push(&b, bs_strdup(kargs));
	}
	push(&b, bs_strdup("--memory"));
	push(&b, bs_asprintf("%lld", (long long)json_integer_value(json_object_get(m, "ram"))));
	push(&b, bs_strdup("--cpus"));
	push(&b, bs_asprintf("%lld",
			     (long long)(json_integer_value(json_object_get(m, "vcpus")) ?: 1)));
	json_array_foreach(disks, i, o) {
		push(&b, bs_strdup("--disk"));
		push(&b, bs_asprintf("/disks/disk%zu", i));
	}
	json_array_foreach(nics, i, o) {
		char tap[16];

		zone_tap_name(i, tap);
		push(&b, bs_strdup("--net"));
		push(&b, bs_asprintf("tap=%s,mac=%s", tap,
				     json_string_value(json_object_get(o, "mac"))));
	}
	push(&b, bs_strdup("--console"));
	push(&b, bs_strdup("stdio"));
	push(&b, bs_strdup("--control"));
	push(&b, bs_strdup(KVM_CONTROL));
	push(&b, bs_strdup("--serial2"));
	push(&b, bs_strdup("unix:" KVM_METADATA));
	/* a guest's reboot ends the VMM with this status, and the zone starts it again */
	push(&b, bs_strdup("--reboot-status"));
	push(&b, bs_asprintf("%d", ZONE_KVM_REBOOT_STATUS));
	push(&b, bs_strdup("--confine"));
	*ret_argv = b.v;
	return 0;
}

int mgmt_kvm_check(json_t *m)
{
	const char *kernel = json_string_value(json_object_get(m, "kernel"));
	const char *initrd = json_string_value(json_object_get(m, "initrd"));
	struct stat st;
	size_t i;
	json_t *d;

	if (!streq(json_string_value(json_object_get(m, "brand")), "kvm"))
		return 0;
	const char *boot = json_string_value(json_object_get(m, "kernel_boot"));

	if (!kernel)
		return bs_error(EINVAL,
				"a kvm VM needs kernel: the path of the kernel its VMM boots");
	if (boot && !streq(boot, "auto") && !streq(boot, "direct"))
		return bs_error(EINVAL, "kernel_boot: '%s' is not auto or direct", boot);
	if (stat(kernel, &st) < 0 || !S_ISREG(st.st_mode))
		return bs_error(ENOENT, "kernel %s is not a file", kernel);
	if (initrd && (stat(initrd, &st) < 0 || !S_ISREG(st.st_mode)))
		return bs_error(ENOENT, "initrd %s is not a file", initrd);
	if (stat("/dev/kvm", &st) < 0 || !S_ISCHR(st.st_mode))
		return bs_error(ENODEV, "this host has no /dev/kvm for a kvm VM");
	if (json_array_size(json_object_get(m, "nics")) &&
	    (stat("/dev/net/tun", &st) < 0 || !S_ISCHR(st.st_mode)))
		return bs_error(ENODEV, "this host has no /dev/net/tun for a kvm VM's NICs");
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

/*
 * The VM's /vm/kernel from the manifest's kernel: a bzImage is unpacked, so that every boot
 * enters the kernel through PVH instead of the guest decompressing it each time, anything else
 * copied. A stamp of the source (device, inode, size, modification time) beside it skips the
 * work when the source has not changed since the last start.
 */
static int kvm_kernel(const char *src, const char *dst, bool direct)
{
	_cleanup_free_ char *stamp_path = bs_asprintf("%s.from", dst), *stamp = NULL, *old = NULL;
	size_t old_len = 0;
	struct stat st, dst_st;
	int r;

	if (stat(src, &st) < 0)
		return bs_error(errno, "kernel %s: %s", src, strerror(errno));
	stamp = bs_asprintf("%llu:%llu:%llu:%lld.%09ld:%d\n", (unsigned long long)st.st_dev,
			    (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
			    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, direct);
	if (stat(dst, &dst_st) == 0 && bs_read_file(stamp_path, &old, &old_len) == 0 &&
	    streq(old, stamp))
		return 0;
	bs_error_clear();
	unlink(stamp_path);
	r = direct ? 0 : vmm_kernel_unpack(src, dst);
	if (r == 0)
		r = mgmt_copy_file(src, dst, 0644);
	if (r < 0)
		return r;
	return bs_write_file_atomic(stamp_path, stamp, strlen(stamp), 0644);
}

int mgmt_kvm_prepare(json_t *m, const char *root)
{
	static const char *const dirs[] = { "vm", "disks", "dev", "proc" };
	_cleanup_free_ char *vmm = bs_path_join(root, "basalt");
	_cleanup_free_ char *kernel = bs_path_join(root, "vm/kernel");
	_cleanup_free_ char *initrd = bs_path_join(root, "vm/initrd");
	const char *initrd_src = json_string_value(json_object_get(m, "initrd"));
	const char *kernel_src = json_string_value(json_object_get(m, "kernel"));
	const char *boot = json_string_value(json_object_get(m, "kernel_boot"));
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = bs_path_join(root, dirs[i]);

		r = bs_mkdir_p(d, 0755);
		if (r < 0)
			return bs_error(-r, "cannot create %s: %s", d, strerror(-r));
	}
	r = mgmt_copy_file("/proc/self/exe", vmm, 0755);
	if (r >= 0)
		r = kvm_kernel(kernel_src, kernel, boot && streq(boot, "direct"));
	if (r >= 0 && initrd_src)
		r = mgmt_copy_file(initrd_src, initrd, 0644);
	return r;
}

int mgmt_kvm_connect(const char *root, const char *name, int *ret_fd)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int dir = -1, sock_path = -1, fd = -1;
	_cleanup_free_ char *rel = bs_path_join(KVM_CONTROL_DIR, name);
	struct stat st;

	dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return bs_error(errno, "%s: %s", root, strerror(errno));
	/* the zone owns its root: a link it made there must not lead the host elsewhere */
	sock_path = (int)syscall(SYS_openat2, dir, rel, &how, sizeof(how));
	if (sock_path < 0 || fstat(sock_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return bs_error(ENOTCONN, "the VMM has no socket %s", name);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bs_error(ENOTCONN, "cannot reach the VMM's socket %s: %s", name,
				strerror(errno));
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int mgmt_kvm_control(const char *root, const char *command, json_t **ret_reply)
{
	struct timeval tv = { .tv_sec = 5 };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *line = NULL;
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int r;

	r = mgmt_kvm_connect(root, KVM_CONTROL_NAME, &fd);
	if (r < 0)
		return r;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	line = bs_asprintf("%s\n", command);
	if (bs_write_full(fd, line, strlen(line)) < 0)
		return bs_error(EIO, "cannot talk to the VMM: %s", strerror(errno));
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (!len || !memchr(buf, '\n', len))
		return bs_error(EIO, "the VMM did not answer '%s'", command);
	return bs_json_parse(buf, "the VMM's answer", ret_reply);
}
