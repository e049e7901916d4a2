/* SPDX-License-Identifier: MIT */
/*
 * stor_stress.c - a randomized stress test of the storage engine. From a seed it runs a long
 * sequence of random operations on a pool whose device injects power cuts: writes, sequential
 * streams of writes (which the pool writes ahead of the commit) and frees on volumes through the
 * DMU, commits, snapshots, clones, promotions, renames, rollbacks, destroys,
 * property changes, send/receive round trips (full and incremental), scrubs, clean and forced
 * export/import, and commits cut short by a power failure. It keeps a model of what every
 * volume and snapshot must contain and checks the pool against it: the whole namespace and every
 * byte of every dataset, after each import and at random points in between. A snapshot's model
 * is frozen when it is taken. After a power cut the pool must hold exactly the last committed
 * model, or the new one when the cut struck the uberblock write itself.
 *
 * Output is TAP (one case), so tests/run counts it; on a mismatch it prints the seed, the
 * operation number, the recent operations and what differs, keeps the pool directory, and exits
 * with status 1.
 *
 * usage: stor_stress [-s SEED] [-n OPS] [-t SECONDS] [-c CACHE] [-v]
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basalt/base.h"
#include "basalt/stor.h"
#include "dsl.h"
#include "spa_impl.h"

#define VOLSIZE (2u << 20) /* logical size of every volume */
#define MAX_HEADS 10
#define MAX_SNAPS 20
#define POOL_BYTES (512ull << 20)
#define HISTORY 24 /* operations remembered for a failure report */

/* ---- random numbers (splitmix64): the seed alone decides the run ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- the model: the content every dataset must have ---- */

/* Content shared between a head and its snapshots; a head copies it before changing it. */
struct buf {
	int ref;
	uint8_t d[VOLSIZE];
};

struct ent {
	bool live;
	bool snap;
	char name[32]; /* a head's name under the pool, or a snapshot's name after '@' */
	int head;      /* snapshot: the head it belongs to */
	int origin;    /* head: the snapshot it was cloned from, or -1 */
	int src;       /* received snapshot: the snapshot it was sent from, or -1 */
	uint64_t seq;  /* snapshot: creation order */
	struct buf *b;
};

struct model {
	struct ent *e;
	int n;
};

static struct buf *buf_get(struct buf *b)
{
	b->ref++;
	return b;
}

static void buf_put(struct buf *b)
{
	if (b && --b->ref == 0)
		free(b);
}

static void model_clear(struct model *m)
{
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live)
			buf_put(m->e[i].b);
	free(m->e);
	m->e = NULL;
	m->n = 0;
}

static void model_copy(struct model *dst, const struct model *src)
{
	model_clear(dst);
	dst->n = src->n;
	dst->e = bs_malloc(MAX(src->n, 1) * sizeof(*dst->e));
	memcpy(dst->e, src->e, src->n * sizeof(*dst->e));
	for (int i = 0; i < dst->n; i++)
		if (dst->e[i].live)
			buf_get(dst->e[i].b);
}

static int ent_add(struct model *m, bool snap, const char *name, struct buf *b)
{
	struct ent *e;

	m->e = bs_realloc(m->e, (m->n + 1) * sizeof(*m->e));
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	e->live = true;
	e->snap = snap;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->head = e->origin = e->src = -1;
	e->b = b;
	return m->n++;
}

static void ent_kill(struct model *m, int i)
{
	m->e[i].live = false;
	buf_put(m->e[i].b);
	m->e[i].b = NULL;
}

/* Make a head's content its own before changing it. */
static uint8_t *head_data(struct model *m, int h)
{
	struct buf *b = m->e[h].b;

	if (b->ref > 1) {
		struct buf *c = bs_malloc(sizeof(*c));

		memcpy(c->d, b->d, VOLSIZE);
		c->ref = 1;
		buf_put(b);
		m->e[h].b = c;
	}
	return m->e[h].b->d;
}

static int count(const struct model *m, bool snap)
{
	int n = 0;

	for (int i = 0; i < m->n; i++)
		n += m->e[i].live && m->e[i].snap == snap;
	return n;
}

/* A random live head (snap false) or snapshot (snap true), or -1. */
static int pick(const struct model *m, bool snap)
{
	int n = count(m, snap), k;

	if (n == 0)
		return -1;
	k = (int)rnd_below(n);
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].snap == snap && k-- == 0)
			return i;
	return -1;
}

static bool has_clones(const struct model *m, int s)
{
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && !m->e[i].snap && m->e[i].origin == s)
			return true;
	return false;
}

/* The latest snapshot of a head, or -1. */
static int latest_snap(const struct model *m, int h)
{
	int best = -1;

	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].snap && m->e[i].head == h &&
		    (best < 0 || m->e[i].seq > m->e[best].seq))
			best = i;
	return best;
}

