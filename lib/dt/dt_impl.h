/* SPDX-License-Identifier: MIT */
/*
 * dt_impl.h - the tracer's internal data: tokens, the syntax tree, identifiers and types, probe
 * descriptions, the compiled program and its runtime state. Shared by the files of lib/dt, one
 * concept each (lex, parse, sema, probe, cg, load, consume, agg, printf).
 */
#ifndef BASALT_DT_IMPL_H
#define BASALT_DT_IMPL_H

#include <basalt/base.h>
#include <basalt/dt.h>

#include <inttypes.h>
#include <linux/bpf.h>
#include <setjmp.h>

#define DT_MAX_ARGS 10	    /* arg0..arg9 */
#define DT_MAX_KEYS 8	    /* elements of a tuple key */
#define DT_MAX_DEPTH 200    /* nesting of expressions the parser accepts */
#define DT_STRSIZE_MAX 4096 /* the largest strsize accepted */
#define DT_EXECNAME_LEN 16  /* TASK_COMM_LEN */
#define DT_ZONENAME_LEN 64
#define DT_NSPEC 4		    /* speculations that can be active at once */
#define DT_NEST_MAX 4		    /* programs that can interrupt one another on a CPU */
#define DT_SCRATCH_SIZE (32u << 10) /* per-CPU scratch and record areas: the per-CPU limit */

/* ---- diagnostics ---- */
/* Record the first error (tag, line, message) and unwind to the compiler's entry point. */
struct dt_cc;
_noreturn_ _printf_(4, 5) void dt_cc_error(struct dt_cc *cc, const char *tag, int line,
					   const char *fmt, ...);

/* ---- types ---- */
enum dt_tkind {
	DT_T_VOID,
	DT_T_INT,
	DT_T_STR,
	DT_T_STACK, /* stacks: aggregation keys only */
	DT_T_SOU,   /* a structure: only what a pointer points to */
};
#define DT_STACK_FRAMES 32
#define DT_STACK_SIZE (16 + 8 * DT_STACK_FRAMES) /* bytes, the pid, the addresses */

/*
 * A pointer is an unsigned 64-bit integer with ptr set and what it points to described by
 * pkind, psize and psign (an integer, void) or sou (a structure of xlate.c, index + 1).
 */
struct dt_type {
	uint8_t kind;
	uint8_t size; /* integers: 1, 2, 4, 8 */
	bool sign;    /* stacks: sign means a user stack */
	bool ptr;
	uint8_t pkind, psize;
	bool psign;
	uint8_t sou;
};

#define DT_INT ((struct dt_type){ .kind = DT_T_INT, .size = 4, .sign = true })
#define DT_UINT ((struct dt_type){ .kind = DT_T_INT, .size = 4, .sign = false })
#define DT_LONG ((struct dt_type){ .kind = DT_T_INT, .size = 8, .sign = true })
#define DT_ULONG ((struct dt_type){ .kind = DT_T_INT, .size = 8, .sign = false })
#define DT_STRING ((struct dt_type){ .kind = DT_T_STR, .size = 0, .sign = false })
#define DT_VOID ((struct dt_type){ .kind = DT_T_VOID, .size = 0, .sign = false })

/* ---- tokens ---- */
enum dt_tok {
	TK_EOF,
	TK_INT,
	TK_STR,
	TK_IDENT,
	TK_AGG,	  /* @name or @ */
	TK_MACRO, /* $1, $target, $pid */
	TK_PDESC, /* a probe description, lexed at the start of a clause */
	TK_PUNCT, /* text holds the operator */
};

struct dt_token {
	enum dt_tok kind;
	int line;
	char text[64]; /* operator or identifier (identifiers are limited to 63 characters) */
	char *str;     /* string literal, probe description (owned by the lexer's arena) */
	size_t len;
	uint64_t ival;
	bool is_unsigned, is_long;
};

