// SPDX-License-Identifier: MIT
/*
 * parse.c - the D parser: a recursive-descent parser from tokens to the syntax tree of
 * dt_impl.h. A program is pragmas, declarations and clauses; a clause is probe descriptions,
 * an optional /predicate/ and a body of statements. Expressions follow C's precedence, plus
 * D's ^^ (logical exclusive or), aggregations, self-> and this->. Nesting is bounded so that a
 * hostile script cannot exhaust the stack.
 */
#include "dt_impl.h"

#include <ctype.h>
#include <limits.h>

static struct dt_node *expr(struct dt_cc *cc);
static struct dt_node *assign(struct dt_cc *cc);
static struct dt_node *unary(struct dt_cc *cc);
static bool int_type_name(struct dt_cc *cc, struct dt_type *t);

static bool in_pred; /* '/' ends the predicate rather than dividing */
static int paren_depth;

static void advance(struct dt_cc *cc)
{
	if (cc->have_peek) {
		cc->tok = cc->peek;
		cc->have_peek = false;
		return;
	}
	dt_lex_next(&cc->lx, &cc->tok);
}

static struct dt_token *peek(struct dt_cc *cc)
{
	if (!cc->have_peek) {
		dt_lex_next(&cc->lx, &cc->peek);
		cc->have_peek = true;
	}
	return &cc->peek;
}

static bool is(struct dt_cc *cc, const char *punct)
{
	return cc->tok.kind == TK_PUNCT && streq(cc->tok.text, punct);
}

_noreturn_ static void syntax(struct dt_cc *cc)
{
	if (cc->tok.kind == TK_EOF)
		dt_cc_error(cc, "D_SYNTAX", cc->tok.line, "syntax error near end of input");
	dt_cc_error(cc, "D_SYNTAX", cc->tok.line, "syntax error near \"%s\"", cc->tok.text);
}

static void expect(struct dt_cc *cc, const char *punct)
{
	if (!is(cc, punct))
		syntax(cc);
	advance(cc);
}

static struct dt_node *node(struct dt_cc *cc, enum dt_nkind kind, int line)
{
	struct dt_node *n = dt_alloc(cc->prog, sizeof(*n));

	n->kind = kind;
	n->line = line;
	n->soff = -1;
	n->koff = -1;
	return n;
}

static void enter(struct dt_cc *cc)
{
	if (++cc->depth > DT_MAX_DEPTH)
		dt_cc_error(cc, "D_SYNTAX", cc->tok.line,
			    "expression nesting exceeds the limit of %d", DT_MAX_DEPTH);
}

/* A parenthesised or bracketed list of assignment expressions, up to close. */
static void arglist(struct dt_cc *cc, struct dt_node *n, const char *close)
{
	struct dt_node *a[64];
	int saved = paren_depth;

	paren_depth++;
	n->nargs = 0;
	while (!is(cc, close)) {
		if (n->nargs == (int)ARRAY_SIZE(a))
			dt_cc_error(cc, "D_PROTO_LEN", cc->tok.line, "too many arguments");
		a[n->nargs++] = assign(cc);
		if (!is(cc, ","))
			break;
		advance(cc);
	}
	expect(cc, close);
	paren_depth = saved;
	n->args = dt_alloc(cc->prog, sizeof(*n->args) * (size_t)MAX(n->nargs, 1));
	memcpy(n->args, a, sizeof(*a) * (size_t)n->nargs);
}

/* Stars after a type: a pointer to it (a second star: a pointer to a pointer-sized integer). */
static void pointer_suffix(struct dt_cc *cc, struct dt_type *t)
{
	while (is(cc, "*")) {
		struct dt_type p = DT_ULONG;

		if (t->ptr)
			*t = DT_ULONG;
		p.ptr = true;
		p.pkind = t->kind;
		p.psize = t->size;
		p.psign = t->sign;
		p.sou = t->sou;
		if (t->kind == DT_T_STR)
			dt_cc_error(cc, "D_TYPE_ERR", cc->tok.line,
				    "a pointer to string is not a type");
		*t = p;
		advance(cc);
	}
}