/* ---- the run ---- */

enum op_kind {
	OP_WRITE,
	OP_STREAM,
	OP_FREE,
	OP_SYNC,
	OP_CREATE,
	OP_SNAPSHOT,
	OP_CLONE,
	OP_PROMOTE,
	OP_DESTROY,
	OP_ROLLBACK,
	OP_RENAME,
	OP_SETPROP,
	OP_SEND,
	OP_SEND_INCR,
	OP_VERIFY,
	OP_POWERCUT,
	OP_REIMPORT,
	OP_SCRUB,
	OP_NKINDS,
};

static struct {
	char dir[64];
	char pool[32];
	char faultdir[80];
	uint64_t seed;
	char title[96]; /* the TAP case: the command line that reproduces the run */
	long op;
	bool verbose;
	uint64_t next_name, next_seq;
	char history[HISTORY][160];
	struct model cur;  /* what the pool holds now */
	struct model done; /* what the last committed txg holds */
	uint8_t *got;
	int kind;	       /* the operation running */
	long stats[OP_NKINDS]; /* operations done, by kind */
} st;

static const char *const op_names[OP_NKINDS] = {
	"write", "stream",  "free",    "sync",	   "create",   "snapshot",
	"clone", "promote", "destroy", "rollback", "rename",   "setprop",
	"send",	 "send-i",  "verify",  "powercut", "reimport", "scrub",
};

static const unsigned op_weight[OP_NKINDS] = {
	[OP_WRITE] = 30,   [OP_STREAM] = 6,    [OP_FREE] = 8,	[OP_SYNC] = 8,
	[OP_CREATE] = 3,   [OP_SNAPSHOT] = 8,  [OP_CLONE] = 4,	[OP_PROMOTE] = 2,
	[OP_DESTROY] = 6,  [OP_ROLLBACK] = 4,  [OP_RENAME] = 3, [OP_SETPROP] = 3,
	[OP_SEND] = 3,	   [OP_SEND_INCR] = 3, [OP_VERIFY] = 3, [OP_POWERCUT] = 6,
	[OP_REIMPORT] = 2, [OP_SCRUB] = 1,
};

_printf_(1, 2) static void note(const char *fmt, ...)
{
	char *slot = st.history[st.op % HISTORY];
	int n;
	va_list ap;

	st.stats[st.kind]++;
	n = snprintf(slot, sizeof(st.history[0]), "op %ld: ", st.op);
	va_start(ap, fmt);
	vsnprintf(slot + n, sizeof(st.history[0]) - n, fmt, ap);
	va_end(ap);
	if (st.verbose)
		printf("# %s\n", slot);
}

