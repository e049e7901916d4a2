// SPDX-License-Identifier: MIT
/*
 * vm.c - a VM's life: open /dev/kvm, create the VM with KVM's local APICs (the IOAPIC is the
 * VMM's own, ioapic.c; there is no PIC nor PIT: see docs/design-vmm.md), give it memory and
 * devices, load the guest, start the vCPU threads and the I/O thread, and wait until something ends
 * the guest (power-off, reboot, a crash, the control socket); then stop every thread and free
 * everything. A reboot can restart the guest. The exit port (0x501) lets a test guest end the VM
 * with a status of its choosing.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm_impl.h"

#define EXIT_PORT 0x501
#define KVM_TSS_ADDR 0xfffbd000UL
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL

void vmm_vm_request_exit(struct vmm_vm *vm, enum vmm_exit why, int code)
{
	pthread_mutex_lock(&vm->lock);
	/* the reboot that answers a stop request ends the VM: it must not restart */
	if (why == VMM_EXIT_REBOOT && vm->stop_asked)
		why = VMM_EXIT_STOPPED;
	/* a stop wins over a reboot already under way: the VM must not restart */
	if (vm->state != VMM_STATE_ENDING || why == VMM_EXIT_STOPPED) {
		vm->state = VMM_STATE_ENDING;
		vm->exit_reason = why;
		vm->exit_code = code;
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->n_vcpus; i++)
		vmm_vcpu_kick(&vm->vcpus[i]);
}

bool vmm_vm_ask_stop(struct vmm_vm *vm)
{
	bool running;

	pthread_mutex_lock(&vm->lock);
	running = vm->state == VMM_STATE_RUNNING;
	if (running)
		vm->stop_asked = true;
	pthread_mutex_unlock(&vm->lock);
	return running;
}

int vmm_vm_pause(struct vmm_vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->state != VMM_STATE_RUNNING) {
		pthread_mutex_unlock(&vm->lock);
		return bs_error(EBUSY, "the guest is not running");
	}
	vm->state = VMM_STATE_PAUSED;
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->n_vcpus; i++)
		vmm_vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->lock);
	while (vm->state == VMM_STATE_PAUSED && vm->paused_vcpus < vm->n_vcpus)
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

int vmm_vm_resume(struct vmm_vm *vm)
{
	int r = 0;

	pthread_mutex_lock(&vm->lock);
	if (vm->state == VMM_STATE_PAUSED) {
		vm->state = VMM_STATE_RUNNING;
		pthread_cond_broadcast(&vm->cond);
	} else {
		r = bs_error(EBUSY, "the guest is not paused");
	}
	pthread_mutex_unlock(&vm->lock);
	return r;
}

static void exit_port_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	uint32_t v = 0;

	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	memcpy(&v, data, MIN(len, sizeof(v)));
	vmm_vm_request_exit(opaque, VMM_EXIT_POWEROFF, (int)v);
}

static int vm_kvm_open(struct vmm_vm *vm)
{
	int v;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return bs_error(errno, "cannot open /dev/kvm: %s", strerror(errno));
	v = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		return bs_error(ENOTSUP, "/dev/kvm speaks API version %d, not %d", v,
				KVM_API_VERSION);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0UL);
	if (vm->vm_fd < 0)
		return bs_error(errno, "cannot create a VM: %s", strerror(errno));
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return bs_error(errno, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	return 0;
}

static int vm_chipset(struct vmm_vm *vm)
{
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
	uint64_t idmap = KVM_IDENTITY_MAP_ADDR;

	/* Intel needs these two pages below 4 GiB for real mode; other hosts ignore them */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
	/* local APICs in KVM, routes reserved for the 24 IOAPIC pins */
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &split) < 0)
		return bs_error(errno, "cannot create the local APICs (split irqchip): %s",
				strerror(errno));
	return 0;
}

static int vm_devices(struct vmm_vm *vm)
{
	int r;

	if ((r = vmm_ioapic_create(vm, &vm->ioapic)) < 0 ||
	    (r = vmm_serial_create(vm, &vm->serial)) < 0 || (r = vmm_i8042_create(vm)) < 0 ||
	    (r = vmm_rtc_create(vm)) < 0 ||
	    (r = vmm_bus_add(&vm->pio, EXIT_PORT, 4, exit_port_io, vm)) < 0 ||
	    (r = vmm_serial2_open(vm)) < 0)
		return r;
	return vmm_virtio_devices_create(vm);
}

static int vm_load(struct vmm_vm *vm)
{
	if (vm->cfg->boot == VMM_BOOT_DIRECT)
		return vmm_direct_load(vm, vm->kernel->data, vm->kernel->len);
	return vmm_linux_load(vm, vm->kernel->data, vm->kernel->len);
}