/* struct NAME, or a structure's typedef name: the structure type (kind DT_T_SOU). */
static bool sou_name(struct dt_cc *cc, struct dt_type *t)
{
	int sou;

	if (cc->tok.kind != TK_IDENT)
		return false;
	if (streq(cc->tok.text, "struct")) {
		advance(cc);
		if (cc->tok.kind != TK_IDENT)
			syntax(cc);
		sou = dt_sou_find(cc->prog, cc->tok.text, true);
		if (!sou)
			dt_cc_error(cc, "D_TYPE_ERR", cc->tok.line, "struct %s is not a known type",
				    cc->tok.text);
	} else {
		sou = dt_sou_find(cc->prog, cc->tok.text, false);
		if (!sou)
			return false;
	}
	advance(cc);
	*t = (struct dt_type){ .kind = DT_T_SOU, .sou = (uint8_t)sou };
	return true;
}

/* A type name at the current token (for casts, sizeof and declarations), consumed. */
static bool type_name(struct dt_cc *cc, struct dt_type *t)
{
	if (sou_name(cc, t) || int_type_name(cc, t)) {
		pointer_suffix(cc, t);
		return true;
	}
	return false;
}

static bool int_type_name(struct dt_cc *cc, struct dt_type *t)
{
	char buf[128] = "";

	if (cc->tok.kind != TK_IDENT)
		return false;
	if (!dt_type_name(cc->tok.text, t) && !streq(cc->tok.text, "unsigned") &&
	    !streq(cc->tok.text, "signed"))
		return false;
	/* multi-word C types: unsigned long long, long int, ... */
	while (cc->tok.kind == TK_IDENT &&
	       (streq(cc->tok.text, "unsigned") || streq(cc->tok.text, "signed") ||
		streq(cc->tok.text, "long") || streq(cc->tok.text, "short") ||
		streq(cc->tok.text, "int") || streq(cc->tok.text, "char") || buf[0] == 0)) {
		bool base = dt_type_name(cc->tok.text, t) && !streq(cc->tok.text, "long") &&
			    !streq(cc->tok.text, "short") && !streq(cc->tok.text, "int") &&
			    !streq(cc->tok.text, "char") && !streq(cc->tok.text, "unsigned") &&
			    !streq(cc->tok.text, "signed");

		if (strlen(buf) + strlen(cc->tok.text) + 2 < sizeof(buf)) {
			if (buf[0])
				strcat(buf, " ");
			strcat(buf, cc->tok.text);
		}
		advance(cc);
		if (base)
			break;
	}
	if (!dt_type_name(buf, t))
		dt_cc_error(cc, "D_TYPE_ERR", cc->tok.line, "invalid type combination: %s", buf);
	return true;
}

static bool is_type_word(struct dt_cc *cc, const char *s)
{
	struct dt_type t;

	return dt_type_name(s, &t) || streq(s, "unsigned") || streq(s, "signed") ||
	       streq(s, "struct") || dt_sou_find(cc->prog, s, false);
}

static bool at_type(struct dt_cc *cc)
{
	return cc->tok.kind == TK_IDENT && is_type_word(cc, cc->tok.text);
}

static struct dt_node *primary(struct dt_cc *cc)
{
	struct dt_token t = cc->tok;
	struct dt_node *n;

