// SPDX-License-Identifier: MIT
/*
 * hello.c - the smallest test guest: one line on the serial console, then exit status 0.
 * It proves the direct entry, the drop to CPL 3 and port I/O exits to the UART.
 */
#include "guest.h"

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	guest_puts("hello from a basalt guest\n");
	return 0;
}
