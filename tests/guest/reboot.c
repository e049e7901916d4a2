// SPDX-License-Identifier: MIT
/*
 * reboot.c - a guest that announces its boot and resets the machine through the keyboard
 * controller (command 0xfe on port 0x64), as Linux's `reboot` does on a PC: the VMM ends, or
 * starts the guest again when told to restart on reboot.
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	guest_puts("booted\n");
	outb(0x64, 0xfe);
	for (;;)
		cpu_relax();
}
