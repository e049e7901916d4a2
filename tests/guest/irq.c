// SPDX-License-Identifier: MIT
/*
 * irq.c - interrupts: the local APIC timer of the in-kernel irqchip fires a vector the guest's
 * IDT sends to crt0.S's handler, three times in a row; and a byte typed on the console raises
 * the UART's receive interrupt through the IOAPIC (routed here to the same vector, level-
 * triggered): not while the pin is masked, but as soon as it is unmasked with the line still
 * high; the guest answers by echoing the byte. Exit status 0 when all of this holds.
 */
#include "guest.h"

#define IOAPIC 0xfec00000ULL

int guest_main(uint64_t cpu, uint64_t ncpus);

#define RTE_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)

/* flags: RTE_LEVEL, RTE_MASKED; otherwise edge, active high, fixed, physical, to APIC 0 */
static void ioapic_route(unsigned int pin, unsigned int vector, uint32_t flags)
{
	mmio_write32(IOAPIC, 0x11 + 2 * pin);
	mmio_write32(IOAPIC + 0x10, 0);
	mmio_write32(IOAPIC, 0x10 + 2 * pin);
	mmio_write32(IOAPIC + 0x10, vector | flags);
}

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	for (uint64_t i = 1; i <= 3; i++) {
		guest_lapic_timer(10000);
		while (guest_irq_count < i)
			cpu_relax();
	}
	guest_puts("timer ok\n");

	ioapic_route(4, GUEST_IRQ_VECTOR, RTE_LEVEL | RTE_MASKED);
	outb(0x3f8 + 1, 0x01); /* receive interrupt on */
	guest_puts("type a key\n");
	while (!(inb(0x3f8 + 5) & 1))
		cpu_relax();
	if (guest_irq_count != 3)
		return 2; /* the masked pin interrupted */
	ioapic_route(4, GUEST_IRQ_VECTOR, RTE_LEVEL);
	while (guest_irq_count < 4)
		cpu_relax();
	if (!(inb(0x3f8 + 5) & 1))
		return 1;
	guest_puts("got ");
	guest_putc((char)inb(0x3f8));
	guest_putc('\n');
	return 0;
}
