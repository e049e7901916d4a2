/* SPDX-License-Identifier: MIT */
/*
 * send.c - `zfs send`: write a snapshot, or what changed between two snapshots, as a stream
 * (stream.h). The snapshots are resolved and held under the pool lock; the blocks are then read
 * without it, since a held snapshot's blocks never change. An incremental stream visits only the
 * dnodes and level-0 block pointers born after the from snapshot, so its cost follows the size
 * of the change, not of the dataset.
 *
 * A replication stream (-R) walks the tree below the snapshot's file system, parents first, and
 * sends each dataset that has the snapshot: all its snapshots up to it (the first as a full
 * substream), or, with -i/-I, what came after the from snapshot where the dataset has one. A REPL
 * record before the substreams lists the datasets, their local properties and their snapshots.
 */

#include "basalt/base.h"
#include "basalt/stor.h"
#include "dsl.h"
#include "recv_resume.h"
#include "sha256.h"
#include "spa.h"
#include "stream.h"

#define SEND_OUTBUF (256u << 10)

void stream_rec_seal(struct stream_rec *rec)
{
	sha256(rec, offsetof(struct stream_rec, hdr_cksum), rec->hdr_cksum);
}

/* One snapshot of the stream, with what the writer needs of it once the lock is dropped. */
struct send_snap {
	dsl_dataset_t *ds;
	objset_t *os;
	char *name;
	uint64_t guid, txg, time;
	enum dmu_objset_type ostype;
};

struct send_state {
	int fd;
	spa_t *spa;
	struct stream_cksum cksum;
	uint64_t records;
	uint8_t *out;
	size_t outlen;
	uint8_t *block;
	bool full;
	uint64_t from_txg;
	/* pending FREEOBJECTS run, FREE run (count 0: none) */
	uint64_t fo_first, fo_count;
	uint64_t fr_obj, fr_off, fr_len;
	/* the object whose blocks are being visited is new: its holes need no FREE */
	bool obj_new;
	uint64_t next_obj; /* past the highest object number visited */
	/* resuming (send -t): records after BEGIN still to skip, the object the receiver left off
	 * in, and the last OBJECT record skipped, sent again before that object's next block */
	bool resuming;
	uint64_t skip, resume_object;
	bool have_skipped;
	struct stream_rec skipped;
	uint8_t skipped_bonus[DN_BONUS_SIZE];
};

static int out_flush(struct send_state *st)
{
	int r;

	if (!st->outlen)
		return 0;
	r = bs_write_full(st->fd, st->out, st->outlen);
	st->outlen = 0;
	return r;
}

