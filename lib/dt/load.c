// SPDX-License-Identifier: MIT
/*
 * load.c - from a checked program to enabled probes: the layout of variables, the maps (ring
 * buffer, per-CPU scratch and record areas, globals, one hash map per associative array,
 * thread-local variable and aggregation), the grouping of probes into attachments (all the
 * system calls of a program share one raw_syscalls attachment per direction), code
 * generation, loading with libbpf's low-level API, and attachment: raw tracepoints, perf
 * events for profile and tick, BEGIN and END run once with BPF_PROG_TEST_RUN.
 */
#include "dt_impl.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

#define TRACEFS_MAGIC_NR 0x74726163
#define VAR_MAX_ENTRIES 65536
#define VTIME_THREADS 8192 /* threads vtimestamp follows at once */

struct dt_btf_off dt_btf;

int dt_tracefs_mount(void)
{
	struct statfs st;

	if (statfs("/sys/kernel/tracing", &st) == 0 && st.f_type == TRACEFS_MAGIC_NR)
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0 && errno != EBUSY)
		return bs_error(errno, "cannot mount tracefs on /sys/kernel/tracing: %s",
				strerror(errno));
	return 0;
}

/* The byte offset of a member path ("ns.inum") in struct name, searching anonymous members. */
static int member_off(const struct btf *btf, int type_id, const char *path)
{
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)type_id);
	char first[64];
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);

	if (len >= sizeof(first))
		return -EINVAL;
	memcpy(first, path, len);
	first[len] = 0;
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_composite(t))
		return -ENOENT;
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		int base = (int)btf_member_bit_offset(t, (uint32_t)i) / 8, r;

		if (name && *name) {
			if (!streq(name, first))
				continue;
			if (!dot)
				return base;
			r = member_off(btf, (int)m->type, dot + 1);
			return r < 0 ? r : base + r;
		}
		/* an anonymous struct or union: look inside */
		r = member_off(btf, (int)m->type, path);
		if (r >= 0)
			return base + r;
	}
	return -ENOENT;
}

