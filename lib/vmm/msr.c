// SPDX-License-Identifier: MIT
/*
 * msr.c - the model-specific registers a vCPU starts with. Hosts differ in which MSRs their
 * KVM lets user space write (a nested or paravirtual KVM accepts fewer), so the list is set
 * tolerantly: KVM_SET_MSRS stops at the first MSR it refuses, which is skipped and the rest
 * written. The time stamp counter is left alone: KVM starts every vCPU's at zero and keeps
 * them synchronised, which writing it from each vCPU thread in turn would undo.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm_impl.h"

static const struct {
	uint32_t index;
	uint64_t value;
} msr_initial[] = {
	{ 0x10, 0 },	   /* IA32_TIME_STAMP_COUNTER */
	{ 0x174, 0 },	   /* IA32_SYSENTER_CS */
	{ 0x175, 0 },	   /* IA32_SYSENTER_ESP */
	{ 0x176, 0 },	   /* IA32_SYSENTER_EIP */
	{ 0xc0000081, 0 }, /* STAR */
	{ 0xc0000082, 0 }, /* LSTAR */
	{ 0xc0000083, 0 }, /* CSTAR */
	{ 0xc0000084, 0 }, /* SFMASK */
	{ 0xc0000102, 0 }, /* KERNEL_GS_BASE */
	{ 0x1a0, 1 },	   /* IA32_MISC_ENABLE: fast strings */
	{ 0x2ff, 0x806 },  /* MTRR default type: enabled, write-back */
};

int vmm_msr_setup(struct vmm_vcpu *vcpu)
{
	_cleanup_free_ struct kvm_msrs *m =
		bs_zalloc(sizeof(*m) + ARRAY_SIZE(msr_initial) * sizeof(m->entries[0]));
	size_t next = 0;

	while (next < ARRAY_SIZE(msr_initial)) {
		int n;

		for (size_t i = next; i < ARRAY_SIZE(msr_initial); i++)
			m->entries[i - next] =
				(struct kvm_msr_entry){ .index = msr_initial[i].index,
							.data = msr_initial[i].value };
		m->nmsrs = ARRAY_SIZE(msr_initial) - next;
		n = ioctl(vcpu->fd, KVM_SET_MSRS, m);
		if (n < 0)
			return bs_error(errno, "KVM_SET_MSRS: %s", strerror(errno));
		next += (size_t)n + 1; /* skip the one refused */
		if ((uint32_t)n == m->nmsrs)
			break;
		log_debug("vCPU %u: KVM refuses MSR 0x%x; left as it is", vcpu->index,
			  msr_initial[next - 1].index);
	}
	return 0;
}
