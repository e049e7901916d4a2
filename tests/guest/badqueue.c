// SPDX-License-Identifier: MIT
/*
 * badqueue.c - a guest that feeds the virtio entropy device malformed queues: a chain that
 * loops, then (after a reset) a buffer outside guest memory, then a chain longer than the
 * queue. Each time the device must flag itself as needing a reset (status bit 0x40) instead of
 * following the chain, and after a reset it must work again. Exit status 0 when it does.
 */
#include "guest.h"

#define QSIZE 256

static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
static uint8_t buf[16];

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static uint16_t find_rng(void)
{
	for (unsigned int slot = 1; slot < 32; slot++) {
		outl(0xcf8, 0x80000000u | slot << 11);
		if (inl(0xcfc) != 0x10051af4)
			continue;
		outl(0xcf8, 0x80000000u | slot << 11 | 0x10);
		return (uint16_t)(inl(0xcfc) & ~3u);
	}
	return 0;
}

/* Reset the device, post one chain built by fill(), and say whether it was refused. */
static int refused(uint16_t io, void (*fill)(struct desc *t))
{
	struct desc *t = (struct desc *)mem;
	volatile uint16_t *avail = (volatile uint16_t *)(mem + 16 * QSIZE);
	volatile uint16_t *used = (volatile uint16_t *)(mem + 8192);

	outb(io + 0x12, 0);
	guest_memset(mem, 0, sizeof(mem));
	outb(io + 0x12, 3);
	outw(io + 0x0e, 0);
	outl(io + 0x08, (uint32_t)((uint64_t)mem >> 12));
	outb(io + 0x12, 7);
	fill(t);
	avail[2] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = 1;
	outw(io + 0x10, 0);
	for (;;) {
		if (inb(io + 0x12) & 0x40)
			return 1;
		if (used[1] == 1)
			return 0;
		cpu_relax();
	}
}

static void fill_loop(struct desc *t)
{
	t[0] = (struct desc){ (uint64_t)buf, 8, 3, 1 };
	t[1] = (struct desc){ (uint64_t)buf + 8, 8, 3, 0 };
}

static void fill_outside(struct desc *t)
{
	t[0] = (struct desc){ 0x7ff000000000ULL, 16, 2, 0 };
}

static void fill_long(struct desc *t)
{
	for (unsigned int i = 0; i < QSIZE; i++)
		t[i] = (struct desc){ (uint64_t)buf, 1, 3, (uint16_t)((i + 1) % QSIZE) };
}

static void fill_good(struct desc *t)
{
	t[0] = (struct desc){ (uint64_t)buf, sizeof(buf), 2, 0 };
}

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	uint16_t io = find_rng();

	if (!io)
		return 1;
	if (!refused(io, fill_loop))
		return 2;
	if (!refused(io, fill_outside))
		return 3;
	if (!refused(io, fill_long))
		return 4;
	if (refused(io, fill_good))
		return 5;
	guest_puts("malformed queues refused, device works after reset\n");
	return 0;
}