/* The fields the translated structures read; a field the kernel lacks is -1. */
static void xlate_offsets(const struct btf *btf, int task)
{
	int cred = btf__find_by_name_kind(btf, "cred", BTF_KIND_STRUCT);
	int mm = btf__find_by_name_kind(btf, "mm_struct", BTF_KIND_STRUCT);
	int rq = btf__find_by_name_kind(btf, "request", BTF_KIND_STRUCT);
	int q = btf__find_by_name_kind(btf, "request_queue", BTF_KIND_STRUCT);
	int disk = btf__find_by_name_kind(btf, "gendisk", BTF_KIND_STRUCT);
	const struct {
		int *off;
		int type;
		const char *path;
	} f[] = {
		{ &dt_btf.task_real_cred, task, "real_cred" },
		{ &dt_btf.cred_uid, cred, "uid.val" },
		{ &dt_btf.cred_gid, cred, "gid.val" },
		{ &dt_btf.task_mm, task, "mm" },
		{ &dt_btf.mm_arg_start, mm, "arg_start" },
		{ &dt_btf.mm_arg_end, mm, "arg_end" },
		{ &dt_btf.task_exit_code, task, "exit_code" },
		{ &dt_btf.rq_data_len, rq, "__data_len" },
		{ &dt_btf.rq_sector, rq, "__sector" },
		{ &dt_btf.rq_cmd_flags, rq, "cmd_flags" },
		{ &dt_btf.rq_q, rq, "q" },
		{ &dt_btf.q_disk, q, "disk" },
		{ &dt_btf.disk_name, disk, "disk_name" },
		{ &dt_btf.disk_major, disk, "major" },
		{ &dt_btf.disk_first_minor, disk, "first_minor" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		int r = f[i].type > 0 ? member_off(btf, f[i].type, f[i].path) : -1;

		/* 0 is a real offset only for the first member; -1 marks a missing field */
		*f[i].off = r < 0 ? -1 : r;
	}
}

int dt_btf_offsets(void)
{
	struct btf *btf;
	int task, pid, upid, ns, r;

	if (dt_btf.task_tgid > 0)
		return 0;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return bs_error(ENOENT, "the kernel offers no BTF (/sys/kernel/btf/vmlinux): "
					"zonename and ppid are unavailable");
	task = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	pid = btf__find_by_name_kind(btf, "pid", BTF_KIND_STRUCT);
	upid = btf__find_by_name_kind(btf, "upid", BTF_KIND_STRUCT);
	ns = btf__find_by_name_kind(btf, "pid_namespace", BTF_KIND_STRUCT);
	r = -ENOENT;
	if (task > 0 && pid > 0 && upid > 0 && ns > 0) {
		dt_btf.task_real_parent = member_off(btf, task, "real_parent");
		dt_btf.task_tgid = member_off(btf, task, "tgid");
		dt_btf.task_pid = member_off(btf, task, "pid");
		dt_btf.task_comm = member_off(btf, task, "comm");
		dt_btf.task_thread_pid = member_off(btf, task, "thread_pid");
		dt_btf.pid_level = member_off(btf, pid, "level");
		dt_btf.pid_numbers = member_off(btf, pid, "numbers");
		dt_btf.upid_ns = member_off(btf, upid, "ns");
		dt_btf.upid_size = (int)btf__resolve_size(btf, (uint32_t)upid);
		dt_btf.pidns_inum = member_off(btf, ns, "ns.inum");
		xlate_offsets(btf, task);
		r = 0;
		if (dt_btf.task_real_parent <= 0 || dt_btf.task_tgid <= 0 || dt_btf.task_pid <= 0 ||
		    dt_btf.task_comm <= 0 || dt_btf.task_thread_pid <= 0 || dt_btf.pid_level < 0 ||
		    dt_btf.pid_numbers <= 0 || dt_btf.upid_ns < 0 || dt_btf.upid_size <= 0 ||
		    dt_btf.pidns_inum < 0)
			r = -ENOENT;
	}
	btf__free(btf);
	if (r < 0) {
		memset(&dt_btf, 0, sizeof(dt_btf));
		return bs_error(ENOENT, "the kernel's BTF lacks the task and PID namespace fields");
	}
	return 0;
}

static uint32_t agg_valsize(const struct dt_ident *id)
{
	switch (id->fn) {
	case AGG_COUNT:
	case AGG_SUM:
		return 8;
	case AGG_AVG:
	case AGG_MIN:
	case AGG_MAX:
		return 16;
	case AGG_STDDEV:
		return 24;
	default: {
		int64_t *lo = NULL;
		int n = dt_agg_bounds(id, &lo);

		free(lo);
		return 8u * (uint32_t)n;
	}
	}
}

static int map_new(enum bpf_map_type type, const char *name, uint32_t ksize, uint32_t vsize,
		   uint32_t entries, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(type, NULL, ksize, vsize, entries, &o);

	if (fd < 0)
		return bs_error(errno, "cannot create the BPF map %s: %s", name, strerror(errno));
	return fd;
}

int dt_maps_create(struct dt_program *p)
{
	uint32_t strsize = (uint32_t)p->opts.strsize, rb = 4096;

	for (struct dt_ident *id = p->idents; id; id = id->next) {
		uint32_t vsize = id->type.kind == DT_T_STR ? strsize : 8;

		id->keysize = id->kind == ID_SELF ? 8 : 0;
		for (int i = 0; i < id->nkeys; i++) {
			if (id->keys[i].kind == DT_T_STACK)
				id->keylen[i] = DT_STACK_SIZE;
			else if (id->keys[i].kind != DT_T_STR)
				id->keylen[i] = 8;
			else if (id->str_keys_any & (1u << i) || id->declared)
				id->keylen[i] = strsize;
			else
				id->keylen[i] = DT_EXECNAME_LEN;
			id->keysize += id->keylen[i];
		}
		if (id->keysize == 0)
			id->keysize = 8;
		id->valsize = vsize;
		switch (id->kind) {
		case ID_GLOBAL:
			id->off = p->globals_size;
			p->globals_size += vsize;
			break;
		case ID_THIS:
			id->off = p->this_size;
			p->this_size += vsize;
			break;
		case ID_ARRAY:
		case ID_SELF:
			id->fd = map_new(BPF_MAP_TYPE_HASH, "dt_var", id->keysize, vsize,
					 VAR_MAX_ENTRIES, BPF_F_NO_PREALLOC);
			if (id->fd < 0)
				return id->fd;
			break;
		case ID_AGG:
			id->valsize = agg_valsize(id);
			id->fd = map_new(BPF_MAP_TYPE_PERCPU_HASH, "dt_agg", id->keysize,
					 id->valsize, VAR_MAX_ENTRIES, BPF_F_NO_PREALLOC);
			if (id->fd < 0)
				return id->fd;
			break;
		}
	}
	if (p->this_size > DT_SCRATCH_SIZE / 2)
		return bs_error(E2BIG, "clause-local variables take more than %u bytes",
				DT_SCRATCH_SIZE / 2);
	while (rb < p->opts.bufsize)
		rb <<= 1;
	p->ringbuf_fd = map_new(BPF_MAP_TYPE_RINGBUF, "dt_buf", 0, 0, rb, 0);
	if (p->ringbuf_fd < 0)
		return p->ringbuf_fd;
	p->depth_fd = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, "dt_depth", 4, 8, 1, 0);
	if (p->depth_fd < 0)
		return p->depth_fd;
	p->scratch_fd = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, "dt_scratch", 4, DT_SCRATCH_SIZE,
				DT_NEST_MAX, 0);
	if (p->scratch_fd < 0)
		return p->scratch_fd;
	p->recbuf_fd =
		map_new(BPF_MAP_TYPE_PERCPU_ARRAY, "dt_rec", 4, DT_SCRATCH_SIZE, DT_NEST_MAX, 0);
	if (p->recbuf_fd < 0)
		return p->recbuf_fd;
	p->globals_fd = map_new(BPF_MAP_TYPE_ARRAY, "dt_globals", 4, MAX(p->globals_size, 8), 1, 0);
	if (p->globals_fd < 0)
		return p->globals_fd;
	p->drops_fd = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, "dt_drops", 4, 8, 1, 0);
	if (p->drops_fd < 0)
		return p->drops_fd;
	p->pnames_fd =
		map_new(BPF_MAP_TYPE_ARRAY, "dt_pnames", 4, 64, (uint32_t)dt_syscall_count, 0);
	if (p->pnames_fd < 0)
		return p->pnames_fd;
	/* only for zonename, and not preallocated: creating 1024 elements costs milliseconds */
	if (p->need_zones) {
		p->zones_fd = map_new(BPF_MAP_TYPE_HASH, "dt_zones", 4, DT_ZONENAME_LEN, 1024,
				      BPF_F_NO_PREALLOC);
		if (p->zones_fd < 0)
			return p->zones_fd;
	}
	p->spec_fd = map_new(BPF_MAP_TYPE_ARRAY, "dt_spec", 4, 8 * DT_NSPEC, 1, 0);
	if (p->spec_fd < 0)
		return p->spec_fd;
	if (p->need_vtime) {
		if (dt_btf.task_pid <= 0)
			return bs_error(
				ENOENT,
				"vtimestamp needs the kernel's BTF "
				"(/sys/kernel/btf/vmlinux) to follow threads on and off the CPUs");
		/* least recently used threads make room: exited threads are never removed */
		p->vtime_fd = map_new(BPF_MAP_TYPE_LRU_HASH, "dt_vtime", 4, 16, VTIME_THREADS, 0);
		if (p->vtime_fd < 0)
			return p->vtime_fd;
	}
	return 0;
}

