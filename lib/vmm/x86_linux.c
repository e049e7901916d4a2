// SPDX-License-Identifier: MIT
/*
 * x86_linux.c - booting a stock Linux kernel, two ways. A bzImage through the 64-bit boot
 * protocol (Documentation/arch/x86/boot.rst): its setup header is checked and copied into a
 * zero page (boot_params) with the e820 map, the command line and the initrd; the
 * protected-mode kernel is loaded at 1 MiB and entered at its 64-bit entry (+0x200) in long
 * mode on identity page tables with rsi = the zero page. An ELF vmlinux through its PVH entry
 * (the XEN_ELFNOTE_PHYS32_ENTRY note): segments loaded at their physical addresses, an
 * hvm_start_info with the memory map, command line and initrd as a module, and the entry
 * reached in 32-bit protected mode with paging off and ebx = the start info.
 *
 * Guest RAM is fresh and zero when a guest is loaded (memory.c maps it anew for every start), so
 * nothing here clears what it fills only in part (zero page, start info, page tables).
 *
 * Guest physical layout: GDT 0x500, zero page / start info 0x7000, memory map 0x8000, page
 * tables 0x9000-0xefff, command line 0x20000, MP table 0x9fc00, kernel 1 MiB, initrd at the
 * top of low memory.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm_impl.h"

#define LINUX_GDT 0x500
#define LINUX_ZERO_PAGE 0x7000
#define LINUX_MEMMAP 0x8000
#define LINUX_PML4 0x9000
#define LINUX_PDPT 0xa000
#define LINUX_PD 0xb000 /* four pages: 4 GiB in 2 MiB pages */
#define LINUX_CMDLINE 0x20000
#define LINUX_CMDLINE_MAX 0x10000
#define LINUX_KERNEL 0x100000

#define SETUP_HDR 0x1f1
#define SETUP_MAGIC 0x53726448 /* "HdrS" */
#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define XLF_KERNEL_64 0x01

#define PVH_MAGIC 0x336ec578

/* boot_params offsets used here (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_HEAP_END_PTR 0x224
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

int vmm_bzimage_parse(const uint8_t *img, size_t len, struct vmm_bzimage *ret)
{
	struct vmm_bzimage b = { 0 };

	if (len < 0x270 || rd16(img + 0x1fe) != 0xaa55 || rd32(img + 0x202) != SETUP_MAGIC)
		return bs_error(ENOEXEC, "not a bzImage");
	b.version = rd16(img + 0x206);
	if (b.version < 0x20c)
		return bs_error(ENOEXEC, "bzImage boot protocol %u.%02u is too old (2.12 needed)",
				b.version >> 8, b.version & 0xff);
	b.setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	b.setup_size = (b.setup_sects + 1ULL) * 512;
	b.xlf_64 = rd16(img + 0x236) & XLF_KERNEL_64;
	if (!b.xlf_64 || !(img[0x211] & LOADED_HIGH))
		return bs_error(ENOEXEC, "the bzImage has no 64-bit entry");
	if (b.setup_size >= len)
		return bs_error(ENOEXEC, "the bzImage is truncated");
	b.payload_off = b.setup_size;
	b.payload_size = len - b.setup_size;
	b.relocatable = img[0x234];
	b.cmdline_max = rd32(img + 0x238);
	b.initrd_max = rd32(img + 0x22c);
	b.pref_address = rd32(img + 0x258) | (uint64_t)rd32(img + 0x25c) << 32;
	b.init_size = rd32(img + 0x260);
	if (0x202 + img[0x201] > 0x290 || 0x202 + (size_t)img[0x201] > len)
		return bs_error(ENOEXEC, "the bzImage's setup header is malformed");
	b.zkernel_off = b.payload_off + rd32(img + 0x248);
	b.zkernel_size = rd32(img + 0x24c);
	if (b.zkernel_off > len || b.zkernel_size > len - b.zkernel_off)
		return bs_error(ENOEXEC, "the bzImage's compressed kernel lies outside the file");
	*ret = b;
	return 0;
}

/* Where the initrd goes: page-aligned at the top of low memory, under the kernel's limit. */
static int linux_initrd(struct vmm_vm *vm, uint64_t max, uint64_t kernel_end, uint64_t *ret_addr,
			uint64_t *ret_size)
{
	uint64_t top = MIN(vm->low_size, max + 1), addr;
	size_t len = vm->initrd->len;

	*ret_addr = *ret_size = 0;
	if (!len)
		return 0;
	if (len > top || P2ALIGN(top - len, 0x1000) < kernel_end)
		return bs_error(ENOMEM, "initrd '%s' (%zu MiB) does not fit in guest memory",
				vm->cfg->initrd, len >> 20);
	addr = P2ALIGN(top - len, 0x1000);
	memcpy(vmm_gpa(vm, addr, len), vm->initrd->data, len);
	*ret_addr = addr;
	*ret_size = len;
	return 0;
}

