/* SPDX-License-Identifier: MIT */
/*
 * dbuf_early.c - writing file and volume blocks before their txg commits. A commit holds the
 * pool's lock while it compresses, checksums and writes every dirty block, so a writer that
 * fills the open txg waits for all of that at the end. Instead, a level-0 block a sequential
 * writer has just finished is queued for a thread of the pool, which compresses and checksums
 * it without the lock, allocates its space in the open txg under the lock, and writes it
 * without the lock, while the writer goes on; the commit then only links the block pointer in.
 *
 * The block's bytes must not change while the thread reads them: whoever changes or frees a
 * block with an early write under way first moves the block to a copy of its bytes (the record
 * keeps the old buffer and frees it). A block changed after its early write was done gives its
 * space back at once: it was allocated in the open txg, and nothing committed points at it.
 *
 * The commit starts with early_quiesce(): queued blocks are left for the commit to write, the
 * thread's blocks not yet allocated are marked stale (it drops them), and the commit waits for
 * the writes under way, the only part that runs without the lock after allocating. Those
 * writes hold the device tree's read lock, as every block I/O does (zio.c).
 */
#include <pthread.h>

#include "dmu_impl.h"

/* The thread wakes for a batch once this much is queued, and takes at most EARLY_BATCH. */
#define EARLY_KICK (1u << 20)
#define EARLY_BATCH (4u << 20)

enum early_state { EW_QUEUED, EW_BUSY, EW_DONE };

struct early_write {
	struct dbuf *db; /* NULL once the block changed or went away */
	uint8_t *buf;	 /* the block's bytes, unchanged while the thread works on them */
	bool own_buf;	 /* the block moved to a copy: buf is freed with the record */
	enum early_state state;
	int error;
	uint32_t lsize;
	uint64_t txg, gen;
	struct zio_prop zp;
	struct blkptr bp; /* once prepared: where it goes (addresses once allocated: not a hole) */
	const uint8_t *out;
	uint8_t *pbuf;
	struct early_write *next; /* in the queue, the thread's batch or the finished list */
};

struct early_writer {
	struct spa *spa;
	pthread_t thread;
	pthread_cond_t work; /* waited on with the pool's lock */
	bool stop;
	uint64_t gen; /* bumped by each quiesce: records of older batches are stale */
	struct early_write *queue, **queue_tail;
	uint64_t queued;
	pthread_mutex_t io_lock; /* the rest is what runs without the pool's lock */
	pthread_cond_t io_idle;
	unsigned writing;
	struct early_write *finished;
};

/* Forget a record, under the pool's lock. */
static void record_free(struct early_write *ew)
{
	if (ew->db)
		ew->db->ew = NULL;
	if (ew->own_buf)
		free(ew->buf);
	free(ew->pbuf);
	free(ew);
}

/* Give back the space of a record written (or being written) and forget it. */
static void record_unallocate(struct spa *spa, struct early_write *ew)
{
	if (!BP_IS_HOLE(&ew->bp)) {
		for (int i = 0; i < ew->bp.ncopies; i++)
			space_free(spa, &ew->bp.dva[i], ew->bp.birth);
		spa->early_allocated -= MIN(spa->early_allocated, bp_asize(&ew->bp));
	}
	record_free(ew);
}

/* Records whose writes ended become done, or give their space back if no longer wanted. */
static void reap(struct early_writer *w)
{
	struct early_write *ew, *next;

	pthread_mutex_lock(&w->io_lock);
	ew = w->finished;
	w->finished = NULL;
	pthread_mutex_unlock(&w->io_lock);
	for (; ew; ew = next) {
		next = ew->next;
		ew->next = NULL;
		free(ew->pbuf);
		ew->pbuf = NULL;
		if (!ew->db || ew->error) {
			record_unallocate(w->spa, ew);
			continue;
		}
		ew->state = EW_DONE;
		ew->buf = NULL;
	}
}

static struct early_write *take_batch(struct early_writer *w)
{
	struct early_write *head = NULL, **tail = &head;
	uint64_t n = 0;

	while (w->queue && n < EARLY_BATCH) {
		struct early_write *ew = w->queue;

		w->queue = ew->next;
		ew->next = NULL;
		w->queued -= ew->lsize;
		ew->state = EW_BUSY;
		ew->gen = w->gen;
		n += ew->lsize;
		*tail = ew;
		tail = &ew->next;
	}
	if (!w->queue)
		w->queue_tail = &w->queue;
	return head;
}

/* Allocate what is still wanted, under the pool's lock; the rest is dropped. Returns the records
 * to write. */
static struct early_write *allocate_batch(struct early_writer *w, struct early_write *batch)
{
	struct spa *spa = w->spa;
	struct early_write *keep = NULL, **tail = &keep, *ew, *next;

	for (ew = batch; ew; ew = next) {
		next = ew->next;
		ew->next = NULL;
		if (!ew->db || ew->gen != w->gen || ew->error || spa->readonly) {
			record_free(ew);
			continue;
		}
		if (!ew->out) { /* a hole: nothing to write */
			ew->state = EW_DONE;
			ew->buf = NULL;
			continue;
		}
		if (space_alloc(spa, zio_asize(spa, ew->bp.psize), ew->bp.ncopies, ew->bp.dva,
				false) < 0) {
			record_free(ew); /* the commit will say */
			continue;
		}
		spa->early_allocated += bp_asize(&ew->bp);
		*tail = ew;
		tail = &ew->next;
	}
	pthread_mutex_lock(&w->io_lock);
	for (ew = keep; ew; ew = ew->next)
		w->writing++;
	pthread_mutex_unlock(&w->io_lock);
	return keep;
}

