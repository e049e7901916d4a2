/* SPDX-License-Identifier: MIT */
/*
 * recv.c - `zfs receive`: read a stream (stream.h) into a dataset. Two halves: a reader that
 * trusts nothing (every header is checksummed, every field bounded, the substream's checksum
 * checked at END) and hands out records one at a time, and an applier that turns them into DMU
 * calls in batches of a few MB under the pool lock, reading the stream with the lock dropped.
 * The snapshot that makes the received data visible is taken only after END has verified every
 * byte; when anything fails first, the dataset is destroyed (full stream) or rolled back to its
 * latest snapshot (incremental), so the destination is left as it was.
 *
 * A replication stream (REPL record first) is checked as a whole before any substream is read:
 * the tree it lists must fit under the target, parents before children. Its substreams must then
 * arrive in the order it announces. If any fails, every snapshot and dataset the receive made is
 * destroyed, children first, and the datasets it updated are rolled back; the properties are set
 * only after the last substream, where the target accepts them.
 */

#include "basalt/base.h"
#include "basalt/stor.h"
#include "dsl.h"
#include "recv_resume.h"
#include "sha256.h"
#include "spa.h"
#include "stream.h"

#define RECV_INBUF (256u << 10)
#define RECV_BATCH (4u << 20)

/* ---- the reader ---- */

enum reader_state { RD_START, RD_BODY, RD_ENDED, RD_FAILED };

struct stream_reader {
	int fd;
	struct stream_cksum cksum;
	uint64_t offset; /* bytes consumed */
	uint64_t records;
	enum reader_state state;
	bool full;
	bool repl;		  /* the stream opened with a REPL record */
	uint64_t substreams_left; /* of those it announced */
	uint64_t next_obj; /* the lowest object number the next OBJECT/FREEOBJECTS may name */
	bool have_obj;
	uint64_t cur_obj;
	uint32_t cur_blksz;
	uint8_t *in;
	size_t inlen, inpos;
	bool eof;
	uint8_t *payload;
	size_t payload_cap;
};

bool stream_rec_sealed(const struct stream_rec *rec)
{
	uint8_t md[32];

	sha256(rec, offsetof(struct stream_rec, hdr_cksum), md);
	return memcmp(md, rec->hdr_cksum, sizeof(md)) == 0;
}

int stream_reader_new(int fd, struct stream_reader **ret)
{
	struct stream_reader *rd = bs_zalloc(sizeof(*rd));

	rd->fd = fd;
	rd->in = bs_malloc(RECV_INBUF);
	*ret = rd;
	return 0;
}

void stream_reader_free(struct stream_reader *rd)
{
	if (!rd)
		return;
	free(rd->in);
	free(rd->payload);
	free(rd);
}

uint64_t stream_reader_offset(const struct stream_reader *rd)
{
	return rd->offset;
}

/* Read up to n bytes; returns how many (fewer only at the end of the input). */
static int rd_get(struct stream_reader *rd, void *buf, size_t n, size_t *ret_got)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < n) {
		size_t k;

		if (rd->inpos == rd->inlen) {
			ssize_t m;

			if (rd->eof)
				break;
			m = read(rd->fd, rd->in, RECV_INBUF);
			if (m < 0) {
				if (errno == EINTR)
					continue;
				return bs_error(errno, "cannot read the stream: %s",
						strerror(errno));
			}
			if (m == 0) {
				rd->eof = true;
				break;
			}
			rd->inlen = (size_t)m;
			rd->inpos = 0;
		}
		k = MIN(n - got, rd->inlen - rd->inpos);
		memcpy(p + got, rd->in + rd->inpos, k);
		rd->inpos += k;
		got += k;
	}
	rd->offset += got;
	*ret_got = got;
	return 0;
}

_printf_(2, 3) static int rd_fail(struct stream_reader *rd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rd->state = RD_FAILED;
	return bs_error(EBADMSG, "invalid stream at byte %llu: %s", (unsigned long long)rd->offset,
			msg);
}

static bool blksz_valid(uint64_t bs)
{
	return bs >= SPA_MINBLOCKSIZE && bs <= SPA_MAXBLOCKSIZE && IS_P2(bs);
}

