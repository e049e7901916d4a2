/* SPDX-License-Identifier: MIT */
/*
 * zap.h - name -> value objects: directories, properties, child and snapshot tables. A ZAP is an
 * ordinary DMU object laid out as an extendible hash, so lookups, inserts and removals cost a
 * block or two whatever the number of entries (a directory of a million files stays fast).
 * Iteration uses a 63-bit cookie that stays valid while entries are added and removed, so it can
 * serve as a readdir offset.
 *
 * Called with the pool lock held, like every DMU function.
 */
#ifndef STOR_ZAP_H
#define STOR_ZAP_H

#include <stddef.h>
#include <stdint.h>

#include "dmu.h"

#define ZAP_MAXNAMELEN 256 /* including the NUL */
#define ZAP_MAXVALUELEN 1024

int zap_create(objset_t *os, uint8_t type, uint64_t *ret_obj);
/* Create with a given object number (receive). */
int zap_create_claim(objset_t *os, uint64_t obj, uint8_t type);
/* Create with a bonus buffer of bonuslen bytes (a directory keeps its znode there). */
int zap_create_bonus(objset_t *os, uint8_t type, uint8_t bonustype, uint16_t bonuslen,
		     uint64_t *ret_obj);
int zap_destroy(objset_t *os, uint64_t obj);

/* -EEXIST if the name is there */
int zap_add(objset_t *os, uint64_t obj, const char *name, const void *val, size_t len);
/* add or replace */
int zap_update(objset_t *os, uint64_t obj, const char *name, const void *val, size_t len);
/* -ENOENT if absent; -EOVERFLOW if the value is longer than len (ret_len tells). */
int zap_lookup(objset_t *os, uint64_t obj, const char *name, void *val, size_t len,
	       size_t *ret_len);
int zap_remove(objset_t *os, uint64_t obj, const char *name);
int zap_count(objset_t *os, uint64_t obj, uint64_t *ret);

static inline int zap_add_u64(objset_t *os, uint64_t obj, const char *name, uint64_t v)
{
	return zap_add(os, obj, name, &v, sizeof(v));
}
static inline int zap_update_u64(objset_t *os, uint64_t obj, const char *name, uint64_t v)
{
	return zap_update(os, obj, name, &v, sizeof(v));
}
static inline int zap_lookup_u64(objset_t *os, uint64_t obj, const char *name, uint64_t *v)
{
	return zap_lookup(os, obj, name, v, sizeof(*v), NULL);
}

/*
 * Iterate: start with *cookie = 0; each call returns 1 and the entry at or after *cookie and
 * sets *cookie past it, or 0 at the end. Entries come in hash order.
 */
int zap_next(objset_t *os, uint64_t obj, uint64_t *cookie, char name[ZAP_MAXNAMELEN], void *val,
	     size_t len, size_t *ret_len);

#endif
