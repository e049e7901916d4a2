// SPDX-License-Identifier: MIT
/*
 * bus.c - the port I/O and MMIO buses: devices register address ranges with an access
 * handler, and a vCPU's I/O or MMIO exit is dispatched to the device that owns the address.
 * Ranges are registered before the vCPUs start and never change, so lookups take no lock.
 */
#include "vmm_impl.h"

int vmm_bus_add(struct vmm_bus *bus, uint64_t base, uint64_t len, vmm_io_fn fn, void *opaque)
{
	if (bus->n == VMM_BUS_MAX)
		return bs_error(ENOSPC, "too many devices on one bus");
	for (unsigned int i = 0; i < bus->n; i++) {
		const struct vmm_io_range *o = &bus->r[i];

		if (base < o->base + o->len && o->base < base + len)
			return bs_error(EEXIST, "device ranges overlap at 0x%" PRIx64, base);
	}
	bus->r[bus->n++] = (struct vmm_io_range){ base, len, fn, opaque };
	return 0;
}

bool vmm_bus_access(const struct vmm_bus *bus, uint64_t addr, uint8_t *data, unsigned int len,
		    bool is_write)
{
	for (unsigned int i = 0; i < bus->n; i++) {
		const struct vmm_io_range *r = &bus->r[i];

		if (addr >= r->base && addr - r->base < r->len) {
			if (len > r->len - (addr - r->base))
				break; /* straddles the end of the range */
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			return true;
		}
	}
	if (!is_write)
		memset(data, 0xff, len);
	return false;
}
