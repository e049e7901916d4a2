// SPDX-License-Identifier: MIT
/*
 * cg.c - code generation: the clauses of one attachment (a raw tracepoint, a perf event, or
 * BEGIN/END) compiled straight to BPF instructions, no compiler at run time.
 *
 * Registers: r6 holds the context, r7 the system call number (syscall attachments), r8 the
 * record buffer and r9 the scratch area (both per-CPU array values, looked up once on entry).
 * Every integer expression leaves its value in a stack slot chosen by its depth; every string
 * expression leaves its bytes in the scratch area at an offset fixed at compile time. The
 * record a clause emits is assembled in the record buffer and sent to the ring buffer when the
 * clause ends; a run-time fault (division by zero) sends an error record instead.
 */
#include "dt_impl.h"

#include <linux/filter.h>

#define MAX_SLOTS 56
#define SCRATCH_MAX DT_SCRATCH_SIZE
#define REC_MAX DT_SCRATCH_SIZE

/* pt_regs on x86-64 */
static const int16_t regs_arg_off[6] = { 112, 104, 96, 56, 72, 64 };
#define REGS_ORIG_AX 120
#define REGS_IP 128
#define REGS_CS 136
#define STACK_FIRED (-8 * MAX_SLOTS - 40) /* the mask of the records written so far */
#define STACK_SPEC (-8 * MAX_SLOTS - 48)  /* the speculation of the clause, 0 for none */
#define STACK_DEPTH (-8 * MAX_SLOTS - 56) /* the per-CPU nesting counter */

struct cg {
	struct dt_program *p;
	struct dt_attach *a;
	struct dt_clause *c;
	struct bpf_insn *ins;
	int n, cap;
	int err;
	uint32_t probe;	  /* the probe id when it is the same for every firing, else 0 */
	int ret_probe;	  /* syscall return attachment */
	uint32_t rec_top; /* next free byte of the record */
	uint32_t scr_top; /* next free byte of the scratch area */
	int *exits;	  /* jumps to the end of the clause, patched there */
	int nexits;
	int action; /* the action being generated, for fault reports */
};

static void emit(struct cg *g, struct bpf_insn i)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->ins = bs_realloc(g->ins, sizeof(*g->ins) * (size_t)g->cap);
	}
	g->ins[g->n++] = i;
}

#define I(...) emit(g, (struct bpf_insn){ __VA_ARGS__ })

static void mov_imm(struct cg *g, int r, int32_t imm)
{
	I(.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = r, .imm = imm);
}

static void mov_reg(struct cg *g, int d, int s)
{
	I(.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = d, .src_reg = s);
}

static void ld_imm64(struct cg *g, int r, uint64_t v)
{
	I(.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = r, .imm = (int32_t)(uint32_t)v);
	I(.imm = (int32_t)(uint32_t)(v >> 32));
}

static void ld_map_fd(struct cg *g, int r, int fd)
{
	I(.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = r, .src_reg = BPF_PSEUDO_MAP_FD, .imm = fd);
	I(.imm = 0);
}

static void ld_map_value(struct cg *g, int r, int fd, uint32_t off)
{
	I(.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = r, .src_reg = BPF_PSEUDO_MAP_VALUE,
	  .imm = fd);
	I(.imm = (int32_t)off);
}

static void alu_imm(struct cg *g, int op, int r, int32_t imm)
{
	I(.code = BPF_ALU64 | op | BPF_K, .dst_reg = r, .imm = imm);
}

static void alu_reg(struct cg *g, int op, int d, int s)
{
	I(.code = BPF_ALU64 | op | BPF_X, .dst_reg = d, .src_reg = s);
}

static void ldx(struct cg *g, int size, int d, int s, int16_t off)
{
	I(.code = BPF_LDX | size | BPF_MEM, .dst_reg = d, .src_reg = s, .off = off);
}

static void stx(struct cg *g, int size, int d, int s, int16_t off)
{
	I(.code = BPF_STX | size | BPF_MEM, .dst_reg = d, .src_reg = s, .off = off);
}

static void st_imm(struct cg *g, int size, int d, int16_t off, int32_t imm)
{
	I(.code = BPF_ST | size | BPF_MEM, .dst_reg = d, .off = off, .imm = imm);
}

static void call(struct cg *g, int fn)
{
	I(.code = BPF_JMP | BPF_CALL, .imm = fn);
}

/* A forward jump whose target is set by patch(). */
static int jmp_imm(struct cg *g, int op, int r, int32_t imm)
{
	I(.code = BPF_JMP | op | BPF_K, .dst_reg = r, .imm = imm);
	return g->n - 1;
}

static int jmp_reg(struct cg *g, int op, int d, int s)
{
	I(.code = BPF_JMP | op | BPF_X, .dst_reg = d, .src_reg = s);
	return g->n - 1;
}

static int ja(struct cg *g)
{
	I(.code = BPF_JMP | BPF_JA);
	return g->n - 1;
}

static void patch(struct cg *g, int at)
{
	if (at >= 0 && at < g->n)
		g->ins[at].off = (int16_t)(g->n - at - 1);
}

static int16_t slot(int d)
{
	return (int16_t)(-8 * (d + 1));
}

_printf_(3, 4) static void fail(struct cg *g, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (g->err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->err = err;
	bs_error(err, "%s", msg);
}

static uint32_t scratch_alloc(struct cg *g, uint32_t size)
{
	uint32_t off = g->scr_top;

	size = (size + 7) & ~7u;
	if (g->scr_top + size > SCRATCH_MAX) {
		fail(g, E2BIG, "clause %s needs more than 32 KiB of string space: lower strsize",
		     g->c->pdescs[0].text);
		return 0;
	}
	g->scr_top += size;
	return off;
}

static uint32_t rec_alloc(struct cg *g, uint32_t size)
{
	uint32_t off = g->rec_top;

	size = (size + 7) & ~7u;
	if (g->rec_top + size > REC_MAX) {
		fail(g, E2BIG, "the record of clause %s exceeds 32 KiB: lower strsize",
		     g->c->pdescs[0].text);
		return 0;
	}
	g->rec_top += size;
	return off;
}

/* Sign- or zero-extend register r from the width of t to 64 bits. */
static void normalize(struct cg *g, int r, struct dt_type t)
{
	int sh;

	if (t.kind != DT_T_INT || t.size >= 8)
		return;
	sh = 64 - 8 * t.size;
	alu_imm(g, BPF_LSH, r, sh);
	alu_imm(g, t.sign ? BPF_ARSH : BPF_RSH, r, sh);
}

/* ---- strings in the scratch area ---- */

/* Copy a NUL-terminated string from the kernel pointer in r3 to scratch offset off. */
static void str_copy_from_r3(struct cg *g, uint32_t off, uint32_t size)
{
	mov_reg(g, 1, 9);
	alu_imm(g, BPF_ADD, 1, (int32_t)off);
	mov_imm(g, 2, (int32_t)size);
	call(g, BPF_FUNC_probe_read_kernel_str);
}

static void str_copy(struct cg *g, int dreg, uint32_t doff, int sreg, uint32_t soff)
{
	mov_reg(g, 3, sreg);
	alu_imm(g, BPF_ADD, 3, (int32_t)soff);
	mov_reg(g, 1, dreg);
	alu_imm(g, BPF_ADD, 1, (int32_t)doff);
	mov_imm(g, 2, (int32_t)g->p->opts.strsize);
	call(g, BPF_FUNC_probe_read_kernel_str);
}

static void zero(struct cg *g, int reg, uint32_t off, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8)
		st_imm(g, BPF_DW, reg, (int16_t)(off + i), 0);
}

/* A string literal stored into scratch at off. */
static void str_literal(struct cg *g, uint32_t off, const char *s, size_t len)
{
	size_t n = MIN(len, g->p->opts.strsize - 1);
	uint8_t buf[8];

	for (size_t i = 0; i <= n; i += 8) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, s + i, MIN(8, n - i));
		uint64_t v;

		memcpy(&v, buf, 8);
		ld_imm64(g, 1, v);
		stx(g, BPF_DW, 9, 1, (int16_t)(off + i));
	}
}

static void gen(struct cg *g, struct dt_node *n, int d);

static uint32_t str_of(struct cg *g, struct dt_node *n, int d)
{
	gen(g, n, d);
	return (uint32_t)n->soff;
}

/*
 * String loops are written without data-dependent branches: each iteration is one path for the
 * verifier, and the loop always runs strsize times, so that the code after it is verified once
 * rather than once per possible exit.
 */

/* A loop over i in r3 from 0 to strsize; returns the index of its head for loop_end(). */
static int loop_begin(struct cg *g, int *exit_jump)
{
	int head;

	mov_imm(g, 3, 0);
	head = g->n;
	*exit_jump = jmp_imm(g, BPF_JGE, 3, (int32_t)g->p->opts.strsize);
	return head;
}

static void loop_end(struct cg *g, int head, int exit_jump)
{
	int back;

	alu_imm(g, BPF_ADD, 3, 1);
	back = ja(g);
	g->ins[back].off = (int16_t)(head - back - 1);
	patch(g, exit_jump);
}

/* r := (r == 0) for a byte value in r (0..255) */
static void byte_is_zero(struct cg *g, int r)
{
	alu_imm(g, BPF_SUB, r, 1);
	alu_imm(g, BPF_RSH, r, 63);
}

/* r0 := the sign of strcmp() of the scratch strings at a and b. */
static void str_compare(struct cg *g, uint32_t a, uint32_t b)
{
	int head, out;

	mov_imm(g, 0, 0); /* result */
	mov_imm(g, 5, 0); /* decided */
	head = loop_begin(g, &out);
	mov_reg(g, 1, 9);
	alu_reg(g, BPF_ADD, 1, 3);
	ldx(g, BPF_B, 4, 1, (int16_t)a);
	ldx(g, BPF_B, 2, 1, (int16_t)b);
	mov_reg(g, 1, 4);
	alu_reg(g, BPF_SUB, 1, 2); /* d = a[i] - b[i] */
	byte_is_zero(g, 4);	   /* the end of a */
	mov_reg(g, 2, 1);
	alu_imm(g, BPF_ARSH, 2, 63);
	alu_imm(g, BPF_NEG, 1, 0);
	alu_imm(g, BPF_RSH, 1, 63);
	alu_reg(g, BPF_OR, 1, 2); /* sign(d) */
	mov_reg(g, 2, 1);
	alu_imm(g, BPF_AND, 2, 1); /* d != 0 */
	alu_reg(g, BPF_OR, 4, 2);  /* this byte decides */
	alu_reg(g, BPF_SUB, 2, 5);
	alu_imm(g, BPF_NEG, 2, 0);
	alu_imm(g, BPF_RSH, 2, 63); /* d != 0 and not decided before */
	alu_reg(g, BPF_SUB, 1, 0);
	alu_reg(g, BPF_MUL, 1, 2);
	alu_reg(g, BPF_ADD, 0, 1);
	alu_reg(g, BPF_OR, 5, 4);
	loop_end(g, head, out);
}

/* r0 := (scratch string at a == literal s), unrolled: one test per byte and the NUL. */
static void str_equals_literal(struct cg *g, uint32_t a, const char *s, size_t len)
{
	int *miss, n = 0, done;

	len = MIN(len, g->p->opts.strsize - 1);
	miss = bs_malloc(sizeof(int) * (len + 1));
	for (size_t i = 0; i <= len; i++) {
		ldx(g, BPF_B, 1, 9, (int16_t)(a + i));
		miss[n++] = jmp_imm(g, BPF_JNE, 1, i < len ? (uint8_t)s[i] : 0);
	}
	mov_imm(g, 0, 1);
	done = ja(g);
	for (int i = 0; i < n; i++)
		patch(g, miss[i]);
	mov_imm(g, 0, 0);
	patch(g, done);
	free(miss);
}

/* r0 := length of the scratch string at a (the kernel's string copy counts it). */
static void str_length(struct cg *g, uint32_t a)
{
	int ok;

	mov_reg(g, 1, 9);
	alu_imm(g, BPF_ADD, 1, (int32_t)a);
	mov_imm(g, 2, (int32_t)g->p->opts.strsize);
	mov_reg(g, 3, 1);
	call(g, BPF_FUNC_probe_read_kernel_str);
	ok = jmp_imm(g, BPF_JSGT, 0, 0);
	mov_imm(g, 0, 1);
	patch(g, ok);
	alu_imm(g, BPF_SUB, 0, 1);
}

