// SPDX-License-Identifier: MIT
/*
 * agg.c - aggregations in the consumer: the buckets of quantize, lquantize and llquantize, the
 * snapshot of an aggregation's per-CPU hash map combined across CPUs, the sort (by value, or
 * by key with aggsortkey), the printout with DTrace's exact columns and histograms, printa()
 * with a format, and clear(), trunc(), normalize().
 */
#include "dt_impl.h"

/* D formats are the user's: they are checked when the script compiles */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <math.h>

#define QUANT_BUCKETS 127
#define QUANT_ZERO 63

/* llquantize's positive lower bounds: factor^lmag, then in each magnitude m the multiples
 * step * factor^(m+1) / steps for step above steps / factor; the last is factor^(hmag+1), the
 * overflow bucket's. Returns the count, storing up to max of them. */
static int llq_steps(const struct dt_ident *id, int64_t *out, int max)
{
	int64_t f = id->a1, steps = id->a4, pw = 1, last;
	int n = 0;

	for (int64_t m = 0; m < id->a2; m++)
		pw *= f;
	if (n < max)
		out[n] = pw;
	n++;
	last = pw;
	for (int64_t m = id->a2; m <= id->a3; m++) {
		int64_t next = pw * f;

		for (int64_t step = steps / f + 1; step <= steps; step++) {
			int64_t v = next / steps * step;

			if (next % steps)
				v = (int64_t)((long double)next * (long double)step /
					      (long double)steps);
			if (v <= last)
				continue;
			if (n < max)
				out[n] = v;
			n++;
			last = v;
		}
		pw = next;
	}
	return n;
}

int dt_agg_bounds(const struct dt_ident *id, int64_t **ret)
{
	int64_t *lo;
	int n = 0;

	switch (id->fn) {
	case AGG_QUANTIZE:
		lo = bs_malloc(sizeof(*lo) * QUANT_BUCKETS);
		for (int b = 0; b < QUANT_BUCKETS; b++) {
			if (b < QUANT_ZERO)
				lo[b] = b == 0 ? INT64_MIN : -(int64_t)(2ull << (62 - b)) + 1;
			else if (b == QUANT_ZERO)
				lo[b] = 0;
			else
				lo[b] = (int64_t)(1ull << (b - 64));
		}
		*ret = lo;
		return QUANT_BUCKETS;
	case AGG_LQUANTIZE: {
		int levels = (int)((id->a2 - id->a1) / id->a3);

		lo = bs_malloc(sizeof(*lo) * (size_t)(levels + 2));
		lo[0] = INT64_MIN;
		for (int i = 1; i <= levels + 1; i++)
			lo[i] = id->a1 + (i - 1) * id->a3;
		*ret = lo;
		return levels + 2;
	}
	default: {
		int np = llq_steps(id, NULL, 0);
		_cleanup_free_ int64_t *pos = bs_malloc(sizeof(*pos) * (size_t)np);

		llq_steps(id, pos, np);
		/* underflow, negatives (mirrored), the zero bin, positives, overflow */
		lo = bs_malloc(sizeof(*lo) * (size_t)(2 * np + 1));
		lo[n++] = INT64_MIN;
		for (int i = np - 1; i >= 1; i--)
			lo[n++] = -pos[i] + 1;
		lo[n++] = -pos[0] + 1;
		for (int i = 0; i < np; i++)
			lo[n++] = pos[i];
		*ret = lo;
		return n;
	}
	}
}

/* ---- snapshot ---- */

struct entry {
	uint8_t *key;
	int64_t *val;
	int nval;
	long double order;
};

struct snap {
	struct entry *e;
	size_t n;
	const struct dt_ident *id;
	const struct dt_program *p;
};

static void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		free(s->e[i].val);
	}
	free(s->e);
}

static long double stddev(const int64_t *v)
{
	long double n = (long double)v[0], mean, var;

	if (v[0] == 0)
		return 0;
	mean = (long double)v[1] / n;
	var = (long double)(uint64_t)v[2] / n - mean * mean;
	return var > 0 ? sqrtl(var) : 0;
}

static long double entry_order(const struct dt_ident *id, const int64_t *v, int nval)
{
	long double t = 0;
	int64_t *lo = NULL;
	int nb;

	switch (id->fn) {
	case AGG_COUNT:
	case AGG_SUM:
		return (long double)v[0];
	case AGG_AVG:
		return v[0] ? (long double)v[1] / (long double)v[0] : 0;
	case AGG_MIN:
	case AGG_MAX:
		return (long double)v[1];
	case AGG_STDDEV:
		return stddev(v);
	default:
		nb = dt_agg_bounds(id, &lo);
		for (int i = 0; i < nb && i < nval; i++)
			t += (long double)v[i] * (long double)(i == 0 && lo[0] == INT64_MIN ?
								       (nb > 1 ? lo[1] : 0) :
								       lo[i]);
		free(lo);
		return t;
	}
}