static int vm_vcpus(struct vmm_vm *vm)
{
	int r;

	for (unsigned int i = 0; i < vm->n_vcpus; i++) {
		r = vmm_vcpu_create(vm, i);
		if (r < 0)
			return r;
		if (vm->cfg->boot == VMM_BOOT_DIRECT)
			r = vmm_direct_setup_vcpu(&vm->vcpus[i]);
		else if (i == 0)
			r = vmm_linux_setup_bsp(&vm->vcpus[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static void vm_destroy(struct vmm_vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->state = VMM_STATE_ENDING; /* the reason, if any, stays as it was */
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->n_vcpus; i++)
		vmm_vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->n_vcpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
	}
	vmm_loop_stop(&vm->loop);
	vmm_control_close(vm);
	vmm_console_close(vm);
	vmm_serial2_close(vm);
	vmm_virtio_devices_destroy(vm);
	for (unsigned int i = 0; i < vm->n_vcpus; i++)
		vmm_vcpu_destroy(&vm->vcpus[i]);
	free(vm->serial);
	vmm_ioapic_free(vm->ioapic);
	vmm_memory_free(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	pthread_mutex_destroy(&vm->lock);
	pthread_cond_destroy(&vm->cond);
}

/* Build the VM, run it to its end, tear it down. */
static int vm_run_once(const struct vmm_config *c, const struct vmm_image *kernel,
		       const struct vmm_image *initrd, enum vmm_exit *ret_exit, int *ret_code)
{
	struct vmm_vm vm_storage, *vm = &vm_storage;
	int r;

	*vm = (struct vmm_vm){
		.cfg = c,
		.kernel = kernel,
		.initrd = initrd,
		.kvm_fd = -1,
		.vm_fd = -1,
		.n_vcpus = c->cpus,
		.console_out = -1,
		.control_fd = -1,
		.loop = { .epfd = -1, .wakefd = -1 },
		.state = VMM_STATE_RUNNING,
		.start_ns = bs_monotonic_ns(),
	};
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	for (unsigned int i = 0; i < VMM_MAX_CPUS; i++)
		vm->vcpus[i].fd = -1;

	/* memory before the irqchip: once KVM routes interrupts, every memory slot change waits
	 * for an SRCU grace period (milliseconds) */
	if ((r = vm_kvm_open(vm)) < 0 || (r = vmm_memory_init(vm, c->memory_mib << 20)) < 0 ||
	    (r = vm_chipset(vm)) < 0 || (r = vmm_loop_init(&vm->loop)) < 0 ||
	    (r = vm_devices(vm)) < 0 || (r = vm_load(vm)) < 0 || (r = vm_vcpus(vm)) < 0 ||
	    (r = vmm_console_open(vm)) < 0 || (r = vmm_control_open(vm)) < 0 ||
	    (r = vmm_loop_start(&vm->loop)) < 0 || (r = vmm_confine(vm)) < 0)
		goto out;
	vmm_probe_lifecycle(vm, "start");
	for (unsigned int i = 0; i < vm->n_vcpus; i++) {
		r = vmm_vcpu_start(&vm->vcpus[i]);
		if (r < 0)
			goto out;
	}

	pthread_mutex_lock(&vm->lock);
	while (vm->state != VMM_STATE_ENDING)
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	vmm_probe_lifecycle(vm, "exit");
out:
	vm_destroy(vm);
	/* read only now, with every thread gone: a stop that came during a reboot counts */
	*ret_exit = vm->exit_reason;
	*ret_code = vm->exit_code;
	return r;
}

int vmm_run(const struct vmm_config *c, enum vmm_exit *ret_exit, int *ret_code)
{
	struct vmm_image kernel, initrd = { NULL, 0 };
	enum vmm_exit why;
	int code = 0, r;

	r = vmm_config_check(c);
	if (r < 0)
		return r;
	r = vmm_image_map(c->kernel, &kernel);
	if (r < 0)
		return bs_error(-r, "kernel '%s': %s", c->kernel, strerror(-r));
	r = c->initrd ? vmm_image_map(c->initrd, &initrd) : 0;
	if (r < 0) {
		vmm_image_unmap(&kernel);
		return bs_error(-r, "initrd '%s': %s", c->initrd, strerror(-r));
	}
	do {
		r = vm_run_once(c, &kernel, &initrd, &why, &code);
	} while (r >= 0 && why == VMM_EXIT_REBOOT && c->reboot_restart);
	vmm_image_unmap(&kernel);
	vmm_image_unmap(&initrd);
	if (r < 0)
		return r;
	*ret_exit = why;
	*ret_code = code;
	return 0;
}