static void write_batch(struct early_writer *w, struct early_write *batch)
{
	struct early_write *ew, *next;

	for (ew = batch; ew; ew = next) {
		next = ew->next;
		ew->error = zio_write_issue(w->spa, &ew->bp, ew->out);
		pthread_mutex_lock(&w->io_lock);
		ew->next = w->finished;
		w->finished = ew;
		if (--w->writing == 0)
			pthread_cond_broadcast(&w->io_idle);
		pthread_mutex_unlock(&w->io_lock);
	}
}

static void *early_thread(void *arg)
{
	struct early_writer *w = arg;
	struct spa *spa = w->spa;

	pthread_mutex_lock(&spa->lock);
	for (;;) {
		struct early_write *batch, *ew;

		reap(w);
		while (!w->stop && w->queued < EARLY_KICK)
			pthread_cond_wait(&w->work, &spa->lock);
		if (w->stop)
			break;
		batch = take_batch(w);
		pthread_mutex_unlock(&spa->lock);
		for (ew = batch; ew; ew = ew->next)
			ew->error = zio_write_prepare(spa, ew->buf, ew->lsize, &ew->zp, ew->txg,
						      &ew->bp, &ew->out, &ew->pbuf);
		pthread_mutex_lock(&spa->lock);
		batch = allocate_batch(w, batch);
		pthread_mutex_unlock(&spa->lock);
		write_batch(w, batch);
		pthread_mutex_lock(&spa->lock);
	}
	pthread_mutex_unlock(&spa->lock);
	return NULL;
}

static struct early_writer *writer_start(struct spa *spa)
{
	struct early_writer *w = bs_zalloc(sizeof(*w));

	w->spa = spa;
	w->queue_tail = &w->queue;
	pthread_cond_init(&w->work, NULL);
	pthread_mutex_init(&w->io_lock, NULL);
	pthread_cond_init(&w->io_idle, NULL);
	if (pthread_create(&w->thread, NULL, early_thread, w) != 0) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->io_lock);
		pthread_cond_destroy(&w->io_idle);
		free(w);
		return NULL;
	}
	return w;
}

void early_queue(struct dbuf *db, const struct zio_prop *zp)
{
	struct spa *spa = db->dn->os->spa;
	struct early_writer *w = spa->early;
	struct early_write *ew;

	if (db->ew || !db->dirty || spa->readonly)
		return;
	if (!w) {
		if (spa->early_failed)
			return;
		w = spa->early = writer_start(spa);
		if (!w) {
			spa->early_failed = true;
			return;
		}
	}
	ew = bs_zalloc(sizeof(*ew));
	ew->db = db;
	ew->buf = db->data;
	ew->lsize = db->size;
	ew->txg = spa->txg;
	ew->zp = *zp;
	ew->state = EW_QUEUED;
	db->ew = ew;
	*w->queue_tail = ew;
	w->queue_tail = &ew->next;
	w->queued += ew->lsize;
	if (w->queued >= EARLY_KICK)
		pthread_cond_signal(&w->work);
}

static void unqueue(struct early_writer *w, struct early_write *ew)
{
	struct early_write **pp;

	for (pp = &w->queue; *pp != ew; pp = &(*pp)->next)
		;
	*pp = ew->next;
	if (!ew->next)
		w->queue_tail = pp;
	w->queued -= ew->lsize;
}

void early_forget(struct dbuf *db, bool dropping)
{
	struct early_write *ew = db->ew;
	struct spa *spa = db->dn->os->spa;

	if (!ew)
		return;
	switch (ew->state) {
	case EW_QUEUED:
		unqueue(spa->early, ew);
		record_free(ew);
		break;
	case EW_DONE:
		record_unallocate(spa, ew);
		break;
	case EW_BUSY:
		/* the thread still reads the bytes: the block moves to a copy of them */
		ew->own_buf = true;
		ew->db = NULL;
		db->ew = NULL;
		if (dropping) {
			db->data = NULL;
		} else {
			db->data = zio_buf_alloc(db->size, false);
			memcpy(db->data, ew->buf, db->size);
		}
		break;
	}
}

void early_quiesce(struct spa *spa)
{
	struct early_writer *w = spa->early;

	if (!w)
		return;
	while (w->queue) {
		struct early_write *ew = w->queue;

		w->queue = ew->next;
		record_free(ew);
	}
	w->queue_tail = &w->queue;
	w->queued = 0;
	w->gen++;
	pthread_mutex_lock(&w->io_lock);
	while (w->writing)
		pthread_cond_wait(&w->io_idle, &w->io_lock);
	pthread_mutex_unlock(&w->io_lock);
	reap(w);
}

bool early_take(struct dbuf *db, uint64_t txg, struct blkptr *ret_bp)
{
	struct early_write *ew = db->ew;
	struct spa *spa = db->dn->os->spa;

	if (!ew || ew->state != EW_DONE)
		return false;
	if (ew->txg != txg) {
		record_unallocate(spa, ew);
		return false;
	}
	*ret_bp = ew->bp;
	spa->early_allocated -= MIN(spa->early_allocated, bp_asize(&ew->bp)); /* (0 for a hole) */
	record_free(ew);
	return true;
}

void early_stop(struct spa *spa)
{
	struct early_writer *w = spa->early;

	if (!w)
		return;
	pthread_mutex_lock(&spa->lock);
	early_quiesce(spa);
	w->stop = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&spa->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_lock(&spa->lock);
	reap(w);
	pthread_mutex_unlock(&spa->lock);
}

void early_fini(struct spa *spa)
{
	struct early_writer *w = spa->early;

	if (!w)
		return;
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->io_lock);
	pthread_cond_destroy(&w->io_idle);
	free(w);
	spa->early = NULL;
}
