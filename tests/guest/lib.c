// SPDX-License-Identifier: MIT
/*
 * lib.c - the routines test guests share: serial output by polling the UART, the IDT
 * entries pointing at crt0.S's stubs (and the legacy PIC masked), the local APIC timer, IOAPIC
 * routes, and the few string functions a compiler may ask for even in freestanding code.
 */
#include "guest.h"

#define COM1 0x3f8
#define LAPIC 0xfee00000ULL
#define IOAPIC 0xfec00000ULL

extern uint8_t guest_idt[];
extern char guest_irq_entry[];
extern char guest_fault_entries[];

void guest_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

void guest_put_u64(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	guest_puts(buf + i);
}

static void idt_set(unsigned int vec, uint64_t handler)
{
	uint8_t *e = guest_idt + vec * 16;
	uint64_t lo = (handler & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t hi = handler >> 32;

	guest_memcpy(e, &lo, 8);
	guest_memcpy(e + 8, &hi, 8);
}

void guest_idt_init(void)
{
	for (unsigned int v = 0; v < 32; v++)
		idt_set(v, (uint64_t)guest_fault_entries + 16 * v);
	idt_set(GUEST_IRQ_VECTOR, (uint64_t)guest_irq_entry);
	/* the legacy PIC would deliver ISA interrupts at vectors 0-15: mask it, use the IOAPIC */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* the local APIC accepts interrupts once software-enabled; spurious vector 0xff */
static void guest_lapic_enable(void)
{
	mmio_write32(LAPIC + 0xf0, 0x1ff);
}

void guest_lapic_timer(uint32_t count)
{
	guest_lapic_enable();
	mmio_write32(LAPIC + 0x3e0, 0xb);	       /* divide by 1 */
	mmio_write32(LAPIC + 0x320, GUEST_IRQ_VECTOR); /* one-shot */
	mmio_write32(LAPIC + 0x380, count);
}

void guest_ioapic_route(unsigned int pin, unsigned int vector, uint32_t flags)
{
	guest_lapic_enable();
	mmio_write32(IOAPIC, 0x11 + 2 * pin);
	mmio_write32(IOAPIC + 0x10, 0);
	mmio_write32(IOAPIC, 0x10 + 2 * pin);
	mmio_write32(IOAPIC + 0x10, vector | flags);
}

void *guest_memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *guest_memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int guest_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

/* what the compiler may call on its own */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *d, int c, size_t n)
{
	return guest_memset(d, c, n);
}

void *memcpy(void *d, const void *s, size_t n)
{
	return guest_memcpy(d, s, n);
}

int memcmp(const void *a, const void *b, size_t n)
{
	return guest_memcmp(a, b, n);
}