/* Report a failure and stop. The pool directory is kept for a post-mortem. */
_printf_(1, 2) static _noreturn_ void die(const char *fmt, ...)
{
	va_list ap;
	long i;

	fflush(stdout);
	fprintf(stderr, "# FAILED: seed %" PRIu64 ", operation %ld: ", st.seed, st.op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n# engine message: %s\n# recent operations:\n", bs_error_msg());
	for (i = MAX(0, st.op - HISTORY + 1); i <= st.op; i++)
		if (st.history[i % HISTORY][0])
			fprintf(stderr, "#   %s\n", st.history[i % HISTORY]);
	fprintf(stderr, "# pool devices kept in %s\n", st.dir);
	printf("not ok 1 - %s\n", st.title);
	exit(1);
}

#define CHECK(call)                                                                                \
	({                                                                                         \
		int _r = (call);                                                                   \
		if (_r < 0)                                                                        \
			die("%s: %s", #call, strerror(-_r));                                       \
		_r;                                                                                \
	})

/* Full name of an entry: "pool/head" or "pool/head@snap"; caller frees. */
static char *full_name(const struct model *m, int i)
{
	const struct ent *e = &m->e[i];

	if (e->snap)
		return bs_asprintf("%s/%s@%s", st.pool, m->e[e->head].name, e->name);
	return bs_asprintf("%s/%s", st.pool, e->name);
}

static objset_t *enter(const char *name, spa_t **ret_spa)
{
	dsl_dataset_t *ds;
	objset_t *os;
	spa_t *spa;

	CHECK(dsl_dataset_enter(name, &spa, &ds));
	if (dsl_dataset_objset(ds, &os) < 0) {
		dsl_pool_exit(spa);
		die("cannot open the object set of %s", name);
	}
	*ret_spa = spa;
	return os;
}

/* ---- verification ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compare the pool with model m. report: die on a difference; otherwise say what differs in
 * why and return false. */
static char why[512];

static bool verify(const struct model *m, const char *when, bool report)
{
	json_t *list = NULL, *v;
	char **want = bs_zalloc((m->n + 1) * sizeof(*want));
	const char **have;
	size_t nwant = 0, nhave = 0, i, k;
	bool ok = true;

	for (int e = 0; e < m->n; e++)
		if (m->e[e].live)
			want[nwant++] = full_name(m, e);
	qsort(want, nwant, sizeof(*want), cmp_str);

	CHECK(stor_ds_list(NULL, true, -1, STOR_TYPE_ALL, &list));
	have = bs_zalloc((json_array_size(list) + 1) * sizeof(*have));
	json_array_foreach(list, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));

		if (!streq(name, st.pool))
			have[nhave++] = name;
	}
	qsort(have, nhave, sizeof(*have), cmp_str);
	for (k = 0; k < MAX(nhave, nwant); k++) {
		if (k < nhave && k < nwant && streq(have[k], want[k]))
			continue;
		ok = false;
		if (k < nhave && (k >= nwant || strcmp(have[k], want[k]) < 0))
			snprintf(why, sizeof(why), "%s: the pool has %s, the model does not", when,
				 have[k]);
		else
			snprintf(why, sizeof(why), "%s: the model has %s, the pool does not", when,
				 want[k]);
		break;
	}
	free(have);
	json_decref(list);

	for (int e = 0; ok && e < m->n; e++) {
		_cleanup_free_ char *name = NULL;
		objset_t *os;
		spa_t *spa;
		int r;

		if (!m->e[e].live)
			continue;
		name = full_name(m, e);
		os = enter(name, &spa);
		r = dmu_read(os, 1, 0, VOLSIZE, st.got);
		dsl_pool_exit(spa);
		if (r < 0) {
			snprintf(why, sizeof(why), "%s: reading %s: %s", when, name, strerror(-r));
			ok = false;
		} else if (memcmp(st.got, m->e[e].b->d, VOLSIZE) != 0) {
			size_t off = 0, end;

			while (st.got[off] == m->e[e].b->d[off])
				off++;
			for (end = VOLSIZE; st.got[end - 1] == m->e[e].b->d[end - 1]; end--)
				;
			snprintf(why, sizeof(why),
				 "%s: %s differs from the model in [%zu, %zu): byte %zu is "
				 "0x%02x, the model has 0x%02x",
				 when, name, off, end, off, st.got[off], m->e[e].b->d[off]);
			ok = false;
		}
	}
	for (i = 0; i < nwant; i++)
		free(want[i]);
	free(want);
	if (!ok && report)
		die("%s", why);
	return ok;
}

static void commit_model(void)
{
	model_copy(&st.done, &st.cur);
}

static void import_pool(void)
{
	CHECK(stor_pool_import(st.pool, st.faultdir));
}

/* ---- operations ---- */

static void fill(uint8_t *p, size_t n)
{
	uint64_t kind = rnd_below(8), x = rnd();
	size_t i;

	if (kind == 0) {
		memset(p, 0, n); /* zeros: the engine punches holes */
	} else if (kind <= 2) {
		memset(p, (int)(x & 0xff) | 1, n); /* compresses well */
	} else if (kind == 3) {
		for (i = 0; i < n; i++) /* compresses somewhat */
			p[i] = (uint8_t)((i / 64) ^ x);
	} else {
		for (i = 0; i + 8 <= n; i += 8) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			memcpy(p + i, &x, 8);
		}
		for (; i < n; i++)
			p[i] = (uint8_t)(x >> (8 * (i & 7)));
	}
}

/* A random range of a volume: mostly small, sometimes large, sometimes block aligned. */
static void rnd_range(uint64_t *ret_off, uint64_t *ret_len)
{
	uint64_t off, len, maxlen;

	switch (rnd_below(4)) {
	case 0:
		maxlen = 512;
		break;
	case 1:
	case 2:
		maxlen = 64 << 10;
		break;
	default:
		maxlen = VOLSIZE / 2;
		break;
	}
	off = rnd_below(VOLSIZE);
	len = 1 + rnd_below(maxlen);
	if (rnd_below(3) == 0) {
		off &= ~4095ull;
		len = (len + 4095) & ~4095ull;
	}
	*ret_off = off;
	*ret_len = MIN(len, VOLSIZE - off);
}

/* New bytes for [off, off + len) of head h (named name), in the model and in the pool. */
static void write_range(int h, const char *name, uint64_t off, uint64_t len)
{
	uint8_t *d = head_data(&st.cur, h);
	objset_t *os;
	spa_t *spa;
	int r;

	fill(d + off, len);
	os = enter(name, &spa);
	r = dmu_write(os, 1, off, len, d + off);
	dsl_pool_exit(spa);
	if (r < 0)
		die("dmu_write %s at %" PRIu64 " +%" PRIu64 ": %s", name, off, len, strerror(-r));
}

