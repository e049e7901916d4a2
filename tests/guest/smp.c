// SPDX-License-Identifier: MIT
/*
 * smp.c - several vCPUs: every vCPU starts at the entry with its own index and stack, checks
 * the APIC ID CPUID reports for it, and counts itself in; vCPU 0 waits for all of them and
 * prints how many arrived. Exit status 0 when every vCPU counted itself with the right ID.
 */
#include "guest.h"

static volatile uint64_t arrived;
static volatile uint64_t bad_id;

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (b >> 24 != cpu)
		__atomic_fetch_add(&bad_id, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	if (cpu != 0) {
		for (;;)
			cpu_relax();
	}
	while (arrived < ncpus)
		cpu_relax();
	guest_put_u64(arrived);
	guest_puts(" vCPUs arrived\n");
	return bad_id ? 1 : 0;
}
