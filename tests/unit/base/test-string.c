// SPDX-License-Identifier: MIT
/*
 * test-string.c - unit tests of lib/base/string.c: predicates, checked copies, integer and size
 * parsing, and size printing checked against the examples of OpenZFS's zfs_nicenum().
 */
#include <basalt/base.h>

#include <setjmp.h>
#include <cmocka.h>

static void test_startswith_endswith(void **state)
{
	assert_true(bs_startswith("zones/var", "zones"));
	assert_true(bs_startswith("zones", ""));
	assert_false(bs_startswith("zone", "zones"));
	assert_true(bs_endswith("tank@final", "@final"));
	assert_true(bs_endswith("x", ""));
	assert_false(bs_endswith("al", "final"));
}

static void test_strlcpy(void **state)
{
	char buf[6];

	assert_int_equal(bs_strlcpy(buf, "zones", sizeof(buf)), 5);
	assert_string_equal(buf, "zones");
	assert_int_equal(bs_strlcpy(buf, "zones1", sizeof(buf)), -ENAMETOOLONG);
	assert_string_equal(buf, "zones");
	assert_int_equal(bs_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_parse_u64(void **state)
{
	uint64_t v = 7;

	assert_int_equal(bs_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(bs_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(bs_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(bs_parse_u64("", &v), -EINVAL);
	assert_int_equal(bs_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(bs_parse_u64("+1", &v), -EINVAL);
	assert_int_equal(bs_parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(bs_parse_u64("12x", &v), -EINVAL);
	assert_int_equal(v, 7);
}

static uint64_t parsed(const char *s)
{
	uint64_t v = 0;

	assert_int_equal(bs_size_parse(s, &v), 0);
	return v;
}

static void test_size_parse(void **state)
{
	uint64_t v = 7;

	assert_true(parsed("0") == 0);
	assert_true(parsed("512") == 512);
	assert_true(parsed("512B") == 512);
	assert_true(parsed("1K") == 1024);
	assert_true(parsed("1k") == 1024);
	assert_true(parsed("1KB") == 1024);
	assert_true(parsed("1KiB") == 1024);
	assert_true(parsed("96K") == 96 * 1024);
	assert_true(parsed("1.5G") == 3ULL << 29);
	assert_true(parsed("1.50K") == 1536);
	assert_true(parsed("12.3M") == 12897484); /* 12.3 * 2^20, truncated */
	assert_true(parsed("1T") == 1ULL << 40);
	assert_true(parsed("1P") == 1ULL << 50);
	assert_true(parsed("15E") == 15ULL << 60);
	assert_true(parsed("15.999999999999999999999E") < UINT64_MAX);

	assert_int_equal(bs_size_parse("16E", &v), -ERANGE);
	assert_int_equal(bs_size_parse("", &v), -EINVAL);
	assert_int_equal(bs_size_parse("K", &v), -EINVAL);
	assert_int_equal(bs_size_parse("1.5", &v), -EINVAL);
	assert_int_equal(bs_size_parse("1.5B", &v), -EINVAL);
	assert_int_equal(bs_size_parse("1.G", &v), -EINVAL);
	assert_int_equal(bs_size_parse("1X", &v), -EINVAL);
	assert_int_equal(bs_size_parse("1BB", &v), -EINVAL);
	assert_int_equal(bs_size_parse("1Kx", &v), -EINVAL);
	assert_int_equal(bs_size_parse("-1K", &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void check_format(uint64_t n, const char *want)
{
	char buf[BS_SIZE_BUF];

	assert_string_equal(bs_size_format(buf, n), want);
}

static void test_size_format(void **state)
{
	/* below 1024: bytes, with a B */
	check_format(0, "0B");
	check_format(1, "1B");
	check_format(512, "512B");
	check_format(1023, "1023B");
	/* exact multiples: no decimals */
	check_format(1024, "1K");
	check_format(96 * 1024, "96K");
	check_format(128 * 1024, "128K");
	check_format(1ULL << 30, "1G");
	check_format(1000ULL << 40, "1000T");
	check_format(1ULL << 60, "1E");
	/* otherwise the most decimals that fit in 5 characters */
	check_format(1536, "1.50K");
	check_format(1025, "1.00K");
	check_format((1ULL << 30) + 1, "1.00G");
	check_format(3ULL << 29, "1.50G");
	check_format(12897485, "12.3M");
	check_format(12ULL * (1ULL << 40) + (3ULL << 40) / 10, "12.3T");
	check_format(135677734227149ULL, "123T"); /* 123.4T */
	check_format(10239, "10.0K");		  /* 9.999K */
	check_format(1048575, "1024K");		  /* 1023.999K */
	check_format(UINT64_MAX, "16.0E");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_startswith_endswith), cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_parse_u64),	    cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_size_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