static void op_write(void)
{
	int h = pick(&st.cur, false);
	_cleanup_free_ char *name = NULL;
	uint64_t off, len;

	if (h < 0)
		return;
	name = full_name(&st.cur, h);
	rnd_range(&off, &len);
	note("write %s [%" PRIu64 ", +%" PRIu64 ")", name, off, len);
	write_range(h, name, off, len);
}

/* A sequential writer: consecutive writes of 1 byte to 160 KiB from a random offset, leaving
 * the pool between them, with now and then a rewrite of part of what it wrote already. */
static void op_stream(void)
{
	int h = pick(&st.cur, false);
	_cleanup_free_ char *name = NULL;
	uint64_t start = rnd_below(VOLSIZE), off, len, n;

	if (h < 0)
		return;
	name = full_name(&st.cur, h);
	if (rnd_below(2))
		start &= ~4095ull;
	len = 1 + rnd_below(VOLSIZE - start);
	note("stream %s [%" PRIu64 ", +%" PRIu64 ")", name, start, len);
	for (off = start; off < start + len; off += n) {
		n = 1 + rnd_below(160 << 10); /* (MIN evaluates its arguments twice) */
		n = MIN(n, start + len - off);
		write_range(h, name, off, n);
		if (off > start && rnd_below(8) == 0) {
			uint64_t back = start + rnd_below(off - start), blen = 1 + rnd_below(8192);

			write_range(h, name, back, MIN(blen, off + n - back));
		}
	}
}

static void op_free(void)
{
	int h = pick(&st.cur, false);
	_cleanup_free_ char *name = NULL;
	uint64_t off, len;
	objset_t *os;
	spa_t *spa;
	uint8_t *d;
	int r;

	if (h < 0)
		return;
	name = full_name(&st.cur, h);
	rnd_range(&off, &len);
	if (rnd_below(4) == 0)
		len = UINT64_MAX;
	d = head_data(&st.cur, h);
	memset(d + off, 0, MIN(len, VOLSIZE - off));
	note("free %s [%" PRIu64 ", +%" PRIu64 ")", name, off, len);
	os = enter(name, &spa);
	r = dmu_free_range(os, 1, off, len);
	dsl_pool_exit(spa);
	if (r < 0)
		die("dmu_free_range %s at %" PRIu64 " +%" PRIu64 ": %s", name, off, len,
		    strerror(-r));
}

static void op_destroy(void);

/* At the limit of heads or snapshots, destroy something instead of making more. */
static bool at_limit(void)
{
	if (count(&st.cur, false) < MAX_HEADS && count(&st.cur, true) < MAX_SNAPS)
		return false;
	st.kind = OP_DESTROY;
	op_destroy();
	return true;
}

static void op_sync(void)
{
	spa_t *spa;

	note("sync");
	CHECK(dsl_pool_enter(st.pool, &spa));
	if (spa_sync(spa) < 0) {
		dsl_pool_exit(spa);
		die("spa_sync failed");
	}
	dsl_pool_exit(spa);
	commit_model();
}

static const char *rnd_of(const char *const *v, size_t n)
{
	return v[rnd_below(n)];
}

static const char *const compress_v[] = { "compression=on", "compression=off", "compression=lz4",
					  "compression=zstd" };
static const char *const checksum_v[] = { "checksum=on", "checksum=fletcher4", "checksum=sha256" };
static const char *const copies_v[] = { "copies=1", "copies=1", "copies=2", "copies=3" };

static void op_create(void)
{
	static const char *const vbs[] = { "volblocksize=4096",	 "volblocksize=8192",
					   "volblocksize=16384", "volblocksize=32768",
					   "volblocksize=65536", "volblocksize=131072" };
	char nm[32];
	const char *props[5] = { rnd_of(vbs, ARRAY_SIZE(vbs)),
				 rnd_of(compress_v, ARRAY_SIZE(compress_v)),
				 rnd_of(checksum_v, ARRAY_SIZE(checksum_v)),
				 rnd_of(copies_v, ARRAY_SIZE(copies_v)), NULL };
	_cleanup_free_ char *full = NULL;
	struct buf *b;

	if (at_limit())
		return;
	snprintf(nm, sizeof(nm), "v%" PRIu64, st.next_name++);
	full = bs_asprintf("%s/%s", st.pool, nm);
	note("create %s %s %s %s %s", full, props[0], props[1], props[2], props[3]);
	CHECK(stor_ds_create(full, STOR_TYPE_VOLUME, VOLSIZE, props, false));
	b = bs_zalloc(sizeof(*b));
	b->ref = 1;
	ent_add(&st.cur, false, nm, b);
	commit_model();
}

