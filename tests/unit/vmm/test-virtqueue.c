// SPDX-License-Identifier: MIT
/*
 * test-virtqueue.c - unit tests of lib/vmm/virtqueue.c against a guest memory of 64 KiB built
 * by hand: well-formed chains come out as host buffers in order and go back through the used
 * ring; every malformed queue (a loop, a chain longer than the queue, a buffer outside guest
 * memory, an index out of range, indirect descriptors, readable after writable, an available
 * index too far ahead, a queue placed outside memory) is refused.
 */
#include "virtio.h"

#include <setjmp.h>
#include <cmocka.h>

#define MEM (64 * 1024)
#define QS 16

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static uint8_t ram[MEM] __attribute__((aligned(4096)));
static struct vmm_vm vm = { .ram = ram, .ram_size = MEM, .low_size = MEM };

static struct desc *table(void)
{
	return (struct desc *)ram;
}

static uint16_t *avail(void)
{
	return (uint16_t *)(ram + 16 * QS);
}

static void post(struct vmm_vq *vq, uint16_t head)
{
	uint16_t idx = avail()[1];

	avail()[2 + idx % QS] = head;
	avail()[1] = (uint16_t)(idx + 1);
}

static int setup(void **state)
{
	memset(ram, 0, sizeof(ram));
	return 0;
}

static void test_good_chain(void **state)
{
	struct vmm_vq vq;
	struct vmm_vq_req req;
	uint8_t *used;
	uint32_t e[2];
	char buf[8];

	assert_int_equal(vmm_vq_setup(&vm, &vq, QS, 0), 0);
	assert_int_equal(vq.used_gpa, 4096);
	assert_int_equal(vmm_vq_pop(&vm, &vq, &req), 0);

	memcpy(ram + 0x8000, "request", 8);
	table()[3] = (struct desc){ 0x8000, 8, VIRTQ_DESC_F_NEXT, 5 };
	table()[5] = (struct desc){ 0x9000, 100, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 6 };
	table()[6] = (struct desc){ 0x9100, 1, VIRTQ_DESC_F_WRITE, 0 };
	post(&vq, 3);
	assert_int_equal(vmm_vq_pop(&vm, &vq, &req), 1);
	assert_int_equal(req.head, 3);
	assert_int_equal(req.n_out, 1);
	assert_int_equal(req.n_in, 2);
	assert_int_equal(vmm_vq_out_size(&req), 8);
	assert_int_equal(vmm_vq_in_size(&req), 101);
	assert_int_equal(vmm_vq_read(&req, 0, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "request");
	assert_int_equal(vmm_vq_write(&req, 98, "xyz", 3), 3);
	assert_memory_equal(ram + 0x9000 + 98, "xy", 2);
	assert_int_equal(ram[0x9100], 'z');
	vmm_vq_push(&vm, &vq, req.head, 101);
	used = ram + 4096;
	assert_int_equal(*(uint16_t *)(used + 2), 1);
	memcpy(e, used + 4, 8);
	assert_int_equal(e[0], 3);
	assert_int_equal(e[1], 101);
	assert_int_equal(vmm_vq_pop(&vm, &vq, &req), 0);
}

static void expect_refused(struct desc *d, unsigned int n, uint16_t head)
{
	struct vmm_vq vq;
	struct vmm_vq_req req;

	memset(ram, 0, sizeof(ram));
	assert_int_equal(vmm_vq_setup(&vm, &vq, QS, 0), 0);
	memcpy(table(), d, n * sizeof(*d));
	post(&vq, head);
	assert_int_equal(vmm_vq_pop(&vm, &vq, &req), -EINVAL);
}

static void test_malformed(void **state)
{
	struct desc loop[2] = { { 0x8000, 8, VIRTQ_DESC_F_NEXT, 1 },
				{ 0x8000, 8, VIRTQ_DESC_F_NEXT, 0 } };
	struct desc self[1] = { { 0x8000, 8, VIRTQ_DESC_F_NEXT, 0 } };
	struct desc outside[1] = { { MEM - 4, 8, 0, 0 } };
	struct desc huge[1] = { { 0x8000, UINT32_MAX, 0, 0 } };
	struct desc wrap[1] = { { UINT64_MAX - 2, 8, 0, 0 } };
	struct desc next_oob[1] = { { 0x8000, 8, VIRTQ_DESC_F_NEXT, QS } };
	struct desc indirect[1] = { { 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0 } };
	struct desc order[2] = { { 0x8000, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1 },
				 { 0x8000, 8, 0, 0 } };
	struct desc chain[QS];
	struct vmm_vq vq;
	struct vmm_vq_req req;

	expect_refused(loop, 2, 0);
	expect_refused(self, 1, 0);
	expect_refused(outside, 1, 0);
	expect_refused(huge, 1, 0);
	expect_refused(wrap, 1, 0);
	expect_refused(next_oob, 1, 0);
	expect_refused(indirect, 1, 0);
	expect_refused(order, 2, 0);
	expect_refused(self, 1, QS);	      /* the head itself out of range */
	for (unsigned int i = 0; i < QS; i++) /* every descriptor used, then one more */
		chain[i] = (struct desc){ 0x8000, 1, VIRTQ_DESC_F_NEXT, (uint16_t)((i + 1) % QS) };
	expect_refused(chain, QS, 0);

	memset(ram, 0, sizeof(ram));
	assert_int_equal(vmm_vq_setup(&vm, &vq, QS, 0), 0);
	avail()[1] = QS + 1; /* more entries than the queue holds */
	assert_int_equal(vmm_vq_pop(&vm, &vq, &req), -EINVAL);
}

static void test_setup(void **state)
{
	struct vmm_vq vq;

	assert_int_equal(vmm_vq_setup(&vm, &vq, 0, 0), -EINVAL);
	assert_int_equal(vmm_vq_setup(&vm, &vq, 3, 0), -EINVAL);
	assert_int_equal(vmm_vq_setup(&vm, &vq, 512, 0), -EINVAL);
	assert_int_equal(vmm_vq_setup(&vm, &vq, QS, MEM - 4096), -EINVAL);
	assert_int_equal(vmm_vq_setup(&vm, &vq, QS, UINT64_MAX - 4095), -EINVAL);
	assert_int_equal(vmm_vq_setup(&vm, &vq, QS, MEM - 2 * 4096), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_chain, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_setup, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
