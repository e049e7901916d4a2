// SPDX-License-Identifier: MIT
/*
 * test-format.c - unit tests of cmd/format.c: the re-entrant option parser (clusters, attached
 * and separate arguments, operands anywhere, "--", errors) and the tables zfs and zpool print
 * (widths from content, alignment, -H, hidden sort columns, numeric and stable sorting), with
 * the property names and headers they use.
 */
#include <basalt/base.h>

#include <setjmp.h>
#include <cmocka.h>

#include "format.h"

/* ---- options ---- */

static void test_args_clusters_and_operands(void **state)
{
	char *argv[] = { (char *)"list",      (char *)"pool/a", (char *)"-rH",	  (char *)"-o",
			 (char *)"name,used", (char *)"-d2",	(char *)"pool/b", NULL };
	struct cmd_args a;
	int c, seen_r = 0, seen_H = 0;
	const char *o = NULL, *d = NULL;

	cmd_args_init(&a, 7, argv);
	while ((c = cmd_args_next(&a, "rHo:d:", NULL)) != -1) {
		switch (c) {
		case 'r':
			seen_r++;
			break;
		case 'H':
			seen_H++;
			break;
		case 'o':
			o = a.arg;
			break;
		case 'd':
			d = a.arg;
			break;
		default:
			fail_msg("unexpected option %d", c);
		}
	}
	assert_int_equal(seen_r, 1);
	assert_int_equal(seen_H, 1);
	assert_string_equal(o, "name,used");
	assert_string_equal(d, "2");
	assert_int_equal(a.noperands, 2);
	assert_string_equal(a.operands[0], "pool/a");
	assert_string_equal(a.operands[1], "pool/b");
	assert_null(a.operands[2]);
	cmd_args_free(&a);
}

static void test_args_double_dash(void **state)
{
	char *argv[] = { (char *)"destroy", (char *)"-r", (char *)"--",
			 (char *)"-weird",  (char *)"-n", NULL };
	struct cmd_args a;
	int c, n = 0;

	cmd_args_init(&a, 5, argv);
	while ((c = cmd_args_next(&a, "rn", NULL)) != -1) {
		assert_int_equal(c, 'r');
		n++;
	}
	assert_int_equal(n, 1);
	assert_int_equal(a.noperands, 2);
	assert_string_equal(a.operands[0], "-weird");
	assert_string_equal(a.operands[1], "-n");
	cmd_args_free(&a);
}

static void test_args_errors(void **state)
{
	char *argv1[] = { (char *)"create", (char *)"-x", NULL };
	char *argv2[] = { (char *)"create", (char *)"-o", NULL };
	char *argv3[] = { (char *)"create", (char *)"-pz", NULL };
	struct cmd_args a;

	cmd_args_init(&a, 2, argv1);
	assert_int_equal(cmd_args_next(&a, "po:", NULL), '?');
	assert_int_equal(a.opt, 'x');
	assert_int_equal(cmd_args_next(&a, "po:", NULL), -1);
	cmd_args_free(&a);

	cmd_args_init(&a, 2, argv2);
	assert_int_equal(cmd_args_next(&a, "po:", NULL), ':');
	assert_int_equal(a.opt, 'o');
	cmd_args_free(&a);

	/* a bad option inside a cluster, after a good one */
	cmd_args_init(&a, 2, argv3);
	assert_int_equal(cmd_args_next(&a, "po:", NULL), 'p');
	assert_int_equal(cmd_args_next(&a, "po:", NULL), '?');
	assert_int_equal(a.opt, 'z');
	assert_int_equal(cmd_args_next(&a, "po:", NULL), -1);
	cmd_args_free(&a);
}

static void test_args_long(void **state)
{
	static const struct cmd_longopt longs[] = {
		{ "json", 'j', false },
		{ "depth", 'd', true },
		{ NULL, 0, false },
	};
	char *argv[] = { (char *)"list", (char *)"--json",  (char *)"--depth=3", (char *)"--depth",
			 (char *)"4",	 (char *)"--bogus", (char *)"x",	 NULL };
	struct cmd_args a;

	cmd_args_init(&a, 7, argv);
	assert_int_equal(cmd_args_next(&a, "jd:", longs), 'j');
	assert_int_equal(cmd_args_next(&a, "jd:", longs), 'd');
	assert_string_equal(a.arg, "3");
	assert_int_equal(cmd_args_next(&a, "jd:", longs), 'd');
	assert_string_equal(a.arg, "4");
	assert_int_equal(cmd_args_next(&a, "jd:", longs), '?');
	assert_string_equal(a.badlong, "bogus");
	assert_int_equal(cmd_args_next(&a, "jd:", longs), -1);
	assert_int_equal(a.noperands, 1);
	assert_string_equal(a.operands[0], "x");
	cmd_args_free(&a);
}

