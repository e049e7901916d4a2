// SPDX-License-Identifier: MIT
/*
 * mptable.c - the Intel MultiProcessor Specification 1.4 table, which tells a kernel booted
 * without ACPI where its CPUs and IOAPIC are and how interrupts are wired: ISA IRQs 0-15 to
 * IOAPIC pins 0-15, each used PCI slot's INTA to the pin vmm_pci_irq() gives it (level),
 * ExtINT and NMI on the local APICs. It lives in the last KiB below 640 KiB, where Linux looks
 * for the floating pointer.
 */
#include "vmm_impl.h"

#define MP_APIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_BUS_PCI 0
#define MP_BUS_ISA 1
#define MP_IRQ_LEVEL_HIGH 0x0d /* active high, level-triggered */

struct mpf {
	char sig[4];
	uint32_t table;
	uint8_t length, revision, checksum, feature[5];
} _packed_;

struct mpc_header {
	char sig[4];
	uint16_t length;
	uint8_t revision, checksum;
	char oem[8], product[12];
	uint32_t oem_table;
	uint16_t oem_size, count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} _packed_;

struct mpc_cpu {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} _packed_;

struct mpc_bus {
	uint8_t type, id;
	char name[6];
} _packed_;

struct mpc_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} _packed_;

struct mpc_irq {
	uint8_t type, irq_type;
	uint16_t flags;
	uint8_t bus, bus_irq, apic, pin;
} _packed_;

static uint8_t mp_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return (uint8_t)-sum;
}

int vmm_mptable_write(struct vmm_vm *vm)
{
	uint8_t *base = vmm_gpa(vm, VMM_EBDA_ADDR, 1024), *p;
	struct mpc_header *h;
	struct mpf *f;
	uint8_t ioapic_id = (uint8_t)vm->n_vcpus;
	uint16_t count = 0;

	if (!base)
		return bs_error(ENOMEM, "guest memory too small for the MP table");
	memset(base, 0, 1024);
	f = (struct mpf *)base;
	h = (struct mpc_header *)(base + sizeof(*f));
	p = (uint8_t *)(h + 1);

	for (unsigned int i = 0; i < vm->n_vcpus; i++) {
		struct mpc_cpu c = { .type = 0,
				     .apic_id = (uint8_t)i,
				     .apic_version = MP_APIC_VERSION,
				     .flags = (uint8_t)(1 | (i == 0 ? 2 : 0)),
				     .signature = 0x600,
				     .features = 0x201 };

		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
		count++;
	}
	memcpy(p, &(struct mpc_bus){ 1, MP_BUS_PCI, "PCI   " }, sizeof(struct mpc_bus));
	p += sizeof(struct mpc_bus);
	memcpy(p, &(struct mpc_bus){ 1, MP_BUS_ISA, "ISA   " }, sizeof(struct mpc_bus));
	p += sizeof(struct mpc_bus);
	memcpy(p, &(struct mpc_ioapic){ 2, ioapic_id, MP_IOAPIC_VERSION, 1, VMM_IOAPIC_ADDR },
	       sizeof(struct mpc_ioapic));
	p += sizeof(struct mpc_ioapic);
	count += 3;
	for (uint8_t irq = 0; irq < 16; irq++) {
		struct mpc_irq e = { 3, 0, 0, MP_BUS_ISA, irq, ioapic_id, irq };

		memcpy(p, &e, sizeof(e));
		p += sizeof(e);
		count++;
	}
	for (unsigned int slot = 1; slot <= vm->n_virtio; slot++) {
		struct mpc_irq e = { 3,
				     0,
				     MP_IRQ_LEVEL_HIGH,
				     MP_BUS_PCI,
				     (uint8_t)(slot << 2),
				     ioapic_id,
				     (uint8_t)vmm_pci_irq(slot) };

		memcpy(p, &e, sizeof(e));
		p += sizeof(e);
		count++;
	}
	memcpy(p, &(struct mpc_irq){ 4, 3, 0, MP_BUS_ISA, 0, 0xff, 0 }, sizeof(struct mpc_irq));
	p += sizeof(struct mpc_irq);
	memcpy(p, &(struct mpc_irq){ 4, 1, 0, MP_BUS_ISA, 0, 0xff, 1 }, sizeof(struct mpc_irq));
	p += sizeof(struct mpc_irq);
	count += 2;
	if (p - base > 1024)
		return bs_error(E2BIG, "the MP table does not fit");

	memcpy(h->sig, "PCMP", 4);
	h->length = (uint16_t)(p - (uint8_t *)h);
	h->revision = 4;
	memcpy(h->oem, "BASALT  ", 8);
	memcpy(h->product, "VMM         ", 12);
	h->count = count;
	h->lapic = (uint32_t)VMM_LAPIC_ADDR;
	h->checksum = mp_checksum(h, h->length);

	memcpy(f->sig, "_MP_", 4);
	f->table = (uint32_t)(VMM_EBDA_ADDR + sizeof(*f));
	f->length = 1;
	f->revision = 4;
	f->checksum = mp_checksum(f, sizeof(*f));
	return 0;
}
