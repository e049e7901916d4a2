// SPDX-License-Identifier: MIT
/*
 * rootfs.c - the zone's file system view, built in its own mount namespace: the root bound onto
 * itself, the configured filesystems bound in, a fresh /proc with the kernel's knobs read-only
 * and its leaks masked, a read-only /sys with the firmware masked, a /dev holding only the
 * harmless devices and those the configuration adds (devices: /dev/kvm...), a private devpts and
 * the console, then pivot_root so that nothing of the host stays reachable. Runs in the zone's
 * first process before it execs init.
 */
#include "zone_impl.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

/* Paths under /proc the zone may read but not write. */
static const char *const proc_readonly[] = { "sys", "sysrq-trigger", "irq", "bus" };
/* Paths hidden behind /dev/null (files) or an empty read-only tmpfs (directories). */
static const char *const proc_masked[] = { "kcore", "keys", "timer_list",   "sched_debug",
					   "acpi",  "scsi", "latency_stats" };

static const struct dev_node {
	const char *name;
	unsigned maj, min;
	mode_t mode;
} dev_nodes[] = {
	{ "null", 1, 3, 0666 },	  { "zero", 1, 5, 0666 },    { "full", 1, 7, 0666 },
	{ "random", 1, 8, 0666 }, { "urandom", 1, 9, 0666 }, { "tty", 5, 0, 0666 },
};

static int fail_mount(int err, const char *what, const char *where)
{
	return bs_error(err, "cannot mount %s on %s: %s", what, where, strerror(err));
}

static int mount_at(const char *root, const char *rel, const char *src, const char *fstype,
		    unsigned long flags, const char *data)
{
	_cleanup_free_ char *dst = bs_path_join(root, rel);

	if (mount(src, dst, fstype, flags, data) < 0)
		return fail_mount(errno, src ? src : fstype, dst);
	return 0;
}

/* Make path (inside the root) read-only: bind it on itself, then remount it read-only. */
static int make_readonly(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : fail_mount(errno, path, path);
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
	    0)
		return fail_mount(errno, "read-only", path);
	return 0;
}

/* Hide path (inside the root): /dev/null over a file, an empty read-only tmpfs over a dir. */
static int mask(const char *root, const char *path)
{
	_cleanup_free_ char *null = bs_path_join(root, "dev/null");
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0,mode=555") < 0)
			return fail_mount(errno, "tmpfs", path);
	} else if (mount(null, path, NULL, MS_BIND, NULL) < 0) {
		return fail_mount(errno, null, path);
	}
	return 0;
}

