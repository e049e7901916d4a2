// SPDX-License-Identifier: MIT
/*
 * sema.c - the semantic checks of D: probe descriptions resolved against the probe table,
 * identifiers resolved (built-in variables, macro arguments, globals, associative arrays,
 * self-> and this-> variables, aggregations), types computed with C's integer promotions and
 * usual arithmetic conversions, and calls checked against the prototypes of D's actions,
 * subroutines and aggregating functions. Every error carries DTrace's D_* tag.
 */
#include "dt_impl.h"

#include <ctype.h>

static const struct {
	const char *name;
	struct dt_type type;
} type_names[] = {
	{ "char", { .kind = DT_T_INT, .size = 1, .sign = true } },
	{ "signed char", { .kind = DT_T_INT, .size = 1, .sign = true } },
	{ "unsigned char", { .kind = DT_T_INT, .size = 1, .sign = false } },
	{ "short", { .kind = DT_T_INT, .size = 2, .sign = true } },
	{ "short int", { .kind = DT_T_INT, .size = 2, .sign = true } },
	{ "signed short", { .kind = DT_T_INT, .size = 2, .sign = true } },
	{ "unsigned short", { .kind = DT_T_INT, .size = 2, .sign = false } },
	{ "unsigned short int", { .kind = DT_T_INT, .size = 2, .sign = false } },
	{ "int", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "signed", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "signed int", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "unsigned", { .kind = DT_T_INT, .size = 4, .sign = false } },
	{ "unsigned int", { .kind = DT_T_INT, .size = 4, .sign = false } },
	{ "long", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "long int", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "signed long", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "unsigned long", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "unsigned long int", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "long long", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "long long int", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "signed long long", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "unsigned long long", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "unsigned long long int", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "int8_t", { .kind = DT_T_INT, .size = 1, .sign = true } },
	{ "uint8_t", { .kind = DT_T_INT, .size = 1, .sign = false } },
	{ "int16_t", { .kind = DT_T_INT, .size = 2, .sign = true } },
	{ "uint16_t", { .kind = DT_T_INT, .size = 2, .sign = false } },
	{ "int32_t", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "uint32_t", { .kind = DT_T_INT, .size = 4, .sign = false } },
	{ "int64_t", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "uint64_t", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "intptr_t", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "uintptr_t", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "size_t", { .kind = DT_T_INT, .size = 8, .sign = false } },
	{ "ssize_t", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "off_t", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "pid_t", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "id_t", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "uid_t", { .kind = DT_T_INT, .size = 4, .sign = false } },
	{ "gid_t", { .kind = DT_T_INT, .size = 4, .sign = false } },
	{ "processorid_t", { .kind = DT_T_INT, .size = 4, .sign = true } },
	{ "hrtime_t", { .kind = DT_T_INT, .size = 8, .sign = true } },
	{ "string", { .kind = DT_T_STR, .size = 0, .sign = false } },
	{ "void", { .kind = DT_T_VOID, .size = 0, .sign = false } },
};

bool dt_type_name(const char *s, struct dt_type *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (streq(type_names[i].name, s)) {
			*t = type_names[i].type;
			return true;
		}
	return false;
}

static const char *type_str(struct dt_cc *cc, struct dt_type t)
{
	/* two buffers: a message names two types at most */
	static char bufs[2][80];
	static int next;

	if (t.ptr || t.kind == DT_T_SOU) {
		const struct dt_sou *sou = dt_sou_get(cc->prog, t.sou);
		struct dt_type to = { t.pkind, t.psize, t.psign, false, 0, 0, false, 0 };
		char *b = bufs[next];

		next = !next;
		if (t.kind == DT_T_SOU || t.pkind == DT_T_SOU)
			snprintf(b, sizeof(bufs[0]), "%s%s%s%s", sou->tname ? "" : "struct ",
				 sou->tname ? sou->tname : sou->sname, t.ptr ? " " : "",
				 t.ptr ? "*" : "");
		else
			snprintf(b, sizeof(bufs[0]), "%s *", type_str(cc, to));
		return b;
	}
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type.kind == t.kind && type_names[i].type.size == t.size &&
		    type_names[i].type.sign == t.sign)
			return type_names[i].name;
	return "void";
}

static const struct {
	const char *name;
	int b;
	struct dt_type type;
} builtins[] = {
	{ "pid", B_PID, DT_INT },
	{ "tid", B_TID, DT_INT },
	{ "ppid", B_PPID, DT_INT },
	{ "uid", B_UID, DT_UINT },
	{ "gid", B_GID, DT_UINT },
	{ "execname", B_EXECNAME, DT_STRING },
	{ "zonename", B_ZONENAME, DT_STRING },
	{ "probeprov", B_PROBEPROV, DT_STRING },
	{ "probemod", B_PROBEMOD, DT_STRING },
	{ "probefunc", B_PROBEFUNC, DT_STRING },
	{ "probename", B_PROBENAME, DT_STRING },
	{ "timestamp", B_TIMESTAMP, DT_ULONG },
	{ "vtimestamp", B_VTIMESTAMP, DT_ULONG },
	{ "walltimestamp", B_WALLTIMESTAMP, DT_LONG },
	{ "errno", B_ERRNO, DT_INT },
	{ "cpu", B_CPU, DT_INT },
	{ "epid", B_EPID, DT_UINT },
	{ "id", B_ID, DT_UINT },
};

/* Actions and subroutines: name, code, minimum and maximum argument counts, result type,
 * whether it is an action (a statement only). */