/* r5 := the index of the last '/' of the scratch string at a, or -1. */
static void str_last_slash(struct cg *g, uint32_t a)
{
	int head, out;

	mov_imm(g, 5, -1);
	mov_imm(g, 0, 0); /* past the end */
	head = loop_begin(g, &out);
	mov_reg(g, 1, 9);
	alu_reg(g, BPF_ADD, 1, 3);
	ldx(g, BPF_B, 4, 1, (int16_t)a);
	mov_reg(g, 2, 4);
	byte_is_zero(g, 2);
	alu_reg(g, BPF_OR, 0, 2);
	alu_imm(g, BPF_XOR, 4, '/');
	byte_is_zero(g, 4);
	mov_reg(g, 2, 0);
	alu_imm(g, BPF_XOR, 2, 1);
	alu_reg(g, BPF_AND, 4, 2); /* a slash before the end */
	mov_reg(g, 2, 3);
	alu_reg(g, BPF_SUB, 2, 5);
	alu_reg(g, BPF_MUL, 2, 4);
	alu_reg(g, BPF_ADD, 5, 2);
	loop_end(g, head, out);
}

/* ---- faults ---- */

/* Send an error record for fault (with the address in stack slot at, when at is not 0) and
 * leave the clause. */
static void fault_at(struct cg *g, enum dt_fault flt, int16_t at)
{
	/* header: clause, probe, cpu, kind=1; then the fault and the action */
	st_imm(g, BPF_W, 8, 0, g->c->id);
	if (g->probe) {
		st_imm(g, BPF_W, 8, 4, (int32_t)g->probe);
	} else {
		mov_reg(g, 1, 7);
		alu_imm(g, BPF_LSH, 1, 1);
		alu_imm(g, BPF_ADD, 1, (int32_t)dt_probe_syscall_base() + g->ret_probe);
		stx(g, BPF_W, 8, 1, 4);
	}
	call(g, BPF_FUNC_get_smp_processor_id);
	stx(g, BPF_W, 8, 0, 8);
	st_imm(g, BPF_W, 8, 12, 1);
	st_imm(g, BPF_DW, 8, 16, 0);
	st_imm(g, BPF_DW, 8, 24, flt);
	st_imm(g, BPF_DW, 8, 32, g->action);
	st_imm(g, BPF_DW, 8, 40, 0);
	if (at) {
		ldx(g, BPF_DW, 1, 10, at);
		stx(g, BPF_DW, 8, 1, 40);
	}
	ld_map_fd(g, 1, g->p->ringbuf_fd);
	mov_reg(g, 2, 8);
	mov_imm(g, 3, DT_ERR_RECSIZE);
	mov_imm(g, 4, 0);
	call(g, BPF_FUNC_ringbuf_output);
	g->exits = bs_realloc(g->exits, sizeof(int) * (size_t)(g->nexits + 1));
	g->exits[g->nexits++] = ja(g);
}

static void fault(struct cg *g, enum dt_fault flt)
{
	fault_at(g, flt, 0);
}

/* ---- memory behind pointers ---- */

/*
 * Copy size bytes (a string of at most size bytes when str) from the address in slot d to
 * register dst plus off. The address is memory copied in (the scratch tag), kernel memory (the
 * upper half) or the process's memory; a failed read is an invalid address fault.
 */
static void mem_read(struct cg *g, int d, int dst, int32_t off, int size, bool str)
{
	int scratch, kernel, user, ok;

	ldx(g, BPF_DW, 3, 10, slot(d));
	mov_reg(g, 1, 3);
	alu_imm(g, BPF_RSH, 1, 32);
	scratch = jmp_imm(g, BPF_JEQ, 1, (int32_t)(DT_SCRATCH_TAG >> 32));
	ld_imm64(g, 4, 0xffff800000000000ull);
	kernel = jmp_reg(g, BPF_JGE, 3, 4);
	mov_reg(g, 1, dst);
	alu_imm(g, BPF_ADD, 1, off);
	mov_imm(g, 2, size);
	call(g, str ? BPF_FUNC_probe_read_user_str : BPF_FUNC_probe_read_user);
	user = ja(g);
	patch(g, scratch);
	alu_imm(g, BPF_AND, 3, DT_SCRATCH_SIZE - 1);
	alu_reg(g, BPF_ADD, 3, 9);
	patch(g, kernel);
	mov_reg(g, 1, dst);
	alu_imm(g, BPF_ADD, 1, off);
	mov_imm(g, 2, size);
	call(g, str ? BPF_FUNC_probe_read_kernel_str : BPF_FUNC_probe_read_kernel);
	patch(g, user);
	ok = jmp_imm(g, BPF_JSGE, 0, 0);
	fault_at(g, FLT_BADADDR, slot(d));
	patch(g, ok);
}

/* Slot d := the integer of type t at the address in slot d. */
static void mem_load(struct cg *g, int d, struct dt_type t)
{
	st_imm(g, BPF_DW, 10, -8 * MAX_SLOTS - 16, 0);
	mem_read(g, d, 10, -8 * MAX_SLOTS - 16, t.size, false);
	ldx(g, BPF_DW, 1, 10, -8 * MAX_SLOTS - 16);
	normalize(g, 1, t);
	stx(g, BPF_DW, 10, 1, slot(d));
}

/* ---- variables ---- */

/* The probe fires in the thread leaving the CPU but names the one coming on (sched:::on-cpu):
 * the thread's ids and name are read from the tracepoint's next task. */
static bool on_cpu(struct cg *g)
{
	const struct dt_probe *pr = g->probe ? dt_probe_get(g->probe) : NULL;

	return pr && pr->type == P_TP_RAW && streq(pr->name, "on-cpu") && dt_btf.task_pid > 0;
}

static void kread(struct cg *g, int off, int size);

/* r0 := tgid << 32 | tid of the thread the probe is about */
static void cur_pid_tgid(struct cg *g)
{
	if (!on_cpu(g)) {
		call(g, BPF_FUNC_get_current_pid_tgid);
		return;
	}
	ldx(g, BPF_DW, 1, 6, 16); /* sched_switch(preempt, prev, next, ...) */
	kread(g, dt_btf.task_tgid, 4);
	alu_imm(g, BPF_LSH, 0, 32);
	stx(g, BPF_DW, 10, 0, -8 * MAX_SLOTS - 24);
	ldx(g, BPF_DW, 1, 6, 16);
	kread(g, dt_btf.task_pid, 4);
	ldx(g, BPF_DW, 1, 10, -8 * MAX_SLOTS - 24);
	alu_reg(g, BPF_OR, 0, 1);
}

/* The thread's name, 16 bytes with zeroes after it, at scratch offset off. */
static void cur_comm(struct cg *g, uint32_t off)
{
	mov_reg(g, 1, 9);
	alu_imm(g, BPF_ADD, 1, (int32_t)off);
	mov_imm(g, 2, DT_EXECNAME_LEN);
	if (!on_cpu(g)) {
		call(g, BPF_FUNC_get_current_comm);
		return;
	}
	zero(g, 9, off, DT_EXECNAME_LEN);
	ldx(g, BPF_DW, 3, 6, 16);
	alu_imm(g, BPF_ADD, 3, dt_btf.task_comm);
	call(g, BPF_FUNC_probe_read_kernel_str);
}

/* r1 := a pointer to the key of n (tuple or thread id) built in scratch; n->koff set. */
static void key_build(struct cg *g, struct dt_node *n, struct dt_ident *id, int d)
{
	uint32_t off, pos = 0;

	if (n->koff < 0)
		n->koff = (int32_t)scratch_alloc(g, id->keysize);
	off = (uint32_t)n->koff;
	if (id->kind == ID_SELF) {
		cur_pid_tgid(g);
		alu_imm(g, BPF_LSH, 0, 32);
		alu_imm(g, BPF_RSH, 0, 32);
		stx(g, BPF_DW, 9, 0, (int16_t)off);
	} else if (n->nargs == 0) {
		st_imm(g, BPF_DW, 9, (int16_t)off, 0);
	} else {
		for (int i = 0; i < n->nargs; i++) {
			struct dt_node *k = n->args[i];

			if (k->type.kind == DT_T_STACK) {
				/* byte count, pid (user stacks only), addresses */
				zero(g, 9, off + pos, DT_STACK_SIZE);
				if (k->type.sign) {
					cur_pid_tgid(g);
					alu_imm(g, BPF_RSH, 0, 32);
					stx(g, BPF_DW, 9, 0, (int16_t)(off + pos + 8));
				}
				if (g->a->type != P_BEGIN && g->a->type != P_END &&
				    g->a->type != P_ERROR) {
					mov_reg(g, 1, 6);
					mov_reg(g, 2, 9);
					alu_imm(g, BPF_ADD, 2, (int32_t)(off + pos + 16));
					mov_imm(g, 3, 8 * DT_STACK_FRAMES);
					mov_imm(g, 4, k->type.sign ? BPF_F_USER_STACK : 0);
					call(g, BPF_FUNC_get_stack);
					stx(g, BPF_DW, 9, 0, (int16_t)(off + pos));
				}
				pos += DT_STACK_SIZE;
			} else if (k->type.kind == DT_T_STR && id->keylen[i] == DT_EXECNAME_LEN &&
				   k->kind == N_BUILTIN && k->builtin == B_EXECNAME) {
				cur_comm(g, off + pos);
				pos += DT_EXECNAME_LEN;
			} else if (k->type.kind == DT_T_STR) {
				uint32_t s = str_of(g, k, d);

				zero(g, 9, off + pos, id->keylen[i]);
				mov_reg(g, 3, 9);
				alu_imm(g, BPF_ADD, 3, (int32_t)s);
				mov_reg(g, 1, 9);
				alu_imm(g, BPF_ADD, 1, (int32_t)(off + pos));
				mov_imm(g, 2, (int32_t)id->keylen[i]);
				call(g, BPF_FUNC_probe_read_kernel_str);
				pos += id->keylen[i];
			} else {
				gen(g, k, d);
				ldx(g, BPF_DW, 1, 10, slot(d));
				stx(g, BPF_DW, 9, 1, (int16_t)(off + pos));
				pos += 8;
			}
		}
	}
	mov_reg(g, 1, 9);
	alu_imm(g, BPF_ADD, 1, (int32_t)off);
}

/* Load variable n into slot d (integers) or n->soff (strings). */
static void var_load(struct cg *g, struct dt_node *n, int d)
{
	struct dt_ident *id = n->id;
	bool str = id->type.kind == DT_T_STR;

	if (str && n->soff < 0)
		n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
	switch (id->kind) {
	case ID_GLOBAL:
		ld_map_value(g, 3, g->p->globals_fd, id->off);
		if (str) {
			str_copy_from_r3(g, (uint32_t)n->soff, (uint32_t)g->p->opts.strsize);
		} else {
			ldx(g, BPF_DW, 1, 3, 0);
			stx(g, BPF_DW, 10, 1, slot(d));
		}
		return;
	case ID_THIS:
		if (str) {
			str_copy(g, 9, (uint32_t)n->soff, 9, id->off);
		} else {
			ldx(g, BPF_DW, 1, 9, (int16_t)(id->off));
			stx(g, BPF_DW, 10, 1, slot(d));
		}
		return;
	default: {
		int miss, done;

		key_build(g, n, id, d);
		mov_reg(g, 2, 1);
		ld_map_fd(g, 1, id->fd);
		call(g, BPF_FUNC_map_lookup_elem);
		miss = jmp_imm(g, BPF_JEQ, 0, 0);
		if (str) {
			mov_reg(g, 3, 0);
			str_copy_from_r3(g, (uint32_t)n->soff, (uint32_t)g->p->opts.strsize);
		} else {
			ldx(g, BPF_DW, 1, 0, 0);
			stx(g, BPF_DW, 10, 1, slot(d));
		}
		done = ja(g);
		patch(g, miss);
		if (str)
			st_imm(g, BPF_B, 9, (int16_t)n->soff, 0);
		else
			st_imm(g, BPF_DW, 10, slot(d), 0);
		patch(g, done);
		return;
	}
	}
}

