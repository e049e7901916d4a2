// SPDX-License-Identifier: MIT
/*
 * null.c - the guest that does nothing: it enters, drops to CPL 3 and exits with status 0.
 * bench/vmm.sh times the VMM's start-to-exit with it.
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	return 0;
}
