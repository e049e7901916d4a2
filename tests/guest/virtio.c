// SPDX-License-Identifier: MIT
/*
 * virtio.c - a minimal virtio driver in a test guest: it finds the virtio devices on PCI bus 0
 * through configuration mechanism #1, drives them through the legacy I/O BAR, and reports on
 * the console. Block: checks the device ID, reads sector 0 (written by the host beforehand),
 * writes sector 1 and reads it back, flushes, and discards sector 2; on a read-only disk the
 * write must fail. Network: sends an ARP request for 10.213.77.1 from 10.213.77.2 and waits for
 * the host's reply on the tap. Entropy: fills a buffer. Every step prints a line the test
 * checks; the exit status is the number of the first failed step, 0 if none.
 */
#include "guest.h"

#define QSIZE 256
#define VIRTIO_ISR 0x13

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct queue {
	uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
	uint16_t used_seen;
	uint16_t avail_idx;
};

static struct queue queues[4];
static unsigned int n_queues;

static uint32_t pci_read(unsigned int slot, unsigned int reg)
{
	outl(0xcf8, 0x80000000u | slot << 11 | reg);
	return inl(0xcfc);
}

static struct desc *q_desc(struct queue *q)
{
	return (struct desc *)q->mem;
}

static volatile uint16_t *q_avail(struct queue *q)
{
	return (volatile uint16_t *)(q->mem + 16 * QSIZE);
}

static volatile uint16_t *q_used_idx(struct queue *q)
{
	return (volatile uint16_t *)(q->mem + 8192 + 2);
}

static volatile uint32_t *q_used_len(struct queue *q, uint16_t i)
{
	return (volatile uint32_t *)(q->mem + 8192 + 4 + 8 * (i % QSIZE) + 4);
}

/* Reset the device, set up its queues, and tell it the driver is ready. */
static struct queue *dev_init(uint16_t io, unsigned int nq, uint32_t features)
{
	struct queue *first = &queues[n_queues];

	outb(io + 0x12, 0);
	outb(io + 0x12, 1);
	outb(io + 0x12, 3);
	outl(io + 0x04, inl(io) & features);
	for (unsigned int i = 0; i < nq; i++) {
		struct queue *q = &queues[n_queues++];

		outw(io + 0x0e, (uint16_t)i);
		if (inw(io + 0x0c) != QSIZE)
			return 0;
		outl(io + 0x08, (uint32_t)((uint64_t)q->mem >> 12));
	}
	outb(io + 0x12, 7);
	return first;
}

/* Post a chain of n buffers on queue qi of the device, kick, and wait for it to come back. */
static uint32_t dev_submit(uint16_t io, struct queue *q, unsigned int qi, const struct desc *d,
			   unsigned int n, int wait)
{
	struct desc *t = q_desc(q);
	uint16_t head = (uint16_t)(q->avail_idx % QSIZE * 4 % QSIZE);

	for (unsigned int i = 0; i < n; i++) {
		t[head + i] = d[i];
		t[head + i].next = (uint16_t)(head + i + 1);
		if (i + 1 < n)
			t[head + i].flags |= 1;
	}
	q_avail(q)[2 + q->avail_idx % QSIZE] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q_avail(q)[1] = ++q->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	outw(io + 0x10, (uint16_t)qi);
	if (!wait)
		return 0;
	while (*q_used_idx(q) == q->used_seen)
		cpu_relax();
	return *q_used_len(q, q->used_seen++);
}

static uint8_t sector[512] __attribute__((aligned(512)));
static uint8_t status;

static int blk_req(uint16_t io, struct queue *q, uint32_t type, uint64_t lba, void *buf,
		   uint32_t len, int write)
{
	static struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	struct desc d[3];
	unsigned int n = 0;

	hdr.type = type;
	hdr.sector = lba;
	d[n++] = (struct desc){ (uint64_t)&hdr, sizeof(hdr), 0, 0 };
	if (len)
		d[n++] = (struct desc){ (uint64_t)buf, len, (uint16_t)(write ? 0 : 2), 0 };
	status = 0xff;
	d[n++] = (struct desc){ (uint64_t)&status, 1, 2, 0 };
	dev_submit(io, q, 0, d, n, 1);
	return status;
}

