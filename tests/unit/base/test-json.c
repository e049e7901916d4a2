// SPDX-License-Identifier: MIT
/*
 * test-json.c - unit tests of lib/base/json.c: stable output and parse errors with positions.
 */
#include <basalt/json.h>

#include <setjmp.h>
#include <cmocka.h>

static void test_print_sorted(void **state)
{
	_cleanup_json_ json_t *j =
		json_pack("{s:i, s:s, s:[i,i]}", "zeta", 1, "alias", "web", "nics", 1, 2);
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(j);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(bs_json_print(f, j), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "{\n"
				 "  \"alias\": \"web\",\n"
				 "  \"nics\": [\n"
				 "    1,\n"
				 "    2\n"
				 "  ],\n"
				 "  \"zeta\": 1\n"
				 "}\n");
}

static void test_parse(void **state)
{
	_cleanup_json_ json_t *j = NULL;
	json_t *bad = NULL;

	assert_int_equal(bs_json_parse("{\"brand\": \"joyent\"}", "manifest", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "brand")), "joyent");

	assert_int_equal(bs_json_parse("{\n\"a\": 1,\n}", "vm.json", &bad), -EINVAL);
	assert_null(bad);
	assert_true(bs_startswith(bs_error_msg(), "vm.json: invalid JSON at line 3 column 1: "));
	assert_int_equal(bs_json_parse("{\"a\": 1, \"a\": 2}", NULL, &bad), -EINVAL);
	assert_true(bs_startswith(bs_error_msg(), "input: invalid JSON at line 1"));
	bs_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_sorted),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
