// SPDX-License-Identifier: MIT
/*
 * consume.c - the consumer: records read from the BPF ring buffer and printed as DTrace prints
 * them (the CPU ID FUNCTION:NAME line unless quiet, trace() columns, printf(), printa()), the
 * consumer's side of clear/trunc/normalize/exit/system, run-time errors
 * ("dtrace: error on enabled probe ID ...") and drops ("dtrace: N drops on CPU M"). Also the
 * program's enable/work/stop cycle the command drives.
 */
#include "dt_impl.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>

static const char *fault_name(uint64_t f)
{
	switch (f) {
	case FLT_DIVZERO:
		return "divide-by-zero";
	case FLT_BADADDR:
		return "invalid address";
	case FLT_BADINDEX:
		return "invalid index";

	default:
		return "unknown fault";
	}
}

/* A name that is "entry"/"return" or ends in "-entry"/"-return" */
static bool flow_name(const char *name, const char *kind)
{
	size_t n = strlen(name), k = strlen(kind);

	return n >= k && streq(name + n - k, kind) && (n == k || name[n - k - 1] == '-');
}

/*
 * -F: the line of a probe indented by the depth of entries not yet returned from, "-> func" at
 * an entry, "<- func" at a return ("=>"/"<=" for system calls), "| func:name" otherwise. As in
 * DTrace, a probe's second clause in a row is not a new entry, and only the last clause's
 * record of a return goes back a level.
 */
static void flow_line(struct dt_program *p, FILE *out, const struct dt_ehdr *h,
		      const struct dt_probe *pr)
{
	bool sys = streq(pr->prov, "syscall");
	bool entry = flow_name(pr->name, "entry"), ret = flow_name(pr->name, "return");
	bool again = h->probe == p->flow_probe && h->clause != p->flow_clause;
	char name[256];

	if (!p->heading) {
		if (p->opts.testing)
			fprintf(out, "%s\n", "FUNCTION");
		else
			fprintf(out, "%3s %-41s\n", "CPU", "FUNCTION");
		p->heading = true;
	}
	if (again)
		entry = false;
	if (p->flow_not_last)
		ret = false;
	if (ret && p->flow_indent > 0)
		p->flow_indent -= 2;
	if (entry || ret)
		snprintf(name, sizeof(name), "%*s%s%s", p->flow_indent, "",
			 entry ? (sys ? " => " : " -> ") : (sys ? " <= " : " <- "), pr->func);
	else
		snprintf(name, sizeof(name), "%*s| %s:%s", p->flow_indent, "", pr->func, pr->name);
	if (p->opts.testing)
		fprintf(out, "%-41s ", name);
	else
		fprintf(out, "%3u %-41s ", h->cpu, name);
	if (entry && p->flow_indent < 200)
		p->flow_indent += 2;
	p->flow_probe = h->probe;
	p->flow_clause = h->clause;
}