static int snap_take(struct dt_program *p, const struct dt_ident *id, struct snap *s)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t vstride = (id->valsize + 7) & ~7u;
	_cleanup_free_ uint8_t *key = bs_zalloc(id->keysize), *next = bs_zalloc(id->keysize);
	_cleanup_free_ uint8_t *vals = NULL;
	bool first = true;
	int nval = (int)(id->valsize / 8);

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->p = p;
	if (ncpu < 1)
		ncpu = 1;
	vals = bs_malloc(vstride * (size_t)ncpu);
	while (bpf_map_get_next_key(id->fd, first ? NULL : key, next) == 0) {
		struct entry *e;

		first = false;
		memcpy(key, next, id->keysize);
		if (bpf_map_lookup_elem(id->fd, key, vals) < 0)
			continue;
		s->e = bs_realloc(s->e, sizeof(*s->e) * (s->n + 1));
		e = &s->e[s->n++];
		e->key = bs_malloc(id->keysize);
		memcpy(e->key, key, id->keysize);
		e->val = bs_zalloc(sizeof(int64_t) * (size_t)nval);
		e->nval = nval;
		for (int c = 0; c < ncpu; c++) {
			const int64_t *v = (const int64_t *)(vals + vstride * (size_t)c);

			if ((id->fn == AGG_MIN || id->fn == AGG_MAX)) {
				if (v[0] == 0)
					continue;
				if (e->val[0] == 0 ||
				    (id->fn == AGG_MIN ? v[1] < e->val[1] : v[1] > e->val[1]))
					e->val[1] = v[1];
				e->val[0] += v[0];
				continue;
			}
			for (int i = 0; i < nval; i++)
				e->val[i] += v[i];
		}
		e->order = entry_order(id, e->val, nval);
	}
	return 0;
}

static int key_cmp(const struct dt_ident *id, const struct dt_program *p, const uint8_t *a,
		   const uint8_t *b, int from)
{
	uint32_t off = 0;
	int r;

	for (int i = 0; i < id->nkeys; i++) {
		uint32_t sz = id->keylen[i];

		if (i >= from) {
			if (id->keys[i].kind == DT_T_STACK) {
				r = memcmp(a + off, b + off, sz);
			} else if (id->keys[i].kind == DT_T_STR) {
				r = strncmp((const char *)a + off, (const char *)b + off, sz);
			} else {
				int64_t x, y;

				memcpy(&x, a + off, 8);
				memcpy(&y, b + off, 8);
				r = id->keys[i].sign ? (x > y) - (x < y) :
						       ((uint64_t)x > (uint64_t)y) -
							       ((uint64_t)x < (uint64_t)y);
			}
			if (r)
				return r;
		}
		off += sz;
	}
	return 0;
}

static const struct snap *sort_ctx;

static int entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	const struct snap *s = sort_ctx;
	const struct dt_options *o = &s->p->opts;
	int r;

	if (o->aggsortkey) {
		r = key_cmp(s->id, s->p, a->key, b->key, o->aggsortpos);
		if (!r)
			r = (a->order > b->order) - (a->order < b->order);
	} else {
		r = (a->order > b->order) - (a->order < b->order);
		if (!r)
			r = key_cmp(s->id, s->p, a->key, b->key, 0);
	}
	return o->aggsortrev ? -r : r;
}

static void snap_sort(struct snap *s)
{
	sort_ctx = s;
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), entry_cmp);
	sort_ctx = NULL;
}

/* ---- printing ---- */

