// SPDX-License-Identifier: MIT
/*
 * kvm.c - the kvm brand's one mapping: a VM manifest (ram, vcpus, disks, nics, kernel) to the
 * command line of the VMM, `basalt vmm run ...`, as the process inside the VM's zone runs it.
 * The zone holds the VMM binary at /basalt, the disks (volume files of the pool daemon) under
 * /disks, and the console and control sockets under /vm. The zone's memory cap is ram plus a
 * fixed overhead for the VMM itself (see docs/design-mgmt.md).
 */
#include <basalt/mgmt.h>

/* What the VMM needs beyond the guest's memory: its own code and heap, device queues and
 * buffers, the page tables of the guest's memory, and the zone's few other processes. */
#define KVM_OVERHEAD_MIB 256

uint64_t mgmt_kvm_zone_memory(uint64_t ram_mib)
{
	return ram_mib + KVM_OVERHEAD_MIB;
}

void mgmt_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

struct argv_builder {
	char **v;
	size_t n;
};

static void push(struct argv_builder *b, char *s)
{
	b->v = bs_realloc(b->v, (b->n + 2) * sizeof(char *));
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

int mgmt_kvm_argv(json_t *m, char ***ret_argv)
{
	struct argv_builder b = { 0 };
	json_t *disks = json_object_get(m, "disks"), *nics = json_object_get(m, "nics"), *o;
	const char *kernel = json_string_value(json_object_get(m, "kernel"));
	const char *kargs = json_string_value(json_object_get(m, "kernel_args"));
	size_t i;

	if (!json_is_integer(json_object_get(m, "ram")))
		return bs_error(EINVAL, "a kvm VM needs ram");
	if (!kernel)
		return bs_error(EINVAL, "a kvm VM needs the kernel its VMM boots");
	push(&b, bs_strdup("/basalt"));
	push(&b, bs_strdup("vmm"));
	push(&b, bs_strdup("run"));
	push(&b, bs_strdup("--kernel"));
	push(&b, bs_strdup("/vm/kernel"));
	if (kargs) {
		push(&b, bs_strdup("--cmdline"));
		push(&b, bs_strdup(kargs));
	}
	push(&b, bs_strdup("--memory"));
	push(&b, bs_asprintf("%lldM", (long long)json_integer_value(json_object_get(m, "ram"))));
	push(&b, bs_strdup("--cpus"));
	push(&b, bs_asprintf("%lld",
			     (long long)(json_integer_value(json_object_get(m, "vcpus")) ?: 1)));
	json_array_foreach(disks, i, o) {
		push(&b, bs_strdup("--disk"));
		push(&b, bs_asprintf("/disks/disk%zu", i));
	}
	json_array_foreach(nics, i, o) {
		push(&b, bs_strdup("--net"));
		push(&b, bs_asprintf("tap=%s,mac=%s",
				     json_string_value(json_object_get(o, "interface")),
				     json_string_value(json_object_get(o, "mac"))));
	}
	push(&b, bs_strdup("--console"));
	push(&b, bs_strdup("unix:/vm/console.sock"));
	push(&b, bs_strdup("--control"));
	push(&b, bs_strdup("/vm/control.sock"));
	*ret_argv = b.v;
	return 0;
}