static void record(struct dt_program *p, const struct dt_ehdr *h, const uint8_t *data, size_t size)
{
	struct dt_clause *c = NULL;
	const struct dt_probe *pr = dt_probe_get(h->probe);
	FILE *out = p->out;

	for (int i = 0; i < p->nclauses; i++)
		if (p->clauses[i].id == (int)h->clause)
			c = &p->clauses[i];
	if (!c || !pr)
		return;
	if (h->kind == 1) {
		uint64_t flt = 0, act = 0, addr = 0;

		if (size >= DT_ERR_RECSIZE) {
			memcpy(&flt, data + 24, 8);
			memcpy(&act, data + 32, 8);
			memcpy(&addr, data + 40, 8);
		}
		fflush(out);
		fprintf(stderr, "dtrace: error on enabled probe ID %d (ID %u: %s:%s:%s:%s): %s",
			c->id + 1, pr->id, pr->prov, pr->mod, pr->func, pr->name, fault_name(flt));
		if (flt == FLT_BADADDR)
			fprintf(stderr, " (0x%llx)", (unsigned long long)addr);
		fprintf(stderr, " in ");
		if (act)
			fprintf(stderr, "action #%llu\n", (unsigned long long)act);
		else
			fprintf(stderr, "predicate\n");
		/* dtrace:::ERROR: arg1 the enabled probe, arg2 the action, arg4 the fault, arg5 the
		 * address */
		if (p->error_fd >= 0 && pr->type != P_ERROR) {
			uint64_t args[6] = { 0, (uint64_t)c->id + 1, act, 0, flt, addr };

			dt_run_once(p, p->error_fd, args);
		}
		return;
	}
	if (p->done && !p->stopped)
		return; /* after exit(), the rest of the buffer is not shown */
	if (h->spec >= 1 && h->spec <= DT_NSPEC) {
		/* held until commit() or discard() */
		struct dt_spec_buf *sb = &p->specs[h->spec];

		if (sb->n >= 100000)
			return;
		sb->recs = bs_realloc(sb->recs, sizeof(*sb->recs) * (sb->n + 1));
		sb->sizes = bs_realloc(sb->sizes, sizeof(*sb->sizes) * (sb->n + 1));
		sb->recs[sb->n] = bs_malloc(size);
		memcpy(sb->recs[sb->n], data, size);
		sb->sizes[sb->n++] = size;
		return;
	}
	if (p->opts.flowindent) {
		flow_line(p, out, h, pr);
	} else if (!p->opts.quiet) {
		char name[160];

		if (!p->heading) {
			if (p->opts.testing)
				fprintf(out, "%32s\n", "FUNCTION:NAME");
			else
				fprintf(out, "%3s %6s %32s\n", "CPU", "ID", "FUNCTION:NAME");
			p->heading = true;
		}
		snprintf(name, sizeof(name), "%s:%s", pr->func, pr->name);
		if (p->opts.testing)
			fprintf(out, "%32s ", name);
		else
			fprintf(out, "%3u %6u %32s ", h->cpu, pr->id, name);
	}
	for (int i = 0; i < c->nrecs; i++) {
		struct dt_rec *r = &c->recs[i];
		int64_t v = 0;

		if (i < 63 ? !(h->fired & (1ull << i)) : !(h->fired & (1ull << 63)))
			continue;
		if (r->nargs > 0 && r->args[0].type.kind == DT_T_INT && r->args[0].off + 8 <= size)
			memcpy(&v, data + r->args[0].off, 8);
		switch (r->kind) {
		case R_TRACE:
			if (r->args[0].off +
				    (r->args[0].type.kind == DT_T_STR ? p->opts.strsize : 8) <=
			    size)
				dt_print_value(p, out, r->args[0].type, data + r->args[0].off);
			break;
		case R_PRINTF:
			dt_printf_format(p, out, r->fmt, r->args, r->nargs, data, size);
			break;
		case R_SYSTEM: {
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);

			if (m) {
				dt_printf_format(p, m, r->fmt, r->args, r->nargs, data, size);
				fclose(m);
				fflush(out);
				if (system(buf) < 0)
					fprintf(stderr, "dtrace: system() failed: %s\n", buf);
				free(buf);
			}
			break;
		}
		case R_PRINTA:
			if (!r->fmt)
				fprintf(out, "\n");
			dt_agg_print(p, r->agg, r->fmt);
			break;
		case R_CLEAR:
			dt_agg_clear(p, r->agg, false, 0);
			break;
		case R_TRUNC:
			dt_agg_clear(p, r->agg, true, r->nargs ? v : 0);
			break;
		case R_NORMALIZE:
			r->agg->normal = v > 0 ? (uint64_t)v : 1;
			break;
		case R_DENORMALIZE:
			r->agg->normal = 1;
			break;
		case R_EXIT:
			p->exit_status = (int)v;
			p->done = true;
			break;
		case R_COMMIT:
		case R_DISCARD:
			if (v >= 1 && v <= DT_NSPEC) {
				struct dt_spec_buf *sb = &p->specs[v];

				for (size_t k = 0; k < sb->n; k++) {
					struct dt_ehdr sh;

					memcpy(&sh, sb->recs[k], sizeof(sh));
					sh.spec = 0;
					if (r->kind == R_COMMIT)
						record(p, &sh, sb->recs[k], sb->sizes[k]);
					free(sb->recs[k]);
				}
				sb->n = 0;
			}
			break;
		case R_STACK:
			if (r->args[0].off + 16 + 8 * 32 <= size)
				dt_stack_print(out, data + r->args[0].off, r->user_stack);
			break;
		}
	}
	if (!p->opts.quiet)
		fprintf(out, "\n");
}