static void op_snapshot(void)
{
	int h = pick(&st.cur, false), s;
	char nm[32];
	_cleanup_free_ char *full = NULL, *head = NULL;
	const char *names[1];

	if (h < 0 || at_limit())
		return;
	snprintf(nm, sizeof(nm), "s%" PRIu64, st.next_name++);
	head = full_name(&st.cur, h);
	full = bs_asprintf("%s@%s", head, nm);
	names[0] = full;
	note("snapshot %s", full);
	CHECK(stor_ds_snapshot(names, 1, false, NULL));
	s = ent_add(&st.cur, true, nm, buf_get(st.cur.e[h].b));
	st.cur.e[s].head = h;
	st.cur.e[s].seq = st.next_seq++;
	commit_model();
}

static void op_clone(void)
{
	int s = pick(&st.cur, true), h;
	char nm[32];
	_cleanup_free_ char *snap = NULL, *full = NULL;

	if (s < 0 || at_limit())
		return;
	snprintf(nm, sizeof(nm), "c%" PRIu64, st.next_name++);
	snap = full_name(&st.cur, s);
	full = bs_asprintf("%s/%s", st.pool, nm);
	note("clone %s %s", snap, full);
	CHECK(stor_ds_clone(snap, full, NULL, false));
	h = ent_add(&st.cur, false, nm, buf_get(st.cur.e[s].b));
	st.cur.e[h].origin = s;
	commit_model();
}

static void op_promote(void)
{
	struct model *m = &st.cur;
	_cleanup_free_ char *name = NULL;
	int c = -1, n = 0, s, old;

	/* a random clone */
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && !m->e[i].snap && m->e[i].origin >= 0 && rnd_below(++n) == 0)
			c = i;
	if (c < 0)
		return;
	name = full_name(m, c);
	note("promote %s", name);
	CHECK(stor_ds_promote(name));
	/* the origin and the snapshots before it move to the clone; the old head becomes a
	 * clone of the origin */
	s = m->e[c].origin;
	old = m->e[s].head;
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].snap && m->e[i].head == old &&
		    m->e[i].seq <= m->e[s].seq)
			m->e[i].head = c;
	m->e[c].origin = m->e[old].origin;
	m->e[old].origin = s;
	commit_model();
}

/* Remove a head from the model with its snapshots and, transitively, their clones. */
static void kill_tree(struct model *m, int h)
{
	for (int i = 0; i < m->n; i++) {
		if (!m->e[i].live || !m->e[i].snap || m->e[i].head != h)
			continue;
		for (int c = 0; c < m->n; c++)
			if (m->e[c].live && !m->e[c].snap && m->e[c].origin == i)
				kill_tree(m, c);
		ent_kill(m, i);
	}
	ent_kill(m, h);
}

static bool any_snap_cloned(const struct model *m, int h)
{
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].snap && m->e[i].head == h && has_clones(m, i))
			return true;
	return false;
}

static void op_destroy(void)
{
	struct model *m = &st.cur;
	bool snap = rnd_below(2) == 0;
	int i = pick(m, snap), flags, r;
	_cleanup_free_ char *name = NULL;

	if (i < 0)
		return;
	name = full_name(m, i);
	if (snap) {
		note("destroy %s", name);
		r = stor_ds_destroy(name, 0, NULL);
		if (has_clones(m, i)) {
			if (r != -EBUSY)
				die("destroy of %s, which has a clone: %d, expected -EBUSY", name,
				    r);
			return;
		}
		CHECK(r);
		ent_kill(m, i);
		commit_model();
		return;
	}
	if (latest_snap(m, i) < 0)
		flags = 0;
	else if (rnd_below(4) == 0)
		flags = -1; /* without -r: refused */
	else
		flags = any_snap_cloned(m, i) ? STOR_DESTROY_DEPENDENTS : STOR_DESTROY_RECURSIVE;
	note("destroy %s%s", name,
	     flags == STOR_DESTROY_DEPENDENTS ? " -R" :
	     flags == STOR_DESTROY_RECURSIVE  ? " -r" :
						"");
	r = stor_ds_destroy(name, MAX(flags, 0), NULL);
	if (flags < 0) {
		if (r >= 0)
			die("destroy of %s, which has snapshots, succeeded without -r", name);
		return;
	}
	CHECK(r);
	kill_tree(m, i);
	commit_model();
}

