/* SPDX-License-Identifier: MIT */
/*
 * test_zap.c - the ZAP on a real pool: many names, iteration cookies that survive inserts and
 * removals, hash collisions, the longest names and values, and damaged objects that must give
 * -EIO rather than a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <basalt/base.h>

#include "spa.h"
#include "stor_test.h"
#include "zap.h"
#include "zpl_impl.h"

static int setup(void **state)
{
	return stor_test_setup(state, "zap", false);
}

static void name_of(char *buf, size_t sz, unsigned i)
{
	snprintf(buf, sz, "file-%u-%08x", i, i * 2654435761u);
}

/* Parse the number back out of a name made by name_of(). */
static unsigned index_of(const char *name)
{
	return (unsigned)strtoul(name + 5, NULL, 10);
}

static void test_basic(void **state)
{
	struct stor_test *f = *state;
	uint64_t obj, v, n;
	char big[16];
	size_t len;

	spa_enter(f->spa);
	assert_int_equal(zap_create(f->os, DMU_OT_ZAP_OTHER, &obj), 0);
	assert_int_equal(zap_count(f->os, obj, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(zap_add_u64(f->os, obj, "a", 1), 0);
	assert_int_equal(zap_add_u64(f->os, obj, "a", 2), -EEXIST);
	assert_int_equal(zap_lookup_u64(f->os, obj, "a", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(zap_update_u64(f->os, obj, "a", 3), 0);
	assert_int_equal(zap_lookup_u64(f->os, obj, "a", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(zap_update_u64(f->os, obj, "b", 4), 0);
	assert_int_equal(zap_count(f->os, obj, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(zap_lookup_u64(f->os, obj, "c", &v), -ENOENT);

	/* a value longer than the buffer: -EOVERFLOW and its length */
	assert_int_equal(zap_update(f->os, obj, "big", "0123456789abcdef", 16), 0);
	assert_int_equal(zap_lookup(f->os, obj, "big", big, 4, &len), -EOVERFLOW);
	assert_int_equal(len, 16);
	assert_int_equal(zap_lookup(f->os, obj, "big", big, sizeof(big), &len), 0);
	assert_int_equal(len, 16);
	assert_memory_equal(big, "0123456789abcdef", 16);
	/* an empty value */
	assert_int_equal(zap_add(f->os, obj, "empty", NULL, 0), 0);
	assert_int_equal(zap_lookup(f->os, obj, "empty", big, sizeof(big), &len), 0);
	assert_int_equal(len, 0);

	assert_int_equal(zap_remove(f->os, obj, "a"), 0);
	assert_int_equal(zap_remove(f->os, obj, "a"), -ENOENT);
	assert_int_equal(zap_lookup_u64(f->os, obj, "a", &v), -ENOENT);
	assert_int_equal(zap_count(f->os, obj, &n), 0);
	assert_int_equal(n, 3);

	/* bad arguments */
	assert_int_equal(zap_add_u64(f->os, obj, "", 1), -EINVAL);
	assert_int_equal(zap_add(f->os, obj, "x", big, ZAP_MAXVALUELEN + 1), -EINVAL);

	/* it survives a sync */
	assert_int_equal(spa_sync(f->spa), 0);
	assert_int_equal(zap_lookup_u64(f->os, obj, "b", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(zap_destroy(f->os, obj), 0);
	spa_exit(f->spa);
}

#define MANY 100000u

static void test_many(void **state)
{
	struct stor_test *f = *state;
	_cleanup_free_ uint8_t *seen = bs_zalloc(MANY);
	char name[ZAP_MAXNAMELEN];
	uint64_t obj, v, n, cookie = 0, prev = 0;
	unsigned found = 0;
	size_t len;
	int r;

	spa_enter(f->spa);
	assert_int_equal(zap_create(f->os, DMU_OT_DIRECTORY, &obj), 0);
	for (unsigned i = 0; i < MANY; i++) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_add_u64(f->os, obj, name, i), 0);
		if (i % 5000 == 4999) {
			spa_exit(f->spa);
			spa_enter(f->spa);
		}
	}
	assert_int_equal(zap_count(f->os, obj, &n), 0);
	assert_int_equal(n, MANY);
	assert_int_equal(spa_sync(f->spa), 0);

	for (unsigned i = 0; i < MANY; i++) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), 0);
		assert_int_equal(v, i);
	}
	for (unsigned i = 0; i < MANY; i += 2) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_remove(f->os, obj, name), 0);
		if (i % 10000 == 9998) {
			spa_exit(f->spa);
			spa_enter(f->spa);
		}
	}
	assert_int_equal(zap_count(f->os, obj, &n), 0);
	assert_int_equal(n, MANY / 2);
	name_of(name, sizeof(name), 0);
	assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), -ENOENT);

	while ((r = zap_next(f->os, obj, &cookie, name, &v, sizeof(v), &len)) == 1) {
		unsigned i = index_of(name);

		assert_true(cookie > prev);
		prev = cookie;
		assert_int_equal(len, sizeof(v));
		assert_true(i < MANY);
		assert_int_equal(v, i);
		assert_int_equal(i % 2, 1);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		found++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(found, MANY / 2);
	assert_int_equal(zap_destroy(f->os, obj), 0);
	spa_exit(f->spa);
}

static void test_cookie_stability(void **state)
{
	struct stor_test *f = *state;
	const unsigned base = 5000;
	_cleanup_free_ uint8_t *seen = bs_zalloc(4 * base);
	char name[ZAP_MAXNAMELEN];
	uint64_t obj, v, cookie = 0;
	unsigned next_new = base, steps = 0;
	int r;

	spa_enter(f->spa);
	assert_int_equal(zap_create(f->os, DMU_OT_DIRECTORY, &obj), 0);
	for (unsigned i = 0; i < base; i++) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_add_u64(f->os, obj, name, i), 0);
	}
	while ((r = zap_next(f->os, obj, &cookie, name, &v, sizeof(v), NULL)) == 1) {
		unsigned i = index_of(name);

		assert_true(i < 4 * base);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		/* add new names (splitting buckets, doubling the table) */
		for (unsigned k = 0; k < 3 && next_new < 4 * base; k++, next_new++) {
			name_of(name, sizeof(name), next_new);
			assert_int_equal(zap_add_u64(f->os, obj, name, next_new), 0);
		}
		/* remove what was already seen, now and then */
		if (steps++ % 4 == 0) {
			name_of(name, sizeof(name), i);
			assert_int_equal(zap_remove(f->os, obj, name), 0);
		}
		if (steps % 1000 == 0)
			assert_int_equal(spa_sync(f->spa), 0);
	}
	assert_int_equal(r, 0);
	for (unsigned i = 0; i < base; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(zap_destroy(f->os, obj), 0);
	spa_exit(f->spa);
}

static void test_collisions(void **state)
{
	struct stor_test *f = *state;
	char name[ZAP_MAXNAMELEN];
	uint64_t obj, v, cookie = 0, prev_hash = 0, n;
	unsigned count = 0, i;
	_cleanup_free_ uint8_t *seen = bs_zalloc(4000);
	int r;

	spa_enter(f->spa);
	/* 8 significant hash bits: ~16 names per hash value */
	assert_int_equal(zap_create_hashbits(f->os, DMU_OT_ZAP_OTHER, 8, &obj), 0);
	for (i = 0; i < 4000; i++) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_add_u64(f->os, obj, name, i), 0);
	}
	for (i = 0; i < 4000; i++) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), 0);
		assert_int_equal(v, i);
	}
	for (i = 0; i < 4000; i += 3) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_remove(f->os, obj, name), 0);
	}
	/* re-adding reuses freed collision differentiators */
	for (i = 0; i < 4000; i += 6) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_add_u64(f->os, obj, name, i), 0);
	}
	while ((r = zap_next(f->os, obj, &cookie, name, &v, sizeof(v), NULL)) == 1) {
		i = index_of(name);
		assert_int_equal(v, i);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		assert_true((cookie - 1) >> 15 >= prev_hash);
		prev_hash = (cookie - 1) >> 15;
		count++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(zap_count(f->os, obj, &n), 0);
	assert_int_equal(count, n);
	for (i = 0; i < 4000; i++)
		assert_int_equal(seen[i], i % 3 != 0 || i % 6 == 0);
	assert_int_equal(zap_destroy(f->os, obj), 0);

	/* every name on one hash: the bucket fills and cannot split */
	assert_int_equal(zap_create_hashbits(f->os, DMU_OT_ZAP_OTHER, 0, &obj), 0);
	for (i = 0;; i++) {
		name_of(name, sizeof(name), i);
		r = zap_add_u64(f->os, obj, name, i);
		if (r < 0)
			break;
	}
	assert_int_equal(r, -ENOSPC);
	assert_true(i > 100);
	for (unsigned k = 0; k < i; k++) {
		name_of(name, sizeof(name), k);
		assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), 0);
		assert_int_equal(v, k);
	}
	cookie = 0;
	count = 0;
	while (zap_next(f->os, obj, &cookie, name, &v, sizeof(v), NULL) == 1) {
		assert_int_equal(cookie - 1, count); /* hash 0, cd 0, 1, 2, ... */
		count++;
	}
	assert_int_equal(count, i);
	assert_int_equal(zap_destroy(f->os, obj), 0);
	spa_exit(f->spa);
}

