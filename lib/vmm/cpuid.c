// SPDX-License-Identifier: MIT
/*
 * cpuid.c - what CPUID tells the guest: the leaves this host's KVM supports
 * (KVM_GET_SUPPORTED_CPUID), each vCPU's APIC ID written where the guest looks for it, the
 * hypervisor bit set, the TSC-deadline timer announced when KVM emulates it (KVM never lists
 * it: its local APIC does the work; without it, and without a PIT to calibrate the APIC timer
 * against, Linux would have no timer), and the performance-monitoring leaf cleared because the
 * VMM offers no PMU. The guest sees a CPU its host can really run, nothing more.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm_impl.h"

#define CPUID_MAX_ENTRIES 256

int vmm_cpuid_setup(struct vmm_vcpu *vcpu)
{
	_cleanup_free_ struct kvm_cpuid2 *c = NULL;
	uint32_t apic_id = vcpu->index;
	bool deadline = ioctl(vcpu->vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) >
			0;

	c = bs_zalloc(sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vcpu->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		return bs_error(errno, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffffu) | (apic_id << 24);
			e->ecx |= 1u << 31; /* running under a hypervisor */
			if (deadline)
				e->ecx |= 1u << 24;
			break;
		case 0xa: /* architectural performance monitoring: none */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0xb:
		case 0x1f:
			e->edx = apic_id;
			break;
		default:
			break;
		}
	}
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, c) < 0)
		return bs_error(errno, "KVM_SET_CPUID2: %s", strerror(errno));
	return 0;
}