static int out_put(struct send_state *st, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	int r;

	while (n > 0) {
		size_t k = MIN(n, SEND_OUTBUF - st->outlen);

		memcpy(st->out + st->outlen, p, k);
		st->outlen += k;
		p += k;
		n -= k;
		if (st->outlen == SEND_OUTBUF) {
			r = out_flush(st);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int emit(struct send_state *st, struct stream_rec *rec, const void *payload, size_t n);

/* Resuming: leave out the records the receiver has; before the first block record sent, the
 * OBJECT record of its object again (the receiver takes it as an update of what it has). */
static int resume_filter(struct send_state *st, const struct stream_rec *rec, const void *payload,
			 size_t n, bool *ret_skip)
{
	*ret_skip = false;
	if (st->skip) {
		st->skip--;
		if (rec->type == STREAM_OBJECT) {
			st->skipped = *rec;
			memcpy(st->skipped_bonus, payload, MIN(n, sizeof(st->skipped_bonus)));
			st->have_skipped = true;
		} else if (rec->type == STREAM_FREEOBJECTS) {
			st->have_skipped = false;
		}
		*ret_skip = true;
		return 0;
	}
	if (!st->have_skipped)
		return 0;
	st->have_skipped = false;
	if (rec->type != STREAM_WRITE && rec->type != STREAM_FREE)
		return 0;
	if (st->skipped.u.object.object != st->resume_object)
		return bs_error(EINVAL,
				"the resume token does not match the snapshot's stream "
				"(object %llu, not %llu)",
				(unsigned long long)st->skipped.u.object.object,
				(unsigned long long)st->resume_object);
	return emit(st, &st->skipped, st->skipped_bonus, st->skipped.u.object.bonuslen);
}

static int emit(struct send_state *st, struct stream_rec *rec, const void *payload, size_t n)
{
	bool skip;
	int r;

	if (st->resuming && rec->type != STREAM_BEGIN) {
		r = resume_filter(st, rec, payload, n, &skip);
		if (r < 0 || skip)
			return r;
	}
	rec->payload_len = n;
	stream_rec_seal(rec);
	stream_cksum_update(&st->cksum, rec, sizeof(*rec));
	if (n)
		stream_cksum_update(&st->cksum, payload, n);
	r = out_put(st, rec, sizeof(*rec));
	if (r == 0 && n)
		r = out_put(st, payload, n);
	if (r == 0)
		st->records++;
	return r;
}

static int flush_freeobjects(struct send_state *st)
{
	struct stream_rec rec = { .type = STREAM_FREEOBJECTS };

	if (!st->fo_count)
		return 0;
	rec.u.freeobjects.first = st->fo_first;
	rec.u.freeobjects.count = st->fo_count;
	st->fo_count = 0;
	return emit(st, &rec, NULL, 0);
}

static int flush_free(struct send_state *st)
{
	struct stream_rec rec = { .type = STREAM_FREE };

	if (!st->fr_len)
		return 0;
	rec.u.free.object = st->fr_obj;
	rec.u.free.offset = st->fr_off;
	rec.u.free.length = st->fr_len;
	st->fr_len = 0;
	return emit(st, &rec, NULL, 0);
}

/* Queue FREE(obj, off, len), merging it with the pending one when they touch. */
static int add_free(struct send_state *st, uint64_t obj, uint64_t off, uint64_t len)
{
	int r;

	if (st->fr_len && st->fr_obj == obj && st->fr_len != UINT64_MAX &&
	    st->fr_off + st->fr_len == off) {
		st->fr_len = len == UINT64_MAX ? UINT64_MAX : st->fr_len + len;
		return 0;
	}
	r = flush_free(st);
	if (r < 0)
		return r;
	st->fr_obj = obj;
	st->fr_off = off;
	st->fr_len = len;
	return 0;
}

static int send_dnode(objset_t *os, uint64_t obj, const struct dnode_phys *dn, void *arg)
{
	struct send_state *st = arg;
	struct stream_rec rec = { .type = STREAM_OBJECT };
	uint64_t end;
	int r;

	r = flush_free(st);
	if (r < 0)
		return r;
	st->next_obj = MAX(st->next_obj, obj + 1);
	if (dn->type == 0) {
		if (st->fo_count && st->fo_first + st->fo_count == obj) {
			st->fo_count++;
			return 0;
		}
		r = flush_freeobjects(st);
		st->fo_first = obj;
		st->fo_count = 1;
		return r;
	}
	r = flush_freeobjects(st);
	if (r < 0)
		return r;
	if (dn->bonuslen > DN_BONUS_SIZE || dn->datablksz < SPA_MINBLOCKSIZE ||
	    dn->datablksz > SPA_MAXBLOCKSIZE || !IS_P2(dn->datablksz) ||
	    dn->type < DMU_OT_MASTER_NODE || dn->type >= DMU_OT_NUMTYPES)
		return bs_error(EIO, "object %llu of the snapshot has an invalid dnode",
				(unsigned long long)obj);
	st->obj_new = st->full || dn->gen > st->from_txg;
	rec.u.object.object = obj;
	rec.u.object.blksz = dn->datablksz;
	rec.u.object.type = dn->type;
	rec.u.object.bonustype = dn->bonustype;
	rec.u.object.bonuslen = dn->bonuslen;
	rec.u.object.maxblkid = dn->maxblkid;
	rec.u.object.flags = (st->obj_new ? STREAM_OBJ_NEW : 0) |
			     (dn->flags & DN_FLAG_GROW ? STREAM_OBJ_GROW : 0);
	r = emit(st, &rec, dn->bonus, dn->bonuslen);
	if (r < 0 || st->obj_new)
		return r;
	/* an object that shrank: everything past its last block is gone */
	end = (dn->maxblkid + 1) * dn->datablksz;
	if (end / dn->datablksz != dn->maxblkid + 1 || end >= STREAM_MAX_OFFSET)
		return 0;
	return add_free(st, obj, end, UINT64_MAX);
}

static int send_block(objset_t *os, uint64_t obj, uint64_t blkid, const struct blkptr *bp,
		      const struct dnode_phys *dn, void *arg)
{
	struct send_state *st = arg;
	struct stream_rec rec = { .type = STREAM_WRITE };
	uint64_t bs = dn->datablksz;
	int r;

	if (BP_IS_HOLE(bp)) {
		unsigned shift = bp->level * (INDIRECT_SHIFT - BP_SHIFT);
		uint64_t first, n, off, len;

		if (st->obj_new)
			return 0;
		if (bp->level >= DN_MAX_LEVELS || blkid > (STREAM_MAX_OFFSET / bs) >> shift)
			return 0; /* beyond anything an object can hold */
		first = blkid << shift;
		n = 1ull << shift;
		off = first * bs;
		len = MIN(n, STREAM_MAX_OFFSET / bs - first) * bs;
		if (!len)
			return 0;
		return add_free(st, obj, off, len);
	}
	if (bp->level != 0 || bp->lsize != bs)
		return bs_error(EIO, "object %llu block %llu of the snapshot is inconsistent",
				(unsigned long long)obj, (unsigned long long)blkid);
	r = flush_free(st);
	if (r < 0)
		return r;
	r = dmu_read_bp(st->spa, bp, st->block);
	if (r < 0)
		return bs_error(-r, "cannot read object %llu block %llu of the snapshot: %s",
				(unsigned long long)obj, (unsigned long long)blkid, strerror(-r));
	rec.u.write.object = obj;
	rec.u.write.offset = blkid * bs;
	rec.u.write.length = bs;
	return emit(st, &rec, st->block, bs);
}

static json_t *begin_json(const char *name, json_t *props, const char *rel)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", json_string(name));
	json_object_set(j, "props", props);
	if (rel)
		json_object_set_new(j, "dataset", json_string(rel));
	return j;
}

/* The substream that turns from (NULL: nothing) into to; rel: the dataset's name relative to the
 * top of a replication stream (NULL otherwise). */
static int send_one(struct send_state *st, const struct send_snap *from, const struct send_snap *to,
		    json_t *props, const char *rel)
{
	struct dmu_traverse_cbs cbs = { send_dnode, send_block, st };
	struct stream_rec rec = { .type = STREAM_BEGIN };
	_cleanup_free_ char *text = NULL;
	json_t *j;
	int r;

	st->full = !from;
	st->from_txg = from ? from->txg : 0;
	st->records = 0;
	st->fo_count = 0;
	st->fr_len = 0;
	st->next_obj = 1;
	stream_cksum_init(&st->cksum, STREAM_VERSION);

	j = begin_json(to->name, props, rel);
	if (st->resuming) {
		json_t *res = json_object();

		json_object_set_new(res, "records", json_integer((json_int_t)st->skip));
		json_object_set_new(res, "object", json_integer((json_int_t)st->resume_object));
		json_object_set_new(j, "resume", res);
	}
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!text || strlen(text) > STREAM_MAX_BEGIN_PAYLOAD)
		return bs_error(E2BIG, "the properties of '%s' are too large for a stream",
				to->name);
	rec.u.begin.magic = STREAM_MAGIC;
	rec.u.begin.version = STREAM_VERSION;
	rec.u.begin.ostype = to->ostype;
	rec.u.begin.guid = to->guid;
	rec.u.begin.fromguid = from ? from->guid : 0;
	rec.u.begin.creation_time = to->time;
	rec.u.begin.creation_txg = to->txg;
	r = emit(st, &rec, text, strlen(text));
	if (r < 0)
		return r;

	r = dmu_traverse(to->os, st->from_txg, &cbs);
	if (r > 0)
		r = -EIO;
	if (r == 0)
		r = flush_free(st);
	if (r == 0)
		r = flush_freeobjects(st);
	if (r < 0)
		return r;
	if (st->full && st->next_obj <= STREAM_MAX_OBJECT) {
		/* a full stream names every object: whatever the new dataset starts with goes */
		rec = (struct stream_rec){ .type = STREAM_FREEOBJECTS };
		rec.u.freeobjects.first = st->next_obj;
		rec.u.freeobjects.count = STREAM_MAX_OBJECT + 1 - st->next_obj;
		r = emit(st, &rec, NULL, 0);
		if (r < 0)
			return r;
	}
	if (st->resuming && st->skip)
		return bs_error(EINVAL, "the resume token is past the end of the stream of '%s'",
				to->name);
	rec = (struct stream_rec){ .type = STREAM_END };
	stream_cksum_final(&st->cksum, rec.u.end.cksum);
	rec.u.end.records = st->records;
	stream_rec_seal(&rec);
	r = out_put(st, &rec, sizeof(rec));
	if (r == 0)
		r = out_flush(st);
	return r;
}

/* The head's local properties, plus what a volume cannot be created without. */
static int send_props(dsl_dataset_t *snap, enum dmu_objset_type ostype, json_t **ret)
{
	static const char *const vol_props[] = { "volsize", "volblocksize" };
	json_t *all = NULL, *props, *v;
	dsl_dataset_t *head;
	const char *key;
	size_t i;
	int r;

	r = dsl_dataset_head(snap, &head);
	if (r == 0)
		r = dsl_prop_get_all(head, &all);
	if (r < 0)
		return r;
	props = json_object();
	json_object_foreach(all, key, v) {
		json_t *src = json_object_get(v, "source"), *val = json_object_get(v, "raw");

		if (!val)
			val = json_object_get(v, "value");
		if (json_is_string(src) && streq(json_string_value(src), "local") &&
		    json_is_string(val) && !strchr(key, '='))
			json_object_set(props, key, val);
	}
	json_decref(all);
	for (i = 0; ostype == DMU_OST_ZVOL && i < ARRAY_SIZE(vol_props); i++) {
		_cleanup_free_ char *s = NULL;

		r = dsl_prop_get_string(snap, vol_props[i], &s);
		if (r < 0) {
			json_decref(props);
			return r;
		}
		json_object_set_new(props, vol_props[i], json_string(s));
	}
	*ret = props;
	return 0;
}

static void send_snaps_release(spa_t *spa, struct send_snap *snaps, size_t n)
{
	size_t i;

	if (!snaps)
		return;
	spa_enter(spa);
	for (i = 0; i < n; i++)
		if (snaps[i].ds)
			dsl_dataset_long_rele(snaps[i].ds);
	spa_exit(spa);
	for (i = 0; i < n; i++)
		free(snaps[i].name);
	free(snaps);
}

/* Long-hold the snapshots of chain (newest first if reversed, else oldest first) into an array
 * oldest first. Pool lock held. */
static int send_snaps_hold(dsl_dataset_t **chain, size_t n, bool reversed, struct send_snap **ret)
{
	struct send_snap *snaps = bs_zalloc(n * sizeof(*snaps));
	size_t i, k;
	int r;

	for (i = 0; i < n; i++) {
		struct send_snap *s = &snaps[i];

		s->ds = chain[reversed ? n - 1 - i : i];
		r = dsl_dataset_objset(s->ds, &s->os);
		if (r < 0) {
			for (k = 0; k < i; k++) {
				dsl_dataset_long_rele(snaps[k].ds);
				free(snaps[k].name);
			}
			free(snaps);
			return r;
		}
		dsl_dataset_long_hold(s->ds);
		s->name = dsl_dataset_name(s->ds);
		s->guid = dsl_dataset_guid(s->ds);
		s->txg = dsl_dataset_creation_txg(s->ds);
		s->time = dsl_dataset_creation_time(s->ds);
		s->ostype = dsl_dataset_ostype(s->ds);
	}
	*ret = snaps;
	return 0;
}

/* "@a" and "a" name a snapshot of the dataset of snapshot; a full name stands as it is. */
static char *from_name(const char *snapshot, const char *from)
{
	size_t fslen = strcspn(snapshot, "@");

	if (strchr(from, '@') && from[0] != '@')
		return bs_strdup(from);
	return bs_asprintf("%.*s@%s", (int)fslen, snapshot, from[0] == '@' ? from + 1 : from);
}

/*
 * Resolve the snapshots the stream covers, oldest first: [from, ..., snap] (only the ends
 * unless intermediates), or [snap] for a full stream. Pool lock held. Each is long-held.
 */
static int send_resolve(spa_t *spa, const char *snapshot, const struct stor_send_opts *opts,
			struct send_snap **ret, size_t *ret_n, json_t **ret_props)
{
	_cleanup_free_ dsl_dataset_t **chain = NULL;
	_cleanup_free_ char *fromname = NULL;
	dsl_dataset_t *snap, *from = NULL, *ds;
	struct send_snap *snaps;
	size_t n = 0, cap = 8;
	int r;

	r = dsl_dataset_lookup(spa, snapshot, &snap);
	if (r < 0)
		return bs_error(-r, "snapshot '%s' does not exist", snapshot);
	if (!dsl_dataset_is_snapshot(snap))
		return bs_error(EINVAL, "'%s' is not a snapshot", snapshot);
	chain = bs_malloc(cap * sizeof(*chain));
	chain[n++] = snap;
	if (opts && opts->from) {
		fromname = from_name(snapshot, opts->from);
		r = dsl_dataset_lookup(spa, fromname, &from);
		if (r < 0)
			return bs_error(-r, "snapshot '%s' does not exist", fromname);
		if (!dsl_dataset_is_snapshot(from))
			return bs_error(EINVAL, "'%s' is not a snapshot", fromname);
		/* walk back from snap: from must be met (through the origin of a clone) */
		for (ds = snap;;) {
			r = dsl_dataset_prev_snap(ds, &ds);
			if (r < 0)
				return bs_error(
					EXDEV,
					"'%s' is not an earlier snapshot of the dataset of '%s' "
					"or of its origin",
					fromname, snapshot);
			if (ds == from || dsl_dataset_guid(ds) == dsl_dataset_guid(from))
				break;
			if (opts->intermediates) {
				if (n == cap) {
					cap *= 2;
					chain = bs_realloc(chain, cap * sizeof(*chain));
				}
				chain[n++] = ds;
			}
		}
		if (n == cap)
			chain = bs_realloc(chain, ++cap * sizeof(*chain));
		chain[n++] = from;
	}
	r = send_props(snap, dsl_dataset_ostype(snap), ret_props);
	if (r < 0)
		return bs_error(-r, "cannot read the properties of '%s': %s", snapshot,
				strerror(-r));
	r = send_snaps_hold(chain, n, true, &snaps);
	if (r < 0) {
		json_decref(*ret_props);
		return r;
	}
	*ret = snaps;
	*ret_n = n;
	return 0;
}

/* ---- replication streams ---- */

/* One dataset of a replication stream and the snapshots it sends, oldest first. */
struct repl_ds {
	char *rel; /* its name below the top, "" for the top */
	enum dmu_objset_type ostype;
	json_t *props;
	struct send_snap *snaps;
	size_t n;
	bool full; /* snaps[0] goes as a full substream; otherwise it is the from snapshot */
};

struct repl_plan {
	struct repl_ds *v;
	size_t n;
};

static size_t repl_ds_substreams(const struct repl_ds *d)
{
	return d->full ? d->n : d->n - 1;
}

/* Pool lock not held. */
static void repl_plan_free(spa_t *spa, struct repl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		send_snaps_release(spa, p->v[i].snaps, p->v[i].n);
		json_decref(p->v[i].props);
		free(p->v[i].rel);
	}
	free(p->v);
}

