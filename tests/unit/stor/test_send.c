// SPDX-License-Identifier: MIT
/*
 * test_send.c - unit tests of send.c and recv.c on a real pool in a temporary file: full and
 * incremental round trips compared object by object, the cost of an incremental stream, and
 * the damaged, truncated and misdirected streams that must fail and leave the destination as it
 * was; replication streams of a tree (full, incremental, damaged, with a property the target
 * refuses); sends that go on while a mirror gains and loses sides. With BASALT_SEND_CORPUS=DIR set,
 * the streams of the round trips are also saved there as seeds for tests/fuzz/fuzz_recv.c.
 */
#include <basalt/base.h>
#include <basalt/stor.h>

#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "dsl.h"
#include "spa.h"
#include "stor_test.h"
#include "stream.h"

#define POOL "tsend"

static char *tmpdir;

static int setup(void **state)
{
	char tmpl[] = "/tmp/basalt-test-send.XXXXXX";
	struct stor_pool_create_opts o = { .mountpoint = "none" };
	_cleanup_free_ char *dev = NULL;
	int r;

	if (!mkdtemp(tmpl))
		return -1;
	tmpdir = bs_strdup(tmpl);
	setenv("BASALT_ROOT", tmpdir, 1);
	r = stor_test_image(tmpdir, 512ull << 20, &dev);
	if (r == 0)
		r = stor_init();
	if (r == 0)
		r = stor_pool_create(POOL, 1, (char *[]){ dev }, &o);
	if (r < 0) {
		fprintf(stderr, "cannot create the test pool: %s\n", bs_strerror(r));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	_cleanup_free_ char *dir = TAKE_PTR(tmpdir);

	stor_pool_export_all();
	stor_fini();
	return stor_test_dir_remove(dir) < 0 ? -1 : 0;
}

/* ---- helpers ---- */

static uint64_t ds_guid(const char *name)
{
	dsl_dataset_t *ds;
	uint64_t guid;
	spa_t *spa;

	assert_int_equal(dsl_pool_enter(name, &spa), 0);
	assert_int_equal(dsl_dataset_lookup(spa, name, &ds), 0);
	guid = dsl_dataset_guid(ds);
	dsl_pool_exit(spa);
	return guid;
}

static bool ds_exists(const char *name)
{
	dsl_dataset_t *ds;
	spa_t *spa;
	int r;

	assert_int_equal(dsl_pool_enter(name, &spa), 0);
	r = dsl_dataset_lookup(spa, name, &ds);
	dsl_pool_exit(spa);
	return r == 0;
}

static void fill(uint8_t *buf, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)((seed * 131 + i * 7 + (i >> 9)) ^ (seed >> 3));
}

/* Write blocks [first, first + n) of an object with a pattern of seed. Pool lock held. */
static void write_blocks(objset_t *os, uint64_t obj, uint32_t bs, uint64_t first, uint64_t n,
			 uint64_t seed)
{
	_cleanup_free_ uint8_t *buf = bs_malloc(bs);

	for (uint64_t b = first; b < first + n; b++) {
		fill(buf, bs, seed + b);
		assert_int_equal(dmu_write(os, obj, b * bs, bs, buf), 0);
	}
}

static uint64_t new_object(objset_t *os, uint32_t bs, const char *bonus)
{
	uint64_t obj;

	assert_int_equal(dmu_object_alloc(os, DMU_OT_PLAIN_FILE, bs, DMU_OT_PLAIN_FILE,
					  (uint16_t)strlen(bonus), &obj),
			 0);
	assert_int_equal(dmu_bonus_write(os, obj, bonus, (uint16_t)strlen(bonus)), 0);
	return obj;
}

static void snapshot(const char *name)
{
	const char *names[] = { name };

	assert_int_equal(stor_ds_snapshot(names, 1, false, NULL), 0);
}

/* Every object of a and b: same numbers, types, block sizes, bonus buffers and bytes. */
static void assert_same(const char *a, const char *b)
{
	spa_t *spa;
	objset_t *osa = stor_test_objset(a, &spa), *osb;
	dsl_dataset_t *ds;
	uint64_t oa = 0, ob = 0, objects = 0;
	int ra, rb;

	assert_int_equal(dsl_dataset_lookup(spa, b, &ds), 0);
	assert_int_equal(dsl_dataset_objset(ds, &osb), 0);
	for (;;) {
		struct dmu_object_info ia, ib;
		uint8_t bonusa[DN_BONUS_SIZE], bonusb[DN_BONUS_SIZE];
		_cleanup_free_ uint8_t *da = NULL, *db = NULL;
		uint64_t len;

		ra = dmu_object_next(osa, oa, &oa);
		rb = dmu_object_next(osb, ob, &ob);
		assert_int_equal(ra, rb);
		if (ra == -ESRCH)
			break;
		assert_int_equal(ra, 0);
		assert_int_equal(oa, ob);
		assert_int_equal(dmu_object_info(osa, oa, &ia), 0);
		assert_int_equal(dmu_object_info(osb, ob, &ib), 0);
		assert_int_equal(ia.type, ib.type);
		assert_int_equal(ia.datablksz, ib.datablksz);
		assert_int_equal(ia.bonustype, ib.bonustype);
		assert_int_equal(ia.bonuslen, ib.bonuslen);
		assert_int_equal(dmu_bonus_read(osa, oa, bonusa, ia.bonuslen), 0);
		assert_int_equal(dmu_bonus_read(osb, ob, bonusb, ib.bonuslen), 0);
		assert_memory_equal(bonusa, bonusb, ia.bonuslen);
		len = (MAX(ia.maxblkid, ib.maxblkid) + 1) * ia.datablksz;
		da = bs_malloc(len);
		db = bs_malloc(len);
		assert_int_equal(dmu_read(osa, oa, 0, len, da), 0);
		assert_int_equal(dmu_read(osb, ob, 0, len, db), 0);
		assert_memory_equal(da, db, len);
		objects++;
	}
	spa_exit(spa);
	assert_true(objects > 0);
}