static const struct {
	const char *name;
	int f;
	int min, max;
	struct dt_type ret;
	bool action;
} funcs[] = {
	{ "trace", F_TRACE, 1, 1, DT_VOID, true },
	{ "printf", F_PRINTF, 1, 32, DT_VOID, true },
	{ "printa", F_PRINTA, 1, 2, DT_VOID, true },
	{ "exit", F_EXIT, 1, 1, DT_VOID, true },
	{ "stack", F_STACK, 0, 1, DT_VOID, true },
	{ "ustack", F_USTACK, 0, 2, DT_VOID, true },
	{ "system", F_SYSTEM, 1, 32, DT_VOID, true },
	{ "raise", F_RAISE, 1, 1, DT_VOID, true },
	{ "trunc", F_TRUNC, 1, 2, DT_VOID, true },
	{ "clear", F_CLEAR, 1, 1, DT_VOID, true },
	{ "normalize", F_NORMALIZE, 2, 2, DT_VOID, true },
	{ "denormalize", F_DENORMALIZE, 1, 1, DT_VOID, true },
	{ "speculation", F_SPECULATION, 0, 0, DT_INT, false },
	{ "speculate", F_SPECULATE, 1, 1, DT_VOID, true },
	{ "commit", F_COMMIT, 1, 1, DT_VOID, true },
	{ "discard", F_DISCARD, 1, 1, DT_VOID, true },
	{ "copyin", F_COPYIN, 2, 2, DT_ULONG, false },
	{ "copyinstr", F_COPYINSTR, 1, 2, DT_STRING, false },
	{ "stringof", F_STRINGOF, 1, 1, DT_STRING, false },
	{ "strlen", F_STRLEN, 1, 1, DT_ULONG, false },
	{ "strjoin", F_STRJOIN, 2, 2, DT_STRING, false },
	{ "substr", F_SUBSTR, 2, 3, DT_STRING, false },
	{ "index", F_INDEX, 2, 3, DT_INT, false },
	{ "strchr", F_STRCHR, 2, 2, DT_STRING, false },
	{ "basename", F_BASENAME, 1, 1, DT_STRING, false },
	{ "dirname", F_DIRNAME, 1, 1, DT_STRING, false },
	{ "ntohs", F_NTOHS, 1, 1, { .kind = DT_T_INT, .size = 2, .sign = false }, false },
	{ "htons", F_NTOHS, 1, 1, { .kind = DT_T_INT, .size = 2, .sign = false }, false },
	{ "ntohl", F_NTOHL, 1, 1, DT_UINT, false },
	{ "htonl", F_NTOHL, 1, 1, DT_UINT, false },
	{ "ntohll", F_NTOHLL, 1, 1, DT_ULONG, false },
	{ "htonll", F_NTOHLL, 1, 1, DT_ULONG, false },
};

static const struct {
	const char *name;
	enum dt_aggfn fn;
	int min, max;
} aggfns[] = {
	{ "count", AGG_COUNT, 0, 0 },
	{ "sum", AGG_SUM, 1, 1 },
	{ "avg", AGG_AVG, 1, 1 },
	{ "min", AGG_MIN, 1, 1 },
	{ "max", AGG_MAX, 1, 1 },
	{ "stddev", AGG_STDDEV, 1, 1 },
	{ "quantize", AGG_QUANTIZE, 1, 2 },
	{ "lquantize", AGG_LQUANTIZE, 3, 5 },
	{ "llquantize", AGG_LLQUANTIZE, 5, 6 },
};

static struct dt_ident *ident_find(struct dt_program *p, enum dt_idkind kind, const char *name)
{
	for (struct dt_ident *id = p->idents; id; id = id->next) {
		bool same = id->kind == kind || ((kind == ID_GLOBAL || kind == ID_ARRAY) &&
						 (id->kind == ID_GLOBAL || id->kind == ID_ARRAY));

		if (same && streq(id->name, name))
			return id;
	}
	return NULL;
}

static struct dt_ident *ident_add(struct dt_program *p, enum dt_idkind kind, const char *name)
{
	struct dt_ident *id = dt_alloc(p, sizeof(*id)), **tail = &p->idents;

	id->kind = kind;
	id->name = dt_strdup(p, name, strlen(name));
	id->id = p->nidents++;
	id->fd = -1;
	id->normal = 1;
	while (*tail)
		tail = &(*tail)->next;
	*tail = id;
	return id;
}

static bool is_int(struct dt_node *n)
{
	return n->type.kind == DT_T_INT;
}

/* C's usual arithmetic conversions for two integer types. */
static struct dt_type arith(struct dt_type a, struct dt_type b)
{
	struct dt_type t = DT_INT;

	if (a.size < 4)
		a = DT_INT;
	if (b.size < 4)
		b = DT_INT;
	t.size = MAX(a.size, b.size);
	if (a.size == b.size)
		t.sign = a.sign && b.sign;
	else
		t.sign = a.size > b.size ? a.sign : b.sign;
	return t;
}

static void need_int(struct dt_cc *cc, struct dt_node *n, const char *op)
{
	if (!is_int(n))
		dt_cc_error(cc, "D_OP_INT", n->line,
			    "operator %s requires an operand of integral type", op);
}

static const char *op_str(int op)
{
	static const char *const s[] = {
		[OP_ADD] = "+",	    [OP_SUB] = "-",	 [OP_MUL] = "*",     [OP_DIV] = "/",
		[OP_MOD] = "%",	    [OP_AND] = "&",	 [OP_OR] = "|",	     [OP_XOR] = "^",
		[OP_SHL] = "<<",    [OP_SHR] = ">>",	 [OP_EQ] = "==",     [OP_NE] = "!=",
		[OP_LT] = "<",	    [OP_LE] = "<=",	 [OP_GT] = ">",	     [OP_GE] = ">=",
		[OP_LAND] = "&&",   [OP_LOR] = "||",	 [OP_LXOR] = "^^",   [OP_NEG] = "-",
		[OP_NOT] = "!",	    [OP_BNOT] = "~",	 [OP_PLUS] = "+",    [OP_PREINC] = "++",
		[OP_PREDEC] = "--", [OP_POSTINC] = "++", [OP_POSTDEC] = "--"
	};

	return op > 0 && op < (int)ARRAY_SIZE(s) && s[op] ? s[op] : "=";
}

static void check(struct dt_cc *cc, struct dt_node *n);

