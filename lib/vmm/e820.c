// SPDX-License-Identifier: MIT
/*
 * e820.c - the guest's memory map as the BIOS e820 call would report it: conventional memory
 * up to the MP table page below 640 KiB, the BIOS area reserved, RAM from 1 MiB to the MMIO
 * hole, and the rest of RAM above 4 GiB. Both Linux boot paths hand it to the kernel.
 */
#include "vmm_impl.h"

unsigned int vmm_e820_build(const struct vmm_vm *vm, struct vmm_e820_entry *e, unsigned int max)
{
	unsigned int n = 0;

	ASSERT(max >= 5);
	e[n++] = (struct vmm_e820_entry){ 0, VMM_EBDA_ADDR, VMM_E820_RAM };
	e[n++] = (struct vmm_e820_entry){ VMM_EBDA_ADDR, 0xa0000 - VMM_EBDA_ADDR,
					  VMM_E820_RESERVED };
	e[n++] = (struct vmm_e820_entry){ 0xf0000, 0x10000, VMM_E820_RESERVED };
	e[n++] = (struct vmm_e820_entry){ 0x100000, vm->low_size - 0x100000, VMM_E820_RAM };
	if (vm->high_size)
		e[n++] = (struct vmm_e820_entry){ VMM_4G, vm->high_size, VMM_E820_RAM };
	return n;
}
