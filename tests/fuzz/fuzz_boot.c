// SPDX-License-Identifier: MIT
/*
 * fuzz_boot.c - fuzz target for the boot loader's parsers of kernel images: the bzImage setup
 * header and ELF executables with their PVH notes, and then the whole Linux load into a guest
 * memory of 64 MiB (payload copy, zero page or start info, e820 map, MP table) without KVM.
 * A kernel file is refused with an error or loaded inside guest memory, never more.
 */
#include "vmm_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MEM (64ULL << 20)

static uint8_t *ram;
static struct vmm_config cfg;
static const struct vmm_image no_initrd;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ram = bs_zalloc(MEM);
	vmm_config_init(&cfg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_vm vm = { .cfg = &cfg,
			     .initrd = &no_initrd,
			     .ram = ram,
			     .ram_size = MEM,
			     .low_size = MEM,
			     .n_vcpus = 2 };
	struct vmm_bzimage b;
	struct vmm_elf_info info;

	vmm_bzimage_parse(data, size, &b);
	vmm_elf_parse(data, size, &info);
	vmm_linux_load(&vm, data, size);
	return 0;
}