static void keys_check(struct dt_cc *cc, struct dt_node *n, struct dt_ident *id)
{
	if (n->nargs > DT_MAX_KEYS)
		dt_cc_error(cc, "D_ARR_BADREF", n->line, "%s: too many keys (at most %d)", n->name,
			    DT_MAX_KEYS);
	for (int i = 0; i < n->nargs; i++) {
		struct dt_node *k = n->args[i];

		/* @[stack()], @[ustack()]: a stack as the key of an aggregation */
		if (id->kind == ID_AGG && k->kind == N_CALL &&
		    (streq(k->name, "stack") || streq(k->name, "ustack"))) {
			if (k->nargs > 1 || (k->nargs == 1 && k->args[0]->kind != N_INT))
				dt_cc_error(cc, "D_STACK_SIZE", n->line,
					    "%s( ) size must be an integer constant", k->name);
			k->builtin = k->name[0] == 'u' ? F_USTACK : F_STACK;
			k->type = (struct dt_type){ .kind = DT_T_STACK,
						    .size = 0,
						    .sign = k->name[0] == 'u' };
			continue;
		}
		check(cc, n->args[i]);
		if (n->args[i]->type.kind == DT_T_VOID)
			dt_cc_error(cc, "D_KEY_TYPE", n->line,
				    "%s: key #%d is of a type that cannot be a key", n->name,
				    i + 1);
	}
	if (id->nkeys == 0 && !id->assigned && id->kind != ID_AGG) {
		id->nkeys = n->nargs;
		for (int i = 0; i < n->nargs; i++)
			id->keys[i] = n->args[i]->type;
	}
	if (id->kind == ID_AGG && id->fn == 0) {
		id->nkeys = n->nargs;
		for (int i = 0; i < n->nargs; i++)
			id->keys[i] = n->args[i]->type;
	}
	if (id->nkeys != n->nargs)
		dt_cc_error(cc, id->kind == ID_AGG ? "D_AGG_REDEF" : "D_ARR_BADREF", n->line,
			    "%s%s: %d keys used where %d were declared",
			    id->kind == ID_AGG ? "" : "", n->name, n->nargs, id->nkeys);
	for (int i = 0; i < n->nargs; i++) {
		struct dt_type a = id->keys[i], b = n->args[i]->type;

		/* a string key that is always execname takes 16 bytes, not strsize */
		if (b.kind == DT_T_STR &&
		    !(n->args[i]->kind == N_BUILTIN && n->args[i]->builtin == B_EXECNAME))
			id->str_keys_any |= 1u << i;

		if (a.kind != b.kind || (a.kind == DT_T_STACK && a.sign != b.sign))
			dt_cc_error(cc, "D_KEY_TYPE", n->line,
				    "%s: key #%d is of type %s, not %s as before", n->name, i + 1,
				    type_str(cc, b), type_str(cc, a));
		/* integer keys are stored as 64-bit values of the declared type */
	}
}

_noreturn_ static void undefined(struct dt_cc *cc, struct dt_node *n, enum dt_idkind kind)
{
	dt_cc_error(cc, "D_IDENT_UNDEF", n->line, "failed to resolve %s%s: Unknown variable name",
		    kind == ID_SELF ? "self->" :
		    kind == ID_THIS ? "this->" :
				      "",
		    n->name);
}

/* Resolve a variable reference: read (def == NULL) or assignment of a value of type *def. */
static void var_resolve(struct dt_cc *cc, struct dt_node *n, const struct dt_type *def)
{
	struct dt_program *p = cc->prog;
	enum dt_idkind kind = n->kind == N_SELF ? ID_SELF :
			      n->kind == N_THIS ? ID_THIS :
			      n->nargs		? ID_ARRAY :
						  ID_GLOBAL;
	struct dt_ident *id = ident_find(p, kind, n->name);

	if (!id) {
		if (!def)
			undefined(cc, n, kind);
		id = ident_add(p, kind, n->name);
	}
	if (kind == ID_GLOBAL && id->kind == ID_ARRAY)
		dt_cc_error(cc, "D_ARR_BADREF", n->line,
			    "%s is an associative array and must be indexed", n->name);
	if (kind == ID_ARRAY && id->kind == ID_GLOBAL)
		dt_cc_error(cc, "D_ARR_BADREF", n->line,
			    "cannot apply [ ] to %s: it is a scalar variable", n->name);
	n->id = id;
	if (kind == ID_ARRAY)
		keys_check(cc, n, id);
	if (def) {
		if (def->kind == DT_T_VOID)
			dt_cc_error(cc, "D_OP_VFPTR", n->line,
				    "cannot assign a void expression to %s", n->name);
		if (!id->assigned && !id->declared) {
			id->type = *def;
			if (def->kind == DT_T_INT && def->size < 4)
				id->type = DT_INT;
		} else if ((id->type.kind == DT_T_STR) != (def->kind == DT_T_STR)) {
			dt_cc_error(cc, "D_OP_INCOMPAT", n->line,
				    "operands have incompatible types: \"%s\" = \"%s\"",
				    type_str(cc, id->type), type_str(cc, *def));
		}
		id->assigned = true;
	} else if (!id->assigned && !id->declared) {
		undefined(cc, n, kind);
	}
	n->type = id->type;
}

static void macro(struct dt_cc *cc, struct dt_node *n)
{
	struct dt_program *p = cc->prog;
	const char *name = n->name + 1;
	bool quoted = name[0] == '$';
	uint64_t v;

	if (quoted)
		name++;
	if (streq(name, "target") || streq(name, "pid")) {
		n->kind = N_INT;
		n->ival = streq(name, "pid") ? (uint64_t)getpid() : (uint64_t)p->target;
		n->type = DT_INT;
		return;
	}
	if (bs_parse_u64(name, &v) < 0)
		dt_cc_error(cc, "D_MACRO_UNDEF", n->line, "macro argument %s is not defined",
			    n->name);
	if (v >= (uint64_t)p->argc)
		dt_cc_error(cc, "D_MACRO_UNDEF", n->line, "macro argument %s is not defined",
			    n->name);
	const char *arg = p->argv[v];
	int64_t sv;
	char *end;

	errno = 0;
	sv = strtoll(arg, &end, 0);
	if (!quoted && *arg && !*end && errno == 0) {
		n->kind = N_INT;
		n->ival = (uint64_t)sv;
		n->type = sv >= INT32_MIN && sv <= INT32_MAX ? DT_INT : DT_LONG;
		return;
	}
	n->kind = N_STR;
	n->str = dt_strdup(p, arg, strlen(arg));
	n->slen = strlen(arg);
	n->type = DT_STRING;
}

