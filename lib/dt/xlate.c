// SPDX-License-Identifier: MIT
/*
 * xlate.c - D's structures and typed arguments: the structures a script can point at (plain
 * memory layouts such as struct timespec or those a script defines, read member by member from
 * where the pointer points; and DTrace's translated ones, psinfo_t, lwpsinfo_t, bufinfo_t,
 * devinfo_t, fileinfo_t, whose members the code generator computes from a kernel object: a task or
 * a block request), and the types of args[] for the syscall provider (from the system call
 * tracepoints' formats in tracefs) and for the proc, sched and io probes (DTrace's stable
 * arguments).
 */
#include "dt_impl.h"

#include <stdio.h>

#define INT_T(sz, sg) ((struct dt_type){ DT_T_INT, sz, sg, false, 0, 0, false, 0 })
#define STR_T ((struct dt_type){ DT_T_STR, 0, false, false, 0, 0, false, 0 })

static const struct dt_member timespec_m[] = {
	{ "tv_sec", INT_T(8, true), 0, 0, 0 },
	{ "tv_nsec", INT_T(8, true), 8, 0, 0 },
};
static const struct dt_member timeval_m[] = {
	{ "tv_sec", INT_T(8, true), 0, 0, 0 },
	{ "tv_usec", INT_T(8, true), 8, 0, 0 },
};
static const struct dt_member sockaddr_in_m[] = {
	{ "sin_family", INT_T(2, false), 0, 0, 0 },
	{ "sin_port", INT_T(2, false), 2, 0, 0 },
	{ "sin_addr", INT_T(4, false), 4, 0, 0 },
};
static const struct dt_member sockaddr_m[] = {
	{ "sa_family", INT_T(2, false), 0, 0, 0 },
};
static const struct dt_member pollfd_m[] = {
	{ "fd", INT_T(4, true), 0, 0, 0 },
	{ "events", INT_T(2, true), 4, 0, 0 },
	{ "revents", INT_T(2, true), 6, 0, 0 },
};
static const struct dt_member rlimit_m[] = {
	{ "rlim_cur", INT_T(8, false), 0, 0, 0 },
	{ "rlim_max", INT_T(8, false), 8, 0, 0 },
};
/* packed on x86-64 */
static const struct dt_member epoll_event_m[] = {
	{ "events", INT_T(4, false), 0, 0, 0 },
	{ "data", INT_T(8, false), 4, 0, 0 },
};
static const struct dt_member psinfo_m[] = {
	{ "pr_pid", INT_T(4, true), 0, X_PR_PID, 0 },
	{ "pr_ppid", INT_T(4, true), 0, X_PR_PPID, 0 },
	{ "pr_uid", INT_T(4, false), 0, X_PR_UID, 0 },
	{ "pr_gid", INT_T(4, false), 0, X_PR_GID, 0 },
	{ "pr_fname", STR_T, 0, X_PR_FNAME, 0 },
	{ "pr_psargs", STR_T, 0, X_PR_PSARGS, 0 },
};
static const struct dt_member lwpsinfo_m[] = {
	{ "pr_lwpid", INT_T(4, true), 0, X_PR_LWPID, 0 },
};
static const struct dt_member bufinfo_m[] = {
	{ "b_flags", INT_T(4, true), 0, X_B_FLAGS, 0 },
	{ "b_bcount", INT_T(8, false), 0, X_B_BCOUNT, 0 },
	{ "b_blkno", INT_T(8, true), 0, X_B_BLKNO, 0 },
};
static const struct dt_member devinfo_m[] = {
	{ "dev_major", INT_T(4, true), 0, X_DEV_MAJOR, 0 },
	{ "dev_minor", INT_T(4, true), 0, X_DEV_MINOR, 0 },
	{ "dev_statname", STR_T, 0, X_DEV_STATNAME, 0 },
	{ "dev_pathname", STR_T, 0, X_UNKNOWN, 0 },
};
/* a block request does not know the file it is for: DTrace on Linux says the same */
static const struct dt_member fileinfo_m[] = {
	{ "fi_name", STR_T, 0, X_UNKNOWN, 0 },
	{ "fi_dirname", STR_T, 0, X_UNKNOWN, 0 },
	{ "fi_pathname", STR_T, 0, X_UNKNOWN, 0 },
	{ "fi_offset", INT_T(8, true), 0, X_ZERO, 0 },
	{ "fi_fs", STR_T, 0, X_UNKNOWN, 0 },
	{ "fi_mount", STR_T, 0, X_UNKNOWN, 0 },
	{ "fi_oflags", INT_T(4, true), 0, X_ZERO, 0 },
};

