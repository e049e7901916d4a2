// SPDX-License-Identifier: MIT
/*
 * pci.c - a PCI bus 0 reached through configuration mechanism #1 (address at 0xcf8, data at
 * 0xcfc), as every x86 kernel can probe it with no firmware tables: a host bridge in slot 0
 * and up to 31 devices, each with one I/O BAR the guest may move and an INTA wired to an
 * IOAPIC pin. Port accesses inside a device's BAR go to its handler.
 */
#include "vmm_impl.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_IO_BASE 0xc000 /* where BARs are first placed, 256 ports each */
#define PCI_IO_SIZE 0x2000
#define PCI_IRQ_FIRST 16 /* INTA of slot s is IOAPIC pin 16 + (s - 1) % 8 */
#define PCI_IRQ_COUNT 8

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_BAR0 0x10

struct pci_slot {
	struct vmm_pci_dev *dev;
	vmm_io_fn fn;
	void *opaque;
};

struct vmm_pci {
	pthread_mutex_t lock;
	uint32_t addr;
	struct pci_slot slots[VMM_PCI_MAX_DEVS + 1];
	struct vmm_pci_dev host_bridge;
	unsigned int n;
};

unsigned int vmm_pci_irq(unsigned int slot)
{
	return PCI_IRQ_FIRST + (slot - 1) % PCI_IRQ_COUNT;
}

static void cfg_put16(uint8_t *cfg, unsigned int off, uint16_t v)
{
	memcpy(cfg + off, &v, 2);
}

static void cfg_put32(uint8_t *cfg, unsigned int off, uint32_t v)
{
	memcpy(cfg + off, &v, 4);
}

/* A write to configuration space: only the command register, BAR 0 and the interrupt line
 * are writable; a BAR write of all ones asks for its size. */
static void pci_cfg_write(struct vmm_pci_dev *d, unsigned int off, const uint8_t *data,
			  unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		unsigned int o = off + i;

		if (o == PCI_COMMAND || o == 0x3c)
			d->cfg[o] = data[i];
		else if (o >= PCI_BAR0 && o < PCI_BAR0 + 4 && d->bar_size)
			d->cfg[o] = data[i];
	}
	if (off < PCI_BAR0 + 4 && off + len > PCI_BAR0 && d->bar_size) {
		uint32_t bar;

		memcpy(&bar, d->cfg + PCI_BAR0, 4);
		bar = (bar & ~(d->bar_size - 1) & 0xffff) | 1;
		cfg_put32(d->cfg, PCI_BAR0, bar);
		d->bar_port = (uint16_t)(bar & ~1u);
	}
}

static void pci_conf_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct vmm_pci *pci = opaque;
	struct vmm_pci_dev *d = NULL;
	unsigned int slot, reg;

	pthread_mutex_lock(&pci->lock);
	if (off < 4) { /* the address register, whole dwords only */
		if (len == 4 && off == 0) {
			if (is_write)
				memcpy(&pci->addr, data, 4);
			else
				memcpy(data, &pci->addr, 4);
		} else if (!is_write) {
			memset(data, 0xff, len);
		}
		goto out;
	}
	slot = pci->addr >> 11 & 0x1f;
	reg = (pci->addr & 0xfc) + (unsigned int)(off - 4);
	if ((pci->addr & 0x80000000u) && !(pci->addr >> 16 & 0xff) && !(pci->addr >> 8 & 7) &&
	    slot <= VMM_PCI_MAX_DEVS)
		d = pci->slots[slot].dev;
	if (!d || reg + len > sizeof(d->cfg)) {
		if (!is_write)
			memset(data, 0xff, len);
		goto out;
	}
	if (is_write)
		pci_cfg_write(d, reg, data, len);
	else
		memcpy(data, d->cfg + reg, len);
out:
	pthread_mutex_unlock(&pci->lock);
}

/* Port accesses in the BAR window: the device whose enabled BAR holds the port. */
static void pci_bar_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct vmm_pci *pci = opaque;
	uint64_t port = PCI_IO_BASE + off;

	for (unsigned int s = 1; s <= pci->n; s++) {
		struct pci_slot *sl = &pci->slots[s];
		struct vmm_pci_dev *d = sl->dev;
		uint16_t base = __atomic_load_n(&d->bar_port, __ATOMIC_ACQUIRE);

		if (!(d->cfg[PCI_COMMAND] & PCI_COMMAND_IO) || port < base ||
		    port + len > base + d->bar_size)
			continue;
		sl->fn(sl->opaque, port - base, data, len, is_write);
		return;
	}
	if (!is_write)
		memset(data, 0xff, len);
}

int vmm_pci_create(struct vmm_vm *vm)
{
	struct vmm_pci *pci = bs_zalloc(sizeof(*pci));
	struct vmm_pci_dev *hb = &pci->host_bridge;
	int r;

	pthread_mutex_init(&pci->lock, NULL);
	cfg_put16(hb->cfg, 0x00, 0x8086); /* an Intel host bridge, as Linux's probe expects */
	cfg_put16(hb->cfg, 0x02, 0x1237);
	cfg_put32(hb->cfg, 0x08, 0x06000000);
	pci->slots[0].dev = hb;
	vm->pci = pci;
	r = vmm_bus_add(&vm->pio, PCI_CONF_ADDR, 8, pci_conf_io, pci);
	if (r < 0)
		return r;
	return vmm_bus_add(&vm->pio, PCI_IO_BASE, PCI_IO_SIZE, pci_bar_io, pci);
}

void vmm_pci_destroy(struct vmm_vm *vm)
{
	if (vm->pci)
		pthread_mutex_destroy(&vm->pci->lock);
	free(vm->pci);
	vm->pci = NULL;
}

int vmm_pci_add(struct vmm_vm *vm, struct vmm_pci_dev *d, uint16_t vendor, uint16_t device,
		uint32_t class_code, uint16_t subsys, vmm_io_fn bar_fn, void *opaque)
{
	struct vmm_pci *pci = vm->pci;
	unsigned int slot = pci->n + 1;

	if (slot > VMM_PCI_MAX_DEVS || (slot * 0x100) > PCI_IO_SIZE)
		return bs_error(ENOSPC, "no free PCI slot");
	ASSERT(IS_P2(d->bar_size) && d->bar_size <= 0x100);
	cfg_put16(d->cfg, 0x00, vendor);
	cfg_put16(d->cfg, 0x02, device);
	cfg_put32(d->cfg, 0x08, class_code << 8);
	cfg_put16(d->cfg, 0x2c, vendor);
	cfg_put16(d->cfg, 0x2e, subsys);
	d->bar_port = (uint16_t)(PCI_IO_BASE + (slot - 1) * 0x100);
	cfg_put32(d->cfg, PCI_BAR0, d->bar_port | 1u);
	d->cfg[PCI_COMMAND] = PCI_COMMAND_IO;
	d->irq = (uint8_t)vmm_pci_irq(slot);
	d->cfg[0x3c] = d->irq;
	d->cfg[0x3d] = 1; /* INTA */
	pci->slots[slot] = (struct pci_slot){ d, bar_fn, opaque };
	pci->n = slot;
	return 0;
}
