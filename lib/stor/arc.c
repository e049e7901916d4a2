/* SPDX-License-Identifier: MIT */
/*
 * arc.c - the block cache's bound. Every cached block (dbuf) of a pool is on one list in order
 * of last use; when the pool's cached bytes pass its limit, the least recently used clean blocks
 * are dropped, at the end of an operation (spa_exit), when no one
 * holds a pointer into the cache. Dirty blocks are never dropped (the dirty-data limit bounds
 * them). A working set smaller than the limit stays in memory; a larger workload cycles through
 * it without growing the daemon.
 *
 * The limit: BASALT_CACHE_SIZE (bytes, or with a K/M/G suffix) if set, else an eighth of the
 * machine's memory, at least 64 MiB and at most 1 GiB.
 *
 * Blocks live in malloc'ed memory. By default glibc maps each buffer of 128 KiB or more afresh,
 * gives freed memory at the top of its heaps back to the kernel, and gives each thread a heap
 * of its own, unmapped whole once empty: so after an export, a large commit or an eviction the
 * next blocks were faulted in again page by page, a third of the daemon's time in a cold
 * sequential read. arc_malloc_setup() makes big buffers come from one heap, which keeps up to
 * the cache's bound of freed memory for the next blocks.
 */
#include <malloc.h>
#include <sys/sysinfo.h>

#include "dmu_impl.h"

static uint64_t dbuf_bytes(const struct dbuf *db)
{
	return db->size + sizeof(*db);
}

uint64_t arc_default_max(void)
{
	const char *e = getenv("BASALT_CACHE_SIZE");
	struct sysinfo si;
	uint64_t n;

	if (e && bs_size_parse(e, &n) == 0 && n >= (1ull << 20))
		return n;
	if (sysinfo(&si) < 0)
		return 256ull << 20;
	n = (uint64_t)si.totalram * si.mem_unit / 8;
	return MIN(MAX(n, 64ull << 20), 1ull << 30);
}

static void unlink_lru(struct arc *a, struct dbuf *db)
{
	if (db->lru_prev)
		db->lru_prev->lru_next = db->lru_next;
	else
		a->mru = db->lru_next;
	if (db->lru_next)
		db->lru_next->lru_prev = db->lru_prev;
	else
		a->lru = db->lru_prev;
	db->lru_prev = db->lru_next = NULL;
}

static void push_mru(struct arc *a, struct dbuf *db)
{
	db->lru_prev = NULL;
	db->lru_next = a->mru;
	if (a->mru)
		a->mru->lru_prev = db;
	a->mru = db;
	if (!a->lru)
		a->lru = db;
}

void arc_insert(struct arc *a, struct dbuf *db)
{
	push_mru(a, db);
	a->bytes += dbuf_bytes(db);
}

void arc_touch(struct arc *a, struct dbuf *db)
{
	if (a->mru == db)
		return;
	unlink_lru(a, db);
	push_mru(a, db);
}

void arc_remove(struct arc *a, struct dbuf *db)
{
	unlink_lru(a, db);
	a->bytes -= MIN(a->bytes, dbuf_bytes(db));
}

void arc_malloc_setup(void)
{
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, (int)MIN(arc_default_max(), 1ull << 30));
	mallopt(M_ARENA_MAX, 1);
}

void arc_resized(struct arc *a, uint32_t old_size, uint32_t new_size)
{
	a->bytes = a->bytes - MIN(a->bytes, old_size) + new_size;
}

void arc_evict(struct arc *a)
{
	uint64_t target = a->max - a->max / 8;
	struct dbuf *db = a->lru;

	if (a->bytes <= a->max)
		return;
	while (db && a->bytes > target) {
		struct dbuf *prev = db->lru_prev;

		/* a clean block is what its parent points at: read again if wanted (the parent of a
		 * dirty block is dirty itself, so the next commit needs no clean block) */
		if (!db->dirty) {
			a->evicted_bytes += dbuf_bytes(db);
			dnode_evict_dbuf(db);
		}
		db = prev;
	}
}