static void op_rollback(void)
{
	struct model *m = &st.cur;
	int h = pick(m, false), s = -1, n = 0, latest, r;
	_cleanup_free_ char *name = NULL;
	bool later_cloned = false;

	if (h < 0)
		return;
	latest = latest_snap(m, h);
	if (latest < 0)
		return;
	/* the latest snapshot mostly, otherwise any */
	if (rnd_below(2) == 0)
		s = latest;
	else
		for (int i = 0; i < m->n; i++)
			if (m->e[i].live && m->e[i].snap && m->e[i].head == h &&
			    rnd_below(++n) == 0)
				s = i;
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].snap && m->e[i].head == h &&
		    m->e[i].seq > m->e[s].seq && has_clones(m, i))
			later_cloned = true;
	name = full_name(m, s);
	if (s != latest && (later_cloned || rnd_below(4) == 0)) {
		note("rollback %s (refused: later snapshots)", name);
		r = stor_ds_rollback(name, false);
		if (r != -EEXIST)
			die("rollback to %s past later snapshots: %d, expected -EEXIST", name, r);
		return;
	}
	note("rollback %s%s", name, s != latest ? " -r" : "");
	CHECK(stor_ds_rollback(name, s != latest));
	for (int i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].snap && m->e[i].head == h && m->e[i].seq > m->e[s].seq)
			ent_kill(m, i);
	buf_put(m->e[h].b);
	m->e[h].b = buf_get(m->e[s].b);
	commit_model();
}

static void op_rename(void)
{
	struct model *m = &st.cur;
	bool snap = rnd_below(3) == 0;
	int i = pick(m, snap);
	_cleanup_free_ char *from = NULL, *to = NULL;
	char nm[32];

	if (i < 0)
		return;
	from = full_name(m, i);
	snprintf(nm, sizeof(nm), "%s%" PRIu64, snap ? "s" : "v", st.next_name++);
	if (snap)
		to = bs_asprintf("%s/%s@%s", st.pool, m->e[m->e[i].head].name, nm);
	else
		to = bs_asprintf("%s/%s", st.pool, nm);
	note("rename %s %s", from, to);
	CHECK(stor_ds_rename(from, to));
	snprintf(m->e[i].name, sizeof(m->e[i].name), "%s", nm);
	commit_model();
}

static void op_setprop(void)
{
	int h = pick(&st.cur, false);
	_cleanup_free_ char *name = NULL, *prop = NULL;
	const char *pv;
	char *eq;

	if (h < 0)
		return;
	switch (rnd_below(3)) {
	case 0:
		pv = rnd_of(compress_v, ARRAY_SIZE(compress_v));
		break;
	case 1:
		pv = rnd_of(checksum_v, ARRAY_SIZE(checksum_v));
		break;
	default:
		pv = rnd_of(copies_v, ARRAY_SIZE(copies_v));
		break;
	}
	name = full_name(&st.cur, h);
	prop = bs_strdup(pv);
	eq = strchr(prop, '=');
	*eq = 0;
	note("set %s %s", pv, name);
	CHECK(stor_ds_set_prop(name, prop, eq + 1));
	commit_model(); /* a property change commits */
}

/* Send snapshot s (incrementally from `from` when >= 0) into a temporary file and receive it
 * as target; returns the name of the snapshot received (caller frees). */
