// SPDX-License-Identifier: MIT
/*
 * exits.c - port I/O and MMIO exits: values written to device registers through the VMM come
 * back (CMOS RAM and the UART's scratch register, in all access widths the bus takes), an
 * address of the MMIO hole that no device claims reads as all ones and ignores writes, and a
 * port no device claims reads as all ones. Exit status 0 when all hold, else the failed step.
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	outb(0x70, 0x40);
	outb(0x71, 0x5a);
	outb(0x70, 0x41);
	outb(0x71, 0xa5);
	outb(0x70, 0x40);
	if (inb(0x71) != 0x5a)
		return 1;
	outb(0x70, 0x41);
	if (inb(0x71) != 0xa5)
		return 2;

	outb(0x3f8 + 7, 0x33);
	if (inb(0x3f8 + 7) != 0x33)
		return 3;

	if (inl(0x5f0) != 0xffffffffu || inw(0x5f0) != 0xffff)
		return 4;

	mmio_write32(0xd0000000ULL, 0x12345678);
	if (mmio_read32(0xd0000000ULL) != 0xffffffffu)
		return 5;

	guest_puts("exits ok\n");
	return 0;
}