static bool builtin(struct dt_node *n)
{
	if (streq(n->name, "curpsinfo") || streq(n->name, "curlwpsinfo")) {
		/* the current task, seen through a translated structure */
		n->kind = N_BUILTIN;
		n->builtin = n->name[3] == 'p' ? B_CURPSINFO : B_CURLWPSINFO;
		n->type = dt_sou_ptr(
			dt_sou_find(NULL, n->name[3] == 'p' ? "psinfo_t" : "lwpsinfo_t", false));
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (streq(builtins[i].name, n->name)) {
			n->kind = N_BUILTIN;
			n->builtin = builtins[i].b;
			n->type = builtins[i].type;
			return true;
		}
	if (strncmp(n->name, "arg", 3) == 0 && isdigit((unsigned char)n->name[3]) &&
	    n->name[4] == 0) {
		n->kind = N_BUILTIN;
		n->builtin = B_ARG;
		n->ival = (uint64_t)(n->name[3] - '0');
		n->type = DT_LONG;
		return true;
	}
	return false;
}

static struct dt_ident *agg_ref(struct dt_cc *cc, struct dt_node *n)
{
	struct dt_ident *id;

	if (n->kind != N_AGG || n->nargs)
		dt_cc_error(cc, "D_PRINTA_AGGARG", n->line,
			    "expected an aggregation (@name) as argument");
	id = ident_find(cc->prog, ID_AGG, n->name);
	if (!id)
		dt_cc_error(cc, "D_IDENT_UNDEF", n->line,
			    "failed to resolve %s: Unknown variable name", n->name);
	n->id = id;
	return id;
}

static int64_t const_int(struct dt_cc *cc, struct dt_node *n, const char *what)
{
	check(cc, n);
	if (n->kind == N_UNOP && n->op == OP_NEG && n->l->kind == N_INT)
		return -(int64_t)n->l->ival;
	if (n->kind != N_INT)
		dt_cc_error(cc, what, n->line, "argument must be an integer constant");
	return (int64_t)n->ival;
}

static void agg_assign(struct dt_cc *cc, struct dt_node *n)
{
	struct dt_node *a = n->l, *f = n->r;
	struct dt_ident *id;
	enum dt_aggfn fn = 0;
	int min = 0, max = 0;

	if (n->op)
		dt_cc_error(cc, "D_AGG_FUNC", n->line,
			    "%s must be assigned the result of an aggregating function", a->name);
	if (f->kind == N_CALL)
		for (size_t i = 0; i < ARRAY_SIZE(aggfns); i++)
			if (streq(aggfns[i].name, f->name)) {
				fn = aggfns[i].fn;
				min = aggfns[i].min;
				max = aggfns[i].max;
			}
	if (!fn)
		dt_cc_error(cc, "D_AGG_FUNC", n->line,
			    "%s must be assigned the result of an aggregating function", a->name);
	if (f->nargs < min || f->nargs > max) {
		if (min == max)
			dt_cc_error(cc, "D_PROTO_LEN", n->line,
				    "%s( ) prototype mismatch: %d arg%s passed, %d expected",
				    f->name, f->nargs, f->nargs == 1 ? "" : "s", min);
		dt_cc_error(cc, "D_PROTO_LEN", n->line,
			    "%s( ) prototype mismatch: %d arg%s passed, %d to %d expected", f->name,
			    f->nargs, f->nargs == 1 ? "" : "s", min, max);
	}
	for (int i = 0; i < f->nargs; i++) {
		check(cc, f->args[i]);
		if (!is_int(f->args[i]))
			dt_cc_error(cc, "D_AGG_SCALAR", n->line,
				    "%s( ) argument #%d must be of scalar type", f->name, i + 1);
	}
	id = ident_find(cc->prog, ID_AGG, a->name);
	if (!id)
		id = ident_add(cc->prog, ID_AGG, a->name);
	keys_check(cc, a, id);
	a->id = id;
	f->builtin = fn;
	if (id->fn && id->fn != fn)
		dt_cc_error(cc, "D_AGG_REDEF", n->line, "aggregation redefined: %s", a->name);
	if (fn == AGG_LQUANTIZE) {
		int64_t base = const_int(cc, f->args[1], "D_LQUANT_BASETYPE");
		int64_t limit = const_int(cc, f->args[2], "D_LQUANT_LIMTYPE");
		int64_t step = f->nargs > 3 ? const_int(cc, f->args[3], "D_LQUANT_STEPTYPE") : 1;

		if (step <= 0)
			dt_cc_error(cc, "D_LQUANT_STEPVAL", n->line,
				    "lquantize( ) step must be greater than zero");
		if (limit <= base)
			dt_cc_error(cc, "D_LQUANT_MISMATCH", n->line,
				    "lquantize( ) lower bound must be less than upper bound");
		if ((limit - base) / step > 0xffff || (limit - base) / step < 1)
			dt_cc_error(cc, "D_LQUANT_STEPLARGE", n->line,
				    "lquantize( ) step is too large or too small for the range");
		if (id->fn && (id->a1 != base || id->a2 != limit || id->a3 != step))
			dt_cc_error(cc, "D_LQUANT_MATCHBASE", n->line,
				    "lquantize( ) parameters do not match the earlier ones for %s",
				    a->name);
		id->a1 = base;
		id->a2 = limit;
		id->a3 = step;
		id->nbuckets = (int)((limit - base) / step) + 2;
	} else if (fn == AGG_LLQUANTIZE) {
		int64_t factor = const_int(cc, f->args[1], "D_LLQUANT_FACTORTYPE");
		int64_t lmag = const_int(cc, f->args[2], "D_LLQUANT_LMAGTYPE");
		int64_t hmag = const_int(cc, f->args[3], "D_LLQUANT_HMAGTYPE");
		int64_t steps = const_int(cc, f->args[4], "D_LLQUANT_STEPTYPE");
		int64_t pw = 1;

		if (factor < 2 || factor > 0xffff)
			dt_cc_error(cc, "D_LLQUANT_FACTORVAL", n->line,
				    "llquantize( ) factor must be between 2 and 65535");
		if (lmag < 0 || lmag > 0xffff)
			dt_cc_error(cc, "D_LLQUANT_LMAGVAL", n->line,
				    "llquantize( ) low magnitude must be between 0 and 65535");
		if (hmag < lmag || hmag > 0xffff)
			dt_cc_error(cc, "D_LLQUANT_HMAGVAL", n->line,
				    "llquantize( ) high magnitude must be at least the low one");
		for (int64_t i = 0; i <= hmag; i++) {
			if (pw > INT64_MAX / factor)
				dt_cc_error(
					cc, "D_LLQUANT_HMAGVAL", n->line,
					"llquantize( ) factor ** (high magnitude + 1) overflows");
			pw *= factor;
		}
		if (steps < 1 || steps > 0xffff)
			dt_cc_error(cc, "D_LLQUANT_STEPTYPE", n->line,
				    "llquantize( ) steps must be between 1 and 65535");
		if (!(steps % factor == 0 || factor % steps == 0) ||
		    (steps > factor && lmag == 0 && steps % factor != 0))
			dt_cc_error(cc, "D_LLQUANT_STEPVAL", n->line,
				    "llquantize( ) factor and steps must divide one another");
		if (id->fn &&
		    (id->a1 != factor || id->a2 != lmag || id->a3 != hmag || id->a4 != steps))
			dt_cc_error(cc, "D_LLQUANT_MATCHFACTOR", n->line,
				    "llquantize( ) parameters do not match the earlier ones for %s",
				    a->name);
		id->a1 = factor;
		id->a2 = lmag;
		id->a3 = hmag;
		id->a4 = steps;
	}
	id->fn = fn;
	id->assigned = true;
	n->type = DT_VOID;
}

static void call(struct dt_cc *cc, struct dt_node *n, bool stmt)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(aggfns); i++)
		if (streq(aggfns[i].name, n->name))
			dt_cc_error(cc, "D_AGG_FUNC", n->line,
				    "%s( ) may only be assigned to an aggregation", n->name);
	for (i = 0; i < (int)ARRAY_SIZE(funcs); i++)
		if (streq(funcs[i].name, n->name))
			break;
	if (i == (int)ARRAY_SIZE(funcs)) {
		if (streq(n->name, "chill") || streq(n->name, "breakpoint") ||
		    streq(n->name, "panic"))
			dt_cc_error(cc, "D_FUNC_UNSUP", n->line,
				    "%s( ) is not supported by this implementation", n->name);
		dt_cc_error(cc, "D_IDENT_UNDEF", n->line,
			    "failed to resolve %s: Unknown function name", n->name);
	}
	n->builtin = funcs[i].f;
	n->type = funcs[i].ret;
	if (n->builtin == F_COPYIN) {
		/* void *: memory copied in to the scratch area */
		n->type.ptr = true;
		n->type.pkind = DT_T_VOID;
	}
	if (funcs[i].action && !stmt)
		dt_cc_error(cc, "D_CG_EXPR", n->line,
			    "%s( ) may not be called from a D expression (D program context "
			    "required)",
			    n->name);
	if (n->nargs < funcs[i].min || n->nargs > funcs[i].max) {
		if (funcs[i].min == funcs[i].max)
			dt_cc_error(cc, "D_PROTO_LEN", n->line,
				    "%s( ) prototype mismatch: %d arg%s passed, %d expected",
				    n->name, n->nargs, n->nargs == 1 ? "" : "s", funcs[i].min);
		dt_cc_error(cc, "D_PROTO_LEN", n->line,
			    "%s( ) prototype mismatch: %d arg%s passed, at %s %d expected", n->name,
			    n->nargs, n->nargs == 1 ? "" : "s",
			    n->nargs < funcs[i].min ? "least" : "most",
			    n->nargs < funcs[i].min ? funcs[i].min : funcs[i].max);
	}
	switch (n->builtin) {
	case F_PRINTA:
		if (n->nargs == 2) {
			check(cc, n->args[0]);
			if (n->args[0]->kind != N_STR)
				dt_cc_error(cc, "D_PRINTF_ARG_FMT", n->line,
					    "printa( ) format must be a string constant");
		}
		agg_ref(cc, n->args[n->nargs - 1]);
		return;
	case F_CLEAR:
	case F_DENORMALIZE:
		agg_ref(cc, n->args[0]);
		return;
	case F_TRUNC:
	case F_NORMALIZE:
		agg_ref(cc, n->args[0]);
		if (n->nargs > 1) {
			check(cc, n->args[1]);
			if (!is_int(n->args[1]))
				dt_cc_error(cc, "D_PROTO_ARG", n->line,
					    "%s( ) argument #2 must be of scalar type", n->name);
		}
		return;
	default:
		break;
	}
	for (i = 0; i < n->nargs; i++) {
		check(cc, n->args[i]);
		if (n->args[i]->type.kind == DT_T_VOID)
			dt_cc_error(cc, "D_PROTO_ARG", n->line,
				    "%s( ) argument #%d is of type void", n->name, i + 1);
	}
	switch (n->builtin) {
	case F_PRINTF:
	case F_SYSTEM:
		if (n->args[0]->kind != N_STR)
			dt_cc_error(cc, "D_PRINTF_ARG_FMT", n->line,
				    "%s( ) format must be a string constant", n->name);
		dt_printf_check(cc, n->line, n->args[0]->str, n->args + 1, n->nargs - 1);
		if (n->builtin == F_SYSTEM && !cc->prog->opts.destructive)
			dt_cc_error(cc, "D_ACT_DESTRUCT", n->line,
				    "system( ) is a destructive action: allow it with -w");
		break;
	case F_SPECULATE:
	case F_COMMIT:
	case F_DISCARD:
		if (!is_int(n->args[0]))
			dt_cc_error(cc, "D_PROTO_ARG", n->line,
				    "%s( ) argument #1 must be a speculation id", n->name);
		break;
	case F_RAISE:
		if (!cc->prog->opts.destructive)
			dt_cc_error(cc, "D_ACT_DESTRUCT", n->line,
				    "raise( ) is a destructive action: allow it with -w");
		fallthrough;
	case F_EXIT:
		if (!is_int(n->args[0]))
			dt_cc_error(cc, "D_PROTO_ARG", n->line,
				    "%s( ) argument #1 is incompatible with prototype:\n"
				    "\tprototype: int\n\t argument: %s",
				    n->name, type_str(cc, n->args[0]->type));
		break;
	case F_STRLEN:
	case F_STRJOIN:
	case F_BASENAME:
	case F_DIRNAME:
	case F_SUBSTR:
	case F_INDEX:
	case F_STRCHR:
		for (i = 0; i < n->nargs; i++) {
			bool want_str = i == 0 || (i == 1 && (n->builtin == F_STRJOIN ||
							      n->builtin == F_INDEX));

			if (want_str != (n->args[i]->type.kind == DT_T_STR))
				dt_cc_error(cc, "D_PROTO_ARG", n->line,
					    "%s( ) argument #%d is incompatible with prototype:\n"
					    "\tprototype: %s\n\t argument: %s",
					    n->name, i + 1, want_str ? "char *" : "int",
					    type_str(cc, n->args[i]->type));
		}
		/* the substring is searched for with code unrolled over its bytes */
		if (n->builtin == F_INDEX &&
		    (n->args[1]->kind != N_STR || n->args[1]->slen == 0 || n->args[1]->slen > 64))
			dt_cc_error(cc, "D_PROTO_ARG", n->line,
				    "index( ) argument #2 must be a string constant of 1 to 64 "
				    "characters");
		break;
	case F_STRINGOF:
		if (n->args[0]->type.kind != DT_T_STR && !n->args[0]->type.ptr)
			dt_cc_error(cc, "D_STRINGOF_TYPE", n->line,
				    "stringof( ) operand must be a string or a pointer, not %s",
				    type_str(cc, n->args[0]->type));
		break;
	case F_NTOHS:
	case F_NTOHL:
	case F_NTOHLL:
		if (!is_int(n->args[0]))
			dt_cc_error(cc, "D_PROTO_ARG", n->line,
				    "%s( ) argument #1 must be an integer", n->name);
		break;
	case F_COPYIN:
	case F_COPYINSTR:
		for (i = 0; i < n->nargs; i++)
			if (!is_int(n->args[i]))
				dt_cc_error(cc, "D_PROTO_ARG", n->line,
					    "%s( ) argument #%d must be %s", n->name, i + 1,
					    i == 0 ? "an address" : "a size");
		break;
	case F_STACK:
	case F_USTACK:
		for (i = 0; i < n->nargs; i++)
			if (n->args[i]->kind != N_INT)
				dt_cc_error(cc, "D_STACK_SIZE", n->line,
					    "%s( ) size must be an integer constant", n->name);
		break;
	default:
		break;
	}
}