static int test_blk(uint16_t io)
{
	static const char msg[] = "written by the basalt test guest";
	static char id[21];
	static struct {
		uint64_t sector;
		uint32_t n, flags;
	} discard = { 2, 1, 0 };
	uint32_t features = inl(io);
	int ro = features >> 5 & 1;
	struct queue *q = dev_init(io, 1, features);
	uint64_t capacity = inl(io + 0x14) | (uint64_t)inl(io + 0x18) << 32;

	if (!q)
		return 10;
	guest_puts("blk: ");
	guest_put_u64(capacity);
	guest_puts(" sectors\n");
	if (blk_req(io, q, 8, 0, id, 20, 0) != 0)
		return 11;
	guest_puts("blk: id ");
	guest_puts(id);
	guest_putc('\n');
	if (blk_req(io, q, 0, 0, sector, 512, 0) != 0)
		return 12;
	sector[40] = 0;
	guest_puts("blk: sector 0 says ");
	guest_puts((char *)sector);
	guest_putc('\n');

	guest_memset(sector, 0, sizeof(sector));
	guest_memcpy(sector, msg, sizeof(msg));
	if (ro) {
		if (blk_req(io, q, 1, 1, sector, 512, 1) != 1)
			return 13;
		guest_puts("blk: write refused on a read-only disk\n");
		return 0;
	}
	if (blk_req(io, q, 1, 1, sector, 512, 1) != 0)
		return 14;
	guest_memset(sector, 0, sizeof(sector));
	if (blk_req(io, q, 0, 1, sector, 512, 0) != 0 || guest_memcmp(sector, msg, sizeof(msg)))
		return 15;
	if (blk_req(io, q, 4, 0, 0, 0, 0) != 0)
		return 16;
	if (blk_req(io, q, 11, 0, &discard, sizeof(discard), 1) != 0)
		return 17;
	if (blk_req(io, q, 0, capacity, sector, 512, 0) != 1)
		return 18; /* past the end */
	if (!(inb(io + VIRTIO_ISR) & 1))
		return 19;
	guest_puts("blk: write, read back, flush, discard ok\n");
	return 0;
}

static uint8_t frame[64];
static uint8_t rx[2048] __attribute__((aligned(64)));

static int test_net(uint16_t io)
{
	static const uint8_t ip_me[4] = { 10, 213, 77, 2 }, ip_host[4] = { 10, 213, 77, 1 };
	static uint8_t hdr[10], rxhdr_dummy;
	struct queue *q = dev_init(io, 2, 1u << 5);
	uint8_t mac[6];
	struct desc d[2];

	(void)rxhdr_dummy;
	if (!q)
		return 20;
	for (int i = 0; i < 6; i++)
		mac[i] = inb((uint16_t)(io + 0x14 + i));
	/* receive: one buffer for the header and the frame */
	d[0] = (struct desc){ (uint64_t)rx, sizeof(rx), 2, 0 };
	dev_submit(io, &q[0], 0, d, 1, 0);

	/* an ARP request: who has ip_host? tell ip_me */
	guest_memset(frame, 0xff, 6);
	guest_memcpy(frame + 6, mac, 6);
	frame[12] = 0x08;
	frame[13] = 0x06;
	guest_memcpy(frame + 14, (uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
	guest_memcpy(frame + 22, mac, 6);
	guest_memcpy(frame + 28, ip_me, 4);
	guest_memset(frame + 32, 0, 6);
	guest_memcpy(frame + 38, ip_host, 4);
	d[0] = (struct desc){ (uint64_t)hdr, sizeof(hdr), 0, 0 };
	d[1] = (struct desc){ (uint64_t)frame, 60, 0, 0 };
	dev_submit(io, &q[1], 1, d, 2, 1);
	guest_puts("net: ARP request sent\n");

	for (;;) {
		uint8_t *f = rx + 10;

		while (*q_used_idx(&q[0]) == q[0].used_seen)
			cpu_relax();
		q[0].used_seen++;
		if (f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
		    !guest_memcmp(f + 28, ip_host, 4)) {
			guest_puts("net: ARP reply from the host\n");
			return 0;
		}
		d[0] = (struct desc){ (uint64_t)rx, sizeof(rx), 2, 0 };
		dev_submit(io, &q[0], 0, d, 1, 0); /* something else: wait for more */
	}
}

static int test_rng(uint16_t io)
{
	static uint8_t buf[64];
	struct queue *q = dev_init(io, 1, 0);
	struct desc d = { (uint64_t)buf, sizeof(buf), 2, 0 };
	unsigned int nonzero = 0;

	if (!q)
		return 30;
	if (dev_submit(io, q, 0, &d, 1, 1) != sizeof(buf))
		return 31;
	for (unsigned int i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	if (nonzero < 32)
		return 32;
	guest_puts("rng: 64 random bytes\n");
	return 0;
}

int guest_main(uint64_t cpu, uint64_t ncpus);

int guest_main(uint64_t cpu, uint64_t ncpus)
{
	int r;

	for (unsigned int slot = 1; slot < 32; slot++) {
		uint32_t id = pci_read(slot, 0);
		uint16_t io, type;

		if ((id & 0xffff) != 0x1af4)
			continue;
		io = (uint16_t)(pci_read(slot, 0x10) & ~3u);
		type = (uint16_t)(pci_read(slot, 0x2c) >> 16);
		r = type == 2 ? test_blk(io) :
		    type == 1 ? test_net(io) :
		    type == 4 ? test_rng(io) :
				0;
		if (r)
			return r;
	}
	guest_puts("virtio done\n");
	return 0;
}
