// SPDX-License-Identifier: MIT
/*
 * x86_direct.c - the direct 64-bit entry of freestanding test guests. The VMM builds what a
 * boot loader and early kernel would: identity page tables for the first 4 GiB (2 MiB pages,
 * user-accessible), a GDT with kernel and user segments and one TSS per vCPU, and enters
 * every vCPU at the ELF entry in long mode at CPL 0 with rdi = vCPU index, rsi = vCPU count
 * and rsp = a stack of its own. The guest loads its IDT and drops to CPL 3, where it does its
 * work: on a paravirtual KVM (PVM) only CPL 3 code runs at native speed. Port I/O at CPL 3 is
 * allowed by each TSS's I/O permission bitmap rather than by IOPL, because PVM keeps no IOPL
 * for user mode: it emulates the faulting in/out and consults the bitmap.
 *
 * Layout (guest physical): GDT 0x1000, PML4 0x3000, PDPT 0x4000, page directories
 * 0x5000-0x8fff, interrupt stacks 0x10000-0x20000 (2 KiB per vCPU), entry stacks
 * 0x40000-0x80000 (8 KiB per vCPU), TSSs with their I/O bitmaps 0x100000-0x142000, the guest
 * from its ELF load addresses (2 MiB up).
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm_impl.h"

#define DIRECT_GDT 0x1000
#define DIRECT_TSS 0x100000
#define DIRECT_TSS_SIZE (104 + 8192 + 1) /* the TSS, a bitmap of 65536 ports, its end byte */
#define DIRECT_TSS_STRIDE 0x2100
#define DIRECT_GUEST_MIN 0x200000
#define DIRECT_PML4 0x3000
#define DIRECT_PDPT 0x4000
#define DIRECT_PD 0x5000
#define DIRECT_ISTACK 0x10000
#define DIRECT_ISTACK_SIZE 0x800
#define DIRECT_STACK 0x40000
#define DIRECT_STACK_SIZE 0x2000

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS0 0x28 /* one 16-byte descriptor per vCPU */

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_U 0x4ULL
#define PTE_PS 0x80ULL

/* A code or data descriptor: flags are the access byte and the granularity nibble. */
static uint64_t gdt_entry(uint64_t access, uint64_t flags)
{
	return (0xfULL << 48) | 0xffffULL | (access << 40) | (flags << 52);
}

int vmm_direct_load(struct vmm_vm *vm, const uint8_t *img, size_t len)
{
	uint64_t *gdt, *pml4, *pdpt, *pd;
	struct vmm_elf_info info;
	int r;

	r = vmm_elf_parse(img, len, &info);
	if (r < 0)
		return r;
	if (info.lowest < DIRECT_GUEST_MIN)
		return bs_error(EINVAL, "the guest must be linked at 0x%x or above",
				DIRECT_GUEST_MIN);
	r = vmm_elf_load(vm, img, len);
	if (r < 0)
		return r;

	gdt = vmm_gpa(vm, DIRECT_GDT, 0x1000);
	pml4 = vmm_gpa(vm, DIRECT_PML4, 0x1000);
	pdpt = vmm_gpa(vm, DIRECT_PDPT, 0x1000);
	pd = vmm_gpa(vm, DIRECT_PD, 4 * 0x1000);
	if (!gdt || !pml4 || !pdpt || !pd)
		return bs_error(ENOMEM, "guest memory too small");

	gdt[0] = 0;
	gdt[1] = gdt_entry(0x9b, 0xa); /* kernel code: present, DPL 0, long mode, 4K */
	gdt[2] = gdt_entry(0x93, 0xc); /* kernel data */
	gdt[3] = gdt_entry(0xf3, 0xc); /* user data, DPL 3: selector 0x1b */
	gdt[4] = gdt_entry(0xfb, 0xa); /* user code, DPL 3, long mode: selector 0x23 */
	for (unsigned int i = 0; i < vm->n_vcpus; i++) {
		uint64_t base = DIRECT_TSS + i * DIRECT_TSS_STRIDE;
		uint8_t *tss = vmm_gpa(vm, base, DIRECT_TSS_SIZE);
		uint64_t rsp0 = DIRECT_ISTACK + (i + 1) * DIRECT_ISTACK_SIZE;

		memset(tss, 0, DIRECT_TSS_SIZE);
		memcpy(tss + 4, &rsp0, 8);
		tss[102] = 104; /* the I/O bitmap follows: all zero, every port allowed */
		tss[DIRECT_TSS_SIZE - 1] = 0xff;
		gdt[5 + 2 * i] = (DIRECT_TSS_SIZE - 1) | ((base & 0xffffff) << 16) |
				 (0x8bULL << 40) | ((base >> 24 & 0xff) << 56);
		gdt[6 + 2 * i] = base >> 32;
	}

	pml4[0] = DIRECT_PDPT | PTE_P | PTE_W | PTE_U;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (DIRECT_PD + i * 0x1000) | PTE_P | PTE_W | PTE_U;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_U | PTE_PS;
	vm->direct_entry = info.entry;
	return 0;
}

static void seg_set(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = sel & 3,
		.db = !code,
		.s = 1,
		.l = code,
		.g = 1,
	};
}

int vmm_direct_setup_vcpu(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	uint64_t tss = DIRECT_TSS + vcpu->index * DIRECT_TSS_STRIDE;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return bs_error(errno, "KVM_GET_SREGS: %s", strerror(errno));
	seg_set(&sregs.cs, SEL_KCODE, 0xb, true);
	seg_set(&sregs.ds, SEL_KDATA, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){
		.base = tss,
		.limit = DIRECT_TSS_SIZE - 1,
		.selector = SEL_TSS0 + 16 * vcpu->index,
		.type = 0xb,
		.present = 1,
	};
	sregs.gdt.base = DIRECT_GDT;
	sregs.gdt.limit = (5 + 2 * vm->n_vcpus) * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80050033; /* PG WP NE ET MP PE */
	sregs.cr3 = DIRECT_PML4;
	sregs.cr4 = 0x620;  /* OSXMMEXCPT OSFXSR PAE */
	sregs.efer = 0xd01; /* NXE LMA LME SCE */
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return bs_error(errno, "KVM_SET_SREGS: %s", strerror(errno));

	regs.rip = vm->direct_entry;
	regs.rdi = vcpu->index;
	regs.rsi = vm->n_vcpus;
	regs.rsp = DIRECT_STACK + (vcpu->index + 1) * DIRECT_STACK_SIZE;
	regs.rflags = 0x2;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return bs_error(errno, "KVM_SET_REGS: %s", strerror(errno));
	/* every vCPU starts at the entry: the others do not wait for a startup IPI */
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0)
		return bs_error(errno, "KVM_SET_MP_STATE: %s", strerror(errno));
	return 0;
}
