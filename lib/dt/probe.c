// SPDX-License-Identifier: MIT
/*
 * probe.c - the probe table: every probe this host offers, with DTrace's ids and names, and the
 * matching of probe descriptions (provider:module:function:name, globs, omitted fields)
 * against it. dtrace BEGIN/END/ERROR come first, then one entry and one return probe per
 * system call, then the probes that ride kernel tracepoints (proc, sched, io); profile-N and
 * tick-N probes are created when a description names them, as DTrace's profile provider does.
 */
#include "dt_impl.h"

#include <ctype.h>
#include <fnmatch.h>

static const struct dt_tpdef tpdefs[] = {
	{ "proc", "exec-success", "sched_process_exec", "" },
	{ "proc", "exit", "sched_process_exit", "" },
	{ "proc", "create", "sched_process_fork", "" },
	{ "proc", "signal-send", "signal_generate", "" },
	{ "sched", "on-cpu", "sched_switch", "" },
	{ "sched", "off-cpu", "sched_switch", "" },
	{ "sched", "enqueue", "sched_wakeup_new", "" },
	{ "sched", "wakeup", "sched_wakeup", "" },
	{ "io", "start", "block_rq_issue", "" },
	{ "io", "done", "block_rq_complete", "" },
};

static struct dt_probe *probes;
static uint32_t nprobes, probes_cap;

static struct dt_probe *probe_new(enum dt_ptype type, const char *prov, const char *mod,
				  const char *func, const char *name)
{
	struct dt_probe *p;

	/* doubled, not grown by one: the table starts with a thousand system call probes */
	if (nprobes == probes_cap) {
		probes_cap = probes_cap ? 2 * probes_cap : 1024;
		probes = bs_realloc(probes, sizeof(*probes) * probes_cap);
	}
	p = &probes[nprobes];
	memset(p, 0, sizeof(*p));
	p->id = ++nprobes;
	p->type = type;
	p->nr = -1;
	snprintf(p->prov, sizeof(p->prov), "%s", prov);
	snprintf(p->mod, sizeof(p->mod), "%s", mod);
	snprintf(p->func, sizeof(p->func), "%s", func);
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

static void table_init(void)
{
	if (probes)
		return;
	probe_new(P_BEGIN, "dtrace", "", "", "BEGIN");
	probe_new(P_END, "dtrace", "", "", "END");
	probe_new(P_ERROR, "dtrace", "", "", "ERROR");
	for (int i = 0; i < dt_syscall_count; i++) {
		const char *n = dt_syscall_names[i] ? dt_syscall_names[i] : "";

		probe_new(P_SYSCALL_ENTRY, "syscall", "vmlinux", n, "entry")->nr = i;
		probe_new(P_SYSCALL_RETURN, "syscall", "vmlinux", n, "return")->nr = i;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tpdefs); i++)
		probe_new(P_TP_RAW, tpdefs[i].prov, "vmlinux", tpdefs[i].func, tpdefs[i].name)->tp =
			&tpdefs[i];
}

uint32_t dt_probe_syscall_base(void)
{
	return 4;
}

const struct dt_probe *dt_probe_get(uint32_t id)
{
	table_init();
	return id >= 1 && id <= nprobes ? &probes[id - 1] : NULL;
}

uint32_t dt_probe_count(void)
{
	table_init();
	return nprobes;
}

bool dt_glob_match(const char *pattern, const char *s)
{
	return !*pattern || fnmatch(pattern, s, 0) == 0;
}

int dt_pdesc_parse(const char *text, struct dt_pdesc *d)
{
	static char buf[4][256];
	const char *f[4] = { "", "", "", "" };
	int n = 1;
	const char *p;

	for (p = text; *p; p++)
		if (*p == ':')
			n++;
	if (n > 4 || strlen(text) >= 256)
		return -EINVAL;
	/* fields are omitted from the left: "read:entry" is ::read:entry */
	p = text;
	for (int i = 4 - n; i < 4; i++) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		memcpy(buf[i], p, len);
		buf[i][len] = 0;
		f[i] = buf[i];
		p = e ? e + 1 : p + len;
	}
	d->prov = f[0];
	d->mod = f[1];
	d->func = f[2];
	d->name = f[3];
	return 0;
}

/* A period from a profile/tick suffix: "997" (Hz), "10ms", "1s", "5hz". */
static int period_parse(const char *s, uint64_t *ret_ns)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
		bool hz;
	} units[] = { { "", 0, true },
		      { "hz", 0, true },
		      { "ns", 1, false },
		      { "nsec", 1, false },
		      { "us", 1000, false },
		      { "usec", 1000, false },
		      { "ms", 1000000, false },
		      { "msec", 1000000, false },
		      { "s", 1000000000, false },
		      { "sec", 1000000000, false },
		      { "m", 60000000000ull, false },
		      { "min", 60000000000ull, false },
		      { "h", 3600000000000ull, false },
		      { "hour", 3600000000000ull, false },
		      { "d", 86400000000000ull, false },
		      { "day", 86400000000000ull, false } };
	char *end;
	uint64_t v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (units[i].hz)
			*ret_ns = 1000000000ull / v;
		else if (v > UINT64_MAX / units[i].mult)
			return -ERANGE;
		else
			*ret_ns = v * units[i].mult;
		/* the kernel's timer does not go below 10 microseconds */
		return *ret_ns >= 10000 ? 0 : -ERANGE;
	}
	return -EINVAL;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* profile-N and tick-N are made when a description names one exactly. */
