// SPDX-License-Identifier: MIT
/*
 * idle.c - a guest that says it is up and then spins forever on every vCPU, reading the RTC
 * now and then so that it keeps exiting to the VMM: it ends only when the VMM is stopped, which
 * is what the control socket's tests need.
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	if (cpu == 0)
		guest_puts("idle guest up\n");
	for (;;) {
		for (int i = 0; i < 100000; i++)
			cpu_relax();
		outb(0x70, 0);
		(void)inb(0x71);
	}
}
