// SPDX-License-Identifier: MIT
/*
 * usdt.c - the usdt provider: static probes that programs declare with sys/sdt.h, found in the
 * .note.stapsdt notes of the ELF files a process maps, named as DTrace names them
 * (provider<PID>:module:function:name, "__" in a name read as "-"). Each becomes a uprobe at
 * the probe's address, with its semaphore (when it has one) counted by the kernel, and its
 * arguments located as the note's argument string says ("-4@%edi 8@-16(%rbp) 4@$3").
 */
#include "dt_impl.h"

#include <ctype.h>
#include <gelf.h>
#include <libelf.h>

static const struct {
	const char *names[4]; /* 64, 32, 16 and 8-bit names */
	int16_t off;	      /* in struct pt_regs */
} regs[] = {
	{ { "rax", "eax", "ax", "al" }, 80 },	   { { "rbx", "ebx", "bx", "bl" }, 40 },
	{ { "rcx", "ecx", "cx", "cl" }, 88 },	   { { "rdx", "edx", "dx", "dl" }, 96 },
	{ { "rsi", "esi", "si", "sil" }, 104 },	   { { "rdi", "edi", "di", "dil" }, 112 },
	{ { "rbp", "ebp", "bp", "bpl" }, 32 },	   { { "rsp", "esp", "sp", "spl" }, 152 },
	{ { "r8", "r8d", "r8w", "r8b" }, 72 },	   { { "r9", "r9d", "r9w", "r9b" }, 64 },
	{ { "r10", "r10d", "r10w", "r10b" }, 56 }, { { "r11", "r11d", "r11w", "r11b" }, 48 },
	{ { "r12", "r12d", "r12w", "r12b" }, 24 }, { { "r13", "r13d", "r13w", "r13b" }, 16 },
	{ { "r14", "r14d", "r14w", "r14b" }, 8 },  { { "r15", "r15d", "r15w", "r15b" }, 0 },
	{ { "rip", "eip", "ip", "" }, 128 },
};

static int reg_off(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		for (int w = 0; w < 4; w++)
			if (strlen(regs[i].names[w]) == len &&
			    strncmp(regs[i].names[w], name, len) == 0)
				return regs[i].off;
	return -1;
}

/* Parse one argument: SIZE@OPERAND, the operand %reg, DISP(%reg) or $CONST. */
static int arg_parse(const char *s, size_t len, struct dt_usdt_arg *a)
{
	char buf[64], *at, *p;
	long size;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	at = strchr(buf, '@');
	if (!at)
		return -EINVAL;
	*at = 0;
	size = strtol(buf, NULL, 10);
	if (size == 0 || size < -8 || size > 8)
		return -EINVAL;
	a->size = (int8_t)size;
	p = at + 1;
	if (*p == '$') {
		a->kind = 3;
		a->disp = strtoll(p + 1, NULL, 0);
		return 0;
	}
	if (*p == '%') {
		a->kind = 1;
		a->reg = (int16_t)reg_off(p + 1, strlen(p + 1));
		return a->reg < 0 ? -EINVAL : 0;
	}
	a->kind = 2;
	a->disp = strtoll(p, &p, 0);
	if (p[0] != '(' || p[1] != '%')
		return -EINVAL;
	char *close = strchr(p, ')');

	if (!close || strchr(p, ','))
		return -EINVAL; /* indexed addressing is not supported */
	a->reg = (int16_t)reg_off(p + 2, (size_t)(close - p - 2));
	return a->reg < 0 ? -EINVAL : 0;
}

/* The name of the function holding address pc, or "" */
static void func_at(const struct dt_ufunc *fn, int nfn, uint64_t pc, char *out, size_t size)
{
	out[0] = 0;
	for (int i = 0; i < nfn; i++)
		if (pc >= fn[i].addr && pc < fn[i].addr + MAX(fn[i].size, 1)) {
			snprintf(out, size, "%s", fn[i].name);
			return;
		}
}