static int stream_new(void)
{
	int fd = memfd_create("stream", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static int send_to(const char *snap, const char *from, bool intermediates)
{
	struct stor_send_opts o = { .from = from, .intermediates = intermediates };
	int fd = stream_new();

	assert_int_equal(stor_send(snap, &o, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int recv_from(const char *target, int fd, bool force, json_t **ret)
{
	struct stor_recv_opts o = { .force = force, .nomount = true };

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return stor_recv(target, &o, fd, ret);
}

/* The stream as bytes, to damage it. */
static uint8_t *stream_bytes(int fd, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf;

	assert_int_equal(fstat(fd, &st), 0);
	buf = bs_malloc(st.st_size);
	assert_int_equal(bs_pread_full(fd, buf, st.st_size, 0), 0);
	*ret_len = st.st_size;
	return buf;
}

static int stream_of(const uint8_t *buf, size_t len)
{
	int fd = stream_new();

	assert_int_equal(bs_write_full(fd, buf, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void save_seed(int fd, const char *name)
{
	const char *dir = getenv("BASALT_SEND_CORPUS");
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ char *path = NULL;
	size_t len;

	if (!dir)
		return;
	buf = stream_bytes(fd, &len);
	path = bs_path_join(dir, name);
	assert_int_equal(bs_write_file_atomic(path, buf, len, 0644), 0);
}

/* Count the records of each type in a stream (and check that it reads back cleanly). */
static void count_records(int fd, uint64_t counts[STREAM_REPL + 1])
{
	struct stream_reader *rd;
	struct stream_rec rec;
	const void *p;
	int r;

	memset(counts, 0, sizeof(uint64_t) * (STREAM_REPL + 1));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(stream_reader_new(fd, &rd), 0);
	while ((r = stream_read_record(rd, &rec, &p)) > 0)
		counts[rec.type]++;
	assert_int_equal(r, 0);
	stream_reader_free(rd);
}

/* ---- the source: POOL/src with @a, then @b ---- */

static uint64_t obj_big, obj_small, obj_gone, obj_holes;

static void make_src_a(void)
{
	spa_t *spa;
	objset_t *os;

	assert_int_equal(stor_ds_create(POOL "/src", STOR_TYPE_FILESYSTEM, 0, NULL, false), 0);
	os = stor_test_objset(POOL "/src", &spa);
	obj_big = new_object(os, 4096, "big");
	write_blocks(os, obj_big, 4096, 0, 8, 1);
	write_blocks(os, obj_big, 4096, 300, 2, 2); /* indirect blocks, a gap */
	obj_small = new_object(os, 512, "small file bonus");
	write_blocks(os, obj_small, 512, 0, 1, 3);
	obj_gone = new_object(os, 1024, "to be freed");
	write_blocks(os, obj_gone, 1024, 0, 3, 4);
	obj_holes = new_object(os, 2048, "holes");
	write_blocks(os, obj_holes, 2048, 0, 6, 5);
	spa_exit(spa);
	snapshot(POOL "/src@a");
}

static void make_src_b(void)
{
	spa_t *spa;
	objset_t *os = stor_test_objset(POOL "/src", &spa);
	uint64_t obj;

	assert_int_equal(dmu_free_range(os, obj_holes, 2 * 2048, 2 * 2048), 0); /* punch */
	assert_int_equal(dmu_free_range(os, obj_big, 4 * 4096, UINT64_MAX), 0); /* truncate */
	assert_int_equal(dmu_object_free(os, obj_gone), 0);
	write_blocks(os, obj_small, 512, 0, 1, 33); /* rewrite */
	obj = new_object(os, 8192, "new in b");
	write_blocks(os, obj, 8192, 1, 2, 6);
	spa_exit(spa);
	snapshot(POOL "/src@b");
}

/* ---- tests ---- */

static void test_full_round_trip(void **state)
{
	_cleanup_close_ int fd = -1;
	json_t *received = NULL;

	make_src_a();
	fd = send_to(POOL "/src@a", NULL, false);
	save_seed(fd, "full");
	assert_int_equal(recv_from(POOL "/dst", fd, false, &received), 0);
	assert_int_equal(json_array_size(received), 1);
	assert_string_equal(json_string_value(json_array_get(received, 0)), POOL "/dst@a");
	json_decref(received);
	assert_same(POOL "/src@a", POOL "/dst@a");
	assert_same(POOL "/src@a", POOL "/dst");
	/* the snapshot keeps its identity, the new head has its own */
	assert_true(ds_guid(POOL "/src@a") == ds_guid(POOL "/dst@a"));
	assert_true(ds_guid(POOL "/src") != ds_guid(POOL "/dst"));
}

/* The pool's one device gets a mirror side, resilvered, and leaves it alone: rounds times, the
 * two devices taking turns, so that the device reads go to is the one that leaves. */
struct churn {
	const char *dev[2];
	int rounds, failed;
	bool done;
};

static void *churn_mirror(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < c->rounds; i++) {
		const char *in = c->dev[i % 2], *out = c->dev[(i + 1) % 2];

		if (stor_pool_attach(POOL, in, out, true, true) < 0 ||
		    stor_pool_detach(POOL, in) < 0)
			c->failed++;
	}
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* A send reads its snapshot's blocks without the pool's lock, holding the device tree's read
 * lock for each block, while the pool's device gains a mirror side, resilvers it and leaves it
 * alone, over and over: no lock waits on another for ever, every send completes with every block
 * verified, and the pool is whole at the end. */
static void test_send_while_mirror_changes(void **state)
{
	_cleanup_free_ char *dev = bs_path_join(tmpdir, "pool.img"),
			    *sidedir = bs_path_join(tmpdir, "side"), *side = NULL;
	struct churn c = { .dev = { dev }, .rounds = 30 };
	struct stor_send_opts o = { 0 };
	unsigned sends = 0;
	json_t *status;
	objset_t *os;
	pthread_t t;
	spa_t *spa;

	(void)state;
	assert_int_equal(stor_ds_create(POOL "/churn", STOR_TYPE_FILESYSTEM, 0, NULL, false), 0);
	os = stor_test_objset(POOL "/churn", &spa);
	write_blocks(os, new_object(os, 128 << 10, "data"), 128 << 10, 0, 64, 5);
	spa_exit(spa);
	snapshot(POOL "/churn@s");
	assert_int_equal(mkdir(sidedir, 0700), 0);
	assert_int_equal(stor_test_image(sidedir, 512ull << 20, &side), 0);
	c.dev[1] = side;
	assert_int_equal(pthread_create(&t, NULL, churn_mirror, &c), 0);
	do {
		_cleanup_close_ int fd = stream_new();

		assert_int_equal(stor_send(POOL "/churn@s", &o, fd), 0);
		sends++;
	} while (!__atomic_load_n(&c.done, __ATOMIC_ACQUIRE));
	pthread_join(t, NULL);
	assert_int_equal(c.failed, 0);
	assert_true(sends > 1);
	assert_int_equal(stor_pool_scrub(POOL, true, false), 0);
	assert_int_equal(stor_pool_status(POOL, &status), 0);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(status, "scan"), "errors")), 0);
	json_decref(status);
}

static void test_full_into_existing(void **state)
{
	_cleanup_close_ int fd = send_to(POOL "/src@a", NULL, false);

	assert_int_equal(recv_from(POOL "/dst", fd, false, NULL), -EEXIST);
	assert_true(strstr(bs_error_msg(), "use -F") != NULL);
	/* with -F a file system that has snapshots is still not overwritten */
	assert_int_equal(recv_from(POOL "/dst", fd, true, NULL), -EEXIST);
	assert_same(POOL "/src@a", POOL "/dst@a");
}

/* Damage a stream three ways; each receive fails and leaves the destination as it was. */
static void assert_damage_rejected(int fd, const char *target, const char *must_not_exist)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len, cuts[] = { 1, STREAM_REC_SIZE + 5, 0, 0 };

	buf = stream_bytes(fd, &len);
	cuts[2] = len / 2;
	cuts[3] = len - 1;
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		_cleanup_close_ int t = stream_of(buf, cuts[i]);

		assert_int_equal(recv_from(target, t, false, NULL), -EBADMSG);
		assert_false(ds_exists(must_not_exist));
	}
	/* a flipped bit in a header, in the middle of the data, in the END record */
	size_t flips[] = { 40, len / 2 + 3, len - 70 };
	for (size_t i = 0; i < ARRAY_SIZE(flips); i++) {
		_cleanup_close_ int t = -1;

		buf[flips[i]] ^= 0x10;
		t = stream_of(buf, len);
		assert_int_equal(recv_from(target, t, false, NULL), -EBADMSG);
		assert_false(ds_exists(must_not_exist));
		buf[flips[i]] ^= 0x10;
	}
}

static void test_full_damaged(void **state)
{
	_cleanup_close_ int fd = send_to(POOL "/src@a", NULL, false);

	assert_damage_rejected(fd, POOL "/bad", POOL "/bad");
	/* the undamaged stream still goes in */
	assert_int_equal(recv_from(POOL "/bad", fd, false, NULL), 0);
	assert_same(POOL "/src@a", POOL "/bad@a");
	assert_int_equal(stor_ds_destroy(POOL "/bad", STOR_DESTROY_RECURSIVE, NULL), 0);
}

static void test_incremental_round_trip(void **state)
{
	_cleanup_close_ int fd = -1;
	uint64_t counts[STREAM_REPL + 1];

	make_src_b();
	fd = send_to(POOL "/src@b", "@a", false);
	save_seed(fd, "incremental");
	count_records(fd, counts);
	assert_true(counts[STREAM_FREE] >= 2);	      /* the hole, the truncation */
	assert_true(counts[STREAM_FREEOBJECTS] >= 1); /* obj_gone */
	assert_int_equal(recv_from(POOL "/dst", fd, false, NULL), 0);
	assert_same(POOL "/src@b", POOL "/dst@b");
	assert_same(POOL "/src@a", POOL "/dst@a");
	assert_true(ds_guid(POOL "/src@b") == ds_guid(POOL "/dst@b"));
}

static void test_incremental_damaged(void **state)
{
	_cleanup_close_ int fd = -1;

	/* a third snapshot to send on top of dst@b */
	{
		spa_t *spa;
		objset_t *os = stor_test_objset(POOL "/src", &spa);

		write_blocks(os, obj_big, 4096, 1, 2, 77);
		assert_int_equal(dmu_object_free(os, obj_small), 0);
		spa_exit(spa);
	}
	snapshot(POOL "/src@c");
	fd = send_to(POOL "/src@c", POOL "/src@b", false);
	assert_damage_rejected(fd, POOL "/dst", POOL "/dst@c");
	/* the head was rolled back to @b each time */
	assert_same(POOL "/src@b", POOL "/dst");
	assert_int_equal(recv_from(POOL "/dst", fd, false, NULL), 0);
	assert_same(POOL "/src@c", POOL "/dst@c");
}

/*
 * The stream as version 1 wrote it: BEGIN (and REPL) say 1, and each END carries the SHA-256 of
 * its substream, computed here with OpenSSL's EVP rather than the library's own helpers.
 */
static uint8_t *to_version1(const uint8_t *in, size_t len)
{
	uint8_t *buf = bs_malloc(len);
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	size_t pos = 0;
	unsigned mdlen = 32;

	memcpy(buf, in, len);
	while (pos < len) {
		struct stream_rec rec;

		assert_true(len - pos >= sizeof(rec));
		memcpy(&rec, buf + pos, sizeof(rec));
		if (rec.type == STREAM_BEGIN) {
			assert_int_equal(rec.u.begin.version, STREAM_VERSION);
			rec.u.begin.version = 1;
			assert_int_equal(EVP_DigestInit_ex(sha, EVP_sha256(), NULL), 1);
		} else if (rec.type == STREAM_REPL) {
			rec.u.repl.version = 1;
		} else if (rec.type == STREAM_END) {
			assert_int_equal(EVP_DigestFinal_ex(sha, rec.u.end.cksum, &mdlen), 1);
		}
		stream_rec_seal(&rec);
		memcpy(buf + pos, &rec, sizeof(rec));
		if (rec.type != STREAM_END && rec.type != STREAM_REPL)
			assert_int_equal(
				EVP_DigestUpdate(sha, buf + pos, sizeof(rec) + rec.payload_len), 1);
		pos += sizeof(rec) + rec.payload_len;
	}
	EVP_MD_CTX_free(sha);
	return buf;
}

/* Streams of version 1 (SHA-256 substream checksum) are still received, and checked. */
/* The stream's BEGIN record says version v, resealed so that its header checksum holds. */
static void set_begin_version(uint8_t *stream, uint32_t v)
{
	struct stream_rec rec;

	memcpy(&rec, stream, sizeof(rec));
	rec.u.begin.version = v;
	stream_rec_seal(&rec);
	memcpy(stream, &rec, sizeof(rec));
}

static void test_version1_streams(void **state)
{
	_cleanup_close_ int full = send_to(POOL "/src@a", NULL, false);
	_cleanup_close_ int inc = send_to(POOL "/src@b", "@a", false);
	_cleanup_free_ uint8_t *fbuf = NULL, *ibuf = NULL, *f1 = NULL, *i1 = NULL;
	size_t flen, ilen;

	fbuf = stream_bytes(full, &flen);
	ibuf = stream_bytes(inc, &ilen);
	f1 = to_version1(fbuf, flen);
	i1 = to_version1(ibuf, ilen);
	{
		_cleanup_close_ int t = stream_of(f1, flen);

		save_seed(t, "full-v1");
		assert_damage_rejected(t, POOL "/v1", POOL "/v1");
		assert_int_equal(recv_from(POOL "/v1", t, false, NULL), 0);
	}
	{
		_cleanup_close_ int t = stream_of(i1, ilen);

		assert_int_equal(recv_from(POOL "/v1", t, false, NULL), 0);
	}
	assert_same(POOL "/src@a", POOL "/v1@a");
	assert_same(POOL "/src@b", POOL "/v1@b");
	/* a version 2 END does not pass for version 1, nor the other way round */
	for (int v = 1; v <= 2; v++) {
		_cleanup_free_ uint8_t *mixed = bs_malloc(flen);
		_cleanup_close_ int t = -1;

		memcpy(mixed, v == 1 ? fbuf : f1, flen);
		set_begin_version(mixed, (uint32_t)v);
		t = stream_of(mixed, flen);
		assert_int_equal(recv_from(POOL "/v1mix", t, false, NULL), -EBADMSG);
		assert_true(strstr(bs_error_msg(), "checksum mismatch") != NULL);
		assert_false(ds_exists(POOL "/v1mix"));
	}
	/* a version from the future is refused */
	{
		_cleanup_close_ int t = -1;

		set_begin_version(fbuf, STREAM_VERSION + 1);
		t = stream_of(fbuf, flen);
		assert_int_equal(recv_from(POOL "/v1mix", t, false, NULL), -EBADMSG);
		assert_true(strstr(bs_error_msg(), "version") != NULL);
		assert_false(ds_exists(POOL "/v1mix"));
	}
	assert_int_equal(stor_ds_destroy(POOL "/v1", STOR_DESTROY_RECURSIVE, NULL), 0);
}

/* Fletcher-4 as its definition says, one word at a time. */
static void fletcher4_ref(const uint8_t *p, size_t n, uint8_t out[32])
{
	uint64_t s[4] = { 0 };

	for (size_t i = 0; i < n; i += 4) {
		uint32_t w = 0;

		memcpy(&w, p + i, MIN(4, n - i));
		s[0] += le32toh(w);
		s[1] += s[0];
		s[2] += s[1];
		s[3] += s[2];
	}
	for (int i = 0; i < 4; i++) {
		uint64_t v = htole64(s[i]);

		memcpy(out + 8 * i, &v, 8);
	}
}

/* Fletcher-4 in parts of any length is fletcher-4 of the whole, and is fletcher-4: the same
 * sums as the definition, whatever the path (vectorised or not) and the length, with sums that
 * wrap (bytes of 0xff, more than 1 MiB). */
static void test_fletcher4_parts(void **state)
{
	size_t lens[] = { 0, 3, 4, 63, 64, 65, 80, 1000, 4096, 131072, (1u << 20) + 20, 3u << 20 };
	_cleanup_free_ uint8_t *big = bs_malloc(3u << 20);

	for (int pattern = 0; pattern < 2; pattern++) {
		if (pattern)
			memset(big, 0xff, 3u << 20);
		else
			fill(big, 3u << 20, 5);
		for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
			uint8_t want[32], got[32];

			fletcher4_ref(big, lens[i], want);
			fletcher4(big, lens[i], got);
			assert_memory_equal(want, got, 32);
		}
	}

	uint8_t buf[1000], whole[32], parts[32];
	size_t cuts[] = { 0, 1, 2, 3, 4, 5, 7, 8, 13, 64, 129, 998, 999, 1000 };

	fill(buf, sizeof(buf), 9);
	fletcher4(buf, sizeof(buf), whole);
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		for (size_t step = 1; step <= 7; step += 3) {
			struct fletcher4_ctx ctx;
			size_t pos = cuts[i];

			fletcher4_init(&ctx);
			fletcher4_update(&ctx, buf, pos);
			while (pos < sizeof(buf)) {
				size_t k = MIN(step, sizeof(buf) - pos);

				fletcher4_update(&ctx, buf + pos, k);
				pos += k;
			}
			fletcher4_final(&ctx, parts);
			assert_memory_equal(whole, parts, 32);
		}
	}
	/* a partial last word counts as padded with zeros */
	{
		uint8_t padded[8] = { 1, 2, 3, 4, 5, 0, 0, 0 };

		fletcher4(padded, 5, whole);
		fletcher4(padded, 8, parts);
		assert_memory_equal(whole, parts, 32);
	}
}

static void test_wrong_origin(void **state)
{
	_cleanup_close_ int fd = send_to(POOL "/src@b", "@a", false);

	/* dst's latest is @c now, not @a */
	assert_int_equal(recv_from(POOL "/dst", fd, false, NULL), -ENODEV);
	/* an incremental into a name that does not exist */
	assert_int_equal(recv_from(POOL "/nothere", fd, false, NULL), -ENOENT);
	assert_false(ds_exists(POOL "/nothere"));
	/* -i with a snapshot that is not an earlier one of the same dataset */
	{
		struct stor_send_opts o = { .from = "@c" };
		_cleanup_close_ int t = stream_new();

		assert_int_equal(stor_send(POOL "/src@b", &o, t), -EXDEV);
	}
}

static void test_modified_destination(void **state)
{
	_cleanup_close_ int fd = -1;
	spa_t *spa;
	objset_t *os;

	os = stor_test_objset(POOL "/src", &spa);
	write_blocks(os, obj_big, 4096, 0, 1, 99);
	spa_exit(spa);
	snapshot(POOL "/src@d");
	fd = send_to(POOL "/src@d", "@c", false);

	os = stor_test_objset(POOL "/dst", &spa);
	write_blocks(os, obj_holes, 2048, 0, 1, 123);
	spa_exit(spa);
	assert_int_equal(recv_from(POOL "/dst", fd, false, NULL), -ETXTBSY);
	assert_true(strstr(bs_error_msg(), "use -F") != NULL);
	assert_int_equal(recv_from(POOL "/dst", fd, true, NULL), 0);
	assert_same(POOL "/src@d", POOL "/dst@d");
}

/* A one-block change to a large object costs one WRITE record, not one per block. */
static void test_incremental_cost(void **state)
{
	_cleanup_close_ int full = -1, inc = -1;
	uint64_t counts[STREAM_REPL + 1], obj;
	spa_t *spa;
	objset_t *os;

	assert_int_equal(stor_ds_create(POOL "/big", STOR_TYPE_FILESYSTEM, 0, NULL, false), 0);
	os = stor_test_objset(POOL "/big", &spa);
	obj = new_object(os, 4096, "large");
	write_blocks(os, obj, 4096, 0, 4096, 7); /* 16 MiB */
	spa_exit(spa);
	snapshot(POOL "/big@1");
	os = stor_test_objset(POOL "/big", &spa);
	write_blocks(os, obj, 4096, 2222, 1, 8);
	spa_exit(spa);
	snapshot(POOL "/big@2");

	full = send_to(POOL "/big@1", NULL, false);
	count_records(full, counts);
	assert_true(counts[STREAM_WRITE] >= 4096);
	inc = send_to(POOL "/big@2", "@1", false);
	count_records(inc, counts);
	assert_int_equal(counts[STREAM_WRITE], 1);
	assert_int_equal(counts[STREAM_BEGIN], 1);
	assert_int_equal(counts[STREAM_END], 1);

	/* a snapshot of another dataset is no origin */
	{
		struct stor_send_opts o = { .from = POOL "/src@a" };
		_cleanup_close_ int t = stream_new();

		assert_int_equal(stor_send(POOL "/big@2", &o, t), -EXDEV);
	}
	/* a receive that fails after batches were applied still leaves nothing */
	{
		_cleanup_free_ uint8_t *buf = NULL;
		_cleanup_close_ int t = -1;
		size_t len;

		buf = stream_bytes(full, &len);
		t = stream_of(buf, len * 3 / 4);
		assert_int_equal(recv_from(POOL "/big3", t, false, NULL), -EBADMSG);
		assert_false(ds_exists(POOL "/big3"));
	}
	assert_int_equal(recv_from(POOL "/big2", full, false, NULL), 0);
	assert_int_equal(recv_from(POOL "/big2", inc, false, NULL), 0);
	assert_same(POOL "/big@2", POOL "/big2@2");
}

/* -I: every snapshot in between, each received as a snapshot of its own. */
static void test_intermediates(void **state)
{
	_cleanup_close_ int full = send_to(POOL "/src@a", NULL, false);
	_cleanup_close_ int inc = send_to(POOL "/src@d", "@a", true);
	json_t *received = NULL;

	save_seed(inc, "intermediates");
	assert_int_equal(recv_from(POOL "/dst3", full, false, NULL), 0);
	assert_int_equal(recv_from(POOL "/dst3", inc, false, &received), 0);
	assert_int_equal(json_array_size(received), 3);
	json_decref(received);
	assert_same(POOL "/src@b", POOL "/dst3@b");
	assert_same(POOL "/src@c", POOL "/dst3@c");
	assert_same(POOL "/src@d", POOL "/dst3@d");
}

static void test_dryrun(void **state)
{
	struct stor_recv_opts o = { .dryrun = true, .nomount = true };
	_cleanup_close_ int fd = send_to(POOL "/src@a", NULL, false);
	_cleanup_close_ int t = stream_new();
	json_t *received = NULL;

	assert_int_equal(stor_recv(POOL "/dry", &o, fd, &received), 0);
	assert_int_equal(json_array_size(received), 1);
	json_decref(received);
	assert_false(ds_exists(POOL "/dry"));
	/* an empty input and garbage */
	assert_int_equal(recv_from(POOL "/dry", t, false, NULL), -EBADMSG);
	assert_int_equal(bs_write_full(t, "not a stream at all, not at all, really not at all", 50),
			 0);
	assert_int_equal(recv_from(POOL "/dry", t, false, NULL), -EBADMSG);
	assert_false(ds_exists(POOL "/dry"));
}

/* ---- replication streams: POOL/tree, tree/kid, tree/kid/gk, tree/vol ---- */

static uint64_t obj_grow;

static int send_tree(const char *snap, const char *from, bool intermediates)
{
	struct stor_send_opts o = { .from = from,
				    .intermediates = intermediates,
				    .replicate = true };
	int fd = stream_new();

	assert_int_equal(stor_send(snap, &o, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void write_some(const char *fs, uint64_t seed)
{
	spa_t *spa;
	objset_t *os = stor_test_objset(fs, &spa);
	uint64_t obj = new_object(os, 4096, fs);

	write_blocks(os, obj, 4096, 0, 3, seed);
	spa_exit(spa);
}

static char *prop_of(const char *fs, const char *prop)
{
	dsl_dataset_t *ds;
	char *v = NULL;
	spa_t *spa;

	assert_int_equal(dsl_pool_enter(fs, &spa), 0);
	assert_int_equal(dsl_dataset_lookup(spa, fs, &ds), 0);
	assert_int_equal(dsl_prop_get_string(ds, prop, &v), 0);
	dsl_pool_exit(spa);
	return v;
}

static void make_tree(void)
{
	const char *cprops[] = { "compression=zstd", "user:note=top", NULL };
	const char *qprops[] = { "quota=1G", "recordsize=65536", NULL };
	spa_t *spa;
	objset_t *os;

	assert_int_equal(stor_ds_create(POOL "/tree", STOR_TYPE_FILESYSTEM, 0, cprops, false), 0);
	assert_int_equal(stor_ds_create(POOL "/tree/kid", STOR_TYPE_FILESYSTEM, 0, qprops, false),
			 0);
	assert_int_equal(stor_ds_create(POOL "/tree/kid/gk", STOR_TYPE_FILESYSTEM, 0, NULL, false),
			 0);
	assert_int_equal(stor_ds_create(POOL "/tree/vol", STOR_TYPE_VOLUME, 1 << 20, NULL, false),
			 0);
	write_some(POOL "/tree", 11);
	write_some(POOL "/tree/kid/gk", 12);
	/* an object whose block size still follows its data */
	os = stor_test_objset(POOL "/tree/kid", &spa);
	assert_int_equal(
		dmu_object_alloc(os, DMU_OT_PLAIN_FILE, 0, DMU_OT_PLAIN_FILE, 0, &obj_grow), 0);
	{
		uint8_t buf[1500];

		fill(buf, sizeof(buf), 13);
		assert_int_equal(dmu_write(os, obj_grow, 0, sizeof(buf), buf), 0);
	}
	spa_exit(spa);
	snapshot(POOL "/tree/kid@own");
	write_some(POOL "/tree/kid", 14);
	assert_int_equal(stor_ds_snapshot((const char *[]){ POOL "/tree@r1" }, 1, true, NULL), 0);
	write_some(POOL "/tree", 15);
	write_some(POOL "/tree/kid/gk", 16);
	assert_int_equal(stor_ds_snapshot((const char *[]){ POOL "/tree@r2" }, 1, true, NULL), 0);
	/* created after @r2: not part of its replication stream */
	assert_int_equal(stor_ds_create(POOL "/tree/late", STOR_TYPE_FILESYSTEM, 0, NULL, false),
			 0);
}

static void assert_tree_same(const char *dst, const char *const *snaps)
{
	static const char *const kids[] = { "", "/kid", "/kid/gk" };

	for (size_t k = 0; k < ARRAY_SIZE(kids); k++)
		for (size_t i = 0; snaps[i]; i++) {
			_cleanup_free_ char *a = bs_asprintf(POOL "/tree%s@%s", kids[k], snaps[i]);
			_cleanup_free_ char *b = bs_asprintf("%s%s@%s", dst, kids[k], snaps[i]);

			assert_same(a, b);
			assert_true(ds_guid(a) == ds_guid(b));
		}
}

static void test_replicate_round_trip(void **state)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *comp = NULL, *quota = NULL, *rs = NULL, *note = NULL;
	json_t *received = NULL;
	struct dmu_object_info info;
	spa_t *spa;
	objset_t *os;

	make_tree();
	fd = send_tree(POOL "/tree@r2", NULL, false);
	save_seed(fd, "replicate");
	assert_int_equal(recv_from(POOL "/rtree", fd, false, &received), 0);
	/* tree@r1 r2, kid@own r1 r2, gk@r1 r2, vol@r1 r2 */
	assert_int_equal(json_array_size(received), 9);
	json_decref(received);
	assert_tree_same(POOL "/rtree", (const char *[]){ "r1", "r2", NULL });
	assert_same(POOL "/tree/kid@own", POOL "/rtree/kid@own");
	assert_true(ds_exists(POOL "/rtree/vol@r2"));
	assert_false(ds_exists(POOL "/rtree/late"));
	/* the local properties came along; the inherited ones were not made local */
	comp = prop_of(POOL "/rtree", "compression");
	note = prop_of(POOL "/rtree", "user:note");
	quota = prop_of(POOL "/rtree/kid", "quota");
	rs = prop_of(POOL "/rtree/kid", "recordsize");
	assert_string_equal(comp, "zstd");
	assert_string_equal(note, "top");
	assert_string_equal(quota, "1073741824");
	assert_string_equal(rs, "65536");
	free(comp);
	comp = prop_of(POOL "/rtree/kid/gk", "compression");
	assert_string_equal(comp, "zstd");
	/* the growing block size survived */
	os = stor_test_objset(POOL "/rtree/kid", &spa);
	assert_int_equal(dmu_object_info(os, obj_grow, &info), 0);
	spa_exit(spa);
	assert_true(info.flags & DN_FLAG_GROW);
	assert_int_equal(info.datablksz, 2048);
}

static void test_replicate_incremental(void **state)
{
	_cleanup_close_ int fd = -1;
	json_t *received = NULL;

	write_some(POOL "/tree/kid", 21);
	assert_int_equal(stor_ds_snapshot((const char *[]){ POOL "/tree@r3" }, 1, true, NULL), 0);
	write_some(POOL "/tree/kid/gk", 22);
	assert_int_equal(stor_ds_snapshot((const char *[]){ POOL "/tree@r4" }, 1, true, NULL), 0);
	fd = send_tree(POOL "/tree@r4", "@r2", true);
	save_seed(fd, "replicate-incremental");
	assert_int_equal(recv_from(POOL "/rtree", fd, false, &received), 0);
	/* r3 and r4 of tree, kid, gk and vol; late is new: its @r3 full, @r4 on top */
	assert_int_equal(json_array_size(received), 10);
	json_decref(received);
	assert_tree_same(POOL "/rtree", (const char *[]){ "r3", "r4", NULL });
	assert_same(POOL "/tree/late@r4", POOL "/rtree/late@r4");
}

/* A stream cut or damaged anywhere leaves nothing of a new tree, and rolls an updated one back. */
static void test_replicate_damaged(void **state)
{
	_cleanup_close_ int full = send_tree(POOL "/tree@r2", NULL, false);
	_cleanup_close_ int inc = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	uint64_t counts[STREAM_REPL + 1];
	size_t len, pos, subs = 0;

	assert_damage_rejected(full, POOL "/rbad", POOL "/rbad");
	/* cut right after a substream's END: whole substreams, but fewer than announced */
	count_records(full, counts);
	assert_int_equal(counts[STREAM_REPL], 1);
	buf = stream_bytes(full, &len);
	for (pos = 0; pos < len && subs < counts[STREAM_BEGIN] - 1;) {
		struct stream_rec rec;

		memcpy(&rec, buf + pos, sizeof(rec));
		pos += sizeof(rec) + rec.payload_len;
		subs += rec.type == STREAM_END;
	}
	{
		_cleanup_close_ int t = stream_of(buf, pos);

		assert_int_equal(recv_from(POOL "/rbad", t, false, NULL), -EBADMSG);
		assert_false(ds_exists(POOL "/rbad"));
	}

	write_some(POOL "/tree/kid/gk", 31);
	assert_int_equal(stor_ds_snapshot((const char *[]){ POOL "/tree@r5" }, 1, true, NULL), 0);
	assert_int_equal(stor_ds_create(POOL "/tree/kid/new", STOR_TYPE_FILESYSTEM, 0, NULL, false),
			 0);
	write_some(POOL "/tree/kid/new", 32);
	assert_int_equal(stor_ds_snapshot((const char *[]){ POOL "/tree@r6" }, 1, true, NULL), 0);
	inc = send_tree(POOL "/tree@r6", "@r4", true);
	assert_damage_rejected(inc, POOL "/rtree", POOL "/rtree/kid/new");
	assert_false(ds_exists(POOL "/rtree@r5"));
	assert_false(ds_exists(POOL "/rtree/kid/gk@r5"));
	assert_same(POOL "/tree/kid/gk@r4", POOL "/rtree/kid/gk");
	assert_int_equal(recv_from(POOL "/rtree", inc, false, NULL), 0);
	assert_tree_same(POOL "/rtree", (const char *[]){ "r5", "r6", NULL });
	assert_same(POOL "/tree/kid/new@r6", POOL "/rtree/kid/new@r6");
}

/* Replace from by to (as long) in the header record at the start of the stream buf, and seal the
 * record again with the digest of its new payload, as a sender that meant it would. */
static void rewrite_header(uint8_t *buf, const char *from, const char *to)
{
	struct stream_rec rec;
	unsigned mdlen = 32;
	uint8_t *p = buf + sizeof(rec), *z;

	memcpy(&rec, buf, sizeof(rec));
	z = memmem(p, rec.payload_len, from, strlen(from));
	assert_non_null(z);
	memcpy(z, to, strlen(to));
	assert_int_equal(
		EVP_Digest(p, rec.payload_len, rec.u.repl.sha256, &mdlen, EVP_sha256(), NULL), 1);
	stream_rec_seal(&rec);
	memcpy(buf, &rec, sizeof(rec));
}

/* A property the target refuses is skipped; a header that does not match its substreams is not. */
static void test_replicate_header(void **state)
{
	_cleanup_close_ int fd = send_tree(POOL "/tree@r2", NULL, false);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stor_recv_opts dry = { .dryrun = true };
	struct stream_rec rec;
	json_t *received = NULL;
	size_t len;

	/* -n reads the whole tree, creates nothing */
	assert_int_equal(stor_recv(POOL "/rdry", &dry, fd, &received), 0);
	assert_int_equal(json_array_size(received), 9);
	json_decref(received);
	assert_false(ds_exists(POOL "/rdry"));

	buf = stream_bytes(fd, &len);
	memcpy(&rec, buf, sizeof(rec));
	assert_int_equal(rec.type, STREAM_REPL);
	rewrite_header(buf, "zstd", "zzzz");
	{
		_cleanup_close_ int t = stream_of(buf, len);
		_cleanup_free_ char *comp = NULL;

		assert_int_equal(recv_from(POOL "/rprop", t, false, NULL), 0);
		comp = prop_of(POOL "/rprop", "compression");
		assert_string_equal(comp, "lz4");
		assert_same(POOL "/tree@r2", POOL "/rprop@r2");
	}
	/* a header naming a dataset the substreams do not go to */
	rewrite_header(buf, "kid/gk\"", "kid/gx\"");
	{
		_cleanup_close_ int t = stream_of(buf, len);

		assert_int_equal(recv_from(POOL "/rhdr", t, false, NULL), -EBADMSG);
		assert_false(ds_exists(POOL "/rhdr"));
	}
	/* a replication stream names a file system, not a snapshot */
	assert_int_equal(recv_from(POOL "/rsnap@x", fd, false, NULL), -EINVAL);
	assert_false(ds_exists(POOL "/rsnap"));
}

int main(void)
{
	/* the cases build on each other's datasets: run in this order */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_round_trip),
		cmocka_unit_test(test_send_while_mirror_changes),
		cmocka_unit_test(test_full_into_existing),
		cmocka_unit_test(test_full_damaged),
		cmocka_unit_test(test_incremental_round_trip),
		cmocka_unit_test(test_incremental_damaged),
		cmocka_unit_test(test_version1_streams),
		cmocka_unit_test(test_fletcher4_parts),
		cmocka_unit_test(test_wrong_origin),
		cmocka_unit_test(test_modified_destination),
		cmocka_unit_test(test_incremental_cost),
		cmocka_unit_test(test_intermediates),
		cmocka_unit_test(test_dryrun),
		cmocka_unit_test(test_replicate_round_trip),
		cmocka_unit_test(test_replicate_incremental),
		cmocka_unit_test(test_replicate_damaged),
		cmocka_unit_test(test_replicate_header),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