/* Check a header against the format and the records before it; the payload is not read yet. */
static int rd_check(struct stream_reader *rd, const struct stream_rec *rec)
{
	uint64_t plen = rec->payload_len;

	if (rec->flags)
		return rd_fail(rd, "unknown record flags %#x", rec->flags);
	if (rec->type == STREAM_REPL) {
		const struct stream_repl *h = &rec->u.repl;

		if (rd->state != RD_START)
			return rd_fail(rd, "REPL record after the start of the stream");
		if (h->magic != STREAM_MAGIC)
			return rd_fail(rd, "not a Basalt send stream");
		if (h->version < STREAM_VERSION_MIN || h->version > STREAM_VERSION)
			return rd_fail(rd, "stream version %u is not supported (this is %u)",
				       h->version, STREAM_VERSION);
		if (h->substreams == 0 || h->substreams > STREAM_MAX_SUBSTREAMS)
			return rd_fail(rd, "the replication header announces %llu substreams",
				       (unsigned long long)h->substreams);
		if (plen == 0 || plen > STREAM_MAX_REPL_PAYLOAD)
			return rd_fail(rd, "REPL payload of %llu bytes", (unsigned long long)plen);
		return 0;
	}
	if (rec->type == STREAM_BEGIN) {
		const struct stream_begin *b = &rec->u.begin;

		if (rd->state != RD_START && rd->state != RD_ENDED)
			return rd_fail(rd, "BEGIN record inside a substream");
		if (b->magic != STREAM_MAGIC)
			return rd_fail(rd, "not a Basalt send stream");
		if (b->version < STREAM_VERSION_MIN || b->version > STREAM_VERSION)
			return rd_fail(rd, "stream version %u is not supported (this is %u)",
				       b->version, STREAM_VERSION);
		if (b->ostype != DMU_OST_ZFS && b->ostype != DMU_OST_ZVOL)
			return rd_fail(rd, "unknown dataset type %u", b->ostype);
		if (b->guid == 0 || b->guid == b->fromguid)
			return rd_fail(rd, "invalid snapshot guid");
		if (plen == 0 || plen > STREAM_MAX_BEGIN_PAYLOAD)
			return rd_fail(rd, "BEGIN payload of %llu bytes", (unsigned long long)plen);
		if (rd->repl && rd->substreams_left == 0)
			return rd_fail(rd, "more substreams than the replication header announces");
		return 0;
	}
	if (rd->state != RD_BODY)
		return rd_fail(rd, "record of type %u outside a substream", rec->type);
	switch (rec->type) {
	case STREAM_OBJECT: {
		const struct stream_object *o = &rec->u.object;
		uint64_t span;

		if (o->object < rd->next_obj || o->object == 0 || o->object > STREAM_MAX_OBJECT)
			return rd_fail(rd, "object number %llu out of order or range",
				       (unsigned long long)o->object);
		if (!blksz_valid(o->blksz))
			return rd_fail(rd, "object %llu has block size %u",
				       (unsigned long long)o->object, o->blksz);
		if (o->type < DMU_OT_MASTER_NODE || o->type >= DMU_OT_NUMTYPES)
			return rd_fail(rd, "object %llu has type %u", (unsigned long long)o->object,
				       o->type);
		if (o->bonuslen > DN_BONUS_SIZE || plen != o->bonuslen)
			return rd_fail(rd, "object %llu has a bonus of %u bytes",
				       (unsigned long long)o->object, o->bonuslen);
		if (o->flags & ~STREAM_OBJ_FLAGS)
			return rd_fail(rd, "object %llu has unknown flags %#x",
				       (unsigned long long)o->object, o->flags);
		span = STREAM_MAX_OFFSET / o->blksz;
		if (o->maxblkid >= span)
			return rd_fail(rd, "object %llu is too large",
				       (unsigned long long)o->object);
		return 0;
	}
	case STREAM_FREEOBJECTS: {
		const struct stream_freeobjects *f = &rec->u.freeobjects;

		if (plen)
			return rd_fail(rd, "FREEOBJECTS record with a payload");
		if (f->first < rd->next_obj || f->first == 0 || f->first > STREAM_MAX_OBJECT ||
		    f->count == 0 || f->count > STREAM_MAX_OBJECT + 1 - f->first)
			return rd_fail(rd, "FREEOBJECTS range %llu+%llu out of order or range",
				       (unsigned long long)f->first, (unsigned long long)f->count);
		return 0;
	}
	case STREAM_WRITE: {
		const struct stream_range *w = &rec->u.write;

		if (!rd->have_obj || w->object != rd->cur_obj)
			return rd_fail(rd, "WRITE to object %llu without its OBJECT record",
				       (unsigned long long)w->object);
		if (w->length != rd->cur_blksz || plen != w->length || w->offset % rd->cur_blksz ||
		    w->offset > STREAM_MAX_OFFSET - w->length)
			return rd_fail(rd, "WRITE of %llu bytes at %llu to object %llu",
				       (unsigned long long)w->length, (unsigned long long)w->offset,
				       (unsigned long long)w->object);
		return 0;
	}
	case STREAM_FREE: {
		const struct stream_range *f = &rec->u.free;

		if (!rd->have_obj || f->object != rd->cur_obj)
			return rd_fail(rd, "FREE in object %llu without its OBJECT record",
				       (unsigned long long)f->object);
		if (plen || f->length == 0 || f->offset >= STREAM_MAX_OFFSET ||
		    (f->length != UINT64_MAX && f->length > STREAM_MAX_OFFSET - f->offset))
			return rd_fail(rd, "FREE of %llu bytes at %llu in object %llu",
				       (unsigned long long)f->length, (unsigned long long)f->offset,
				       (unsigned long long)f->object);
		return 0;
	}
	case STREAM_END:
		if (plen)
			return rd_fail(rd, "END record with a payload");
		return 0;
	default:
		return rd_fail(rd, "unknown record type %u", rec->type);
	}
}

/* Record what a valid header means for the records after it. */
static void rd_advance(struct stream_reader *rd, const struct stream_rec *rec)
{
	switch (rec->type) {
	case STREAM_REPL:
		rd->state = RD_ENDED;
		rd->repl = true;
		rd->substreams_left = rec->u.repl.substreams;
		break;
	case STREAM_BEGIN:
		if (rd->repl)
			rd->substreams_left--;
		rd->state = RD_BODY;
		rd->full = rec->u.begin.fromguid == 0;
		rd->next_obj = 1;
		rd->have_obj = false;
		break;
	case STREAM_OBJECT:
		rd->next_obj = rec->u.object.object + 1;
		rd->have_obj = true;
		rd->cur_obj = rec->u.object.object;
		rd->cur_blksz = rec->u.object.blksz;
		break;
	case STREAM_FREEOBJECTS:
		rd->next_obj = rec->u.freeobjects.first + rec->u.freeobjects.count;
		rd->have_obj = false;
		break;
	default:
		break;
	}
}

int stream_read_record(struct stream_reader *rd, struct stream_rec *ret, const void **ret_payload)
{
	struct stream_rec rec;
	size_t got;
	int r;

	if (rd->state == RD_FAILED)
		return -EBADMSG;
	r = rd_get(rd, &rec, sizeof(rec), &got);
	if (r < 0) {
		rd->state = RD_FAILED;
		return r;
	}
	if (got == 0 && (rd->state == RD_START || rd->state == RD_ENDED)) {
		if (rd->repl && rd->substreams_left)
			return rd_fail(rd, "the stream is truncated: %llu substreams are missing",
				       (unsigned long long)rd->substreams_left);
		memset(ret, 0, sizeof(*ret));
		*ret_payload = NULL;
		return 0;
	}
	if (got < sizeof(rec))
		return rd_fail(rd, "the stream is truncated");
	if (!stream_rec_sealed(&rec))
		return rd_fail(rd, "record header checksum mismatch (the stream is damaged)");
	r = rd_check(rd, &rec);
	if (r < 0)
		return r;
	if (rec.type == STREAM_BEGIN) {
		stream_cksum_init(&rd->cksum, rec.u.begin.version);
		rd->records = 0;
	}
	if (rec.type == STREAM_END) {
		uint8_t md[32];

		stream_cksum_final(&rd->cksum, md);
		if (rec.u.end.records != rd->records)
			return rd_fail(rd, "END counts %llu records, the substream has %llu",
				       (unsigned long long)rec.u.end.records,
				       (unsigned long long)rd->records);
		if (memcmp(md, rec.u.end.cksum, sizeof(md)) != 0)
			return rd_fail(rd, "checksum mismatch (the stream is damaged)");
		rd->state = RD_ENDED;
		*ret = rec;
		*ret_payload = NULL;
		return 1;
	}
	if (rec.payload_len > rd->payload_cap) {
		/* bounded by rd_check: at most SPA_MAXBLOCKSIZE */
		free(rd->payload);
		rd->payload = bs_malloc(rec.payload_len);
		rd->payload_cap = rec.payload_len;
	}
	r = rd_get(rd, rd->payload, rec.payload_len, &got);
	if (r < 0) {
		rd->state = RD_FAILED;
		return r;
	}
	if (got < rec.payload_len)
		return rd_fail(rd, "the stream is truncated");
	if (rec.type == STREAM_REPL) {
		uint8_t md[32];

		sha256(rd->payload, rec.payload_len, md);
		if (memcmp(md, rec.u.repl.sha256, sizeof(md)) != 0)
			return rd_fail(rd, "replication header checksum mismatch (the stream is "
					   "damaged)");
		rd_advance(rd, &rec);
		*ret = rec;
		*ret_payload = rd->payload;
		return 1;
	}
	stream_cksum_update(&rd->cksum, &rec, sizeof(rec));
	stream_cksum_update(&rd->cksum, rd->payload, rec.payload_len);
	rd->records++;
	rd_advance(rd, &rec);
	*ret = rec;
	*ret_payload = rd->payload;
	return 1;
}

