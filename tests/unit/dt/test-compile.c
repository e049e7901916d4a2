// SPDX-License-Identifier: MIT
/*
 * test-compile.c - unit tests of the D front end (lib/dt lex.c, parse.c, sema.c, probe.c):
 * programs that must compile, with the number of probes they match, and programs that must
 * fail with DTrace's D_* tag on the right line; probe description parsing and globbing.
 * Nothing here touches the kernel.
 */
#include <basalt/base.h>
#include <basalt/dt.h>

#include <setjmp.h>
#include <cmocka.h>

#include "dt_impl.h"

static int compile(const char *src, bool spec, struct dt_diag *diag, unsigned *matches)
{
	struct dt_options o;
	struct dt_program *p = NULL;
	char *argv[] = { (char *)"t", (char *)"7", (char *)"name" };
	int r;

	dt_options_init(&o);
	r = dt_program_compile(src, spec, &o, 3, argv, 1234, diag, &p);
	if (r == 0 && matches)
		*matches = dt_program_matches(p);
	dt_program_free(p);
	return r;
}

static void ok(const char *src, unsigned want)
{
	struct dt_diag d;
	unsigned m = 0;
	int r = compile(src, false, &d, &m);

	if (r != 0)
		fail_msg("'%s' failed: [%s] line %d: %s", src, d.tag, d.line, d.msg);
	assert_int_equal(m, want);
}

static void bad(const char *src, const char *tag, int line)
{
	struct dt_diag d;

	assert_int_equal(compile(src, false, &d, NULL), -EINVAL);
	if (!streq(d.tag, tag) || d.line != line)
		fail_msg("'%s': got [%s] line %d (%s), want [%s] line %d", src, d.tag, d.line,
			 d.msg, tag, line);
}

static void test_clauses(void **state)
{
	ok("BEGIN { exit(0); }", 1);
	ok("BEGIN, END { }", 2);
	ok("dtrace:::BEGIN /1/ { trace(1) }", 1);
	ok("syscall::read:entry, syscall::write:return { }", 2);
	ok("syscall::read*:entry { }", 5); /* read, readv, readlink, readahead, readlinkat */
	ok("syscall:::entry { }", 362);
	ok("tick-1s { } profile-997 { }", 2);
	ok("#!/usr/sbin/dtrace -s\n#pragma D option quiet\nBEGIN { }", 1);
	ok("int x; self string s; BEGIN { x = 1; self->s = \"a\"; }", 1);
	ok("BEGIN { if (1) { x = 1; } else x = 2; }", 1);
	ok("BEGIN // comment\n{ /* comment */ }", 1);
}

static void test_expressions(void **state)
{
	ok("BEGIN { x = (1 + 2) * 3 - 4 / 2 % 5 << 1 >> 1 & 7 | 8 ^ 9; }", 1);
	ok("BEGIN { x = 1 < 2 && 3 >= 2 || !0 ^^ 1; y = x ? 1 : 2; }", 1);
	ok("BEGIN { x = (unsigned long long)-1; y = (char)x; z = sizeof(int); }", 1);
	ok("BEGIN { a[1, \"k\"] = 1; a[2, \"j\"]++; b = a[1, \"k\"]; }", 1);
	ok("BEGIN { this->x = 1; self->y = this->x; self->y += 2; }", 1);
	ok("BEGIN { s = strjoin(\"a\", execname); n = strlen(s); t = substr(s, 1, 2); }", 1);
	ok("BEGIN { x = $1 + $target; y = $$2; }", 1);
	ok("BEGIN { x = 'a' + '\\n' + 0x10 + 010 + 10UL; }", 1);
	ok("BEGIN { @a[execname, pid] = count(); @b = quantize(1); @c = lquantize(1, 0, 10); "
	   "@d = llquantize(5, 10, 0, 3, 10); printa(\"%s %d %@d\\n\", @a); trunc(@a, 5); "
	   "clear(@b); normalize(@c, 2); denormalize(@c); }",
	   1);
	ok("BEGIN { printf(\"%-10s %5d %x %c %%\\n\", \"a\", 1, 2, 65); }", 1);
}

static void test_errors(void **state)
{
	bad("BEGIN {", "D_SYNTAX", 1);
	bad("BEGIN {\n x = ;\n}", "D_SYNTAX", 2);
	bad("BEGIN {\n\n trace(y);\n}", "D_IDENT_UNDEF", 3);
	bad("BEGIN { @a = 1; }", "D_AGG_FUNC", 1);
	bad("BEGIN { @a = count(); @a = sum(1); }", "D_AGG_REDEF", 1);
	bad("BEGIN { @a = count(2); }", "D_PROTO_LEN", 1);
	bad("syscall::nosuch:entry { }", "D_PDESC_ZERO", 1);
	bad("BEGIN { x = 1 / 0; }", "D_DIV_ZERO", 1);
	bad("BEGIN { printf(\"%d\"); }", "D_PRINTF_ARG_PROTO", 1);
	bad("BEGIN { printf(\"%s\", 1); }", "D_PRINTF_ARG_TYPE", 1);
	bad("BEGIN { x = trace(1); }", "D_CG_EXPR", 1);
	bad("BEGIN { trace($9); }", "D_MACRO_UNDEF", 1);
	bad("BEGIN { x = 99999999999999999999999; }", "D_INT_OFLOW", 1);
	bad("BEGIN { x = \"a\" < 1; }", "D_OP_INCOMPAT", 1);
	bad("BEGIN { execname = \"x\"; }", "D_OP_WRITE", 1);
	bad("fbt:::entry { }", "D_PDESC_INVAL", 1);
	bad("", "D_EMPTY", 1);
	bad("BEGIN { system(\"ls\"); }", "D_ACT_DESTRUCT", 1);
}

static void test_nesting_limit(void **state)
{
	char src[4096] = "BEGIN { x = ";
	size_t n = strlen(src);

	for (int i = 0; i < 1000; i++)
		src[n++] = '(';
	src[n] = 0;
	bad(src, "D_SYNTAX", 1);
}

static void test_pdesc(void **state)
{
	struct dt_pdesc d;

	assert_int_equal(dt_pdesc_parse("syscall::read:entry", &d), 0);
	assert_string_equal(d.prov, "syscall");
	assert_string_equal(d.mod, "");
	assert_string_equal(d.func, "read");
	assert_string_equal(d.name, "entry");
	assert_int_equal(dt_pdesc_parse("read:entry", &d), 0);
	assert_string_equal(d.prov, "");
	assert_string_equal(d.func, "read");
	assert_int_equal(dt_pdesc_parse("BEGIN", &d), 0);
	assert_string_equal(d.name, "BEGIN");
	assert_int_equal(dt_pdesc_parse("a:b:c:d:e", &d), -EINVAL);
	assert_true(dt_glob_match("", "anything"));
	assert_true(dt_glob_match("re*d", "read"));
	assert_true(dt_glob_match("rea?", "read"));
	assert_true(dt_glob_match("[rw]*", "write"));
	assert_false(dt_glob_match("read", "readv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clauses), cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_errors),	cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_pdesc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