static void pnames_fill(struct dt_program *p)
{
	char name[64];

	for (int i = 0; i < dt_syscall_count; i++) {
		uint32_t k = (uint32_t)i;

		if (!dt_syscall_names[i])
			continue;
		memset(name, 0, sizeof(name));
		snprintf(name, sizeof(name), "%s", dt_syscall_names[i]);
		bpf_map_update_elem(p->pnames_fd, &k, name, BPF_ANY);
	}
}

/* The attachment a probe belongs to, created on first use. */
static struct dt_attach *attach_for(struct dt_program *p, const struct dt_probe *pr)
{
	struct dt_attach *a;

	for (int i = 0; i < p->nattach; i++) {
		a = &p->attach[i];
		if (a->type != pr->type)
			continue;
		if (pr->type == P_TP_RAW && !streq(a->tp, pr->tp->tp))
			continue;
		if ((pr->type == P_PROFILE || pr->type == P_TICK) && a->period != pr->period)
			continue;
		if (pr->type == P_UPROBE && a->probe != pr->id)
			continue;
		return a;
	}
	p->attach = bs_realloc(p->attach, sizeof(*p->attach) * (size_t)(p->nattach + 1));
	a = &p->attach[p->nattach++];
	memset(a, 0, sizeof(*a));
	a->type = pr->type;
	a->prog_fd = -1;
	a->tp = pr->type == P_TP_RAW	     ? pr->tp->tp :
		pr->type == P_SYSCALL_ENTRY  ? "sys_enter" :
		pr->type == P_SYSCALL_RETURN ? "sys_exit" :
					       NULL;
	a->period = pr->period;
	a->probe = pr->id;
	return a;
}

