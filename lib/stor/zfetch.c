/* SPDX-License-Identifier: MIT */
/*
 * zfetch.c - read-ahead of the blocks a sequential reader will want next. A device opened with
 * O_DIRECT (vdev.c) has no kernel read-ahead, and a block read waits for the device; so when an
 * object is read in order (dnode.c detects it), the blocks that follow are read by a thread of
 * the pool into buffers of their own while the reader checksums and copies the current ones,
 * and the reader adopts a buffer as its cached block when it gets there.
 *
 * A prefetched buffer is keyed by its block pointer's first copy and birth, and is verified
 * against the block pointer's checksum when it is taken, exactly as a read is: a block freed and
 * reused since, a failed read or a bad copy only means the reader reads the block itself (which
 * also tries the other copies and repairs). The thread reads through a duplicate of the device's
 * descriptor, so that a device closed meanwhile (detach, export) does not matter to it. At most
 * ZFETCH_SLOTS buffers exist per pool; the oldest unclaimed one makes room for a new one.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/uio.h>

#include "spa_impl.h"

#define ZFETCH_SLOTS 32
#define ZFETCH_RUN 8 /* blocks that lie one after the other are read in one request, up to this */

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_READING, SLOT_DONE };

struct zfetch_slot {
	enum slot_state state;
	uint64_t vdev, offset, birth, seq;
	uint32_t size;
	int fd, src; /* a duplicate of the device's O_DIRECT descriptor, and that descriptor */
	bool ok;
	void *buf;
};

struct zfetch {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	pthread_t thread;
	bool stop;
	uint64_t seq; /* order of queueing: the thread reads the oldest first */
	struct zfetch_slot slot[ZFETCH_SLOTS];
};

static struct zfetch_slot *next_queued(struct zfetch *zf)
{
	struct zfetch_slot *best = NULL;

	for (int i = 0; i < ZFETCH_SLOTS; i++)
		if (zf->slot[i].state == SLOT_QUEUED && (!best || zf->slot[i].seq < best->seq))
			best = &zf->slot[i];
	return best;
}

/* The queued slot that continues s on its device, if any. */
static struct zfetch_slot *next_on_device(struct zfetch *zf, const struct zfetch_slot *s)
{
	for (int i = 0; i < ZFETCH_SLOTS; i++) {
		struct zfetch_slot *t = &zf->slot[i];

		if (t->state == SLOT_QUEUED && t->vdev == s->vdev && t->src == s->src &&
		    t->offset == s->offset + s->size)
			return t;
	}
	return NULL;
}

/* Read a run of slots lying one after the other with one request. */
static bool read_run(struct zfetch_slot **run, int n)
{
	struct iovec iov[ZFETCH_RUN];
	size_t len = 0, done = 0;
	ssize_t r;
	int i = 0;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = run[i]->buf;
		iov[i].iov_len = run[i]->size;
		len += run[i]->size;
	}
	r = preadv(run[0]->fd, iov, n, (off_t)run[0]->offset);
	if (r > 0)
		done = (size_t)r;
	return done == len;
}

static void *zfetch_thread(void *arg)
{
	struct zfetch *zf = arg;
	struct zfetch_slot *run[ZFETCH_RUN], *s;
	int n, i;
	bool ok;

	pthread_mutex_lock(&zf->lock);
	for (;;) {
		while (!zf->stop && !(s = next_queued(zf)))
			pthread_cond_wait(&zf->work, &zf->lock);
		if (zf->stop)
			break;
		for (n = 0; s && n < ZFETCH_RUN; s = next_on_device(zf, s)) {
			s->state = SLOT_READING;
			run[n++] = s;
		}
		pthread_mutex_unlock(&zf->lock);
		/* a short or failed read leaves the blocks to their readers */
		ok = read_run(run, n);
		pthread_mutex_lock(&zf->lock);
		for (i = 0; i < n; i++) {
			run[i]->ok = ok;
			close(run[i]->fd);
			run[i]->fd = -1;
			run[i]->state = SLOT_DONE;
		}
		pthread_cond_broadcast(&zf->done);
	}
	pthread_mutex_unlock(&zf->lock);
	return NULL;
}

