// SPDX-License-Identifier: MIT
/*
 * irq.c - interrupts: the local APIC timer (KVM's) fires a vector the guest's IDT sends to
 * crt0.S's handler, three times in a row; and a byte typed on the console raises
 * the UART's receive interrupt through the IOAPIC (routed here to the same vector, level-
 * triggered): not while the pin is masked, but as soon as it is unmasked with the line still
 * high; the guest answers by echoing the byte. Exit status 0 when all of this holds.
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	for (uint64_t i = 1; i <= 3; i++) {
		guest_lapic_timer(10000);
		while (guest_irq_count < i)
			cpu_relax();
	}
	guest_puts("timer ok\n");

	guest_ioapic_route(4, GUEST_IRQ_VECTOR, GUEST_RTE_LEVEL | GUEST_RTE_MASKED);
	outb(0x3f8 + 1, 0x01); /* receive interrupt on */
	guest_puts("type a key\n");
	while (!(inb(0x3f8 + 5) & 1))
		cpu_relax();
	if (guest_irq_count != 3)
		return 2; /* the masked pin interrupted */
	guest_ioapic_route(4, GUEST_IRQ_VECTOR, GUEST_RTE_LEVEL);
	while (guest_irq_count < 4)
		cpu_relax();
	if (!(inb(0x3f8 + 5) & 1))
		return 1;
	guest_puts("got ");
	guest_putc((char)inb(0x3f8));
	guest_putc('\n');
	return 0;
}