/* ---- the applier ---- */

/* Records read with the lock dropped, applied together under it. */
struct batch {
	uint8_t *buf;
	size_t len;
	uint64_t nrec;	 /* records in buf */
	uint64_t object; /* the object the last record added belongs to (0: none) */
};

/* counted: the record is one of the substream's as first sent (not an OBJECT record a resumed
 * stream sends again), so that the resume state counts records as the sender does */
static void batch_add(struct batch *b, const struct stream_rec *rec, const void *payload,
		      bool counted)
{
	memcpy(b->buf + b->len, rec, sizeof(*rec));
	b->len += sizeof(*rec);
	if (rec->payload_len)
		memcpy(b->buf + b->len, payload, rec->payload_len);
	b->len += rec->payload_len;
	b->nrec += counted;
	if (rec->type == STREAM_OBJECT)
		b->object = rec->u.object.object;
	else if (rec->type == STREAM_FREEOBJECTS)
		b->object = 0;
}

/*
 * How a substream is applied: full or incremental; resume_obj, when the substream resumes a
 * partial receive, is the object it left off in, whose OBJECT record updates what is there
 * instead of replacing it; rs (NULL unless the receive can be resumed) counts what is applied,
 * and is kept with head in the txg of the records it counts.
 */
struct applier {
	objset_t *os;
	bool full;
	uint64_t resume_obj;
	dsl_dataset_t *head;
	struct recv_resume *rs;
};

static int apply_object(const struct applier *a, const struct stream_object *o, const void *bonus)
{
	objset_t *os = a->os;
	struct dmu_object_info info;
	bool exists;
	int r;

	r = dmu_object_info(os, o->object, &info);
	if (r < 0 && r != -ENOENT)
		return r;
	exists = r == 0;
	if ((a->full || (o->flags & STREAM_OBJ_NEW)) && !(exists && o->object == a->resume_obj)) {
		if (exists) {
			r = dmu_object_free(os, o->object);
			if (r < 0)
				return r;
		}
		/* a growing block size is claimed as such: the first WRITE grows it again */
		r = dmu_object_claim(os, o->object, o->type,
				     o->flags & STREAM_OBJ_GROW ? 0 : o->blksz, o->bonustype,
				     o->bonuslen);
	} else if (!exists || info.type != o->type || info.bonustype != o->bonustype) {
		return bs_error(
			EINVAL,
			"the stream's object %llu does not match the destination's; was the "
			"destination received from the stream's origin?",
			(unsigned long long)o->object);
	} else if (info.datablksz != o->blksz &&
		   !((o->flags & STREAM_OBJ_GROW) && (info.flags & DN_FLAG_GROW) &&
		     info.datablksz < o->blksz)) {
		r = dmu_object_set_blksz(os, o->object, o->blksz);
		if (r < 0)
			return bs_error(-r, "cannot change the block size of object %llu: %s",
					(unsigned long long)o->object, strerror(-r));
	}
	if (r == 0 && o->bonuslen)
		r = dmu_bonus_write(os, o->object, bonus, o->bonuslen);
	return r;
}

static int apply_freeobjects(objset_t *os, const struct stream_freeobjects *f)
{
	uint64_t obj = f->first - 1, end = f->first + f->count;
	int r;

	for (;;) {
		r = dmu_object_next(os, obj, &obj);
		if (r == -ESRCH || (r == 0 && obj >= end))
			return 0;
		if (r == 0)
			r = dmu_object_free(os, obj);
		if (r < 0)
			return r;
	}
}

static int apply_record(const struct applier *a, const struct stream_rec *rec, const void *payload)
{
	objset_t *os = a->os;

	switch (rec->type) {
	case STREAM_OBJECT:
		return apply_object(a, &rec->u.object, payload);
	case STREAM_FREEOBJECTS:
		return apply_freeobjects(os, &rec->u.freeobjects);
	case STREAM_WRITE:
		return dmu_write(os, rec->u.write.object, rec->u.write.offset, rec->u.write.length,
				 payload);
	case STREAM_FREE:
		return dmu_free_range(os, rec->u.free.object, rec->u.free.offset,
				      rec->u.free.length);
	default:
		return 0;
	}
}

/* Apply a batch under the pool lock, and count it in the resume state; empties it. */
static int batch_apply(spa_t *spa, const struct applier *a, struct batch *b)
{
	size_t pos = 0;
	int r = 0;

	if (!b->len)
		return 0;
	spa_enter(spa);
	while (r == 0 && pos < b->len) {
		struct stream_rec rec;

		memcpy(&rec, b->buf + pos, sizeof(rec));
		pos += sizeof(rec);
		r = apply_record(a, &rec, b->buf + pos);
		pos += rec.payload_len;
	}
	if (r == 0 && a->rs) {
		a->rs->records += b->nrec;
		a->rs->object = b->object;
		a->rs->bytes += b->len;
		r = recv_resume_store(a->head, a->rs);
	}
	spa_exit(spa);
	b->len = 0;
	b->nrec = 0;
	return r;
}

/* A substream received into a replication stream's tree, to undo if a later one fails. */
struct recv_done {
	char *fs, *snap;
	bool created; /* the substream created fs */
};