/* An empty file or directory at path, for a bind mount. */
static int make_target(const char *path, bool dir)
{
	_cleanup_free_ char *parent = bs_strdup(path);
	int fd, r;

	if (dir)
		return bs_mkdir_p(path, 0755);
	*strrchr(parent, '/') = '\0';
	r = *parent ? bs_mkdir_p(parent, 0755) : 0;
	if (r < 0)
		return r;
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Device path (under /dev) at the same place in the zone's fresh /dev: a node of the host's
 * device number and mode, or, in a user namespace where nodes cannot be made, the host's bound. */
static int add_device(const char *root, const char *path)
{
	_cleanup_free_ char *dst = bs_path_join(root, path), *parent = bs_strdup(dst);
	struct stat st;
	int r;

	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
		return bs_error(ENODEV, "devices: %s is not a character device", path);
	*strrchr(parent, '/') = '\0';
	r = bs_mkdir_p(parent, 0755);
	if (r < 0)
		return bs_error(r, "cannot create %s: %s", parent, strerror(-r));
	if (mknod(dst, S_IFCHR | (st.st_mode & 0777), st.st_rdev) == 0)
		return chmod(dst, st.st_mode & 0777) < 0 ? -errno : 0;
	r = make_target(dst, false);
	if (r < 0)
		return bs_error(r, "cannot create %s: %s", dst, strerror(-r));
	if (mount(path, dst, NULL, MS_BIND, NULL) < 0)
		return fail_mount(errno, path, dst);
	return 0;
}

static int setup_dev(const struct zone_config *c, const char *console)
{
	const char *root = c->zoneroot;
	_cleanup_free_ char *dev = bs_path_join(root, "dev");
	char path[PATH_MAX];
	int r;

	r = mount_at(root, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k");
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		const struct dev_node *d = &dev_nodes[i];

		snprintf(path, sizeof(path), "%s/%s", dev, d->name);
		if (mknod(path, S_IFCHR | d->mode, makedev(d->maj, d->min)) == 0) {
			chmod(path, d->mode);
			continue;
		}
		/* in a user namespace device nodes cannot be made: bind the host's */
		r = make_target(path, false);
		if (r < 0)
			return bs_error(r, "cannot create %s: %s", path, strerror(-r));
		snprintf(path, sizeof(path), "/dev/%s", d->name);
		r = mount_at(dev, d->name, path, NULL, MS_BIND, NULL);
		if (r < 0)
			return r;
	}
	snprintf(path, sizeof(path), "%s/pts", dev);
	mkdir(path, 0755);
	r = mount_at(dev, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620");
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/ptmx", dev);
	if (symlink("pts/ptmx", path) < 0)
		return bs_error(errno, "cannot create %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/shm", dev);
	mkdir(path, 01777);
	r = mount_at(dev, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k");
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_devices; i++) {
		r = add_device(root, c->devices[i]);
		if (r < 0)
			return r;
	}
	snprintf(path, sizeof(path), "%s/console", dev);
	r = make_target(path, false);
	if (r < 0)
		return bs_error(r, "cannot create %s: %s", path, strerror(-r));
	return mount_at(dev, "console", console, NULL, MS_BIND, NULL);
}

static int setup_proc(const char *root)
{
	char path[PATH_MAX];
	int r;

	r = mount_at(root, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(proc_readonly); i++) {
		snprintf(path, sizeof(path), "%s/proc/%s", root, proc_readonly[i]);
		r = make_readonly(path);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(proc_masked); i++) {
		snprintf(path, sizeof(path), "%s/proc/%s", root, proc_masked[i]);
		r = mask(root, path);
		if (r < 0)
			return r;
	}
	return 0;
}

static int setup_sys(const char *root)
{
	_cleanup_free_ char *sys = bs_path_join(root, "sys");
	char path[PATH_MAX];
	int r;

	if (access(sys, F_OK) < 0)
		return 0;
	r = mount_at(root, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/firmware", sys);
	return mask(root, path);
}

/* -ELOOP if a component of target (below root) is a symbolic link: a link the zone made must
 * not turn a bind mount, or the creation of its mount point, onto a host path. (Nothing runs in
 * the zone while its root is built, so what is checked stays so.) */
static int check_no_links(const char *root, const char *target)
{
	_cleanup_free_ char *path = bs_path_join(root, target);
	size_t skip = strlen(root);
	struct stat st;

	for (char *p = path + skip + 1; p; p = strchr(p + 1, '/')) {
		char saved = *p;

		*p = '\0';
		if (p > path + skip && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return -ELOOP;
		*p = saved;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return 0;
}

static int setup_filesystems(const struct zone_config *c)
{
	for (size_t i = 0; i < c->n_filesystems; i++) {
		const struct zone_fs *f = &c->filesystems[i];
		_cleanup_free_ char *dst = bs_path_join(c->zoneroot, f->target);
		struct stat st;
		int r;

		if (stat(f->source, &st) < 0)
			return bs_error(errno, "filesystems[%zu].source: %s: %s", i, f->source,
					strerror(errno));
		if (check_no_links(c->zoneroot, f->target) < 0)
			return bs_error(ELOOP,
					"filesystems[%zu].target: %s leads through a symbolic "
					"link in the zone's root",
					i, f->target);
		r = make_target(dst, S_ISDIR(st.st_mode));
		if (r < 0)
			return bs_error(r, "cannot create %s: %s", dst, strerror(-r));
		if (mount(f->source, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
			return fail_mount(errno, f->source, dst);
		if (f->readonly &&
		    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			return fail_mount(errno, "read-only", dst);
	}
	return 0;
}

int zone_rootfs_setup(const struct zone_config *c, const char *console)
{
	const char *root = c->zoneroot;
	int r;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail_mount(errno, "private", "/");
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail_mount(errno, root, root);
	r = setup_filesystems(c);
	if (r == 0)
		r = setup_dev(c, console);
	if (r == 0)
		r = setup_proc(root);
	if (r == 0)
		r = setup_sys(root);
	if (r < 0)
		return r;
	if (chdir(root) < 0)
		return bs_error(errno, "cannot enter %s: %s", root, strerror(errno));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return bs_error(errno, "cannot pivot_root into %s: %s", root, strerror(errno));
	if (umount2(".", MNT_DETACH) < 0)
		return bs_error(errno, "cannot detach the host's root: %s", strerror(errno));
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

int zone_rootfs_resolvers(const struct zone_config *c)
{
	char buf[1024];
	size_t n = 0;
	int fd, r;

	if (!c->resolvers || !c->resolvers[0])
		return 0;
	for (char **p = c->resolvers; *p && n < sizeof(buf) - 64; p++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "nameserver %s\n", *p);
	mkdir("/etc", 0755);
	fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return bs_error(errno, "cannot write /etc/resolv.conf in the zone: %s",
				strerror(errno));
	r = bs_write_full(fd, buf, n);
	close(fd);
	return r;
}