static void profile_create(const struct dt_pdesc *d)
{
	uint64_t ns;
	bool tick;

	if (has_glob(d->name) || !dt_glob_match(d->prov, "profile") || !*d->name)
		return;
	if (*d->mod || *d->func)
		return;
	if (bs_startswith(d->name, "profile-"))
		tick = false;
	else if (bs_startswith(d->name, "tick-"))
		tick = true;
	else
		return;
	if (period_parse(d->name + (tick ? 5 : 8), &ns) < 0)
		return;
	for (uint32_t i = 0; i < nprobes; i++)
		if (streq(probes[i].prov, "profile") && streq(probes[i].name, d->name))
			return;
	probe_new(tick ? P_TICK : P_PROFILE, "profile", "", "", d->name)->period = ns;
}

static struct dt_probe *uprobe_new(void)
{
	return probe_new(P_UPROBE, "", "", "", "");
}

/* The pid (or usdt) probes made before that match d, appended to *ret; returns their count. */
static int uprobes_found(const struct dt_pdesc *d, bool usdt, uint32_t **ret, int *n)
{
	int found = 0;

	for (uint32_t i = 0; i < nprobes; i++) {
		const struct dt_probe *p = &probes[i];

		if (p->type != P_UPROBE || p->usdt != usdt || !dt_glob_match(d->prov, p->prov) ||
		    !dt_glob_match(d->mod, p->mod) || !dt_glob_match(d->func, p->func) ||
		    !dt_glob_match(d->name, p->name))
			continue;
		*ret = bs_realloc(*ret, sizeof(**ret) * (size_t)(*n + 1));
		(*ret)[(*n)++] = p->id;
		found++;
	}
	return found;
}

int dt_probes_match(const struct dt_pdesc *d, uint32_t **ret, int *n)
{
	table_init();
	profile_create(d);
	if (bs_startswith(d->prov, "pid") && d->prov[3]) {
		uint64_t pid;

		if (bs_parse_u64(d->prov + 3, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return bs_error(EINVAL, "the pid provider needs a process id: pid<PID>");
		/* probes made for this process before are found again, not made twice */
		if (uprobes_found(d, false, ret, n) > 0)
			return 0;
		return dt_uprobe_match(d, (int)pid, uprobe_new, ret, n);
	}
	/* usdt: provider<PID>, the provider's name a glob */
	size_t len = strlen(d->prov), digits = 0;

	while (digits < len && isdigit((unsigned char)d->prov[len - 1 - digits]))
		digits++;
	if (digits > 0 && digits < len && !bs_startswith(d->prov, "pid") &&
	    !bs_startswith(d->prov, "profile")) {
		char provider[64];
		uint64_t pid;

		if (len - digits >= sizeof(provider) ||
		    bs_parse_u64(d->prov + len - digits, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return bs_error(EINVAL, "invalid usdt provider %s", d->prov);
		memcpy(provider, d->prov, len - digits);
		provider[len - digits] = 0;
		if (uprobes_found(d, true, ret, n) > 0)
			return 0;
		return dt_usdt_match(d, (int)pid, provider, uprobe_new, ret, n);
	}
	if (streq(d->prov, "fbt") || streq(d->prov, "fentry") || streq(d->prov, "kprobe"))
		return bs_error(ENOTSUP,
				"the %s provider needs kprobes or fentry programs, which "
				"this kernel does not offer",
				d->prov);
	for (uint32_t i = 0; i < nprobes; i++) {
		struct dt_probe *p = &probes[i];

		if (!dt_glob_match(d->prov, p->prov) || !dt_glob_match(d->mod, p->mod) ||
		    !dt_glob_match(d->func, p->func) || !dt_glob_match(d->name, p->name))
			continue;
		if (p->type == P_SYSCALL_ENTRY && !*p->func)
			continue; /* holes in the system call table */
		if (p->type == P_SYSCALL_RETURN && !*p->func)
			continue;
		*ret = bs_realloc(*ret, sizeof(**ret) * (size_t)(*n + 1));
		(*ret)[(*n)++] = p->id;
	}
	return 0;
}

int dt_probes_list(FILE *out, const char *desc, int field)
{
	struct dt_pdesc d = { "", "", "", "", NULL, 0 };
	int r;

	table_init();
	if (desc) {
		if (field >= 0) {
			/* -P, -m, -f name one field; -n a full description */
			const char *v = desc;

			d.prov = field == 0 ? v : "";
			d.mod = field == 1 ? v : "";
			d.func = field == 2 ? v : "";
		} else {
			r = dt_pdesc_parse(desc, &d);
			if (r < 0)
				return bs_error(EINVAL, "invalid probe description \"%s\"", desc);
		}
		profile_create(&d);
	}
	fprintf(out, "%5s %10s %17s %33s %s\n", "ID", "PROVIDER", "MODULE", "FUNCTION", "NAME");
	for (uint32_t i = 0; i < nprobes; i++) {
		struct dt_probe *p = &probes[i];

		if (!*p->func && (p->type == P_SYSCALL_ENTRY || p->type == P_SYSCALL_RETURN))
			continue;
		if (!dt_glob_match(d.prov, p->prov) || !dt_glob_match(d.mod, p->mod) ||
		    !dt_glob_match(d.func, p->func) || !dt_glob_match(d.name, p->name))
			continue;
		fprintf(out, "%5u %10s %17s %33s %s\n", p->id, p->prov, p->mod, p->func, p->name);
	}
	return 0;
}

int dt_program_list(const struct dt_program *p, FILE *out)
{
	fprintf(out, "%5s %10s %17s %33s %s\n", "ID", "PROVIDER", "MODULE", "FUNCTION", "NAME");
	for (int i = 0; i < p->nclauses; i++)
		for (int j = 0; j < p->clauses[i].nprobes; j++) {
			const struct dt_probe *pr = dt_probe_get(p->clauses[i].probes[j]);

			fprintf(out, "%5u %10s %17s %33s %s\n", pr->id, pr->prov, pr->mod, pr->func,
				pr->name);
		}
	return 0;
}