struct recv_ctx {
	const struct stor_recv_opts *opts;
	struct stream_reader *rd;
	const char *target;
	json_t *received;
	json_t *mounts; /* file systems created by this receive, to mount at the end, parents first
			 */
	unsigned nsub;
	/* a replication stream: its validated "datasets", the next substream's place in them */
	json_t *repl;
	size_t cur_ds, cur_snap;
	struct recv_done *done;
	size_t ndone;
	json_t *dry_created; /* -n: the datasets a full substream would have created */
	json_t *changed;     /* existing file systems whose content this receive replaced */
};

/* Where a substream that resumes a partial receive starts (BEGIN's "resume"). */
struct begin_resume {
	bool present;
	uint64_t records, object;
};

static int parse_resume(json_t *res, struct begin_resume *ret)
{
	json_t *records = json_object_get(res, "records"), *object = json_object_get(res, "object");

	memset(ret, 0, sizeof(*ret));
	if (!res)
		return 0;
	if (!json_is_object(res) || !json_is_integer(records) || !json_is_integer(object) ||
	    json_integer_value(records) < 0 || json_integer_value(object) < 0 ||
	    (uint64_t)json_integer_value(object) > STREAM_MAX_OBJECT)
		return bs_error(EBADMSG, "invalid stream: BEGIN record: malformed resume point");
	ret->present = true;
	ret->records = (uint64_t)json_integer_value(records);
	ret->object = (uint64_t)json_integer_value(object);
	return 0;
}

/* What a BEGIN record's payload says: the snapshot's name (the part after '@', and whole), its
 * properties, in a replication stream its dataset's name relative to the top (ret_rel NULL if
 * absent), and where it resumes a partial receive. */
static int parse_begin(const void *payload, size_t len, char **ret_snapname, char **ret_sendname,
		       json_t **ret_props, char **ret_rel, struct begin_resume *ret_resume)
{
	json_error_t err;
	json_t *j, *name, *props, *v, *rel;
	const char *key, *at;

	j = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return bs_error(EBADMSG, "invalid stream: BEGIN record: %s", err.text);
	name = json_object_get(j, "name");
	props = json_object_get(j, "props");
	rel = json_object_get(j, "dataset");
	if (!json_is_string(name) || !(at = strchr(json_string_value(name), '@')) || !at[1] ||
	    strlen(at) >= DSL_MAXNAMELEN || (props && !json_is_object(props)) ||
	    (rel && (!json_is_string(rel) || strlen(json_string_value(rel)) >= DSL_MAXNAMELEN))) {
		json_decref(j);
		return bs_error(EBADMSG, "invalid stream: BEGIN record names no snapshot");
	}
	json_object_foreach(props, key, v) {
		if (!json_is_string(v) || strchr(key, '=')) {
			json_decref(j);
			return bs_error(EBADMSG, "invalid stream: property '%s' is malformed", key);
		}
	}
	if (parse_resume(json_object_get(j, "resume"), ret_resume) < 0) {
		json_decref(j);
		return -EBADMSG;
	}
	*ret_snapname = bs_strdup(at + 1);
	*ret_sendname = bs_strdup(json_string_value(name));
	*ret_props = props ? json_incref(props) : json_object();
	*ret_rel = rel ? bs_strdup(json_string_value(rel)) : NULL;
	json_decref(j);
	return 0;
}

/* The full name of a dataset of a replication stream under the target. */
static char *repl_fs(const char *target, const char *rel)
{
	return rel[0] ? bs_asprintf("%s/%s", target, rel) : bs_strdup(target);
}

_printf_(1, 2) static int repl_invalid(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bs_error(EBADMSG, "invalid stream: replication header: %s", msg);
}

/* One dataset of the REPL payload; seen maps the names before it to their types. */
static int repl_check_ds(const char *target, json_t *e, size_t i, json_t *seen,
			 uint64_t *substreams)
{
	json_t *name = json_object_get(e, "name"), *type = json_object_get(e, "type");
	json_t *props = json_object_get(e, "props"), *snaps = json_object_get(e, "snapshots");
	json_t *v, *parent_type, *snapset;
	_cleanup_free_ char *fs = NULL, *parent = NULL;
	const char *rel, *key, *slash;
	size_t k;

	if (!json_is_object(e) || !json_is_string(name) || !json_is_string(type) ||
	    !json_is_object(props) || !json_is_array(snaps))
		return repl_invalid("dataset %zu is malformed", i);
	rel = json_string_value(name);
	if ((i == 0) != (rel[0] == 0) || json_object_get(seen, rel))
		return repl_invalid("dataset %zu has the name '%s'", i, rel);
	if (!streq(json_string_value(type), "filesystem") &&
	    !streq(json_string_value(type), "volume"))
		return repl_invalid("dataset '%s' has the type '%s'", rel, json_string_value(type));
	if (i > 0) {
		slash = strrchr(rel, '/');
		parent = slash ? bs_asprintf("%.*s", (int)(slash - rel), rel) : bs_strdup("");
		parent_type = json_object_get(seen, parent);
		if (!parent_type)
			return repl_invalid("dataset '%s' comes before its parent", rel);
		if (!streq(json_string_value(parent_type), "filesystem"))
			return repl_invalid("dataset '%s' is below a volume", rel);
	}
	fs = repl_fs(target, rel);
	if (strlen(fs) >= DSL_MAXNAMELEN || dsl_name_check(fs, false) < 0)
		return repl_invalid("dataset '%s' cannot be received under '%s'", rel, target);
	json_object_foreach(props, key, v) {
		if (!json_is_string(v) || !key[0] || strchr(key, '='))
			return repl_invalid("property '%s' of '%s' is malformed", key, rel);
	}
	if (json_array_size(snaps) == 0)
		return repl_invalid("dataset '%s' receives no snapshot", rel);
	snapset = json_object();
	json_array_foreach(snaps, k, v) {
		_cleanup_free_ char *snapfull = NULL;

		if (json_is_string(v) && !json_object_get(snapset, json_string_value(v)))
			snapfull = bs_asprintf("%s@%s", fs, json_string_value(v));
		if (!snapfull || !json_string_value(v)[0] || strchr(json_string_value(v), '@') ||
		    strlen(snapfull) >= DSL_MAXNAMELEN || dsl_name_check(snapfull, true) < 0) {
			json_decref(snapset);
			return repl_invalid("snapshot %zu of '%s' is malformed", k, rel);
		}
		json_object_set_new(snapset, json_string_value(v), json_true());
	}
	json_decref(snapset);
	json_object_set(seen, rel, type);
	*substreams += json_array_size(snaps);
	return 0;
}

