// SPDX-License-Identifier: MIT
/*
 * virtio_pci.c - the legacy virtio PCI transport (virtio 1.x section 4.1.4.8): a device's
 * registers in its I/O BAR (features, queue address as a page number, queue size and select,
 * notify, status, ISR, then the device's own configuration), with a transitional PCI ID that
 * Linux's virtio_pci binds to. Queue kicks are KVM ioeventfds, so they signal the I/O thread
 * without stopping the vCPU; the interrupt is the slot's level-triggered IOAPIC pin, high while
 * the ISR register has a bit set. Raising it (with the device's lock held) and reading the ISR
 * (which clears it and lowers the line, under the same lock) cannot interleave.
 */
#include <linux/kvm.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "virtio.h"

#define VPCI_HOST_FEATURES 0x00
#define VPCI_GUEST_FEATURES 0x04
#define VPCI_QUEUE_PFN 0x08
#define VPCI_QUEUE_SIZE 0x0c
#define VPCI_QUEUE_SEL 0x0e
#define VPCI_QUEUE_NOTIFY 0x10
#define VPCI_STATUS 0x12
#define VPCI_ISR 0x13
#define VPCI_CONFIG 0x14
#define VPCI_BAR_SIZE 0x80

#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_NEEDS_RESET 0x40

void vmm_virtio_interrupt(struct vmm_virtio *v)
{
	v->isr |= 1;
	vmm_ioapic_set_irq(v->vm->ioapic, v->pci.irq, true);
}

void vmm_virtio_fail(struct vmm_virtio *v, const char *why)
{
	if (!v->broken)
		log_err("virtio-%s: %s; the device stops until the guest resets it", v->ops->name,
			why);
	v->broken = true;
	v->status |= VIRTIO_STATUS_NEEDS_RESET;
}

bool vmm_virtio_ready(struct vmm_virtio *v, unsigned int q)
{
	return !v->broken && (v->status & VIRTIO_STATUS_DRIVER_OK) && v->vq[q].size;
}

void vmm_virtio_serve(struct vmm_virtio *v, unsigned int q, vmm_virtio_request_fn fn)
{
	struct vmm_vq_req req;
	bool done = false;
	int r;

	while ((r = vmm_vq_pop(v->vm, &v->vq[q], &req)) > 0) {
		int64_t len = fn(v, &req);

		if (len < 0)
			return;
		vmm_vq_push(v->vm, &v->vq[q], req.head, (uint32_t)len);
		atomic_fetch_add(&v->requests, 1);
		done = true;
	}
	if (r < 0)
		vmm_virtio_fail(v, bs_error_msg());
	if (done)
		vmm_virtio_interrupt(v);
}