static char *send_recv(int s, int from, const char *target, bool force)
{
	_cleanup_free_ char *snap = full_name(&st.cur, s), *fromname = NULL;
	_cleanup_close_ int fd = open(st.dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	struct stor_send_opts so = { 0 };
	struct stor_recv_opts ro = { .nomount = true, .force = force };
	json_t *got = NULL;
	char *ret;

	if (fd < 0)
		die("cannot make a temporary file in %s: %s", st.dir, strerror(errno));
	if (from >= 0) {
		fromname = full_name(&st.cur, from);
		so.from = fromname;
	}
	CHECK(stor_send(snap, &so, fd));
	if (lseek(fd, 0, SEEK_SET) < 0)
		die("lseek: %s", strerror(errno));
	CHECK(stor_recv(target, &ro, fd, &got));
	if (json_array_size(got) != 1 || !strchr(json_string_value(json_array_get(got, 0)), '@'))
		die("receiving %s into %s: %zu snapshots received, expected one", snap, target,
		    json_array_size(got));
	ret = bs_strdup(strchr(json_string_value(json_array_get(got, 0)), '@') + 1);
	json_decref(got);
	return ret;
}

static void op_send(void)
{
	struct model *m = &st.cur;
	int s = pick(m, true), h, rs;
	char nm[32];
	_cleanup_free_ char *snap = NULL, *target = NULL, *got = NULL;

	if (s < 0 || at_limit())
		return;
	snprintf(nm, sizeof(nm), "r%" PRIu64, st.next_name++);
	snap = full_name(m, s);
	target = bs_asprintf("%s/%s", st.pool, nm);
	note("send %s | recv %s", snap, target);
	got = send_recv(s, -1, target, false);
	if (!streq(got, m->e[s].name))
		die("received %s@%s from %s", target, got, snap);
	h = ent_add(m, false, nm, buf_get(m->e[s].b));
	rs = ent_add(m, true, got, buf_get(m->e[s].b));
	m->e[rs].head = h;
	m->e[rs].src = s;
	m->e[rs].seq = st.next_seq++;
	commit_model();
}

/* Send -i from the snapshot a received volume's latest snapshot came from to a later snapshot of
 * the same source, and receive it (-F) on top. */
static void op_send_incr(void)
{
	struct model *m = &st.cur;
	int r = -1, l = -1, to = -1, n = 0, rs;
	_cleanup_free_ char *target = NULL, *got = NULL, *fromname = NULL, *toname = NULL;

	if (at_limit())
		return;
	for (int i = 0; i < m->n; i++) {
		int li, src;

		if (!m->e[i].live || m->e[i].snap)
			continue;
		li = latest_snap(m, i);
		if (li < 0 || (src = m->e[li].src) < 0 || !m->e[src].live)
			continue;
		for (int k = 0; k < m->n; k++)
			if (m->e[k].live && m->e[k].snap && m->e[k].head == m->e[src].head &&
			    m->e[k].seq > m->e[src].seq && rnd_below(++n) == 0) {
				r = i;
				l = li;
				to = k;
			}
	}
	if (r < 0)
		return;
	target = full_name(m, r);
	fromname = full_name(m, m->e[l].src);
	toname = full_name(m, to);
	note("send -i %s %s | recv -F %s", fromname, toname, target);
	got = send_recv(to, m->e[l].src, target, true);
	if (!streq(got, m->e[to].name))
		die("received %s@%s from %s", target, got, toname);
	rs = ent_add(m, true, got, buf_get(m->e[to].b));
	m->e[rs].head = r;
	m->e[rs].src = to;
	m->e[rs].seq = st.next_seq++;
	buf_put(m->e[r].b);
	m->e[r].b = buf_get(m->e[to].b);
	commit_model();
}

static void op_verify(void)
{
	note("verify");
	verify(&st.cur, "verify", true);
}

/* Commit with the power cut at a random write of the commit, bring the machine back, import. */
static void op_powercut(void)
{
	long writes = (long)rnd_below(rnd_below(4) == 0 ? 400 : 60);
	uint64_t cutseed = rnd();
	bool committed;
	spa_t *spa;

	note("power cut after %ld writes", writes);
	CHECK(dsl_pool_enter(st.pool, &spa));
	vdev_fault_arm(writes, cutseed);
	committed = spa_sync(spa) == 0;
	dsl_pool_exit(spa);
	if (committed) {
		vdev_fault_powercut(cutseed); /* nothing unflushed: the cut loses nothing */
		commit_model();
	}
	bs_error_clear();
	CHECK(stor_pool_export(st.pool, true));
	vdev_fault_reset();
	import_pool();
	/* a cut while the uberblocks were written may land either side of them */
	if (!committed) {
		_cleanup_free_ char *newer = NULL;

		if (verify(&st.cur, "new txg", false)) {
			commit_model();
			return;
		}
		newer = bs_strdup(why);
		if (!verify(&st.done, "last txg", false))
			die("after a power cut the pool is neither at its last txg (%s) nor at the "
			    "new one (%s)",
			    why, newer);
	} else {
		verify(&st.done, "after a power cut (committed)", true);
	}
	model_copy(&st.cur, &st.done);
}

static void op_reimport(void)
{
	note("export, import");
	CHECK(stor_pool_export(st.pool, false));
	commit_model();
	import_pool();
	verify(&st.cur, "after export and import", true);
}

static void op_scrub(void)
{
	json_t *s = NULL, *scan;

	note("scrub");
	CHECK(stor_pool_scrub(st.pool, true, false));
	commit_model(); /* a scrub commits the open txg first */
	CHECK(stor_pool_status(st.pool, &s));
	scan = json_object_get(s, "scan");
	if (json_array_size(json_object_get(s, "errors")) != 0 ||
	    json_integer_value(json_object_get(scan, "errors")) != 0) {
		char *dump = json_dumps(s, JSON_COMPACT);

		die("scrub found errors: %s", dump);
	}
	json_decref(s);
}

static void (*const ops[OP_NKINDS])(void) = {
	[OP_WRITE] = op_write,	     [OP_STREAM] = op_stream,	    [OP_FREE] = op_free,
	[OP_SYNC] = op_sync,	     [OP_CREATE] = op_create,	    [OP_SNAPSHOT] = op_snapshot,
	[OP_CLONE] = op_clone,	     [OP_PROMOTE] = op_promote,	    [OP_DESTROY] = op_destroy,
	[OP_ROLLBACK] = op_rollback, [OP_RENAME] = op_rename,	    [OP_SETPROP] = op_setprop,
	[OP_SEND] = op_send,	     [OP_SEND_INCR] = op_send_incr, [OP_VERIFY] = op_verify,
	[OP_POWERCUT] = op_powercut, [OP_REIMPORT] = op_reimport,   [OP_SCRUB] = op_scrub,
};

static enum op_kind pick_op(void)
{
	unsigned total = 0, k;
	int i;

	for (i = 0; i < OP_NKINDS; i++)
		total += op_weight[i];
	k = (unsigned)rnd_below(total);
	for (i = 0; k >= op_weight[i]; i++)
		k -= op_weight[i];
	return (enum op_kind)i;
}

static void setup(void)
{
	_cleanup_free_ char *img = NULL, *dev = NULL;
	char *spec[1];
	const char *fsprops[] = { "compression=lz4", NULL };
	struct stor_pool_create_opts o = { .mountpoint = "none", .fsprops = fsprops };
	int fd;

	strcpy(st.dir, "/tmp/basalt-stress-XXXXXX");
	if (!mkdtemp(st.dir))
		die("mkdtemp: %s", strerror(errno));
	setenv("BASALT_ROOT", st.dir, 1);
	snprintf(st.pool, sizeof(st.pool), "stress%d", (int)getpid());
	snprintf(st.faultdir, sizeof(st.faultdir), "fault:%s", st.dir);
	img = bs_path_join(st.dir, "pool.img");
	fd = open(img, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, POOL_BYTES) < 0)
		die("cannot make %s: %s", img, strerror(errno));
	close(fd);
	dev = bs_asprintf("fault:%s", img);
	spec[0] = dev;
	CHECK(stor_pool_create(st.pool, 1, spec, &o));
	st.got = bs_malloc(VOLSIZE);
	op_create();
	op_create();
}

