// SPDX-License-Identifier: MIT
/*
 * vcpu.c - virtual CPUs: each vCPU is a KVM vCPU fd with its shared kvm_run page and a thread
 * of its own that runs KVM_RUN and handles what the kernel hands back: port I/O and MMIO go
 * to the buses, a shutdown (triple fault) is a reboot, a failed entry or an emulation failure
 * ends the guest with one line. Another thread stops a vCPU with a signal and immediate_exit.
 */
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vmm_impl.h"

#define VCPU_KICK_SIGNAL SIGUSR1

static void vcpu_kick_handler(int sig)
{
}

static void vcpu_signal_install(void)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };

	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

int vmm_vcpu_create(struct vmm_vm *vm, unsigned int index)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct vmm_vcpu *vcpu = &vm->vcpus[index];
	void *run;
	int fd, r;

	pthread_once(&once, vcpu_signal_install);
	fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (fd < 0)
		return bs_error(errno, "cannot create vCPU %u: %s", index, strerror(errno));
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		r = -errno;
		close(fd);
		return bs_error(-r, "cannot map vCPU %u: %s", index, strerror(-r));
	}
	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->fd = fd;
	vcpu->run = run;

	r = vmm_cpuid_setup(vcpu);
	if (r < 0)
		return r;
	return vmm_msr_setup(vcpu);
}

void vmm_vcpu_destroy(struct vmm_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd > 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

static void vcpu_io(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	atomic_fetch_add(&vcpu->stats.io_exits, 1);
	for (uint32_t i = 0; i < run->io.count; i++) {
		vmm_bus_access(&vcpu->vm->pio, run->io.port, data, run->io.size, is_write);
		data += run->io.size;
	}
}

static void vcpu_mmio(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	atomic_fetch_add(&vcpu->stats.mmio_exits, 1);
	if (run->mmio.len > 8)
		return;
	vmm_bus_access(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
		       run->mmio.is_write);
}

/* Park the thread while the VM is paused; false when the VM is ending. */
static bool vcpu_wait_running(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	bool running;

	pthread_mutex_lock(&vm->lock);
	if (vm->state == VMM_STATE_PAUSED) {
		vm->paused_vcpus++;
		pthread_cond_broadcast(&vm->cond);
		while (vm->state == VMM_STATE_PAUSED)
			pthread_cond_wait(&vm->cond, &vm->lock);
		vm->paused_vcpus--;
	}
	running = vm->state == VMM_STATE_RUNNING;
	vcpu->run->immediate_exit = 0;
	pthread_mutex_unlock(&vm->lock);
	return running;
}

static void vcpu_fail(struct vmm_vcpu *vcpu, const char *what, uint64_t detail)
{
	log_err("vCPU %u: %s (0x%" PRIx64 "); stopping the guest", vcpu->index, what, detail);
	vmm_vm_request_exit(vcpu->vm, VMM_EXIT_CRASHED, 0);
}

static void *vcpu_main(void *arg)
{
	struct vmm_vcpu *vcpu = arg;
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (vcpu_wait_running(vcpu)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_fail(vcpu, "KVM_RUN failed", (uint64_t)errno);
			break;
		}
		atomic_fetch_add(&vcpu->stats.exits, 1);
		vmm_probe_exit(vcpu, run->exit_reason);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			vcpu_io(vcpu);
			break;
		case KVM_EXIT_MMIO:
			vcpu_mmio(vcpu);
			break;
		case KVM_EXIT_HLT:
		case KVM_EXIT_IRQ_WINDOW_OPEN:
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			vmm_vm_request_exit(vm, VMM_EXIT_REBOOT, 0);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			vmm_vm_request_exit(vm,
					    run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ?
						    VMM_EXIT_POWEROFF :
						    VMM_EXIT_REBOOT,
					    0);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			vcpu_fail(vcpu, "the CPU refused to enter the guest",
				  run->fail_entry.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_fail(vcpu, "KVM could not emulate an instruction",
				  run->internal.suberror);
			break;
		default:
			vcpu_fail(vcpu, "unexpected exit", run->exit_reason);
			break;
		}
	}
	return NULL;
}

int vmm_vcpu_start(struct vmm_vcpu *vcpu)
{
	sigset_t set, old;
	int r;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	r = pthread_create(&vcpu->thread, NULL, vcpu_main, vcpu);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return bs_error(r, "cannot start vCPU %u: %s", vcpu->index, strerror(r));
	vcpu->started = true;
	return 0;
}

void vmm_vcpu_kick(struct vmm_vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}