static bool lvalue(struct dt_node *n)
{
	return n->kind == N_VAR || n->kind == N_SELF || n->kind == N_THIS;
}

static void assignment(struct dt_cc *cc, struct dt_node *n)
{
	struct dt_node *l = n->l;

	if (l->kind == N_AGG) {
		agg_assign(cc, n);
		return;
	}
	if (l->kind == N_VAR && l->op == '$')
		dt_cc_error(cc, "D_OP_WRITE", n->line,
			    "operator %s= can only be applied to a "
			    "writable variable",
			    op_str(n->op));
	if (l->kind == N_VAR && !l->nargs) {
		struct dt_node tmp = *l;

		if (builtin(&tmp))
			dt_cc_error(cc, "D_OP_WRITE", n->line,
				    "operator %s can only be applied to a writable variable",
				    n->op ? op_str(n->op) : "=");
	}
	if (!lvalue(l))
		dt_cc_error(cc, "D_OP_LVAL", n->line,
			    "operator %s%s can only be applied to a writable variable",
			    n->op ? op_str(n->op) : "", "=");
	check(cc, n->r);
	if (n->op) {
		/* an undeclared variable takes the type of the right operand, as in DTrace */
		var_resolve(cc, l, is_int(n->r) ? &n->r->type : NULL);
		if (!is_int(l) || !is_int(n->r))
			dt_cc_error(cc, "D_OP_INT", n->line,
				    "operator %s= requires operands of integral type",
				    op_str(n->op));
	} else {
		var_resolve(cc, l, &n->r->type);
	}
	n->type = l->type;
}