/* Check a REPL record's payload against the target and keep its list of datasets. */
static int parse_repl(struct recv_ctx *c, const struct stream_rec *rec, const void *payload)
{
	json_t *j, *list, *e, *seen;
	uint64_t substreams = 0;
	json_error_t err;
	size_t i;
	int r = 0;

	if (strchr(c->target, '@'))
		return bs_error(EINVAL, "a replication stream is received into a file system, not "
					"a snapshot name");
	j = json_loadb(payload, rec->payload_len, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return repl_invalid("%s", err.text);
	list = json_object_get(j, "datasets");
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > rec->u.repl.substreams) {
		json_decref(j);
		return repl_invalid("no list of datasets");
	}
	seen = json_object();
	json_array_foreach(list, i, e) {
		r = repl_check_ds(c->target, e, i, seen, &substreams);
		if (r < 0)
			break;
	}
	json_decref(seen);
	if (r == 0 && substreams != rec->u.repl.substreams)
		r = repl_invalid("it lists %llu snapshots for %llu substreams",
				 (unsigned long long)substreams,
				 (unsigned long long)rec->u.repl.substreams);
	if (r == 0)
		c->repl = json_incref(list);
	json_decref(j);
	return r;
}

/*
 * The dataset the next substream of a replication stream goes to: the one the header announces,
 * which the substream must name, with the snapshot and type it lists.
 */
static int repl_next(struct recv_ctx *c, const char *rel, const char *snapname,
		     enum dmu_objset_type ostype, char **ret_fs)
{
	json_t *e = json_array_get(c->repl, c->cur_ds), *snaps, *want;
	const char *type;

	if (c->cur_snap == json_array_size(json_object_get(e, "snapshots"))) {
		e = json_array_get(c->repl, ++c->cur_ds);
		c->cur_snap = 0;
	}
	if (!e)
		return bs_error(EBADMSG, "invalid stream: more substreams than datasets");
	snaps = json_object_get(e, "snapshots");
	want = json_array_get(snaps, c->cur_snap);
	type = json_string_value(json_object_get(e, "type"));
	if (!rel || !streq(rel, json_string_value(json_object_get(e, "name"))) ||
	    !streq(snapname, json_string_value(want)) ||
	    streq(type, "volume") != (ostype == DMU_OST_ZVOL))
		return bs_error(EBADMSG,
				"invalid stream: a substream of '%s@%s' where the replication "
				"header announces '%s@%s'",
				rel ? rel : "", snapname,
				json_string_value(json_object_get(e, "name")),
				json_string_value(want));
	c->cur_snap++;
	*ret_fs = repl_fs(c->target, rel);
	return 0;
}

/* "k=v" strings for creating the dataset: what a volume needs to exist. */
static char **create_props(json_t *props, enum dmu_objset_type type)
{
	static const char *const vol_props[] = { "volsize", "volblocksize" };
	char **v = bs_zalloc((ARRAY_SIZE(vol_props) + 1) * sizeof(*v));
	size_t i, n = 0;

	for (i = 0; type == DMU_OST_ZVOL && i < ARRAY_SIZE(vol_props); i++) {
		json_t *val = json_object_get(props, vol_props[i]);

		if (val)
			v[n++] = bs_asprintf("%s=%s", vol_props[i], json_string_value(val));
	}
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int stop_at_first_dnode(objset_t *os, uint64_t obj, const struct dnode_phys *dn, void *arg)
{
	return 1;
}

static int stop_at_first_block(objset_t *os, uint64_t obj, uint64_t blkid, const struct blkptr *bp,
			       const struct dnode_phys *dn, void *arg)
{
	return 1;
}

/* Whether head has changes since its latest snapshot snap. Pool lock held. */
static int head_modified(spa_t *spa, dsl_dataset_t *head, dsl_dataset_t *snap)
{
	struct dmu_traverse_cbs cbs = { stop_at_first_dnode, stop_at_first_block, NULL };
	objset_t *os;
	int r;

	r = spa_sync(spa);
	if (r == 0)
		r = dsl_dataset_objset(head, &os);
	if (r == 0)
		r = dmu_traverse(os, dsl_dataset_creation_txg(snap), &cbs);
	return r;
}

/*
 * Check that the destination can take the substream and prepare it: create the dataset (full)
 * or roll it back when -F says so (incremental). Pool lock held. On success the head is
 * long-held (not in a dry run, where *ret_head may be NULL).
 */
static int recv_prepare(struct recv_ctx *c, spa_t *spa, const char *fs, const char *snapfull,
			const struct stream_begin *b, json_t *props, dsl_dataset_t **ret_head,
			bool *ret_created)
{
	const struct stor_recv_opts *o = c->opts;
	dsl_dataset_t *head = NULL, *snap, *latest;
	int r;

	r = dsl_dataset_lookup(spa, fs, &head);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == 0 && dsl_dataset_is_snapshot(head))
		return bs_error(EINVAL, "'%s' is a snapshot", fs);
	if (r == 0 && recv_resume_pending(head))
		return bs_error(EBUSY,
				"destination '%s' holds a partial receive; resume it (zfs send -t "
				"its receive_resume_token) or abort it (zfs receive -A %s)",
				fs, fs);

	if (b->fromguid == 0) {
		_cleanup_free_ dsl_dataset_t **snaps = NULL;
		char **cprops;
		size_t n = 0;

		if (head && !o->force)
			return bs_error(EEXIST,
					"destination '%s' exists; use -F to overwrite it, or send "
					"an incremental stream",
					fs);
		if (head) {
			r = dsl_dataset_snapshots(head, &snaps, &n);
			if (r < 0)
				return r;
			if (n > 0)
				return bs_error(EEXIST,
						"destination '%s' has snapshots; destroy them to "
						"overwrite it with a full stream",
						fs);
			if (dsl_dataset_ostype(head) != b->ostype)
				return bs_error(EINVAL,
						"destination '%s' is not of the stream's type", fs);
			if (dsl_dataset_lookup(spa, snapfull, &snap) == 0)
				return bs_error(EEXIST, "destination snapshot '%s' already exists",
						snapfull);
		}
		cprops = create_props(props, b->ostype);
		r = dsl_prop_validate((const char *const *)cprops, b->ostype);
		if (r < 0) {
			strv_free(cprops);
			return r;
		}
		if (o->dryrun) {
			strv_free(cprops);
			*ret_head = NULL;
			*ret_created = false;
			return 0;
		}
		if (head) {
			r = dsl_dataset_destroy(head);
			if (r < 0) {
				strv_free(cprops);
				return r;
			}
		}
		r = dsl_dataset_create(spa, fs, b->ostype, 0, (const char *const *)cprops, &head);
		strv_free(cprops);
		if (r < 0)
			return r;
		dsl_dataset_long_hold(head);
		*ret_head = head;
		*ret_created = true;
		return 0;
	}

	if (!head)
		return bs_error(ENOENT,
				"destination '%s' does not exist; an incremental stream "
				"applies to a received copy of its origin",
				fs);
	if (dsl_dataset_ostype(head) != b->ostype)
		return bs_error(EINVAL, "destination '%s' is not of the stream's type", fs);
	r = dsl_dataset_prev_snap(head, &latest);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT)
		return bs_error(ENODEV, "destination '%s' has no snapshot to apply the stream to",
				fs);
	if (dsl_dataset_guid(latest) != b->fromguid) {
		_cleanup_free_ dsl_dataset_t **snaps = NULL;
		_cleanup_free_ char *lname = dsl_dataset_name(latest);
		size_t n = 0, i;

		r = dsl_dataset_snapshots(head, &snaps, &n);
		for (i = 0; r == 0 && i < n; i++)
			if (dsl_dataset_guid(snaps[i]) == b->fromguid) {
				_cleanup_free_ char *sname = dsl_dataset_name(snaps[i]);

				return bs_error(ENODEV,
						"destination '%s' has snapshots after the stream's "
						"origin '%s'; destroy them first",
						fs, sname);
			}
		return bs_error(ENODEV,
				"the destination's most recent snapshot '%s' is not the stream's "
				"origin (guid %llu)",
				lname, (unsigned long long)b->fromguid);
	}
	if (dsl_dataset_lookup(spa, snapfull, &snap) == 0)
		return bs_error(EEXIST, "destination snapshot '%s' already exists", snapfull);
	r = head_modified(spa, head, latest);
	if (r < 0)
		return r;
	if (r > 0) {
		if (!o->force)
			return bs_error(ETXTBSY,
					"destination '%s' has been modified since most "
					"recent snapshot; use -F",
					fs);
		if (!o->dryrun) {
			r = dsl_dataset_rollback(head);
			if (r < 0)
				return r;
		}
	}
	if (o->dryrun) {
		*ret_head = NULL;
		*ret_created = false;
		return 0;
	}
	dsl_dataset_long_hold(head);
	*ret_head = head;
	*ret_created = false;
	return 0;
}

