/* SPDX-License-Identifier: MIT */
/*
 * probes.h - the VMM's static probes (USDT, provider basalt_vmm) for the tracer: every VM
 * exit, every virtio request and the VM's lifecycle. A probe costs one nop until a tracer
 * attaches to it.
 */
#ifndef BASALT_VMM_PROBES_H
#define BASALT_VMM_PROBES_H

#include <sys/sdt.h>

/* lifecycle(what): "start", "exit", "pause", "resume" */
#define vmm_probe_lifecycle(vm, what) STAP_PROBE1(basalt_vmm, lifecycle, what)
/* vm__exit(vcpu, kvm exit reason) */
#define vmm_probe_exit(vcpu, reason) STAP_PROBE2(basalt_vmm, vm__exit, (vcpu)->index, reason)
/* virtio__request(device type, queue, request type, bytes) */
#define vmm_probe_virtio(type, queue, req, bytes)                                                  \
	STAP_PROBE4(basalt_vmm, virtio__request, type, queue, req, bytes)

#endif