static void module_probes(const struct dt_pdesc *d, int pid, const char *provider, const char *path,
			  const char *mod, struct dt_probe *(*add)(void), uint32_t **ret, int *nret)
{
	_cleanup_free_ struct dt_ufunc *fn = NULL;
	int nfn = 0, fd = -1;
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	uint64_t base_addr = 0, probes_addr = 0, probes_off = 0;
	bool have_base = false;
	size_t shstrndx;

	if (dt_elf_functions(path, "*", &fn, &nfn, &e, &fd) < 0)
		return;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		goto out;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && streq(name, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
			have_base = true;
		} else if (name && streq(name, ".probes")) {
			probes_addr = sh.sh_addr;
			probes_off = sh.sh_offset;
		}
	}
	scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *data;
		size_t off = 0, noff, doff;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
			const char *desc = (const char *)data->d_buf + doff;
			const char *nname = (const char *)data->d_buf + noff;
			uint64_t pc, base, sem, foff;
			const char *prov, *pname, *args, *end = desc + nh.n_descsz;
			char dname[64], func[64];
			struct dt_probe *pr;

			if (nh.n_type != 3 || nh.n_namesz != 8 ||
			    memcmp(nname, "stapsdt", 8) != 0 || nh.n_descsz < 27)
				continue;
			memcpy(&pc, desc, 8);
			memcpy(&base, desc + 8, 8);
			memcpy(&sem, desc + 16, 8);
			prov = desc + 24;
			pname = memchr(prov, 0, (size_t)(end - prov));
			if (!pname++ || pname >= end)
				continue;
			args = memchr(pname, 0, (size_t)(end - pname));
			if (!args++ || args > end || !memchr(args, 0, (size_t)(end - args)))
				args = "";
			if (have_base)
				pc += base_addr - base;
			/* DTrace names: "__" in a probe name is "-" */
			size_t k = 0;

			for (const char *q = pname; *q && k < sizeof(dname) - 1; q++) {
				if (q[0] == '_' && q[1] == '_') {
					dname[k++] = '-';
					q++;
				} else {
					dname[k++] = *q;
				}
			}
			dname[k] = 0;
			func_at(fn, nfn, pc, func, sizeof(func));
			if (!dt_glob_match(provider, prov) || !dt_glob_match(d->mod, mod) ||
			    !dt_glob_match(d->func, func) || !dt_glob_match(d->name, dname))
				continue;
			if (dt_elf_offset(e, pc, &foff) < 0 || *nret >= 1000)
				continue;
			pr = add();
			pr->type = P_UPROBE;
			pr->usdt = true;
			snprintf(pr->prov, sizeof(pr->prov), "%.20s%d", prov, pid);
			bs_strlcpy(pr->mod, mod, sizeof(pr->mod));
			bs_strlcpy(pr->func, func, sizeof(pr->func));
			bs_strlcpy(pr->name, dname, sizeof(pr->name));
			bs_strlcpy(pr->path, path, sizeof(pr->path));
			pr->uoff = foff;
			pr->upid = pid;
			pr->uref = sem && probes_addr ? sem - probes_addr + probes_off : 0;
			for (int i = 0; i < DT_MAX_ARGS && *args; i++) {
				size_t len;

				while (*args == ' ')
					args++;
				len = strcspn(args, " ");
				if (len && arg_parse(args, len, &pr->uargs[i]) < 0)
					memset(&pr->uargs[i], 0, sizeof(pr->uargs[i]));
				args += len;
			}
			*ret = bs_realloc(*ret, sizeof(**ret) * (size_t)(*nret + 1));
			(*ret)[(*nret)++] = pr->id;
		}
	}
out:
	elf_end(e);
	close(fd);
}

int dt_usdt_match(const struct dt_pdesc *d, int pid, const char *provider,
		  struct dt_probe *(*add)(void), uint32_t **ret, int *nret)
{
	char paths[64][256], mods[64][64];
	int nm = dt_proc_modules(pid, paths, mods, 64);

	if (nm < 0)
		return nm;
	for (int m = 0; m < nm; m++)
		if (dt_glob_match(d->mod, mods[m]))
			module_probes(d, pid, provider, paths[m], mods[m], add, ret, nret);
	return 0;
}
