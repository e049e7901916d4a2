// SPDX-License-Identifier: MIT
/*
 * stack.c - stack() and ustack() as DTrace prints them, one frame a line, module`function+0x..:
 * kernel addresses are named from /proc/kallsyms (read once, sorted), user addresses from the
 * process's mappings (/proc/PID/maps) and the symbol tables of its ELF files. An address that
 * cannot be named is printed in hexadecimal.
 */
#include "dt_impl.h"

#include <gelf.h>
#include <libelf.h>

struct ksym {
	uint64_t addr;
	char *name; /* "module`function" */
};

static struct ksym *ksyms;
static size_t nksyms;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static void kallsyms_load(void)
{
	FILE *f;
	char line[512];
	size_t cap = 1;

	if (ksyms)
		return;
	ksyms = bs_zalloc(sizeof(*ksyms));
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256], mod[128] = "vmlinux";

		if (sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod) < 3 ||
		    addr == 0 || (type != 't' && type != 'T' && type != 'W' && type != 'w'))
			continue;
		if (nksyms == cap) {
			cap *= 2;
			ksyms = bs_realloc(ksyms, sizeof(*ksyms) * cap);
		}
		ksyms[nksyms].addr = addr;
		ksyms[nksyms++].name = bs_asprintf("%s`%s", mod, name);
	}
	fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), ksym_cmp);
}

static void kernel_frame(FILE *out, uint64_t pc)
{
	size_t lo = 0, hi;

	kallsyms_load();
	hi = nksyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		fprintf(out, "%14s0x%llx\n", "", (unsigned long long)pc);
		return;
	}
	fprintf(out, "%14s%s+0x%llx\n", "", ksyms[lo - 1].name,
		(unsigned long long)(pc - ksyms[lo - 1].addr));
}

static void user_frame(FILE *out, int pid, uint64_t pc)
{
	char file[64], line[512], path[400];
	unsigned long long start, end, off;
	bool named = false;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/maps", pid);
	f = fopen(file, "re");
	while (f && !named && fgets(line, sizeof(line), f)) {
		_cleanup_free_ struct dt_ufunc *fn = NULL;
		_cleanup_free_ char *full = NULL;
		int nfn = 0, fd = -1;
		Elf *e = NULL;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %399s", &start, &end, &off, path) <
			    4 ||
		    pc < start || pc >= end || path[0] != '/')
			continue;
		uint64_t foff = pc - start + off;
		const char *base = strrchr(path, '/') + 1;

		full = bs_asprintf("/proc/%d/root%s", pid, path);
		if (dt_elf_functions(full, "*", &fn, &nfn, &e, &fd) < 0) {
			fprintf(out, "%14s%s`0x%llx\n", "", base, (unsigned long long)foff);
			named = true;
			break;
		}
		for (int i = 0; i < nfn && !named; i++) {
			uint64_t fo;

			if (dt_elf_offset(e, fn[i].addr, &fo) < 0)
				continue;
			if (foff >= fo && foff < fo + MAX(fn[i].size, 1)) {
				fprintf(out, "%14s%s`%s+0x%llx\n", "", base, fn[i].name,
					(unsigned long long)(foff - fo));
				named = true;
			}
		}
		if (!named) {
			fprintf(out, "%14s%s`0x%llx\n", "", base, (unsigned long long)foff);
			named = true;
		}
		elf_end(e);
		close(fd);
	}
	if (f)
		fclose(f);
	if (!named)
		fprintf(out, "%14s0x%llx\n", "", (unsigned long long)pc);
}

void dt_stack_print(FILE *out, const uint8_t *d, bool user)
{
	int64_t len, pid;

	memcpy(&len, d, 8);
	memcpy(&pid, d + 8, 8);
	fprintf(out, "\n");
	for (int64_t i = 0; len > 0 && i < len / 8 && i < DT_STACK_FRAMES; i++) {
		uint64_t pc;

		memcpy(&pc, d + 16 + 8 * i, 8);
		if (user)
			user_frame(out, (int)pid, pc);
		else
			kernel_frame(out, pc);
	}
}