struct dt_lexer {
	struct dt_cc *cc;
	const char *src, *p;
	int line;
	bool pdesc_mode; /* the next token may be a probe description */
};

void dt_lex_init(struct dt_lexer *lx, struct dt_cc *cc, const char *src);
void dt_lex_next(struct dt_lexer *lx, struct dt_token *t);

/* ---- syntax tree ---- */
enum dt_nkind {
	N_INT,
	N_STR,
	N_VAR,	   /* global scalar (or associative array when nargs > 0) */
	N_SELF,	   /* self->name */
	N_THIS,	   /* this->name */
	N_BUILTIN, /* pid, execname, arg0, ... */
	N_ARGS,	   /* args[i] */
	N_AGG,	   /* @name[keys] (an lvalue of an aggregation) */
	N_UNOP,
	N_BINOP,
	N_LOGIC, /* && || ^^ */
	N_COND,
	N_ASSIGN,
	N_INCDEC, /* ++/-- pre or post */
	N_CAST,
	N_CALL, /* subroutines and actions */
	N_SIZEOF,
	N_DEREF,  /* *p */
	N_MEMBER, /* p->name (op '>') or (*p).name (op '.') */
};

enum dt_op {
	OP_ADD = 1,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_AND,
	OP_OR,
	OP_XOR,
	OP_SHL,
	OP_SHR,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_LAND,
	OP_LOR,
	OP_LXOR,
	OP_NEG,
	OP_NOT,
	OP_BNOT,
	OP_PLUS,
	OP_PREINC,
	OP_PREDEC,
	OP_POSTINC,
	OP_POSTDEC,
};

struct dt_ident;

struct dt_node {
	enum dt_nkind kind;
	int op; /* dt_op; for N_ASSIGN the compound operator or 0 */
	int line;
	struct dt_node *l, *r, *c;
	struct dt_node **args; /* call arguments or tuple keys */
	int nargs;
	char *name;
	uint64_t ival;
	char *str;
	size_t slen;
	struct dt_type type;
	struct dt_ident *id;
	int builtin;  /* enum dt_builtin or enum dt_func */
	int32_t soff; /* scratch offset of a string result */
	int32_t koff; /* scratch offset of a tuple key */
};

enum dt_skind { S_EXPR, S_IF, S_BLOCK };

struct dt_stmt {
	enum dt_skind kind;
	int line;
	struct dt_node *expr;
	struct dt_stmt *body, *alt; /* if: then and else; block: its statements */
	struct dt_stmt *next;
};

struct dt_pdesc {
	const char *prov, *mod, *func, *name;
	const char *text;
	int line;
};

struct dt_clause {
	int id;
	int line;
	struct dt_pdesc *pdescs;
	int npdescs;
	struct dt_node *pred;
	struct dt_stmt *body;
	bool default_action; /* no statements: trace the probe */
	/* records the clause emits, in order, filled by code generation */
	struct dt_rec *recs;
	int nrecs;
	uint32_t recsize;
	/* probes matched */
	uint32_t *probes;
	int nprobes;
};

/* ---- identifiers ---- */
enum dt_idkind { ID_GLOBAL, ID_ARRAY, ID_SELF, ID_THIS, ID_AGG };

enum dt_aggfn {
	AGG_COUNT = 1,
	AGG_SUM,
	AGG_AVG,
	AGG_MIN,
	AGG_MAX,
	AGG_STDDEV,
	AGG_QUANTIZE,
	AGG_LQUANTIZE,
	AGG_LLQUANTIZE,
};

struct dt_ident {
	enum dt_idkind kind;
	char *name;
	struct dt_type type; /* value type; DT_VOID until assigned */
	bool declared, assigned;
	int id;
	int nkeys;
	struct dt_type keys[DT_MAX_KEYS];
	uint32_t keylen[DT_MAX_KEYS]; /* bytes of each key in the map's key */
	uint32_t str_keys_any;	      /* bit i: string key i is not always execname */
	uint32_t keysize, valsize;
	uint32_t off; /* globals: offset in the globals map; this->: offset in the clause area */
	int fd;	      /* the map */
	/* aggregations */
	enum dt_aggfn fn;
	int64_t a1, a2, a3, a4; /* lquantize base, limit, step; llquantize factor, lmag, hmag, steps
				 */
	int nbuckets;
	uint64_t normal;
	bool printed;
	struct dt_ident *next;
};

