// SPDX-License-Identifier: MIT
/*
 * kbd.c - the keyboard's one key combination: the guest routes IRQ 1 through the IOAPIC,
 * announces that it waits, and reads what the keyboard sends, one interrupt per byte, until
 * Delete is pressed (scan code set 2: 0xe0 0x71) after Ctrl (0x14) and Alt (0x11); then it
 * says so and resets the machine through the keyboard controller, as Linux does on
 * Ctrl-Alt-Del. A VMM asked to stop sends the keys and ends when the guest resets.
 */
#include "guest.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	uint8_t prev = 0, v;
	int ctrl = 0, alt = 0;
	uint64_t seen = 0;

	guest_ioapic_route(1, GUEST_IRQ_VECTOR, 0);
	guest_puts("waiting for ctrl-alt-del\n");
	for (;;) {
		while (guest_irq_count == seen)
			cpu_relax();
		seen++;
		if (!(inb(I8042_STATUS) & 1))
			continue;
		v = inb(I8042_DATA);
		if (prev != 0xf0 && prev != 0xe0 && v == 0x14)
			ctrl = 1;
		if (prev != 0xf0 && prev != 0xe0 && v == 0x11)
			alt = 1;
		if (prev == 0xe0 && v == 0x71 && ctrl && alt)
			break;
		prev = v;
	}
	guest_puts("ctrl-alt-del\n");
	outb(I8042_STATUS, 0xfe);
	for (;;)
		cpu_relax();
}
