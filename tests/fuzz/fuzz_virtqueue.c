// SPDX-License-Identifier: MIT
/*
 * fuzz_virtqueue.c - fuzz target for the virtqueue parser, the part of the VMM that reads what
 * a guest writes: the input becomes guest memory (64 KiB, the queue's descriptor table at 0)
 * and the device takes requests from it until the queue is empty or refused, copying from and
 * into every buffer and returning each through the used ring. Whatever the guest wrote, the
 * parser must refuse it or stay inside guest memory.
 *
 * Input: byte 0 picks the queue size (2^(b % 9)); the rest is guest memory from address 0.
 */
#include "virtio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MEM (64 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ram[MEM] __attribute__((aligned(4096)));
	struct vmm_vm vm = { .ram = ram, .ram_size = MEM, .low_size = MEM };
	static struct vmm_vq_req req;
	struct vmm_vq vq;
	uint8_t buf[64];

	if (size < 1)
		return 0;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 1, MIN(size - 1, sizeof(ram)));
	if (vmm_vq_setup(&vm, &vq, (uint16_t)(1u << (data[0] % 9)), 0) < 0)
		return 0;
	for (int i = 0; i < 1024 && vmm_vq_pop(&vm, &vq, &req) > 0; i++) {
		size_t in = vmm_vq_in_size(&req), out = vmm_vq_out_size(&req);

		vmm_vq_read(&req, out / 2, buf, sizeof(buf));
		vmm_vq_write(&req, in / 2, buf, sizeof(buf));
		vmm_vq_push(&vm, &vq, req.head, (uint32_t)in);
	}
	return 0;
}
