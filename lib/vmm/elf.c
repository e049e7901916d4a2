// SPDX-License-Identifier: MIT
/*
 * elf.c - ELF64 x86-64 executables: the parser that validates a kernel or test guest image
 * (headers, program headers and notes within the file, segments that make sense) and finds
 * the PVH entry a Linux vmlinux declares in its XEN_ELFNOTE_PHYS32_ENTRY note, and the loader
 * that copies the PT_LOAD segments to their physical addresses in guest RAM. The loader leaves
 * a segment's bss (memory size beyond file size) alone: guest RAM is a fresh anonymous mapping
 * for every (re)start, already zero, and clearing it again would make the host fault in and
 * clear pages only for the VMM to write zeros over them.
 */
#include <elf.h>

#include "vmm_impl.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static int elf_ehdr(const uint8_t *img, size_t len, const Elf64_Ehdr **ret)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return bs_error(ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return bs_error(ENOEXEC, "not an x86-64 ELF executable");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phoff > len ||
	    (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return bs_error(ENOEXEC, "ELF program headers lie outside the file");
	*ret = eh;
	return 0;
}

static const Elf64_Phdr *elf_phdr(const uint8_t *img, const Elf64_Ehdr *eh, unsigned int i)
{
	return (const Elf64_Phdr *)(img + eh->e_phoff) + i;
}

/* Walk the notes of one PT_NOTE segment for the PVH entry point. */
static int elf_notes(const uint8_t *p, uint64_t n, uint64_t *pvh)
{
	while (n >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t namesz, descsz;

		memcpy(&nh, p, sizeof(nh));
		namesz = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		descsz = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		if (namesz + descsz > n - sizeof(nh))
			return bs_error(ENOEXEC, "an ELF note runs past its segment");
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == 4 &&
		    memcmp(p + sizeof(nh), "Xen", 4) == 0 &&
		    (nh.n_descsz == 4 || nh.n_descsz == 8)) {
			uint64_t v = 0;

			memcpy(&v, p + sizeof(nh) + namesz, nh.n_descsz);
			*pvh = v;
		}
		p += sizeof(nh) + namesz + descsz;
		n -= sizeof(nh) + namesz + descsz;
	}
	return 0;
}

int vmm_elf_parse(const uint8_t *img, size_t len, struct vmm_elf_info *ret_info)
{
	struct vmm_elf_info info = { .lowest = UINT64_MAX };
	const Elf64_Ehdr *eh = NULL;
	bool loads = false;
	int r;

	r = elf_ehdr(img, len, &eh);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(img, eh, i);

		if (ph->p_type != PT_LOAD && ph->p_type != PT_NOTE)
			continue;
		if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
			return bs_error(ENOEXEC, "an ELF segment lies outside the file");
		if (ph->p_type == PT_NOTE) {
			r = elf_notes(img + ph->p_offset, ph->p_filesz, &info.pvh_entry);
			if (r < 0)
				return r;
			continue;
		}
		if (ph->p_filesz > ph->p_memsz || ph->p_paddr + ph->p_memsz < ph->p_paddr)
			return bs_error(ENOEXEC, "an ELF segment has impossible sizes");
		info.lowest = MIN(info.lowest, ph->p_paddr);
		info.highest = MAX(info.highest, ph->p_paddr + ph->p_memsz);
		loads = true;
	}
	if (!loads)
		return bs_error(ENOEXEC, "the ELF file has nothing to load");
	info.entry = eh->e_entry;
	*ret_info = info;
	return 0;
}

int vmm_elf_load(struct vmm_vm *vm, const uint8_t *img, size_t len)
{
	const Elf64_Ehdr *eh = NULL;
	struct vmm_elf_info info;
	int r;

	r = vmm_elf_parse(img, len, &info);
	if (r < 0)
		return r;
	eh = (const Elf64_Ehdr *)img;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(img, eh, i);
		uint8_t *dst;

		if (ph->p_type != PT_LOAD)
			continue;
		dst = vmm_gpa(vm, ph->p_paddr, ph->p_memsz);
		if (!dst)
			return bs_error(ENOMEM,
					"the kernel's segment at 0x%" PRIx64
					" does not fit in guest memory",
					(uint64_t)ph->p_paddr);
		memcpy(dst, img + ph->p_offset, ph->p_filesz);
	}
	return 0;
}
