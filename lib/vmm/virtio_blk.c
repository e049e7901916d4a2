// SPDX-License-Identifier: MIT
/*
 * virtio_blk.c - a virtio block device backed by a file: reads, writes, flushes (fdatasync),
 * discards (holes punched in the file), write-zeroes, and the device ID; read-only when asked,
 * refusing writes with an I/O error status. Requests are served in order on the I/O thread
 * with preadv/pwritev straight into and out of guest memory.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <sys/stat.h>

#include "virtio.h"

#define BLK_F_SEG_MAX (1u << 2)
#define BLK_F_RO (1u << 5)
#define BLK_F_BLK_SIZE (1u << 6)
#define BLK_F_FLUSH (1u << 9)
#define BLK_F_DISCARD (1u << 13)
#define BLK_F_WRITE_ZEROES (1u << 14)

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_T_DISCARD 11
#define BLK_T_WRITE_ZEROES 13

#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

#define SECTOR 512ULL
#define BLK_MAX_DISCARD_SEGS 16

struct blk {
	int fd;
	bool readonly;
	uint64_t sectors;
	char id[20];
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct blk_discard {
	uint64_t sector;
	uint32_t sectors;
	uint32_t flags;
};

/* Read or write the data buffers of a request at byte offset off of the disk. */
static uint8_t blk_rw(struct blk *b, const struct vmm_vq_req *req, bool write, uint64_t off,
		      uint32_t *ret_len)
{
	const struct iovec *iov = write ? req->iov + 1 : req->iov + req->n_out;
	unsigned int n = write ? req->n_out - 1 : req->n_in - 1;
	uint64_t len = 0;

	for (unsigned int i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (len % SECTOR || off / SECTOR > b->sectors || len / SECTOR > b->sectors - off / SECTOR)
		return BLK_S_IOERR;
	*ret_len = write ? 0 : (uint32_t)len;
	/* one system call for the whole request; after a short one, buffer by buffer (again from
	 * the start: repeating a read or a write of the same data is harmless) */
	if (n <= IOV_MAX && (uint64_t)(write ? pwritev(b->fd, iov, (int)n, (off_t)off) :
					       preadv(b->fd, iov, (int)n, (off_t)off)) == len)
		return BLK_S_OK;
	for (unsigned int i = 0; i < n; i++) {
		int r = write ? bs_pwrite_full(b->fd, iov[i].iov_base, iov[i].iov_len, off) :
				bs_pread_full(b->fd, iov[i].iov_base, iov[i].iov_len, off);

		if (r < 0)
			return BLK_S_IOERR;
		off += iov[i].iov_len;
	}
	return BLK_S_OK;
}

/* Discard or write zeroes: each segment punches a hole (or zeroes a range) in the file. */
static uint8_t blk_discard(struct blk *b, const struct vmm_vq_req *req, bool zeroes)
{
	size_t total = vmm_vq_out_size(req) - sizeof(struct blk_hdr);
	struct blk_discard seg;

	if (total % sizeof(seg) || total / sizeof(seg) > BLK_MAX_DISCARD_SEGS)
		return BLK_S_UNSUPP;
	for (size_t off = 0; off < total; off += sizeof(seg)) {
		int mode = FALLOC_FL_KEEP_SIZE |
			   (zeroes ? FALLOC_FL_ZERO_RANGE : FALLOC_FL_PUNCH_HOLE);

		vmm_vq_read(req, sizeof(struct blk_hdr) + off, &seg, sizeof(seg));
		if (seg.sector > b->sectors || seg.sectors > b->sectors - seg.sector)
			return BLK_S_IOERR;
		if (seg.sectors && fallocate(b->fd, mode, (off_t)(seg.sector * SECTOR),
					     (off_t)(seg.sectors * SECTOR)) < 0) {
			if (!zeroes)
				continue; /* discard is advisory: a file system without holes */
			return BLK_S_IOERR;
		}
	}
	return BLK_S_OK;
}

static uint8_t blk_request(struct blk *b, const struct vmm_vq_req *req, uint32_t *ret_len)
{
	struct blk_hdr h;

	*ret_len = 0;
	if (req->n_out == 0 || vmm_vq_read(req, 0, &h, sizeof(h)) != sizeof(h))
		return BLK_S_IOERR;
	vmm_probe_virtio(VIRTIO_ID_BLOCK, 0, h.type, vmm_vq_out_size(req) + vmm_vq_in_size(req));
	switch (h.type) {
	case BLK_T_IN:
		return blk_rw(b, req, false, h.sector * SECTOR, ret_len);
	case BLK_T_OUT:
		if (b->readonly)
			return BLK_S_IOERR;
		return blk_rw(b, req, true, h.sector * SECTOR, ret_len);
	case BLK_T_FLUSH:
		return fdatasync(b->fd) < 0 ? BLK_S_IOERR : BLK_S_OK;
	case BLK_T_GET_ID:
		*ret_len = (uint32_t)vmm_vq_write(req, 0, b->id,
						  MIN(vmm_vq_in_size(req) - 1, sizeof(b->id)));
		return BLK_S_OK;
	case BLK_T_DISCARD:
	case BLK_T_WRITE_ZEROES:
		if (b->readonly)
			return BLK_S_IOERR;
		return blk_discard(b, req, h.type == BLK_T_WRITE_ZEROES);
	default:
		return BLK_S_UNSUPP;
	}
}

static int64_t blk_serve(struct vmm_virtio *v, const struct vmm_vq_req *req)
{
	uint32_t len;
	uint8_t status;

	if (req->n_in == 0 || req->iov[req->n_out + req->n_in - 1].iov_len < 1) {
		vmm_virtio_fail(v, "a request has no status byte");
		return -1;
	}
	status = blk_request(v->dev, req, &len);
	vmm_vq_write(req, vmm_vq_in_size(req) - 1, &status, 1);
	return (int64_t)len + 1;
}

static void blk_notify(struct vmm_virtio *v, unsigned int q)
{
	vmm_virtio_serve(v, q, blk_serve);
}

static void blk_destroy(struct vmm_virtio *v)
{
	struct blk *b = v->dev;

	if (b && b->fd >= 0)
		close(b->fd);
	free(b);
}

static const struct vmm_virtio_ops blk_ops = {
	.name = "blk",
	.type = VIRTIO_ID_BLOCK,
	.pci_device = 0x1001,
	.pci_class = 0x010000,
	.n_queues = 1,
	.notify = blk_notify,
	.destroy = blk_destroy,
};

int vmm_virtio_blk_create(struct vmm_vm *vm, const struct vmm_disk_config *c,
			  struct vmm_virtio **ret)
{
	_cleanup_free_ struct vmm_virtio *v = bs_zalloc(sizeof(*v));
	struct blk *b = bs_zalloc(sizeof(*b));
	uint32_t v32;
	struct stat st;
	int r;

	v->ops = &blk_ops;
	v->dev = b;
	b->readonly = c->readonly;
	b->fd = open(c->path, (c->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0 || fstat(b->fd, &st) < 0) {
		r = bs_error(errno, "disk '%s': %s", c->path, strerror(errno));
		blk_destroy(v);
		return r;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		blk_destroy(v);
		return bs_error(EINVAL, "disk '%s': not a file or block device", c->path);
	}
	b->sectors = (uint64_t)st.st_size / SECTOR;
	snprintf(b->id, sizeof(b->id), "basalt%llu", (unsigned long long)st.st_ino);

	v->host_features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH |
			   (c->readonly ? BLK_F_RO : BLK_F_DISCARD | BLK_F_WRITE_ZEROES);
	memcpy(v->config, &b->sectors, 8); /* capacity */
	v32 = VIRTQ_MAX_SIZE - 2;
	memcpy(v->config + 12, &v32, 4); /* seg_max */
	v32 = 512;
	memcpy(v->config + 20, &v32, 4); /* blk_size */
	v32 = UINT32_MAX >> 9;
	memcpy(v->config + 36, &v32, 4); /* max_discard_sectors */
	v32 = BLK_MAX_DISCARD_SEGS;
	memcpy(v->config + 40, &v32, 4); /* max_discard_seg */
	v32 = 1;
	memcpy(v->config + 44, &v32, 4); /* discard_sector_alignment */
	v32 = UINT32_MAX >> 9;
	memcpy(v->config + 48, &v32, 4); /* max_write_zeroes_sectors */
	v32 = BLK_MAX_DISCARD_SEGS;
	memcpy(v->config + 52, &v32, 4); /* max_write_zeroes_seg */
	v->config_len = 60;

	r = vmm_virtio_pci_add(vm, v);
	if (r < 0) {
		blk_destroy(v);
		return r;
	}
	*ret = TAKE_PTR(v);
	return 0;
}