static void test_long(void **state)
{
	struct stor_test *f = *state;
	char name[ZAP_MAXNAMELEN + 1], got[ZAP_MAXNAMELEN];
	uint8_t val[ZAP_MAXVALUELEN], out[ZAP_MAXVALUELEN];
	uint64_t obj, cookie = 0;
	unsigned count = 0;
	size_t len;

	spa_enter(f->spa);
	assert_int_equal(zap_create(f->os, DMU_OT_ZAP_OTHER, &obj), 0);
	for (unsigned i = 0; i < 300; i++) {
		memset(name, 'a' + i % 26, ZAP_MAXNAMELEN - 1);
		snprintf(name, 8, "%06u", i);
		name[6] = '-';
		name[ZAP_MAXNAMELEN - 1] = '\0';
		for (unsigned k = 0; k < sizeof(val); k++)
			val[k] = (uint8_t)(i + k);
		assert_int_equal(zap_add(f->os, obj, name, val, sizeof(val)), 0);
	}
	for (unsigned i = 0; i < 300; i++) {
		memset(name, 'a' + i % 26, ZAP_MAXNAMELEN - 1);
		snprintf(name, 8, "%06u", i);
		name[6] = '-';
		name[ZAP_MAXNAMELEN - 1] = '\0';
		assert_int_equal(zap_lookup(f->os, obj, name, out, sizeof(out), &len), 0);
		assert_int_equal(len, sizeof(out));
		for (unsigned k = 0; k < sizeof(out); k++)
			assert_int_equal(out[k], (uint8_t)(i + k));
	}
	while (zap_next(f->os, obj, &cookie, got, out, sizeof(out), &len) == 1) {
		assert_int_equal(strlen(got), ZAP_MAXNAMELEN - 1);
		assert_int_equal(len, ZAP_MAXVALUELEN);
		count++;
	}
	assert_int_equal(count, 300);
	/* a value too big for the caller's buffer stops the walk with -EOVERFLOW */
	cookie = 0;
	assert_int_equal(zap_next(f->os, obj, &cookie, got, out, 8, &len), -EOVERFLOW);
	assert_int_equal(len, ZAP_MAXVALUELEN);
	assert_int_equal(cookie, 0);

	memset(name, 'x', ZAP_MAXNAMELEN);
	name[ZAP_MAXNAMELEN] = '\0';
	assert_int_equal(zap_add(f->os, obj, name, val, 1), -ENAMETOOLONG);
	assert_int_equal(zap_lookup(f->os, obj, name, out, 1, NULL), -ENAMETOOLONG);
	assert_int_equal(zap_destroy(f->os, obj), 0);
	spa_exit(f->spa);
}