/* Store slot d (integers) or the scratch string at soff into variable n. */
static void var_store(struct cg *g, struct dt_node *n, int d, uint32_t soff)
{
	struct dt_ident *id = n->id;
	bool str = id->type.kind == DT_T_STR;

	switch (id->kind) {
	case ID_GLOBAL:
		ld_map_value(g, 1, g->p->globals_fd, id->off);
		if (str) {
			mov_reg(g, 3, 9);
			alu_imm(g, BPF_ADD, 3, (int32_t)soff);
			mov_imm(g, 2, (int32_t)g->p->opts.strsize);
			call(g, BPF_FUNC_probe_read_kernel_str);
		} else {
			ldx(g, BPF_DW, 2, 10, slot(d));
			normalize(g, 2, id->type);
			stx(g, BPF_DW, 1, 2, 0);
		}
		return;
	case ID_THIS:
		if (str) {
			str_copy(g, 9, id->off, 9, soff);
		} else {
			ldx(g, BPF_DW, 2, 10, slot(d));
			normalize(g, 2, id->type);
			stx(g, BPF_DW, 9, 2, (int16_t)(id->off));
		}
		return;
	default: {
		uint32_t voff = scratch_alloc(g, id->valsize);
		int del, done;

		key_build(g, n, id, d + 1);
		if (str) {
			str_copy(g, 9, voff, 9, soff);
		} else {
			ldx(g, BPF_DW, 2, 10, slot(d));
			normalize(g, 2, id->type);
			stx(g, BPF_DW, 9, 2, (int16_t)voff);
			/* assigning zero deletes the element, as in DTrace */
			del = jmp_imm(g, BPF_JEQ, 2, 0);
		}
		mov_reg(g, 2, 9);
		alu_imm(g, BPF_ADD, 2, (int32_t)n->koff);
		mov_reg(g, 3, 9);
		alu_imm(g, BPF_ADD, 3, (int32_t)voff);
		ld_map_fd(g, 1, id->fd);
		mov_imm(g, 4, BPF_ANY);
		call(g, BPF_FUNC_map_update_elem);
		if (str)
			return;
		done = ja(g);
		patch(g, del);
		mov_reg(g, 2, 9);
		alu_imm(g, BPF_ADD, 2, (int32_t)n->koff);
		ld_map_fd(g, 1, id->fd);
		call(g, BPF_FUNC_map_delete_elem);
		patch(g, done);
		return;
	}
	}
}

/* ---- built-in variables ---- */

static void probe_id_r1(struct cg *g)
{
	if (g->probe) {
		mov_imm(g, 1, (int32_t)g->probe);
		return;
	}
	mov_reg(g, 1, 7);
	alu_imm(g, BPF_LSH, 1, 1);
	alu_imm(g, BPF_ADD, 1, (int32_t)dt_probe_syscall_base() + g->ret_probe);
}

/* probeprov, probemod, probefunc, probename: constant when the clause's probe is. */
static void probe_name(struct cg *g, struct dt_node *n, int field)
{
	const struct dt_probe *pr = g->probe ? dt_probe_get(g->probe) : NULL;
	const char *fields[4];
	int miss;

	if (pr || field == 0 || field == 1 || field == 3) {
		const struct dt_probe *any = pr ? pr : dt_probe_get(dt_probe_syscall_base());

		fields[0] = any->prov;
		fields[1] = any->mod;
		fields[2] = any->func;
		fields[3] = g->a->type == P_SYSCALL_RETURN && !pr ? "return" : any->name;
		str_literal(g, (uint32_t)n->soff, fields[field], strlen(fields[field]));
		return;
	}
	/* a syscall wildcard: the function is the system call's name, from the names map */
	g->p->need_pnames = true;
	mov_reg(g, 1, 7);
	stx(g, BPF_W, 10, 1, -4 - 8 * MAX_SLOTS);
	mov_reg(g, 2, 10);
	alu_imm(g, BPF_ADD, 2, -4 - 8 * MAX_SLOTS);
	ld_map_fd(g, 1, g->p->pnames_fd);
	call(g, BPF_FUNC_map_lookup_elem);
	miss = jmp_imm(g, BPF_JEQ, 0, 0);
	mov_reg(g, 3, 0);
	str_copy_from_r3(g, (uint32_t)n->soff, 64);
	int done = ja(g);

	patch(g, miss);
	st_imm(g, BPF_B, 9, (int16_t)n->soff, 0);
	patch(g, done);
}

/* r0 := *(u64 *)(r1 + off) read from kernel memory, through the stack slot below the slots */
static void kread(struct cg *g, int off, int size)
{
	mov_reg(g, 3, 1);
	alu_imm(g, BPF_ADD, 3, off);
	mov_reg(g, 1, 10);
	alu_imm(g, BPF_ADD, 1, -8 * MAX_SLOTS - 16);
	st_imm(g, BPF_DW, 10, -8 * MAX_SLOTS - 16, 0);
	mov_imm(g, 2, size);
	call(g, BPF_FUNC_probe_read_kernel);
	ldx(g, BPF_DW, 0, 10, -8 * MAX_SLOTS - 16);
}

/* Stack places of the vtimestamp code, below the expression slots */
#define VT_KEY (-8 * MAX_SLOTS - 32)   /* the thread id, the map's key */
#define VT_ACC (-8 * MAX_SLOTS - 24)   /* a new entry: on-CPU time so far, */
#define VT_START (-8 * MAX_SLOTS - 16) /* and when the thread came on the CPU (now) */

/* A thread's first entry in the vtimestamp map: the key at key_off, a total of 0 written at
 * acc_off, and the time it came on the CPU already in the 8 bytes after. */
static void vtime_insert(struct cg *g, int16_t key_off, int16_t acc_off)
{
	st_imm(g, BPF_DW, 10, acc_off, 0);
	ld_map_fd(g, 1, g->p->vtime_fd);
	mov_reg(g, 2, 10);
	alu_imm(g, BPF_ADD, 2, key_off);
	mov_reg(g, 3, 10);
	alu_imm(g, BPF_ADD, 3, acc_off);
	mov_imm(g, 4, BPF_ANY);
	call(g, BPF_FUNC_map_update_elem);
}

/*
 * r0 := the thread's on-CPU time in ns, from the map that the sched_switch program
 * (dt_cg_vtime) keeps: what it has accumulated, plus the time since the thread came on the
 * CPU. A thread not seen yet starts at 0 now.
 */
static void vtimestamp(struct cg *g)
{
	int found, running, out1, out2;

	cur_pid_tgid(g);
	alu_imm(g, BPF_LSH, 0, 32);
	alu_imm(g, BPF_RSH, 0, 32);
	stx(g, BPF_DW, 10, 0, VT_KEY);
	call(g, BPF_FUNC_ktime_get_ns);
	stx(g, BPF_DW, 10, 0, VT_START);
	ld_map_fd(g, 1, g->p->vtime_fd);
	mov_reg(g, 2, 10);
	alu_imm(g, BPF_ADD, 2, VT_KEY);
	call(g, BPF_FUNC_map_lookup_elem);
	found = jmp_imm(g, BPF_JNE, 0, 0);
	vtime_insert(g, VT_KEY, VT_ACC);
	mov_imm(g, 0, 0);
	out1 = ja(g);
	patch(g, found);
	ldx(g, BPF_DW, 1, 0, 8);
	ldx(g, BPF_DW, 2, 10, VT_START);
	running = jmp_imm(g, BPF_JNE, 1, 0);
	stx(g, BPF_DW, 0, 2, 8); /* on the CPU since before tracing knew: from now */
	ldx(g, BPF_DW, 0, 0, 0);
	out2 = ja(g);
	patch(g, running);
	alu_reg(g, BPF_SUB, 2, 1);
	ldx(g, BPF_DW, 0, 0, 0);
	alu_reg(g, BPF_ADD, 0, 2);
	patch(g, out1);
	patch(g, out2);
}

static void arg_load(struct cg *g, int i)
{
	switch (g->a->type) {
	case P_SYSCALL_ENTRY:
		if (i >= 6) {
			mov_imm(g, 0, 0);
			return;
		}
		ldx(g, BPF_DW, 1, 6, 0);
		kread(g, regs_arg_off[i], 8);
		return;
	case P_SYSCALL_RETURN:
		if (i >= 2) {
			mov_imm(g, 0, 0);
			return;
		}
		ldx(g, BPF_DW, 0, 6, 8);
		return;
	case P_PROFILE:
	case P_TICK: {
		/* arg0: the kernel pc, arg1: the user pc; one of them is 0 */
		int user, done;

		if (i >= 2) {
			mov_imm(g, 0, 0);
			return;
		}
		ldx(g, BPF_DW, 1, 6, REGS_CS);
		alu_imm(g, BPF_AND, 1, 3);
		ldx(g, BPF_DW, 0, 6, REGS_IP);
		user = jmp_imm(g, BPF_JNE, 1, 0);
		if (i == 1)
			mov_imm(g, 0, 0);
		done = ja(g);
		patch(g, user);
		if (i == 0)
			mov_imm(g, 0, 0);
		patch(g, done);
		return;
	}
	case P_UPROBE: {
		/* the function's arguments (System V ABI); at return arg1 is the value */
		static const int16_t call_arg_off[6] = { 112, 104, 96, 88, 72, 64 };
		const struct dt_probe *pr = dt_probe_get(g->probe);

		if (pr && pr->usdt) {
			const struct dt_usdt_arg *ua = &pr->uargs[i];
			int size = ua->size < 0 ? -ua->size : ua->size;

			if (ua->kind == 0 || size == 0) {
				mov_imm(g, 0, 0);
				return;
			}
			if (ua->kind == 3) {
				ld_imm64(g, 0, (uint64_t)ua->disp);
				return;
			}
			ldx(g, BPF_DW, 0, 6, ua->reg);
			if (ua->kind == 2) {
				/* memory at register + displacement, in the process */
				mov_reg(g, 3, 0);
				alu_imm(g, BPF_ADD, 3, (int32_t)ua->disp);
				mov_reg(g, 1, 10);
				alu_imm(g, BPF_ADD, 1, -8 * MAX_SLOTS - 16);
				st_imm(g, BPF_DW, 10, -8 * MAX_SLOTS - 16, 0);
				mov_imm(g, 2, size);
				call(g, BPF_FUNC_probe_read_user);
				ldx(g, BPF_DW, 0, 10, -8 * MAX_SLOTS - 16);
			}
			if (size < 8) {
				alu_imm(g, BPF_LSH, 0, 64 - 8 * size);
				alu_imm(g, ua->size < 0 ? BPF_ARSH : BPF_RSH, 0, 64 - 8 * size);
			}
			return;
		}
		if (pr && pr->uret) {
			if (i == 1)
				ldx(g, BPF_DW, 0, 6, 80);
			else if (i == 0)
				ldx(g, BPF_DW, 0, 6, REGS_IP);
			else
				mov_imm(g, 0, 0);
			return;
		}
		if (i >= 6)
			mov_imm(g, 0, 0);
		else
			ldx(g, BPF_DW, 0, 6, call_arg_off[i]);
		return;
	}
	case P_ERROR:
		if (i >= 6) {
			mov_imm(g, 0, 0);
			return;
		}
		ldx(g, BPF_DW, 0, 6, (int16_t)(8 * i));
		return;
	case P_TP_RAW:
		if (i == DT_ARG_EXIT_REASON) {
			/* proc:::exit: CLD_EXITED (1), CLD_KILLED (2) or CLD_DUMPED (3) from the
			 * exiting task's exit_code, sched_process_exit's first argument */
			int exited, dumped, killed;

			if (dt_btf.task_exit_code < 0 || dt_btf.task_tgid <= 0) {
				mov_imm(g, 0, 1);
				return;
			}
			ldx(g, BPF_DW, 1, 6, 0);
			kread(g, dt_btf.task_exit_code, 4);
			mov_reg(g, 1, 0);
			alu_imm(g, BPF_AND, 1, 0x7f);
			mov_imm(g, 2, 1);
			exited = jmp_imm(g, BPF_JEQ, 1, 0);
			mov_imm(g, 2, 2);
			dumped = jmp_imm(g, BPF_JSET, 0, 0x80);
			killed = ja(g);
			patch(g, dumped);
			mov_imm(g, 2, 3);
			patch(g, killed);
			patch(g, exited);
			mov_reg(g, 0, 2);
			return;
		}
		if (i >= 3) {
			mov_imm(g, 0, 0);
			return;
		}
		ldx(g, BPF_DW, 0, 6, (int16_t)(8 * i));
		return;
	default:
		mov_imm(g, 0, 0);
		return;
	}
}