static void virtio_kick(void *opaque, uint32_t events)
{
	struct vmm_virtio_queue_event *qe = opaque;
	struct vmm_virtio *v = qe->v;
	uint64_t n;

	if (read(qe->ev.fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&v->lock);
	if (vmm_virtio_ready(v, qe->q))
		v->ops->notify(v, qe->q);
	pthread_mutex_unlock(&v->lock);
}

static void virtio_reset(struct vmm_virtio *v)
{
	v->status = 0;
	v->guest_features = 0;
	v->queue_sel = 0;
	v->broken = false;
	v->isr = 0;
	vmm_ioapic_set_irq(v->vm->ioapic, v->pci.irq, false);
	memset(v->vq, 0, sizeof(v->vq));
	if (v->ops->reset)
		v->ops->reset(v);
}

static uint32_t virtio_reg_read(struct vmm_virtio *v, uint64_t off, unsigned int len)
{
	uint16_t q = v->queue_sel;
	uint32_t val = 0;

	switch (off) {
	case VPCI_HOST_FEATURES:
		return v->host_features;
	case VPCI_GUEST_FEATURES:
		return v->guest_features;
	case VPCI_QUEUE_PFN:
		return q < v->ops->n_queues ? (uint32_t)(v->vq[q].desc_gpa >> 12) : 0;
	case VPCI_QUEUE_SIZE:
		return q < v->ops->n_queues ? VIRTQ_MAX_SIZE : 0;
	case VPCI_QUEUE_SEL:
		return q;
	case VPCI_STATUS:
		return v->status;
	case VPCI_ISR:
		/* reading acknowledges and lowers the line */
		val = v->isr;
		v->isr = 0;
		vmm_ioapic_set_irq(v->vm->ioapic, v->pci.irq, false);
		return val;
	default:
		if (off >= VPCI_CONFIG && off - VPCI_CONFIG + len <= v->config_len)
			memcpy(&val, v->config + off - VPCI_CONFIG, len);
		return val;
	}
}

static void virtio_reg_write(struct vmm_virtio *v, uint64_t off, uint32_t val, unsigned int len)
{
	uint16_t q = v->queue_sel;
	uint64_t one = 1;

	switch (off) {
	case VPCI_GUEST_FEATURES:
		v->guest_features = val & v->host_features;
		break;
	case VPCI_QUEUE_PFN:
		if (q >= v->ops->n_queues)
			break;
		if (val == 0) {
			memset(&v->vq[q], 0, sizeof(v->vq[q]));
		} else if (vmm_vq_setup(v->vm, &v->vq[q], VIRTQ_MAX_SIZE, (uint64_t)val << 12) <
			   0) {
			log_err("virtio-%s: queue %u: %s", v->ops->name, q, bs_error_msg());
			v->broken = true;
			v->status |= VIRTIO_STATUS_NEEDS_RESET;
		}
		break;
	case VPCI_QUEUE_SEL:
		v->queue_sel = (uint16_t)val;
		break;
	case VPCI_QUEUE_NOTIFY: /* a kick that did not go through the ioeventfd */
		if (val < v->ops->n_queues && write(v->qev[val].ev.fd, &one, sizeof(one)) < 0)
			log_warn("virtio-%s: lost a queue notification", v->ops->name);
		break;
	case VPCI_STATUS:
		if ((val & 0xff) == 0)
			virtio_reset(v);
		else
			v->status = (uint8_t)val;
		break;
	default:
		break; /* read-only registers and the configuration: ignored */
	}
}

static void virtio_pci_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len,
			  bool is_write)
{
	struct vmm_virtio *v = opaque;
	uint32_t val = 0;

	pthread_mutex_lock(&v->lock);
	if (is_write) {
		memcpy(&val, data, MIN(len, 4u));
		virtio_reg_write(v, off, val, len);
	} else {
		val = virtio_reg_read(v, off, len);
		memcpy(data, &val, MIN(len, 4u));
	}
	pthread_mutex_unlock(&v->lock);
}

/* A KVM ioeventfd for the queue's notify value: kicks no longer exit to the VMM. */
static int virtio_ioeventfd(struct vmm_virtio *v, unsigned int q, bool assign)
{
	struct kvm_ioeventfd io = {
		.datamatch = q,
		.addr = v->pci.bar_port + VPCI_QUEUE_NOTIFY,
		.len = 2,
		.fd = v->qev[q].ev.fd,
		.flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(v->vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

int vmm_virtio_pci_add(struct vmm_vm *vm, struct vmm_virtio *v)
{
	int r;

	v->vm = vm;
	pthread_mutex_init(&v->lock, NULL);
	v->pci.bar_size = VPCI_BAR_SIZE;
	ASSERT(VPCI_CONFIG + sizeof(v->config) <= VPCI_BAR_SIZE);
	r = vmm_pci_add(vm, &v->pci, 0x1af4, v->ops->pci_device, v->ops->pci_class, v->ops->type,
			virtio_pci_io, v);
	if (r < 0)
		return r;

	for (unsigned int q = 0; q < v->ops->n_queues; q++) {
		struct vmm_virtio_queue_event *qe = &v->qev[q];

		qe->v = v;
		qe->q = q;
		qe->ev = (struct vmm_event){ eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), virtio_kick,
					     qe };
		if (qe->ev.fd < 0)
			return bs_error(errno, "eventfd: %s", strerror(errno));
		qe->ioeventfd = virtio_ioeventfd(v, q, true) == 0;
		r = vmm_loop_add(&vm->loop, &qe->ev, EPOLLIN);
		if (r < 0)
			return r;
	}

	return 0;
}

void vmm_virtio_pci_remove(struct vmm_virtio *v)
{
	for (unsigned int q = 0; q < v->ops->n_queues; q++) {
		if (v->qev[q].ioeventfd)
			virtio_ioeventfd(v, q, false);
		if (v->qev[q].ev.fd > 0)
			close(v->qev[q].ev.fd);
	}
	pthread_mutex_destroy(&v->lock);
}