/* ---- built-in variables and functions ---- */
enum dt_builtin {
	B_PID = 1,
	B_TID,
	B_PPID,
	B_UID,
	B_GID,
	B_EXECNAME,
	B_ZONENAME,
	B_PROBEPROV,
	B_PROBEMOD,
	B_PROBEFUNC,
	B_PROBENAME,
	B_TIMESTAMP,
	B_VTIMESTAMP,
	B_WALLTIMESTAMP,
	B_ARG,
	B_ERRNO,
	B_CPU,
	B_EPID,
	B_ID,
	B_CURPSINFO,
	B_CURLWPSINFO,
};

enum dt_func {
	F_TRACE = 1,
	F_PRINTF,
	F_PRINTA,
	F_EXIT,
	F_STACK,
	F_USTACK,
	F_COPYINSTR,
	F_STRINGOF,
	F_STRLEN,
	F_STRJOIN,
	F_SUBSTR,
	F_INDEX,
	F_STRCHR,
	F_BASENAME,
	F_DIRNAME,
	F_SYSTEM,
	F_RAISE,
	F_TRUNC,
	F_CLEAR,
	F_NORMALIZE,
	F_DENORMALIZE,
	F_SPECULATION,
	F_SPECULATE,
	F_COMMIT,
	F_DISCARD,
	F_COPYIN,
	F_NTOHS, /* and htons: byte order swaps, 16, 32 and 64 bits */
	F_NTOHL,
	F_NTOHLL,
};

/* ---- records a clause writes to the event buffer ---- */
enum dt_rkind {
	R_TRACE,     /* one value */
	R_PRINTF,    /* a format and its arguments */
	R_PRINTA,    /* an aggregation (and maybe a format) */
	R_EXIT,	     /* exit status */
	R_CLEAR,     /* clear(@a) */
	R_TRUNC,     /* trunc(@a, n) */
	R_NORMALIZE, /* normalize(@a, n) */
	R_DENORMALIZE,
	R_SYSTEM,  /* system(fmt, ...) */
	R_STACK,   /* stack()/ustack(): the raw addresses */
	R_COMMIT,  /* commit(id): the speculation's records are shown */
	R_DISCARD, /* discard(id): they are dropped */
};

struct dt_rarg {
	struct dt_type type;
	uint32_t off;
};

struct dt_rec {
	enum dt_rkind kind;
	uint32_t off; /* of the first value */
	char *fmt;    /* printf/printa/system format, NULL for none */
	struct dt_rarg args[DT_MAX_KEYS + 8];
	int nargs;
	struct dt_ident *agg;
	bool user_stack;
};

/* What a record in the event buffer starts with. */
struct dt_ehdr {
	uint32_t clause;
	uint32_t probe;
	uint32_t cpu;
	uint16_t kind;	/* 0: data; 1: a run-time error (fault, action) follows */
	uint16_t spec;	/* the speculation the record belongs to, 0 for none */
	uint64_t fired; /* bit i: record i was written (actions under if/else may not be) */
};

/* DTrace's fault codes (arg4 of dtrace:::ERROR) */
enum dt_fault { FLT_BADADDR = 1, FLT_DIVZERO = 4, FLT_BADINDEX = 11 };

/* The error record: the header, the fault, the action, the address (invalid address) */
#define DT_ERR_RECSIZE 48

/* The pointer value of memory copied in to the scratch area: a tag above user and below kernel
 * addresses, or-ed with the offset in the area. */
#define DT_SCRATCH_TAG 0x5c00000000000000ull