static void quantline(FILE *out, int64_t val, uint64_t normal, long double total, bool pos,
		      bool neg)
{
	static const char ats[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
	static const char spaces[] = "                                        ";
	unsigned len = 40, depth;
	long double f;

	if (!neg) {
		depth = pos && total > 0 ?
				(unsigned)((fabsl((long double)val) * len) / total + 0.5) :
				0;
		fprintf(out, "|%s%s %-9lld\n", ats + len - depth, spaces + depth,
			(long long)val / (long long)normal);
		return;
	}
	if (!pos) {
		depth = (unsigned)((fabsl((long double)val) * len) / total + 0.5);
		fprintf(out, "%s%s| %-9lld\n", spaces + depth, ats + len - depth,
			(long long)val / (long long)normal);
		return;
	}
	len /= 2;
	f = (fabsl((long double)val) * len) / total;
	depth = (unsigned)(f + 0.5);
	if (val <= 0)
		fprintf(out, "%s%s|%*s %-9lld\n", spaces + 20 + depth, ats + 20 + len - depth, len,
			"", (long long)val / (long long)normal);
	else
		fprintf(out, "%20s|%s%s %-9lld\n", "", ats + 20 + len - depth, spaces + 20 + depth,
			(long long)val / (long long)normal);
}

static void bucket_label(const struct dt_ident *id, const int64_t *lo, int nb, int i, char *buf,
			 size_t size, bool any_neg)
{
	switch (id->fn) {
	case AGG_QUANTIZE:
		if (i < QUANT_ZERO)
			snprintf(buf, size, "%lld", -(long long)(1ull << (62 - i)));
		else if (i == QUANT_ZERO)
			snprintf(buf, size, "0");
		else
			snprintf(buf, size, "%lld", (long long)(1ull << (i - 64)));
		return;
	case AGG_LQUANTIZE:
		if (i == 0)
			snprintf(buf, size, "< %lld", (long long)id->a1);
		else if (i == nb - 1)
			snprintf(buf, size, ">= %lld", (long long)lo[i]);
		else
			snprintf(buf, size, "%lld", (long long)lo[i]);
		return;
	default: {
		int zero = (nb - 1) / 2;

		if (i == 0)
			snprintf(buf, size, "<= %lld", (long long)(lo[1] - 1));
		else if (i == nb - 1)
			snprintf(buf, size, ">= %lld", (long long)lo[i]);
		else if (i == zero)
			snprintf(buf, size,
				 lo[i + 1] == 1 ? "0" :
				 any_neg	? "abs() < %lld" :
						  "< %lld",
				 (long long)lo[i + 1]);
		else if (i < zero)
			snprintf(buf, size, "%lld", (long long)(lo[i + 1] - 1));
		else
			snprintf(buf, size, "%lld", (long long)lo[i]);
		return;
	}
	}
}

static void histogram(FILE *out, const struct dt_ident *id, const int64_t *data, int nb)
{
	_cleanup_free_ int64_t *lo = NULL;
	int first = 0, last = nb - 1;
	long double total = 0;
	bool pos = false, neg = false;
	char label[64];

	dt_agg_bounds(id, &lo);
	while (first <= last && data[first] == 0)
		first++;
	if (first > last) {
		first = id->fn == AGG_QUANTIZE ? QUANT_ZERO - 1 : 0;
		last = id->fn == AGG_QUANTIZE ? QUANT_ZERO + 1 : MIN(2, nb - 1);
	} else {
		if (first > 0)
			first--;
		while (last > 0 && data[last] == 0)
			last--;
		if (last < nb - 1)
			last++;
	}
	for (int i = first; i <= last; i++) {
		pos |= data[i] > 0;
		neg |= data[i] < 0;
		total += fabsl((long double)data[i]);
	}
	fprintf(out, "\n%16s %41s %-9s\n", "value", "------------- Distribution -------------",
		"count");
	for (int i = first; i <= last; i++) {
		bucket_label(id, lo, nb, i, label, sizeof(label), first < (nb - 1) / 2);
		fprintf(out, "%16s ", label);
		quantline(out, data[i], id->normal, total, pos, neg);
	}
}

static void value_print(FILE *out, const struct dt_ident *id, const int64_t *v, int nval)
{
	long long normal = (long long)id->normal;

	switch (id->fn) {
	case AGG_COUNT:
	case AGG_SUM:
		fprintf(out, " %16lld", (long long)v[0] / normal);
		return;
	case AGG_MIN:
	case AGG_MAX:
		fprintf(out, " %16lld", (long long)v[1] / normal);
		return;
	case AGG_AVG:
		fprintf(out, " %16lld", v[0] ? (long long)(v[1] / normal / v[0]) : 0);
		return;
	case AGG_STDDEV:
		fprintf(out, " %16llu", (unsigned long long)(stddev(v) / (long double)normal));
		return;
	default:
		histogram(out, id, v, nval);
		return;
	}
}

static void key_print(FILE *out, const struct dt_program *p, const struct dt_ident *id,
		      const uint8_t *key)
{
	uint32_t off = 0;

	for (int i = 0; i < id->nkeys; i++) {
		struct dt_type t = id->keys[i];

		if (t.kind == DT_T_STACK) {
			dt_stack_print(out, key + off, t.sign);
			off += id->keylen[i];
			continue;
		}
		if (t.kind == DT_T_STR) {
			_cleanup_free_ char *s = strndup((const char *)key + off, id->keylen[i]);

			fprintf(out, "  %-50s", s ? s : "");
			off += id->keylen[i];
			continue;
		}
		int64_t v;

		memcpy(&v, key + off, 8);
		switch (t.size) {
		case 8:
			fprintf(out, " %16lld", (long long)v);
			break;
		case 4:
			fprintf(out, " %8d", (int)v);
			break;
		case 2:
			fprintf(out, " %5d", (int)v);
			break;
		default:
			fprintf(out, " %3d", (int)v);
			break;
		}
		off += 8;
	}
}

static long long scalar_value(const struct dt_ident *id, const int64_t *v)
{
	switch (id->fn) {
	case AGG_MIN:
	case AGG_MAX:
		return (long long)v[1] / (long long)id->normal;
	case AGG_AVG:
		return v[0] ? (long long)(v[1] / (int64_t)id->normal / v[0]) : 0;
	case AGG_STDDEV:
		return (long long)(stddev(v) / (long double)id->normal);
	default:
		return (long long)v[0] / (long long)id->normal;
	}
}

/* printa() with a format: the keys fill the conversions in order; a conversion with '@'
 * (%@d, %-10@u) takes the aggregation's value. */
static void entry_format(FILE *out, struct dt_program *p, const struct dt_ident *id,
			 const struct entry *e, const char *fmt)
{
	struct dt_rarg args[DT_MAX_KEYS];
	uint32_t off = 0, slot = (uint32_t)MAX(p->opts.strsize, 8);
	_cleanup_free_ uint8_t *keys = bs_zalloc((size_t)slot * (size_t)MAX(id->nkeys, 1));
	int k = 0;

	/* the keys laid out as printf() expects its arguments: strsize bytes each */
	for (int i = 0; i < id->nkeys; i++) {
		args[i].type = id->keys[i];
		args[i].off = (uint32_t)i * slot;
		memcpy(keys + args[i].off, e->key + off, id->keylen[i]);
		off += id->keylen[i];
	}
	for (const char *s = fmt; *s; s++) {
		char spec[64];
		size_t n = 0;
		bool value = false;
		const char *q;

		if (*s != '%') {
			fputc(*s, out);
			continue;
		}
		if (s[1] == '%') {
			fputc('%', out);
			s++;
			continue;
		}
		spec[n++] = '%';
		for (q = s + 1; *q && strchr("-+ #0123456789.@hlLjzt", *q) && n < 40; q++) {
			if (*q == '@')
				value = true;
			else if (!strchr("hlLjzt", *q))
				spec[n++] = *q;
		}
		if (value) {
			char letter = *q && strchr("diuxXoc", *q) ? *q : 'd';

			if (id->fn >= AGG_QUANTIZE) {
				histogram(out, id, e->val, e->nval);
			} else {
				snprintf(spec + n, sizeof(spec) - n, "ll%c",
					 letter == 'c' ? 'd' : letter);
				fprintf(out, spec, scalar_value(id, e->val));
			}
			s = *q && strchr("diuxXoc", *q) ? q : q - 1;
			continue;
		}
		if (!*q)
			break;
		spec[n++] = *q;
		spec[n] = 0;
		s = q;
		if (k < id->nkeys) {
			dt_printf_format(p, out, spec, &args[k], 1, keys,
					 (size_t)slot * (size_t)id->nkeys);
			k++;
		}
	}
}

int dt_agg_print(struct dt_program *p, struct dt_ident *id, const char *fmt)
{
	struct snap s;
	FILE *out = p->out;
	int r = snap_take(p, id, &s);

	if (r < 0)
		return r;
	snap_sort(&s);
	for (size_t i = 0; i < s.n; i++) {
		struct entry *e = &s.e[i];

		if (fmt) {
			entry_format(out, p, id, e, fmt);
			continue;
		}
		key_print(out, p, id, e->key);
		value_print(out, id, e->val, e->nval);
		fprintf(out, "\n");
	}
	id->printed = true;
	snap_free(&s);
	return 0;
}

int dt_agg_clear(struct dt_program *p, struct dt_ident *id, bool remove, int64_t keep)
{
	struct snap s;
	int ncpu = libbpf_num_possible_cpus();
	size_t vstride = (id->valsize + 7) & ~7u;
	_cleanup_free_ uint8_t *zeros = bs_zalloc(vstride * (size_t)MAX(ncpu, 1));
	int r = snap_take(p, id, &s);

	if (r < 0)
		return r;
	snap_sort(&s);
	for (size_t i = 0; i < s.n; i++) {
		if (!remove) {
			bpf_map_update_elem(id->fd, s.e[i].key, zeros, BPF_EXIST);
			continue;
		}
		/* trunc(@a, n) keeps the n largest (n < 0: the n smallest) */
		if (keep > 0 && i >= s.n - (size_t)MIN((uint64_t)keep, s.n))
			continue;
		if (keep < 0 && i < (size_t)MIN((uint64_t)-keep, s.n))
			continue;
		bpf_map_delete_elem(id->fd, s.e[i].key);
	}
	snap_free(&s);
	return 0;
}