	switch (t.kind) {
	case TK_INT:
		n = node(cc, N_INT, t.line);
		n->ival = t.ival;
		/* C's rules for the type of a constant */
		if (t.is_long || t.ival > UINT32_MAX || (t.ival > INT32_MAX && !t.is_unsigned))
			n->type = (t.is_unsigned || t.ival > INT64_MAX) ? DT_ULONG : DT_LONG;
		else
			n->type = t.is_unsigned || t.ival > INT32_MAX ? DT_UINT : DT_INT;
		advance(cc);
		return n;
	case TK_STR:
		n = node(cc, N_STR, t.line);
		n->str = t.str;
		n->slen = t.len;
		n->type = DT_STRING;
		advance(cc);
		return n;
	case TK_MACRO:
		n = node(cc, N_VAR, t.line);
		n->name = dt_strdup(cc->prog, t.text, strlen(t.text));
		n->op = '$';
		advance(cc);
		return n;
	case TK_AGG:
		n = node(cc, N_AGG, t.line);
		n->name = dt_strdup(cc->prog, t.text, strlen(t.text));
		advance(cc);
		if (is(cc, "[")) {
			advance(cc);
			arglist(cc, n, "]");
			if (n->nargs == 0)
				syntax(cc);
			if (is(cc, "["))
				dt_cc_error(cc, "D_AGG_MDIM", t.line,
					    "%s: aggregations may not be multi-dimensional",
					    n->name);
		}
		return n;
	case TK_IDENT:
		advance(cc);
		if (streq(t.text, "self") || streq(t.text, "this")) {
			if (!is(cc, "->"))
				syntax(cc);
			advance(cc);
			if (cc->tok.kind != TK_IDENT)
				syntax(cc);
			n = node(cc, t.text[0] == 's' ? N_SELF : N_THIS, t.line);
			n->name = dt_strdup(cc->prog, cc->tok.text, strlen(cc->tok.text));
			advance(cc);
			return n;
		}
		if (streq(t.text, "sizeof")) {
			n = node(cc, N_SIZEOF, t.line);
			if (is(cc, "(")) {
				advance(cc);
				if (type_name(cc, &n->type)) {
					n->ival = n->type.kind == DT_T_STR ?
							  0 :
						  n->type.kind == DT_T_SOU ?
							  dt_sou_get(cc->prog, n->type.sou)->size :
							  n->type.size;
					if (n->type.kind == DT_T_SOU && !n->ival)
						dt_cc_error(
							cc, "D_SIZEOF_TYPE", t.line,
							"%s is translated, not in memory: it "
							"has no size",
							dt_sou_get(cc->prog, n->type.sou)->tname);
					n->op = 1;
				} else {
					n->l = expr(cc);
				}
				expect(cc, ")");
			} else {
				n->l = unary(cc);
			}
			return n;
		}
		n = node(cc, N_VAR, t.line);
		n->name = dt_strdup(cc->prog, t.text, strlen(t.text));
		if (is(cc, "(")) {
			n->kind = N_CALL;
			advance(cc);
			arglist(cc, n, ")");
		} else if (is(cc, "[")) {
			advance(cc);
			arglist(cc, n, "]");
			if (n->nargs == 0)
				syntax(cc);
		}
		return n;
	case TK_PUNCT:
		if (is(cc, "(")) {
			int saved = paren_depth;

			advance(cc);
			paren_depth++;
			n = expr(cc);
			paren_depth = saved;
			expect(cc, ")");
			return n;
		}
		break;
	default:
		break;
	}
	syntax(cc);
}

static struct dt_node *postfix(struct dt_cc *cc)
{
	struct dt_node *n = primary(cc), *p;

	for (;;) {
		if (is(cc, "++") || is(cc, "--")) {
			p = node(cc, N_INCDEC, cc->tok.line);
			p->op = is(cc, "++") ? OP_POSTINC : OP_POSTDEC;
			p->l = n;
			advance(cc);
			n = p;
		} else if (is(cc, "->") || is(cc, ".")) {
			p = node(cc, N_MEMBER, cc->tok.line);
			p->op = is(cc, "->") ? '>' : '.';
			p->l = n;
			advance(cc);
			if (cc->tok.kind != TK_IDENT)
				syntax(cc);
			p->name = dt_strdup(cc->prog, cc->tok.text, strlen(cc->tok.text));
			advance(cc);
			n = p;
		} else if (is(cc, "[")) {
			/* p[i] is *(p + i) */
			struct dt_node *add = node(cc, N_BINOP, cc->tok.line);

			advance(cc);
			add->op = OP_ADD;
			add->l = n;
			add->r = expr(cc);
			expect(cc, "]");
			p = node(cc, N_DEREF, add->line);
			p->l = add;
			n = p;
		} else {
			return n;
		}
	}
}

