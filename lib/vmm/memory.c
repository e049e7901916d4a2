// SPDX-License-Identifier: MIT
/*
 * memory.c - guest RAM: one anonymous host mapping split around the MMIO hole below 4 GiB
 * (RAM up to 3 GiB, devices from 3 GiB to 4 GiB, the rest of RAM from 4 GiB on), registered as
 * one or two KVM memory slots, and the one checked translation from guest physical addresses
 * to host pointers that every device uses. The mapping starts on a 2 MiB boundary, as QEMU's
 * and kvmtool's do, so that the host's transparent huge pages can back it and KVM map it in
 * large pages. With --hugepages the RAM comes from the host's 2 MiB page pool, reserved and
 * populated up front so that a short pool fails at start.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vmm_impl.h"

static int memory_slot(struct vmm_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return bs_error(errno, "cannot give the guest %" PRIu64 " MiB of memory: %s",
				size >> 20, strerror(errno));
	return 0;
}

/*
 * An anonymous mapping of size bytes that starts on a 2 MiB boundary, so that where the host
 * backs anonymous memory with transparent huge pages, KVM can map the guest's memory with large
 * pages in its second-level page tables (fewer nested page faults).
 */
static void *memory_map(uint64_t size, int flags)
{
	const uint64_t align = 2ULL << 20;
	uint8_t *p, *start;
	uint64_t head;

	if (flags & MAP_HUGETLB)
		return mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return p;
	start = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	head = (uint64_t)(start - p);
	if (head)
		munmap(p, head);
	munmap(start + size, align - head);
	return start;
}

int vmm_memory_init(struct vmm_vm *vm, uint64_t size)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;
	int r;

	if (vm->cfg->hugepages)
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE;
	p = memory_map(size, flags);
	if (p == MAP_FAILED && vm->cfg->hugepages)
		return bs_error(errno,
				"cannot have %" PRIu64 " MiB of guest memory in huge pages "
				"(see /proc/sys/vm/nr_hugepages): %s",
				size >> 20, strerror(errno));
	if (p == MAP_FAILED)
		return bs_error(errno, "cannot map %" PRIu64 " MiB of guest memory: %s", size >> 20,
				strerror(errno));
	vm->ram = p;
	vm->ram_size = size;
	vm->low_size = MIN(size, VMM_MMIO_HOLE_START);
	vm->high_size = size - vm->low_size;

	r = memory_slot(vm, 0, 0, vm->low_size, vm->ram);
	if (r < 0)
		return r;
	if (vm->high_size > 0) {
		r = memory_slot(vm, 1, VMM_4G, vm->high_size, vm->ram + vm->low_size);
		if (r < 0)
			return r;
	}
	return 0;
}

void vmm_memory_free(struct vmm_vm *vm)
{
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
}

void *vmm_gpa(struct vmm_vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->low_size) {
		if (len > vm->low_size - gpa)
			return NULL;
		return vm->ram + gpa;
	}
	if (gpa >= VMM_4G && gpa - VMM_4G < vm->high_size) {
		if (len > vm->high_size - (gpa - VMM_4G))
			return NULL;
		return vm->ram + vm->low_size + (gpa - VMM_4G);
	}
	return NULL;
}
