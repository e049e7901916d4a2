/* SPDX-License-Identifier: MIT */
/*
 * vdev.c - devices. A leaf is a file or block device with four labels (pool configuration and
 * a ring of uberblocks, two copies at each end so that a torn write or a damaged end leaves
 * two good ones). A top-level vdev is a leaf or a mirror of leaves; reads from a mirror try each
 * side until one verifies, and rewrite the sides that returned bad data (self-healing).
 *
 * A device whose file system or driver supports it is opened a second time with O_DIRECT, and
 * every read aligned as that requires (a block read into the cache's own buffer) bypasses the
 * kernel's page cache: the kernel does not copy it out of the cache (in a cold sequential read
 * that copy was three quarters of the daemon's time), and the blocks that follow are read ahead
 * by zfetch.c instead of the kernel. Writes stay buffered: the kernel writes them back while
 * the commit goes on, where direct writes wait for the device one after the other, which was
 * slower even gathered into 4 MiB transfers. The kernel keeps the page cache coherent with the
 * direct reads (a read writes back the dirty pages of its range first).
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "spa_impl.h"

bool vdev_leaf_direct(const struct vdev_leaf *l, size_t n, uint64_t off)
{
	return l->dfd >= 0 && n % l->dio_off_align == 0 && off % l->dio_off_align == 0;
}

static bool direct_ok(const struct vdev_leaf *l, const void *buf, size_t n, uint64_t off)
{
	return vdev_leaf_direct(l, n, off) && (uintptr_t)buf % l->dio_mem_align == 0;
}

static int file_pread(struct vdev_leaf *l, void *buf, size_t n, uint64_t off)
{
	return bs_pread_full(direct_ok(l, buf, n, off) ? l->dfd : l->fd, buf, n, off);
}

/*
 * Writes land in the page cache and reach the device at the commit's flush. Every WRITEBACK_KICK
 * bytes the kernel is asked to start writing them back already (without waiting), so that the
 * device works while the commit computes and writes the rest, and the flush waits for the tail.
 */
#define WRITEBACK_KICK (16u << 20)