/* -F: the record of a return that waited for the next one (NULL: there is none yet) */
static void flow_pending_show(struct dt_program *p, const struct dt_ehdr *next)
{
	struct dt_ehdr h;

	if (!p->flow_pending)
		return;
	memcpy(&h, p->flow_pending, sizeof(h));
	p->flow_not_last = next && next->probe == h.probe && next->clause != h.clause;
	record(p, &h, p->flow_pending, p->flow_pending_size);
	p->flow_not_last = false;
	free(p->flow_pending);
	p->flow_pending = NULL;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct dt_program *p = ctx;
	const struct dt_probe *pr;
	struct dt_ehdr h;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	if (p->opts.flowindent) {
		/* whether a return goes back a level depends on the record after it, which a
		 * firing of the same probe writes right after */
		flow_pending_show(p, &h);
		pr = dt_probe_get(h.probe);
		if (h.kind == 0 && h.spec == 0 && pr && flow_name(pr->name, "return")) {
			p->flow_pending = bs_malloc(size);
			memcpy(p->flow_pending, data, size);
			p->flow_pending_size = size;
			return 0;
		}
	}
	record(p, &h, data, size);
	return 0;
}

int dt_consume_init(struct dt_program *p)
{
	p->rb = ring_buffer__new(p->ringbuf_fd, on_event, p, NULL);
	if (!p->rb)
		return bs_error(errno, "cannot read the BPF ring buffer: %s", strerror(errno));
	return 0;
}

int dt_consume_poll(struct dt_program *p, int timeout_ms)
{
	int r = ring_buffer__poll(p->rb, timeout_ms);

	if (r < 0 && r != -EINTR)
		return bs_error(-r, "reading the BPF ring buffer failed: %s", strerror(-r));
	flow_pending_show(p, NULL);
	fflush(p->out);
	return 0;
}

void dt_consume_drops(struct dt_program *p)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t k = 0;
	_cleanup_free_ uint64_t *v = NULL;

	if (ncpu < 1 || p->drops_fd < 0)
		return;
	v = bs_zalloc(sizeof(*v) * (size_t)ncpu);
	if (bpf_map_lookup_elem(p->drops_fd, &k, v) < 0)
		return;
	for (int c = 0; c < ncpu && c < (int)ARRAY_SIZE(p->drops_seen); c++) {
		if (v[c] > p->drops_seen[c]) {
			fflush(p->out);
			fprintf(stderr, "dtrace: %llu drop%s on CPU %d\n",
				(unsigned long long)(v[c] - p->drops_seen[c]),
				v[c] - p->drops_seen[c] == 1 ? "" : "s", c);
			p->drops_seen[c] = v[c];
		}
	}
}

int dt_program_enable(struct dt_program *p, FILE *out)
{
	int r;

	p->out = out;
	r = dt_tracefs_mount();
	if (r < 0)
		return r;
	/* sched:::on-cpu names the thread coming on the CPU, read through BTF offsets */
	for (int i = 0; i < p->nclauses; i++)
		for (int j = 0; j < p->clauses[i].nprobes; j++)
			if (streq(dt_probe_get(p->clauses[i].probes[j])->name, "on-cpu"))
				p->need_btf = true;
	/* without BTF, zonename is "global", ppid 0, and on-cpu names the thread leaving */
	if (p->need_btf)
		dt_btf_offsets();
	r = dt_maps_create(p);
	if (r < 0)
		return r;
	r = dt_consume_init(p);
	if (r < 0)
		return r;
	r = dt_load_attach(p);
	if (r < 0)
		return r;
	return dt_consume_poll(p, 0);
}

int dt_program_work(struct dt_program *p)
{
	int ms = (int)MAX(1, MIN(p->opts.switchrate_ns, p->opts.aggrate_ns) / 1000000);
	int r;

	if (ms > 200)
		ms = 200;
	if (p->done) /* (an exit() already read: nothing to wait for) */
		return 1;
	r = dt_consume_poll(p, ms);
	if (r < 0)
		return r;
	dt_consume_drops(p);
	if (p->need_zones)
		dt_zones_fill(p);
	return p->done ? 1 : 0;
}

int dt_program_stop(struct dt_program *p, bool print_aggs)
{
	int r;

	if (p->stopped)
		return 0;
	dt_load_detach(p);
	/* what the probes wrote before they were detached (skipped after an exit()) */
	r = dt_consume_poll(p, 0);
	if (r < 0)
		return r;
	p->stopped = true;
	r = dt_run_once(p, p->end_fd, NULL);
	if (r < 0)
		return r;
	r = dt_consume_poll(p, 0);
	if (r < 0)
		return r;
	dt_consume_drops(p);
	fprintf(p->out, "\n");
	if (print_aggs)
		for (struct dt_ident *id = p->idents; id; id = id->next)
			if (id->kind == ID_AGG && !id->printed)
				dt_agg_print(p, id, NULL);
	fflush(p->out);
	ring_buffer__free(p->rb);
	p->rb = NULL;
	dt_program_release(p);
	return 0;
}
