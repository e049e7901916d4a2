// SPDX-License-Identifier: MIT
/*
 * lex.c - the D lexer: identifiers, integer and character constants with C's suffixes, string
 * literals with C's escapes, operators, @aggregations, $macro references, #pragma lines, and
 * probe descriptions, which D lexes as one word at the start of a clause because they contain
 * characters (':' '*' '-') that are operators elsewhere. Every read is bounds-checked against the
 * NUL that ends the source.
 */
#include "dt_impl.h"

#include <ctype.h>

void dt_lex_init(struct dt_lexer *lx, struct dt_cc *cc, const char *src)
{
	lx->cc = cc;
	lx->src = src;
	lx->p = src;
	lx->line = 1;
	lx->pdesc_mode = true;
	/* an interpreter line (#!/usr/sbin/dtrace -s) is a comment */
	if (src[0] == '#' && src[1] == '!')
		while (*lx->p && *lx->p != '\n')
			lx->p++;
}

static void skip_space(struct dt_lexer *lx)
{
	for (;;) {
		const char *p = lx->p;

		if (*p == '\n') {
			lx->line++;
			lx->p++;
		} else if (isspace((unsigned char)*p)) {
			lx->p++;
		} else if (p[0] == '/' && p[1] == '*') {
			int start = lx->line;

			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					lx->line++;
				p++;
			}
			if (!*p)
				dt_cc_error(lx->cc, "D_SYNTAX", start,
					    "end-of-file encountered "
					    "before matching */");
			lx->p = p + 2;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*lx->p && *lx->p != '\n')
				lx->p++;
		} else {
			return;
		}
	}
}

static bool pdesc_char(char c)
{
	return c && (isalnum((unsigned char)c) || strchr("_.*?[]!:-$`+", c));
}

/* An escape sequence after the backslash at *pp; advances *pp. */
static int escape(struct dt_lexer *lx, const char **pp)
{
	const char *p = *pp;
	int v = 0, n;

	switch (*p) {
	case 'n':
		v = '\n';
		break;
	case 't':
		v = '\t';
		break;
	case 'r':
		v = '\r';
		break;
	case 'a':
		v = '\a';
		break;
	case 'b':
		v = '\b';
		break;
	case 'f':
		v = '\f';
		break;
	case 'v':
		v = '\v';
		break;
	case '\\':
		v = '\\';
		break;
	case '\'':
		v = '\'';
		break;
	case '"':
		v = '"';
		break;
	case '?':
		v = '?';
		break;
	case 'x':
		p++;
		for (n = 0; n < 2 && isxdigit((unsigned char)*p); n++, p++)
			v = v * 16 +
			    (isdigit((unsigned char)*p) ? *p - '0' : (tolower(*p) - 'a' + 10));
		*pp = p;
		return v;
	default:
		if (*p >= '0' && *p <= '7') {
			for (n = 0; n < 3 && *p >= '0' && *p <= '7'; n++, p++)
				v = v * 8 + (*p - '0');
			*pp = p;
			return v & 0xff;
		}
		if (!*p)
			dt_cc_error(lx->cc, "D_SYNTAX", lx->line, "end-of-file in escape sequence");
		v = *p;
	}
	*pp = p + 1;
	return v;
}

