// SPDX-License-Identifier: MIT
/*
 * program.c - a D program's life: options (DTrace's -x names), compilation (parse, then
 * semantic checks; the first error unwinds through the diagnostics record), the arena every
 * compiler allocation lives in, and the program's release.
 */
#include "dt_impl.h"

#include <bpf/libbpf.h>
#include <ctype.h>

void dt_options_init(struct dt_options *o)
{
	memset(o, 0, sizeof(*o));
	o->strsize = 256;
	o->bufsize = 1ull << 20; /* one ring buffer for all CPUs, mapped twice by the reader */
	o->switchrate_ns = 1000000000ull;
	o->aggrate_ns = 1000000000ull;
	o->dynvarsize = 1ull << 20;
}

/* A size (4m, 512k) or a time (10ms, 1s; a bare number is Hz for rates, as DTrace reads it). */
static int option_value(const char *v, bool rate, uint64_t *ret)
{
	char *end;
	uint64_t n;

	if (!v || !isdigit((unsigned char)*v))
		return -EINVAL;
	n = strtoull(v, &end, 10);
	if (!rate)
		return bs_size_parse(v, ret);
	if (!*end || strcasecmp(end, "hz") == 0)
		*ret = n ? 1000000000ull / n : 0;
	else if (streq(end, "ns") || streq(end, "nsec"))
		*ret = n;
	else if (streq(end, "us") || streq(end, "usec"))
		*ret = n * 1000;
	else if (streq(end, "ms") || streq(end, "msec"))
		*ret = n * 1000000;
	else if (streq(end, "s") || streq(end, "sec"))
		*ret = n * 1000000000ull;
	else
		return -EINVAL;
	return 0;
}

int dt_options_set(struct dt_options *o, const char *name, const char *value)
{
	uint64_t v;
	int r;

	if (streq(name, "quiet")) {
		o->quiet = true;
		return 0;
	}
	if (streq(name, "destructive")) {
		o->destructive = true;
		return 0;
	}
	if (streq(name, "zdefs")) {
		o->zdefs = true;
		return 0;
	}
	if (streq(name, "aggsortkey") || streq(name, "aggsortrev")) {
		*(name[7] == 'k' ? &o->aggsortkey : &o->aggsortrev) = 1;
		return 0;
	}
	if (streq(name, "aggsortpos")) {
		if (!value || bs_parse_u64(value, &v) < 0 || v > DT_MAX_KEYS)
			return -EINVAL;
		o->aggsortpos = (int)v;
		return 0;
	}
	if (streq(name, "strsize") || streq(name, "bufsize") || streq(name, "dynvarsize") ||
	    streq(name, "aggsize") || streq(name, "specsize") || streq(name, "nspec")) {
		r = option_value(value, false, &v);
		if (r < 0)
			return r;
		if (streq(name, "strsize")) {
			if (v < 2 || v > DT_STRSIZE_MAX)
				return -ERANGE;
			o->strsize = (v + 7) & ~7ull;
		} else if (streq(name, "bufsize")) {
			if (v < 4096 || v > (1ull << 30))
				return -ERANGE;
			o->bufsize = v;
		} else if (streq(name, "dynvarsize")) {
			o->dynvarsize = v;
		}
		return 0;
	}
	if (streq(name, "switchrate") || streq(name, "aggrate") || streq(name, "statusrate") ||
	    streq(name, "cleanrate")) {
		r = option_value(value, true, &v);
		if (r < 0)
			return r;
		if (streq(name, "switchrate"))
			o->switchrate_ns = v;
		else if (streq(name, "aggrate"))
			o->aggrate_ns = v;
		return 0;
	}
	if (streq(name, "flowindent")) {
		o->flowindent = true;
		return 0;
	}
	if (streq(name, "rawbytes") || streq(name, "defaultargs"))
		return 0;
	return -EINVAL;
}

void *dt_alloc(struct dt_program *p, size_t n)
{
	void *m = bs_zalloc(n ? n : 1);

	p->arena = bs_realloc(p->arena, sizeof(*p->arena) * (p->narena + 1));
	p->arena[p->narena++] = m;
	return m;
}

char *dt_strdup(struct dt_program *p, const char *s, size_t n)
{
	char *d = dt_alloc(p, n + 1);

	memcpy(d, s, n);
	return d;
}

void dt_cc_error(struct dt_cc *cc, const char *tag, int line, const char *fmt, ...)
{
	va_list ap;

	snprintf(cc->diag->tag, sizeof(cc->diag->tag), "%s", tag);
	cc->diag->line = line;
	va_start(ap, fmt);
	vsnprintf(cc->diag->msg, sizeof(cc->diag->msg), fmt, ap);
	va_end(ap);
	longjmp(cc->jb, 1);
}

void dt_program_free(struct dt_program *p)
{
	if (!p)
		return;
	if (p->rb)
		ring_buffer__free(p->rb);
	dt_program_release(p);
	for (int i = 0; i < p->nclauses; i++) {
		free(p->clauses[i].probes);
		for (int j = 0; j < p->clauses[i].nrecs; j++)
			free(p->clauses[i].recs[j].fmt);
		free(p->clauses[i].recs);
	}
	free(p->clauses);
	free(p->flow_pending);
	free(p->sous);
	for (int i = 0; i <= DT_NSPEC; i++) {
		for (size_t j = 0; j < p->specs[i].n; j++)
			free(p->specs[i].recs[j]);
		free(p->specs[i].recs);
		free(p->specs[i].sizes);
	}
	for (size_t i = 0; i < p->narena; i++)
		free(p->arena[i]);
	free(p->arena);
	free(p);
}

int dt_program_compile(const char *source, bool probe_spec, const struct dt_options *opts, int argc,
		       char **argv, int target, struct dt_diag *diag, struct dt_program **ret_prog)
{
	struct dt_program *p = bs_zalloc(sizeof(*p));
	struct dt_cc *cc = bs_zalloc(sizeof(*cc));

	p->opts = *opts;
	p->argc = argc;
	p->argv = argv;
	p->target = target;
	p->ringbuf_fd = p->scratch_fd = p->recbuf_fd = p->depth_fd = p->globals_fd = p->drops_fd =
		p->pnames_fd = -1;
	p->zones_fd = p->begin_fd = p->end_fd = p->error_fd = p->spec_fd = p->vtime_fd = -1;
	memset(diag, 0, sizeof(*diag));
	cc->diag = diag;
	cc->prog = p;
	if (setjmp(cc->jb)) {
		free(cc);
		dt_program_free(p);
		return -EINVAL;
	}
	dt_lex_init(&cc->lx, cc, source);
	dt_parse_program(cc, probe_spec);
	dt_sema_program(cc);
	free(cc);
	*ret_prog = p;
	return 0;
}

unsigned dt_program_matches(const struct dt_program *p)
{
	return p->matches;
}

const struct dt_options *dt_program_options(const struct dt_program *p)
{
	return &p->opts;
}

int dt_program_exit_status(const struct dt_program *p)
{
	return p->exit_status;
}