static struct dt_node *unary(struct dt_cc *cc)
{
	struct dt_node *n;
	int line = cc->tok.line;

	enter(cc);
	if (cc->tok.kind == TK_PUNCT) {
		static const struct {
			const char *s;
			int op;
		} ops[] = { { "-", OP_NEG },  { "+", OP_PLUS },	   { "!", OP_NOT },
			    { "~", OP_BNOT }, { "++", OP_PREINC }, { "--", OP_PREDEC } };

		for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
			if (!is(cc, ops[i].s))
				continue;
			advance(cc);
			n = node(cc, ops[i].op >= OP_PREINC ? N_INCDEC : N_UNOP, line);
			n->op = ops[i].op;
			n->l = unary(cc);
			cc->depth--;
			return n;
		}
		if (is(cc, "*")) {
			advance(cc);
			n = node(cc, N_DEREF, line);
			n->l = unary(cc);
			cc->depth--;
			return n;
		}
		if (is(cc, "&"))
			dt_cc_error(cc, "D_ADDROF_VAR", line,
				    "unary & cannot be applied to D variables or values");
		if (is(cc, "(")) {
			struct dt_token *p = peek(cc);

			if (p->kind == TK_IDENT && is_type_word(cc, p->text)) {
				advance(cc);
				n = node(cc, N_CAST, line);
				type_name(cc, &n->type);
				expect(cc, ")");
				n->l = unary(cc);
				cc->depth--;
				return n;
			}
		}
	}
	n = postfix(cc);
	cc->depth--;
	return n;
}

struct binop {
	const char *s;
	int op, prec;
};

static const struct binop binops[] = {
	{ "||", OP_LOR, 1 }, { "^^", OP_LXOR, 2 }, { "&&", OP_LAND, 3 }, { "|", OP_OR, 4 },
	{ "^", OP_XOR, 5 },  { "&", OP_AND, 6 },   { "==", OP_EQ, 7 },	 { "!=", OP_NE, 7 },
	{ "<", OP_LT, 8 },   { "<=", OP_LE, 8 },   { ">", OP_GT, 8 },	 { ">=", OP_GE, 8 },
	{ "<<", OP_SHL, 9 }, { ">>", OP_SHR, 9 },  { "+", OP_ADD, 10 },	 { "-", OP_SUB, 10 },
	{ "*", OP_MUL, 11 }, { "/", OP_DIV, 11 },  { "%", OP_MOD, 11 },
};

static const struct binop *binop_at(struct dt_cc *cc)
{
	if (cc->tok.kind != TK_PUNCT)
		return NULL;
	if (in_pred && paren_depth == 0 && is(cc, "/"))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(binops); i++)
		if (streq(cc->tok.text, binops[i].s))
			return &binops[i];
	return NULL;
}

static struct dt_node *binary(struct dt_cc *cc, int min_prec)
{
	struct dt_node *l = unary(cc), *n;
	const struct binop *b;

	while ((b = binop_at(cc)) && b->prec >= min_prec) {
		n = node(cc,
			 b->op == OP_LOR || b->op == OP_LAND || b->op == OP_LXOR ? N_LOGIC :
										   N_BINOP,
			 cc->tok.line);
		n->op = b->op;
		advance(cc);
		enter(cc);
		n->l = l;
		n->r = binary(cc, b->prec + 1);
		cc->depth--;
		l = n;
	}
	return l;
}

static struct dt_node *cond(struct dt_cc *cc)
{
	struct dt_node *c = binary(cc, 1), *n;

	if (!is(cc, "?"))
		return c;
	n = node(cc, N_COND, cc->tok.line);
	advance(cc);
	enter(cc);
	n->c = c;
	n->l = assign(cc);
	expect(cc, ":");
	n->r = cond(cc);
	cc->depth--;
	return n;
}