/* A substream that resumes the partial receive kept in fs: it must continue exactly that one.
 * Pool lock held; ret_rs gets the kept state. */
static int recv_prepare_resume(struct recv_ctx *c, spa_t *spa, const char *fs, const char *snapfull,
			       const struct stream_begin *b, const struct begin_resume *br,
			       dsl_dataset_t **ret_head, struct recv_resume *ret_rs)
{
	struct recv_resume rs;
	dsl_dataset_t *head, *snap;
	int r;

	if (c->repl)
		return bs_error(EBADMSG, "invalid stream: a replication stream cannot resume a "
					 "receive");
	r = dsl_dataset_lookup(spa, fs, &head);
	if (r == 0 && dsl_dataset_is_snapshot(head))
		return bs_error(EINVAL, "'%s' is a snapshot", fs);
	if (r == 0)
		r = recv_resume_load(head, &rs);
	if (r == -ENOENT)
		return bs_error(ENOENT, "'%s' holds no partial receive for this stream to resume",
				fs);
	if (r < 0)
		return bs_error(-r, "cannot read the partial receive of '%s': %s", fs,
				strerror(-r));
	if (rs.toguid != b->guid || rs.fromguid != b->fromguid || rs.records != br->records ||
	    rs.object != br->object) {
		r = bs_error(
			EINVAL,
			"the stream does not continue the partial receive of '%s' (%s, record "
			"%llu); generate it with zfs send -t and the receive_resume_token of '%s'",
			fs, rs.toname, (unsigned long long)rs.records, fs);
		recv_resume_clear(&rs);
		return r;
	}
	if (dsl_dataset_lookup(spa, snapfull, &snap) == 0) {
		recv_resume_clear(&rs);
		return bs_error(EEXIST, "destination snapshot '%s' already exists", snapfull);
	}
	if (c->opts->dryrun) {
		recv_resume_clear(&rs);
		*ret_head = NULL;
		return 0;
	}
	dsl_dataset_long_hold(head);
	*ret_head = head;
	*ret_rs = rs;
	return 0;
}

/* Put back what the failed substream changed. Pool lock held. */
static void recv_undo(dsl_dataset_t *head, bool created)
{
	int r;

	dsl_dataset_long_rele(head);
	r = created ? dsl_dataset_destroy(head) : dsl_dataset_rollback(head);
	if (r < 0)
		log_err("receive: cannot undo a failed receive: %s", strerror(-r));
}