#define SOU(t, s, size, tr, m)                                                                     \
	{                                                                                          \
		t, s, size, tr, m, (int)ARRAY_SIZE(m)                                              \
	}
static const struct dt_sou sous[] = {
	SOU(NULL, "timespec", 16, false, timespec_m),
	SOU(NULL, "timeval", 16, false, timeval_m),
	SOU(NULL, "sockaddr_in", 16, false, sockaddr_in_m),
	SOU(NULL, "sockaddr", 16, false, sockaddr_m),
	SOU(NULL, "pollfd", 8, false, pollfd_m),
	SOU(NULL, "rlimit", 16, false, rlimit_m),
	SOU(NULL, "epoll_event", 12, false, epoll_event_m),
	SOU("psinfo_t", "psinfo", 0, true, psinfo_m),
	SOU("lwpsinfo_t", "lwpsinfo", 0, true, lwpsinfo_m),
	SOU("bufinfo_t", "bufinfo", 0, true, bufinfo_m),
	SOU("devinfo_t", "devinfo", 0, true, devinfo_m),
	SOU("fileinfo_t", "fileinfo", 0, true, fileinfo_m),
};

#define NSTATIC ((int)ARRAY_SIZE(sous))

const struct dt_sou *dt_sou_get(const struct dt_program *p, int sou)
{
	if (sou >= 1 && sou <= NSTATIC)
		return &sous[sou - 1];
	if (p && sou > NSTATIC && sou - NSTATIC <= p->nsous)
		return &p->sous[sou - NSTATIC - 1];
	return NULL;
}

int dt_sou_find(const struct dt_program *p, const char *name, bool tag)
{
	for (int i = 1; i <= NSTATIC + (p ? p->nsous : 0); i++) {
		const struct dt_sou *s = dt_sou_get(p, i);

		if (tag ? streq(s->sname, name) : (s->tname && streq(s->tname, name)))
			return i;
	}
	return 0;
}

int dt_sou_add(struct dt_program *p, const struct dt_sou *sou)
{
	if (NSTATIC + p->nsous >= UINT8_MAX)
		return -E2BIG;
	p->sous = bs_realloc(p->sous, sizeof(*p->sous) * (size_t)(p->nsous + 1));
	p->sous[p->nsous++] = *sou;
	return NSTATIC + p->nsous;
}

const struct dt_member *dt_sou_member(const struct dt_program *p, int sou, const char *name)
{
	const struct dt_sou *s = dt_sou_get(p, sou);

	for (int i = 0; s && i < s->nmembers; i++)
		if (streq(s->members[i].name, name))
			return &s->members[i];
	return NULL;
}

struct dt_type dt_sou_ptr(int sou)
{
	struct dt_type t = DT_ULONG;

	t.ptr = true;
	t.pkind = DT_T_SOU;
	t.sou = (uint8_t)sou;
	return t;
}

/* A type of a tracepoint format ("const char *", "int", "size_t") as a D type. */
static struct dt_type format_type(const char *s)
{
	struct dt_type t = DT_LONG;
	char buf[64];
	size_t n;

	if (strncmp(s, "const ", 6) == 0)
		s += 6;
	if (strchr(s, '*')) {
		t = DT_ULONG;
		t.ptr = true;
		t.pkind = DT_T_VOID;
		if (strncmp(s, "struct ", 7) == 0 && strchr(s, '*') == strrchr(s, '*')) {
			/* struct __kernel_timespec * is a struct timespec * (same layout) */
			const char *tag = s + 7;
			char name[64];
			size_t len;
			int sou;

			if (strncmp(tag, "__kernel_old_", 13) == 0)
				tag += 13;
			else if (strncmp(tag, "__kernel_", 9) == 0)
				tag += 9;
			len = strcspn(tag, " *");
			if (len < sizeof(name)) {
				memcpy(name, tag, len);
				name[len] = 0;
				sou = dt_sou_find(NULL, name, true);
				if (sou && !dt_sou_get(NULL, sou)->translated)
					return dt_sou_ptr(sou);
			}
		} else if (strchr(s, '*') != strrchr(s, '*')) {
			/* a pointer to pointers (execve's argv): *p is an address */
			t.pkind = DT_T_INT;
			t.psize = 8;
		} else if (strncmp(s, "char *", 6) == 0 || strncmp(s, "char __user *", 13) == 0) {
			t.pkind = DT_T_INT;
			t.psize = 1;
			t.psign = true;
		}
		return t;
	}
	n = strlen(s);
	if (n >= sizeof(buf))
		return t;
	memcpy(buf, s, n + 1);
	if (streq(buf, "umode_t"))
		return INT_T(2, false);
	if (streq(buf, "loff_t") || streq(buf, "key_serial_t") || !dt_type_name(buf, &t) ||
	    t.kind != DT_T_INT)
		return streq(buf, "key_serial_t") ? DT_INT : DT_LONG;
	return t;
}