static struct dt_node *assign(struct dt_cc *cc)
{
	static const struct {
		const char *s;
		int op;
	} ops[] = { { "=", 0 },	      { "+=", OP_ADD },	 { "-=", OP_SUB }, { "*=", OP_MUL },
		    { "/=", OP_DIV }, { "%=", OP_MOD },	 { "&=", OP_AND }, { "|=", OP_OR },
		    { "^=", OP_XOR }, { "<<=", OP_SHL }, { ">>=", OP_SHR } };
	struct dt_node *l = cond(cc), *n;

	if (cc->tok.kind != TK_PUNCT)
		return l;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (!streq(cc->tok.text, ops[i].s))
			continue;
		n = node(cc, N_ASSIGN, cc->tok.line);
		n->op = ops[i].op;
		advance(cc);
		enter(cc);
		n->l = l;
		n->r = assign(cc);
		cc->depth--;
		return n;
	}
	return l;
}

static struct dt_node *expr(struct dt_cc *cc)
{
	struct dt_node *n = assign(cc);

	if (is(cc, ","))
		dt_cc_error(cc, "D_SYNTAX", cc->tok.line,
			    "syntax error near \",\": D has no comma operator");
	return n;
}

static struct dt_stmt *statements(struct dt_cc *cc, const char *close);

static struct dt_stmt *statement(struct dt_cc *cc)
{
	struct dt_stmt *s = dt_alloc(cc->prog, sizeof(*s));

	s->line = cc->tok.line;
	enter(cc);
	if (cc->tok.kind == TK_IDENT && streq(cc->tok.text, "if")) {
		s->kind = S_IF;
		advance(cc);
		expect(cc, "(");
		paren_depth++;
		s->expr = expr(cc);
		paren_depth--;
		expect(cc, ")");
		if (is(cc, "{")) {
			advance(cc);
			s->body = statements(cc, "}");
		} else {
			s->body = statement(cc);
		}
		if (cc->tok.kind == TK_IDENT && streq(cc->tok.text, "else")) {
			advance(cc);
			if (is(cc, "{")) {
				advance(cc);
				s->alt = statements(cc, "}");
			} else {
				s->alt = statement(cc);
			}
		}
	} else if (is(cc, "{")) {
		s->kind = S_BLOCK;
		advance(cc);
		s->body = statements(cc, "}");
	} else {
		s->kind = S_EXPR;
		s->expr = expr(cc);
		if (!is(cc, ";") && !is(cc, "}"))
			syntax(cc);
		if (is(cc, ";"))
			advance(cc);
	}
	cc->depth--;
	return s;
}

/* Statements up to close, which is consumed. */
static struct dt_stmt *statements(struct dt_cc *cc, const char *close)
{
	struct dt_stmt *head = NULL, **tail = &head;

	while (!is(cc, close)) {
		if (cc->tok.kind == TK_EOF)
			syntax(cc);
		if (is(cc, ";")) {
			advance(cc);
			continue;
		}
		*tail = statement(cc);
		tail = &(*tail)->next;
	}
	cc->lx.pdesc_mode = cc->depth == 0;
	advance(cc);
	return head;
}

static void pragma(struct dt_cc *cc, const char *line)
{
	char word[4][256] = { "", "", "", "" };
	int n = sscanf(line, "#%255s %255s %255s %255s", word[0], word[1], word[2], word[3]);
	char *eq;

	if (n < 1)
		return;
	if (streq(word[0], "pragma") && n >= 3 && streq(word[1], "D") && streq(word[2], "option")) {
		if (n < 4)
			dt_cc_error(cc, "D_PRAGMA_MALFORM", cc->tok.line,
				    "malformed #pragma D option");
		eq = strchr(word[3], '=');
		if (eq)
			*eq++ = 0;
		if (dt_options_set(&cc->prog->opts, word[3], eq) < 0)
			dt_cc_error(cc, "D_PRAGMA_OPTSET", cc->tok.line,
				    "failed to set option '%s'%s%s", word[3], eq ? " to " : "",
				    eq ? eq : "");
		return;
	}
	if (streq(word[0], "pragma") && n >= 2 && streq(word[1], "D"))
		return; /* attributes, binding, depends_on: accepted and ignored */
	if (streq(word[0], "pragma") || streq(word[0], "line") ||
	    isdigit((unsigned char)word[0][0]))
		return;
	dt_cc_error(cc, "D_PRAGCTL_INVAL", cc->tok.line, "invalid control directive: #%s", word[0]);
}

