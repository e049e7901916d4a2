// SPDX-License-Identifier: MIT
/*
 * test-mdata-v2.c - unit tests of version 2 of the metadata protocol (lib/mgmt/mdata_v2.c): the
 * CRC-32 against its check value, base64 both ways (and the strictness of decoding), a frame as
 * written and parsed back, the frames that must be refused (length, CRC, form), and frames made
 * into the service's requests (GET, KEYS, PUT's pair of base64 strings, DELETE).
 */
#include <basalt/mgmt.h>

#include <setjmp.h>
#include <cmocka.h>

static void test_crc32(void **state)
{
	/* the CRC-32 check value, and zlib's value of a frame body */
	assert_int_equal(mgmt_mdata_crc32("123456789", 9), 0xcbf43926);
	assert_int_equal(mgmt_mdata_crc32("", 0), 0);
	assert_int_equal(mgmt_mdata_crc32("0000abcd GET Z3JlZXRpbmc=", 25), 0xe96e44f3);
}

static void check_b64(const char *plain, const char *coded)
{
	_cleanup_free_ char *e = mgmt_mdata_base64(plain, strlen(plain)), *d = NULL;
	size_t n;

	assert_string_equal(e, coded);
	assert_int_equal(mgmt_mdata_unbase64(coded, strlen(coded), &d, &n), 0);
	assert_int_equal(n, strlen(plain));
	assert_memory_equal(d, plain, n);
}

static void test_base64(void **state)
{
	static const char *const bad[] = { "Zg",   "Zg=",      "Z===", "Zh==",
					   "Zm9=", "Zm9v!A==", "====", "Zm=v" };
	_cleanup_free_ char *d = NULL;
	size_t n;

	check_b64("", "");
	check_b64("f", "Zg==");
	check_b64("fo", "Zm8=");
	check_b64("foo", "Zm9v");
	check_b64("greeting", "Z3JlZXRpbmc=");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mgmt_mdata_unbase64(bad[i], strlen(bad[i]), &d, &n), -EINVAL);
}

static int parse(const char *line, struct mgmt_mdata_v2 *f)
{
	return mgmt_mdata_v2_parse(line, strlen(line), f);
}

static void test_frame(void **state)
{
	_cleanup_free_ char *frame = mgmt_mdata_v2_frame("0000abcd", "GET", "Z3JlZXRpbmc=");
	_cleanup_free_ char *bare = mgmt_mdata_v2_frame("dc4fae17", "NOTFOUND", NULL);
	struct mgmt_mdata_v2 f;

	assert_string_equal(frame, "V2 25 e96e44f3 0000abcd GET Z3JlZXRpbmc=\n");
	frame[strlen(frame) - 1] = '\0';
	assert_int_equal(parse(frame, &f), 0);
	assert_int_equal(f.id_len, 8);
	assert_memory_equal(f.id, "0000abcd", 8);
	assert_int_equal(f.word_len, 3);
	assert_memory_equal(f.word, "GET", 3);
	assert_int_equal(f.arg_len, 12);
	assert_memory_equal(f.arg, "Z3JlZXRpbmc=", 12);

	bare[strlen(bare) - 1] = '\0';
	assert_int_equal(parse(bare, &f), 0);
	assert_null(f.arg);
	assert_int_equal(f.word_len, 8);
}

static void test_frame_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"V2",
		"V2 ",
		"V1 25 e96e44f3 0000abcd GET Z3JlZXRpbmc=",
		"V2 24 e96e44f3 0000abcd GET Z3JlZXRpbmc=",  /* length */
		"V2 26 e96e44f3 0000abcd GET Z3JlZXRpbmc=",  /* length */
		"V2 25 e96e44f4 0000abcd GET Z3JlZXRpbmc=",  /* CRC */
		"V2 25 E96E44F3 0000abcd GET Z3JlZXRpbmc=",  /* upper-case CRC */
		"V2 25 e96e44f 0000abcd GET Z3JlZXRpbmc=",   /* short CRC */
		"V2 25 e96e44f3 0000abcd GET Z3JlZXRpbmc=x", /* body past the length */
		"V2 -5 e96e44f3 0000abcd GET Z3JlZXRpbmc=",
		"V2 999999999 e96e44f3 x",
		"invalid command",
		"NEGOTIATE V2",
	};
	struct mgmt_mdata_v2 f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &f), -EINVAL);
}

/* The request of a frame made of body (the frame is built around it). */
static int request_of(const char *id, const char *word, const char *arg, struct mgmt_mdata_req *q,
		      char **buf)
{
	_cleanup_free_ char *frame = mgmt_mdata_v2_frame(id, word, arg);
	struct mgmt_mdata_v2 f;
	int r;

	frame[strlen(frame) - 1] = '\0';
	r = mgmt_mdata_v2_parse(frame, strlen(frame), &f);
	if (r < 0)
		return r;
	r = mgmt_mdata_v2_request(&f, q, buf);
	/* the request must not point into the frame, which is freed here */
	if (r == 0 && q->key)
		assert_ptr_equal(q->key, *buf);
	return r;
}

static void test_requests(void **state)
{
	struct mgmt_mdata_req q;
	char *buf = NULL;

	assert_int_equal(request_of("1", "GET", "Z3JlZXRpbmc=", &q, &buf), 0);
	assert_int_equal(q.op, MGMT_MDATA_GET);
	assert_int_equal(q.key_len, 8);
	assert_memory_equal(q.key, "greeting", 8);
	free(buf);

	assert_int_equal(request_of("2", "KEYS", NULL, &q, &buf), 0);
	assert_int_equal(q.op, MGMT_MDATA_KEYS);
	assert_null(q.key);
	assert_null(buf);

	/* PUT k="k", v="v a l" */
	assert_int_equal(request_of("3", "PUT", "YXc9PSBkaUJoSUd3PQ==", &q, &buf), 0);
	assert_int_equal(q.op, MGMT_MDATA_PUT);
	assert_int_equal(q.key_len, 1);
	assert_memory_equal(q.key, "k", 1);
	assert_int_equal(q.value_len, 5);
	assert_memory_equal(q.value, "v a l", 5);
	free(buf);

	assert_int_equal(request_of("4", "DELETE", "Zm9v", &q, &buf), 0);
	assert_int_equal(q.op, MGMT_MDATA_DELETE);
	assert_memory_equal(q.key, "foo", 3);
	free(buf);

	assert_int_equal(request_of("5", "FROB", "Zm9v", &q, &buf), -EINVAL);
	assert_int_equal(request_of("6", "GET", NULL, &q, &buf), -EINVAL);
	assert_int_equal(request_of("7", "GET", "Zm9", &q, &buf), -EINVAL);
	assert_int_equal(request_of("8", "KEYS", "Zm9v", &q, &buf), -EINVAL);
	assert_int_equal(request_of("9", "PUT", "Zm9v", &q, &buf), -EINVAL); /* no pair */
	assert_int_equal(request_of("a", "GET", "AA==", &q, &buf), -EINVAL); /* a NUL key */
	assert_int_equal(request_of("b", "DELETE", "", &q, &buf), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),	 cmocka_unit_test(test_base64),
		cmocka_unit_test(test_frame),	 cmocka_unit_test(test_frame_refused),
		cmocka_unit_test(test_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
