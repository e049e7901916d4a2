/* SPDX-License-Identifier: MIT */
/*
 * virtio.h - the virtio devices' shared internals: split virtqueues (what the guest put in a
 * queue, checked, as a list of host buffers; what the device gives back), the legacy virtio
 * PCI transport every device sits on, and each device type's entry points.
 */
#ifndef BASALT_VMM_VIRTIO_H
#define BASALT_VMM_VIRTIO_H

#include <sys/epoll.h>
#include <sys/uio.h>

#include "vmm_impl.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

#define VIRTQ_MAX_SIZE 256
#define VIRTIO_MAX_QUEUES 2

/* A split virtqueue in guest memory, laid out as the legacy interface places it. */
struct vmm_vq {
	uint16_t size;	     /* 0: not set up */
	uint64_t desc_gpa;   /* 16-byte descriptors */
	uint64_t avail_gpa;  /* flags, idx, ring[size] */
	uint64_t used_gpa;   /* flags, idx, ring[size] of (id, len) */
	uint16_t last_avail; /* the next avail entry the device takes */
	uint16_t used_idx;
};

/* One request: a descriptor chain as host buffers, the readable ones first. */
struct vmm_vq_req {
	uint16_t head;
	unsigned int n_out; /* device-readable buffers: iov[0, n_out) */
	unsigned int n_in;  /* device-writable buffers: iov[n_out, n_out + n_in) */
	struct iovec iov[VIRTQ_MAX_SIZE];
};

/* Place a queue of size entries whose descriptor table starts at desc_gpa (legacy layout:
 * the available ring follows, the used ring at the next 4 KiB boundary). -EINVAL if any part
 * lies outside guest RAM or the size is not a power of two up to VIRTQ_MAX_SIZE. */
int vmm_vq_setup(struct vmm_vm *vm, struct vmm_vq *vq, uint16_t size, uint64_t desc_gpa);
/* Take the next request: 1 with *req filled, 0 if the queue is empty, -EINVAL (with a message)
 * if the guest's queue is malformed: a chain that loops or is longer than the queue, a
 * descriptor outside guest memory, an index out of range, an indirect descriptor, a readable
 * buffer after a writable one. */
int vmm_vq_pop(struct vmm_vm *vm, struct vmm_vq *vq, struct vmm_vq_req *req);
/* Give a request back with len bytes written into its writable buffers. */
void vmm_vq_push(struct vmm_vm *vm, struct vmm_vq *vq, uint16_t head, uint32_t len);
/* Copy from/to a request's readable/writable buffers, starting at byte off among them. */
size_t vmm_vq_read(const struct vmm_vq_req *req, size_t off, void *buf, size_t len);
size_t vmm_vq_write(const struct vmm_vq_req *req, size_t off, const void *buf, size_t len);
size_t vmm_vq_in_size(const struct vmm_vq_req *req);
size_t vmm_vq_out_size(const struct vmm_vq_req *req);

struct vmm_virtio;

/* What a device type provides to the transport. */
struct vmm_virtio_ops {
	const char *name;
	uint16_t type;	     /* VIRTIO_ID_* */
	uint16_t pci_device; /* the transitional PCI device ID */
	uint32_t pci_class;
	unsigned int n_queues;
	/* the guest kicked queue q: runs on the I/O thread with v->lock held */
	void (*notify)(struct vmm_virtio *v, unsigned int q);
	/* the guest reset the device (status written 0) */
	void (*reset)(struct vmm_virtio *v);
	void (*destroy)(struct vmm_virtio *v);
};

struct vmm_virtio_queue_event {
	struct vmm_event ev;
	struct vmm_virtio *v;
	unsigned int q;
	bool ioeventfd; /* registered with KVM: kicks do not exit to the VMM */
};

struct vmm_virtio {
	struct vmm_vm *vm;
	const struct vmm_virtio_ops *ops;
	void *dev; /* the device type's state */
	struct vmm_pci_dev pci;
	pthread_mutex_t lock; /* registers and queues; notify() and fail() run with it held */
	uint32_t host_features;
	uint32_t guest_features;
	uint8_t status;
	uint8_t isr;
	uint16_t queue_sel;
	bool broken; /* a malformed queue stopped the device until the guest resets it */
	uint8_t config[64];
	unsigned int config_len;
	struct vmm_vq vq[VIRTIO_MAX_QUEUES];
	struct vmm_virtio_queue_event qev[VIRTIO_MAX_QUEUES];
	atomic_uint_fast64_t requests;
};

/* virtio_pci.c: put a device on the PCI bus with its queues' eventfds and its interrupt */
int vmm_virtio_pci_add(struct vmm_vm *vm, struct vmm_virtio *v);
void vmm_virtio_pci_remove(struct vmm_virtio *v);
/* Raise the device's queue interrupt (from the I/O thread, with v->lock held). */
void vmm_virtio_interrupt(struct vmm_virtio *v);
/* Mark the device broken after a malformed queue: one line in the log, no more requests.
 * Both with v->lock held. */
void vmm_virtio_fail(struct vmm_virtio *v, const char *why);
bool vmm_virtio_ready(struct vmm_virtio *v, unsigned int q);
/* Serve every request queued on q: fn handles one and returns how many bytes it wrote into the
 * request's buffers, or -1 after vmm_virtio_fail(); each request goes back through the used
 * ring, then the device interrupts once. With v->lock held. */
typedef int64_t (*vmm_virtio_request_fn)(struct vmm_virtio *v, const struct vmm_vq_req *req);
void vmm_virtio_serve(struct vmm_virtio *v, unsigned int q, vmm_virtio_request_fn fn);

/* the devices */
int vmm_virtio_blk_create(struct vmm_vm *vm, const struct vmm_disk_config *c,
			  struct vmm_virtio **ret);
int vmm_virtio_net_create(struct vmm_vm *vm, const struct vmm_net_config *c, unsigned int index,
			  struct vmm_virtio **ret);
int vmm_virtio_rng_create(struct vmm_vm *vm, struct vmm_virtio **ret);

#endif