/* A declaration: [self|this] type name; at the top level. */
#define SOU_MAX_MEMBERS 64
#define SOU_MAX_SIZE 4096

/*
 * struct NAME { TYPE MEMBER; ... };, after its name: members of integer and pointer types and
 * char arrays (read as strings), laid out with C's alignment.
 */
static void sou_define(struct dt_cc *cc, const char *name, int line)
{
	struct dt_member *m = dt_alloc(cc->prog, sizeof(*m) * SOU_MAX_MEMBERS);
	struct dt_sou sou = { .sname = dt_strdup(cc->prog, name, strlen(name)), .members = m };
	uint32_t off = 0, align = 1;

	if (dt_sou_find(cc->prog, name, true))
		dt_cc_error(cc, "D_DECL_IDRED", line, "struct %s redeclared", name);
	/* known from here on, so that a member may point to one */
	if (dt_sou_add(cc->prog, &sou) < 0)
		dt_cc_error(cc, "D_DECL_SOUMEM", line, "too many structures");
	advance(cc);
	while (!is(cc, "}")) {
		struct dt_member *mm = &m[sou.nmembers];
		uint32_t size, a;

		if (sou.nmembers == SOU_MAX_MEMBERS)
			dt_cc_error(cc, "D_DECL_SOUMEM", cc->tok.line,
				    "struct %s has more than %d members", name, SOU_MAX_MEMBERS);
		if (!type_name(cc, &mm->type))
			syntax(cc);
		if (mm->type.kind != DT_T_INT)
			dt_cc_error(cc, "D_DECL_SOUMEM", cc->tok.line,
				    "a member of struct %s must be an integer, a pointer or a char "
				    "array",
				    name);
		if (cc->tok.kind != TK_IDENT)
			syntax(cc);
		mm->name = dt_strdup(cc->prog, cc->tok.text, strlen(cc->tok.text));
		for (int i = 0; i < sou.nmembers; i++)
			if (streq(m[i].name, mm->name))
				dt_cc_error(cc, "D_DECL_IDRED", cc->tok.line,
					    "member %s of struct %s redeclared", mm->name, name);
		advance(cc);
		size = a = mm->type.size;
		if (is(cc, "[")) {
			advance(cc);
			if (mm->type.size != 1 || mm->type.ptr || cc->tok.kind != TK_INT ||
			    cc->tok.ival < 1 || cc->tok.ival > SOU_MAX_SIZE)
				dt_cc_error(cc, "D_DECL_ARRSUB", cc->tok.line,
					    "an array member must be a char array of 1 to %d bytes",
					    SOU_MAX_SIZE);
			mm->len = (int)cc->tok.ival;
			mm->type = DT_STRING;
			size = (uint32_t)mm->len;
			advance(cc);
			expect(cc, "]");
		}
		off = (off + a - 1) / a * a;
		mm->off = (int)off;
		off += size;
		align = MAX(align, a);
		if (off > SOU_MAX_SIZE)
			dt_cc_error(cc, "D_DECL_SOUMEM", cc->tok.line,
				    "struct %s is larger than %d bytes", name, SOU_MAX_SIZE);
		sou.nmembers++;
		expect(cc, ";");
	}
	if (sou.nmembers == 0)
		dt_cc_error(cc, "D_DECL_SOUMEM", line, "struct %s has no members", name);
	sou.size = (off + align - 1) / align * align;
	cc->prog->sous[cc->prog->nsous - 1] = sou;
	advance(cc);
	cc->lx.pdesc_mode = true;
	expect(cc, ";");
}

