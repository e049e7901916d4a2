// SPDX-License-Identifier: MIT
/*
 * test-error.c - unit tests of lib/base/error.c: the recorded message, its per-thread scope, the
 * strerror fallback, and the assertion failure message.
 */
#include <basalt/base.h>

#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/wait.h>

static void test_error_records(void **state)
{
	bs_error_clear();
	assert_string_equal(bs_error_msg(), "no error");
	assert_int_equal(bs_error(ENOENT, "pool '%s' does not exist", "tank"), -ENOENT);
	assert_string_equal(bs_error_msg(), "pool 'tank' does not exist");
	/* a negative code is accepted too */
	assert_int_equal(bs_error(-EEXIST, "dataset exists"), -EEXIST);
	assert_string_equal(bs_error_msg(), "dataset exists");
	bs_error_clear();
	assert_string_equal(bs_error_msg(), "no error");
}

static void test_strerror(void **state)
{
	bs_error_clear();
	assert_string_equal(bs_strerror(-ENOENT), "No such file or directory");
	bs_error(ENOENT, "pool 'tank' does not exist");
	assert_string_equal(bs_strerror(-ENOENT), "pool 'tank' does not exist");
	/* a different code than the recorded one: libc's text */
	assert_string_equal(bs_strerror(-EIO), "Input/output error");
	assert_string_equal(bs_strerror(-9999), "Unknown error 9999");
	bs_error_clear();
	assert_string_equal(bs_strerror(-ENOENT), "No such file or directory");
}

static void *other_thread(void *arg)
{
	const char **seen = arg;

	*seen = bs_error_msg();
	bs_error(EIO, "thread's own");
	return NULL;
}

static void test_per_thread(void **state)
{
	const char *seen = NULL;
	pthread_t t;

	bs_error(EINVAL, "main's message");
	assert_int_equal(pthread_create(&t, NULL, other_thread, &seen), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_string_equal(seen, "no error");
	assert_string_equal(bs_error_msg(), "main's message");
	bs_error_clear();
}

static void test_assert_fail(void **state)
{
	int pipefd[2], status;
	char buf[256] = { 0 };
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int x = 1;

		dup2(pipefd[1], STDERR_FILENO);
		VERIFY(x == 2);
		_exit(0);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], buf, sizeof(buf) - 1) > 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "basalt: assertion failed: x == 2 at "));
	assert_non_null(strstr(buf, "test-error.c:"));
	assert_non_null(strstr(buf, "(test_assert_fail)\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_records),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_per_thread),
		cmocka_unit_test(test_assert_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
