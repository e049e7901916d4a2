// SPDX-License-Identifier: MIT
/*
 * devices.c - the devices a zone may use, one table for both cgroup versions: null, zero,
 * full, random, urandom, tty, console, ptmx and the pty slaves, all character devices, and the
 * extra character devices the zone's configuration names (`devices`: /dev/kvm, /dev/net/tun),
 * each checked to be a character device of the host and taken by its device number. On v1
 * the list becomes devices.allow lines after a "deny all"; on v2, which has no device files,
 * it becomes a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the zone's cgroup, a chain of
 * comparisons written out in BPF instructions (no compiler, no object file) that allows what
 * the list holds and refuses everything else.
 */
#include "zone_impl.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#define ANY_MINOR (-1)

struct zone_device {
	int major, minor;
};

static const struct zone_device zone_devices[] = {
	{ 1, 3 },	    { 1, 5 }, { 1, 7 },
	{ 1, 8 },	    { 1, 9 },		/* null zero full random urandom */
	{ 5, 0 },	    { 5, 1 }, { 5, 2 }, /* tty console ptmx */
	{ 136, ANY_MINOR },			/* pty slaves */
};

int zone_device_stat(const char *path, dev_t *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return bs_error(errno, "devices: %s: %s", path, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return bs_error(EINVAL, "devices: %s is not a character device", path);
	*ret = st.st_rdev;
	return 0;
}

int zone_devices_check(const struct zone_config *c)
{
	dev_t *seen = bs_zalloc((c->n_devices + 1) * sizeof(*seen));
	int r = 0;

	for (size_t i = 0; r == 0 && i < c->n_devices; i++) {
		r = zone_device_stat(c->devices[i], &seen[i]);
		for (size_t k = 0; r == 0 && k < i; k++)
			if (seen[k] == seen[i])
				r = bs_error(EINVAL, "devices: %s and %s are one device",
					     c->devices[k], c->devices[i]);
	}
	free(seen);
	return r;
}

/* The fixed table, then the configuration's devices; *ret_n entries, caller frees. */
static int device_list(const struct zone_config *c, struct zone_device **ret, size_t *ret_n)
{
	size_t n = ARRAY_SIZE(zone_devices);
	struct zone_device *d = bs_zalloc((n + c->n_devices) * sizeof(*d));

	memcpy(d, zone_devices, sizeof(zone_devices));
	for (size_t i = 0; i < c->n_devices; i++) {
		dev_t rdev;
		int r = zone_device_stat(c->devices[i], &rdev);

		if (r < 0) {
			free(d);
			return r;
		}
		d[n++] = (struct zone_device){ (int)major(rdev), (int)minor(rdev) };
	}
	*ret = d;
	*ret_n = n;
	return 0;
}

int zone_devices_v1_allow(const struct zone_config *c,
			  int (*allow)(const char *dir, const char *rule), const char *dir)
{
	_cleanup_free_ struct zone_device *devs = NULL;
	size_t n;
	char rule[32];
	int r;

	r = device_list(c, &devs, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (devs[i].minor == ANY_MINOR)
			snprintf(rule, sizeof(rule), "c %d:* rwm", devs[i].major);
		else
			snprintf(rule, sizeof(rule), "c %d:%d rwm", devs[i].major, devs[i].minor);
		r = allow(dir, rule);
	}
	return r;
}

/* ---- the v2 program ---- */

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define AND_K(d, k) INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, k)
#define JNE_K(d, k, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, k)
#define MOV_K(d, k) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* r2 = type, r3 = major, r4 = minor; for each device: if it matches, return 1; else return 0.
 * Each device is three instructions (major test, minor test, jump to allow), the last of
 * which the code after the loop patches. */
static size_t build_program(struct bpf_insn *p, const struct zone_device *devs, size_t n_devs)
{
	size_t n = 0, allow;

	p[n++] = LDX_W(2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	p[n++] = AND_K(2, 0xffff);
	p[n++] = LDX_W(3, 1, offsetof(struct bpf_cgroup_dev_ctx, major));
	p[n++] = LDX_W(4, 1, offsetof(struct bpf_cgroup_dev_ctx, minor));
	p[n++] = JNE_K(2, BPF_DEVCG_DEV_CHAR, (short)(3 * n_devs));
	for (size_t i = 0; i < n_devs; i++) {
		const struct zone_device *d = &devs[i];

		p[n++] = JNE_K(3, d->major, 2);
		/* any minor: a test that always passes keeps every entry three long */
		p[n++] = d->minor == ANY_MINOR ? JNE_K(3, d->major, 1) : JNE_K(4, d->minor, 1);
		p[n++] = INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0); /* to allow, patched below */
	}
	p[n++] = MOV_K(0, 0);
	p[n++] = EXIT();
	allow = n;
	p[n++] = MOV_K(0, 1);
	p[n++] = EXIT();
	for (size_t i = 0; i < n_devs; i++) {
		size_t ja = 5 + 3 * i + 2;

		p[ja].off = (short)(allow - ja - 1);
	}
	return n;
}

static int load_program(const struct bpf_insn *prog, size_t n, char *log, size_t log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "MIT";
	if (log) {
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

int zone_devices_v2_attach(const struct zone_config *c, const char *cgroup_dir)
{
	_cleanup_free_ struct zone_device *devs = NULL;
	_cleanup_free_ struct bpf_insn *prog = NULL;
	char log[4096] = "";
	union bpf_attr attr;
	_cleanup_close_ int prog_fd = -1, cg_fd = -1;
	size_t n, n_devs;
	int err;

	err = device_list(c, &devs, &n_devs);
	if (err < 0)
		return err;
	prog = bs_zalloc((5 + 3 * n_devs + 4) * sizeof(*prog));
	n = build_program(prog, devs, n_devs);

	prog_fd = load_program(prog, n, NULL, 0);
	if (prog_fd < 0) {
		/* again, for the verifier's reason */
		err = errno;
		load_program(prog, n, log, sizeof(log));
		return bs_error(err, "cannot load the zone's device filter: %s%s%.200s",
				strerror(err), log[0] ? ": " : "", log);
	}
	cg_fd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0)
		return bs_error(errno, "cannot open %s: %s", cgroup_dir, strerror(errno));
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cg_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return bs_error(errno, "cannot attach the device filter to %s: %s", cgroup_dir,
				strerror(errno));
	return 0; /* the cgroup holds the program until it is removed */
}
