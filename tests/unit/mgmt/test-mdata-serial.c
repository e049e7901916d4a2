// SPDX-License-Identifier: MIT
/*
 * test-mdata-serial.c - the mdata tools' serial client (lib/mgmt/mdata_serial.c, what
 * basalt-mdata runs in a kvm guest on /dev/ttyS1) against the server's version 2 session
 * (mgmt_mdata_v2_serve, what the host runs on the VMM's COM2 socket), over a pseudo-terminal
 * standing for the serial line: bytes an earlier client left on it are passed over, the knock
 * and the negotiation find the service, and GET, KEYS, PUT and DELETE travel framed, values with
 * newlines and spaces intact, a missing key as -ENOENT, a failure with its message. The session's
 * handler keeps its keys in memory, as the host's keeps them in the VM's manifest.
 */
#include <basalt/mgmt.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <cmocka.h>

#define NKEYS 8

static char *keys[NKEYS], *values[NKEYS];

static int slot(const char *key, bool make)
{
	for (int i = 0; i < NKEYS; i++)
		if (keys[i] && streq(keys[i], key))
			return i;
	for (int i = 0; make && i < NKEYS; i++)
		if (!keys[i]) {
			keys[i] = bs_strdup(key);
			return i;
		}
	return -1;
}

static void handler(const struct mgmt_mdata_req *q, struct mgmt_mdata_answer *a, void *opaque)
{
	int i = q->key ? slot(q->key, q->op == MGMT_MDATA_PUT) : -1;

	if (q->op == MGMT_MDATA_KEYS) {
		_cleanup_free_ char *all = bs_strdup("");

		for (int k = 0; k < NKEYS; k++)
			if (keys[k]) {
				char *t = bs_asprintf("%s%s\n", all, keys[k]);

				free(all);
				all = t;
			}
		mgmt_mdata_answer_set(a, "SUCCESS", all);
	} else if (q->key && streq(q->key, "sdc:uuid") && q->op != MGMT_MDATA_GET) {
		mgmt_mdata_answer_set(a, "FAILURE", "sdc: keys are read-only");
	} else if (i < 0) {
		mgmt_mdata_answer_set(a, "NOTFOUND", NULL);
	} else if (q->op == MGMT_MDATA_GET) {
		mgmt_mdata_answer_set(a, "SUCCESS", values[i]);
	} else if (q->op == MGMT_MDATA_PUT) {
		free(values[i]);
		values[i] = strndup(q->value, q->value_len);
		mgmt_mdata_answer_set(a, "SUCCESS", NULL);
	} else {
		free(keys[i]);
		free(values[i]);
		keys[i] = values[i] = NULL;
		mgmt_mdata_answer_set(a, "SUCCESS", NULL);
	}
}

static void test_serial(void **state)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), stop[2], held;
	char *v = NULL, slave[64];
	pid_t pid;

	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(ptsname_r(master, slave, sizeof(slave)), 0);
	assert_int_equal(pipe2(stop, O_CLOEXEC), 0);
	/* a serial port does not hang up when its last user closes it; a pty's master would */
	held = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(held >= 0);
	keys[0] = bs_strdup("greeting");
	values[0] = bs_strdup("hello from the host");
	keys[1] = bs_strdup("sdc:uuid");
	values[1] = bs_strdup("5b8d3bc2-0c1c-4d5c-9d1b-6c53f3f3b9b2");
	/* what an earlier client left on the line */
	assert_int_equal(bs_write_full(master, "V2_OK\nstale junk\n", 17), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(stop[1]);
		_exit(mgmt_mdata_v2_serve(master, stop[0], handler, NULL) == 1 ? 0 : 1);
	}
	close(stop[0]);

	assert_int_equal(mgmt_mdata_serial_request(slave, "GET", "greeting", NULL, 0, &v), 0);
	assert_string_equal(v, "hello from the host");
	free(v);
	assert_int_equal(mgmt_mdata_serial_request(slave, "GET", "nothing", NULL, 0, &v), -ENOENT);
	assert_int_equal(mgmt_mdata_serial_request(slave, "PUT", "multi", "two\nlines and  spaces",
						   21, NULL),
			 0);
	assert_int_equal(mgmt_mdata_serial_request(slave, "GET", "multi", NULL, 0, &v), 0);
	assert_string_equal(v, "two\nlines and  spaces");
	free(v);
	assert_int_equal(mgmt_mdata_serial_request(slave, "KEYS", NULL, NULL, 0, &v), 0);
	assert_string_equal(v, "greeting\nsdc:uuid\nmulti\n");
	free(v);
	assert_int_equal(mgmt_mdata_serial_request(slave, "DELETE", "multi", NULL, 0, NULL), 0);
	assert_int_equal(mgmt_mdata_serial_request(slave, "GET", "multi", NULL, 0, &v), -ENOENT);
	assert_int_equal(mgmt_mdata_serial_request(slave, "DELETE", "sdc:uuid", NULL, 0, NULL),
			 -EIO);
	assert_string_equal(bs_error_msg(), "sdc: keys are read-only");
	assert_int_equal(mgmt_mdata_serial_request(slave, "GET", "sdc:uuid", NULL, 0, &v), 0);
	assert_string_equal(v, "5b8d3bc2-0c1c-4d5c-9d1b-6c53f3f3b9b2");
	free(v);

	/* the session ends when told to */
	{
		int status;

		close(stop[1]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(held);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
