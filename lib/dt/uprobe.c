// SPDX-License-Identifier: MIT
/*
 * uprobe.c - the pid provider: probes on the functions of a process's binaries and libraries,
 * made when a description names them (pid<PID>:module:function:entry|return|offset). The
 * modules are the ELF files /proc/PID/maps shows ("a.out" is the main executable); functions
 * are their symbol tables' (libelf); a function's address becomes a file offset through the
 * program headers, and the probe a uprobe (the uprobe PMU of perf_event_open) filtered on the
 * process.
 */
#include "dt_impl.h"

#include <ctype.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

/* The file offset of virtual address addr in an ELF file, through its PT_LOAD headers. */
int dt_elf_offset(Elf *e, uint64_t addr, uint64_t *ret)
{
	size_t n;

	if (elf_getphdrnum(e, &n) != 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_memsz) {
			*ret = addr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* The defined functions of an ELF file matching a glob, from .symtab (else .dynsym). */
int dt_elf_functions(const char *path, const char *glob, struct dt_ufunc **ret, int *n,
		     Elf **ret_elf, int *ret_fd)
{
	Elf_Scn *scn = NULL;
	Elf *e;
	int fd, found_symtab = 0;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		close(fd);
		return -EINVAL;
	}
	for (int pass = 0; pass < 2 && !found_symtab; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			Elf_Data *data;

			if (!gelf_getshdr(scn, &sh))
				continue;
			if (sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				continue;
			data = elf_getdata(scn, NULL);
			if (!data || sh.sh_entsize == 0)
				continue;
			found_symtab = 1;
			for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
				GElf_Sym sym;
				const char *name;

				if (!gelf_getsym(data, (int)i, &sym) ||
				    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_value == 0 ||
				    sym.st_shndx == SHN_UNDEF)
					continue;
				name = elf_strptr(e, sh.sh_link, sym.st_name);
				if (!name || !*name || strlen(name) >= 64 ||
				    !dt_glob_match(glob, name))
					continue;
				/* one entry per name (aliases of one address are one function) */
				bool dup = false;

				for (int k = 0; k < *n && !dup; k++)
					dup = streq((*ret)[k].name, name);
				if (dup)
					continue;
				*ret = bs_realloc(*ret, sizeof(**ret) * (size_t)(*n + 1));
				snprintf((*ret)[*n].name, sizeof((*ret)[*n].name), "%s", name);
				(*ret)[*n].addr = sym.st_value;
				(*ret)[*n].size = sym.st_size;
				(*n)++;
			}
		}
	}
	*ret_elf = e;
	*ret_fd = fd;
	return 0;
}

/* The ELF files mapped executable by a process: path and module name, main executable first. */
int dt_proc_modules(int pid, char (*paths)[256], char (*mods)[64], int max)
{
	char file[64], exe[256], line[512];
	FILE *f;
	int n = 0;
	ssize_t len;

	snprintf(file, sizeof(file), "/proc/%d/exe", pid);
	len = readlink(file, exe, sizeof(exe) - 1);
	if (len < 0)
		return bs_error(ESRCH, "process %d does not exist", pid);
	exe[len] = 0;
	if (snprintf(paths[n], 256, "/proc/%d/root%s", pid, exe) >= 256)
		return bs_error(ENAMETOOLONG, "the executable of process %d has too long a path",
				pid);
	snprintf(mods[n++], 64, "a.out");
	snprintf(file, sizeof(file), "/proc/%d/maps", pid);
	f = fopen(file, "re");
	if (!f)
		return bs_error(ESRCH, "cannot read the maps of process %d", pid);
	while (fgets(line, sizeof(line), f) && n < max) {
		char perms[8], path[400] = "";
		bool seen = false;

		if (sscanf(line, "%*s %7s %*s %*s %*s %399s", perms, path) < 2 || path[0] != '/' ||
		    perms[2] != 'x')
			continue;
		for (int i = 0; i < n && !seen; i++)
			seen = bs_endswith(paths[i], path);
		if (seen)
			continue;
		const char *base = strrchr(path, '/') + 1;

		if (snprintf(paths[n], 256, "/proc/%d/root%s", pid, path) >= 256)
			continue;
		snprintf(mods[n++], 64, "%s", streq(path, exe) ? "a.out" : base);
	}
	fclose(f);
	return n;
}

int dt_uprobe_match(const struct dt_pdesc *d, int pid, struct dt_probe *(*add)(void),
		    uint32_t **ret, int *nret)
{
	char paths[64][256], mods[64][64];
	int nm = dt_proc_modules(pid, paths, mods, 64);
	bool ret_name = streq(d->name, "return"), entry = streq(d->name, "entry") || !*d->name;
	uint64_t off_in_func = 0;

	if (nm < 0)
		return nm;
	if (!entry && !ret_name) {
		char *end;

		errno = 0;
		off_in_func = strtoull(d->name, &end, 16);
		if (errno || *end)
			return bs_error(EINVAL,
					"pid probe names are entry, return or an offset in "
					"hexadecimal, not \"%s\"",
					d->name);
	}
	for (int m = 0; m < nm; m++) {
		_cleanup_free_ struct dt_ufunc *fn = NULL;
		int nfn = 0, fd = -1;
		Elf *e = NULL;

		if (!dt_glob_match(d->mod, mods[m]))
			continue;
		if (dt_elf_functions(paths[m], d->func, &fn, &nfn, &e, &fd) < 0)
			continue;
		for (int i = 0; i < nfn && *nret < 1000; i++) {
			uint64_t off;
			struct dt_probe *pr;

			if (!entry && !ret_name && off_in_func >= fn[i].size)
				continue;
			if (dt_elf_offset(e, fn[i].addr + off_in_func, &off) < 0)
				continue;
			for (int both = 0; both < (!*d->name ? 2 : 1); both++) {
				pr = add();
				pr->type = P_UPROBE;
				snprintf(pr->prov, sizeof(pr->prov), "pid%d", pid);
				bs_strlcpy(pr->mod, mods[m], sizeof(pr->mod));
				bs_strlcpy(pr->func, fn[i].name, sizeof(pr->func));
				if (entry || ret_name)
					snprintf(pr->name, sizeof(pr->name), "%s",
						 ret_name || both ? "return" : "entry");
				else
					snprintf(pr->name, sizeof(pr->name), "%" PRIx64,
						 off_in_func);
				bs_strlcpy(pr->path, paths[m], sizeof(pr->path));
				pr->uoff = off;
				pr->uret = ret_name || both;
				pr->upid = pid;
				*ret = bs_realloc(*ret, sizeof(**ret) * (size_t)(*nret + 1));
				(*ret)[(*nret)++] = pr->id;
			}
		}
		elf_end(e);
		close(fd);
	}
	return 0;
}