/* ---- structures (xlate.c) ---- */
/* The members of translated structures: computed from a task (psinfo_t, lwpsinfo_t) or a block
 * request (bufinfo_t, devinfo_t, fileinfo_t) by the code generator. */
enum dt_xmember {
	X_PR_PID = 1,
	X_PR_PPID,
	X_PR_UID,
	X_PR_GID,
	X_PR_FNAME,
	X_PR_PSARGS,
	X_PR_LWPID,
	X_B_FLAGS,
	X_B_BCOUNT,
	X_B_BLKNO,
	X_DEV_MAJOR,
	X_DEV_MINOR,
	X_DEV_STATNAME,
	X_UNKNOWN, /* what the kernel does not tell: "<unknown>" */
	X_ZERO,
};

struct dt_member {
	const char *name;
	struct dt_type type;
	int off;   /* plain structures: the offset in memory */
	int xlate; /* translated ones: enum dt_xmember */
	int len;   /* a char array (a string member): its length */
};

struct dt_sou {
	const char *tname; /* the typedef name ("psinfo_t"), or NULL */
	const char *sname; /* the structure tag ("psinfo" of struct psinfo) */
	uint32_t size;	   /* plain structures: bytes in memory */
	bool translated;
	const struct dt_member *members;
	int nmembers;
};

struct dt_program;
/* The structure numbered sou: DTrace's and the fixed ones, then those program p defines (p may
 * be NULL: the fixed ones only). */
const struct dt_sou *dt_sou_get(const struct dt_program *p, int sou);
/* The structure named name, as a tag (struct name) or a typedef name; 0 if none. */
int dt_sou_find(const struct dt_program *p, const char *name, bool tag);
/* A structure the program defines: its number, or -E2BIG when there are too many. */
int dt_sou_add(struct dt_program *p, const struct dt_sou *sou);
const struct dt_member *dt_sou_member(const struct dt_program *p, int sou, const char *name);
/* A pointer to structure sou. */
struct dt_type dt_sou_ptr(int sou);
struct dt_probe;
/* The raw argument "number" of proc:::exit's args[0], computed from the exiting task */
#define DT_ARG_EXIT_REASON 100
/* The type of args[i] of a probe and the raw argument it comes from; -ERANGE past the last. */
int dt_probe_arg_type(const struct dt_probe *pr, int i, struct dt_type *ret, int *ret_raw);

/* ---- probes ---- */
enum dt_ptype {
	P_BEGIN,
	P_END,
	P_ERROR,
	P_SYSCALL_ENTRY,
	P_SYSCALL_RETURN,
	P_PROFILE,
	P_TICK,
	P_TP_RAW,
	P_UPROBE,
	P_VTIME, /* not a probe: the on-CPU time accounting behind vtimestamp, on sched_switch */
};

/* USDT argument locations (sys/sdt.h notes): a register, memory at a register plus a
 * displacement, or a constant. */
struct dt_usdt_arg {
	uint8_t kind; /* 0: none, 1: register, 2: memory, 3: constant */
	int8_t size;  /* bytes, negative when signed */
	int16_t reg;  /* offset in struct pt_regs */
	int64_t disp; /* memory displacement or the constant */
};

struct dt_probe {
	uint32_t id;
	enum dt_ptype type;
	char prov[32], mod[64], func[64], name[64];
	int nr;			   /* syscall number, or -1 */
	uint64_t period;	   /* profile/tick, ns */
	const struct dt_tpdef *tp; /* proc/sched/io probes */
	char path[256];		   /* pid probes: the file, the offset in it, return or not */
	uint64_t uoff;
	bool uret;
	int upid;
	uint64_t uref; /* usdt: the file offset of the probe's semaphore, or 0 */
	struct dt_usdt_arg uargs[DT_MAX_ARGS];
	bool usdt;
};