/* args[i]: typed by the clause's probes, the same type in all of them (else a 64-bit integer
 * for system calls, whose clauses may also take in calls with fewer arguments; an error for
 * the others) */
static void args_type(struct dt_cc *cc, struct dt_node *n, int i)
{
	struct dt_clause *c = cc->clause;
	const struct dt_probe *out = NULL;
	bool first = true, fewer = false;

	n->ival = (uint64_t)i;
	n->type = DT_LONG;
	for (int j = 0; c && j < c->nprobes; j++) {
		const struct dt_probe *pr = dt_probe_get(c->probes[j]);
		struct dt_type t;
		int raw;

		if (dt_probe_arg_type(pr, i, &t, &raw) < 0) {
			out = pr;
			fewer = true;
			if (pr->type != P_SYSCALL_ENTRY)
				break;
			continue;
		}
		if (first) {
			n->type = t;
			n->ival = (uint64_t)raw;
			first = false;
			continue;
		}
		if (memcmp(&t, &n->type, sizeof(t)) == 0 && n->ival == (uint64_t)raw)
			continue;
		if (pr->type != P_SYSCALL_ENTRY)
			dt_cc_error(cc, "D_ARGS_TYPE", n->line,
				    "args[%d] differs between the probes of this clause", i);
		n->type = DT_LONG;
	}
	if (out && (first || out->type != P_SYSCALL_ENTRY))
		dt_cc_error(cc, "D_ARGS_IDX", n->line,
			    "index %d is out of range for %s:%s:%s:%s args[ ]", i, out->prov,
			    out->mod, out->func, out->name);
	if (fewer) {
		n->type = DT_LONG;
		n->ival = (uint64_t)i;
	}
	if ((n->type.sou && dt_sou_get(cc->prog, n->type.sou)->translated) ||
	    n->ival == DT_ARG_EXIT_REASON)
		cc->prog->need_btf = true;
}

/* The type a pointer points to. */
static struct dt_type pointee(struct dt_type t)
{
	return (struct dt_type){ .kind = t.pkind, .size = t.psize, .sign = t.psign, .sou = t.sou };
}

/* *p: an integer read where p points. */
static void deref(struct dt_cc *cc, struct dt_node *n)
{
	check(cc, n->l);
	if (!n->l->type.ptr)
		dt_cc_error(cc, "D_DEREF_NONPTR", n->line,
			    "unary * cannot be applied to %s: it is not a pointer",
			    type_str(cc, n->l->type));
	if (n->l->type.pkind == DT_T_VOID)
		dt_cc_error(cc, "D_DEREF_VOID", n->line, "cannot dereference a pointer to void");
	n->type = pointee(n->l->type);
	if (n->type.kind == DT_T_SOU)
		dt_cc_error(cc, "D_OP_SOU", n->line,
			    "a whole %s cannot be used as a value: name one of its members",
			    type_str(cc, n->type));
}