/* Read one substream, whose BEGIN record is begin, into the destination. */
static int recv_one(struct recv_ctx *c, const struct stream_rec *begin, const void *payload)
{
	const struct stream_begin *b = &begin->u.begin;
	_cleanup_free_ char *streamsnap = NULL, *sendname = NULL, *fs = NULL, *snapfull = NULL,
			    *rel = NULL;
	struct batch batch = { 0 };
	struct begin_resume br;
	struct recv_resume rs = { 0 };
	struct applier ap = { .full = b->fromguid == 0 };
	dsl_dataset_t *head = NULL;
	json_t *props = NULL;
	bool created = false, keep;
	const char *at;
	spa_t *spa;
	int r, err;

	r = parse_begin(payload, begin->payload_len, &streamsnap, &sendname, &props, &rel, &br);
	if (r < 0)
		return r;
	at = strchr(c->target, '@');
	if (at && c->nsub > 0) {
		json_decref(props);
		return bs_error(EINVAL, "the stream holds several snapshots; receive it into a "
					"file system, not a snapshot name");
	}
	if (c->repl && !br.present) {
		r = repl_next(c, rel, streamsnap, b->ostype, &fs);
		if (r < 0) {
			json_decref(props);
			return r;
		}
	} else {
		fs = at ? bs_asprintf("%.*s", (int)(at - c->target), c->target) :
			  bs_strdup(c->target);
	}
	snapfull = bs_asprintf("%s@%s", fs, at ? at + 1 : streamsnap);
	c->nsub++;
	/* a resumed substream goes on keeping its state, -s or not */
	keep = (c->opts->resumable || br.present) && !c->opts->dryrun;
	r = dsl_name_check(snapfull, true);
	if (r == 0 && keep && strlen(sendname) >= DSL_MAXNAMELEN)
		r = bs_error(ENAMETOOLONG, "cannot receive '%s' resumably: the name is too long",
			     sendname);
	if (r < 0) {
		json_decref(props);
		return r;
	}

	r = dsl_pool_enter(fs, &spa);
	if (r < 0) {
		json_decref(props);
		return r;
	}
	if (br.present)
		r = recv_prepare_resume(c, spa, fs, snapfull, b, &br, &head, &rs);
	else if (c->opts->dryrun && b->fromguid && json_object_get(c->dry_created, fs))
		r = 0; /* applies to a dataset an earlier substream would have created */
	else
		r = recv_prepare(c, spa, fs, snapfull, b, props, &head, &created);
	if (br.present)
		created = rs.created;
	if (r == 0 && c->opts->dryrun && !b->fromguid && !br.present)
		json_object_set_new(c->dry_created, fs, json_true());
	if (r == 0 && head)
		r = dsl_dataset_objset(head, &ap.os);
	if (r == 0 && head && keep && !br.present) {
		rs = (struct recv_resume){ .toguid = b->guid,
					   .fromguid = b->fromguid,
					   .created = created,
					   .toname = bs_strdup(sendname) };
		r = recv_resume_store(head, &rs);
	}
	if (r < 0 && head)
		recv_undo(head, created);
	dsl_pool_exit(spa);
	json_decref(props);
	if (r < 0) {
		recv_resume_clear(&rs);
		return r;
	}
	if (head && keep) {
		ap.head = head;
		ap.rs = &rs;
	}
	ap.resume_obj = br.present ? br.object : 0;
	batch.object = rs.object;

	batch.buf = bs_malloc(RECV_BATCH + SPA_MAXBLOCKSIZE + STREAM_REC_SIZE);
	for (;;) {
		struct stream_rec rec;
		const void *p;

		r = stream_read_record(c->rd, &rec, &p);
		if (r == 0)
			r = bs_error(EBADMSG, "invalid stream: it ends without an END record");
		if (r < 0)
			break;
		if (rec.type == STREAM_END || rec.type == STREAM_BEGIN)
			break;
		if (!head)
			continue;
		batch_add(&batch, &rec, p,
			  !(ap.resume_obj && rec.type == STREAM_OBJECT &&
			    rec.u.object.object == ap.resume_obj));
		if (batch.len >= RECV_BATCH) {
			r = batch_apply(spa, &ap, &batch);
			if (r < 0)
				break;
		}
	}
	if (r > 0 && head)
		r = batch_apply(spa, &ap, &batch);
	free(batch.buf);
	if (r >= 0 && head) {
		dsl_dataset_t *snap;

		spa_enter(spa);
		r = dsl_dataset_snapshot(head, strchr(snapfull, '@') + 1, b->guid, &snap);
		if (r == 0 && keep)
			r = recv_resume_remove(head);
		if (r < 0 && !keep) {
			recv_undo(head, created);
		} else {
			dsl_dataset_long_rele(head);
			/* the snapshot is the receive's last change: on disk before we return */
			err = spa_sync(spa);
			r = r < 0 ? r : err;
		}
		spa_exit(spa);
	} else if (r < 0 && head) {
		_cleanup_free_ char *msg = bs_strdup(bs_error_msg());

		err = r;
		spa_enter(spa);
		if (keep) {
			/* what was applied stays, with the state counting it, for zfs send -t */
			dsl_dataset_long_rele(head);
			(void)spa_sync(spa);
		} else {
			recv_undo(head, created);
		}
		spa_exit(spa);
		r = keep ? bs_error(
				   -err,
				   "%s; the part received is kept in '%s': resume with zfs send -t "
				   "and its receive_resume_token, or abort with zfs receive -A",
				   msg, fs) :
			   bs_error(-err, "%s", msg);
	}
	recv_resume_clear(&rs);
	if (head && !created && b->ostype == DMU_OST_ZFS)
		json_array_append_new(c->changed, json_string(fs));
	if (r < 0)
		return r;
	json_array_append_new(c->received, json_string(snapfull));
	/* (a file system holding a partial receive was left unmounted: mount it now) */
	if ((created || br.present) && b->ostype == DMU_OST_ZFS)
		json_array_append_new(c->mounts, json_string(fs));
	if (c->repl && head) {
		c->done = bs_realloc(c->done, (c->ndone + 1) * sizeof(*c->done));
		c->done[c->ndone++] = (struct recv_done){ .fs = TAKE_PTR(fs),
							  .snap = TAKE_PTR(snapfull),
							  .created = created };
	}
	return 0;
}

/* A failed replication receive: destroy what it made, newest first, and roll back the rest. */
static void repl_undo(struct recv_ctx *c)
{
	spa_t *spa;
	size_t i;
	int r;

	if (!c->ndone || dsl_pool_enter(c->target, &spa) < 0)
		return;
	for (i = c->ndone; i-- > 0;) {
		struct recv_done *d = &c->done[i];
		dsl_dataset_t *ds;

		r = dsl_dataset_lookup(spa, d->snap, &ds);
		if (r == 0)
			r = dsl_dataset_destroy(ds);
		if (r == 0)
			r = dsl_dataset_lookup(spa, d->fs, &ds);
		if (r == 0)
			r = d->created ? dsl_dataset_destroy(ds) : dsl_dataset_rollback(ds);
		if (r < 0)
			log_err("receive: cannot undo the receive of '%s': %s", d->snap,
				strerror(-r));
	}
	dsl_pool_exit(spa);
}

/* Whether a property changes where or how a file system is mounted. */
static bool mount_prop(const char *prop)
{
	return streq(prop, "mountpoint") || streq(prop, "canmount") || streq(prop, "readonly");
}

/*
 * Set the local properties a replication stream carries on its datasets, skipping those the
 * target refuses. ret_remount lists the datasets that existed before and whose mount
 * properties changed.
 */
