/* SPDX-License-Identifier: MIT */
/*
 * guest.h - the little library of Basalt's freestanding test guests: port I/O, MMIO, the
 * serial console, the IDT, the local APIC timer, and the exit port. Guests run at CPL 3 with
 * interrupts enabled on identity-mapped memory (see crt0.S).
 */
#ifndef BASALT_GUEST_H
#define BASALT_GUEST_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_IRQ_VECTOR 0x40

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* serial console */
void guest_putc(char c);
void guest_puts(const char *s);
void guest_put_u64(uint64_t v);

/* interrupts: install the IDT (exceptions end the guest, GUEST_IRQ_VECTOR counts) */
void guest_idt_init(void);
extern volatile uint64_t guest_irq_count;
/* start a one-shot local APIC timer interrupt on GUEST_IRQ_VECTOR after count ticks */
void guest_lapic_timer(uint32_t count);
#define GUEST_RTE_LEVEL (1u << 15)
#define GUEST_RTE_MASKED (1u << 16)
/* route IOAPIC pin to vector on APIC 0; flags: GUEST_RTE_LEVEL, GUEST_RTE_MASKED (otherwise
 * edge-triggered, active high, fixed delivery, unmasked) */
void guest_ioapic_route(unsigned int pin, unsigned int vector, uint32_t flags);

void *guest_memset(void *d, int c, size_t n);
void *guest_memcpy(void *d, const void *s, size_t n);
int guest_memcmp(const void *a, const void *b, size_t n);

#endif