/* ELF helpers for the pid and usdt providers (uprobe.c). */
typedef struct Elf Elf;
struct dt_ufunc {
	char name[64];
	uint64_t addr, size;
};
/* The file offset of an executable virtual address, through the PT_LOAD headers. */
int dt_elf_offset(Elf *e, uint64_t addr, uint64_t *ret);
/* The defined functions of an ELF file whose names match glob; the open file is returned to
 * the caller (elf_end, close). */
int dt_elf_functions(const char *path, const char *glob, struct dt_ufunc **ret, int *n,
		     Elf **ret_elf, int *ret_fd);
/* The executable ELF files a process maps: a path to open and a module name ("a.out" first). */
int dt_proc_modules(int pid, char (*paths)[256], char (*mods)[64], int max);

/* The usdt probes (provider<PID>:module:function:name) matching d. */
int dt_usdt_match(const struct dt_pdesc *d, int pid, const char *provider,
		  struct dt_probe *(*add)(void), uint32_t **ret, int *nret);

/* The pid provider's probes matching d in process pid, made with add() (a new probe in the
 * table) and appended to *ret. */
int dt_uprobe_match(const struct dt_pdesc *d, int pid, struct dt_probe *(*add)(void),
		    uint32_t **ret, int *nret);

/* A probe of a provider that rides a kernel tracepoint (proc, sched, io). */
struct dt_tpdef {
	const char *prov, *name;
	const char *tp; /* raw tracepoint name */
	const char *func;
};

/* The x86-64 system call names, indexed by number (NULL for holes). */
extern const char *const dt_syscall_names[];
extern const int dt_syscall_count;

/* Match a glob (*, ?, [set]) as DTrace matches probe description fields; "" matches all. */
bool dt_glob_match(const char *pattern, const char *s);
/* Parse "prov:mod:func:name" (fields omitted from the left) into d, strings owned by cc. */
int dt_pdesc_parse(const char *text, struct dt_pdesc *d);
/* The probes matching d, appended to *probes (grown with realloc). Profile and tick probes
 * are created as they are named. */
int dt_probes_match(const struct dt_pdesc *d, uint32_t **probes, int *n);
const struct dt_probe *dt_probe_get(uint32_t id);
uint32_t dt_probe_count(void);
/* The id of the first syscall probe: syscall N entry is base + 2N, return base + 2N + 1. */
uint32_t dt_probe_syscall_base(void);

/* ---- the compiler and the program ---- */
struct dt_cc {
	jmp_buf jb;
	struct dt_diag *diag;
	struct dt_lexer lx;
	struct dt_token tok, peek;
	bool have_peek;
	struct dt_program *prog;
	int depth;
	struct dt_clause *clause; /* the clause being checked */
};

struct dt_attach {
	enum dt_ptype type;
	const char *tp;	 /* raw tracepoint name */
	uint64_t period; /* profile/tick */
	uint32_t probe;	 /* pid probes: one attachment each */
	int prog_fd;
	int *fds; /* links or perf events */
	int nfds;
	struct dt_clause **clauses;
	int nclauses;
};

struct dt_program {
	struct dt_options opts;
	char **argv;
	int argc;
	int target;
	struct dt_clause *clauses;
	int nclauses;
	struct dt_ident *idents; /* every variable and aggregation */
	int nidents;
	uint32_t globals_size;
	uint32_t this_size;    /* clause-local variables, at the start of the scratch area */
	uint32_t scratch_size; /* the largest scratch use of a clause */
	unsigned matches;
	void **arena; /* every allocation of the compiler, freed together */
	size_t narena;
	/* runtime */
	FILE *out;
	int ringbuf_fd, scratch_fd, recbuf_fd, depth_fd, globals_fd, drops_fd, pnames_fd, zones_fd;
	struct ring_buffer *rb;
	struct dt_attach *attach;
	int nattach;
	int begin_fd, end_fd, error_fd;
	bool done, heading, stopped;
	int exit_status;
	uint64_t drops_seen[256];
	int spec_fd;
	struct dt_spec_buf {
		uint8_t **recs;
		size_t *sizes;
		size_t n;
	} specs[DT_NSPEC + 1];
	uint64_t walltime_off;
	int vtime_fd; /* thread id -> on-CPU ns so far and when it last came on, for vtimestamp */
	bool need_pnames, need_zones, need_btf, need_vtime;
	struct dt_sou *sous; /* the structures the program defines */
	int nsous;
	int flow_indent;		  /* -F: the indentation of the next line */
	uint32_t flow_probe, flow_clause; /* the last record's, for -F */
	uint8_t *flow_pending;		  /* -F: a return's record, until the next one */
	size_t flow_pending_size;
	bool flow_not_last; /* the return shown is followed by another clause's record */
};