static void zonename(struct cg *g, struct dt_node *n)
{
	int miss[6], nm = 0, found;

	if (dt_btf.task_thread_pid <= 0 || g->p->zones_fd < 0) {
		str_literal(g, (uint32_t)n->soff, "global", 6);
		return;
	}
	/* task->thread_pid->numbers[thread_pid->level].ns->ns.inum */
	call(g, BPF_FUNC_get_current_task);
	mov_reg(g, 1, 0);
	kread(g, dt_btf.task_thread_pid, 8);
	miss[nm++] = jmp_imm(g, BPF_JEQ, 0, 0);
	stx(g, BPF_DW, 10, 0, -8 * MAX_SLOTS - 24);
	mov_reg(g, 1, 0);
	kread(g, dt_btf.pid_level, 4);
	alu_imm(g, BPF_AND, 0, 0x1f);
	alu_imm(g, BPF_MUL, 0, dt_btf.upid_size);
	ldx(g, BPF_DW, 1, 10, -8 * MAX_SLOTS - 24);
	alu_reg(g, BPF_ADD, 1, 0);
	kread(g, dt_btf.pid_numbers + dt_btf.upid_ns, 8);
	miss[nm++] = jmp_imm(g, BPF_JEQ, 0, 0);
	mov_reg(g, 1, 0);
	kread(g, dt_btf.pidns_inum, 4);
	stx(g, BPF_W, 10, 0, -8 * MAX_SLOTS - 28);
	mov_reg(g, 2, 10);
	alu_imm(g, BPF_ADD, 2, -8 * MAX_SLOTS - 28);
	ld_map_fd(g, 1, g->p->zones_fd);
	call(g, BPF_FUNC_map_lookup_elem);
	miss[nm++] = jmp_imm(g, BPF_JEQ, 0, 0);
	mov_reg(g, 3, 0);
	str_copy_from_r3(g, (uint32_t)n->soff, DT_ZONENAME_LEN);
	found = ja(g);
	for (int i = 0; i < nm; i++)
		patch(g, miss[i]);
	str_literal(g, (uint32_t)n->soff, "global", 6);
	patch(g, found);
}

static void builtin(struct cg *g, struct dt_node *n, int d)
{
	bool str = n->type.kind == DT_T_STR;

	if (str && n->soff < 0)
		n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
	switch (n->builtin) {
	case B_PID:
		cur_pid_tgid(g);
		alu_imm(g, BPF_RSH, 0, 32);
		break;
	case B_TID:
		cur_pid_tgid(g);
		alu_imm(g, BPF_LSH, 0, 32);
		alu_imm(g, BPF_RSH, 0, 32);
		break;
	case B_PPID:
		call(g, BPF_FUNC_get_current_task);
		if (dt_btf.task_real_parent <= 0) {
			mov_imm(g, 0, 0);
			break;
		}
		mov_reg(g, 1, 0);
		kread(g, dt_btf.task_real_parent, 8);
		mov_reg(g, 1, 0);
		kread(g, dt_btf.task_tgid, 4);
		break;
	case B_UID:
	case B_GID:
		call(g, BPF_FUNC_get_current_uid_gid);
		if (n->builtin == B_GID)
			alu_imm(g, BPF_RSH, 0, 32);
		alu_imm(g, BPF_LSH, 0, 32);
		alu_imm(g, BPF_RSH, 0, 32);
		break;
	case B_EXECNAME:
		cur_comm(g, (uint32_t)n->soff);
		return;
	case B_ZONENAME:
		zonename(g, n);
		return;
	case B_PROBEPROV:
	case B_PROBEMOD:
	case B_PROBEFUNC:
	case B_PROBENAME:
		probe_name(g, n, n->builtin - B_PROBEPROV);
		return;
	case B_TIMESTAMP:
		call(g, BPF_FUNC_ktime_get_ns);
		break;
	case B_VTIMESTAMP:
		vtimestamp(g);
		break;
	case B_WALLTIMESTAMP:
		call(g, BPF_FUNC_ktime_get_ns);
		ld_imm64(g, 1, g->p->walltime_off);
		alu_reg(g, BPF_ADD, 0, 1);
		break;
	case B_ARG:
		arg_load(g, (int)n->ival);
		break;
	case B_ERRNO:
		if (g->a->type != P_SYSCALL_RETURN) {
			mov_imm(g, 0, 0);
			break;
		}
		ldx(g, BPF_DW, 0, 6, 8);
		{
			int pos = jmp_imm(g, BPF_JSGE, 0, 0);

			alu_imm(g, BPF_NEG, 0, 0);
			int done = ja(g);

			patch(g, pos);
			mov_imm(g, 0, 0);
			patch(g, done);
		}
		break;
	case B_CPU:
		call(g, BPF_FUNC_get_smp_processor_id);
		break;
	case B_EPID:
	case B_ID:
		probe_id_r1(g);
		mov_reg(g, 0, 1);
		break;
	case B_CURPSINFO:
	case B_CURLWPSINFO:
		/* in sched:::on-cpu, the thread coming on: sched_switch's next */
		if (on_cpu(g))
			ldx(g, BPF_DW, 0, 6, 16);
		else
			call(g, BPF_FUNC_get_current_task);
		break;
	}
	normalize(g, 0, n->type);
	stx(g, BPF_DW, 10, 0, slot(d));
}

/* ---- translated structures ---- */

/* r0 := the kernel pointer at r1 + off (0 when the field is missing or unreadable) */
static void kread_ptr(struct cg *g, int off)
{
	if (off < 0) {
		mov_imm(g, 0, 0);
		return;
	}
	kread(g, off, 8);
}

/* pr_psargs: the arguments of the task in slot d, read from the process's memory (the current
 * process, or the child it has just forked, which has the same memory), NULs made spaces; any
 * other task's arguments are not reachable from BPF and its name stands for them. */
static void psargs(struct cg *g, struct dt_node *n, int d)
{
	uint32_t size = MIN(80u, (uint32_t)g->p->opts.strsize);
	int mine, child, other, done, ok;

	call(g, BPF_FUNC_get_current_task);
	stx(g, BPF_DW, 10, 0, slot(d + 1));
	ldx(g, BPF_DW, 1, 10, slot(d));
	mine = jmp_reg(g, BPF_JEQ, 1, 0);
	kread_ptr(g, dt_btf.task_real_parent);
	ldx(g, BPF_DW, 1, 10, slot(d + 1));
	child = jmp_reg(g, BPF_JEQ, 0, 1);
	other = ja(g);
	patch(g, mine);
	patch(g, child);
	ldx(g, BPF_DW, 1, 10, slot(d));
	kread_ptr(g, dt_btf.task_mm);
	stx(g, BPF_DW, 10, 0, slot(d + 1));
	mov_reg(g, 1, 0);
	kread_ptr(g, dt_btf.mm_arg_end);
	stx(g, BPF_DW, 10, 0, slot(d + 2));
	ldx(g, BPF_DW, 1, 10, slot(d + 1));
	kread_ptr(g, dt_btf.mm_arg_start);
	ldx(g, BPF_DW, 2, 10, slot(d + 2));
	alu_reg(g, BPF_SUB, 2, 0);
	ok = jmp_imm(g, BPF_JLE, 2, (int32_t)size - 1);
	mov_imm(g, 2, (int32_t)size - 1);
	patch(g, ok);
	stx(g, BPF_DW, 10, 2, slot(d + 2));
	mov_reg(g, 3, 0);
	mov_reg(g, 1, 9);
	alu_imm(g, BPF_ADD, 1, n->soff);
	call(g, BPF_FUNC_probe_read_user);
	ok = jmp_imm(g, BPF_JEQ, 0, 0);
	st_imm(g, BPF_DW, 10, slot(d + 2), 0);
	patch(g, ok);
	ldx(g, BPF_DW, 5, 10, slot(d + 2));
	mov_reg(g, 1, 9);
	alu_reg(g, BPF_ADD, 1, 5);
	st_imm(g, BPF_B, 1, (int16_t)n->soff, 0);
	/* the NULs between the arguments (not the last) become spaces, without branches: the
	 * verifier walks this once however many times a clause uses it */
	alu_imm(g, BPF_SUB, 5, 1);
	for (uint32_t i = 0; i + 1 < size; i++) {
		ldx(g, BPF_B, 4, 9, (int16_t)(n->soff + (int32_t)i));
		mov_reg(g, 2, 4);
		byte_is_zero(g, 2);
		mov_imm(g, 1, (int32_t)i);
		alu_reg(g, BPF_SUB, 1, 5);
		alu_imm(g, BPF_RSH, 1, 63); /* i before the last NUL */
		alu_reg(g, BPF_AND, 2, 1);
		alu_imm(g, BPF_LSH, 2, 5); /* ' ' is 0x20 */
		alu_reg(g, BPF_OR, 4, 2);
		stx(g, BPF_B, 9, 4, (int16_t)(n->soff + (int32_t)i));
	}
	done = ja(g);
	patch(g, other);
	ldx(g, BPF_DW, 3, 10, slot(d));
	alu_imm(g, BPF_ADD, 3, dt_btf.task_comm);
	str_copy_from_r3(g, (uint32_t)n->soff, MIN(DT_EXECNAME_LEN, size));
	patch(g, done);
}

/* A member of a translated structure, from the task or request pointer in slot d. */
static void xlate(struct cg *g, struct dt_node *n, int d)
{
	bool str = n->type.kind == DT_T_STR;
	int off = -1, size = 4;

	if (str && n->soff < 0)
		n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
	if (n->builtin == X_UNKNOWN) {
		str_literal(g, (uint32_t)n->soff, "<unknown>", 9);
		return;
	}
	if (dt_btf.task_tgid <= 0 || n->builtin == X_ZERO) {
		/* no BTF: nothing to translate from */
		if (str)
			st_imm(g, BPF_B, 9, (int16_t)n->soff, 0);
		else
			st_imm(g, BPF_DW, 10, slot(d), 0);
		return;
	}
	ldx(g, BPF_DW, 1, 10, slot(d));
	switch (n->builtin) {
	case X_PR_PID:
		off = dt_btf.task_tgid;
		break;
	case X_PR_LWPID:
		off = dt_btf.task_pid;
		break;
	case X_PR_PPID:
		kread_ptr(g, dt_btf.task_real_parent);
		mov_reg(g, 1, 0);
		off = dt_btf.task_tgid;
		break;
	case X_PR_UID:
	case X_PR_GID:
		kread_ptr(g, dt_btf.task_real_cred);
		mov_reg(g, 1, 0);
		off = n->builtin == X_PR_UID ? dt_btf.cred_uid : dt_btf.cred_gid;
		break;
	case X_PR_FNAME:
		mov_reg(g, 3, 1);
		alu_imm(g, BPF_ADD, 3, dt_btf.task_comm);
		str_copy_from_r3(g, (uint32_t)n->soff,
				 MIN(DT_EXECNAME_LEN, (uint32_t)g->p->opts.strsize));
		return;
	case X_PR_PSARGS:
		psargs(g, n, d);
		return;
	case X_B_BCOUNT:
		off = dt_btf.rq_data_len;
		break;
	case X_B_BLKNO:
		off = dt_btf.rq_sector;
		size = 8;
		break;
	case X_B_FLAGS: {
		/* REQ_OP_WRITE is 1 in the low bits of cmd_flags: B_WRITE, else B_READ */
		int wr, done;

		kread(g, dt_btf.rq_cmd_flags, 4);
		alu_imm(g, BPF_AND, 0, 0xff);
		wr = jmp_imm(g, BPF_JEQ, 0, 1);
		mov_imm(g, 0, 0x40);
		done = ja(g);
		patch(g, wr);
		mov_imm(g, 0, 0x100);
		patch(g, done);
		stx(g, BPF_DW, 10, 0, slot(d));
		return;
	}
	case X_DEV_MAJOR:
	case X_DEV_MINOR:
	case X_DEV_STATNAME:
		kread_ptr(g, dt_btf.rq_q);
		mov_reg(g, 1, 0);
		kread_ptr(g, dt_btf.q_disk);
		mov_reg(g, 1, 0);
		if (n->builtin == X_DEV_STATNAME) {
			mov_reg(g, 3, 1);
			alu_imm(g, BPF_ADD, 3, dt_btf.disk_name);
			str_copy_from_r3(g, (uint32_t)n->soff,
					 MIN(32u, (uint32_t)g->p->opts.strsize));
			return;
		}
		off = n->builtin == X_DEV_MAJOR ? dt_btf.disk_major : dt_btf.disk_first_minor;
		break;
	default:
		break;
	}
	if (off < 0)
		mov_imm(g, 0, 0);
	else
		kread(g, off, size);
	normalize(g, 0, n->type);
	stx(g, BPF_DW, 10, 0, slot(d));
}

/* p->name: a translated member, or the member read from memory at p plus its offset (a char
 * array as a string of at most its length) */
static void member(struct cg *g, struct dt_node *n, int d)
{
	gen(g, n->l, d);
	if (n->builtin) {
		xlate(g, n, d);
		return;
	}
	ldx(g, BPF_DW, 1, 10, slot(d));
	alu_imm(g, BPF_ADD, 1, (int32_t)n->ival);
	stx(g, BPF_DW, 10, 1, slot(d));
	if (n->type.kind == DT_T_STR) {
		if (n->soff < 0)
			n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
		mem_read(g, d, 9, n->soff, (int)MIN(n->slen, g->p->opts.strsize), true);
		return;
	}
	mem_load(g, d, n->type);
}

