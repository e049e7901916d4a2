// SPDX-License-Identifier: MIT
/*
 * reboot.c - a guest that talks to the keyboard controller as Linux's i8042 driver does when it
 * probes it (self-test, read the command byte, write it and read it back), announces its boot,
 * and resets the machine through the controller (command 0xfe on port 0x64), as Linux's
 * `reboot` does on a PC: the VMM ends, or starts the guest again when told to restart on
 * reboot. A controller that does not answer makes the guest exit with status 1 instead.
 */
#include "guest.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64
#define STATUS_OBF 0x01

int guest_main(uint64_t cpu, uint64_t ncpus);

/* a command, then the reply, or -1 when the output buffer stays empty */
static int i8042_ask(uint8_t cmd)
{
	outb(I8042_STATUS, cmd);
	if (!(inb(I8042_STATUS) & STATUS_OBF))
		return -1;
	return inb(I8042_DATA);
}

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	int ctr;

	if (i8042_ask(0xaa) != 0x55) /* self-test */
		return 1;
	ctr = i8042_ask(0x20); /* read the command byte */
	if (ctr < 0)
		return 1;
	outb(I8042_STATUS, 0x60); /* write it, with the keyboard disabled */
	outb(I8042_DATA, (uint8_t)(ctr | 0x10));
	if (i8042_ask(0x20) != (ctr | 0x10))
		return 1;
	guest_puts("booted\n");
	outb(I8042_STATUS, 0xfe);
	for (;;)
		cpu_relax();
}
