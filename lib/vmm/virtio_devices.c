// SPDX-License-Identifier: MIT
/*
 * virtio_devices.c - the virtio devices a configuration asks for, on the PCI bus in a fixed
 * order (disks, then network interfaces, then the entropy device), so the guest names them
 * the same way on every boot: vda, vdb... and eth0, eth1...
 */
#include "virtio.h"

int vmm_virtio_devices_create(struct vmm_vm *vm)
{
	const struct vmm_config *c = vm->cfg;
	struct vmm_virtio *v;
	int r;

	r = vmm_pci_create(vm);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < c->n_disks; i++) {
		r = vmm_virtio_blk_create(vm, &c->disks[i], &v);
		if (r < 0)
			return r;
		vm->virtio[vm->n_virtio++] = v;
	}
	for (unsigned int i = 0; i < c->n_nets; i++) {
		r = vmm_virtio_net_create(vm, &c->nets[i], i, &v);
		if (r < 0)
			return r;
		vm->virtio[vm->n_virtio++] = v;
	}
	if (c->rng) {
		r = vmm_virtio_rng_create(vm, &v);
		if (r < 0)
			return r;
		vm->virtio[vm->n_virtio++] = v;
	}
	return 0;
}

void vmm_virtio_devices_destroy(struct vmm_vm *vm)
{
	for (unsigned int i = 0; i < vm->n_virtio; i++) {
		struct vmm_virtio *v = vm->virtio[i];

		vmm_virtio_pci_remove(v);
		if (v->ops->destroy)
			v->ops->destroy(v);
		free(v);
	}
	vm->n_virtio = 0;
	vmm_pci_destroy(vm);
}