/* ---- subroutines ---- */

/* copyin(addr, size): the process's memory copied to a scratch area of size bytes (strsize
 * when the size is not a constant, 4096 at most; a longer copy is cut there), NUL-terminated
 * for stringof(); the value is the area's tagged address. */
static void copyin(struct cg *g, struct dt_node *n, int d)
{
	struct dt_node *sz = n->args[1];
	uint32_t region = sz->kind == N_INT ? (uint32_t)MIN(sz->ival, 4096) :
					      (uint32_t)g->p->opts.strsize;
	uint32_t off = scratch_alloc(g, region + 1);
	int ok;

	gen(g, n->args[0], d);
	gen(g, sz, d + 1);
	ldx(g, BPF_DW, 2, 10, slot(d + 1));
	ok = jmp_imm(g, BPF_JLE, 2, (int32_t)region);
	mov_imm(g, 2, (int32_t)region);
	patch(g, ok);
	stx(g, BPF_DW, 10, 2, slot(d + 1));
	mov_reg(g, 1, 9);
	alu_imm(g, BPF_ADD, 1, (int32_t)off);
	ldx(g, BPF_DW, 3, 10, slot(d));
	call(g, BPF_FUNC_probe_read_user);
	ok = jmp_imm(g, BPF_JEQ, 0, 0);
	fault_at(g, FLT_BADADDR, slot(d));
	patch(g, ok);
	ldx(g, BPF_DW, 1, 10, slot(d + 1));
	alu_reg(g, BPF_ADD, 1, 9);
	st_imm(g, BPF_B, 1, (int16_t)off, 0);
	ld_imm64(g, 1, DT_SCRATCH_TAG | off);
	stx(g, BPF_DW, 10, 1, slot(d));
}