static void declaration(struct dt_cc *cc)
{
	struct dt_node *n = node(cc, N_VAR, cc->tok.line);
	struct dt_clause *c;

	if (streq(cc->tok.text, "self") || streq(cc->tok.text, "this")) {
		n->kind = cc->tok.text[0] == 's' ? N_SELF : N_THIS;
		advance(cc);
	}
	if (streq(cc->tok.text, "struct") && n->kind == N_VAR) {
		/* a definition, struct NAME { ... };, or a declaration of a pointer to one */
		struct dt_token *nx = peek(cc);

		if (nx->kind == TK_IDENT) {
			char name[64];
			int line = cc->tok.line;

			snprintf(name, sizeof(name), "%s", nx->text);
			advance(cc);
			advance(cc);
			if (is(cc, "{")) {
				sou_define(cc, name, line);
				return;
			}
			n->type = (struct dt_type){
				.kind = DT_T_SOU, .sou = (uint8_t)dt_sou_find(cc->prog, name, true)
			};
			if (!n->type.sou)
				dt_cc_error(cc, "D_TYPE_ERR", line, "struct %s is not a known type",
					    name);
			pointer_suffix(cc, &n->type);
		}
	}
	if (n->type.kind == DT_T_VOID && !type_name(cc, &n->type))
		syntax(cc);
	if (cc->tok.kind != TK_IDENT)
		syntax(cc);
	n->name = dt_strdup(cc->prog, cc->tok.text, strlen(cc->tok.text));
	advance(cc);
	if (is(cc, "[")) {
		/* an associative array declaration: int a[string, int]; */
		n->op = 1;
		advance(cc);
		while (!is(cc, "]")) {
			struct dt_type kt;

			if (n->nargs == DT_MAX_KEYS || !type_name(cc, &kt))
				syntax(cc);
			n->args = n->args ? n->args :
					    dt_alloc(cc->prog, sizeof(*n->args) * DT_MAX_KEYS);
			n->args[n->nargs] = node(cc, N_INT, cc->tok.line);
			n->args[n->nargs++]->type = kt;
			if (is(cc, ","))
				advance(cc);
		}
		advance(cc);
	}
	cc->lx.pdesc_mode = true;
	expect(cc, ";");
	/* declarations travel as a pseudo-clause without probes, in program order */
	cc->prog->clauses =
		bs_realloc(cc->prog->clauses, sizeof(*c) * (size_t)(cc->prog->nclauses + 1));
	c = &cc->prog->clauses[cc->prog->nclauses++];
	memset(c, 0, sizeof(*c));
	c->id = -1;
	c->line = n->line;
	c->body = dt_alloc(cc->prog, sizeof(*c->body));
	c->body->kind = S_EXPR;
	c->body->expr = n;
}

/* The argument number of a macro $N spanning [s, e): INT_MAX unless it is all digits, and
 * small enough to be an index. */
static int macro_arg_index(const char *s, const char *e)
{
	long n = 0;

	if (e - s < 2 || e - s > 8)
		return INT_MAX;
	for (const char *d = s + 1; d < e; d++) {
		if (!isdigit((unsigned char)*d))
			return INT_MAX;
		n = n * 10 + (*d - '0');
	}
	return (int)n;
}

/* $target, $pid and $1..$n expanded in a probe description (pid$target::malloc:entry). */
static const char *pdesc_macros(struct dt_cc *cc, const char *text)
{
	struct dt_program *p = cc->prog;
	char out[512];
	size_t n = 0;

	if (!strchr(text, '$'))
		return text;
	for (const char *s = text; *s && n < sizeof(out) - 1;) {
		char val[256];
		const char *e = s + 1;

		if (*s != '$') {
			out[n++] = *s++;
			continue;
		}
		while (isalnum((unsigned char)*e) || *e == '_')
			e++;
		if (e - s == 7 && strncmp(s, "$target", 7) == 0)
			snprintf(val, sizeof(val), "%d", p->target);
		else if (e - s == 4 && strncmp(s, "$pid", 4) == 0)
			snprintf(val, sizeof(val), "%d", (int)getpid());
		else if (macro_arg_index(s, e) < p->argc)
			snprintf(val, sizeof(val), "%s", p->argv[macro_arg_index(s, e)]);
		else
			dt_cc_error(cc, "D_MACRO_UNDEF", cc->tok.line,
				    "macro argument %.*s is not defined", (int)(e - s), s);
		for (const char *v = val; *v && n < sizeof(out) - 1; v++)
			out[n++] = *v;
		s = e;
	}
	return dt_strdup(p, out, n);
}