/* Run every operation on a (possibly damaged) ZAP: anything may fail, nothing may crash. */
static void exercise(objset_t *os, uint64_t obj)
{
	char name[ZAP_MAXNAMELEN];
	uint8_t val[ZAP_MAXVALUELEN];
	uint64_t cookie = 0, n;
	unsigned steps = 0;
	size_t len;

	for (unsigned i = 0; i < 300; i++) {
		name_of(name, sizeof(name), i);
		(void)zap_lookup(os, obj, name, val, sizeof(val), &len);
		if (i % 7 == 0)
			(void)zap_remove(os, obj, name);
		if (i % 5 == 0)
			(void)zap_update(os, obj, name, val, 100);
	}
	while (zap_next(os, obj, &cookie, name, val, sizeof(val), &len) == 1 && steps++ < 100000)
		;
	(void)zap_count(os, obj, &n);
}

static void test_damage(void **state)
{
	struct stor_test *f = *state;
	char name[ZAP_MAXNAMELEN];
	uint64_t obj, v, cookie = 0, junk = 0x4141414141414141ull;
	uint8_t block[16384], bad_tbl[8192];

	spa_enter(f->spa);
	assert_int_equal(zap_create(f->os, DMU_OT_ZAP_OTHER, &obj), 0);
	for (unsigned i = 0; i < 2000; i++) {
		name_of(name, sizeof(name), i);
		assert_int_equal(zap_add_u64(f->os, obj, name, i), 0);
	}
	name_of(name, sizeof(name), 7);

	/* a bad magic */
	assert_int_equal(dmu_read(f->os, obj, 0, sizeof(block), block), 0);
	assert_int_equal(dmu_write(f->os, obj, 0, sizeof(junk), &junk), 0);
	assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), -EIO);
	assert_int_equal(zap_add_u64(f->os, obj, "new", 1), -EIO);
	assert_int_equal(zap_count(f->os, obj, &v), -EIO);
	assert_int_equal(zap_next(f->os, obj, &cookie, name, &v, sizeof(v), NULL), -EIO);
	assert_int_equal(dmu_write(f->os, obj, 0, sizeof(block), block), 0);
	name_of(name, sizeof(name), 7);
	assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), 0);

	/* a pointer table entry out of range (the table is inline at 8 KiB in block 0) */
	memset(bad_tbl, 0x5a, sizeof(bad_tbl));
	assert_int_equal(dmu_write(f->os, obj, 8192, sizeof(bad_tbl), bad_tbl), 0);
	assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), -EIO);
	assert_int_equal(dmu_write(f->os, obj, 0, sizeof(block), block), 0);
	assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), 0);

	/* every bucket's entry lengths overwritten */
	for (uint64_t b = 1; b < 64; b++) {
		uint8_t bad[4] = { 0xff, 0xff, 0xff, 0xff };

		assert_int_equal(dmu_write(f->os, obj, b * 16384 + 64 + 8, sizeof(bad), bad), 0);
	}
	assert_int_equal(zap_lookup_u64(f->os, obj, name, &v), -EIO);
	cookie = 0;
	assert_int_equal(zap_next(f->os, obj, &cookie, name, &v, sizeof(v), NULL), -EIO);
	assert_int_equal(zap_destroy(f->os, obj), 0);

	/* random damage: any result, no crash (run under ASan/UBSan) */
	srand(1234);
	for (unsigned round = 0; round < 40; round++) {
		struct dmu_object_info info;
		uint64_t size;

		assert_int_equal(zap_create(f->os, DMU_OT_ZAP_OTHER, &obj), 0);
		for (unsigned i = 0; i < 1500; i++) {
			name_of(name, sizeof(name), i);
			assert_int_equal(zap_add_u64(f->os, obj, name, i), 0);
		}
		assert_int_equal(dmu_object_info(f->os, obj, &info), 0);
		size = (info.maxblkid + 1) * (uint64_t)info.datablksz;
		for (unsigned k = 0; k < 1 + round % 8; k++) {
			uint64_t off = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % size;
			uint8_t b = (uint8_t)rand();

			if (round % 3 == 0)
				off %= 256; /* the header */
			assert_int_equal(dmu_write(f->os, obj, off, 1, &b), 0);
		}
		exercise(f->os, obj);
		assert_int_equal(zap_destroy(f->os, obj), 0);
	}
	spa_exit(f->spa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_cookie_stability, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_collisions, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_long, setup, stor_test_teardown),
		cmocka_unit_test_setup_teardown(test_damage, setup, stor_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
