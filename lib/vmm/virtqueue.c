// SPDX-License-Identifier: MIT
/*
 * virtqueue.c - split virtqueues (virtio 1.x section 2.7, in the legacy layout): taking the
 * guest's requests from the available ring and returning them through the used ring. The
 * guest writes these structures, so nothing in them is trusted: every index is range-checked,
 * every buffer must lie wholly in guest RAM, and a chain may not be longer than the queue
 * (which also catches loops). A bad queue is reported, never followed.
 */
#include "virtio.h"

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint64_t vq_avail_size(uint16_t size)
{
	return 4 + 2ULL * size + 2;
}

int vmm_vq_setup(struct vmm_vm *vm, struct vmm_vq *vq, uint16_t size, uint64_t desc_gpa)
{
	uint64_t avail = desc_gpa + 16ULL * size;
	uint64_t used = P2ROUNDUP(avail + vq_avail_size(size), 4096ULL);

	if (size == 0 || size > VIRTQ_MAX_SIZE || !IS_P2(size))
		return bs_error(EINVAL, "queue size %u is not a power of two up to %d", size,
				VIRTQ_MAX_SIZE);
	if (!vmm_gpa(vm, desc_gpa, 16ULL * size) || !vmm_gpa(vm, avail, vq_avail_size(size)) ||
	    !vmm_gpa(vm, used, 4 + 8ULL * size + 2))
		return bs_error(EINVAL, "queue at 0x%" PRIx64 " lies outside guest memory",
				desc_gpa);
	*vq = (struct vmm_vq){
		.size = size, .desc_gpa = desc_gpa, .avail_gpa = avail, .used_gpa = used
	};
	return 0;
}

static uint16_t vq_load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

int vmm_vq_pop(struct vmm_vm *vm, struct vmm_vq *vq, struct vmm_vq_req *req)
{
	const uint8_t *avail = vmm_gpa(vm, vq->avail_gpa, vq_avail_size(vq->size));
	const struct virtq_desc *table = vmm_gpa(vm, vq->desc_gpa, 16ULL * vq->size);
	uint16_t avail_idx, head, i;
	unsigned int n = 0;

	if (!vq->size || !avail || !table)
		return bs_error(EINVAL, "the queue is not set up");
	avail_idx = vq_load16(avail + 2);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return bs_error(EINVAL, "the available index ran %u entries ahead of a queue of %u",
				(uint16_t)(avail_idx - vq->last_avail), vq->size);
	head = vq_load16(avail + 4 + 2 * (vq->last_avail % vq->size));
	if (head >= vq->size)
		return bs_error(EINVAL, "descriptor index %u out of range (queue of %u)", head,
				vq->size);

	req->head = head;
	req->n_out = req->n_in = 0;
	i = head;
	for (;;) {
		struct virtq_desc d;
		void *p;

		memcpy(&d, &table[i], sizeof(d));
		if (n == vq->size)
			return bs_error(EINVAL,
					"a descriptor chain is longer than its queue (a loop?)");
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return bs_error(EINVAL, "indirect descriptors were not offered");
		p = vmm_gpa(vm, d.addr, d.len);
		if (!p)
			return bs_error(EINVAL,
					"a buffer at 0x%" PRIx64 " (%u bytes) lies outside "
					"guest memory",
					d.addr, d.len);
		if (d.flags & VIRTQ_DESC_F_WRITE)
			req->n_in++;
		else if (req->n_in)
			return bs_error(EINVAL, "a readable buffer follows a writable one");
		else
			req->n_out++;
		req->iov[n++] = (struct iovec){ p, d.len };
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= vq->size)
			return bs_error(EINVAL, "descriptor index %u out of range (queue of %u)",
					d.next, vq->size);
		i = d.next;
	}
	vq->last_avail++;
	return 1;
}

void vmm_vq_push(struct vmm_vm *vm, struct vmm_vq *vq, uint16_t head, uint32_t len)
{
	uint8_t *used = vmm_gpa(vm, vq->used_gpa, 4 + 8ULL * vq->size);
	uint32_t elem[2] = { head, len };

	if (!used)
		return;
	memcpy(used + 4 + 8 * (vq->used_idx % vq->size), elem, sizeof(elem));
	vq->used_idx++;
	__atomic_store_n((uint16_t *)(used + 2), vq->used_idx, __ATOMIC_RELEASE);
}

static size_t vq_copy(const struct iovec *iov, unsigned int n, size_t off, void *buf, size_t len,
		      bool to_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = MIN(iov[i].iov_len - off, len - done);
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, (uint8_t *)buf + done, chunk);
		else
			memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t vmm_vq_read(const struct vmm_vq_req *req, size_t off, void *buf, size_t len)
{
	return vq_copy(req->iov, req->n_out, off, buf, len, false);
}

size_t vmm_vq_write(const struct vmm_vq_req *req, size_t off, const void *buf, size_t len)
{
	return vq_copy(req->iov + req->n_out, req->n_in, off, (void *)buf, len, true);
}

static size_t iov_size(const struct iovec *iov, unsigned int n)
{
	size_t s = 0;

	for (unsigned int i = 0; i < n; i++)
		s += iov[i].iov_len;
	return s;
}

size_t vmm_vq_in_size(const struct vmm_vq_req *req)
{
	return iov_size(req->iov + req->n_out, req->n_in);
}

size_t vmm_vq_out_size(const struct vmm_vq_req *req)
{
	return iov_size(req->iov, req->n_out);
}