static void lex_number(struct dt_lexer *lx, struct dt_token *t)
{
	const char *p = lx->p;
	uint64_t v = 0;
	int base = 10, d;
	bool overflow = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	for (;; p++) {
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower(*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			dt_cc_error(lx->cc, "D_INT_DIGIT", lx->line,
				    "invalid digit in octal constant: '%c'", *p);
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (overflow)
		dt_cc_error(lx->cc, "D_INT_OFLOW", lx->line,
			    "integer constant %.*s results in integer overflow", (int)(p - lx->p),
			    lx->p);
	t->is_unsigned = false;
	t->is_long = false;
	while (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L') {
		if (*p == 'u' || *p == 'U')
			t->is_unsigned = true;
		else
			t->is_long = true;
		p++;
	}
	if (isalnum((unsigned char)*p) || *p == '_')
		dt_cc_error(lx->cc, "D_INT_DIGIT", lx->line, "invalid digit in constant: '%c'", *p);
	t->kind = TK_INT;
	t->ival = v;
	lx->p = p;
}

static const char *const punct3[] = { "<<=", ">>=" };
static const char *const punct2[] = { "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&",
				      "||", "^^", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=" };

void dt_lex_next(struct dt_lexer *lx, struct dt_token *t)
{
	const char *p;
	size_t i;

	skip_space(lx);
	memset(t, 0, sizeof(*t));
	t->line = lx->line;
	p = lx->p;
	if (!*p) {
		t->kind = TK_EOF;
		snprintf(t->text, sizeof(t->text), "end-of-file");
		return;
	}
	if (*p == '#') {
		/* a preprocessor line: only pragmas reach the compiler */
		const char *s = p;

		while (*p && *p != '\n')
			p++;
		t->kind = TK_PUNCT;
		snprintf(t->text, sizeof(t->text), "#");
		t->str = dt_strdup(lx->cc->prog, s, (size_t)(p - s));
		t->len = (size_t)(p - s);
		lx->p = p;
		return;
	}
	if (lx->pdesc_mode && pdesc_char(*p) && !isdigit((unsigned char)*p)) {
		const char *s = p;
		bool colon = false;

		while (pdesc_char(*p)) {
			if (*p == ':')
				colon = true;
			p++;
		}
		if (p - s > 255)
			dt_cc_error(lx->cc, "D_PDESC_INVAL", lx->line,
				    "probe description too long");
		/* a plain identifier stays an identifier: the parser decides (BEGIN, int, self) */
		if (colon || memchr(s, '*', (size_t)(p - s)) || memchr(s, '-', (size_t)(p - s)) ||
		    memchr(s, '?', (size_t)(p - s)) || memchr(s, '[', (size_t)(p - s))) {
			t->kind = TK_PDESC;
			t->str = dt_strdup(lx->cc->prog, s, (size_t)(p - s));
			t->len = (size_t)(p - s);
			snprintf(t->text, sizeof(t->text), "%.*s", (int)MIN(p - s, 63), s);
			lx->p = p;
			return;
		}
		p = s;
	}
	if (isalpha((unsigned char)*p) || *p == '_' || *p == '`') {
		const char *s = p;

		while (isalnum((unsigned char)*p) || *p == '_' || *p == '`')
			p++;
		if (p - s > 63)
			dt_cc_error(lx->cc, "D_ID_OFLOW", lx->line, "identifier too long: %.32s...",
				    s);
		t->kind = TK_IDENT;
		snprintf(t->text, sizeof(t->text), "%.*s", (int)(p - s), s);
		lx->p = p;
		return;
	}
	if (isdigit((unsigned char)*p)) {
		lex_number(lx, t);
		snprintf(t->text, sizeof(t->text), "%" PRIu64, t->ival);
		return;
	}
	if (*p == '@') {
		const char *s = ++p;

		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (p - s > 62)
			dt_cc_error(lx->cc, "D_ID_OFLOW", lx->line, "identifier too long");
		t->kind = TK_AGG;
		snprintf(t->text, sizeof(t->text), "@%.*s", (int)(p - s), s);
		lx->p = p;
		return;
	}
	if (*p == '$') {
		const char *s = p++;

		if (*p == '$')
			p++;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (p - s > 63)
			dt_cc_error(lx->cc, "D_ID_OFLOW", lx->line, "identifier too long");
		t->kind = TK_MACRO;
		snprintf(t->text, sizeof(t->text), "%.*s", (int)(p - s), s);
		lx->p = p;
		return;
	}
	if (*p == '"') {
		/* in the program's arena: an error in the literal unwinds past this frame */
		size_t cap = 64, n = 0;
		char *buf = dt_alloc(lx->cc->prog, cap);

		p++;
		while (*p != '"') {
			int c;

			if (!*p || *p == '\n')
				dt_cc_error(lx->cc, "D_STR_NL", lx->line,
					    "newline encountered in string literal");
			if (*p == '\\') {
				p++;
				c = escape(lx, &p);
			} else {
				c = *p++;
			}
			if (n + 1 >= cap) {
				char *bigger = dt_alloc(lx->cc->prog, cap * 2);

				memcpy(bigger, buf, n);
				buf = bigger;
				cap *= 2;
			}
			buf[n++] = (char)c;
		}
		t->kind = TK_STR;
		t->str = dt_strdup(lx->cc->prog, buf, n);
		t->len = n;
		snprintf(t->text, sizeof(t->text), "\"%.*s\"", (int)MIN(n, 40), buf);
		lx->p = p + 1;
		return;
	}
	if (*p == '\'') {
		uint64_t v = 0;
		int n = 0;

		p++;
		while (*p != '\'') {
			if (!*p || *p == '\n')
				dt_cc_error(lx->cc, "D_CHR_NL", lx->line,
					    "newline encountered in character constant");
			int c = *p == '\\' ? (p++, escape(lx, &p)) : *p++;

			if (++n > 8)
				dt_cc_error(lx->cc, "D_CHR_OFLOW", lx->line,
					    "character constant is too long");
			v = (v << 8) | (uint8_t)c;
		}
		if (n == 0)
			dt_cc_error(lx->cc, "D_CHR_NULL", lx->line, "empty character constant");
		t->kind = TK_INT;
		t->ival = v;
		snprintf(t->text, sizeof(t->text), "%.*s", (int)MIN(p + 1 - lx->p, 60), lx->p);
		lx->p = p + 1;
		return;
	}
	t->kind = TK_PUNCT;
	for (i = 0; i < ARRAY_SIZE(punct3); i++)
		if (strncmp(p, punct3[i], 3) == 0) {
			snprintf(t->text, sizeof(t->text), "%s", punct3[i]);
			lx->p = p + 3;
			return;
		}
	for (i = 0; i < ARRAY_SIZE(punct2); i++)
		if (strncmp(p, punct2[i], 2) == 0) {
			snprintf(t->text, sizeof(t->text), "%s", punct2[i]);
			lx->p = p + 2;
			return;
		}
	if (strchr("+-*/%&|^!~<>=?:;,.()[]{}", *p)) {
		t->text[0] = *p;
		lx->p = p + 1;
		return;
	}
	if (isprint((unsigned char)*p))
		dt_cc_error(lx->cc, "D_SYNTAX", lx->line, "syntax error near \"%c\"", *p);
	dt_cc_error(lx->cc, "D_SYNTAX", lx->line, "invalid character 0x%02x", (unsigned char)*p);
}