/* ---- tables ---- */

/* Print t with flags into a string; caller frees. */
static char *render(const struct fmt_table *t, int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fmt_table_print(f, t, flags), 0);
	fclose(f);
	return buf;
}

static struct fmt_table *sample(void)
{
	struct fmt_table *t = fmt_table_new(3);
	int r;

	fmt_table_header(t, 0, "NAME", FMT_LEFT);
	fmt_table_header(t, 1, "USED", FMT_RIGHT);
	fmt_table_header(t, 2, "MOUNTPOINT", FMT_LEFT);
	r = fmt_table_add_row(t);
	fmt_table_set(t, r, 0, "zones", NULL);
	fmt_table_set(t, r, 1, "1.50G", "1610612736");
	fmt_table_set(t, r, 2, "/zones", NULL);
	r = fmt_table_add_row(t);
	fmt_table_set(t, r, 0, "zones/var", NULL);
	fmt_table_set(t, r, 1, "512M", "536870912");
	fmt_table_set(t, r, 2, "/zones/var", NULL);
	r = fmt_table_add_row(t);
	fmt_table_set(t, r, 0, "zones/a", NULL);
	fmt_table_set(t, r, 1, "96K", "98304");
	/* the mountpoint stays "-", the default of a cell */
	return t;
}

static void test_table_layout(void **state)
{
	_cleanup_table_ struct fmt_table *t = sample();
	_cleanup_free_ char *out = render(t, 0);

	assert_string_equal(out, "NAME        USED  MOUNTPOINT\n"
				 "zones      1.50G  /zones\n"
				 "zones/var   512M  /zones/var\n"
				 "zones/a      96K  -\n");
}

static void test_table_scripted(void **state)
{
	_cleanup_table_ struct fmt_table *t = sample();
	_cleanup_free_ char *out = render(t, FMT_SCRIPTED);
	_cleanup_free_ char *bare = render(t, FMT_NO_HEADER);

	assert_string_equal(out, "zones\t1.50G\t/zones\n"
				 "zones/var\t512M\t/zones/var\n"
				 "zones/a\t96K\t-\n");
	/* without the header the widths come from the cells alone */
	assert_string_equal(bare, "zones      1.50G  /zones\n"
				  "zones/var   512M  /zones/var\n"
				  "zones/a      96K  -\n");
}

static void test_table_sort(void **state)
{
	_cleanup_table_ struct fmt_table *t = sample();
	struct fmt_sortkey by_used = { .col = 1 };
	struct fmt_sortkey by_used_desc = { .col = 1, .descending = true };
	struct fmt_sortkey by_name = { .col = 0 };

	/* by the raw bytes, not the text: 96K < 512M < 1.50G */
	fmt_table_sort(t, &by_used, 1);
	assert_string_equal(fmt_table_cell(t, 0, 0), "zones/a");
	assert_string_equal(fmt_table_cell(t, 1, 0), "zones/var");
	assert_string_equal(fmt_table_cell(t, 2, 0), "zones");

	fmt_table_sort(t, &by_used_desc, 1);
	assert_string_equal(fmt_table_cell(t, 0, 0), "zones");
	assert_string_equal(fmt_table_cell(t, 2, 0), "zones/a");

	fmt_table_sort(t, &by_name, 1);
	assert_string_equal(fmt_table_cell(t, 0, 0), "zones");
	assert_string_equal(fmt_table_cell(t, 1, 0), "zones/a");
	assert_string_equal(fmt_table_cell(t, 2, 0), "zones/var");
}