static void usage(FILE *f)
{
	fprintf(f, "usage: stor_stress [-s SEED] [-n OPS] [-t SECONDS] [-c CACHE] [-v]\n"
		   "  -s SEED     the run's seed (default: from the clock, printed)\n"
		   "  -n OPS      stop after OPS operations (default 2000 without -t)\n"
		   "  -t SECONDS  stop when the time is up\n"
		   "  -c CACHE    the block cache's size (BASALT_CACHE_SIZE): a small one evicts\n"
		   "              all the time\n"
		   "  -v          print every operation\n");
}

int main(int argc, char **argv)
{
	long nops = -1, seconds = -1, i;
	const char *cache = NULL;
	bool seeded = false;
	time_t start = time(NULL);
	_cleanup_free_ char *cmd = NULL;
	int c;

	while ((c = getopt(argc, argv, "s:n:t:c:vh")) != -1) {
		switch (c) {
		case 's':
			st.seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			nops = strtol(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtol(optarg, NULL, 0);
			break;
		case 'c':
			cache = optarg;
			break;
		case 'v':
			st.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		st.seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec;
	}
	if (nops < 0 && seconds < 0)
		nops = 2000;
	rng_state = st.seed;
	c = snprintf(st.title, sizeof(st.title), "stor_stress -s %" PRIu64, st.seed);
	if (nops >= 0)
		c += snprintf(st.title + c, sizeof(st.title) - c, " -n %ld", nops);
	if (seconds >= 0)
		c += snprintf(st.title + c, sizeof(st.title) - c, " -t %ld", seconds);
	if (cache) {
		snprintf(st.title + c, sizeof(st.title) - c, " -c %s", cache);
		setenv("BASALT_CACHE_SIZE", cache, 1);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..1\n# seed %" PRIu64 "\n", st.seed);

	setup();
	for (i = 0; nops < 0 || i < nops; i++) {
		enum op_kind k;

		if (seconds >= 0 && time(NULL) - start >= seconds)
			break;
		st.op = i + 1;
		k = pick_op();
		st.kind = k;
		st.history[st.op % HISTORY][0] = 0;
		ops[k]();
	}
	st.op = i + 1;
	st.history[st.op % HISTORY][0] = 0;
	st.kind = OP_REIMPORT;
	op_reimport();
	st.kind = OP_SCRUB;
	op_scrub();
	CHECK(stor_pool_export(st.pool, false));
	printf("#");
	for (c = 0; c < OP_NKINDS; c++)
		printf(" %s %ld", op_names[c], st.stats[c]);
	printf("\n");
	model_clear(&st.cur);
	model_clear(&st.done);
	free(st.got);
	cmd = bs_asprintf("rm -rf '%s'", st.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", st.dir);
	printf("# %ld operations in %ld s\nok 1 - %s\n", i, (long)(time(NULL) - start), st.title);
	return 0;
}