/* The types of a system call's arguments, from events/syscalls/sys_enter_NAME/format. */
static int syscall_types(const char *name, struct dt_type *types, int max)
{
	char path[256], line[512];
	FILE *f;
	int n = 0;

	dt_tracefs_mount();
	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/sys_enter_%s/format",
		 name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < max) {
		char *field = strstr(line, "field:"), *semi, *sp;

		if (!field)
			continue;
		field += 6;
		semi = strchr(field, ';');
		if (!semi)
			continue;
		*semi = 0;
		if (strstr(field, "common_") || strstr(field, "__syscall_nr"))
			continue;
		/* "TYPE NAME": the type is everything before the last word */
		sp = strrchr(field, ' ');
		if (!sp)
			continue;
		*sp = 0;
		types[n++] = format_type(field);
	}
	fclose(f);
	return n;
}

static const struct {
	const char *prov, *name;
	struct {
		int raw;
		const char *sou; /* a pointer to this translated structure, else an int */
	} args[3];
	int nargs;
} tpargs[] = {
	{ "proc", "create", { { 1, "psinfo_t" } }, 1 },
	{ "proc", "exit", { { DT_ARG_EXIT_REASON, NULL } }, 1 },
	{ "proc", "signal-send", { { 2, "lwpsinfo_t" }, { 2, "psinfo_t" }, { 0, NULL } }, 3 },
	{ "sched", "off-cpu", { { 2, "lwpsinfo_t" }, { 2, "psinfo_t" } }, 2 },
	{ "sched", "enqueue", { { 0, "lwpsinfo_t" }, { 0, "psinfo_t" } }, 2 },
	{ "sched", "wakeup", { { 0, "lwpsinfo_t" }, { 0, "psinfo_t" } }, 2 },
	{ "io", "start", { { 0, "bufinfo_t" }, { 0, "devinfo_t" }, { 0, "fileinfo_t" } }, 3 },
	{ "io", "done", { { 0, "bufinfo_t" }, { 0, "devinfo_t" }, { 0, "fileinfo_t" } }, 3 },
};

int dt_probe_arg_type(const struct dt_probe *pr, int i, struct dt_type *ret, int *ret_raw)
{
	*ret_raw = i;
	*ret = DT_LONG;
	switch (pr->type) {
	case P_SYSCALL_ENTRY: {
		/* each format read once: a clause on every system call asks for all of them */
		static struct {
			bool read;
			int8_t n;
			struct dt_type t[6];
		} * formats;

		if (pr->nr < 0 || pr->nr >= dt_syscall_count)
			return 0;
		if (!formats)
			formats = bs_zalloc(sizeof(*formats) * (size_t)dt_syscall_count);
		if (!formats[pr->nr].read) {
			formats[pr->nr].n =
				(int8_t)MAX(-1, syscall_types(pr->func, formats[pr->nr].t, 6));
			formats[pr->nr].read = true;
		}
		if (formats[pr->nr].n >= 0 && i >= formats[pr->nr].n)
			return -ERANGE;
		if (formats[pr->nr].n > 0)
			*ret = formats[pr->nr].t[i];
		return 0;
	}
	case P_TP_RAW:
		for (size_t k = 0; k < ARRAY_SIZE(tpargs); k++) {
			if (!streq(tpargs[k].prov, pr->prov) || !streq(tpargs[k].name, pr->name))
				continue;
			if (i >= tpargs[k].nargs)
				return -ERANGE;
			*ret_raw = tpargs[k].args[i].raw;
			*ret = tpargs[k].args[i].sou ?
				       dt_sou_ptr(dt_sou_find(NULL, tpargs[k].args[i].sou, false)) :
				       DT_INT;
			return 0;
		}
		return -ERANGE;
	default:
		return 0;
	}
}
