// SPDX-License-Identifier: MIT
/*
 * virtio_net.c - a virtio network device on a tap interface. The tap is opened with a virtio
 * net header (IFF_VNET_HDR), so frames pass between the tap and the guest's buffers with no
 * translation: transmit writes each chain with writev, receive reads the tap straight into
 * the guest's buffers. The tap is watched edge-triggered; receiving stops when the guest has
 * no buffers and resumes when it posts more.
 */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include "virtio.h"

#define NET_F_MAC (1u << 5)
#define NET_F_STATUS (1u << 16)
#define NET_HDR_LEN 10 /* struct virtio_net_hdr without merged buffers */
#define NET_RX 0
#define NET_TX 1

struct net {
	int tap;
	struct vmm_event tap_ev;
};

static int net_tap_open(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = NET_HDR_LEN;
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return bs_error(errno, "tap '%s': cannot open /dev/net/tun: %s", name,
				strerror(errno));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return bs_error(errno, "tap '%s': %s", name, strerror(errno));
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return bs_error(errno, "tap '%s': cannot set its header size: %s", name,
				strerror(errno));
	return TAKE_FD(fd);
}

/* Move frames from the tap into the guest's receive buffers while both have some. */
static void net_rx(struct vmm_virtio *v)
{
	struct net *n = v->dev;
	struct vmm_vq_req req;
	bool done = false;

	for (;;) {
		struct vmm_vq *vq = &v->vq[NET_RX];
		uint16_t saved = vq->last_avail;
		ssize_t len;
		int r;

		r = vmm_vq_pop(v->vm, vq, &req);
		if (r < 0) {
			vmm_virtio_fail(v, bs_error_msg());
			break;
		}
		if (r == 0)
			break; /* no buffers: wait for the guest's kick */
		if (req.n_out) {
			vmm_virtio_fail(v, "a receive buffer is not writable");
			break;
		}
		len = readv(n->tap, req.iov, (int)req.n_in);
		if (len < 0) {
			vq->last_avail = saved; /* nothing to read: keep the buffer */
			break;
		}
		vmm_probe_virtio(VIRTIO_ID_NET, NET_RX, 0, len);
		vmm_vq_push(v->vm, vq, req.head, (uint32_t)len);
		atomic_fetch_add(&v->requests, 1);
		done = true;
	}
	if (done)
		vmm_virtio_interrupt(v);
}

static int64_t net_tx(struct vmm_virtio *v, const struct vmm_vq_req *req)
{
	struct net *n = v->dev;
	ssize_t len;

	if (req->n_in) {
		vmm_virtio_fail(v, "a transmit buffer is writable");
		return -1;
	}
	len = writev(n->tap, req->iov, (int)req->n_out);
	vmm_probe_virtio(VIRTIO_ID_NET, NET_TX, 1, len);
	/* a frame the tap refuses (down, full) is dropped, as a wire would */
	return 0;
}

static void net_notify(struct vmm_virtio *v, unsigned int q)
{
	if (q == NET_TX)
		vmm_virtio_serve(v, q, net_tx);
	else
		net_rx(v);
}

static void net_tap_readable(void *opaque, uint32_t events)
{
	struct vmm_virtio *v = opaque;

	pthread_mutex_lock(&v->lock);
	if (vmm_virtio_ready(v, NET_RX))
		net_rx(v);
	pthread_mutex_unlock(&v->lock);
}

static void net_destroy(struct vmm_virtio *v)
{
	struct net *n = v->dev;

	if (n && n->tap >= 0)
		close(n->tap);
	free(n);
}

static const struct vmm_virtio_ops net_ops = {
	.name = "net",
	.type = VIRTIO_ID_NET,
	.pci_device = 0x1000,
	.pci_class = 0x020000,
	.n_queues = 2,
	.notify = net_notify,
	.destroy = net_destroy,
};

int vmm_virtio_net_create(struct vmm_vm *vm, const struct vmm_net_config *c, unsigned int index,
			  struct vmm_virtio **ret)
{
	_cleanup_free_ struct vmm_virtio *v = bs_zalloc(sizeof(*v));
	struct net *n = bs_zalloc(sizeof(*n));
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xba, 0x5a, (uint8_t)index };
	uint16_t status = 1; /* link up */
	int r;

	v->ops = &net_ops;
	v->dev = n;
	n->tap = net_tap_open(c->tap);
	if (n->tap < 0) {
		r = n->tap;
		net_destroy(v);
		return r;
	}
	if (c->has_mac)
		memcpy(mac, c->mac, 6);
	else
		memcpy(mac + 3,
		       (uint8_t[3]){ (uint8_t)(getpid() >> 8), (uint8_t)getpid(), (uint8_t)index },
		       3);
	v->host_features = NET_F_MAC | NET_F_STATUS;
	memcpy(v->config, mac, 6);
	memcpy(v->config + 6, &status, 2);
	v->config_len = 8;

	r = vmm_virtio_pci_add(vm, v);
	if (r < 0) {
		net_destroy(v);
		return r;
	}
	n->tap_ev = (struct vmm_event){ n->tap, net_tap_readable, v };
	r = vmm_loop_add(&vm->loop, &n->tap_ev, EPOLLIN | EPOLLET);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}