/* p->name, or (*p).name */
static void member(struct dt_cc *cc, struct dt_node *n)
{
	const struct dt_member *m;
	const struct dt_sou *sou;

	if (n->op == '.') {
		if (n->l->kind != N_DEREF)
			dt_cc_error(cc, "D_OP_SOU", n->line,
				    "operator . must be applied to a struct or union");
		n->l = n->l->l;
		n->op = '>';
	}
	check(cc, n->l);
	if (!n->l->type.ptr || n->l->type.pkind != DT_T_SOU)
		dt_cc_error(cc, "D_OP_SOU", n->line,
			    "operator -> must be applied to a pointer to a struct or union, not %s",
			    type_str(cc, n->l->type));
	sou = dt_sou_get(cc->prog, n->l->type.sou);
	m = dt_sou_member(cc->prog, n->l->type.sou, n->name);
	if (!m)
		dt_cc_error(cc, "D_MEMBER_NAME", n->line, "%s is not a member of %s", n->name,
			    type_str(cc, pointee(n->l->type)));
	n->type = m->type;
	n->ival = (uint64_t)m->off;
	n->builtin = m->xlate;
	n->slen = (size_t)m->len;
	if (sou->translated)
		cc->prog->need_btf = true;
}

/* Pointer arithmetic: p + i and p - i move by i of what p points to, p - q counts them. */
static void pointer_arith(struct dt_cc *cc, struct dt_node *n)
{
	struct dt_node *p = n->l->type.ptr ? n->l : n->r, *i = p == n->l ? n->r : n->l;
	const struct dt_sou *sou = dt_sou_get(cc->prog, p->type.sou);
	uint64_t size = p->type.pkind == DT_T_SOU ? sou->size : MAX(p->type.psize, 1);

	if ((n->op != OP_ADD && n->op != OP_SUB) || (n->op == OP_SUB && p == n->r))
		dt_cc_error(cc, "D_OP_ARITH", n->line, "operator %s cannot be applied to a pointer",
			    op_str(n->op));
	if (p->type.pkind == DT_T_SOU && sou->translated)
		dt_cc_error(cc, "D_OP_ARITH", n->line, "%s is not in memory: no arithmetic on it",
			    type_str(cc, p->type));
	if (i->type.ptr) {
		/* p - q: the difference in elements */
		struct dt_node *diff = dt_alloc(cc->prog, sizeof(*diff));

		*diff = *n;
		diff->type = DT_LONG;
		n->op = OP_DIV;
		n->l = diff;
		n->r = dt_alloc(cc->prog, sizeof(*n->r));
		*n->r = (struct dt_node){ .kind = N_INT,
					  .line = n->line,
					  .ival = size,
					  .type = DT_LONG,
					  .soff = -1,
					  .koff = -1 };
		n->type = DT_LONG;
		return;
	}
	if (size > 1) {
		struct dt_node *mul = dt_alloc(cc->prog, sizeof(*mul)),
			       *k = dt_alloc(cc->prog, sizeof(*k));

		*k = (struct dt_node){ .kind = N_INT,
				       .line = n->line,
				       .ival = size,
				       .type = DT_LONG,
				       .soff = -1,
				       .koff = -1 };
		*mul = (struct dt_node){ .kind = N_BINOP,
					 .op = OP_MUL,
					 .line = n->line,
					 .l = i,
					 .r = k,
					 .type = DT_LONG,
					 .soff = -1,
					 .koff = -1 };
		if (i == n->l)
			n->l = mul;
		else
			n->r = mul;
	}
	n->type = p->type;
}