void *dt_alloc(struct dt_program *p, size_t n);
char *dt_strdup(struct dt_program *p, const char *s, size_t n);

void dt_parse_program(struct dt_cc *cc, bool probe_spec);
void dt_sema_program(struct dt_cc *cc);
/* The type of a D type name ("int", "uint64_t", "string"), false if s is not one. */
bool dt_type_name(const char *s, struct dt_type *t);

/* The lower bounds of the buckets of a quantize, lquantize or llquantize aggregation, in a
 * new array; returns their count. */
int dt_agg_bounds(const struct dt_ident *id, int64_t **ret);

/* Print n instructions under a title, in the verifier's notation (-S). */
void dt_disasm(FILE *out, const char *title, const struct bpf_insn *insns, int n);

/* Generate the BPF of one attachment into insns; returns the count or a negative errno. */
int dt_cg_attach(struct dt_program *p, struct dt_attach *a, struct bpf_insn **ret_insns);

int dt_maps_create(struct dt_program *p);
int dt_load_attach(struct dt_program *p);
void dt_load_detach(struct dt_program *p);
/* Close every program, link and map. */
void dt_program_release(struct dt_program *p);
/* Run BEGIN, END or ERROR once, with arg0..arg5 from args (NULL: zeroes). */
int dt_run_once(struct dt_program *p, int prog_fd, const uint64_t *args);

/* consumer */
int dt_consume_init(struct dt_program *p);
int dt_consume_poll(struct dt_program *p, int timeout_ms);
void dt_consume_drops(struct dt_program *p);
int dt_agg_print(struct dt_program *p, struct dt_ident *agg, const char *fmt);
int dt_agg_clear(struct dt_program *p, struct dt_ident *agg, bool remove, int64_t keep);
int dt_printf_format(struct dt_program *p, FILE *out, const char *fmt, const struct dt_rarg *args,
		     int nargs, const uint8_t *data, size_t size);
/* Validate a printf format against its argument types (D_PRINTF_* errors). */
void dt_printf_check(struct dt_cc *cc, int line, const char *fmt, struct dt_node **args, int nargs);
/* Print a stack() or ustack() record: byte count, pid, addresses. */
void dt_stack_print(FILE *out, const uint8_t *d, bool user);
/* Print one value as trace() does. */
void dt_print_value(struct dt_program *p, FILE *out, struct dt_type t, const uint8_t *data);

/* zones */
int dt_zones_fill(struct dt_program *p);
int dt_btf_offsets(void);
struct dt_btf_off {
	int task_real_parent, task_tgid, task_thread_pid; /* struct task_struct */
	int task_pid, task_comm;
	int pid_level, pid_numbers, upid_size, upid_ns; /* struct pid, struct upid */
	int pidns_inum;					/* struct pid_namespace: ns.inum */
	/* translated structures: -1 when the kernel's BTF lacks the field */
	int task_real_cred, cred_uid, cred_gid, task_mm, mm_arg_start, mm_arg_end, task_exit_code;
	int rq_data_len, rq_sector, rq_cmd_flags, rq_q, q_disk, disk_name, disk_major,
		disk_first_minor;
};
extern struct dt_btf_off dt_btf;

#endif