static void attach_add_clause(struct dt_attach *a, struct dt_clause *c)
{
	if (a->nclauses && a->clauses[a->nclauses - 1] == c)
		return;
	a->clauses = bs_realloc(a->clauses, sizeof(*a->clauses) * (size_t)(a->nclauses + 1));
	a->clauses[a->nclauses++] = c;
}

/* A verifier rejection said in D's terms: which clause, and the verifier's last words. */
static int explain_reject(struct dt_program *p, struct dt_attach *a, const char *log, int err)
{
	const char *last = "", *s;
	char line[256] = "";
	size_t len;

	if (a->nclauses == 0) /* the vtimestamp accounting has no clause to blame */
		return bs_error(err,
				"the kernel's verifier rejected the accounting behind vtimestamp");

	/* the verifier's reason is its last non-empty line before the statistics */
	for (s = log; s && *s;) {
		const char *e = strchr(s, '\n');

		len = e ? (size_t)(e - s) : strlen(s);
		if (len > 0 && strncmp(s, "processed ", 10) != 0 && strncmp(s, "verification", 12))
			last = s;
		s = e ? e + 1 : NULL;
	}
	len = strcspn(last, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)MIN(len, sizeof(line) - 1), last);
	if (p->opts.verbose)
		fprintf(stderr, "%s\n", log);
	return bs_error(err,
			"the kernel's verifier rejected the code for clause%s %s (line %d): "
			"%s%s",
			a->nclauses > 1 ? "s from" : "", a->clauses[0]->pdescs[0].text,
			a->clauses[0]->line, *line ? line : strerror(err),
			p->opts.verbose ? "" : " (run with -v for the verifier's log)");
}

/* -S: an attachment's instructions, under what it rides */
static void listing(struct dt_program *p, const struct dt_attach *a, const struct bpf_insn *insns,
		    int n)
{
	const struct dt_probe *pr = dt_probe_get(a->probe);
	char title[320];

	if (a->tp)
		snprintf(title, sizeof(title), "raw tracepoint %s", a->tp);
	else if (a->type == P_PROFILE || a->type == P_TICK)
		snprintf(title, sizeof(title), "%s timer every %" PRIu64 " ns",
			 a->type == P_PROFILE ? "per-CPU" : "one-CPU", a->period);
	else
		snprintf(title, sizeof(title), "%s %s:%s:%s:%s",
			 a->type == P_UPROBE ? "uprobe" : "run once", pr->prov, pr->mod, pr->func,
			 pr->name);
	dt_disasm(p->opts.listing, title, insns, n);
}