static void test_table_sort_stable_and_mixed(void **state)
{
	_cleanup_table_ struct fmt_table *t = fmt_table_new(2);
	struct fmt_sortkey key = { .col = 1 };
	const char *names[] = { "a", "b", "c", "d", "e" };
	const char *vals[] = { "none", "10", "2", "10", "-" };

	for (int i = 0; i < 5; i++) {
		int r = fmt_table_add_row(t);

		fmt_table_set(t, r, 0, names[i], NULL);
		fmt_table_set(t, r, 1, vals[i], NULL);
	}
	fmt_table_sort(t, &key, 1);
	/* numbers first, in order, equal ones keeping their order; then text */
	assert_string_equal(fmt_table_cell(t, 0, 0), "c");
	assert_string_equal(fmt_table_cell(t, 1, 0), "b");
	assert_string_equal(fmt_table_cell(t, 2, 0), "d");
	assert_string_equal(fmt_table_cell(t, 3, 0), "e");
	assert_string_equal(fmt_table_cell(t, 4, 0), "a");
}

static void test_table_hidden(void **state)
{
	_cleanup_table_ struct fmt_table *t = sample();
	struct fmt_sortkey key = { .col = 1 };
	_cleanup_free_ char *out = NULL;

	fmt_table_hide(t, 1);
	fmt_table_sort(t, &key, 1);
	out = render(t, 0);
	assert_string_equal(out, "NAME       MOUNTPOINT\n"
				 "zones/a    -\n"
				 "zones/var  /zones/var\n"
				 "zones      /zones\n");
}

static void test_table_utf8_width(void **state)
{
	_cleanup_table_ struct fmt_table *t = fmt_table_new(2);
	_cleanup_free_ char *out = NULL;
	int r;

	fmt_table_header(t, 0, "NAME", FMT_LEFT);
	fmt_table_header(t, 1, "X", FMT_LEFT);
	r = fmt_table_add_row(t);
	fmt_table_set(t, r, 0, "\xc3\xa9t\xc3\xa9", NULL); /* "été": three columns wide */
	fmt_table_set(t, r, 1, "1", NULL);
	out = render(t, 0);
	assert_string_equal(out, "NAME  X\n\xc3\xa9t\xc3\xa9   1\n");
}

/* ---- values and properties ---- */

static void test_sizes(void **state)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_size(buf, 0, false), "0B");
	assert_string_equal(fmt_size(buf, 1536ULL << 20, false), "1.50G");
	assert_string_equal(fmt_size(buf, 1536ULL << 20, true), "1610612736");
}

static void test_headers(void **state)
{
	char buf[32];

	assert_string_equal(fmt_prop_header(buf, sizeof(buf), "available"), "AVAIL");
	assert_string_equal(fmt_prop_header(buf, sizeof(buf), "referenced"), "REFER");
	assert_string_equal(fmt_prop_header(buf, sizeof(buf), "allocated"), "ALLOC");
	assert_string_equal(fmt_prop_header(buf, sizeof(buf), "mountpoint"), "MOUNTPOINT");
	assert_string_equal(fmt_prop_header(buf, sizeof(buf), "com.joyent:x"), "COM.JOYENT:X");
	/* truncated, never overflowed */
	assert_string_equal(fmt_prop_header(buf, 5, "mountpoint"), "MOUN");
}

static void test_props(void **state)
{
	assert_string_equal(fmt_zfs_prop_canonical("avail"), "available");
	assert_string_equal(fmt_zfs_prop_canonical("refer"), "referenced");
	assert_string_equal(fmt_zfs_prop_canonical("compression"), "compression");
	assert_true(fmt_zfs_prop_valid("used"));
	assert_true(fmt_zfs_prop_valid("avail"));
	assert_true(fmt_zfs_prop_valid("com.joyent:brand"));
	assert_false(fmt_zfs_prop_valid(":brand"));
	assert_false(fmt_zfs_prop_valid("bogus"));
	assert_true(fmt_prop_is_numeric("used"));
	assert_true(fmt_prop_is_numeric("cap"));
	assert_false(fmt_prop_is_numeric("mountpoint"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_clusters_and_operands),
		cmocka_unit_test(test_args_double_dash),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_args_long),
		cmocka_unit_test(test_table_layout),
		cmocka_unit_test(test_table_scripted),
		cmocka_unit_test(test_table_sort),
		cmocka_unit_test(test_table_sort_stable_and_mixed),
		cmocka_unit_test(test_table_hidden),
		cmocka_unit_test(test_table_utf8_width),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_props),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
