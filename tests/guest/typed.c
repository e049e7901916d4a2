// SPDX-License-Identifier: MIT
/*
 * typed.c - console input beyond the UART's receive FIFO: 2000 bytes typed at once,
 * "0123456789" over and over, far more than the 256 the FIFO holds, read by polling one exit
 * at a time. Every byte must arrive, in order: the VMM reads its input only as fast as the FIFO
 * empties. Exit status 0 when they all did, 1 at the first byte out of order (a lost byte
 * leaves the guest waiting for one that never comes: the harness's timeout ends it).
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	guest_puts("type 2000 bytes\n");
	for (unsigned int i = 0; i < 2000; i++) {
		while (!(inb(0x3f8 + 5) & 1))
			cpu_relax();
		if (inb(0x3f8) != '0' + i % 10)
			return 1;
	}
	guest_puts("got 2000 in order\n");
	return 0;
}