static void clause(struct dt_cc *cc, bool probe_spec)
{
	struct dt_pdesc pd[64];
	int npd = 0;
	struct dt_clause *c;

	for (;;) {
		if (cc->tok.kind != TK_PDESC && cc->tok.kind != TK_IDENT)
			syntax(cc);
		if (npd == (int)ARRAY_SIZE(pd))
			dt_cc_error(cc, "D_PDESC_INVAL", cc->tok.line,
				    "too many probe descriptions");
		const char *text = cc->tok.kind == TK_PDESC ? cc->tok.str : cc->tok.text;

		text = pdesc_macros(cc, text);

		if (dt_pdesc_parse(text, &pd[npd]) < 0)
			dt_cc_error(cc, "D_PDESC_INVAL", cc->tok.line,
				    "invalid probe description \"%s\": too many fields", text);
		pd[npd].text = dt_strdup(cc->prog, text, strlen(text));
		pd[npd].prov = dt_strdup(cc->prog, pd[npd].prov, strlen(pd[npd].prov));
		pd[npd].mod = dt_strdup(cc->prog, pd[npd].mod, strlen(pd[npd].mod));
		pd[npd].func = dt_strdup(cc->prog, pd[npd].func, strlen(pd[npd].func));
		pd[npd].name = dt_strdup(cc->prog, pd[npd].name, strlen(pd[npd].name));
		pd[npd].line = cc->tok.line;
		npd++;
		cc->lx.pdesc_mode = false;
		advance(cc);
		if (!is(cc, ","))
			break;
		cc->lx.pdesc_mode = true;
		advance(cc);
	}
	cc->prog->clauses =
		bs_realloc(cc->prog->clauses, sizeof(*c) * (size_t)(cc->prog->nclauses + 1));
	c = &cc->prog->clauses[cc->prog->nclauses++];
	memset(c, 0, sizeof(*c));
	c->line = pd[0].line;
	c->pdescs = dt_alloc(cc->prog, sizeof(*pd) * (size_t)npd);
	memcpy(c->pdescs, pd, sizeof(*pd) * (size_t)npd);
	c->npdescs = npd;
	if (is(cc, "/")) {
		advance(cc);
		in_pred = true;
		paren_depth = 0;
		c->pred = expr(cc);
		in_pred = false;
		cc->lx.pdesc_mode = false;
		if (!is(cc, "/"))
			syntax(cc);
		advance(cc);
	}
	if (is(cc, "{")) {
		cc->lx.pdesc_mode = false;
		advance(cc);
		c->body = statements(cc, "}");
		c->default_action = c->body == NULL;
	} else if (probe_spec && cc->tok.kind == TK_EOF) {
		c->default_action = true;
	} else {
		syntax(cc);
	}
}

void dt_parse_program(struct dt_cc *cc, bool probe_spec)
{
	in_pred = false;
	paren_depth = 0;
	cc->lx.pdesc_mode = true;
	advance(cc);
	while (cc->tok.kind != TK_EOF) {
		if (cc->tok.kind == TK_PUNCT && streq(cc->tok.text, "#")) {
			pragma(cc, cc->tok.str);
			cc->lx.pdesc_mode = true;
			advance(cc);
		} else if (cc->tok.kind == TK_IDENT &&
			   (at_type(cc) || streq(cc->tok.text, "self") ||
			    streq(cc->tok.text, "this"))) {
			cc->lx.pdesc_mode = false;
			declaration(cc);
		} else if (is(cc, ";")) {
			cc->lx.pdesc_mode = true;
			advance(cc);
		} else {
			clause(cc, probe_spec);
		}
	}
	for (int i = 0; i < cc->prog->nclauses; i++)
		if (cc->prog->clauses[i].id >= 0)
			return;
	dt_cc_error(cc, "D_EMPTY", cc->tok.line, "empty D program translation unit");
}
