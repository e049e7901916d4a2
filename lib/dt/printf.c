// SPDX-License-Identifier: MIT
/*
 * printf.c - D's printf(): the format checked against its arguments at compile time
 * (D_PRINTF_* errors), and the formatting of the traced values in the consumer, conversion by
 * conversion, with C's flags, widths, precisions and length modifiers, plus D's %Y (a wall
 * clock time) and %@ (the value of an aggregation in printa()).
 */
#include "dt_impl.h"

/* D formats are the user's: they are checked when the script compiles */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#include <ctype.h>
#include <time.h>

struct conv {
	char spec[48]; /* the conversion rewritten for the C library, without its letter */
	char c;	       /* the conversion letter */
	bool star_width, star_prec;
	const char *end; /* first character after the conversion */
};

/* Parse the conversion starting after '%' at s. Returns false on a malformed one. */
static bool conv_parse(const char *s, struct conv *cv)
{
	const char *p = s;
	size_t n = 0;

	memset(cv, 0, sizeof(*cv));
	cv->spec[n++] = '%';
	while (*p && strchr("-+ #0", *p) && n < 20)
		cv->spec[n++] = *p++;
	if (*p == '*') {
		cv->star_width = true;
		cv->spec[n++] = '*';
		p++;
	}
	while (isdigit((unsigned char)*p) && n < 30)
		cv->spec[n++] = *p++;
	if (*p == '.') {
		cv->spec[n++] = *p++;
		if (*p == '*') {
			cv->star_prec = true;
			cv->spec[n++] = '*';
			p++;
		}
		while (isdigit((unsigned char)*p) && n < 40)
			cv->spec[n++] = *p++;
	}
	if (isdigit((unsigned char)*p))
		return false;
	while (*p && strchr("hlLjzt", *p))
		p++; /* length modifiers: the value's own type decides */
	if (!*p)
		return false;
	cv->c = *p;
	cv->spec[n] = 0;
	cv->end = p + 1;
	return strchr("diouxXcsaAeEfgGpY@SkK%", cv->c) != NULL;
}

void dt_printf_check(struct dt_cc *cc, int line, const char *fmt, struct dt_node **args, int nargs)
{
	int a = 0, nconv = 0;

	for (const char *p = fmt; *p; p++) {
		struct conv cv;

		if (*p != '%')
			continue;
		if (!conv_parse(p + 1, &cv))
			dt_cc_error(cc, "D_PRINTF_FMT_EMPTY", line,
				    "printf( ) format conversion #%d is not valid: %.10s",
				    nconv + 1, p);
		p = cv.end - 1;
		if (cv.c == '%')
			continue;
		nconv++;
		for (int k = 0; k < (int)cv.star_width + (int)cv.star_prec; k++) {
			if (a >= nargs)
				dt_cc_error(
					cc, "D_PRINTF_DYN_PROTO", line,
					"printf( ) prototype mismatch: conversion #%d (%%%c) is "
					"missing a corresponding \"*\" argument",
					nconv, cv.c);
			if (args[a]->type.kind != DT_T_INT)
				dt_cc_error(
					cc, "D_PRINTF_DYN_TYPE", line,
					"printf( ) argument #%d is incompatible with conversion "
					"#%d: \"*\" requires an integer",
					a + 2, nconv);
			a++;
		}
		if (cv.c == '@')
			dt_cc_error(cc, "D_PRINTF_AGG_CONV", line,
				    "%%@ conversion requires an aggregation and is for use with "
				    "printa( ) only");
		if (a >= nargs)
			dt_cc_error(
				cc, "D_PRINTF_ARG_PROTO", line,
				"printf( ) prototype mismatch: conversion #%d (%%%c) is missing "
				"a corresponding value argument",
				nconv, cv.c);
		bool want_str = cv.c == 's' || cv.c == 'S';

		if (want_str != (args[a]->type.kind == DT_T_STR))
			dt_cc_error(
				cc, "D_PRINTF_ARG_TYPE", line,
				"printf( ) argument #%d is incompatible with conversion #%d "
				"prototype:\n\tconversion: %%%c\n\t prototype: %s\n\t  argument: "
				"%s",
				a + 2, nconv, cv.c,
				want_str ? "char [] or string" :
					   "char, short, int, long, or long long",
				args[a]->type.kind == DT_T_STR ? "string" : "integer");
		a++;
	}
	if (a < nargs)
		dt_cc_error(cc, "D_PRINTF_ARG_EXTRA", line,
			    "printf( ) prototype mismatch: only %d arguments required by this "
			    "format string",
			    a + 1);
}

static int64_t int_value(struct dt_type t, const uint8_t *d)
{
	int64_t v;

	memcpy(&v, d, sizeof(v));
	return v;
}