static void repl_set_props(struct recv_ctx *c, json_t *ret_remount)
{
	json_t *e, *v;
	const char *key;
	spa_t *spa;
	size_t i;

	if (dsl_pool_enter(c->target, &spa) < 0)
		return;
	json_array_foreach(c->repl, i, e) {
		_cleanup_free_ char *fs =
			repl_fs(c->target, json_string_value(json_object_get(e, "name")));
		bool created = false, remount = false;
		dsl_dataset_t *ds;

		if (dsl_dataset_lookup(spa, fs, &ds) < 0)
			continue;
		for (size_t k = 0; k < json_array_size(c->mounts); k++)
			created |= streq(fs, json_string_value(json_array_get(c->mounts, k)));
		json_object_foreach(json_object_get(e, "props"), key, v) {
			_cleanup_free_ char *old = NULL;
			const char *val = json_string_value(v);

			if (streq(key, "volsize") || streq(key, "volblocksize"))
				continue; /* given at creation */
			if (!created && mount_prop(key) &&
			    dsl_prop_get_string(ds, key, &old) == 0 && !streq(old, val))
				remount = true;
			(void)dsl_prop_set(ds, key, val);
		}
		if (remount)
			json_array_append_new(ret_remount, json_string(fs));
	}
	dsl_pool_exit(spa);
	bs_error_clear();
}

/* Whether a received file system is to be mounted: canmount=on and a path mountpoint. */
static bool recv_mountable(const char *fs)
{
	_cleanup_free_ char *mp = NULL, *canmount = NULL;
	dsl_dataset_t *ds;
	spa_t *spa;
	int r;

	if (dsl_pool_enter(fs, &spa) < 0)
		return false;
	r = dsl_dataset_lookup(spa, fs, &ds);
	if (r == 0)
		r = dsl_prop_get_string(ds, "mountpoint", &mp);
	if (r == 0)
		r = dsl_prop_get_string(ds, "canmount", &canmount);
	dsl_pool_exit(spa);
	return r == 0 && mp[0] == '/' && streq(canmount, "on");
}

/*
 * A file system mounted while a receive changed it in place (an incremental stream, a rollback
 * for -F, or the undo of a failure) is mounted again: the kernel caches its names, attributes
 * and pages, and only a fresh mount drops all of them at once.
 */
static void remount_changed(struct recv_ctx *c)
{
	json_t *v;
	size_t i;

	json_array_foreach(c->changed, i, v) {
		const char *fs = json_string_value(v);

		if (stor_is_mounted(fs))
			(void)stor_remount_dataset(fs);
	}
}

/* The end of a successful receive: properties (replication), then mounts, parents first. */
static int recv_finish(struct recv_ctx *c)
{
	json_t *remount = json_array(), *v;
	size_t i;
	int r = 0;

	if (c->repl)
		repl_set_props(c, remount);
	json_array_foreach(remount, i, v)
		(void)stor_remount_dataset(json_string_value(v));
	json_decref(remount);
	bs_error_clear();
	json_array_foreach(c->mounts, i, v) {
		const char *fs = json_string_value(v);

		if (c->opts->nomount || (c->repl && !recv_mountable(fs)))
			continue;
		r = stor_ds_mount(fs);
		if (r < 0)
			return bs_error(-r, "received '%s' but cannot mount it: %s", fs,
					bs_strerror(r));
		if (!c->repl)
			break;
	}
	return 0;
}

int stor_recv(const char *target, const struct stor_recv_opts *opts, int fd, json_t **ret_received)
{
	static const struct stor_recv_opts defaults = { 0 };
	struct recv_ctx c = { .opts = opts ? opts : &defaults, .target = target };
	struct stream_rec rec;
	const void *p;
	size_t i;
	int r;

	r = dsl_name_check(target, true);
	if (r < 0)
		return r;
	r = stream_reader_new(fd, &c.rd);
	if (r < 0)
		return r;
	c.received = json_array();
	c.mounts = json_array();
	c.dry_created = json_object();
	c.changed = json_array();
	for (;;) {
		r = stream_read_record(c.rd, &rec, &p);
		if (r == 0 && c.nsub == 0)
			r = bs_error(EBADMSG, "invalid stream: the input is empty");
		if (r <= 0)
			break;
		if (rec.type == STREAM_REPL && c.opts->resumable)
			r = bs_error(EINVAL,
				     "a replication stream (zfs send -R) cannot be received "
				     "resumably (-s)");
		else if (rec.type == STREAM_REPL)
			r = parse_repl(&c, &rec, p);
		else
			r = recv_one(&c, &rec, p);
		if (r < 0)
			break;
	}
	stream_reader_free(c.rd);
	if (r < 0 && c.ndone) {
		_cleanup_free_ char *msg = bs_strdup(bs_error_msg());

		repl_undo(&c);
		r = bs_error(-r, "%s", msg);
	}
	if (r < 0 && json_array_size(c.changed)) {
		_cleanup_free_ char *msg = bs_strdup(bs_error_msg());

		remount_changed(&c);
		r = bs_error(-r, "%s", msg);
	} else {
		remount_changed(&c);
	}
	if (r == 0 && !c.opts->dryrun)
		r = recv_finish(&c);
	for (i = 0; i < c.ndone; i++) {
		free(c.done[i].fs);
		free(c.done[i].snap);
	}
	free(c.done);
	json_decref(c.repl);
	json_decref(c.mounts);
	json_decref(c.dry_created);
	json_decref(c.changed);
	if (r < 0) {
		json_decref(c.received);
		return r;
	}
	if (ret_received)
		*ret_received = c.received;
	else
		json_decref(c.received);
	return 0;
}

int stor_recv_abort(const char *fs)
{
	struct recv_resume rs;
	dsl_dataset_t *head;
	spa_t *spa;
	int r;

	r = dsl_pool_enter(fs, &spa);
	if (r < 0)
		return r;
	r = dsl_dataset_lookup(spa, fs, &head);
	if (r == 0 && dsl_dataset_is_snapshot(head))
		r = bs_error(EINVAL, "'%s' is a snapshot", fs);
	if (r == 0) {
		r = recv_resume_load(head, &rs);
		if (r == -ENOENT)
			r = bs_error(ENOENT, "'%s' holds no partial receive", fs);
	}
	if (r == 0) {
		bool created = rs.created;

		recv_resume_clear(&rs);
		/* what the receive created goes; what it changed goes back to its last snapshot */
		r = created ? dsl_dataset_destroy(head) : dsl_dataset_rollback(head);
		if (r == 0 && !created)
			r = recv_resume_remove(head);
		if (r == 0)
			r = spa_sync(spa);
	}
	dsl_pool_exit(spa);
	if (r == 0 && recv_mountable(fs)) {
		(void)stor_ds_mount(fs);
		bs_error_clear();
	}
	return r;
}