static void subr(struct cg *g, struct dt_node *n, int d)
{
	uint32_t a, b;

	if (n->type.kind == DT_T_STR && n->soff < 0)
		n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
	switch (n->builtin) {
	case F_SPECULATION: {
		/* the first free slot, taken with a compare-and-exchange; 0 when all are busy */
		int got[DT_NSPEC];

		for (int i = 0; i < DT_NSPEC; i++) {
			ld_map_value(g, 1, g->p->spec_fd, (uint32_t)(8 * i));
			mov_imm(g, 0, 0);
			mov_imm(g, 2, 1);
			I(.code = BPF_STX | BPF_DW | BPF_ATOMIC, .dst_reg = 1, .src_reg = 2,
			  .imm = BPF_CMPXCHG);
			got[i] = jmp_imm(g, BPF_JEQ, 0, 0);
		}
		mov_imm(g, 0, 0);
		int done = ja(g);
		int ends[DT_NSPEC];

		for (int i = 0; i < DT_NSPEC; i++) {
			patch(g, got[i]);
			mov_imm(g, 0, i + 1);
			ends[i] = ja(g);
		}
		for (int i = 0; i < DT_NSPEC; i++)
			patch(g, ends[i]);
		patch(g, done);
		stx(g, BPF_DW, 10, 0, slot(d));
		return;
	}
	case F_STRLEN:
		a = str_of(g, n->args[0], d);
		str_length(g, a);
		stx(g, BPF_DW, 10, 0, slot(d));
		return;
	case F_STRCHR: {
		/* the rest of s from the first c (before its end), or "" */
		int head, out, none, ok;

		a = str_of(g, n->args[0], d);
		gen(g, n->args[1], d);
		ldx(g, BPF_DW, 5, 10, slot(d));
		alu_imm(g, BPF_AND, 5, 0xff);
		stx(g, BPF_DW, 10, 5, slot(d + 1)); /* the character */
		mov_imm(g, 0, 0);		    /* past the end */
		mov_imm(g, 5, -1);		    /* where */
		head = loop_begin(g, &out);
		mov_reg(g, 1, 9);
		alu_reg(g, BPF_ADD, 1, 3);
		ldx(g, BPF_B, 4, 1, (int16_t)a);
		ldx(g, BPF_DW, 2, 10, slot(d + 1));
		alu_reg(g, BPF_XOR, 2, 4);
		byte_is_zero(g, 2); /* s[i] == c */
		mov_reg(g, 1, 0);
		alu_imm(g, BPF_XOR, 1, 1);
		alu_reg(g, BPF_AND, 2, 1); /* and not past the end */
		mov_reg(g, 1, 5);
		alu_imm(g, BPF_RSH, 1, 63);
		alu_reg(g, BPF_AND, 2, 1); /* and the first */
		mov_reg(g, 1, 3);
		alu_reg(g, BPF_SUB, 1, 5);
		alu_reg(g, BPF_MUL, 1, 2);
		alu_reg(g, BPF_ADD, 5, 1);
		byte_is_zero(g, 4);
		alu_reg(g, BPF_OR, 0, 4);
		loop_end(g, head, out);
		none = jmp_imm(g, BPF_JSLT, 5, 0);
		ok = jmp_imm(g, BPF_JLT, 5, (int32_t)g->p->opts.strsize);
		mov_imm(g, 5, 0);
		patch(g, ok);
		mov_reg(g, 3, 9);
		alu_imm(g, BPF_ADD, 3, (int32_t)a);
		alu_reg(g, BPF_ADD, 3, 5);
		mov_reg(g, 1, 9);
		alu_imm(g, BPF_ADD, 1, n->soff);
		mov_imm(g, 2, (int32_t)g->p->opts.strsize);
		call(g, BPF_FUNC_probe_read_kernel_str);
		int done = ja(g);

		patch(g, none);
		st_imm(g, BPF_B, 9, (int16_t)n->soff, 0);
		patch(g, done);
		return;
	}
	case F_INDEX: {
		/* the first position at or after start where the constant t stands in s, or -1;
		 * the comparison of t is unrolled, positions run up to strsize - len(t) */
		const char *t = n->args[1]->str;
		int len = (int)n->args[1]->slen, head, out, i;

		a = str_of(g, n->args[0], d);
		if (n->nargs > 2)
			gen(g, n->args[2], d + 1);
		else {
			mov_imm(g, 1, 0);
			stx(g, BPF_DW, 10, 1, slot(d + 1));
		}
		mov_imm(g, 0, 0);  /* past the end */
		mov_imm(g, 5, -1); /* where */
		mov_imm(g, 3, 0);
		head = g->n;
		out = jmp_imm(g, BPF_JGT, 3, (int32_t)g->p->opts.strsize - 1 - len);
		mov_reg(g, 1, 9);
		alu_reg(g, BPF_ADD, 1, 3);
		ldx(g, BPF_B, 4, 1, (int16_t)a);
		byte_is_zero(g, 4);
		alu_reg(g, BPF_OR, 0, 4);
		mov_imm(g, 2, 1); /* t matches here */
		for (i = 0; i < len; i++) {
			ldx(g, BPF_B, 4, 1, (int16_t)(a + (uint32_t)i));
			alu_imm(g, BPF_XOR, 4, (uint8_t)t[i]);
			byte_is_zero(g, 4);
			alu_reg(g, BPF_AND, 2, 4);
		}
		mov_reg(g, 4, 0);
		alu_imm(g, BPF_XOR, 4, 1);
		alu_reg(g, BPF_AND, 2, 4); /* before the end */
		mov_reg(g, 4, 5);
		alu_imm(g, BPF_RSH, 4, 63);
		alu_reg(g, BPF_AND, 2, 4); /* the first */
		ldx(g, BPF_DW, 4, 10, slot(d + 1));
		alu_imm(g, BPF_SUB, 4, 1);
		alu_reg(g, BPF_SUB, 4, 3);
		alu_imm(g, BPF_RSH, 4, 63);
		alu_reg(g, BPF_AND, 2, 4); /* at or after start */
		mov_reg(g, 4, 3);
		alu_reg(g, BPF_SUB, 4, 5);
		alu_reg(g, BPF_MUL, 4, 2);
		alu_reg(g, BPF_ADD, 5, 4);
		loop_end(g, head, out);
		stx(g, BPF_DW, 10, 5, slot(d));
		return;
	}
	case F_STRINGOF:
		if (n->args[0]->type.ptr) {
			/* the string where the pointer points */
			gen(g, n->args[0], d);
			mem_read(g, d, 9, n->soff, (int)g->p->opts.strsize, true);
			return;
		}
		a = str_of(g, n->args[0], d);
		str_copy(g, 9, (uint32_t)n->soff, 9, a);
		return;
	case F_COPYIN:
		copyin(g, n, d);
		return;
	case F_NTOHS:
	case F_NTOHL:
	case F_NTOHLL:
		/* network order is big-endian, this host little-endian: a swap either way */
		gen(g, n->args[0], d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		I(.code = BPF_ALU | BPF_END | BPF_TO_BE, .dst_reg = 1, .imm = 8 * n->type.size);
		normalize(g, 1, n->type);
		stx(g, BPF_DW, 10, 1, slot(d));
		return;
	case F_COPYINSTR:
		gen(g, n->args[0], d);
		if (n->nargs > 1)
			gen(g, n->args[1], d + 1);
		mov_reg(g, 1, 9);
		alu_imm(g, BPF_ADD, 1, n->soff);
		mov_imm(g, 2, (int32_t)g->p->opts.strsize);
		if (n->nargs > 1) {
			/* copyinstr(addr, len): at most len bytes, bounded by strsize */
			int ok;

			ldx(g, BPF_DW, 2, 10, slot(d + 1));
			alu_imm(g, BPF_ADD, 2, 1);
			ok = jmp_imm(g, BPF_JLE, 2, (int32_t)g->p->opts.strsize);
			mov_imm(g, 2, (int32_t)g->p->opts.strsize);
			patch(g, ok);
			ok = jmp_imm(g, BPF_JGT, 2, 0);
			mov_imm(g, 2, 1);
			patch(g, ok);
		}
		ldx(g, BPF_DW, 3, 10, slot(d));
		call(g, BPF_FUNC_probe_read_user_str);
		{
			int ok = jmp_imm(g, BPF_JSGT, 0, 0);

			fault_at(g, FLT_BADADDR, slot(d));
			patch(g, ok);
		}
		return;
	case F_STRJOIN: {
		int ok;

		a = str_of(g, n->args[0], d);
		b = str_of(g, n->args[1], d);
		str_copy(g, 9, (uint32_t)n->soff, 9, a);
		/* r0 = bytes copied including the NUL; append the second at r0 - 1 */
		ok = jmp_imm(g, BPF_JSGT, 0, 0);
		mov_imm(g, 0, 1);
		patch(g, ok);
		alu_imm(g, BPF_SUB, 0, 1);
		ok = jmp_imm(g, BPF_JLT, 0, (int32_t)g->p->opts.strsize);
		mov_imm(g, 0, (int32_t)g->p->opts.strsize - 1);
		patch(g, ok);
		mov_reg(g, 1, 9);
		alu_imm(g, BPF_ADD, 1, n->soff);
		alu_reg(g, BPF_ADD, 1, 0);
		mov_imm(g, 2, (int32_t)g->p->opts.strsize);
		alu_reg(g, BPF_SUB, 2, 0);
		mov_reg(g, 3, 9);
		alu_imm(g, BPF_ADD, 3, (int32_t)b);
		call(g, BPF_FUNC_probe_read_kernel_str);
		return;
	}
	case F_SUBSTR: {
		/* substr(s, i [, len]): a negative i counts from the end */
		int ok, neg;

		a = str_of(g, n->args[0], d);
		gen(g, n->args[1], d);
		if (n->nargs > 2)
			gen(g, n->args[2], d + 1);
		str_length(g, a);
		ldx(g, BPF_DW, 1, 10, slot(d));
		neg = jmp_imm(g, BPF_JSGE, 1, 0);
		alu_reg(g, BPF_ADD, 1, 0);
		ok = jmp_imm(g, BPF_JSGE, 1, 0);
		mov_imm(g, 1, 0);
		patch(g, ok);
		patch(g, neg);
		/* r1 = start (>= 0); clamp to the length */
		ok = jmp_reg(g, BPF_JLE, 1, 0);
		mov_reg(g, 1, 0);
		patch(g, ok);
		alu_reg(g, BPF_SUB, 0, 1); /* r0 = bytes left */
		if (n->nargs > 2) {
			ldx(g, BPF_DW, 2, 10, slot(d + 1));
			ok = jmp_imm(g, BPF_JSGE, 2, 0);
			mov_imm(g, 2, 0);
			patch(g, ok);
			ok = jmp_reg(g, BPF_JGE, 2, 0);
			mov_reg(g, 0, 2);
			patch(g, ok);
		}
		ok = jmp_imm(g, BPF_JLT, 1, (int32_t)g->p->opts.strsize);
		mov_imm(g, 1, 0);
		patch(g, ok);
		/* copy r0 bytes from a + r1, then terminate */
		mov_reg(g, 3, 9);
		alu_imm(g, BPF_ADD, 3, (int32_t)a);
		alu_reg(g, BPF_ADD, 3, 1);
		stx(g, BPF_DW, 10, 0, slot(d + 1));
		mov_reg(g, 2, 0);
		alu_imm(g, BPF_ADD, 2, 1);
		ok = jmp_imm(g, BPF_JLE, 2, (int32_t)g->p->opts.strsize);
		mov_imm(g, 2, (int32_t)g->p->opts.strsize);
		patch(g, ok);
		mov_reg(g, 1, 9);
		alu_imm(g, BPF_ADD, 1, n->soff);
		call(g, BPF_FUNC_probe_read_kernel_str);
		ldx(g, BPF_DW, 0, 10, slot(d + 1));
		ok = jmp_imm(g, BPF_JLT, 0, (int32_t)g->p->opts.strsize);
		mov_imm(g, 0, (int32_t)g->p->opts.strsize - 1);
		patch(g, ok);
		mov_reg(g, 1, 9);
		alu_reg(g, BPF_ADD, 1, 0);
		st_imm(g, BPF_B, 1, (int16_t)n->soff, 0);
		return;
	}
	case F_BASENAME:
	case F_DIRNAME: {
		int ok, done;

		a = str_of(g, n->args[0], d);
		str_last_slash(g, a);
		if (n->builtin == F_BASENAME) {
			/* copy from last slash + 1 */
			mov_reg(g, 3, 9);
			alu_imm(g, BPF_ADD, 3, (int32_t)a);
			alu_imm(g, BPF_ADD, 5, 1);
			ok = jmp_imm(g, BPF_JLT, 5, (int32_t)g->p->opts.strsize);
			mov_imm(g, 5, 0);
			patch(g, ok);
			alu_reg(g, BPF_ADD, 3, 5);
			mov_reg(g, 1, 9);
			alu_imm(g, BPF_ADD, 1, n->soff);
			mov_imm(g, 2, (int32_t)g->p->opts.strsize);
			call(g, BPF_FUNC_probe_read_kernel_str);
		} else {
			int none, root, done2;

			stx(g, BPF_DW, 10, 5, slot(d + 1));
			str_copy(g, 9, (uint32_t)n->soff, 9, a);
			ldx(g, BPF_DW, 5, 10, slot(d + 1));
			none = jmp_imm(g, BPF_JEQ, 5, -1);
			root = jmp_imm(g, BPF_JEQ, 5, 0);
			ok = jmp_imm(g, BPF_JLT, 5, (int32_t)g->p->opts.strsize);
			mov_imm(g, 5, 0);
			patch(g, ok);
			mov_reg(g, 1, 9);
			alu_reg(g, BPF_ADD, 1, 5);
			st_imm(g, BPF_B, 1, (int16_t)n->soff, 0);
			done = ja(g);
			patch(g, none);
			str_literal(g, (uint32_t)n->soff, ".", 1);
			done2 = ja(g);
			patch(g, root);
			str_literal(g, (uint32_t)n->soff, "/", 1);
			patch(g, done);
			patch(g, done2);
		}
		return;
	}
	default:
		return;
	}
}

/* ---- expressions ---- */

static void binop(struct cg *g, struct dt_node *n, int d)
{
	static const int alu[] = {
		[OP_ADD] = BPF_ADD, [OP_SUB] = BPF_SUB, [OP_MUL] = BPF_MUL, [OP_DIV] = BPF_DIV,
		[OP_MOD] = BPF_MOD, [OP_AND] = BPF_AND, [OP_OR] = BPF_OR,   [OP_XOR] = BPF_XOR,
		[OP_SHL] = BPF_LSH, [OP_SHR] = BPF_RSH
	};
	bool sign;
	int j;

	if (n->op >= OP_EQ && n->op <= OP_GE) {
		static const int uj[] = { [OP_EQ] = BPF_JEQ, [OP_NE] = BPF_JNE, [OP_LT] = BPF_JLT,
					  [OP_LE] = BPF_JLE, [OP_GT] = BPF_JGT, [OP_GE] = BPF_JGE };
		static const int sj[] = {
			[OP_EQ] = BPF_JEQ,  [OP_NE] = BPF_JNE,	[OP_LT] = BPF_JSLT,
			[OP_LE] = BPF_JSLE, [OP_GT] = BPF_JSGT, [OP_GE] = BPF_JSGE
		};

		if (n->l->type.kind == DT_T_STR && (n->op == OP_EQ || n->op == OP_NE) &&
		    (n->l->kind == N_STR || n->r->kind == N_STR)) {
			struct dt_node *lit = n->l->kind == N_STR ? n->l : n->r;
			struct dt_node *other = lit == n->l ? n->r : n->l;
			uint32_t a = str_of(g, other, d);

			str_equals_literal(g, a, lit->str, lit->slen);
			if (n->op == OP_NE)
				alu_imm(g, BPF_XOR, 0, 1);
			stx(g, BPF_DW, 10, 0, slot(d));
			return;
		}
		if (n->l->type.kind == DT_T_STR) {
			uint32_t a = str_of(g, n->l, d), b = str_of(g, n->r, d + 1);

			str_compare(g, a, b);
			mov_reg(g, 1, 0);
			mov_imm(g, 2, 0);
			sign = true;
		} else {
			struct dt_type t = n->l->type.size >= n->r->type.size ? n->l->type :
										n->r->type;

			gen(g, n->l, d);
			gen(g, n->r, d + 1);
			ldx(g, BPF_DW, 1, 10, slot(d));
			ldx(g, BPF_DW, 2, 10, slot(d + 1));
			sign = n->l->type.sign && n->r->type.sign;
			if (n->l->type.size != n->r->type.size)
				sign = t.sign || t.size < 8;
		}
		mov_imm(g, 0, 1);
		j = jmp_reg(g, sign ? sj[n->op] : uj[n->op], 1, 2);
		mov_imm(g, 0, 0);
		patch(g, j);
		stx(g, BPF_DW, 10, 0, slot(d));
		return;
	}
	gen(g, n->l, d);
	gen(g, n->r, d + 1);
	ldx(g, BPF_DW, 1, 10, slot(d));
	ldx(g, BPF_DW, 2, 10, slot(d + 1));
	sign = n->type.sign;
	if (n->op == OP_DIV || n->op == OP_MOD) {
		j = jmp_imm(g, BPF_JNE, 2, 0);
		fault(g, FLT_DIVZERO);
		patch(g, j);
		I(.code = BPF_ALU64 | alu[n->op] | BPF_X, .dst_reg = 1, .src_reg = 2,
		  .off = sign ? 1 : 0);
	} else if (n->op == OP_SHR && sign) {
		alu_reg(g, BPF_ARSH, 1, 2);
	} else {
		alu_reg(g, alu[n->op], 1, 2);
	}
	normalize(g, 1, n->type);
	stx(g, BPF_DW, 10, 1, slot(d));
}

static void gen(struct cg *g, struct dt_node *n, int d)
{
	int j1, j2;

	if (g->err)
		return;
	if (d >= MAX_SLOTS - 2) {
		fail(g, E2BIG, "the expression on line %d is nested too deeply for the BPF stack",
		     n->line);
		return;
	}
	switch (n->kind) {
	case N_INT:
		ld_imm64(g, 1, n->ival);
		normalize(g, 1, n->type);
		stx(g, BPF_DW, 10, 1, slot(d));
		return;
	case N_STR:
		if (n->soff < 0)
			n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
		str_literal(g, (uint32_t)n->soff, n->str, n->slen);
		return;
	case N_VAR:
	case N_SELF:
	case N_THIS:
		var_load(g, n, d);
		return;
	case N_BUILTIN:
		builtin(g, n, d);
		return;
	case N_UNOP:
		gen(g, n->l, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		switch (n->op) {
		case OP_NEG:
			alu_imm(g, BPF_NEG, 1, 0);
			break;
		case OP_BNOT:
			alu_imm(g, BPF_XOR, 1, -1);
			break;
		case OP_NOT:
			mov_imm(g, 0, 1);
			j1 = jmp_imm(g, BPF_JEQ, 1, 0);
			mov_imm(g, 0, 0);
			patch(g, j1);
			mov_reg(g, 1, 0);
			break;
		default:
			break;
		}
		normalize(g, 1, n->type);
		stx(g, BPF_DW, 10, 1, slot(d));
		return;
	case N_BINOP:
		binop(g, n, d);
		return;
	case N_LOGIC:
		gen(g, n->l, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		if (n->op == OP_LXOR) {
			gen(g, n->r, d + 1);
			ldx(g, BPF_DW, 1, 10, slot(d));
			ldx(g, BPF_DW, 2, 10, slot(d + 1));
			mov_imm(g, 3, 0);
			j1 = jmp_imm(g, BPF_JEQ, 1, 0);
			mov_imm(g, 3, 1);
			patch(g, j1);
			mov_imm(g, 4, 0);
			j1 = jmp_imm(g, BPF_JEQ, 2, 0);
			mov_imm(g, 4, 1);
			patch(g, j1);
			alu_reg(g, BPF_XOR, 3, 4);
			stx(g, BPF_DW, 10, 3, slot(d));
			return;
		}
		/* && and || short-circuit */
		j1 = jmp_imm(g, n->op == OP_LAND ? BPF_JEQ : BPF_JNE, 1, 0);
		gen(g, n->r, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		patch(g, j1);
		mov_imm(g, 0, 1);
		j2 = jmp_imm(g, BPF_JNE, 1, 0);
		mov_imm(g, 0, 0);
		patch(g, j2);
		stx(g, BPF_DW, 10, 0, slot(d));
		return;
	case N_COND:
		gen(g, n->c, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		if (n->type.kind == DT_T_STR && n->soff < 0)
			n->soff = (int32_t)scratch_alloc(g, (uint32_t)g->p->opts.strsize);
		j1 = jmp_imm(g, BPF_JEQ, 1, 0);
		gen(g, n->l, d);
		if (n->type.kind == DT_T_STR)
			str_copy(g, 9, (uint32_t)n->soff, 9, (uint32_t)n->l->soff);
		else {
			ldx(g, BPF_DW, 1, 10, slot(d));
			normalize(g, 1, n->type);
			stx(g, BPF_DW, 10, 1, slot(d));
		}
		j2 = ja(g);
		patch(g, j1);
		gen(g, n->r, d);
		if (n->type.kind == DT_T_STR)
			str_copy(g, 9, (uint32_t)n->soff, 9, (uint32_t)n->r->soff);
		else {
			ldx(g, BPF_DW, 1, 10, slot(d));
			normalize(g, 1, n->type);
			stx(g, BPF_DW, 10, 1, slot(d));
		}
		patch(g, j2);
		return;
	case N_ASSIGN:
		if (n->op) {
			struct dt_node bin = { .kind = N_BINOP,
					       .op = n->op,
					       .l = n->l,
					       .r = n->r,
					       .type = n->l->type,
					       .line = n->line };

			binop(g, &bin, d);
			var_store(g, n->l, d, 0);
			return;
		}
		if (n->r->type.kind == DT_T_STR) {
			uint32_t s = str_of(g, n->r, d);

			var_store(g, n->l, d, s);
			n->soff = (int32_t)s;
			return;
		}
		gen(g, n->r, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		normalize(g, 1, n->l->type);
		stx(g, BPF_DW, 10, 1, slot(d));
		var_store(g, n->l, d, 0);
		return;
	case N_INCDEC:
		var_load(g, n->l, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		mov_reg(g, 2, 1);
		alu_imm(g, BPF_ADD, 2, n->op == OP_PREINC || n->op == OP_POSTINC ? 1 : -1);
		normalize(g, 2, n->type);
		stx(g, BPF_DW, 10, 2, slot(d + 1));
		var_store(g, n->l, d + 1, 0);
		if (n->op == OP_PREINC || n->op == OP_PREDEC) {
			ldx(g, BPF_DW, 1, 10, slot(d + 1));
			stx(g, BPF_DW, 10, 1, slot(d));
		}
		return;
	case N_CAST:
		gen(g, n->l, d);
		ldx(g, BPF_DW, 1, 10, slot(d));
		normalize(g, 1, n->type);
		stx(g, BPF_DW, 10, 1, slot(d));
		return;
	case N_CALL:
		subr(g, n, d);
		return;
	case N_DEREF:
		gen(g, n->l, d);
		mem_load(g, d, n->type);
		return;
	case N_MEMBER:
		member(g, n, d);
		return;
	default:
		fail(g, EINVAL, "cannot generate code for the expression on line %d", n->line);
		return;
	}
}

/* ---- aggregations ---- */

/* r0 := the bucket of the value in r1 for a table of sorted lower bounds (binary search). */
static void bucket_search(struct cg *g, const int64_t *lo, int first, int last)
{
	int mid, j;

	if (first == last) {
		mov_imm(g, 0, first);
		return;
	}
	mid = (first + last + 1) / 2;
	ld_imm64(g, 2, (uint64_t)lo[mid]);
	j = jmp_reg(g, BPF_JSGE, 1, 2);
	bucket_search(g, lo, first, mid - 1);
	int done = ja(g);

	patch(g, j);
	bucket_search(g, lo, mid, last);
	patch(g, done);
}

static void agg_update(struct cg *g, struct dt_node *n)
{
	struct dt_node *a = n->l, *f = n->r;
	struct dt_ident *id = a->id;
	uint32_t voff;
	int found, ok, d = 0;

	/* the value and the increment first, then the key (which may reuse slots) */
	if (f->nargs > 0)
		gen(g, f->args[0], 2);
	if ((id->fn == AGG_QUANTIZE && f->nargs > 1) || (id->fn == AGG_LQUANTIZE && f->nargs > 4) ||
	    (id->fn == AGG_LLQUANTIZE && f->nargs > 5))
		gen(g, f->args[f->nargs - 1], 3);
	else {
		mov_imm(g, 1, 1);
		stx(g, BPF_DW, 10, 1, slot(3));
	}
	key_build(g, a, id, 4 + d);
	mov_reg(g, 2, 1);
	ld_map_fd(g, 1, id->fd);
	call(g, BPF_FUNC_map_lookup_elem);
	found = jmp_imm(g, BPF_JNE, 0, 0);
	/* first time for this key: insert zeroes, then look it up again */
	voff = scratch_alloc(g, id->valsize);
	zero(g, 9, voff, id->valsize);
	mov_reg(g, 2, 9);
	alu_imm(g, BPF_ADD, 2, a->koff);
	mov_reg(g, 3, 9);
	alu_imm(g, BPF_ADD, 3, (int32_t)voff);
	ld_map_fd(g, 1, id->fd);
	mov_imm(g, 4, BPF_NOEXIST);
	call(g, BPF_FUNC_map_update_elem);
	mov_reg(g, 2, 9);
	alu_imm(g, BPF_ADD, 2, a->koff);
	ld_map_fd(g, 1, id->fd);
	call(g, BPF_FUNC_map_lookup_elem);
	ok = jmp_imm(g, BPF_JNE, 0, 0);
	g->exits = bs_realloc(g->exits, sizeof(int) * (size_t)(g->nexits + 1));
	g->exits[g->nexits++] = ja(g); /* the map is full: the update is dropped */
	patch(g, ok);
	patch(g, found);
	ldx(g, BPF_DW, 1, 10, slot(2)); /* value */
	switch (id->fn) {
	case AGG_COUNT:
		ldx(g, BPF_DW, 2, 0, 0);
		alu_imm(g, BPF_ADD, 2, 1);
		stx(g, BPF_DW, 0, 2, 0);
		break;
	case AGG_SUM:
		ldx(g, BPF_DW, 2, 0, 0);
		alu_reg(g, BPF_ADD, 2, 1);
		stx(g, BPF_DW, 0, 2, 0);
		break;
	case AGG_STDDEV:
		ldx(g, BPF_DW, 2, 0, 16);
		mov_reg(g, 3, 1);
		alu_reg(g, BPF_MUL, 3, 1);
		alu_reg(g, BPF_ADD, 2, 3);
		stx(g, BPF_DW, 0, 2, 16);
		fallthrough;
	case AGG_AVG:
		ldx(g, BPF_DW, 2, 0, 0);
		alu_imm(g, BPF_ADD, 2, 1);
		stx(g, BPF_DW, 0, 2, 0);
		ldx(g, BPF_DW, 2, 0, 8);
		alu_reg(g, BPF_ADD, 2, 1);
		stx(g, BPF_DW, 0, 2, 8);
		break;
	case AGG_MIN:
	case AGG_MAX: {
		int first, keep;

		ldx(g, BPF_DW, 2, 0, 0);
		first = jmp_imm(g, BPF_JEQ, 2, 0);
		ldx(g, BPF_DW, 3, 0, 8);
		keep = jmp_reg(g, id->fn == AGG_MIN ? BPF_JSGE : BPF_JSLE, 1, 3);
		patch(g, first);
		stx(g, BPF_DW, 0, 1, 8);
		patch(g, keep);
		alu_imm(g, BPF_ADD, 2, 1);
		stx(g, BPF_DW, 0, 2, 0);
		break;
	}
	default: {
		_cleanup_free_ int64_t *lo = NULL;
		int nb = dt_agg_bounds(id, &lo);

		stx(g, BPF_DW, 10, 0, slot(4));
		bucket_search(g, lo, 0, nb - 1);
		ok = jmp_imm(g, BPF_JLT, 0, nb);
		mov_imm(g, 0, nb - 1);
		patch(g, ok);
		alu_imm(g, BPF_LSH, 0, 3);
		ldx(g, BPF_DW, 1, 10, slot(4));
		alu_reg(g, BPF_ADD, 1, 0);
		ldx(g, BPF_DW, 2, 1, 0);
		ldx(g, BPF_DW, 3, 10, slot(3));
		alu_reg(g, BPF_ADD, 2, 3);
		stx(g, BPF_DW, 1, 2, 0);
		break;
	}
	}
}

/* ---- actions ---- */

static struct dt_rec *rec_new(struct cg *g, enum dt_rkind kind)
{
	struct dt_clause *c = g->c;
	int bit = MIN(c->nrecs, 63);

	/* the record is shown only when its action ran */
	ldx(g, BPF_DW, 1, 10, STACK_FIRED);
	ld_imm64(g, 2, 1ull << bit);
	alu_reg(g, BPF_OR, 1, 2);
	stx(g, BPF_DW, 10, 1, STACK_FIRED);

	c->recs = bs_realloc(c->recs, sizeof(*c->recs) * (size_t)(c->nrecs + 1));
	memset(&c->recs[c->nrecs], 0, sizeof(*c->recs));
	c->recs[c->nrecs].kind = kind;
	c->recs[c->nrecs].off = g->rec_top;
	return &c->recs[c->nrecs++];
}

/* Append value n to the record: 8 bytes for an integer, strsize for a string. */
static void rec_value(struct cg *g, struct dt_rec *r, struct dt_node *n)
{
	uint32_t off;

	if (r->nargs == (int)ARRAY_SIZE(r->args)) {
		fail(g, E2BIG, "too many values in one action");
		return;
	}
	if (n->type.kind == DT_T_STR) {
		uint32_t s = str_of(g, n, 0);

		off = rec_alloc(g, (uint32_t)g->p->opts.strsize);
		str_copy(g, 8, off, 9, s);
	} else {
		gen(g, n, 0);
		off = rec_alloc(g, 8);
		ldx(g, BPF_DW, 1, 10, slot(0));
		stx(g, BPF_DW, 8, 1, (int16_t)off);
	}
	r->args[r->nargs].type = n->type;
	r->args[r->nargs].off = off;
	r->nargs++;
}

static void action(struct cg *g, struct dt_node *n)
{
	struct dt_rec *r;

	g->action++;
	switch (n->builtin) {
	case F_TRACE:
		r = rec_new(g, R_TRACE);
		rec_value(g, r, n->args[0]);
		return;
	case F_PRINTF:
	case F_SYSTEM:
		r = rec_new(g, n->builtin == F_PRINTF ? R_PRINTF : R_SYSTEM);
		r->fmt = bs_strdup(n->args[0]->str);
		for (int i = 1; i < n->nargs; i++) {
			/* rec_value may grow the array: find the record again */
			rec_value(g, &g->c->recs[g->c->nrecs - 1], n->args[i]);
		}
		return;
	case F_PRINTA:
		r = rec_new(g, R_PRINTA);
		r->agg = n->args[n->nargs - 1]->id;
		if (n->nargs == 2)
			r->fmt = bs_strdup(n->args[0]->str);
		return;
	case F_CLEAR:
	case F_DENORMALIZE:
		r = rec_new(g, n->builtin == F_CLEAR ? R_CLEAR : R_DENORMALIZE);
		r->agg = n->args[0]->id;
		return;
	case F_TRUNC:
	case F_NORMALIZE:
		r = rec_new(g, n->builtin == F_TRUNC ? R_TRUNC : R_NORMALIZE);
		r->agg = n->args[0]->id;
		if (n->nargs > 1)
			rec_value(g, &g->c->recs[g->c->nrecs - 1], n->args[1]);
		return;
	case F_EXIT:
		r = rec_new(g, R_EXIT);
		rec_value(g, r, n->args[0]);
		return;
	case F_RAISE:
		gen(g, n->args[0], 0);
		ldx(g, BPF_DW, 1, 10, slot(0));
		call(g, BPF_FUNC_send_signal);
		return;
	case F_SPECULATE: {
		/* the clause's record goes to the speculation's buffer in the consumer */
		int bad;

		gen(g, n->args[0], 0);
		ldx(g, BPF_DW, 1, 10, slot(0));
		bad = jmp_imm(g, BPF_JGT, 1, DT_NSPEC);
		stx(g, BPF_DW, 10, 1, STACK_SPEC);
		patch(g, bad);
		return;
	}
	case F_COMMIT:
	case F_DISCARD: {
		/* a record for the consumer, and the slot is free again */
		int bad;

		r = rec_new(g, n->builtin == F_COMMIT ? R_COMMIT : R_DISCARD);
		rec_value(g, r, n->args[0]);
		ldx(g, BPF_DW, 1, 10, slot(0));
		bad = jmp_imm(g, BPF_JGT, 1, DT_NSPEC);
		int zero_id = jmp_imm(g, BPF_JEQ, 1, 0);

		alu_imm(g, BPF_SUB, 1, 1);
		alu_imm(g, BPF_LSH, 1, 3);
		ld_map_value(g, 2, g->p->spec_fd, 0);
		alu_reg(g, BPF_ADD, 2, 1);
		st_imm(g, BPF_DW, 2, 0, 0);
		patch(g, bad);
		patch(g, zero_id);
		return;
	}
	case F_STACK:
	case F_USTACK: {
		uint32_t off;

		r = rec_new(g, R_STACK);
		r->user_stack = n->builtin == F_USTACK;
		/* the byte count the kernel wrote, the process, then up to 32 addresses */
		off = rec_alloc(g, 16 + 8 * 32);
		r->args[0].off = off;
		r->nargs = 1;
		call(g, BPF_FUNC_get_current_pid_tgid);
		alu_imm(g, BPF_RSH, 0, 32);
		stx(g, BPF_DW, 8, 0, (int16_t)(off + 8));
		mov_reg(g, 1, 6);
		mov_reg(g, 2, 8);
		alu_imm(g, BPF_ADD, 2, (int32_t)off + 16);
		mov_imm(g, 3, 8 * 32);
		mov_imm(g, 4, n->builtin == F_USTACK ? BPF_F_USER_STACK : 0);
		if (g->a->type == P_BEGIN || g->a->type == P_END || g->a->type == P_ERROR) {
			mov_imm(g, 0, 0);
		} else {
			call(g, BPF_FUNC_get_stack);
		}
		stx(g, BPF_DW, 8, 0, (int16_t)off);
		return;
	}
	default:
		/* a subroutine called for its effect */
		gen(g, n, 0);
		return;
	}
}

static void statements(struct cg *g, struct dt_stmt *s)
{
	for (; s && !g->err; s = s->next) {
		switch (s->kind) {
		case S_EXPR:
			if (s->expr->kind == N_CALL && s->expr->type.kind == DT_T_VOID) {
				action(g, s->expr);
				break;
			}
			g->action++;
			if (s->expr->kind == N_ASSIGN && s->expr->l->kind == N_AGG)
				agg_update(g, s->expr);
			else
				gen(g, s->expr, 0);
			break;
		case S_IF: {
			int j1, j2;

			gen(g, s->expr, 0);
			ldx(g, BPF_DW, 1, 10, slot(0));
			j1 = jmp_imm(g, BPF_JEQ, 1, 0);
			statements(g, s->body);
			j2 = ja(g);
			patch(g, j1);
			statements(g, s->alt);
			patch(g, j2);
			break;
		}
		case S_BLOCK:
			statements(g, s->body);
			break;
		}
	}
}

/* The clause for one probe of this attachment: a guard on the syscall number, the predicate,
 * the statements, the record. */
/*
 * Whether the system call number in r7 is one of nrs (sorted): a run of consecutive numbers is
 * one range test. Returns the jump taken when it is not, for the caller to patch.
 */
static int nr_test(struct cg *g, const int *nrs, int nnrs)
{
	int *hits = NULL, nhits = 0, miss;

	for (int i = 0; i < nnrs;) {
		int j = i;

		while (j + 1 < nnrs && nrs[j + 1] == nrs[j] + 1)
			j++;
		hits = bs_realloc(hits, sizeof(int) * (size_t)(nhits + 1));
		if (i == j) {
			hits[nhits++] = jmp_imm(g, BPF_JEQ, 7, nrs[i]);
		} else {
			int below = jmp_imm(g, BPF_JLT, 7, nrs[i]);

			hits[nhits++] = jmp_imm(g, BPF_JLE, 7, nrs[j]);
			patch(g, below);
		}
		i = j + 1;
	}
	miss = ja(g);
	for (int i = 0; i < nhits; i++)
		patch(g, hits[i]);
	free(hits);
	return miss;
}

/* The system call numbers of clause c on syscall attachment a, and the last probe's id. */
static int clause_nrs(const struct dt_attach *a, const struct dt_clause *c, int **ret_nrs,
		      uint32_t *ret_one)
{
	int *nrs = NULL, n = 0;

	for (int j = 0; j < c->nprobes; j++) {
		const struct dt_probe *pr = dt_probe_get(c->probes[j]);

		if (pr->type != a->type)
			continue;
		nrs = bs_realloc(nrs, sizeof(int) * (size_t)(n + 1));
		nrs[n++] = pr->nr;
		*ret_one = pr->id;
	}
	*ret_nrs = nrs;
	return n;
}

static void clause(struct cg *g, struct dt_clause *c, const int *nrs, int nnrs, uint32_t probe)
{
	int *skips = NULL, nskips = 0;

	g->c = c;
	g->probe = probe;
	g->nexits = 0;
	g->action = 0;
	g->rec_top = sizeof(struct dt_ehdr);
	for (int i = 0; i < c->nrecs; i++)
		free(c->recs[i].fmt);
	free(c->recs);
	c->recs = NULL;
	c->nrecs = 0;
	if (nnrs > 0) {
		skips = bs_realloc(skips, sizeof(int) * (size_t)(nskips + 1));
		skips[nskips++] = nr_test(g, nrs, nnrs);
	}
	st_imm(g, BPF_DW, 10, STACK_FIRED, 0);
	st_imm(g, BPF_DW, 10, STACK_SPEC, 0);
	if (c->pred) {
		g->action = 0;
		gen(g, c->pred, 0);
		ldx(g, BPF_DW, 1, 10, slot(0));
		skips = bs_realloc(skips, sizeof(int) * (size_t)(nskips + 1));
		skips[nskips++] = jmp_imm(g, BPF_JEQ, 1, 0);
	}
	statements(g, c->body);
	if (c->default_action || c->nrecs > 0) {
		/* the header, then the record to the ring buffer; a full buffer is a drop */
		int ok;

		st_imm(g, BPF_W, 8, 0, c->id);
		probe_id_r1(g);
		stx(g, BPF_W, 8, 1, 4);
		call(g, BPF_FUNC_get_smp_processor_id);
		stx(g, BPF_W, 8, 0, 8);
		ldx(g, BPF_DW, 1, 10, STACK_SPEC);
		alu_imm(g, BPF_LSH, 1, 16);
		stx(g, BPF_W, 8, 1, 12);
		ldx(g, BPF_DW, 1, 10, STACK_FIRED);
		stx(g, BPF_DW, 8, 1, 16);
		ld_map_fd(g, 1, g->p->ringbuf_fd);
		mov_reg(g, 2, 8);
		mov_imm(g, 3, (int32_t)g->rec_top);
		mov_imm(g, 4, 0);
		call(g, BPF_FUNC_ringbuf_output);
		ok = jmp_imm(g, BPF_JEQ, 0, 0);
		st_imm(g, BPF_W, 10, -4 - 8 * MAX_SLOTS, 0);
		mov_reg(g, 2, 10);
		alu_imm(g, BPF_ADD, 2, -4 - 8 * MAX_SLOTS);
		ld_map_fd(g, 1, g->p->drops_fd);
		call(g, BPF_FUNC_map_lookup_elem);
		int none = jmp_imm(g, BPF_JEQ, 0, 0);

		mov_imm(g, 1, 1);
		I(.code = BPF_STX | BPF_DW | BPF_ATOMIC, .dst_reg = 0, .src_reg = 1,
		  .imm = BPF_ADD);
		patch(g, none);
		patch(g, ok);
	}
	c->recsize = g->rec_top;
	for (int i = 0; i < g->nexits; i++)
		patch(g, g->exits[i]);
	for (int i = 0; i < nskips; i++)
		patch(g, skips[i]);
	free(skips);
}

/*
 * The accounting behind vtimestamp, on sched_switch(preempt, prev, next): the thread leaving
 * adds the time since it came on to its total, the thread coming on notes the time.
 */
static int vtime_program(struct cg *g)
{
	/* its own stack, clear of kread's place: the key, then a new entry (total, since) */
	enum { PV_KEY = -8, PV_ACC = -24, PV_START = -16 };
	int skip[4], found;

	mov_reg(g, 6, 1);
	call(g, BPF_FUNC_ktime_get_ns);
	stx(g, BPF_DW, 10, 0, PV_START);
	for (int t = 0; t < 2; t++) {
		ldx(g, BPF_DW, 1, 6, t == 0 ? 8 : 16);
		kread(g, dt_btf.task_pid, 4);
		skip[2 * t] = jmp_imm(g, BPF_JEQ, 0, 0); /* the idle task */
		stx(g, BPF_DW, 10, 0, PV_KEY);
		ld_map_fd(g, 1, g->p->vtime_fd);
		mov_reg(g, 2, 10);
		alu_imm(g, BPF_ADD, 2, PV_KEY);
		call(g, BPF_FUNC_map_lookup_elem);
		ldx(g, BPF_DW, 2, 10, PV_START);
		if (t == 0) {
			skip[1] = jmp_imm(g, BPF_JEQ, 0, 0);
			ldx(g, BPF_DW, 1, 0, 8);
			found = jmp_imm(g, BPF_JEQ, 1, 0);
			alu_reg(g, BPF_SUB, 2, 1);
			ldx(g, BPF_DW, 1, 0, 0);
			alu_reg(g, BPF_ADD, 1, 2);
			stx(g, BPF_DW, 0, 1, 0);
			st_imm(g, BPF_DW, 0, 8, 0);
			patch(g, found);
			patch(g, skip[0]);
			patch(g, skip[1]);
			continue;
		}
		found = jmp_imm(g, BPF_JEQ, 0, 0);
		stx(g, BPF_DW, 0, 2, 8);
		skip[3] = ja(g);
		patch(g, found);
		vtime_insert(g, PV_KEY, PV_ACC);
		patch(g, skip[2]);
		patch(g, skip[3]);
	}
	mov_imm(g, 0, 0);
	I(.code = BPF_JMP | BPF_EXIT);
	return g->n;
}

int dt_cg_attach(struct dt_program *p, struct dt_attach *a, struct bpf_insn **ret_insns)
{
	struct cg cg = { .p = p, .a = a }, *g = &cg;
	int miss[2], nodepth, toodeep, other_nr = -1, nunion = 0, all = 0;

	if (a->type == P_VTIME) {
		int n = vtime_program(g);

		*ret_insns = g->ins;
		return n;
	}

	/*
	 * prologue: r6 = ctx, r8 = record buffer, r9 = scratch. A program can interrupt another
	 * on the same CPU (a timer during a system call): each nesting level has its own areas,
	 * chosen by a per-CPU depth counter taken here and given back at the end.
	 */
	mov_reg(g, 6, 1);
	if (a->type == P_SYSCALL_ENTRY) {
		ldx(g, BPF_DW, 7, 6, 8);
	} else if (a->type == P_SYSCALL_RETURN) {
		ldx(g, BPF_DW, 1, 6, 0);
		kread(g, REGS_ORIG_AX, 8);
		mov_reg(g, 7, 0);
		g->ret_probe = 1;
	}
	if (a->type == P_SYSCALL_ENTRY || a->type == P_SYSCALL_RETURN) {
		/* a system call no clause asks for leaves at once, before any map is looked up */
		_cleanup_free_ bool *in = bs_zalloc(sizeof(bool) * (size_t)dt_syscall_count);
		_cleanup_free_ int *nrs = NULL;

		for (int i = 0; i < a->nclauses; i++) {
			_cleanup_free_ int *cn = NULL;
			uint32_t one;
			int n = clause_nrs(a, a->clauses[i], &cn, &one);

			for (int j = 0; j < n; j++)
				in[cn[j]] = true;
		}
		for (int k = 0; k < dt_syscall_count; k++) {
			all += dt_syscall_names[k] != NULL;
			if (!in[k])
				continue;
			nrs = bs_realloc(nrs, sizeof(int) * (size_t)(nunion + 1));
			nrs[nunion++] = k;
		}
		if (nunion > 0 && nunion < all)
			other_nr = nr_test(g, nrs, nunion);
	}
	st_imm(g, BPF_W, 10, -4 - 8 * MAX_SLOTS, 0);
	mov_reg(g, 2, 10);
	alu_imm(g, BPF_ADD, 2, -4 - 8 * MAX_SLOTS);
	ld_map_fd(g, 1, p->depth_fd);
	call(g, BPF_FUNC_map_lookup_elem);
	nodepth = jmp_imm(g, BPF_JEQ, 0, 0);
	ldx(g, BPF_DW, 1, 0, 0);
	toodeep = jmp_imm(g, BPF_JGE, 1, DT_NEST_MAX);
	mov_reg(g, 2, 1);
	alu_imm(g, BPF_ADD, 2, 1);
	stx(g, BPF_DW, 0, 2, 0);
	stx(g, BPF_DW, 10, 0, STACK_DEPTH);
	stx(g, BPF_W, 10, 1, -4 - 8 * MAX_SLOTS);
	for (int i = 0; i < 2; i++) {
		mov_reg(g, 2, 10);
		alu_imm(g, BPF_ADD, 2, -4 - 8 * MAX_SLOTS);
		ld_map_fd(g, 1, i == 0 ? p->scratch_fd : p->recbuf_fd);
		call(g, BPF_FUNC_map_lookup_elem);
		miss[i] = jmp_imm(g, BPF_JEQ, 0, 0);
		mov_reg(g, i == 0 ? 9 : 8, 0);
	}
	for (int i = 0; i < a->nclauses && !g->err; i++) {
		struct dt_clause *c = a->clauses[i];

		g->scr_top = p->this_size;
		if (a->type == P_SYSCALL_ENTRY || a->type == P_SYSCALL_RETURN) {
			_cleanup_free_ int *nrs = NULL;
			uint32_t one = 0;
			int nnrs = clause_nrs(a, c, &nrs, &one);

			/* every system call, or all those the attachment lets in: no guard */
			if (nnrs > 0)
				clause(g, c, nrs, nnrs == all || nnrs == nunion ? 0 : nnrs,
				       nnrs == 1 ? one : 0);
		} else {
			for (int j = 0; j < c->nprobes && !g->err; j++) {
				const struct dt_probe *pr = dt_probe_get(c->probes[j]);
				bool here = pr->type == a->type &&
					    (a->type != P_TP_RAW || streq(pr->tp->tp, a->tp)) &&
					    ((a->type != P_PROFILE && a->type != P_TICK) ||
					     pr->period == a->period) &&
					    (a->type != P_UPROBE || pr->id == a->probe);

				if (here)
					clause(g, c, NULL, 0, pr->id);
			}
		}
		if (g->scr_top > p->scratch_size)
			p->scratch_size = g->scr_top;
	}
	for (int i = 0; i < 2; i++)
		patch(g, miss[i]);
	/* give the nesting level back */
	ldx(g, BPF_DW, 1, 10, STACK_DEPTH);
	ldx(g, BPF_DW, 2, 1, 0);
	alu_imm(g, BPF_SUB, 2, 1);
	stx(g, BPF_DW, 1, 2, 0);
	patch(g, nodepth);
	patch(g, toodeep);
	patch(g, other_nr);
	mov_imm(g, 0, 0);
	I(.code = BPF_JMP | BPF_EXIT);
	free(g->exits);
	if (g->err) {
		free(g->ins);
		return -g->err;
	}
	if (g->n > 1000000) {
		free(g->ins);
		return bs_error(E2BIG, "the program is too large for BPF");
	}
	*ret_insns = g->ins;
	return g->n;
}