static void check(struct dt_cc *cc, struct dt_node *n)
{
	switch (n->kind) {
	case N_INT:
	case N_STR:
	case N_SIZEOF:
		if (n->kind == N_SIZEOF) {
			if (!n->op) {
				check(cc, n->l);
				if (n->l->type.kind == DT_T_VOID)
					dt_cc_error(cc, "D_SIZEOF_TYPE", n->line,
						    "cannot apply sizeof to a void expression");
				n->ival = n->l->type.kind == DT_T_STR ? cc->prog->opts.strsize :
									n->l->type.size;
			} else if (n->type.kind == DT_T_STR) {
				n->ival = cc->prog->opts.strsize;
			}
			n->kind = N_INT;
			n->type = DT_ULONG;
		}
		return;
	case N_VAR:
		if (n->op == '$') {
			macro(cc, n);
			return;
		}
		if (n->nargs == 0 && builtin(n)) {
			if (n->builtin == B_PPID || n->builtin == B_ZONENAME ||
			    n->builtin == B_CURPSINFO || n->builtin == B_CURLWPSINFO)
				cc->prog->need_btf = true;
			if (n->builtin == B_ZONENAME)
				cc->prog->need_zones = true;
			if (n->builtin == B_VTIMESTAMP)
				cc->prog->need_btf = cc->prog->need_vtime = true;
			return;
		}
		if (streq(n->name, "args") && n->nargs) {
			if (n->nargs != 1)
				dt_cc_error(cc, "D_ARGS_IDX", n->line, "args[ ] takes one index");
			check(cc, n->args[0]);
			if (n->args[0]->kind != N_INT || n->args[0]->ival >= DT_MAX_ARGS)
				dt_cc_error(cc, "D_ARGS_IDX", n->line,
					    "index %" PRIu64 " is out of range for args[ ]",
					    n->args[0]->ival);
			n->kind = N_BUILTIN;
			n->builtin = B_ARG;
			args_type(cc, n, (int)n->args[0]->ival);
			return;
		}
		var_resolve(cc, n, NULL);
		return;
	case N_SELF:
	case N_THIS:
		var_resolve(cc, n, NULL);
		return;
	case N_AGG:
		dt_cc_error(cc, "D_AGG_SCALAR", n->line,
			    "aggregation %s may not be used in an expression", n->name);
	case N_UNOP:
		check(cc, n->l);
		need_int(cc, n->l, op_str(n->op));
		n->type = n->op == OP_NOT ? DT_INT : arith(n->l->type, n->l->type);
		return;
	case N_INCDEC:
		if (!lvalue(n->l))
			dt_cc_error(cc, "D_OP_LVAL", n->line,
				    "operator %s can only be applied to a writable variable",
				    op_str(n->op));
		{
			/* ++ and -- on an undeclared variable make it an int, as in DTrace */
			struct dt_type t = DT_INT;

			for (int i = 0; i < n->l->nargs; i++)
				check(cc, n->l->args[i]);
			var_resolve(cc, n->l, &t);
		}
		need_int(cc, n->l, op_str(n->op));
		n->type = n->l->type;
		return;
	case N_BINOP:
		check(cc, n->l);
		check(cc, n->r);
		if (n->op >= OP_EQ && n->op <= OP_GE) {
			if ((n->l->type.kind == DT_T_STR) != (n->r->type.kind == DT_T_STR) ||
			    n->l->type.kind == DT_T_VOID || n->r->type.kind == DT_T_VOID)
				dt_cc_error(cc, "D_OP_INCOMPAT", n->line,
					    "operands have incompatible types: \"%s\" %s \"%s\"",
					    type_str(cc, n->l->type), op_str(n->op),
					    type_str(cc, n->r->type));
			n->type = DT_INT;
			return;
		}
		if (!is_int(n->l) || !is_int(n->r))
			dt_cc_error(cc, "D_OP_ARITH", n->line,
				    "operator %s requires operands of arithmetic type",
				    op_str(n->op));
		if (n->l->type.ptr || n->r->type.ptr) {
			pointer_arith(cc, n);
			return;
		}
		if ((n->op == OP_DIV || n->op == OP_MOD) && n->r->kind == N_INT && n->r->ival == 0)
			dt_cc_error(cc, "D_DIV_ZERO", n->line,
				    "expression contains division by zero");
		if (n->op == OP_SHL || n->op == OP_SHR)
			n->type = arith(n->l->type, n->l->type);
		else
			n->type = arith(n->l->type, n->r->type);
		return;
	case N_LOGIC:
		check(cc, n->l);
		check(cc, n->r);
		if (!is_int(n->l) || !is_int(n->r))
			dt_cc_error(cc, "D_OP_SCALAR", n->line,
				    "operator %s requires operands of scalar type", op_str(n->op));
		n->type = DT_INT;
		return;
	case N_COND:
		check(cc, n->c);
		check(cc, n->l);
		check(cc, n->r);
		if (!is_int(n->c))
			dt_cc_error(cc, "D_OP_SCALAR", n->line,
				    "?: condition must be of scalar type");
		if ((n->l->type.kind == DT_T_STR) != (n->r->type.kind == DT_T_STR))
			dt_cc_error(cc, "D_OP_INCOMPAT", n->line,
				    "operands have incompatible types: \"%s\" : \"%s\"",
				    type_str(cc, n->l->type), type_str(cc, n->r->type));
		n->type = n->l->type.kind == DT_T_STR ? DT_STRING : arith(n->l->type, n->r->type);
		return;
	case N_ASSIGN:
		assignment(cc, n);
		return;
	case N_CAST:
		check(cc, n->l);
		if (n->type.kind == DT_T_STR || n->type.kind == DT_T_SOU ||
		    n->l->type.kind != DT_T_INT)
			dt_cc_error(cc, "D_CAST_INVAL", n->line,
				    "invalid cast expression: \"%s\" to \"%s\"",
				    type_str(cc, n->l->type), type_str(cc, n->type));
		return;
	case N_CALL:
		call(cc, n, false);
		return;
	case N_DEREF:
		deref(cc, n);
		return;
	case N_MEMBER:
		member(cc, n);
		return;
	case N_BUILTIN:
	case N_ARGS:
		return;
	}
}

static void statement(struct dt_cc *cc, struct dt_stmt *s)
{
	for (; s; s = s->next) {
		switch (s->kind) {
		case S_EXPR:
			if (s->expr->kind == N_CALL)
				call(cc, s->expr, true);
			else
				check(cc, s->expr);
			break;
		case S_IF:
			check(cc, s->expr);
			if (!is_int(s->expr))
				dt_cc_error(cc, "D_OP_SCALAR", s->line,
					    "if condition must be of scalar type");
			statement(cc, s->body);
			statement(cc, s->alt);
			break;
		case S_BLOCK:
			statement(cc, s->body);
			break;
		}
	}
}

static void declare(struct dt_cc *cc, struct dt_node *n)
{
	enum dt_idkind kind = n->kind == N_SELF ? ID_SELF :
			      n->kind == N_THIS ? ID_THIS :
			      n->op		? ID_ARRAY :
						  ID_GLOBAL;
	struct dt_ident *id = ident_find(cc->prog, kind, n->name);

	if (id)
		dt_cc_error(cc, "D_DECL_IDRED", n->line, "identifier redeclared: %s", n->name);
	if (n->type.kind == DT_T_VOID)
		dt_cc_error(cc, "D_DECL_VOIDOBJ", n->line, "cannot have void object: %s", n->name);
	if (n->type.kind == DT_T_SOU)
		dt_cc_error(cc, "D_DECL_TYPERR", n->line,
			    "%s: a D variable holds a pointer to a structure, not the structure",
			    n->name);
	id = ident_add(cc->prog, kind, n->name);
	id->type = n->type;
	id->declared = true;
	id->nkeys = n->nargs;
	for (int i = 0; i < n->nargs; i++)
		id->keys[i] = n->args[i]->type;
}

void dt_sema_program(struct dt_cc *cc)
{
	struct dt_program *p = cc->prog;
	int next_id = 0;

	for (int i = 0; i < p->nclauses; i++) {
		struct dt_clause *c = &p->clauses[i];

		if (c->id < 0) {
			declare(cc, c->body->expr);
			continue;
		}
		c->id = next_id++;
		cc->clause = c;
		for (int j = 0; j < c->npdescs; j++) {
			int before = c->nprobes;
			int r = dt_probes_match(&c->pdescs[j], &c->probes, &c->nprobes);

			if (r == -EINVAL)
				dt_cc_error(cc, "D_PDESC_INVAL", c->pdescs[j].line,
					    "probe description %s is not valid: %s",
					    c->pdescs[j].text, bs_error_msg());
			if (r < 0)
				dt_cc_error(cc, "D_PDESC_INVAL", c->pdescs[j].line, "%s",
					    bs_error_msg());
			if (c->nprobes == before && !p->opts.zdefs)
				dt_cc_error(cc, "D_PDESC_ZERO", c->pdescs[j].line,
					    "probe description %s does not match any probes",
					    c->pdescs[j].text);
		}
		p->matches += (unsigned)c->nprobes;
		if (c->pred) {
			check(cc, c->pred);
			if (!is_int(c->pred))
				dt_cc_error(cc, "D_PRED_SCALAR", c->pred->line,
					    "predicate result must be of scalar type");
		}
		statement(cc, c->body);
	}
}
