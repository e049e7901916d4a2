/* SPDX-License-Identifier: MIT */
/*
 * arc_prefault.c - the block cache's memory made present before the cache needs it. Blocks live
 * on the main heap (arc.c), which grows by moving the program break; each new page then faults
 * on its first write, one at a time, in the thread that is filling a block for a request: for a
 * 512 MiB write into a fresh daemon, 131,000 faults on the path of every write request.
 *
 * Instead the heap grows HEAP_PAD beyond what each extension needs, and a thread populates that
 * pad (MADV_POPULATE_WRITE, in one call) as soon as the break has moved, while the requests go on;
 * they find the pages there. Populating changes no byte, so racing with the allocator is
 * harmless, and a break that moved back (the heap trimmed) is simply followed. The cost is up to
 * HEAP_PAD of memory held beyond what the daemon uses.
 */
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spa_impl.h"

#define HEAP_PAD (32u << 20)
/* the thread looks at the break again after this much was allocated for blocks */
#define KICK_BYTES (2u << 20)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static bool running, stop, kicked;
static uintptr_t heap_start, populated_to; /* the heap's first break; the break populated up to */
static uint64_t since_kick;

static uintptr_t current_break(void)
{
	return (uintptr_t)syscall(SYS_brk, 0);
}

static void populate(uintptr_t brk)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo = brk - MIN(brk - heap_start, HEAP_PAD);

	if (populated_to > lo && populated_to <= brk)
		lo = populated_to; /* what lies below was done when the break was there */
	lo &= ~(uintptr_t)(page - 1);
	if (lo < brk)
		(void)madvise((void *)lo, brk - lo, MADV_POPULATE_WRITE);
}

static void *prefault_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stop) {
		uintptr_t brk;

		if (!kicked) {
			pthread_cond_wait(&cond, &lock);
			continue;
		}
		kicked = false;
		brk = current_break();
		if (brk == populated_to || brk < heap_start)
			continue;
		pthread_mutex_unlock(&lock);
		populate(brk);
		pthread_mutex_lock(&lock);
		populated_to = brk;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

void arc_prefault_start(void)
{
	pthread_mutex_lock(&lock);
	if (running) {
		pthread_mutex_unlock(&lock);
		return;
	}
	mallopt(M_TOP_PAD, HEAP_PAD);
	heap_start = populated_to = current_break();
	stop = kicked = false;
	running = pthread_create(&thread, NULL, prefault_main, NULL) == 0;
	pthread_mutex_unlock(&lock);
}

void arc_prefault_stop(void)
{
	pthread_mutex_lock(&lock);
	if (!running) {
		pthread_mutex_unlock(&lock);
		return;
	}
	stop = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	pthread_mutex_lock(&lock);
	running = false;
	pthread_mutex_unlock(&lock);
}

void arc_prefault_kick(size_t n)
{
	if (__atomic_add_fetch(&since_kick, n, __ATOMIC_RELAXED) < KICK_BYTES)
		return;
	__atomic_store_n(&since_kick, 0, __ATOMIC_RELAXED);
	pthread_mutex_lock(&lock);
	kicked = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}
