/* SPDX-License-Identifier: MIT */
/*
 * stor.c - the engine as a whole: the background thread that commits each pool's open txg every
 * few seconds, so that what applications write reaches the disk without an fsync.
 */
#include <pthread.h>
#include <time.h>

#include "basalt/stor.h"
#include "dmu_impl.h"
#include "spa_impl.h"

#define SYNC_INTERVAL_NS (5ull * 1000000000ull)

static pthread_t sync_thread;
static bool sync_running;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static bool sync_stop;

static void *sync_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sync_lock);
	while (!sync_stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += SYNC_INTERVAL_NS / 1000000000ull;
		pthread_cond_timedwait(&sync_cond, &sync_lock, &ts);
		if (sync_stop)
			break;
		pthread_mutex_unlock(&sync_lock);
		(void)stor_pool_sync(NULL);
		bs_error_clear();
		pthread_mutex_lock(&sync_lock);
	}
	pthread_mutex_unlock(&sync_lock);
	return NULL;
}

int stor_init(void)
{
	int r;

	if (sync_running)
		return 0;
	arc_malloc_setup();
	arc_prefault_start();
	sync_stop = false;
	r = pthread_create(&sync_thread, NULL, sync_main, NULL);
	if (r != 0)
		return -r;
	sync_running = true;
	return 0;
}

void stor_fini(void)
{
	if (!sync_running)
		return;
	pthread_mutex_lock(&sync_lock);
	sync_stop = true;
	pthread_cond_signal(&sync_cond);
	pthread_mutex_unlock(&sync_lock);
	pthread_join(sync_thread, NULL);
	sync_running = false;
	arc_prefault_stop();
}
