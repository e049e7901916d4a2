// SPDX-License-Identifier: MIT
/*
 * ioapic.c - the I/O APIC at 0xfec00000, emulated in the VMM: KVM keeps only the local APICs
 * (its "split" irqchip), so there is no in-kernel PIC, IOAPIC or PIT whose teardown would wait
 * for several SRCU grace periods when the VM is destroyed (tens of milliseconds on a loaded
 * host, more than the rest of a small VM's life). 24 pins, version 0x11 (no EOI register).
 * A pin whose line rises while it is unmasked, or that is unmasked while its level-triggered
 * line is high, sends its redirection entry as an MSI to the local APICs (KVM_SIGNAL_MSI).
 * Remote IRR is not modelled: a level-triggered source raises its line again only after the
 * guest acknowledged it at the device (the UART's IIR, virtio's ISR), which lowers the line
 * first, so every new interrupt is a new rising edge.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm_impl.h"

#define IOAPIC_PINS 24
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_MMIO_SIZE 0x20
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_TABLE 0x10
#define IOAPIC_VERSION 0x11

#define RTE_VECTOR 0xffULL
#define RTE_DELIVERY(e) (((e) >> 8) & 7)
#define RTE_DEST_LOGICAL (1ULL << 11)
#define RTE_LEVEL (1ULL << 15)
#define RTE_MASKED (1ULL << 16)
#define RTE_DEST(e) ((e) >> 56)
#define RTE_WRITABLE 0xff0000000001afffULL /* not delivery status nor remote IRR */

#define DELIVERY_EXTINT 7

struct vmm_ioapic {
	struct vmm_vm *vm;
	pthread_mutex_t lock;
	uint32_t regsel;
	uint32_t id;
	uint32_t lines; /* the level of each pin's input */
	uint64_t rte[IOAPIC_PINS];
};

static void ioapic_deliver(struct vmm_ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	struct kvm_msi msi = {
		.address_lo = (uint32_t)(VMM_LAPIC_ADDR | RTE_DEST(e) << 12 |
					 ((e & RTE_DEST_LOGICAL) ? 1u << 2 : 0)),
		.data = (uint32_t)((e & RTE_VECTOR) | RTE_DELIVERY(e) << 8),
	};

	/* ExtINT asks for a legacy PIC, and this chipset has none */
	if (RTE_DELIVERY(e) == DELIVERY_EXTINT)
		return;
	if (ioctl(io->vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		log_warn("IOAPIC pin %u: KVM_SIGNAL_MSI: %s", pin, strerror(errno));
}

void vmm_ioapic_set_irq(struct vmm_ioapic *io, unsigned int pin, bool level)
{
	uint32_t bit = 1u << pin;
	bool rising;

	if (pin >= IOAPIC_PINS)
		return;
	pthread_mutex_lock(&io->lock);
	rising = level && !(io->lines & bit);
	io->lines = level ? io->lines | bit : io->lines & ~bit;
	if (rising && !(io->rte[pin] & RTE_MASKED))
		ioapic_deliver(io, pin);
	pthread_mutex_unlock(&io->lock);
}

static uint32_t ioapic_read(struct vmm_ioapic *io)
{
	unsigned int pin;

	switch (io->regsel) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id;
	case IOAPIC_REG_VERSION:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	default:
		pin = (io->regsel - IOAPIC_REG_TABLE) / 2;
		if (io->regsel < IOAPIC_REG_TABLE || pin >= IOAPIC_PINS)
			return 0;
		return (uint32_t)(io->rte[pin] >> ((io->regsel & 1) ? 32 : 0));
	}
}

static void ioapic_write(struct vmm_ioapic *io, uint32_t val)
{
	unsigned int pin = (io->regsel - IOAPIC_REG_TABLE) / 2;
	uint64_t e, was;

	if (io->regsel == IOAPIC_REG_ID) {
		io->id = val & 0x0f000000;
		return;
	}
	if (io->regsel < IOAPIC_REG_TABLE || pin >= IOAPIC_PINS)
		return;
	was = io->rte[pin];
	e = (io->regsel & 1) ? (was & 0xffffffffULL) | (uint64_t)val << 32 :
			       (was & ~0xffffffffULL) | val;
	io->rte[pin] = (e & RTE_WRITABLE) | (was & ~RTE_WRITABLE);
	/* a level-triggered input still high when its pin is unmasked interrupts now */
	if ((was & RTE_MASKED) && !(io->rte[pin] & RTE_MASKED) && (io->rte[pin] & RTE_LEVEL) &&
	    (io->lines & (1u << pin)))
		ioapic_deliver(io, pin);
}

static void ioapic_mmio(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct vmm_ioapic *io = opaque;
	uint32_t val = 0;

	pthread_mutex_lock(&io->lock);
	if (is_write) {
		memcpy(&val, data, MIN(len, 4u));
		if (off == IOAPIC_REGSEL)
			io->regsel = val & 0xff;
		else if (off == IOAPIC_WINDOW)
			ioapic_write(io, val);
	} else {
		if (off == IOAPIC_REGSEL)
			val = io->regsel;
		else if (off == IOAPIC_WINDOW)
			val = ioapic_read(io);
		memcpy(data, &val, MIN(len, 4u));
	}
	pthread_mutex_unlock(&io->lock);
}

int vmm_ioapic_create(struct vmm_vm *vm, struct vmm_ioapic **ret)
{
	struct vmm_ioapic *io = calloc(1, sizeof(*io));
	int r;

	if (!io)
		return bs_error(ENOMEM, "out of memory");
	io->vm = vm;
	pthread_mutex_init(&io->lock, NULL);
	for (unsigned int i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;
	r = vmm_bus_add(&vm->mmio, VMM_IOAPIC_ADDR, IOAPIC_MMIO_SIZE, ioapic_mmio, io);
	if (r < 0) {
		pthread_mutex_destroy(&io->lock);
		free(io);
		return r;
	}
	*ret = io;
	return 0;
}

void vmm_ioapic_free(struct vmm_ioapic *io)
{
	if (!io)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io);
}
