// SPDX-License-Identifier: MIT
/*
 * cgroup.c - a zone's resource controls as cgroups, on the three layouts a Linux host has:
 * v1 (one hierarchy per controller), v2 (one unified hierarchy) and hybrid (v1 controllers
 * plus a v2 mount that carries none of the controllers zones use, which is treated as v1).
 * Each zone gets one cgroup per hierarchy, named basalt-HASH-ZONE where HASH comes from the
 * state directory, so that two state directories on one host never share a cgroup.
 * SmartOS's caps map onto the controllers: max_physical_memory and max_swap on memory (and
 * memsw), max_lwps on pids, cpu_cap on the CFS quota, cpu_shares on cpu shares or weight,
 * zfs_io_priority on the blkio or io weight. BASALT_CGROUP_ROOT moves the cgroup root (tests
 * build a scratch v2 layout with it).
 */
#include "zone_impl.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The v1 hierarchies a zone joins; "cpu" is often a link to "cpu,cpuacct". */
static const char *const v1_ctrls[] = { "memory", "pids", "cpu", "cpuacct", "blkio", "devices" };

static const char *cgroup_root(void)
{
	const char *s = getenv("BASALT_CGROUP_ROOT");

	return s && *s ? s : "/sys/fs/cgroup";
}

static bool cgroup_is_v2(void)
{
	struct statfs sf;

	return statfs(cgroup_root(), &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

uint32_t zone_root_hash(void)
{
	uint32_t h = 2166136261u;

	for (const char *p = bs_root_dir(); *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The zone's cgroup in hierarchy ctrl (NULL: v2); caller frees. */
static char *cg_path(const char *ctrl, const char *name)
{
	if (!ctrl)
		return bs_asprintf("%s/basalt-%08x-%s", cgroup_root(), zone_root_hash(), name);
	return bs_asprintf("%s/%s/basalt-%08x-%s", cgroup_root(), ctrl, zone_root_hash(), name);
}

static int write_str(const char *dir, const char *file, const char *value)
{
	_cleanup_free_ char *path = bs_path_join(dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		return -errno;
	return 0;
}

_printf_(3, 4) static int write_fmt(const char *dir, const char *file, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return -ENOMEM;
	return write_str(dir, file, s);
}

static int read_u64(const char *dir, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *path = bs_path_join(dir, file), *text = NULL;
	int r;

	r = bs_read_file(path, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n ")] = '\0';
	if (streq(text, "max")) {
		*ret = UINT64_MAX;
		return 0;
	}
	return bs_parse_u64(text, ret);
}

/* The number after key in a "key value" file (memory.events, cpu.stat). */
static int read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret)
{
	_cleanup_free_ char *path = bs_path_join(dir, file), *text = NULL;
	size_t klen = strlen(key);
	int r;

	r = bs_read_file(path, &text, NULL);
	if (r < 0)
		return r;
	for (char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			unsigned long long v = strtoull(line + klen + 1, NULL, 10);

			*ret = v;
			return 0;
		}
	return -ENOENT;
}

static bool exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = bs_path_join(dir, file);

	return access(path, F_OK) == 0;
}

static uint64_t mib(uint64_t v)
{
	return v << 20;
}

/* Memory and memory+swap limits, in the order the kernel accepts (memsw >= memory always). */
static int apply_memory_v1(const char *dir, const struct zone_caps *k)
{
	bool memsw = exists(dir, "memory.memsw.limit_in_bytes");
	uint64_t mem = k->max_physical_memory ? mib(k->max_physical_memory) : 0;
	uint64_t sw = k->max_swap ? mib(k->max_swap) : mem;
	int r;

	r = write_fmt(dir, "memory.limit_in_bytes", "%lld", mem ? (long long)mem : -1LL);
	if (r == -EINVAL && memsw) {
		/* the new memory cap is above the old memsw cap: raise memsw first */
		r = write_fmt(dir, "memory.memsw.limit_in_bytes", "%lld",
			      sw ? (long long)sw : -1LL);
		if (r < 0)
			return r;
		return write_fmt(dir, "memory.limit_in_bytes", "%lld", mem ? (long long)mem : -1LL);
	}
	if (r < 0 || !memsw)
		return r;
	return write_fmt(dir, "memory.memsw.limit_in_bytes", "%lld", sw ? (long long)sw : -1LL);
}

static int apply_v1(const char *name, const struct zone_caps *k)
{
	_cleanup_free_ char *mem = cg_path("memory", name), *pids = cg_path("pids", name);
	_cleanup_free_ char *cpu = cg_path("cpu", name), *blkio = cg_path("blkio", name);
	int r;

	r = apply_memory_v1(mem, k);
	if (r < 0)
		return bs_error(r, "cannot set the memory cap: %s", strerror(-r));
	if (k->max_lwps)
		r = write_fmt(pids, "pids.max", "%llu", (unsigned long long)k->max_lwps);
	else
		r = write_str(pids, "pids.max", "max");
	if (r < 0)
		return bs_error(r, "cannot set max_lwps: %s", strerror(-r));
	r = write_fmt(cpu, "cpu.cfs_period_us", "100000");
	if (r == 0)
		r = write_fmt(cpu, "cpu.cfs_quota_us", "%lld",
			      k->cpu_cap ? (long long)k->cpu_cap * 1000 : -1LL);
	if (r == 0)
		r = write_fmt(cpu, "cpu.shares", "%llu",
			      (unsigned long long)MAX(2, k->cpu_shares * 1024 / 100));
	if (r < 0)
		return bs_error(r, "cannot set cpu_cap or cpu_shares: %s", strerror(-r));
	/* blkio.weight exists only with an I/O scheduler that weighs (BFQ) */
	if (exists(blkio, "blkio.weight") || exists(blkio, "blkio.bfq.weight")) {
		r = write_fmt(blkio,
			      exists(blkio, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight",
			      "%llu",
			      (unsigned long long)MIN(1000, MAX(10, k->zfs_io_priority * 5)));
		if (r < 0)
			return bs_error(r, "cannot set zfs_io_priority: %s", strerror(-r));
	}
	return 0;
}

/* Write value to a v2 controller file. A controller the hierarchy does not give the zone is an
 * error only when the zone asks for a cap through it. */
static int v2_write(const char *dir, const char *file, bool capped, const char *prop,
		    const char *value)
{
	int r;

	if (!exists(dir, file)) {
		if (!capped)
			return 0;
		return bs_error(EOPNOTSUPP,
				"%s: the host's cgroup v2 hierarchy has no %.*s controller", prop,
				(int)strcspn(file, "."), file);
	}
	r = write_str(dir, file, value);
	if (r < 0)
		return bs_error(r, "cannot set %s (%s): %s", prop, file, strerror(-r));
	return 0;
}

static int apply_v2(const char *name, const struct zone_caps *k)
{
	_cleanup_free_ char *dir = cg_path(NULL, name);
	uint64_t mem = mib(k->max_physical_memory);
	char v[64];
	int r;

	snprintf(v, sizeof(v), "%llu", (unsigned long long)mem);
	r = v2_write(dir, "memory.max", mem, "max_physical_memory", mem ? v : "max");
	snprintf(v, sizeof(v), "%llu",
		 (unsigned long long)(k->max_swap ? mib(k->max_swap) - mem : 0));
	if (r == 0)
		r = v2_write(dir, "memory.swap.max", false, "max_swap", mem ? v : "max");
	snprintf(v, sizeof(v), "%llu", (unsigned long long)k->max_lwps);
	if (r == 0)
		r = v2_write(dir, "pids.max", k->max_lwps, "max_lwps", k->max_lwps ? v : "max");
	snprintf(v, sizeof(v), "%llu 100000", (unsigned long long)k->cpu_cap * 1000);
	if (r == 0)
		r = v2_write(dir, "cpu.max", k->cpu_cap, "cpu_cap", k->cpu_cap ? v : "max 100000");
	/* SmartOS's default of 100 shares is cgroup v2's default weight */
	snprintf(v, sizeof(v), "%llu", (unsigned long long)MIN(10000, k->cpu_shares));
	if (r == 0)
		r = v2_write(dir, "cpu.weight", k->cpu_shares != 100, "cpu_shares", v);
	snprintf(v, sizeof(v), "default %llu", (unsigned long long)k->zfs_io_priority);
	if (r == 0)
		r = v2_write(dir, "io.weight", false, "zfs_io_priority", v);
	return r;
}

int zone_caps_apply(const struct zone_config *c)
{
	return cgroup_is_v2() ? apply_v2(c->zonename, &c->caps) : apply_v1(c->zonename, &c->caps);
}

static int allow_device(const char *dir, const char *rule)
{
	return write_str(dir, "devices.allow", rule);
}

static int create_v1(const struct zone_config *c)
{
	_cleanup_free_ char *dev = cg_path("devices", c->zonename);
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(v1_ctrls); i++) {
		_cleanup_free_ char *p = cg_path(v1_ctrls[i], c->zonename);

		if (mkdir(p, 0755) < 0 && !(errno == EEXIST && i > 0)) {
			/* cpu and cpuacct may be one hierarchy: the second mkdir finds it */
			r = -errno;
			return bs_error(r, "cannot create cgroup %s: %s", p, strerror(-r));
		}
	}
	r = write_str(dev, "devices.deny", "a");
	if (r == 0)
		r = zone_devices_v1_allow(c, allow_device, dev);
	if (r < 0)
		return bs_error(r, "cannot set the device cgroup of %s: %s", dev, strerror(-r));
	return apply_v1(c->zonename, &c->caps);
}

static int create_v2(const struct zone_config *c)
{
	_cleanup_free_ char *dir = cg_path(NULL, c->zonename);
	static const char *const ctrls[] = { "+memory", "+pids", "+cpu", "+io" };
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++)
		write_str(cgroup_root(), "cgroup.subtree_control", ctrls[i]);
	if (mkdir(dir, 0755) < 0) {
		r = -errno;
		return bs_error(r, "cannot create cgroup %s: %s", dir, strerror(-r));
	}
	r = zone_devices_v2_attach(c, dir);
	if (r < 0)
		return r;
	return apply_v2(c->zonename, &c->caps);
}

int zone_cgroup_create(const struct zone_config *c)
{
	int r;

	r = cgroup_is_v2() ? create_v2(c) : create_v1(c);
	if (r < 0) {
		int e = r;
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", bs_error_msg());
		zone_cgroup_destroy(c->zonename);
		return bs_error(e, "%s", msg);
	}
	return 0;
}

int zone_cgroup_attach(const char *name, pid_t pid)
{
	/* A v1 process moving itself as a single thread ("0" into tasks) skips the kernel's
	 * global threadgroup lock, whose RCU synchronisation costs milliseconds per move. */
	const char *file = pid == 0 ? "tasks" : "cgroup.procs";
	int r;

	if (cgroup_is_v2()) {
		_cleanup_free_ char *dir = cg_path(NULL, name);

		r = write_fmt(dir, "cgroup.procs", "%d", (int)pid);
		if (r < 0)
			return bs_error(r, "cannot join cgroup %s: %s", dir, strerror(-r));
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(v1_ctrls); i++) {
		_cleanup_free_ char *p = cg_path(v1_ctrls[i], name);

		r = write_fmt(p, file, "%d", (int)pid);
		if (r < 0)
			return bs_error(r, "cannot join cgroup %s: %s", p, strerror(-r));
	}
	return 0;
}

int zone_cgroup_open_v2(const char *name)
{
	_cleanup_free_ char *dir = NULL;
	int fd;

	if (!cgroup_is_v2())
		return -EOPNOTSUPP;
	dir = cg_path(NULL, name);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Kill every process in the cgroup dir; true if there was none left to kill. */
static bool kill_all(const char *dir)
{
	_cleanup_free_ char *path = bs_path_join(dir, "cgroup.procs"), *text = NULL;
	bool empty = true;

	if (bs_read_file(path, &text, NULL) < 0)
		return true;
	for (char *p = text; *p;) {
		long pid = strtol(p, &p, 10);

		if (pid > 0) {
			kill((pid_t)pid, SIGKILL);
			empty = false;
		}
		while (*p == '\n')
			p++;
		if (pid <= 0)
			break;
	}
	return empty;
}

/* rmdir, retrying while the killed processes finish exiting. */
static int remove_cgroup(const char *dir)
{
	for (int tries = 0; tries < 2000; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		if (exists(dir, "cgroup.kill"))
			write_str(dir, "cgroup.kill", "1");
		else
			kill_all(dir);
		usleep(1000);
	}
	return -EBUSY;
}

int zone_cgroup_destroy(const char *name)
{
	int r = 0, k;

	if (cgroup_is_v2()) {
		_cleanup_free_ char *dir = cg_path(NULL, name);

		return remove_cgroup(dir);
	}
	for (size_t i = 0; i < ARRAY_SIZE(v1_ctrls); i++) {
		_cleanup_free_ char *p = cg_path(v1_ctrls[i], name);

		k = remove_cgroup(p);
		if (k < 0 && r == 0)
			r = bs_error(k, "cannot remove cgroup %s: %s", p, strerror(-k));
	}
	return r;
}

int zone_usage_get(const char *name, struct zone_usage *ret)
{
	struct zone_usage u = { 0 };
	uint64_t v;
	int r;

	if (cgroup_is_v2()) {
		_cleanup_free_ char *dir = cg_path(NULL, name);

		r = read_u64(dir, "memory.current", &u.rss);
		if (r < 0)
			return bs_error(r, "zone '%s' has no cgroup: is it running?", name);
		read_u64(dir, "memory.max", &u.cap);
		read_u64(dir, "memory.swap.current", &u.swap);
		read_u64(dir, "memory.swap.max", &u.swap_cap);
		read_keyed(dir, "memory.events", "max", &u.nover);
		read_u64(dir, "pids.current", &u.lwps);
		if (read_keyed(dir, "cpu.stat", "usage_usec", &u.cpu_ns) == 0)
			u.cpu_ns *= 1000;
	} else {
		_cleanup_free_ char *mem = cg_path("memory", name), *pids = cg_path("pids", name);
		_cleanup_free_ char *acct = cg_path("cpuacct", name);

		r = read_u64(mem, "memory.usage_in_bytes", &u.rss);
		if (r < 0)
			return bs_error(r, "zone '%s' has no cgroup: is it running?", name);
		read_u64(mem, "memory.limit_in_bytes", &u.cap);
		read_u64(mem, "memory.memsw.usage_in_bytes", &u.swap);
		read_u64(mem, "memory.memsw.limit_in_bytes", &u.swap_cap);
		read_u64(mem, "memory.failcnt", &u.nover);
		/* recent kernels count reclaim at the limit nowhere else: the OOM kills show it */
		if (read_keyed(mem, "memory.oom_control", "oom_kill", &v) == 0)
			u.nover = MAX(u.nover, v);
		read_u64(pids, "pids.current", &u.lwps);
		read_u64(acct, "cpuacct.usage", &u.cpu_ns);
	}
	*ret = u;
	return 0;
}