/* The snapshots of a dataset that has no from snapshot: all of them up to snap (only snap for
 * -i), the first as a full substream. Pool lock held. */
static int repl_full(dsl_dataset_t *head, dsl_dataset_t *snap, bool only_snap, struct repl_ds *d)
{
	_cleanup_free_ dsl_dataset_t **all = NULL;
	size_t n = 0, k;
	int r;

	r = dsl_dataset_snapshots(head, &all, &n);
	if (r < 0)
		return r;
	for (k = 0; k < n && dsl_dataset_guid(all[k]) != dsl_dataset_guid(snap); k++)
		;
	if (k == n)
		return -ENOENT;
	r = send_props(snap, dsl_dataset_ostype(snap), &d->props);
	if (r < 0)
		return r;
	d->n = only_snap ? 1 : k + 1;
	r = send_snaps_hold(only_snap ? &all[k] : all, d->n, false, &d->snaps);
	if (r < 0) {
		json_decref(d->props);
		d->props = NULL;
		return r;
	}
	d->full = true;
	return 0;
}

/*
 * Add head (named rel below the top) and its descendants to the plan, parents first. A
 * descendant without the snapshot was created after it: neither it nor its own descendants are
 * sent. Pool lock held.
 */
static int repl_add(spa_t *spa, struct repl_plan *p, dsl_dataset_t *head, const char *rel,
		    const char *snapname, const char *fromsnap, const struct stor_send_opts *opts)
{
	_cleanup_free_ dsl_dataset_t **kids = NULL;
	_cleanup_free_ char *name = dsl_dataset_name(head), *snapfull = NULL, *fromfull = NULL;
	struct repl_ds d = { 0 };
	dsl_dataset_t *snap, *from;
	size_t nkids = 0, i;
	int r;

	snapfull = bs_asprintf("%s@%s", name, snapname);
	r = dsl_dataset_lookup(spa, snapfull, &snap);
	if (r == -ENOENT && rel[0])
		return 0;
	if (r < 0)
		return bs_error(-r, "snapshot '%s' does not exist", snapfull);
	if (fromsnap)
		fromfull = bs_asprintf("%s@%s", name, fromsnap);
	if (fromfull && (!rel[0] || dsl_dataset_lookup(spa, fromfull, &from) == 0)) {
		struct stor_send_opts o = { .from = fromfull,
					    .intermediates = opts->intermediates };

		r = send_resolve(spa, snapfull, &o, &d.snaps, &d.n, &d.props);
		if (r < 0)
			return r;
	} else {
		r = repl_full(head, snap, fromsnap && !opts->intermediates, &d);
		if (r < 0)
			return bs_error(-r, "cannot list the snapshots of '%s': %s", name,
					strerror(-r));
	}
	d.rel = bs_strdup(rel);
	d.ostype = dsl_dataset_ostype(head);
	p->v = bs_realloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = d;

	r = dsl_dataset_children(head, &kids, &nkids);
	if (r < 0)
		return bs_error(-r, "cannot list the descendants of '%s': %s", name, strerror(-r));
	for (i = 0; i < nkids; i++) {
		_cleanup_free_ char *kname = dsl_dataset_name(kids[i]), *krel = NULL;
		const char *last = strrchr(kname, '/');

		krel = rel[0] ? bs_asprintf("%s/%s", rel, last + 1) : bs_strdup(last + 1);
		r = repl_add(spa, p, kids[i], krel, snapname, fromsnap, opts);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The REPL record: the tree, as the receiver validates it before any substream. */
static int send_repl_header(struct send_state *st, const char *snapshot, const char *fromsnap,
			    const struct repl_plan *p)
{
	static const char *const types[] = {
		[DMU_OST_ZFS] = "filesystem", [DMU_OST_ZVOL] = "volume"
	};
	struct stream_rec rec = { .type = STREAM_REPL };
	_cleanup_free_ char *text = NULL;
	json_t *j = json_object(), *list = json_array();
	uint64_t substreams = 0;
	size_t len;
	int r;

	json_object_set_new(j, "name", json_string(snapshot));
	if (fromsnap)
		json_object_set_new(j, "from", json_string(fromsnap));
	for (size_t i = 0; i < p->n; i++) {
		const struct repl_ds *d = &p->v[i];
		json_t *e = json_object(), *snaps = json_array();

		for (size_t k = d->full ? 0 : 1; k < d->n; k++)
			json_array_append_new(snaps,
					      json_string(strchr(d->snaps[k].name, '@') + 1));
		json_object_set_new(e, "name", json_string(d->rel));
		json_object_set_new(e, "type", json_string(types[d->ostype]));
		json_object_set(e, "props", d->props);
		json_object_set_new(e, "snapshots", snaps);
		json_array_append_new(list, e);
		substreams += repl_ds_substreams(d);
	}
	json_object_set_new(j, "datasets", list);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!text || (len = strlen(text)) > STREAM_MAX_REPL_PAYLOAD)
		return bs_error(E2BIG, "the tree below '%s' is too large for a replication stream",
				snapshot);
	rec.u.repl.magic = STREAM_MAGIC;
	rec.u.repl.version = STREAM_VERSION;
	rec.u.repl.substreams = substreams;
	sha256(text, len, rec.u.repl.sha256);
	rec.payload_len = len;
	stream_rec_seal(&rec);
	r = out_put(st, &rec, sizeof(rec));
	if (r == 0)
		r = out_put(st, text, len);
	return r;
}

/* The name of the from snapshot for -R: "@a", "a" or top@a. */
static int repl_from(const char *fs, const char *from, char **ret)
{
	const char *at = strchr(from, '@');

	if (at && at != from && (strncmp(from, fs, at - from) != 0 || fs[at - from]))
		return bs_error(EXDEV, "'%s' is not a snapshot of '%s'", from, fs);
	if (!(at ? at[1] : from[0]))
		return bs_error(EINVAL, "'%s' is not a snapshot name", from);
	*ret = bs_strdup(at ? at + 1 : from);
	return 0;
}

static int send_replicated(const char *snapshot, const struct stor_send_opts *opts, int fd)
{
	struct send_state st = { .fd = fd };
	struct repl_plan plan = { 0 };
	const char *at = strchr(snapshot, '@');
	_cleanup_free_ char *fs = bs_asprintf("%.*s", (int)(at - snapshot), snapshot);
	_cleanup_free_ char *fromsnap = NULL;
	dsl_dataset_t *head;
	spa_t *spa;
	size_t i, k;
	int r;

	if (opts->from) {
		r = repl_from(fs, opts->from, &fromsnap);
		if (r < 0)
			return r;
	}
	r = dsl_pool_enter(snapshot, &spa);
	if (r < 0)
		return r;
	r = dsl_dataset_lookup(spa, fs, &head);
	if (r < 0)
		r = bs_error(-r, "snapshot '%s' does not exist", snapshot);
	if (r == 0)
		r = repl_add(spa, &plan, head, "", at + 1, fromsnap, opts);
	dsl_pool_exit(spa);
	if (r < 0) {
		repl_plan_free(spa, &plan);
		return r;
	}

	st.spa = spa;
	st.out = bs_malloc(SEND_OUTBUF);
	st.block = bs_malloc(SPA_MAXBLOCKSIZE);
	r = send_repl_header(&st, snapshot, fromsnap, &plan);
	for (i = 0; r == 0 && i < plan.n; i++) {
		struct repl_ds *d = &plan.v[i];

		if (d->full)
			r = send_one(&st, NULL, &d->snaps[0], d->props, d->rel);
		for (k = 1; r == 0 && k < d->n; k++)
			r = send_one(&st, &d->snaps[k - 1], &d->snaps[k], d->props, d->rel);
	}
	if (r == 0)
		r = out_flush(&st);
	free(st.out);
	free(st.block);
	repl_plan_free(spa, &plan);
	return r;
}

/* The name of the earlier snapshot of snap (through the origin of a clone) whose guid is
 * guid. Pool lock held. */
static int snap_by_guid(dsl_dataset_t *snap, uint64_t guid, char **ret)
{
	dsl_dataset_t *ds = snap;

	while (dsl_dataset_prev_snap(ds, &ds) == 0)
		if (dsl_dataset_guid(ds) == guid) {
			*ret = dsl_dataset_name(ds);
			return 0;
		}
	return -ENOENT;
}

/* zfs send -t: the substream a resume token describes, from where the receiver left off. */
static int send_resumed(const char *token, int fd)
{
	struct send_state st = { .fd = fd, .resuming = true };
	struct recv_resume rs = { 0 };
	_cleanup_free_ char *fromname = NULL;
	struct send_snap *snaps = NULL;
	json_t *props = NULL;
	dsl_dataset_t *snap;
	size_t n = 0;
	spa_t *spa;
	int r;

	r = recv_resume_token_parse(token, &rs);
	if (r < 0)
		return r;
	r = dsl_pool_enter(rs.toname, &spa);
	if (r < 0)
		goto out;
	r = dsl_dataset_lookup(spa, rs.toname, &snap);
	if (r < 0 || !dsl_dataset_is_snapshot(snap) || dsl_dataset_guid(snap) != rs.toguid)
		r = bs_error(ENOENT,
			     "the snapshot of the resume token, '%s', is gone (or is "
			     "another snapshot of that name)",
			     rs.toname);
	if (r == 0 && rs.fromguid && snap_by_guid(snap, rs.fromguid, &fromname) < 0)
		r = bs_error(ENOENT,
			     "the snapshot the resumed stream applies to (guid %llu) is "
			     "gone",
			     (unsigned long long)rs.fromguid);
	if (r == 0)
		r = send_resolve(spa, rs.toname, &(struct stor_send_opts){ .from = fromname },
				 &snaps, &n, &props);
	dsl_pool_exit(spa);
	if (r < 0)
		goto out;

	st.spa = spa;
	st.skip = rs.records;
	st.resume_object = rs.object;
	st.out = bs_malloc(SEND_OUTBUF);
	st.block = bs_malloc(SPA_MAXBLOCKSIZE);
	r = send_one(&st, n == 2 ? &snaps[0] : NULL, &snaps[n - 1], props, NULL);
	free(st.out);
	free(st.block);
	json_decref(props);
	send_snaps_release(spa, snaps, n);
out:
	recv_resume_clear(&rs);
	return r;
}

int stor_send(const char *snapshot, const struct stor_send_opts *opts, int fd)
{
	struct send_state st = { .fd = fd };
	struct send_snap *snaps = NULL;
	json_t *props = NULL;
	size_t n = 0, i;
	spa_t *spa;
	int r;

	if (opts && opts->resume_token)
		return send_resumed(opts->resume_token, fd);
	if (opts && opts->intermediates && !opts->from)
		return bs_error(EINVAL, "-I needs a from snapshot");
	if (!strchr(snapshot, '@'))
		return bs_error(EINVAL, "'%s' is not a snapshot name (pool/fs@snap)", snapshot);
	if (opts && opts->replicate)
		return send_replicated(snapshot, opts, fd);
	r = dsl_pool_enter(snapshot, &spa);
	if (r < 0)
		return r;
	r = send_resolve(spa, snapshot, opts, &snaps, &n, &props);
	dsl_pool_exit(spa);
	if (r < 0)
		return r;

	/* the snapshots are held: their blocks are immutable, read them without the lock */
	st.spa = spa;
	st.out = bs_malloc(SEND_OUTBUF);
	st.block = bs_malloc(SPA_MAXBLOCKSIZE);
	if (n == 1)
		r = send_one(&st, NULL, &snaps[0], props, NULL);
	for (i = 1; r == 0 && i < n; i++)
		r = send_one(&st, &snaps[i - 1], &snaps[i], props, NULL);
	free(st.out);
	free(st.block);
	json_decref(props);
	send_snaps_release(spa, snaps, n);
	return r;
}
