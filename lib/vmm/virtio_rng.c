// SPDX-License-Identifier: MIT
/*
 * virtio_rng.c - a virtio entropy device: every buffer the guest posts is filled from the
 * host's getrandom(2), so a guest has good randomness from its first boot.
 */
#include <sys/random.h>

#include "virtio.h"

static int64_t rng_serve(struct vmm_virtio *v, const struct vmm_vq_req *req)
{
	int64_t len = 0;

	for (unsigned int i = req->n_out; i < req->n_out + req->n_in; i++) {
		ssize_t got = getrandom(req->iov[i].iov_base, req->iov[i].iov_len, 0);

		if (got < 0)
			break;
		len += got;
	}
	vmm_probe_virtio(VIRTIO_ID_RNG, 0, 0, len);
	return len;
}

static void rng_notify(struct vmm_virtio *v, unsigned int q)
{
	vmm_virtio_serve(v, q, rng_serve);
}

static const struct vmm_virtio_ops rng_ops = {
	.name = "rng",
	.type = VIRTIO_ID_RNG,
	.pci_device = 0x1005,
	.pci_class = 0x00ff00,
	.n_queues = 1,
	.notify = rng_notify,
};

int vmm_virtio_rng_create(struct vmm_vm *vm, struct vmm_virtio **ret)
{
	_cleanup_free_ struct vmm_virtio *v = bs_zalloc(sizeof(*v));
	int r;

	v->ops = &rng_ops;
	r = vmm_virtio_pci_add(vm, v);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}
