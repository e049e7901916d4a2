// SPDX-License-Identifier: MIT
/*
 * test-log.c - unit tests of lib/base/log.c: the program-name prefix, one line per message, and
 * the level filter read from BASALT_LOG.
 */
#include <basalt/base.h>

#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>

/* Run the logging calls of fn with stderr redirected to a pipe; return what was written. */
static char *capture(const char *env, void (*fn)(void))
{
	static char buf[4096];
	int p[2], saved;
	ssize_t n;

	if (env)
		setenv("BASALT_LOG", env, 1);
	else
		unsetenv("BASALT_LOG");
	bs_log_init("/usr/sbin/zfs");

	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void log_all(void)
{
	log_err("e %d", 1);
	log_warn("w");
	log_info("i");
	log_debug("d");
}

static void test_default_level(void **state)
{
	assert_string_equal(capture(NULL, log_all), "zfs: e 1\nzfs: w\n");
}

static void test_levels(void **state)
{
	assert_string_equal(capture("err", log_all), "zfs: e 1\n");
	assert_string_equal(capture("warn", log_all), "zfs: e 1\nzfs: w\n");
	assert_string_equal(capture("info", log_all), "zfs: e 1\nzfs: w\nzfs: i\n");
	assert_string_equal(capture("debug", log_all), "zfs: e 1\nzfs: w\nzfs: i\nzfs: d\n");
	assert_string_equal(capture("bogus", log_all), "zfs: e 1\nzfs: w\n");
}

static void log_long(void)
{
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_err("%s", big);
}

static void test_truncated_line(void **state)
{
	const char *out = capture(NULL, log_long);
	size_t len = strlen(out);

	/* a message too long for one line is cut, but still ends the line */
	assert_true(bs_startswith(out, "zfs: xxx"));
	assert_true(len < 3000);
	assert_ptr_equal(strchr(out, '\n'), out + len - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_level),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_truncated_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