/* The command line (cmdline.c), within max bytes and its terminator when max is not 0. */
static int linux_cmdline(struct vmm_vm *vm, uint32_t max)
{
	size_t size = LINUX_CMDLINE_MAX;
	int r;

	if (max && (size_t)max + 1 < size)
		size = (size_t)max + 1;
	r = vmm_linux_cmdline(vm->cfg->cmdline, vmm_gpa(vm, LINUX_CMDLINE, size), size);
	return r < 0 ? r : 0;
}

static void linux_page_tables(struct vmm_vm *vm)
{
	uint64_t *pml4 = vmm_gpa(vm, LINUX_PML4, 0x1000);
	uint64_t *pdpt = vmm_gpa(vm, LINUX_PDPT, 0x1000);
	uint64_t *pd = vmm_gpa(vm, LINUX_PD, 4 * 0x1000);
	uint64_t *gdt = vmm_gpa(vm, LINUX_GDT, 4 * 8);

	pml4[0] = LINUX_PDPT | 0x3;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (LINUX_PD + i * 0x1000) | 0x3;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
	/* null, null, __BOOT_CS 0x10 (64-bit code), __BOOT_DS 0x18 */
	gdt[0] = gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;
	gdt[3] = 0x00cf93000000ffffULL;
}

static int linux_load_bzimage(struct vmm_vm *vm, const uint8_t *img, size_t len)
{
	struct vmm_e820_entry e820[VMM_E820_MAX];
	struct vmm_bzimage b;
	uint64_t initrd, initrd_size, kernel_end;
	uint8_t *zp, *dst;
	unsigned int n;
	int r;

	r = vmm_bzimage_parse(img, len, &b);
	if (r < 0)
		return r;
	kernel_end = LINUX_KERNEL + MAX(b.payload_size, (uint64_t)b.init_size);
	dst = vmm_gpa(vm, LINUX_KERNEL, kernel_end - LINUX_KERNEL);
	if (!dst)
		return bs_error(ENOMEM, "the kernel needs %" PRIu64 " MiB of memory to unpack",
				(kernel_end >> 20) + 1);
	memcpy(dst, img + b.payload_off, b.payload_size);

	zp = vmm_gpa(vm, LINUX_ZERO_PAGE, 0x1000);
	memcpy(zp + SETUP_HDR, img + SETUP_HDR, 0x202 + img[0x201] - SETUP_HDR);
	zp[BP_TYPE_OF_LOADER] = 0xff;
	zp[BP_LOADFLAGS] |= CAN_USE_HEAP;
	zp[BP_HEAP_END_PTR] = 0x00;
	zp[BP_HEAP_END_PTR + 1] = 0xfe;

	r = linux_cmdline(vm, b.cmdline_max);
	if (r < 0)
		return r;
	wr32(zp + BP_CMD_LINE_PTR, LINUX_CMDLINE);
	wr32(zp + BP_EXT_CMD_LINE_PTR, 0);

	r = linux_initrd(vm, b.initrd_max ? b.initrd_max : 0x37ffffff, kernel_end, &initrd,
			 &initrd_size);
	if (r < 0)
		return r;
	wr32(zp + BP_RAMDISK_IMAGE, (uint32_t)initrd);
	wr32(zp + BP_RAMDISK_SIZE, (uint32_t)initrd_size);
	wr32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
	wr32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));

	n = vmm_e820_build(vm, e820, ARRAY_SIZE(e820));
	zp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + BP_E820_TABLE, e820, n * sizeof(e820[0]));

	linux_page_tables(vm);
	vm->linux_entry = LINUX_KERNEL + 0x200;
	vm->linux_pvh = false;
	return vmm_mptable_write(vm);
}

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct pvh_memmap {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static int linux_load_pvh(struct vmm_vm *vm, const uint8_t *img, size_t len,
			  const struct vmm_elf_info *info)
{
	struct vmm_e820_entry e820[VMM_E820_MAX];
	struct pvh_start_info *si = vmm_gpa(vm, LINUX_ZERO_PAGE, 0x1000);
	struct pvh_memmap *mm = vmm_gpa(vm, LINUX_MEMMAP, 0x1000);
	struct pvh_module *mod = (struct pvh_module *)(si + 1);
	uint64_t initrd, initrd_size;
	unsigned int n;
	int r;

	if (info->highest > vm->low_size)
		return bs_error(ENOMEM, "the kernel needs %" PRIu64 " MiB of memory",
				(info->highest >> 20) + 1);
	r = vmm_elf_load(vm, img, len);
	if (r < 0)
		return r;
	r = linux_cmdline(vm, 0);
	if (r < 0)
		return r;
	r = linux_initrd(vm, 0xffffffff, info->highest, &initrd, &initrd_size);
	if (r < 0)
		return r;

	si->magic = PVH_MAGIC;
	si->version = 1;
	si->cmdline_paddr = LINUX_CMDLINE;
	if (initrd_size) {
		si->nr_modules = 1;
		si->modlist_paddr = LINUX_ZERO_PAGE + sizeof(*si);
		*mod = (struct pvh_module){ initrd, initrd_size, 0, 0 };
	}
	n = vmm_e820_build(vm, e820, ARRAY_SIZE(e820));
	for (unsigned int i = 0; i < n; i++)
		mm[i] = (struct pvh_memmap){ e820[i].addr, e820[i].size, e820[i].type, 0 };
	si->memmap_paddr = LINUX_MEMMAP;
	si->memmap_entries = n;

	linux_page_tables(vm); /* only the GDT is used: PVH starts with paging off */
	vm->linux_entry = info->pvh_entry;
	vm->linux_pvh = true;
	return vmm_mptable_write(vm);
}

int vmm_linux_load(struct vmm_vm *vm, const uint8_t *img, size_t len)
{
	struct vmm_elf_info info;

	if (vm->low_size < VMM_MIN_MEMORY)
		return bs_error(ENOMEM, "a Linux guest needs at least %llu MiB of memory",
				VMM_MIN_MEMORY >> 20);
	if (len >= 4 && memcmp(img, "\177ELF", 4) == 0) {
		int r = vmm_elf_parse(img, len, &info);

		if (r < 0)
			return r;
		if (!info.pvh_entry)
			return bs_error(ENOEXEC, "the ELF kernel has no PVH entry note");
		return linux_load_pvh(vm, img, len, &info);
	}
	return linux_load_bzimage(vm, img, len);
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, bool l, bool db)
{
	*s = (struct kvm_segment){ .base = 0,
				   .limit = 0xffffffff,
				   .selector = sel,
				   .type = type,
				   .present = 1,
				   .s = 1,
				   .l = l,
				   .db = db,
				   .g = 1 };
}

int vmm_linux_setup_bsp(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rflags = 0x2 };

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return bs_error(errno, "KVM_GET_SREGS: %s", strerror(errno));
	sregs.gdt.base = LINUX_GDT;
	sregs.gdt.limit = 4 * 8 - 1;
	if (vm->linux_pvh) {
		seg_flat(&sregs.cs, 0x10, 0xb, false, true);
		sregs.cr0 = 0x11; /* PE ET */
		sregs.cr4 = 0;
		sregs.efer = 0;
		regs.rbx = LINUX_ZERO_PAGE;
	} else {
		seg_flat(&sregs.cs, 0x10, 0xb, true, false);
		sregs.cr0 = 0x80000011; /* PG ET PE */
		sregs.cr3 = LINUX_PML4;
		sregs.cr4 = 0x20;   /* PAE */
		sregs.efer = 0x500; /* LMA LME */
		regs.rsi = LINUX_ZERO_PAGE;
	}
	seg_flat(&sregs.ds, 0x18, 0x3, false, true);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return bs_error(errno, "KVM_SET_SREGS: %s", strerror(errno));
	regs.rip = vm->linux_entry;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return bs_error(errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}
