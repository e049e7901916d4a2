/* SPDX-License-Identifier: MIT */
/*
 * spa.h - the storage pool allocator: an imported pool, its lock, its transaction groups.
 *
 * One mutex per pool serialises all work on it. Changes made while holding it go to the open
 * txg; spa_sync() writes the open txg out and commits it with a new uberblock. The sync thread
 * does that every few seconds; spa_exit() does it early when too much is dirty; fsync and the
 * commands call spa_sync() directly.
 */
#ifndef STOR_SPA_H
#define STOR_SPA_H

#include <stdbool.h>
#include <stdint.h>

#include "dmu.h"

void spa_enter(spa_t *spa);
void spa_exit(spa_t *spa);
/* Commit the open txg and wait for it to be durable. Pool lock held. */
int spa_sync(spa_t *spa);
const char *spa_name(spa_t *spa);
uint64_t spa_open_txg(spa_t *spa);
uint64_t spa_last_synced_txg(spa_t *spa);
/* Bytes the pool can still allocate for user data (after the metadata reserve). */
uint64_t spa_available(spa_t *spa);
/* Record a permanent error (a block unreadable on every copy) for zpool status -v. */
void spa_log_error(spa_t *spa, uint64_t dsobj, uint64_t obj);

#endif
