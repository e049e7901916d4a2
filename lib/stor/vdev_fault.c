/* SPDX-License-Identifier: MIT */
/*
 * vdev_fault.c - a fault-injecting leaf device for crash tests, opened as "fault:PATH". Writes
 * since the last flush are held back, as a disk's volatile cache holds them; reads see them. A
 * power cut (vdev_fault_powercut) lets an arbitrary subset reach the file, some of them torn at a
 * sector boundary, drops the rest, and fails every later I/O until vdev_fault_reset: exactly what
 * a crash leaves on a disk that honours flushes and nothing more. Every I/O holds one lock: the
 * pool's early writer writes while other threads read.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include "spa_impl.h"

struct pending_write {
	uint64_t off;
	size_t n;
	uint8_t *data;
};

struct fault_dev {
	struct pending_write *w;
	size_t nw, cap;
	bool dead;
	struct vdev_leaf *leaf;
	struct fault_dev *next;
};

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fault_dev *fault_devs;
static long armed_writes = -1;
static uint64_t armed_seed;

static void powercut_locked(uint64_t seed);

static int fault_pread(struct vdev_leaf *l, void *buf, size_t n, uint64_t off)
{
	struct fault_dev *f = l->priv;
	size_t i;
	int r = -EIO;

	pthread_mutex_lock(&fault_lock);
	if (!f->dead)
		r = bs_pread_full(l->fd, buf, n, off);
	for (i = 0; r == 0 && i < f->nw; i++) {
		struct pending_write *w = &f->w[i];
		uint64_t lo = MAX(off, w->off), hi = MIN(off + n, w->off + w->n);

		if (lo < hi)
			memcpy((uint8_t *)buf + (lo - off), w->data + (lo - w->off), hi - lo);
	}
	pthread_mutex_unlock(&fault_lock);
	return r;
}

static int fault_pwrite(struct vdev_leaf *l, const void *buf, size_t n, uint64_t off)
{
	struct fault_dev *f = l->priv;
	struct pending_write *w;
	int r = 0;

	pthread_mutex_lock(&fault_lock);
	if (f->dead) {
		r = -EIO;
	} else if (off + n > l->size) {
		r = -ENOSPC;
	} else if (armed_writes >= 0 && armed_writes-- == 0) {
		powercut_locked(armed_seed);
		r = -EIO;
	} else {
		if (f->nw == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 64;
			f->w = bs_realloc(f->w, f->cap * sizeof(*f->w));
		}
		w = &f->w[f->nw++];
		w->off = off;
		w->n = n;
		w->data = bs_malloc(n);
		memcpy(w->data, buf, n);
	}
	pthread_mutex_unlock(&fault_lock);
	return r;
}

static void drop_pending(struct fault_dev *f)
{
	size_t i;

	for (i = 0; i < f->nw; i++)
		free(f->w[i].data);
	f->nw = 0;
}

static int fault_flush(struct vdev_leaf *l)
{
	struct fault_dev *f = l->priv;
	size_t i;
	int r;

	pthread_mutex_lock(&fault_lock);
	r = f->dead ? -EIO : 0;
	for (i = 0; r == 0 && i < f->nw; i++)
		r = bs_pwrite_full(l->fd, f->w[i].data, f->w[i].n, f->w[i].off);
	if (r == 0)
		drop_pending(f);
	pthread_mutex_unlock(&fault_lock);
	return r;
}

static void fault_close(struct vdev_leaf *l)
{
	struct fault_dev *f = l->priv, **pp;

	pthread_mutex_lock(&fault_lock);
	for (pp = &fault_devs; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	pthread_mutex_unlock(&fault_lock);
	drop_pending(f);
	free(f->w);
	free(f);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static const struct vdev_leaf_ops fault_ops = {
	.pread = fault_pread,
	.pwrite = fault_pwrite,
	.flush = fault_flush,
	.close = fault_close,
};

int vdev_fault_open(const char *path, struct vdev_leaf *l)
{
	struct fault_dev *f;
	struct stat st;

	l->fd = open(path, O_RDWR | O_CLOEXEC);
	if (l->fd < 0)
		return bs_error(errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(l->fd, &st) < 0)
		return -errno;
	l->size = st.st_size;
	f = bs_zalloc(sizeof(*f));
	f->leaf = l;
	l->priv = f;
	l->ops = &fault_ops;
	pthread_mutex_lock(&fault_lock);
	f->next = fault_devs;
	fault_devs = f;
	pthread_mutex_unlock(&fault_lock);
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void powercut_locked(uint64_t seed)
{
	struct fault_dev *f;
	uint64_t s = seed | 1;
	size_t i;

	armed_writes = -1;
	for (f = fault_devs; f; f = f->next) {
		for (i = 0; i < f->nw; i++) {
			struct pending_write *w = &f->w[i];
			uint64_t pick = xorshift(&s) % 4;
			size_t n = w->n;

			if (pick == 0)
				continue; /* lost */
			if (pick == 1 && n > 512)
				n = (xorshift(&s) % (n / 512)) * 512; /* torn */
			if (n)
				(void)bs_pwrite_full(f->leaf->fd, w->data, n, w->off);
		}
		drop_pending(f);
		f->dead = true;
	}
}

void vdev_fault_powercut(uint64_t seed)
{
	pthread_mutex_lock(&fault_lock);
	powercut_locked(seed);
	pthread_mutex_unlock(&fault_lock);
}

void vdev_fault_arm(long writes, uint64_t seed)
{
	pthread_mutex_lock(&fault_lock);
	armed_writes = writes;
	armed_seed = seed;
	pthread_mutex_unlock(&fault_lock);
}

void vdev_fault_reset(void)
{
	struct fault_dev *f;

	pthread_mutex_lock(&fault_lock);
	for (f = fault_devs; f; f = f->next)
		f->dead = false;
	pthread_mutex_unlock(&fault_lock);
}