static int prog_load(struct dt_program *p, struct dt_attach *a)
{
	struct bpf_insn *insns = NULL;
	enum bpf_prog_type type;
	int n, fd;

	n = dt_cg_attach(p, a, &insns);
	if (n < 0)
		return n;
	if (p->opts.listing)
		listing(p, a, insns, n);
	switch (a->type) {
	case P_PROFILE:
	case P_TICK:
		type = BPF_PROG_TYPE_PERF_EVENT;
		break;
	case P_UPROBE:
		type = BPF_PROG_TYPE_KPROBE;
		break;
	default:
		type = BPF_PROG_TYPE_RAW_TRACEPOINT;
		break;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	/* no names: naming makes libbpf probe the kernel with a program of its own first */
	fd = bpf_prog_load(type, NULL, "GPL", insns, (size_t)n, &o);
	if (fd < 0) {
		size_t logsize = 16u << 20;
		_cleanup_free_ char *log = bs_malloc(logsize);
		int err = errno;

		log[0] = 0;
		LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log, .log_size = (uint32_t)logsize,
			    .log_level = 1);
		fd = bpf_prog_load(type, NULL, "GPL", insns, (size_t)n, &lo);
		if (fd < 0) {
			free(insns);
			return explain_reject(p, a, log, errno ? errno : err);
		}
	}
	free(insns);
	a->prog_fd = fd;
	return 0;
}

static int perf_attach(struct dt_attach *a)
{
	int ncpu = libbpf_num_possible_cpus();
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = a->period,
	};

	if (ncpu < 1)
		ncpu = 1;
	a->fds = bs_zalloc(sizeof(int) * (size_t)ncpu);
	for (int cpu = 0; cpu < (a->type == P_TICK ? 1 : ncpu); cpu++) {
		int pfd =
			(int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

		if (pfd < 0) {
			if (errno == ENODEV || errno == EINVAL)
				continue; /* an offline CPU */
			return bs_error(errno, "cannot open a timer on CPU %d: %s", cpu,
					strerror(errno));
		}
		a->fds[a->nfds++] = pfd;
		/* the program on the timer, closed with it: no link to outlive the detach */
		if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, a->prog_fd) < 0 ||
		    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0)
			return bs_error(errno, "cannot attach to a timer: %s", strerror(errno));
	}
	return 0;
}

/* A uprobe through the uprobe PMU of perf_event_open, on the probe's process only. */
static int uprobe_attach(struct dt_attach *a)
{
	const struct dt_probe *pr = dt_probe_get(a->probe);
	_cleanup_free_ char *buf = NULL;
	struct perf_event_attr attr = { .size = sizeof(attr) };
	uint64_t type;
	int pfd;

	if (bs_read_file("/sys/bus/event_source/devices/uprobe/type", &buf, NULL) < 0 ||
	    bs_parse_u64(strtok(buf, "\n"), &type) < 0)
		return bs_error(ENOTSUP, "this kernel offers no uprobes: the pid provider is "
					 "unavailable");
	attr.type = (uint32_t)type;
	attr.config = pr->uret ? 1 : 0; /* the retprobe bit, config:0 */
	attr.config |= pr->uref << 32;	/* a usdt semaphore's offset, config:32-63 */
	attr.config1 = (uint64_t)(uintptr_t)pr->path;
	attr.config2 = pr->uoff;
	pfd = (int)syscall(SYS_perf_event_open, &attr, pr->upid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return bs_error(errno, "cannot place a uprobe on %s:%s: %s", pr->mod, pr->func,
				strerror(errno));
	a->fds = bs_zalloc(sizeof(int));
	a->fds[0] = pfd;
	a->nfds = 1;
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, a->prog_fd) < 0 ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return bs_error(errno, "cannot attach to the uprobe on %s:%s: %s", pr->mod,
				pr->func, strerror(errno));
	return 0;
}

int dt_run_once(struct dt_program *p, int prog_fd, const uint64_t *args)
{
	uint64_t ctx[6] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = ctx, .ctx_size_in = sizeof(ctx));

	if (prog_fd < 0)
		return 0;
	if (args)
		memcpy(ctx, args, sizeof(ctx));
	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return bs_error(errno, "cannot run BEGIN or END: %s", strerror(errno));
	return 0;
}

