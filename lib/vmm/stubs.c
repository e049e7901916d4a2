#include "vmm_impl.h"
int vmm_virtio_devices_create(struct vmm_vm *vm)
{
	return 0;
}
void vmm_virtio_devices_destroy(struct vmm_vm *vm)
{
}
int vmm_control_open(struct vmm_vm *vm)
{
	return 0;
}
void vmm_control_close(struct vmm_vm *vm)
{
}
unsigned int vmm_pci_irq(unsigned int slot)
{
	return 16 + (slot - 1) % 8;
}