static int file_pwrite(struct vdev_leaf *l, const void *buf, size_t n, uint64_t off)
{
	int r = bs_pwrite_full(l->fd, buf, n, off);

	/* (the early writer and the commit write at different times, a repair at any time) */
	if (r == 0 && __atomic_add_fetch(&l->unkicked, n, __ATOMIC_RELAXED) >= WRITEBACK_KICK) {
		__atomic_store_n(&l->unkicked, 0, __ATOMIC_RELAXED);
		(void)sync_file_range(l->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	}
	return r;
}

static int file_flush(struct vdev_leaf *l)
{
	return fdatasync(l->fd) < 0 ? -errno : 0;
}

static void file_close(struct vdev_leaf *l)
{
	if (l->fd >= 0)
		close(l->fd);
	if (l->dfd >= 0)
		close(l->dfd);
	l->fd = l->dfd = -1;
}

/* The O_DIRECT descriptor, when the kernel says what alignment such transfers need here (tmpfs,
 * for one, does not); without it every transfer is buffered. */
static void open_direct(struct vdev_leaf *l)
{
	struct statx stx;

	if (statx(l->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) < 0 ||
	    !(stx.stx_mask & STATX_DIOALIGN) || !stx.stx_dio_mem_align ||
	    stx.stx_dio_mem_align > ZIO_BUF_ALIGN || !stx.stx_dio_offset_align)
		return;
	l->dfd = open(l->path, O_RDWR | O_DIRECT | O_CLOEXEC);
	l->dio_mem_align = stx.stx_dio_mem_align;
	l->dio_off_align = stx.stx_dio_offset_align;
}

static const struct vdev_leaf_ops file_ops = {
	.pread = file_pread,
	.pwrite = file_pwrite,
	.flush = file_flush,
	.close = file_close,
};

int vdev_leaf_open(const char *path, bool create_ok, struct vdev_leaf **ret)
{
	struct vdev_leaf *l = bs_zalloc(sizeof(*l));
	struct stat st;
	int r;

	l->fd = l->dfd = -1;
	if (bs_startswith(path, "fault:")) {
		r = vdev_fault_open(path + 6, l);
		if (r < 0)
			goto fail;
		l->path = bs_strdup(path);
		*ret = l;
		return 0;
	}
	l->path = bs_strdup(path);
	l->ops = &file_ops;
	l->fd = open(path, O_RDWR | O_CLOEXEC);
	if (l->fd < 0) {
		r = bs_error(errno, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(l->fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(l->fd, BLKGETSIZE64, &l->size) < 0) {
			r = -errno;
			goto fail;
		}
	} else if (S_ISREG(st.st_mode)) {
		l->size = st.st_size;
	} else {
		r = bs_error(EINVAL, "'%s' is neither a file nor a block device", path);
		goto fail;
	}
	open_direct(l);
	(void)create_ok;
	*ret = l;
	return 0;
fail:
	vdev_leaf_close(l);
	return r;
}

void vdev_leaf_close(struct vdev_leaf *l)
{
	if (!l)
		return;
	if (l->ops)
		l->ops->close(l);
	free(l->path);
	free(l);
}

int vdev_leaf_pread(struct vdev_leaf *l, void *buf, size_t n, uint64_t off)
{
	__atomic_add_fetch(&l->read_ops, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->read_bytes, n, __ATOMIC_RELAXED);
	return l->ops->pread(l, buf, n, off);
}

int vdev_leaf_pwrite(struct vdev_leaf *l, const void *buf, size_t n, uint64_t off)
{
	__atomic_add_fetch(&l->write_ops, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->write_bytes, n, __ATOMIC_RELAXED);
	return l->ops->pwrite(l, buf, n, off);
}

static uint64_t label_offset(const struct vdev_leaf *l, int i)
{
	uint64_t end = P2ALIGN(l->size, (uint64_t)LABEL_SIZE);

	return i < 2 ? (uint64_t)i * LABEL_SIZE : end - (uint64_t)(LABEL_COUNT - i) * LABEL_SIZE;
}

static bool ub_valid(const struct uberblock *ub)
{
	uint8_t ck[32];

	if (ub->magic != UB_MAGIC || ub->version < FORMAT_VERSION_MIN ||
	    ub->version > FORMAT_VERSION || ub->txg == 0)
		return false;
	zio_checksum_compute(ZIO_CKSUM_SHA256, ub, offsetof(struct uberblock, cksum), ck);
	return memcmp(ck, ub->cksum, 32) == 0;
}

int vdev_leaf_read_label(struct vdev_leaf *l, json_t **ret_config, struct uberblock *ret_best)
{
	_cleanup_free_ uint8_t *buf = bs_malloc(LABEL_SIZE);
	json_t *best_cfg = NULL;
	uint64_t best_cfg_txg = 0;
	struct uberblock best = { 0 };
	int i;

	if (l->size < VDEV_MIN_SIZE)
		return -EINVAL;
	for (i = 0; i < LABEL_COUNT; i++) {
		struct label_hdr *h = (struct label_hdr *)buf;
		uint8_t ck[32];
		unsigned s;

		if (vdev_leaf_pread(l, buf, LABEL_SIZE, label_offset(l, i)) < 0)
			continue;
		if (h->magic == LABEL_MAGIC && h->version >= FORMAT_VERSION_MIN &&
		    h->version <= FORMAT_VERSION && h->config_len > 0 &&
		    h->config_len <= LABEL_CONFIG_SIZE - sizeof(*h)) {
			zio_checksum_compute(ZIO_CKSUM_SHA256, buf + sizeof(*h), h->config_len, ck);
			if (memcmp(ck, h->cksum, 32) == 0 && (!best_cfg || h->txg > best_cfg_txg)) {
				json_t *j = json_loadb((const char *)buf + sizeof(*h),
						       h->config_len, 0, NULL);

				if (j && json_is_object(j)) {
					json_decref(best_cfg);
					best_cfg = j;
					best_cfg_txg = h->txg;
				} else {
					json_decref(j);
				}
			}
		}
		for (s = 0; s < UB_RING; s++) {
			const struct uberblock *ub =
				(const void *)(buf + LABEL_RING_OFF + s * UB_SLOT_SIZE);

			if (ub_valid(ub) && ub->txg > best.txg)
				best = *ub;
		}
	}
	if (!best_cfg)
		return -ENOENT;
	*ret_config = best_cfg;
	if (ret_best)
		*ret_best = best;
	return 0;
}

static int write_label_config(struct vdev_leaf *l, int i, const uint8_t *hdrbuf, size_t n)
{
	return vdev_leaf_pwrite(l, hdrbuf, n, label_offset(l, i) + LABEL_CONFIG_OFF);
}

int vdev_leaf_write_labels(struct vdev_leaf *l, const char *config, uint64_t txg)
{
	size_t len = strlen(config);
	_cleanup_free_ uint8_t *buf = NULL;
	struct label_hdr *h;
	int i, r;

	if (len > LABEL_CONFIG_SIZE - sizeof(*h))
		return bs_error(E2BIG, "pool configuration too large for a label");
	buf = bs_zalloc(LABEL_CONFIG_SIZE);
	h = (struct label_hdr *)buf;
	h->magic = LABEL_MAGIC;
	h->version = FORMAT_VERSION;
	h->txg = txg;
	h->config_len = len;
	memcpy(buf + sizeof(*h), config, len);
	zio_checksum_compute(ZIO_CKSUM_SHA256, buf + sizeof(*h), len, h->cksum);
	/* even labels, flush, odd labels, flush: one pair is whole whenever power fails */
	for (i = 0; i < LABEL_COUNT; i += 2) {
		r = write_label_config(l, i, buf, LABEL_CONFIG_SIZE);
		if (r < 0)
			return r;
	}
	r = l->ops->flush(l);
	if (r < 0)
		return r;
	for (i = 1; i < LABEL_COUNT; i += 2) {
		r = write_label_config(l, i, buf, LABEL_CONFIG_SIZE);
		if (r < 0)
			return r;
	}
	return l->ops->flush(l);
}

int vdev_leaf_wipe_labels(struct vdev_leaf *l)
{
	_cleanup_free_ uint8_t *buf = bs_zalloc(LABEL_SIZE);
	int i, r;

	for (i = 0; i < LABEL_COUNT; i++) {
		r = vdev_leaf_pwrite(l, buf, LABEL_SIZE, label_offset(l, i));
		if (r < 0)
			return r;
	}
	return l->ops->flush(l);
}

int vdev_leaf_write_uberblock(struct vdev_leaf *l, const struct uberblock *ub)
{
	uint64_t slot = (ub->txg % UB_RING) * UB_SLOT_SIZE;
	int i, r, good = 0;

	for (i = 0; i < LABEL_COUNT; i++) {
		r = vdev_leaf_pwrite(l, ub, sizeof(*ub),
				     label_offset(l, i) + LABEL_RING_OFF + slot);
		if (r >= 0)
			good++;
	}
	return good ? 0 : -EIO;
}

int vdev_top_read(struct spa *spa, struct vdev_top *vd, void *buf, size_t n, uint64_t off,
		  vdev_verify_fn verify, void *arg)
{
	bool bad[16] = { false };
	int i, good = -1, r = -EIO;

	for (i = 0; i < vd->nchildren && i < 16; i++) {
		struct vdev_leaf *l = vd->child[i];

		if (!vdev_leaf_readable(l))
			continue;
		r = vdev_leaf_pread(l, buf, n, off);
		if (r < 0) {
			__atomic_add_fetch(&l->read_errors, 1, __ATOMIC_RELAXED);
			bad[i] = true;
			continue;
		}
		if (verify && !verify(buf, n, arg)) {
			__atomic_add_fetch(&l->cksum_errors, 1, __ATOMIC_RELAXED);
			bad[i] = true;
			r = -EIO;
			continue;
		}
		good = i;
		break;
	}
	if (good < 0)
		return r < 0 ? r : -EIO;
	/* self-heal: rewrite the sides that failed with the verified data */
	for (i = 0; i < good; i++) {
		struct vdev_leaf *l = vd->child[i];

		if (bad[i] && !spa->readonly && vdev_leaf_pwrite(l, buf, n, off) >= 0)
			__atomic_add_fetch(&l->repaired_bytes, n, __ATOMIC_RELAXED);
	}
	return 0;
}

int vdev_top_write(struct spa *spa, struct vdev_top *vd, const void *buf, size_t n, uint64_t off)
{
	int i, good = 0;

	(void)spa;
	for (i = 0; i < vd->nchildren; i++) {
		struct vdev_leaf *l = vd->child[i];

		if (l->missing)
			continue;
		if (vdev_leaf_pwrite(l, buf, n, off) < 0) {
			__atomic_add_fetch(&l->write_errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		good++;
	}
	return good ? 0 : -EIO;
}

int spa_flush_all(struct spa *spa)
{
	int v, i, r = 0;

	for (v = 0; v < spa->nvdevs; v++)
		for (i = 0; i < spa->vdev[v]->nchildren; i++) {
			struct vdev_leaf *l = spa->vdev[v]->child[i];

			if (!l->missing && l->ops->flush(l) < 0) {
				l->write_errors++;
				r = -EIO;
			}
		}
	return r;
}

uint64_t spa_guid_sum(struct spa *spa)
{
	uint64_t sum = 0;
	int v, i;

	for (v = 0; v < spa->nvdevs; v++)
		for (i = 0; i < spa->vdev[v]->nchildren; i++)
			sum += spa->vdev[v]->child[i]->guid;
	return sum;
}

void vdev_top_free(struct vdev_top *vd)
{
	int i;

	if (!vd)
		return;
	for (i = 0; i < vd->nchildren; i++)
		vdev_leaf_close(vd->child[i]);
	free(vd->child);
	free(vd->bitmap);
	free(vd->dirty_chunks);
	free(vd);
}

const char *vdev_top_state(struct vdev_top *vd)
{
	int i, missing = 0, readable = 0;

	for (i = 0; i < vd->nchildren; i++) {
		if (vd->child[i]->missing)
			missing++;
		if (vdev_leaf_readable(vd->child[i]))
			readable++;
	}
	if (!readable)
		return "UNAVAIL";
	return missing == 0 ? "ONLINE" : "DEGRADED";
}