static void print_conv(FILE *out, const struct conv *cv, int width, int prec, struct dt_type t,
		       const uint8_t *d, size_t strsize)
{
	char fmt[64];
	char *s;
	int64_t v;

	/* the '*' arguments are resolved into the spec here */
	snprintf(fmt, sizeof(fmt), "%s", cv->spec);
	if (cv->star_width || cv->star_prec) {
		char tmp[64], num[24];
		size_t j = 0;

		for (const char *q = fmt; *q && j < sizeof(tmp) - 24; q++) {
			if (*q == '*') {
				snprintf(num, sizeof(num), "%d",
					 q > fmt && q[-1] == '.' ? prec : width);
				memcpy(tmp + j, num, strlen(num));
				j += strlen(num);
			} else {
				tmp[j++] = *q;
			}
		}
		tmp[j] = 0;
		snprintf(fmt, sizeof(fmt), "%s", tmp);
	}
	switch (cv->c) {
	case 's':
	case 'S':
		s = strndup((const char *)d, strsize);
		strcat(fmt, "s");
		fprintf(out, fmt, s ? s : "");
		free(s);
		return;
	case 'c':
		strcat(fmt, "c");
		fprintf(out, fmt, (int)(char)int_value(t, d));
		return;
	case 'd':
	case 'i':
		v = int_value(t, d);
		strcat(fmt, "lld");
		fprintf(out, fmt, (long long)v);
		return;
	case 'o':
	case 'u':
	case 'x':
	case 'X':
		v = int_value(t, d);
		if (t.size < 8)
			v &= (int64_t)((1ull << (t.size * 8)) - 1);
		snprintf(fmt + strlen(fmt), sizeof(fmt) - strlen(fmt), "ll%c", cv->c);
		fprintf(out, fmt, (unsigned long long)v);
		return;
	case 'p':
		strcat(fmt, "llx");
		fprintf(out, "0x");
		fprintf(out, fmt, (unsigned long long)int_value(t, d));
		return;
	case 'e':
	case 'E':
	case 'f':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		snprintf(fmt + strlen(fmt), sizeof(fmt) - strlen(fmt), "%c", cv->c);
		fprintf(out, fmt, (double)int_value(t, d));
		return;
	case 'Y': {
		time_t secs = (time_t)(int_value(t, d) / 1000000000);
		struct tm tm;
		char buf[64];

		localtime_r(&secs, &tm);
		strftime(buf, sizeof(buf), "%Y %b %e %T", &tm);
		strcat(fmt, "s");
		fprintf(out, fmt, buf);
		return;
	}
	default:
		return;
	}
}

int dt_printf_format(struct dt_program *p, FILE *out, const char *fmt, const struct dt_rarg *args,
		     int nargs, const uint8_t *data, size_t size)
{
	int a = 0;

	for (const char *s = fmt; *s; s++) {
		struct conv cv;
		int width = 0, prec = 0;

		if (*s != '%') {
			fputc(*s, out);
			continue;
		}
		if (!conv_parse(s + 1, &cv))
			return -EINVAL;
		s = cv.end - 1;
		if (cv.c == '%') {
			fputc('%', out);
			continue;
		}
		if (cv.star_width && a < nargs)
			width = (int)int_value(args[a].type, data + args[a].off), a++;
		if (cv.star_prec && a < nargs)
			prec = (int)int_value(args[a].type, data + args[a].off), a++;
		if (a >= nargs)
			return -EINVAL;
		if (args[a].off + (args[a].type.kind == DT_T_STR ? p->opts.strsize : 8) > size)
			return -EINVAL;
		print_conv(out, &cv, width, prec, args[a].type, data + args[a].off,
			   p->opts.strsize);
		a++;
	}
	return 0;
}

void dt_print_value(struct dt_program *p, FILE *out, struct dt_type t, const uint8_t *data)
{
	bool q = p->opts.quiet;

	if (t.kind == DT_T_STR) {
		_cleanup_free_ char *s = strndup((const char *)data, p->opts.strsize);

		fprintf(out, q ? "%s" : "  %-33s", s ? s : "");
		return;
	}
	int64_t v = int_value(t, data);

	if (t.sign) {
		switch (t.size) {
		case 8:
			fprintf(out, q ? "%lld" : " %19lld", (long long)v);
			break;
		case 4:
			fprintf(out, q ? "%d" : " %10d", (int32_t)v);
			break;
		case 2:
			fprintf(out, q ? "%hd" : " %5hd", (int16_t)v);
			break;
		default:
			fprintf(out, q ? "%hhd" : " %3hhd", (int8_t)v);
			break;
		}
		return;
	}
	switch (t.size) {
	case 8:
		fprintf(out, q ? "%llu" : " %20llu", (unsigned long long)v);
		break;
	case 4:
		fprintf(out, q ? "%u" : " %10u", (uint32_t)v);
		break;
	case 2:
		fprintf(out, q ? "%hu" : " %5hu", (uint16_t)v);
		break;
	default:
		fprintf(out, q ? "%hhu" : " %3hhu", (uint8_t)v);
		break;
	}
}