/* The clauses grouped by what their probes ride: one program each. */
static void attach_group(struct dt_program *p)
{
	for (int i = 0; i < p->nclauses; i++) {
		struct dt_clause *c = &p->clauses[i];

		for (int j = 0; j < c->nprobes; j++) {
			const struct dt_probe *pr = dt_probe_get(c->probes[j]);

			attach_add_clause(attach_for(p, pr), c);
		}
	}
	if (p->need_vtime) {
		p->attach = bs_realloc(p->attach, sizeof(*p->attach) * (size_t)(p->nattach + 1));
		p->attach[p->nattach++] =
			(struct dt_attach){ .type = P_VTIME, .tp = "sched_switch", .prog_fd = -1 };
	}
}

int dt_program_listing(struct dt_program *p, FILE *out)
{
	int r;

	p->opts.listing = out;
	if (p->need_btf)
		dt_btf_offsets();
	r = dt_maps_create(p);
	if (r < 0)
		return r;
	attach_group(p);
	for (int i = 0; i < p->nattach; i++) {
		struct bpf_insn *insns = NULL;
		int n = dt_cg_attach(p, &p->attach[i], &insns);

		if (n < 0)
			return n;
		listing(p, &p->attach[i], insns, n);
		free(insns);
	}
	return 0;
}

int dt_load_attach(struct dt_program *p)
{
	struct timespec rt, mono;
	int r;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	p->walltime_off = (uint64_t)(rt.tv_sec - mono.tv_sec) * 1000000000ull +
			  (uint64_t)(rt.tv_nsec - mono.tv_nsec);
	attach_group(p);
	for (int i = 0; i < p->nattach; i++) {
		r = prog_load(p, &p->attach[i]);
		if (r < 0)
			return r;
		if (p->attach[i].type == P_BEGIN)
			p->begin_fd = p->attach[i].prog_fd;
		if (p->attach[i].type == P_END)
			p->end_fd = p->attach[i].prog_fd;
		if (p->attach[i].type == P_ERROR)
			p->error_fd = p->attach[i].prog_fd;
	}
	if (p->need_pnames)
		pnames_fill(p);
	if (p->need_zones)
		dt_zones_fill(p);
	r = dt_run_once(p, p->begin_fd, NULL);
	if (r < 0)
		return r;
	for (int i = 0; i < p->nattach; i++) {
		struct dt_attach *a = &p->attach[i];

		switch (a->type) {
		case P_SYSCALL_ENTRY:
		case P_SYSCALL_RETURN:
		case P_TP_RAW:
		case P_VTIME:
			a->fds = bs_zalloc(sizeof(int));
			a->fds[0] = bpf_raw_tracepoint_open(a->tp, a->prog_fd);
			if (a->fds[0] < 0)
				return bs_error(errno, "cannot attach to the tracepoint %s: %s",
						a->tp, strerror(errno));
			a->nfds = 1;
			break;
		case P_PROFILE:
		case P_TICK:
			r = perf_attach(a);
			if (r < 0)
				return r;
			break;
		case P_UPROBE:
			r = uprobe_attach(a);
			if (r < 0)
				return r;
			break;
		default:
			break;
		}
	}
	return 0;
}

void dt_load_detach(struct dt_program *p)
{
	for (int i = 0; i < p->nattach; i++) {
		struct dt_attach *a = &p->attach[i];

		for (int j = 0; j < a->nfds; j++)
			close(a->fds[j]);
		free(a->fds);
		a->fds = NULL;
		a->nfds = 0;
	}
}

void dt_program_release(struct dt_program *p)
{
	dt_load_detach(p);
	for (int i = 0; i < p->nattach; i++) {
		if (p->attach[i].prog_fd >= 0)
			close(p->attach[i].prog_fd);
		free(p->attach[i].clauses);
	}
	free(p->attach);
	p->attach = NULL;
	p->nattach = 0;
	for (struct dt_ident *id = p->idents; id; id = id->next)
		if (id->fd >= 0)
			close(id->fd);
	int *fds[] = { &p->ringbuf_fd, &p->scratch_fd, &p->recbuf_fd, &p->depth_fd, &p->globals_fd,
		       &p->drops_fd,   &p->pnames_fd,  &p->zones_fd,  &p->spec_fd,  &p->vtime_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}
