// SPDX-License-Identifier: MIT
/*
 * test-id.c - unit tests of lib/base/id.c: random values, and UUID generation and validation.
 */
#include <basalt/base.h>

#include <setjmp.h>
#include <cmocka.h>

static void test_random_u64(void **state)
{
	uint64_t a = bs_random_u64(), b = bs_random_u64();

	assert_true(a != 0 && b != 0);
	assert_true(a != b); /* 2^-64 odds of a false failure */
}

static void test_uuid_generate(void **state)
{
	char a[BS_UUID_STR], b[BS_UUID_STR];

	bs_uuid_generate(a);
	bs_uuid_generate(b);
	assert_int_equal(strlen(a), 36);
	assert_true(bs_uuid_valid(a));
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	for (const char *p = a; *p; p++)
		assert_true(*p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

static void test_uuid_valid(void **state)
{
	assert_true(bs_uuid_valid("f8a3b9c2-1d4e-4f5a-9b6c-7d8e9f0a1b2c"));
	assert_true(bs_uuid_valid("F8A3B9C2-1D4E-4F5A-9B6C-7D8E9F0A1B2C"));
	assert_true(bs_uuid_valid("00000000-0000-0000-0000-000000000000"));
	assert_false(bs_uuid_valid(""));
	assert_false(bs_uuid_valid("f8a3b9c2-1d4e-4f5a-9b6c-7d8e9f0a1b2"));
	assert_false(bs_uuid_valid("f8a3b9c2-1d4e-4f5a-9b6c-7d8e9f0a1b2c0"));
	assert_false(bs_uuid_valid("f8a3b9c2x1d4e-4f5a-9b6c-7d8e9f0a1b2c"));
	assert_false(bs_uuid_valid("g8a3b9c2-1d4e-4f5a-9b6c-7d8e9f0a1b2c"));
	assert_false(bs_uuid_valid("f8a3b9c21d4e4f5a9b6c7d8e9f0a1b2c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_u64),
		cmocka_unit_test(test_uuid_generate),
		cmocka_unit_test(test_uuid_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