static void slot_clear(struct zfetch_slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static struct zfetch *zfetch_get(struct spa *spa)
{
	struct zfetch *zf = spa->zfetch;

	if (zf)
		return zf;
	zf = bs_zalloc(sizeof(*zf));
	pthread_mutex_init(&zf->lock, NULL);
	pthread_cond_init(&zf->work, NULL);
	pthread_cond_init(&zf->done, NULL);
	for (int i = 0; i < ZFETCH_SLOTS; i++)
		zf->slot[i].fd = -1;
	if (pthread_create(&zf->thread, NULL, zfetch_thread, zf) != 0) {
		free(zf);
		return NULL;
	}
	spa->zfetch = zf;
	return zf;
}

/* The first side of the block's first copy that serves reads, if it is read directly. */
static struct vdev_leaf *direct_leaf(struct spa *spa, const struct blkptr *bp)
{
	const struct dva *d = &bp->dva[0];
	struct vdev_top *vd;

	if (d->vdev >= (uint32_t)spa->nvdevs || d->offset < VDEV_DATA_START)
		return NULL;
	vd = spa->vdev[d->vdev];
	if (d->offset + bp->psize > VDEV_DATA_START + vd->asize)
		return NULL;
	for (int i = 0; i < vd->nchildren; i++)
		if (vdev_leaf_readable(vd->child[i]))
			return vdev_leaf_direct(vd->child[i], bp->psize, d->offset) ? vd->child[i] :
										      NULL;
	return NULL;
}

static struct zfetch_slot *find(struct zfetch *zf, const struct blkptr *bp)
{
	for (int i = 0; i < ZFETCH_SLOTS; i++) {
		struct zfetch_slot *s = &zf->slot[i];

		if (s->state != SLOT_FREE && s->vdev == bp->dva[0].vdev &&
		    s->offset == bp->dva[0].offset && s->birth == bp->birth && s->size == bp->psize)
			return s;
	}
	return NULL;
}

void zfetch_start(struct spa *spa, const struct blkptr *bp)
{
	struct zfetch_slot *s = NULL, *oldest = NULL;
	struct vdev_leaf *l;
	struct zfetch *zf;

	if (BP_IS_HOLE(bp) || bp->compress != ZIO_COMPRESS_OFF || bp->psize != bp->lsize ||
	    bp->psize < ZIO_BUF_ALIGN)
		return;
	l = direct_leaf(spa, bp);
	if (!l || !(zf = zfetch_get(spa)))
		return;
	pthread_mutex_lock(&zf->lock);
	if (find(zf, bp))
		goto out;
	for (int i = 0; i < ZFETCH_SLOTS && !s; i++) {
		if (zf->slot[i].state == SLOT_FREE)
			s = &zf->slot[i];
		else if (zf->slot[i].state == SLOT_DONE &&
			 (!oldest || zf->slot[i].seq < oldest->seq))
			oldest = &zf->slot[i];
	}
	if (!s && !oldest)
		goto out; /* every buffer is being read or waits for the thread */
	if (!s) {
		s = oldest;
		slot_clear(s);
	}
	s->fd = fcntl(l->dfd, F_DUPFD_CLOEXEC, 0);
	if (s->fd < 0)
		goto out;
	s->src = l->dfd;
	s->vdev = bp->dva[0].vdev;
	s->offset = bp->dva[0].offset;
	s->birth = bp->birth;
	s->size = bp->psize;
	s->seq = zf->seq++;
	s->buf = zio_buf_alloc(bp->psize, false);
	s->state = SLOT_QUEUED;
	__atomic_add_fetch(&l->read_ops, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->read_bytes, bp->psize, __ATOMIC_RELAXED);
	pthread_cond_signal(&zf->work);
out:
	pthread_mutex_unlock(&zf->lock);
}

void *zfetch_take(struct spa *spa, const struct blkptr *bp)
{
	struct zfetch *zf = spa->zfetch;
	struct zfetch_slot *s;
	void *buf = NULL;

	if (!zf || BP_IS_HOLE(bp))
		return NULL;
	pthread_mutex_lock(&zf->lock);
	s = find(zf, bp);
	while (s && s->state != SLOT_DONE) {
		pthread_cond_wait(&zf->done, &zf->lock);
		s = find(zf, bp);
	}
	if (s) {
		if (s->ok && zio_verify(bp, s->buf))
			buf = TAKE_PTR(s->buf);
		slot_clear(s);
	}
	pthread_mutex_unlock(&zf->lock);
	return buf;
}

void zfetch_fini(struct spa *spa)
{
	struct zfetch *zf = spa->zfetch;

	if (!zf)
		return;
	pthread_mutex_lock(&zf->lock);
	zf->stop = true;
	pthread_cond_signal(&zf->work);
	pthread_mutex_unlock(&zf->lock);
	pthread_join(zf->thread, NULL);
	for (int i = 0; i < ZFETCH_SLOTS; i++)
		slot_clear(&zf->slot[i]);
	pthread_cond_destroy(&zf->work);
	pthread_cond_destroy(&zf->done);
	pthread_mutex_destroy(&zf->lock);
	free(zf);
	spa->zfetch = NULL;
}
