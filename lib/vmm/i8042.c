// SPDX-License-Identifier: MIT
/*
 * i8042.c - the part of the PC keyboard controller a guest without a keyboard needs: the
 * status and command port 0x64, where command 0xfe (pulse the reset line) is how Linux's
 * `reboot` resets a PC, and the data port 0x60 that reads empty.
 */
#include "vmm_impl.h"

#define I8042_DATA 0x60
#define I8042_CMD 0x64
#define I8042_CMD_RESET 0xfe

static void i8042_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct vmm_vm *vm = opaque;

	if (!is_write) {
		memset(data, 0, len); /* no data, input buffer empty */
		return;
	}
	if (off == I8042_CMD - I8042_DATA && data[0] == I8042_CMD_RESET)
		vmm_vm_request_exit(vm, VMM_EXIT_REBOOT, 0);
}

int vmm_i8042_create(struct vmm_vm *vm)
{
	return vmm_bus_add(&vm->pio, I8042_DATA, I8042_CMD - I8042_DATA + 1, i8042_io, vm);
}
